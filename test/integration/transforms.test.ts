// Function transforms grad, valueAndGrad, vjp, jvp, hessian against the float64 reference (finite differences and
// exact jets), their compositions (grad(grad(f)), grad(grad(grad(f))), a hessian under an outer tape), their argument
// errors, and that none of them leaks.
import { describe, it, expect, beforeAll } from "vitest";
import * as gt from "gradtape";
import { dual as D, fd, type Jet } from "../reference/index.js";
import { expectClose, expectError, expectNoLeak, expectTensor, f32, vals, type Tensor } from "./helpers/check.js";

beforeAll(async () => { await gt.ready(); });

const D1 = { rtol: 1e-5, normwise: true };
const D2 = { rtol: 3e-5, normwise: true };
const D3 = { rtol: 1e-4, normwise: true };

// A scalar function of a vector, non-separable: f(x) = sum_i sin(x_i) x_{i+1}^2 + exp(0.3 sum x) + tanh(x_0 x_last).
const S = {
  gt(x: Tensor): Tensor {
    const n = x.shape[0];
    const a = x.slice(0, n - 1), b = x.slice(1, n - 1);
    return a.sin().mul(b.square()).sum().add(x.sum().mul(0.3).exp()).add(x.index(0).mul(x.index(n - 1)).tanh());
  },
  jet(xs: readonly number[]): Jet {
    const v = D.variables([...xs]);
    const n = v.length;
    let acc = D.constant(0, n);
    for (let i = 0; i + 1 < n; i++) acc = D.add(acc, D.mul(D.sin(v[i]), D.square(v[i + 1])));
    let s = D.constant(0, n);
    for (const vi of v) s = D.add(s, vi);
    acc = D.add(acc, D.exp(D.mul(s, 0.3)));
    return D.add(acc, D.tanh(D.mul(v[0], v[n - 1])));
  },
  ref(x: ArrayLike<number>): number {
    const n = x.length;
    let acc = 0, s = 0;
    for (let i = 0; i + 1 < n; i++) acc += Math.sin(x[i]) * x[i + 1] * x[i + 1];
    for (let i = 0; i < n; i++) s += x[i];
    return acc + Math.exp(0.3 * s) + Math.tanh(x[0] * x[n - 1]);
  },
};
const XS = f32([0.4, -1.1, 0.7, 1.9, -0.25]);

// R^3 -> R^4
const F = {
  gt(x: Tensor): Tensor {
    const [a, b, c] = [x.index(0), x.index(1), x.index(2)];
    return gt.stack([a.mul(b).sin(), a.square().add(c.exp()), b.sub(c).tanh(), a.mul(b).mul(c)]);
  },
  ref(x: ArrayLike<number>): number[] {
    const [a, b, c] = [x[0], x[1], x[2]];
    return [Math.sin(a * b), a * a + Math.exp(c), Math.tanh(b - c), a * b * c];
  },
};
const X3 = f32([0.7, -1.3, 0.4]);

