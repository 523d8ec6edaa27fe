// The core's exports. Only numbers cross: handles, counts, scalars; shapes, axes and handle lists go through the
// scratch arrays. Every export starts from a clean error state and returns 0 (or -1 for counts) on failure, with
// the details in errors.ts. Arguments are validated here, before any kernel runs, so bad input never traps.
import { Tensor, DType, MAX_RANK, get, at, newTensor, release, releaseHandle, retain, sizeOf, stdStrides, isContiguous, scopeBegin, scopeEnd,
         scratchI32, scratchF64, readShape, liveTensorCount, liveTensorBytes, currentId } from "./tensor";
import { fail, failed, clearError, ErrorCode, addDetail } from "./errors";
import { Op } from "./ops/index";
import { ERR, contig, shapeError, dtypeError } from "./ops/factory";
import { UK } from "./kernels/unary";
import { BK } from "./kernels/binary";
import * as U from "./ops/unary";
import * as A from "./ops/activations";
import * as Ar from "./ops/arith";
import * as V from "./ops/view";
import { where } from "./ops/where";
import { tanhGrad, sigmoidGrad, mulMul } from "./ops/fused";
import { matMul } from "./ops/matmul";
import { reduce } from "./ops/reduce";
import { concat } from "./ops/concat";
import { gather } from "./ops/gather";
import { pad } from "./ops/pad";
import * as C from "./ops/creation";
import { rngCreate, rngRelease, rngHas } from "./rng";
import { gatherStrided } from "./kernels/strided";
import { allocatedBytes, pooledBytesCount, grownBytesCount, peakBytesCount, resetPeak, setLimit, limitBytes, availableBytes } from "./memory";
import { maybeCollect, collectNow } from "./gc";

export { Op } from "./ops/index";
export { ErrorCode, UnconnectedReason } from "./errors";
export { DType } from "./tensor";
export { errorCode, errorOp, errorArg, errorDetail, errorDetailCount, clearError } from "./errors";
export { tapeCreate, tapePush, tapePop, tapePause, tapeWatch, tapeRelease, tapeGradient, tapeNodeCount, tapeUnconnectedReason, lastBlockingOp, tapeCount } from "./tape";
export { tapeJacobian, tapeBatchJacobian } from "./jacobian";
export { rngCreate, rngRelease } from "./rng";
export { setThreadCount, threadCount, runTask } from "./kernels/parallel";
export { relaxedSimd } from "./kernels/madd";
export * from "./optim";
export { programSteps, programLeaves, programOp, programCount, traceDepth } from "./trace";
import { traceAllows, traceReadable } from "./trace";
import * as T from "./trace";

@inline function done(t: Tensor): i32 {
  if (failed()) { if (t !== ERR) release(t); return 0; }
  return t.id;
}
@inline function begin(): void { clearError(); maybeCollect(); }
/** Runs the core's garbage collector now (it also runs by itself at export entry; see gc.ts). */
export function collect(): void { collectNow(); }

// ---- scratch and memory ----
export function scratchI32Ptr(): usize { return changetype<usize>(scratchI32); }
export function scratchF64Ptr(): usize { return changetype<usize>(scratchF64); }
export function liveTensors(): i32 { return liveTensorCount(); }
export function liveBytes(): f64 { return liveTensorBytes(); }
export function poolBytes(): f64 { return pooledBytesCount(); }
export function allocBytes(): f64 { return allocatedBytes(); }
export function reservedBytes(): f64 { return grownBytesCount(); }
export function peakBytes(): f64 { return peakBytesCount(); }
export function resetPeakBytes(): void { resetPeak(); }
/** Caps the wasm memory tensor storage may grow to (memory.ts); returns the cap in effect. */
export function setMemoryLimit(bytes: f64): f64 { return setLimit(bytes); }
export function memoryLimit(): f64 { return limitBytes(); }
export function memoryAvailable(): f64 { return availableBytes(); }
export function nextHandle(): i32 { return currentId(); }

// ---- jit: traces and programs (trace.ts) ----
export function traceBegin(n: i32): i32 { begin(); return T.traceBegin(n); }
export function traceEnd(n: i32): i32 { begin(); return T.traceEnd(n); }
export function traceAbort(): void { clearError(); T.traceAbort(); }
export function programRun(id: i32, n: i32): i32 { begin(); return T.programRun(id, n); }
export function programRelease(id: i32): i32 { return T.programRelease(id); }

