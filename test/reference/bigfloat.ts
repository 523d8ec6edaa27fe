// A high-precision reference for the float64 transcendental functions: binary floating point with BigInt
// mantissas (value m 2^e), about W = 320 bits kept after every operation, and the functions from their series.
// It is slow (milliseconds per value) and independent of everything under test: no Math function is used except to
// pick an integer for argument reduction. Its error, ~2^-300 relative, is far below the float64 ulp (2^-52) it
// measures, so the ulp errors it reports are the errors of the code under test (to ~1e-80 ulp).
//
// Sources: exp by reduction x = k ln2 + r and the Taylor series; log by log x = k ln2 + 2 atanh((m-1)/(m+1));
// sin/cos by reduction modulo pi/2 (pi from Machin's formula, W bits: for |x| <= 2^20, the range the tests use,
// the reduced argument keeps > 240 bits even next to a zero, where it is >= 2^-61 for every double) and Taylor; atan by halving the
// argument twice (atan x = 2 atan(x / (1 + sqrt(1 + x^2)))) and its series; erf by A&S 7.1.6 (positive terms).

const W = 320;

export class BF {
  constructor(readonly m: bigint, readonly e: number) {}
  static of(x: number): BF {
    if (!Number.isFinite(x)) throw new Error(`BF.of(${x})`);
    if (x === 0) return ZERO;
    const dv = new DataView(new ArrayBuffer(8));
    dv.setFloat64(0, x);
    const bits = dv.getBigUint64(0);
    const neg = bits >> 63n === 1n, ex = Number((bits >> 52n) & 0x7ffn);
    let frac = bits & ((1n << 52n) - 1n);
    let e: number;
    if (ex === 0) e = -1074; else { frac |= 1n << 52n; e = ex - 1075; }
    return new BF(neg ? -frac : frac, e).norm();
  }
  static int(n: number | bigint): BF { return new BF(BigInt(n), 0).norm(); }
  /** Keeps W significant bits (truncating). */
  norm(): BF {
    if (this.m === 0n) return ZERO;
    const b = bitLength(this.m < 0n ? -this.m : this.m);
    if (b <= W) return this;
    const s = b - W;
    return new BF(this.m >> BigInt(s), this.e + s);   // (floor for negative m: still within 2^-W relative)
  }
  neg(): BF { return new BF(-this.m, this.e); }
  add(o: BF): BF {
    if (this.m === 0n) return o;
    if (o.m === 0n) return this;
    // align to the smaller exponent, but never keep more than 2W bits below the larger operand's top
    const top = Math.max(this.e + bitLength(abs(this.m)), o.e + bitLength(abs(o.m)));
    const e = Math.max(Math.min(this.e, o.e), top - 2 * W);
    return new BF(shift(this.m, this.e - e) + shift(o.m, o.e - e), e).norm();
  }
  sub(o: BF): BF { return this.add(o.neg()); }
  mul(o: BF): BF { return new BF(this.m * o.m, this.e + o.e).norm(); }
  div(o: BF): BF {
    if (o.m === 0n) throw new Error("BF division by zero");
    const s = W + bitLength(abs(o.m)) - bitLength(abs(this.m)) + 2;
    return new BF((this.m << BigInt(Math.max(s, 0))) / o.m, this.e - o.e - Math.max(s, 0)).norm();
  }
  mul2(k: number): BF { return new BF(this.m, this.e + k); }
  sign(): number { return this.m > 0n ? 1 : this.m < 0n ? -1 : 0; }
  /** log2 of |value|, roughly (for choosing reductions and stopping series). */
  mag(): number { return this.m === 0n ? -Infinity : this.e + bitLength(abs(this.m)); }
  /** The nearest double (for argument reduction choices only; not correctly rounded). */
  approx(): number {
    if (this.m === 0n) return 0;
    const b = bitLength(abs(this.m)), s = Math.max(0, b - 60);
    return Number(this.m >> BigInt(s)) * 2 ** (this.e + s);
  }
  sqrt(): BF {
    if (this.m <= 0n) return ZERO;
    let m = this.m, e = this.e;
    const want = 2 * W + 2 - bitLength(m);
    if (want > 0) { m <<= BigInt(want); e -= want; }
    if (e % 2 !== 0) { m <<= 1n; e -= 1; }
    return new BF(isqrt(m), e / 2).norm();
  }
}
const ZERO = new BF(0n, 0);
const ONE = BF.int(1);

