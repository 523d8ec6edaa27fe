// gradtape pinn on problem files (a default export made with defineProblem; a plain statement exported as
// `problem` with a geometry's `inside` test), --list, --threads on every command (same bits as one thread), the
// report (SVG plots with axes and colour bars, masked outside the geometry; a self-contained report.html), and
// the errors a bad file gives: one line naming the file and what it exports.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { mkdtempSync, readFileSync, writeFileSync, rmSync, existsSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { inflateSync } from "node:zlib";
import { fileURLToPath } from "node:url";
import { ready, pinn } from "gradtape";
import { runMain, runCliAsync, expectOneLineError } from "./helpers.js";

const FIX = fileURLToPath(new URL("./fixtures/", import.meta.url));
let dir: string;
beforeAll(async () => { await ready(); dir = mkdtempSync(join(tmpdir(), "gradtape-files-")); });
afterAll(() => { rmSync(dir, { recursive: true, force: true }); });

/** The RGB pixels of the PNG rasters embedded in an SVG (IHDR size; filter bytes dropped: our encoder writes filter 0). */
function rasters(svg: string): { width: number; height: number; rgb: Uint8Array }[] {
  return [...svg.matchAll(/href="data:image\/png;base64,([^"]+)"/g)].map((m) => {
    const b = Buffer.from(m[1], "base64");
    const width = b.readUInt32BE(16), height = b.readUInt32BE(20);
    const chunks: Buffer[] = [];
    for (let off = 8; off < b.length;) {
      const len = b.readUInt32BE(off), type = b.toString("latin1", off + 4, off + 8);
      if (type === "IDAT") chunks.push(b.subarray(off + 8, off + 8 + len));
      off += 12 + len;
    }
    const raw = inflateSync(Buffer.concat(chunks)), rgb = new Uint8Array(width * height * 3);
    for (let r = 0; r < height; r++) rgb.set(raw.subarray(r * (1 + 3 * width) + 1, (r + 1) * (1 + 3 * width)), r * width * 3);
    return { width, height, rgb };
  });
}

describe("problem files", () => {
  it("trains a default-export problem with the built-ins' options, and reaches the exact solution's neighbourhood", async () => {
    const out = join(dir, "mine");
    const r = await runMain(["pinn", join(FIX, "my-problem.mjs"), "--adam-steps", "200", "--lbfgs-steps", "200", "--seed", "1", "--out", out, "--quiet"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^my-sine: relative L2 error (\d\.\d{3}e[+-]\d+) against the exact solution on 101 x points\n/);
    const relL2 = Number(/error (\S+)/.exec(r.stdout)![1]);
    expect(relL2).toBeLessThan(1e-2); // u = sin(pi x) with 8x8 tanh, 400 steps
    expect(r.stdout).toContain("400 steps (200 Adam + 200 SSBroyden)"); // --optimizer auto: 97 weights, the dense method
    // the problem's own defaults apply where no option is given (8x8 network: 1*8 + 8 + 8*8 + 8 + 8 + 1 = 97 weights)
    const html = readFileSync(join(out, "report.html"), "utf8");
    expect(html).toContain("1 -&gt; 8, 8 -&gt; 1 (tanh), 97 weights");
    expect(html).toContain(`my-sine (${join(FIX, "my-problem.mjs")})`);
  });

  it("a statement exported as `problem`, with `inside`: the maps are grey outside the disk", async () => {
    const out = join(dir, "disk");
    const r = await runMain(["pinn", join(FIX, "statement.mjs"), "--hidden", "2x8", "--collocation", "64", "--boundary", "16", "--adam-steps", "20", "--lbfgs-steps", "0", "--out", out, "--quiet"]);
    expect(r.code, r.stderr).toBe(0);
    const maps = rasters(readFileSync(join(out, "prediction.svg"), "utf8"));
    expect(maps).toHaveLength(3);
    for (const m of maps) {
      expect([m.width, m.height]).toEqual([41, 41]);
      // grid x_i = -1 + i/20 (left to right), y_j = -1 + j/20 (bottom to top, so row 40 - j)
      const px = (i: number, j: number) => Array.from(m.rgb.subarray(((40 - j) * 41 + i) * 3, ((40 - j) * 41 + i) * 3 + 3));
      expect(px(0, 0)).toEqual([225, 225, 225]);   // corner (-1, -1): outside
      expect(px(40, 40)).toEqual([225, 225, 225]); // (1, 1): outside
      expect(px(20, 20)).not.toEqual([225, 225, 225]); // centre: inside
      expect(px(20, 0)).not.toEqual([225, 225, 225]);  // (0, -1): on the circle, inside
    }
  });

  it("a problem file outside any project (no node_modules) imports the CLI's own gradtape", async () => {
    const away = mkdtempSync(join(tmpdir(), "gradtape-away-"));
    try {
      writeFileSync(join(away, "mine.mjs"), readFileSync(join(FIX, "my-problem.mjs")));
      const r = await runCliAsync(["pinn", "./mine.mjs", "--json", "--quiet"], { cwd: away });
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ problem: "my-sine", steps: 60 });
    } finally { rmSync(away, { recursive: true, force: true }); }
  });

  it("a file without a problem, a missing file and TypeScript: one line naming the file and what it holds", async () => {
    const bad = join(FIX, "not-a-problem.mjs");
    expectOneLineError(await runMain(["pinn", bad]), bad, "does not export a problem", "pinn.defineProblem", "a default export (number 42)", "domain (an object)");
    expectOneLineError(await runMain(["pinn", join(FIX, "missing.mjs")]), "missing.mjs does not exist");
    expectOneLineError(await runMain(["pinn", join(FIX, "my-problem.ts")]), "is TypeScript", "compile it first");
    const broken = join(dir, "broken.mjs");
    writeFileSync(broken, "export default {;");
    expectOneLineError(await runMain(["pinn", broken]), "cannot load the problem file", broken);
  });
});

