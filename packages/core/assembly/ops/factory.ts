// The op factory: the shared forward plumbing of elementwise ops (validation, broadcasting, output allocation,
// kernel call, recording) and the broadcast-reduction helper every backward rule uses. An op that fails returns
// ERR, a dummy tensor; every op returns ERR at once while an error is pending, so a chain of ops in a backward
// rule stops cheaply and the error surfaces at the export boundary.
import { Tensor, Buf, DType, newTensor, retain, release, isContiguous, sameShape, stdStrides, MAX_RANK } from "../tensor";
import { fail, failed, ErrorCode, addDetail } from "../errors";
import { filled } from "../arrays";
import { record, anyRecording } from "./record";
import { rule, Save } from "./table";
import { UnaryKernel, unaryPar } from "../kernels/unary";
import { BinaryKernel, binaryPar, binaryRowsPar } from "../kernels/binary";
import { UnaryKernel64, unaryPar64 } from "../kernels/unary64";
import { binaryPar64, binaryRowsPar64 } from "../kernels/binary64";
import { convertKernel, gatherAny } from "../kernels/strided64";
import { NdIter, broadcastInto, stdInto } from "../kernels/iter";

export const ERR = new Tensor(0, new Buf(0, 0), 0, new StaticArray<i32>(0), new StaticArray<i32>(0), 0, 0);
ERR.refs = 1 << 30;
export const NONE = new StaticArray<Tensor>(0);
export const NO_I = new StaticArray<i32>(0);
export const NO_F = new StaticArray<f64>(0);
const F00 = new StaticArray<f64>(2); // (a, b) = (0, 0), the parameters of most unary ops (never written)

export function dtypeError(op: i32, arg: i32, expected: i32, t: Tensor): Tensor {
  fail(ErrorCode.DType, op, arg, expected, t.dtype);
  return ERR;
}

export function shapeError(op: i32, a: StaticArray<i32>, b: StaticArray<i32>, arg: i32 = -1): Tensor {
  fail(ErrorCode.ShapeMismatch, op, arg, a.length, b.length);
  for (let i = 0; i < a.length; i++) addDetail(a[i]);
  return ERR;
}

// A record a jit program planned for the output of the op it is about to run (trace.ts): the op's first outTensor
// call takes it over (when shape and dtype match) instead of allocating a new record and buffer. Only op outputs
// come from outTensor first; an op's temporaries (contig) never take the plan.
let planned: Tensor | null = null;
export function planOutput(t: Tensor | null): void { planned = t; }

export function outTensor(shape: StaticArray<i32>, dtype: i32 = DType.Float32): Tensor {
  const p = planned;
  if (p != null) {
    planned = null;
    // (a kept record is a dense output of its own: program.ts keeps no view, such as a row broadcast)
    if (p.dtype == dtype && sameShape(p.shape, shape)) return p;
  }
  const t = newTensor(shape, dtype);
  return t == null ? ERR : t;
}

/** x itself (retained) when contiguous, else a contiguous copy; the caller releases it. Not recorded. */
@inline export function contig(x: Tensor): Tensor {
  if (x.dense) { x.refs++; return x; }
  return contigCopy(x);
}
function contigCopy(x: Tensor): Tensor {
  const n = newTensor(x.shape, x.dtype);  // (not outTensor: a temporary never takes a planned output)
  const c = n == null ? ERR : n;
  if (c === ERR) return ERR;
  gatherAny(x.dtype, x.ptr, x.shape, x.strides, c.ptr);
  return c;
}

// The input and saved-value arrays an op hands record(): scratch arrays from a ring of four per length, since record()
// copies what it keeps (Node.init) and nothing else holds them; an op builds at most three before its record() call.
const RING1 = new StaticArray<StaticArray<Tensor>>(4), RING2 = new StaticArray<StaticArray<Tensor>>(4);
for (let i = 0; i < 4; i++) { RING1[i] = new StaticArray<Tensor>(1); RING2[i] = new StaticArray<Tensor>(2); }
let ring1: i32 = 0, ring2: i32 = 0;
export function arr1(a: Tensor): StaticArray<Tensor> {
  ring1 = (ring1 + 1) & 3; const r = unchecked(RING1[ring1]); unchecked(r[0] = a); return r;
}
export function arr2(a: Tensor, b: Tensor): StaticArray<Tensor> {
  ring2 = (ring2 + 1) & 3; const r = unchecked(RING2[ring2]); unchecked(r[0] = a); unchecked(r[1] = b); return r;
}
export function f2(a: f64, b: f64): StaticArray<f64> { const r = filled<f64>(2); unchecked(r[0] = a); unchecked(r[1] = b); return r; }

