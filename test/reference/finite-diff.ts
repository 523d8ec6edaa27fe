// Central finite differences of float64 functions. They are only ever applied to the float64
// reference (never to gradtape), so their error is that of the formula plus float64 rounding.
//
// Step sizes and expected accuracy (eps = 2.2e-16, f of order |f|, derivatives of order 1):
// - first order, central (f(x+h) - f(x-h)) / 2h with h = 1e-5 * max(1, |x_i|):
//     truncation  h^2 |f'''| / 6       ~ 2e-11 |f'''|
//     rounding    eps |f| / h          ~ 2e-11 |f|
//   so about 10 correct significant digits: absolute error <~ 1e-10 * (|f| + |f'''|).
// - second order, h = 1e-4 * max(1, |x_i|) (about eps^(1/4), which balances the two terms):
//     diagonal  (f(x+h) - 2 f(x) + f(x-h)) / h^2
//     mixed     (f(++) - f(+-) - f(-+) + f(--)) / (4 h_i h_j)
//     truncation  h^2 |f''''| / 12     ~ 1e-9 |f''''|
//     rounding    4 eps |f| / h^2      ~ 1e-7 |f|
//   so about 7 correct digits: absolute error <~ 1e-7 * (|f| + |f''''|). `roundingScale` below turns
//   that into a tolerance floor for callers.
// Steps are made exactly representable by the usual trick h' = (x + h) - x.

export type ScalarFn = (x: Float64Array) => number;
export type VectorFn = (x: Float64Array) => ArrayLike<number>;

export const H_FIRST = 1e-5;
export const H_SECOND = 1e-4;

function step(xi: number, h0: number): number {
  const h = h0 * Math.max(1, Math.abs(xi));
  return xi + h - xi; // exactly representable
}

function shifted(x: Float64Array, moves: [number, number][]): Float64Array {
  const y = x.slice();
  for (const [i, d] of moves) y[i] += d;
  return y;
}

/** Gradient of f: R^n -> R by central differences. */
export function gradient(f: ScalarFn, x0: ArrayLike<number>, h0 = H_FIRST): Float64Array {
  const x = Float64Array.from(x0);
  const g = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const h = step(x[i], h0);
    g[i] = (f(shifted(x, [[i, h]])) - f(shifted(x, [[i, -h]]))) / (2 * h);
  }
  return g;
}

/** Jacobian J[r][i] = d f_r / d x_i of f: R^n -> R^m by central differences. */
export function jacobian(f: VectorFn, x0: ArrayLike<number>, h0 = H_FIRST): number[][] {
  const x = Float64Array.from(x0);
  const m = f(x).length;
  const J = Array.from({ length: m }, () => new Array<number>(x.length).fill(0));
  for (let i = 0; i < x.length; i++) {
    const h = step(x[i], h0);
    const fp = f(shifted(x, [[i, h]]));
    const fm = f(shifted(x, [[i, -h]]));
    for (let r = 0; r < m; r++) J[r][i] = (fp[r] - fm[r]) / (2 * h);
  }
  return J;
}

/** Hessian H[i][j] of f: R^n -> R: 3-point formula on the diagonal, 4-point mixed formula off it. */
export function hessian(f: ScalarFn, x0: ArrayLike<number>, h0 = H_SECOND): number[][] {
  const x = Float64Array.from(x0);
  const n = x.length;
  const H = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  const f0 = f(x);
  const hs = Array.from(x, (xi) => step(xi, h0));
  for (let i = 0; i < n; i++) {
    const h = hs[i];
    H[i][i] = (f(shifted(x, [[i, h]])) - 2 * f0 + f(shifted(x, [[i, -h]]))) / (h * h);
    for (let j = 0; j < i; j++) {
      const k = hs[j];
      const v =
        (f(shifted(x, [[i, h], [j, k]])) -
          f(shifted(x, [[i, h], [j, -k]])) -
          f(shifted(x, [[i, -h], [j, k]])) +
          f(shifted(x, [[i, -h], [j, -k]]))) /
        (4 * h * k);
      H[i][j] = v;
      H[j][i] = v;
    }
  }
  return H;
}

/**
 * Hessian-vector product H v of f: R^n -> R without forming H: component j is the mixed second
 * difference along v and e_j, (f(x+sv+he_j) - f(x+sv-he_j) - f(x-sv+he_j) + f(x-sv-he_j)) / (4 s h).
 * This is the derivative along v of the gradient, i.e. the gradient of <grad f, v>: exactly what a
 * nested-tape "gradient of the gradient contracted with v" computes. Same accuracy as `hessian`.
 */
