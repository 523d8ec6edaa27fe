// Error classes and the one formatter for errors the core reports. Messages say what failed (the op or layer),
// which argument, what was expected, what was given, and how to fix it.
import { core } from "./backend.js";

export class GradtapeError extends Error {
  constructor(message: string) { super(message); this.name = new.target.name; }
}
export class ShapeError extends GradtapeError {}
export class DTypeError extends GradtapeError {}
export class DisposedTensorError extends GradtapeError {}
export class GradientError extends GradtapeError {}
export class IndexError extends GradtapeError {}
export class ArgumentError extends GradtapeError {}
export class OutOfMemoryError extends GradtapeError {}
/** Something a function compiled by jit() does that a compiled program cannot replay. */
export class TraceError extends GradtapeError {}

export const DTYPES = ["float32", "int32", "bool", "float64"] as const; // index = the core's dtype code
export type DType = (typeof DTYPES)[number];

export function fmtShape(s: readonly number[]): string { return `[${s.join(", ")}]`; }

/** The most elements (and the largest dimension) a tensor can have: the core indexes elements with 32-bit ints. */
export const MAX_ELEMENTS = 2 ** 31 - 1;

/**
 * Checks a shape that is about to be created in the core (tensor, zeros/ones/fill, broadcastTo, random): an array of
 * non-negative integers whose product fits the core's 32-bit element indices. Without this, 2^31 wrapped to a
 * negative size on its way into wasm.
 */
export function checkShapeArg(op: string, name: string, shape: unknown): readonly number[] {
  if (!Array.isArray(shape) || shape.some((d) => !Number.isInteger(d) || d < 0)) throw argError(op, name, "an array of non-negative integers", shape, "");
  let n = 1;
  for (const d of shape as number[]) n *= d;
  if (n > MAX_ELEMENTS || (shape as number[]).some((d) => d > MAX_ELEMENTS)) {
    throw new ArgumentError(`${op}: ${name} ${fmtShape(shape as number[])} has ${n.toLocaleString("en-US")} elements; a tensor holds at most ${MAX_ELEMENTS.toLocaleString("en-US")} (2^31 - 1). Use a smaller shape, e.g. split the batch.`);
  }
  return shape as number[];
}

/** Something the caller passed that we can describe (a tensor's shape and dtype, or a plain value). */
export interface Described { shape?: readonly number[]; dtype?: string }

function argName(names: readonly string[] | undefined, i: number): string {
  if (i < 0) return "";
  return names && names[i] !== undefined ? `'${names[i]}'` : `argument ${i}`;
}

