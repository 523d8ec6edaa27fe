// Views: reshape, transpose, expandDims, squeeze, broadcastTo, slice and integer indexing are all one op, View.
// A view maps its element j to the parent's logical (row-major) flat index relOffset + sum_a j_a * relStrides[a].
// Forward shares the parent's storage when the parent is contiguous (otherwise it views a contiguous copy).
// Backward is ViewGrad: scatter-add the cotangent into zeros of the parent's shape at those positions
// (stride-0 axes, from broadcasting, therefore sum). ViewGrad is linear with View as its adjoint, so each is the
// other's backward rule and derivatives of any order stay exact.
// The same mapping lets a view made after the forward pass serve as a gradient source (backprop.ts: resolve).
import { Tensor, dshift, newView, retain, release, isContiguous, sameShape, stdStrides, sizeOf, sharedStrides, shape2 } from "../tensor";
import { failed } from "../errors";
import { filled } from "../arrays";
import { record, anyRecording, Node } from "./record";
import { Op } from "./codes";
import { def } from "./table";
import { ERR, NONE, NO_F, contig, outTensor, arr1, shapeError } from "./factory";
import { scatterAny, fillAny } from "../kernels/strided64";

function encode(shape: StaticArray<i32>, rel: StaticArray<i32>, off: i32, other: StaticArray<i32>): StaticArray<i32> {
  const r = shape.length, q = other.length;
  const ip = filled<i32>(2 + 2 * r + q); // (every element written below)
  // (one length check, then unchecked writes and reads: each checked one is a call, ~16 per view recorded)
  if (rel.length != r) unreachable();
  unchecked(ip[0] = r); unchecked(ip[1] = off);
  for (let i = 0; i < r; i++) { unchecked(ip[2 + i] = unchecked(shape[i])); unchecked(ip[2 + r + i] = unchecked(rel[i])); }
  for (let i = 0; i < q; i++) unchecked(ip[2 + 2 * r + i] = unchecked(other[i]));
  return ip;
}
/** The view offset of an encoded record. */
@inline function decOffset(ip: StaticArray<i32>): i32 { return ip[1]; }
// (ip is encode()'s array: 2 + 2r + q elements, so the reads are in range)
function decShape(ip: StaticArray<i32>): StaticArray<i32> { const r = ip[0]; const s = filled<i32>(r); for (let i = 0; i < r; i++) unchecked(s[i] = unchecked(ip[2 + i])); return s; }
// (rank 2 from the shared pair cache: relative strides are never written)
function decRel(ip: StaticArray<i32>): StaticArray<i32> {
  const r = ip[0];
  if (r == 2) return shape2(unchecked(ip[4]), unchecked(ip[5]));
  const s = filled<i32>(r); for (let i = 0; i < r; i++) unchecked(s[i] = unchecked(ip[2 + r + i])); return s;
}

export function viewOf(x: Tensor, shape: StaticArray<i32>, rel: StaticArray<i32>, off: i32): Tensor {
  if (failed()) return ERR;
  let y: Tensor;
  if (isContiguous(x)) y = newView(x, shape, rel, x.offset + off);
  else {
    const c = contig(x);
    if (c === ERR) return ERR;
    y = newView(c, shape, rel, c.offset + off);
    release(c);
  }
  retain(x);
  y.parent = x; y.relStrides = rel; y.relOffset = off;
  if (anyRecording()) record(Op.View, arr1(x), y, NONE, encode(shape, rel, off, x.shape), NO_F);
  return y;
}

function viewBackward(n: Node, g: Tensor): void {
  n.grad(0, viewGrad(g, n.inShape(0), decRel(n.ip), decOffset(n.ip)));
}

/** zeros(target) with g scattered (added) at the view positions (rel, off) */
export function viewGrad(g: Tensor, target: StaticArray<i32>, rel: StaticArray<i32>, off: i32): Tensor {
  if (failed()) return ERR;
  const y = outTensor(target, g.dtype);
  if (y === ERR) return ERR;
  fillAny(g.dtype, y.ptr, y.size, 0);
  const c = contig(g);
  if (c === ERR) { release(y); return ERR; }
  scatterAny(g.dtype, c.ptr, g.shape, rel, y.ptr + (<usize>off << dshift(g.dtype)), true);
  release(c);
  if (anyRecording()) record(Op.ViewGrad, arr1(g), y, NONE, encode(g.shape, rel, off, target), NO_F);
  return y;
}

function viewGradBackward(n: Node, g: Tensor): void {
  n.grad(0, viewOf(g, n.inShape(0), decRel(n.ip), decOffset(n.ip)));
}

/** The strides that broadcast `small` (right-aligned) into a row-major tensor of `big`'s shape. */
function broadcastRel(small: StaticArray<i32>, big: StaticArray<i32>): StaticArray<i32> {
  const r = big.length, o = r - small.length;
  const std = sharedStrides(small);
  if (r == 2) { // (the shared pair cache, as decRel)
    const r0 = o > 0 || unchecked(small[0]) == 1 ? 0 : unchecked(std[0]);
    const r1 = o > 1 || unchecked(small[1 - o]) == 1 ? 0 : unchecked(std[1 - o]);
    return shape2(r0, r1);
  }
  const rel = new StaticArray<i32>(r);
  for (let i = o; i < r; i++) rel[i] = small[i - o] == 1 ? 0 : std[i - o];
  return rel;
}

/** The broadcast reduction: sums g over the axes along which `shape` was broadcast to g's shape. */
export function unbroadcast(g: Tensor, shape: StaticArray<i32>): Tensor {
  if (sameShape(g.shape, shape)) return g;
  return viewGrad(g, shape, broadcastRel(shape, g.shape), 0);
}

