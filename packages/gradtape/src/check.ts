// The one argument-checking layer of the public API (issue 14). Every public function checks what it was given at
// its top with these, before anything reaches the core: integers, shapes, axes and handle lists cross into wasm as
// 32-bit integers, where 2^32 silently became 0 and 2.5 became 2, so a value that is not an integer in range is
// refused here, never truncated. Each error is a GradtapeError subclass whose message names the function, the
// argument, what was expected and what was given.
//
// Value conversion rules (tensor(), fill()): float32 values are rounded to the nearest float32; int32 tensors hold
// integers of magnitude up to 2^24 = 16,777,216 (they are stored in 32-bit floats, which represent every integer
// up to there exactly and no further, so 16,777,217 is refused rather than stored as 16,777,216); bool tensors hold
// 0 and 1 (true/false, or numbers: 0 is false, any other number true, as Boolean(x) and NumPy's astype(bool)).
import { core } from "./backend.js";
import { GradtapeError, ArgumentError, DTypeError, IndexError, ShapeError, MAX_ELEMENTS, DTYPES, describe, fmtShape, outOfMemory, type DType } from "./errors.js";
import { Tensor } from "./tensor.js";

export const INT32_MIN = -(2 ** 31), INT32_MAX = 2 ** 31 - 1;
/** The largest integer an int32 tensor stores exactly (see the conversion rules above). */
export const MAX_EXACT_INT = 2 ** 24;
/** The most tensors (or shape entries) one call can pass to the core: the size of its integer scratch area. */
export const MAX_LIST = 1024;

/** An integer in [min, max]; anything else (a fraction, a string, NaN, 2^32) is an ArgumentError. */
export function int(op: string, name: string, v: unknown, min = INT32_MIN, max = INT32_MAX): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) {
    throw new ArgumentError(`${op}: ${name} must be an integer in [${min}, ${max}], but got ${describe(v)}.` +
      (typeof v === "number" && Number.isInteger(v) ? "" : typeof v === "string" ? " Convert it with Number() first." : ""));
  }
  return v;
}

/** A number (any float, NaN and infinities included, when finite is false). */
export function num(op: string, name: string, v: unknown, finite = false): number {
  if (typeof v !== "number" || (finite && !Number.isFinite(v))) {
    throw new ArgumentError(`${op}: ${name} must be a ${finite ? "finite " : ""}number, but got ${describe(v)}.`);
  }
  return v;
}

export function bool(op: string, name: string, v: unknown): boolean {
  if (typeof v !== "boolean") throw new ArgumentError(`${op}: ${name} must be true or false, but got ${describe(v)}.`);
  return v;
}

export function fn(op: string, name: string, v: unknown): void {
  if (typeof v !== "function") throw new ArgumentError(`${op}: ${name} must be a function, but got ${describe(v)}.`);
}

/** An array of integers, each in [min, max], at most MAX_LIST long. */
export function intList(op: string, name: string, v: unknown, min = INT32_MIN, max = INT32_MAX): number[] {
  if (!Array.isArray(v)) throw new ArgumentError(`${op}: ${name} must be an array of integers, but got ${describe(v)}.`);
  if (v.length > MAX_LIST) throw new ArgumentError(`${op}: ${name} has ${v.length} entries; at most ${MAX_LIST} are supported.`);
  for (let i = 0; i < v.length; i++) {
    const x: unknown = v[i];
    if (typeof x !== "number" || !Number.isInteger(x) || x < min || x > max) {
      const all = describe(v);
      throw new ArgumentError(`${op}: ${name} must be integers in [${min}, ${max}], but ${name}[${i}] is ${describe(x)} (given ${all}).` +
        (typeof x === "string" ? " Convert the values with Number() first." : ""));
    }
  }
  return v as number[];
}

/** A Tensor (not disposed). */
export function tensorArg(op: string, name: string, v: unknown): Tensor {
  if (!(v instanceof Tensor)) {
    throw new ArgumentError(`${op}: ${name} must be a Tensor, but got ${describe(v)}. Create one with tensor(values).`);
  }
  v.handleFor(op, name);
  return v;
}

