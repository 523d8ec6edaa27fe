// L-BFGS (Nocedal & Wright, Numerical Optimization, 2nd ed.: algorithm 7.4 for the two-loop recursion, 7.5 for the
// method) with a strong-Wolfe line search (algorithms 3.5 and 3.6, trial steps by cubic interpolation, eq. 3.59).
//
// The model stays float32; the optimizer works on one flat float64 copy of all variables: the iterate x, the
// gradient, the direction and the (s, y) history are Float64Arrays, and every evaluation writes x rounded to
// float32 into the variables, runs the loss on a tape and reads the float32 gradient back into float64. Keeping x
// in float64 means that steps smaller than a float32 ulp still accumulate.
//
// Near a minimum a float32 loss changes by less than its own rounding noise, so the sufficient-decrease test of
// the line search fails at random and L-BFGS stops early. Where the loss can no longer tell, the slope still can:
// a step is also accepted when it satisfies Hager & Zhang's approximate Wolfe conditions (SIAM J. Optim. 16(1),
// 2005, eq. 4.1 with the strong curvature test): the loss is within `lossNoise` (relative) of the start, the
// directional derivative has not grown past (1 - 2 c1) |phi'(0)| (the derivative form of sufficient decrease, exact
// for a quadratic) and the curvature condition holds. Set lossNoise to 0 for the plain strong-Wolfe search.
//
// minimize() runs a whole optimization (up to maxIterations iterations) and returns the final loss; the history is
// kept between calls on the same variables, so calling it again continues where it stopped (reset() forgets it).
import { floats } from "../backend.js";
import { core } from "../backend.js";
import { ArgumentError, GradtapeError } from "../errors.js";
import type { Variable } from "../variable.js";
import { checkVariables, checkNumber, checkInteger, lossAndGradients, type LossFn, type MinimizeOptions } from "./optimizer.js";

/** Why minimize() stopped. */
export type LBFGSStopReason =
  | "gradient"           // max |g| <= gradientTolerance
  | "loss-change"        // |f_k - f_{k+1}| <= lossTolerance * max(|f_k|, |f_{k+1}|)
  | "step"               // max |x_{k+1} - x_k| <= stepTolerance
  | "max-iterations"
  | "max-evaluations"
  | "line-search-failed" // no decrease along the direction, even along -g
  | "callback"           // onIteration returned false
  | "non-finite";        // the loss or the gradient at the starting point is NaN or infinite

export interface LBFGSIteration {
  /** iterations done in this minimize() call (1 after the first) */
  iteration: number;
  /** the loss after this iteration */
  loss: number;
  /** max |gradient| after this iteration */
  gradientNorm: number;
  /** the step length the line search accepted (along the quasi-Newton direction) */
  step: number;
  /** loss evaluations in this minimize() call so far */
  evaluations: number;
}

export interface LBFGSResult {
  loss: number;
  iterations: number;
  evaluations: number;
  gradientNorm: number;
  reason: LBFGSStopReason;
  /** true when stopped by a tolerance (gradient, loss-change, step) */
  converged: boolean;
}

export interface LBFGSOptions {
  /** scales the first trial step of every line search (default 1; the step of the first iteration is also capped by 1/sum|g|) */
  learningRate?: number;
  /** number of (s, y) pairs kept (default 50) */
  historySize?: number;
  /** iterations per minimize() call (default 100) */
  maxIterations?: number;
  /** loss evaluations per minimize() call, line searches included (default 1.25 * maxIterations, rounded up) */
  maxEvaluations?: number;
  /** stop when max |gradient| <= this (default 1e-7) */
  gradientTolerance?: number;
  /** stop when the relative loss change |f_k - f_{k+1}| / max(|f_k|, |f_{k+1}|) <= this (default 1e-9) */
  lossTolerance?: number;
  /** stop when max |x_{k+1} - x_k| <= this (default 1e-9) */
  stepTolerance?: number;
  /** "strongWolfe" (default) or "none" (a fixed step of learningRate along the direction) */
  lineSearch?: "strongWolfe" | "none";
  /** sufficient-decrease constant of the Wolfe conditions (default 1e-4) */
  c1?: number;
  /** curvature constant of the strong Wolfe conditions (default 0.9) */
  c2?: number;
  /** loss evaluations per line search (default 25) */
  maxLineSearch?: number;
  /**
   * relative rounding noise of the loss: within it, a step that satisfies the approximate Wolfe conditions is
   * accepted even without a measurable decrease (default 1e-6, a float32 loss summed in float64; 0 disables)
   */
  lossNoise?: number;
  /** called after every iteration; return false to stop */
  onIteration?: (info: LBFGSIteration) => void | boolean;
}

