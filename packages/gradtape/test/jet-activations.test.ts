// The Taylor rules of the built-in activations (src/jet/activations.ts: closed forms and polynomials in y, plus the
// fused order-2 path for tanh and sigmoid) against two oracles, at every order the jet uses (1 to 5 here):
// - k GradientTapes nested around the activation op itself: the core's own backward rules, differentiated k times;
// - a float64 reference written here: truncated power series arithmetic (exp, reciprocal, log1p of series), which
//   shares no formula with the rules under test.
// The jet is read on a one-unit network u = s(1 * x + 0), so u_x...x (k times) is s^(k)(x) exactly.
// Tolerance, relative to max |s^(k)| over the points: 2e-5 for orders 1 and 2 (a few float32 ulps of each factor);
// 1e-4 from order 3, where the rules evaluate a polynomial P_k(y) of degree k + 1 whose coefficients sum to up to
// 1082 in absolute value (sigmoid, k = 5; k = 4: 150; tanh k = 5: 512), so float32 rounding moves P_k by ~u * 1082 =
// 6e-5 absolute against max |s^(k)| of order 0.1 to 1; measured worst here: 2.2e-5 (sigmoid, k = 4).
import { describe, it, expect, beforeAll } from "vitest";
import * as gt from "gradtape";

beforeAll(async () => { await gt.ready(); });

// ---------------------------------------------------------------- float64 truncated power series
const ORDER = 5;
type Series = number[]; // coefficients of h^0 .. h^ORDER of f(z0 + h)

const seriesMul = (a: Series, b: Series): Series => a.map((_, k) => { let s = 0; for (let j = 0; j <= k; j++) s += a[j] * b[k - j]; return s; });
function seriesDiv(a: Series, b: Series): Series {
  const c: Series = [];
  for (let k = 0; k <= ORDER; k++) { let s = a[k]; for (let j = 0; j < k; j++) s -= c[j] * b[k - j]; c.push(s / b[0]); }
  return c;
}
/** exp(c (z0 + h)) = e^(c z0) sum (c h)^k / k! */
const seriesExp = (z0: number, c = 1): Series => { const out: Series = [Math.exp(z0 * c)]; for (let k = 1; k <= ORDER; k++) out.push(out[k - 1] * c / k); return out; };
const constant = (v: number): Series => [v, ...new Array(ORDER).fill(0)];
const plus = (a: Series, b: Series): Series => a.map((v, i) => v + b[i]);
/** integral of a series with the given value at h = 0 (for softplus, whose derivative is the sigmoid) */
const integrate = (a: Series, v0: number): Series => [v0, ...a.slice(0, ORDER).map((v, k) => v / (k + 1))];

function series(name: string, z: number): Series {
  switch (name) {
    case "exp": return seriesExp(z);
    case "sigmoid": return seriesDiv(constant(1), plus(constant(1), seriesExp(z, -1)));
    case "tanh": { const e = seriesExp(z, 2); return plus(constant(1), seriesDiv(constant(-2), plus(e, constant(1)))); }
    case "softplus": return integrate(series("sigmoid", z), Math.log1p(Math.exp(z)));
    case "sin": return Array.from({ length: ORDER + 1 }, (_, k) => [Math.sin(z), Math.cos(z), -Math.sin(z), -Math.cos(z)][k % 4] / factorial(k));
    case "relu": return [Math.max(0, z), z > 0 ? 1 : 0, 0, 0, 0, 0];
    case "linear": return [z, 1, 0, 0, 0, 0];
  }
  throw new Error(name);
}
function factorial(k: number): number { let f = 1; for (let i = 2; i <= k; i++) f *= i; return f; }
/** s^(k)(z) in float64 */
const ref = (name: string, z: number, k: number): number => series(name, z)[k] * factorial(k);

// spot check of the series arithmetic itself: tanh'' = -2 tanh (1 - tanh^2), sigmoid' = s (1 - s)
{
  const t = Math.tanh(0.7), s = 1 / (1 + Math.exp(-0.3));
  if (Math.abs(ref("tanh", 0.7, 2) + 2 * t * (1 - t * t)) > 1e-14 || Math.abs(ref("sigmoid", 0.3, 1) - s * (1 - s)) > 1e-15) throw new Error("series reference is wrong");
}

// ---------------------------------------------------------------- oracles and the jet
const FN: Record<string, (z: gt.Tensor) => gt.Tensor> = {
  tanh: gt.tanh, sigmoid: gt.sigmoid, softplus: gt.softplus, exp: gt.exp, sin: gt.sin, relu: gt.relu, linear: (z) => z.mul(1),
};
const RANGE: Record<string, [number, number]> = {
  tanh: [-4, 4], sigmoid: [-6, 6], softplus: [-5, 5], exp: [-2, 2], sin: [-4, 4], relu: [-2, 2], linear: [-2, 2],
};

function grid(name: string, n = 61): Float32Array {
  const [lo, hi] = RANGE[name];
  // an irrational step so that no point is exactly 0 (relu's kink)
  return Float32Array.from({ length: n }, (_, i) => lo + (hi - lo) * (i + 0.5 / Math.SQRT2) / n);
}

