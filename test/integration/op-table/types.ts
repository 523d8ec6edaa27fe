// The op table's vocabulary: tolerances per kind of op, the row and case types, and the input generators.
import { nd, Rng, type NDArray } from "../../reference/index.js";
import type { Operand, Tensor } from "../op-check.js";

// ------------------------------------------------------------------------------------------ tolerances
//
// Forward, relative to |want| (to the sum of |terms| for sum/mean/matmul, where cancellation is the
// inputs' fault, not the op's):
// - exact ops (IEEE-rounded + - * / sqrt, and sums of at most 33 terms): each float32 operation is
//   correctly rounded (6e-8); 2e-6 allows ~30 roundings, more than any case here accumulates.
// - transcendental ops (exp log sin cos tanh sigmoid softplus pow) may use SIMD polynomial
//   approximations; 1e-5 (~100 float32 ulps) is the budget their stated maximum relative error must
//   fit in. An absolute 1e-7 (about one float32 ulp of 1) is added for results that pass near zero
//   inside the domain (sin near k*pi, log near 1); the "extremes" cases drop it.
// - data movement (shape ops, gather, pad, where, concat, stack, max/min reductions) must be exact.
//
// Derivatives are compared norm-wise: |err_i| <= rtol * max(|want_i|, max_j |want_j|, scale of the
// weights) + the finite differences' own rounding bound (fd.roundingScale). Norm-wise because backward
// rules reuse forward outputs (tanh' = 1 - y^2, sigmoid' = y (1 - y)): near saturation they cancel, so
// float32 error is absolute at the scale of the largest entry, not relative to each small one. The
// reference side (finite differences of float64) is accurate to ~1e-10 (first) and ~1e-7 (second).
export const TOL = {
  exact: { fwd: 2e-6, fwdAtol: 0, d1: 1e-5, d2: 3e-5 },
  transcendental: { fwd: 1e-5, fwdAtol: 1e-7, d1: 1e-4, d2: 3e-4 },
  movement: { fwd: 0, fwdAtol: 0, d1: 1e-5, d2: 3e-5 },
  predicate: { fwd: 0, fwdAtol: 0, d1: 0, d2: 0 },
} as const;
export type Kind = keyof typeof TOL;

// The float64 pass (harness.ts): the same inputs, evaluated in float64. Forward: each float64 operation is
// correctly rounded or (transcendental) within 2 ulp (float64-accuracy.test.ts), and the reference's Math
// functions are within 1 ulp: 1e-13 relative allows ~400 ulps, the sums' and pow's roundings included. First
// derivatives against Ridders-extrapolated differences of the reference (~1e-12 to 1e-13): 1e-11. Second
// derivatives against the nested Ridders Hessian-vector product (~1e-9): 1e-8.
export const TOL64 = {
  exact: { fwd: 1e-13, fwdAtol: 0, d1: 1e-11, d2: 1e-8 },
  transcendental: { fwd: 1e-13, fwdAtol: 1e-16, d1: 1e-11, d2: 1e-8 },
  movement: { fwd: 0, fwdAtol: 0, d1: 1e-11, d2: 1e-8 },
  predicate: { fwd: 0, fwdAtol: 0, d1: 0, d2: 0 },
} as const;

// ------------------------------------------------------------------------------------------ table types

/** One argument of an op call. */
export type Arg =
  | { t: "f32"; a: NDArray; diff: boolean } // float32 tensor (differentiated unless diff is false)
  | { t: "num"; v: number } // a plain JS number operand, x.add(2.5)
  | { t: "i32"; a: NDArray } // int32 tensor (gather indices)
  | { t: "bool"; a: NDArray } // bool tensor with these 0/1 values, made as gt.tensor(v).greater(0.5)
  | { t: "same"; of: number }; // the very same tensor object as argument `of` (gradients accumulate)

export interface Case {
  name: string;
  args: (rng: Rng) => Arg[];
  p?: Params;
  /** forward only (NaN inputs, values where finite differences would leave the domain) */
  forwardOnly?: boolean;
  /** forward and first derivative only */
  noSecond?: boolean;
  /** overrides the kind's forward absolute floor */
  fwdAtol?: number;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Params = any;

export interface Row {
  op: string;
  kind: Kind;
  /** how the op is called in gradtape (method form) */
  call: (xs: Operand[], p: Params) => Tensor;
  /** the function form, checked bit-for-bit against the method form */
  fnForm?: (xs: Operand[], p: Params) => Tensor;
  /** the float64 reference */
  ref: (xs: NDArray[], p: Params) => NDArray;
  /** forward error is relative to ref(|x|) (sums of terms) instead of |ref(x)| */
  absScale?: boolean;
  differentiable: boolean;
  cases: Case[];
}

// ------------------------------------------------------------------------------------------ generators

export type Gen = (r: Rng) => number;
export const U = (lo: number, hi: number): Gen => (r) => r.uniform(lo, hi);
/** magnitude in [lo, hi], random sign: stays >= lo away from zero */
export const M = (lo: number, hi: number): Gen => (r) => r.signedMagnitude(lo, hi);
export const f32 = (a: NDArray, diff = true): Arg => ({ t: "f32", a: nd.roundF32(a), diff });
export const num = (v: number): Arg => ({ t: "num", v: Math.fround(v) });
export const arr = (r: Rng, shape: number[], g: Gen): NDArray => r.array(shape, g);
export const withNaN = (a: NDArray, at: number[]): NDArray => {
  const b = nd.clone(a);
  for (const i of at) b.data[i] = NaN;
  return b;
};
export const fmt = (s: readonly number[]): string => `[${s.join(",")}]`;

/** Draws until `ok` holds (for the >= 0.1 gap between max/min operands); fails loudly if it never does. */
export function draw<T>(r: Rng, make: () => T, ok: (x: T) => boolean, what: string): T {
  for (let i = 0; i < 1000; i++) {
    const x = make();
    if (ok(x)) return x;
  }
  throw new Error(`test setup: could not draw ${what} satisfying the domain constraint`);
}

