// pad(x, paddings, value): constant padding; backward is the slice of the cotangent where x sits (a View).
import { Tensor, stdStrides, release, dshift } from "../tensor";
import { failed } from "../errors";
import { Node, record, anyRecording } from "./record";
import { Op } from "./codes";
import { def } from "./table";
import { scatterAny, fillAny } from "../kernels/strided64";
import { ERR, NONE, outTensor, contig, arr1, f2 } from "./factory";
import { viewOf } from "./view";

/** pads: [before0, after0, before1, after1, ...] (validated non-negative by the caller). */
export function pad(x: Tensor, pads: StaticArray<i32>, value: f64): Tensor {
  if (failed()) return ERR;
  const r = x.shape.length;
  const shape = new StaticArray<i32>(r);
  for (let i = 0; i < r; i++) shape[i] = x.shape[i] + pads[2 * i] + pads[2 * i + 1];
  const y = outTensor(shape, x.dtype);
  if (y === ERR) return ERR;
  fillAny(x.dtype, y.ptr, y.size, value);
  const os = stdStrides(shape);
  let off = 0;
  for (let i = 0; i < r; i++) off += pads[2 * i] * os[i];
  const c = contig(x);
  if (c === ERR) { release(y); return ERR; }
  scatterAny(x.dtype, c.ptr, x.shape, os, y.ptr + (<usize>off << dshift(x.dtype)), false);
  release(c);
  if (anyRecording()) record(Op.Pad, arr1(x), y, NONE, pads, f2(value, 0));
  return y;
}

function padBackward(n: Node, g: Tensor): void {
  const os = stdStrides(n.outShape);
  let off = 0;
  for (let i = 0; i < os.length; i++) off += n.ip[2 * i] * os[i];
  n.grad(0, viewOf(g, n.inShape(0), os, off));
}

// the recorded parameters: ip = the paddings [before0, after0, ...], fp = [value, 0]
function replayPad(op: i32, x: StaticArray<Tensor>, ip: StaticArray<i32>, fp: StaticArray<f64>, dtype: i32, outShape: StaticArray<i32>): Tensor { return pad(x[0], ip, fp[0]); }
def(Op.Pad).replays(replayPad).backwards(padBackward);
