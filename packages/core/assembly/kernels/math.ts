// SIMD approximations of transcendental functions on f32x4 lanes.
import { madd } from "./madd";
//
// exp: x = n*ln2 + r with |r| <= ln2/2 (Cody-Waite split of ln2 so that n*ln2_hi is exact), e^r by its Taylor
// polynomial to degree 7 (truncation error < r^8/8! = 5e-9), then scaled by 2^n through the exponent bits.
// Measured max relative error against float64 over [-87, 88]: < 3e-7 (about 2.5 ulp; test/math.test.ts).
// Inputs above 88.72 give +Inf, below -87.33 give 0 (the float32 subnormal range is flushed: absolute error
// below 1.2e-38). NaN propagates.
//
// tanh: sign(x) * m / (m + 2) with m = e^{2|x|} - 1 from its own polynomial (vtanh below); relative error < 3e-7
// from the smallest floats up. |x| is clamped to 10 first, so e^{2|x|} needs neither overflow handling nor a split
// scale.
//
// sigmoid: 1/(1 + e^{-x}) with its own, cheaper exp (vexpSigmoid below); relative error < 4e-7 over the whole float
// range (for x < -88.03 it returns 0).
//
// Code generation (V8): a v128 constant used inside a loop is rematerialised on every iteration (a 64-bit
// immediate move, a move to xmm and a shuffle: 3 instructions per use), so the constants live in a table and are
// loaded (1 instruction). Clamps use pmin/pmax (one minps/maxps; f32x4.min/max are ~7-instruction NaN-exact
// sequences), which still propagate NaN from x; n = round(x log2 e) comes from adding 1.5 * 2^23 (its integer is
// then in the low bits) instead of nearest + trunc_sat. The results are the same as with the plain formulas, bit
// for bit. The Horner steps of the two polynomials are madd (madd.ts): fused in core-relaxed.wasm, where each step
// rounds once instead of twice, so the errors above are bounds for both builds (test/math-accuracy.test.ts).

// @ts-ignore: decorator
@inline const X4 = 4;
const T = memory.data<f32>([
  1.44269504088896341, 1.44269504088896341, 1.44269504088896341, 1.44269504088896341, //  0 log2(e)
  0.693359375, 0.693359375, 0.693359375, 0.693359375,                                 //  1 ln2 high part
  -2.12194440e-4, -2.12194440e-4, -2.12194440e-4, -2.12194440e-4,                     //  2 ln2 low part
  -87.33, -87.33, -87.33, -87.33,                                                     //  3 exp underflow bound
  88.72, 88.72, 88.72, 88.72,                                                         //  4 exp overflow bound
  12582912.0, 12582912.0, 12582912.0, 12582912.0,                                     //  5 1.5 * 2^23
  1.0 / 5040.0, 1.0 / 5040.0, 1.0 / 5040.0, 1.0 / 5040.0,                             //  6 Taylor 1/7!
  1.0 / 720.0, 1.0 / 720.0, 1.0 / 720.0, 1.0 / 720.0,                                 //  7 1/6!
  1.0 / 120.0, 1.0 / 120.0, 1.0 / 120.0, 1.0 / 120.0,                                 //  8 1/5!
  1.0 / 24.0, 1.0 / 24.0, 1.0 / 24.0, 1.0 / 24.0,                                     //  9 1/4!
  1.0 / 6.0, 1.0 / 6.0, 1.0 / 6.0, 1.0 / 6.0,                                         // 10 1/3!
  0.5, 0.5, 0.5, 0.5,                                                                 // 11 1/2!
  1.0, 1.0, 1.0, 1.0,                                                                 // 12 one
  Infinity, Infinity, Infinity, Infinity,                                             // 13
  10.0, 10.0, 10.0, 10.0,                                                             // 14 tanh clamp
  2.0, 2.0, 2.0, 2.0,                                                                 // 15 two
  0.4999999345130136, 0.4999999345130136, 0.4999999345130136, 0.4999999345130136,     // 16 minimax e^r, r^2
  0.1666652068948677, 0.1666652068948677, 0.1666652068948677, 0.1666652068948677,     // 17 r^3
  0.04166838751431121, 0.04166838751431121, 0.04166838751431121, 0.04166838751431121, // 18 r^4
  0.00836870988361345, 0.00836870988361345, 0.00836870988361345, 0.00836870988361345, // 19 r^5
  0.00138146019045961, 0.00138146019045961, 0.00138146019045961, 0.00138146019045961, // 20 r^6
  0.4999999814379104, 0.4999999814379104, 0.4999999814379104, 0.4999999814379104,     // 21 minimax e^r - 1, r^2
  0.16666543159989566, 0.16666543159989566, 0.16666543159989566, 0.16666543159989566, // 22 r^3
  0.04166720178796897, 0.04166720178796897, 0.04166720178796897, 0.04166720178796897, // 23 r^4
  0.00836658278799911, 0.00836658278799911, 0.00836658278799911, 0.00836658278799911, // 24 r^5
  0.00138825160436774, 0.00138825160436774, 0.00138825160436774, 0.00138825160436774, // 25 r^6
], 16);
const I = memory.data<i32>([127, 127, 127, 127, 0x80000000, 0x80000000, 0x80000000, 0x80000000], 16); // bias, sign
@inline function k(i: i32): v128 { return v128.load(T + (<usize>i << X4)); }

