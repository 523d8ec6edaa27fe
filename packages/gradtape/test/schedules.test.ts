// Learning-rate schedules against their closed forms, evaluated here in float64.
import { describe, it, expect, beforeAll } from "vitest";
import * as gt from "gradtape";

beforeAll(async () => { await gt.ready(); });
const { exponentialDecay, stepDecay, cosineDecay, piecewiseConstant } = gt.optim;

describe("schedules", () => {
  it("exponentialDecay, continuous and staircase", () => {
    const s = exponentialDecay({ initialLearningRate: 0.1, decaySteps: 10, decayRate: 0.5 });
    expect(s(0)).toBe(0.1);
    expect(s(10)).toBeCloseTo(0.05, 15);
    expect(s(5)).toBeCloseTo(0.1 * Math.SQRT1_2, 15);
    expect(s(25)).toBeCloseTo(0.1 * 0.5 ** 2.5, 15);
    const st = exponentialDecay({ initialLearningRate: 0.1, decaySteps: 10, decayRate: 0.5, staircase: true });
    expect([st(0), st(9), st(10), st(19), st(20)]).toEqual([0.1, 0.1, 0.05, 0.05, 0.025]);
  });
  it("stepDecay (StepLR)", () => {
    const s = stepDecay({ initialLearningRate: 1, stepSize: 3, gamma: 0.1 });
    expect([0, 1, 2, 3, 5, 6].map(s).map((v) => +v.toPrecision(12))).toEqual([1, 1, 1, 0.1, 0.1, 0.01]);
    expect(stepDecay({ initialLearningRate: 2, stepSize: 1 })(1)).toBeCloseTo(0.2, 15);
  });
  it("cosineDecay from the initial rate to alpha * initial, flat afterwards", () => {
    const s = cosineDecay({ initialLearningRate: 0.01, decaySteps: 100, alpha: 0.1 });
    expect(s(0)).toBeCloseTo(0.01, 15);
    expect(s(50)).toBeCloseTo(0.01 * (0.9 * 0.5 + 0.1), 15);
    expect(s(25)).toBeCloseTo(0.01 * (0.9 * 0.5 * (1 + Math.cos(Math.PI / 4)) + 0.1), 15);
    expect(s(100)).toBeCloseTo(0.001, 15);
    expect(s(1000)).toBeCloseTo(0.001, 15);
    expect(cosineDecay({ initialLearningRate: 1, decaySteps: 10 })(10)).toBeCloseTo(0, 15);
  });
  it("piecewiseConstant", () => {
    const s = piecewiseConstant({ boundaries: [10, 20], values: [1, 0.5, 0.1] });
    expect([0, 9, 10, 19, 20, 100].map(s)).toEqual([1, 1, 0.5, 0.5, 0.1, 0.1]);
  });
  it("an optimizer reads its schedule at its iteration count", () => {
    const opt = new gt.optim.Adam({ learningRate: stepDecay({ initialLearningRate: 1, stepSize: 2, gamma: 0.5 }) });
    const w = gt.variable([1]); const g = gt.tensor([1]);
    const seen: number[] = [];
    for (let i = 0; i < 5; i++) { seen.push(opt.learningRate); opt.applyGradients([g], [w]); }
    expect(seen).toEqual([1, 1, 0.5, 0.5, 0.25]);
    opt.learningRate = 0.3;
    expect(opt.learningRate).toBe(0.3);
    gt.dispose([w, g]); opt.dispose();
  });
  it("rejects bad options", () => {
    expect(() => exponentialDecay({ initialLearningRate: 0.1, decaySteps: 0, decayRate: 0.5 })).toThrow(/decaySteps must be a finite number > 0/);
    expect(() => stepDecay({ initialLearningRate: 0.1, stepSize: 1.5 })).toThrow(/stepSize must be an integer/);
    expect(() => cosineDecay({ initialLearningRate: 0.1, decaySteps: 10, alpha: 2 })).toThrow(/alpha/);
    expect(() => piecewiseConstant({ boundaries: [5, 5], values: [1, 2, 3] })).toThrow(/must increase/);
    expect(() => piecewiseConstant({ boundaries: [5], values: [1] })).toThrow(/n \+ 1/);
    expect(() => cosineDecay({ initialLearningRate: 0.1, decaySteps: 10 })(-1)).toThrow(/step must be a number >= 0/);
  });
});