/** A non-empty array of at most `max` Tensors. */
export function tensorList(op: string, name: string, v: unknown, max = MAX_LIST): Tensor[] {
  if (!Array.isArray(v) || v.length === 0) throw new ArgumentError(`${op}: ${name} must be a non-empty array of tensors, but got ${describe(v)}.`);
  if (v.length > max) {
    throw new ArgumentError(`${op}: ${name} has ${v.length.toLocaleString("en-US")} tensors; one call takes at most ${max}. ` +
      `Join them in groups (e.g. ${op} groups of ${max}, then ${op} the results).`);
  }
  // (the argument's name is built only for a tensor that fails: a template string per element was most of concat's
  // own cost in eager code)
  for (let i = 0; i < v.length; i++) {
    const t: unknown = v[i];
    if (!(t instanceof Tensor) || t.isDisposed) tensorArg(op, `${name}[${i}]`, t);
  }
  return v as Tensor[];
}

/** A supported dtype (float32, int32, bool, float64); anything else is a DTypeError. */
export function dtype(op: string, name: string, v: unknown): DType {
  if (typeof v === "string" && (DTYPES as readonly string[]).includes(v)) return v as DType;
  throw new DTypeError(`${op}: ${name} must be one of ${DTYPES.map((d) => `"${d}"`).join(", ")}, but got ${describe(v)}.`);
}

/** A shape: an array of non-negative integers (at most MAX_RANK... the core checks the rank) whose product fits. */
export function shape(op: string, name: string, v: unknown): number[] {
  const s = intList(op, name, v, 0, Number.MAX_SAFE_INTEGER);
  let n = 1;
  for (const d of s) n *= d;
  if (n > MAX_ELEMENTS || s.some((d) => d > MAX_ELEMENTS)) {
    throw new ArgumentError(`${op}: ${name} ${fmtShape(s)} has ${n.toLocaleString("en-US")} elements; a tensor holds at most ` +
      `${MAX_ELEMENTS.toLocaleString("en-US")} (2^31 - 1). Use a smaller shape, e.g. split the batch.`);
  }
  return s;
}

/** Axis arguments of a tensor of rank `rank`, normalised to [0, rank); a repeated axis is refused when unique. */
export function axes(op: string, name: string, v: unknown, rank: number, unique = true): number[] {
  // the common case, one valid axis, without allocating a list (this runs on every reduction)
  if (typeof v === "number" && Number.isInteger(v) && v >= -rank && v < rank) return [v < 0 ? v + rank : v];
  const list = Array.isArray(v) ? v : [v];
  const out: number[] = [];
  list.forEach((a, i) => {
    const label = Array.isArray(v) ? `${name}[${i}]` : name;
    if (typeof a !== "number" || !Number.isInteger(a)) throw new ArgumentError(`${op}: ${label} must be an integer, but got ${describe(a)}.`);
    if (a < -rank || a >= rank) throw new ArgumentError(`${op}: ${label} ${a} is out of range for a tensor of rank ${rank}; use -${rank} <= axis < ${rank}.`);
    const n = a < 0 ? a + rank : a;
    if (unique && out.includes(n)) throw new ArgumentError(`${op}: ${name} ${describe(v)} names axis ${n} twice; give each axis once.`);
    out.push(n);
  });
  return out;
}

/** An index into an axis of size `dim` (negative counts from the end): an IndexError when outside. */
export function index(op: string, name: string, v: unknown, dim: number, axis: number): number {
  if (typeof v !== "number" || !Number.isInteger(v)) throw new ArgumentError(`${op}: ${name} must be an integer, but got ${describe(v)}.`);
  if (v < -dim || v >= dim) throw new IndexError(`${op}: ${name} ${v} is out of range for axis ${axis} of size ${dim}; use ${-dim} <= index < ${dim}.`);
  return v;
}

