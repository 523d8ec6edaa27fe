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
import { matMul, add, concat, slice, broadcastTo, zeros } from "../ops.js";
import { tidy } from "../memory.js";
import type { Layer } from "../nn/layer.js";
import type { Dense } from "../nn/dense.js";
import { ArgumentError, ShapeError, fmtShape } from "../errors.js";
import { planCoefficients, msKey, type CoefficientPlan, type DerivativeSpec } from "./spec.js";
import { taylorSteps } from "./steps.js";
import { activate, type Coef, type State } from "./activate.js";

const checkInput = (layer: Layer, x: Tensor): void => (layer as unknown as { checkInput(x: Tensor): void }).checkInput(x);

/** "stacked": one matMul per Dense on the coefficients stacked along the batch axis; "split": one per coefficient. */
export type Layout = "stacked" | "split";

export interface TaylorOptions {
  /** the name errors start with (default "jet") */
  op?: string;
  /** default "split" (see the top of this file) */
  layout?: Layout;
}

/**
 * The Taylor sweep. `specs` name (output column, sorted input columns); returns one [N, 1] tensor per spec, in order.
 * The caller has checked the arguments (engine.ts); `net` passed taylorUnsupported.
 */
export function taylorDerivatives(net: Layer, X: Tensor, specs: readonly DerivativeSpec[], outputs: number | null, options: TaylorOptions = {}): Tensor[] {
  const { op = "jet", layout = "split" } = options;
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
      if (t === null) return zeros([N, 1], X.dtype);
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
  return activate(layer.activation, z0, zc, block, plan, N, k1, `Dense '${layer.name}'`);
}
