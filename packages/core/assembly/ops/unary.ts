// Elementwise math: neg, abs, exp, log, sqrt, square, reciprocal, sin, cos, atan, erf (and sign, a
// non-differentiable helper).
// Each op: its lane formula (kernels/unary.ts runs it), its forward, its backward rule and its table entry. Each
// backward is written with ops, so an outer tape records it and higher derivatives follow.
// Lanes without a SIMD formula (log, sin, cos) are evaluated in float64 and rounded once: correctly rounded in
// practice (error <= 0.5 ulp + float64 error); so are atan (float64 Math.atan: musl's, < 1 ulp of float64) and
// erf (erf64 below, relative error ~1e-15). exp uses the SIMD polynomial of kernels/math.ts (< 3e-7 relative).
import { Tensor } from "../tensor";
import { Node } from "./record";
import { Op } from "./codes";
import { def, Save, HEAVY } from "./table";
import { mapUnary, perLane } from "../kernels/unary";
import { mapUnary64, perLane64 } from "../kernels/unary64";
import { erf64 as erfD } from "../kernels/math64";
import { vexp, sexp } from "../kernels/math";
import { unary } from "./factory";
import { mul, div, affine } from "./arith";

// The float64 lane formulas (f64x2; kernels/unary64.ts): exact ops in SIMD, the transcendental ones per lane through
// NativeMath or kernels/math64.ts (errors documented there).
@final class NegD { @inline v(x: v128, a: v128, b: v128): v128 { return f64x2.neg(x); } @inline s(x: f64, a: f64, b: f64): f64 { return -x; } }
@final class SignD {
  @inline v(x: v128, a: v128, b: v128): v128 {
    const one = f64x2.splat(1);
    const s = f64x2.sub(v128.and(f64x2.gt(x, f64x2.splat(0)), one), v128.and(f64x2.lt(x, f64x2.splat(0)), one));
    return v128.bitselect(x, s, f64x2.ne(x, x));
  }
  @inline s(x: f64, a: f64, b: f64): f64 { return x > 0 ? 1 : (x < 0 ? -1 : (x != x ? x : 0)); }
}
@final class AbsD { @inline v(x: v128, a: v128, b: v128): v128 { return f64x2.abs(x); } @inline s(x: f64, a: f64, b: f64): f64 { return Math.abs(x); } }
@final class ExpD { @inline v(x: v128, a: v128, b: v128): v128 { return perLane64(this, x); } @inline s(x: f64, a: f64, b: f64): f64 { return Math.exp(x); } }
@final class LogD { @inline v(x: v128, a: v128, b: v128): v128 { return perLane64(this, x); } @inline s(x: f64, a: f64, b: f64): f64 { return Math.log(x); } }
@final class SqrtD { @inline v(x: v128, a: v128, b: v128): v128 { return f64x2.sqrt(x); } @inline s(x: f64, a: f64, b: f64): f64 { return Math.sqrt(x); } }
@final class SquareD { @inline v(x: v128, a: v128, b: v128): v128 { return f64x2.mul(x, x); } @inline s(x: f64, a: f64, b: f64): f64 { return x * x; } }
@final class RecipD { @inline v(x: v128, a: v128, b: v128): v128 { return f64x2.div(f64x2.splat(1), x); } @inline s(x: f64, a: f64, b: f64): f64 { return 1 / x; } }
@final class SinD { @inline v(x: v128, a: v128, b: v128): v128 { return perLane64(this, x); } @inline s(x: f64, a: f64, b: f64): f64 { return Math.sin(x); } }
@final class CosD { @inline v(x: v128, a: v128, b: v128): v128 { return perLane64(this, x); } @inline s(x: f64, a: f64, b: f64): f64 { return Math.cos(x); } }
@final class AtanD { @inline v(x: v128, a: v128, b: v128): v128 { return perLane64(this, x); } @inline s(x: f64, a: f64, b: f64): f64 { return Math.atan(x); } }
@final class ErfD { @inline v(x: v128, a: v128, b: v128): v128 { return perLane64(this, x); } @inline s(x: f64, a: f64, b: f64): f64 { return erfD(x); } }
function negKernel64(src: usize, dst: usize, n: i32, a: f64, b: f64): void { mapUnary64(changetype<NegD>(0), src, dst, n, a, b); }
function signKernel64(src: usize, dst: usize, n: i32, a: f64, b: f64): void { mapUnary64(changetype<SignD>(0), src, dst, n, a, b); }
function absKernel64(src: usize, dst: usize, n: i32, a: f64, b: f64): void { mapUnary64(changetype<AbsD>(0), src, dst, n, a, b); }
function expKernel64(src: usize, dst: usize, n: i32, a: f64, b: f64): void { mapUnary64(changetype<ExpD>(0), src, dst, n, a, b); }
function logKernel64(src: usize, dst: usize, n: i32, a: f64, b: f64): void { mapUnary64(changetype<LogD>(0), src, dst, n, a, b); }
function sqrtKernel64(src: usize, dst: usize, n: i32, a: f64, b: f64): void { mapUnary64(changetype<SqrtD>(0), src, dst, n, a, b); }
function squareKernel64(src: usize, dst: usize, n: i32, a: f64, b: f64): void { mapUnary64(changetype<SquareD>(0), src, dst, n, a, b); }
function reciprocalKernel64(src: usize, dst: usize, n: i32, a: f64, b: f64): void { mapUnary64(changetype<RecipD>(0), src, dst, n, a, b); }
function sinKernel64(src: usize, dst: usize, n: i32, a: f64, b: f64): void { mapUnary64(changetype<SinD>(0), src, dst, n, a, b); }
function cosKernel64(src: usize, dst: usize, n: i32, a: f64, b: f64): void { mapUnary64(changetype<CosD>(0), src, dst, n, a, b); }
function atanKernel64(src: usize, dst: usize, n: i32, a: f64, b: f64): void { mapUnary64(changetype<AtanD>(0), src, dst, n, a, b); }
function erfKernel64(src: usize, dst: usize, n: i32, a: f64, b: f64): void { mapUnary64(changetype<ErfD>(0), src, dst, n, a, b); }

