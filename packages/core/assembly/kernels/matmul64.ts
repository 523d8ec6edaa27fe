// C[M,N] = op(A) op(B) in float64 (kernels/matmul.ts for float32, whose layout conventions it shares: A element
// (i, k) at a + 8 (i sai + k sak), B element (k, j) at b + 8 (k sbk + j sbj), either operand stored transposed).
// K is cut in blocks of KC; each block of B is packed into panels of kc x 4 doubles (transposed layouts and the
// column tail, zero-padded, handled there), then a 4x4 register tile (8 f64x2 accumulators, one multiply-add each
// per k: madd64, fused in core-relaxed.wasm) runs over each panel for every 4 rows of A, broadcasting A's values
// from memory (v128.load64_splat). Row tails use 1x4 tiles. Rows are split across threads for large products.
// Every C element is summed in k order within a K block and the blocks are added in order, so the result does not
// depend on the tiling or the thread count. N == 1 has its own loops (a matrix-vector product).
import { packSpace } from "./pack-space";
import { Task, threadCount, jobArgs, parallelFor, tasks, MIN_MACS, PER_THREAD } from "./parallel";
import { madd64 } from "./madd";

const KC: i32 = 256;


/** dst <- B[k0 .. k0+kc, j0 .. j0+nv] as kc rows of 4 doubles (columns nv..3 zero). */
function packPanel64(b: usize, sbk: usize, sbj: usize, k0: i32, kc: i32, j0: i32, nv: i32, dst: usize): void {
  let s = b + ((<usize>k0 * sbk + <usize>j0 * sbj) << 3);
  const dk = sbk << 3;
  if (sbj == 1 && nv == 4) {
    for (let k = 0; k < kc; k++) { v128.store(dst, v128.load(s)); v128.store(dst + 16, v128.load(s + 16)); s += dk; dst += 32; }
  } else {
    const dj = sbj << 3;
    for (let k = 0; k < kc; k++) {
      v128.store(dst, f64x2.splat(0)); v128.store(dst + 16, f64x2.splat(0));
      let p = s;
      for (let j = 0; j < nv; j++) { store<f64>(dst + (<usize>j << 3), load<f64>(p)); p += dj; }
      s += dk; dst += 32;
    }
  }
}

/** Stores (or adds) the first nv (1..4) of the 4 values (x, y) to c. */
@inline function storeRow64(c: usize, x: v128, y: v128, nv: i32, add: bool): void {
  if (nv >= 2) {
    v128.store(c, add ? f64x2.add(x, v128.load(c)) : x);
    if (nv == 4) v128.store(c + 16, add ? f64x2.add(y, v128.load(c + 16)) : y);
    else if (nv == 3) store<f64>(c + 16, add ? load<f64>(c + 16) + f64x2.extract_lane(y, 0) : f64x2.extract_lane(y, 0));
  } else store<f64>(c, add ? load<f64>(c) + f64x2.extract_lane(x, 0) : f64x2.extract_lane(x, 0));
}

/** 4 rows x 4 columns over kc: A at a with byte strides sai8/sak8, B panel at bp. */
@inline function tile4x4(a: usize, sai8: usize, sak8: usize, bp: usize, kc: i32, c: usize, ldc8: usize, nv: i32, add: bool): void {
  let x0 = f64x2.splat(0), y0 = f64x2.splat(0), x1 = f64x2.splat(0), y1 = f64x2.splat(0);
  let x2 = f64x2.splat(0), y2 = f64x2.splat(0), x3 = f64x2.splat(0), y3 = f64x2.splat(0);
  const s2 = sai8 << 1, s3 = s2 + sai8;
  let ap = a;
  for (let k = 0; k < kc; k++) {
    const bl = v128.load(bp), bh = v128.load(bp + 16);
    const v0 = v128.load64_splat(ap), v1 = v128.load64_splat(ap + sai8);
    x0 = madd64(v0, bl, x0); y0 = madd64(v0, bh, y0);
    x1 = madd64(v1, bl, x1); y1 = madd64(v1, bh, y1);
    const v2 = v128.load64_splat(ap + s2), v3 = v128.load64_splat(ap + s3);
    x2 = madd64(v2, bl, x2); y2 = madd64(v2, bh, y2);
    x3 = madd64(v3, bl, x3); y3 = madd64(v3, bh, y3);
    ap += sak8; bp += 32;
  }
  storeRow64(c, x0, y0, nv, add); c += ldc8;
  storeRow64(c, x1, y1, nv, add); c += ldc8;
  storeRow64(c, x2, y2, nv, add); c += ldc8;
  storeRow64(c, x3, y3, nv, add);
}

