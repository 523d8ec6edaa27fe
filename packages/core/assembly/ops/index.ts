// The op registry: every op once, its code (which reaches TypeScript through the generated bindings, so error
// messages and the API share one list) and its backward rule. Adding an op: one file in ops/, a code here, a
// case in `backward`.
import { Node } from "../tape";
import { Tensor } from "../tensor";
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
