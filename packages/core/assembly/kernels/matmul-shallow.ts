// Products with one or two terms per element (K <= 2, A stored [M, K]): a 2-input network's first layer ([N, 2] x
// [2, w]) and the outer products of its backward passes ([N, 1] x [1, w]: a [N, 1] cotangent times a row of
// weights). They write M N floats and read almost nothing, and the blocked kernel's packing and tiles were the cost:
// 72-78 us for [10,000, 1 or 2] x [.., 28], where filling the same 1.1 MB takes 27 us (one thread, this machine).
// Here row by row, each C element summed as blocked() sums it (from 0, in k order, one madd per k in its lane), so a
// product has the bits it had. Not fewRows (matmul.ts), which reads B in place the same way for any K: its k loop
// and a splat of A per 4 columns took 194-204 us for these shapes, against 56-66 us with K unrolled and A's row
// splatted once (both measured eager, pinned, alternated twice).
import { madd } from "./madd";
import { Task, threadCount, jobArgs, parallelFor, tasks, MIN_ELEMENTS, PER_THREAD } from "./parallel";

/** Rows r0..r1 of C [M, N] = A [M, K] B, K = 1 or 2; B's element (k, j) at b + k sbk4 + j sbj4 (bytes). */
function shallowRows(a: usize, b: usize, sbk4: usize, sbj4: usize, c: usize, K: i32, N: i32, r0: i32, r1: i32): void {
  const zero = f32x4.splat(0);
  for (let i = r0; i < r1; i++) {
    const ar = a + (<usize>(i * K) << 2), cr = c + (<usize>(i * N) << 2);
    const a0 = v128.load32_splat(ar), a1 = K > 1 ? v128.load32_splat(ar + 4) : zero;
    let j = 0;
    if (sbj4 == 4) {
      for (; j + 4 <= N; j += 4) {
        const bp = b + (<usize>j << 2);
        let acc = madd(a0, v128.load(bp), zero);
        if (K > 1) acc = madd(a1, v128.load(bp + sbk4), acc);
        v128.store(cr + (<usize>j << 2), acc);
      }
    }
    // the last columns (and a B read with strided columns): lane 0 of the same madds
    for (; j < N; j++) {
      const bp = b + <usize>j * sbj4;
      let acc = madd(a0, f32x4.splat(load<f32>(bp)), zero);
      if (K > 1) acc = madd(a1, f32x4.splat(load<f32>(bp + sbk4)), acc);
      store<f32>(cr + (<usize>j << 2), f32x4.extract_lane(acc, 0));
    }
  }
}

@unmanaged class ShallowJob { a: usize; b: usize; sbk4: usize; sbj4: usize; c: usize; K: i32; N: i32; M: i32; chunk: i32; }

function shallowTask(args: usize, t: i32): void {
  const j = changetype<ShallowJob>(args);
  const r0 = t * j.chunk;
  shallowRows(j.a, j.b, j.sbk4, j.sbj4, j.c, j.K, j.N, r0, min(j.M, r0 + j.chunk));
}

/** C = A B for K = 1 or 2 (A [M, K] row-major; B's strides sbk, sbj in elements): rows split across threads from
 *  64k elements written, as memory-bound kernels split. */
export function matmulShallow(a: usize, b: usize, sbk: usize, sbj: usize, c: usize, M: i32, K: i32, N: i32): void {
  const threads = threadCount();
  if (threads == 1 || M * N < MIN_ELEMENTS || M < 16) { shallowRows(a, b, sbk << 2, sbj << 2, c, K, N, 0, M); return; }
  let chunk = (M + threads * PER_THREAD - 1) / (threads * PER_THREAD);
  chunk = max(16, (chunk + 3) & ~3);
  const j = jobArgs<ShallowJob>();
  j.a = a; j.b = b; j.sbk4 = sbk << 2; j.sbj4 = sbj << 2; j.c = c; j.K = K; j.N = N; j.M = M; j.chunk = chunk;
  parallelFor(<Task>shallowTask, tasks(M, chunk));
}