// ---- tensors ----
/** A new uninitialised contiguous tensor; shape in scratchI32[0..rank). TS fills it through tensorDataPtr. */
export function tensorNew(rank: i32, dtype: i32): i32 {
  begin();
  if (rank < 0 || rank > MAX_RANK) { fail(ErrorCode.RankTooHigh, Op.Tensor, -1, rank, MAX_RANK); return 0; }
  const shape = readShape(0, rank);
  for (let i = 0; i < rank; i++) if (shape[i] < 0) { fail(ErrorCode.BadArgument, Op.Tensor, i, 0, shape[i]); return 0; }
  const t = newTensor(shape, dtype);
  return t == null ? 0 : t.id;
}
export function tensorRelease(h: i32): i32 { return releaseHandle(h); }
export function tensorRetain(h: i32): i32 { begin(); const t = get(h); if (t == null) return 0; retain(t); return 1; }
export function tensorAlive(h: i32): i32 { return get(h) == null ? (clearError(), 0) : 1; }
/** Writes the shape to scratchI32 and returns the rank (-1 when disposed). */
export function tensorShape(h: i32): i32 {
  begin(); const t = get(h); if (t == null) return -1;
  for (let i = 0; i < t.shape.length; i++) scratchI32[i] = t.shape[i];
  return t.shape.length;
}
/** tensorShape and tensorDType in one call (the TS side wraps every result with it): rank | dtype << 8, -1 when disposed. */
export function tensorMeta(h: i32): i32 {
  begin(); const t = get(h); if (t == null) return -1;
  const s = t.shape, r = s.length;
  for (let i = 0; i < r; i++) unchecked(scratchI32[i] = unchecked(s[i]));
  return r | (t.dtype << 8);
}
export function tensorDType(h: i32): i32 { begin(); const t = get(h); return t == null ? -1 : t.dtype; }
export function tensorSize(h: i32): i32 { begin(); const t = get(h); return t == null ? -1 : t.size; }
export function tensorVersion(h: i32): i32 { begin(); const t = get(h); return t == null ? -1 : t.buf.version; }
export function tensorIsView(h: i32): i32 { begin(); const t = get(h); return t == null ? 0 : (t.parent != null ? 1 : 0); }
/** Pointer to the first element when contiguous, else 0 (then read through tensorContiguous). */
export function tensorDataPtr(h: i32): usize { begin(); const t = get(h); if (t == null || !traceReadable(t)) return 0; return isContiguous(t) ? t.ptr : 0; }
/** A contiguous copy (not recorded: for reading values out). */
export function tensorContiguous(h: i32): i32 {
  begin(); const t = get(h); if (t == null || !traceReadable(t)) return 0;
  const c = contig(t);
  if (c === t) { release(c); return done(copyPlain(t)); }
  return done(c);
}
function copyPlain(t: Tensor): Tensor {
  const y = newTensor(t.shape, t.dtype);
  if (y == null) return ERR;
  memory.copy(y.ptr, t.ptr, <usize>t.size << 2);
  return y;
}
export function tensorSetTrainable(h: i32, on: bool): i32 { begin(); const t = get(h); if (t == null) return 0; t.trainable = on; return 1; }
export function tensorSetDType(h: i32, dtype: i32): i32 { begin(); const t = get(h); if (t == null) return 0; t.dtype = dtype; return 1; }

/** dst <- src in place (broadcasting src), bumping dst's version: an in-place update the tape can detect. */
export function assign(dst: i32, src: i32): i32 {
  begin();
  const d = get(dst, Op.Assign, 0); if (d == null) return 0;
  const s = get(src, Op.Assign, 1); if (s == null) return 0;
  if (!traceAllows(1, Op.Assign)) return 0;
  if (d.dtype != DType.Float32 || s.dtype != DType.Float32) { dtypeError(Op.Assign, d.dtype != 0 ? 0 : 1, 0, d.dtype != 0 ? d : s); return 0; }
  if (!isContiguous(d)) { fail(ErrorCode.BadArgument, Op.Assign, 0, 2, 0); return 0; }
  const b = V.broadcastTo(s, d.shape);
  if (b === ERR) return 0;
  gatherStrided(b.ptr, b.shape, b.strides, d.ptr);
  release(b);
  d.buf.version++;
  return 1;
}
/** Marks an in-place write made through tensorDataPtr. */
export function tensorBumpVersion(h: i32): i32 { begin(); const t = get(h); if (t == null || !traceAllows(1, Op.Assign)) return 0; t.buf.version++; return 1; }

