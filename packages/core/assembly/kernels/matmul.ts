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
// N == 1 with A stored [K,M] (the backward of a network's output layer) has its own loops, so that 7 of 8 panel
// columns are not padding; N = 1, 2, 4 with A stored [M,K] have theirs in matmul-narrow.ts.
import { packSpace } from "./pack-space";
import { Task, threadCount, jobArgs, parallelFor, tasks, MIN_MACS, MIN_ELEMENTS, PER_THREAD } from "./parallel";
import { packPanel, packBlocks, lanes, matmulRowsN, matmulRowsT } from "./matmul-tiles";
import { madd } from "./madd";
import { matmulNarrow } from "./matmul-narrow";
import { matmulShallow } from "./matmul-shallow";

const KC: i32 = 256;

// ---- the two thread jobs ----

@unmanaged class RowsJob { ta: bool; ak: usize; s4: usize; pb: usize; kc: i32; c: usize; N: i32; M: i32; chunk: i32; add: bool; }

function rowsTask(args: usize, t: i32): void {
  const j = changetype<RowsJob>(args);
  const r0 = t * j.chunk, r1 = min(j.M, r0 + j.chunk);
  if (!j.ta) matmulRowsN(j.ak, j.s4, j.pb, j.kc, j.c, j.N, r0, r1, j.add);
  else matmulRowsT(j.ak, j.s4, j.pb, j.kc, j.c, j.N, r0, r1, j.add);
}

/** One K block of C (rows 0..M) from packed B: row blocks split across threads when large enough. */
function matmulRowsPar(ta: bool, ak: usize, s4: usize, pb: usize, kc: i32, c: usize, M: i32, N: i32, add: bool): void {
  const threads = threadCount();
  // (split by the multiply-adds, or by the elements written when a product has few terms per element: a first
  // layer's [10000, 2] x [2, 28] is 560k multiply-adds but 280k floats to write, a memory-bound pass)
  if (threads == 1 || (<f64>M * <f64>N * <f64>kc < MIN_MACS && M * N < MIN_ELEMENTS) || M < 16) {
    if (!ta) matmulRowsN(ak, s4, pb, kc, c, N, 0, M, add); else matmulRowsT(ak, s4, pb, kc, c, N, 0, M, add);
    return;
  }
  let chunk = (M + threads * PER_THREAD - 1) / (threads * PER_THREAD);
  chunk = max(16, (chunk + 3) & ~3);
  const j = jobArgs<RowsJob>();
  j.ta = ta; j.ak = ak; j.s4 = s4; j.pb = pb; j.kc = kc; j.c = c; j.N = N; j.M = M; j.chunk = chunk; j.add = add;
  parallelFor(<Task>rowsTask, tasks(M, chunk));
}

/**
 * Whether blocked() should split the K blocks across threads: enough work in total, but not in one K block. That
 * is a dense layer's weight gradient H^T G (M, N = widths of 20, K = 10,000 points: 4M multiply-adds, 100k per K
 * block). Splitting C's rows over the whole K loop instead (5 tasks of 4 rows, B packed first on one thread) read
 * A and B once per task and took 175-210 us on 2 threads against 234 us on one (min of 600, /tmp/threads2/micro.mjs).
 */
function splitsAllK(M: i32, N: i32, K: i32, kc: i32): bool {
  // the per-block partials take M N 4 bytes per K block (64 kB per 10,000 points for 20 x 20): at most 16 MB
  return threadCount() > 1 && M >= 8 && <f64>M * <f64>N * <f64>K >= MIN_MACS && <f64>M * <f64>N * <f64>kc < MIN_MACS &&
    <f64>M * <f64>N * 4 * Math.ceil(<f64>K / <f64>kc) <= <f64>(16 << 20);
}

@unmanaged class AllKJob {
  ta: bool; a: usize; sak: usize; s4: usize; b: usize; sbk: i32; sbj: i32; pb: usize; parts: usize; K: i32; kc: i32; M: i32; N: i32; per: i32;
}

// K blocks [blk0, blk1): pack each (into its own part of the pack space), then the block's whole product to slot
// blk of the partials; blocked() adds the slots in order
function allKTask(args: usize, t: i32): void {
  const j = changetype<AllKJob>(args);
  const K = j.K, kc = j.kc, M = j.M, N = j.N, per = j.per;
  const panels = <usize>((N + 7) >> 3), cn = <usize>M * <usize>N << 2;
  for (let blk = t * per; blk < t * per + per; blk++) {
    const k0 = blk * kc;
    if (k0 >= K) break;
    const kb = min(kc, K - k0), ak = j.a + (<usize>k0 * j.sak << 2), bp = j.pb + (panels * <usize>k0 << 5), out = j.parts + <usize>blk * cn;
    packBlocks(j.b, <usize>j.sbk, <usize>j.sbj, K, kc, N, j.pb, blk, blk + 1);
    if (!j.ta) matmulRowsN(ak, j.s4, bp, kb, out, N, 0, M, false);
    else matmulRowsT(ak, j.s4, bp, kb, out, N, 0, M, false);
  }
}

/** The K blocks of C[M,N] = op(A) B, a few per task, into per-block partial products (see blocked()). */
function matmulAllKPar(ta: bool, a: usize, sak: usize, s4: usize, b: usize, sbk: i32, sbj: i32, pb: usize, parts: usize, K: i32, kc: i32, M: i32, N: i32): void {
  const threads = threadCount();
  const blocks = (K + kc - 1) / kc;
  const per = max(1, (blocks + threads * PER_THREAD - 1) / (threads * PER_THREAD));
  const j = jobArgs<AllKJob>();
  j.ta = ta; j.a = a; j.sak = sak; j.s4 = s4; j.b = b; j.sbk = sbk; j.sbj = sbj; j.pb = pb; j.parts = parts;
  j.K = K; j.kc = kc; j.M = M; j.N = N; j.per = per;
  parallelFor(<Task>allKTask, tasks(blocks, per));
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
  // N = 1, 2, 4 with A stored [M,K]: matmul-narrow.ts (for every M, so that a row's bits do not depend on how many
  // rows the product has)
  if (!ta && (N == 1 || N == 2 || N == 4)) return matmulNarrow(a, b, c, M, K, N, tb);
  if (N == 1) { matvecCols(a, b, c, M, K); return true; } // (b is K contiguous floats in either layout of [K,1])
  const sbk: usize = tb ? 1 : <usize>N, sbj: usize = tb ? <usize>K : 1;
  if (!ta && K <= 2 && M > 4) { matmulShallow(a, b, sbk, sbj, c, M, K, N); return true; }
  if (M <= 4 && K <= KC) { fewRows(a, ta ? 4 : <usize>K << 2, ta ? <usize>M << 2 : 4, b, sbk, sbj, c, M, K, N); return true; }
  return blocked(a, ta, b, sbk, sbj, c, M, K, N);
}
