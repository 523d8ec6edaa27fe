// Loss balancing: per-term weights of the PINN loss L = sum_i w_i L_i (terms.ts), set from the statistics of each
// term's gradient with respect to the network's weights theta, updated every `every` Adam steps with a moving
// average w_i <- alpha w_i + (1 - alpha) w_hat_i (L-BFGS then runs with the weights fixed: it needs one objective).
//
// "lr-annealing": Wang, Teng & Perdikaris (2021), "Understanding and mitigating gradient flow pathologies in
//   physics-informed neural networks", Algorithm 1: the residual terms keep weight 1; every other term gets
//     w_hat_i = max_theta |grad L_r| / mean_theta |grad L_i|,
//   so that no term's gradient is dwarfed by the residual's. alpha = 0.9 as in their published code (the paper's
//   text writes the same average with the roles of alpha and 1 - alpha exchanged).
// "grad-norm": Wang, Wang, Sankaran & Perdikaris (2023), "An expert's guide to training physics-informed neural
//   networks", section 3.2 (jaxpi's "grad_norm"): every term, the residual included, gets
//     w_hat_i = (sum_j ||grad L_j||_2) / ||grad L_i||_2,
//   which makes the weighted terms' gradient norms equal. alpha = 0.9 (theirs).
// "ntk": Wang, Yu & Perdikaris (2022), "When and why PINNs fail to train: a neural tangent kernel perspective":
//     w_hat_i = (sum_j tr K_j) / tr K_i,
//   each term's NTK trace estimated from per-point gradient norms on a subsample of `points` points (ntk.ts).
//
// Each update costs one forward pass and one reverse pass per term (a persistent tape), every `every` steps.
import { scalar, type Tensor } from "../tensor.js";
import { Variable, variable } from "../variable.js";
import { GradientTape } from "../tape.js";
import { tidy } from "../memory.js";
import { abs, max, sum, square, add } from "../ops.js";
import { ArgumentError, describe } from "../errors.js";
import { termValues } from "./terms.js";
import type { Rng } from "./sampling.js";
import { CheckpointError } from "./checkpoint.js";

/** What a checkpoint holds of a balancer: its settings (checked on resume), weights, history and NTK generator. */
export interface BalancingState { settings: string; weights: Record<string, number>; history: Record<string, [number, number][]>; rng: number[] | null }

export type BalancingScheme = "lr-annealing" | "grad-norm" | "ntk";
export const BALANCING_SCHEMES: readonly BalancingScheme[] = ["lr-annealing", "grad-norm", "ntk"];

export interface BalancingOptions {
  scheme: BalancingScheme;
  /** Adam steps between weight updates (default 10 for lr-annealing, 100 for grad-norm) */
  every?: number;
  /** moving-average factor, the weight kept from the old value (default 0.9) */
  alpha?: number;
  /** ntk: points per term in the subsample the NTK traces are estimated on (default 64) */
  points?: number;
}

const isResidual = (name: string) => /^residual\d*$/.test(name);

export class LossBalancer {
  readonly scheme: BalancingScheme;
  readonly every: number;
  readonly alpha: number;
  /** ntk: the subsample size per term */
  readonly points: number;
  /** ntk: the per-term NTK trace estimates at the weights now (set by pinn.train, ntk.ts) */
  traces: (() => Record<string, number>) | null = null;
  /** ntk: the generator of the subsamples (pinn.train's; checkpointed with the weights) */
  rng: Rng | null = null;
  readonly names: readonly string[];
  /** the weights as scalar Variables (not trainable), read by the loss on every evaluation */
  readonly weights: Readonly<Record<string, Variable>>;
  /** each term's weight after every update: [step, weight] pairs */
  readonly history: Record<string, [number, number][]> = {};
  #w: Record<string, number> = {};

  constructor(spec: BalancingScheme | BalancingOptions, names: readonly string[], problemName: string, dtype: "float32" | "float64" = "float32") {
    const where = `pinn.train '${problemName}': balancing`;
    const o = typeof spec === "string" ? { scheme: spec } : spec;
    if (o === null || typeof o !== "object" || !BALANCING_SCHEMES.includes(o.scheme)) {
      throw new ArgumentError(`${where} must be one of ${BALANCING_SCHEMES.map((s) => `"${s}"`).join(", ")} or { scheme, every, alpha, points }, but got ${describe(spec)}.`);
    }
    if (names.length < 2) throw new ArgumentError(`${where} "${o.scheme}" weighs loss terms against each other, but the problem's loss has one term (${names.join(", ")}); add conditions or observations, or train without balancing.`);
    if (o.scheme === "lr-annealing" && !names.some(isResidual)) throw new ArgumentError(`${where} "lr-annealing" scales terms against the residual's gradient, but the loss has no residual term (${names.join(", ")}).`);
    const every = o.every ?? (o.scheme === "lr-annealing" ? 10 : 100);
    if (typeof every !== "number" || !Number.isInteger(every) || every < 1) throw new ArgumentError(`${where}.every must be a positive integer (steps between updates), but got ${describe(o.every)}.`);
    const alpha = o.alpha ?? 0.9;
    if (typeof alpha !== "number" || !(alpha >= 0 && alpha < 1)) throw new ArgumentError(`${where}.alpha must be a number in [0, 1), but got ${describe(o.alpha)}.`);
    const points = o.points ?? 64;
    if (typeof points !== "number" || !Number.isInteger(points) || points < 1) throw new ArgumentError(`${where}.points must be a positive integer (points per term for the NTK traces), but got ${describe(o.points)}.`);
    this.scheme = o.scheme; this.every = every; this.alpha = alpha; this.points = points; this.names = names.slice();
    const ws: Record<string, Variable> = {};
    for (const k of names) {
      const one = scalar(1, dtype);
      ws[k] = variable(one, false, `${problemName}/weight_${k}`); one.dispose(); this.#w[k] = 1; this.history[k] = [];
    }
    this.weights = ws;
  }

