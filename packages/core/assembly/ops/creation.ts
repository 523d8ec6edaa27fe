// Constant creation: full (fill, zeros, ones), eye, range, linspace, seeded random. Not recorded: constants have
// no gradient (a jit trace captures them as leaves, and refuses random draws). Their table entries say so, and so
// do those of the other calls that are never recorded: tensorNew and the in-place writes (assign, optimizers).
import { Tensor, DType } from "../tensor";
import { failed } from "../errors";
import { Op } from "./codes";
import { def } from "./table";
import { fillKernel } from "../kernels/strided";
import { ERR, outTensor } from "./factory";
import { fillUniform, fillNormal } from "../rng";

export function full(shape: StaticArray<i32>, v: f32, dtype: i32 = DType.Float32): Tensor {
  if (failed()) return ERR;
  const y = outTensor(shape, dtype);
  if (y !== ERR) fillKernel(y.ptr, y.size, v);
  return y;
}
export function onesLike(x: Tensor): Tensor { return full(x.shape, 1); }
export function zerosLike(x: Tensor): Tensor { return full(x.shape, 0); }
export function scalar(v: f32): Tensor { return full(new StaticArray<i32>(0), v); }

function shape1(n: i32): StaticArray<i32> { const s = new StaticArray<i32>(1); s[0] = n; return s; }

export function eye(n: i32, m: i32): Tensor {
  if (failed()) return ERR;
  const s = new StaticArray<i32>(2); s[0] = n; s[1] = m;
  const y = outTensor(s);
  if (y === ERR) return ERR;
  fillKernel(y.ptr, y.size, 0);
  const k = n < m ? n : m;
  for (let i = 0; i < k; i++) store<f32>(y.ptr + (<usize>(i * m + i) << 2), 1);
  return y;
}

/** start, start+step, ... while < stop (> stop for negative step); values computed in float64 then rounded */
export function range(start: f64, stop: f64, step: f64, dtype: i32): Tensor {
  if (failed()) return ERR;
  const n = <i32>Math.max(0, Math.ceil((stop - start) / step));
  const y = outTensor(shape1(n), dtype);
  if (y === ERR) return ERR;
  for (let i = 0; i < n; i++) store<f32>(y.ptr + (<usize>i << 2), <f32>(start + <f64>i * step));
  return y;
}

/** n points from a to b inclusive; the last one is exactly b */
export function linspace(a: f64, b: f64, n: i32): Tensor {
  if (failed()) return ERR;
  const y = outTensor(shape1(n));
  if (y === ERR) return ERR;
  const h = n > 1 ? (b - a) / <f64>(n - 1) : 0;
  for (let i = 0; i < n; i++) store<f32>(y.ptr + (<usize>i << 2), <f32>(i == n - 1 ? b : a + <f64>i * h));
  return y;
}

export function randomUniform(shape: StaticArray<i32>, lo: f32, hi: f32, gen: i32): Tensor {
  if (failed()) return ERR;
  const y = outTensor(shape);
  if (y !== ERR) fillUniform(gen, y.ptr, y.size, lo, hi);
  return y;
}

export function randomNormal(shape: StaticArray<i32>, mean: f64, std: f64, gen: i32, truncated: bool): Tensor {
  if (failed()) return ERR;
  const y = outTensor(shape);
  if (y !== ERR) fillNormal(gen, y.ptr, y.size, mean, std, truncated);
  return y;
}

def(Op.Range).unrecorded();
def(Op.Linspace).unrecorded();
def(Op.RandomUniform).unrecorded();
def(Op.RandomNormal).unrecorded();
def(Op.Tensor).unrecorded();
def(Op.Assign).unrecorded();
