// Adaptive collocation: the collocation points move to where the PDE residual is large, every `every` steps.
//
// Wu, Zhu, Tan, Kartha & Lu (2023), "A comprehensive study of non-adaptive and residual-based adaptive sampling for
// physics-informed neural networks", CMAME 403:
//   "rar"   residual-based adaptive refinement (Lu et al. 2021, DeepXDE): add the `add` candidates of largest |r|;
//   "rad"   residual-based adaptive distribution: replace all N points by N candidates drawn with density
//             p(x) ∝ |r(x)|^k / E[|r|^k] + c          (their eq. 2; k = 1, c = 1 is their recommended default);
//   "rar-d" RAR with distribution: add `add` candidates drawn with the same density (their default k = 2, c = 0).
// The candidates are a fresh uniform random set of `candidates` points in the domain each time (Wu et al.'s dense
// set S_0, drawn by the problem's own sampler so geometries work), and the draw is without replacement, as theirs
// (numpy.random.choice(replace=False)); here by Efraimidis & Spirakis's keys ln(u)/p: the n largest keys are a
// weighted sample without replacement.
//
// Everything random comes from one seeded Rng (xoshiro128**) whose state, with the current points, is part of a
// checkpoint (state()), so a resumed run resamples exactly as an uninterrupted one.
import type { DType } from "../errors.js";
import { keep, tidy } from "../memory.js";
import { fromFlat, type Tensor } from "../tensor.js";
import { slice } from "../ops.js";
import { ArgumentError, describe } from "../errors.js";
import { Rng } from "./sampling.js";
import { residualMagnitudes } from "./residuals.js";
import type { Net } from "./derivatives.js";
import type { Problem } from "./problem.js";
import type { TermOptions } from "./terms.js";

/** Bad adaptive-collocation options (an unknown method, a count or exponent out of range). */
export class AdaptiveSamplingError extends ArgumentError {}

export type AdaptiveMethod = "rar" | "rad" | "rar-d";
export const ADAPTIVE_METHODS: readonly AdaptiveMethod[] = ["rad", "rar", "rar-d"];

export interface AdaptiveOptions {
  method: AdaptiveMethod;
  /** steps (Adam steps and L-BFGS iterations counted together) between resamples (default 1000) */
  every?: number;
  /** size of the random candidate set drawn at each resample (default 100,000; rad needs at least N) */
  candidates?: number;
  /** exponent k of the density (default 1 for rad, 2 for rar-d) */
  k?: number;
  /** constant c of the density (default 1 for rad, 0 for rar-d) */
  c?: number;
  /** rar and rar-d: points added per resample (default 10) */
  add?: number;
  /** seed of the candidates and draws (default: the run's seed) */
  seed?: number;
}

/** The settings, checked, with their defaults. */
export interface AdaptiveSettings { method: AdaptiveMethod; every: number; candidates: number; k: number; c: number; add: number; seed: number }

/** What a checkpoint holds to resume adaptive sampling: the generator, the resample count, the current points. */
export interface AdaptiveState { rng: number[]; resamples: number; points: Float32Array | Float64Array }

export function adaptiveSettings(spec: unknown, runSeed: number, problemName: string, collocationPoints: number): AdaptiveSettings {
  const where = `pinn.train '${problemName}': adaptive`;
  const o = (typeof spec === "string" ? { method: spec } : spec) as Partial<AdaptiveOptions> | null;
  if (o === null || typeof o !== "object" || Array.isArray(o)) {
    throw new AdaptiveSamplingError(`${where} must be one of ${ADAPTIVE_METHODS.map((m) => `"${m}"`).join(", ")} or { method, every, candidates, k, c, add, seed }, but got ${describe(spec)}.`);
  }
  const known = ["method", "every", "candidates", "k", "c", "add", "seed"];
  for (const key of Object.keys(o)) if (!known.includes(key)) throw new AdaptiveSamplingError(`${where} has an unknown option '${key}'; the options are ${known.join(", ")}.`);
  if (!ADAPTIVE_METHODS.includes(o.method as AdaptiveMethod)) throw new AdaptiveSamplingError(`${where}.method must be one of ${ADAPTIVE_METHODS.map((m) => `"${m}"`).join(", ")}, but got ${describe(o.method)}.`);
  const method = o.method as AdaptiveMethod;
  const int = (name: string, v: unknown, dflt: number, min: number, max: number, why: string): number => {
    if (v === undefined) return dflt;
    if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) throw new AdaptiveSamplingError(`${where}.${name} must be an integer in [${min}, ${max}] (${why}), but got ${describe(v)}.`);
    return v;
  };
  const every = int("every", o.every, 1000, 1, 1e9, "steps between resamples");
  const candidates = int("candidates", o.candidates, 100_000, 1, 1e7, "candidate points per resample");
  const add = int("add", o.add, 10, 1, 1e7, "points added per resample");
  const seed = int("seed", o.seed, runSeed, 0, 2 ** 31 - 1, "the seed of the draws");
  const num = (name: string, v: unknown, dflt: number): number => {
    if (v === undefined) return dflt;
    if (typeof v !== "number" || !Number.isFinite(v) || v < 0) throw new AdaptiveSamplingError(`${where}.${name} must be a finite number >= 0, but got ${describe(v)}.`);
    return v;
  };
  const k = num("k", o.k, method === "rar-d" ? 2 : 1), c = num("c", o.c, method === "rar-d" ? 0 : 1);
  if (method === "rad" && candidates < collocationPoints) {
    throw new AdaptiveSamplingError(`${where}: "rad" draws all ${collocationPoints} collocation points from the candidates without replacement, but candidates is ${candidates}; give candidates >= ${collocationPoints} (Wu et al. use 100,000 or more).`);
  }
  if (method !== "rad" && candidates < add) throw new AdaptiveSamplingError(`${where}: "${method}" adds ${add} points from ${candidates} candidates; give candidates >= add.`);
  return { method, every, candidates, k, c, add, seed };
}