// The steps every exp here shares. x = n ln2 + r: n = round(x log2 e) by adding 1.5 * 2^23, which rounds to an integer
// (ties to even, as nearest) held in the low bits of `kn`; r by the Cody-Waite split of ln2, so that n ln2_hi is exact.
@inline function roundedN(x: v128): v128 { return f32x4.add(f32x4.mul(x, k(0)), k(5)); }
@inline function reduced(x: v128, kn: v128): v128 {
  const n = f32x4.sub(kn, k(5));
  return f32x4.sub(f32x4.sub(x, f32x4.mul(n, k(1))), f32x4.mul(n, k(2)));
}
/** 2^n as a float (exponent field n + 127; n in [-126, 127], and n = 128 gives +Inf). */
@inline function pow2(kn: v128): v128 { return i32x4.shl(i32x4.add(i32x4.sub(kn, k(5)), v128.load(I)), 23); }
/** c0 + c1 r + ... + c4 r^4 by Horner, the coefficients at k(at) .. k(at + 4). */
@inline function quartic(r: v128, at: i32): v128 {
  let q = k(at + 4);
  q = madd(q, r, k(at + 3));
  q = madd(q, r, k(at + 2));
  q = madd(q, r, k(at + 1));
  return madd(q, r, k(at));
}

/** e^r for |r| <= ln2/2: the degree-7 Taylor polynomial, Horner. */
@inline function expPoly(r: v128): v128 {
  let p = k(6);
  p = madd(p, r, k(7));
  p = madd(p, r, k(8));
  p = madd(p, r, k(9));
  p = madd(p, r, k(10));
  p = madd(p, r, k(11));
  p = madd(p, r, k(12));
  return madd(p, r, k(12));
}

@inline export function vexp(x: v128): v128 {
  const xc = f32x4.pmin(f32x4.pmax(x, k(3)), k(4));
  const kn = roundedN(xc);
  const p = expPoly(reduced(xc, kn));
  // 2^n: n is in [-126, 128]; 2^128 is split as 2^127 * 2 to stay a normal float
  const ni = i32x4.sub(kn, k(5));
  const half = i32x4.shr_s(ni, 1);
  const bias = v128.load(I);
  const s1 = i32x4.shl(i32x4.add(half, bias), 23);
  const s2 = i32x4.shl(i32x4.add(i32x4.sub(ni, half), bias), 23);
  let y = f32x4.mul(f32x4.mul(p, s1), s2);
  y = v128.bitselect(k(13), y, f32x4.gt(x, k(4)));
  y = v128.andnot(y, f32x4.lt(x, k(3)));
  return y;
}

