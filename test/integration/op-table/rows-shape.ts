// Rows of the op table: shape ops (views), gather, concat and stack.
import { nd, type NDArray } from "../../reference/index.js";
import { fn, method, type Operand, type Tensor } from "../op-check.js";
import { U, f32, arr, withNaN, fmt, type Case, type Params, type Row } from "./types.js";

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


export const SHAPE_ROWS: Row[] = [...shapeRows, gatherRow, concatRow, stackRow];
