// Op conformance suite: every gradtape op, table-driven, against the independent float64 reference
// in test/reference/ (never against gradtape itself).
//
// For each row (an op) and each case (input shapes and parameters) it checks:
//   1. forward: shape, dtype and values against the reference evaluated at the same float32 inputs;
//      the function form (gt.exp(x), gt.add(a, b), gt.matMul(...)) must equal the method form bit for bit;
//   2. first derivative: the gradient of L = sum(op(x) * w), w fixed random weights, against central
//      finite differences of the float64 reference's L;
//   3. second derivative: nested tapes, the gradient of <grad L, v> (the gradient contracted with
//      fixed random v), i.e. the Hessian-vector product H v, against the mixed second difference of
//      the reference's L along v (fd.hessianVector);
//   4. no leak: gt.memory().tensors is the same after the case (everything runs under gt.tidy) and
//      after the whole row;
//   5. jit: 1-3 compiled by gt.jit give the same bits as eager, traced and replayed.
// Inputs are drawn from a seeded PRNG (per row and case name), rounded to float32 first, and kept
// inside each op's domain and >= 0.1 away from kinks (abs/relu at 0, ties of max/min), so that the
// finite differences (steps 1e-5 and 1e-4) never straddle a kink.
import { describe, it, expect, beforeAll } from "vitest";
import * as gt from "gradtape";
import { nd, fd, scalar as S, Rng, type NDArray } from "../reference/index.js";
import erf from "@stdlib/math-base-special-erf";
import { expectClose, fn, maxAbs, method, readTensor, tidyRun, toTensor, type Operand, type Read, type Tensor } from "./op-check.js";

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
const TOL = {
  exact: { fwd: 2e-6, fwdAtol: 0, d1: 1e-5, d2: 3e-5 },
  transcendental: { fwd: 1e-5, fwdAtol: 1e-7, d1: 1e-4, d2: 3e-4 },
  movement: { fwd: 0, fwdAtol: 0, d1: 1e-5, d2: 3e-5 },
  predicate: { fwd: 0, fwdAtol: 0, d1: 0, d2: 0 },
} as const;
type Kind = keyof typeof TOL;

// ------------------------------------------------------------------------------------------ table types

/** One argument of an op call. */
type Arg =
  | { t: "f32"; a: NDArray; diff: boolean } // float32 tensor (differentiated unless diff is false)
  | { t: "num"; v: number } // a plain JS number operand, x.add(2.5)
  | { t: "i32"; a: NDArray } // int32 tensor (gather indices)
  | { t: "bool"; a: NDArray } // bool tensor with these 0/1 values, made as gt.tensor(v).greater(0.5)
  | { t: "same"; of: number }; // the very same tensor object as argument `of` (gradients accumulate)