@final class NegF { @inline v(x: v128, a: v128, b: v128): v128 { return f32x4.neg(x); } @inline s(x: f32, a: f32, b: f32): f32 { return -x; } }
function negKernel(src: usize, dst: usize, n: i32, a: f32, b: f32): void { mapUnary(changetype<NegF>(0), src, dst, n, a, b); }
export function neg(x: Tensor): Tensor { return unary(Op.Neg, x, 0, 0); }
// d(-x) = -dx
function negBackward(n: Node, g: Tensor): void { n.grad(0, neg(g)); }
def(Op.Neg).unary(neg, negKernel, Save.None).f64(negKernel64).backwards(negBackward);

// sign(NaN) = NaN (as NumPy and TensorFlow): the NaN lanes are kept from x
@final class SignF {
  @inline v(x: v128, a: v128, b: v128): v128 {
    const one = f32x4.splat(1);
    const s = f32x4.sub(v128.and(f32x4.gt(x, f32x4.splat(0)), one), v128.and(f32x4.lt(x, f32x4.splat(0)), one));
    return v128.bitselect(x, s, f32x4.ne(x, x));
  }
  @inline s(x: f32, a: f32, b: f32): f32 { return x > 0 ? 1 : (x < 0 ? -1 : (x != x ? x : 0)); }
}
function signKernel(src: usize, dst: usize, n: i32, a: f32, b: f32): void { mapUnary(changetype<SignF>(0), src, dst, n, a, b); }
export function sign(x: Tensor): Tensor { return unary(Op.Sign, x, 0, 0); }
def(Op.Sign).unary(sign, signKernel, Save.None).f64(signKernel64).noGradient();

@final class AbsF { @inline v(x: v128, a: v128, b: v128): v128 { return f32x4.abs(x); } @inline s(x: f32, a: f32, b: f32): f32 { return Mathf.abs(x); } }
function absKernel(src: usize, dst: usize, n: i32, a: f32, b: f32): void { mapUnary(changetype<AbsF>(0), src, dst, n, a, b); }
export function abs(x: Tensor): Tensor { return unary(Op.Abs, x, 0, 0); }
// d|x| = sign(x) dx (0 at x = 0, the subgradient TensorFlow uses)
function absBackward(n: Node, g: Tensor): void { n.grad(0, mul(g, sign(n.savedAt(0)))); }
def(Op.Abs).unary(abs, absKernel, Save.In).f64(absKernel64).backwards(absBackward);

