// Second-order forward-mode automatic differentiation in float64 ("jets" / hyper-dual numbers):
// a Jet carries a value v, its gradient g (length n) and its Hessian H (n x n, row-major) with
// respect to n independent variables. Every operation applies the chain rule exactly, so the
// derivatives are exact up to float64 rounding (no step size): the non-finite-difference reference.
//
// Chain rules used:
//   unary  y = f(a):    g = f' ga,                H = f' Ha + f'' ga gaT
//   binary y = f(a, b): g = fa ga + fb gb,
//                       H = fa Ha + fb Hb + faa ga gaT + fab (ga gbT + gb gaT) + fbb gb gbT
// where fa = df/da, fab = d2f/dadb, and so on, evaluated at (a.v, b.v).

import * as S from "./scalar.js";

export class Jet {
  constructor(
    readonly v: number,
    readonly g: Float64Array,
    readonly h: Float64Array,
  ) {
    if (h.length !== g.length * g.length) throw new Error(`Jet: Hessian has ${h.length} entries for ${g.length} variables`);
  }
  get n(): number {
    return this.g.length;
  }
  /** d2 v / dx_i dx_j */
  hess(i: number, j: number): number {
    return this.h[i * this.g.length + j];
  }
  gradient(): number[] {
    return Array.from(this.g);
  }
  hessian(): number[][] {
    const n = this.n;
    return Array.from({ length: n }, (_, i) => Array.from(this.h.subarray(i * n, (i + 1) * n)));
  }
}

export type JetLike = Jet | number;

/** The i-th of n independent variables, with value `value`. */
export function variable(value: number, i: number, n: number): Jet {
  const g = new Float64Array(n);
  g[i] = 1;
  return new Jet(value, g, new Float64Array(n * n));
}

/** Independent variables x_0 .. x_{n-1} with the given values. */
export function variables(values: readonly number[]): Jet[] {
  return values.map((v, i) => variable(v, i, values.length));
}

export function constant(value: number, n: number): Jet {
  return new Jet(value, new Float64Array(n), new Float64Array(n * n));
}

function lift(a: JetLike, n: number): Jet {
  return typeof a === "number" ? constant(a, n) : a;
}

function arity(a: JetLike, b: JetLike): number {
  if (typeof a !== "number") return a.n;
  if (typeof b !== "number") return b.n;
  throw new Error("dual: at least one operand must be a Jet");
}

function isConstant(a: Jet): boolean {
  return a.g.every((x) => x === 0) && a.h.every((x) => x === 0);
}

/** y = f(a) given f(a.v), f'(a.v), f''(a.v). */
export function chain1(a: Jet, f0: number, f1: number, f2: number): Jet {
  const n = a.n;
  const g = new Float64Array(n);
  const h = new Float64Array(n * n);
  for (let i = 0; i < n; i++) g[i] = f1 * a.g[i];
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const k = i * n + j;
      // skip the terms whose factor is exactly zero, so 0 * Infinity cannot make a NaN
      h[k] = (f1 === 0 ? 0 : f1 * a.h[k]) + (f2 === 0 ? 0 : f2 * (a.g[i] * a.g[j])); // (g_i g_j) first: H stays exactly symmetric
    }
  }
  return new Jet(f0, g, h);
}

/** y = f(a, b) given the value and the partial derivatives up to second order. */
export function chain2(a: Jet, b: Jet, f0: number, fa: number, fb: number, faa: number, fab: number, fbb: number): Jet {
  const n = a.n;
  if (b.n !== n) throw new Error(`dual: operands have ${a.n} and ${b.n} variables`);
  const g = new Float64Array(n);
  const h = new Float64Array(n * n);
  const t = (c: number, x: number): number => (c === 0 ? 0 : c * x);
  for (let i = 0; i < n; i++) g[i] = t(fa, a.g[i]) + t(fb, b.g[i]);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const k = i * n + j;
      h[k] =
        t(fa, a.h[k]) + t(fb, b.h[k]) +
        t(faa, a.g[i] * a.g[j]) + t(fab, a.g[i] * b.g[j] + b.g[i] * a.g[j]) + t(fbb, b.g[i] * b.g[j]);
    }
  }
  return new Jet(f0, g, h);
}

// ---------------------------------------------------------------- unary

