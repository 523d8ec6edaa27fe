// Fused elementwise kernels for derivative ops: contiguous operands of equal size, an f32x4 body and a scalar
// tail. Each computes exactly the float32 operations (in the same order) of the unfused composition it replaces.

/** o = g (1 - y y) */
export function tanhGradKernel(g: usize, y: usize, o: usize, n: i32): void {
  const one = f32x4.splat(1);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const p = <usize>i << 2;
    const v = v128.load(y + p);
    v128.store(o + p, f32x4.mul(v128.load(g + p), f32x4.sub(one, f32x4.mul(v, v))));
  }
  for (; i < n; i++) {
    const p = <usize>i << 2;
    const v = load<f32>(y + p);
    store<f32>(o + p, load<f32>(g + p) * (<f32>1 - v * v));
  }
}

/** o = g (y (1 - y)) */
export function sigmoidGradKernel(g: usize, y: usize, o: usize, n: i32): void {
  const one = f32x4.splat(1);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const p = <usize>i << 2;
    const v = v128.load(y + p);
    v128.store(o + p, f32x4.mul(v128.load(g + p), f32x4.mul(v, f32x4.sub(one, v))));
  }
  for (; i < n; i++) {
    const p = <usize>i << 2;
    const v = load<f32>(y + p);
    store<f32>(o + p, load<f32>(g + p) * (v * (<f32>1 - v)));
  }
}

/** o = ((a b) c) s */
export function mulMulKernel(a: usize, b: usize, c: usize, s: f32, o: usize, n: i32): void {
  const vs = f32x4.splat(s);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const p = <usize>i << 2;
    v128.store(o + p, f32x4.mul(f32x4.mul(f32x4.mul(v128.load(a + p), v128.load(b + p)), v128.load(c + p)), vs));
  }
  for (; i < n; i++) {
    const p = <usize>i << 2;
    store<f32>(o + p, load<f32>(a + p) * load<f32>(b + p) * load<f32>(c + p) * s);
  }
}
