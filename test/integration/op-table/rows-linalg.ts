// Rows of the op table: matmul and the reductions.
import { nd, type Rng, type NDArray } from "../../reference/index.js";
import { fn, method } from "../op-check.js";
import { U, f32, arr, withNaN, fmt, type Case, type Row } from "./types.js";

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


export const LINALG_ROWS: Row[] = [matmulRow, ...(["sum", "mean", "max", "min"] as const).map(reduceRow)];
