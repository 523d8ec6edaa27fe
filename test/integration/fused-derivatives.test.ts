// The fused derivative ops (tanhGrad, sigmoidGrad, mulMul in the core) carry tanh' and sigmoid' and everything
// built on them: their own backward rules must give exact higher derivatives. Checked up to the fourth derivative
// against closed forms in float64, on points from the saturated tails through 0, and on a mixed second derivative
// through a small tanh network against central differences of its float64 gradient. The first derivative must
// equal the unfused float32 formula bit for bit (the fused kernels do the same operations in the same order).
import { describe, it, expect, beforeAll } from "vitest";
import * as gt from "gradtape";

beforeAll(async () => { await gt.ready(); });

const xs = [-6, -2.5, -1, -0.3, 0, 0.2, 0.7, 1.5, 3, 8];

/** d^n/dx^n f(x) for each x, by nesting gt.grad (f elementwise, so the gradient of sum(f(x)) is f'(x)). */
function nth(f: (x: gt.Tensor) => gt.Tensor, n: number): Float32Array {
  let g: (x: gt.Tensor) => gt.Tensor = f;
  for (let i = 0; i < n; i++) { const h = g; g = (x) => gt.grad(h)(x) as gt.Tensor; }
  return gt.tidy(() => g(gt.tensor(xs)).data());
}

function expectNear(got: Float32Array, want: number[], what: string): void {
  want.forEach((w, i) => {
    const tol = 2e-6 * Math.max(1, Math.abs(w)) + 1e-6;
    expect(Math.abs(got[i] - w), `${what} at x = ${xs[i]}: got ${got[i]}, want ${w}`).toBeLessThan(tol);
  });
}

describe("fused derivative ops", () => {
  it("tanh: derivatives 1 to 4 match the closed forms", () => {
    const t = xs.map(Math.tanh), d1 = t.map((v) => 1 - v * v);
    expectNear(nth((x) => x.tanh(), 1), d1, "tanh'");
    expectNear(nth((x) => x.tanh(), 2), t.map((v, i) => -2 * v * d1[i]), "tanh''");
    expectNear(nth((x) => x.tanh(), 3), t.map((v, i) => -2 * d1[i] * d1[i] + 4 * v * v * d1[i]), "tanh'''");
    expectNear(nth((x) => x.tanh(), 4), t.map((v, i) => 16 * v * d1[i] * d1[i] - 8 * v ** 3 * d1[i]), "tanh''''");
  });

  it("sigmoid: derivatives 1 to 4 match the closed forms", () => {
    const s = xs.map((x) => 1 / (1 + Math.exp(-x)));
    const d1 = s.map((v) => v * (1 - v)), d2 = s.map((v, i) => d1[i] * (1 - 2 * v));
    const d3 = s.map((v, i) => d2[i] * (1 - 2 * v) - 2 * d1[i] * d1[i]);
    const d4 = s.map((v, i) => d3[i] * (1 - 2 * v) - 6 * d1[i] * d2[i]);
    expectNear(nth((x) => x.sigmoid(), 1), d1, "sigmoid'");
    expectNear(nth((x) => x.sigmoid(), 2), d2, "sigmoid''");
    expectNear(nth((x) => x.sigmoid(), 3), d3, "sigmoid'''");
    expectNear(nth((x) => x.sigmoid(), 4), d4, "sigmoid''''");
  });

  it("first derivatives equal the unfused float32 formulas bit for bit", () => {
    const x = gt.tensor(xs);
    const [dt, ds, yt, ys] = gt.tidy(() => [
      (gt.grad((v) => v.tanh())(x) as gt.Tensor).data(), (gt.grad((v) => v.sigmoid())(x) as gt.Tensor).data(),
      x.tanh().data(), x.sigmoid().data(),
    ]);
    const f = Math.fround;
    yt.forEach((y, i) => expect(dt[i]).toBe(f(1 - f(y * y))));
    ys.forEach((y, i) => expect(ds[i]).toBe(f(y * f(1 - y))));
    x.dispose();
  });

  it("a mixed second derivative through a tanh network matches central differences", () => {
    // u(x, t) = w2 . tanh(W1 [x, t] + b1); d2u/dxdt analytically in float64, against the tape's nested gradient
    const W1 = [[0.7, -1.1, 0.4, 0.9], [0.3, 0.8, -1.3, 0.5]], b1 = [0.1, -0.2, 0.3, 0], w2 = [1.2, -0.7, 0.5, 0.9];
    const pts = [[0.3, -0.4], [-1, 0.8], [0.05, 0.1]];
    const ux = (x: number, t: number) => w2.reduce((s, w, j) => {
      const z = W1[0][j] * x + W1[1][j] * t + b1[j];
      return s + w * (1 - Math.tanh(z) ** 2) * W1[0][j];
    }, 0);
    const h = 1e-4;
    const want = pts.map(([x, t]) => (ux(x, t + h) - ux(x, t - h)) / (2 * h));
    const got = gt.tidy(() => {
      const X = gt.tensor(pts), A = gt.tensor(W1), b = gt.tensor(b1), w = gt.tensor(w2, [4, 1]);
      const outer = new gt.GradientTape(), inner = new gt.GradientTape();
      const g = outer.record(() => {
        outer.watch(X);
        const u = inner.record(() => { inner.watch(X); return X.matMul(A).add(b).tanh().matMul(w); });
        return inner.gradient(u, X)!.slice([0, 0], [-1, 1]);
      });
      const H = outer.gradient(g, X)!;
      const r = H.slice([0, 1], [-1, 1]).data();
      outer.dispose(); inner.dispose();
      return r;
    });
    want.forEach((w, i) => expect(Math.abs(got[i] - w), `point ${i}`).toBeLessThan(1e-5 * Math.max(1, Math.abs(w))));
  });
});
