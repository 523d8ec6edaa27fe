// Derivatives s'(z), s''(z), s'''(z), ... of an activation, as tensors made with ordinary differentiable ops from the
// pre-activation z and the activation y = s(z) (which the forward sweep has anyway). Because they are ops, a
// GradientTape around a jet records them and the jet is differentiable with respect to the weights.
//
// Two sources, one contract (DerivativeSource):
// - derivativeSource: the built-in activations, by the closed forms below (the fewest ops);
// - tapeSource: any elementwise function of tensors, by k nested GradientTapes on the function alone, i.e. by the
//   core's own backward rules. This is how a custom activation runs in Taylor mode, and it is the oracle the closed
//   forms are tested against at every order (test/jet-activations.test.ts).
//
// Orders 1 and 2 are written out (they are what PINNs use, and the fewest ops):
//   tanh      s' = 1 - y^2                 s'' = -2 y s'
//   sigmoid   s' = y (1 - y)               s'' = s' (1 - 2 y)
//   softplus  s' = sigmoid(z) =: p         s'' = p (1 - p)
//   exp       s' = y                       s'' = y
//   sin       s' = cos z                   s'' = -y
//   relu      s' = [z > 0] = sign(y)       s'' = 0      (piecewise linear; 0 at the kink, as relu's backward rule)
//   linear    s' = 1                       s'' = 0
// Higher orders: for tanh, sigmoid, softplus and exp, s^(k) is a polynomial P_k(p) in p = y (p = sigmoid(z) for
// softplus) because dp/dz = q(p) is one: q = 1 - p^2 (tanh), p - p^2 (sigmoid, softplus), p (exp). So
// P_{k+1} = P_k'(p) q(p), computed here in float64 and evaluated by Horner's rule on the tensor p (2 ops per degree).
// sin cycles: s^(k) = sin(z + k pi/2), i.e. cos z, -sin z, -cos z, sin z.
//
// Accuracy (float32, unit roundoff u = 6e-8): these are the formulas the core's backward rules use (tanh: 1 - y^2,
// sigmoid: y (1 - y)), so a jet and nested tapes agree to a few ulps per layer. Each s^(k) carries a relative error
// of a few u times the condition of P_k at y (e.g. 1 - y^2 for |y| -> 1 has relative error ~u y^2 / (1 - y^2) but
// absolute error <= 2u, which is what enters the sums of the next layer).
import { Tensor } from "../tensor.js";
import { square, mul, affine, sign, cos, neg, sigmoid } from "../ops.js";
import { GradientTape } from "../tape.js";
import { ShapeError, describe, fmtShape } from "../errors.js";
import type { ActivationName } from "../nn/activations.js";

/** s^(k)(z) for k = 1, 2, ...; null means identically zero; 1 (linear) is returned as the string "one". */
export type DerivativeSource = (k: number) => Tensor | null | "one";

type Poly = number[]; // coefficients, lowest degree first

function polyDerivative(p: Poly): Poly { return p.slice(1).map((c, i) => c * (i + 1)); }
function polyMul(a: Poly, b: Poly): Poly {
  const r = new Array(Math.max(0, a.length + b.length - 1)).fill(0);
  a.forEach((x, i) => b.forEach((y, j) => { r[i + j] += x * y; }));
  return r;
}
/** P_1 .. P_k for s' = P_1(p), dp/dz = q(p). */
function polys(p1: Poly, q: Poly, k: number): Poly[] {
  const out = [p1];
  while (out.length < k) out.push(polyMul(polyDerivative(out[out.length - 1]), q));
  return out;
}
/** P(p) on a tensor by Horner's rule (P of degree >= 1). */
function horner(P: Poly, p: Tensor): Tensor | null {
  let n = P.length - 1;
  while (n > 0 && P[n] === 0) n--;
  if (n === 0) return P[0] === 0 ? null : affine(p, 0, P[0]); // a constant (does not happen for these activations)
  let acc = affine(p, P[n], P[n - 1]);
  for (let d = n - 2; d >= 0; d--) acc = affine(mul(acc, p), 1, P[d]);
  return acc;
}

