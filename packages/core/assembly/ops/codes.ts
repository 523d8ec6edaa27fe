// The op codes, every op once. This file imports nothing: it is the bottom of the op layer, and the enum reaches
// TypeScript through the generated bindings (core().Op), so error messages, the API and jit's step names share
// this one list. What each code does, how it is replayed and differentiated is its entry in the op table
// (ops/table.ts), made in the op's family file; test/op-table.test.ts walks every code and fails when one has no
// complete entry.
//
// Three kinds of code: recorded ops (forward, replay, backward or declared non-differentiable); entry points that
// are recorded as another op (Reshape ... Index are View steps, Mean is Sum then Affine); and calls that are never
// recorded (constants, in-place writes), named here so that their errors can say which call failed.
export enum Op {
  Neg, Abs, Exp, Log, Sqrt, Square, Reciprocal, Sin, Cos, Atan, Erf, Tanh, Sigmoid, Relu, Softplus, Affine, Sign, Step,
  Add, Sub, Mul, Div, Pow, Maximum, Minimum,
  Equal, NotEqual, Less, LessEqual, Greater, GreaterEqual, Where,
  MatMul, Sum, Mean, Max, Min,
  View, ViewGrad, Copy, Reshape, Transpose, BroadcastTo, Slice, Index,
  Concat, Gather, GatherGrad, Pad,
  Range, Linspace, RandomUniform, RandomNormal, Assign, Tensor,
  TanhGrad, SigmoidGrad, MulMul,
  Cast
}

/** The number of op codes (the last code + 1). */
export const OP_COUNT: i32 = Op.Cast + 1;