/**
 * Converts values for a tensor of dtype dt by the rules at the top of this file: int32 values must be integers of
 * magnitude at most 2^24, bool values become 0 or 1. Returns the input when nothing needs converting.
 */
export function values(op: string, data: ArrayLike<number>, dt: DType): ArrayLike<number> {
  if (dt === "int32") {
    for (let i = 0; i < data.length; i++) {
      const x = data[i];
      if (!Number.isInteger(x) || Math.abs(x) > MAX_EXACT_INT) {
        throw new ArgumentError(`${op}: int32 values must be integers of magnitude at most ${MAX_EXACT_INT} (2^24, the largest an int32 ` +
          `tensor stores exactly), but value ${i} is ${describe(x)}. ${Number.isInteger(x) ? "Use a float32 tensor or smaller values." : "Round the values first."}`);
      }
    }
  } else if (dt === "bool") {
    for (let i = 0; i < data.length; i++) {
      if (data[i] !== 0 && data[i] !== 1) return Array.from(data, (x) => (x !== 0 ? 1 : 0));
    }
  }
  return data;
}

/** One value (fill) converted like values(). */
export function value(op: string, name: string, v: unknown, dt: DType): number {
  const x = num(op, name, v);
  return values(op, [x], dt)[0];
}

/**
 * Refuses up front an op whose output (bytes) cannot be allocated: more than the core can still provide, counting
 * free blocks and growth up to the memory limit. A jacobian used to compute for seconds before failing on its result.
 */
export function fits(op: string, bytes: number): void {
  if (bytes > 2 ** 31 || bytes > core().memoryAvailable()) throw outOfMemory(op, bytes);
}

/** Shapes that must be equal (for ops that do not broadcast). */
export function sameShape(op: string, what: string, a: readonly number[], b: readonly number[]): void {
  if (a.length !== b.length || a.some((d, i) => d !== b[i])) throw new ShapeError(`${op}: ${what}: ${fmtShape(a)} and ${fmtShape(b)} must be equal.`);
}

// ---- the checks of one op each (called on the op's first line) ----

export function reduceArgs(op: string, x: unknown, axis: unknown, keepDims: unknown): void {
  const t = tensorArg(op, "x", x);
  if (axis !== undefined && !(typeof axis === "number" && Number.isInteger(axis) && axis >= -t.rank && axis < t.rank)) axes(op, "axis", axis, t.rank);
  bool(op, "keepDims", keepDims);
}

/** An integer or a list of integers (at most `rank` of them) in [min, max]. */
function intOrList(op: string, name: string, v: unknown, rank: number, min: number, max: number): void {
  if (Array.isArray(v)) {
    if (v.length > rank) throw new ArgumentError(`${op}: ${name} has ${v.length} values for a tensor of rank ${rank}; give at most one per axis.`);
    intList(op, name, v, min, max);
  } else int(op, name, v, min, max);
}

export function sliceArgs(x: unknown, begin: unknown, size: unknown, stride: unknown): void {
  const t = tensorArg("slice", "x", x);
  intOrList("slice", "begin", begin, t.rank, INT32_MIN, INT32_MAX);
  if (size !== undefined) intOrList("slice", "size", size, t.rank, -1, INT32_MAX);
  if (stride !== undefined) intOrList("slice", "stride", stride, t.rank, INT32_MIN, INT32_MAX);
}

export function indexArgs(op: string, x: unknown, indices: readonly unknown[]): void {
  const t = tensorArg(op, "x", x);
  if (indices.length > t.rank) throw new ArgumentError(`${op}: ${indices.length} indices for a tensor of rank ${t.rank} (shape ${fmtShape(t.shape)}).`);
  indices.forEach((v, i) => index(op, `index ${i}`, v, t.shape[i], i));
}

export function gatherArgs(x: unknown, indices: unknown, axis: unknown): void {
  const t = tensorArg("gather", "x", x);
  axes("gather", "axis", axis, t.rank);
  if (Array.isArray(indices)) intList("gather", "indices", indices, -MAX_EXACT_INT, MAX_EXACT_INT);
  else tensorArg("gather", "indices", indices);
}

