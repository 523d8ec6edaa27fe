// Float64 transcendental functions, one double at a time (the f64x2 kernels run them on each lane). exp, log, sin,
// cos, atan, tanh and log1p are AssemblyScript's NativeMath, ports of musl's (FreeBSD msun) implementations;
// sigmoid, softplus and erf are written here from them. Maximum errors measured against a high-precision reference
// (test/reference/bigfloat.ts, BigInt floating point) by test/integration/float64-accuracy.test.ts over grids and
// the hard cases (over/underflow edges and subnormal results, inputs next to zeros such as k pi, tiny and subnormal
// inputs, branch points); the test's bounds are the right-hand column:
//   exp 0.50 ulp, log 0.50, sin 0.62 (|x| <= 1e6), cos 0.68, atan 0.72       < 1 ulp
//   tanh 1.77 ulp (NativeMath's expm1-based formula)                          < 2 ulp
//   sigmoid 1.57 ulp: 1/(1 + e^-x) for x >= 0; e^x/(1 + e^x) for x < 0        < 2.5 ulp
//     (no overflow; each form rounds exp, a sum and a quotient)
//   softplus 0.92 ulp: max(x, 0) + log1p(e^-|x|) (no overflow, no loss)      < 2.5 ulp
//   erf 1.77 ulp: see erf64                                                   < 2 ulp
//
// e^{-x^2} with x^2 split exactly: x^2 = hi + lo (Dekker's product: x is split into 26-bit halves so each partial
// product is exact), e^{-hi} (1 - lo) = e^{-x^2} to within an ulp, where e^{-(x*x)} alone would carry the rounding
// of x*x, a relative error up to x^2 2^-53 (18 ulp at x = 6).
// @ts-ignore: decorator
@inline function expNegSquare(a: f64): f64 {
  const hi = a * a;
  const ah = reinterpret<f64>(reinterpret<u64>(a) & 0xFFFFFFFFF8000000);
  const al = a - ah;
  const lo = ((ah * ah - hi) + 2 * ah * al) + al * al;
  return Math.exp(-hi) * (1 - lo);
}

const TWO_OVER_SQRT_PI: f64 = 1.1283791670955126;   // 2/sqrt(pi) = this + TWO_OVER_SQRT_PI_LO
const TWO_OVER_SQRT_PI_LO: f64 = 1.533545961316588e-17;
const ONE_OVER_SQRT_PI: f64 = 0.5641895835477563;   // 1/sqrt(pi), rounded

// Double-double arithmetic (Dekker; no fused multiply-add in wasm SIMD's baseline): a value hi + lo with |lo| <=
// ulp(hi)/2, about 106 bits. Each function returns hi and leaves lo in ddLo (wasm has no tuples; every thread
// instance has its own globals).
let ddLo: f64 = 0;
// @ts-ignore: decorator
@inline function splitHi(a: f64): f64 { const c = 134217729.0 * a; return c - (c - a); }
/** hi + lo = a b exactly (|a b| < 2^996) */
// @ts-ignore: decorator
@inline function twoProd(a: f64, b: f64): f64 {
  const p = a * b, ah = splitHi(a), al = a - ah, bh = splitHi(b), bl = b - bh;
  ddLo = ((ah * bh - p) + ah * bl + al * bh) + al * bl;
  return p;
}
/** (ah + al)(bh + bl) */
function ddMul(ah: f64, al: f64, bh: f64, bl: f64): f64 {
  const p = twoProd(ah, bh);
  const e = ddLo + (ah * bl + al * bh);
  const s = p + e;
  ddLo = e - (s - p);
  return s;
}
/** (ah + al) / d for a double d */
function ddDiv(ah: f64, al: f64, d: f64): f64 {
  const q1 = ah / d;
  const p = twoProd(q1, d);
  const q2 = (((ah - p) - ddLo) + al) / d;
  const s = q1 + q2;
  ddLo = q2 - (s - q1);
  return s;
}
/** 1 + (ah + al) */
function ddOnePlus(ah: f64, al: f64): f64 {
  const s = 1 + ah, bb = s - 1;
  const e = ((1 - (s - bb)) + (ah - bb)) + al;
  const r = s + e;
  ddLo = e - (r - s);
  return r;
}

/**
 * erf in float64. |x| < 2.5: the series of Abramowitz & Stegun 7.1.6,
 *   erf x = 2/sqrt(pi) e^{-x^2} x sum_{n>=0} (2x^2)^n / (1 3 5 ... (2n+1)),
 * summed by Horner's rule in double-double from x^2 split exactly (at most 75 terms), so the sum carries no
 * rounding that matters: in plain float64 each term's rounding accumulates, 9.7 ulp at x = 2.43. The factor
 * e^{-x^2} = e^{-hi} (1 - lo) is the one float64 part (< 1 ulp). 2.5 <= |x| < 6: 1 - erfc x with erfc from its
 * continued fraction (A&S 7.1.14), erfc x = e^{-x^2}/sqrt(pi) / (x + (1/2)/(x + 1/(x + (3/2)/(x + ...)))),
 * evaluated bottom-up from depth 90 (converged to < 1e-17 relative at x = 2.5); erfc < 4.1e-4 there, so its own
 * error is far below an ulp of the result. |x| >= 6: erfc x < 2.2e-17, below half an ulp of 1: the result is +-1.
 */
export function erf64(x: f64): f64 {
  if (x != x) return x;
  const a = Math.abs(x);
  let r: f64;
  if (a < 1e-150) {
    // a^2 vanishes: erf x = 2x/sqrt(pi), rounded once from the double-double product
    const p = twoProd(a, TWO_OVER_SQRT_PI);
    r = p + (ddLo + a * TWO_OVER_SQRT_PI_LO);
  } else if (a < 2.5) {
    const zh = 2 * a * a, zl = 2 * ddSquareLo(a);   // 2 x^2 = zh + zl exactly
    let n = 1, p: f64 = 1;
    while (p > 1e-18 && n < 200) { p *= zh / <f64>(2 * n + 1); n++; }
    let rh: f64 = 1, rl: f64 = 0;
    for (let k = n; k >= 1; k--) {
      const ch = ddDiv(zh, zl, <f64>(2 * k + 1)), cl = ddLo;
      rh = ddMul(rh, rl, ch, cl); rl = ddLo;
      rh = ddOnePlus(rh, rl); rl = ddLo;
    }
    const sh = ddMul(rh, rl, TWO_OVER_SQRT_PI, TWO_OVER_SQRT_PI_LO), sl = ddLo;
    const th = ddMul(sh, sl, a, 0), tl = ddLo;
    const e = Math.exp(-0.5 * zh);
    r = th * e - th * e * (0.5 * zl) + tl * e;
  } else if (a < 6) {
    let t = a;
    for (let k = 90; k >= 1; k--) t = a + (<f64>k * 0.5) / t;
    r = 1 - expNegSquare(a) * ONE_OVER_SQRT_PI / t;
  } else r = 1;
  return x < 0 ? -r : r;
}

/** The low part of a^2 (a^2 = a*a + this, exactly). */
function ddSquareLo(a: f64): f64 { twoProd(a, a); return ddLo; }

/** 1/(1 + e^{-x}) without overflow. */
export function sigmoid64(x: f64): f64 {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/** log(1 + e^x) = max(x, 0) + log1p(e^{-|x|}). */
export function softplus64(x: f64): f64 { return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x))); }
