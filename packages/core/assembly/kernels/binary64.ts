// The float64 elementwise binary loop over one run (kernels/binary.ts for float32): a and b advance by stride 0 or
// 1 (elements), out by 1, over a lane formula F (v(a, b) on f64x2 lanes, s(a, b) on doubles). The same
// BinaryKernel type as float32 (pointers and element strides); the float64 kernel of an op sits beside its float32
// one in the op's table entry. Comparisons write a float64 0/1 mask (the factory narrows it for bool results).
import { BinaryKernel } from "./binary";
import { Task, threadCount, jobArgs, parallelFor, elementChunk, tasks, chunkStart, chunkLength, MIN_ELEMENTS, PER_THREAD } from "./parallel";

@inline export function mapBinary64<F>(f: F, a: usize, sa: i32, b: usize, sb: i32, o: usize, n: i32): void {
  let i = 0;
  if (sa == 1 && sb == 1) {
    for (; i + 2 <= n; i += 2) { const p = <usize>i << 3; v128.store(o + p, f.v(v128.load(a + p), v128.load(b + p))); }
    if (i < n) { const p = <usize>i << 3; store<f64>(o + p, f.s(load<f64>(a + p), load<f64>(b + p))); }
  } else if (sa == 0 && sb == 1) {
    const x = load<f64>(a); const vx = f64x2.splat(x);
    for (; i + 2 <= n; i += 2) { const p = <usize>i << 3; v128.store(o + p, f.v(vx, v128.load(b + p))); }
    if (i < n) { const p = <usize>i << 3; store<f64>(o + p, f.s(x, load<f64>(b + p))); }
  } else if (sa == 1 && sb == 0) {
    const y = load<f64>(b); const vy = f64x2.splat(y);
    for (; i + 2 <= n; i += 2) { const p = <usize>i << 3; v128.store(o + p, f.v(v128.load(a + p), vy)); }
    if (i < n) { const p = <usize>i << 3; store<f64>(o + p, f.s(load<f64>(a + p), y)); }
  } else {
    for (; i < n; i++) {
      store<f64>(o + (<usize>i << 3), f.s(load<f64>(a + (<usize>(i * sa) << 3)), load<f64>(b + (<usize>(i * sb) << 3))));
    }
  }
}

@unmanaged class BinaryJob64 { kernel: usize; a: usize; sa: i32; b: usize; sb: i32; o: usize; n: i32; chunk: i32; }

function binaryTask64(args: usize, t: i32): void {
  const j = changetype<BinaryJob64>(args);
  const off = <usize>chunkStart(t, j.chunk) << 3;
  changetype<BinaryKernel>(j.kernel)(j.a + (j.sa != 0 ? off : 0), j.sa, j.b + (j.sb != 0 ? off : 0), j.sb, j.o + off, chunkLength(t, j.chunk, j.n));
}

/** One run of a float64 binary kernel; sa and sb are 0 (broadcast scalar) or 1. */
export function binaryPar64(kernel: BinaryKernel, a: usize, sa: i32, b: usize, sb: i32, o: usize, n: i32): void {
  if (threadCount() == 1 || n < (MIN_ELEMENTS >> 1) || (sa != 0 && sa != 1) || (sb != 0 && sb != 1)) { kernel(a, sa, b, sb, o, n); return; }
  const j = jobArgs<BinaryJob64>();
  j.kernel = changetype<usize>(kernel); j.a = a; j.sa = sa; j.b = b; j.sb = sb; j.o = o; j.n = n; j.chunk = elementChunk(n);
  parallelFor(<Task>binaryTask64, tasks(n, j.chunk));
}

@unmanaged class RowsJob64 {
  kernel: usize; a: usize; sa: i32; oa: i32; b: usize; sb: i32; ob: i32; o: usize; oo: i32; inner: i32; rows: i32; chunk: i32;
}

function rowsTask64(args: usize, t: i32): void {
  const j = changetype<RowsJob64>(args);
  const k = changetype<BinaryKernel>(j.kernel);
  const r0 = t * j.chunk, r1 = min(j.rows, r0 + j.chunk);
  const oa = <usize>j.oa, ob = <usize>j.ob, oo = <usize>j.oo;
  let a = j.a + (<usize>r0 * oa << 3), b = j.b + (<usize>r0 * ob << 3), o = j.o + (<usize>r0 * oo << 3);
  for (let r = r0; r < r1; r++) {
    k(a, j.sa, b, j.sb, o, j.inner);
    a += oa << 3; b += ob << 3; o += oo << 3;
  }
}

/** rows runs of `inner` doubles: run r starts at a + r oa, b + r ob, o + r oo (element strides). */
export function binaryRowsPar64(kernel: BinaryKernel, a: usize, sa: i32, oa: i32, b: usize, sb: i32, ob: i32, o: usize, oo: i32, inner: i32, rows: i32): void {
  if (threadCount() == 1 || <i64>rows * <i64>inner < <i64>(MIN_ELEMENTS >> 1)) {
    for (let r = 0; r < rows; r++) {
      kernel(a, sa, b, sb, o, inner);
      a += <usize>oa << 3; b += <usize>ob << 3; o += <usize>oo << 3;
    }
    return;
  }
  let chunk = (rows + threadCount() * PER_THREAD - 1) / (threadCount() * PER_THREAD);
  chunk = max(chunk, (4096 + inner - 1) / inner);
  const j = jobArgs<RowsJob64>();
  j.kernel = changetype<usize>(kernel); j.a = a; j.sa = sa; j.oa = oa; j.b = b; j.sb = sb; j.ob = ob; j.o = o; j.oo = oo;
  j.inner = inner; j.rows = rows; j.chunk = chunk;
  parallelFor(<Task>rowsTask64, tasks(rows, chunk));
}
