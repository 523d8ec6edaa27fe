// What pinn.train does between steps for adaptive collocation (adaptive-sampling.ts) and causal training
// (causal.ts), and what of them a checkpoint holds: one object train.ts creates from the options (or the problem's
// defaults), asks after every step, reads for progress and the result, and disposes.
import type { DType } from "../errors.js";
import { releaseCompiled } from "../optim/optimizer.js";
import type { Tensor } from "../tensor.js";
import type { Net } from "./derivatives.js";
import type { Problem } from "./problem.js";
import type { TermOptions } from "./terms.js";
import { AdaptiveSampler, adaptiveSettings, type AdaptiveMethod, type AdaptiveOptions, type AdaptiveState } from "./adaptive-sampling.js";
import { CausalWeights, causalSettings, type CausalOptions, type CausalState } from "./causal.js";
import { CheckpointError } from "./checkpoint.js";
import type { BalancingState } from "./balancing.js";

export interface RemedyOptions {
  /** adaptive collocation: "rad", "rar", "rar-d" or { method, every, candidates, k, c, add, seed }; false: none */
  adaptive?: AdaptiveMethod | AdaptiveOptions | false;
  /** causal training (time-dependent problems): true or { time, slices, eps, delta, every }; false: none */
  causal?: boolean | CausalOptions;
}

/** What a checkpoint holds of them: the settings (checked on resume) and their state. */
export interface RemedyState {
  settings: string;
  adaptive?: AdaptiveState;
  causal?: CausalState;
  /** loss balancing (balancing.ts; held here so that one checkpoint field carries every run-time scheme) */
  balancing?: BalancingState;
}

export interface RemedyReport {
  /** adaptive collocation: resamples so far and the current number of collocation points */
  adaptive?: { resamples: number; points: number };
  /** causal training: the smallest causal weight and eps in use */
  causal?: { minWeight: number; eps: number };
}

interface RunData { collocation: Tensor; columns: Record<string, Tensor> }

export class Remedies {
  readonly sampler: AdaptiveSampler | null;
  readonly causal: CausalWeights | null;
  readonly #settings: string;

  constructor(readonly problem: Problem, options: RemedyOptions, seed: number, collocationPoints: number, readonly dtype: DType = "float32") {
    const a = options.adaptive !== undefined ? options.adaptive : problem.defaults.adaptive;
    const c = options.causal !== undefined ? options.causal : problem.defaults.causal;
    const as = a === undefined || a === false ? null : adaptiveSettings(a, seed, problem.name, collocationPoints);
    const cs = c === undefined || c === false ? null : causalSettings(c, problem);
    this.sampler = as ? new AdaptiveSampler(as) : null;
    this.causal = cs ? new CausalWeights(cs, problem.name, dtype) : null;
    this.#settings = JSON.stringify({ adaptive: as, causal: cs });
  }

  get active(): boolean { return this.sampler !== null || this.causal !== null; }

  /** The options the loss terms need (the causal residual term). */
  termOptions(): Pick<TermOptions, "residualLoss"> {
    const c = this.causal;
    return c ? { residualLoss: (r) => c.residualLoss(r) } : {};
  }

  /** Right after the points are drawn: the causal slices of them (the loss can be evaluated from then on). */
  prepare(data: RunData): void { this.causal?.setPoints(data.collocation.data(), this.problem.vars.length, this.dtype); }

  /** Before the first step: the causal slices of the points and the weights at the initial network. */
  start(data: RunData, net: Net, topts: TermOptions, resumed: boolean): void {
    if (!this.causal) return;
    this.causal.setPoints(data.collocation.data(), this.problem.vars.length, this.dtype);
    if (!resumed) this.causal.update(this.problem, net, data.collocation, topts, 0);
  }

  /**
   * After global step `step` (its update applied): resamples when due, updates the causal weights when due (Adam
   * only). Returns true when the collocation points changed (L-BFGS must then restart with a fresh memory).
   */
  afterStep(phase: "adam" | "lbfgs", step: number, data: RunData, net: Net, topts: TermOptions, lossFn: object | null): boolean {
    let moved = false;
    const s = this.sampler;
    if (s?.due(step)) {
      const pts = s.draw(this.problem, net, data.collocation.data(), topts, this.dtype);
      // the compiled loss holds the old point tensors: release it before they go (it is traced again on the next call)
      if (lossFn) releaseCompiled(lossFn as () => Tensor);
      s.install(data, this.problem.vars, pts);
      this.causal?.setPoints(data.collocation.data(), this.problem.vars.length, this.dtype);
      moved = true;
    }
    const c = this.causal;
    if (c && (moved || (phase === "adam" && step % c.settings.every === 0))) c.update(this.problem, net, data.collocation, topts, step);
    return moved;
  }

  report(data: RunData): RemedyReport {
    return {
      ...(this.sampler ? { adaptive: { resamples: this.sampler.resamples, points: data.collocation.shape[0] } } : {}),
      ...(this.causal ? { causal: { minWeight: this.causal.minWeight, eps: this.causal.eps } } : {}),
    };
  }

  state(data: RunData): RemedyState {
    return { settings: this.#settings, ...(this.sampler ? { adaptive: this.sampler.state(data.collocation) } : {}), ...(this.causal ? { causal: this.causal.state() } : {}) };
  }

  /** Puts a checkpoint's state back (its settings must be this run's). */
  restore(s: RemedyState | undefined, data: RunData, source: string): void {
    if (!this.active && s === undefined) return;
    const theirs = s?.settings ?? JSON.stringify({ adaptive: null, causal: null });
    if (theirs !== this.#settings) {
      throw new CheckpointError(`cannot resume from ${source}: its adaptive-collocation and causal settings are ${theirs} but this run's are ${this.#settings}; resume with the options it was trained with.`);
    }
    if (this.sampler && s?.adaptive) { this.sampler.restore(s.adaptive); this.sampler.install(data, this.problem.vars, s.adaptive.points); }
    if (this.causal && s?.causal) this.causal.restore(s.causal);
  }

  dispose(): void { this.sampler?.dispose(); this.causal?.dispose(); }
}
