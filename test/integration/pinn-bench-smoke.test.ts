// The PINN time-to-target benchmark's code path on tiny runs: the clock (test/bench/pinn-clock.mjs) evaluates the
// error every N steps without changing a bit of the training, keeps its evaluation time off the training clock,
// finds the first step at the target and stops at --target-time; pinn-accuracy.mjs runs end to end and writes a
// row with every figure the README's table shows. (The figures of a tiny run mean nothing.)
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { fileURLToPath } from "node:url";
import * as gt from "gradtape";
// @ts-ignore: plain ES module without type declarations
import { targetClock } from "../bench/pinn-clock.mjs";

let dir: string;
beforeAll(async () => { await gt.ready(); dir = mkdtempSync(join(tmpdir(), "gradtape-pinn-bench-")); });
afterAll(() => { rmSync(dir, { recursive: true, force: true }); });

const problem = gt.pinn.problems.heat;
const setup = { network: { hidden: [8, 8] }, collocationPoints: 64, conditionPoints: 16, adamSteps: 23, lbfgsSteps: 20, seed: 3 };

describe("the time-to-target clock", () => {
  it("evaluating every N steps changes no bit of the training; its time is kept off the clock", () => {
    const plain = gt.pinn.train(problem, setup);
    const w0 = plain.network.trainableWeights.map((v) => Array.from(v.data()));
    plain.network.dispose();
    const network = gt.pinn.makeNetwork(problem, { network: setup.network, seed: setup.seed });
    let calls = 0;
    const clock = targetClock({ errorOf: () => { calls++; return gt.pinn.evaluate(network, problem).relL2; }, target: 10, evalEvery: 5 });
    const res = gt.pinn.train(problem, { ...setup, network, progressInterval: 0, onProgress: clock.onProgress });
    const t = clock.finish(res);
    try {
      expect(Object.is(res.finalLoss, plain.finalLoss)).toBe(true);
      expect(network.trainableWeights.map((v) => Array.from(v.data()))).toEqual(w0);
      // every 5th step, then the final one (not a multiple of 5)
      expect(t.trace.map((r: number[]) => r[0])).toEqual([...Array.from({ length: Math.floor(res.steps / 5) }, (_, i) => 5 * (i + 1)), ...(res.steps % 5 ? [res.steps] : [])]);
      expect(t.evalCount).toBe(calls);
      expect(t.stepsToTarget).toBe(5); // any error is below 10
      expect(t.evaluationsToTarget).toBe(5);
      expect(t.finalError).toBeCloseTo(gt.pinn.evaluate(network, problem).relL2, 12);
      expect(t.evalSeconds).toBeGreaterThan(0);
      // the training clock is pinn.train's less the evaluations made during training (the final one comes after)
      expect(t.trainSeconds).toBeLessThan(res.seconds);
      expect(t.trainSeconds).toBeGreaterThanOrEqual(res.seconds - t.evalSeconds);
      const times = t.trace.map((r: number[]) => r[1]);
      for (let i = 1; i < times.length; i++) expect(times[i]).toBeGreaterThanOrEqual(times[i - 1]);
    } finally { network.dispose(); }
  });

  it("the CPU clock counts training CPU time from start() and leaves the evaluations' out", () => {
    // a fake CPU clock: every progress report (one per step) adds 2 ms, every error evaluation 1,000 ms
    let cpuMs = 5_000;
    const network = gt.pinn.makeNetwork(problem, { network: setup.network, seed: 2 });
    const clock = targetClock({
      errorOf: () => { cpuMs += 1000; return gt.pinn.evaluate(network, problem).relL2; }, target: 10, evalEvery: 4,
      log: () => { cpuMs += 2; }, cpuNow: () => cpuMs,
    });
    cpuMs += 700; // before start(): not counted
    clock.start();
    const res = gt.pinn.train(problem, { ...setup, network, progressInterval: 0, onProgress: clock.onProgress });
    const t = clock.finish(res);
    try {
      expect(t.trainCpuSeconds).toBeCloseTo(res.steps * 0.002, 9);
      expect(t.cpuTimeToTarget).toBeCloseTo(4 * 0.002, 9); // the first evaluation, after step 4, is at the target
      const cpu = t.trace.map((r: number[]) => r[5]);
      expect(cpu[0]).toBeCloseTo(0.008, 9);
      expect(cpu[1]).toBeCloseTo(0.016, 9);
    } finally { network.dispose(); }
  });

  it("an unreached target gives null; targetTime stops the run on the training clock", () => {
    const network = gt.pinn.makeNetwork(problem, { network: setup.network, seed: 1 });
    const clock = targetClock({ errorOf: () => gt.pinn.evaluate(network, problem).relL2, target: 1e-12, evalEvery: 1000, targetTime: 0.3 });
    const res = gt.pinn.train(problem, { ...setup, network, adamSteps: 10_000_000, lbfgsSteps: 0, progressInterval: 0, onProgress: clock.onProgress });
    const t = clock.finish(res);
    try {
      expect(t.timeToTarget).toBeNull();
      expect(t.stoppedAtTargetTime).toBe(true);
      expect(res.stopReason).toBe("callback");
      expect(t.trainSeconds).toBeGreaterThanOrEqual(0.3);
      expect(t.trace.length).toBeGreaterThanOrEqual(1); // the evaluation at the target time
    } finally { network.dispose(); }
  });
});

describe("pinn-accuracy.mjs end to end", () => {
  it("writes a row with time to target, final error, evaluations, threads and optimizer, and prints the table", () => {
    const script = fileURLToPath(new URL("../bench/pinn-accuracy.mjs", import.meta.url));
    const out = join(dir, "r.json");
    const run = spawnSync(process.execPath, [script, "--only", "poisson1d", "--seeds", "0", "--adam-steps", "20", "--lbfgs-steps", "20",
      "--eval-every", "10", "--target", "10", "--threads", "1", "--out", out, "--quiet"], { encoding: "utf8" });
    // exit 1: the accuracy target (1e-3) missed, as 40 steps do
    expect([0, 1], run.stderr).toContain(run.status);
    const stdout = run.stdout;
    const j = JSON.parse(readFileSync(out, "utf8"));
    const r = j.rows[0];
    expect(r.problem).toBe("poisson1d");
    expect(r.clock.timeToTarget).toBeGreaterThan(0);
    expect(r.clock.stepsToTarget).toBe(10);
    expect(r.clock.finalError).toBeCloseTo(r.relL2, 12);
    expect(r.evaluations).toBe(r.adamSteps + r.lbfgsEvaluations);
    expect(r.lineSearchEvaluations).toBeLessThanOrEqual(r.lbfgsEvaluations);
    expect(r.threads).toBe(1);
    expect(r.optimizer).toMatch(/adam/);
    expect(stdout).toMatch(/\| problem \| seed \| threads \| optimizer \| target \| time to target \|/);
    expect(stdout).toMatch(/\| poisson1d \| 0 \| 1 \| adam\+ssbroyden \| 1\.0e\+1 \| [\d.]+ s \(CPU [\d.]+ s\) \| 10 \/ 10 \|/);
    expect(r.clock.cpuTimeToTarget).toBeGreaterThan(0);
    expect(r.clock.trainCpuSeconds).toBeGreaterThanOrEqual(r.clock.cpuTimeToTarget);
  });
});
