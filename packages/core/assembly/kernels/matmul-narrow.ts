// C[M,N] = A B or A B^T for N = 1, 2 or 4 with A stored [M,K]: a network's output layer and its backward, and the
// input gradient G W1^T of a network with 1, 2 or 4 inputs. The blocked kernel (matmul.ts, matmul-tiles.ts) pads
// such a B to an 8-wide panel, so that 4 of 8 (or 7 of 8) lanes multiplied zeros: 5-7 GMAC/s, against 13-15 here
// (test/bench figures in the closing note of session 10). Here the dot products run along k, 4 lanes of k at a
// time: 8 accumulators hold 8/N rows x N columns, i.e. 8 consecutive floats of C, so a transposing sum per 4 of them
// leaves C's values in memory order.
// Each element is summed as (lane 0 + lane 1) + (lane 2 + lane 3) of its lane partial sums (lane l: the terms
// k = l mod 4, in k order), then the K mod 4 last terms in k order, with one multiply-add (madd.ts) per term, whether
// the row falls in a group of 8/N rows or in the row tail, and on whichever thread: a row has the same bits in any
// product. Error: that of float32 summation, as on the blocked path.
import { madd } from "./madd";
import { packSpace } from "./pack-space";
import { Task, threadCount, jobArgs, parallelFor, tasks, PER_THREAD } from "./parallel";

/** Rows in a group: 8 accumulators of N columns each. */
@inline function groupRows(N: i32): i32 { return N == 1 ? 8 : N == 2 ? 4 : 2; }

/** (x0 .. x3) summed per accumulator, (lane 0 + lane 1) + (lane 2 + lane 3), as one vector: x0's sum in lane 0. */
@inline function sum4(x0: v128, x1: v128, x2: v128, x3: v128): v128 {
  // pairs (lanes 0,1 and 2,3 of x0 and x1, interleaved), then the two halves of the pairs
  const t0 = f32x4.add(i8x16.shuffle(x0, x1, 0, 1, 2, 3, 16, 17, 18, 19, 8, 9, 10, 11, 24, 25, 26, 27),
    i8x16.shuffle(x0, x1, 4, 5, 6, 7, 20, 21, 22, 23, 12, 13, 14, 15, 28, 29, 30, 31));
  const t1 = f32x4.add(i8x16.shuffle(x2, x3, 0, 1, 2, 3, 16, 17, 18, 19, 8, 9, 10, 11, 24, 25, 26, 27),
    i8x16.shuffle(x2, x3, 4, 5, 6, 7, 20, 21, 22, 23, 12, 13, 14, 15, 28, 29, 30, 31));
  return f32x4.add(i8x16.shuffle(t0, t1, 0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23),
    i8x16.shuffle(t0, t1, 8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31));
}

/**
 * The K mod 4 last terms of 4 consecutive C values of a group (q0 .. q0+3: row q / N, column q % N of the group),
 * added to s in k order. A's rows at a and B^T's at bt, each K floats (ld bytes) long, from column k4.
 */
@inline function tailTerms(s: v128, a: usize, bt: usize, ld: usize, N: i32, q0: i32, k4: i32, K: i32): v128 {
  for (let k = k4; k < K; k++) {
    const o = <usize>k << 2;
    let av = f32x4.splat(0), bv = f32x4.splat(0);
    av = f32x4.replace_lane(av, 0, load<f32>(a + <usize>(q0 / N) * ld + o)); bv = f32x4.replace_lane(bv, 0, load<f32>(bt + <usize>(q0 % N) * ld + o));
    av = f32x4.replace_lane(av, 1, load<f32>(a + <usize>((q0 + 1) / N) * ld + o)); bv = f32x4.replace_lane(bv, 1, load<f32>(bt + <usize>((q0 + 1) % N) * ld + o));
    av = f32x4.replace_lane(av, 2, load<f32>(a + <usize>((q0 + 2) / N) * ld + o)); bv = f32x4.replace_lane(bv, 2, load<f32>(bt + <usize>((q0 + 2) % N) * ld + o));
    av = f32x4.replace_lane(av, 3, load<f32>(a + <usize>((q0 + 3) / N) * ld + o)); bv = f32x4.replace_lane(bv, 3, load<f32>(bt + <usize>((q0 + 3) % N) * ld + o));
    s = madd(av, bv, s);
  }
  return s;
}