/** Reads the core's error record and throws it as the matching class. `op` is the name the user called. */
export function throwCoreError(op: string, inputs: readonly Described[] = [], names?: readonly string[]): never {
  const c = core();
  const code = c.errorCode();
  const arg = c.errorArg();
  // Copy the details now: clearError() below resets the core's record, and reading it afterwards gave 0 for every
  // detail ("axis 0 is out of range for a tensor of rank 0", "must be float32, but it is float32").
  const details = Array.from({ length: c.errorDetailCount() }, (_, i) => c.errorDetail(i));
  const d = (i: number) => details[i] ?? 0;
  const E = c.ErrorCode;
  const coreOp = c.errorOp() >= 0 ? c.Op[c.errorOp()] : undefined;
  const where = op + (coreOp && coreOp.toLowerCase() !== op.toLowerCase() ? ` (core op ${coreOp})` : "");
  const shapes = inputs.map((t, i) => `${argName(names, i) || `input ${i}`} has shape ${fmtShape(t.shape ?? [])}`).join(", ");
  c.clearError();
  switch (code) {
    case E.DisposedTensor:
      throw new DisposedTensorError(`${where}: ${argName(names, arg) || "a tensor"} was already disposed (handle ${d(0)}). ` +
        `Keep it alive with keep(t) inside tidy(), or do not call dispose() before this use.`);
    case E.ShapeMismatch:
      throw new ShapeError(`${where}: incompatible shapes: ${shapes || "see arguments"}. ` +
        `Expected shapes that broadcast (equal, or 1, aligned from the right)${op === "matMul" ? " and inner dimensions that agree" : ""}; ` +
        `reshape or expandDims an argument to fix it.`);
    case E.DType: {
      const want = DTYPES[d(0)] ?? "float32", given = DTYPES[d(1)] ?? "unknown", who = argName(names, arg) || "an argument";
      // float32 and float64 never mix silently: name the cast that makes the operands agree
      if ((want === "float32" && given === "float64") || (want === "float64" && given === "float32")) {
        throw new DTypeError(`${where}: ${who} is ${given} but the op computes in ${want} (the other operand's dtype); dtypes are never ` +
          `promoted. Add a cast: ${who === "an argument" ? "x" : who.replace(/'/g, "")}.cast("${want}") (or cast the other operand to ${given}).`);
      }
      throw new DTypeError(`${where}: ${who} must be ${want}, but it is ${given}. ` +
        `Create it with the right dtype (tensor(values, shape, '${want}')) or cast it (x.cast('${want}')).`);
    }
    case E.BadAxis:
      throw new ArgumentError(`${where}: axis ${d(0)} is out of range for a tensor of rank ${d(1)}; use -${d(1)} <= axis < ${d(1)}.`);
    case E.BadIndex:
      // slice reports which of its arguments is out of range (1: begin, 2: size); say so instead of "index"
      if (coreOp === "Slice" && arg === 2) {
        throw new IndexError(`${where}: size ${d(0)} runs past the end of axis ${d(2)} (size ${d(1)}) from the given begin and stride${shapes ? ` (${shapes})` : ""}; use a smaller size or -1 for "to the end".`);
      }
      throw new IndexError(`${where}: ${coreOp === "Slice" ? "begin" : "index"} ${d(0)} is out of range for axis ${d(2)} of size ${d(1)}${shapes ? ` (${shapes})` : ""}.`);
    case E.RankTooHigh:
      throw new ShapeError(`${where}: rank ${d(0)} is above the supported maximum of ${d(1)}.`);
    case E.OutOfMemory:
      // the byte count arrives as low 31 bits + the bits above (core errors.ts), so requests past 2 GiB read right
      throw outOfMemory(where, d(0) + d(1) * 2 ** 31);
    case E.GradientTwice:
      throw new GradientError(`${where}: this GradientTape was already used for a gradient and is not persistent. ` +
        `Create it with new GradientTape({ persistent: true }) to call gradient/jacobian more than once.`);
    case E.InPlaceModified:
      throw new GradientError(`${where}: a value saved by op ${coreOp ?? "?"} (its saved tensor ${arg}) was modified in place ` +
        `(version ${d(0)} -> ${d(1)}) between the forward pass and the gradient. Assign to variables only after computing gradients.`);
    case E.OutputGradients:
      throw new ShapeError(`${where}: outputGradients must have the target's shape${shapes ? ` (${shapes})` : ""}.`);
    case E.NoTape:
      throw new GradientError(`${where}: the tape was disposed; create a new GradientTape.`);
    case E.TraceRead:
      throw new TraceError(`${where}: a tensor whose values change from call to call of a function being compiled by jit (an argument, ` +
        `or something computed while tracing) cannot be read or copied out while tracing: the compiled program replays tensor ops only and ` +
        `would not run this JavaScript again. Compute with tensor ops instead, or read the results after the jitted call returns.`);
    case E.TraceEffect:
      if (d(0) === 2) {
        throw new TraceError(`${where}: random draws cannot be compiled by jit (a replay would give the same numbers on every call). ` +
          `Draw them outside and pass them as arguments; if a layer draws its initial weights on first use, call it once before jit.`);
      }
      throw new TraceError(`${where}: in-place updates (assign, optimizer steps) cannot be compiled by jit. Compile the loss and ` +
        `gradients (return the gradients) and apply the update outside: opt.applyGradients(jitted(x), vars).`);
    case E.NoProgram:
      throw new TraceError(`${where}: ${d(0) === 0 ? "no trace is recording" : `compiled program ${d(0)} does not exist (released by dispose()) or was given ${d(1)} inputs`}.`);
    case E.BadArgument:
      throw new ArgumentError(`${where}: invalid value ${d(1)} for ${argName(names, arg) || "an argument"}.`);
    default:
      throw new GradtapeError(`${where}: core error ${code}.`);
  }
}

const MB = (b: number) => `${(b / 2 ** 20).toFixed(1)} MiB`;

/** The out-of-memory error: the request, and what is live (so the user sees whether it is a leak or a large op). */
export function outOfMemory(where: string, requested: number): OutOfMemoryError {
  const c = core();
  const live = `${c.liveTensors().toLocaleString("en-US")} tensors hold ${MB(c.liveBytes())}, ${MB(c.poolBytes())} is free but in smaller pieces, ` +
    `the limit for tensor storage is ${MB(c.memoryLimit())} (wasm memory now ${MB(c.memory.buffer.byteLength)})`;
  const capped = c.memoryLimit() < 4080 * 2 ** 20; // below the default (4 GiB less the core's reserve)
  return new OutOfMemoryError(`${where}: out of memory allocating ${requested} bytes (${MB(requested)}): ${live}. ` +
    `Dispose tensors you no longer need (tidy helps)${capped ? ", raise setMemoryLimit()," : ""} or use smaller batches.`);
}

export function argError(op: string, what: string, expected: string, given: unknown, fix: string): ArgumentError {
  return new ArgumentError(`${op}: ${what} must be ${expected}, but got ${describe(given)}. ${fix}`);
}

export function describe(v: unknown): string {
  if (v === null) return "null";
  if (v === undefined) return "undefined";
  if (typeof v === "string") return JSON.stringify(v);
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  if (Array.isArray(v)) {
    // short arrays (a perm, a shape, paddings) are shown as they are: "got [0,0]" says more than "length 2"
    // (a hostile value can be nested too deeply to stringify: that is a RangeError, not a description)
    let json: string | undefined;
    try { json = v.length <= 64 ? JSON.stringify(v) : undefined; } catch { json = undefined; }
    return json !== undefined && json.length <= 80 ? json : `an array of length ${v.length}`;
  }
  if (typeof v === "object" && "shape" in (v as object)) return `a tensor of shape ${fmtShape((v as { shape: number[] }).shape)}`;
  return typeof v;
}
