// Loss balancing (pinn/balancing.ts) and term-wise loss history: one weight update of each scheme against the same
// formula applied to gradients taken by central finite differences of the loss terms' values (independent of the
// tapes), a training run that reports terms and weights in progress and result with memory() flat, and the named
// errors (a scheme on a one-term loss, unknown schemes, bad settings).
import { describe, it, expect, beforeAll } from "vitest";
import { ready, pinn, tidy, memory, tensor, ArgumentError, type Variable } from "gradtape";

beforeAll(async () => { await ready(); });

const live = () => { const m = memory(); return { tensors: m.tensors, bytes: m.bytes }; };

/** u_t = 0.4 u_xx with an initial and two boundary conditions: terms "residual" and "conditions" */
const heat = pinn.problems.heat;
/** the same PDE with no conditions: a single term */
const lonely = pinn.defineProblem({ name: "lonely", domain: { x: [0, 1] }, uses: ["u_xx"], residual: ({ u_xx }) => u_xx.add(1), conditions: [] });

/** d term_k / d theta for every weight entry, by central differences of the float32 term values (h = 1e-2) */
function fdGradients(terms: () => Record<string, import("gradtape").Tensor>, theta: Variable[]): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  const h = 1e-2;
  for (const w of theta) {
    const base = Array.from(w.data());
    for (let j = 0; j < base.length; j++) {
      const at = (d: number) => {
        const v = base.slice(); v[j] += d;
        tidy(() => { w.assign(tensor(v).reshape(w.shape as number[])); });
        return pinn.termValues(terms);
      };
      const up = at(h), down = at(-h);
      for (const k of Object.keys(up)) (out[k] ??= []).push((up[k] - down[k]) / (2 * h));
    }
    tidy(() => { w.assign(tensor(base).reshape(w.shape as number[])); });
  }
  return out;
}