export function padArgs(x: unknown, paddings: unknown, constantValue: unknown): void {
  const t = tensorArg("pad", "x", x);
  if (!Array.isArray(paddings) || paddings.length !== t.rank || paddings.some((p) => !Array.isArray(p) || p.length !== 2)) {
    throw new ArgumentError(`pad: paddings must be ${t.rank} pairs [before, after] (one per axis of ${fmtShape(t.shape)}), but got ${describe(paddings)}.`);
  }
  paddings.forEach((p, i) => intList("pad", `paddings[${i}]`, p, 0, MAX_ELEMENTS));
  num("pad", "constantValue", constantValue);
  shape("pad", "the padded shape", t.shape.map((d, i) => d + paddings[i][0] + paddings[i][1]));
}

export function rangeArgs(start: unknown, stop: unknown, step: unknown, dt: unknown): void {
  const a = num("range", "start", start, true), b = num("range", "stop", stop, true), s = num("range", "step", step, true);
  const d = dtype("range", "dtype", dt);
  if (s === 0) throw new ArgumentError("range: step must not be 0.");
  const n = Math.max(0, Math.ceil((b - a) / s));
  if (n > MAX_ELEMENTS) throw new ArgumentError(`range: ${n.toLocaleString("en-US")} values from start ${a} to stop ${b} by step ${s}; a tensor holds at most ${MAX_ELEMENTS.toLocaleString("en-US")}.`);
  if (d !== "float32" && n > 0) values("range", [a, s, a + (n - 1) * s], d);
}

type Kind = "boolean" | "string" | "number" | "tensor" | "function";
/** An options object: a plain object (or undefined) whose known keys have the given kinds (unknown keys pass). */
export function options(op: string, v: unknown, spec: Record<string, Kind>): void {
  if (!optionsObject(op, v)) return;
  for (const k in spec) option(op, k, (v as Record<string, unknown>)[k], spec[k]);
}
/** options() in two steps, for callers on a hot path that read each key by name (a read by a computed key is a
 *  generic keyed load: the tapes' option checks were ~3k instructions of an eager TF-style call): false when v is
 *  undefined (no options), an ArgumentError when it is not an object. */
export function optionsObject(op: string, v: unknown): v is object {
  if (v === undefined) return false;
  if (v === null || typeof v !== "object" || Array.isArray(v)) throw new ArgumentError(`${op}: options must be an object, but got ${describe(v)}.`);
  return true;
}
/** Checks the value x of options.k (undefined: not given). */
export function option(op: string, k: string, x: unknown, kind: Kind): void {
  if (x === undefined) return;
  const ok = kind === "tensor" ? x instanceof Tensor : typeof x === kind;
  if (!ok) throw new ArgumentError(`${op}: options.${k} must be ${kind === "tensor" ? "a Tensor" : `a ${kind}`}, but got ${describe(x)}.`);
}

export function jacobianArgs(op: string, target: unknown, source: unknown, mode: unknown, batch: boolean): void {
  const t = tensorArg(op, "target", target), s = tensorArg(op, "source", source);
  if (mode !== "none" && mode !== "zero" && mode !== "error") throw new ArgumentError(`${op}: unconnected must be 'none', 'zero' or 'error', but got ${describe(mode)}.`);
  // the result holds target.size x source.size floats (per example for batchJacobian)
  const b = batch && t.rank > 0 ? Math.max(1, t.shape[0]) : 1;
  const bytes = t.size * (s.size / b) * 4;
  if (bytes > 2 ** 24) fits(op, bytes); // (small results: not worth asking the core)
}

/** Runs a conversion (values -> tensor) for `op`: its error keeps its class and gets `op: name:` in front. */
export function converted<T>(op: string, name: string, make: () => T): T {
  try { return make(); } catch (e) {
    if (e instanceof GradtapeError) {
      const E = e.constructor as new (m: string) => GradtapeError;
      throw new E(`${op}: ${name}: ${e.message}`);
    }
    throw e;
  }
}
