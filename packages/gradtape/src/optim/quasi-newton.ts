// What L-BFGS (lbfgs.ts) and the dense BFGS family (bfgs.ts) share: the options of the run and its line search,
// the flat float64 iterate over all variables, the loop of Nocedal & Wright's algorithm 6.1 / 7.5 (direction
// d = -H g, a strong-Wolfe or approximate-Wolfe step along it, the curvature pair s = x_{k+1} - x_k,
// y = g_{k+1} - g_k), the stopping tests and the capture of a call in progress for checkpoints. The subclasses
// differ only in H: a CurvatureModel (the two-loop recursion over m pairs, or a dense packed matrix in the core).
//
// The model stays float32 (or float64); the optimizer works on one flat float64 copy of all variables: the iterate x,
// the gradient and the direction are Float64Arrays, and every evaluation writes x rounded to float32 into float32
// variables (exactly into float64 ones), runs the loss on a tape and reads the gradient back into float64. Keeping x in float64 means
// that steps smaller than a float32 ulp still accumulate.
//
// Near a minimum a float32 loss changes by less than its own rounding noise, so the sufficient-decrease test of
// the line search fails at random and the method stops early. Where the loss can no longer tell, the slope still
// can: a step is also accepted when it satisfies Hager & Zhang's approximate Wolfe conditions (lbfgs-search.ts).
import { floats, doubles, core } from "../backend.js";
import { ArgumentError, GradtapeError } from "../errors.js";
import type { Variable } from "../variable.js";
import { checkVariables, checkNumber, checkInteger, lossAndGradients, type LossFn, type MinimizeOptions } from "./optimizer.js";
import { strongWolfe, dot, maxAbs, type Point, type SearchSettings } from "./lbfgs-search.js";
import type { LBFGSRunState, LBFGSPending } from "./state.js";
import type { LBFGSStopReason, LBFGSResult, LBFGSOptions, LBFGSIteration } from "./lbfgs-options.js";

/** The inverse-Hessian approximation H of a quasi-Newton method. */
export interface CurvatureModel {
  /** how many curvature pairs H holds (0: H is the identity, the next step is a scaled steepest-descent step) */
  readonly length: number;
  /** d = -H g */
  direction(g: Float64Array, d: Float64Array): void;
  /** forgets every pair (H back to the identity) */
  clear(): void;
  /** a vector of length n for the next pair (recycled when the model can) */
  vector(n: number): Float64Array;
  /**
   * takes the pair s = t d, y = gNew - gOld of an accepted step (or refuses it when y.s is not safely positive);
   * gOld is the gradient where the step started, gNew where it ended, t the step length along d
   */
  push(s: Float64Array, y: Float64Array, gOld: Float64Array, t: number, gNew: Float64Array): void;
}

/**
 * The first trial step of a line search (before that, of a call's first iteration: min(1, 1/sum|g|)):
 * "unit": t = 1, the quasi-Newton step itself (Nocedal & Wright, section 6.1);
 * "last-decrease": t = min(1, 1.01 * 2 (f_k - f_{k-1}) / g'd), the step that would repeat the last iteration's
 * decrease if the loss were quadratic along d (Nocedal & Wright eq. 3.60), or 1 after a step that did not decrease
 * the loss measurably (an approximate-Wolfe step). Where H overestimates the step (PINN losses under SSBroyden: the
 * unit step failed sufficient decrease in 142 of 300 Burgers iterations, each then costing a second evaluation), it
 * starts nearer the step the search ends at.
 */
export type InitialStep = "unit" | "last-decrease";
export const INITIAL_STEPS: readonly InitialStep[] = ["unit", "last-decrease"];

/** The options the quasi-Newton methods share (everything in LBFGSOptions but historySize). */
export type QuasiNewtonOptions = Omit<LBFGSOptions, "historySize">;

export abstract class QuasiNewton implements SearchSettings {
  readonly learningRate: number;
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
  readonly initialStep: InitialStep;
  onIteration?: (info: LBFGSIteration) => void | boolean;
  /** what the last minimize() call did */
  result: LBFGSResult | null = null;
  /** iterations over all minimize() calls since construction or reset() */
  iterations = 0;

  // state kept between calls
  protected vars: Variable[] = [];
  protected x: Float64Array | null = null;
  /** the call in progress while onIteration runs (what getState() captures) */
  protected live: LBFGSRunState | null = null;
  /** a call to continue, from setState() */
  protected resume: LBFGSRunState | null = null;
  protected abstract readonly model: CurvatureModel;

