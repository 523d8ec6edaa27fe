// Optimizer state export/import (getState/setState), the basis of resumable training: an optimizer stopped after
// k steps and restored into a fresh optimizer on fresh variables continues bit for bit as the uninterrupted one
// (SGD with momentum, Adam, AdamW with a schedule, L-BFGS stopped inside a minimize() call and between calls);
// and a state that does not fit (another kind, other shapes, a truncated history) is refused with a named error.
import { describe, it, expect, beforeAll } from "vitest";
import * as gt from "gradtape";

beforeAll(async () => { await gt.ready(); });

// a small network fit: two weight matrices through tanh, so the loss is not a quadratic and L-BFGS needs its history
const X = [[0.1, -0.4], [0.7, 0.2], [-0.3, 0.9], [0.5, -0.8], [-0.6, -0.1]];
const Y = [[0.3], [-0.2], [0.5], [0.1], [-0.4]];
function makeVars(): gt.Variable[] {
  return [gt.variable([[0.3, -0.2, 0.5], [0.1, 0.4, -0.6]], true, "w1"), gt.variable([0.05, -0.1, 0.2], true, "b1"), gt.variable([[0.7], [-0.3], [0.2]], true, "w2")];
}
const lossOf = (v: gt.Variable[]) => () => gt.tidy(() => {
  const h = gt.tanh(gt.tensor(X).matMul(v[0]).add(v[1]));
  return h.matMul(v[2]).sub(gt.tensor(Y)).square().mean();
});
const bits = (vs: gt.Variable[]) => vs.map((v) => Array.from(new Uint32Array(v.data().buffer)));

describe("first-order optimizers: getState / setState", () => {
  const cases: [string, () => gt.optim.Optimizer][] = [
    ["SGD with Nesterov momentum", () => new gt.optim.SGD({ learningRate: 0.1, momentum: 0.9, nesterov: true })],
    ["Adam", () => new gt.optim.Adam({ learningRate: 0.01 })],
    ["AdamW with a schedule", () => new gt.optim.AdamW({ learningRate: gt.optim.exponentialDecay({ initialLearningRate: 0.02, decaySteps: 5, decayRate: 0.5 }) })],
  ];
  for (const [name, make] of cases) {
    it(`${name}: 7 steps, restore, 8 more = 15 uninterrupted steps, to the bit`, () => {
      const ref = makeVars(), refOpt = make();
      for (let i = 0; i < 15; i++) refOpt.minimize(lossOf(ref), ref);
      const a = makeVars(), optA = make();
      for (let i = 0; i < 7; i++) optA.minimize(lossOf(a), a);
      const state = optA.getState(a);
      expect(state.iterations).toBe(7);
      expect(state.variables.every((s) => s !== null && s.steps === 7)).toBe(true);
      // a fresh optimizer on fresh variables holding the same weights
      const b = makeVars();
      b.forEach((v, i) => v.assign(a[i]));
      const optB = make();
      optB.setState(state, b);
      optA.dispose(); a.forEach((v) => v.dispose());
      for (let i = 0; i < 8; i++) optB.minimize(lossOf(b), b);
      expect(bits(b)).toEqual(bits(ref));
      expect(optB.iterations).toBe(15);
      [...ref, ...b].forEach((v) => v.dispose()); refOpt.dispose(); optB.dispose();
    });
  }

  it("the state is a copy: later updates do not change it, and restoring it twice gives the same run", () => {
    const v = makeVars(), opt = new gt.optim.Adam({ learningRate: 0.01 });
    opt.minimize(lossOf(v), v);
    const s = opt.getState(v);
    const m0 = Array.from(s.variables[0]!.slots[0]);
    opt.minimize(lossOf(v), v);
    expect(Array.from(s.variables[0]!.slots[0])).toEqual(m0);
    v.forEach((x) => x.dispose()); opt.dispose();
  });

  it("refuses another kind, another variable count, other sizes, and keeps its own state on refusal", () => {
    const v = makeVars(), adam = new gt.optim.Adam(), sgd = new gt.optim.SGD({ momentum: 0.5 });
    adam.minimize(lossOf(v), v);
    const s = adam.getState(v);
    expect(() => sgd.setState(s, v)).toThrow(/state is "Adam"'s, not SGD's/);
    expect(() => adam.setState(s, v.slice(0, 2))).toThrow(/holds 3 variables, but 2 were given/);
    const bad = { ...s, variables: [s.variables[0], { steps: 1, slots: [new Float32Array(2), new Float32Array(2)] }, s.variables[2]] };
    expect(() => adam.setState(bad, v)).toThrow(gt.ShapeError);
    expect(() => adam.setState(bad, v)).toThrow(/slot 0 of variable 1 \(b1\) holds 2 values; the variable has 3/);
    expect(adam.getState(v).variables[1]!.steps).toBe(1); // unchanged
    v.forEach((x) => x.dispose()); adam.dispose(); sgd.dispose();
  });
});

