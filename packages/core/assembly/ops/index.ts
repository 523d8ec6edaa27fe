// The op registry: every op once, its code (which reaches TypeScript through the generated bindings, so error
// messages and the API share one list), its replay (`forward`, for jit programs) and its backward rule. Adding an
// op: one file in ops/, a code here, a case in `forward` and in `backward`.
import { Node, anyRecording } from "../tape";
import { Tensor, DType } from "../tensor";
import { BK } from "../kernels/binary";
import * as U from "./unary";
import * as A from "./activations";
import * as Ar from "./arith";
import { where } from "./where";
import { matMul } from "./matmul";
import { reduceFrom } from "./reduce";
import { viewFrom, viewGradFrom, copy } from "./view";
import { concat } from "./concat";
import { gather, gatherGradFrom } from "./gather";
import { pad } from "./pad";
import { tanhGrad, sigmoidGrad, mulMul } from "./fused";
import { ERR } from "./factory";
import { fail, ErrorCode } from "../errors";
import { negBackward, absBackward, expBackward, logBackward, sqrtBackward, squareBackward, reciprocalBackward, sinBackward, cosBackward } from "./unary";
import { tanhBackward, sigmoidBackward, reluBackward, softplusBackward } from "./activations";
import { addBackward, subBackward, mulBackward, divBackward, powBackward, maximumBackward, minimumBackward, affineBackward } from "./arith";
import { whereBackward } from "./where";
import { matMulBackward } from "./matmul";
import { sumBackward, maxMinBackward } from "./reduce";
import { viewBackward, viewGradBackward, copyBackward } from "./view";
import { concatBackward } from "./concat";
import { gatherBackward, gatherGradBackward } from "./gather";
import { padBackward } from "./pad";
import { tanhGradBackward, sigmoidGradBackward, mulMulBackward } from "./fused";

export enum Op {
  Neg, Abs, Exp, Log, Sqrt, Square, Reciprocal, Sin, Cos, Tanh, Sigmoid, Relu, Softplus, Affine, Sign, Step,
  Add, Sub, Mul, Div, Pow, Maximum, Minimum,
  Equal, NotEqual, Less, LessEqual, Greater, GreaterEqual, Where,
  MatMul, Sum, Mean, Max, Min,
  View, ViewGrad, Copy, Reshape, Transpose, BroadcastTo, Slice, Index, ExpandDims, Squeeze,
  Concat, Stack, Gather, GatherGrad, Pad,
  Fill, Eye, Range, Linspace, RandomUniform, RandomNormal, Assign, Tensor, Gradient,
  TanhGrad, SigmoidGrad, MulMul
}

/**
 * Runs op again on inputs x with the parameters it recorded (ip, fp) and its output dtype: the replay of a traced
 * program (program.ts). Every op that calls record() needs a case here; the parameters it records must say all that
 * its forward needs besides the inputs. (program.ts runs View steps itself, with their shape and strides decoded
 * once per program instead of on every call; the View case here is the same operation.)
 */
