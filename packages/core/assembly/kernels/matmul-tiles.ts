// The register tiles and packing of the matrix product (matmul.ts drives them): B's rows packed into panels of
// kc x 8 floats, and 4x8, 4x4 and 1x8 tiles of C accumulated over a panel with one multiply-add (madd.ts) per
// accumulator per k, in k order.
import { madd } from "./madd";

const MC: i32 = 128; // rows of A per block, so that a block of A stays in cache across the panels

/** dst <- B[k0 .. k0+kc, j0 .. j0+nv] as kc rows of 8 floats (columns nv..7 zero). */
@inline export function packPanel(b: usize, sbk: usize, sbj: usize, k0: i32, kc: i32, j0: i32, nv: i32, dst: usize): void {
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
@inline export function lanes(c: usize, x: v128, n: i32, add: bool): void {
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

/**
 * 2 rows x 16 columns (two panels, the second nv1 wide) over kc: the row tail, 8 accumulators. One row per panel
 * (tile1x8) had 2 chains of multiply-adds, a quarter of the rate: it is all of a product with 1-3 rows (a first
 * layer's weight gradient, [2, points] x [points, width]).
 */
@inline function tile2x16(a: usize, sai4: usize, sak4: usize, bp: usize, bq: usize, kc: i32, c: usize, ldc4: usize, nv1: i32, add: bool): void {
  let x0 = f32x4.splat(0), y0 = f32x4.splat(0), z0 = f32x4.splat(0), w0 = f32x4.splat(0);
  let x1 = f32x4.splat(0), y1 = f32x4.splat(0), z1 = f32x4.splat(0), w1 = f32x4.splat(0);
  let ap = a;
  for (let k = 0; k < kc; k++) {
    const b0 = v128.load(bp), b1 = v128.load(bp + 16), b2 = v128.load(bq), b3 = v128.load(bq + 16);
    const v0 = v128.load32_splat(ap), v1 = v128.load32_splat(ap + sai4);
    x0 = madd(v0, b0, x0); y0 = madd(v0, b1, y0); z0 = madd(v0, b2, z0); w0 = madd(v0, b3, w0);
    x1 = madd(v1, b0, x1); y1 = madd(v1, b1, y1); z1 = madd(v1, b2, z1); w1 = madd(v1, b3, w1);
    ap += sak4; bp += 32; bq += 32;
  }
  storeRow(c, x0, y0, 8, add); storeRow(c + 32, z0, w0, nv1, add); c += ldc4;
  storeRow(c, x1, y1, 8, add); storeRow(c + 32, z1, w1, nv1, add);
}

/** 1 row x 16 columns (two panels) over kc: the last row of an odd row tail. */
@inline function tile1x16(a: usize, sak4: usize, bp: usize, bq: usize, kc: i32, c: usize, nv1: i32, add: bool): void {
  let x = f32x4.splat(0), y = f32x4.splat(0), z = f32x4.splat(0), w = f32x4.splat(0);
  let ap = a;
  for (let k = 0; k < kc; k++) {
    const v = v128.load32_splat(ap);
    x = madd(v, v128.load(bp), x); y = madd(v, v128.load(bp + 16), y);
    z = madd(v, v128.load(bq), z); w = madd(v, v128.load(bq + 16), w);
    ap += sak4; bp += 32; bq += 32;
  }
  storeRow(c, x, y, 8, add); storeRow(c + 32, z, w, nv1, add);
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
    }
    // the 1-3 rows left (only in the last row block: MC is a multiple of 4), two panels at a time
    const t0 = i0 + ((i1 - i0) & ~3);
    if (t0 < i1) {
      let p = 0;
      for (; p + 1 < panels; p += 2) {
        const bp = pb + (<usize>p * <usize>kc << 5), bq = bp + (<usize>kc << 5);
        const nv1 = min(8, N - (p << 3) - 8), cj = c + (<usize>(p << 3) << 2);
        let i = t0;
        if (i + 2 <= i1) { tile2x16(ak + <usize>i * sai4, sai4, sak4, bp, bq, kc, cj + <usize>i * ldc4, ldc4, nv1, add); i += 2; }
        if (i < i1) tile1x16(ak + <usize>i * sai4, sak4, bp, bq, kc, cj + <usize>i * ldc4, nv1, add);
      }
      if (p < panels) {
        const bp = pb + (<usize>p * <usize>kc << 5), nv = min(8, N - (p << 3)), cj = c + (<usize>(p << 3) << 2);
        for (let i = t0; i < i1; i++) tile1x8(ak + <usize>i * sai4, sak4, bp, kc, cj + <usize>i * ldc4, nv, add);
      }
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
