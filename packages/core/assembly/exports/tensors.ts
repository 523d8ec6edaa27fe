// The exports for tensors, memory and jit programs. Only numbers cross: handles, counts, scalars; shapes and
// handle lists go through the scratch arrays.
import { Tensor, DType, dshift, MAX_RANK, get, newTensor, release, releaseHandle, retain, isContiguous, scratchI32, scratchF64, readShape,
         liveTensorCount, liveTensorBytes, currentId } from "../tensor";
import { fail, clearError, ErrorCode } from "../errors";
import { Op } from "../ops/codes";
import { ERR, contig, dtypeError } from "../ops/factory";
import * as V from "../ops/view";
import { gatherAny } from "../kernels/strided64";
import { allocatedBytes, pooledBytesCount, grownBytesCount, peakBytesCount, resetPeak, setLimit, limitBytes, availableBytes } from "../memory";
import { collectNow } from "../gc";
import { traceAllows, traceReadable } from "../trace";
import * as T from "../trace";
import { begin, done, outMeta } from "./entry";

/** Runs the core's garbage collector now (it also runs by itself at export entry; see gc.ts). */
export function collect(): void { collectNow(); }

// ---- scratch and memory ----
export function scratchI32Ptr(): usize { return changetype<usize>(scratchI32); }
export function scratchF64Ptr(): usize { return changetype<usize>(scratchF64); }
/** Where done() writes the last result's handle, rank | dtype << 8 and shape (exports/entry.ts). */
export function outMetaPtr(): usize { return changetype<usize>(outMeta); }
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
/** The most bytes that could still be allocated (memory.ts availableBytes). */
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
/** Releases the k handles in scratchI32[0..k) (how tidy() frees its scope: one call instead of one per tensor, 18
 *  per eager TF-style evaluation); returns how many of them were live. */
export function tensorReleaseList(k: i32): i32 {
  if (k < 0 || k > scratchI32.length) return 0;
  let n = 0;
  for (let i = 0; i < k; i++) n += releaseHandle(unchecked(scratchI32[i]));
  return n;
}
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
  memory.copy(y.ptr, t.ptr, <usize>t.size << dshift(t.dtype));
  return y;
}
export function tensorSetTrainable(h: i32, on: bool): i32 { begin(); const t = get(h); if (t == null) return 0; t.trainable = on; return 1; }
/** Relabels a tensor between the 4-byte dtypes (float32, int32, bool); refused (0) to or from float64, whose storage differs. */
export function tensorSetDType(h: i32, dtype: i32): i32 {
  begin(); const t = get(h); if (t == null) return 0;
  if ((t.dtype == DType.Float64) != (dtype == DType.Float64)) { fail(ErrorCode.DType, Op.Tensor, 0, dtype, t.dtype); return 0; }
  t.dtype = dtype; return 1;
}

/** dst <- src in place (broadcasting src), bumping dst's version: an in-place update the tape can detect. */
export function assign(dst: i32, src: i32): i32 {
  begin();
  const d = get(dst, Op.Assign, 0); if (d == null) return 0;
  const s = get(src, Op.Assign, 1); if (s == null) return 0;
  if (!traceAllows(1, Op.Assign)) return 0;
  const f64 = d.dtype == DType.Float64;
  if (d.dtype != DType.Float32 && !f64) { dtypeError(Op.Assign, 0, DType.Float32, d); return 0; }
  if (s.dtype != d.dtype) { dtypeError(Op.Assign, 1, d.dtype, s); return 0; }
  if (!isContiguous(d)) { fail(ErrorCode.BadArgument, Op.Assign, 0, 2, 0); return 0; }
  const b = V.broadcastTo(s, d.shape);
  if (b === ERR) return 0;
  gatherAny(d.dtype, b.ptr, b.shape, b.strides, d.ptr);
  release(b);
  d.buf.version++;
  return 1;
}
/** Marks an in-place write made through tensorDataPtr. */
export function tensorBumpVersion(h: i32): i32 { begin(); const t = get(h); if (t == null || !traceAllows(1, Op.Assign)) return 0; t.buf.version++; return 1; }