export function hessianVector(f: ScalarFn, x0: ArrayLike<number>, v0: ArrayLike<number>, h0 = H_SECOND): Float64Array {
  const x = Float64Array.from(x0);
  const v = Float64Array.from(v0);
  const n = x.length;
  const out = new Float64Array(n);
  let vmax = 0;
  let xmax = 0;
  for (let i = 0; i < n; i++) {
    vmax = Math.max(vmax, Math.abs(v[i]));
    xmax = Math.max(xmax, Math.abs(x[i]));
  }
  if (vmax === 0) return out;
  const s = (h0 * Math.max(1, xmax)) / vmax;
  const plus = x.map((xi, i) => xi + s * v[i]);
  const minus = x.map((xi, i) => xi - s * v[i]);
  for (let j = 0; j < n; j++) {
    const h = step(x[j], h0);
    const pp = plus.slice(); pp[j] += h;
    const pm = plus.slice(); pm[j] -= h;
    const mp = minus.slice(); mp[j] += h;
    const mm = minus.slice(); mm[j] -= h;
    out[j] = (f(pp) - f(pm) - f(mp) + f(mm)) / (4 * s * h);
  }
  return out;
}

/** Second derivative of a scalar function of one variable (3-point formula). */
export function secondDerivative1(f: (x: number) => number, x: number, h0 = H_SECOND): number {
  const h = step(x, h0);
  return (f(x + h) - 2 * f(x) + f(x - h)) / (h * h);
}

/** First derivative of a scalar function of one variable (central). */
export function derivative1(f: (x: number) => number, x: number, h0 = H_FIRST): number {
  const h = step(x, h0);
  return (f(x + h) - f(x - h)) / (2 * h);
}

/**
 * An absolute error bound for the formulas above, given `fScale`, the magnitude of the terms that
 * make up f (e.g. sum |w_i y_i| for f = sum w_i y_i), with a 10x safety margin over the rounding
 * estimate. Truncation is not included: callers keep it small by staying away from kinks.
 */
export function roundingScale(order: 1 | 2, fScale: number): number {
  const eps = 2.220446049250313e-16;
  return order === 1 ? (10 * eps * fScale) / H_FIRST : (10 * 4 * eps * fScale) / (H_SECOND * H_SECOND);
}

/**
 * Ridders' extrapolation of central differences (Numerical Recipes' dfridr): the derivative at 0 of g, from
 * central differences at h, h/1.4, h/1.4^2, ... combined by Neville's polynomial extrapolation in h^2, stopping
 * when the error estimate grows. For the smooth functions of the float64 op table this gives ~12-13 correct
 * digits (the float64 checks' budget is 1e-11 relative), where a single central difference gives ~10.
 * Returns the estimate and its error estimate.
 */
export function ridders(g: (t: number) => number, h: number): { d: number; err: number } {
  const CON = 1.4, CON2 = CON * CON, NTAB = 12, SAFE = 2;
  const a: number[][] = Array.from({ length: NTAB }, () => new Array<number>(NTAB).fill(0));
  a[0][0] = (g(h) - g(-h)) / (2 * h);
  let err = Infinity, d = a[0][0];
  for (let i = 1; i < NTAB; i++) {
    h /= CON;
    a[0][i] = (g(h) - g(-h)) / (2 * h);
    let fac = CON2;
    for (let j = 1; j <= i; j++) {
      a[j][i] = (a[j - 1][i] * fac - a[j - 1][i - 1]) / (fac - 1);
      fac *= CON2;
      const e = Math.max(Math.abs(a[j][i] - a[j - 1][i]), Math.abs(a[j][i] - a[j - 1][i - 1]));
      if (e <= err) { err = e; d = a[j][i]; }
    }
    if (Math.abs(a[i][i] - a[i - 1][i - 1]) >= SAFE * err) break;
  }
  return { d, err };
}

/** Gradient of f by Ridders' method per component (initial step h0 max(1, |x_i|)). */
export function gradientRidders(f: ScalarFn, x0: ArrayLike<number>, h0 = 1e-2): Float64Array {
  const x = Float64Array.from(x0);
  return Float64Array.from(x, (xi, i) => ridders((t) => f(shifted(x, [[i, t]])), h0 * Math.max(1, Math.abs(xi))).d);
}

/** Hessian-vector product: Ridders' derivative along v of the Ridders gradient (~8-9 digits). */
export function hessianVectorRidders(f: ScalarFn, x0: ArrayLike<number>, v0: ArrayLike<number>, h0 = 1e-2): Float64Array {
  const x = Float64Array.from(x0), v = Float64Array.from(v0);
  const n = x.length, out = new Float64Array(n);
  let vmax = 0, xmax = 0;
  for (let i = 0; i < n; i++) { vmax = Math.max(vmax, Math.abs(v[i])); xmax = Math.max(xmax, Math.abs(x[i])); }
  if (vmax === 0) return out;
  const s = (h0 * Math.max(1, xmax)) / vmax;
  for (let j = 0; j < n; j++) {
    const gj = (t: number) => {
      const y = x.map((xi, i) => xi + t * v[i]);
      return ridders((u) => f(shifted(y, [[j, u]])), 1e-3 * Math.max(1, Math.abs(y[j]))).d;
    };
    out[j] = ridders(gj, s).d;
  }
  return out;
}
