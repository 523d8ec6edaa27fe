// C[M,N] = op(A) op(B), C row-major and contiguous (overwritten). Either operand may be stored transposed, so the
// backward products (G B^T, A^T G) never materialise a transpose:
//   A element (i, k) at a + 4 (i sai + k sak): (sai, sak) = (K, 1) when A is [M,K], (1, M) when stored as [K,M];
//   B element (k, j) at b + 4 (k sbk + j sbj): (sbk, sbj) = (N, 1) when B is [K,N], (1, K) when stored as [N,K].
//
// Goto-style blocking. K is cut in blocks of KC; for each block, B's rows are packed into panels of KC x 8 floats
// (the transposed layout and the column tail, zero-padded, are handled there, at O(K N) cost), then a 4x8
// register tile (8 f32x4 accumulators, one multiply-add per accumulator per k: madd.ts, fused in core-relaxed.wasm)
// runs over each panel for every 4 rows of A, broadcasting A's values straight from memory (v128.load32_splat): A
// is never copied. Row tails use
// 1x8 tiles and a last panel of at most 4 columns 4x4 tiles; rows are visited in blocks of MC so that a block of
// A stays in cache across the panels.
// Every C element is summed in k order within a K block, in float32, and the blocks are added in order: the
// result does not depend on where the element falls in the tiling.
// N == 1 (a matrix-vector product: the output layer of a network and its backward) has its own loops, so that
// 7 of 8 panel columns are not padding; with A stored [M,K] each dot product is summed in 4 lanes, then pairwise.
import { alloc, free } from "../memory";
import { matmulRowsPar, matmulAllKPar, splitsAllK } from "./parallel";
import { madd } from "./madd";

const KC: i32 = 256;
const MC: i32 = 128;

// The packing space: grown on demand from the tensor allocator, kept between calls (0 = none yet).
let pack: usize = 0;
let packBytes: usize = 0;
function packSpace(want: u64): usize {
  if (want > (<u64>1 << 31)) return 0; // too large for one block (and a 32-bit byte count would wrap)
  const bytes = <usize>want;
  if (bytes <= packBytes) return pack;
  if (pack != 0) free(pack, packBytes);
  pack = alloc(bytes);
  packBytes = pack != 0 ? bytes : 0;
  return pack;
}

/** dst <- B[k0 .. k0+kc, j0 .. j0+nv] as kc rows of 8 floats (columns nv..7 zero). */
@inline function packPanel(b: usize, sbk: usize, sbj: usize, k0: i32, kc: i32, j0: i32, nv: i32, dst: usize): void {
  let s = b + ((<usize>k0 * sbk + <usize>j0 * sbj) << 2);
  const dk = sbk << 2;
  if (sbj == 1 && nv == 8) {
    for (let k = 0; k < kc; k++) { v128.store(dst, v128.load(s)); v128.store(dst + 16, v128.load(s + 16)); s += dk; dst += 32; }
  } else {
    const dj = sbj << 2;
    for (let k = 0; k < kc; k++) {
      v128.store(dst, f32x4.splat(0)); v128.store(dst + 16, f32x4.splat(0));
      let p = s;
      for (let j = 0; j < nv; j++) { store<f32>(dst + (<usize>j << 2), load<f32>(p)); p += dj; }
      s += dk; dst += 32;
    }
  }
}

/**
 * K blocks [blk0, blk1) of B (kc deep each, the last one shorter) packed as blocked() lays out B packed whole:
 * block k0 at pb + 32 panels k0, panel p of it at + 32 p kc. (No scratch or globals: worker threads run this.)
 */
export function packBlocks(b: usize, sbk: usize, sbj: usize, K: i32, kcMax: i32, N: i32, pb: usize, blk0: i32, blk1: i32): void {
  const panels = (N + 7) >> 3;
  for (let k0 = blk0 * kcMax; k0 < K && k0 < blk1 * kcMax; k0 += kcMax) {
    const kc = min(kcMax, K - k0), blk = pb + (<usize>panels * <usize>k0 << 5);
    for (let p = 0; p < panels; p++) packPanel(b, sbk, sbj, k0, kc, p << 3, min(8, N - (p << 3)), blk + (<usize>p * <usize>kc << 5));
  }
}