const POLY: Partial<Record<ActivationName, { p1: Poly; q: Poly }>> = {
  tanh: { p1: [1, 0, -1], q: [1, 0, -1] },
  sigmoid: { p1: [0, 1, -1], q: [0, 1, -1] },
  softplus: { p1: [0, 1], q: [0, 1, -1] },
  exp: { p1: [0, 1], q: [0, 1] },
};

/**
 * The built-in activations with closed-form rules here. A built-in activation not in this set (one added to
 * nn/activations.ts only) still runs in Taylor mode, through tapeSource: a closed form is a speed-up, not a need.
 */
export const CLOSED_FORM: ReadonlySet<string> = new Set<ActivationName>(["linear", "relu", "sin", "exp", "tanh", "sigmoid", "softplus"]);

/**
 * A memoised source of s^(k)(z) for activation `name`, given z and y = s(z) (both [N, w]). Tensors are made on first
 * use inside the caller's tidy scope.
 */
export function derivativeSource(name: ActivationName, z: Tensor, y: Tensor): DerivativeSource {
  const memo = new Map<number, Tensor | null | "one">();
  let softP: Tensor | null = null; // sigmoid(z), softplus' polynomial variable
  const pOf = (): Tensor => (name === "softplus" ? (softP ??= sigmoid(z)) : y);
  const high = (k: number): Tensor | null => {
    const spec = POLY[name]!;
    return horner(polys(spec.p1, spec.q, k)[k - 1], pOf());
  };
  const compute = (k: number): Tensor | null | "one" => {
    switch (name) {
      case "linear": return k === 1 ? "one" : null;
      case "relu": return k === 1 ? sign(y) : null;
      case "sin": {
        const r = k % 4;
        if (r === 0) return y;
        if (r === 1) return k === 1 ? cos(z) : get(1);
        if (r === 2) return k === 2 ? neg(y) : get(2);
        return neg(get(1) as Tensor);
      }
      case "exp": return y;
      case "tanh":
        if (k === 1) return affine(square(y), -1, 1);
        if (k === 2) return affine(mul(y, get(1) as Tensor), -2, 0);
        return high(k);
      case "sigmoid":
        if (k === 1) return mul(y, affine(y, -1, 1));
        if (k === 2) return mul(get(1) as Tensor, affine(y, -2, 1));
        return high(k);
      case "softplus":
        if (k === 1) return pOf();
        if (k === 2) return mul(pOf(), affine(pOf(), -1, 1));
        return high(k);
    }
  };
  const get = (k: number): Tensor | null | "one" => {
    if (!memo.has(k)) memo.set(k, compute(k));
    return memo.get(k)!;
  };
  return get;
}

/**
 * y = fn(z) and its derivatives s^(1..K)(z) for an elementwise fn, by K GradientTapes nested around fn: tape k
 * differentiates the level-(k-1) derivative (the sum of its entries, whose gradient is, entry by entry, the next
 * derivative because fn acts on each entry alone), and its gradient computation is recorded by tapes k+1..K and by
 * any tape the caller has open, so the results are differentiable with respect to z and the weights. A derivative
 * that does not depend on z (a linear piece) is zero. Accuracy: that of the core's backward rules, a few float32
 * ulps per order. `where` names the layer in errors.
 */
export function tapeSource(fn: (z: Tensor) => Tensor, z: Tensor, K: number, where: string): { y: Tensor; ds: DerivativeSource } {
  const tapes = Array.from({ length: K }, () => new GradientTape({ watchAccessedVariables: false }));
  const started: GradientTape[] = [];
  const out: Tensor[] = [];
  let y: Tensor;
  try {
    for (let k = K - 1; k >= 0; k--) { tapes[k].start(); started.push(tapes[k]); tapes[k].watch(z); }
    y = fn(z);
    if (!(y instanceof Tensor) || y.shape.join() !== z.shape.join()) {
      throw new ShapeError(`${where}: the activation function must return a tensor of its input's shape ${fmtShape(z.shape)}, but it returned ${y instanceof Tensor ? fmtShape(y.shape) : describe(y)}.`);
    }
    let d = y;
    for (let k = 0; k < K; k++) {
      tapes[k].stop();
      started.pop();
      d = tapes[k].gradient(d, z, { unconnected: "zero" }) as Tensor;
      out.push(d);
    }
  } finally {
    while (started.length) started.pop()!.stop();
    for (const t of tapes) t.dispose();
  }
  return { y, ds: (k) => out[k - 1] };
}
