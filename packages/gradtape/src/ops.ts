// Functional ops: thin wrappers that pass handles to the core and wrap the result. Numbers given where a tensor
// is expected become constants; arithmetic with a number uses the core's affine op (no temporary tensor).
import { core, scratch, writeScratch } from "./backend.js";
import { ArgumentError, argError, ShapeError, fmtShape, checkShapeArg, DTYPES, MAX_ELEMENTS, type DType } from "./errors.js";
import { Tensor, wrap, fromFlat, tensor, type TensorLike } from "./tensor.js";
import * as check from "./check.js";

const Op = () => core().Op;

function h(t: Tensor, op: string, arg: string): number {
  if (!(t instanceof Tensor)) throw argError(op, arg, "a Tensor", t, "Create one with tensor(values).");
  return t.handleFor(op, arg);
}

function unary(code: number, name: string, x: Tensor): Tensor {
  return wrap(core().unaryOp(code, h(x, name, "x")), name, [x], ["x"]);
}

export const neg = (x: Tensor) => unary(Op().Neg, "neg", x);
export const abs = (x: Tensor) => unary(Op().Abs, "abs", x);
export const exp = (x: Tensor) => unary(Op().Exp, "exp", x);
export const log = (x: Tensor) => unary(Op().Log, "log", x);
export const sqrt = (x: Tensor) => unary(Op().Sqrt, "sqrt", x);
export const square = (x: Tensor) => unary(Op().Square, "square", x);
export const reciprocal = (x: Tensor) => unary(Op().Reciprocal, "reciprocal", x);
export const sin = (x: Tensor) => unary(Op().Sin, "sin", x);
export const cos = (x: Tensor) => unary(Op().Cos, "cos", x);
export const atan = (x: Tensor) => unary(Op().Atan, "atan", x);
export const erf = (x: Tensor) => unary(Op().Erf, "erf", x);
export const tanh = (x: Tensor) => unary(Op().Tanh, "tanh", x);
export const sigmoid = (x: Tensor) => unary(Op().Sigmoid, "sigmoid", x);
export const relu = (x: Tensor) => unary(Op().Relu, "relu", x);
export const softplus = (x: Tensor) => unary(Op().Softplus, "softplus", x);
/** sign(x) in {-1, 0, 1}; not differentiable (its derivative is 0 almost everywhere) */
export const sign = (x: Tensor) => unary(Op().Sign, "sign", x);

/** a*x + b with constants a, b. */
export function affine(x: Tensor, a: number, b: number): Tensor { return affineAs("affine", "x", x, a, b); }
/** affine reached through add/sub/mul/div with a number: errors name the op and argument the user wrote
 *  ("add: 'a' was already disposed"), not the internal "affine". */
function affineAs(op: string, arg: string, x: Tensor, a: number, b: number): Tensor {
  check.num(op, "a", a); check.num(op, "b", b);
  return wrap(core().affineOp(h(x, op, arg), a, b), op, [x], [arg]);
}
export function clone(x: Tensor): Tensor { return wrap(core().copyOp(h(x, "clone", "x")), "clone", [x]); }

function isNum(v: unknown): v is number { return typeof v === "number"; }

function binary(code: number, name: string, a: TensorLike, b: TensorLike, dtype?: DType): Tensor {
  const A = isNum(a) ? tensor(a, [], dtype ?? (b instanceof Tensor ? b.dtype : "float32")) : a;
  const B = isNum(b) ? tensor(b, [], dtype ?? (A instanceof Tensor ? A.dtype : "float32")) : b;
  try {
    return wrap(core().binaryOp(code, h(A, name, "a"), h(B, name, "b")), name, [A, B], ["a", "b"]);
  } finally {
    if (A !== a) A.dispose();
    if (B !== b) B.dispose();
  }
}

