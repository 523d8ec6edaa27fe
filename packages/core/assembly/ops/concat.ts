// concat(tensors, axis): each input is copied into its slab of the output. Backward hands each input the matching
// slab of the cotangent, as a View (so it stays differentiable). stack = expandDims + concat (the TS side).
import { Tensor, stdStrides, release, dshift } from "../tensor";
import { failed } from "../errors";
import { Node, record, anyRecording } from "./record";
import { Op } from "./codes";
import { def } from "./table";
import { scatterAny } from "../kernels/strided64";
import { ERR, NONE, NO_F, outTensor, contig } from "./factory";
import { viewOf } from "./view";

/** Inputs are validated by the caller (same rank, dtype, and sizes off the axis). */
export function concat(xs: StaticArray<Tensor>, axis: i32): Tensor {
  if (failed()) return ERR;
  const x0 = xs[0];
  const r = x0.shape.length;
  const shape = new StaticArray<i32>(r);
  for (let i = 0; i < r; i++) shape[i] = x0.shape[i];
  let total = 0;
  for (let k = 0; k < xs.length; k++) total += xs[k].shape[axis];
  shape[axis] = total;
  const y = outTensor(shape, x0.dtype);
  if (y === ERR) return ERR;
  const os = stdStrides(shape);
  let at = 0;
  for (let k = 0; k < xs.length; k++) {
    const c = contig(xs[k]);
    if (c === ERR) { release(y); return ERR; }
    scatterAny(x0.dtype, c.ptr, c.shape, os, y.ptr + (<usize>(at * os[axis]) << dshift(x0.dtype)), false);
    release(c);
    at += xs[k].shape[axis];
  }
  if (anyRecording()) {
    const ip = new StaticArray<i32>(1); ip[0] = axis;
    record(Op.Concat, xs, y, NONE, ip, NO_F);
  }
  return y;
}

// the recorded parameters: [axis]
@inline function axisOf(ip: StaticArray<i32>): i32 { return ip[0]; }

function concatBackward(n: Node, g: Tensor): void {
  const axis = axisOf(n.ip);
  const os = stdStrides(n.outShape);
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
