// The float64 optimizer updates (optim.ts has the float32 ones and the formulas): the same operations in the same
// order on f64x2 lanes, with every constant unrounded.

/** SGD (PyTorch's form): g += wd p; v = mu v + g (momentum); p -= lr (g + mu v) (Nesterov), lr v, or lr g. */
export function sgdKernel64(p: usize, g: usize, v: usize, n: i32, lr: f64, mu: f64, wd: f64, nesterov: bool): void {
  const vlr = f64x2.splat(lr), vmu = f64x2.splat(mu), vwd = f64x2.splat(wd);
  let i = 0;
  for (; i + 2 <= n; i += 2) {
    const o = <usize>i << 3;
    const pp = v128.load(p + o);
    const gg = f64x2.add(v128.load(g + o), f64x2.mul(vwd, pp));
    let d = gg;
    if (v != 0) {
      const vv = f64x2.add(f64x2.mul(vmu, v128.load(v + o)), gg);
      v128.store(v + o, vv);
      d = nesterov ? f64x2.add(gg, f64x2.mul(vmu, vv)) : vv;
    }
    v128.store(p + o, f64x2.sub(pp, f64x2.mul(vlr, d)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 3;
    const pp = load<f64>(p + o);
    const gg = load<f64>(g + o) + wd * pp;
    let d = gg;
    if (v != 0) {
      const vv = mu * load<f64>(v + o) + gg;
      store<f64>(v + o, vv);
      d = nesterov ? gg + mu * vv : vv;
    }
    store<f64>(p + o, pp - lr * d);
  }
}

/** Adam / AdamW with c1 = 1 - b1, c2 = 1 - b2, a = lr / (1 - b1^t), s = 1 / sqrt(1 - b2^t), decay = 1 - lr wdd. */
export function adamKernel64(p: usize, g: usize, m: usize, v: usize, n: i32,
                             b1: f64, c1: f64, b2: f64, c2: f64, a: f64, s: f64, eps: f64, wd: f64, decay: f64): void {
  const vb1 = f64x2.splat(b1), vc1 = f64x2.splat(c1), vb2 = f64x2.splat(b2), vc2 = f64x2.splat(c2);
  const va = f64x2.splat(a), vs = f64x2.splat(s), veps = f64x2.splat(eps), vwd = f64x2.splat(wd), vdecay = f64x2.splat(decay);
  let i = 0;
  for (; i + 2 <= n; i += 2) {
    const o = <usize>i << 3;
    const pp = v128.load(p + o);
    const gg = f64x2.add(v128.load(g + o), f64x2.mul(vwd, pp));
    const mm = f64x2.add(f64x2.mul(vb1, v128.load(m + o)), f64x2.mul(vc1, gg));
    const vv = f64x2.add(f64x2.mul(vb2, v128.load(v + o)), f64x2.mul(vc2, f64x2.mul(gg, gg)));
    v128.store(m + o, mm);
    v128.store(v + o, vv);
    const den = f64x2.add(f64x2.mul(f64x2.sqrt(vv), vs), veps);
    v128.store(p + o, f64x2.sub(f64x2.mul(pp, vdecay), f64x2.mul(va, f64x2.div(mm, den))));
  }
  for (; i < n; i++) {
    const o = <usize>i << 3;
    const pp = load<f64>(p + o);
    const gg = load<f64>(g + o) + wd * pp;
    const mm = b1 * load<f64>(m + o) + c1 * gg;
    const vv = b2 * load<f64>(v + o) + c2 * (gg * gg);
    store<f64>(m + o, mm);
    store<f64>(v + o, vv);
    const den = Math.sqrt(vv) * s + eps;
    store<f64>(p + o, pp * decay - a * (mm / den));
  }
}
