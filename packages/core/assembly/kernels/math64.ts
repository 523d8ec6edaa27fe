// Float64 transcendental functions: tanh on f64x2 lanes (vtanh64, at the end), the others one double at a time (the
// f64x2 kernels run them on each lane). exp, log, sin, cos, atan and log1p are AssemblyScript's NativeMath, ports of
// musl's (FreeBSD msun) implementations; sigmoid, softplus and erf are written here from them. Maximum errors measured against a high-precision reference
// (test/reference/bigfloat.ts, BigInt floating point) by test/integration/float64-accuracy.test.ts over grids and
// the hard cases (over/underflow edges and subnormal results, inputs next to zeros such as k pi, tiny and subnormal
// inputs, branch points); the test's bounds are the right-hand column:
//   exp 0.50 ulp, log 0.50, sin 0.62 (|x| <= 1e6), cos 0.68, atan 0.72       < 1 ulp
//   tanh 1.33 ulp (vtanh64: a Taylor series, or 1 - 2t/(1 + t) from a SIMD exp) < 2 ulp
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

// ---- tanh on f64x2 lanes (the float64 tanh kernel) ----
// |x| < 0.55: the odd Taylor series x + x z P(z), z = x^2, P's coefficients c_2 .. c_21 the exact series
// coefficients 2^2n (2^2n - 1) B_2n / (2n)! rounded (the terms fall by (2x/pi)^2 <= 0.123 each: the one after
// c_21 is < 1e-18 of the result), by Horner's rule; the result is x plus a correction < 0.1 x, so it is within an
// ulp. |x| >= 0.55: 1 - 2t/(1 + t), t = e^{-2|x|} <= 0.333 from a SIMD exp (Cody-Waite reduction by ln2 with n from
// the 1.5 * 2^52 rounding trick, e^r by its degree-13 Taylor polynomial, |r| <= ln2/2, 2^n from the exponent bits);
// 2t/(1 + t) <= 0.5 carries ~2.5 of its own ulps, at most 1.25 of the result's (>= 0.5). -2|x| is clamped to -40,
// where 1 - 2t rounds to 1. NaN is kept from x. Measured: test/integration/float64-accuracy.test.ts.
const TC = memory.data<f64>([
  -0.3333333333333333, 0.13333333333333333, -0.05396825396825397, 0.021869488536155203, -0.008863235529902197,
  0.003592128036572481, -0.0014558343870513183, 0.000590027440945586, -0.00023912911424355248, 9.691537956929451e-05,
  -3.927832388331683e-05, 1.5918905069328964e-05, -6.451689215655431e-06, 2.6147711512907546e-06,
  -1.0597268320104654e-06, 4.294911078273806e-07, -1.7406618963571648e-07, 7.054636946400968e-08,
  -2.859136662305254e-08, 1.1587644432798853e-08,
]);
// @ts-ignore: decorator
@inline function tc(i: i32): v128 { return v128.load64_splat(TC + (<usize>i << 3)); }

// The exponential's constants, loaded (V8 rematerialises a v128 constant at every use inside a loop: several
// instructions where a load is one; kernels/math.ts): 1.5 * 2^52, log2 e, ln2's high and low parts, then e^r's
// Taylor coefficients from 1/13! down to 1, then -2, -40, 1 and 0.55 for vtanh64.
const EC = memory.data<f64>([
  6755399441055744.0, 1.4426950408889634, 6.93147180369123816490e-01, 1.90821492927058770002e-10,
  1.0 / 6227020800.0, 1.0 / 479001600.0, 1.0 / 39916800.0, 1.0 / 3628800.0, 1.0 / 362880.0, 1.0 / 40320.0,
  1.0 / 5040.0, 1.0 / 720.0, 1.0 / 120.0, 1.0 / 24.0, 1.0 / 6.0, 0.5, 1.0, 1.0,
  -2.0, -40.0, 1.0, 0.55,
]);
const EI = memory.data<u64>([1023, 0x8000000000000000]);
// @ts-ignore: decorator
@inline function ec(i: i32): v128 { return v128.load64_splat(EC + (<usize>i << 3)); }