/** Stores (or adds) the first nv of the 8 values (x, y) to c. (No scratch memory: worker threads run this too.) */
@inline function storeRow(c: usize, x: v128, y: v128, nv: i32, add: bool): void {
  if (nv >= 4) {
    if (add) x = f32x4.add(x, v128.load(c));
    v128.store(c, x);
    if (nv == 8) {
      if (add) y = f32x4.add(y, v128.load(c + 16));
      v128.store(c + 16, y);
    } else if (nv > 4) lanes(c + 16, y, nv - 4, add);
  } else lanes(c, x, nv, add);
}
/** The first n (< 4) lanes of x to c, touching nothing past them. */
@inline function lanes(c: usize, x: v128, n: i32, add: bool): void {
  if (n > 0) put(c, f32x4.extract_lane(x, 0), add);
  if (n > 1) put(c + 4, f32x4.extract_lane(x, 1), add);
  if (n > 2) put(c + 8, f32x4.extract_lane(x, 2), add);
}
@inline function put(p: usize, v: f32, add: bool): void { store<f32>(p, add ? load<f32>(p) + v : v); }

/** 4 rows x 8 columns over kc: A at a (row i, column k0) with byte strides sai4/sak4, B panel at bp. */
@inline function tile4x8(a: usize, sai4: usize, sak4: usize, bp: usize, kc: i32, c: usize, ldc4: usize, nv: i32, add: bool): void {
  let x0 = f32x4.splat(0), y0 = f32x4.splat(0), x1 = f32x4.splat(0), y1 = f32x4.splat(0);
  let x2 = f32x4.splat(0), y2 = f32x4.splat(0), x3 = f32x4.splat(0), y3 = f32x4.splat(0);
  const s2 = sai4 << 1, s3 = s2 + sai4;
  let ap = a;
  for (let k = 0; k < kc; k++) {
    const bl = v128.load(bp), bh = v128.load(bp + 16);
    const v0 = v128.load32_splat(ap), v1 = v128.load32_splat(ap + sai4);
    x0 = madd(v0, bl, x0); y0 = madd(v0, bh, y0);
    x1 = madd(v1, bl, x1); y1 = madd(v1, bh, y1);
    const v2 = v128.load32_splat(ap + s2), v3 = v128.load32_splat(ap + s3);
    x2 = madd(v2, bl, x2); y2 = madd(v2, bh, y2);
    x3 = madd(v3, bl, x3); y3 = madd(v3, bh, y3);
    ap += sak4; bp += 32;
  }
  storeRow(c, x0, y0, nv, add); c += ldc4;
  storeRow(c, x1, y1, nv, add); c += ldc4;
  storeRow(c, x2, y2, nv, add); c += ldc4;
  storeRow(c, x3, y3, nv, add);
}

/** 4 rows x 4 columns over kc: the last panel when it has at most 4 columns (its upper half is padding). */
@inline function tile4x4(a: usize, sai4: usize, sak4: usize, bp: usize, kc: i32, c: usize, ldc4: usize, nv: i32, add: bool): void {
  let x0 = f32x4.splat(0), x1 = f32x4.splat(0), x2 = f32x4.splat(0), x3 = f32x4.splat(0);
  const s2 = sai4 << 1, s3 = s2 + sai4;
  let ap = a;
  for (let k = 0; k < kc; k++) {
    const bl = v128.load(bp);
    x0 = madd(v128.load32_splat(ap), bl, x0);
    x1 = madd(v128.load32_splat(ap + sai4), bl, x1);
    x2 = madd(v128.load32_splat(ap + s2), bl, x2);
    x3 = madd(v128.load32_splat(ap + s3), bl, x3);
    ap += sak4; bp += 32;
  }
  const z = f32x4.splat(0);
  storeRow(c, x0, z, nv, add); c += ldc4;
  storeRow(c, x1, z, nv, add); c += ldc4;
  storeRow(c, x2, z, nv, add); c += ldc4;
  storeRow(c, x3, z, nv, add);
}

/** 1 row x 8 columns over kc (the row tail; same summation order as tile4x8). */
@inline function tile1x8(a: usize, sak4: usize, bp: usize, kc: i32, c: usize, nv: i32, add: bool): void {
  let x = f32x4.splat(0), y = f32x4.splat(0);
  let ap = a;
  for (let k = 0; k < kc; k++) {
    const v = v128.load32_splat(ap);
    x = madd(v, v128.load(bp), x); y = madd(v, v128.load(bp + 16), y);
    ap += sak4; bp += 32;
  }
  storeRow(c, x, y, nv, add);
}

