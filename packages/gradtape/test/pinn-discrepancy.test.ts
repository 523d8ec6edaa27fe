// The discrepancy stop for noisy observations (train-loop.ts noiseFloor): observations that declare their noise's
// standard deviation end training at the first step whose loss (the sum of its terms) is at most the exact
// solution's, noise² times the observations' weight, before the network starts fitting the noise; stopAtNoise:
// false trains on. Checked on a 1-D problem whose observations carry a known noise, from the run's own term history.
import { describe, it, expect, beforeAll } from "vitest";
import { ready, pinn, memory, ArgumentError } from "gradtape";

beforeAll(async () => { await ready(); });

const live = () => { const m = memory(); return { tensors: m.tensors, bytes: m.bytes }; };
const PI2 = Math.PI * Math.PI;

/** u_xx + pi² sin(pi x) = 0 on [0, 1], observed u = sin(pi x) plus deterministic "noise" of rms 0.05 */
function noisyPoisson(observations: Partial<pinn.ObservationData> = {}) {
  const xs = Array.from({ length: 64 }, (_, i) => (i + 0.5) / 64);
  const values = xs.map((x, i) => Math.sin(Math.PI * x) + 0.05 * Math.SQRT2 * Math.sin(2.3 + 7.1 * i));
  return pinn.defineProblem({
    name: "noisy-poisson",
    domain: { x: [0, 1] },
    uses: ["u_xx"],
    residual: ({ u_xx, x }) => u_xx.add(x.mul(Math.PI).sin().mul(PI2)),
    conditions: [],
    observations: { points: xs.map((x) => [x]), values, noise: 0.05, ...observations },
    defaults: { hidden: [16, 16], collocationPoints: 64, conditionPoints: 0 },
  });
}

/** the sum of the loss terms at every step, from the run's term history */
const lossSum = (res: pinn.TrainResult) => res.terms.map((t) => t.reduce((a, b) => a + b, 0));

describe("the discrepancy stop (observations with a declared noise)", () => {
  it("stops in the quasi-Newton phase too (the same rule in both phases)", () => {
    const res = pinn.train(noisyPoisson(), { adamSteps: 50, learningRate: 1e-2, lbfgsSteps: 300, seed: 1 });
    const sum = lossSum(res);
    expect(res.stopReason).toBe("discrepancy");
    expect(res.adamSteps).toBe(50);
    expect(res.lbfgsSteps).toBeGreaterThan(0);
    expect(sum[sum.length - 1]).toBeLessThanOrEqual(0.05 * 0.05);
    for (let i = 0; i < sum.length - 1; i++) expect(sum[i], `step ${i + 1}`).toBeGreaterThan(0.05 * 0.05);
    res.network.dispose();
  });

  it("stops at the first step whose loss is at most noise², and trains on with stopAtNoise: false", () => {
    const problem = noisyPoisson();
    const before = live();
    const plan = { adamSteps: 400, learningRate: 1e-2, lbfgsSteps: 300, seed: 1 };
    const res = pinn.train(problem, plan);
    const sum = lossSum(res);
    const level = 0.05 * 0.05;
    expect(res.stopReason).toBe("discrepancy");
    expect(sum[sum.length - 1]).toBeLessThanOrEqual(level);
    for (let i = 0; i < sum.length - 1; i++) expect(sum[i], `step ${i + 1}`).toBeGreaterThan(level);
    expect(res.steps).toBeLessThan(plan.adamSteps + plan.lbfgsSteps);
    // without the stop the same run goes on (the same bits up to there) and fits closer than the noise
    const on = pinn.train(problem, { ...plan, stopAtNoise: false });
    const all = lossSum(on);
    expect(on.stopReason).not.toBe("discrepancy");
    expect(all.slice(0, sum.length)).toEqual(sum);
    expect(all[all.length - 1]).toBeLessThan(level);
    res.network.dispose(); on.network.dispose();
    expect(live()).toEqual(before);
  });

  it("with an observation weight w the level is w noise² (the exact solution's loss)", () => {
    const res = pinn.train(noisyPoisson({ weight: 4 }), { adamSteps: 400, learningRate: 1e-2, lbfgsSteps: 300, seed: 1 });
    const t = lossSum(res);
    expect(res.stopReason).toBe("discrepancy");
    expect(t[t.length - 1]).toBeLessThanOrEqual(4 * 0.05 * 0.05);
    expect(t[t.length - 2]).toBeGreaterThan(4 * 0.05 * 0.05);
    res.network.dispose();
  });

  it("drawObservations with noise declares noise × sd(values) as the data's noise; clean draws declare none", () => {
    const pts = Float64Array.from({ length: 400 }, (_, i) => (i % 2 === 0 ? i / 400 : 0.5));
    const vals = Array.from({ length: 200 }, (_, i) => Math.cos(0.05 * i));
    const noisy = pinn.drawObservations(pts, vals, 2, 50, 0.01, 3);
    const clean = pinn.drawObservations(pts, vals, 2, 50, 0, 3);
    // the sd of the 50 clean values drawn (the same rows: the noise comes after the draw), computed here
    const v = Array.from(clean.values as ArrayLike<number>);
    const m = v.reduce((s, x) => s + x, 0) / v.length;
    const sd = Math.sqrt(v.reduce((s, x) => s + (x - m) ** 2, 0) / (v.length - 1));
    expect(noisy.noise).toBeCloseTo(0.01 * sd, 12);
    expect(clean.noise).toBeUndefined();
    expect(pinn.getProblem("burgers-inverse-noisy").observations!(0).noise).toBeGreaterThan(0.004);
    expect(pinn.getProblem("burgers-inverse").observations!(0).noise).toBeNull();
  }, 120_000);

  it("a bad noise or stopAtNoise is a named error, and nothing is left behind", () => {
    const before = live();
    for (const bad of [0, -0.1, NaN, Infinity, "0.1"]) {
      expect(() => pinn.train(noisyPoisson({ noise: bad as number }), { adamSteps: 1, lbfgsSteps: 0 })).toThrow(ArgumentError);
    }
    expect(() => pinn.train(noisyPoisson({ noise: -0.1 }), { adamSteps: 1, lbfgsSteps: 0 })).toThrow(/observations.noise must be the noise's standard deviation, a finite number > 0.*got -0.1/);
    expect(() => pinn.train(noisyPoisson(), { adamSteps: 1, lbfgsSteps: 0, stopAtNoise: "yes" as never })).toThrow(/stopAtNoise must be true or false, but got "yes"/);
    expect(live()).toEqual(before);
  });
});