/** e^y on f64x2 lanes for y in [-40, 0] (no overflow or subnormal handling needed there). */
// @ts-ignore: decorator
@inline function vexpNeg64(y: v128): v128 {
  const magic = ec(0);   // 1.5 * 2^52
  const kn = f64x2.add(f64x2.mul(y, ec(1)), magic);
  const n = f64x2.sub(kn, magic);
  let r = f64x2.sub(y, f64x2.mul(n, ec(2)));   // ln2 high part (n ln2_hi exact)
  r = f64x2.sub(r, f64x2.mul(n, ec(3)));       // ln2 low part
  // e^r: 1/13!, then Horner's steps down to 1/1! and 1/0! (written out: a loop costs V8 several instructions per step)
  let p = ec(4);
  p = f64x2.add(f64x2.mul(p, r), ec(5)); p = f64x2.add(f64x2.mul(p, r), ec(6)); p = f64x2.add(f64x2.mul(p, r), ec(7));
  p = f64x2.add(f64x2.mul(p, r), ec(8)); p = f64x2.add(f64x2.mul(p, r), ec(9)); p = f64x2.add(f64x2.mul(p, r), ec(10));
  p = f64x2.add(f64x2.mul(p, r), ec(11)); p = f64x2.add(f64x2.mul(p, r), ec(12)); p = f64x2.add(f64x2.mul(p, r), ec(13));
  p = f64x2.add(f64x2.mul(p, r), ec(14)); p = f64x2.add(f64x2.mul(p, r), ec(15)); p = f64x2.add(f64x2.mul(p, r), ec(16));
  p = f64x2.add(f64x2.mul(p, r), ec(17));
  // 2^n: n is the integer in kn's low bits (two's complement through the 1.5 * 2^52 offset)
  const ni = i64x2.sub(kn, magic);
  const scale = i64x2.shl(i64x2.add(ni, v128.load64_splat(EI)), 52);
  return f64x2.mul(p, scale);
}

/** tanh from the series' result `small` (x + x z P(z)), used where |x| < 0.55, and the exponential's form. */
// @ts-ignore: decorator
@inline function tanhFinish(x: v128, small: v128): v128 {
  const a = f64x2.abs(x);
  const t = vexpNeg64(f64x2.pmax(f64x2.mul(a, ec(18)), ec(19)));
  const q = f64x2.div(f64x2.add(t, t), f64x2.add(ec(20), t));
  const big = v128.or(f64x2.sub(ec(20), q), v128.and(x, v128.load64_splat(EI + 8)));
  const r = v128.bitselect(small, big, f64x2.lt(a, ec(21)));
  return v128.bitselect(x, r, f64x2.ne(x, x));
}

/** tanh on f64x2 lanes. */
// @ts-ignore: decorator
@inline export function vtanh64(x: v128): v128 {
  const z = f64x2.mul(x, x);
  // P(z) by Horner's rule from c_21 down to c_2 (written out: a loop costs V8 several instructions per step)
  let p = tc(19);
  p = f64x2.add(f64x2.mul(p, z), tc(18)); p = f64x2.add(f64x2.mul(p, z), tc(17)); p = f64x2.add(f64x2.mul(p, z), tc(16));
  p = f64x2.add(f64x2.mul(p, z), tc(15)); p = f64x2.add(f64x2.mul(p, z), tc(14)); p = f64x2.add(f64x2.mul(p, z), tc(13));
  p = f64x2.add(f64x2.mul(p, z), tc(12)); p = f64x2.add(f64x2.mul(p, z), tc(11)); p = f64x2.add(f64x2.mul(p, z), tc(10));
  p = f64x2.add(f64x2.mul(p, z), tc(9)); p = f64x2.add(f64x2.mul(p, z), tc(8)); p = f64x2.add(f64x2.mul(p, z), tc(7));
  p = f64x2.add(f64x2.mul(p, z), tc(6)); p = f64x2.add(f64x2.mul(p, z), tc(5)); p = f64x2.add(f64x2.mul(p, z), tc(4));
  p = f64x2.add(f64x2.mul(p, z), tc(3)); p = f64x2.add(f64x2.mul(p, z), tc(2)); p = f64x2.add(f64x2.mul(p, z), tc(1));
  p = f64x2.add(f64x2.mul(p, z), tc(0));
  return tanhFinish(x, f64x2.add(x, f64x2.mul(f64x2.mul(x, z), p)));
}
