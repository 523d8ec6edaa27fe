// Activations: tanh, sigmoid, relu, softplus. tanh and sigmoid save their output, the cheapest thing their
// derivative needs; all derivatives are ops, so tanh/sigmoid have derivatives of every order (TensorFlow.js
// cannot take a second derivative through them, tfjs#3252).
import { Tensor } from "../tensor";
import { Node } from "../tape";
import { UK } from "../kernels/unary";
import { Save, unary } from "./factory";
import { mul, affine } from "./arith";
import { tanhGrad, sigmoidGrad } from "./fused";
import { Op } from "./index";

export function tanh(x: Tensor): Tensor { return unary(Op.Tanh, x, UK.Tanh, 0, 0, Save.Out); }
// d tanh x = (1 - tanh^2 x) dx, as one fused op (ops/fused.ts) with its own differentiable backward
export function tanhBackward(n: Node, g: Tensor): void { n.grad(0, tanhGrad(g, n.saved[0])); }

export function sigmoid(x: Tensor): Tensor { return unary(Op.Sigmoid, x, UK.Sigmoid, 0, 0, Save.Out); }
// d s(x) = s(x) (1 - s(x)) dx, as one fused op (ops/fused.ts) with its own differentiable backward
export function sigmoidBackward(n: Node, g: Tensor): void { n.grad(0, sigmoidGrad(g, n.saved[0])); }

export function step(x: Tensor): Tensor { return unary(Op.Step, x, UK.Step, 0, 0, Save.None, true); }

export function relu(x: Tensor): Tensor { return unary(Op.Relu, x, UK.Relu, 0, 0, Save.In); }
// d relu x = [x > 0] dx (0 at the kink); the mask is constant, so the second derivative is 0 as it should be
export function reluBackward(n: Node, g: Tensor): void { n.grad(0, mul(g, step(n.saved[0]))); }

export function softplus(x: Tensor): Tensor { return unary(Op.Softplus, x, UK.Softplus, 0, 0, Save.In); }
// d log(1 + e^x) = sigmoid(x) dx
export function softplusBackward(n: Node, g: Tensor): void { n.grad(0, mul(g, sigmoid(n.saved[0]))); }