export function add(a: TensorLike, b: TensorLike): Tensor {
  if (isNum(b) && a instanceof Tensor) return affineAs("add", "a", a, 1, b);
  if (isNum(a) && b instanceof Tensor) return affineAs("add", "b", b, 1, a);
  return binary(Op().Add, "add", a, b);
}
export function sub(a: TensorLike, b: TensorLike): Tensor {
  if (isNum(b) && a instanceof Tensor) return affineAs("sub", "a", a, 1, -b);
  if (isNum(a) && b instanceof Tensor) return affineAs("sub", "b", b, -1, a);
  return binary(Op().Sub, "sub", a, b);
}
export function mul(a: TensorLike, b: TensorLike): Tensor {
  if (isNum(b) && a instanceof Tensor) return affineAs("mul", "a", a, b, 0);
  if (isNum(a) && b instanceof Tensor) return affineAs("mul", "b", b, a, 0);
  return binary(Op().Mul, "mul", a, b);
}
export function div(a: TensorLike, b: TensorLike): Tensor {
  if (isNum(b) && a instanceof Tensor) return affineAs("div", "a", a, 1 / b, 0);
  return binary(Op().Div, "div", a, b);
}
export const pow = (a: TensorLike, b: TensorLike) => binary(Op().Pow, "pow", a, b);
export const maximum = (a: TensorLike, b: TensorLike) => binary(Op().Maximum, "maximum", a, b);
export const minimum = (a: TensorLike, b: TensorLike) => binary(Op().Minimum, "minimum", a, b);
export const equal = (a: TensorLike, b: TensorLike) => binary(Op().Equal, "equal", a, b);
export const notEqual = (a: TensorLike, b: TensorLike) => binary(Op().NotEqual, "notEqual", a, b);
export const less = (a: TensorLike, b: TensorLike) => binary(Op().Less, "less", a, b);
export const lessEqual = (a: TensorLike, b: TensorLike) => binary(Op().LessEqual, "lessEqual", a, b);
export const greater = (a: TensorLike, b: TensorLike) => binary(Op().Greater, "greater", a, b);
export const greaterEqual = (a: TensorLike, b: TensorLike) => binary(Op().GreaterEqual, "greaterEqual", a, b);

/** where(condition, a, b): a where condition is true, else b (broadcasting); differentiable in a and b. */
export function where(condition: Tensor, a: TensorLike, b: TensorLike): Tensor {
  check.tensorArg("where", "condition", condition);
  const A = isNum(a) ? tensor(a, []) : a, B = isNum(b) ? tensor(b, []) : b;
  try {
    return wrap(core().whereOp(h(condition, "where", "condition"), h(A, "where", "a"), h(B, "where", "b")), "where", [condition, A, B], ["condition", "a", "b"]);
  } finally {
    if (A !== a) A.dispose();
    if (B !== b) B.dispose();
  }
}

export function matMul(a: Tensor, b: Tensor, transposeA = false, transposeB = false): Tensor {
  check.bool("matMul", "transposeA", transposeA); check.bool("matMul", "transposeB", transposeB);
  const ha = h(a, "matMul", "a"), hb = h(b, "matMul", "b");
  if (a.rank < 2 || b.rank < 2) {
    throw new ShapeError(`matMul: both arguments must have rank >= 2, got a ${fmtShape(a.shape)} and b ${fmtShape(b.shape)}. Use expandDims or reshape to make a vector a [1, n] or [n, 1] matrix.`);
  }
  const k1 = a.dims[a.rank - (transposeA ? 2 : 1)], k2 = b.dims[b.rank - (transposeB ? 1 : 2)];
  if (k1 !== k2) {
    throw new ShapeError(`matMul: inner dimensions differ: a ${fmtShape(a.shape)}${transposeA ? " (transposed)" : ""} has ${k1} columns but b ${fmtShape(b.shape)}${transposeB ? " (transposed)" : ""} has ${k2} rows. Check the operand order or the transpose flags.`);
  }
  return wrap(core().matMulOp(ha, hb, transposeA, transposeB), "matMul", [a, b], ["a", "b"]);
}
export const matmul = matMul;