describe("grad and valueAndGrad", () => {
  it("grad(f)(x) matches the reference's exact gradient and its finite differences", () => {
    // the reference against itself first: jets vs central differences of the plain float64 function
    expectClose("reference jet vs fd", Array.from(S.jet(XS).g), Array.from(fd.gradient(S.ref, XS)), { rtol: 1e-8, atol: 1e-9 });
    expectNoLeak("grad", () => gt.tidy(() => {
      const g = gt.grad(S.gt)(gt.tensor(XS));
      expectTensor("grad", g as Tensor, [5], S.jet(XS).g, D1);
    }));
  });

  it("grad of a function of two arguments returns one gradient per argument (zeros for an unused one)", () => {
    expectNoLeak("grad 2", () => gt.tidy(() => {
      const a = [0.5, -1, 2], b = [1.5, 0.25, -0.5];
      const unused = gt.tensor([[1, 2]]);
      const gs = gt.grad((p: Tensor, q: Tensor, _u: Tensor) => p.mul(q).add(p.exp()).sum())(gt.tensor(a), gt.tensor(b), unused) as Tensor[];
      expect(Array.isArray(gs)).toBe(true);
      expect(gs.length).toBe(3);
      expectTensor("d/da", gs[0], [3], a.map((v, i) => b[i] + Math.exp(v)), D1);
      expectTensor("d/db", gs[1], [3], a, { rtol: 0 });
      expectTensor("d/dunused", gs[2], [1, 2], [0, 0], { rtol: 0 });
    }));
  });

  it("valueAndGrad gives f(x) and the gradient", () => {
    expectNoLeak("valueAndGrad", () => gt.tidy(() => {
      const { value, grads } = gt.valueAndGrad(S.gt)(gt.tensor(XS));
      const jet = S.jet(XS);
      expectTensor("value", value, [], [jet.v], { rtol: 1e-6 });
      expectTensor("grads", grads as Tensor, [5], jet.g, D1);
      const two = gt.valueAndGrad((p: Tensor, q: Tensor) => p.mul(q).sum())(gt.tensor([1, 2]), gt.tensor([3, 4]));
      expectTensor("value 2", two.value, [], [11], { rtol: 0 });
      expect(Array.isArray(two.grads)).toBe(true);
      expectTensor("grads 2 [0]", (two.grads as Tensor[])[0], [2], [3, 4], { rtol: 0 });
      expectTensor("grads 2 [1]", (two.grads as Tensor[])[1], [2], [1, 2], { rtol: 0 });
    }));
  });

  it("grad of a non-scalar function is the gradient of its sum", () => {
    expectNoLeak("grad sum", () => gt.tidy(() => {
      const g = gt.grad(F.gt)(gt.tensor(X3)) as Tensor;
      const J = fd.jacobian(F.ref, X3);
      expectTensor("sum of rows of J", g, [3], [0, 1, 2].map((k) => J.reduce((s, r) => s + r[k], 0)), D1);
    }));
  });
});

describe("vjp and jvp", () => {
  it("vjp(f, [x], u) = u^T J and the value f(x)", () => {
    expectNoLeak("vjp", () => gt.tidy(() => {
      const u = [0.5, -2, 1.25, 3];
      const J = fd.jacobian(F.ref, X3);
      const { value, vjp } = gt.vjp(F.gt, [gt.tensor(X3)], gt.tensor(u));
      expectTensor("value", value, [4], F.ref(X3), { rtol: 1e-6 });
      expect(vjp.length).toBe(1);
      expectTensor("u^T J", vjp[0], [3], [0, 1, 2].map((k) => u.reduce((s, ui, r) => s + ui * J[r][k], 0)), D1);
    }));
  });

  it("vjp with two primals", () => {
    expectNoLeak("vjp 2", () => gt.tidy(() => {
      const A = [[1, 2, 3], [4, 5, 6]], x = [0.5, -1, 2];
      const u = [1, -1];
      // f(A, x) = A x : d<u, Ax>/dA = u x^T, d/dx = A^T u
      const { vjp } = gt.vjp((a: Tensor, v: Tensor) => a.matMul(v.reshape([3, 1])).reshape([2]), [gt.tensor(A), gt.tensor(x)], gt.tensor(u));
      expectTensor("dA", vjp[0], [2, 3], u.flatMap((ui) => x.map((xj) => ui * xj)), { rtol: 0 });
      expectTensor("dx", vjp[1], [3], [0, 1, 2].map((k) => A[0][k] * u[0] + A[1][k] * u[1]), { rtol: 0 });
    }));
  });

  it("jvp(f, [x], [t]) = J t and the value f(x)", () => {
    expectNoLeak("jvp", () => gt.tidy(() => {
      const t = [1, -0.5, 2];
      const J = fd.jacobian(F.ref, X3);
      const { value, jvp } = gt.jvp(F.gt, [gt.tensor(X3)], [gt.tensor(t)]);
      expectTensor("value", value, [4], F.ref(X3), { rtol: 1e-6 });
      expectTensor("J t", jvp, [4], J.map((row) => row.reduce((s, v, k) => s + v * t[k], 0)), D1);
    }));
  });

  it("jvp with two primals sums both directional derivatives", () => {
    expectNoLeak("jvp 2", () => gt.tidy(() => {
      const a = [0.3, -0.8], b = [1.2, 0.4];
      const ta = [1, 2], tb = [-1, 0.5];
      // f(a, b) = sin(a) * b ; J_a t_a + J_b t_b = cos(a) b t_a + sin(a) t_b
      const { jvp } = gt.jvp((p: Tensor, q: Tensor) => p.sin().mul(q), [gt.tensor(a), gt.tensor(b)], [gt.tensor(ta), gt.tensor(tb)]);
      expectTensor("J t", jvp, [2], a.map((v, i) => Math.cos(v) * b[i] * ta[i] + Math.sin(v) * tb[i]), D1);
    }));
  });
});

