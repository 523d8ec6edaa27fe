// Elementwise binary kernels over one run: a and b advance by stride 0 or 1 (elements), out by 1. Broadcasting is
// handled by the caller (NdIter) so this stays a flat loop with an f32x4 body and a scalar tail.
// pow has no SIMD formula: each lane is computed in float64 and rounded once.

export enum BK { Add, Sub, Mul, Div, Pow, Maximum, Minimum, Equal, NotEqual, Less, LessEqual, Greater, GreaterEqual }

@final class Add { @inline v(a: v128, b: v128): v128 { return f32x4.add(a, b); } @inline s(a: f32, b: f32): f32 { return a + b; } }
@final class Sub { @inline v(a: v128, b: v128): v128 { return f32x4.sub(a, b); } @inline s(a: f32, b: f32): f32 { return a - b; } }
@final class Mul { @inline v(a: v128, b: v128): v128 { return f32x4.mul(a, b); } @inline s(a: f32, b: f32): f32 { return a * b; } }
@final class Div { @inline v(a: v128, b: v128): v128 { return f32x4.div(a, b); } @inline s(a: f32, b: f32): f32 { return a / b; } }
@final class Pow {
  @inline v(a: v128, b: v128): v128 {
    let r = f32x4.splat(this.s(f32x4.extract_lane(a, 0), f32x4.extract_lane(b, 0)));
    r = f32x4.replace_lane(r, 1, this.s(f32x4.extract_lane(a, 1), f32x4.extract_lane(b, 1)));
    r = f32x4.replace_lane(r, 2, this.s(f32x4.extract_lane(a, 2), f32x4.extract_lane(b, 2)));
    return f32x4.replace_lane(r, 3, this.s(f32x4.extract_lane(a, 3), f32x4.extract_lane(b, 3)));
  }
  @inline s(a: f32, b: f32): f32 { return <f32>Math.pow(<f64>a, <f64>b); }
}
// NaN in either input gives NaN (wasm f32x4.max/min propagate NaN; the scalar tail matches)
@final class Maximum { @inline v(a: v128, b: v128): v128 { return f32x4.max(a, b); } @inline s(a: f32, b: f32): f32 { return a != a || b != b ? NaN : (a > b ? a : b); } }
@final class Minimum { @inline v(a: v128, b: v128): v128 { return f32x4.min(a, b); } @inline s(a: f32, b: f32): f32 { return a != a || b != b ? NaN : (a < b ? a : b); } }
@final class Eq { @inline v(a: v128, b: v128): v128 { return v128.and(f32x4.eq(a, b), f32x4.splat(1)); } @inline s(a: f32, b: f32): f32 { return a == b ? 1 : 0; } }
@final class Ne { @inline v(a: v128, b: v128): v128 { return v128.and(f32x4.ne(a, b), f32x4.splat(1)); } @inline s(a: f32, b: f32): f32 { return a != b ? 1 : 0; } }
@final class Lt { @inline v(a: v128, b: v128): v128 { return v128.and(f32x4.lt(a, b), f32x4.splat(1)); } @inline s(a: f32, b: f32): f32 { return a < b ? 1 : 0; } }
@final class Le { @inline v(a: v128, b: v128): v128 { return v128.and(f32x4.le(a, b), f32x4.splat(1)); } @inline s(a: f32, b: f32): f32 { return a <= b ? 1 : 0; } }
@final class Gt { @inline v(a: v128, b: v128): v128 { return v128.and(f32x4.gt(a, b), f32x4.splat(1)); } @inline s(a: f32, b: f32): f32 { return a > b ? 1 : 0; } }
@final class Ge { @inline v(a: v128, b: v128): v128 { return v128.and(f32x4.ge(a, b), f32x4.splat(1)); } @inline s(a: f32, b: f32): f32 { return a >= b ? 1 : 0; } }

function run<F>(f: F, a: usize, sa: i32, b: usize, sb: i32, o: usize, n: i32): void {
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

export function binaryKernel(k: i32, a: usize, sa: i32, b: usize, sb: i32, o: usize, n: i32): void {
  switch (k) {
    case BK.Add: run(changetype<Add>(0), a, sa, b, sb, o, n); break;
    case BK.Sub: run(changetype<Sub>(0), a, sa, b, sb, o, n); break;
    case BK.Mul: run(changetype<Mul>(0), a, sa, b, sb, o, n); break;
    case BK.Div: run(changetype<Div>(0), a, sa, b, sb, o, n); break;
    case BK.Pow: run(changetype<Pow>(0), a, sa, b, sb, o, n); break;
    case BK.Maximum: run(changetype<Maximum>(0), a, sa, b, sb, o, n); break;
    case BK.Minimum: run(changetype<Minimum>(0), a, sa, b, sb, o, n); break;
    case BK.Equal: run(changetype<Eq>(0), a, sa, b, sb, o, n); break;
    case BK.NotEqual: run(changetype<Ne>(0), a, sa, b, sb, o, n); break;
    case BK.Less: run(changetype<Lt>(0), a, sa, b, sb, o, n); break;
    case BK.LessEqual: run(changetype<Le>(0), a, sa, b, sb, o, n); break;
    case BK.Greater: run(changetype<Gt>(0), a, sa, b, sb, o, n); break;
    default: run(changetype<Ge>(0), a, sa, b, sb, o, n); break;
  }
}