export function broadcastTo(x: Tensor, shape: StaticArray<i32>): Tensor {
  if (failed()) return ERR;
  const r = shape.length, o = r - x.shape.length;
  let ok = o >= 0;
  for (let i = 0; ok && i < x.shape.length; i++) ok = x.shape[i] == 1 || x.shape[i] == shape[i + o];
  if (!ok) { shapeError(Op.BroadcastTo, x.shape, shape, 0); return ERR; }
  if (sameShape(x.shape, shape)) return reshape(x, shape);
  return viewOf(x, shape, broadcastRel(x.shape, shape), 0);
}

export function reshape(x: Tensor, shape: StaticArray<i32>): Tensor {
  return viewOf(x, shape, sharedStrides(shape), 0);
}

export function transpose(x: Tensor, perm: StaticArray<i32>): Tensor {
  const std = stdStrides(x.shape);
  const r = x.shape.length;
  const shape = new StaticArray<i32>(r), rel = new StaticArray<i32>(r);
  for (let i = 0; i < r; i++) { shape[i] = x.shape[perm[i]]; rel[i] = std[perm[i]]; }
  return viewOf(x, shape, rel, 0);
}

/**
 * Strided slice: begin, size and step per axis at scratch[from..], [from + r..], [from + 2r..] (r = x's rank),
 * validated by the caller, `size` resolved (no -1). Rank 2 (columns of a batch, the TF-style way to take input
 * derivatives) allocates nothing: its shape and relative strides come from the shared pair cache (never written).
 */
export function sliceScratch(x: Tensor, sc: StaticArray<i32>, from: i32): Tensor {
  const r = x.shape.length;
  if (from < 0 || from + 3 * r > sc.length) unreachable(); // (one range check: the reads below are unchecked)
  const std = sharedStrides(x.shape);
  let off = 0;
  for (let i = 0; i < r; i++) off += unchecked(sc[from + i]) * unchecked(std[i]);
  let size: StaticArray<i32>, rel: StaticArray<i32>;
  if (r == 2) {
    size = shape2(unchecked(sc[from + 2]), unchecked(sc[from + 3]));
    rel = shape2(unchecked(std[0]) * unchecked(sc[from + 4]), unchecked(std[1]) * unchecked(sc[from + 5]));
  } else {
    size = filled<i32>(r); rel = filled<i32>(r); // (every element written below)
    for (let i = 0; i < r; i++) {
      unchecked(size[i] = unchecked(sc[from + r + i]));
      unchecked(rel[i] = unchecked(std[i]) * unchecked(sc[from + 2 * r + i]));
    }
  }
  return viewOf(x, size, rel, off);
}

/** x[i0, i1, ...]: drops the leading axes. */
export function index(x: Tensor, idx: StaticArray<i32>): Tensor {
  const std = stdStrides(x.shape);
  const k = idx.length, r = x.shape.length;
  let off = 0;
  for (let i = 0; i < k; i++) off += idx[i] * std[i];
  const shape = new StaticArray<i32>(r - k), rel = new StaticArray<i32>(r - k);
  for (let i = k; i < r; i++) { shape[i - k] = x.shape[i]; rel[i - k] = std[i]; }
  return viewOf(x, shape, rel, off);
}

/** A contiguous copy that the tape sees as identity (used where a kernel needs its own storage). */
export function copy(x: Tensor): Tensor {
  if (failed()) return ERR;
  const c = contig(x);
  if (c === ERR) return ERR;
  if (c !== x) { if (anyRecording()) record(Op.Copy, arr1(x), c, NONE, new StaticArray<i32>(0), NO_F); return c; }
  release(c);
  const y = outTensor(x.shape, x.dtype);
  if (y === ERR) return ERR;
  memory.copy(y.ptr, x.ptr, <usize>x.size << dshift(x.dtype));
  if (anyRecording()) record(Op.Copy, arr1(x), y, NONE, new StaticArray<i32>(0), NO_F);
  return y;
}

function copyBackward(n: Node, g: Tensor): void { n.grad(0, g); }

// View and ViewGrad again from their recorded parameters (a replay; program.ts runs View steps itself, with
// their shape and strides decoded once per program instead of on every call: the same operation)
function replayView(op: i32, x: StaticArray<Tensor>, ip: StaticArray<i32>, fp: StaticArray<f64>, dtype: i32, outShape: StaticArray<i32>): Tensor { return viewOf(x[0], decShape(ip), decRel(ip), decOffset(ip)); }
function replayViewGrad(op: i32, x: StaticArray<Tensor>, ip: StaticArray<i32>, fp: StaticArray<f64>, dtype: i32, outShape: StaticArray<i32>): Tensor {
  const g = x[0];
  const r = ip[0], q = ip.length - 2 - 2 * r;
  const target = new StaticArray<i32>(q);
  for (let i = 0; i < q; i++) target[i] = ip[2 + 2 * r + i];
  return viewGrad(g, target, decRel(ip), decOffset(ip));
}

function replayCopy(op: i32, x: StaticArray<Tensor>, ip: StaticArray<i32>, fp: StaticArray<f64>, dtype: i32, outShape: StaticArray<i32>): Tensor { return copy(x[0]); }

def(Op.View).replays(replayView).backwards(viewBackward);
def(Op.ViewGrad).replays(replayViewGrad).backwards(viewGradBackward);
def(Op.Copy).replays(replayCopy).backwards(copyBackward);
// the view entry points of the API: each is recorded as one View step
def(Op.Reshape).recordedAs(Op.View);
def(Op.Transpose).recordedAs(Op.View);
def(Op.BroadcastTo).recordedAs(Op.View);
def(Op.Slice).recordedAs(Op.View);
def(Op.Index).recordedAs(Op.View);

export { decShape, decRel, decOffset, sizeOf };
