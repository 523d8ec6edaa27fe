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
import { Tensor, DType, release, retain, sameShape, scopeBegin, scopeEnd, isRowBroadcast } from "../tensor";
import { alloc, free } from "../memory";
import { failed, failOutOfMemory } from "../errors";
import { Node, record, anyRecording } from "./record";
import { Op } from "./codes";
import { def, Save } from "./table";
import { FusedKernel, fusedPar, fusedParTiled, repeatRow, tileLength, TILE, tanhGradKernel, sigmoidGradKernel, mulMulKernel, sigmoidGradDyKernel, sigmoidGradDyKernel64 } from "../kernels/fused";
import { FusedKernel64, fusedPar64, tanhGradKernel64, sigmoidGradKernel64, mulMulKernel64 } from "../kernels/fused64";
import { ERR, NO_I, NO_F, contig, outTensor, arr2, dtypeError } from "./factory";
import { mul, affine } from "./arith";

// operands: all float32 or all float64 (a mix is a DType error naming the first operand's dtype)
function check(op: i32, a: Tensor, b: Tensor): bool {
  if (a.dtype != DType.Float32 && a.dtype != DType.Float64) { dtypeError(op, 0, DType.Float32, a); return false; }
  if (b.dtype != a.dtype) { dtypeError(op, 1, a.dtype, b); return false; }
  return true;
}

// Every fused op runs through fusedRun: operands contiguous (a view is copied), except float32 row broadcasts
// (tensor.ts isRowBroadcast), which are read from a tile of their row (kernels/fused.ts fusedParTiled) rather than
// copied out to M rows. Per operand slot: the tile, its period and length, or the contiguous tensor held for the run.
const tilePtr = new StaticArray<usize>(3), tilePeriod = new StaticArray<i32>(3), tileLen = new StaticArray<i32>(3);
const held = new StaticArray<Tensor | null>(3);

/** Operand slot i: x's tile when `tiles` and x is a row broadcast, else x's contiguous storage; 0 when out of memory. */
function operand(op: i32, x: Tensor, i: i32, tiles: bool): usize {
  unchecked(held[i] = null); unchecked(tilePtr[i] = 0); unchecked(tilePeriod[i] = 0);
  if (tiles && isRowBroadcast(x)) {
    const period = unchecked(x.shape[1]), len = tileLength(period, TILE, x.size);
    const t = alloc(<usize>len << 2);
    if (t == 0) { failOutOfMemory(op, <f64>(len << 2)); return 0; }
    repeatRow(t, x.ptr, period, len, false);
    unchecked(tilePtr[i] = t); unchecked(tilePeriod[i] = period); unchecked(tileLen[i] = len);
    return t;
  }
  const c = contig(x);
  if (c === ERR) return 0;
  unchecked(held[i] = c);
  return c.ptr;
}

/**
 * k32 (float32) or k64 (float64) over operands a, b and c (null: a two-operand kernel), all of one dtype and of
 * `shape`, with the scalar s: a new tensor, or ERR.
 */
function fusedRun(op: i32, k32: FusedKernel, k64: FusedKernel64, a: Tensor, b: Tensor, c: Tensor | null, s: f64,
                  shape: StaticArray<i32>): Tensor {
  const wide = a.dtype == DType.Float64;
  const tiles = !wide && (isRowBroadcast(a) || isRowBroadcast(b) || (c != null && isRowBroadcast(c)));
  const pa = operand(op, a, 0, tiles), pb = pa != 0 ? operand(op, b, 1, tiles) : 0;
  const pc = c == null ? 0 : (pb != 0 ? operand(op, c, 2, tiles) : 0);
  const out = pa != 0 && pb != 0 && (c == null || pc != 0) ? outTensor(shape, a.dtype) : ERR;
  if (out !== ERR) {
    if (wide) fusedPar64(k64, pa, pb, pc, out.ptr, s, out.size);
    else if (tiles) fusedParTiled(k32, pa, unchecked(tilePeriod[0]), pb, unchecked(tilePeriod[1]), pc, unchecked(tilePeriod[2]), out.ptr, <f32>s, out.size);
    else fusedPar(k32, pa, pb, pc, out.ptr, <f32>s, out.size);
  }
  for (let i = 0; i < 3; i++) {
    const t = unchecked(tilePtr[i]);
    if (t != 0) free(t, <usize>unchecked(tileLen[i]) << 2);
    const h = unchecked(held[i]);
    if (h != null) release(h);
    unchecked(tilePtr[i] = 0); unchecked(tilePeriod[i] = 0); unchecked(held[i] = null);
  }
  return out;
}

function gradOp(op: i32, g: Tensor, y: Tensor): Tensor {
  if (failed()) return ERR;
  if (!check(op, g, y)) return ERR;
  const tanh = op == Op.TanhGrad;
  const out = fusedRun(op, tanh ? tanhGradKernel : sigmoidGradKernel, tanh ? tanhGradKernel64 : sigmoidGradKernel64, g, y, null, 0, y.shape);
  if (out !== ERR && anyRecording()) record(op, arr2(g, y), out, arr2(g, y), NO_I, NO_F);
  return out;
}

/** g (1 - y^2): the cotangent g through tanh, given its output y. */
export function tanhGrad(g: Tensor, y: Tensor): Tensor {
  if (!sameShape(g.shape, y.shape)) return mul(g, affine(mul(y, y), -1, 1));
  return gradOp(Op.TanhGrad, g, y);
}
function tanhGradBackward(n: Node, G: Tensor): void {
  const g = n.savedAt(0), y = n.savedAt(1);
  if (n.needs(0)) n.grad(0, tanhGrad(G, y));
  if (n.needs(1)) n.grad(1, mulMul(y, g, G, -2));
}

