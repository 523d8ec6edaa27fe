// Splitting large kernels across threads. In the threaded build (core-mt.wasm on a shared memory; see
// packages/core/threads.js) worker threads instantiate the same module without running its start function and
// serve runTask calls; the host's parallelFor hands out tasks 0..n-1 to the calling thread and the workers (first
// come, first served) and returns when all are done. With one thread (the default build, or no workers) every
// task runs here in order.
//
// A task only reads its arguments (ARGS, filled by the calling thread) and the memory they point to, and writes
// its own disjoint part of the output: no allocation, no globals, no static scratch, since a worker instance has
// none of the main instance's state. Each output element is computed by exactly the same operations as in the
// single-threaded kernels, so results are identical bit for bit whatever the thread count.
import { unaryKernel, UK } from "./unary";
import { binaryKernel } from "./binary";
import { tanhGradKernel, sigmoidGradKernel, mulMulKernel } from "./fused";
import { matmulRowsN, matmulRowsT, packBlocks } from "./matmul";

// (i32 rather than usize arguments: the generated bindings then pass the host's function through unwrapped)
// @ts-ignore: decorator
@external("env", "parallelFor") declare function hostParallelFor(task: i32, args: i32, n: i32): void;

export enum Task { MatmulRows, Unary, Binary, BinaryRows, TanhGrad, SigmoidGrad, MulMul, MatmulAllK }

let threads: i32 = 1;
/** The number of threads sharing the work (set by the loader after it started the workers). */
export function setThreadCount(n: i32): void { threads = n < 1 ? 1 : n; }
export function threadCount(): i32 { return threads; }

// The arguments of the current job (one job at a time: kernels are not re-entrant).
const ARGS = new StaticArray<i32>(16);

function parallelFor(task: i32, n: i32): void {
  const args = changetype<usize>(ARGS);
  if (threads > 1 && n > 1) hostParallelFor(task, <i32>args, n);
  else for (let t = 0; t < n; t++) runTask(task, args, t);
}

@inline function arg(args: usize, i: i32): i32 { return load<i32>(args + (<usize>i << 2)); }
@inline function argf(args: usize, i: i32): f32 { return reinterpret<f32>(load<i32>(args + (<usize>i << 2))); }
@inline function set(i: i32, v: i32): void { unchecked(ARGS[i] = v); }

/** Runs task t of a job (the entry point of worker threads too). */
export function runTask(task: i32, args: usize, t: i32): void {
  if (task == Task.MatmulRows) {
    const M = arg(args, 7), chunk = arg(args, 8);
    const r0 = t * chunk, r1 = min(M, r0 + chunk);
    const ak = <usize>arg(args, 1), s4 = <usize>arg(args, 2), pb = <usize>arg(args, 3), kc = arg(args, 4);
    const c = <usize>arg(args, 5), N = arg(args, 6), add = arg(args, 9) != 0;
    if (arg(args, 0) == 0) matmulRowsN(ak, s4, pb, kc, c, N, r0, r1, add);
    else matmulRowsT(ak, s4, pb, kc, c, N, r0, r1, add);
    return;
  }
  if (task == Task.MatmulAllK) {
    // K blocks [blk0, blk1): pack each (B at 4, strides at 5, 6; its own part of the pack space at 7), then the
    // block's whole product to slot blk of the partials (8); matmul.ts blocked() adds the slots in order
    const per = arg(args, 13), K = arg(args, 9), kc = arg(args, 10), M = arg(args, 11), N = arg(args, 12);
    const a = <usize>arg(args, 1), sak = <usize>arg(args, 2), s4 = <usize>arg(args, 3);
    const b = <usize>arg(args, 4), sbk = <usize>arg(args, 5), sbj = <usize>arg(args, 6), pb = <usize>arg(args, 7), parts = <usize>arg(args, 8);
    const panels = <usize>((N + 7) >> 3), cn = <usize>M * <usize>N << 2;
    for (let blk = t * per; blk < t * per + per; blk++) {
      const k0 = blk * kc;
      if (k0 >= K) break;
      const kb = min(kc, K - k0), ak = a + (<usize>k0 * sak << 2), bp = pb + (panels * <usize>k0 << 5), out = parts + <usize>blk * cn;
      packBlocks(b, sbk, sbj, K, kc, N, pb, blk, blk + 1);
      if (arg(args, 0) == 0) matmulRowsN(ak, s4, bp, kb, out, N, 0, M, false);
      else matmulRowsT(ak, s4, bp, kb, out, N, 0, M, false);
    }
    return;
  }
  if (task == Task.BinaryRows) {
    const rows = arg(args, 9), chunk = arg(args, 10);
    const inner = arg(args, 4), sa = arg(args, 5), sb = arg(args, 6);
    const oa = <usize>arg(args, 7), ob = <usize>arg(args, 8), oo = <usize>arg(args, 11);
    const k = arg(args, 0);
    let a = <usize>arg(args, 1), b = <usize>arg(args, 2), o = <usize>arg(args, 3);
    const r0 = t * chunk, r1 = min(rows, r0 + chunk);
    a += <usize>r0 * oa << 2; b += <usize>r0 * ob << 2; o += <usize>r0 * oo << 2;
    for (let r = r0; r < r1; r++) {
      binaryKernel(k, a, sa, b, sb, o, inner);
      a += oa << 2; b += ob << 2; o += oo << 2;
    }
    return;
  }
  // the elementwise kinds: [kind args..., n at 6, chunk at 7]
  const n = arg(args, 6), chunk = arg(args, 7);
  const lo = t * chunk, len = min(n, lo + chunk) - lo, off = <usize>lo << 2;
  switch (task) {
    case Task.Unary:
      unaryKernel(arg(args, 0), <usize>arg(args, 1) + off, <usize>arg(args, 2) + off, len, argf(args, 3), argf(args, 4));
      break;
    case Task.Binary: {
      const sa = arg(args, 2), sb = arg(args, 4);
      binaryKernel(arg(args, 0), <usize>arg(args, 1) + (sa != 0 ? off : 0), sa, <usize>arg(args, 3) + (sb != 0 ? off : 0), sb, <usize>arg(args, 5) + off, len);
      break;
    }
    case Task.TanhGrad: tanhGradKernel(<usize>arg(args, 0) + off, <usize>arg(args, 1) + off, <usize>arg(args, 3) + off, len); break;
    case Task.SigmoidGrad: sigmoidGradKernel(<usize>arg(args, 0) + off, <usize>arg(args, 1) + off, <usize>arg(args, 3) + off, len); break;
    case Task.MulMul: mulMulKernel(<usize>arg(args, 0) + off, <usize>arg(args, 1) + off, <usize>arg(args, 2) + off, argf(args, 4), <usize>arg(args, 3) + off, len); break;
    default: break;
  }
}