@final class ExpF { @inline v(x: v128, a: v128, b: v128): v128 { return vexp(x); } @inline s(x: f32, a: f32, b: f32): f32 { return sexp(x); } }
function expKernel(src: usize, dst: usize, n: i32, a: f32, b: f32): void { mapUnary(changetype<ExpF>(0), src, dst, n, a, b); }
export function exp(x: Tensor): Tensor { return unary(Op.Exp, x, 0, 0); }
// d e^x = e^x dx: reuses the saved output
function expBackward(n: Node, g: Tensor): void { n.grad(0, mul(g, n.savedAt(0))); }
def(Op.Exp).unary(exp, expKernel, Save.Out, HEAVY).f64(expKernel64).backwards(expBackward);

@final class LogF { @inline v(x: v128, a: v128, b: v128): v128 { return perLane(this, x); } @inline s(x: f32, a: f32, b: f32): f32 { return <f32>Math.log(<f64>x); } }
function logKernel(src: usize, dst: usize, n: i32, a: f32, b: f32): void { mapUnary(changetype<LogF>(0), src, dst, n, a, b); }
export function log(x: Tensor): Tensor { return unary(Op.Log, x, 0, 0); }
// d log x = dx / x
function logBackward(n: Node, g: Tensor): void { n.grad(0, div(g, n.savedAt(0))); }
def(Op.Log).unary(log, logKernel, Save.In, HEAVY).f64(logKernel64).backwards(logBackward);

@final class SqrtF { @inline v(x: v128, a: v128, b: v128): v128 { return f32x4.sqrt(x); } @inline s(x: f32, a: f32, b: f32): f32 { return Mathf.sqrt(x); } }
function sqrtKernel(src: usize, dst: usize, n: i32, a: f32, b: f32): void { mapUnary(changetype<SqrtF>(0), src, dst, n, a, b); }
export function sqrt(x: Tensor): Tensor { return unary(Op.Sqrt, x, 0, 0); }
// d sqrt(x) = dx / (2 sqrt(x)): reuses the saved output
function sqrtBackward(n: Node, g: Tensor): void { n.grad(0, div(g, affine(n.savedAt(0), 2, 0))); }
def(Op.Sqrt).unary(sqrt, sqrtKernel, Save.Out).f64(sqrtKernel64).backwards(sqrtBackward);

@final class SquareF { @inline v(x: v128, a: v128, b: v128): v128 { return f32x4.mul(x, x); } @inline s(x: f32, a: f32, b: f32): f32 { return x * x; } }
function squareKernel(src: usize, dst: usize, n: i32, a: f32, b: f32): void { mapUnary(changetype<SquareF>(0), src, dst, n, a, b); }
export function square(x: Tensor): Tensor { return unary(Op.Square, x, 0, 0); }
// d x^2 = 2x dx
function squareBackward(n: Node, g: Tensor): void { n.grad(0, mul(g, affine(n.savedAt(0), 2, 0))); }
def(Op.Square).unary(square, squareKernel, Save.In).f64(squareKernel64).backwards(squareBackward);

@final class RecipF { @inline v(x: v128, a: v128, b: v128): v128 { return f32x4.div(f32x4.splat(1), x); } @inline s(x: f32, a: f32, b: f32): f32 { return 1 / x; } }
function reciprocalKernel(src: usize, dst: usize, n: i32, a: f32, b: f32): void { mapUnary(changetype<RecipF>(0), src, dst, n, a, b); }
export function reciprocal(x: Tensor): Tensor { return unary(Op.Reciprocal, x, 0, 0); }
// d (1/x) = -dx / x^2 = -y^2 dx
function reciprocalBackward(n: Node, g: Tensor): void { const y = n.savedAt(0); n.grad(0, mul(g, affine(mul(y, y), -1, 0))); }
def(Op.Reciprocal).unary(reciprocal, reciprocalKernel, Save.Out).f64(reciprocalKernel64).backwards(reciprocalBackward);

