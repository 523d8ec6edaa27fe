// Binary arithmetic with NumPy broadcasting (add, sub, mul, div, maximum, minimum) and affine, the constant
// scale-and-shift that backward rules use (1 - y^2 is affine(mul(y, y), -1, 1)). pow is in power.ts.
// Every backward reduces its cotangent to the input's shape with `unbroadcast` (the one broadcast-reduction helper).
import { Tensor } from "../tensor";
import { Node } from "./record";
import { Op } from "./codes";
import { def, Save } from "./table";
import { mapUnary } from "../kernels/unary";
import { mapBinary } from "../kernels/binary";
import { mapUnary64 } from "../kernels/unary64";
import { mapBinary64 } from "../kernels/binary64";
import { DType } from "../tensor";
import { unary, unary64, binary } from "./factory";
import { unbroadcast } from "./view";
import { fmask } from "./compare";

@final class AddF { @inline v(a: v128, b: v128): v128 { return f32x4.add(a, b); } @inline s(a: f32, b: f32): f32 { return a + b; } }
@final class SubF { @inline v(a: v128, b: v128): v128 { return f32x4.sub(a, b); } @inline s(a: f32, b: f32): f32 { return a - b; } }
@final class MulF { @inline v(a: v128, b: v128): v128 { return f32x4.mul(a, b); } @inline s(a: f32, b: f32): f32 { return a * b; } }
@final class DivF { @inline v(a: v128, b: v128): v128 { return f32x4.div(a, b); } @inline s(a: f32, b: f32): f32 { return a / b; } }
// NaN in either input gives NaN (wasm f32x4.max/min propagate NaN; the scalar tail matches)
@final class MaxF { @inline v(a: v128, b: v128): v128 { return f32x4.max(a, b); } @inline s(a: f32, b: f32): f32 { return a != a || b != b ? NaN : (a > b ? a : b); } }
@final class MinF { @inline v(a: v128, b: v128): v128 { return f32x4.min(a, b); } @inline s(a: f32, b: f32): f32 { return a != a || b != b ? NaN : (a < b ? a : b); } }
function addKernel(a: usize, sa: i32, b: usize, sb: i32, o: usize, n: i32): void { mapBinary(changetype<AddF>(0), a, sa, b, sb, o, n); }
function subKernel(a: usize, sa: i32, b: usize, sb: i32, o: usize, n: i32): void { mapBinary(changetype<SubF>(0), a, sa, b, sb, o, n); }
function mulKernel(a: usize, sa: i32, b: usize, sb: i32, o: usize, n: i32): void { mapBinary(changetype<MulF>(0), a, sa, b, sb, o, n); }
function divKernel(a: usize, sa: i32, b: usize, sb: i32, o: usize, n: i32): void { mapBinary(changetype<DivF>(0), a, sa, b, sb, o, n); }
function maxKernel(a: usize, sa: i32, b: usize, sb: i32, o: usize, n: i32): void { mapBinary(changetype<MaxF>(0), a, sa, b, sb, o, n); }
function minKernel(a: usize, sa: i32, b: usize, sb: i32, o: usize, n: i32): void { mapBinary(changetype<MinF>(0), a, sa, b, sb, o, n); }

// float64 lanes (kernels/binary64.ts)
@final class AddD { @inline v(a: v128, b: v128): v128 { return f64x2.add(a, b); } @inline s(a: f64, b: f64): f64 { return a + b; } }
@final class SubD { @inline v(a: v128, b: v128): v128 { return f64x2.sub(a, b); } @inline s(a: f64, b: f64): f64 { return a - b; } }
@final class MulD { @inline v(a: v128, b: v128): v128 { return f64x2.mul(a, b); } @inline s(a: f64, b: f64): f64 { return a * b; } }
@final class DivD { @inline v(a: v128, b: v128): v128 { return f64x2.div(a, b); } @inline s(a: f64, b: f64): f64 { return a / b; } }
@final class MaxD { @inline v(a: v128, b: v128): v128 { return f64x2.max(a, b); } @inline s(a: f64, b: f64): f64 { return a != a || b != b ? NaN : (a > b ? a : b); } }
@final class MinD { @inline v(a: v128, b: v128): v128 { return f64x2.min(a, b); } @inline s(a: f64, b: f64): f64 { return a != a || b != b ? NaN : (a < b ? a : b); } }
function addKernel64(a: usize, sa: i32, b: usize, sb: i32, o: usize, n: i32): void { mapBinary64(changetype<AddD>(0), a, sa, b, sb, o, n); }
function subKernel64(a: usize, sa: i32, b: usize, sb: i32, o: usize, n: i32): void { mapBinary64(changetype<SubD>(0), a, sa, b, sb, o, n); }
function mulKernel64(a: usize, sa: i32, b: usize, sb: i32, o: usize, n: i32): void { mapBinary64(changetype<MulD>(0), a, sa, b, sb, o, n); }
function divKernel64(a: usize, sa: i32, b: usize, sb: i32, o: usize, n: i32): void { mapBinary64(changetype<DivD>(0), a, sa, b, sb, o, n); }
function maxKernel64(a: usize, sa: i32, b: usize, sb: i32, o: usize, n: i32): void { mapBinary64(changetype<MaxD>(0), a, sa, b, sb, o, n); }
function minKernel64(a: usize, sa: i32, b: usize, sb: i32, o: usize, n: i32): void { mapBinary64(changetype<MinD>(0), a, sa, b, sb, o, n); }