describe("hessian", () => {
  it("hessian(f)(x) of a non-separable f matches the reference's exact Hessian and its finite differences", () => {
    const jet = S.jet(XS);
    expectClose("reference jet vs fd", Array.from(jet.h), fd.hessian(S.ref, XS).flat(), { rtol: 1e-5, atol: 1e-7 });
    expectNoLeak("hessian", () => gt.tidy(() => {
      const H = gt.hessian(S.gt)(gt.tensor(XS));
      expectTensor("H", H, [5, 5], jet.h, D2);
      const hv = vals(H);
      for (let i = 0; i < 5; i++) for (let j = 0; j < i; j++) {
        expect(Math.abs(hv[i * 5 + j] - hv[j * 5 + i]), `H symmetric at ${i},${j}`).toBeLessThanOrEqual(1e-5 * Math.max(...hv.map(Math.abs)));
      }
    }));
  });

  it("hessian of a function of a matrix has shape [..x, ..x]: sum(x^3) gives diag(6x)", () => {
    expectNoLeak("hessian matrix", () => gt.tidy(() => {
      const xs = [[1, -2], [0.5, 3]];
      const H = gt.hessian((x) => x.mul(x).mul(x).sum())(gt.tensor(xs));
      const flat = xs.flat();
      const want: number[] = [];
      for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) want.push(i === j ? 6 * flat[i] : 0);
      expectTensor("H", H, [2, 2, 2, 2], want, { rtol: 1e-6 });
    }));
  });

  it("hessian of the R^3 -> R^4 function (of its sum) matches finite differences", () => {
    expectNoLeak("hessian F", () => gt.tidy(() => {
      const sumF = (z: Float64Array) => F.ref(z).reduce((a, b) => a + b, 0);
      expectTensor("H", gt.hessian(F.gt)(gt.tensor(X3)), [3, 3], fd.hessian(sumF, X3).flat(), { rtol: 3e-5, normwise: true, atol: 1e-6 });
    }));
  });

  it("a hessian computed under an outer tape is differentiable: d/dw sum(H(w)) for f = sum(w x^3) is 6x", () => {
    const w = gt.variable([0.5, -1, 2]);
    expectNoLeak("hessian under a tape", () => gt.tidy(() => {
      const xs = [1.5, -0.5, 2];
      const x = gt.tensor(xs);
      const tape = new gt.GradientTape();
      const s = tape.record(() => gt.hessian((z) => w.mul(z.mul(z).mul(z)).sum())(x).sum());
      expectTensor("sum(H) = 6 sum(w x)", s, [], [6 * (0.5 * 1.5 + 1 * 0.5 + 2 * 2)], { rtol: 1e-6 });
      expectTensor("d sum(H) / dw", tape.gradient(s, w), [3], xs.map((v) => 6 * v), { rtol: 1e-6 });
      tape.dispose();
    }));
    w.dispose();
  });
});