/** Elementwise unary op (its kernel, what it saves and whether it is heavy come from its table entry) with constants (a, b). */
export function unary(op: i32, x: Tensor, a: f32, b: f32): Tensor {
  if (failed()) return ERR;
  if (x.dtype != DType.Float32) return x.dtype == DType.Float64 ? unary64(op, x, a, b) : dtypeError(op, 0, DType.Float32, x);
  const c = contig(x);
  if (c === ERR) return ERR;
  const r = rule(op);
  const y = outTensor(x.shape, DType.Float32);
  if (y !== ERR) unaryPar(changetype<UnaryKernel>(r.kernel1), r.heavy, c.ptr, y.ptr, y.size, a, b);
  release(c);
  if (y !== ERR && anyRecording()) {
    const save = r.save;
    const ins = arr1(x);
    let saved = NONE;
    if (save == Save.In) saved = ins; // shared with the inputs (a Node never writes either)
    else if (save == Save.Out) saved = arr1(y);
    else if (save == Save.Both) saved = arr2(x, y);
    record(op, ins, y, saved, NO_I, a == 0 && b == 0 ? F00 : f2(a, b));
  }
  return y;
}

/** unary for a Float64 input: the op's float64 kernel, constants (a, b) in float64 (affine calls it directly). */
export function unary64(op: i32, x: Tensor, a: f64, b: f64): Tensor {
  if (failed()) return ERR;
  const r = rule(op);
  if (x.dtype != DType.Float64 || r.kernel1d == null) return dtypeError(op, 0, DType.Float32, x);
  const c = contig(x);
  if (c === ERR) return ERR;
  const y = outTensor(x.shape, DType.Float64);
  if (y !== ERR) unaryPar64(changetype<UnaryKernel64>(r.kernel1d), r.heavy, c.ptr, y.ptr, y.size, a, b);
  release(c);
  if (y !== ERR && anyRecording()) {
    const save = r.save;
    const ins = arr1(x);
    let saved = NONE;
    if (save == Save.In) saved = ins;
    else if (save == Save.Out) saved = arr1(y);
    else if (save == Save.Both) saved = arr2(x, y);
    record(op, ins, y, saved, NO_I, a == 0 && b == 0 ? F00 : f2(a, b));
  }
  return y;
}

/** NumPy broadcasting of two shapes; null (error recorded) when incompatible. */
export function broadcastShapes(op: i32, a: StaticArray<i32>, b: StaticArray<i32>): StaticArray<i32> | null {
  const ra = a.length, rb = b.length;
  const r = ra > rb ? ra : rb;
  // The result is usually one of the two shapes: then that (never written) array is returned as it is.
  let isA = ra == r, isB = rb == r;
  for (let i = 0; i < r; i++) {
    const da = i < r - ra ? 1 : unchecked(a[i - (r - ra)]);
    const db = i < r - rb ? 1 : unchecked(b[i - (r - rb)]);
    if (da != db && da != 1 && db != 1) {
      fail(ErrorCode.ShapeMismatch, op, -1, a.length, b.length);
      for (let k = 0; k < a.length; k++) addDetail(a[k]);
      for (let k = 0; k < b.length && k < 4; k++) addDetail(b[k]);
      return null;
    }
    const d = da == 1 ? db : da;
    if (d != da) isA = false;
    if (d != db) isB = false;
  }
  if (isA) return a;
  if (isB) return b;
  const out = new StaticArray<i32>(r);
  for (let i = 0; i < r; i++) {
    const da = i < r - ra ? 1 : unchecked(a[i - (r - ra)]);
    out[i] = da == 1 ? (i < r - rb ? 1 : unchecked(b[i - (r - rb)])) : da;
  }
  return out;
}

/** t's element strides when broadcast to `shape` (0 on broadcast axes). */
export function broadcastStrides(t: Tensor, shape: StaticArray<i32>): StaticArray<i32> {
  const r = shape.length, off = r - t.shape.length;
  const s = new StaticArray<i32>(r);
  for (let i = off; i < r; i++) s[i] = t.shape[i - off] == 1 ? 0 : t.strides[i - off];
  return s;
}

const binaryIter = new NdIter();

/**
 * Elementwise binary op with broadcasting, reading strided views directly (no copy); its kernel and what it saves
 * come from its table entry. Non-differentiable ops (comparisons) take any dtype.
 */
