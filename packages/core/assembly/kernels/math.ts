// SIMD approximations of transcendental functions on f32x4 lanes.
//
// exp: x = n*ln2 + r with |r| <= ln2/2 (Cody-Waite split of ln2 so that n*ln2_hi is exact), e^r by its Taylor
// polynomial to degree 7 (truncation error < r^8/8! = 5e-9), then scaled by 2^n through the exponent bits.
// Measured max relative error against float64 over [-87, 88]: < 3e-7 (about 2.5 ulp; test/math.test.ts).
// Inputs above 88.72 give +Inf, below -87.33 give 0 (the float32 subnormal range is flushed: absolute error
// below 1.2e-38). NaN propagates.
//
// tanh: for |x| < 0.625 the odd minimax polynomial of Cephes' tanhf (relative error ~1e-7, no cancellation near 0);
// otherwise sign(x) * (1 - 2/(e^{2|x|} + 1)), whose result is >= 0.55 so the absolute error of exp becomes a
// relative error < 3e-7.
//
// sigmoid: 1/(1 + e^{-x}); relative error < 4e-7 over the whole float range (for x < -88 it returns 0).

@inline export function vexp(x: v128): v128 {
  const LOG2E = f32x4.splat(1.44269504088896341);
  const LN2_HI = f32x4.splat(0.693359375);
  const LN2_LO = f32x4.splat(-2.12194440e-4);
  const xc = f32x4.min(f32x4.max(x, f32x4.splat(-87.33)), f32x4.splat(88.72));
  const n = f32x4.nearest(f32x4.mul(xc, LOG2E));
  let r = f32x4.sub(xc, f32x4.mul(n, LN2_HI));
  r = f32x4.sub(r, f32x4.mul(n, LN2_LO));
  let p = f32x4.splat(1.0 / 5040.0);
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.0 / 720.0));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.0 / 120.0));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.0 / 24.0));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.0 / 6.0));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(0.5));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.0));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.0));
  // 2^n: n is in [-126, 128]; 2^128 is split as 2^127 * 2 to stay a normal float
  const ni = i32x4.trunc_sat_f32x4_s(n);
  const half = i32x4.shr_s(ni, 1);
  const s1 = i32x4.shl(i32x4.add(half, i32x4.splat(127)), 23);
  const s2 = i32x4.shl(i32x4.add(i32x4.sub(ni, half), i32x4.splat(127)), 23);
  let y = f32x4.mul(f32x4.mul(p, s1), s2);
  y = v128.bitselect(f32x4.splat(Infinity), y, f32x4.gt(x, f32x4.splat(88.72)));
  y = v128.bitselect(f32x4.splat(0), y, f32x4.lt(x, f32x4.splat(-87.33)));
  return y;
}

@inline export function vtanh(x: v128): v128 {
  const ax = f32x4.abs(x);
  // small |x|: x + x^3 * P(x^2), Cephes tanhf coefficients
  const z = f32x4.mul(x, x);
  let p = f32x4.splat(-5.70498872745e-3);
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(2.06390887954e-2));
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(-5.37397155531e-2));
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(1.33314422036e-1));
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(-3.33332819422e-1));
  const small = f32x4.add(x, f32x4.mul(f32x4.mul(p, z), x));
  // large |x|
  const e = vexp(f32x4.add(ax, ax));
  const big = f32x4.sub(f32x4.splat(1), f32x4.div(f32x4.splat(2), f32x4.add(e, f32x4.splat(1))));
  const signed = v128.or(big, v128.and(x, i32x4.splat(0x80000000)));
  return v128.bitselect(small, signed, f32x4.lt(ax, f32x4.splat(0.625)));
}

@inline export function vsigmoid(x: v128): v128 {
  return f32x4.div(f32x4.splat(1), f32x4.add(f32x4.splat(1), vexp(f32x4.neg(x))));
}

@inline export function sexp(x: f32): f32 { return f32x4.extract_lane(vexp(f32x4.splat(x)), 0); }
@inline export function stanh(x: f32): f32 { return f32x4.extract_lane(vtanh(f32x4.splat(x)), 0); }
@inline export function ssigmoid(x: f32): f32 { return f32x4.extract_lane(vsigmoid(f32x4.splat(x)), 0); }
