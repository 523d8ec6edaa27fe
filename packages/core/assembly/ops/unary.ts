// Elementwise math: neg, abs, exp, log, sqrt, square, reciprocal, sin, cos (and sign, a non-differentiable helper).
// Each backward is written with ops, so an outer tape records it and higher derivatives follow.
import { Tensor } from "../tensor";
import { Node } from "../tape";
import { UK } from "../kernels/unary";
import { Save, unary } from "./factory";
import { mul, div, affine } from "./arith";
import { Op } from "./index";

export function neg(x: Tensor): Tensor { return unary(Op.Neg, x, UK.Neg, 0, 0, Save.None); }
// d(-x) = -dx
export function negBackward(n: Node, g: Tensor): void { n.grad(0, neg(g)); }

export function sign(x: Tensor): Tensor { return unary(Op.Sign, x, UK.Sign, 0, 0, Save.None, true); }

export function abs(x: Tensor): Tensor { return unary(Op.Abs, x, UK.Abs, 0, 0, Save.In); }
// d|x| = sign(x) dx (0 at x = 0, the subgradient TensorFlow uses)
export function absBackward(n: Node, g: Tensor): void { n.grad(0, mul(g, sign(n.saved[0]))); }

export function exp(x: Tensor): Tensor { return unary(Op.Exp, x, UK.Exp, 0, 0, Save.Out); }
// d e^x = e^x dx: reuses the saved output
export function expBackward(n: Node, g: Tensor): void { n.grad(0, mul(g, n.saved[0])); }

export function log(x: Tensor): Tensor { return unary(Op.Log, x, UK.Log, 0, 0, Save.In); }
// d log x = dx / x
export function logBackward(n: Node, g: Tensor): void { n.grad(0, div(g, n.saved[0])); }

export function sqrt(x: Tensor): Tensor { return unary(Op.Sqrt, x, UK.Sqrt, 0, 0, Save.Out); }
// d sqrt(x) = dx / (2 sqrt(x)): reuses the saved output
export function sqrtBackward(n: Node, g: Tensor): void { n.grad(0, div(g, affine(n.saved[0], 2, 0))); }

export function square(x: Tensor): Tensor { return unary(Op.Square, x, UK.Square, 0, 0, Save.In); }
// d x^2 = 2x dx
export function squareBackward(n: Node, g: Tensor): void { n.grad(0, mul(g, affine(n.saved[0], 2, 0))); }

export function reciprocal(x: Tensor): Tensor { return unary(Op.Reciprocal, x, UK.Reciprocal, 0, 0, Save.Out); }
// d (1/x) = -dx / x^2 = -y^2 dx
export function reciprocalBackward(n: Node, g: Tensor): void { const y = n.saved[0]; n.grad(0, mul(g, affine(mul(y, y), -1, 0))); }

export function sin(x: Tensor): Tensor { return unary(Op.Sin, x, UK.Sin, 0, 0, Save.In); }
// d sin x = cos x dx
export function sinBackward(n: Node, g: Tensor): void { n.grad(0, mul(g, cos(n.saved[0]))); }

export function cos(x: Tensor): Tensor { return unary(Op.Cos, x, UK.Cos, 0, 0, Save.In); }
// d cos x = -sin x dx
export function cosBackward(n: Node, g: Tensor): void { n.grad(0, mul(g, affine(sin(n.saved[0]), -1, 0))); }
