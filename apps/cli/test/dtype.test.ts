// --dtype float64 in the CLI: derivatives of the seed network and of weights files in float64 (against the float64
// dual-number reference to 1e-13, where float32 is held to 1e-5), the file's dtype kept by default, and
// gradtape pinn --dtype float64 training a small run; bad values are one-line errors.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { ready } from "gradtape";
import { runMain, expectMatchesReference, expectOneLineError, type JsonOutput } from "./helpers.js";
import { randomLayers } from "./dual.js";

let dir: string;
beforeAll(async () => { await ready(); dir = mkdtempSync(join(tmpdir(), "gradtape-cli-dtype-")); });
afterAll(() => { rmSync(dir, { recursive: true, force: true }); });

const pts = ["--point=0.25,0.75", "--point=-0.5,0.1", "--point=0.9,-0.3"];

describe("gradtape derivatives --dtype float64", () => {
  it("the seed network in float64: the same (widened) weights as float32, derivatives to 1e-13 of the reference", async () => {
    const r64 = await runMain(["derivatives", "--dtype", "float64", "--json", ...pts]);
    expect(r64.code, r64.stderr).toBe(0);
    const o64 = JSON.parse(r64.stdout) as JsonOutput & { weights: { dtype?: string } };
    expect(o64.weights.dtype).toBe("float64");
    expectMatchesReference(o64, { tol: 1e-13 });
    const o32 = JSON.parse((await runMain(["derivatives", "--json", ...pts])).stdout) as JsonOutput;
    // float32 prints each weight as its shortest decimal; the float64 network holds the same float32 values exactly
    expect(o64.weights.layers.map((l) => l.kernel)).toEqual(o32.weights.layers.map((l) => l.kernel.map((row) => row.map(Math.fround))));
    const text = (await runMain(["derivatives", "--dtype", "float64"])).stdout;
    expect(text).toContain("float64 arithmetic");
  });

  it("a float64 JSON weights file keeps its dtype (every digit) unless --dtype float32 asks for rounding", async () => {
    const layers = randomLayers([2, 9, 1], ["tanh", "linear"], 17).map((l) => ({ ...l, kernel: l.kernel.map((row) => row.map((v) => v / 3)) }));
    const file = join(dir, "w64.json");
    writeFileSync(file, JSON.stringify({ weights: { dtype: "float64", layers } }));
    const r = await runMain(["derivatives", "--weights", file, "--json", ...pts]);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as JsonOutput;
    expect(out.weights.layers.map((l) => l.kernel)).toEqual(layers.map((l) => l.kernel));   // exact doubles
    expectMatchesReference(out, { tol: 1e-13, layers });
    const r32 = await runMain(["derivatives", "--weights", file, "--dtype", "float32", "--json", ...pts]);
    expect(r32.code, r32.stderr).toBe(0);
    const o32 = JSON.parse(r32.stdout) as JsonOutput;
    expect(Math.fround(o32.weights.layers[0].kernel[0][0])).toBe(Math.fround(layers[0].kernel[0][0]));
    expect(o32.weights.layers[0].kernel[0][0]).not.toBe(layers[0].kernel[0][0]);
  });

  it("a bad --dtype is a one-line usage error", async () => {
    expectOneLineError(await runMain(["derivatives", "--dtype", "float16"]), "--dtype", "float16");
  });
});

describe("gradtape pinn --dtype float64", () => {
  it("trains a small Burgers run in float64 and reports its error", async () => {
    const r = await runMain(["pinn", "burgers", "--dtype", "float64", "--hidden", "2x6", "--collocation", "200", "--boundary", "40",
      "--adam-steps", "20", "--lbfgs-steps", "20", "--json", "-q"]);
    expect(r.code, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s.problem).toBe("burgers");
    expect(Number.isFinite(s.relL2)).toBe(true);
    expect(s.steps).toBeGreaterThan(0);
  }, 120_000);

  it("checkpoints a float64 run and resumes it in float64 (the checkpoint's dtype); a bad value is a one-line error", async () => {
    const out = join(dir, "run64");
    const args = ["--hidden", "2x5", "--collocation", "100", "--boundary", "20", "--adam-steps", "10", "--lbfgs-steps", "10", "--json", "-q"];
    const a = await runMain(["pinn", "heat", "--dtype", "float64", "--out", out, "--checkpoint-every", "5", ...args]);
    expect(a.code, a.stderr).toBe(0);
    const b = await runMain(["pinn", "--resume", out, "--lbfgs-steps", "15", "--json", "-q"]);
    expect(b.code, b.stderr).toBe(0);
    expect(JSON.parse(b.stdout).steps).toBeGreaterThan(JSON.parse(a.stdout).steps);
    expectOneLineError(await runMain(["pinn", "burgers", "--dtype", "double"]), "--dtype");
  }, 120_000);
});
