// Binary arithmetic with NumPy broadcasting, and the constant helpers backward rules need.
// Every backward reduces its cotangent to the input's shape with `unbroadcast` (the one broadcast-reduction helper).
import { Tensor, DType } from "../tensor";
import { failed } from "../errors";
import { Node } from "../tape";
import { BK } from "../kernels/binary";
import { UK } from "../kernels/unary";
import { fillKernel } from "../kernels/strided";
import { ERR, Save, binary, unary, outTensor } from "./factory";
import { unbroadcast } from "./view";
import { Op } from "./index";
import { log } from "./unary";
import { where } from "./where";

export function add(a: Tensor, b: Tensor): Tensor { return binary(Op.Add, a, b, BK.Add, Save.None); }
export function sub(a: Tensor, b: Tensor): Tensor { return binary(Op.Sub, a, b, BK.Sub, Save.None); }
export function mul(a: Tensor, b: Tensor): Tensor { return binary(Op.Mul, a, b, BK.Mul, Save.Both); }
export function div(a: Tensor, b: Tensor): Tensor { return binary(Op.Div, a, b, BK.Div, Save.Both); }
export function pow(a: Tensor, b: Tensor): Tensor { return binary(Op.Pow, a, b, BK.Pow, Save.Both); }
export function maximum(a: Tensor, b: Tensor): Tensor { return binary(Op.Maximum, a, b, BK.Maximum, Save.Both); }
export function minimum(a: Tensor, b: Tensor): Tensor { return binary(Op.Minimum, a, b, BK.Minimum, Save.Both); }
/** Comparisons give bool tensors (stored as 0/1 float32) and are not differentiable. */
export function compare(op: i32, k: i32, a: Tensor, b: Tensor): Tensor { return binary(op, a, b, k, Save.None, true, DType.Bool); }
/** The same as a float32 0/1 mask, for backward rules that multiply by it (still not differentiable). */
export function fmask(op: i32, k: i32, a: Tensor, b: Tensor): Tensor { return binary(op, a, b, k, Save.None, true, DType.Float32); }

/** a*x + b elementwise, with constants a and b (recorded: d/dx = a). */
export function affine(x: Tensor, a: f64, b: f64): Tensor { return unary(Op.Affine, x, UK.Affine, <f32>a, <f32>b, Save.None); }
export function affineBackward(n: Node, g: Tensor): void { n.grad(0, affine(g, n.fp[0], 0)); }

export function full(shape: StaticArray<i32>, v: f32, dtype: i32 = DType.Float32): Tensor {
  if (failed()) return ERR;
  const y = outTensor(shape, dtype);
  if (y !== ERR) fillKernel(y.ptr, y.size, v);
  return y;
}
export function onesLike(x: Tensor): Tensor { return full(x.shape, 1); }
export function zerosLike(x: Tensor): Tensor { return full(x.shape, 0); }
export function scalar(v: f32): Tensor { return full(new StaticArray<i32>(0), v); }

// d(a+b) = da + db
export function addBackward(n: Node, g: Tensor): void {
  if (n.needs(0)) n.grad(0, unbroadcast(g, n.inShape(0)));
  if (n.needs(1)) n.grad(1, unbroadcast(g, n.inShape(1)));
}
// d(a-b) = da - db
export function subBackward(n: Node, g: Tensor): void {
  if (n.needs(0)) n.grad(0, unbroadcast(g, n.inShape(0)));
  if (n.needs(1)) n.grad(1, unbroadcast(affine(g, -1, 0), n.inShape(1)));
}
// d(ab) = b da + a db
export function mulBackward(n: Node, g: Tensor): void {
  const a = n.saved[0], b = n.saved[1];
  if (n.needs(0)) n.grad(0, unbroadcast(mul(g, b), n.inShape(0)));
  if (n.needs(1)) n.grad(1, unbroadcast(mul(g, a), n.inShape(1)));
}
// d(a/b) = da / b - a db / b^2
export function divBackward(n: Node, g: Tensor): void {
  const a = n.saved[0], b = n.saved[1];
  if (n.needs(0)) n.grad(0, unbroadcast(div(g, b), n.inShape(0)));
  if (n.needs(1)) n.grad(1, unbroadcast(affine(div(mul(g, a), mul(b, b)), -1, 0), n.inShape(1)));
}
// d(a^b) = b a^(b-1) da + a^b log(a) db; log(a) is taken as 0 where a <= 0 (TensorFlow's convention), so an
// integer power of a negative base has a finite gradient in a.
export function powBackward(n: Node, g: Tensor): void {
  const a = n.saved[0], b = n.saved[1];
  if (n.needs(0)) n.grad(0, unbroadcast(mul(g, mul(b, pow(a, affine(b, 1, -1)))), n.inShape(0)));
  if (n.needs(1)) {
    const zero = scalar(0);
    const pos = fmask(Op.Greater, BK.Greater, a, zero);
    const safe = where(pos, a, onesLike(a));   // log(1) = 0 where a <= 0
    n.grad(1, unbroadcast(mul(g, mul(pow(a, b), log(safe))), n.inShape(1)));
  }
}
// max(a,b): the cotangent goes to a where a >= b, else to b (ties go to a, as TensorFlow)
export function maximumBackward(n: Node, g: Tensor): void {
  const m = fmask(Op.GreaterEqual, BK.GreaterEqual, n.saved[0], n.saved[1]);
  if (n.needs(0)) n.grad(0, unbroadcast(mul(g, m), n.inShape(0)));
  if (n.needs(1)) n.grad(1, unbroadcast(mul(g, affine(m, -1, 1)), n.inShape(1)));
}
// min(a,b): the cotangent goes to a where a <= b, else to b
export function minimumBackward(n: Node, g: Tensor): void {
  const m = fmask(Op.LessEqual, BK.LessEqual, n.saved[0], n.saved[1]);
  if (n.needs(0)) n.grad(0, unbroadcast(mul(g, m), n.inShape(0)));
  if (n.needs(1)) n.grad(1, unbroadcast(mul(g, affine(m, -1, 1)), n.inShape(1)));
}
