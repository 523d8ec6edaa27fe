// matMul(a, b, transposeA, transposeB): rank >= 2, leading (batch) axes broadcast like NumPy.
// The kernel reads either operand in either layout, so transposed operands are never copied: a transposeA/B flag
// is passed through, and a rank-2 transposed view of contiguous storage (x.transpose()) is read in place with its
// flag flipped. Other non-contiguous operands are gathered into contiguous storage first. Backward (G = dC):
//   C = A B     : dA = G B^T,   dB = A^T G        C = A^T B   : dA = B G^T,   dB = A G
//   C = A B^T   : dA = G B,     dB = G^T A        C = A^T B^T : dA = B^T G^T, dB = G^T A^T
// each itself a matMul, then reduced over broadcast batch axes.
import { Tensor, DType, stdStrides, isContiguous, isRowBroadcast, release, retain, sizeOf, shape2, newView } from "../tensor";
import { fail, failed, ErrorCode, addDetail, failOutOfMemory } from "../errors";
import { Node, record, anyRecording } from "./record";
import { Op } from "./codes";
import { def } from "./table";
import { matmulKernel } from "../kernels/matmul";
import { matmulKernel64 } from "../kernels/matmul64";
import { packRequested } from "../kernels/pack-space";
import { gatherStrided } from "../kernels/strided";
import { ERR, NO_F, dtypeError, outTensor, arr2, broadcastShapes, contig } from "./factory";
import { unbroadcast } from "./view";

let swapped: bool = false;
/**
 * x's storage for the kernel (retained; the caller releases it): x itself when contiguous, or when x is a rank-2
 * view with swapped strides over contiguous storage (then `swapped` is set: its storage is the transpose);
 * otherwise a contiguous copy.
 */
function operand(x: Tensor): Tensor {
  swapped = false;
  if (isContiguous(x)) { retain(x); return x; }
  const d = x.shape, s = x.strides;
  if (d.length == 2 && unchecked(s[0]) == 1 && unchecked(s[1]) == unchecked(d[0])) { swapped = true; retain(x); return x; }
  return contig(x);
}

const EMPTY = new StaticArray<i32>(0);
// the recorded (transposeA, transposeB) parameters, shared (never written)
const FLAGS = [new StaticArray<i32>(2), new StaticArray<i32>(2), new StaticArray<i32>(2), new StaticArray<i32>(2)];
FLAGS[1][1] = 1; FLAGS[2][0] = 1; FLAGS[3][0] = 1; FLAGS[3][1] = 1;

@inline function kernel(f64: bool, a: usize, b: usize, c: usize, M: i32, K: i32, N: i32, ta: bool, tb: bool): bool {
  return f64 ? matmulKernel64(a, b, c, M, K, N, ta, tb) : matmulKernel(a, b, c, M, K, N, ta, tb);
}

