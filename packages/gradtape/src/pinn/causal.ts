// Causal training for time-dependent problems: Wang, Sankaran & Perdikaris (2022), "Respecting causality is all
// you need for training physics-informed neural networks", eqs. 2.11-2.13 (and jaxpi's implementation):
// the time interval is cut into M equal slices, L_i is the mean squared residual over the collocation points in
// slice i, and the residual term becomes
//
//   L_r = (1/M) sum_i w_i L_i,   w_i = exp(-eps sum_{j<i} L_j)   (w_1 = 1; the weights carry no gradient),
//
// so a later time is trained only once the residual before it is small. With a list of eps (their annealing:
// [1e-2, 1e-1, 1, 10, 100]) eps moves to the next value when min_i w_i exceeds delta (0.99).
//
// The weights are a non-trainable Variable set between steps from a forward evaluation of the residual at the
// current weights (every `every` Adam steps; 1 = the paper's formula exactly, at the cost of one forward pass of
// the residual per step, compiled with jit like the loss: Allen-Cahn's 8,000 points on 4x64 tanh, about +40% per
// Adam step). gradtape has no stop-gradient op, and a Variable read by the loss is what a compiled
// (jit) loss sees change between calls. As with loss balancing, the L-BFGS phase keeps the weights fixed (one
// objective for its line searches and curvature pairs).
import type { DType } from "../errors.js";
import { Variable, variable } from "../variable.js";
import { fromFlat, tensor, type Tensor } from "../tensor.js";
import { keep, tidy } from "../memory.js";
import { matMul, square, sum, mul, add } from "../ops.js";
import { jit, type Jitted } from "../jit.js";
import { ArgumentError, describe } from "../errors.js";
import { pointResiduals } from "./residuals.js";
import type { Net } from "./derivatives.js";
import type { Problem } from "./problem.js";
import type { TermOptions } from "./terms.js";

/** Bad causal-training options, or causal training asked of a problem without a time variable. */
export class CausalTrainingError extends ArgumentError {}

export interface CausalOptions {
  /** the time variable (default "t") */
  time?: string;
  /** number of time slices M (default 32) */
  slices?: number;
  /** causality parameter eps, or an increasing list of them to anneal through (default 1) */
  eps?: number | number[];
  /** with a list of eps: move to the next when the smallest weight exceeds delta (default 0.99) */
  delta?: number;
  /** Adam steps between weight updates (default 1) */
  every?: number;
}

export interface CausalSettings { time: string; index: number; slices: number; eps: number[]; delta: number; every: number; lo: number; hi: number }
/** What a checkpoint holds: the eps in use and the weights. */
export interface CausalState { epsIndex: number; weights: number[] }

export function causalSettings(spec: unknown, problem: Problem): CausalSettings {
  const where = `pinn.train '${problem.name}': causal`;
  const o = (spec === true ? {} : spec) as CausalOptions | null;
  if (o === null || typeof o !== "object" || Array.isArray(o)) throw new CausalTrainingError(`${where} must be true or { time, slices, eps, delta, every }, but got ${describe(spec)}.`);
  const known = ["time", "slices", "eps", "delta", "every"];
  for (const k of Object.keys(o)) if (!known.includes(k)) throw new CausalTrainingError(`${where} has an unknown option '${k}'; the options are ${known.join(", ")}.`);
  const time = o.time ?? "t";
  const index = problem.vars.indexOf(time);
  if (typeof time !== "string" || index < 0) {
    throw new CausalTrainingError(`${where} weighs the residual by time, but problem '${problem.name}' has no time variable ${describe(time)} (its variables: ${problem.vars.join(", ")}); ` +
      `name the time variable with causal: { time: "..." }, or train without causal for a steady problem.`);
  }
  const slices = o.slices ?? 32;
  if (!Number.isInteger(slices) || slices < 2 || slices > 4096) throw new CausalTrainingError(`${where}.slices must be an integer in [2, 4096] (time slices), but got ${describe(o.slices)}.`);
  const eps = Array.isArray(o.eps) ? o.eps : [o.eps ?? 1];
  if (eps.length === 0 || !eps.every((e) => typeof e === "number" && Number.isFinite(e) && e > 0) || eps.some((e, i) => i > 0 && !(e > eps[i - 1]))) {
    throw new CausalTrainingError(`${where}.eps must be a number > 0 or an increasing list of them (e.g. [0.01, 0.1, 1, 10, 100]), but got ${describe(o.eps)}.`);
  }
  const delta = o.delta ?? 0.99;
  if (typeof delta !== "number" || !(delta > 0 && delta < 1)) throw new CausalTrainingError(`${where}.delta must be a number in (0, 1), but got ${describe(o.delta)}.`);
  const every = o.every ?? 1;
  if (!Number.isInteger(every) || every < 1) throw new CausalTrainingError(`${where}.every must be an integer >= 1 (Adam steps between weight updates), but got ${describe(o.every)}.`);
  return { time, index, slices, eps: eps.slice(), delta, every, lo: problem.lo[index], hi: problem.hi[index] };
}

