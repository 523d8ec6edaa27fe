// The elementwise unary loop: contiguous src -> dst, an f32x4 body and a scalar tail, over a lane formula F (a
// small final class with v(x, a, b) on f32x4 lanes and s(x, a, b) on one float, whose methods inline into the loop,
// so every kernel is a specialised SIMD loop). The formulas live with their ops (ops/unary.ts, ops/activations.ts);
// each op's kernel is one line there: `function expKernel(...): void { mapUnary(changetype<ExpF>(0), ...) }`.
// perLane evaluates a formula that has no SIMD form lane by lane (log, sin, cos and softplus do it in float64 and
// round once, so they are correctly rounded in practice: error <= 0.5 ulp + float64 error).
import { Task, threadCount, jobArgs, parallelFor, elementChunk, tasks, chunkStart, chunkLength, MIN_ELEMENTS, MIN_TRANSCENDENTAL } from "./parallel";

/** A unary kernel: n floats from src to dst, with the op's constants a and b (affine's scale and shift). */
export type UnaryKernel = (src: usize, dst: usize, n: i32, a: f32, b: f32) => void;

/** f's scalar form on each of the four lanes of x. */
@inline export function perLane<F>(f: F, x: v128): v128 {
  let r = f32x4.splat(f.s(f32x4.extract_lane(x, 0), 0, 0));
  r = f32x4.replace_lane(r, 1, f.s(f32x4.extract_lane(x, 1), 0, 0));
  r = f32x4.replace_lane(r, 2, f.s(f32x4.extract_lane(x, 2), 0, 0));
  return f32x4.replace_lane(r, 3, f.s(f32x4.extract_lane(x, 3), 0, 0));
}

/** dst[i] = f(src[i]) for i < n: the f32x4 body, then the scalar tail. */
@inline export function mapUnary<F>(f: F, src: usize, dst: usize, n: i32, a: f32, b: f32): void {
  const va = f32x4.splat(a), vb = f32x4.splat(b);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const p = <usize>i << 2;
    v128.store(dst + p, f.v(v128.load(src + p), va, vb));
  }
  for (; i < n; i++) {
    const p = <usize>i << 2;
    store<f32>(dst + p, f.s(load<f32>(src + p), a, b));
  }
}

@unmanaged class UnaryJob { kernel: usize; src: usize; dst: usize; a: f32; b: f32; n: i32; chunk: i32; }

function unaryTask(args: usize, t: i32): void {
  const j = changetype<UnaryJob>(args);
  const off = <usize>chunkStart(t, j.chunk) << 2;
  changetype<UnaryKernel>(j.kernel)(j.src + off, j.dst + off, chunkLength(t, j.chunk, j.n), j.a, j.b);
}

/** kernel over n floats, split across threads when large (`heavy`: a transcendental kernel, split earlier). */
export function unaryPar(kernel: UnaryKernel, heavy: bool, src: usize, dst: usize, n: i32, a: f32, b: f32): void {
  const least = heavy ? MIN_TRANSCENDENTAL : MIN_ELEMENTS;
  if (threadCount() == 1 || n < least) { kernel(src, dst, n, a, b); return; }
  const j = jobArgs<UnaryJob>();
  j.kernel = changetype<usize>(kernel); j.src = src; j.dst = dst; j.a = a; j.b = b; j.n = n; j.chunk = elementChunk(n);
  parallelFor(<Task>unaryTask, tasks(n, j.chunk));
}