export function matMul(a: Tensor, b: Tensor, ta: bool, tb: bool): Tensor {
  if (failed()) return ERR;
  // float32 or float64, the same for both (a mix is a DType error naming a's dtype: the cast to add to b)
  if (a.dtype != DType.Float32 && a.dtype != DType.Float64) return dtypeError(Op.MatMul, 0, DType.Float32, a);
  if (b.dtype != a.dtype) return dtypeError(Op.MatMul, 1, a.dtype, b);
  const f64 = a.dtype == DType.Float64, sh = f64 ? 3 : 2;
  const ra = a.shape.length, rb = b.shape.length;
  if (ra < 2 || rb < 2) { fail(ErrorCode.BadArgument, Op.MatMul, ra < 2 ? 0 : 1, 1, ra < 2 ? ra : rb); return ERR; }
  // (ra, rb >= 2: unchecked reads, each checked read being a call)
  const a1 = unchecked(a.shape[ra - 1]), a2 = unchecked(a.shape[ra - 2]);
  const b1 = unchecked(b.shape[rb - 1]), b2 = unchecked(b.shape[rb - 2]);
  const M = ta ? a1 : a2, K = ta ? a2 : a1;
  const K2 = tb ? b1 : b2, N = tb ? b2 : b1;
  if (K != K2) {
    fail(ErrorCode.ShapeMismatch, Op.MatMul, -1, ra, rb);
    for (let i = 0; i < ra; i++) addDetail(a.shape[i]);
    return ERR;
  }
  const flat = ra == 2 && rb == 2;
  // A whose rows all share one row (isRowBroadcast: a batchJacobian seed): every row of C is that row times B, so
  // the product is computed as one row and C is its row broadcast [M, N]. Its bits are the row's in the full
  // product (a row's sum does not depend on the other rows: the kernels' "few rows = the same rows of a larger
  // product", tested in matmul tests). The seed batch's e_i W1 ([10,000, 28] each) became one row of 28.
  const oneRow = flat && !ta && M > 1 && isRowBroadcast(a);
  const ba = flat ? EMPTY : a.shape.slice<StaticArray<i32>>(0, ra - 2), bb = flat ? EMPTY : b.shape.slice<StaticArray<i32>>(0, rb - 2);
  const batch = flat ? EMPTY : broadcastShapes(Op.MatMul, ba, bb);
  if (batch == null) return ERR;
  const br = batch.length;
  let shape: StaticArray<i32>;
  if (br == 0) shape = shape2(oneRow ? 1 : M, N);
  else {
    shape = new StaticArray<i32>(br + 2);
    for (let i = 0; i < br; i++) shape[i] = batch[i];
    shape[br] = M; shape[br + 1] = N;
  }
  const y = outTensor(shape, a.dtype);
  if (y === ERR) return ERR;
  let pa: Tensor, ka: bool;
  if (oneRow) { retain(a); pa = a; ka = false; } else { pa = operand(a); ka = ta != swapped; }
  const pb = operand(b); const kb = tb != swapped;
  if (pa !== ERR && pb !== ERR) {
    if (flat) {
      if (!kernel(f64, pa.ptr, pb.ptr, y.ptr, oneRow ? 1 : M, K, N, ka, kb)) failOutOfMemory(Op.MatMul, packRequested());
    } else {
      const nb = sizeOf(batch);
      const sA = M * K, sB = K * N, sC = M * N;
      // batch strides (in matrices) of each operand, 0 on broadcast axes
      const stA = stdStrides(ba), stB = stdStrides(bb);
      for (let t = 0; t < nb && !failed(); t++) {
        let rem = t, ia = 0, ib = 0;
        for (let d = br - 1; d >= 0; d--) {
          const i = rem % batch[d]; rem = rem / batch[d];
          const da = d - (br - ba.length), db = d - (br - bb.length);
          if (da >= 0 && ba[da] != 1) ia += i * stA[da];
          if (db >= 0 && bb[db] != 1) ib += i * stB[db];
        }
        if (!kernel(f64, pa.ptr + (<usize>(ia * sA) << sh), pb.ptr + (<usize>(ib * sB) << sh), y.ptr + (<usize>(t * sC) << sh), M, K, N, ka, kb)) {
          failOutOfMemory(Op.MatMul, packRequested());
        }
      }
    }
  }
  release(pa); release(pb);
  if (failed()) { if (y !== ERR) release(y); return ERR; }
  let c = y;
  if (oneRow) { c = newView(y, shape2(M, N), shape2(0, 1), 0); release(y); }
  if (anyRecording()) { const ab = arr2(a, b); record(Op.MatMul, ab, c, ab, FLAGS[(ta ? 2 : 0) + (tb ? 1 : 0)], NO_F); }
  return c;
}

// the recorded parameters: [transposeA, transposeB] as 0/1
// (ip is one of the FLAGS arrays, two elements: unchecked reads, each checked read being a call)
@inline function transposeA(ip: StaticArray<i32>): bool { return unchecked(ip[0]) != 0; }
@inline function transposeB(ip: StaticArray<i32>): bool { return unchecked(ip[1]) != 0; }

function matMulBackward(n: Node, g: Tensor): void {
  const a = n.savedAt(0), b = n.savedAt(1);
  const ta = transposeA(n.ip), tb = transposeB(n.ip);
  if (n.needs(0)) {
    const da = !ta ? matMul(g, b, false, !tb) : (!tb ? matMul(b, g, false, true) : matMul(b, g, true, true));
    n.grad(0, unbroadcast(da, n.inShape(0)));
  }
  if (n.needs(1)) {
    const db = !tb ? (!ta ? matMul(a, g, true, false) : matMul(a, g, false, false)) : (!ta ? matMul(g, a, true, false) : matMul(g, a, true, true));
    n.grad(1, unbroadcast(db, n.inShape(1)));
  }
}

function replayMatMul(op: i32, x: StaticArray<Tensor>, ip: StaticArray<i32>, fp: StaticArray<f64>, dtype: i32, outShape: StaticArray<i32>): Tensor { return matMul(x[0], x[1], transposeA(ip), transposeB(ip)); }
def(Op.MatMul).replays(replayMatMul).backwards(matMulBackward);