/** One group of 8/N rows of C (8 floats at c) from A's rows at a and B^T's N rows at bt (each K floats, ld bytes). */
@inline function group(a: usize, bt: usize, ld: usize, c: usize, K: i32, N: i32): void {
  let x0 = f32x4.splat(0), x1 = f32x4.splat(0), x2 = f32x4.splat(0), x3 = f32x4.splat(0);
  let x4 = f32x4.splat(0), x5 = f32x4.splat(0), x6 = f32x4.splat(0), x7 = f32x4.splat(0);
  const k4 = K & ~3;
  if (N == 1) {
    for (let o: usize = 0; o < (<usize>k4 << 2); o += 16) {
      const b0 = v128.load(bt + o);
      let ap = a + o;
      x0 = madd(v128.load(ap), b0, x0); ap += ld; x1 = madd(v128.load(ap), b0, x1); ap += ld;
      x2 = madd(v128.load(ap), b0, x2); ap += ld; x3 = madd(v128.load(ap), b0, x3); ap += ld;
      x4 = madd(v128.load(ap), b0, x4); ap += ld; x5 = madd(v128.load(ap), b0, x5); ap += ld;
      x6 = madd(v128.load(ap), b0, x6); ap += ld; x7 = madd(v128.load(ap), b0, x7);
    }
  } else if (N == 2) {
    for (let o: usize = 0; o < (<usize>k4 << 2); o += 16) {
      const b0 = v128.load(bt + o), b1 = v128.load(bt + ld + o);
      let ap = a + o;
      let v = v128.load(ap); x0 = madd(v, b0, x0); x1 = madd(v, b1, x1); ap += ld;
      v = v128.load(ap); x2 = madd(v, b0, x2); x3 = madd(v, b1, x3); ap += ld;
      v = v128.load(ap); x4 = madd(v, b0, x4); x5 = madd(v, b1, x5); ap += ld;
      v = v128.load(ap); x6 = madd(v, b0, x6); x7 = madd(v, b1, x7);
    }
  } else {
    for (let o: usize = 0; o < (<usize>k4 << 2); o += 16) {
      const b0 = v128.load(bt + o), b1 = v128.load(bt + ld + o), b2 = v128.load(bt + 2 * ld + o), b3 = v128.load(bt + 3 * ld + o);
      let v = v128.load(a + o);
      x0 = madd(v, b0, x0); x1 = madd(v, b1, x1); x2 = madd(v, b2, x2); x3 = madd(v, b3, x3);
      v = v128.load(a + ld + o);
      x4 = madd(v, b0, x4); x5 = madd(v, b1, x5); x6 = madd(v, b2, x6); x7 = madd(v, b3, x7);
    }
  }
  let lo = sum4(x0, x1, x2, x3), hi = sum4(x4, x5, x6, x7);
  if (k4 < K) { lo = tailTerms(lo, a, bt, ld, N, 0, k4, K); hi = tailTerms(hi, a, bt, ld, N, 4, k4, K); }
  v128.store(c, lo); v128.store(c + 16, hi);
}

/** One C value (row at a, B^T row at b), summed exactly as group() sums each of its values. */
@inline function single(a: usize, b: usize, K: i32): f32 {
  const k4 = K & ~3;
  let x = f32x4.splat(0);
  for (let o: usize = 0; o < (<usize>k4 << 2); o += 16) x = madd(v128.load(a + o), v128.load(b + o), x);
  let s = f32x4.splat((f32x4.extract_lane(x, 0) + f32x4.extract_lane(x, 1)) + (f32x4.extract_lane(x, 2) + f32x4.extract_lane(x, 3)));
  for (let k = k4; k < K; k++) s = madd(f32x4.splat(load<f32>(a + (<usize>k << 2))), f32x4.splat(load<f32>(b + (<usize>k << 2))), s);
  return f32x4.extract_lane(s, 0);
}

/** Rows [r0, r1) of a narrow product (r0 a multiple of the group's rows). */
function narrowRows(a: usize, bt: usize, c: usize, K: i32, N: i32, r0: i32, r1: i32): void {
  const lda = <usize>K << 2, R = groupRows(N);
  let i = r0;
  for (; i + R <= r1; i += R) group(a + <usize>i * lda, bt, lda, c + (<usize>(i * N) << 2), K, N);
  for (; i < r1; i++) {
    for (let j = 0; j < N; j++) store<f32>(c + (<usize>(i * N + j) << 2), single(a + <usize>i * lda, bt + <usize>j * lda, K));
  }
}

@unmanaged class NarrowJob { a: usize; bt: usize; c: usize; K: i32; N: i32; M: i32; chunk: i32; }
function narrowTask(args: usize, t: i32): void {
  const j = changetype<NarrowJob>(args);
  const r0 = t * j.chunk;
  narrowRows(j.a, j.bt, j.c, j.K, j.N, r0, min(j.M, r0 + j.chunk));
}

/**
 * C[M,N] = A B (tb: A B^T) for N = 1, 2, 4, A stored [M,K]: B^T's rows are read in place when tb (and for N = 1,
 * where B is K contiguous floats either way), else copied into the packing space first. False when that cannot be
 * allocated.
 */
export function matmulNarrow(a: usize, b: usize, c: usize, M: i32, K: i32, N: i32, tb: bool): bool {
  let bt = b;
  if (!tb && N > 1) {
    bt = packSpace(<u64>N * <u64>K << 2);
    if (bt == 0) return false;
    for (let k = 0; k < K; k++) for (let j = 0; j < N; j++) store<f32>(bt + (<usize>(j * K + k) << 2), load<f32>(b + (<usize>(k * N + j) << 2)));
  }
  const threads = threadCount(), R = groupRows(N);
  // (split from 256k multiply-adds, 4x lower than the blocked kernel's MIN_MACS: these run at 13-15 GMAC/s, so that
  // is ~20 us of work, and the seed network's input gradient [10000, 28] x [28, 2] is 560k)
  if (threads == 1 || <f64>M * <f64>K * <f64>N < <f64>(1 << 18)) { narrowRows(a, bt, c, K, N, 0, M); return true; }
  let chunk = (M + threads * PER_THREAD - 1) / (threads * PER_THREAD);
  chunk = max(64, (chunk + R - 1) / R * R);
  const j = jobArgs<NarrowJob>();
  j.a = a; j.bt = bt; j.c = c; j.K = K; j.N = N; j.M = M; j.chunk = chunk;
  parallelFor(<Task>narrowTask, tasks(M, chunk));
  return true;
}
