// Constant creation: full (fill, zeros, ones), eye, range, linspace, seeded random. Not recorded: constants have
// no gradient (a jit trace captures them as leaves, and refuses random draws). Their table entries say so, and so
// do those of the other calls that are never recorded: tensorNew and the in-place writes (assign, optimizers).
import { Tensor, DType, newTensor, release } from "../tensor";
import { failed } from "../errors";
import { Op } from "./codes";
import { def } from "./table";
import { fillAny, convertKernel } from "../kernels/strided64";
import { ERR, outTensor } from "./factory";
import { fillUniform, fillNormal } from "../rng";

/** v in every element (rounded to float32 unless dtype is Float64). */
export function full(shape: StaticArray<i32>, v: f64, dtype: i32 = DType.Float32): Tensor {
  if (failed()) return ERR;
  const y = outTensor(shape, dtype);
  if (y !== ERR) fillAny(dtype, y.ptr, y.size, v);
  return y;
}
/** The float dtype of a tensor made "like" x: Float64 for Float64, else Float32 (as a gradient of x would be). */
@inline function floatOf(x: Tensor): i32 { return x.dtype == DType.Float64 ? DType.Float64 : DType.Float32; }
export function onesLike(x: Tensor): Tensor { return full(x.shape, 1, floatOf(x)); }
export function zerosLike(x: Tensor): Tensor { return full(x.shape, 0, floatOf(x)); }
export function scalar(v: f64, dtype: i32 = DType.Float32): Tensor { return full(new StaticArray<i32>(0), v, dtype); }

/** A float32 temporary of y's shape, for random draws that are then widened: the float64 draws of a generator are
 *  its float32 draws, exactly (a float64 network starts from the weights its float32 twin would have). y is
 *  released when there is no memory for it. */
function widened(y: Tensor): Tensor | null {
  const t = newTensor(y.shape, DType.Float32);
  if (t == null) { release(y); return null; }
  return t;
}

function shape1(n: i32): StaticArray<i32> { const s = new StaticArray<i32>(1); s[0] = n; return s; }

export function eye(n: i32, m: i32, dtype: i32 = DType.Float32): Tensor {
  if (failed()) return ERR;
  const s = new StaticArray<i32>(2); s[0] = n; s[1] = m;
  const y = outTensor(s, dtype);
  if (y === ERR) return ERR;
  fillAny(dtype, y.ptr, y.size, 0);
  const k = n < m ? n : m;
  for (let i = 0; i < k; i++) set(y, i * m + i, 1);
  return y;
}
/** Element i of a contiguous y set to v (rounded to float32 unless y is Float64). */
@inline function set(y: Tensor, i: i32, v: f64): void {
  if (y.dtype == DType.Float64) store<f64>(y.ptr + (<usize>i << 3), v); else store<f32>(y.ptr + (<usize>i << 2), <f32>v);
}

/** start, start+step, ... while < stop (> stop for negative step); values computed in float64 then rounded */
export function range(start: f64, stop: f64, step: f64, dtype: i32): Tensor {
  if (failed()) return ERR;
  const n = <i32>Math.max(0, Math.ceil((stop - start) / step));
  const y = outTensor(shape1(n), dtype);
  if (y === ERR) return ERR;
  for (let i = 0; i < n; i++) set(y, i, start + <f64>i * step);
  return y;
}

/** n points from a to b inclusive; the last one is exactly b */
export function linspace(a: f64, b: f64, n: i32, dtype: i32 = DType.Float32): Tensor {
  if (failed()) return ERR;
  const y = outTensor(shape1(n), dtype);
  if (y === ERR) return ERR;
  const h = n > 1 ? (b - a) / <f64>(n - 1) : 0;
  for (let i = 0; i < n; i++) set(y, i, i == n - 1 ? b : a + <f64>i * h);
  return y;
}

export function randomUniform(shape: StaticArray<i32>, lo: f32, hi: f32, gen: i32, dtype: i32 = DType.Float32): Tensor {
  if (failed()) return ERR;
  const y = outTensor(shape, dtype);
  if (y === ERR) return ERR;
  if (dtype != DType.Float64) { fillUniform(gen, y.ptr, y.size, lo, hi); return y; }
  const t = widened(y);
  if (t == null) return ERR;
  fillUniform(gen, t.ptr, t.size, lo, hi); convertKernel(false, t.ptr, y.ptr, y.size); release(t);
  return y;
}

export function randomNormal(shape: StaticArray<i32>, mean: f64, std: f64, gen: i32, truncated: bool, dtype: i32 = DType.Float32): Tensor {
  if (failed()) return ERR;
  const y = outTensor(shape, dtype);
  if (y === ERR) return ERR;
  if (dtype != DType.Float64) { fillNormal(gen, y.ptr, y.size, mean, std, truncated); return y; }
  const t = widened(y);
  if (t == null) return ERR;
  fillNormal(gen, t.ptr, t.size, mean, std, truncated); convertKernel(false, t.ptr, y.ptr, y.size); release(t);
  return y;
}

def(Op.Range).unrecorded();
def(Op.Linspace).unrecorded();
def(Op.RandomUniform).unrecorded();
def(Op.RandomNormal).unrecorded();
def(Op.Tensor).unrecorded();
def(Op.Assign).unrecorded();