// ---- elementwise ----
export function unaryOp(op: i32, h: i32): i32 {
  begin();
  const x = get(h, op, 0); if (x == null) return 0;
  let y: Tensor;
  switch (op) {
    case Op.Neg: y = U.neg(x); break;
    case Op.Abs: y = U.abs(x); break;
    case Op.Exp: y = U.exp(x); break;
    case Op.Log: y = U.log(x); break;
    case Op.Sqrt: y = U.sqrt(x); break;
    case Op.Square: y = U.square(x); break;
    case Op.Reciprocal: y = U.reciprocal(x); break;
    case Op.Sin: y = U.sin(x); break;
    case Op.Cos: y = U.cos(x); break;
    case Op.Tanh: y = A.tanh(x); break;
    case Op.Sigmoid: y = A.sigmoid(x); break;
    case Op.Relu: y = A.relu(x); break;
    case Op.Softplus: y = A.softplus(x); break;
    case Op.Sign: y = U.sign(x); break;
    case Op.Step: y = A.step(x); break;
    default: fail(ErrorCode.BadArgument, op, -1, 0, op); return 0;
  }
  return done(y);
}
export function affineOp(h: i32, a: f64, b: f64): i32 { begin(); const x = get(h, Op.Affine, 0); if (x == null) return 0; return done(Ar.affine(x, a, b)); }

export function binaryOp(op: i32, ha: i32, hb: i32): i32 {
  begin();
  const a = get(ha, op, 0); if (a == null) return 0;
  const b = get(hb, op, 1); if (b == null) return 0;
  let y: Tensor;
  switch (op) {
    case Op.Add: y = Ar.add(a, b); break;
    case Op.Sub: y = Ar.sub(a, b); break;
    case Op.Mul: y = Ar.mul(a, b); break;
    case Op.Div: y = Ar.div(a, b); break;
    case Op.Pow: y = Ar.pow(a, b); break;
    case Op.Maximum: y = Ar.maximum(a, b); break;
    case Op.Minimum: y = Ar.minimum(a, b); break;
    case Op.Equal: y = Ar.compare(op, BK.Equal, a, b); break;
    case Op.NotEqual: y = Ar.compare(op, BK.NotEqual, a, b); break;
    case Op.Less: y = Ar.compare(op, BK.Less, a, b); break;
    case Op.LessEqual: y = Ar.compare(op, BK.LessEqual, a, b); break;
    case Op.Greater: y = Ar.compare(op, BK.Greater, a, b); break;
    case Op.GreaterEqual: y = Ar.compare(op, BK.GreaterEqual, a, b); break;
    // the fused derivative ops (ops/fused.ts): g (1 - y^2) and g y (1 - y), for the Taylor jets of the TS side
    case Op.TanhGrad: case Op.SigmoidGrad: y = fusedScoped(op, a, b, a, 0); break;
    default: fail(ErrorCode.BadArgument, op, -1, 0, op); return 0;
  }
  return done(y);
}

/** s a b c elementwise (ops/fused.ts; operands of different shapes broadcast through the unfused ops). */
export function mulMulOp(ha: i32, hb: i32, hc: i32, s: f64): i32 {
  begin();
  const a = get(ha, Op.MulMul, 0); if (a == null) return 0;
  const b = get(hb, Op.MulMul, 1); if (b == null) return 0;
  const c = get(hc, Op.MulMul, 2); if (c == null) return 0;
  return done(fusedScoped(Op.MulMul, a, b, c, s));
}

/**
 * A fused op inside a scope of its own: with operands of different shapes it falls back to a chain of unfused ops
 * whose temporaries only a scope frees (backward rules always run in one; an export does not). The result is
 * retained past the scope and handed to the caller.
 */
function fusedScoped(op: i32, a: Tensor, b: Tensor, c: Tensor, s: f64): Tensor {
  scopeBegin();
  const y = op == Op.MulMul ? mulMul(a, b, c, s) : (op == Op.TanhGrad ? tanhGrad(a, b) : sigmoidGrad(a, b));
  retain(y);
  scopeEnd();
  return y;
}

export function whereOp(hc: i32, ha: i32, hb: i32): i32 {
  begin();
  const c = get(hc, Op.Where, 0); if (c == null) return 0;
  const a = get(ha, Op.Where, 1); if (a == null) return 0;
  const b = get(hb, Op.Where, 2); if (b == null) return 0;
  if (c.dtype != DType.Bool) { dtypeError(Op.Where, 0, DType.Bool, c); return 0; }
  return done(where(c, a, b));
}

export function matMulOp(ha: i32, hb: i32, ta: bool, tb: bool): i32 {
  begin();
  const a = get(ha, Op.MatMul, 0); if (a == null) return 0;
  const b = get(hb, Op.MatMul, 1); if (b == null) return 0;
  return done(matMul(a, b, ta, tb));
}