/** g y (1 - y): the cotangent g through sigmoid, given its output y. */
export function sigmoidGrad(g: Tensor, y: Tensor): Tensor {
  if (!sameShape(g.shape, y.shape)) return mul(g, mul(y, affine(y, -1, 1)));
  return gradOp(Op.SigmoidGrad, g, y);
}
function sigmoidGradBackward(n: Node, G: Tensor): void {
  const g = n.savedAt(0), y = n.savedAt(1);
  if (n.needs(0)) n.grad(0, sigmoidGrad(G, y));
  if (n.needs(1)) n.grad(1, sigmoidGradDy(G, g, y));
}

/**
 * G g (1 - 2y), sigmoidGrad's cotangent for y: mulMul(G, g, affine(y, -2, 1), 1). When nothing records (an outer
 * gradient call of eager code: its tape is paused in its own sweep), one pass computing the same operations in the
 * same order (same bits), one tensor instead of two; a recording tape or trace gets the two ops, whose own backward
 * rules give the next order. (TF-style eager code at one point makes four of these per evaluation of the seed
 * network's Hessian.)
 */
function sigmoidGradDy(G: Tensor, g: Tensor, y: Tensor): Tensor {
  if (failed()) return ERR;
  if (anyRecording() || !sameShape(G.shape, g.shape) || !sameShape(G.shape, y.shape)) return mulMul(G, g, affine(y, -2, 1), 1);
  if (!check(Op.MulMul, G, g) || !check(Op.MulMul, G, y)) return ERR;
  return fusedRun(Op.MulMul, sigmoidGradDyKernel, sigmoidGradDyKernel64, G, g, y, 1, G.shape);
}

// mulMul's recorded parameters: fp = [s]
@inline function scaleOf(fp: StaticArray<f64>): f64 { return fp[0]; }

/** s a b c elementwise (one shape). */
export function mulMul(a: Tensor, b: Tensor, c: Tensor, s: f64): Tensor {
  if (failed()) return ERR;
  if (!sameShape(a.shape, b.shape) || !sameShape(a.shape, c.shape)) return affine(mul(mul(a, b), c), s, 0);
  if (!check(Op.MulMul, a, b) || !check(Op.MulMul, a, c)) return ERR;
  const out = fusedRun(Op.MulMul, mulMulKernel, mulMulKernel64, a, b, c, s, a.shape);
  if (out !== ERR && anyRecording()) {
    const ins = new StaticArray<Tensor>(3); ins[0] = a; ins[1] = b; ins[2] = c;
    const fp = new StaticArray<f64>(1); fp[0] = s;
    record(Op.MulMul, ins, out, ins, NO_I, fp);
  }
  return out;
}
function mulMulBackward(n: Node, G: Tensor): void {
  const a = n.savedAt(0), b = n.savedAt(1), c = n.savedAt(2), s = scaleOf(n.fp);
  if (n.needs(0)) n.grad(0, mulMul(b, c, G, s));
  if (n.needs(1)) n.grad(1, mulMul(a, c, G, s));
  if (n.needs(2)) n.grad(2, mulMul(a, b, G, s));
}

/**
 * A fused op inside a scope of its own, for the exports: with operands of different shapes it falls back to a
 * chain of unfused ops whose temporaries only a scope frees (backward rules always run in one; an export does
 * not). The result is retained past the scope and handed to the caller.
 */
export function fusedScoped(op: i32, a: Tensor, b: Tensor, c: Tensor, s: f64): Tensor {
  scopeBegin();
  const y = op == Op.MulMul ? mulMul(a, b, c, s) : (op == Op.TanhGrad ? tanhGrad(a, b) : sigmoidGrad(a, b));
  retain(y);
  scopeEnd();
  return y;
}
// the eager forms the binaryOp export dispatches to (for the Taylor jets of the TS side)
function tanhGradEager(g: Tensor, y: Tensor): Tensor { return fusedScoped(Op.TanhGrad, g, y, g, 0); }
function sigmoidGradEager(g: Tensor, y: Tensor): Tensor { return fusedScoped(Op.SigmoidGrad, g, y, g, 0); }

function replayTanhGrad(op: i32, x: StaticArray<Tensor>, ip: StaticArray<i32>, fp: StaticArray<f64>, dtype: i32, outShape: StaticArray<i32>): Tensor { return tanhGrad(x[0], x[1]); }
function replaySigmoidGrad(op: i32, x: StaticArray<Tensor>, ip: StaticArray<i32>, fp: StaticArray<f64>, dtype: i32, outShape: StaticArray<i32>): Tensor { return sigmoidGrad(x[0], x[1]); }
function replayMulMul(op: i32, x: StaticArray<Tensor>, ip: StaticArray<i32>, fp: StaticArray<f64>, dtype: i32, outShape: StaticArray<i32>): Tensor { return mulMul(x[0], x[1], x[2], scaleOf(fp)); }
def(Op.TanhGrad).binary(tanhGradEager, null, Save.None).replays(replayTanhGrad).backwards(tanhGradBackward);
def(Op.SigmoidGrad).binary(sigmoidGradEager, null, Save.None).replays(replaySigmoidGrad).backwards(sigmoidGradBackward);
def(Op.MulMul).replays(replayMulMul).backwards(mulMulBackward);
