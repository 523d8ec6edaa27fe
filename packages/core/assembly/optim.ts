// Optimizer updates: in-place SIMD kernels over a parameter's storage and its slot tensors (momentum, Adam's
// moments), given handles. Nothing is allocated when the gradient is contiguous (the usual case), so a training
// loop's updates cost no memory; a strided gradient (a broadcast view, e.g. the gradient of sum(w)) is first
// gathered into a temporary that is released at once. Every update bumps the version counter of each tensor it
// writes, so a tape that saved one of them before the update reports the in-place modification.
//
// A float64 parameter is updated by the float64 kernels of kernels/optim64.ts (its slots and gradient float64 too).
// The float32 arithmetic is float32 (lanes of f32x4, then a scalar tail with the same operation order, so the result does
// not depend on where an element falls); scalar constants (bias corrections, products of hyperparameters) are
// computed in float64 and rounded once.
import { Tensor, DType, get, release, isContiguous, sameShape } from "./tensor";
import { fail, clearError, ErrorCode } from "./errors";
import { Op } from "./ops/codes";
import { traceAllows } from "./trace";
import { ERR, contig, dtypeError, shapeError } from "./ops/factory";
import { sgdKernel64, adamKernel64 } from "./kernels/optim64";

// ---- kernels (raw pointers, n elements; p, v, m, g contiguous) ----

// SGD, PyTorch's form (dampening 0):
//   g <- g + wd p
//   v <- mu v + g                 (with momentum)
//   d <- g + mu v  (Nesterov),  v (momentum),  g (plain)
//   p <- p - lr d
function sgdKernel(p: usize, g: usize, v: usize, n: i32, lr: f32, mu: f32, wd: f32, nesterov: bool): void {
  const vlr = f32x4.splat(lr), vmu = f32x4.splat(mu), vwd = f32x4.splat(wd);
  let i = 0;
  if (v == 0) {
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      const pp = v128.load(p + o);
      const gg = f32x4.add(v128.load(g + o), f32x4.mul(vwd, pp));
      v128.store(p + o, f32x4.sub(pp, f32x4.mul(vlr, gg)));
    }
    for (; i < n; i++) {
      const o = <usize>i << 2;
      const pp = load<f32>(p + o);
      const gg = load<f32>(g + o) + wd * pp;
      store<f32>(p + o, pp - lr * gg);
    }
  } else if (nesterov) {
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      const pp = v128.load(p + o);
      const gg = f32x4.add(v128.load(g + o), f32x4.mul(vwd, pp));
      const vv = f32x4.add(f32x4.mul(vmu, v128.load(v + o)), gg);
      v128.store(v + o, vv);
      v128.store(p + o, f32x4.sub(pp, f32x4.mul(vlr, f32x4.add(gg, f32x4.mul(vmu, vv)))));
    }
    for (; i < n; i++) {
      const o = <usize>i << 2;
      const pp = load<f32>(p + o);
      const gg = load<f32>(g + o) + wd * pp;
      const vv = mu * load<f32>(v + o) + gg;
      store<f32>(v + o, vv);
      store<f32>(p + o, pp - lr * (gg + mu * vv));
    }
  } else {
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      const pp = v128.load(p + o);
      const gg = f32x4.add(v128.load(g + o), f32x4.mul(vwd, pp));
      const vv = f32x4.add(f32x4.mul(vmu, v128.load(v + o)), gg);
      v128.store(v + o, vv);
      v128.store(p + o, f32x4.sub(pp, f32x4.mul(vlr, vv)));
    }
    for (; i < n; i++) {
      const o = <usize>i << 2;
      const pp = load<f32>(p + o);
      const gg = load<f32>(g + o) + wd * pp;
      const vv = mu * load<f32>(v + o) + gg;
      store<f32>(v + o, vv);
      store<f32>(p + o, pp - lr * vv);
    }
  }
}

// Adam (Kingma & Ba 2015, eps outside the square root as in the paper and PyTorch), with L2 weight decay added to
// the gradient (wd) and/or decoupled weight decay (AdamW, Loshchilov & Hutter 2019: p <- p (1 - lr wdd)):
//   g <- g + wd p
//   m <- b1 m + (1 - b1) g
//   v <- b2 v + (1 - b2) g^2
//   p <- p (1 - lr wdd) - (lr / (1 - b1^t)) m / (sqrt(v) / sqrt(1 - b2^t) + eps)
// Arguments: c1 = 1 - b1, c2 = 1 - b2, a = lr / (1 - b1^t), s = 1 / sqrt(1 - b2^t), decay = 1 - lr wdd.
function adamKernel(p: usize, g: usize, m: usize, v: usize, n: i32,
                    b1: f32, c1: f32, b2: f32, c2: f32, a: f32, s: f32, eps: f32, wd: f32, decay: f32): void {
  const vb1 = f32x4.splat(b1), vc1 = f32x4.splat(c1), vb2 = f32x4.splat(b2), vc2 = f32x4.splat(c2);
  const va = f32x4.splat(a), vs = f32x4.splat(s), veps = f32x4.splat(eps), vwd = f32x4.splat(wd), vdecay = f32x4.splat(decay);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const pp = v128.load(p + o);
    const gg = f32x4.add(v128.load(g + o), f32x4.mul(vwd, pp));
    const mm = f32x4.add(f32x4.mul(vb1, v128.load(m + o)), f32x4.mul(vc1, gg));
    const vv = f32x4.add(f32x4.mul(vb2, v128.load(v + o)), f32x4.mul(vc2, f32x4.mul(gg, gg)));
    v128.store(m + o, mm);
    v128.store(v + o, vv);
    const den = f32x4.add(f32x4.mul(f32x4.sqrt(vv), vs), veps);
    v128.store(p + o, f32x4.sub(f32x4.mul(pp, vdecay), f32x4.mul(va, f32x4.div(mm, den))));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const pp = load<f32>(p + o);
    const gg = load<f32>(g + o) + wd * pp;
    const mm = b1 * load<f32>(m + o) + c1 * gg;
    const vv = b2 * load<f32>(v + o) + c2 * (gg * gg);
    store<f32>(m + o, mm);
    store<f32>(v + o, vv);
    const den = Mathf.sqrt(vv) * s + eps;
    store<f32>(p + o, pp * decay - a * (mm / den));
  }
}