// ---- reductions: axes in scratchI32[0..nAxes) (may be negative); nAxes = -1 reduces all ----
function axisFlags(op: i32, x: Tensor, nAxes: i32): StaticArray<i32> | null {
  const r = x.shape.length;
  const flags = new StaticArray<i32>(r);
  if (nAxes < 0) { for (let i = 0; i < r; i++) flags[i] = 1; return flags; }
  for (let k = 0; k < nAxes; k++) {
    let a = scratchI32[k];
    if (a < -r || a >= r) { fail(ErrorCode.BadAxis, op, 1, a, r); return null; }
    if (a < 0) a += r;
    flags[a] = 1;
  }
  return flags;
}
export function reduceOp(op: i32, h: i32, nAxes: i32, keep: bool): i32 {
  begin();
  const x = get(h, op, 0); if (x == null) return 0;
  const flags = axisFlags(op, x, nAxes); if (flags == null) return 0;
  if (op == Op.Mean) {
    let count = 1;
    for (let i = 0; i < flags.length; i++) if (flags[i]) count *= x.shape[i];
    const s = reduce(Op.Sum, x, flags, keep);
    const y = Ar.affine(s, 1.0 / <f64>count, 0);
    release(s);
    return done(y);
  }
  if (op != Op.Sum && op != Op.Max && op != Op.Min) { fail(ErrorCode.BadArgument, op, -1, 0, op); return 0; }
  if ((op == Op.Max || op == Op.Min) && x.size == 0) { fail(ErrorCode.BadArgument, op, 0, 3, 0); return 0; }
  return done(reduce(op, x, flags, keep));
}

// ---- views ----
/** shape in scratchI32[0..rank); the element count must match */
export function reshapeOp(h: i32, rank: i32): i32 {
  begin();
  const x = get(h, Op.Reshape, 0); if (x == null) return 0;
  if (rank > MAX_RANK) { fail(ErrorCode.RankTooHigh, Op.Reshape, 1, rank, MAX_RANK); return 0; }
  const shape = readShape(0, rank);
  if (sizeOf(shape) != x.size) { shapeError(Op.Reshape, x.shape, shape, 1); return 0; }
  return done(V.reshape(x, shape));
}
/** perm in scratchI32[0..rank) */
export function transposeOp(h: i32): i32 {
  begin();
  const x = get(h, Op.Transpose, 0); if (x == null) return 0;
  const r = x.shape.length;
  const perm = readShape(0, r);
  const seen = new StaticArray<i32>(r);
  for (let i = 0; i < r; i++) {
    const p = perm[i];
    if (p < 0 || p >= r || seen[p]) { fail(ErrorCode.BadAxis, Op.Transpose, 1, p, r); return 0; }
    seen[p] = 1;
  }
  return done(V.transpose(x, perm));
}
export function broadcastToOp(h: i32, rank: i32): i32 {
  begin();
  const x = get(h, Op.BroadcastTo, 0); if (x == null) return 0;
  return done(V.broadcastTo(x, readShape(0, rank)));
}
/** begin, size, step in scratchI32 [0..r), [r..2r), [2r..3r); size -1 means "to the end" */
export function sliceOp(h: i32): i32 {
  begin();
  const x = get(h, Op.Slice, 0); if (x == null) return 0;
  const r = x.shape.length;
  const b = readShape(0, r), s = readShape(r, r), st = readShape(2 * r, r);
  for (let i = 0; i < r; i++) {
    const d = x.shape[i];
    if (st[i] == 0) { fail(ErrorCode.BadArgument, Op.Slice, 3, i, 0); return 0; }
    if (b[i] < 0 || b[i] > d || (b[i] == d && d > 0 && s[i] != 0)) { fail(ErrorCode.BadIndex, Op.Slice, 1, b[i], d, i); return 0; }
    if (s[i] < 0) s[i] = st[i] > 0 ? (d - b[i] + st[i] - 1) / st[i] : b[i] / (-st[i]) + 1;
    const last = b[i] + (s[i] - 1) * st[i];
    if (s[i] > 0 && (last < 0 || last >= d)) { fail(ErrorCode.BadIndex, Op.Slice, 2, s[i], d, i); return 0; }
  }
  return done(V.slice(x, b, s, st));
}
/** indices in scratchI32[0..k) (may be negative) */
export function indexOp(h: i32, k: i32): i32 {
  begin();
  const x = get(h, Op.Index, 0); if (x == null) return 0;
  if (k > x.shape.length) { fail(ErrorCode.BadArgument, Op.Index, 1, k, x.shape.length); return 0; }
  const idx = readShape(0, k);
  for (let i = 0; i < k; i++) {
    const d = x.shape[i];
    let v = idx[i];
    if (v < -d || v >= d) { fail(ErrorCode.BadIndex, Op.Index, 1, v, d, i); return 0; }
    if (v < 0) idx[i] = v + d;
  }
  return done(V.index(x, idx));
}
export function copyOp(h: i32): i32 { begin(); const x = get(h, Op.Copy, 0); if (x == null) return 0; return done(V.copy(x)); }

