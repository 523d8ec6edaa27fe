// jacobian and batchJacobian: one reverse sweep per (non-batch) target element, seeded with a one-hot cotangent.
// The rows are joined with View/Concat ops, so a Jacobian computed under an outer tape is itself differentiable.
import { Tensor, DType, get, release, sizeOf, stdStrides, newView, shape2 } from "./tensor";
import { fail, failed, ErrorCode } from "./errors";
import { getTape } from "./ops/record";
import { sweep, clearGrads, resolve, startGradient, finishGradient, Unconnected, tapeUnconnectedReason, lastBlockingOp } from "./backprop";
import { full, zerosLike } from "./ops/creation";
import { reshape } from "./ops/view";
import { concat } from "./ops/concat";
import { ERR } from "./ops/factory";

const EMPTY = new StaticArray<i32>(0);
/** a one- or two-element shape (b < 0: one element) */
function sa(a: i32, b: i32): StaticArray<i32> { const s = new StaticArray<i32>(b < 0 ? 1 : 2); s[0] = a; if (b >= 0) s[1] = b; return s; }

function cat(shape: StaticArray<i32>, a: StaticArray<i32>, from: i32, b: StaticArray<i32>, fromB: i32): StaticArray<i32> {
  const s = new StaticArray<i32>(shape.length + a.length - from + b.length - fromB);
  let j = 0;
  for (let i = 0; i < shape.length; i++) s[j++] = shape[i];
  for (let i = from; i < a.length; i++) s[j++] = a[i];
  for (let i = fromB; i < b.length; i++) s[j++] = b[i];
  return s;
}

/**
 * The cotangent of a batch target [B, ...] for its element i of every example: one in that element, zero elsewhere.
 * A rank-2 target gets a row broadcast (isRowBroadcast): a view [B, m] whose rows all share one one-hot row, so the
 * products the sweep makes of it are computed once and stay broadcast (ops/matmul.ts), and their elementwise
 * consumers read the row from a tile instead of B copies of it (the seed batch's Hessian sweeps wrote two [10,000,
 * 28] products of it per call). A fresh row per element: a jit trace keeps the seed as a constant.
 */
function batchSeed(target: Tensor, B: i32, m: i32, i: i32): Tensor {
  if (target.shape.length != 2 || B < 2) {
    const seed = zerosLike(target);
    for (let b = 0; b < B && seed !== ERR; b++) setOne(seed, b * m + i);
    return seed;
  }
  const row = full(shape2(1, m), 0, target.dtype == DType.Float64 ? DType.Float64 : DType.Float32);
  if (row === ERR) return ERR;
  setOne(row, i);
  const seed = newView(row, target.shape, shape2(0, 1), 0);
  release(row);
  return seed;
}

/** Element e of a new float tensor (float32 or float64) set to one. */
function setOne(t: Tensor, e: i32): void {
  if (t.dtype == DType.Float64) store<f64>(t.ptr + (<usize>e << 3), 1);
  else store<f32>(t.ptr + (<usize>e << 2), 1);
}

/**
 * batch = false: J[i..., k...] = d target[i...] / d source[k...]
 * batch = true : J[b, i..., k...] = d target[b, i...] / d source[b, k...] (examples independent along axis 0)
 */
function jac(id: i32, targetH: i32, srcH: i32, mode: i32, batch: bool): i32 {
  const tape = getTape(id); if (tape == null) return 0;
  const target = get(targetH, -1, -1); if (target == null) return 0;
  const src = get(srcH, -1, 0); if (src == null) return 0;
  const B = batch ? (target.shape.length > 0 ? target.shape[0] : -1) : 1;
  if (batch && (src.shape.length == 0 || B != src.shape[0])) {
    fail(ErrorCode.ShapeMismatch, -1, 0, target.shape.length, src.shape.length);
    return 0;
  }
  if (!startGradient(tape)) return 0;
  const m = batch ? (B == 0 ? 0 : target.size / B) : target.size;
  // Nullable: when a sweep fails (an in-place update, say) the loop stops early and the rest stay null. A
  // StaticArray<Tensor> read at a null slot aborts ("Element type must be nullable if array is holey").
  const rows = new StaticArray<Tensor | null>(m);
  const srcs = new StaticArray<Tensor>(1); srcs[0] = src;
  const unitShape = batch ? cat(sa(B, 1), EMPTY, 0, src.shape, 1) : cat(sa(1, -1), src.shape, 0, EMPTY, 0);
  let connected = false;
  for (let i = 0; i < m && !failed(); i++) {
    const seed = batch ? batchSeed(target, B, m, i) : zerosLike(target);
    if (seed === ERR) break;
    if (!batch) setOne(seed, i);
    sweep(tape, target, seed, srcs);
    release(seed);
    const r: Tensor | null = failed() ? null : resolve(src);
    let g: Tensor;
    if (r != null) { connected = true; g = r; } else g = zerosLike(src);
    clearGrads();
    rows[i] = reshape(g, unitShape);
    release(g);
  }
  let out: Tensor = ERR;
  if (!failed()) {
    if (!connected && mode == Unconnected.Error) {
      const r = tapeUnconnectedReason(id, targetH, srcH);
      fail(ErrorCode.Unconnected, lastBlockingOp(), 0, r, src.shape.length);
    } else if (connected || mode == Unconnected.Zero) {
      const joined = m > 0 ? concat(changetype<StaticArray<Tensor>>(rows), batch ? 1 : 0) : full(unitShape, 0, src.dtype == DType.Float64 ? DType.Float64 : DType.Float32); // all set: no failure
      const shape = batch ? cat(sa(B, -1), target.shape, 1, src.shape, 1) : cat(target.shape, src.shape, 0, EMPTY, 0);
      out = reshape(joined, shape);
      release(joined);
    }
  }
  for (let i = 0; i < m; i++) { const r = rows[i]; if (r != null) release(r); }
  if (failed()) { if (out !== ERR) release(out); return 0; }
  finishGradient(tape);
  return out === ERR ? 0 : out.id;
}

export function tapeJacobian(id: i32, targetH: i32, srcH: i32, mode: i32): i32 { return jac(id, targetH, srcH, mode, false); }
export function tapeBatchJacobian(id: i32, targetH: i32, srcH: i32, mode: i32): i32 { return jac(id, targetH, srcH, mode, true); }
export { sizeOf, stdStrides };