/** 1 row x 4 columns over kc (the row tail; the same summation order as tile4x4). */
@inline function tile1x4(a: usize, sak8: usize, bp: usize, kc: i32, c: usize, nv: i32, add: bool): void {
  let x = f64x2.splat(0), y = f64x2.splat(0);
  let ap = a;
  for (let k = 0; k < kc; k++) {
    const v = v128.load64_splat(ap);
    x = madd64(v, v128.load(bp), x); y = madd64(v, v128.load(bp + 16), y);
    ap += sak8; bp += 32;
  }
  storeRow64(c, x, y, nv, add);
}

/** Rows [r0, r1) of C for one K block: A from ak (row 0 at column k0), B packed in panels at pb. */
function rows64(ak: usize, sai8: usize, sak8: usize, pb: usize, kc: i32, c: usize, N: i32, r0: i32, r1: i32, add: bool): void {
  const ldc8 = <usize>N << 3;
  const panels = (N + 3) >> 2;
  for (let i0 = r0; i0 < r1; i0 += 64) {
    const i1 = min(r1, i0 + 64);
    for (let p = 0; p < panels; p++) {
      const bp = pb + (<usize>p * <usize>kc << 5);
      const nv = min(4, N - (p << 2));
      const cj = c + (<usize>(p << 2) << 3);
      let i = i0;
      for (; i + 4 <= i1; i += 4) tile4x4(ak + <usize>i * sai8, sai8, sak8, bp, kc, cj + <usize>i * ldc8, ldc8, nv, add);
      for (; i < i1; i++) tile1x4(ak + <usize>i * sai8, sak8, bp, kc, cj + <usize>i * ldc8, nv, add);
    }
  }
}

@unmanaged class RowsJob64 { ak: usize; sai8: usize; sak8: usize; pb: usize; c: usize; kc: i32; N: i32; M: i32; chunk: i32; add: bool; }

function rowsTask64(args: usize, t: i32): void {
  const j = changetype<RowsJob64>(args);
  const r0 = t * j.chunk;
  rows64(j.ak, j.sai8, j.sak8, j.pb, j.kc, j.c, j.N, r0, min(j.M, r0 + j.chunk), j.add);
}

/** N == 1: c[i] = sum_k A(i, k) b[k], summed in k order. */
function matvec64(a: usize, sai8: usize, sak8: usize, b: usize, c: usize, M: i32, K: i32): void {
  for (let i = 0; i < M; i++) {
    let s: f64 = 0;
    let ap = a + <usize>i * sai8;
    for (let k = 0; k < K; k++) { s += load<f64>(ap) * load<f64>(b + (<usize>k << 3)); ap += sak8; }
    store<f64>(c + (<usize>i << 3), s);
  }
}

/** C[M,N] = op(A) op(B) in float64 (ta: A stored [K,M]; tb: B stored [N,K]); false when packing space is lacking. */
export function matmulKernel64(a: usize, b: usize, c: usize, M: i32, K: i32, N: i32, ta: bool, tb: bool): bool {
  if (M == 0 || N == 0) return true;
  if (K == 0) { memory.fill(c, 0, <usize>M * <usize>N << 3); return true; }
  const sai8: usize = ta ? 8 : <usize>K << 3, sak8: usize = ta ? <usize>M << 3 : 8;
  if (N == 1) { matvec64(a, sai8, sak8, b, c, M, K); return true; }
  const sbk: usize = tb ? 1 : <usize>N, sbj: usize = tb ? <usize>K : 1;
  const panels = (N + 3) >> 2;
  const threads = threadCount();
  for (let k0 = 0; k0 < K; k0 += KC) {
    const kc = min(KC, K - k0);
    const pb = packSpace(<u64>panels * <u64>kc << 5);
    if (pb == 0) return false;
    for (let p = 0; p < panels; p++) packPanel64(b, sbk, sbj, k0, kc, p << 2, min(4, N - (p << 2)), pb + (<usize>p * <usize>kc << 5));
    const ak = a + (<usize>k0 * sak8), add = k0 > 0;
    if (threads == 1 || <f64>M * <f64>N * <f64>kc < MIN_MACS * 0.5 || M < 16) rows64(ak, sai8, sak8, pb, kc, c, N, 0, M, add);
    else {
      let chunk = (M + threads * PER_THREAD - 1) / (threads * PER_THREAD);
      chunk = max(16, (chunk + 3) & ~3);
      const j = jobArgs<RowsJob64>();
      j.ak = ak; j.sai8 = sai8; j.sak8 = sak8; j.pb = pb; j.c = c; j.kc = kc; j.N = N; j.M = M; j.chunk = chunk; j.add = add;
      parallelFor(<Task>rowsTask64, tasks(M, chunk));
    }
  }
  return true;
}
