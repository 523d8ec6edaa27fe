// cast(x, dtype): the values of x in another dtype. float32 <-> float64 is differentiable (the cotangent is cast
// back to the input's dtype, so the gradient of a float32 variable used in a float64 computation is float32);
// casts to int32 (truncation toward zero) and bool (x != 0) and from them are not. The widening float32 -> float64
// is exact; float64 -> float32 rounds to nearest. This is the only op that changes a dtype: every other op refuses
// operands of two dtypes with a DType error that names the cast to add.
import { Tensor, DType, release } from "../tensor";
import { failed } from "../errors";
import { Node, record, anyRecording } from "./record";
import { Op } from "./codes";
import { def } from "./table";
import { convertKernel } from "../kernels/strided64";
import { ERR, NO_F, outTensor, contig, arr1, dtypeError } from "./factory";
import { copy } from "./view";

@inline function isFloat(d: i32): bool { return d == DType.Float32 || d == DType.Float64; }

export function cast(x: Tensor, dtype: i32): Tensor {
  if (failed()) return ERR;
  if (dtype < DType.Float32 || dtype > DType.Float64) return dtypeError(Op.Cast, 1, DType.Float32, x);
  if (dtype == x.dtype) return copy(x);
  const c = contig(x);
  if (c === ERR) return ERR;
  const y = outTensor(x.shape, dtype);
  if (y !== ERR) {
    const n = y.size;
    if (dtype == DType.Float64) convertKernel(false, c.ptr, y.ptr, n);  // every 4-byte dtype holds float32 values
    else if (x.dtype == DType.Float64) {
      convertKernel(true, c.ptr, y.ptr, n);
      if (dtype != DType.Float32) narrow(y.ptr, n, dtype);
    } else {
      memory.copy(y.ptr, c.ptr, <usize>n << 2);
      if (dtype != DType.Float32) narrow(y.ptr, n, dtype);
    }
  }
  release(c);
  if (y !== ERR && anyRecording()) {
    const ip = new StaticArray<i32>(1); ip[0] = x.dtype;
    record(Op.Cast, arr1(x), y, new StaticArray<Tensor>(0), ip, NO_F);
  }
  return y;
}

/** float32 values in place to int32 (truncated toward zero, as stored: float32 integers) or bool (0/1). */
function narrow(p: usize, n: i32, dtype: i32): void {
  for (let i = 0; i < n; i++) {
    const a = p + (<usize>i << 2), v = load<f32>(a);
    store<f32>(a, dtype == DType.Bool ? (v != 0 ? 1 : 0) : Mathf.trunc(v));
  }
}

// d cast(x) = cast(dx) back to x's dtype (recorded as ip[0]); no gradient into an int32 or bool input
function castBackward(n: Node, g: Tensor): void {
  if (isFloat(n.ip[0]) && isFloat(g.dtype)) n.grad(0, cast(g, n.ip[0]));
}
function replayCast(op: i32, x: StaticArray<Tensor>, ip: StaticArray<i32>, fp: StaticArray<f64>, dtype: i32, outShape: StaticArray<i32>): Tensor { return cast(x[0], dtype); }
def(Op.Cast).replays(replayCast).backwards(castBackward);
