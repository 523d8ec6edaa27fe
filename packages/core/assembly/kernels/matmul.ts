// C[M,N] = A[M,K] * B[K,N], all row-major and contiguous; C is overwritten.
// Register tiling: 4 rows of A times 8 columns of B (two f32x4) keep 8 accumulators in registers across the
// whole K loop, so each loaded B vector is reused 4 times and each broadcast A value twice. Column tails of 4 and
// then single columns, and a row tail handled one row at a time. Sums are accumulated in float32 in k order.

@inline function ld(p: usize): v128 { return v128.load(p); }

export function matmulKernel(a: usize, b: usize, c: usize, M: i32, K: i32, N: i32): void {
  const rowB = <usize>N << 2;
  const rowA = <usize>K << 2;
  let i = 0;
  for (; i + 4 <= M; i += 4) {
    const a0 = a + <usize>i * rowA, a1 = a0 + rowA, a2 = a1 + rowA, a3 = a2 + rowA;
    const c0 = c + <usize>i * rowB, c1 = c0 + rowB, c2 = c1 + rowB, c3 = c2 + rowB;
    let j = 0;
    for (; j + 8 <= N; j += 8) {
      const jo = <usize>j << 2;
      let x0 = f32x4.splat(0), y0 = f32x4.splat(0), x1 = f32x4.splat(0), y1 = f32x4.splat(0);
      let x2 = f32x4.splat(0), y2 = f32x4.splat(0), x3 = f32x4.splat(0), y3 = f32x4.splat(0);
      let bp = b + jo;
      for (let k = 0; k < K; k++) {
        const ko = <usize>k << 2;
        const bl = ld(bp), bh = ld(bp + 16);
        const s0 = f32x4.splat(load<f32>(a0 + ko)), s1 = f32x4.splat(load<f32>(a1 + ko));
        const s2 = f32x4.splat(load<f32>(a2 + ko)), s3 = f32x4.splat(load<f32>(a3 + ko));
        x0 = f32x4.add(x0, f32x4.mul(s0, bl)); y0 = f32x4.add(y0, f32x4.mul(s0, bh));
        x1 = f32x4.add(x1, f32x4.mul(s1, bl)); y1 = f32x4.add(y1, f32x4.mul(s1, bh));
        x2 = f32x4.add(x2, f32x4.mul(s2, bl)); y2 = f32x4.add(y2, f32x4.mul(s2, bh));
        x3 = f32x4.add(x3, f32x4.mul(s3, bl)); y3 = f32x4.add(y3, f32x4.mul(s3, bh));
        bp += rowB;
      }
      v128.store(c0 + jo, x0); v128.store(c0 + jo + 16, y0);
      v128.store(c1 + jo, x1); v128.store(c1 + jo + 16, y1);
      v128.store(c2 + jo, x2); v128.store(c2 + jo + 16, y2);
      v128.store(c3 + jo, x3); v128.store(c3 + jo + 16, y3);
    }
    for (; j + 4 <= N; j += 4) {
      const jo = <usize>j << 2;
      let x0 = f32x4.splat(0), x1 = f32x4.splat(0), x2 = f32x4.splat(0), x3 = f32x4.splat(0);
      let bp = b + jo;
      for (let k = 0; k < K; k++) {
        const ko = <usize>k << 2;
        const bl = ld(bp);
        x0 = f32x4.add(x0, f32x4.mul(f32x4.splat(load<f32>(a0 + ko)), bl));
        x1 = f32x4.add(x1, f32x4.mul(f32x4.splat(load<f32>(a1 + ko)), bl));
        x2 = f32x4.add(x2, f32x4.mul(f32x4.splat(load<f32>(a2 + ko)), bl));
        x3 = f32x4.add(x3, f32x4.mul(f32x4.splat(load<f32>(a3 + ko)), bl));
        bp += rowB;
      }
      v128.store(c0 + jo, x0); v128.store(c1 + jo, x1); v128.store(c2 + jo, x2); v128.store(c3 + jo, x3);
    }
    for (; j < N; j++) {
      const jo = <usize>j << 2;
      let t0: f32 = 0, t1: f32 = 0, t2: f32 = 0, t3: f32 = 0;
      for (let k = 0; k < K; k++) {
        const ko = <usize>k << 2;
        const bv = load<f32>(b + <usize>k * rowB + jo);
        t0 += load<f32>(a0 + ko) * bv; t1 += load<f32>(a1 + ko) * bv;
        t2 += load<f32>(a2 + ko) * bv; t3 += load<f32>(a3 + ko) * bv;
      }
      store<f32>(c0 + jo, t0); store<f32>(c1 + jo, t1); store<f32>(c2 + jo, t2); store<f32>(c3 + jo, t3);
    }
  }
  for (; i < M; i++) {
    const ar = a + <usize>i * rowA;
    const cr = c + <usize>i * rowB;
    let j = 0;
    for (; j + 4 <= N; j += 4) {
      const jo = <usize>j << 2;
      let x = f32x4.splat(0);
      for (let k = 0; k < K; k++) x = f32x4.add(x, f32x4.mul(f32x4.splat(load<f32>(ar + (<usize>k << 2))), ld(b + <usize>k * rowB + jo)));
      v128.store(cr + jo, x);
    }
    for (; j < N; j++) {
      const jo = <usize>j << 2;
      let t: f32 = 0;
      for (let k = 0; k < K; k++) t += load<f32>(ar + (<usize>k << 2)) * load<f32>(b + <usize>k * rowB + jo);
      store<f32>(cr + jo, t);
    }
  }
}