describe("loss balancing", () => {
  for (const scheme of ["lr-annealing", "grad-norm"] as const) {
    it(`${scheme}: one update matches the published formula on finite-difference gradients`, () => {
      const net = pinn.makeNetwork(heat, { network: { hidden: [4] }, seed: 3 });
      const data = pinn.trainingData(heat, { collocationPoints: 32, conditionPoints: 16, seed: 3 });
      const terms = pinn.lossTerms(heat, net, data);
      const theta = net.trainableWeights;
      const g = fdGradients(terms, theta);
      expect(Object.keys(g)).toEqual(["residual", "conditions"]);
      const maxAbs = (v: number[]) => Math.max(...v.map(Math.abs));
      const meanAbs = (v: number[]) => v.reduce((s, x) => s + Math.abs(x), 0) / v.length;
      const norm = (v: number[]) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));
      const want = scheme === "lr-annealing"
        ? { residual: 1, conditions: maxAbs(g.residual) / meanAbs(g.conditions) }
        : Object.fromEntries(["residual", "conditions"].map((k) => [k, (norm(g.residual) + norm(g.conditions)) / norm(g[k])]));
      const before = live();
      // alpha 0: the weights are the estimates themselves (the moving average is checked below)
      const b = new pinn.LossBalancer({ scheme, alpha: 0 }, ["residual", "conditions"], "heat");
      b.update(terms, theta, 7);
      const got = b.values();
      const avg = new pinn.LossBalancer({ scheme, alpha: 0.9 }, ["residual", "conditions"], "heat");
      avg.update(terms, theta, 7);
      for (const k of ["residual", "conditions"]) expect(avg.values()[k]).toBeCloseTo(0.9 + 0.1 * got[k], 5);
      avg.dispose();
      for (const k of ["residual", "conditions"]) expect(Math.abs(got[k] - want[k as "residual"]) / want[k as "residual"]).toBeLessThan(1e-2);
      expect(b.history.conditions).toEqual([[7, got.conditions]]);
      // the weights the loss reads are the same numbers
      expect(b.weights.conditions.data()[0]).toBeCloseTo(got.conditions, 4);
      b.dispose();
      expect(live()).toEqual(before);
      net.dispose(); data.dispose();
    });
  }

  it("training with balancing reports term values and weights in progress and in the result; memory() flat", () => {
    const before = live();
    const seen: { terms?: Record<string, number>; weights?: Record<string, number> }[] = [];
    const res = pinn.train(heat, {
      network: { hidden: [8, 8] }, collocationPoints: 64, conditionPoints: 32, adamSteps: 40, lbfgsSteps: 10,
      balancing: { scheme: "lr-annealing", every: 10 }, onProgress: (p) => { seen.push({ terms: p.terms, weights: p.weights }); },
    });
    expect(res.weightHistory!.conditions.map(([s]) => s)).toEqual([10, 20, 30, 40]);
    expect(res.weightHistory!.residual).toEqual([10, 20, 30, 40].map((s) => [s, 1]));
    expect(res.lossWeights!.conditions).not.toBe(1);
    // terms every 10 steps and at the end, both terms, finite and positive
    const steps = res.termHistory.residual.map(([s]) => s);
    expect(steps.slice(0, 4)).toEqual([10, 20, 30, 40]);
    expect(steps[steps.length - 1]).toBe(res.steps);
    for (const k of ["residual", "conditions"]) for (const [, v] of res.termHistory[k]) expect(v).toBeGreaterThan(0);
    expect(seen[seen.length - 1].weights).toEqual(res.lossWeights);
    expect(Object.keys(seen[seen.length - 1].terms!)).toEqual(["residual", "conditions"]);
    // with weights w, the loss is sum w_k term_k: check it at the last Adam step (weights then fixed)
    const at40 = Object.fromEntries(Object.entries(res.termHistory).map(([k, h]) => [k, h.find(([s]) => s === 40)![1]]));
    const w40 = Object.fromEntries(Object.entries(res.weightHistory!).map(([k, h]) => [k, h[h.length - 1][1]]));
    expect(res.history[39][0]).toBe(40);
    expect(res.history[40][1]).toBeLessThanOrEqual(at40.residual * w40.residual + at40.conditions * w40.conditions * 1.0001);
    res.network.dispose();
    expect(live()).toEqual(before);
  });

  it("every scheme trains in float64 too: the weights are float64 scalars and the run stays float64, memory() flat", () => {
    const before = live();
    for (const scheme of ["lr-annealing", "grad-norm", "ntk"] as const) {
      const res = pinn.train(heat, {
        dtype: "float64", network: { hidden: [8, 8] }, collocationPoints: 64, conditionPoints: 32, adamSteps: 20, lbfgsSteps: 5,
        balancing: { scheme, every: 10 },
      });
      expect(res.network.dtype, scheme).toBe("float64");
      expect(res.weightHistory!.conditions.map(([st]) => st), scheme).toEqual([10, 20]);
      expect(Number.isFinite(res.lossWeights!.conditions) && res.lossWeights!.conditions > 0, scheme).toBe(true);
      expect(Number.isFinite(res.finalLoss), scheme).toBe(true);
      res.network.dispose();
    }
    expect(live()).toEqual(before);
  });

  it("term history without balancing: every termInterval steps, the terms of the network at that step", () => {
    const opts = { collocationPoints: 32, conditionPoints: 16, seed: 2 };
    const res = pinn.train(heat, { network: { hidden: [6] }, ...opts, adamSteps: 30, lbfgsSteps: 0, termInterval: 15 });
    expect(res.termHistory.residual.map(([s]) => s)).toEqual([15, 30]);
    expect(res.lossWeights).toBeUndefined();
    // the record at step 30 is the trained network's terms on the run's points: evaluate them afresh
    const data = pinn.trainingData(heat, opts);
    const fresh = pinn.termValues(pinn.lossTerms(heat, res.network, data));
    expect(res.termHistory.residual[1][1]).toBe(fresh.residual);
    expect(res.termHistory.conditions[1][1]).toBe(fresh.conditions);
    expect(res.termHistory.residual[0][1]).not.toBe(fresh.residual);
    data.dispose(); res.network.dispose();
  });

  it("a scheme on a one-term loss, an unknown scheme or bad settings are named errors; nothing leaks", () => {
    const before = live();
    expect(() => pinn.train(lonely, { adamSteps: 1, lbfgsSteps: 0, balancing: "lr-annealing" })).toThrow(ArgumentError);
    expect(() => pinn.train(lonely, { adamSteps: 1, lbfgsSteps: 0, balancing: "grad-norm" })).toThrow(/has one term \(residual\)/);
    expect(() => pinn.train(heat, { adamSteps: 1, lbfgsSteps: 0, balancing: "self-adaptive" as never, collocationPoints: 8 })).toThrow(/balancing must be one of "lr-annealing", "grad-norm", "ntk"/);
    expect(() => pinn.train(lonely, { adamSteps: 1, lbfgsSteps: 0, balancing: "ntk" })).toThrow(/"ntk" weighs loss terms against each other, but the problem's loss has one term/);
    expect(() => pinn.train(heat, { adamSteps: 1, lbfgsSteps: 0, balancing: { scheme: "ntk", points: 0 }, collocationPoints: 8 })).toThrow(/points must be a positive integer/);
    expect(() => pinn.train(heat, { adamSteps: 1, lbfgsSteps: 0, balancing: { scheme: "grad-norm", every: 0 }, collocationPoints: 8 })).toThrow(/every must be a positive integer/);
    expect(() => pinn.train(heat, { adamSteps: 1, lbfgsSteps: 0, balancing: { scheme: "grad-norm", alpha: 1 }, collocationPoints: 8 })).toThrow(/alpha must be a number in \[0, 1\)/);
    expect(() => pinn.train(heat, { adamSteps: 1, lbfgsSteps: 0, termInterval: 0 })).toThrow(/termInterval/);
    expect(live()).toEqual(before);
  });
});