interface Point { t: number; f: number; g: Float64Array; gtd: number; approx?: boolean }

const dot = (a: Float64Array, b: Float64Array): number => { let s = 0; for (let i = 0; i < a.length; i++) s += a[i] * b[i]; return s; };
/** max |a_i| (Infinity when an element is NaN) */
const maxAbs = (a: Float64Array): number => {
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

export class LBFGS {
  readonly learningRate: number;
  readonly historySize: number;
  readonly maxIterations: number;
  readonly maxEvaluations: number;
  readonly gradientTolerance: number;
  readonly lossTolerance: number;
  readonly stepTolerance: number;
  readonly lineSearch: "strongWolfe" | "none";
  readonly c1: number;
  readonly c2: number;
  readonly maxLineSearch: number;
  readonly lossNoise: number;
  onIteration?: (info: LBFGSIteration) => void | boolean;
  /** what the last minimize() call did */
  result: LBFGSResult | null = null;
  /** iterations over all minimize() calls since construction or reset() */
  iterations = 0;

  // state kept between calls
  #vars: Variable[] = [];
  #x: Float64Array | null = null;
  #S: Float64Array[] = [];
  #Y: Float64Array[] = [];
  #rho: number[] = [];
  #spare: Float64Array[] = []; // recycled history vectors

  constructor(options: LBFGSOptions = {}) {
    const op = "LBFGS";
    this.learningRate = checkNumber(op, "learningRate", options.learningRate ?? 1, 0);
    if (this.learningRate === 0) throw new ArgumentError(`${op}: learningRate must be > 0.`);
    this.historySize = checkInteger(op, "historySize", options.historySize ?? 50, 1);
    this.maxIterations = checkInteger(op, "maxIterations", options.maxIterations ?? 100, 0);
    this.maxEvaluations = checkInteger(op, "maxEvaluations", options.maxEvaluations ?? Math.ceil(this.maxIterations * 1.25), 1);
    this.gradientTolerance = checkNumber(op, "gradientTolerance", options.gradientTolerance ?? 1e-7, 0);
    this.lossTolerance = checkNumber(op, "lossTolerance", options.lossTolerance ?? 1e-9, 0);
    this.stepTolerance = checkNumber(op, "stepTolerance", options.stepTolerance ?? 1e-9, 0);
    const ls = options.lineSearch ?? "strongWolfe";
    if (ls !== "strongWolfe" && ls !== "none") throw new ArgumentError(`${op}: lineSearch must be "strongWolfe" or "none", but got ${JSON.stringify(ls)}.`);
    this.lineSearch = ls;
    this.c1 = checkNumber(op, "c1", options.c1 ?? 1e-4, 0, 1, true);
    this.c2 = checkNumber(op, "c2", options.c2 ?? 0.9, 0, 1, true);
    if (!(this.c1 > 0 && this.c1 < this.c2)) throw new ArgumentError(`${op}: the Wolfe constants need 0 < c1 < c2 < 1, but got c1 = ${this.c1}, c2 = ${this.c2}.`);
    this.maxLineSearch = checkInteger(op, "maxLineSearch", options.maxLineSearch ?? 25, 1);
    this.lossNoise = checkNumber(op, "lossNoise", options.lossNoise ?? 1e-6, 0, 1);
    if (options.onIteration !== undefined && typeof options.onIteration !== "function") throw new ArgumentError(`${op}: onIteration must be a function.`);
    this.onIteration = options.onIteration;
  }

  /** Forgets the curvature history (the next minimize() starts with a steepest-descent step). */
  reset(): void {
    this.#clearHistory();
    this.#vars = []; this.#x = null; this.iterations = 0; this.result = null;
  }

  /** The number of (s, y) pairs currently held. */
  get historyLength(): number { return this.#S.length; }

  /**
   * Minimizes lossFn over `variables` (watched explicitly, trainable or not) for up to maxIterations iterations
   * and returns the final loss as a number; the variables hold the final point. Details in `result`.
   */
  minimize(lossFn: LossFn, variables: readonly Variable[], options: MinimizeOptions = {}): number {
    const op = "LBFGS.minimize";
    const compile = options.jit === true;
    const vars = checkVariables(op, variables);
    const sizes = vars.map((v) => v.size);
    const n = sizes.reduce((a, b) => a + b, 0);
    if (vars.length !== this.#vars.length || vars.some((v, i) => v !== this.#vars[i])) {
      this.#clearHistory();
      this.#vars = vars.slice();
      this.#x = null;
    }
    // x: keep the float64 iterate when the variables still hold it (rounded), else read them
    const x = this.#x !== null && this.#x.length === n && this.#matches(this.#x) ? this.#x : this.#read(n);
    this.#x = x;

    let evaluations = 0;
    const evaluate = (at: Float64Array): { f: number; g: Float64Array } => {
      this.#write(at);
      evaluations++;
      const { loss, grads } = lossAndGradients(op, lossFn, vars, compile);
      const g = new Float64Array(n);
      let off = 0;
      grads.forEach((gr, i) => {
        if (gr !== null) { g.set(gr.data(), off); gr.dispose(); }
        off += sizes[i];
      });
      return { f: Number.isNaN(loss) ? Infinity : loss, g };
    };

    let { f, g } = evaluate(x);
    let gnorm = maxAbs(g);
    let iterations = 0;
    let reason: LBFGSStopReason | null = null;
    const d = new Float64Array(n);
    const xt = new Float64Array(n);
    if (!Number.isFinite(f) || !Number.isFinite(gnorm)) reason = "non-finite";
    else if (gnorm <= this.gradientTolerance) reason = "gradient";

    while (reason === null) {
      if (iterations >= this.maxIterations) { reason = "max-iterations"; break; }
      if (evaluations >= this.maxEvaluations) { reason = "max-evaluations"; break; }
      const fresh = this.#S.length === 0;
      this.#direction(g, d);
      let gtd = dot(g, d);
      if (!(gtd < 0)) { // not a descent direction (rounding in the history): restart from steepest descent
        this.#clearHistory();
        for (let i = 0; i < n; i++) d[i] = -g[i];
        gtd = dot(g, d);
        if (!(gtd < 0)) { reason = "gradient"; break; }
      }
      let t = this.learningRate;
      if (fresh || this.#S.length === 0) { let l1 = 0; for (let i = 0; i < n; i++) l1 += Math.abs(g[i]); t = Math.min(1, 1 / l1) * this.learningRate; }

      const phi = (step: number): Point => {
        for (let i = 0; i < n; i++) xt[i] = x[i] + step * d[i];
        const r = evaluate(xt);
        return { t: step, f: r.f, g: r.g, gtd: dot(r.g, d) };
      };
      let p: Point;
      if (this.lineSearch === "none") p = phi(t);
      else p = this.#strongWolfe(phi, t, d, { t: 0, f, g, gtd }, () => evaluations >= this.maxEvaluations);

      // strong Wolfe: accept a decrease (or an approximate-Wolfe step within the noise); fixed step ("none"): accept
      // any finite loss
      if (!(p.t > 0) || !(this.lineSearch === "none" ? Number.isFinite(p.f) : p.f <= f || p.approx === true)) {
        // no decrease: retry once along -g without history, else give up
        if (this.#S.length > 0) { this.#clearHistory(); this.#write(x); continue; }
        this.#write(x);
        reason = evaluations >= this.maxEvaluations ? "max-evaluations" : "line-search-failed";
        break;
      }
      // accept x + t d, update the history with s = t d, y = g_new - g
      const s = this.#vector(n), y = this.#vector(n);
      let smax = 0;
      for (let i = 0; i < n; i++) {
        s[i] = p.t * d[i];
        y[i] = p.g[i] - g[i];
        x[i] += s[i];
        const a = Math.abs(s[i]); if (a > smax) smax = a;
      }
      this.#write(x);
      const ys = dot(y, s), yy = dot(y, y);
      if (ys > 1e-10 * yy && ys > 0) {
        if (this.#S.length === this.historySize) {
          this.#spare.push(this.#S.shift()!, this.#Y.shift()!);
          this.#rho.shift();
        }
        this.#S.push(s); this.#Y.push(y); this.#rho.push(1 / ys);
      } else {
        this.#spare.push(s, y);
      }
      const fPrev = f;
      f = p.f; g = p.g; gnorm = maxAbs(g);
      iterations++;
      this.iterations++;
      if (this.onIteration && this.onIteration({ iteration: iterations, loss: f, gradientNorm: gnorm, step: p.t, evaluations }) === false) reason = "callback";
      else if (gnorm <= this.gradientTolerance) reason = "gradient";
      // (after a step accepted within the loss's noise, the loss change says nothing: only the other tests apply)
      else if (!p.approx && Math.abs(fPrev - f) <= this.lossTolerance * Math.max(Math.abs(fPrev), Math.abs(f))) reason = "loss-change";
      else if (smax <= this.stepTolerance) reason = "step";
    }
    this.result = {
      loss: f, iterations, evaluations, gradientNorm: gnorm, reason,
      converged: reason === "gradient" || reason === "loss-change" || reason === "step",
    };
    return f;
  }

  /** d = -H g by the two-loop recursion (H0 = (s.y / y.y) I from the newest pair). */
  #direction(g: Float64Array, d: Float64Array): void {
    const n = g.length, k = this.#S.length;
    for (let i = 0; i < n; i++) d[i] = -g[i];
    if (k === 0) return;
    const alpha = new Array<number>(k);
    for (let j = k - 1; j >= 0; j--) {
      const s = this.#S[j], y = this.#Y[j];
      const a = this.#rho[j] * dot(s, d);
      alpha[j] = a;
      for (let i = 0; i < n; i++) d[i] -= a * y[i];
    }
    const sl = this.#S[k - 1], yl = this.#Y[k - 1];
    const gamma = dot(sl, yl) / dot(yl, yl);
    for (let i = 0; i < n; i++) d[i] *= gamma;
    for (let j = 0; j < k; j++) {
      const s = this.#S[j], y = this.#Y[j];
      const b = this.#rho[j] * dot(y, d);
      const c = alpha[j] - b;
      for (let i = 0; i < n; i++) d[i] += c * s[i];
    }
  }

  /**
   * A step length satisfying the strong Wolfe conditions (Nocedal & Wright algorithm 3.5, with zoom = 3.6): a
   * bracketing phase that extrapolates by cubic interpolation (to at most 10 times the step), then a zoom phase
   * that interpolates inside the bracket, with a safeguard against steps too close to its ends. Returns the best
   * point that satisfies sufficient decrease (t = 0, the start, when none was found).
   */
  #strongWolfe(phi: (t: number) => Point, t0: number, d: Float64Array, start: Point, outOfBudget: () => boolean): Point {
    const { c1, c2 } = this;
    const f0 = start.f, gtd0 = start.gtd;
    const dNorm = maxAbs(d);
    const armijo = (p: Point) => p.f <= f0 + c1 * p.t * gtd0;
    const curvature = (p: Point) => Math.abs(p.gtd) <= -c2 * gtd0;
    // Hager-Zhang's approximate Wolfe point (see the file's header); marks p so that the caller accepts it
    const noise = this.lossNoise * Math.abs(f0);
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
      if (evals >= this.maxLineSearch || outOfBudget()) return cur; // sufficient decrease holds: accept it
      const next = cubicMinimizer(prev.t, prev.f, prev.gtd, cur.t, cur.f, cur.gtd, cur.t + 0.01 * (cur.t - prev.t), cur.t * 10);
      prev = cur;
      cur = phi(next);
      evals++;
    }
    // zoom: lo satisfies sufficient decrease and has the lowest loss so far; the minimizer lies between lo and hi
    let insufficient = false;
    while (evals < this.maxLineSearch && !outOfBudget()) {
      if (Math.abs(hi.t - lo.t) * dNorm < this.stepTolerance) break;
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

  #clearHistory(): void {
    this.#spare.push(...this.#S, ...this.#Y);
    this.#S = []; this.#Y = []; this.#rho = [];
  }

  #vector(n: number): Float64Array {
    const v = this.#spare.pop();
    return v !== undefined && v.length === n ? v : new Float64Array(n);
  }

  /** The variables' values as one float64 vector. */
  #read(n: number): Float64Array {
    const x = new Float64Array(n);
    let off = 0;
    for (const v of this.#vars) { x.set(v.data(), off); off += v.size; }
    return x;
  }

  /** Whether the variables hold x rounded to float32 (then x, with its extra precision, is still the iterate). */
  #matches(x: Float64Array): boolean {
    let off = 0;
    for (const v of this.#vars) {
      const d = v.data();
      for (let i = 0; i < d.length; i++) if (d[i] !== Math.fround(x[off + i])) return false;
      off += d.length;
    }
    return true;
  }

  /** Writes x (rounded to float32) into the variables' storage, bumping their versions. */
  #write(x: Float64Array): void {
    const c = core();
    let off = 0;
    for (const v of this.#vars) {
      const h = v.handleFor("LBFGS.minimize", v.name);
      const n = v.size;
      if (n > 0) {
        const ptr = c.tensorDataPtr(h);
        if (ptr === 0) throw new GradtapeError(`LBFGS.minimize: variable ${v.name} is not contiguous in memory; it cannot be updated in place.`);
        floats(ptr, n).set(x.subarray(off, off + n));
      }
      c.tensorBumpVersion(h);
      off += n;
    }
  }
}