describe("--list", () => {
  it("prints every built-in problem with its default setup", async () => {
    const r = await runMain(["pinn", "--list"]);
    expect(r.code).toBe(0);
    for (const p of Object.values(pinn.problems.problems)) {
      const d = p.defaults;
      const row = r.stdout.split("\n").find((l) => l.startsWith(`${p.name} `))!;
      expect(row, p.name).toBeDefined();
      for (const v of [p.vars.join(","), `${d.hidden!.length}x${d.hidden![0]} tanh`, String(d.collocationPoints), String(d.conditionPoints), String(d.adamSteps), String(d.lbfgsSteps)]) expect(row).toContain(v);
    }
  });
});

describe("--threads", () => {
  it("derivatives and pinn give the same bits with 2 threads as with 1; bad counts are refused", async () => {
    const [d1, d2] = await Promise.all([runCliAsync(["derivatives", "--json"]), runCliAsync(["derivatives", "--json", "--threads", "2"])]);
    expect(d2.code, d2.stderr).toBe(0);
    expect(d2.stdout).toBe(d1.stdout);
    const tiny = ["pinn", "heat", "--hidden", "2x8", "--collocation", "64", "--boundary", "16", "--adam-steps", "10", "--lbfgs-steps", "5", "--json", "--quiet"];
    const [p1, p2] = await Promise.all([runCliAsync(tiny), runCliAsync([...tiny, "--threads", "2"])]);
    expect(p2.code, p2.stderr).toBe(0);
    const [a, b] = [JSON.parse(p1.stdout), JSON.parse(p2.stdout)];
    expect([b.relL2, b.finalLoss]).toEqual([a.relL2, a.finalLoss]);
    for (const t of ["0", "65", "2x", "1.5"]) expectOneLineError(await runMain(["derivatives", "--threads", t]), "--threads", "1 to 64");
    expectOneLineError(await runMain(["pinn", "heat", "--threads", "0"]), "--threads");
  });
});

describe("report", () => {
  it("report.html is one self-contained page with the settings, the result and every plot", async () => {
    const out = join(dir, "report");
    const r = await runMain(["pinn", "heat", "--hidden", "2x8", "--collocation", "64", "--boundary", "16", "--adam-steps", "30", "--lbfgs-steps", "10", "--out", out, "--quiet"]);
    expect(r.code, r.stderr).toBe(0);
    const html = readFileSync(join(out, "report.html"), "utf8");
    expect(html).not.toMatch(/<script|<link|src="http|href="http/);
    expect((html.match(/<svg /g) ?? []).length).toBe(3); // prediction, slices, loss
    for (const s of ["relative L2 error", "final loss", "training time", "collocation points", "64 (lhs)", "Training loss per term", "t = 0.5", ">residual<", ">conditions<", ">L-BFGS<"]) expect(html).toContain(s);
    const loss = readFileSync(join(out, "loss.svg"), "utf8");
    expect(loss).toContain(">loss (log scale)<");
    expect(loss).toContain(">step<");
    expect(loss).toMatch(/>1e-?\d+</); // log-scale tick labels
    expect(existsSync(join(out, "slices.svg"))).toBe(true);
  });
});