/** Rows [r0, r1) of C for one K block (kc deep): A from ak (row 0 at column k0), B packed in panels at pb. */
@inline function rowsOf(ak: usize, sai4: usize, sak4: usize, pb: usize, kc: i32, c: usize, N: i32, r0: i32, r1: i32, add: bool): void {
  const ldc4 = <usize>N << 2;
  const panels = (N + 7) >> 3;
  for (let i0 = r0; i0 < r1; i0 += MC) {
    const i1 = min(r1, i0 + MC);
    for (let p = 0; p < panels; p++) {
      const bp = pb + (<usize>p * <usize>kc << 5);
      const nv = min(8, N - (p << 3));
      const cj = c + (<usize>(p << 3) << 2);
      let i = i0;
      if (nv > 4) for (; i + 4 <= i1; i += 4) tile4x8(ak + <usize>i * sai4, sai4, sak4, bp, kc, cj + <usize>i * ldc4, ldc4, nv, add);
      else for (; i + 4 <= i1; i += 4) tile4x4(ak + <usize>i * sai4, sai4, sak4, bp, kc, cj + <usize>i * ldc4, ldc4, nv, add);
      for (; i < i1; i++) tile1x8(ak + <usize>i * sai4, sak4, bp, kc, cj + <usize>i * ldc4, nv, add);
    }
  }
}
/** rowsOf for A stored [M,K] (sai4 = 4K bytes, consecutive k 4 bytes apart). */
export function matmulRowsN(ak: usize, sai4: usize, pb: usize, kc: i32, c: usize, N: i32, r0: i32, r1: i32, add: bool): void {
  rowsOf(ak, sai4, 4, pb, kc, c, N, r0, r1, add);
}
/** rowsOf for A stored [K,M] (rows 4 bytes apart, sak4 = 4M bytes). */
export function matmulRowsT(ak: usize, sak4: usize, pb: usize, kc: i32, c: usize, N: i32, r0: i32, r1: i32, add: bool): void {
  rowsOf(ak, 4, sak4, pb, kc, c, N, r0, r1, add);
}

/** The K-block loop: pack B's block, then every row of C (split across threads when it pays: parallel.ts). */
function blocked(a: usize, ta: bool, b: usize, sbk: usize, sbj: usize, c: usize, M: i32, K: i32, N: i32): bool {
  const sak: usize = ta ? <usize>M : 1, s4 = ta ? <usize>M << 2 : <usize>K << 2;
  const panels = (N + 7) >> 3;
  if (K > KC && splitsAllK(M, N, K, KC)) {
    // Few rows, long K (a dense layer's weight gradient H^T G: M and N are layer widths, K the points): one K block
    // is too little work to split, so the K blocks are: each task packs its blocks of B and writes each block's
    // product to its own slot of M N floats; the slots are then added into C in block order, C = P0, C = P1 + C,
    // ..., exactly the additions the loop below makes (storeRow with add): the same bits.
    const blocks = (K + KC - 1) / KC, cn = <usize>M * <usize>N << 2;
    const pb = packSpace((<u64>panels * <u64>K << 5) + <u64>blocks * <u64>cn);
    if (pb == 0) return false;
    const parts = pb + (<usize>panels * <usize>K << 5);
    matmulAllKPar(ta, a, sak, s4, b, <i32>sbk, <i32>sbj, pb, parts, K, KC, M, N);
    memory.copy(c, parts, cn);
    const n = M * N, n4 = n & ~3;
    for (let k = 1; k < blocks; k++) {
      const p = parts + <usize>k * cn;
      let i = 0;
      for (; i < n4; i += 4) v128.store(c + (<usize>i << 2), f32x4.add(v128.load(p + (<usize>i << 2)), v128.load(c + (<usize>i << 2))));
      for (; i < n; i++) store<f32>(c + (<usize>i << 2), load<f32>(p + (<usize>i << 2)) + load<f32>(c + (<usize>i << 2)));
    }
    return true;
  }
  for (let k0 = 0; k0 < K; k0 += KC) {
    const kc = min(KC, K - k0);
    const pb = packSpace(<u64>panels * <u64>kc << 5);
    if (pb == 0) return false;
    for (let p = 0; p < panels; p++) packPanel(b, sbk, sbj, k0, kc, p << 3, min(8, N - (p << 3)), pb + (<usize>p * <usize>kc << 5));
    matmulRowsPar(ta, a + (<usize>k0 * sak << 2), s4, pb, kc, c, M, N, k0 > 0);
  }
  return true;
}

/**
 * At most 4 rows and one K block (the products of one point's network and its derivatives): B read in place,
 * without packing it into panels, which for so few rows cost as much as the product. Each C element is summed as
 * blocked() sums it (from 0, in k order, one madd per k in its lane of an f32x4, columns past N zero), so the bits
 * are the same as the packed path's.
 */