// Work below these sizes is not split. A job costs the caller a few microseconds when the workers are spinning
// (threads.js: no futex wake then), and tens when they sleep. Add and mul over [10000, 20] (200k floats) take
// 29 us on one thread and 17-20 us split in two (min of 600 calls, 2-core VM; 33 us before the spin rework), so
// memory-bound kernels split from 64k elements. Transcendental unary kernels (exp, log, tanh, sigmoid, sin, cos,
// softplus: 2-5 ns per element) pay off much earlier than add or mul.
const MIN_ELEMENTS: i32 = 1 << 16;
const MIN_TRANSCENDENTAL: i32 = 1 << 15;
const MIN_MACS: f64 = <f64>(1 << 20);

// Tasks per thread in a job (taken first come, first served), so that a late thread finds work left. 8 was no
// faster on the PINN step (2 threads, 4 rounds alternated: 24.1-27.1 ms against 23.0-25.3 ms with 4).
const PER_THREAD: i32 = 4;

/** Tasks for n elements: a few per thread (they are taken first come, first served), multiples of 16. */
function elementChunk(n: i32): i32 {
  const c = (n + threads * PER_THREAD - 1) / (threads * PER_THREAD);
  return max(8192, (c + 15) & ~15);
}
@inline function tasks(n: i32, chunk: i32): i32 { return (n + chunk - 1) / chunk; }

/** One K block of C (rows 0..M) from packed B: row blocks split across threads when large enough. */
export function matmulRowsPar(ta: bool, ak: usize, s4: usize, pb: usize, kc: i32, c: usize, M: i32, N: i32, add: bool): void {
  if (threads == 1 || <f64>M * <f64>N * <f64>kc < MIN_MACS || M < 16) {
    if (!ta) matmulRowsN(ak, s4, pb, kc, c, N, 0, M, add); else matmulRowsT(ak, s4, pb, kc, c, N, 0, M, add);
    return;
  }
  let chunk = (M + threads * PER_THREAD - 1) / (threads * PER_THREAD);
  chunk = max(16, (chunk + 3) & ~3);
  set(0, ta ? 1 : 0); set(1, <i32>ak); set(2, <i32>s4); set(3, <i32>pb); set(4, kc); set(5, <i32>c); set(6, N); set(7, M);
  set(8, chunk); set(9, add ? 1 : 0);
  parallelFor(Task.MatmulRows, tasks(M, chunk));
}

/**
 * Whether blocked() should split the K blocks across threads: enough work in total, but not in one K block. That
 * is a dense layer's weight gradient H^T G (M, N = widths of 20, K = 10,000 points: 4M multiply-adds, 100k per K
 * block). Splitting C's rows over the whole K loop instead (5 tasks of 4 rows, B packed first on one thread) read
 * A and B once per task and took 175-210 us on 2 threads against 234 us on one (min of 600, /tmp/threads2/micro.mjs).
 */
