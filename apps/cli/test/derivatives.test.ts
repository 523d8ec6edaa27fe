// gradtape derivatives: the printed numbers against an independent float64 forward-mode reference (./dual.ts).
//
// Tolerance: 1e-5 relative. The computation is float32, and a derivative that is a sum of terms of both signs can
// lose digits to cancellation in ANY float32 evaluation (a naive float32 emulation of ./dual.ts loses the same), so
// in bulk the relative error is taken against the size of the quantity's group at that point (|f|, |grad f|,
// |Hessian|; see expectMatchesReference). The default point and the closed-form cases are checked against each
// quantity's own magnitude.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { ready, memory, io } from "gradtape";
import { runCli, runMain, expectMatchesReference, relErr, REL_TOL, type JsonOutput } from "./helpers.js";
import { referenceDerivatives, randomLayers, prng, QUANTITIES, type RefLayer } from "./dual.js";

let dir: string;
beforeAll(async () => { await ready(); dir = mkdtempSync(join(tmpdir(), "gradtape-cli-")); });
afterAll(() => { rmSync(dir, { recursive: true, force: true }); });

function writeWeights(name: string, layers: RefLayer[]): string {
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify({ weights: { layers } }));
  return file;
}

function points(n: number, seed: number, lo = -1, hi = 1): string[] {
  const r = prng(seed);
  const round = (v: number) => Math.round(v * 1000) / 1000;
  return Array.from({ length: n }, () => `--point=${round(lo + (hi - lo) * r())},${round(lo + (hi - lo) * r())}`);
}