export function binary(op: i32, a: Tensor, b: Tensor, outDtype: i32 = DType.Float32): Tensor {
  if (failed()) return ERR;
  const r = rule(op);
  const k = changetype<BinaryKernel>(r.kernel2);
  if (a.dtype == DType.Float64 || b.dtype == DType.Float64) return binary64(op, a, b, outDtype);
  if (!r.nondiff) {
    if (a.dtype != DType.Float32) return dtypeError(op, 0, DType.Float32, a);
    if (b.dtype != DType.Float32) return dtypeError(op, 1, DType.Float32, b);
  }
  const shape = broadcastShapes(op, a.shape, b.shape);
  if (shape == null) return ERR;
  if (shape.length > MAX_RANK) { fail(ErrorCode.RankTooHigh, op, -1, shape.length, MAX_RANK); return ERR; }
  const y = outTensor(shape, outDtype);
  if (y === ERR) return ERR;
  const it = binaryIter;
  broadcastInto(a.shape, a.strides, shape, it.in0); broadcastInto(b.shape, b.strides, shape, it.in1); stdInto(shape, it.in2);
  it.begin(shape);
  const n = it.inner, sa = it.i0, sb = it.i1;
  // one run, or rows of runs: split across threads when large (kernels/parallel.ts)
  if (!it.done && it.rank == 1) binaryPar(k, a.ptr, sa, b.ptr, sb, y.ptr, n);
  else if (!it.done && it.rank == 2) binaryRowsPar(k, a.ptr, sa, unchecked(it.s0[0]), b.ptr, sb, unchecked(it.s1[0]), y.ptr, unchecked(it.s2[0]), n, unchecked(it.shape[0]));
  else {
    while (!it.done) {
      k(a.ptr + (<usize>it.o0 << 2), sa, b.ptr + (<usize>it.o1 << 2), sb, y.ptr + (<usize>it.o2 << 2), n);
      it.next();
    }
  }
  if (anyRecording()) {
    // the inputs array doubles as the saved array when both inputs are saved (a Node never writes either)
    const ins = arr2(a, b);
    const save = r.save;
    const saved = save == Save.None ? NONE : (save == Save.Out ? arr1(y) : ins);
    record(op, ins, y, saved, NO_I, NO_F);
  }
  return y;
}

const binaryIter64 = new NdIter();

/**
 * binary for Float64 operands: both must be Float64 (an op mixing dtypes is a DType error whose expected dtype is
 * the other operand's: the message names the cast to add; nothing is promoted). Comparisons asked for a 4-byte
 * result (bool, or a float32 mask) compute the float64 0/1 mask and narrow it, exactly.
 */
function binary64(op: i32, a: Tensor, b: Tensor, outDtype: i32): Tensor {
  const r = rule(op);
  if (a.dtype != DType.Float64) return dtypeError(op, 0, DType.Float64, a);
  if (b.dtype != DType.Float64) return dtypeError(op, 1, DType.Float64, b);
  if (r.kernel2d == null) return dtypeError(op, 0, DType.Float32, a);
  const k = changetype<BinaryKernel>(r.kernel2d);
  const shape = broadcastShapes(op, a.shape, b.shape);
  if (shape == null) return ERR;
  if (shape.length > MAX_RANK) { fail(ErrorCode.RankTooHigh, op, -1, shape.length, MAX_RANK); return ERR; }
  // arithmetic gives float64; a comparison gives what it was asked for (bool, or a mask of either float dtype)
  const dt = r.nondiff ? outDtype : DType.Float64, narrow = dt != DType.Float64;
  const y = outTensor(shape, dt);
  if (y === ERR) return ERR;
  let w = y;
  if (narrow) { const t = newTensor(shape, DType.Float64); if (t == null) { release(y); return ERR; } w = t; }
  const it = binaryIter64;
  broadcastInto(a.shape, a.strides, shape, it.in0); broadcastInto(b.shape, b.strides, shape, it.in1); stdInto(shape, it.in2);
  it.begin(shape);
  const n = it.inner, sa = it.i0, sb = it.i1;
  if (!it.done && it.rank == 1) binaryPar64(k, a.ptr, sa, b.ptr, sb, w.ptr, n);
  else if (!it.done && it.rank == 2) binaryRowsPar64(k, a.ptr, sa, unchecked(it.s0[0]), b.ptr, sb, unchecked(it.s1[0]), w.ptr, unchecked(it.s2[0]), n, unchecked(it.shape[0]));
  else {
    while (!it.done) {
      k(a.ptr + (<usize>it.o0 << 3), sa, b.ptr + (<usize>it.o1 << 3), sb, w.ptr + (<usize>it.o2 << 3), n);
      it.next();
    }
  }
  if (narrow) { convertKernel(true, w.ptr, y.ptr, y.size); release(w); }
  if (anyRecording()) {
    const ins = arr2(a, b);
    const save = r.save;
    const saved = save == Save.None ? NONE : (save == Save.Out ? arr1(y) : ins);
    record(op, ins, y, saved, NO_I, NO_F);
  }
  return y;
}