function abs(m: bigint): bigint { return m < 0n ? -m : m; }
function bitLength(m: bigint): number { return m === 0n ? 0 : m.toString(2).length; }
function shift(m: bigint, k: number): bigint { return k >= 0 ? m << BigInt(k) : m >> BigInt(-k); }
function isqrt(n: bigint): bigint {
  let x = 1n << BigInt((bitLength(n) >> 1) + 1);
  for (;;) { const y = (x + n / x) >> 1n; if (y >= x) return x; x = y; }
}

/** sum of terms t_0, t_1, ... with t_{n+1} = next(t_n, n+1), until a term is 2^-W below the first. */
function series(t0: BF, next: (t: BF, n: number) => BF): BF {
  let sum = t0, t = t0;
  const stop = t0.mag() - W - 4;
  for (let n = 1; n < 10000; n++) {
    t = next(t, n);
    if (t.m === 0n || t.mag() < Math.min(stop, sum.mag() - W - 4)) break;
    sum = sum.add(t);
  }
  return sum;
}

// atanh(1/q) = sum 1/((2n+1) q^(2n+1)), for the constants
function atanhInv(q: number): BF {
  const q2 = BF.int(q * q);
  let p = ONE.div(BF.int(q)), sum = p;
  for (let n = 1; n < 2000; n++) {
    p = p.div(q2);
    const t = p.div(BF.int(2 * n + 1));
    if (t.mag() < sum.mag() - W - 8) break;
    sum = sum.add(t);
  }
  return sum;
}
function atanInv(q: number): BF {
  const q2 = BF.int(q * q);
  let p = ONE.div(BF.int(q)), sum = p;
  for (let n = 1; n < 2000; n++) {
    p = p.div(q2).neg();
    const t = p.div(BF.int(2 * n + 1));
    if (t.mag() < sum.mag() - W - 8) break;
    sum = sum.add(t);
  }
  return sum;
}
export const LN2 = atanhInv(3).mul2(1);                                  // ln 2 = 2 atanh(1/3)
export const PI = atanInv(5).mul2(2).sub(atanInv(239)).mul2(2);           // pi = 4 (4 atan(1/5) - atan(1/239))
const HALF_PI = PI.mul2(-1);