/**
 * tanh(x) = sign(x) * m / (m + 2) with m = e^{2|x|} - 1: one formula for every x (no branch to select, no second
 * polynomial). |x| is clamped to 10 (tanh(10) rounds to 1). m comes from the reduction 2|x| = n ln2 + r as
 * m = s u + (s - 1), with s = 2^n and u = e^r - 1 = r + r^2 q(r), q the degree-4 minimax polynomial for the relative
 * error of e^r - 1 on |r| <= ln2/2 (fitted for this kernel by Lawson's reweighted least squares: 1.3e-8 in exact
 * arithmetic). Near 0 (n = 0) m = u has no cancellation, so tanh keeps its relative accuracy down to the smallest
 * floats; for n >= 1, s - 1 is exact up to n = 24, and from n = 25 on tanh rounds to 1 anyway. Whole kernel in
 * float32, simulated for both builds over [-12, 12] and +-[1e-30, 1]: 1.65e-7. The two-branch form it replaced
 * (Cephes' tanhf polynomial below 0.625, 1 - 2/(e^{2|x|} + 1) above, both computed for every lane) was within
 * 1.3e-7 and took ~47 lane operations where this takes ~31.
 */
@inline export function vtanh(x: v128): v128 {
  const t = f32x4.mul(f32x4.pmin(f32x4.abs(x), k(14)), k(15));
  const kn = roundedN(t);
  const r = reduced(t, kn);
  const u = madd(f32x4.mul(r, r), quartic(r, 21), r);
  const s = pow2(kn);
  const m = madd(s, u, f32x4.sub(s, k(12)));
  const y = f32x4.div(m, f32x4.add(m, k(15)));
  return v128.or(y, v128.and(x, v128.load(I + 16)));
}

/**
 * e^x for sigmoid only, where the ends of the float range need no care: x is clamped to [-87.33, 88.72] as in vexp,
 * and 2^n is one multiply by the float with exponent field n + 127 (vexp needs two multiplies and two selects to be
 * exact there). n = 128 (x > 88.03) makes that float +Inf, so e^x is +Inf where it is really 2.4e38 to 3.4e38; sigmoid
 * then returns 0 where the exact value is below 6e-39, a subnormal, which the other kernels flush too. e^r is
 * 1 + r + r^2 q(r) with q the degree-4 minimax polynomial for relative error on |r| <= ln2/2 (fitted for this kernel
 * by Lawson's reweighted least squares: 3.1e-9 in exact arithmetic) instead of vexp's degree-7 Taylor polynomial:
 * 25 lane operations where vexp takes 36. Error of the whole kernel in float32, simulated over [-80, 80] for both
 * builds: e^x 1.2e-7, sigmoid 1.8e-7 (vexp: 9.6e-8 and 1.4e-7; test/math-accuracy.test.ts holds sigmoid to 4e-7).
 */
@inline function vexpSigmoid(x: v128): v128 {
  const xc = f32x4.pmin(f32x4.pmax(x, k(3)), k(4));
  const kn = roundedN(xc);
  const r = reduced(xc, kn);
  return f32x4.mul(madd(f32x4.mul(r, r), quartic(r, 16), f32x4.add(r, k(12))), pow2(kn));
}

@inline export function vsigmoid(x: v128): v128 {
  const one = k(12);
  return f32x4.div(one, f32x4.add(one, vexpSigmoid(f32x4.neg(x))));
}

@inline export function sexp(x: f32): f32 { return f32x4.extract_lane(vexp(f32x4.splat(x)), 0); }
@inline export function stanh(x: f32): f32 { return f32x4.extract_lane(vtanh(f32x4.splat(x)), 0); }
@inline export function ssigmoid(x: f32): f32 { return f32x4.extract_lane(vsigmoid(f32x4.splat(x)), 0); }
