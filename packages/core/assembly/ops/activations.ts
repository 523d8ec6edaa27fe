// Activations: tanh, sigmoid, relu, softplus (and step, relu's derivative mask). tanh and sigmoid save their
// output, the cheapest thing their derivative needs; all derivatives are ops, so tanh/sigmoid have derivatives of
// every order (TensorFlow.js cannot take a second derivative through them, tfjs#3252).
// tanh and sigmoid use the SIMD approximations of kernels/math.ts (relative error < 3e-7 and < 4e-7); softplus
// is evaluated in float64 per lane and rounded once.
import { Tensor } from "../tensor";
import { Node } from "./record";
import { Op } from "./codes";
import { def, Save, HEAVY } from "./table";
import { mapUnary, perLane } from "../kernels/unary";
import { mapUnary64, perLane64 } from "../kernels/unary64";
import { sigmoid64, softplus64, vtanh64 } from "../kernels/math64";
import { vtanh, vsigmoid, stanh, ssigmoid } from "../kernels/math";
import { unary } from "./factory";
import { mul } from "./arith";
import { tanhGrad, sigmoidGrad } from "./fused";

// float64 lanes: tanh in SIMD (kernels/math64.ts vtanh64), sigmoid and softplus per lane from kernels/math64.ts
@final class TanhD { @inline v(x: v128, a: v128, b: v128): v128 { return vtanh64(x); } @inline s(x: f64, a: f64, b: f64): f64 { return f64x2.extract_lane(vtanh64(f64x2.splat(x)), 0); } }
@final class SigmoidD { @inline v(x: v128, a: v128, b: v128): v128 { return perLane64(this, x); } @inline s(x: f64, a: f64, b: f64): f64 { return sigmoid64(x); } }
@final class StepD { @inline v(x: v128, a: v128, b: v128): v128 { return v128.and(f64x2.gt(x, a), f64x2.splat(1)); } @inline s(x: f64, a: f64, b: f64): f64 { return x > a ? 1 : 0; } }
@final class ReluD { @inline v(x: v128, a: v128, b: v128): v128 { return f64x2.max(x, f64x2.splat(0)); } @inline s(x: f64, a: f64, b: f64): f64 { return x > 0 ? x : (x != x ? x : 0); } }
@final class SoftplusD { @inline v(x: v128, a: v128, b: v128): v128 { return perLane64(this, x); } @inline s(x: f64, a: f64, b: f64): f64 { return softplus64(x); } }
function tanhKernel64(src: usize, dst: usize, n: i32, a: f64, b: f64): void { mapUnary64(changetype<TanhD>(0), src, dst, n, a, b); }
function sigmoidKernel64(src: usize, dst: usize, n: i32, a: f64, b: f64): void { mapUnary64(changetype<SigmoidD>(0), src, dst, n, a, b); }
function stepKernel64(src: usize, dst: usize, n: i32, a: f64, b: f64): void { mapUnary64(changetype<StepD>(0), src, dst, n, a, b); }
function reluKernel64(src: usize, dst: usize, n: i32, a: f64, b: f64): void { mapUnary64(changetype<ReluD>(0), src, dst, n, a, b); }
function softplusKernel64(src: usize, dst: usize, n: i32, a: f64, b: f64): void { mapUnary64(changetype<SoftplusD>(0), src, dst, n, a, b); }

@final class TanhF { @inline v(x: v128, a: v128, b: v128): v128 { return vtanh(x); } @inline s(x: f32, a: f32, b: f32): f32 { return stanh(x); } }
function tanhKernel(src: usize, dst: usize, n: i32, a: f32, b: f32): void { mapUnary(changetype<TanhF>(0), src, dst, n, a, b); }
export function tanh(x: Tensor): Tensor { return unary(Op.Tanh, x, 0, 0); }
// d tanh x = (1 - tanh^2 x) dx, as one fused op (ops/fused.ts) with its own differentiable backward
function tanhBackward(n: Node, g: Tensor): void { n.grad(0, tanhGrad(g, n.savedAt(0))); }
def(Op.Tanh).unary(tanh, tanhKernel, Save.Out, HEAVY).f64(tanhKernel64).backwards(tanhBackward);

@final class SigmoidF { @inline v(x: v128, a: v128, b: v128): v128 { return vsigmoid(x); } @inline s(x: f32, a: f32, b: f32): f32 { return ssigmoid(x); } }
function sigmoidKernel(src: usize, dst: usize, n: i32, a: f32, b: f32): void { mapUnary(changetype<SigmoidF>(0), src, dst, n, a, b); }
export function sigmoid(x: Tensor): Tensor { return unary(Op.Sigmoid, x, 0, 0); }
// d s(x) = s(x) (1 - s(x)) dx, as one fused op (ops/fused.ts) with its own differentiable backward
function sigmoidBackward(n: Node, g: Tensor): void { n.grad(0, sigmoidGrad(g, n.savedAt(0))); }
def(Op.Sigmoid).unary(sigmoid, sigmoidKernel, Save.Out, HEAVY).f64(sigmoidKernel64).backwards(sigmoidBackward);

// 1 where x > a, else 0 (a = 0: the derivative mask of relu)
@final class StepF { @inline v(x: v128, a: v128, b: v128): v128 { return v128.and(f32x4.gt(x, a), f32x4.splat(1)); } @inline s(x: f32, a: f32, b: f32): f32 { return x > a ? 1 : 0; } }
function stepKernel(src: usize, dst: usize, n: i32, a: f32, b: f32): void { mapUnary(changetype<StepF>(0), src, dst, n, a, b); }
export function step(x: Tensor): Tensor { return unary(Op.Step, x, 0, 0); }
def(Op.Step).unary(step, stepKernel, Save.None).f64(stepKernel64).noGradient();

@final class ReluF { @inline v(x: v128, a: v128, b: v128): v128 { return f32x4.max(x, f32x4.splat(0)); } @inline s(x: f32, a: f32, b: f32): f32 { return x > 0 ? x : (x != x ? x : 0); } }
function reluKernel(src: usize, dst: usize, n: i32, a: f32, b: f32): void { mapUnary(changetype<ReluF>(0), src, dst, n, a, b); }
export function relu(x: Tensor): Tensor { return unary(Op.Relu, x, 0, 0); }
// d relu x = [x > 0] dx (0 at the kink); the mask is constant, so the second derivative is 0 as it should be
function reluBackward(n: Node, g: Tensor): void { n.grad(0, mul(g, step(n.savedAt(0)))); }
def(Op.Relu).unary(relu, reluKernel, Save.In).f64(reluKernel64).backwards(reluBackward);

// softplus(x) = max(x, 0) + log1p(exp(-|x|)): no overflow for large x, no loss for very negative x
@final class SoftplusF {
  @inline v(x: v128, a: v128, b: v128): v128 { return perLane(this, x); }
  @inline s(x: f32, a: f32, b: f32): f32 { const d = <f64>x; return <f32>(Math.max(d, 0) + Math.log1p(Math.exp(-Math.abs(d)))); }
}
function softplusKernel(src: usize, dst: usize, n: i32, a: f32, b: f32): void { mapUnary(changetype<SoftplusF>(0), src, dst, n, a, b); }
export function softplus(x: Tensor): Tensor { return unary(Op.Softplus, x, 0, 0); }
// d log(1 + e^x) = sigmoid(x) dx
function softplusBackward(n: Node, g: Tensor): void { n.grad(0, mul(g, sigmoid(n.savedAt(0)))); }
def(Op.Softplus).unary(softplus, softplusKernel, Save.In, HEAVY).f64(softplusKernel64).backwards(softplusBackward);