  constructor(protected readonly kind: string, options: QuasiNewtonOptions) {
    const op = kind;
    this.learningRate = checkNumber(op, "learningRate", options.learningRate ?? 1, 0);
    if (this.learningRate === 0) throw new ArgumentError(`${op}: learningRate must be > 0.`);
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
    const first = options.initialStep ?? "unit";
    if (!INITIAL_STEPS.includes(first)) throw new ArgumentError(`${op}: initialStep must be ${INITIAL_STEPS.map((v) => JSON.stringify(v)).join(" or ")}, but got ${JSON.stringify(first)}.`);
    this.initialStep = first;
    if (options.onIteration !== undefined && typeof options.onIteration !== "function") throw new ArgumentError(`${op}: onIteration must be a function.`);
    this.onIteration = options.onIteration;
  }

  /** Forgets the curvature information (the next minimize() starts with a steepest-descent step). */
  reset(): void {
    this.model.clear();
    this.vars = []; this.x = null; this.iterations = 0; this.result = null; this.resume = null;
  }

  /** Called by minimize() with the variables' total size before anything else (a model sized by n checks it here). */
  protected prepare(_op: string, _n: number): void {}

  /**
   * Minimizes lossFn over `variables` (watched explicitly, trainable or not) for up to maxIterations iterations
   * and returns the final loss as a number; the variables hold the final point. Details in `result`.
   */
  minimize(lossFn: LossFn, variables: readonly Variable[], options: MinimizeOptions = {}): number {
    const op = `${this.kind}.minimize`;
    const compile = options.jit === true;
    const vars = checkVariables(op, variables);
    const sizes = vars.map((v) => v.size);
    const n = sizes.reduce((a, b) => a + b, 0);
    this.prepare(op, n);
    if (vars.length !== this.vars.length || vars.some((v, i) => v !== this.vars[i])) {
      this.model.clear();
      this.vars = vars.slice();
      this.x = null;
      this.resume = null;
    }
    // x: keep the float64 iterate when the variables still hold it (rounded), else read them
    const x = this.x !== null && this.x.length === n && this.matches(this.x) ? this.x : this.read(n);
    const resume = x === this.x ? this.resume : null;
    this.resume = null;
    this.x = x;

    let evaluations = resume?.evaluations ?? 0;
    const evaluate = (at: Float64Array): { f: number; g: Float64Array; terms: number[] } => {
      this.write(at);
      evaluations++;
      const { loss, grads, terms } = lossAndGradients(op, lossFn, vars, compile);
      const g = new Float64Array(n);
      let off = 0;
      grads.forEach((gr, i) => {
        if (gr !== null) { g.set(gr.data(), off); gr.dispose(); }
        off += sizes[i];
      });
      return { f: Number.isNaN(loss) ? Infinity : loss, g, terms };
    };

    let f: number, g: Float64Array, terms: number[], iterations: number;
    let reason: LBFGSStopReason | null = null;
    if (resume !== null) {
      // continue the captured call: its point, and the stopping tests its last iteration had still to make
      ({ f, g, terms, iterations } = resume);
      g = g.slice();
      if (resume.pending) reason = this.stopTest(resume.pending, f, maxAbs(g));
    } else {
      ({ f, g, terms } = evaluate(x));
      iterations = 0;
    }
    let gnorm = maxAbs(g);
    // the loss before the last accepted step, and whether that step decreased it measurably (initialStep)
    let fPrev = resume?.pending ? resume.pending.fPrev : NaN;
    let decreased = resume?.pending ? !resume.pending.approx : false;
    const d = new Float64Array(n);
    const xt = new Float64Array(n);
    if (resume === null) {
      if (!Number.isFinite(f) || !Number.isFinite(gnorm)) reason = "non-finite";
      else if (gnorm <= this.gradientTolerance) reason = "gradient";
    }

    const model = this.model;
    while (reason === null) {
      if (iterations >= this.maxIterations) { reason = "max-iterations"; break; }
      if (evaluations >= this.maxEvaluations) { reason = "max-evaluations"; break; }
      const fresh = model.length === 0;
      model.direction(g, d);
      let gtd = dot(g, d);
      if (!(gtd < 0)) { // not a descent direction (rounding in the model): restart from steepest descent
        model.clear();
        for (let i = 0; i < n; i++) d[i] = -g[i];
        gtd = dot(g, d);
        if (!(gtd < 0)) { reason = "gradient"; break; }
      }
      let t = this.learningRate;
      if (fresh || model.length === 0) { let l1 = 0; for (let i = 0; i < n; i++) l1 += Math.abs(g[i]); t = Math.min(1, 1 / l1) * this.learningRate; }
      else if (this.initialStep === "last-decrease" && decreased) {
        const guess = 2.02 * (f - fPrev) / gtd; // 1.01 x 2 (f_k - f_k-1) / g'd
        if (guess > 0 && Number.isFinite(guess)) t = Math.min(1, guess) * this.learningRate;
      }

      const phi = (step: number): Point => {
        for (let i = 0; i < n; i++) xt[i] = x[i] + step * d[i];
        const r = evaluate(xt);
        return { t: step, f: r.f, g: r.g, gtd: dot(r.g, d), terms: r.terms };
      };
      let p: Point;
      if (this.lineSearch === "none") p = phi(t);
      else p = strongWolfe(this, phi, t, d, { t: 0, f, g, gtd, terms }, () => evaluations >= this.maxEvaluations);

      // strong Wolfe: accept a decrease (or an approximate-Wolfe step within the noise); fixed step ("none"): accept
      // any finite loss
      if (!(p.t > 0) || !(this.lineSearch === "none" ? Number.isFinite(p.f) : p.f <= f || p.approx === true)) {
        // no decrease: retry once along -g without curvature information, else give up
        if (model.length > 0) { model.clear(); this.write(x); continue; }
        this.write(x);
        reason = evaluations >= this.maxEvaluations ? "max-evaluations" : "line-search-failed";
        break;
      }
      // accept x + t d, update the model with s = t d, y = g_new - g
      const s = model.vector(n), y = model.vector(n);
      let smax = 0;
      for (let i = 0; i < n; i++) {
        s[i] = p.t * d[i];
        y[i] = p.g[i] - g[i];
        x[i] += s[i];
        const a = Math.abs(s[i]); if (a > smax) smax = a;
      }
      this.write(x);
      model.push(s, y, g, p.t, p.g);
      const pending: LBFGSPending = { fPrev: f, approx: p.approx === true, smax };
      fPrev = f; decreased = !pending.approx;
      f = p.f; g = p.g; gnorm = maxAbs(g); terms = p.terms ?? [];
      iterations++;
      this.iterations++;
      this.live = { iterations, evaluations, f, terms, g, pending };
      try {
        if (this.onIteration && this.onIteration({ iteration: iterations, loss: f, terms, gradientNorm: gnorm, step: p.t, evaluations, lineSearchEvaluations: evaluations - 1 }) === false) reason = "callback";
        else reason = this.stopTest(pending, f, gnorm);
      } finally { this.live = null; }
    }
    this.result = {
      // every evaluation but the one at the starting point (of the call, or of the call a checkpoint resumed) is a
      // line search's
      loss: f, iterations, evaluations, lineSearchEvaluations: Math.max(0, evaluations - 1), gradientNorm: gnorm, reason,
      converged: reason === "gradient" || reason === "loss-change" || reason === "step",
    };
    return f;
  }