describe("L-BFGS: getState / setState", () => {
  const make = () => new gt.optim.LBFGS({ historySize: 5, maxIterations: 30 });

  it("stopped inside a minimize() call (after iteration 9) and restored, it ends with the uninterrupted bits", () => {
    const ref = makeVars(), refOpt = make();
    const refLosses: number[] = [];
    refOpt.onIteration = (i) => { refLosses.push(i.loss); };
    const fRef = refOpt.minimize(lossOf(ref), ref);
    expect(refOpt.result!.iterations).toBeGreaterThan(12); // the stop below is inside the call, past the history size

    const a = makeVars(), optA = make();
    let state: gt.optim.LBFGSState | null = null;
    optA.onIteration = (i) => { if (i.iteration === 9) { state = optA.getState(); return false; } };
    optA.minimize(lossOf(a), a);
    expect(state!.run).not.toBeNull();
    expect(state!.run!.iterations).toBe(9);
    expect(state!.s.length).toBe(5);

    const b = makeVars();
    b.forEach((v, i) => v.assign(a[i]));
    const optB = make();
    const losses: number[] = [];
    optB.onIteration = (i) => { losses.push(i.loss); };
    optB.setState(state!, b);
    const fB = optB.minimize(lossOf(b), b);
    expect(fB).toBe(fRef);
    expect(bits(b)).toEqual(bits(ref));
    expect(losses).toEqual(refLosses.slice(9));
    expect(optB.result!.iterations).toBe(refOpt.result!.iterations);
    expect(optB.result!.evaluations).toBe(refOpt.result!.evaluations);
    expect(optB.result!.reason).toBe(refOpt.result!.reason);
    [...ref, ...a, ...b].forEach((v) => v.dispose());
  });

  it("between calls: the history carries over (a second call continues as on the uninterrupted optimizer)", () => {
    const mk = () => new gt.optim.LBFGS({ historySize: 4, maxIterations: 6 });
    const ref = makeVars(), refOpt = mk();
    refOpt.minimize(lossOf(ref), ref); refOpt.minimize(lossOf(ref), ref);
    const a = makeVars(), optA = mk();
    optA.minimize(lossOf(a), a);
    const s = optA.getState();
    expect(s.run).toBeNull();
    const b = makeVars(); b.forEach((v, i) => v.assign(a[i]));
    const optB = mk(); optB.setState(s, b);
    optB.minimize(lossOf(b), b);
    expect(bits(b)).toEqual(bits(ref));
    [...ref, ...a, ...b].forEach((v) => v.dispose());
  });

  it("refuses a state from another network size or with more pairs than its history", () => {
    const v = makeVars(), opt = make();
    opt.onIteration = (i) => i.iteration < 6;
    opt.minimize(lossOf(v), v);
    const s = opt.getState();
    const small = [gt.variable([1, 2, 3])];
    expect(() => make().setState(s, small)).toThrow(/x has 12 values, but the variables have 3 in all; the state is from another network/);
    expect(() => new gt.optim.LBFGS({ historySize: 2 }).setState(s, v)).toThrow(/holds 5 \(s, y\) pairs, more than this optimizer's historySize 2/);
    expect(() => make().setState({ ...s, kind: "Adam" } as never, v)).toThrow(/expected an L-BFGS state/);
    [...v, ...small].forEach((x) => x.dispose());
  });

  it("reports the loss's terms when lossFn returns { loss, terms }", () => {
    const v = makeVars(), opt = make();
    const seen: number[][] = [];
    opt.onIteration = (i) => { seen.push(i.terms); return i.iteration < 3; };
    const f = opt.minimize(() => gt.tidy(() => {
      const h = gt.tanh(gt.tensor(X).matMul(v[0]).add(v[1]));
      const a = h.matMul(v[2]).sub(gt.tensor(Y)).square().mean(), b = v[1].square().sum().mul(0.01);
      return { loss: a.add(b), terms: [a, b] };
    }), v);
    expect(seen).toHaveLength(3);
    const [a, b] = seen[2];
    expect(Math.abs(a + b - f)).toBeLessThanOrEqual(1e-6 * f);
    expect(b).toBeGreaterThan(0);
    v.forEach((x) => x.dispose());
  });
});
