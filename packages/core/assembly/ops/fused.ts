// Fused derivative ops: the derivatives of tanh and sigmoid, and a scaled product of three tensors, each one pass
// over memory instead of the two to four elementwise ops (and temporaries) it replaces. Every one has its own
// backward rule written with ops, so an outer tape records it and derivatives still nest to any order; the
// family is closed under differentiation (the backward rules use only these ops, affine and add).
//   tanhGrad(g, y)     = g (1 - y^2)      d/dg: tanhGrad(G, y)       d/dy: mulMul(y, g, G, -2)
//   sigmoidGrad(g, y)  = g y (1 - y)      d/dg: sigmoidGrad(G, y)    d/dy: mulMul(G, g, 1 - 2y, 1)
//   mulMul(a, b, c, s) = s a b c          d/da: mulMul(b, c, G, s)   (and likewise for b and c)
// tanhGrad and sigmoidGrad compute exactly the float32 operations of their unfused forms (same results, bit for
// bit). The operands always have one shape (a cotangent has its primal's shape); anything else falls back to the
// unfused ops.
import { Tensor, DType, release, sameShape } from "../tensor";
import { failed } from "../errors";
import { Node, record, anyRecording } from "../tape";
import { fusedPar, Task } from "../kernels/parallel";
import { ERR, NO_I, NO_F, contig, outTensor, arr2, dtypeError } from "./factory";
import { mul, affine } from "./arith";
import { Op } from "./index";

function check(op: i32, a: Tensor, b: Tensor): bool {
  if (a.dtype != DType.Float32) { dtypeError(op, 0, DType.Float32, a); return false; }
  if (b.dtype != DType.Float32) { dtypeError(op, 1, DType.Float32, b); return false; }
  return true;
}

function gradOp(op: i32, g: Tensor, y: Tensor): Tensor {
  if (failed()) return ERR;
  if (!check(op, g, y)) return ERR;
  const cg = contig(g), cy = contig(y);
  const out = cg !== ERR && cy !== ERR ? outTensor(y.shape) : ERR;
  if (out !== ERR) {
    fusedPar(op == Op.TanhGrad ? Task.TanhGrad : Task.SigmoidGrad, cg.ptr, cy.ptr, 0, out.ptr, 0, out.size);
  }
  release(cg); release(cy);
  if (out !== ERR && anyRecording()) record(op, arr2(g, y), out, arr2(g, y), NO_I, NO_F);
  return out;
}

/** g (1 - y^2): the cotangent g through tanh, given its output y. */
export function tanhGrad(g: Tensor, y: Tensor): Tensor {
  if (!sameShape(g.shape, y.shape)) return mul(g, affine(mul(y, y), -1, 1));
  return gradOp(Op.TanhGrad, g, y);
}
export function tanhGradBackward(n: Node, G: Tensor): void {
  const g = n.saved[0], y = n.saved[1];
  if (n.needs(0)) n.grad(0, tanhGrad(G, y));
  if (n.needs(1)) n.grad(1, mulMul(y, g, G, -2));
}

/** g y (1 - y): the cotangent g through sigmoid, given its output y. */
export function sigmoidGrad(g: Tensor, y: Tensor): Tensor {
  if (!sameShape(g.shape, y.shape)) return mul(g, mul(y, affine(y, -1, 1)));
  return gradOp(Op.SigmoidGrad, g, y);
}
export function sigmoidGradBackward(n: Node, G: Tensor): void {
  const g = n.saved[0], y = n.saved[1];
  if (n.needs(0)) n.grad(0, sigmoidGrad(G, y));
  if (n.needs(1)) n.grad(1, mulMul(G, g, affine(y, -2, 1), 1));
}

/** s a b c elementwise (one shape). */
export function mulMul(a: Tensor, b: Tensor, c: Tensor, s: f64): Tensor {
  if (failed()) return ERR;
  if (!sameShape(a.shape, b.shape) || !sameShape(a.shape, c.shape)) return affine(mul(mul(a, b), c), s, 0);
  if (!check(Op.MulMul, a, b) || !check(Op.MulMul, a, c)) return ERR;
  const ca = contig(a), cb = contig(b), cc = contig(c);
  const out = ca !== ERR && cb !== ERR && cc !== ERR ? outTensor(a.shape) : ERR;
  if (out !== ERR) fusedPar(Task.MulMul, ca.ptr, cb.ptr, cc.ptr, out.ptr, <f32>s, out.size);
  release(ca); release(cb); release(cc);
  if (out !== ERR && anyRecording()) {
    const ins = new StaticArray<Tensor>(3); ins[0] = a; ins[1] = b; ins[2] = c;
    const fp = new StaticArray<f64>(1); fp[0] = s;
    record(Op.MulMul, ins, out, ins, NO_I, fp);
  }
  return out;
}
export function mulMulBackward(n: Node, G: Tensor): void {
  const a = n.saved[0], b = n.saved[1], c = n.saved[2], s = n.fp[0];
  if (n.needs(0)) n.grad(0, mulMul(b, c, G, s));
  if (n.needs(1)) n.grad(1, mulMul(a, c, G, s));
  if (n.needs(2)) n.grad(2, mulMul(a, b, G, s));
}
