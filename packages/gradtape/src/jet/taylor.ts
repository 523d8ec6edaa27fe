// Forward-mode Taylor propagation ("jets") of input derivatives through a Sequential of Dense (and Flatten) layers:
// the value and every requested partial derivative with respect to the inputs, for N points, in ONE forward sweep.
//
// The math. Write h for a layer's input and z = h W + b, y = s(z) (s elementwise). For a multiset S of input
// columns let D_S be the partial derivative with respect to them (D_{} = value). Then
//   Dense:       D_S z = (D_S h) W  for S non-empty   (b is a constant: only the value gets the bias)
//   activation:  D_S y = sum over set partitions P of S of  s^(|P|)(z) * prod_{B in P} D_B z      (Faà di Bruno)
// which for orders 1 and 2 is
//   y_i  = s'(z) z_i
//   y_ij = s'(z) z_ij + s''(z) z_i z_j
// and, e.g., y_iii = s' z_iii + 3 s'' z_ii z_i + s''' z_i^3. Partitions that give the same blocks are counted once
// with their multiplicity (spec.ts). At the input, D_i x = e_i (so D_i z = row i of W, the same for every point)
// and the higher D_S x are 0, so the first layer costs no extra matMul at all.
//
// The layout. Each coefficient of a layer's activations is a tensor [N, width]. Two layouts, same numbers:
// - "stacked": the coefficients are STACKED along the batch axis, value first, so a Dense layer is ONE matMul
//   [(1+k) N, in] x [in, out] followed by a bias add on the first N rows only; the activation step reads the
//   coefficient rows as views, multiplies all first-order rows by s' in one broadcast op, and concatenates the new
//   coefficients for the next matMul.
// - "split" (the default): one matMul [N, in] x [in, out] per coefficient, no views and no concat.
// Same flops. "split" is faster with this core because the backward rule of a view (ViewGrad) zero-fills the whole
// parent and scatters into it, so k + 1 row-slices of Z cost k + 1 full-size passes plus k full-size adds in the
// weight-gradient sweep, while a concat's backward is free (views of the cotangent). Measured on Burgers' step
// (2 -> 8 x 20 tanh -> 1, 10,000 points, weight gradient; CPU ms, median of 15): split 82, stacked 100, nested
// tapes 88; at one point (seed network, f + gradient + Hessian): split 0.29 ms, stacked 0.37, nested 0.41.
// Coefficients that are exactly zero (a relu's s'', a linear first layer's
// second derivatives) are carried as null and skipped; coefficients that do not depend on the point (the first
// layer's D_i z, or all of them after a linear first layer) are carried as single rows [1, width] and broadcast.
//
// Cost per Dense + activation, for K = 1 + k coefficients and width w: K matMuls of N x in x w (one of K N rows when
// stacked) plus O(K N w) elementwise work in about 4 + k1 + 4 k2 ops (k1 first-order, k2 second-order coefficients);
// the weight gradient adds 2 K matMuls. For Burgers (u, u_x, u_t, u_xx: K = 4) that is 12 matMuls of N rows per
// layer, exactly what nested tapes cost (forward 1, first sweep 1 for u_x AND u_t, second sweep 2, weight gradient
// through all of it 8), so the jet is only ~1.05x faster there (CPU time; the rest is fewer, simpler elementwise
// ops). The gap grows with the order, as nested tapes differentiate ever larger graphs: 1.4x for u_xxx (KdV), 2.4x
// for u_xxxx, and 1.4x at one point (seed network, f + gradient + Hessian): test/bench/jet-vs-tape.mjs.
//
// Differentiability: everything is an ordinary op (matMul, slice views, mul, add, affine, square, concat, the
// activation and its derivatives in activations.ts), so a GradientTape that watches the weights (any open tape:
// trainable variables are watched when accessed) records the sweep, and the gradient of a PDE residual loss built
// from the jet with respect to the weights is exact backpropagation through it.
//
// Accuracy: in exact arithmetic this is the same number as nested reverse passes (both are the chain rule); in
// float32 the operations are the same kinds of dot products and activation-derivative formulas, so the results
// agree with nested tapes to float32 rounding (measured: ~1e-7 relative, norm-wise, on deep tanh networks) and
// with float64 references to ~1e-6 (test/jet.test.ts).
import { Tensor } from "../tensor.js";
import { matMul, add, mul, square, concat, slice, reshape, broadcastTo, zeros, affine } from "../ops.js";
import { tidy } from "../memory.js";
import { Layer } from "../nn/layer.js";
import { Dense } from "../nn/dense.js";
import { Flatten } from "../nn/flatten.js";
import { Sequential } from "../nn/model.js";
import { ACTIVATIONS, type ActivationName } from "../nn/activations.js";
import { ArgumentError, ShapeError, fmtShape } from "../errors.js";
import { planCoefficients, msKey, type CoefficientPlan, type DerivativeSpec } from "./spec.js";
import { derivativeSource } from "./activations.js";
import { actGrad, mulMul } from "./fused.js";