export function exp(x: BF): BF {
  const k = Math.round(x.approx() / Math.LN2);
  const r = x.sub(LN2.mul(BF.int(k)));
  return series(ONE, (t, n) => t.mul(r).div(BF.int(n))).mul2(k);
}
/** e^x - 1 without cancellation for small x */
export function expm1(x: BF): BF {
  if (x.mag() > -1) return exp(x).sub(ONE);
  return series(x, (t, n) => t.mul(x).div(BF.int(n + 1)));
}
export function log(x: BF): BF {
  if (x.sign() <= 0) throw new Error("log of a non-positive value");
  // x = m 2^k with m in [0.75, 1.5)
  let k = x.mag() - 1;
  let m = x.mul2(-k);
  if (m.approx() >= 1.5) { m = m.mul2(-1); k++; }
  const t = m.sub(ONE).div(m.add(ONE)), t2 = t.mul(t);
  const at = t.m === 0n ? ZERO : series(t, (u, n) => u.mul(t2).mul(BF.int(2 * n - 1)).div(BF.int(2 * n + 1)));
  return LN2.mul(BF.int(k)).add(at.mul2(1));
}
export function log1p(y: BF): BF {
  if (y.mag() > -4) return log(ONE.add(y));
  return series(y, (t, n) => t.mul(y).neg().mul(BF.int(n)).div(BF.int(n + 1)));
}
function sinCosReduced(r: BF): { s: BF; c: BF } {
  const r2 = r.mul(r);
  const s = r.m === 0n ? ZERO : series(r, (t, n) => t.mul(r2).neg().div(BF.int((2 * n) * (2 * n + 1))));
  const c = series(ONE, (t, n) => t.mul(r2).neg().div(BF.int((2 * n - 1) * (2 * n))));
  return { s, c };
}
function reduce(x: BF): { r: BF; q: number } {
  const k = Math.round(x.approx() / (Math.PI / 2));
  const r = x.sub(HALF_PI.mul(BF.int(k)));
  return { r, q: ((k % 4) + 4) % 4 };
}
export function sin(x: BF): BF {
  const { r, q } = reduce(x), { s, c } = sinCosReduced(r);
  return q === 0 ? s : q === 1 ? c : q === 2 ? s.neg() : c.neg();
}
export function cos(x: BF): BF {
  const { r, q } = reduce(x), { s, c } = sinCosReduced(r);
  return q === 0 ? c : q === 1 ? s.neg() : q === 2 ? c.neg() : s;
}
export function atan(x: BF): BF {
  if (x.sign() < 0) return atan(x.neg()).neg();
  if (x.m === 0n) return ZERO;
  if (x.approx() > 1) return HALF_PI.sub(atan(ONE.div(x)));
  // two halvings: |y| <= tan(pi/16) ~ 0.2
  let y = x;
  for (let i = 0; i < 2; i++) y = y.div(ONE.add(ONE.add(y.mul(y)).sqrt()));
  const y2 = y.mul(y);
  return series(y, (t, n) => t.mul(y2).neg().mul(BF.int(2 * n - 1)).div(BF.int(2 * n + 1))).mul2(2);
}
export function tanh(x: BF): BF {
  if (x.sign() < 0) return tanh(x.neg()).neg();
  if (x.m === 0n) return ZERO;
  if (x.approx() < 1) { const e = expm1(x.mul2(1)); return e.div(e.add(BF.int(2))); }
  const e = exp(x.mul2(1).neg());
  return ONE.sub(e).div(ONE.add(e));
}
export function sigmoid(x: BF): BF {
  if (x.sign() >= 0) return ONE.div(ONE.add(exp(x.neg())));
  const e = exp(x);
  return e.div(ONE.add(e));
}
export function softplus(x: BF): BF {
  const ax = x.sign() < 0 ? x.neg() : x;
  const l = log1p(exp(ax.neg()));
  return x.sign() > 0 ? x.add(l) : l;
}
/** erf by A&S 7.1.6 for |x| < 6.5 (terms of one sign); +-1 beyond, where erfc < 4e-20, below 1e-3 ulp of 1. */
export function erf(x: BF): BF {
  if (x.sign() < 0) return erf(x.neg()).neg();
  if (x.m === 0n) return ZERO;
  if (x.approx() >= 6.5) return ONE;
  const x2 = x.mul(x);
  const s = series(x, (t, n) => t.mul(x2).mul2(1).div(BF.int(2 * n + 1)));
  return s.mul(exp(x2.neg())).mul2(1).div(PI.sqrt());
}

/** One float64 ulp at v: the spacing of doubles at |v| (2^-1074 among subnormals). */
export function ulp64(v: number): number {
  const a = Math.abs(v);
  if (a === 0) return 2 ** -1074;
  let e = Math.floor(Math.log2(a));
  if (2 ** e > a) e--; else if (2 ** (e + 1) <= a) e++;
  return 2 ** Math.max(e - 52, -1074);
}
/** |got - ref| in ulps of ref's binade (got a double, ref high precision); Infinity when got is not finite. */
export function ulpError(got: number, ref: BF): number {
  if (!Number.isFinite(got)) return Infinity;
  const d = BF.of(got).sub(ref);
  const r = ref.approx();
  return Math.abs(d.approx()) / ulp64(r === 0 ? got : r);
}
