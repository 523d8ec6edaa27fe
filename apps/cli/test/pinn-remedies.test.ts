// gradtape pinn --adaptive / --causal / --balancing: the options as pinn.train options, their one-line errors
// (exit 2, before training), the result's remedies line, and a run with RAD and causal weights stopped by its
// time limit and resumed with --resume alone (the settings come from the checkpoint) writing the uninterrupted
// run's weights byte for byte.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { ready, pinn } from "gradtape";
import { runMain, runCliAsync, expectOneLineError } from "./helpers.js";
import { parseRemedies } from "../src/pinn-remedies.js";

let dir: string;
beforeAll(async () => { await ready(); dir = mkdtempSync(join(tmpdir(), "gradtape-remedies-")); });
afterAll(() => { rmSync(dir, { recursive: true, force: true }); });

const TINY = ["--hidden", "2x8", "--collocation", "64", "--boundary", "16", "--adam-steps", "30", "--lbfgs-steps", "10"];

describe("remedy options", () => {
  it("parse into pinn.train options", () => {
    expect(parseRemedies({})).toEqual({});
    expect(parseRemedies({ adaptive: "rad", "adaptive-every": "500", "adaptive-candidates": "20000", "adaptive-k": "2", "adaptive-c": "0.5" }))
      .toEqual({ adaptive: { method: "rad", every: 500, candidates: 20000, k: 2, c: 0.5 } });
    expect(parseRemedies({ adaptive: "rar", "adaptive-add": "7" })).toEqual({ adaptive: { method: "rar", add: 7 } });
    expect(parseRemedies({ adaptive: "none", "no-causal": true, balancing: "none" })).toEqual({ adaptive: false, causal: false, balancing: false });
    expect(parseRemedies({ causal: true })).toEqual({ causal: {} });
    expect(parseRemedies({ "causal-eps": "0.01,0.1,1", "causal-slices": "16" })).toEqual({ causal: { eps: [0.01, 0.1, 1], slices: 16 } });
    expect(parseRemedies({ balancing: "ntk", "balancing-every": "50" })).toEqual({ balancing: { scheme: "ntk", every: 50 } });
  });

  it("bad values and contradictions are one-line errors (exit 2), before training", async () => {
    const cases: [string[], RegExp][] = [
      [["--adaptive", "foo"], /--adaptive: expected one of rad, rar, rar-d, none, got "foo"/],
      [["--adaptive-every", "5"], /need --adaptive METHOD/],
      [["--adaptive", "rad", "--adaptive-every", "0"], /--adaptive-every/],
      [["--adaptive", "rad", "--adaptive-k", "-1"], /--adaptive-k: expected a number >= 0/],
      [["--adaptive", "none", "--adaptive-add", "3"], /nothing to set/],
      [["--causal", "--no-causal"], /contradict/],
      [["--causal-eps", "1,0.1"], /increasing list/],
      [["--causal-slices", "1"], /--causal-slices/],
      [["--balancing", "softadapt"], /--balancing: expected one of lr-annealing, grad-norm, ntk, none/],
      [["--balancing-every", "3"], /needs --balancing SCHEME/],
      [["--adaptive", "rad", "--adaptive-candidates", "10"], /give candidates >= 64/],
    ];
    for (const [args, msg] of cases) expectOneLineError(await runMain(["pinn", "heat", ...TINY, ...args]), msg);
    expectOneLineError(await runMain(["pinn", "poisson2d", ...TINY, "--causal"]), /problem 'poisson2d' has no time variable "t"/);

  });

  it("--help describes them", async () => {
    const h = await runMain(["pinn", "--help"]);
    expect(h.code).toBe(0);
    for (const o of ["--adaptive METHOD", "--adaptive-every N", "--causal ", "--no-causal", "--causal-eps EPS", "--balancing SCHEME"]) expect(h.stdout).toContain(o);
  });

  it("a run with RAD, causal weights and NTK balancing reports them", async () => {
    const r = await runMain(["pinn", "heat", ...TINY, "--adaptive", "rad", "--adaptive-every", "10", "--adaptive-candidates", "500", "--causal", "--causal-slices", "4", "--quiet"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/remedies: adaptive collocation 3 resamples \(64 points now\); causal weights min [\d.e-]+ \(eps 1\)\n/);
    const b = await runMain(["pinn", "heat", ...TINY, "--balancing", "ntk", "--balancing-every", "10", "--quiet"]);
    expect(b.code, b.stderr).toBe(0);
    expect(b.stdout).toMatch(/remedies: loss weights residual [\d.]+, conditions [\d.]+\n/);
  });
});

describe("--resume with adaptive collocation, causal weights and NTK loss weights", () => {
  it("stopped by --time-limit, resumed with --resume alone: the uninterrupted run's weights, byte for byte", async () => {
    const plan = ["--hidden", "3x12", "--collocation", "300", "--boundary", "40", "--adam-steps", "700", "--lbfgs-steps", "300", "--seed", "2", "--quiet",
      "--adaptive", "rad", "--adaptive-every", "150", "--adaptive-candidates", "3000", "--causal", "--causal-slices", "8", "--causal-eps", "0.1,1,10",
      "--balancing", "ntk", "--balancing-every", "50"];
    const full = join(dir, "full"), part = join(dir, "part");
    const [a, b] = await Promise.all([
      runCliAsync(["pinn", "heat", ...plan, "--out", full]),
      runCliAsync(["pinn", "heat", ...plan, "--out", part, "--time-limit", "0.5", "--checkpoint-every", "40"]),
    ]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    expect(b.stdout).toMatch(/stopped: time-limit/);
    expect(pinn.loadCheckpoint(part).remedies?.adaptive).toBeDefined();
    expect(pinn.loadCheckpoint(part).remedies?.balancing).toBeDefined();
    const c = await runCliAsync(["pinn", "--resume", part, "--quiet"]);
    expect(c.code, c.stderr).toBe(0);
    expect(c.stdout).toMatch(/1000 steps \(700 Adam \+ 300 (L-BFGS|SSBroyden)\)/); // the second phase: optimizer "auto"
    expect(readFileSync(join(full, "weights.safetensors")).equals(readFileSync(join(part, "weights.safetensors")))).toBe(true);
  });
});