  /** The stopping tests after an iteration that went from loss fPrev to f. */
  protected stopTest(p: LBFGSPending, f: number, gnorm: number): LBFGSStopReason | null {
    if (gnorm <= this.gradientTolerance) return "gradient";
    // (after a step accepted within the loss's noise, the loss change says nothing: only the other tests apply)
    if (!p.approx && Math.abs(p.fPrev - f) <= this.lossTolerance * Math.max(Math.abs(p.fPrev), Math.abs(f))) return "loss-change";
    if (p.smax <= this.stepTolerance) return "step";
    return null;
  }

  /** The variables' values as one float64 vector. */
  protected read(n: number): Float64Array {
    const x = new Float64Array(n);
    let off = 0;
    for (const v of this.vars) { x.set(v.data(), off); off += v.size; }
    return x;
  }

  /** Whether the variables hold x rounded to their dtype (then x, with its extra precision, is still the iterate). */
  protected matches(x: Float64Array): boolean {
    let off = 0;
    for (const v of this.vars) {
      const d = v.data();
      const round = v.dtype === "float64" ? (u: number) => u : Math.fround;
      for (let i = 0; i < d.length; i++) if (d[i] !== round(x[off + i])) return false;
      off += d.length;
    }
    return true;
  }

  /** Writes x (rounded to float32 for float32 variables, exactly for float64 ones) into the variables' storage, bumping their versions. */
  protected write(x: Float64Array): void {
    const c = core();
    let off = 0;
    for (const v of this.vars) {
      const h = v.handleFor(`${this.kind}.minimize`, v.name);
      const n = v.size;
      if (n > 0) {
        const ptr = c.tensorDataPtr(h);
        if (ptr === 0) throw new GradtapeError(`${this.kind}.minimize: variable ${v.name} is not contiguous in memory; it cannot be updated in place.`);
        (v.dtype === "float64" ? doubles : floats)(ptr, n).set(x.subarray(off, off + n));
      }
      c.tensorBumpVersion(h);
      off += n;
    }
  }
}