// ---- validation shared by the exports ----

/** The parameter: live, float32 or float64, contiguous (variables always are). */
function param(op: i32, h: i32): Tensor | null {
  const p = get(h, op, 0); if (p == null) return null;
  if (p.dtype != DType.Float32 && p.dtype != DType.Float64) { dtypeError(op, 0, DType.Float32, p); return null; }
  if (!isContiguous(p)) { fail(ErrorCode.BadArgument, op, 0, 2, 0); return null; }
  return p;
}
/** A slot tensor (momentum, moments) at argument position k: live, p's dtype, contiguous, as many elements as p. */
function slot(op: i32, h: i32, k: i32, p: Tensor): Tensor | null {
  const s = get(h, op, k); if (s == null) return null;
  if (s.dtype != p.dtype) { dtypeError(op, k, p.dtype, s); return null; }
  if (!isContiguous(s)) { fail(ErrorCode.BadArgument, op, k, 2, 0); return null; }
  if (s.size != p.size) { shapeError(op, p.shape, s.shape, k); return null; }
  return s;
}
/** The gradient, contiguous (retained, or a temporary copy): the caller releases it. ERR on failure. */
function gradient(op: i32, h: i32, p: Tensor): Tensor {
  const g = get(h, op, 1); if (g == null) return ERR;
  if (g.dtype != p.dtype) return dtypeError(op, 1, p.dtype, g);
  if (!sameShape(g.shape, p.shape)) return shapeError(op, p.shape, g.shape, 1);
  return contig(g);
}

// ---- exports (handles and scalars only) ----

/**
 * One SGD step on parameter `hp` with gradient `hg` (same shape); `hv` is the momentum buffer (same size, starts at
 * zeros) or 0 without momentum. Returns 1, or 0 with the error recorded.
 */
export function sgdUpdate(hp: i32, hg: i32, hv: i32, lr: f64, momentum: f64, nesterov: bool, weightDecay: f64): i32 {
  clearError();
  if (!traceAllows(1, Op.Assign)) return 0;
  const p = param(Op.Assign, hp); if (p == null) return 0;
  let v: Tensor | null = null;
  if (hv != 0) { v = slot(Op.Assign, hv, 2, p); if (v == null) return 0; }
  const g = gradient(Op.Assign, hg, p); if (g === ERR) return 0;
  if (p.dtype == DType.Float64) sgdKernel64(p.ptr, g.ptr, v == null ? 0 : v.ptr, p.size, lr, momentum, weightDecay, nesterov);
  else sgdKernel(p.ptr, g.ptr, v == null ? 0 : v.ptr, p.size, <f32>lr, <f32>momentum, <f32>weightDecay, nesterov);
  release(g);
  p.buf.version++;
  if (v != null) v.buf.version++;
  return 1;
}

/**
 * One Adam step at step number `step` (1 for the first update of this parameter) on parameter `hp` with gradient
 * `hg` and moment buffers `hm`, `hv` (same size, start at zeros). `weightDecay` is L2 decay added to the gradient
 * (decoupled = false) or AdamW's decoupled decay (decoupled = true). Returns 1, or 0 with the error recorded.
 */
export function adamUpdate(hp: i32, hg: i32, hm: i32, hv: i32, lr: f64, beta1: f64, beta2: f64, eps: f64,
                           weightDecay: f64, decoupled: bool, step: i32): i32 {
  clearError();
  if (!traceAllows(1, Op.Assign)) return 0;
  const p = param(Op.Assign, hp); if (p == null) return 0;
  const m = slot(Op.Assign, hm, 2, p); if (m == null) return 0;
  const v = slot(Op.Assign, hv, 3, p); if (v == null) return 0;
  if (step < 1) { fail(ErrorCode.BadArgument, Op.Assign, 10, 0, step); return 0; }
  const g = gradient(Op.Assign, hg, p); if (g === ERR) return 0;
  const bc1 = 1.0 - Math.pow(beta1, <f64>step);
  const bc2 = 1.0 - Math.pow(beta2, <f64>step);
  if (p.dtype == DType.Float64) adamKernel64(p.ptr, g.ptr, m.ptr, v.ptr, p.size, beta1, 1.0 - beta1, beta2, 1.0 - beta2,
    lr / bc1, 1.0 / Math.sqrt(bc2), eps, decoupled ? 0 : weightDecay, decoupled ? 1.0 - lr * weightDecay : 1);
  else adamKernel(p.ptr, g.ptr, m.ptr, v.ptr, p.size,
    <f32>beta1, <f32>(1.0 - beta1), <f32>beta2, <f32>(1.0 - beta2),
    <f32>(lr / bc1), <f32>(1.0 / Math.sqrt(bc2)), <f32>eps,
    decoupled ? 0 : <f32>weightDecay, decoupled ? <f32>(1.0 - lr * weightDecay) : 1);
  release(g);
  p.buf.version++; m.buf.version++; v.buf.version++;
  return 1;
}
