// Causal training (pinn/causal.ts): on a residual the test controls (r = 1 + t + x, independent of the network),
// the slice losses, the weights w_i = exp(-eps sum_{j<i} L_j) and the causal residual term (1/M) sum w_i L_i agree
// with a float64 computation by hand from the points; eps anneals through its list when min w > delta; the weights
// carry no gradient (the term's gradient matches central differences of the term with the weights held); training
// reports the smallest weight in progress and result; a problem without a time variable and bad options are named
// errors.
import { describe, it, expect, beforeAll } from "vitest";
import { ready, pinn, memory, GradientTape, tidy, tensor, type Tensor } from "gradtape";

beforeAll(async () => { await ready(); });

const fixed = pinn.defineProblem({
  name: "fixed", domain: { x: [0, 1], t: [0, 2] }, uses: ["u"],
  residual: ({ u, t, x }) => u.mul(0).add(t).add(x).add(1),
  conditions: [{ on: { t: 0 }, value: 0 }],
});

/** float64 slice losses of r = 1 + t + x over the (float32) points, M slices of [0, 2] */
function referenceSlices(points: Float32Array, M: number): number[] {
  const sums = new Array(M).fill(0), count = new Array(M).fill(0);
  for (let p = 0; p < points.length / 2; p++) {
    const x = points[2 * p], t = points[2 * p + 1];
    const i = Math.min(M - 1, Math.floor((M * t) / 2));
    sums[i] += (1 + t + x) ** 2; count[i]++;
  }
  return sums.map((s, i) => s / count[i]);
}

