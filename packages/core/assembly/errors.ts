// Error reporting across the wasm boundary. The core never traps on bad input: a failing call returns 0
// (or a negative count) and leaves a record here that the TS side reads and turns into an Error class.
// Only numbers cross: the code, the op, the argument position and up to 8 integers of detail.

export enum ErrorCode {
  None = 0,
  DisposedTensor = 1,   // a: handle
  ShapeMismatch = 2,    // a..: details per op (the TS side knows the op and prints the shapes)
  DType = 3,            // a: expected dtype, b: given dtype
  BadAxis = 4,          // a: axis, b: rank
  BadArgument = 5,      // a: which detail, b: value
  OutOfMemory = 6,      // a: requested bytes (low 31 bits), b: high bits
  GradientTwice = 7,    // second gradient on a non-persistent tape
  Unconnected = 8,      // arg: source position, a: reason (UnconnectedReason), b: op code of a non-differentiable op
  InPlaceModified = 9,  // op: the recorded op, arg: input position, a: saved version, b: current version
  NoTape = 10,          // a: tape handle
  TapeNotActive = 11,
  BadIndex = 12,        // a: index, b: dim size, c: axis
  OutputGradients = 13, // wrong outputGradients shape
  RankTooHigh = 14,     // a: rank, b: max rank
  TraceRead = 15,       // a: handle whose values vary between calls of a function being traced (trace.ts)
  TraceEffect = 16,     // op: the op refused while tracing; a: 1 in-place write, 2 random draw
  NoProgram = 17        // a: program id (0: no trace is recording), b: inputs given
}

export enum UnconnectedReason {
  NeverWatched = 1,     // not watched and not computed from a watched tensor on this tape
  AfterForward = 2,     // created after the target and not a view of a watched tensor
  NonDifferentiable = 3,// reached only through a non-differentiable op (b: its op code)
  NotUsed = 4           // watched, but the target does not depend on it
}

let code: i32 = 0;
let opCode: i32 = -1;
let argPos: i32 = -1;
const details = new StaticArray<i32>(8);
let detailCount: i32 = 0;

/** Records an error; returns 0 so callers can `return fail(...)`. */
export function fail(c: ErrorCode, op: i32 = -1, arg: i32 = -1, a: i32 = 0, b: i32 = 0, c2: i32 = 0): i32 {
  if (code != 0) return 0; // keep the first (innermost) cause
  code = c; opCode = op; argPos = arg;
  details[0] = a; details[1] = b; details[2] = c2; detailCount = 3;
  return 0;
}

/**
 * Records OutOfMemory for a request of `bytes`, split as errors.ts's OutOfMemory row documents (a: low 31 bits, b: the
 * bits above), so a request past 2 GiB is reported as asked instead of wrapping in an i32 (f64 holds any byte count
 * this 32-bit memory can be asked for exactly).
 */
export function failOutOfMemory(op: i32, bytes: f64): i32 {
  return fail(ErrorCode.OutOfMemory, op, -1, <i32>(bytes % 2147483648.0), <i32>Math.floor(bytes / 2147483648.0));
}

export function addDetail(v: i32): void { if (detailCount < 8) details[detailCount++] = v; }
export function failed(): bool { return code != 0; }

export function errorCode(): i32 { return code; }
export function errorOp(): i32 { return opCode; }
export function errorArg(): i32 { return argPos; }
export function errorDetail(i: i32): i32 { return i >= 0 && i < detailCount ? details[i] : 0; }
export function errorDetailCount(): i32 { return detailCount; }
export function clearError(): void { code = 0; opCode = -1; argPos = -1; detailCount = 0; }
