// Elementwise unary kernels: contiguous src -> dst, an f32x4 body and a scalar tail. Each function is a small
// final class whose methods inline into the generic loop, so every kernel is a specialised SIMD loop.
// Functions without a SIMD formula here (log, sin, cos, softplus) evaluate each lane in float64 and round once,
// so they are correctly rounded in practice (error <= 0.5 ulp + float64 error).
import { vexp, vtanh, vsigmoid, sexp, stanh, ssigmoid } from "./math";

export enum UK { Neg, Abs, Exp, Log, Sqrt, Square, Reciprocal, Sin, Cos, Tanh, Sigmoid, Relu, Softplus, Affine, Sign, Step, Copy }

@inline function perLane<F>(f: F, x: v128): v128 {
  let r = f32x4.splat(f.s(f32x4.extract_lane(x, 0), 0, 0));
  r = f32x4.replace_lane(r, 1, f.s(f32x4.extract_lane(x, 1), 0, 0));
  r = f32x4.replace_lane(r, 2, f.s(f32x4.extract_lane(x, 2), 0, 0));
  return f32x4.replace_lane(r, 3, f.s(f32x4.extract_lane(x, 3), 0, 0));
}

@final class Neg { @inline v(x: v128, a: v128, b: v128): v128 { return f32x4.neg(x); } @inline s(x: f32, a: f32, b: f32): f32 { return -x; } }
@final class Abs { @inline v(x: v128, a: v128, b: v128): v128 { return f32x4.abs(x); } @inline s(x: f32, a: f32, b: f32): f32 { return Mathf.abs(x); } }
@final class Exp { @inline v(x: v128, a: v128, b: v128): v128 { return vexp(x); } @inline s(x: f32, a: f32, b: f32): f32 { return sexp(x); } }
@final class Log { @inline v(x: v128, a: v128, b: v128): v128 { return perLane(this, x); } @inline s(x: f32, a: f32, b: f32): f32 { return <f32>Math.log(<f64>x); } }
@final class Sqrt { @inline v(x: v128, a: v128, b: v128): v128 { return f32x4.sqrt(x); } @inline s(x: f32, a: f32, b: f32): f32 { return Mathf.sqrt(x); } }
@final class Square { @inline v(x: v128, a: v128, b: v128): v128 { return f32x4.mul(x, x); } @inline s(x: f32, a: f32, b: f32): f32 { return x * x; } }
@final class Recip { @inline v(x: v128, a: v128, b: v128): v128 { return f32x4.div(f32x4.splat(1), x); } @inline s(x: f32, a: f32, b: f32): f32 { return 1 / x; } }
@final class Sin { @inline v(x: v128, a: v128, b: v128): v128 { return perLane(this, x); } @inline s(x: f32, a: f32, b: f32): f32 { return <f32>Math.sin(<f64>x); } }
@final class Cos { @inline v(x: v128, a: v128, b: v128): v128 { return perLane(this, x); } @inline s(x: f32, a: f32, b: f32): f32 { return <f32>Math.cos(<f64>x); } }
@final class Tanh { @inline v(x: v128, a: v128, b: v128): v128 { return vtanh(x); } @inline s(x: f32, a: f32, b: f32): f32 { return stanh(x); } }
@final class Sigmoid { @inline v(x: v128, a: v128, b: v128): v128 { return vsigmoid(x); } @inline s(x: f32, a: f32, b: f32): f32 { return ssigmoid(x); } }
@final class Relu { @inline v(x: v128, a: v128, b: v128): v128 { return f32x4.max(x, f32x4.splat(0)); } @inline s(x: f32, a: f32, b: f32): f32 { return x > 0 ? x : (x != x ? x : 0); } }
// softplus(x) = max(x, 0) + log1p(exp(-|x|)): no overflow for large x, no loss for very negative x
@final class Softplus { @inline v(x: v128, a: v128, b: v128): v128 { return perLane(this, x); } @inline s(x: f32, a: f32, b: f32): f32 { const d = <f64>x; return <f32>(Math.max(d, 0) + Math.log1p(Math.exp(-Math.abs(d)))); } }
// a*x + b (scale and shift by constants): used by backward rules such as 1 - y^2
@final class Affine { @inline v(x: v128, a: v128, b: v128): v128 { return f32x4.add(f32x4.mul(x, a), b); } @inline s(x: f32, a: f32, b: f32): f32 { return x * a + b; } }
@final class Sign { @inline v(x: v128, a: v128, b: v128): v128 { const one = f32x4.splat(1); return f32x4.sub(v128.and(f32x4.gt(x, f32x4.splat(0)), one), v128.and(f32x4.lt(x, f32x4.splat(0)), one)); } @inline s(x: f32, a: f32, b: f32): f32 { return x > 0 ? 1 : (x < 0 ? -1 : 0); } }
// 1 where x > a, else 0 (the derivative mask of relu)
@final class Step { @inline v(x: v128, a: v128, b: v128): v128 { return v128.and(f32x4.gt(x, a), f32x4.splat(1)); } @inline s(x: f32, a: f32, b: f32): f32 { return x > a ? 1 : 0; } }
@final class Copy { @inline v(x: v128, a: v128, b: v128): v128 { return x; } @inline s(x: f32, a: f32, b: f32): f32 { return x; } }

function run<F>(f: F, src: usize, dst: usize, n: i32, a: f32, b: f32): void {
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

export function unaryKernel(k: i32, src: usize, dst: usize, n: i32, a: f32, b: f32): void {
  switch (k) {
    case UK.Neg: run(changetype<Neg>(0), src, dst, n, a, b); break;
    case UK.Abs: run(changetype<Abs>(0), src, dst, n, a, b); break;
    case UK.Exp: run(changetype<Exp>(0), src, dst, n, a, b); break;
    case UK.Log: run(changetype<Log>(0), src, dst, n, a, b); break;
    case UK.Sqrt: run(changetype<Sqrt>(0), src, dst, n, a, b); break;
    case UK.Square: run(changetype<Square>(0), src, dst, n, a, b); break;
    case UK.Reciprocal: run(changetype<Recip>(0), src, dst, n, a, b); break;
    case UK.Sin: run(changetype<Sin>(0), src, dst, n, a, b); break;
    case UK.Cos: run(changetype<Cos>(0), src, dst, n, a, b); break;
    case UK.Tanh: run(changetype<Tanh>(0), src, dst, n, a, b); break;
    case UK.Sigmoid: run(changetype<Sigmoid>(0), src, dst, n, a, b); break;
    case UK.Relu: run(changetype<Relu>(0), src, dst, n, a, b); break;
    case UK.Softplus: run(changetype<Softplus>(0), src, dst, n, a, b); break;
    case UK.Affine: run(changetype<Affine>(0), src, dst, n, a, b); break;
    case UK.Sign: run(changetype<Sign>(0), src, dst, n, a, b); break;
    case UK.Step: run(changetype<Step>(0), src, dst, n, a, b); break;
    default: run(changetype<Copy>(0), src, dst, n, a, b); break;
  }
}
