// Reductions over any set of axes, with keepDims: sum, max, min (mean is sum scaled by 1/count, in exports/ops.ts).
//   d sum = broadcast(g) ;  d max = broadcast(g) * [x == max] / count(x == max)
// (ties share the cotangent equally, as TensorFlow does; the mask is constant, so higher derivatives are exact
// away from ties).
import { Tensor, DType, stdStrides, release } from "../tensor";
import { Node, record, anyRecording } from "./record";
import { Op } from "./codes";
import { def } from "./table";
import { sumKernel, extremumKernel } from "../kernels/reduce";
import { reduceKernel64 } from "../kernels/reduce64";
import { allocElems, free } from "../memory";
import { failed, failOutOfMemory } from "../errors";
import { ERR, NO_F, dtypeError, outTensor, contig, arr1, arr2 } from "./factory";
import { reshape, broadcastTo } from "./view";
import { mul, div } from "./arith";
import { fmask } from "./compare";

/** axes: a 0/1 flag per input axis (validated by the caller). */
export function reduce(op: i32, x: Tensor, axes: StaticArray<i32>, keep: bool): Tensor {
  if (failed()) return ERR;
  const f64 = x.dtype == DType.Float64;
  if (x.dtype != DType.Float32 && !f64) return dtypeError(op, 0, DType.Float32, x);
  const r = x.shape.length;
  const keepShape = new StaticArray<i32>(r);
  let outRank = 0;
  for (let i = 0; i < r; i++) { keepShape[i] = axes[i] ? 1 : x.shape[i]; if (!axes[i]) outRank++; }
  const shape = keep ? keepShape : new StaticArray<i32>(outRank);
  if (!keep) { let j = 0; for (let i = 0; i < r; i++) if (!axes[i]) shape[j++] = x.shape[i]; }
  const y = outTensor(shape, x.dtype);
  if (y === ERR) return ERR;
  const c = contig(x);
  if (c === ERR) { release(y); return ERR; }
  const os = stdStrides(keepShape);
  for (let i = 0; i < r; i++) if (axes[i]) os[i] = 0;
  if (f64) reduceKernel64(op == Op.Sum, op == Op.Max, c.ptr, y.ptr, x.shape, stdStrides(x.shape), os, y.size);
  else if (op == Op.Sum) {
    // float64 accumulators, one per output element (kernels/reduce.ts says why)
    const n = y.size > 2 ? y.size : 2, bytes = <usize>n << 3; // allocElems checks n * 8 before bytes is used
    const acc = allocElems(n, 8);
    if (acc == 0) { failOutOfMemory(op, <f64>n * 8); release(c); release(y); return ERR; }
    sumKernel(c.ptr, y.ptr, acc, x.shape, stdStrides(x.shape), os, y.size);
    free(acc, bytes);
  } else extremumKernel(op == Op.Max, c.ptr, y.ptr, x.shape, stdStrides(x.shape), os, y.size);
  release(c);
  if (anyRecording()) {
    const ip = new StaticArray<i32>(r);
    for (let i = 0; i < r; i++) ip[i] = keepShape[i];
    record(op, arr1(x), y, op == Op.Sum ? new StaticArray<Tensor>(0) : arr2(x, y), ip, NO_F);
  }
  return y;
}

/**
 * The reduction again from what was recorded (a replay, trace.ts): ip is the keepDims shape and outShape the
 * result's. An axis of size 1 reads the same whether it was reduced or not, so which of those count as reduced is
 * chosen to give the recorded output rank.
 */
function replayReduce(op: i32, x: StaticArray<Tensor>, ip: StaticArray<i32>, fp: StaticArray<f64>, dtype: i32, outShape: StaticArray<i32>): Tensor {
  const x0 = x[0];
  const r = x0.shape.length;
  const keep = outShape.length == r;
  const axes = new StaticArray<i32>(r);
  let drop = r - outShape.length;
  for (let i = 0; i < r; i++) if (ip[i] == 1 && x0.shape[i] != 1) { axes[i] = 1; drop--; }
  for (let i = 0; i < r; i++) if (x0.shape[i] == 1 && (keep || drop > 0)) { axes[i] = 1; if (!keep) drop--; }
  return reduce(op, x0, axes, keep);
}

function sumBackward(n: Node, g: Tensor): void {
  n.grad(0, broadcastTo(reshape(g, n.ip), n.inShape(0)));
}

function maxMinBackward(n: Node, g: Tensor): void {
  const x = n.savedAt(0), y = n.savedAt(1);
  const axes = new StaticArray<i32>(n.ip.length);
  for (let i = 0; i < axes.length; i++) axes[i] = n.ip[i] == 1 && n.inShape(0)[i] != 1 ? 1 : 0;
  const mask = fmask(Op.Equal, x, reshape(y, n.ip));
  const count = reduce(Op.Sum, mask, axes, true);
  n.grad(0, div(mul(reshape(g, n.ip), mask), count));
}

def(Op.Sum).replays(replayReduce).backwards(sumBackward);
def(Op.Max).replays(replayReduce).backwards(maxMinBackward);
def(Op.Min).replays(replayReduce).backwards(maxMinBackward);
def(Op.Mean).recordedAs(Op.Sum); // sum, then affine by 1 / count (exports/ops.ts)
