// The float64 fused derivative kernels (kernels/fused.ts for float32): tanh' and sigmoid' from the output y, and
// the scaled triple product, on f64x2 lanes with the same operation order as the unfused float64 ops.
import { Task, threadCount, jobArgs, parallelFor, elementChunk, tasks, chunkStart, chunkLength, MIN_ELEMENTS } from "./parallel";

/** A float64 fused kernel: n results into o from up to three operands p, q, r and a scalar s. */
export type FusedKernel64 = (p: usize, q: usize, r: usize, s: f64, o: usize, n: i32) => void;

/** o = g (1 - y^2) (tanh = true) or g (y (1 - y)) (sigmoid) */
// @ts-ignore: decorator
@inline function actGrad64(tanh: bool, g: usize, y: usize, o: usize, n: i32): void {
  const one = f64x2.splat(1);
  let i = 0;
  for (; i + 2 <= n; i += 2) {
    const p = <usize>i << 3, v = v128.load(y + p);
    const d = tanh ? f64x2.sub(one, f64x2.mul(v, v)) : f64x2.mul(v, f64x2.sub(one, v));
    v128.store(o + p, f64x2.mul(v128.load(g + p), d));
  }
  if (i < n) {
    const p = <usize>i << 3, v = load<f64>(y + p);
    store<f64>(o + p, load<f64>(g + p) * (tanh ? 1 - v * v : v * (1 - v)));
  }
}
export function tanhGradKernel64(p: usize, q: usize, r: usize, s: f64, o: usize, n: i32): void { actGrad64(true, p, q, o, n); }
export function sigmoidGradKernel64(p: usize, q: usize, r: usize, s: f64, o: usize, n: i32): void { actGrad64(false, p, q, o, n); }

/** o = ((a b) c) s */
export function mulMulKernel64(a: usize, b: usize, c: usize, s: f64, o: usize, n: i32): void {
  const vs = f64x2.splat(s);
  let i = 0;
  for (; i + 2 <= n; i += 2) {
    const p = <usize>i << 3;
    v128.store(o + p, f64x2.mul(f64x2.mul(f64x2.mul(v128.load(a + p), v128.load(b + p)), v128.load(c + p)), vs));
  }
  if (i < n) { const p = <usize>i << 3; store<f64>(o + p, load<f64>(a + p) * load<f64>(b + p) * load<f64>(c + p) * s); }
}

@unmanaged class FusedJob64 { kernel: usize; p: usize; q: usize; r: usize; s: f64; o: usize; n: i32; chunk: i32; }

function fusedTask64(args: usize, t: i32): void {
  const j = changetype<FusedJob64>(args);
  const off = <usize>chunkStart(t, j.chunk) << 3;
  changetype<FusedKernel64>(j.kernel)(j.p + off, j.q + off, j.r + off, j.s, j.o + off, chunkLength(t, j.chunk, j.n));
}

/** A float64 fused kernel over n elements into o, split across threads when large. */
export function fusedPar64(kernel: FusedKernel64, p: usize, q: usize, r: usize, o: usize, s: f64, n: i32): void {
  if (threadCount() == 1 || n < (MIN_ELEMENTS >> 1)) { kernel(p, q, r, s, o, n); return; }
  const j = jobArgs<FusedJob64>();
  j.kernel = changetype<usize>(kernel); j.p = p; j.q = q; j.r = r; j.s = s; j.o = o; j.n = n; j.chunk = elementChunk(n);
  parallelFor(<Task>fusedTask64, tasks(n, j.chunk));
}
