// The elementwise binary loop over one run: a and b advance by stride 0 or 1 (elements), out by 1, over a lane
// formula F (v(a, b) on f32x4 lanes, s(a, b) on floats; the formulas live with their ops in ops/arith.ts and
// ops/compare.ts). Broadcasting is handled by the caller (NdIter, or rows of runs below), so this stays a flat
// loop with an f32x4 body and a scalar tail.
import { Task, threadCount, jobArgs, parallelFor, elementChunk, tasks, chunkStart, chunkLength, MIN_ELEMENTS, PER_THREAD } from "./parallel";

/** A binary kernel: n results into o from a and b, read with element strides sa and sb (0 or 1 in the SIMD paths). */
export type BinaryKernel = (a: usize, sa: i32, b: usize, sb: i32, o: usize, n: i32) => void;

@inline export function mapBinary<F>(f: F, a: usize, sa: i32, b: usize, sb: i32, o: usize, n: i32): void {
  let i = 0;
  if (sa == 1 && sb == 1) {
    for (; i + 4 <= n; i += 4) { const p = <usize>i << 2; v128.store(o + p, f.v(v128.load(a + p), v128.load(b + p))); }
    for (; i < n; i++) { const p = <usize>i << 2; store<f32>(o + p, f.s(load<f32>(a + p), load<f32>(b + p))); }
  } else if (sa == 0 && sb == 1) {
    const x = load<f32>(a); const vx = f32x4.splat(x);
    for (; i + 4 <= n; i += 4) { const p = <usize>i << 2; v128.store(o + p, f.v(vx, v128.load(b + p))); }
    for (; i < n; i++) { const p = <usize>i << 2; store<f32>(o + p, f.s(x, load<f32>(b + p))); }
  } else if (sa == 1 && sb == 0) {
    const y = load<f32>(b); const vy = f32x4.splat(y);
    for (; i + 4 <= n; i += 4) { const p = <usize>i << 2; v128.store(o + p, f.v(v128.load(a + p), vy)); }
    for (; i < n; i++) { const p = <usize>i << 2; store<f32>(o + p, f.s(load<f32>(a + p), y)); }
  } else {
    for (; i < n; i++) {
      store<f32>(o + (<usize>i << 2), f.s(load<f32>(a + (<usize>(i * sa) << 2)), load<f32>(b + (<usize>(i * sb) << 2))));
    }
  }
}

@unmanaged class BinaryJob { kernel: usize; a: usize; sa: i32; b: usize; sb: i32; o: usize; n: i32; chunk: i32; }

function binaryTask(args: usize, t: i32): void {
  const j = changetype<BinaryJob>(args);
  const off = <usize>chunkStart(t, j.chunk) << 2;
  changetype<BinaryKernel>(j.kernel)(j.a + (j.sa != 0 ? off : 0), j.sa, j.b + (j.sb != 0 ? off : 0), j.sb, j.o + off, chunkLength(t, j.chunk, j.n));
}

/** One run of a binary kernel; sa and sb are 0 (broadcast scalar) or 1. */
export function binaryPar(kernel: BinaryKernel, a: usize, sa: i32, b: usize, sb: i32, o: usize, n: i32): void {
  if (threadCount() == 1 || n < MIN_ELEMENTS || (sa != 0 && sa != 1) || (sb != 0 && sb != 1)) { kernel(a, sa, b, sb, o, n); return; }
  const j = jobArgs<BinaryJob>();
  j.kernel = changetype<usize>(kernel); j.a = a; j.sa = sa; j.b = b; j.sb = sb; j.o = o; j.n = n; j.chunk = elementChunk(n);
  parallelFor(<Task>binaryTask, tasks(n, j.chunk));
}

// rows of runs: run r starts at a + r oa, b + r ob, o + r oo (element strides)
@unmanaged class RowsJob {
  kernel: usize; a: usize; sa: i32; oa: i32; b: usize; sb: i32; ob: i32; o: usize; oo: i32; inner: i32; rows: i32; chunk: i32;
}

function rowsTask(args: usize, t: i32): void {
  const j = changetype<RowsJob>(args);
  const k = changetype<BinaryKernel>(j.kernel);
  const r0 = t * j.chunk, r1 = min(j.rows, r0 + j.chunk);
  const oa = <usize>j.oa, ob = <usize>j.ob, oo = <usize>j.oo;
  let a = j.a + (<usize>r0 * oa << 2), b = j.b + (<usize>r0 * ob << 2), o = j.o + (<usize>r0 * oo << 2);
  for (let r = r0; r < r1; r++) {
    k(a, j.sa, b, j.sb, o, j.inner);
    a += oa << 2; b += ob << 2; o += oo << 2;
  }
}

/**
 * rows runs of `inner` elements: run r starts at a + r oa, b + r ob, o + r oo (element strides). Small or on one
 * thread, the rows run here: a direct loop is ~1.7x faster than the general iterator for a bias add
 * ([10000, 20] + [20]: 150 -> 88 us, /tmp/threads2/micro.mjs), with the same kernel calls, so the same bits.
 */
export function binaryRowsPar(kernel: BinaryKernel, a: usize, sa: i32, oa: i32, b: usize, sb: i32, ob: i32, o: usize, oo: i32, inner: i32, rows: i32): void {
  if (threadCount() == 1 || <i64>rows * <i64>inner < <i64>MIN_ELEMENTS) {
    for (let r = 0; r < rows; r++) {
      kernel(a, sa, b, sb, o, inner);
      a += <usize>oa << 2; b += <usize>ob << 2; o += <usize>oo << 2;
    }
    return;
  }
  let chunk = (rows + threadCount() * PER_THREAD - 1) / (threadCount() * PER_THREAD);
  chunk = max(chunk, (8192 + inner - 1) / inner);
  const j = jobArgs<RowsJob>();
  j.kernel = changetype<usize>(kernel); j.a = a; j.sa = sa; j.oa = oa; j.b = b; j.sb = sb; j.ob = ob; j.o = o; j.oo = oo;
  j.inner = inner; j.rows = rows; j.chunk = chunk;
  parallelFor(<Task>rowsTask, tasks(rows, chunk));
}
