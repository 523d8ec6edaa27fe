// The Tensor class: a handle to a record in the core plus a cached shape and dtype. Methods mirror the op
// functions in ops.ts (TensorFlow.js names and argument order).
import { core, scratch, outMeta, writeScratch, writeFloats, copyFloats, doubles, copyDoubles } from "./backend.js";
import { DisposedTensorError, ArgumentError, ShapeError, throwCoreError, fmtShape, checkShapeArg, DTYPES, type DType, type Described } from "./errors.js";
import { track, untrack, guardLater, settle, Held, type Scope } from "./memory.js";
import * as ops from "./ops.js";
import * as check from "./check.js";

export type TensorLike = Tensor | number;
export type NestedArray = number | boolean | NestedArray[];

export class Tensor {
  #handle: number;
  #disposed = false;
  #held: Held | null = null; // set when the finalizer is armed (guard())
  /** @internal the tidy scope that owns it (memory.ts) */
  scope: Scope | null = null;
  readonly shape: readonly number[];
  readonly dtype: DType;
  /** @internal The shape again, as a plain (not frozen) array that is never written: what the library's own hot paths
   *  read. V8 (Node 20) reads elements of frozen arrays through its generic keyed-load path, ~6x slower than a plain
   *  array's: those reads were ~3.5k instructions of an eager TF-style call (test/bench/eager-overhead.mjs). */
  readonly dims: readonly number[];

  /** @internal Wraps a live core handle (use tensor()/ops to make tensors). `shape` must be a frozen array (it is
   *  kept as it is, and may be shared between tensors): every caller passes one (wrap's shape cache, fromFlat, jit's
   *  recorded output shapes). Object.isFrozen here was a runtime call, ~2.4k instructions of an eager TF-style call. */
  constructor(handle: number, shape: readonly number[], dtype: DType, tracked = true, dims: readonly number[] = shape) {
    this.#handle = handle;
    this.shape = shape;
    this.dims = dims;
    this.dtype = dtype;
    // A tensor in a tidy scope is held by the scope, so it cannot be dropped while it is there: the finalizer (the
    // safety net for dropped tensors) is armed only outside any scope, or when it leaves its scopes (memory.ts).
    if (!(tracked && track(this))) this.guard();
  }