function reduce(code: number, name: string, x: Tensor, axis: number | number[] | undefined, keepDims: boolean): Tensor {
  check.reduceArgs(name, x, axis, keepDims);
  const hx = h(x, name, "x");
  let n = -1;
  if (axis !== undefined) {
    const axes = Array.isArray(axis) ? axis : [axis];
    for (const a of axes) if (!Number.isInteger(a)) throw argError(name, "axis", "an integer or an array of integers", a, "");
    writeScratch(axes);
    n = axes.length;
  }
  return wrap(core().reduceOp(code, hx, n, keepDims), name, [x], ["x"]);
}
export const sum = (x: Tensor, axis?: number | number[], keepDims = false) => reduce(Op().Sum, "sum", x, axis, keepDims);
export const mean = (x: Tensor, axis?: number | number[], keepDims = false) => reduce(Op().Mean, "mean", x, axis, keepDims);
export const max = (x: Tensor, axis?: number | number[], keepDims = false) => reduce(Op().Max, "max", x, axis, keepDims);
export const min = (x: Tensor, axis?: number | number[], keepDims = false) => reduce(Op().Min, "min", x, axis, keepDims);

export function reshape(x: Tensor, shape: number[]): Tensor {
  check.tensorArg("reshape", "x", x); check.intList("reshape", "shape", shape, -1, check.INT32_MAX);
  const hx = h(x, "reshape", "x");
  const s = shape.slice();
  const free = s.indexOf(-1);
  if (s.some((d, i) => !Number.isInteger(d) || d < -1 || (d === -1 && i !== free))) {
    throw argError("reshape", "shape", "non-negative integers with at most one -1", shape, "");
  }
  if (free >= 0) {
    const known = s.reduce((a, d) => (d === -1 ? a : a * d), 1);
    if (known === 0 || x.size % known !== 0) throw new ShapeError(`reshape: cannot reshape ${fmtShape(x.shape)} (${x.size} elements) into ${fmtShape(shape)}: ${x.size} is not a multiple of ${known}.`);
    s[free] = x.size / known;
  }
  const n = s.reduce((a, b) => a * b, 1);
  if (n !== x.size) throw new ShapeError(`reshape: cannot reshape ${fmtShape(x.shape)} (${x.size} elements) into ${fmtShape(shape)} (${n} elements); the sizes must match.`);
  writeScratch(s);
  return wrap(core().reshapeOp(hx, s.length), "reshape", [x]);
}

export function transpose(x: Tensor, perm?: number[]): Tensor {
  check.tensorArg("transpose", "x", x); if (perm !== undefined) check.intList("transpose", "perm", perm);
  const hx = h(x, "transpose", "x");
  const p = perm ?? x.shape.map((_, i) => x.rank - 1 - i);
  // A repeated or missing axis is checked here: the core only reports "axis 0 is out of range", which is wrong
  // for perm [0, 0] on a matrix.
  const isPerm = p.length === x.rank && p.every((v) => Number.isInteger(v)) && [...p].sort((u, v) => u - v).every((v, i) => v === i);
  if (!isPerm) throw argError("transpose", "perm", `a permutation of [${x.shape.map((_, i) => i).join(", ")}] (each axis once)`, p, "");
  writeScratch(p);
  return wrap(core().transposeOp(hx), "transpose", [x]);
}

function normAxis(axis: number, rank: number, op: string): number {
  if (!Number.isInteger(axis) || axis < -rank || axis >= rank) {
    throw new ArgumentError(`${op}: axis ${axis} is out of range for rank ${rank}; use -${rank} <= axis < ${rank}.`);
  }
  return axis < 0 ? axis + rank : axis;
}

export function expandDims(x: Tensor, axis = 0): Tensor {
  check.tensorArg("expandDims", "x", x);
  const a = normAxis(axis, x.rank + 1, "expandDims");
  const s = x.shape.slice(); s.splice(a, 0, 1);
  return reshape(x, s);
}

export function squeeze(x: Tensor, axis?: number | number[]): Tensor {
  check.tensorArg("squeeze", "x", x); if (axis !== undefined) check.axes("squeeze", "axis", axis, x.rank);
  const axes = axis === undefined ? x.shape.map((d, i) => (d === 1 ? i : -1)).filter((i) => i >= 0)
    : (Array.isArray(axis) ? axis : [axis]).map((a) => normAxis(a, x.rank, "squeeze"));
  for (const a of axes) if (x.shape[a] !== 1) throw new ShapeError(`squeeze: axis ${a} of ${fmtShape(x.shape)} has size ${x.shape[a]}, not 1.`);
  return reshape(x, x.shape.filter((_, i) => !axes.includes(i)));
}

