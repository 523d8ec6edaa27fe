// The core's fused derivative ops (core ops/fused.ts), for the Taylor sweep only (not public API): each is one pass
// over memory and saves only its inputs for backward, where the unfused chain saves its temporaries too.
//   actGrad("tanh", g, y)    = g (1 - y^2)   = s'(z) g for y = tanh z
//   actGrad("sigmoid", g, y) = g y (1 - y)   = s'(z) g for y = sigmoid z
//   mulMul(a, b, c, s)       = s a b c
// Operands of different shapes (a [1, w] coefficient row against [N, w]) fall back to the unfused ops in the core,
// with NumPy broadcasting. All are differentiable to any order (their backward rules are ops).
import { core } from "../backend.js";
import { Tensor, wrap } from "../tensor.js";

export function actGrad(name: "tanh" | "sigmoid", g: Tensor, y: Tensor): Tensor {
  const c = core();
  const op = name === "tanh" ? c.Op.TanhGrad : c.Op.SigmoidGrad;
  return wrap(c.binaryOp(op, g.handleFor("jet", "g"), y.handleFor("jet", "y")), "jet", [g, y], ["g", "y"]);
}

export function mulMul(a: Tensor, b: Tensor, cc: Tensor, s: number): Tensor {
  const c = core();
  return wrap(c.mulMulOp(a.handleFor("jet", "a"), b.handleFor("jet", "b"), cc.handleFor("jet", "c"), s), "jet", [a, b, cc], ["a", "b", "c"]);
}