interface Case {
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
type Params = any;

interface Row {
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

type Gen = (r: Rng) => number;
const U = (lo: number, hi: number): Gen => (r) => r.uniform(lo, hi);
/** magnitude in [lo, hi], random sign: stays >= lo away from zero */
const M = (lo: number, hi: number): Gen => (r) => r.signedMagnitude(lo, hi);
const f32 = (a: NDArray, diff = true): Arg => ({ t: "f32", a: nd.roundF32(a), diff });
const num = (v: number): Arg => ({ t: "num", v: Math.fround(v) });
const arr = (r: Rng, shape: number[], g: Gen): NDArray => r.array(shape, g);
const withNaN = (a: NDArray, at: number[]): NDArray => {
  const b = nd.clone(a);
  for (const i of at) b.data[i] = NaN;
  return b;
};
const fmt = (s: readonly number[]): string => `[${s.join(",")}]`;

/** Draws until `ok` holds (for the >= 0.1 gap between max/min operands); fails loudly if it never does. */
function draw<T>(r: Rng, make: () => T, ok: (x: T) => boolean, what: string): T {
  for (let i = 0; i < 1000; i++) {
    const x = make();
    if (ok(x)) return x;
  }
  throw new Error(`test setup: could not draw ${what} satisfying the domain constraint`);
}

// ------------------------------------------------------------------------------------------ rows: unary

interface UnarySpec {
  op: string;
  kind: Kind;
  /** the float64 reference, for an op that test/reference/scalar.ts does not list (its derivatives are then checked
   *  against finite differences of this function alone) */
  ref?: (x: number) => number;
  gen: Gen;
  /** extreme or tiny inputs: forward with no absolute floor (and first derivative unless extremeFwdOnly) */
  extremes?: number[];
  extremeFwdOnly?: boolean;
}

const UNARY: UnarySpec[] = [
  { op: "neg", kind: "exact", gen: U(-2, 2) },
  { op: "abs", kind: "exact", gen: M(0.1, 2) },
  { op: "exp", kind: "transcendental", gen: U(-3, 3), extremes: [-30, -20, -1e-4, 1e-3, 20, 30] },
  { op: "log", kind: "transcendental", gen: U(0.2, 4), extremes: [1e-30, 1e-10, 1e10, 1e30], extremeFwdOnly: true },
  { op: "sqrt", kind: "exact", gen: U(0.2, 4), extremes: [1e-30, 1e-10, 1e10, 1e30], extremeFwdOnly: true },
  { op: "square", kind: "exact", gen: U(-2, 2) },
  { op: "reciprocal", kind: "exact", gen: M(0.3, 2) },
  { op: "sin", kind: "transcendental", gen: U(-6, 6), extremes: [-1e-4, 1e-3] },
  { op: "cos", kind: "transcendental", gen: U(-6, 6) },
  { op: "atan", kind: "transcendental", gen: U(-4, 4), ref: Math.atan, extremes: [-30, -1e-4, 1e-3, 30] },
  { op: "erf", kind: "transcendental", gen: U(-3, 3), ref: erf, extremes: [-5, -1e-4, 1e-3, 3.9, 5] },
  { op: "tanh", kind: "transcendental", gen: U(-3, 3), extremes: [-30, -20, -1e-4, 1e-3, 20, 30] },
  { op: "sigmoid", kind: "transcendental", gen: U(-5, 5), extremes: [-30, -20, 20, 30] },
  { op: "relu", kind: "exact", gen: M(0.1, 2) },
  { op: "softplus", kind: "transcendental", gen: U(-5, 5), extremes: [-30, -20, 20, 30, 50, 100] },
];

const UNARY_SHAPES: number[][] = [[], [7], [3, 5], [33], [2, 3, 4]];

function unaryRow(u: UnarySpec): Row {
  const f = u.ref ?? S.UNARY[u.op as S.UnaryName];
  if (!f) throw new Error(`test setup: ${u.op} has no float64 reference (give the row a ref)`);
  const cases: Case[] = UNARY_SHAPES.map((s) => ({ name: fmt(s), args: (r) => [f32(arr(r, s, u.gen))] }));
  cases.push({
    name: "[7] with NaN at 2 and 5 (SIMD body and scalar tail)",
    forwardOnly: true,
    args: (r) => [f32(withNaN(arr(r, [7], u.gen), [2, 5]))],
  });
  if (u.extremes) {
    const xs = u.extremes;
    cases.push({
      name: `extremes ${fmt(xs)} (relative error only)`,
      forwardOnly: u.extremeFwdOnly,
      noSecond: true,
      fwdAtol: 0,
      args: () => [f32(nd.ndarray(xs, [xs.length]))],
    });
  }
  return {
    op: u.op,
    kind: u.kind,
    call: ([x]) => method(x, u.op),
    fnForm: ([x]) => fn(u.op, x),
    ref: ([x]) => nd.map(x, f),
    differentiable: true,
    cases,
  };
}

// ------------------------------------------------------------------------------------------ rows: binary

interface BinarySpec {
  op: S.BinaryName;
  kind: Kind;
  genA: Gen;
  genB: Gen;
  /** generator for the x-op-x case (a domain valid for both operands) */
  genSame: Gen;
  /** keep broadcast operand pairs >= 0.1 apart (maximum/minimum kinks) */
  gap?: boolean;
}

const BINARY: BinarySpec[] = [
  { op: "add", kind: "exact", genA: U(-2, 2), genB: U(-2, 2), genSame: U(-2, 2) },
  { op: "sub", kind: "exact", genA: U(-2, 2), genB: U(-2, 2), genSame: U(-2, 2) },
  { op: "mul", kind: "exact", genA: U(-2, 2), genB: U(-2, 2), genSame: U(-2, 2) },
  { op: "div", kind: "exact", genA: U(-2, 2), genB: M(0.5, 2), genSame: M(0.5, 2) },
  { op: "pow", kind: "transcendental", genA: U(0.5, 2), genB: U(-2, 2), genSame: U(0.5, 2) },
  { op: "maximum", kind: "exact", genA: U(-2, 2), genB: U(-2, 2), genSame: U(-2, 2), gap: true },
  { op: "minimum", kind: "exact", genA: U(-2, 2), genB: U(-2, 2), genSame: U(-2, 2), gap: true },
];

/** Broadcast shape pairs: equal shapes, SIMD tails, stretching on either side, scalars. */
const BINARY_SHAPES: [number[], number[]][] = [
  [[], []],
  [[7], [7]],
  [[3, 5], [3, 5]],
  [[33], [33]],
  [[4, 1], [1, 6]],
  [[2, 3, 4], [4]],
  [[], [5]],
  [[5], []],
  [[3, 1, 5], [4, 1]],
];

const minGap = (a: NDArray, b: NDArray): number => Math.min(...nd.map2(a, b, (x, y) => Math.abs(x - y)).data);

function binaryRow(b: BinarySpec): Row {
  const f = S.BINARY[b.op];
  const pair = (r: Rng, sa: number[], sb: number[]): Arg[] => {
    const make = (): [NDArray, NDArray] => [nd.roundF32(arr(r, sa, b.genA)), nd.roundF32(arr(r, sb, b.genB))];
    const [x, y] = b.gap ? draw(r, make, ([p, q]) => minGap(p, q) >= 0.1, `${b.op} operands`) : make();
    return [f32(x), f32(y)];
  };
  const cases: Case[] = BINARY_SHAPES.map(([sa, sb]) => ({ name: `${fmt(sa)} x ${fmt(sb)}`, args: (r) => pair(r, sa, sb) }));
  cases.push({
    name: "[3,5] x number",
    args: (r) => {
      const v = Math.fround(b.genB(r));
      const x = b.gap
        ? draw(r, () => nd.roundF32(arr(r, [3, 5], b.genA)), (p) => minGap(p, nd.scalar(v)) >= 0.1, `${b.op} operand`)
        : arr(r, [3, 5], b.genA);
      return [f32(x), num(v)];
    },
  });
  cases.push({ name: "x with itself, [7] (gradient accumulates over both operands)", args: (r) => [f32(arr(r, [7], b.genSame)), { t: "same", of: 0 }] });
  cases.push({
    name: "[7] x [7] with NaN (a at 1 and 6, b at 4 and 6)",
    forwardOnly: true,
    args: (r) => [f32(withNaN(arr(r, [7], b.genA), [1, 6])), f32(withNaN(arr(r, [7], b.genB), [4, 6]))],
  });
  cases.push({
    name: "[3,5] x NaN scalar (broadcast NaN)",
    forwardOnly: true,
    args: (r) => [f32(arr(r, [3, 5], b.genA)), f32(nd.scalar(NaN))],
  });
  return {
    op: b.op,
    kind: b.kind,
    call: ([x, y]) => method(x, b.op, y),
    fnForm: ([x, y]) => fn(b.op, x, y),
    ref: ([x, y]) => nd.map2(x, y, f),
    differentiable: true,
    cases,
  };
}

// ------------------------------------------------------------------------------------------ rows: comparisons

const COMPARISONS = ["equal", "notEqual", "less", "lessEqual", "greater", "greaterEqual"] as const;
type ComparisonName = (typeof COMPARISONS)[number];
/** Values from a small set, so that equal pairs are common. */
const CMP_GEN: Gen = (r) => r.pick([-1, 0, 0.5, 1]);

function comparisonRow(op: ComparisonName): Row {
  const ref = nd[op];
  const cases: Case[] = [...BINARY_SHAPES.slice(0, 3), ...BINARY_SHAPES.slice(4)].map(([sa, sb]) => ({
    name: `${fmt(sa)} x ${fmt(sb)}`,
    args: (r) => [f32(arr(r, sa, CMP_GEN)), f32(arr(r, sb, CMP_GEN))],
  }));
  cases.push({ name: "[3,5] x number 0.5", args: (r) => [f32(arr(r, [3, 5], CMP_GEN)), num(0.5)] });
  cases.push({
    name: "[7] x [7] with NaN (NaN vs number, number vs NaN, NaN vs NaN)",
    args: () => [f32(nd.ndarray([NaN, 1, NaN, 0.5, 2, NaN, -1], [7])), f32(nd.ndarray([1, NaN, NaN, 0.5, 2, 0, NaN], [7]))],
  });
  return {
    op,
    kind: "predicate",
    call: ([x, y]) => method(x, op, y),
    fnForm: ([x, y]) => fn(op, x, y),
    ref: ([x, y]) => ref(x, y),
    differentiable: false,
    cases: cases.map((c) => ({ ...c, forwardOnly: true })),
  };
}

// ------------------------------------------------------------------------------------------ row: where

const coin = (r: Rng): number => (r.next() < 0.5 ? 0 : 1);

const whereRow: Row = {
  op: "where",
  kind: "movement",
  call: ([c, a, b]) => fn("where", c, a, b),
  ref: ([c, a, b]) => nd.where(c, a, b),
  differentiable: true,
  cases: [
    ...(
      [
        [[7], [7], [7]],
        [[3, 5], [3, 5], [3, 5]],
        [[3, 5], [3, 5], []],
        [[4, 1], [1, 6], [4, 6]],
        [[], [2, 3], [2, 3]],
        [[2, 3, 4], [4], [3, 1]],
      ] as number[][][]
    ).map(([sc, sa, sb]): Case => ({
      name: `cond ${fmt(sc)}, a ${fmt(sa)}, b ${fmt(sb)}`,
      args: (r) => [{ t: "bool", a: arr(r, sc, coin) }, f32(arr(r, sa, U(-2, 2))), f32(arr(r, sb, U(-2, 2)))],
    })),
    {
      name: "NaN in the branch not taken does not leak; NaN in the branch taken does",
      forwardOnly: true,
      // cond 1 0 1 0 1 0 1: a's NaN at 1 and b's NaN at 0, 2 are not selected; a's NaN at 4 and b's at 5 are
      args: (r) => [
        { t: "bool", a: nd.ndarray([1, 0, 1, 0, 1, 0, 1], [7]) },
        f32(withNaN(arr(r, [7], U(-2, 2)), [1, 4])),
        f32(withNaN(arr(r, [7], U(-2, 2)), [0, 2, 5])),
      ],
    },
  ],
};

// ------------------------------------------------------------------------------------------ row: matmul

interface MatmulCase {
  a: number[];
  b: number[];
  tA?: boolean;
  tB?: boolean;
  note?: string;
}
const MATMUL_CASES: MatmulCase[] = [
  { a: [1, 1], b: [1, 1] },
  { a: [3, 4], b: [4, 5] },
  { a: [5, 7], b: [7, 9], note: "inner and output sizes not multiples of 4" },
  { a: [4, 3], b: [4, 5], tA: true },
  { a: [3, 4], b: [5, 4], tB: true },
  { a: [4, 3], b: [5, 4], tA: true, tB: true },
  { a: [1, 6], b: [6, 1], note: "row times column" },
  { a: [2, 3, 4], b: [2, 4, 5], note: "batched" },
  { a: [2, 3, 4], b: [4, 5], note: "batch x 2-D" },
  { a: [2, 1, 3, 4], b: [3, 4, 5], note: "broadcast batch dims" },
  { a: [2, 4, 3], b: [1, 5, 4], tA: true, tB: true, note: "batched, both transposed, broadcast" },
];

const matmulRow: Row = {
  op: "matMul",
  kind: "exact",
  absScale: true,
  call: ([a, b], p) => (p.tA || p.tB ? method(a, "matMul", b, !!p.tA, !!p.tB) : method(a, "matMul", b)),
  fnForm: ([a, b], p) => fn("matMul", a, b, !!p.tA, !!p.tB),
  ref: ([a, b], p) => nd.matmul(a, b, !!p.tA, !!p.tB),
  differentiable: true,
  cases: [
    ...MATMUL_CASES.map((m): Case => ({
      name: `${fmt(m.a)}${m.tA ? "^T" : ""} x ${fmt(m.b)}${m.tB ? "^T" : ""}${m.note ? ` (${m.note})` : ""}`,
      p: { tA: m.tA, tB: m.tB },
      args: (r) => [f32(arr(r, m.a, U(-1, 1))), f32(arr(r, m.b, U(-1, 1)))],
    })),
    {
      name: "[3,4] x [4,5] with NaN at a[1,2] and b[0,3] (row 1 and column 3 become NaN)",
      p: {},
      forwardOnly: true,
      args: (r) => [f32(withNaN(arr(r, [3, 4], U(-1, 1)), [1 * 4 + 2])), f32(withNaN(arr(r, [4, 5], U(-1, 1)), [0 * 5 + 3]))],
    },
  ],
};

// ------------------------------------------------------------------------------------------ rows: reductions

interface ReduceCase {
  shape: number[];
  axis?: number | number[];
  keepDims?: boolean;
}
const REDUCE_CASES: ReduceCase[] = [
  { shape: [] },
  { shape: [7] },
  { shape: [33] },
  { shape: [3, 5] },
  { shape: [3, 5], axis: 0 },
  { shape: [3, 5], axis: 1, keepDims: true },
  { shape: [3, 5], axis: -1 },
  { shape: [3, 5], axis: [0, 1] },
  { shape: [2, 7], axis: 1, keepDims: true },
  { shape: [2, 3, 4], axis: [0, 2] },
  { shape: [2, 3, 4], axis: [0, 2], keepDims: true },
  { shape: [2, 3, 4], axis: 1 },
  { shape: [2, 3, 4], keepDims: true },
];

function reduceRow(op: "sum" | "mean" | "max" | "min"): Row {
  const ref = nd[op];
  const gen = (r: Rng, s: number[]): NDArray =>
    op === "max" || op === "min" ? r.distinctArray(s, 0.2) /* no near-ties inside a reduction */ : arr(r, s, U(-2, 2));
  const desc = (c: ReduceCase): string => `${fmt(c.shape)} axis ${c.axis === undefined ? "all" : JSON.stringify(c.axis)}${c.keepDims ? " keepDims" : ""}`;
  return {
    op,
    kind: op === "max" || op === "min" ? "movement" : "exact",
    absScale: op === "sum" || op === "mean",
    call: ([x], p) => (p.axis === undefined && !p.keepDims ? method(x, op) : method(x, op, p.axis, !!p.keepDims)),
    ref: ([x], p) => ref(x, p.axis, !!p.keepDims),
    differentiable: true,
    cases: [
      ...REDUCE_CASES.map((c): Case => ({ name: desc(c), p: c, args: (r) => [f32(gen(r, c.shape))] })),
      {
        name: "[3,5] axis 1 with NaN at [1,2] (only row 1 is NaN)",
        p: { axis: 1 },
        forwardOnly: true,
        args: (r) => [f32(withNaN(gen(r, [3, 5]), [7]))],
      },
      {
        name: "[3,5] axis 0 keepDims with NaN at [1,2] (only column 2 is NaN)",
        p: { axis: 0, keepDims: true },
        forwardOnly: true,
        args: (r) => [f32(withNaN(gen(r, [3, 5]), [7]))],
      },
    ],
  };
}

// ------------------------------------------------------------------------------------------ rows: shape ops

/** A one-input movement op: cases give input shape, parameters, and a NaN position for the NaN case. */
function movementRow(
  op: string,
  call: (x: Operand, p: Params) => Tensor,
  ref: (x: NDArray, p: Params) => NDArray,
  cases: { shape: number[]; p: Params; name: string }[],
  nanCase: { shape: number[]; p: Params; name: string; at: number[] },
): Row {
  return {
    op,
    kind: "movement",
    call: ([x], p) => call(x, p),
    ref: ([x], p) => ref(x, p),
    differentiable: true,
    cases: [
      ...cases.map((c): Case => ({ name: `${fmt(c.shape)} ${c.name}`, p: c.p, args: (r) => [f32(arr(r, c.shape, U(-2, 2)))] })),
      {
        name: `${fmt(nanCase.shape)} ${nanCase.name}, NaN at ${fmt(nanCase.at)}`,
        p: nanCase.p,
        forwardOnly: true,
        args: (r) => [f32(withNaN(arr(r, nanCase.shape, U(-2, 2)), nanCase.at))],
      },
    ],
  };
}

const shapeRows: Row[] = [
  movementRow(
    "reshape",
    (x, p) => method(x, "reshape", p),
    (x, p) => nd.reshape(x, p),
    [
      { shape: [3, 5], p: [5, 3], name: "-> [5,3]" },
      { shape: [2, 3, 4], p: [6, -1], name: "-> [6,-1]" },
      { shape: [], p: [1, 1], name: "-> [1,1]" },
      { shape: [7], p: [7, 1], name: "-> [7,1]" },
      { shape: [2, 3, 4], p: [24], name: "-> [24]" },
      { shape: [1, 1], p: [], name: "-> []" },
    ],
    { shape: [3, 5], p: [15], name: "-> [15]", at: [4] },
  ),
  movementRow(
    "transpose",
    (x, p) => (p === undefined ? method(x, "transpose") : method(x, "transpose", p)),
    (x, p) => nd.transpose(x, p),
    [
      { shape: [3, 5], p: undefined, name: "default perm" },
      { shape: [2, 3, 4], p: undefined, name: "default perm (reversed)" },
      { shape: [2, 3, 4], p: [2, 0, 1], name: "perm [2,0,1]" },
      { shape: [2, 3, 4], p: [0, 2, 1], name: "perm [0,2,1]" },
      { shape: [2, 3, 2, 3], p: [3, 1, 0, 2], name: "perm [3,1,0,2]" },
      { shape: [7], p: [0], name: "perm [0]" },
    ],
    { shape: [3, 5], p: undefined, name: "default perm", at: [6] },
  ),
  movementRow(
    "expandDims",
    (x, p) => method(x, "expandDims", p),
    (x, p) => nd.expandDims(x, p),
    [
      { shape: [3, 5], p: 0, name: "axis 0" },
      { shape: [3, 5], p: 1, name: "axis 1" },
      { shape: [3, 5], p: 2, name: "axis 2" },
      { shape: [3, 5], p: -1, name: "axis -1" },
      { shape: [], p: 0, name: "axis 0" },
    ],
    { shape: [7], p: 1, name: "axis 1", at: [3] },
  ),
  movementRow(
    "squeeze",
    (x, p) => (p === undefined ? method(x, "squeeze") : method(x, "squeeze", p)),
    (x, p) => nd.squeeze(x, p),
    [
      { shape: [1, 3, 1, 5], p: undefined, name: "all size-1 axes" },
      { shape: [1, 3, 1, 5], p: [2], name: "axis [2]" },
      { shape: [1, 3, 1, 5], p: [0, 2], name: "axes [0,2]" },
      { shape: [3, 1], p: [-1], name: "axis [-1]" },
      { shape: [1], p: undefined, name: "to a scalar" },
    ],
    { shape: [1, 7], p: undefined, name: "all", at: [5] },
  ),
  movementRow(
    "broadcastTo",
    (x, p) => method(x, "broadcastTo", p),
    (x, p) => nd.broadcastTo(x, p),
    [
      { shape: [], p: [2, 3], name: "-> [2,3]" },
      { shape: [1, 5], p: [3, 5], name: "-> [3,5]" },
      { shape: [4, 1], p: [2, 4, 6], name: "-> [2,4,6]" },
      { shape: [7], p: [2, 7], name: "-> [2,7]" },
      { shape: [3, 5], p: [3, 5], name: "-> [3,5] (no-op)" },
    ],
    { shape: [3, 1], p: [3, 4], name: "-> [3,4]", at: [1] },
  ),
  movementRow(
    "slice",
    (x, p) => (p.stride ? method(x, "slice", p.begin, p.size, p.stride) : method(x, "slice", p.begin, p.size)),
    (x, p) => nd.slice(x, p.begin, p.size, p.stride),
    [
      { shape: [7], p: { begin: [2], size: [3] }, name: "begin [2] size [3]" },
      { shape: [3, 5], p: { begin: [1, 0], size: [2, -1] }, name: "begin [1,0] size [2,-1]" },
      { shape: [7], p: { begin: [0], size: [4], stride: [2] }, name: "begin [0] size [4] stride [2]" },
      { shape: [3, 5], p: { begin: [0, 1], size: [-1, 2], stride: [2, 2] }, name: "begin [0,1] size [-1,2] stride [2,2]" },
      { shape: [2, 3, 4], p: { begin: [0, 1, 1], size: [2, 2, 3] }, name: "begin [0,1,1] size [2,2,3]" },
      { shape: [33], p: { begin: [1], size: [-1], stride: [4] }, name: "begin [1] size [-1] stride [4]" },
    ],
    // the window holds [1,1..3] and [2,1..3]; NaN at [1,2] is inside, at [0,0] outside
    { shape: [3, 5], p: { begin: [1, 1], size: [2, 3] }, name: "begin [1,1] size [2,3]", at: [0, 7] },
  ),
  movementRow(
    "index",
    (x, p) => method(x, "index", ...p),
    (x, p) => nd.index(x, ...p),
    [
      { shape: [3, 5], p: [1], name: "index(1)" },
      { shape: [2, 3, 4], p: [1, 2], name: "index(1, 2)" },
      { shape: [7], p: [3], name: "index(3) -> scalar" },
      { shape: [2, 3, 4], p: [0, 1, 3], name: "index(0, 1, 3) -> scalar" },
      { shape: [1, 2, 1], p: [0, 0], name: "index(0, 0) (the seed's inp[0][0])" },
    ],
    { shape: [3, 5], p: [1], name: "index(1)", at: [6, 12] },
  ),
  movementRow(
    "pad",
    (x, p) => (p.value === undefined ? method(x, "pad", p.paddings) : method(x, "pad", p.paddings, p.value)),
    (x, p) => nd.pad(x, p.paddings, p.value ?? 0),
    [
      { shape: [3, 5], p: { paddings: [[1, 2], [0, 1]] }, name: "[[1,2],[0,1]] default value" },
      { shape: [7], p: { paddings: [[2, 3]], value: 1.5 }, name: "[[2,3]] value 1.5" },
      { shape: [2, 3, 4], p: { paddings: [[0, 0], [1, 1], [2, 0]], value: -1 }, name: "[[0,0],[1,1],[2,0]] value -1" },
    ],
    { shape: [3, 5], p: { paddings: [[1, 1], [1, 1]] }, name: "[[1,1],[1,1]]", at: [7] },
  ),
];

/** gather: the second argument is an int32 index tensor (not differentiable). */
const gatherRow: Row = {
  op: "gather",
  kind: "movement",
  call: ([x, i], p) => method(x, "gather", i, p.axis),
  ref: ([x, i], p) => nd.gather(x, i, p.axis),
  differentiable: true,
  cases: [
    ...(
      [
        { shape: [5, 3], idx: nd.ndarray([4, 0, 2, 2], [4]), axis: 0, note: "repeated index: gradients add" },
        { shape: [3, 5], idx: nd.ndarray([1, 4], [2]), axis: 1 },
        { shape: [2, 3, 4], idx: nd.ndarray([0, 2, 1, 1], [2, 2]), axis: 1, note: "2-D indices" },
        { shape: [7], idx: nd.ndarray([6, 0, 3], [3]), axis: 0 },
        { shape: [2, 3, 4], idx: nd.ndarray([3, 0, 3, 3, 1], [5]), axis: 2 },
      ] as { shape: number[]; idx: NDArray; axis: number; note?: string }[]
    ).map((g): Case => ({
      name: `${fmt(g.shape)} indices ${JSON.stringify(nd.toNested(g.idx))} axis ${g.axis}${g.note ? ` (${g.note})` : ""}`,
      p: { axis: g.axis },
      args: (r) => [f32(arr(r, g.shape, U(-2, 2))), { t: "i32", a: g.idx }],
    })),
    {
      name: "[5,3] indices [4,1] axis 0 with NaN in rows 1 and 2 (only row 1 is gathered)",
      p: { axis: 0 },
      forwardOnly: true,
      args: (r) => [f32(withNaN(arr(r, [5, 3], U(-2, 2)), [4, 6])), { t: "i32", a: nd.ndarray([4, 1], [2]) }],
    },
  ],
};

/** concat / stack: several tensor arguments. */
function joinRow(op: "concat" | "stack", cases: { shapes: number[][]; axis: number }[], nan: { shapes: number[][]; axis: number }): Row {
  return {
    op,
    kind: "movement",
    call: (xs, p) => fn(op, xs, p.axis),
    ref: (xs, p) => (op === "concat" ? nd.concat(xs, p.axis) : nd.stack(xs, p.axis)),
    differentiable: true,
    cases: [
      ...cases.map((c): Case => ({
        name: `${c.shapes.map(fmt).join(" + ")} axis ${c.axis}`,
        p: { axis: c.axis },
        args: (r) => c.shapes.map((s) => f32(arr(r, s, U(-2, 2)))),
      })),
      {
        name: `${nan.shapes.map(fmt).join(" + ")} axis ${nan.axis} with NaN in the second input`,
        p: { axis: nan.axis },
        forwardOnly: true,
        args: (r) => nan.shapes.map((s, k) => f32(k === 1 ? withNaN(arr(r, s, U(-2, 2)), [1]) : arr(r, s, U(-2, 2)))),
      },
    ],
  };
}

const concatRow = joinRow(
  "concat",
  [
    { shapes: [[3, 5], [2, 5]], axis: 0 },
    { shapes: [[3, 5], [3, 2]], axis: 1 },
    { shapes: [[3, 5], [3, 2]], axis: -1 },
    { shapes: [[7], [1], [4]], axis: 0 },
    { shapes: [[2, 3, 4], [2, 1, 4]], axis: 1 },
  ],
  { shapes: [[2, 3], [2, 3]], axis: 1 },
);

const stackRow = joinRow(
  "stack",
  [
    { shapes: [[3, 5], [3, 5]], axis: 0 },
    { shapes: [[3, 5], [3, 5]], axis: 2 },
    { shapes: [[3, 5], [3, 5]], axis: -1 },
    { shapes: [[7], [7], [7]], axis: 1 },
    { shapes: [[], []], axis: 0 },
  ],
  { shapes: [[2, 3], [2, 3]], axis: 1 },
);

// ------------------------------------------------------------------------------------------ the table

const ROWS: Row[] = [
  ...UNARY.map(unaryRow),
  ...BINARY.map(binaryRow),
  ...COMPARISONS.map(comparisonRow),
  whereRow,
  matmulRow,
  ...(["sum", "mean", "max", "min"] as const).map(reduceRow),
  ...shapeRows,
  gatherRow,
  concatRow,
  stackRow,
];

// ------------------------------------------------------------------------------------------ the harness

/** Reference arrays for each argument (numbers become scalars, "same" the array it aliases). */
function refArgs(args: Arg[]): NDArray[] {
  const out: NDArray[] = [];
  for (const a of args) {
    if (a.t === "num") out.push(nd.scalar(a.v));
    else if (a.t === "same") out.push(out[a.of]);
    else out.push(a.a);
  }
  return out;
}

/** gradtape operands for each argument. Call inside gt.tidy. */
function operands(args: Arg[]): Operand[] {
  const out: Operand[] = [];
  for (const a of args) {
    if (a.t === "f32") out.push(toTensor(a.a));
    else if (a.t === "num") out.push(a.v);
    else if (a.t === "i32") out.push(gt.tensor(Array.from(a.a.data), [...a.a.shape], "int32"));
    else if (a.t === "bool") out.push(method(toTensor(a.a), "greater", 0.5));
    else out.push(out[a.of]);
  }
  return out;
}

/** Indices of the differentiated arguments. */
const diffIndices = (args: Arg[]): number[] => args.flatMap((a, i) => (a.t === "f32" && a.diff ? [i] : []));

/** The reference loss L(z) = sum(ref(args with z substituted) * w), z = the packed differentiated inputs. */
function referenceLoss(row: Row, c: Case, args: Arg[], w: NDArray): { L: (z: Float64Array) => number; z0: Float64Array; shapes: number[][] } {
  const base = refArgs(args);
  const di = diffIndices(args);
  const shapes = di.map((i) => base[i].shape);
  const L = (z: Float64Array): number => {
    const parts = nd.unpack(z, shapes);
    const xs: NDArray[] = [];
    args.forEach((a, i) => {
      const k = di.indexOf(i);
      xs.push(k >= 0 ? parts[k] : a.t === "same" ? xs[a.of] : base[i]);
    });
    return nd.dot(row.ref(xs, c.p), w);
  };
  return { L, z0: nd.pack(di.map((i) => base[i])), shapes };
}

/** sum |w_i y_i|: the size of the terms of L, for the finite differences' rounding bound. */
function lossScale(y: NDArray, w: NDArray): number {
  let s = 0;
  for (let i = 0; i < y.data.length; i++) s += Math.abs(w.data[i] * y.data[i]);
  return s;
}

/** gradient(s) of target w.r.t. sources: the single-tensor form for one source, the array form otherwise. */
function gradients(tape: gt.GradientTape, target: Tensor, sources: Tensor[], options?: { unconnected: "zero" }): (Tensor | null)[] {
  // called through a loose signature so that this file does not depend on the exact overloads
  const t = tape as unknown as { gradient(target: Tensor, sources: unknown, options?: unknown): unknown };
  const call = (src: unknown): unknown => (options ? t.gradient(target, src, options) : t.gradient(target, src));
  if (sources.length === 1) return [call(sources[0]) as Tensor | null];
  const g = call(sources);
  if (!Array.isArray(g)) throw new Error(`tape.gradient(target, [${sources.length} sources]) should return an array, got ${typeof g}`);
  return g as (Tensor | null)[];
}

function runCase(row: Row, c: Case): void {
  const label = `${row.op} ${c.name}`;
  const rng = new Rng(`${row.op}/${c.name}`);
  const args = c.args(rng);
  const xs = refArgs(args);
  const want = row.ref(xs, c.p);
  const tol = TOL[row.kind];
  const before = gt.memory().tensors;
  const jitted: { what: string; f: (ops: Operand[]) => Tensor | (Tensor | null)[] }[] = [{ what: "forward", f: (ops) => row.call(ops, c.p) }];

  // 1. forward (and the function form, when the op has one)
  const fwd = tidyRun(() => {
    const ops = operands(args);
    const y = readTensor(row.call(ops, c.p), `${label}: forward result`);
    const yFn = row.fnForm ? readTensor(row.fnForm(ops, c.p), `${label}: function-form result`) : null;
    return { y, yFn };
  });
  expect(fwd.y.dtype, `${label}: dtype`).toBe(row.kind === "predicate" ? "bool" : "float32");
  const scale = row.absScale ? row.ref(xs.map((x) => nd.map(x, Math.abs)), c.p).data : undefined;
  expectClose(`${label}: forward`, fwd.y, want, { rtol: tol.fwd, atol: c.fwdAtol ?? tol.fwdAtol, scale });
  if (fwd.yFn) {
    expectClose(`${label}: function form gt.${row.op}(...) vs method form`, fwd.yFn, nd.ndarray(fwd.y.data, fwd.y.shape), { rtol: 0 });
  }

  if (row.differentiable && !c.forwardOnly) {
    const di = diffIndices(args);
    expect(di.length, `${label}: test setup has no differentiable input`).toBeGreaterThan(0);
    const w = nd.roundF32(rng.array(want.shape, (r) => r.signedMagnitude(0.5, 1.5)));
    const { L, z0, shapes } = referenceLoss(row, c, args, w);
    const Ls = lossScale(want, w);

    // 2. first derivative: gradient of sum(op(x) * w)
    // (as functions of the operands, so that check 5 can run the very same computation under gt.jit)
    const grad1 = (ops: Operand[]): (Tensor | null)[] => {
      const sources = di.map((i) => ops[i] as Tensor);
      const wt = toTensor(w);
      const tape = new gt.GradientTape();
      const y = tape.record(() => {
        for (const s of sources) tape.watch(s);
        return row.call(ops, c.p).mul(wt).sum();
      });
      return gradients(tape, y, sources);
    };
    const g1 = tidyRun(() => grad1(operands(args)).map((g, k) =>
      readTensor(g, `${label}: gradient w.r.t. input ${di[k]} (it is connected: expected a tensor of shape ${fmt(shapes[k])})`),
    ));
    jitted.push({ what: "first derivative", f: grad1 });
    const gRef = nd.unpack(fd.gradient(L, z0), shapes);
    const fd1 = fd.roundingScale(1, Ls);
    gRef.forEach((gr, k) => {
      expect(g1[k].dtype, `${label}: gradient dtype`).toBe("float32");
      expectClose(`${label}: d/d(input ${di[k]}) of sum(op * w)`, g1[k], gr, { rtol: tol.d1, atol: fd1, floor: Math.max(maxAbs(gr.data), maxAbs(w.data)) });
    });

    // 3. second derivative: nested tapes, gradient of <grad, v>  (= H v)
    if (!c.noSecond) {
      const v = shapes.map((s) => nd.roundF32(rng.array(s, (r) => r.signedMagnitude(0.5, 1.5))));
      const grad2 = (ops: Operand[]): (Tensor | null)[] => {
        const sources = di.map((i) => ops[i] as Tensor);
        const wt = toTensor(w);
        const vt = v.map(toTensor);
        const outer = new gt.GradientTape();
        let target: Tensor | null = null;
        outer.record(() => {
          for (const s of sources) outer.watch(s);
          const inner = new gt.GradientTape();
          const y = inner.record(() => {
            for (const s of sources) inner.watch(s);
            return row.call(ops, c.p).mul(wt).sum();
          });
          gradients(inner, y, sources).forEach((g, k) => {
            if (!g) throw new Error(`${label}: inner gradient w.r.t. input ${di[k]} is null under an outer tape`);
            const term = g.mul(vt[k]).sum();
            target = target ? target.add(term) : term;
          });
        });
        if (!target) throw new Error(`${label}: no second-order target was built`);
        // linear ops have gradients that do not depend on x: unconnected, hence 'zero'
        return gradients(outer, target, sources, { unconnected: "zero" });
      };
      const g2 = tidyRun(() => grad2(operands(args)).map((g, k) =>
        readTensor(g, `${label}: second-order gradient w.r.t. input ${di[k]} (with unconnected: 'zero')`),
      ));
      jitted.push({ what: "second derivative", f: grad2 });
      const hvRef = nd.unpack(fd.hessianVector(L, z0, nd.pack(v)), shapes);
      const fd2 = fd.roundingScale(2, Ls);
      hvRef.forEach((hr, k) => {
        const floor = Math.max(maxAbs(hr.data), maxAbs(w.data) * Math.max(...v.map((vk) => maxAbs(vk.data))));
        expectClose(`${label}: Hessian-vector product w.r.t. input ${di[k]} (nested tapes)`, g2[k], hr, { rtol: tol.d2, atol: fd2, floor });
      });
    }
  }

  // 5. jit: the same computations compiled by gt.jit give the same bits on the traced call and on a replay (with
  // new operand tensors of the same shapes), and the compiled programs release everything they held
  for (const { what, f } of jitted) {
    const read = (r: Tensor | (Tensor | null)[]) => (Array.isArray(r) ? r : [r]).map((t, k) => (t === null ? null : readTensor(t, `${label}: ${what} ${k}`)));
    const eager = tidyRun(() => read(f(operands(args))));
    const J = gt.jit((...ops: Operand[]) => f(ops));
    try {
      for (const call of ["traced", "replayed"]) {
        const got = tidyRun(() => read(J(...operands(args))));
        got.forEach((g, k) => {
          const e = eager[k];
          expect(g === null, `${label}: jit ${what} ${k} null-ness (${call} call)`).toBe(e === null);
          if (g === null || e === null) return;
          expect(g.shape, `${label}: jit ${what} ${k} shape (${call} call)`).toEqual(e.shape);
          expect(g.dtype, `${label}: jit ${what} ${k} dtype (${call} call)`).toBe(e.dtype);
          expect(Array.from(g.data), `${label}: jit ${what} ${k} values (${call} call) must equal eager bit for bit`).toEqual(Array.from(e.data));
        });
      }
      expect(J.traceCount, `${label}: jit ${what}: the second call must replay, not trace again`).toBe(1);
    } finally { J.dispose(); }
  }

  expect(gt.memory().tensors, `${label}: live tensors after the case (before: ${before}) - a leak`).toBe(before);
  expect(gt.memory().programs, `${label}: compiled programs left alive`).toBe(0);
}

// ------------------------------------------------------------------------------------------ the suite

beforeAll(async () => {
  await gt.ready();
});

describe("op conformance: table sanity", () => {
  it("covers every op of the foundation issue", () => {
    const ops = new Set(ROWS.map((r) => r.op));
    const required = [
      ...S.UNARY_NAMES, ...S.BINARY_NAMES, ...COMPARISONS, "where", "matMul", "sum", "mean", "max", "min",
      "reshape", "transpose", "expandDims", "squeeze", "broadcastTo", "slice", "index", "concat", "stack", "gather", "pad",
    ];
    expect(required.filter((o) => !ops.has(o)), "ops without a row").toEqual([]);
    for (const r of ROWS) expect(r.cases.length, `${r.op} has no cases`).toBeGreaterThan(0);
  });
});

for (const row of ROWS) {
  describe(`op ${row.op} (${row.kind})`, () => {
    let start = 0;
    beforeAll(() => {
      start = gt.memory().tensors;
    });
    for (const c of row.cases) it(c.name, () => runCase(row, c));

    if (row.kind === "predicate") {
      it("is not differentiable: a gradient reached only through it is null", () => {
        const before = gt.memory().tensors;
        const g = tidyRun(() => {
          const a = gt.tensor([0.3, -1, 2, 0.5], [4]);
          const b = gt.tensor([0.3, 1, -2, 0], [4]);
          const tape = new gt.GradientTape();
          const y = tape.record(() => {
            tape.watch(a);
            const cond = row.call([a, b], undefined);
            return fn("where", cond, gt.tensor([1, 2, 3, 4], [4]), gt.tensor([5, 6, 7, 8], [4])).sum();
          });
          const grad = tape.gradient(y, a) as Tensor | null;
          return grad === null ? null : `a Tensor of shape [${Array.from(grad.shape)}]`;
        });
        expect(g, `${row.op}: gradient reached only through a comparison should be null (unconnected: 'none')`).toBeNull();
        expect(gt.memory().tensors, `${row.op}: leak`).toBe(before);
      });
    }

    if (row.op === "where") {
      it("the condition is not differentiable; both branches are", () => {
        const before = gt.memory().tensors;
        const [gc, ga, gb] = tidyRun(() => {
          const src = gt.tensor([0.9, 0.1, 0.7, 0.2], [4]);
          const a = gt.tensor([1, 2, 3, 4], [4]);
          const b = gt.tensor([5, 6, 7, 8], [4]);
          const tape = new gt.GradientTape();
          const y = tape.record(() => {
            tape.watch(src);
            tape.watch(a);
            tape.watch(b);
            return fn("where", method(src, "greater", 0.5), a, b).mul(gt.tensor([1, 10, 100, 1000], [4])).sum();
          });
          const gs = tape.gradient(y, [src, a, b]) as unknown as (Tensor | null)[];
          return gs.map((g, k) => (g === null ? null : readTensor(g, `where gradient ${k}`).data));
        });
        expect(gc, "gradient w.r.t. the tensor the condition was computed from").toBeNull();
        expect(ga && Array.from(ga), "gradient w.r.t. a").toEqual([1, 0, 100, 0]);
        expect(gb && Array.from(gb), "gradient w.r.t. b").toEqual([0, 10, 0, 1000]);
        expect(gt.memory().tensors, "where: leak").toBe(before);
      });
    }

    it("leaves no live tensors after the row", () => {
      expect(gt.memory().tensors, `${row.op}: live tensors at the end of the row vs its start`).toBe(start);
    });
  });
}
