// The remedies of issue #16 (adaptive collocation, causal training) and the dense quasi-Newton second phase of #17
// in a float64 run (#18): every tensor they make (resampled points, the causal slice matrix and weights, the
// candidates' residuals) takes the run's dtype, so the run neither stops on a mixed-dtype error nor rounds the
// causal weights to float32; and nothing is left behind.
import { describe, it, expect, beforeAll } from "vitest";
import { ready, memory, pinn } from "gradtape";

beforeAll(async () => { await ready(); });

describe("float64 runs with adaptive collocation, causal training and SSBFGS", () => {
  it("train in float64 end to end, resample on schedule, keep causal weights in float64, and release everything", () => {
    const before = memory();
    const options = {
      dtype: "float64" as const, network: { hidden: [8, 8] }, collocationPoints: 200, conditionPoints: 40,
      adamSteps: 60, lbfgsSteps: 30, optimizer: "ssbfgs" as const, seed: 1,
      adaptive: { method: "rad" as const, every: 25, candidates: 1000 }, causal: true,
    };
    const r = pinn.train(pinn.problems.heat, options);
    try {
      expect(r.network.dtype).toBe("float64");
      expect(r.adaptive?.resamples).toBeGreaterThanOrEqual(2);      // at steps 25 and 50 at least
      expect(r.adaptive?.points).toBe(200);
      const w = r.causal!.weights;
      expect(w.length).toBeGreaterThan(1);
      // float64 weights: not all of them are float32 numbers (exp(-eps * sum L) rounded to float32 would be)
      expect(w.some((v) => Math.fround(v) !== v)).toBe(true);
      expect(Number.isFinite(r.finalLoss)).toBe(true);
      expect(r.history[r.history.length - 1][1]).toBeLessThan(r.history[0][1]);
    } finally { r.network.dispose(); }
    const after = memory();
    expect(after.tensors).toBe(before.tensors);
    expect(after.bytes).toBe(before.bytes);
  });

  it("a problem's default dtype: pinn.train and makeNetwork take it unless dtype (or a network) is given", () => {
    const before = memory();
    const base = pinn.problems.heat;
    const p64 = pinn.defineProblem({ name: "heat64", domain: { x: [0, 1], t: [0, 1] }, uses: ["u_t", "u_xx"], residual: base.residual,
      conditions: base.conditions, defaults: { dtype: "float64", hidden: [6, 6], collocationPoints: 40, conditionPoints: 20, adamSteps: 3, lbfgsSteps: 2 } });
    const a = pinn.train(p64);
    const b = pinn.train(p64, { dtype: "float32" });
    const n = pinn.makeNetwork(p64);
    try {
      expect(a.network.dtype).toBe("float64");
      expect(b.network.dtype).toBe("float32");
      expect(n.dtype).toBe("float64");
      const plain = pinn.makeNetwork(pinn.problems.heat);
      expect(plain.dtype).toBe("float32");
      plain.dispose();
    } finally { a.network.dispose(); b.network.dispose(); n.dispose(); }
    expect(() => pinn.train(pinn.defineProblem({ name: "bad", domain: { x: [0, 1] }, uses: ["u_xx"], residual: ({ u_xx }) => u_xx, conditions: [],
      defaults: { dtype: "float16" as never } }))).toThrow(/dtype must be "float32" or "float64", but got "float16"/);
    const after = memory();
    expect(after.tensors).toBe(before.tensors);
    expect(after.bytes).toBe(before.bytes);
  });
});