function fewRows(a: usize, sai4: usize, sak4: usize, b: usize, sbk: usize, sbj: usize, c: usize, M: i32, K: i32, N: i32): void {
  const dk = sbk << 2, dj = sbj << 2;
  for (let i = 0; i < M; i++) {
    const ar = a + <usize>i * sai4, cr = c + (<usize>(i * N) << 2);
    for (let j = 0; j < N; j += 4) {
      const nv = min(4, N - j);
      let acc = f32x4.splat(0);
      let ap = ar, bp = b + (<usize>j * dj);
      if (sbj == 1 && nv == 4) {
        for (let k = 0; k < K; k++) { acc = madd(v128.load32_splat(ap), v128.load(bp), acc); ap += sak4; bp += dk; }
      } else {
        for (let k = 0; k < K; k++) {
          let bv = f32x4.splat(0);
          bv = f32x4.replace_lane(bv, 0, load<f32>(bp));
          if (nv > 1) bv = f32x4.replace_lane(bv, 1, load<f32>(bp + dj));
          if (nv > 2) bv = f32x4.replace_lane(bv, 2, load<f32>(bp + 2 * dj));
          if (nv > 3) bv = f32x4.replace_lane(bv, 3, load<f32>(bp + 3 * dj));
          acc = madd(v128.load32_splat(ap), bv, acc);
          ap += sak4; bp += dk;
        }
      }
      if (nv == 4) v128.store(cr + (<usize>j << 2), acc);
      else lanes(cr + (<usize>j << 2), acc, nv, false);
    }
  }
}

/** N == 1, A stored [M,K]: one dot product per row, f32x4 over k (lane partial sums, then pairwise). */
function matvecRows(a: usize, b: usize, c: usize, M: i32, K: i32): void {
  const lda = <usize>K << 2;
  const k4 = K & ~3;
  for (let i = 0; i < M; i++) {
    const ar = a + <usize>i * lda;
    let acc = f32x4.splat(0);
    let k = 0;
    for (; k < k4; k += 4) acc = madd(v128.load(ar + (<usize>k << 2)), v128.load(b + (<usize>k << 2)), acc);
    let s = (f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1)) + (f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3));
    for (; k < K; k++) s += load<f32>(ar + (<usize>k << 2)) * load<f32>(b + (<usize>k << 2));
    store<f32>(c + (<usize>i << 2), s);
  }
}

/** N == 1, A stored [K,M]: c[0..M) = sum_k b[k] A[k, 0..M), f32x4 over i, in k order. */
function matvecCols(a: usize, b: usize, c: usize, M: i32, K: i32): void {
  const lda = <usize>M << 2;
  let i = 0;
  for (; i + 8 <= M; i += 8) {
    let x = f32x4.splat(0), y = f32x4.splat(0);
    let ap = a + (<usize>i << 2);
    for (let k = 0; k < K; k++) {
      const v = v128.load32_splat(b + (<usize>k << 2));
      x = madd(v, v128.load(ap), x); y = madd(v, v128.load(ap + 16), y);
      ap += lda;
    }
    v128.store(c + (<usize>i << 2), x); v128.store(c + (<usize>i << 2) + 16, y);
  }
  for (; i < M; i++) {
    let s: f32 = 0;
    let ap = a + (<usize>i << 2);
    for (let k = 0; k < K; k++) { s += load<f32>(b + (<usize>k << 2)) * load<f32>(ap); ap += lda; }
    store<f32>(c + (<usize>i << 2), s);
  }
}

/**
 * C[M,N] = op(A) op(B) with op(A) = A^T when ta (A stored [K,M]) and op(B) = B^T when tb (B stored [N,K]).
 * Returns false only when the packing space cannot be allocated (C is then incomplete).
 */
export function matmulKernel(a: usize, b: usize, c: usize, M: i32, K: i32, N: i32, ta: bool, tb: bool): bool {
  if (M == 0 || N == 0) return true;
  if (K == 0) { memory.fill(c, 0, <usize>M * <usize>N << 2); return true; }
  if (N == 1) {
    // b is K contiguous floats in either layout of a [K,1] matrix
    if (!ta) matvecRows(a, b, c, M, K); else matvecCols(a, b, c, M, K);
    return true;
  }
  const sbk: usize = tb ? 1 : <usize>N, sbj: usize = tb ? <usize>K : 1;
  if (M <= 4 && K <= KC) { fewRows(a, ta ? 4 : <usize>K << 2, ta ? <usize>M << 2 : 4, b, sbk, sbj, c, M, K, N); return true; }
  return blocked(a, ta, b, sbk, sbj, c, M, K, N);
}