export function splitsAllK(M: i32, N: i32, K: i32, kc: i32): bool {
  // the per-block partials take M N 4 bytes per K block (64 kB per 10,000 points for 20 x 20): at most 16 MB
  return threads > 1 && M >= 8 && <f64>M * <f64>N * <f64>K >= MIN_MACS && <f64>M * <f64>N * <f64>kc < MIN_MACS &&
    <f64>M * <f64>N * 4 * Math.ceil(<f64>K / <f64>kc) <= <f64>(16 << 20);
}

/** The K blocks of C[M,N] = op(A) B, a few per task, into per-block partial products (see matmul.ts blocked()). */
export function matmulAllKPar(ta: bool, a: usize, sak: usize, s4: usize, b: usize, sbk: i32, sbj: i32, pb: usize, parts: usize, K: i32, kc: i32, M: i32, N: i32): void {
  const blocks = (K + kc - 1) / kc;
  const per = max(1, (blocks + threads * PER_THREAD - 1) / (threads * PER_THREAD));
  set(0, ta ? 1 : 0); set(1, <i32>a); set(2, <i32>sak); set(3, <i32>s4); set(4, <i32>b); set(5, sbk); set(6, sbj);
  set(7, <i32>pb); set(8, <i32>parts); set(9, K); set(10, kc); set(11, M); set(12, N); set(13, per);
  parallelFor(Task.MatmulAllK, tasks(blocks, per));
}

export function unaryPar(k: i32, src: usize, dst: usize, n: i32, a: f32, b: f32): void {
  const heavy = k == UK.Exp || k == UK.Log || k == UK.Tanh || k == UK.Sigmoid || k == UK.Sin || k == UK.Cos || k == UK.Softplus;
  const least = heavy ? MIN_TRANSCENDENTAL : MIN_ELEMENTS;
  if (threads == 1 || n < least) { unaryKernel(k, src, dst, n, a, b); return; }
  const chunk = elementChunk(n);
  set(0, k); set(1, <i32>src); set(2, <i32>dst); set(3, reinterpret<i32>(a)); set(4, reinterpret<i32>(b)); set(6, n); set(7, chunk);
  parallelFor(Task.Unary, tasks(n, chunk));
}

/** One run of a binary kernel; sa and sb are 0 (broadcast scalar) or 1. */
export function binaryPar(k: i32, a: usize, sa: i32, b: usize, sb: i32, o: usize, n: i32): void {
  if (threads == 1 || n < MIN_ELEMENTS || (sa != 0 && sa != 1) || (sb != 0 && sb != 1)) { binaryKernel(k, a, sa, b, sb, o, n); return; }
  const chunk = elementChunk(n);
  set(0, k); set(1, <i32>a); set(2, sa); set(3, <i32>b); set(4, sb); set(5, <i32>o); set(6, n); set(7, chunk);
  parallelFor(Task.Binary, tasks(n, chunk));
}

/**
 * rows runs of `inner` elements: run r starts at a + r oa, b + r ob, o + r oo (element strides). Small or on one
 * thread, the rows run here: a direct loop is ~1.7x faster than the general iterator for a bias add
 * ([10000, 20] + [20]: 150 -> 88 us, /tmp/threads2/micro.mjs), with the same kernel calls, so the same bits.
 */
export function binaryRowsPar(k: i32, a: usize, sa: i32, oa: i32, b: usize, sb: i32, ob: i32, o: usize, oo: i32, inner: i32, rows: i32): void {
  if (threads == 1 || <i64>rows * <i64>inner < <i64>MIN_ELEMENTS) {
    for (let r = 0; r < rows; r++) {
      binaryKernel(k, a, sa, b, sb, o, inner);
      a += <usize>oa << 2; b += <usize>ob << 2; o += <usize>oo << 2;
    }
    return;
  }
  let chunk = (rows + threads * PER_THREAD - 1) / (threads * PER_THREAD);
  chunk = max(chunk, (8192 + inner - 1) / inner);
  set(0, k); set(1, <i32>a); set(2, <i32>b); set(3, <i32>o); set(4, inner); set(5, sa); set(6, sb); set(7, oa); set(8, ob);
  set(9, rows); set(10, chunk); set(11, oo);
  parallelFor(Task.BinaryRows, tasks(rows, chunk));
}

/** The fused derivative kernels (task TanhGrad or SigmoidGrad: p, q; MulMul: p, q, r, s), n elements into o. */
export function fusedPar(task: i32, p: usize, q: usize, r: usize, o: usize, s: f32, n: i32): void {
  if (threads == 1 || n < MIN_ELEMENTS) {
    if (task == Task.TanhGrad) tanhGradKernel(p, q, o, n);
    else if (task == Task.SigmoidGrad) sigmoidGradKernel(p, q, o, n);
    else mulMulKernel(p, q, r, s, o, n);
    return;
  }
  const chunk = elementChunk(n);
  set(0, <i32>p); set(1, <i32>q); set(2, <i32>r); set(3, <i32>o); set(4, reinterpret<i32>(s)); set(6, n); set(7, chunk);
  parallelFor(task, tasks(n, chunk));
}