/** A coefficient: [N, w] per point, [1, w] the same for every point, an input column c (the unit vector e_c), or 0. */
type Coef = Tensor | number | null;
interface State { value: Tensor; coef: Coef[] }

type Step = { kind: "dense"; layer: Dense } | { kind: "flatten"; layer: Flatten } | { kind: "check"; layer: Layer };

const checkInput = (layer: Layer, x: Tensor): void => (layer as unknown as { checkInput(x: Tensor): void }).checkInput(x);

/** The steps of the Taylor sweep for `net`, or the reason it cannot take that path. */
export function taylorSteps(net: unknown): Step[] | string {
  const steps: Step[] = [];
  const visit = (l: unknown): string | null => {
    if (l instanceof Sequential) {
      if (l.call !== Sequential.prototype.call) return `${l.constructor.name} '${l.name}' overrides call()`;
      steps.push({ kind: "check", layer: l });
      for (const x of l.stack) { const r = visit(x); if (r) return r; }
      return null;
    }
    if (l instanceof Dense) {
      if (l.call !== Dense.prototype.call) return `${l.constructor.name} '${l.name}' overrides call()`;
      if (typeof l.activation !== "string" || !(l.activation in ACTIVATIONS)) return `Dense '${l.name}' has a custom activation function (the jet needs its derivatives s', s'', ...)`;
      steps.push({ kind: "dense", layer: l });
      return null;
    }
    if (l instanceof Flatten) {
      if (l.call !== Flatten.prototype.call) return `${l.constructor.name} '${l.name}' overrides call()`;
      steps.push({ kind: "flatten", layer: l });
      return null;
    }
    if (l instanceof Layer) return `${l.constructor.name} '${l.name}' is not a Dense or Flatten layer (or a Sequential of them)`;
    return "it is a function, not a Sequential of Dense and Flatten layers";
  };
  const why = visit(net);
  if (why) return why;
  if (!steps.some((s) => s.kind === "dense")) return "it has no Dense layer";
  return steps;
}

/**
 * Why `net` cannot take the Taylor path for inputs shaped like X, or null when it can. Reasons: not a Sequential of
 * Dense/Flatten layers, a custom activation function, or inputs of rank > 2 reaching a Dense layer.
 */
export function taylorUnsupported(net: unknown, X: Tensor): string | null {
  const steps = taylorSteps(net);
  if (typeof steps === "string") return steps;
  let rank = X.rank;
  for (const s of steps) {
    if (s.kind === "flatten") rank = 2;
    else if (s.kind === "dense") { if (rank !== 2) return `Dense '${s.layer.name}' gets inputs of rank ${rank} (the jet needs [N, features]: put a Flatten first)`; break; }
  }
  return null;
}

/**
 * The Taylor sweep. `specs` name (output column, sorted input columns); returns one [N, 1] tensor per spec, in order.
 * The caller has checked the arguments (index.ts); `net` passed taylorUnsupported.
 */
/** "stacked": one matMul per Dense on the coefficients stacked along the batch axis; "split": one per coefficient. */
export type Layout = "stacked" | "split";

export interface TaylorOptions {
  /** the name errors start with (default "jet") */
  op?: string;
  /** default "split" (see the top of this file) */
  layout?: Layout;
}

/** (The fifth argument may also be the op name alone, as in the first version.) */
export function taylorDerivatives(net: Layer, X: Tensor, specs: readonly DerivativeSpec[], outputs: number | null, options: TaylorOptions | string = {}): Tensor[] {
  const { op = "jet", layout = "split" } = typeof options === "string" ? { op: options } : options;
  const steps = taylorSteps(net);
  if (typeof steps === "string") throw new ArgumentError(`${op}: the Taylor method cannot run this network: ${steps}. Use method "auto" or "nested-reverse".`);
  const N = X.shape[0];
  // layers are built on first use: build them with one ordinary call on one point
  if (steps.some((s) => s.kind === "dense" && s.layer.kernel === null)) tidy(() => { net.apply(slice(X, [0], [Math.min(1, N)])); });
  const plan = planCoefficients(specs.map((s) => s.wrt));
  return tidy(() => {
    let st: State | null = null; // null: still the raw input (before the first Dense)
    let x = X;
    for (const s of steps) {
      if (s.kind === "check") { checkInput(s.layer, st ? st.value : x); continue; }
      if (s.kind === "flatten") {
        if (st) checkInput(s.layer, st.value); // rank 2 already: flattening is the identity on every coefficient
        else x = s.layer.apply(x);
        continue;
      }
      if (!st) {
        if (x.rank !== 2) throw new ShapeError(`${op}: Dense '${s.layer.name}' gets inputs of shape ${fmtShape(x.shape)}; the Taylor method needs [N, features] (put a Flatten first).`);
        const d = x.shape[1];
        for (const c of plan.coefs) for (const v of c) if (v >= d) throw new ArgumentError(`${op}: input column ${v} does not exist (the inputs have ${d} columns).`);
        // the input jet: value X, D_i X = e_i (carried as the column index), higher coefficients 0
        st = { value: x, coef: plan.coefs.map((c) => (c.length === 1 ? c[0] : null)) };
      }
      // Each layer in a tidy of its own, and the previous layer's jet freed once the next one is made: the
      // pre-activations, s', s'' and the partial products die with their layer instead of at the end of the sweep
      // (what a recording tape saved stays alive through the core's reference counts). In Burgers' PINN step this
      // lowered the peak tensor memory from 122.5 to 82.2 MiB.
      const prev: State = st, next = tidy(() => dense(s.layer, prev, plan, N, layout));
      if (prev.value !== X) prev.value.dispose();
      for (const c of prev.coef) if (c instanceof Tensor) c.dispose();
      st = next;
    }
    const out = st!;
    const width = out.value.shape[1];
    if (outputs === null ? width !== 1 : width !== outputs) {
      throw new ShapeError(outputs === null
        ? `${op}: the network has ${width} outputs; name them with { outputs: [...] } (e.g. ["u", "v"]).`
        : `${op}: { outputs } names ${outputs} outputs, but the network returns ${width} columns.`);
    }
    return specs.map((sp) => {
      const c = plan.index.get(msKey(sp.wrt))!;
      const t = c === 0 ? out.value : out.coef[c];
      if (t === null) return zeros([N, 1]);
      if (typeof t === "number") throw new Error(`${op}: internal error, an input coefficient reached the output.`);
      const full = t.shape[0] === N ? t : broadcastTo(t, [N, width]);
      return slice(full, [0, sp.output], [N, 1]); // a view; a separate tensor per request even when two coincide
    });
  });
}