describe("the seed network (Flatten([2,1]) -> Dense(28, sigmoid) -> Dense(1, sigmoid))", () => {
  it("default run (subprocess): one point, a readable aligned table whose numbers match the reference", () => {
    const r = runCli(["derivatives"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe("");
    expect(r.stdout).toContain("Flatten([2, 1]) -> Dense(28, sigmoid) -> Dense(1, sigmoid)");
    const lines = r.stdout.trimEnd().split("\n");
    const headerAt = lines.findIndex((l) => /^\s*x\s+t\s+f\s/.test(l));
    expect(headerAt).toBeGreaterThan(-1);
    const header = lines[headerAt].trim().split(/\s+/);
    expect(header).toEqual(["x", "t", "f", "df/dx", "df/dt", "d2f/dx2", "d2f/dxdt", "d2f/dtdx", "d2f/dt2"]);
    const rows = lines.slice(headerAt + 1);
    expect(rows).toHaveLength(1);
    // aligned: every row as long as the header, columns right-aligned
    expect(rows[0].length).toBe(lines[headerAt].length);
    const cells = rows[0].trim().split(/\s+/).map(Number);
    expect(cells.slice(0, 2)).toEqual([0.5, 0.5]);
    for (const row of [lines[headerAt], ...rows]) expect(row.length).toBeLessThanOrEqual(120);
    // the same network's weights, from --json (default seed)
    const json = JSON.parse(runCli(["derivatives", "--json"]).stdout) as JsonOutput;
    const ref = referenceDerivatives(json.weights.layers, 0.5, 0.5);
    QUANTITIES.forEach((q, i) => {
      // the table prints 7 significant digits
      expect(relErr(cells[i + 2], ref[q]), `${q}: table ${cells[i + 2]} vs reference ${ref[q]}`).toBeLessThan(REL_TOL);
    });
  });

  it("--json at several points in [0, 1]^2 for seeds 0..3 matches the reference within 1e-5 (group-relative)", async () => {
    for (const seed of [0, 1, 2, 3]) {
      const r = await runMain(["derivatives", "--json", "--seed", String(seed), ...points(12, seed, 0, 1)]);
      expect(r.code, r.stderr).toBe(0);
      const out = JSON.parse(r.stdout) as JsonOutput;
      expect(out.points).toHaveLength(12);
      expect(out.weights.layers.map((l) => [l.kernel.length, l.bias.length, l.activation])).toEqual([[2, 28, "sigmoid"], [28, 1, "sigmoid"]]);
      expectMatchesReference(out);
    }
  });

  it("the seed fixes the weights: same seed same numbers, another seed other numbers", async () => {
    const a = await runMain(["derivatives", "--json", "--seed", "5"]);
    const b = await runMain(["derivatives", "--json", "--seed", "5"]);
    const c = await runMain(["derivatives", "--json", "--seed", "6"]);
    expect(a.stdout).toBe(b.stdout);
    expect(JSON.parse(a.stdout).weights).not.toEqual(JSON.parse(c.stdout).weights);
    // the default seed is 0
    expect((await runMain(["derivatives", "--json"])).stdout).toBe((await runMain(["derivatives", "--json", "--seed", "0"])).stdout);
  });
});

describe("networks from --weights files", () => {
  const activations = ["linear", "sigmoid", "tanh", "relu", "sin", "softplus"];

  it.each(activations)("%s hidden layers (2 -> 12 -> 6 -> 1)", async (act) => {
    const layers = randomLayers([2, 12, 6, 1], [act, act, act === "relu" ? "tanh" : act], activations.indexOf(act) + 11);
    const file = writeWeights(`${act}.json`, layers);
    const r = await runMain(["derivatives", "--weights", file, "--json", ...points(15, 3, -1.5, 1.5)]);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as JsonOutput;
    // the float32 values of the file are echoed exactly (as their shortest decimals)
    const f32 = (l: RefLayer) => ({ ...l, kernel: l.kernel.map((row) => row.map(Math.fround)), bias: l.bias.map(Math.fround) });
    expect(out.weights.layers.map(f32)).toEqual(layers);
    expectMatchesReference(out, { layers });
  });

  it("a deeper mixed network (8 dense layers, every activation)", async () => {
    const acts = ["tanh", "sin", "softplus", "sigmoid", "tanh", "linear", "sin", "sigmoid"];
    const layers = randomLayers([2, 10, 10, 10, 10, 10, 10, 10, 1], acts, 42, 0.8);
    const r = await runMain(["derivatives", "--weights", writeWeights("deep.json", layers), "--json", ...points(10, 8)]);
    expect(r.code, r.stderr).toBe(0);
    expectMatchesReference(JSON.parse(r.stdout) as JsonOutput, { layers });
  });

  it("one layer: f = tanh(a x + b t + c), checked against the closed form", async () => {
    const [a, b, c] = [0.75, -1.25, 0.5];
    const file = writeWeights("one.json", [{ kernel: [[a], [b]], bias: [c], activation: "tanh" }]);
    const r = await runMain(["derivatives", "--weights", file, "--json", "--point", "0.2,0.3", "--point=-0.4,0.9"]);
    const out = JSON.parse(r.stdout) as JsonOutput;
    for (const p of out.points) {
      const y = Math.tanh(a * p.x + b * p.t + c), d1 = 1 - y * y, d2 = -2 * y * d1;
      const want = { f: y, df_dx: a * d1, df_dt: b * d1, d2f_dx2: a * a * d2, d2f_dxdt: a * b * d2, d2f_dtdx: a * b * d2, d2f_dt2: b * b * d2 };
      for (const q of QUANTITIES) expect(relErr(p[q], want[q]), q).toBeLessThan(REL_TOL);
    }
  });

  it("a linear network: exact first derivatives, second derivatives exactly 0 (the gradient does not depend on the input)", async () => {
    const layers: RefLayer[] = [
      { kernel: [[1, -2, 0.5], [3, 0.25, -1]], bias: [0.125, 0.25, -0.375], activation: "linear" },
      { kernel: [[1], [2], [3]], bias: [0.5], activation: "linear" },
    ];
    const r = await runMain(["derivatives", "--weights", writeWeights("linear.json", layers), "--json", "-p", "0.25,0.5"]);
    const [p] = (JSON.parse(r.stdout) as JsonOutput).points;
    expect(p.df_dx).toBe(1 - 4 + 1.5);
    expect(p.df_dt).toBe(3 + 0.5 - 3);
    for (const q of ["d2f_dx2", "d2f_dxdt", "d2f_dtdx", "d2f_dt2"] as const) expect(p[q]).toBe(0);
  });

  it("relu: second derivatives are 0 and first derivatives follow the active units", async () => {
    const layers: RefLayer[] = [
      { kernel: [[1, -1], [2, 1]], bias: [0, 0], activation: "relu" },
      { kernel: [[3], [5]], bias: [0], activation: "linear" },
    ];
    const r = await runMain(["derivatives", "--weights", writeWeights("relu.json", layers), "--json", "-p", "1,1", "-p", "2,-1"]);
    const out = JSON.parse(r.stdout) as JsonOutput;
    // (1,1): z = (3, 0) -> only unit 0 active (relu'(0) = 0); (2,-1): z = (0, -3) -> none active
    expect(out.points.map((p) => [p.f, p.df_dx, p.df_dt])).toEqual([[9, 3, 6], [0, 0, 0]]);
    for (const p of out.points) for (const q of ["d2f_dx2", "d2f_dxdt", "d2f_dtdx", "d2f_dt2"] as const) expect(p[q]).toBe(0);
  });
});

describe("weights files are read by gradtape's io: JSON and safetensors, one set of rules", () => {
  it("safetensors (by its first bytes, whatever the extension) gives the same network and numbers as JSON", async () => {
    const pts = points(5, 21);
    const fromSeed = await runMain(["derivatives", "--json", "--seed", "4", ...pts]);
    const model = io.modelFromWeightsJSON(JSON.stringify({ weights: (JSON.parse(fromSeed.stdout) as JsonOutput).weights }));
    const bytes = io.saveSafetensors(model);
    model.dispose();
    for (const name of ["seed4.safetensors", "seed4.bin"]) {
      const file = join(dir, name);
      writeFileSync(file, bytes);
      const r = await runMain(["derivatives", "--json", "--weights", file, ...pts]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toBe(fromSeed.stdout);
    }
    // and on standard input, as bytes
    const piped = await runMain(["derivatives", "--json", "--weights", "-", ...pts], bytes);
    expect(piped.stdout).toBe(fromSeed.stdout);
  });

  it("a safetensors file without recorded activations needs --activations (and then reads the same network)", async () => {
    const pts = points(4, 22);
    const fromSeed = await runMain(["derivatives", "--json", "--seed", "6", ...pts]);
    const ws = (JSON.parse(fromSeed.stdout) as JsonOutput).weights.layers;
    // what another framework writes: the tensors only, no gradtape metadata
    const bytes = io.encodeSafetensors(Object.fromEntries(ws.flatMap((l, i) => [
      [`layers.${i}.kernel`, { shape: [l.kernel.length, l.kernel[0].length], data: l.kernel.flat() }],
      [`layers.${i}.bias`, { shape: [l.bias.length], data: l.bias }],
    ])));
    const file = join(dir, "foreign.safetensors");
    writeFileSync(file, bytes);
    const bare = await runMain(["derivatives", "--weights", file]);
    expect(bare.code).toBe(2);
    expect(bare.stderr).toMatch(/does not record its activations.*--activations/);
    const named = await runMain(["derivatives", "--json", "--weights", file, "--activations", "sigmoid,sigmoid", ...pts]);
    expect(named.code, named.stderr).toBe(0);
    expect(named.stdout).toBe(fromSeed.stdout);
    const wrong = await runMain(["derivatives", "--weights", file, "--activations", "sigmoid"]);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/expected 2 activation names/);
    const json = await runMain(["derivatives", "--weights", writeWeights("acts.json", ws), "--activations", "tanh,tanh"]);
    expect(json.stderr).toMatch(/--activations is for safetensors files/);
  });

  it("a layer without bias is valid (io's rule) and fields io does not know are ignored", async () => {
    const layers = [{ kernel: [[0.5, -1], [2, 0.25]], activation: "tanh", note: "hidden" }, { kernel: [[1.5], [-0.5]], bias: [0.125], activation: "linear" }];
    const r = await runMain(["derivatives", "--json", "--weights", writeWeights("nobias.json", layers as unknown as RefLayer[]), "-p", "0.3,-0.2"]);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as JsonOutput;
    expect(Object.keys(out.weights.layers[0])).toEqual(["kernel", "activation"]);
    expectMatchesReference(out, { layers: [{ ...layers[0], bias: [0, 0] }, layers[1]] as RefLayer[], scale: "each" });
  });
});

describe("batching", () => {
  it("all points in one pass give each point's own derivatives (as if evaluated alone)", async () => {
    const pts = points(6, 77, -2, 2);
    const all = JSON.parse((await runMain(["derivatives", "--json", "--seed", "9", ...pts])).stdout) as JsonOutput;
    for (let i = 0; i < pts.length; i++) {
      const one = JSON.parse((await runMain(["derivatives", "--json", "--seed", "9", pts[i]])).stdout) as JsonOutput;
      for (const q of QUANTITIES) expect(relErr(all.points[i][q], one.points[0][q]), `${q} of point ${i}`).toBeLessThan(1e-6);
    }
  });

  it("500 points in one call, in the given order", async () => {
    const pts = points(500, 5, 0, 1);
    const out = JSON.parse((await runMain(["derivatives", "--json", ...pts])).stdout) as JsonOutput;
    expect(out.points).toHaveLength(500);
    expect(out.points.map((p) => `--point=${p.x},${p.t}`)).toEqual(pts);
    expectMatchesReference({ ...out, points: out.points.filter((_, i) => i % 25 === 0) });
  });

  it("repeated points and points outside [0, 1] are fine", async () => {
    const out = JSON.parse((await runMain(["derivatives", "--json", "-p", "3,-4", "-p", "3,-4", "-p", "-1e-3,1e3"])).stdout) as JsonOutput;
    expect(out.points[0]).toEqual(out.points[1]);
    expectMatchesReference(out);
  });
});

describe("memory", () => {
  it("main() leaves no tensors or tapes behind", async () => {
    await runMain(["derivatives"]);              // warm up (the core's first allocations)
    const before = memory();
    expect(before.reservedBytes, "main() and this test share one gradtape core").toBeGreaterThan(0);
    for (let i = 0; i < 5; i++) {
      expect((await runMain(["derivatives", "--json", ...points(20, i)])).code).toBe(0);
      await runMain(["derivatives", "--weights", join(dir, "missing.json")]);
    }
    const after = memory();
    expect(after.tensors).toBe(before.tensors);
    expect(after.bytes).toBe(before.bytes);
    expect(after.tapes).toBe(before.tapes);
  });
});
