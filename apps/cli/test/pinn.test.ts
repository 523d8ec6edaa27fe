// gradtape pinn: tiny runs that write every output file, checked independently (PNG chunks and CRCs by hand, the
// zlib stream inflated, weights read back by the library and by `gradtape derivatives`), the summary line and
// --json, progress lines, and one-line errors with exit code 2.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { mkdtempSync, readFileSync, writeFileSync, rmSync, existsSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { inflateSync } from "node:zlib";
import { ready, io as wio, tidy, tensor, pinn } from "gradtape";
import { runMain, expectOneLineError } from "./helpers.js";

let dir: string;
beforeAll(async () => { await ready(); dir = mkdtempSync(join(tmpdir(), "gradtape-pinn-")); });
afterAll(() => { rmSync(dir, { recursive: true, force: true }); });

const TINY = ["--hidden", "2x8", "--collocation", "64", "--boundary", "16", "--adam-steps", "30", "--lbfgs-steps", "10"];

/** an independent CRC-32 (bitwise, no table) */
function crc(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) { c ^= b; for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1)); }
  return (c ^ 0xffffffff) >>> 0;
}

/** parses a PNG: signature, chunks with checked CRCs, IHDR fields, and the inflated image data */
function readPng(file: string) {
  const b = new Uint8Array(readFileSync(file));
  expect(Array.from(b.subarray(0, 8))).toEqual([137, 80, 78, 71, 13, 10, 26, 10]);
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const chunks: { type: string; data: Uint8Array }[] = [];
  let off = 8;
  while (off < b.length) {
    const len = dv.getUint32(off);
    const type = String.fromCharCode(...b.subarray(off + 4, off + 8));
    const data = b.subarray(off + 8, off + 8 + len);
    expect(dv.getUint32(off + 8 + len), `CRC of ${type}`).toBe(crc(b.subarray(off + 4, off + 8 + len)));
    chunks.push({ type, data });
    off += 12 + len;
  }
  expect(off).toBe(b.length);
  expect(chunks[0].type).toBe("IHDR");
  expect(chunks.at(-1)!.type).toBe("IEND");
  const ih = new DataView(chunks[0].data.buffer, chunks[0].data.byteOffset, 13);
  const width = ih.getUint32(0), height = ih.getUint32(4);
  expect([ih.getUint8(8), ih.getUint8(9), ih.getUint8(10), ih.getUint8(11), ih.getUint8(12)]).toEqual([8, 2, 0, 0, 0]);
  const idat = Buffer.concat(chunks.filter((c) => c.type === "IDAT").map((c) => c.data));
  const raw = inflateSync(idat);
  expect(raw.length).toBe(height * (1 + 3 * width));
  return { width, height, raw };
}

