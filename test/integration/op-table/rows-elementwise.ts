// Rows of the op table: elementwise ops (unary, binary, comparisons) and where. One row per op; adding an
// elementwise op adds one line to UNARY or BINARY (CONTRIBUTING.md, "Adding an op").
import { nd, scalar as S, type Rng, type NDArray } from "../../reference/index.js";
import erf from "@stdlib/math-base-special-erf";
import { fn, method } from "../op-check.js";
import { U, M, f32, num, arr, withNaN, fmt, draw, type Kind, type Arg, type Case, type Gen, type Row } from "./types.js";

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

/** sign: exact, and not differentiable (its derivative is 0 almost everywhere; gradtape records no gradient). */
const signRow: Row = {
  op: "sign",
  kind: "exact",
  call: ([x]) => method(x, "sign"),
  fnForm: ([x]) => fn("sign", x),
  ref: ([x]) => nd.map(x, (v) => (v > 0 ? 1 : v < 0 ? -1 : v === 0 ? 0 : NaN)),
  differentiable: false,
  cases: [
    ...UNARY_SHAPES.map((sh): Case => ({ name: fmt(sh), forwardOnly: true, args: (r) => [f32(arr(r, sh, U(-2, 2)))] })),
    { name: "[7] with 0, -0 and NaN", forwardOnly: true, args: () => [f32(nd.ndarray([0, -0, NaN, 3, -1e-30, 1e-30, -2], [7]))] },
  ],
};

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


export const ELEMENTWISE_ROWS: Row[] = [...UNARY.map(unaryRow), signRow, ...BINARY.map(binaryRow), ...COMPARISONS.map(comparisonRow), whereRow];
export { COMPARISONS };