export function add(a: Tensor, b: Tensor): Tensor { return binary(Op.Add, a, b); }
// d(a+b) = da + db
function addBackward(n: Node, g: Tensor): void {
  if (n.needs(0)) n.grad(0, unbroadcast(g, n.inShape(0)));
  if (n.needs(1)) n.grad(1, unbroadcast(g, n.inShape(1)));
}
def(Op.Add).binary(add, addKernel, Save.None).f64b(addKernel64).backwards(addBackward);

export function sub(a: Tensor, b: Tensor): Tensor { return binary(Op.Sub, a, b); }
// d(a-b) = da - db
function subBackward(n: Node, g: Tensor): void {
  if (n.needs(0)) n.grad(0, unbroadcast(g, n.inShape(0)));
  if (n.needs(1)) n.grad(1, unbroadcast(affine(g, -1, 0), n.inShape(1)));
}
def(Op.Sub).binary(sub, subKernel, Save.None).f64b(subKernel64).backwards(subBackward);

export function mul(a: Tensor, b: Tensor): Tensor { return binary(Op.Mul, a, b); }
// d(ab) = b da + a db
function mulBackward(n: Node, g: Tensor): void {
  const a = n.savedAt(0), b = n.savedAt(1);
  if (n.needs(0)) n.grad(0, unbroadcast(mul(g, b), n.inShape(0)));
  if (n.needs(1)) n.grad(1, unbroadcast(mul(g, a), n.inShape(1)));
}
def(Op.Mul).binary(mul, mulKernel, Save.Both).f64b(mulKernel64).backwards(mulBackward);

export function div(a: Tensor, b: Tensor): Tensor { return binary(Op.Div, a, b); }
// d(a/b) = da / b - a db / b^2
function divBackward(n: Node, g: Tensor): void {
  const a = n.savedAt(0), b = n.savedAt(1);
  if (n.needs(0)) n.grad(0, unbroadcast(div(g, b), n.inShape(0)));
  if (n.needs(1)) n.grad(1, unbroadcast(affine(div(mul(g, a), mul(b, b)), -1, 0), n.inShape(1)));
}
def(Op.Div).binary(div, divKernel, Save.Both).f64b(divKernel64).backwards(divBackward);

export function maximum(a: Tensor, b: Tensor): Tensor { return binary(Op.Maximum, a, b); }
// max(a,b): the cotangent goes to a where a >= b, else to b (ties go to a, as TensorFlow)
function maximumBackward(n: Node, g: Tensor): void {
  const m = fmask(Op.GreaterEqual, n.savedAt(0), n.savedAt(1));
  if (n.needs(0)) n.grad(0, unbroadcast(mul(g, m), n.inShape(0)));
  if (n.needs(1)) n.grad(1, unbroadcast(mul(g, affine(m, -1, 1)), n.inShape(1)));
}
def(Op.Maximum).binary(maximum, maxKernel, Save.Both).f64b(maxKernel64).backwards(maximumBackward);

export function minimum(a: Tensor, b: Tensor): Tensor { return binary(Op.Minimum, a, b); }
// min(a,b): the cotangent goes to a where a <= b, else to b
function minimumBackward(n: Node, g: Tensor): void {
  const m = fmask(Op.LessEqual, n.savedAt(0), n.savedAt(1));
  if (n.needs(0)) n.grad(0, unbroadcast(mul(g, m), n.inShape(0)));
  if (n.needs(1)) n.grad(1, unbroadcast(mul(g, affine(m, -1, 1)), n.inShape(1)));
}
def(Op.Minimum).binary(minimum, minKernel, Save.Both).f64b(minKernel64).backwards(minimumBackward);

// a*x + b (scale and shift by constants), recorded with (a, b) as its float parameters
@final class AffineF { @inline v(x: v128, a: v128, b: v128): v128 { return f32x4.add(f32x4.mul(x, a), b); } @inline s(x: f32, a: f32, b: f32): f32 { return x * a + b; } }
function affineKernel(src: usize, dst: usize, n: i32, a: f32, b: f32): void { mapUnary(changetype<AffineF>(0), src, dst, n, a, b); }
@final class AffineD { @inline v(x: v128, a: v128, b: v128): v128 { return f64x2.add(f64x2.mul(x, a), b); } @inline s(x: f64, a: f64, b: f64): f64 { return x * a + b; } }
function affineKernel64(src: usize, dst: usize, n: i32, a: f64, b: f64): void { mapUnary64(changetype<AffineD>(0), src, dst, n, a, b); }
/** a*x + b elementwise, with constants a and b (recorded: d/dx = a); in float64 for a Float64 x (a, b unrounded). */
export function affine(x: Tensor, a: f64, b: f64): Tensor {
  return x.dtype == DType.Float64 ? unary64(Op.Affine, x, a, b) : unary(Op.Affine, x, <f32>a, <f32>b);
}
// the recorded parameters: fp = [scale, shift]
@inline function scale(fp: StaticArray<f64>): f64 { return fp[0]; }
@inline function shift(fp: StaticArray<f64>): f64 { return fp[1]; }
function affineBackward(n: Node, g: Tensor): void { n.grad(0, affine(g, scale(n.fp), 0)); }
function replayAffine(op: i32, x: StaticArray<Tensor>, ip: StaticArray<i32>, fp: StaticArray<f64>, dtype: i32, outShape: StaticArray<i32>): Tensor {
  return affine(x[0], scale(fp), shift(fp));
}
def(Op.Affine).elementwise(affineKernel, Save.None).f64(affineKernel64).replays(replayAffine).backwards(affineBackward);