/**
 * The density weights of Wu et al.'s eq. 2 over candidate residuals: r^k / mean(r^k) + c (non-finite residuals count
 * as 0; when every r^k is 0 and c is 0 the weights are uniform).
 */
export function radDensity(r: Float64Array, k: number, c: number): Float64Array {
  const p = new Float64Array(r.length);
  let mean = 0;
  for (let i = 0; i < r.length; i++) { const v = Number.isFinite(r[i]) ? Math.abs(r[i]) ** k : 0; p[i] = v; mean += v; }
  mean /= r.length;
  for (let i = 0; i < r.length; i++) p[i] = mean > 0 ? p[i] / mean + c : c;
  if (p.every((v) => v === 0)) p.fill(1);
  return p;
}

/** Indices of n items drawn without replacement with probabilities ∝ weights (Efraimidis & Spirakis 2006). */
export function weightedSampleWithoutReplacement(weights: Float64Array, n: number, rng: Rng): Int32Array {
  const m = weights.length;
  const keys = new Float64Array(m);
  // u in (0, 1]: ln(u) finite; a zero weight gets -Infinity and is drawn only after every positive one
  for (let i = 0; i < m; i++) keys[i] = weights[i] > 0 ? Math.log(1 - rng.next()) / weights[i] : -Infinity;
  return topIndices(keys, n);
}

/** The indices of the n largest values (ties by index), largest first. */
export function topIndices(values: Float64Array, n: number): Int32Array {
  const idx = Int32Array.from({ length: values.length }, (_, i) => i);
  idx.sort((a, b) => (values[b] - values[a]) || (a - b));
  return idx.slice(0, n);
}

/** Resamples a run's collocation points (TrainingData.collocation and .columns), keeping its own tensors. */
export class AdaptiveSampler {
  readonly settings: AdaptiveSettings;
  readonly rng: Rng;
  resamples = 0;
  #own: Tensor[] = [];
  constructor(settings: AdaptiveSettings) {
    this.settings = settings;
    // a stream of its own, apart from the one that drew the initial points
    this.rng = new Rng((settings.seed ^ 0x5ad5ad) >>> 0);
  }

  /** Whether a resample is due after global step `step`. */
  due(step: number): boolean { return step > 0 && step % this.settings.every === 0; }

  /** New collocation points (float64 rows) from the residual of the network now. */
  draw(problem: Problem, net: Net, current: Float32Array | Float64Array, options: TermOptions, dtype: DType = "float32"): Float64Array {
    const { method, candidates, k, c, add } = this.settings;
    const d = problem.vars.length;
    const cand = problem.collocation(candidates, "uniform", this.rng.nextU32() >>> 1);
    const r = residualMagnitudes(problem, net, cand, { ...options, dtype });
    const n = current.length / d;
    const pick = method === "rar" ? topIndices(r, add) : weightedSampleWithoutReplacement(radDensity(r, k, c), method === "rad" ? n : add, this.rng);
    const keepOld = method === "rad" ? 0 : n;
    const out = new Float64Array((keepOld + pick.length) * d);
    for (let i = 0; i < keepOld * d; i++) out[i] = current[i];
    pick.forEach((j, i) => { for (let q = 0; q < d; q++) out[(keepOld + i) * d + q] = cand[j * d + q]; });
    this.resamples++;
    return out;
  }

  /** Puts points into the run's data: new collocation and column tensors; the previous ones are released. */
  install(data: { collocation: Tensor; columns: Record<string, Tensor> }, vars: readonly string[], points: Float64Array | Float32Array): void {
    const old = [data.collocation, ...Object.values(data.columns)];
    const d = vars.length;
    const made = tidy(() => {
      const X = keep(fromFlat(points, [points.length / d, d], data.collocation.dtype, "pinn.train"));
      const cols: Record<string, Tensor> = {};
      vars.forEach((v, j) => { cols[v] = keep(slice(X, [0, j], [-1, 1])); });
      return { X, cols };
    });
    data.collocation = made.X; data.columns = made.cols;
    for (const t of old) t.dispose();
    this.#own = [made.X, ...Object.values(made.cols)];
  }

  state(current: Tensor): AdaptiveState { return { rng: this.rng.getState(), resamples: this.resamples, points: current.data() }; }

  restore(s: AdaptiveState): void { this.rng.setState(s.rng); this.resamples = s.resamples; }

  dispose(): void { for (const t of this.#own) t.dispose(); this.#own = []; }
}