/** The slice of each time value: floor(M (t - lo) / (hi - lo)), the last slice closed at hi. */
export function sliceIndex(t: number, s: Pick<CausalSettings, "slices" | "lo" | "hi">): number {
  return Math.min(s.slices - 1, Math.max(0, Math.floor((s.slices * (t - s.lo)) / (s.hi - s.lo))));
}

/** w_i = exp(-eps sum_{j<i} L_j) in float64. */
export function causalWeightsOf(sliceLosses: ArrayLike<number>, eps: number): number[] {
  const w: number[] = [];
  let acc = 0;
  for (let i = 0; i < sliceLosses.length; i++) { w.push(Math.exp(-eps * acc)); acc += sliceLosses[i]; }
  return w;
}

export class CausalWeights {
  readonly settings: CausalSettings;
  /** the weights [1, M], read by the loss */
  readonly weights: Variable;
  epsIndex = 0;
  #w: number[];
  #avg: Tensor | null = null;
  #slices: Jitted<[Tensor], Tensor> | null = null;
  /** each record of the smallest weight and eps: [step, min weight, eps] */
  readonly history: [number, number, number][] = [];

  constructor(settings: CausalSettings, problemName: string, dtype: DType = "float32") {
    this.settings = settings;
    this.#w = new Array(settings.slices).fill(1);
    this.weights = variable([this.#w], false, `${problemName}/causal_weights`, dtype);
  }

  get eps(): number { return this.settings.eps[this.epsIndex]; }
  get minWeight(): number { return Math.min(...this.#w); }
  values(): number[] { return this.#w.slice(); }

  /** Sets the slice-averaging matrix for collocation points (rows of d): A[p, i] = 1/n_i when point p is in slice i. */
  setPoints(points: Float32Array | Float64Array, d: number, dtype: DType = "float32"): void {
    const M = this.settings.slices, n = points.length / d;
    const slice = new Int32Array(n), count = new Float64Array(M);
    for (let p = 0; p < n; p++) { slice[p] = sliceIndex(points[p * d + this.settings.index], this.settings); count[slice[p]]++; }
    const a = new Float64Array(n * M);
    for (let p = 0; p < n; p++) a[p * M + slice[p]] = 1 / count[slice[p]];
    const prev = this.#avg;
    this.#avg = tidy(() => keep(fromFlat(a, [n, M], dtype, "pinn.train")));
    // the compiled slice losses hold the old matrix: compiled again on the next use
    this.#slices?.dispose(); this.#slices = null;
    prev?.dispose();
  }

  /** The causal residual term of one equation's residual r [N, 1]: (1/M) sum_i w_i L_i (call inside the loss). */
  residualLoss(r: Tensor): Tensor {
    const L = matMul(square(r), this.#avg!, true, false); // [1, M]: the mean of r^2 in each slice
    return mul(sum(mul(L, this.weights)), 1 / this.settings.slices);
  }

  /**
   * The slice losses L_i now: the mean of r^2 over the points of each slice (every equation of a system added), by
   * the same slice-averaging product as the loss, compiled with jit (the points it was set for: setPoints()).
   */
  sliceLosses(problem: Problem, net: Net, points: Tensor, options: TermOptions): Float64Array {
    this.#slices ??= jit((X: Tensor) => {
      const r2 = pointResiduals(problem, net, X, options).map((r) => square(r)).reduce((a, b) => add(a, b));
      return matMul(r2, this.#avg!, true, false);
    });
    const f = this.#slices;
    return Float64Array.from(tidy(() => f(points).data()));
  }

  /** Recomputes the weights at the network now (advancing eps while the smallest weight exceeds delta); returns min w. */
  update(problem: Problem, net: Net, points: Tensor, options: TermOptions, step: number): number {
    const L = this.sliceLosses(problem, net, points, options);
    let w = causalWeightsOf(L, this.eps);
    while (Math.min(...w) > this.settings.delta && this.epsIndex < this.settings.eps.length - 1) { this.epsIndex++; w = causalWeightsOf(L, this.eps); }
    this.set(w);
    this.history.push([step, this.minWeight, this.eps]);
    return this.minWeight;
  }

  set(w: number[]): void {
    // the weights as the loss sees them: rounded to the run's dtype
    const f64 = this.weights.dtype === "float64";
    this.#w = f64 ? w.slice() : Array.from(Float32Array.from(w));
    tidy(() => { this.weights.assign(f64 ? tensor([this.#w], undefined, "float64") : [this.#w]); });
  }

  state(): CausalState { return { epsIndex: this.epsIndex, weights: this.#w.slice() }; }
  restore(s: CausalState): void {
    if (!Number.isInteger(s.epsIndex) || s.epsIndex < 0 || s.epsIndex >= this.settings.eps.length || s.weights.length !== this.settings.slices) {
      throw new CausalTrainingError(`pinn.train: the checkpoint's causal state (eps index ${s.epsIndex}, ${s.weights.length} weights) does not fit this run's causal settings (${this.settings.eps.length} eps values, ${this.settings.slices} slices); resume with the causal options it was trained with.`);
    }
    this.epsIndex = s.epsIndex;
    this.set(s.weights);
  }

  dispose(): void { this.weights.dispose(); this.#slices?.dispose(); this.#slices = null; this.#avg?.dispose(); this.#avg = null; }
}