describe("compositions", () => {
  const xs = f32([-1.4, -0.3, 0.2, 0.9, 2.1]);
  const f = (x: Tensor) => x.tanh().mul(x.sin());
  const jet = (v: number) => { const j = D.mul(D.tanh(D.variable(v, 0, 1)), D.sin(D.variable(v, 0, 1))); return j; };

  it("grad(grad(f)) is the second derivative, grad(grad(grad(f))) the third", () => {
    expectNoLeak("grad grad", () => gt.tidy(() => {
      const x = gt.tensor(xs);
      const g1 = gt.grad(f);
      const g2 = gt.grad((z) => g1(z) as Tensor);
      const g3 = gt.grad((z) => g2(z) as Tensor);
      expectTensor("f'", g1(x) as Tensor, [5], xs.map((v) => jet(v).g[0]), D1);
      expectTensor("f''", g2(x) as Tensor, [5], xs.map((v) => jet(v).h[0]), D2);
      expectTensor("f'''", g3(x) as Tensor, [5], xs.map((v) => fd.derivative1((z) => jet(z).h[0], v)), D3);
    }));
  });

  it("grad(grad(f)) of a non-separable f is the Hessian times ones (the gradient of the gradient's sum)", () => {
    expectNoLeak("grad grad nonsep", () => gt.tidy(() => {
      const gg = gt.grad((z) => gt.grad(S.gt)(z) as Tensor)(gt.tensor(XS)) as Tensor;
      const H = S.jet(XS).hessian();
      expectTensor("H 1", gg, [5], H.map((row) => row.reduce((a, b) => a + b, 0)), D2);
    }));
  });

  it("hessian agrees with jacobian(grad) and with vjp of grad", () => {
    expectNoLeak("hessian vs vjp", () => gt.tidy(() => {
      const x = gt.tensor(XS);
      const H = vals(gt.hessian(S.gt)(x));
      const u = [1, 0, -1, 2, 0.5];
      const { vjp } = gt.vjp((z) => gt.grad(S.gt)(z) as Tensor, [x], gt.tensor(u));
      const want = S.jet(XS).hessian().map((row) => row.reduce((s, v, k) => s + v * u[k], 0)); // H symmetric: H^T u = H u
      expectTensor("vjp of grad = H u", vjp[0], [5], want, D2);
      expectClose("H u from hessian()", [0, 1, 2, 3, 4].map((i) => u.reduce((s, uk, k) => s + uk * H[k * 5 + i], 0)), want, D2);
    }));
  });
});

describe("argument errors", () => {
  it("non-tensor arguments, a non-tensor result and mismatched tangents are ArgumentErrors that say what is wrong", () => {
    expectNoLeak("errors", () => gt.tidy(() => {
      const x = gt.tensor([1, 2]);
      expectError(() => gt.grad((z) => z.sum())(5 as never), gt.ArgumentError, ["grad", "argument 0", "Tensor"]);
      expectError(() => gt.grad(() => 3 as never)(x), gt.ArgumentError, ["grad", "f", "Tensor"]);
      expectError(() => gt.valueAndGrad(() => null as never)(x), gt.ArgumentError, ["valueAndGrad", "Tensor"]);
      expectError(() => gt.vjp((z) => z, [x, [1] as never], x), gt.ArgumentError, ["vjp", "argument 1", "Tensor"]);
      expectError(() => gt.jvp((z) => z, [x], []), gt.ArgumentError, ["jvp", "0 tangents", "1 primal"]);
      expectError(() => gt.hessian((z) => z.sum())("x" as never), gt.ArgumentError, ["hessian", "Tensor"]);
    }));
    expect(gt.memory().tapes, "tapes made by failed transforms are released").toBe(0);
  });
});