@final class SinF { @inline v(x: v128, a: v128, b: v128): v128 { return perLane(this, x); } @inline s(x: f32, a: f32, b: f32): f32 { return <f32>Math.sin(<f64>x); } }
function sinKernel(src: usize, dst: usize, n: i32, a: f32, b: f32): void { mapUnary(changetype<SinF>(0), src, dst, n, a, b); }
export function sin(x: Tensor): Tensor { return unary(Op.Sin, x, 0, 0); }
// d sin x = cos x dx
function sinBackward(n: Node, g: Tensor): void { n.grad(0, mul(g, cos(n.savedAt(0)))); }
def(Op.Sin).unary(sin, sinKernel, Save.In, HEAVY).f64(sinKernel64).backwards(sinBackward);

@final class CosF { @inline v(x: v128, a: v128, b: v128): v128 { return perLane(this, x); } @inline s(x: f32, a: f32, b: f32): f32 { return <f32>Math.cos(<f64>x); } }
function cosKernel(src: usize, dst: usize, n: i32, a: f32, b: f32): void { mapUnary(changetype<CosF>(0), src, dst, n, a, b); }
export function cos(x: Tensor): Tensor { return unary(Op.Cos, x, 0, 0); }
// d cos x = -sin x dx
function cosBackward(n: Node, g: Tensor): void { n.grad(0, mul(g, affine(sin(n.savedAt(0)), -1, 0))); }
def(Op.Cos).unary(cos, cosKernel, Save.In, HEAVY).f64(cosKernel64).backwards(cosBackward);

@final class AtanF { @inline v(x: v128, a: v128, b: v128): v128 { return perLane(this, x); } @inline s(x: f32, a: f32, b: f32): f32 { return <f32>Math.atan(<f64>x); } }
function atanKernel(src: usize, dst: usize, n: i32, a: f32, b: f32): void { mapUnary(changetype<AtanF>(0), src, dst, n, a, b); }
export function atan(x: Tensor): Tensor { return unary(Op.Atan, x, 0, 0); }
// d atan x = dx / (1 + x^2)
function atanBackward(n: Node, g: Tensor): void { n.grad(0, div(g, affine(square(n.savedAt(0)), 1, 1))); }
def(Op.Atan).unary(atan, atanKernel, Save.In, HEAVY).f64(atanKernel64).backwards(atanBackward);

// erf in float64, for one float32 lane. For |x| < 4 the series of Abramowitz & Stegun 7.1.6,
//   erf x = 2/sqrt(pi) e^{-x^2} sum_{n>=0} 2^n x^{2n+1} / (1 3 5 ... (2n+1)),
// whose terms are all of x's sign (no cancellation: each carries < n roundings, so the sum's relative error is
// ~1e-15 over the 60-odd terms |x| near 4 needs; x^2 is exact for a float32 x). For |x| >= 4, erfc x < 1.6e-8 is
// below half a float32 ulp of 1 (2.98e-8), so the correctly rounded float32 result is +-1.
function erf64(x: f64): f64 {
  if (x != x) return x;
  if (Math.abs(x) >= 4) return x > 0 ? 1 : -1;
  const x2 = x * x;
  let term = x, sum = x;
  for (let n = 1; n < 200; n++) {
    term *= 2 * x2 / <f64>(2 * n + 1);
    sum += term;
    if (Math.abs(term) <= Math.abs(sum) * 1e-17) break;
  }
  return sum * Math.exp(-x2) * TWO_OVER_SQRT_PI;
}
const TWO_OVER_SQRT_PI: f64 = 1.1283791670955126;
@final class ErfF { @inline v(x: v128, a: v128, b: v128): v128 { return perLane(this, x); } @inline s(x: f32, a: f32, b: f32): f32 { return <f32>erf64(<f64>x); } }
function erfKernel(src: usize, dst: usize, n: i32, a: f32, b: f32): void { mapUnary(changetype<ErfF>(0), src, dst, n, a, b); }
export function erf(x: Tensor): Tensor { return unary(Op.Erf, x, 0, 0); }
// d erf x = 2/sqrt(pi) e^{-x^2} dx
function erfBackward(n: Node, g: Tensor): void { n.grad(0, mul(g, affine(exp(affine(square(n.savedAt(0)), -1, 0)), TWO_OVER_SQRT_PI, 0))); }
def(Op.Erf).unary(erf, erfKernel, Save.In, HEAVY).f64(erfKernel64).backwards(erfBackward);
