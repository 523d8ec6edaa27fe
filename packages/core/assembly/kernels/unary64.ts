// The float64 elementwise unary loop: contiguous src -> dst, an f64x2 body and a scalar tail, over a lane formula F
// (a small final class with v(x, a, b) on f64x2 lanes and s(x, a, b) on one double), as kernels/unary.ts does for
// float32. The float64 formulas live beside the float32 ones in their op's family file; each op's table entry
// holds both kernels (`def(Op.X).unary(...).f64(xKernel64)`), and the factory picks the one of the input's dtype.
// perLane64 runs a formula without a SIMD form (the transcendental functions of kernels/math64.ts) on each lane.
import { Task, threadCount, jobArgs, parallelFor, elementChunk, tasks, chunkStart, chunkLength, MIN_ELEMENTS, MIN_TRANSCENDENTAL } from "./parallel";

/** A float64 unary kernel: n doubles from src to dst, with the op's constants a and b (affine's scale and shift). */
export type UnaryKernel64 = (src: usize, dst: usize, n: i32, a: f64, b: f64) => void;

/** f's scalar form on each of the two lanes of x. */
@inline export function perLane64<F>(f: F, x: v128): v128 {
  const r = f64x2.splat(f.s(f64x2.extract_lane(x, 0), 0, 0));
  return f64x2.replace_lane(r, 1, f.s(f64x2.extract_lane(x, 1), 0, 0));
}

/** dst[i] = f(src[i]) for i < n: the f64x2 body, then the scalar tail. */
@inline export function mapUnary64<F>(f: F, src: usize, dst: usize, n: i32, a: f64, b: f64): void {
  const va = f64x2.splat(a), vb = f64x2.splat(b);
  let i = 0;
  for (; i + 2 <= n; i += 2) {
    const p = <usize>i << 3;
    v128.store(dst + p, f.v(v128.load(src + p), va, vb));
  }
  if (i < n) {
    const p = <usize>i << 3;
    store<f64>(dst + p, f.s(load<f64>(src + p), a, b));
  }
}

@unmanaged class UnaryJob64 { kernel: usize; src: usize; dst: usize; a: f64; b: f64; n: i32; chunk: i32; }

function unaryTask64(args: usize, t: i32): void {
  const j = changetype<UnaryJob64>(args);
  const off = <usize>chunkStart(t, j.chunk) << 3;
  changetype<UnaryKernel64>(j.kernel)(j.src + off, j.dst + off, chunkLength(t, j.chunk, j.n), j.a, j.b);
}

/** kernel over n doubles, split across threads when large (`heavy`: a transcendental kernel, split earlier). */
export function unaryPar64(kernel: UnaryKernel64, heavy: bool, src: usize, dst: usize, n: i32, a: f64, b: f64): void {
  // a double costs at least twice a float: split from half as many elements
  const least = (heavy ? MIN_TRANSCENDENTAL : MIN_ELEMENTS) >> 1;
  if (threadCount() == 1 || n < least) { kernel(src, dst, n, a, b); return; }
  const j = jobArgs<UnaryJob64>();
  j.kernel = changetype<usize>(kernel); j.src = src; j.dst = dst; j.a = a; j.b = b; j.n = n; j.chunk = elementChunk(n);
  parallelFor(<Task>unaryTask64, tasks(n, j.chunk));
}
