// The line search of L-BFGS: a step length along a descent direction that satisfies the strong Wolfe conditions
// (Nocedal & Wright, Numerical Optimization, 2nd ed., algorithms 3.5 and 3.6, trial steps by cubic interpolation,
// eq. 3.59), or Hager & Zhang's approximate Wolfe conditions where the loss no longer resolves its own decrease
// (SIAM J. Optim. 16(1), 2005, eq. 4.1 with the strong curvature test). See lbfgs.ts for why the latter matters
// for float32 losses.

/** A trial point: step t, loss f, gradient g, directional derivative gtd = g.d; approx marks an approximate-Wolfe step. */
export interface Point { t: number; f: number; g: Float64Array; gtd: number; approx?: boolean; terms?: number[] }

export const dot = (a: Float64Array, b: Float64Array): number => { let s = 0; for (let i = 0; i < a.length; i++) s += a[i] * b[i]; return s; };

/** max |a_i| (Infinity when an element is NaN) */
export const maxAbs = (a: Float64Array): number => {
  let m = 0;
  for (let i = 0; i < a.length; i++) { const v = Math.abs(a[i]); if (!(v <= m)) m = Number.isNaN(v) ? Infinity : v; }
  return m;
};

/**
 * The minimizer of the cubic through (x1, f1, g1) and (x2, f2, g2) (Nocedal & Wright eq. 3.59), clamped to
 * [lo, hi] (default: the interval between x1 and x2); the midpoint when the cubic has no minimizer there.
 */
export function cubicMinimizer(x1: number, f1: number, g1: number, x2: number, f2: number, g2: number, lo?: number, hi?: number): number {
  const a = lo ?? Math.min(x1, x2), b = hi ?? Math.max(x1, x2);
  const d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2);
  const d2sq = d1 * d1 - g1 * g2;
  if (d2sq >= 0) {
    const d2 = Math.sqrt(d2sq);
    const t = x1 <= x2 ? x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
      : x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2));
    if (Number.isFinite(t)) return Math.min(Math.max(t, a), b);
  }
  return (a + b) / 2;
}

/** The constants of the search (the LBFGS options of the same names). */
export interface SearchSettings { c1: number; c2: number; lossNoise: number; maxLineSearch: number; stepTolerance: number }

/**
 * A step length satisfying the strong Wolfe conditions (Nocedal & Wright algorithm 3.5, with zoom = 3.6): a
 * bracketing phase that extrapolates by cubic interpolation (to at most 10 times the step), then a zoom phase
 * that interpolates inside the bracket, with a safeguard against steps too close to its ends. Returns the best
 * point that satisfies sufficient decrease (t = 0, the start, when none was found).
 */
export function strongWolfe(s: SearchSettings, phi: (t: number) => Point, t0: number, d: Float64Array, start: Point, outOfBudget: () => boolean): Point {
  const { c1, c2 } = s;
  const f0 = start.f, gtd0 = start.gtd;
  const dNorm = maxAbs(d);
  const armijo = (p: Point) => p.f <= f0 + c1 * p.t * gtd0;
  const curvature = (p: Point) => Math.abs(p.gtd) <= -c2 * gtd0;
  // Hager-Zhang's approximate Wolfe point; marks p so that the caller accepts it
  const noise = s.lossNoise * Math.abs(f0);
  const approx = (p: Point): boolean => {
    const ok = noise > 0 && Number.isFinite(p.f) && p.f <= f0 + noise && p.gtd <= -(1 - 2 * c1) * gtd0 && curvature(p);
    if (ok) p.approx = true;
    return ok;
  };
  let prev = start;
  let cur = phi(t0);
  let evals = 1;
  let lo: Point, hi: Point;
  // bracketing
  for (;;) {
    if (!armijo(cur) && approx(cur)) return cur;
    if (!armijo(cur) || (evals > 1 && cur.f >= prev.f)) { lo = prev; hi = cur; break; }
    if (curvature(cur)) return cur;
    if (cur.gtd >= 0) { lo = cur; hi = prev; break; }
    if (evals >= s.maxLineSearch || outOfBudget()) return cur; // sufficient decrease holds: accept it
    const next = cubicMinimizer(prev.t, prev.f, prev.gtd, cur.t, cur.f, cur.gtd, cur.t + 0.01 * (cur.t - prev.t), cur.t * 10);
    prev = cur;
    cur = phi(next);
    evals++;
  }
  // zoom: lo satisfies sufficient decrease and has the lowest loss so far; the minimizer lies between lo and hi
  let insufficient = false;
  while (evals < s.maxLineSearch && !outOfBudget()) {
    if (Math.abs(hi.t - lo.t) * dNorm < s.stepTolerance) break;
    const a = Math.min(lo.t, hi.t), b = Math.max(lo.t, hi.t);
    let t = cubicMinimizer(lo.t, lo.f, lo.gtd, hi.t, hi.f, hi.gtd);
    const eps = 0.1 * (b - a);
    if (Math.min(b - t, t - a) < eps) { // too close to an end: move it inside (after two such steps in a row)
      if (insufficient || t >= b || t <= a) {
        t = Math.abs(t - b) < Math.abs(t - a) ? b - eps : a + eps;
        insufficient = false;
      } else insufficient = true;
    } else insufficient = false;
    const p = phi(t);
    evals++;
    if (!armijo(p) && approx(p)) return p;
    if (!armijo(p) || p.f >= lo.f) hi = p;
    else {
      if (curvature(p)) return p;
      if (p.gtd * (hi.t - lo.t) >= 0) hi = lo;
      lo = p;
    }
  }
  return lo;
}