describe("causal weights", () => {
  it("slice losses, weights and the causal residual term match a float64 computation by hand", () => {
    const net = pinn.makeNetwork(fixed, { network: { hidden: [4] } });
    const data = pinn.trainingData(fixed, { collocationPoints: 400, conditionPoints: 10, seed: 1 });
    const M = 8, eps = 0.3;
    const cw = new pinn.CausalWeights(pinn.causalSettings({ slices: M, eps }, fixed), "fixed");
    const pts = data.collocation.data();
    cw.setPoints(pts, 2);
    const L = referenceSlices(pts, M);
    const w: number[] = [];
    let acc = 0;
    for (let i = 0; i < M; i++) { w.push(Math.exp(-eps * acc)); acc += L[i]; }
    const min = cw.update(fixed, net, data.collocation, {}, 0);
    cw.values().forEach((v, i) => expect(Math.abs(v - w[i]) / w[i]).toBeLessThan(2e-6));
    expect(min).toBe(cw.values()[M - 1]);
    expect(w[0]).toBe(1);
    // the loss term with those weights: (1/M) sum_i w_i L_i
    const want = L.reduce((a, l, i) => a + w[i] * l, 0) / M;
    const got = pinn.termValues(pinn.lossTerms(fixed, net, data, { residualLoss: (r) => cw.residualLoss(r) })).residual;
    expect(Math.abs(got - want) / want).toBeLessThan(2e-6);
    cw.dispose(); data.dispose(); net.dispose();
  });

  it("eps moves along its list while the smallest weight exceeds delta", () => {
    const net = pinn.makeNetwork(fixed, { network: { hidden: [4] } });
    const data = pinn.trainingData(fixed, { collocationPoints: 200, conditionPoints: 10, seed: 2 });
    const cw = new pinn.CausalWeights(pinn.causalSettings({ slices: 4, eps: [1e-4, 1e-3, 1e-2, 1, 100], delta: 0.9 }, fixed), "fixed");
    cw.setPoints(data.collocation.data(), 2);
    const L = referenceSlices(data.collocation.data(), 4);
    const S = L[0] + L[1] + L[2]; // min w = exp(-eps S) with S about 16: above 0.9 for eps 1e-4 and 1e-3, not 1e-2
    const list = [1e-4, 1e-3, 1e-2, 1, 100];
    let k = 0;
    while (Math.exp(-list[k] * S) > 0.9 && k < list.length - 1) k++;
    expect(k).toBe(2);
    cw.update(fixed, net, data.collocation, {}, 5);
    expect(cw.eps).toBe(list[k]);
    expect(cw.minWeight / Math.exp(-list[k] * S)).toBeCloseTo(1, 5);
    expect(cw.history).toEqual([[5, cw.minWeight, list[k]]]);
    cw.dispose(); data.dispose(); net.dispose();
  });

  it("the weights carry no gradient: the term's gradient matches central differences with the weights held", () => {
    const heat = pinn.problems.heat;
    const net = pinn.makeNetwork(heat, { network: { hidden: [3] }, seed: 4 });
    const data = pinn.trainingData(heat, { collocationPoints: 24, conditionPoints: 8, seed: 4 });
    const cw = new pinn.CausalWeights(pinn.causalSettings({ slices: 3, eps: 50 }, heat), "heat");
    cw.setPoints(data.collocation.data(), 2);
    cw.update(heat, net, data.collocation, {}, 0);
    expect(cw.minWeight).toBeLessThan(0.99); // the weights differ from 1, so a gradient through them would show
    const terms = pinn.lossTerms(heat, net, data, { residualLoss: (r) => cw.residualLoss(r) });
    const w = net.trainableWeights[0];
    const g = tidy(() => {
      const tape = new GradientTape();
      const t = tape.record(() => terms().residual);
      return (tape.gradient(t, w) as Tensor).data();
    });
    const base = Array.from(w.data()), h = 1e-2;
    for (let j = 0; j < base.length; j++) {
      const at = (d: number) => { const v = base.slice(); v[j] += d; tidy(() => { w.assign(tensor(v).reshape(w.shape as number[])); }); return pinn.termValues(terms).residual; };
      const fd = (at(h) - at(-h)) / (2 * h);
      expect(Math.abs(g[j] - fd)).toBeLessThan(2e-3 * Math.max(1, Math.abs(fd)));
    }
    tidy(() => { w.assign(tensor(base).reshape(w.shape as number[])); });
    cw.dispose(); data.dispose(); net.dispose();
  });

  it("in training: the smallest weight and eps in progress and the result; memory flat", () => {
    const before = memory();
    const seen: { minWeight: number; eps: number }[] = [];
    const r = pinn.train(pinn.problems.heat, { network: { hidden: [8] }, collocationPoints: 64, conditionPoints: 16, adamSteps: 10, lbfgsSteps: 5,
      causal: { slices: 4, eps: 2 }, onProgress: (p) => { seen.push(p.causal!); } });
    expect(seen.length).toBe(15);
    expect(r.causal!.history.length).toBe(11); // at the start and after every Adam step (fixed in L-BFGS)
    expect(r.causal!.minWeight).toBe(seen[seen.length - 1].minWeight);
    expect(r.causal!.minWeight).toBeGreaterThan(0);
    expect(r.causal!.minWeight).toBeLessThanOrEqual(1);
    expect(r.causal!.weights[0]).toBe(1);
    r.network.dispose();
    const after = memory();
    expect([after.tensors, after.bytes, after.tapes, after.programs]).toEqual([before.tensors, before.bytes, before.tapes, before.programs]);
  });
});

describe("bad causal options are named errors; nothing leaks", () => {
  it("a problem without a time variable, unknown options, slices, eps, delta, every", () => {
    const m = memory();
    const go = (p: pinn.Problem, causal: unknown) => () => pinn.train(p, { adamSteps: 1, lbfgsSteps: 0, collocationPoints: 16, conditionPoints: 4, causal: causal as never });
    const poisson = pinn.problems.poisson2d;
    expect(go(poisson, true)).toThrow(pinn.CausalTrainingError);
    expect(go(poisson, true)).toThrow(/has no time variable "t" \(its variables: x, y\)/);
    expect(go(fixed, { time: "s" })).toThrow(/no time variable "s"/);
    expect(go(fixed, { slice: 4 })).toThrow(/unknown option 'slice'/);
    expect(go(fixed, { slices: 1 })).toThrow(/slices must be an integer in \[2, 4096\]/);
    expect(go(fixed, { eps: 0 })).toThrow(/eps must be a number > 0 or an increasing list/);
    expect(go(fixed, { eps: [1, 0.1] })).toThrow(/increasing list/);
    expect(go(fixed, { delta: 1 })).toThrow(/delta must be a number in \(0, 1\)/);
    expect(go(fixed, { every: 0 })).toThrow(/every must be an integer >= 1/);
    expect(go(fixed, "yes")).toThrow(/causal must be true or/);
    const after = memory();
    expect([after.tensors, after.bytes]).toEqual([m.tensors, m.bytes]);
  });
});