export const neg = (a: Jet): Jet => chain1(a, S.neg(a.v), -1, 0);
// d|x|/dx = sign(x) (0 at 0, as TensorFlow); second derivative 0 away from the kink.
export const abs = (a: Jet): Jet => chain1(a, S.abs(a.v), Math.sign(a.v), 0);
export function exp(a: Jet): Jet {
  const e = S.exp(a.v);
  return chain1(a, e, e, e);
}
export const log = (a: Jet): Jet => chain1(a, S.log(a.v), 1 / a.v, -1 / (a.v * a.v));
export function sqrt(a: Jet): Jet {
  const s = S.sqrt(a.v);
  return chain1(a, s, 0.5 / s, -0.25 / (s * s * s));
}
export const square = (a: Jet): Jet => chain1(a, S.square(a.v), 2 * a.v, 2);
export const reciprocal = (a: Jet): Jet => chain1(a, S.reciprocal(a.v), -1 / (a.v * a.v), 2 / (a.v * a.v * a.v));
export const sin = (a: Jet): Jet => chain1(a, S.sin(a.v), Math.cos(a.v), -Math.sin(a.v));
export const cos = (a: Jet): Jet => chain1(a, S.cos(a.v), -Math.sin(a.v), -Math.cos(a.v));
export function tanh(a: Jet): Jet {
  const t = S.tanh(a.v);
  const d = 1 - t * t;
  return chain1(a, t, d, -2 * t * d);
}
export function sigmoid(a: Jet): Jet {
  const s = S.sigmoid(a.v);
  const d = s * (1 - s);
  return chain1(a, s, d, d * (1 - 2 * s));
}
export const relu = (a: Jet): Jet => chain1(a, S.relu(a.v), a.v > 0 ? 1 : a.v === a.v ? 0 : NaN, 0);
export function softplus(a: Jet): Jet {
  const s = S.sigmoid(a.v);
  return chain1(a, S.softplus(a.v), s, s * (1 - s));
}

// ---------------------------------------------------------------- binary (numbers are constants)

export function add(a: JetLike, b: JetLike): Jet {
  const n = arity(a, b);
  const [x, y] = [lift(a, n), lift(b, n)];
  return chain2(x, y, S.add(x.v, y.v), 1, 1, 0, 0, 0);
}
export function sub(a: JetLike, b: JetLike): Jet {
  const n = arity(a, b);
  const [x, y] = [lift(a, n), lift(b, n)];
  return chain2(x, y, S.sub(x.v, y.v), 1, -1, 0, 0, 0);
}
export function mul(a: JetLike, b: JetLike): Jet {
  const n = arity(a, b);
  const [x, y] = [lift(a, n), lift(b, n)];
  return chain2(x, y, S.mul(x.v, y.v), y.v, x.v, 0, 1, 0);
}
export function div(a: JetLike, b: JetLike): Jet {
  const n = arity(a, b);
  const [x, y] = [lift(a, n), lift(b, n)];
  const r = 1 / y.v;
  return chain2(x, y, S.div(x.v, y.v), r, -x.v * r * r, 0, -r * r, 2 * x.v * r * r * r);
}
/** a^b. With a constant exponent only the a-derivatives are used, so a may be negative. */
export function pow(a: JetLike, b: JetLike): Jet {
  const n = arity(a, b);
  const [x, y] = [lift(a, n), lift(b, n)];
  const p = y.v;
  const v = S.pow(x.v, p);
  const fa = p * S.pow(x.v, p - 1);
  const faa = p * (p - 1) * S.pow(x.v, p - 2);
  if (isConstant(y)) return chain1(x, v, fa, faa);
  const la = Math.log(x.v);
  const fb = v * la;
  const fab = S.pow(x.v, p - 1) * (1 + p * la);
  const fbb = v * la * la;
  if (isConstant(x)) return chain1(y, v, fb, fbb);
  return chain2(x, y, v, fa, fb, faa, fab, fbb);
}
/** max(a, b): the derivative follows the larger operand (a on ties); NaN propagates. */
export function maximum(a: JetLike, b: JetLike): Jet {
  const n = arity(a, b);
  const [x, y] = [lift(a, n), lift(b, n)];
  if (x.v !== x.v || y.v !== y.v) return constant(NaN, n);
  return x.v >= y.v ? x : y;
}
/** min(a, b): the derivative follows the smaller operand (a on ties); NaN propagates. */
export function minimum(a: JetLike, b: JetLike): Jet {
  const n = arity(a, b);
  const [x, y] = [lift(a, n), lift(b, n)];
  if (x.v !== x.v || y.v !== y.v) return constant(NaN, n);
  return x.v <= y.v ? x : y;
}

/** c + sum_i coeffs[i] * xs[i]: one dense-layer pre-activation, in one pass. */
export function affine(xs: readonly Jet[], coeffs: readonly number[], c: number): Jet {
  if (xs.length === 0) throw new Error("affine: no terms");
  if (xs.length !== coeffs.length) throw new Error(`affine: ${xs.length} terms, ${coeffs.length} coefficients`);
  const n = xs[0].n;
  let v = c;
  const g = new Float64Array(n);
  const h = new Float64Array(n * n);
  for (let t = 0; t < xs.length; t++) {
    const w = coeffs[t];
    const x = xs[t];
    v += w * x.v;
    for (let i = 0; i < n; i++) g[i] += w * x.g[i];
    for (let k = 0; k < n * n; k++) h[k] += w * x.h[k];
  }
  return new Jet(v, g, h);
}

export const UNARY_JET: Record<S.UnaryName, (a: Jet) => Jet> = {
  neg, abs, exp, log, sqrt, square, reciprocal, sin, cos, tanh, sigmoid, relu, softplus,
};
export const BINARY_JET: Record<S.BinaryName, (a: JetLike, b: JetLike) => Jet> = {
  add, sub, mul, div, pow, maximum, minimum,
};

/** f, f', f'' of a unary op at x, exactly (through a one-variable jet). */
export function unaryDerivatives(name: S.UnaryName, x: number): [number, number, number] {
  const y = UNARY_JET[name](variable(x, 0, 1));
  return [y.v, y.g[0], y.h[0]];
}