export function forward(op: i32, x: StaticArray<Tensor>, ip: StaticArray<i32>, fp: StaticArray<f64>, dtype: i32, outShape: StaticArray<i32>): Tensor {
  switch (op) {
    case Op.Neg: return U.neg(x[0]);
    case Op.Abs: return U.abs(x[0]);
    case Op.Exp: return U.exp(x[0]);
    case Op.Log: return U.log(x[0]);
    case Op.Sqrt: return U.sqrt(x[0]);
    case Op.Square: return U.square(x[0]);
    case Op.Reciprocal: return U.reciprocal(x[0]);
    case Op.Sin: return U.sin(x[0]);
    case Op.Cos: return U.cos(x[0]);
    case Op.Sign: return U.sign(x[0]);
    case Op.Tanh: return A.tanh(x[0]);
    case Op.Sigmoid: return A.sigmoid(x[0]);
    case Op.Relu: return A.relu(x[0]);
    case Op.Softplus: return A.softplus(x[0]);
    case Op.Step: return A.step(x[0]);
    case Op.Affine: return Ar.affine(x[0], fp[0], fp[1]);
    case Op.Add: return Ar.add(x[0], x[1]);
    case Op.Sub: return Ar.sub(x[0], x[1]);
    case Op.Mul: return Ar.mul(x[0], x[1]);
    case Op.Div: return Ar.div(x[0], x[1]);
    case Op.Pow: return Ar.pow(x[0], x[1]);
    case Op.Maximum: return Ar.maximum(x[0], x[1]);
    case Op.Minimum: return Ar.minimum(x[0], x[1]);
    // comparisons: bool results for the API, float 0/1 masks inside backward rules (fmask)
    case Op.Equal: return cmp(op, BK.Equal, x, dtype);
    case Op.NotEqual: return cmp(op, BK.NotEqual, x, dtype);
    case Op.Less: return cmp(op, BK.Less, x, dtype);
    case Op.LessEqual: return cmp(op, BK.LessEqual, x, dtype);
    case Op.Greater: return cmp(op, BK.Greater, x, dtype);
    case Op.GreaterEqual: return cmp(op, BK.GreaterEqual, x, dtype);
    case Op.Where: return where(x[0], x[1], x[2]);
    case Op.MatMul: return matMul(x[0], x[1], ip[0] != 0, ip[1] != 0);
    case Op.Sum: case Op.Max: case Op.Min: return reduceFrom(op, x[0], ip, outShape);
    case Op.View: return viewFrom(x[0], ip);
    case Op.ViewGrad: return viewGradFrom(x[0], ip);
    case Op.Copy: return copy(x[0]);
    // a tape recording the replay keeps the inputs array in its node: give it one of its own
    case Op.Concat: return concat(anyRecording() ? x.slice<StaticArray<Tensor>>(0) : x, ip[0]);
    case Op.Gather: return gather(x[0], x[1], ip[0]);
    case Op.GatherGrad: return gatherGradFrom(x[0], x[1], ip);
    case Op.Pad: return pad(x[0], ip, <f32>fp[0]);
    case Op.TanhGrad: return tanhGrad(x[0], x[1]);
    case Op.SigmoidGrad: return sigmoidGrad(x[0], x[1]);
    case Op.MulMul: return mulMul(x[0], x[1], x[2], fp[0]);
    default: return unreplayable(op);
  }
}

/** An op code with no replay: a bug (a recorded op missing above), reported rather than trapped. */
function unreplayable(op: i32): Tensor { fail(ErrorCode.BadArgument, op, -1, 0, op); return ERR; }

function cmp(op: i32, k: i32, x: StaticArray<Tensor>, dtype: i32): Tensor {
  return dtype == DType.Bool ? Ar.compare(op, k, x[0], x[1]) : Ar.fmask(op, k, x[0], x[1]);
}

export function backward(n: Node, g: Tensor): void {
  switch (n.op) {
    case Op.Neg: negBackward(n, g); break;
    case Op.Abs: absBackward(n, g); break;
    case Op.Exp: expBackward(n, g); break;
    case Op.Log: logBackward(n, g); break;
    case Op.Sqrt: sqrtBackward(n, g); break;
    case Op.Square: squareBackward(n, g); break;
    case Op.Reciprocal: reciprocalBackward(n, g); break;
    case Op.Sin: sinBackward(n, g); break;
    case Op.Cos: cosBackward(n, g); break;
    case Op.Tanh: tanhBackward(n, g); break;
    case Op.Sigmoid: sigmoidBackward(n, g); break;
    case Op.Relu: reluBackward(n, g); break;
    case Op.Softplus: softplusBackward(n, g); break;
    case Op.Affine: affineBackward(n, g); break;
    case Op.Add: addBackward(n, g); break;
    case Op.Sub: subBackward(n, g); break;
    case Op.Mul: mulBackward(n, g); break;
    case Op.Div: divBackward(n, g); break;
    case Op.Pow: powBackward(n, g); break;
    case Op.Maximum: maximumBackward(n, g); break;
    case Op.Minimum: minimumBackward(n, g); break;
    case Op.Where: whereBackward(n, g); break;
    case Op.MatMul: matMulBackward(n, g); break;
    case Op.Sum: sumBackward(n, g); break;
    case Op.Max: maxMinBackward(n, g); break;
    case Op.Min: maxMinBackward(n, g); break;
    case Op.View: viewBackward(n, g); break;
    case Op.ViewGrad: viewGradBackward(n, g); break;
    case Op.Copy: copyBackward(n, g); break;
    case Op.Concat: concatBackward(n, g); break;
    case Op.Gather: gatherBackward(n, g); break;
    case Op.GatherGrad: gatherGradBackward(n, g); break;
    case Op.Pad: padBackward(n, g); break;
    case Op.TanhGrad: tanhGradBackward(n, g); break;
    case Op.SigmoidGrad: sigmoidGradBackward(n, g); break;
    case Op.MulMul: mulMulBackward(n, g); break;
    default: break; // non-differentiable (comparisons, sign, step) never get here: they are recorded as nondiff
  }
}
