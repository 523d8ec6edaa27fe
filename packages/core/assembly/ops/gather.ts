// gather(x, indices, axis): out = x[..., indices[j], ...] along axis; indices are int32 (stored exactly as float32
// integers below 2^24). Backward is GatherGrad, a scatter-add of the cotangent into zeros of x's shape (repeated
// indices accumulate); GatherGrad's own backward is gather with the same indices: a linear adjoint pair.
import { Tensor, DType, release, sizeOf, dshift } from "../tensor";
import { fail, failed, ErrorCode } from "../errors";
import { Node, record, anyRecording } from "./record";
import { Op } from "./codes";
import { def } from "./table";
import { fillAny } from "../kernels/strided64";
import { ERR, NO_F, dtypeError, outTensor, contig, arr2, arr1 } from "./factory";

function outer(shape: StaticArray<i32>, axis: i32): i32 { let n = 1; for (let i = 0; i < axis; i++) n *= shape[i]; return n; }
function inner(shape: StaticArray<i32>, axis: i32): i32 { let n = 1; for (let i = axis + 1; i < shape.length; i++) n *= shape[i]; return n; }

export function gather(x: Tensor, idx: Tensor, axis: i32): Tensor {
  if (failed()) return ERR;
  if (idx.dtype != DType.Int32) return dtypeError(Op.Gather, 1, DType.Int32, idx);
  const r = x.shape.length, q = idx.shape.length;
  const shape = new StaticArray<i32>(r - 1 + q);
  let j = 0;
  for (let i = 0; i < axis; i++) shape[j++] = x.shape[i];
  for (let i = 0; i < q; i++) shape[j++] = idx.shape[i];
  for (let i = axis + 1; i < r; i++) shape[j++] = x.shape[i];
  const ci = contig(idx);
  if (ci === ERR) return ERR;
  const d = x.shape[axis], m = idx.size;
  for (let i = 0; i < m; i++) {
    const v = <i32>load<f32>(ci.ptr + (<usize>i << 2));
    if (v < 0 || v >= d) { release(ci); fail(ErrorCode.BadIndex, Op.Gather, 1, v, d, axis); return ERR; }
  }
  const y = outTensor(shape, x.dtype);
  const cx = contig(x);
  if (y !== ERR && cx !== ERR) {
    const no = outer(x.shape, axis), ni = inner(x.shape, axis);
    const sh = dshift(x.dtype);
    const bytes = <usize>ni << sh;
    for (let o = 0; o < no; o++) {
      for (let t = 0; t < m; t++) {
        const v = <i32>load<f32>(ci.ptr + (<usize>t << 2));
        memory.copy(y.ptr + (<usize>((o * m + t) * ni) << sh), cx.ptr + (<usize>((o * d + v) * ni) << sh), bytes);
      }
    }
  }
  release(ci); release(cx);
  if (y !== ERR && anyRecording()) record(Op.Gather, arr2(x, idx), y, arr1(idx), axisParam(axis), NO_F);
  return y;
}

function axisParam(axis: i32): StaticArray<i32> { const ip = new StaticArray<i32>(1); ip[0] = axis; return ip; }
// the recorded parameters: [axis] for Gather, [axis, x's shape...] for GatherGrad
@inline function axisOf(ip: StaticArray<i32>): i32 { return ip[0]; }

export function gatherGrad(g: Tensor, idx: Tensor, axis: i32, xShape: StaticArray<i32>): Tensor {
  if (failed()) return ERR;
  const y = outTensor(xShape, g.dtype);
  if (y === ERR) return ERR;
  fillAny(g.dtype, y.ptr, y.size, 0);
  const f64 = g.dtype == DType.Float64;
  const cg = contig(g), ci = contig(idx);
  if (cg !== ERR && ci !== ERR) {
    const d = xShape[axis], m = idx.size;
    const no = outer(xShape, axis), ni = inner(xShape, axis);
    for (let o = 0; o < no; o++) {
      for (let t = 0; t < m; t++) {
        const v = <i32>load<f32>(ci.ptr + (<usize>t << 2));
        if (f64) {
          const dst = y.ptr + (<usize>((o * d + v) * ni) << 3), src = cg.ptr + (<usize>((o * m + t) * ni) << 3);
          for (let e = 0; e < ni; e++) { const p = <usize>e << 3; store<f64>(dst + p, load<f64>(dst + p) + load<f64>(src + p)); }
          continue;
        }
        const dst = y.ptr + (<usize>((o * d + v) * ni) << 2), src = cg.ptr + (<usize>((o * m + t) * ni) << 2);
        for (let e = 0; e < ni; e++) { const p = <usize>e << 2; store<f32>(dst + p, load<f32>(dst + p) + load<f32>(src + p)); }
      }
    }
  }
  release(cg); release(ci);
  if (anyRecording()) {
    // [axis, x's shape...]: the backward rule reads the axis; a replay (trace.ts) needs the shape too
    const ip = new StaticArray<i32>(1 + xShape.length);
    ip[0] = axis;
    for (let i = 0; i < xShape.length; i++) ip[1 + i] = xShape[i];
    record(Op.GatherGrad, arr2(g, idx), y, arr1(idx), ip, NO_F);
  }
  return y;
}

function gatherBackward(n: Node, g: Tensor): void {
  if (n.needs(0)) n.grad(0, gatherGrad(g, n.savedAt(0), axisOf(n.ip), n.inShape(0)));
}
function gatherGradBackward(n: Node, g: Tensor): void {
  if (n.needs(0)) n.grad(0, gather(g, n.savedAt(0), axisOf(n.ip)));
}
/** GatherGrad again from its recorded parameters (a replay). */
function replayGatherGrad(op: i32, x: StaticArray<Tensor>, ip: StaticArray<i32>, fp: StaticArray<f64>, dtype: i32, outShape: StaticArray<i32>): Tensor {
  const g = x[0], idx = x[1];
  const shape = new StaticArray<i32>(ip.length - 1);
  for (let i = 0; i < shape.length; i++) shape[i] = ip[1 + i];
  return gatherGrad(g, idx, axisOf(ip), shape);
}
function replayGather(op: i32, x: StaticArray<Tensor>, ip: StaticArray<i32>, fp: StaticArray<f64>, dtype: i32, outShape: StaticArray<i32>): Tensor { return gather(x[0], x[1], axisOf(ip)); }
def(Op.Gather).replays(replayGather).backwards(gatherBackward);
def(Op.GatherGrad).replays(replayGatherGrad).backwards(gatherGradBackward);
export { sizeOf };