export function broadcastTo(x: Tensor, shape: number[]): Tensor {
  const hx = h(x, "broadcastTo", "x");
  checkShapeArg("broadcastTo", "shape", shape);
  writeScratch(shape);
  return wrap(core().broadcastToOp(hx, shape.length), "broadcastTo", [x, { shape }], ["x", "shape"]);
}

/**
 * slice(begin, size?, stride?): a view. size -1 (or omitted) runs to the end of the axis; a number applies to the
 * first axis. Works as a gradient source even when made after the forward pass.
 */
export function slice(x: Tensor, begin: number | number[], size?: number | number[], stride?: number | number[]): Tensor {
  check.sliceArgs(x, begin, size, stride);
  const hx = h(x, "slice", "x");
  const r = x.rank;
  const b = Array.isArray(begin) ? begin : [begin];
  const s = size === undefined ? undefined : Array.isArray(size) ? size : [size];
  const st = stride === undefined ? undefined : Array.isArray(stride) ? stride : [stride];
  if (b.length > r) throw argError("slice", "begin", `at most ${r} values (the rank)`, begin, "");
  // begin, size and stride per axis (missing: 0, -1 = to the end, 1) written straight to the scratch (3 * rank <= 24
  // values): no arrays copied or spread per call
  const sc = scratch();
  for (let i = 0; i < r; i++) {
    let bi = b[i] ?? 0;
    if (bi < 0) bi += x.dims[i];
    sc[i] = bi;
    sc[r + i] = s?.[i] ?? -1;
    sc[2 * r + i] = st?.[i] ?? 1;
  }
  return wrap(core().sliceOp(hx), "slice", [x], ["x"]);
}

/** x[i0, i1, ...]: a view without the leading axes; negative indices count from the end. */
export function index(x: Tensor, ...indices: number[]): Tensor {
  check.indexArgs("index", x, indices);
  const hx = h(x, "index", "x");
  if (indices.length > x.rank) throw new ArgumentError(`index: ${indices.length} indices for a tensor of rank ${x.rank} (shape ${fmtShape(x.shape)}).`);
  for (const i of indices) if (!Number.isInteger(i)) throw argError("index", "each index", "an integer", i, "");
  writeScratch(indices);
  return wrap(core().indexOp(hx, indices.length), "index", [x], ["x"]);
}

export function gather(x: Tensor, indices: Tensor | number[], axis = 0): Tensor {
  check.gatherArgs(x, indices, axis);
  const hx = h(x, "gather", "x");
  const I = Array.isArray(indices) ? tensor(indices, [indices.length], "int32") : indices;
  try {
    return wrap(core().gatherOp(hx, h(I, "gather", "indices"), axis), "gather", [x, I], ["x", "indices"]);
  } finally { if (I !== indices) I.dispose(); }
}

export function pad(x: Tensor, paddings: [number, number][], constantValue = 0): Tensor {
  check.padArgs(x, paddings, constantValue);
  const hx = h(x, "pad", "x");
  if (!Array.isArray(paddings) || paddings.length !== x.rank) throw argError("pad", "paddings", `${x.rank} pairs [before, after]`, paddings, "");
  writeScratch(paddings.flat());
  return wrap(core().padOp(hx, constantValue), "pad", [x], ["x"]);
}

export function concat(tensors: Tensor[], axis = 0): Tensor {
  check.tensorList("concat", "tensors", tensors); check.axes("concat", "axis", axis, Math.max(1, tensors[0].rank));
  if (!Array.isArray(tensors) || tensors.length === 0) throw argError("concat", "tensors", "a non-empty array of tensors", tensors, "");
  // (every tensor was checked live above, so no handle read can throw here; the list goes straight to the scratch)
  const n = tensors.length, sc = scratch();
  for (let i = 0; i < n; i++) sc[i] = tensors[i].handleFor("concat");
  // Shapes are checked here so the message states the rule for concat (the core's generic ShapeMismatch text speaks
  // of broadcasting, which concat does not do).
  const r = tensors[0].rank;
  const ax = Number.isInteger(axis) && axis >= -r && axis < r ? (axis < 0 ? axis + r : axis) : -1;
  for (let i = 1; ax >= 0 && i < n; i++) {
    const s0 = tensors[0].dims, si = tensors[i].dims;
    let same = si.length === r;
    for (let k = 0; same && k < r; k++) if (k !== ax && si[k] !== s0[k]) same = false;
    if (!same) {
      throw new ShapeError(`concat: tensors[${i}] has shape ${fmtShape(si)} but tensors[0] has shape ${fmtShape(s0)}; along axis ${ax} they are joined, every other axis must be equal (and the ranks too).`);
    }
  }
  const out = core().concatOp(n, axis);
  // (the inputs' names are only needed for the core's error message)
  return out !== 0 ? wrap(out, "concat") : wrap(out, "concat", tensors, tensors.map((_, i) => `tensors[${i}]`));
}