  /** @internal Arms the finalizer for this tensor (once); memory.ts calls it when the tensor leaves every scope. */
  guard(): void {
    if (this.#held !== null || this.#disposed) return;
    this.#held = new Held(this.#handle);
    guardLater(this, this.#held);
  }

  // (an indexed loop: for-of over the shape called the array iterator builtin, ~90 instructions, on every data())
  get size(): number { const s = this.dims; let n = 1; for (let i = 0; i < s.length; i++) n *= s[i]; return n; }
  get rank(): number { return this.dims.length; }
  get isDisposed(): boolean { return this.#disposed; }

  /** The core handle; throws DisposedTensorError naming `op` when the tensor was disposed. */
  handleFor(op: string, arg = "tensor"): number {
    if (this.#disposed) {
      throw new DisposedTensorError(`${op}: ${arg} (shape ${fmtShape(this.shape)}) was already disposed. ` +
        `Keep it alive with keep(t) inside tidy(), or do not call dispose() before this use.`);
    }
    return this.#handle;
  }
  /** @internal */
  get handle(): number { return this.handleFor("use"); }

  dispose(): void {
    if (this.#disposed) return;
    core().tensorRelease(this.detach());
  }
  /** @internal dispose() without the core call: the handle whose reference the caller releases (memory.ts tidy
   *  batches them), or 0 when already disposed. */
  detach(): number {
    if (this.#disposed) return 0;
    this.#disposed = true;
    if (this.#held !== null) settle(this.#held);
    untrack(this);
    return this.#handle;
  }
  [Symbol.dispose](): void { this.dispose(); }

  /** A copy of the values in row-major order: a Float64Array for float64, else a Float32Array (bool and int32 values as numbers). */
  data(): Float32Array | Float64Array {
    const c = core();
    const h = this.handleFor("data");
    const copy = this.dtype === "float64" ? copyDoubles : copyFloats;
    const ptr = c.tensorDataPtr(h);
    if (ptr !== 0 || this.size === 0) return copy(ptr, this.size);
    const hc = c.tensorContiguous(h);
    if (hc === 0) throwCoreError("data", [this]);
    try { return copy(c.tensorDataPtr(hc), this.size); } finally { c.tensorRelease(hc); }
  }
  /** The values in another dtype (ops.cast): float32 <-> float64 is differentiable. */
  cast(dtype: DType): Tensor { return ops.cast(this, dtype); }
  dataSync(): Float32Array | Float64Array { return this.data(); }

  /** Nested arrays of numbers (synchronous). */
  array(): NestedArray {
    const d = this.data();
    if (this.rank === 0) return this.dtype === "bool" ? d[0] : d[0];
    const build = (axis: number, off: number): NestedArray[] => {
      const n = this.shape[axis];
      const out: NestedArray[] = new Array(n);
      let stride = 1;
      for (let i = axis + 1; i < this.rank; i++) stride *= this.shape[i];
      for (let i = 0; i < n; i++) out[i] = axis === this.rank - 1 ? d[off + i] : build(axis + 1, off + i * stride);
      return out;
    };
    return build(0, 0);
  }
  arraySync(): NestedArray { return this.array(); }

  /** The single value of a one-element tensor. */
  item(): number {
    if (this.size !== 1) {
      throw new ShapeError(`item: the tensor must have exactly one element, but its shape is ${fmtShape(this.shape)} (${this.size} elements). Index or reduce it first, e.g. t.index(0) or t.sum().`);
    }
    return this.data()[0];
  }

  toString(): string { return `Tensor(${this.dtype}, ${fmtShape(this.shape)}) ${JSON.stringify(this.array())}`; }
  print(): void { console.log(this.toString()); }
  clone(): Tensor { return ops.clone(this); }

  // elementwise math
  neg(): Tensor { return ops.neg(this); }
  abs(): Tensor { return ops.abs(this); }
  exp(): Tensor { return ops.exp(this); }
  log(): Tensor { return ops.log(this); }
  sqrt(): Tensor { return ops.sqrt(this); }
  square(): Tensor { return ops.square(this); }
  reciprocal(): Tensor { return ops.reciprocal(this); }
  sin(): Tensor { return ops.sin(this); }
  cos(): Tensor { return ops.cos(this); }
  atan(): Tensor { return ops.atan(this); }
  erf(): Tensor { return ops.erf(this); }
  tanh(): Tensor { return ops.tanh(this); }
  sigmoid(): Tensor { return ops.sigmoid(this); }
  relu(): Tensor { return ops.relu(this); }
  softplus(): Tensor { return ops.softplus(this); }
  sign(): Tensor { return ops.sign(this); }
  add(b: TensorLike): Tensor { return ops.add(this, b); }
  sub(b: TensorLike): Tensor { return ops.sub(this, b); }
  mul(b: TensorLike): Tensor { return ops.mul(this, b); }
  div(b: TensorLike): Tensor { return ops.div(this, b); }
  pow(b: TensorLike): Tensor { return ops.pow(this, b); }
  maximum(b: TensorLike): Tensor { return ops.maximum(this, b); }
  minimum(b: TensorLike): Tensor { return ops.minimum(this, b); }
  equal(b: TensorLike): Tensor { return ops.equal(this, b); }
  notEqual(b: TensorLike): Tensor { return ops.notEqual(this, b); }
  less(b: TensorLike): Tensor { return ops.less(this, b); }
  lessEqual(b: TensorLike): Tensor { return ops.lessEqual(this, b); }
  greater(b: TensorLike): Tensor { return ops.greater(this, b); }
  greaterEqual(b: TensorLike): Tensor { return ops.greaterEqual(this, b); }
  matMul(b: Tensor, transposeA = false, transposeB = false): Tensor { return ops.matMul(this, b, transposeA, transposeB); }
  matmul(b: Tensor, transposeA = false, transposeB = false): Tensor { return ops.matMul(this, b, transposeA, transposeB); }
  // reductions
  sum(axis?: number | number[], keepDims = false): Tensor { return ops.sum(this, axis, keepDims); }
  mean(axis?: number | number[], keepDims = false): Tensor { return ops.mean(this, axis, keepDims); }
  max(axis?: number | number[], keepDims = false): Tensor { return ops.max(this, axis, keepDims); }
  min(axis?: number | number[], keepDims = false): Tensor { return ops.min(this, axis, keepDims); }
  // shapes and views
  reshape(shape: number[]): Tensor { return ops.reshape(this, shape); }
  flatten(): Tensor { return ops.reshape(this, [-1]); }
  transpose(perm?: number[]): Tensor { return ops.transpose(this, perm); }
  expandDims(axis = 0): Tensor { return ops.expandDims(this, axis); }
  squeeze(axis?: number | number[]): Tensor { return ops.squeeze(this, axis); }
  broadcastTo(shape: number[]): Tensor { return ops.broadcastTo(this, shape); }
  slice(begin: number | number[], size?: number | number[], stride?: number | number[]): Tensor { return ops.slice(this, begin, size, stride); }
  index(...indices: number[]): Tensor { return ops.index(this, ...indices); }
  gather(indices: Tensor | number[], axis = 0): Tensor { return ops.gather(this, indices, axis); }
  pad(paddings: [number, number][], constantValue = 0): Tensor { return ops.pad(this, paddings, constantValue); }
}

/** Wraps a handle returned by the core, or throws the core's error for `op`. */
export function wrap(h: number, op: string, inputs?: readonly Described[], names?: readonly string[]): Tensor {
  if (h === 0) throwCoreError(op, inputs, names);
  // an op's result: its metadata is where the core wrote it on return (outMeta); any other handle (a gradient's
  // results, read from the scratch) is asked for
  const m = outMeta();
  if (m[0] === h) return fromMeta(h, m, 1);
  const meta = core().tensorMeta(h);
  return fromMeta(h, scratch(), -1, meta);
}
/** @internal A live handle wrapped from metadata the core wrote at s[at]: rank | dtype << 8, then the shape (or
 *  `meta` given, and the shape from s[at + 1]). */
export function fromMeta(h: number, s: Int32Array, at: number, meta = s[at]): Tensor {
  const i = shapeOf(meta & 0xff, s, at + 1);
  return new Tensor(h, i < 0 ? lastShape : frozen[i]!, DTYPES[meta >> 8] ?? "float32", true, i < 0 ? lastDims : plain[i]!);
}

// Shapes of rank <= 2 are shared between tensors (a shape is never written, and freezing one per op cost as much as
// the rest of wrap()): a small direct-mapped cache, checked by content (a miss just replaces the slot, so it never
// grows), holding each shape frozen (Tensor.shape) and plain (Tensor.dims), with its key in typed arrays (reading
// the frozen arrays' elements to compare was the slow path; see Tensor.dims). Slots 0-63 rank 1, 64-319 rank 2,
// 320 the scalar.
const SLOTS = 321;
const frozen: (readonly number[] | undefined)[] = new Array(SLOTS).fill(undefined);
const plain: (readonly number[] | undefined)[] = new Array(SLOTS).fill(undefined);
const key0 = new Int32Array(SLOTS).fill(-1), key1 = new Int32Array(SLOTS).fill(-1);
frozen[320] = Object.freeze([]); plain[320] = [];
let lastShape: readonly number[] = frozen[320]!, lastDims: readonly number[] = plain[320]!;
/** The cache slot of the shape of rank r at s[at..], or -1 (rank > 2: then it is in lastShape and lastDims). */
function shapeOf(r: number, s: Int32Array, at: number): number {
  if (r === 2) {
    const a = s[at], b = s[at + 1], i = 64 + ((a * 31 + b) & 255);
    if (key0[i] !== a || key1[i] !== b || frozen[i] === undefined) {
      const d = [a, b];
      plain[i] = d; frozen[i] = Object.freeze(d.slice()); key0[i] = a; key1[i] = b;
    }
    return i;
  }
  if (r === 1) {
    const a = s[at], i = a & 63;
    if (key0[i] !== a || frozen[i] === undefined) { plain[i] = [a]; frozen[i] = Object.freeze([a]); key0[i] = a; }
    return i;
  }
  if (r === 0) return 320;
  const d = Array.from(s.subarray(at, at + r));
  lastDims = d; lastShape = Object.freeze(d.slice());
  return -1;
}

/** Flattens nested arrays, checking that they are rectangular and numeric. */
function flatten(values: NestedArray | ArrayLike<number>, op: string): { data: ArrayLike<number>; shape: number[]; bool: boolean } {
  if (typeof values === "number" || typeof values === "boolean") return { data: [Number(values)], shape: [], bool: typeof values === "boolean" };
  // a typed array is used as it is: the copy into the core is then one memcpy for a Float32Array (a [10000, 2]
  // Float32Array: 0.8 -> 0.04 ms, first call 2.4 -> 0.85 ms) instead of a JS array made and converted element by element
  if (ArrayBuffer.isView(values) && !(values instanceof DataView)) return { data: values as unknown as ArrayLike<number>, shape: [(values as unknown as ArrayLike<number>).length], bool: false };
  if (ArrayBuffer.isView(values)) return { data: Array.from(values as unknown as ArrayLike<number>), shape: [(values as unknown as ArrayLike<number>).length], bool: false };
  const shape: number[] = [];
  let v: unknown = values;
  while (Array.isArray(v)) { shape.push(v.length); v = v[0]; }
  const data: number[] = [];
  let bool = false;
  const walk = (x: unknown, depth: number, path: number[]): void => {
    if (depth === shape.length) {
      if (typeof x === "number") data.push(x);
      else if (typeof x === "boolean") { data.push(x ? 1 : 0); bool = true; }
      else throw new ArgumentError(`${op}: the element at [${path.join("][")}] is ${x === null ? "null" : typeof x === "string" ? JSON.stringify(x) + " (a string)" : Array.isArray(x) ? "an array (the nesting is deeper here than elsewhere)" : typeof x}; expected a number. Convert the values to numbers first.`);
      return;
    }
    if (!Array.isArray(x) || x.length !== shape[depth]) {
      throw new ArgumentError(`${op}: the nested arrays are not rectangular: at [${path.join("][")}] expected an array of length ${shape[depth]}, got ${Array.isArray(x) ? `length ${x.length}` : typeof x}. Every row must have the same length.`);
    }
    for (let i = 0; i < x.length; i++) walk(x[i], depth + 1, [...path, i]);
  };
  walk(values, 0, []);
  return { data, shape, bool };
}

function checkShape(shape: readonly number[], op: string): void { checkShapeArg(op, "shape", shape); }

/** Makes a tensor from nested arrays, a flat array/typed array plus shape, or a scalar. */
export function tensor(values: NestedArray | ArrayLike<number>, shape?: number[], dtype?: DType): Tensor {
  if (shape !== undefined) check.shape("tensor", "shape", shape); if (dtype !== undefined) check.dtype("tensor", "dtype", dtype);
  // A Float32Array with a shape (how points reach a network in a loop) needs none of the nested-array checks: its
  // values are numbers already, and copying them into a JS array first doubled the cost of a one-point evaluation's
  // input. Same checks on the shape and the count as below.
  if (values instanceof Float32Array && shape !== undefined && (dtype === undefined || dtype === "float32")) {
    checkShape(shape, "tensor");
    const n = shape.reduce((a, b) => a * b, 1);
    if (n !== values.length) {
      throw new ArgumentError(`tensor: ${values.length} values cannot fill shape ${fmtShape(shape)} (${n} elements). Give a shape whose product is ${values.length}.`);
    }
    return fromFlat(values, shape, "float32", "tensor");
  }
  const flat = flatten(values, "tensor");
  const finalShape = shape ?? flat.shape;
  checkShape(finalShape, "tensor");
  const n = finalShape.reduce((a, b) => a * b, 1);
  if (n !== flat.data.length) {
    throw new ArgumentError(`tensor: ${flat.data.length} values cannot fill shape ${fmtShape(finalShape)} (${n} elements). Give a shape whose product is ${flat.data.length}.`);
  }
  const dt: DType = dtype ?? (flat.bool ? "bool" : "float32");
  if (!DTYPES.includes(dt)) throw new ArgumentError(`tensor: dtype must be one of ${DTYPES.join(", ")}, got ${JSON.stringify(dt)}.`);
  return fromFlat(check.values("tensor", flat.data, dt), finalShape, dt, "tensor");
}

/** @internal */
export function fromFlat(data: ArrayLike<number>, shape: readonly number[], dtype: DType, op: string, tracked = true): Tensor {
  const c = core();
  writeScratch(shape);
  const h = c.tensorNew(shape.length, DTYPES.indexOf(dtype));
  if (h === 0) throwCoreError(op);
  if (data.length > 0) {
    if (dtype === "float64") doubles(c.tensorDataPtr(h), data.length).set(data);
    else writeFloats(c.tensorDataPtr(h), data);
  }
  return new Tensor(h, Object.freeze(shape.slice()), dtype, tracked, shape.slice());
}

export function scalar(value: number, dtype: DType = "float32"): Tensor {
  if (typeof value !== "boolean") check.num("scalar", "value", value); check.dtype("scalar", "dtype", dtype);
  return tensor(value, [], dtype);
}