// ---- joins, gather, pad ----
/** handles in scratchI32[0..n) */
export function concatOp(n: i32, axis: i32): i32 {
  begin();
  if (n < 1) { fail(ErrorCode.BadArgument, Op.Concat, 0, 0, n); return 0; }
  const xs = new StaticArray<Tensor>(n);
  for (let i = 0; i < n; i++) { const t = get(scratchI32[i], Op.Concat, i); if (t == null) return 0; xs[i] = t; }
  const r = xs[0].shape.length;
  if (axis < -r || axis >= r) { fail(ErrorCode.BadAxis, Op.Concat, -1, axis, r); return 0; }
  if (axis < 0) axis += r;
  for (let i = 1; i < n; i++) {
    const t = xs[i];
    if (t.dtype != xs[0].dtype) { dtypeError(Op.Concat, i, xs[0].dtype, t); return 0; }
    let ok = t.shape.length == r;
    for (let d = 0; ok && d < r; d++) ok = d == axis || t.shape[d] == xs[0].shape[d];
    if (!ok) { shapeError(Op.Concat, xs[0].shape, t.shape, i); return 0; }
  }
  return done(concat(xs, axis));
}
export function gatherOp(hx: i32, hi: i32, axis: i32): i32 {
  begin();
  const x = get(hx, Op.Gather, 0); if (x == null) return 0;
  const idx = get(hi, Op.Gather, 1); if (idx == null) return 0;
  const r = x.shape.length;
  if (axis < -r || axis >= r) { fail(ErrorCode.BadAxis, Op.Gather, 2, axis, r); return 0; }
  if (axis < 0) axis += r;
  return done(gather(x, idx, axis));
}
/** paddings in scratchI32[0..2*rank) as before, after per axis */
export function padOp(h: i32, value: f64): i32 {
  begin();
  const x = get(h, Op.Pad, 0); if (x == null) return 0;
  const pads = readShape(0, 2 * x.shape.length);
  for (let i = 0; i < pads.length; i++) if (pads[i] < 0) { fail(ErrorCode.BadArgument, Op.Pad, 1, i, pads[i]); return 0; }
  return done(pad(x, pads, <f32>value));
}

// ---- creation ----
export function fillOp(rank: i32, value: f64, dtype: i32): i32 { begin(); return done(Ar.full(readShape(0, rank), <f32>value, dtype)); }
export function eyeOp(n: i32, m: i32): i32 { begin(); return done(C.eye(n, m)); }
export function rangeOp(start: f64, stop: f64, step: f64, dtype: i32): i32 {
  begin();
  if (step == 0) { fail(ErrorCode.BadArgument, Op.Range, 2, 0, 0); return 0; }
  return done(C.range(start, stop, step, dtype));
}
export function linspaceOp(a: f64, b: f64, n: i32): i32 {
  begin();
  if (n < 0) { fail(ErrorCode.BadArgument, Op.Linspace, 2, 0, n); return 0; }
  return done(C.linspace(a, b, n));
}
export function randomUniformOp(rank: i32, lo: f64, hi: f64, gen: i32): i32 {
  begin();
  if (!rngHas(gen)) { fail(ErrorCode.BadArgument, Op.RandomUniform, 3, 0, gen); return 0; }
  if (!traceAllows(2, Op.RandomUniform)) return 0;
  return done(C.randomUniform(readShape(0, rank), <f32>lo, <f32>hi, gen));
}
export function randomNormalOp(rank: i32, mean: f64, std: f64, gen: i32, truncated: bool): i32 {
  begin();
  if (!rngHas(gen)) { fail(ErrorCode.BadArgument, Op.RandomNormal, 3, 0, gen); return 0; }
  if (!traceAllows(2, Op.RandomNormal)) return 0;
  return done(C.randomNormal(readShape(0, rank), mean, std, gen, truncated));
}
export { stdStrides, at, addDetail, UK };
