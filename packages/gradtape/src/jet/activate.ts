// The activation step of the Taylor sweep (taylor.ts): given the coefficients D_S z of a layer's pre-activation,
// those of y = s(z) by Faà di Bruno's formula,
//   D_S y = sum over set partitions P of S of  s^(|P|)(z) * prod_{B in P} D_B z,
// with s^(k) from activations.ts: the closed forms for a built-in activation, nested tapes on the function for a
// custom elementwise one. tanh and sigmoid up to order 2 take the core's fused ops instead (activateOrder2).
import { Tensor } from "../tensor.js";
import { add, mul, square, slice, reshape, affine } from "../ops.js";
import { ACTIVATIONS, type Activation, type ActivationName } from "../nn/activations.js";
import type { CoefficientPlan } from "./spec.js";
import { derivativeSource, tapeSource, CLOSED_FORM, type DerivativeSource } from "./activations.js";
import { actGrad, mulMul } from "./fused.js";

/** A coefficient: [N, w] per point, [1, w] the same for every point, an input column c (the unit vector e_c), or 0. */
export type Coef = Tensor | number | null;
export interface State { value: Tensor; coef: Coef[] }

/** y = s(z) on the jet: Faà di Bruno with s', s'', ... from activations.ts. `where` names the layer in errors. */
export function activate(activation: Activation, z0: Tensor, zc: Coef[], block1: Tensor | null, plan: CoefficientPlan, N: number, k1: number, where: string): State {
  let y0: Tensor, ds: DerivativeSource;
  if (typeof activation === "function" || !CLOSED_FORM.has(activation)) {
    const fn = typeof activation === "function" ? activation : ACTIVATIONS[activation]!;
    ({ y: y0, ds } = tapeSource(fn, z0, plan.order, where));
  } else {
    const name = activation as ActivationName;
    const act = ACTIVATIONS[name];
    if (act === null) return { value: z0, coef: zc }; // linear: D_S y = D_S z
    y0 = act(z0);
    if (!block1 && (name === "tanh" || name === "sigmoid") && plan.terms.every((ts) => ts.every((t) => t.k === 2))) {
      return { value: y0, coef: activateOrder2(name, y0, zc, plan, N, k1) };
    }
    ds = derivativeSource(name, z0, y0);
  }
  const K = plan.coefs.length, w = z0.shape[1];
  const s1 = ds(1) as Tensor; // never "one" or null for a non-linear activation
  const out: Coef[] = new Array(K).fill(null);
  // order 1: y_i = s'(z) z_i, all first-order rows in one broadcast multiply when they form a block
  if (block1) {
    const Y = reshape(mul(reshape(block1, [k1, N, w]), s1), [k1 * N, w]);
    for (let j = 0; j < k1; j++) out[1 + j] = slice(Y, [j * N, 0], [N, -1]);
  } else {
    for (let c = 1; c <= k1; c++) { const z = zc[c] as Tensor | null; out[c] = z ? mul(s1, z) : null; }
  }
  // order >= 2: y_S = s' z_S + sum_k s^(k) * (sum over k-block partitions of mult * prod z_B)
  for (let c = k1 + 1; c < K; c++) {
    const zS = zc[c] as Tensor | null;
    let acc: Tensor | null = zS ? mul(s1, zS) : null;
    // inner[k] = sum over the k-block terms of mult * prod_B z_B
    const inner = new Map<number, Tensor>();
    for (const t of plan.terms[c]) {
      if (!(ds(t.k) instanceof Tensor)) continue; // s^(k) = 0 (relu, k >= 2): skip the products
      const p = blockProduct(t.blocks.map((i) => zc[i] as Tensor | null));
      if (p === null) continue;
      const term = t.mult === 1 ? p : mul(p, t.mult);
      const prev = inner.get(t.k);
      inner.set(t.k, prev ? add(prev, term) : term);
    }
    for (const [k, sum] of inner) {
      const term = mul(ds(k) as Tensor, sum);
      acc = acc ? add(acc, term) : term;
    }
    out[c] = acc;
  }
  return { value: y0, coef: out };
}

/**
 * tanh and sigmoid up to order 2 with the core's fused ops, the same formula regrouped: s'' = s' r(y) with
 * r = -2 y (tanh) or 1 - 2 y (sigmoid), so
 *   y_i  = s' z_i                              = actGrad(z_i, y)
 *   y_ij = s' z_ij + s'' z_i z_j = s' (z_ij + r z_i z_j) = actGrad(z_ij + mulMul(r, z_i, z_j, mult), y)
 * (tanh: mulMul(y, z_i, z_j, -2 mult), no r tensor at all). Why: s', s'' and the products never exist as tensors, so
 * a tape recording the sweep saves y, the z's and one sum per second-order coefficient instead of also s', s'' and
 * z_i z_j; in Burgers' step (u, u_x, u_t, u_xx) that is 7 instead of 10 saved [N, w] tensors per layer, and 5
 * instead of 10 elementwise passes forward. Rounding: first order is bit-identical (actGrad computes g (1 - y^2)
 * as the unfused form does); second order differs by the regrouping, a few float32 ulps (test/jet.test.ts checks
 * against float64 references). Coefficient rows [1, w] (point-independent) broadcast through the unfused fallback.
 */
function activateOrder2(name: "tanh" | "sigmoid", y: Tensor, zc: Coef[], plan: CoefficientPlan, N: number, k1: number): Coef[] {
  const K = plan.coefs.length;
  const out: Coef[] = new Array(K).fill(null);
  let r: Tensor | null = null; // sigmoid's 1 - 2 y, made once per layer when needed
  for (let c = 1; c <= k1; c++) { const z = zc[c] as Tensor | null; out[c] = z ? actGrad(name, z, y) : null; }
  for (let c = k1 + 1; c < K; c++) {
    let inner = zc[c] as Tensor | null;
    for (const t of plan.terms[c]) {
      const [zi, zj] = t.blocks.map((i) => zc[i] as Tensor | null);
      if (zi === null || zj === null) continue;
      // put an [N, w] factor first: mulMul's fallback for mixed shapes multiplies left to right
      const p = name === "tanh" ? mulMul(y, zi, zj, -2 * t.mult) : mulMul(r ??= affine(y, -2, 1), zi, zj, t.mult);
      inner = inner ? add(inner, p) : p;
    }
    out[c] = inner ? actGrad(name, inner, y) : null;
  }
  return out;
}

/** prod_B z_B (null if a factor is 0): a square when the two blocks coincide; the [1, w] rows multiplied first. */
function blockProduct(fs: (Tensor | null)[]): Tensor | null {
  if (fs.some((f) => f === null)) return null;
  const ts = fs as Tensor[];
  if (ts.length === 2 && ts[0] === ts[1]) return square(ts[0]);
  const sorted = ts.slice().sort((a, b) => a.shape[0] - b.shape[0]);
  let p = sorted[0];
  for (let i = 1; i < sorted.length; i++) p = mul(p, sorted[i]);
  return p;
}