export function stack(tensors: Tensor[], axis = 0): Tensor {
  check.tensorList("stack", "tensors", tensors); check.axes("stack", "axis", axis, tensors[0].rank + 1);
  if (!Array.isArray(tensors) || tensors.length === 0) throw argError("stack", "tensors", "a non-empty array of tensors", tensors, "");
  const r = tensors[0].rank;
  for (let i = 1; i < tensors.length; i++) {
    if (tensors[i].shape.join() !== tensors[0].shape.join()) throw new ShapeError(`stack: all tensors must have the same shape; tensors[0] is ${fmtShape(tensors[0].shape)} but tensors[${i}] is ${fmtShape(tensors[i].shape)}.`);
  }
  const a = normAxis(axis, r + 1, "stack");
  const expanded = tensors.map((t) => expandDims(t, a));
  try { return concat(expanded, a); } finally { for (const e of expanded) e.dispose(); }
}

// ---- creation ----
function fill_(shape: number[], value: number, dtype: DType, op: string): Tensor {
  check.shape(op, "shape", shape); check.dtype(op, "dtype", dtype); value = check.value(op, "value", value, dtype);
  writeScratch(shape);
  return wrap(core().fillOp(shape.length, value, DTYPES.indexOf(dtype)), op);
}
export const zeros = (shape: number[], dtype: DType = "float32") => fill_(shape, 0, dtype, "zeros");
export const ones = (shape: number[], dtype: DType = "float32") => fill_(shape, 1, dtype, "ones");
export const fill = (shape: number[], value: number, dtype: DType = "float32") => fill_(shape, value, dtype, "fill");
export const zerosLike = (x: Tensor) => zeros(check.tensorArg("zerosLike", "x", x).shape.slice(), x.dtype);
export const onesLike = (x: Tensor) => ones(check.tensorArg("onesLike", "x", x).shape.slice(), x.dtype);
export function eye(n: number, m = n, dtype: DType = "float32"): Tensor {
  check.int("eye", "n", n, 0, MAX_ELEMENTS); check.int("eye", "m", m, 0, MAX_ELEMENTS); check.shape("eye", "[n, m]", [n, m]); check.dtype("eye", "dtype", dtype);
  return wrap(core().eyeOp(n, m, DTYPES.indexOf(dtype)), "eye");
}
export function range(start: number, stop?: number, step = 1, dtype: DType = "float32"): Tensor {
  if (stop === undefined) { stop = start; start = 0; }
  check.rangeArgs(start, stop, step, dtype);
  return wrap(core().rangeOp(start, stop, step, DTYPES.indexOf(dtype)), "range", [], ["start", "stop", "step"]);
}
export function linspace(start: number, stop: number, num: number, dtype: DType = "float32"): Tensor {
  check.num("linspace", "start", start, true); check.num("linspace", "stop", stop, true); check.int("linspace", "num", num, 0, MAX_ELEMENTS); check.dtype("linspace", "dtype", dtype);
  return wrap(core().linspaceOp(start, stop, num, DTYPES.indexOf(dtype)), "linspace");
}
/** x's values in another dtype. float32 <-> float64 is differentiable (the gradient is cast back); int32 truncates, bool is x != 0. */
export function cast(x: Tensor, dtype: DType): Tensor {
  const hx = h(x, "cast", "x"); check.dtype("cast", "dtype", dtype);
  return wrap(core().castOp(hx, DTYPES.indexOf(dtype)), "cast", [x], ["x", "dtype"]);
}
export { fromFlat };
