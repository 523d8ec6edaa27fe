// mse, mae and huber against float64 values computed here, with their gradients (analytic, float64) and a second
// derivative through nested tapes.
import { describe, it, expect, beforeAll } from "vitest";
import * as gt from "gradtape";

beforeAll(async () => { await gt.ready(); });

const T = [0.5, -1.25, 2, 0, 3.5, -0.75, 1];
const P = [0.7, -3, 2.1, 0, 1.0, 0.75, -0.2];
const E = P.map((p, i) => p - T[i]);
const N = T.length;
const huber64 = (e: number, d: number) => (Math.abs(e) <= d ? 0.5 * e * e : d * (Math.abs(e) - 0.5 * d));
const dhuber64 = (e: number, d: number) => (Math.abs(e) <= d ? e : d * Math.sign(e));

function valueAndGrad(loss: (t: gt.Tensor, p: gt.Tensor) => gt.Tensor) {
  const t = gt.tensor(T), p = gt.tensor(P);
  const tape = new gt.GradientTape();
  const l = tape.record(() => { tape.watch(p); return loss(t, p); });
  const g = tape.gradient(l, p)!;
  const out = { value: l.item(), grad: Array.from(g.data()), shape: l.shape };
  tape.dispose(); gt.dispose([t, p, l, g]);
  return out;
}
const close = (a: number[], b: number[], tol = 1e-6) => a.forEach((x, i) => expect(Math.abs(x - b[i])).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(b[i]))));

describe("losses", () => {
  it("mse: value and gradient 2 e / N", () => {
    const r = valueAndGrad((t, p) => gt.losses.mse(t, p));
    expect(r.shape).toEqual([]);
    expect(r.value).toBeCloseTo(E.reduce((s, e) => s + e * e, 0) / N, 6);
    close(r.grad, E.map((e) => 2 * e / N));
  });
  it("mae: value and gradient sign(e) / N (0 at e = 0)", () => {
    const r = valueAndGrad((t, p) => gt.losses.mae(t, p));
    expect(r.value).toBeCloseTo(E.reduce((s, e) => s + Math.abs(e), 0) / N, 6);
    close(r.grad, E.map((e) => Math.sign(e) / N));
  });
  it("huber with delta 1 and 0.5: value and gradient", () => {
    for (const d of [1, 0.5]) {
      const r = valueAndGrad((t, p) => gt.losses.huber(t, p, { delta: d }));
      expect(r.value).toBeCloseTo(E.reduce((s, e) => s + huber64(e, d), 0) / N, 6);
      close(r.grad, E.map((e) => dhuber64(e, d) / N));
    }
  });
  it("reductions sum and none", () => {
    const t = gt.tensor(T), p = gt.tensor(P);
    expect(gt.losses.mse(t, p, { reduction: "sum" }).item()).toBeCloseTo(E.reduce((s, e) => s + e * e, 0), 5);
    close(Array.from(gt.losses.huber(t, p, { reduction: "none" }).data()), E.map((e) => huber64(e, 1)));
    expect(() => gt.losses.mse(t, p, { reduction: "avg" as "mean" })).toThrow(/reduction must be/);
    gt.dispose([t, p]);
  });
  it("a number against a tensor (a PINN residual against 0)", () => {
    const r = gt.tensor([[1], [-2], [3]]);
    expect(gt.losses.mse(0, r).item()).toBeCloseTo(14 / 3, 6);
    r.dispose();
  });
  it("refuses shapes that would broadcast into a matrix", () => {
    const a = gt.tensor([[1], [2], [3]]), b = gt.tensor([1, 2, 3]);
    expect(() => gt.losses.mse(a, b)).toThrow(/yTrue has shape \[3, 1\] but yPred has shape \[3\]/);
    gt.dispose([a, b]);
  });
  it("second derivative: d2/dp2 of mse is 2/N, of huber is 1/N inside delta and 0 outside", () => {
    const p = gt.tensor(P), t = gt.tensor(T);
    for (const [loss, want] of [
      [(x: gt.Tensor) => gt.losses.mse(t, x), E.map(() => 2 / N)],
      [(x: gt.Tensor) => gt.losses.huber(t, x), E.map((e) => (Math.abs(e) < 1 ? 1 / N : 0))],
    ] as const) {
      const outer = new gt.GradientTape(), inner = new gt.GradientTape();
      const g = outer.record(() => { outer.watch(p); const l = inner.record(() => { inner.watch(p); return loss(p); }); return inner.gradient(l, p)!; });
      const h = outer.gradient(g, p)!; // diagonal Hessian (the losses are separable): d/dp sum(g)
      close(Array.from(h.data()), want as number[]);
      outer.dispose(); inner.dispose(); gt.dispose([g, h]);
    }
    gt.dispose([p, t]);
  });
  it("frees its intermediates", () => {
    const t = gt.tensor(T), p = gt.tensor(P);
    const m0 = gt.memory().tensors;
    const l = gt.losses.huber(t, p);
    expect(gt.memory().tensors).toBe(m0 + 1);
    gt.dispose([t, p, l]);
  });
});
