// Float64 transcendental functions, one double at a time (the f64x2 kernels run them on each lane). exp, log, sin,
// cos, atan, tanh and log1p are AssemblyScript's NativeMath, ports of musl's (FreeBSD msun) implementations, which
// are within 1 ulp; sigmoid, softplus and erf are written here from them. Measured maximum errors against a
// correctly rounded reference (packages/core/test/math64-accuracy.test.ts, which states the ranges and the hard
// cases: large |x|, near zeros, subnormals):
//   exp, log, sin, cos, atan, tanh  < 1 ulp (NativeMath)
//   sigmoid                         < 2.5 ulp: 1/(1 + e^-x) for x >= 0; e^x/(1 + e^x) for x < 0 (no overflow;
//                                   each form rounds exp, a sum and a quotient, and 1 + e is >= 1)
//   softplus                        < 2.5 ulp: max(x, 0) + log1p(e^-|x|) (no overflow; log1p keeps the tiny terms)
//   erf                             < 3 ulp (measured against @stdlib/math-base-special-erf): see erf64
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

const TWO_OVER_SQRT_PI: f64 = 1.1283791670955126;   // 2/sqrt(pi), rounded
const ONE_OVER_SQRT_PI: f64 = 0.5641895835477563;   // 1/sqrt(pi), rounded

/**
 * erf in float64. |x| < 2.5: the series of Abramowitz & Stegun 7.1.6,
 *   erf x = 2/sqrt(pi) e^{-x^2} sum_{n>=0} 2^n x^{2n+1} / (1 3 5 ... (2n+1)),
 * whose terms all have x's sign (no cancellation; at most 70 terms at |x| = 2.5). 2.5 <= |x| < 6: 1 - erfc x with
 * erfc from its continued fraction (A&S 7.1.14), erfc x = e^{-x^2}/sqrt(pi) / (x + (1/2)/(x + 1/(x + (3/2)/(x + ...)))),
 * evaluated bottom-up from depth 90 (converged to < 1e-17 relative at x = 2.5); erfc < 4.1e-4 there, so its own
 * error is far below an ulp of the result. |x| >= 6: erfc x < 2.2e-17, below half an ulp of 1: the result is +-1.
 */
export function erf64(x: f64): f64 {
  if (x != x) return x;
  const a = Math.abs(x);
  let r: f64;
  if (a < 2.5) {
    const a2 = a * a;
    let term = a, sum = a;
    for (let n = 1; n < 200; n++) {
      term *= 2 * a2 / <f64>(2 * n + 1);
      sum += term;
      if (term <= sum * 1e-17) break;
    }
    r = sum * expNegSquare(a) * TWO_OVER_SQRT_PI;
  } else if (a < 6) {
    let t = a;
    for (let k = 90; k >= 1; k--) t = a + (<f64>k * 0.5) / t;
    r = 1 - expNegSquare(a) * ONE_OVER_SQRT_PI / t;
  } else r = 1;
  return x < 0 ? -r : r;
}

/** 1/(1 + e^{-x}) without overflow. */
export function sigmoid64(x: f64): f64 {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/** log(1 + e^x) = max(x, 0) + log1p(e^{-|x|}). */
export function softplus64(x: f64): f64 { return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x))); }