  /** The current weights as numbers. */
  values(): Record<string, number> { return { ...this.#w }; }

  /** Recomputes the weights from the terms' gradients with respect to `theta` (the network's weights). */
  update(terms: () => Record<string, Tensor>, theta: readonly Variable[], step: number): void {
    if (this.scheme === "ntk") { this.#ntkUpdate(step); return; }
    const stats = tidy(() => {
      const tape = new GradientTape({ persistent: true });
      try {
        tape.start();
        const t = terms();
        const residual = this.names.filter(isResidual).map((k) => t[k]);
        const ref = residual.length > 0 ? residual.reduce((a, b) => add(a, b)) : null;
        tape.stop();
        const summary = (target: Tensor) => {
          const gs = tape.gradient(target, theta as Variable[], { unconnected: "zero" });
          let mx = 0, sa = 0, s2 = 0, n = 0;
          for (const g of gs) { mx = Math.max(mx, max(abs(g)).data()[0]); sa += sum(abs(g)).data()[0]; s2 += sum(square(g)).data()[0]; n += g.size; }
          return { max: mx, mean: sa / n, norm: Math.sqrt(s2) };
        };
        const per: Record<string, { max: number; mean: number; norm: number }> = {};
        for (const k of this.names) per[k] = summary(t[k]);
        return { per, refMax: this.scheme === "lr-annealing" && ref ? (residual.length === 1 ? per[this.names.find(isResidual)!].max : summary(ref).max) : 0 };
      } finally { tape.stop(); tape.dispose(); }
    });
    const total = this.names.reduce((a, k) => a + stats.per[k].norm, 0);
    for (const k of this.names) {
      let target: number;
      if (this.scheme === "lr-annealing") {
        if (isResidual(k)) continue;
        target = stats.refMax / stats.per[k].mean;
      } else target = total / stats.per[k].norm;
      // a term with no gradient (or a non-finite statistic) keeps its weight
      if (!Number.isFinite(target) || target <= 0) continue;
      this.#w[k] = this.alpha * this.#w[k] + (1 - this.alpha) * target;
    }
    tidy(() => { for (const k of this.names) this.weights[k].assign(this.#w[k]); });
    for (const k of this.names) this.history[k].push([step, this.#w[k]]);
  }

  #ntkUpdate(step: number): void {
    if (!this.traces) throw new ArgumentError(`LossBalancer "ntk": no NTK trace estimator is set (pinn.train sets it; a direct user sets balancer.traces).`);
    const t = this.traces();
    const total = this.names.reduce((a, k) => a + t[k], 0);
    this.#set(Object.fromEntries(this.names.map((k) => [k, total / t[k]])), step);
  }

  /** moving average toward the targets (a non-finite or non-positive target keeps the weight), then history */
  #set(targets: Record<string, number>, step: number): void {
    for (const k of this.names) {
      const target = targets[k];
      if (target === undefined || !Number.isFinite(target) || target <= 0) continue;
      this.#w[k] = this.alpha * this.#w[k] + (1 - this.alpha) * target;
    }
    tidy(() => { for (const k of this.names) this.weights[k].assign(this.#w[k]); });
    for (const k of this.names) this.history[k].push([step, this.#w[k]]);
  }

  #settings(): string { return JSON.stringify({ scheme: this.scheme, every: this.every, alpha: this.alpha, points: this.points, names: this.names }); }

  /** The state a checkpoint holds (weights as float64 numbers: JSON keeps them exactly). */
  state(): BalancingState {
    return { settings: this.#settings(), weights: { ...this.#w }, history: Object.fromEntries(this.names.map((k) => [k, this.history[k].map(([a, b]) => [a, b] as [number, number])])), rng: this.rng?.getState() ?? null };
  }

  /** Puts a checkpoint's state back; its settings must be this balancer's. */
  restore(s: BalancingState | undefined, source: string): void {
    if (!s || s.settings !== this.#settings()) {
      throw new CheckpointError(`cannot resume from ${source}: its loss balancing is ${s ? s.settings : "none"} but this run's is ${this.#settings()}; resume with the balancing it was trained with.`);
    }
    for (const k of this.names) { this.#w[k] = s.weights[k]; this.history[k].splice(0, this.history[k].length, ...s.history[k].map(([a, b]) => [a, b] as [number, number])); }
    if (this.rng && s.rng) this.rng.setState(s.rng);
    tidy(() => { for (const k of this.names) this.weights[k].assign(this.#w[k]); });
  }

  dispose(): void { for (const w of Object.values(this.weights)) w.dispose(); }
}

/** Records the terms' values every `every` steps (and when forced): the term-wise history training reports. */
export function termMonitor(terms: () => Record<string, Tensor>, every: number): { record(step: number, force: boolean): Record<string, number> | undefined; history: Record<string, [number, number][]>; latest(): Record<string, number> | undefined } {
  const history: Record<string, [number, number][]> = {};
  let latest: Record<string, number> | undefined;
  let last = -1;
  return {
    history,
    latest: () => latest,
    record(step, force) {
      if (step === last || (!force && step % every !== 0)) return latest;
      last = step;
      latest = termValues(terms);
      for (const [k, v] of Object.entries(latest)) (history[k] ??= []).push([step, v]);
      return latest;
    },
  };
}