/** s^(1..K)(z) by K GradientTapes nested around the activation op (the core's backward rules, k times). */
function nestedTapes(fn: (z: gt.Tensor) => gt.Tensor, z: gt.Tensor, K: number): Float32Array[] {
  const tapes = Array.from({ length: K }, () => new gt.GradientTape());
  try {
    return gt.tidy(() => {
      for (let k = K - 1; k >= 0; k--) { tapes[k].start(); tapes[k].watch(z); }
      let d = fn(z);
      const out: Float32Array[] = [];
      for (let k = 0; k < K; k++) {
        tapes[k].stop();
        d = tapes[k].gradient(d, z, { unconnected: "zero" }) as gt.Tensor;
        out.push(d.data());
      }
      return out;
    });
  } finally { for (const t of tapes) { t.stop(); t.dispose(); } }
}

/** s^(k) as the jet computes it: u = s(x) on a one-unit Dense layer with kernel 1 and bias 0, u_x...x. */
function jetDerivatives(name: string, z: Float32Array, orders: number[]): Record<number, Float32Array> {
  const layer = new gt.nn.Dense({ units: 1, activation: name as gt.nn.ActivationName, inputShape: [1], kernelInitializer: "zeros" });
  gt.tidy(() => { layer.kernel!.assign(gt.tensor([[1]])); });
  const X = gt.tensor(z, [z.length, 1]);
  const names = orders.map((k) => `u_${"x".repeat(k)}`);
  const r = gt.jet(layer, X, { derivatives: names, vars: ["x"], method: "taylor" });
  const out: Record<number, Float32Array> = {};
  orders.forEach((k, i) => { out[k] = r[names[i]].data(); });
  gt.dispose([r, X]); layer.dispose();
  return out;
}

function maxAbs(a: ArrayLike<number>): number { let m = 0; for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i])); return m; }
function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, what: string, tol = 2e-5): void {
  const scale = Math.max(maxAbs(want), 1e-30);
  for (let i = 0; i < want.length; i++) {
    const e = Math.abs(got[i] - want[i]) / scale;
    if (!(e <= tol)) expect.fail(`${what} at point ${i}: got ${got[i]}, want ${want[i]} (error ${e.toExponential(2)} of max ${scale.toExponential(3)})`);
  }
}

// ---------------------------------------------------------------- tests
describe("built-in activation rules of the jet, against nested tapes on the op and a float64 series reference", () => {
  it("every built-in activation has a row here (adding one to nn/activations.ts needs its float64 series)", () => {
    expect(Object.keys(FN).sort()).toEqual(Object.keys(gt.nn.ACTIVATIONS).sort());
  });

  for (const name of Object.keys(FN)) {
    it(`${name}: s^(1) .. s^(${ORDER})`, () => {
      const z = grid(name);
      const Z = gt.tensor(z, [z.length, 1]);
      const tapes = nestedTapes(FN[name], Z, ORDER);
      const orders = Array.from({ length: ORDER }, (_, i) => i + 1);
      const jets = jetDerivatives(name, z, orders);
      for (const k of orders) {
        const want = Float64Array.from(z, (v) => ref(name, v, k));
        const tol = k <= 2 ? 2e-5 : 1e-4;
        expectClose(tapes[k - 1], want, `nested tapes on ${name}, order ${k}`, tol);   // the oracle itself
        expectClose(jets[k], want, `jet rule of ${name}, order ${k}`, tol);
        expectClose(jets[k], tapes[k - 1], `jet rule of ${name} vs the core's backward rules, order ${k}`, tol);
      }
      Z.dispose();
    });
  }

  for (const name of ["tanh", "sigmoid"]) {
    it(`${name}: the fused order-2 path (u_x, u_xx only) agrees with nested tapes on the op`, () => {
      const z = grid(name);
      const Z = gt.tensor(z, [z.length, 1]);
      const tapes = nestedTapes(FN[name], Z, 2);
      const jets = jetDerivatives(name, z, [1, 2]);
      // order 1 of the fused path computes g (1 - y^2) / g y (1 - y) exactly as the backward rule does
      expect(Array.from(jets[1])).toEqual(Array.from(tapes[0]));
      expectClose(jets[2], tapes[1], `fused ${name}'' vs nested tapes`, 1e-6);
      expectClose(jets[2], Float64Array.from(z, (v) => ref(name, v, 2)), `fused ${name}'' vs float64`, 1e-6);
      Z.dispose();
    });
  }

  it("a custom activation equal to a built-in op gives the built-in rule's numbers (up to rounding) through nested tapes", () => {
    const z = grid("tanh");
    const X = gt.tensor(z, [z.length, 1]);
    const mk = (activation: gt.nn.Activation) => {
      const l = new gt.nn.Dense({ units: 1, activation, inputShape: [1], kernelInitializer: "zeros" });
      gt.tidy(() => { l.kernel!.assign(gt.tensor([[1]])); });
      return l;
    };
    const builtin = mk("tanh"), custom = mk((t) => gt.tanh(t));
    const names = ["u", "u_x", "u_xx", "u_xxx", "u_xxxx"];
    expect(gt.jetMethod(custom, X).method).toBe("taylor");
    const a = gt.jet(builtin, X, { derivatives: names, vars: ["x"] }), b = gt.jet(custom, X, { derivatives: names, vars: ["x"] });
    for (const n of names) expectClose(b[n].data(), a[n].data(), n);
    expect(Array.from(b.u.data())).toEqual(Array.from(a.u.data()));
    gt.dispose([a, b, X]); builtin.dispose(); custom.dispose();
  });
});