describe("gradtape pinn", () => {
  it("trains a tiny heat network and writes weights (JSON, safetensors), the prediction grid and a PNG", async () => {
    const out = join(dir, "heat");
    const r = await runMain(["pinn", "heat", ...TINY, "--out", out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^heat: relative L2 error \d\.\d{3}e[+-]\d+ against the exact solution on 101 t x 101 x points\n/);
    expect(r.stdout).toMatch(/40 steps \(30 Adam \+ 10 SSBroyden\)/); // --optimizer auto on a small network
    expect(r.stdout).toMatch(/wall time (\d\.\ds|\d+s|\d+m\d\ds) \(training /);
    // not a terminal: plain progress lines
    expect(r.stderr).toMatch(/^heat: Adam +1\/40 +loss \d/m);
    expect(r.stderr).toMatch(/^heat: SSBroyden 40\/40 +loss/m); // the phase after Adam by the optimizer that runs it
    expect(r.stderr).not.toContain("\r");

    const pred = JSON.parse(readFileSync(join(out, "prediction.json"), "utf8"));
    expect(Object.keys(pred)).toEqual(["x", "t", "u"]);
    expect(pred.x).toHaveLength(101);
    expect(pred.t).toHaveLength(101);
    expect(pred.u).toHaveLength(101);
    expect(pred.u[0]).toHaveLength(101);

    // the weights on raw inputs reproduce the prediction; JSON and safetensors hold the same numbers
    const json = wio.modelFromWeightsJSON(readFileSync(join(out, "weights.json"), "utf8"));
    const st = wio.modelFromSafetensors(new Uint8Array(readFileSync(join(out, "weights.safetensors"))));
    tidy(() => {
      const X = tensor([[pred.x[10], pred.t[20]], [pred.x[70], pred.t[90]]]);
      const a = json.apply(X).data(), b = st.apply(X).data();
      expect(Array.from(a)).toEqual(Array.from(b));
      expect(a[0]).toBeCloseTo(pred.u[20][10], 5);
      expect(a[1]).toBeCloseTo(pred.u[90][70], 5);
    });
    json.dispose(); st.dispose();

    // `gradtape derivatives` reads the weights file (2 inputs x, t)
    const d = await runMain(["derivatives", "--weights", join(out, "weights.json"), "--point", "0.5,0.5", "--json"]);
    expect(d.code, d.stderr).toBe(0);
    expect(JSON.parse(d.stdout).points[0].f).toBeCloseTo(pred.u[50][50], 5);

    // the maps: one PNG raster per panel, at the grid's resolution, inside an SVG with axes and colour bars
    const svg = readFileSync(join(out, "prediction.svg"), "utf8");
    const rasters = [...svg.matchAll(/href="data:image\/png;base64,([^"]+)"/g)];
    expect(rasters).toHaveLength(3);
    for (const m of rasters) {
      const f = join(out, "panel.png");
      writeFileSync(f, Buffer.from(m[1], "base64"));
      const png = readPng(f);
      expect([png.width, png.height]).toEqual([101, 101]);
    }
    for (const label of [">t<", ">x<", ">network u(t, x)<", ">reference u<", ">absolute error<", ">|error|<"]) expect(svg).toContain(label);
  });

  it("--json prints the summary object; 2-D problems use y; 1-D problems write a 1-D prediction and a line plot", async () => {
    const r = await runMain(["pinn", "poisson2d", ...TINY, "--json", "--quiet", "--out", join(dir, "p2")]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe("");
    const s = JSON.parse(r.stdout);
    expect(Object.keys(s)).toEqual(["problem", "relL2", "seconds", "steps", "finalLoss", "stopReason", "evaluations", "lineSearchEvaluations", "threads"]);
    expect(s.problem).toBe("poisson2d");
    expect(s.steps).toBe(40);
    expect(s.relL2).toBeGreaterThan(0);
    expect(s.seconds).toBeGreaterThan(0);
    const pred = JSON.parse(readFileSync(join(dir, "p2", "prediction.json"), "utf8"));
    expect(Object.keys(pred)).toEqual(["x", "y", "u"]);

    const r1 = await runMain(["pinn", "poisson1d", "--hidden", "8,8", "--adam-steps", "20", "--lbfgs-steps", "5", "--quiet", "--out", join(dir, "p1")]);
    expect(r1.code, r1.stderr).toBe(0);
    const p1 = JSON.parse(readFileSync(join(dir, "p1", "prediction.json"), "utf8"));
    expect(Object.keys(p1)).toEqual(["x", "u"]);
    expect(p1.u).toHaveLength(201);
    expect(typeof p1.u[0]).toBe("number");
    // a 1-D problem: a line plot of the network against the reference, and the error on a log scale
    const svg1 = readFileSync(join(dir, "p1", "prediction.svg"), "utf8");
    expect(svg1).toContain(">u(x): network and reference<");
    expect(svg1).toContain(">absolute error<");
    expect(svg1).not.toContain("data:image/png");
  });

  it("a time limit stops training and still evaluates", async () => {
    const r = await runMain(["pinn", "heat", "--hidden", "2x8", "--collocation", "64", "--adam-steps", "1000000", "--time-limit", "0.5", "--quiet"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/stopped: time-limit/);
  });

  it("bad options: one line, exit 2", async () => {
    expectOneLineError(await runMain(["pinn"]), "give a problem");
    expectOneLineError(await runMain(["pinn", "sound"]), 'unknown problem "sound"', "burgers, heat, poisson1d, poisson2d", "problem file");
    expectOneLineError(await runMain(["pinn", "--adam-steps", "3"]), "the problem comes first");
    expectOneLineError(await runMain(["pinn", "heat", "--adam-steps", "-3"]), "--adam-steps");
    expectOneLineError(await runMain(["pinn", "heat", "--lr", "0"]), "--lr");
    expectOneLineError(await runMain(["pinn", "heat", "--hidden", "8xq"]), "--hidden");
    expectOneLineError(await runMain(["pinn", "heat", "--sampler", "grid"]), "--sampler", "lhs");
    expectOneLineError(await runMain(["pinn", "heat", "--time-limit", "soon"]), "--time-limit");
    expectOneLineError(await runMain(["pinn", "heat", "--adam-steps", "0", "--lbfgs-steps", "0"]), "nothing to train");
    expectOneLineError(await runMain(["pinn", "heat", "--frobnicate"]), "unknown option --frobnicate");
    expectOneLineError(await runMain(["pinn", "heat", "extra"]), "unexpected argument");
    expect(existsSync(join(dir, "never"))).toBe(false);
  });

  it("--help lists the problems and their defaults", async () => {
    const r = await runMain(["pinn", "--help"]);
    expect(r.code).toBe(0);
    for (const name of Object.keys(pinn.problems.problems)) expect(r.stdout).toContain(name);
    expect(r.stdout).toContain("8x20");
    const top = await runMain(["--help"]);
    expect(top.stdout).toMatch(/pinn\s+train a physics-informed network/);
  });
});