/** One Dense layer and its activation, on the stacked jet. */
function dense(layer: Dense, st: State, plan: CoefficientPlan, N: number, layout: Layout): State {
  checkInput(layer, st.value);
  const W = layer.kernel!, b = layer.bias;
  if (st.value.shape[1] !== W.shape[0]) {
    throw new ShapeError(`Dense '${layer.name}': expected inputs whose last axis is ${W.shape[0]}, got shape ${fmtShape(st.value.shape)}.`);
  }
  const K = plan.coefs.length;
  const full: number[] = [], rows: number[] = [];
  for (let c = 1; c < K; c++) {
    const t = st.coef[c];
    if (t instanceof Tensor) (t.shape[0] === N ? full : rows).push(c);
  }
  const zc: Coef[] = new Array(K).fill(null);
  let z0: Tensor;
  let block: Tensor | null = null;
  const k1 = plan.coefs.filter((c) => c.length === 1).length;
  if (layout === "stacked") {
    // ONE matMul for the value and all per-point coefficients, stacked along the batch axis
    const H = full.length ? concat([st.value, ...full.map((c) => st.coef[c] as Tensor)], 0) : st.value;
    const Z = matMul(H, W);
    z0 = full.length ? slice(Z, [0, 0], [N, -1]) : Z;
    full.forEach((c, j) => { zc[c] = slice(Z, [(j + 1) * N, 0], [N, -1]); });
    // the first-order coefficients, when all per-point, are rows N .. (1 + k1) N of Z: one block
    if (k1 > 1 && full.length >= k1 && full[k1 - 1] === k1) block = slice(Z, [N, 0], [k1 * N, -1]);
  } else {
    // one matMul per coefficient: no views of large tensors (whose backward is a full-size scatter in the core)
    z0 = matMul(st.value, W);
    for (const c of full) zc[c] = matMul(st.coef[c] as Tensor, W);
  }
  if (b) z0 = add(z0, b); // the bias belongs to the value only: D_S (h W + b) = (D_S h) W
  if (rows.length) {
    const R = matMul(rows.length > 1 ? concat(rows.map((c) => st.coef[c] as Tensor), 0) : (st.coef[rows[0]] as Tensor), W);
    rows.forEach((c, j) => { zc[c] = rows.length > 1 ? slice(R, [j, 0], [1, -1]) : R; });
  }
  for (let c = 1; c < K; c++) {
    const t = st.coef[c];
    if (typeof t === "number") zc[c] = slice(W, [t, 0], [1, -1]); // D_i z = e_i W = row i of W
  }
  return activate(layer.activation as ActivationName, z0, zc, block, plan, N, k1);
}

/** y = s(z) on the jet: Faà di Bruno with s', s'', ... from activations.ts. */
function activate(name: ActivationName, z0: Tensor, zc: Coef[], block1: Tensor | null, plan: CoefficientPlan, N: number, k1: number): State {
  const act = ACTIVATIONS[name];
  const y0 = act ? act(z0) : z0;
  if (act === null) return { value: y0, coef: zc }; // linear: D_S y = D_S z
  const K = plan.coefs.length, w = z0.shape[1];
  if (!block1 && (name === "tanh" || name === "sigmoid") && plan.terms.every((ts) => ts.every((t) => t.k === 2))) {
    return { value: y0, coef: activateOrder2(name, y0, zc, plan, N, k1) };
  }
  const ds = derivativeSource(name, z0, y0);
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
