// concat(tensors, axis): each input is copied into its slab of the output. Backward hands each input the matching
// slab of the cotangent, as a View (so it stays differentiable). stack = expandDims + concat (the TS side).
import { Tensor, sharedStrides, release, dshift, shape2, MAX_RANK } from "../tensor";
import { failed } from "../errors";
import { filled } from "../arrays";
import { Node, record, anyRecording } from "./record";
import { Op } from "./codes";
import { def } from "./table";
import { ERR, NONE, NO_F, outTensor, contig } from "./factory";
import { viewOf } from "./view";

// The recorded parameter [axis], one shared array per axis (never written).
const AXES = new StaticArray<StaticArray<i32>>(MAX_RANK);
for (let a = 0; a < MAX_RANK; a++) { const p = new StaticArray<i32>(1); p[0] = a; AXES[a] = p; }
@inline function axisParam(axis: i32): StaticArray<i32> { return unchecked(AXES[axis]); }

/** Inputs are validated by the caller (same rank, dtype, and sizes off the axis). */
export function concat(xs: StaticArray<Tensor>, axis: i32): Tensor {
  if (failed()) return ERR;
  // (axis < r and every input has rank r, as the caller checked: unchecked reads, each checked read being a call)
  const x0 = xs[0];
  const r = x0.shape.length;
  let total = 0;
  for (let k = 0; k < xs.length; k++) total += unchecked(unchecked(xs[k]).shape[axis]);
  let shape: StaticArray<i32>;
  // (rank 2: the shared pair cache, never written; otherwise a new array)
  if (r == 2) shape = axis == 0 ? shape2(total, unchecked(x0.shape[1])) : shape2(unchecked(x0.shape[0]), total);
  else {
    shape = filled<i32>(r); // (every element written below)
    for (let i = 0; i < r; i++) unchecked(shape[i] = unchecked(x0.shape[i]));
    shape[axis] = total;
  }
  const y = outTensor(shape, x0.dtype);
  if (y === ERR) return ERR;
  // y is `outer` rows of `row` elements (outer: the axes before `axis`); input k fills `inner` consecutive elements
  // of every row, from offset `at`: one copy per row and input (a strided scatter walked its iterator per element
  // when the axes after `axis` are small: the seed batch's Hessian [N, 2, 2] from two [N, 2, 1] took 4.6 ns per
  // element, 6% of the jitted batch)
  let outer = 1, after = 1;
  for (let i = 0; i < axis; i++) outer *= unchecked(shape[i]);
  for (let i = axis + 1; i < r; i++) after *= unchecked(shape[i]);
  const row = total * after, sh = dshift(x0.dtype); // (elements; bytes = elements << sh, for float32 and float64)
  let at = 0;
  for (let k = 0; k < xs.length; k++) {
    const xk = unchecked(xs[k]), nk = unchecked(xk.shape[axis]) * after;
    const c = contig(xk);
    if (c === ERR) { release(y); return ERR; }
    copyRows(c.ptr, nk << sh, y.ptr + (<usize>at << sh), row << sh, outer);
    release(c);
    at += nk;
  }
  if (anyRecording()) {
    record(Op.Concat, xs, y, NONE, axisParam(axis), NO_F);
  }
  return y;
}

/** rows runs of n bytes: src contiguous, dst rows `stride` bytes apart (a copy of the bits, any dtype). */
function copyRows(src: usize, n: i32, dst: usize, stride: i32, rows: i32): void {
  const sb = <usize>n, db = <usize>stride;
  if (n == 4) { for (let r = 0; r < rows; r++) { store<u32>(dst, load<u32>(src)); src += 4; dst += db; } return; }
  if (n == 8) { for (let r = 0; r < rows; r++) { store<u64>(dst, load<u64>(src)); src += 8; dst += db; } return; }
  for (let r = 0; r < rows; r++) { memory.copy(dst, src, sb); src += sb; dst += db; }
}

// the recorded parameters: [axis]
@inline function axisOf(ip: StaticArray<i32>): i32 { return ip[0]; }

function concatBackward(n: Node, g: Tensor): void {
  const axis = axisOf(n.ip);
  const os = sharedStrides(n.outShape); // (read only, as every view's relative strides)
  let at = 0;
  for (let k = 0; k < n.arity; k++) {
    const s = n.inShape(k);
    if (n.needs(k)) n.grad(k, viewOf(g, s, os, at * os[axis]));
    at += s[axis];
  }
}

// a tape recording the replay keeps the inputs array in its node: give it one of its own
function replayConcat(op: i32, x: StaticArray<Tensor>, ip: StaticArray<i32>, fp: StaticArray<f64>, dtype: i32, outShape: StaticArray<i32>): Tensor { return concat(anyRecording() ? x.slice<StaticArray<Tensor>>(0) : x, axisOf(ip)); }
def(Op.Concat).replays(replayConcat).backwards(concatBackward);
