// Training a PINN: collocation and condition points are drawn once (seeded), the loss is
//
//   mean over collocation points of residual²  +  (1/N_u) Σ over condition points of weight · (quantity - value)²
//
// (Raissi et al.'s MSE_f + MSE_u), and it is minimized with Adam, then L-BFGS. Progress is reported through a
// callback (step, loss, steps/s, ETA); a time limit or the callback returning false stops training early.
import { Tensor, fromFlat } from "../tensor.js";
import { tidy, keep } from "../memory.js";
import { slice } from "../ops.js";
import { Adam } from "../optim/adam.js";
import { LBFGS, type LBFGSOptions, type LBFGSStopReason } from "../optim/lbfgs.js";
import { releaseCompiled, type LearningRate } from "../optim/optimizer.js";
import { ArgumentError, describe } from "../errors.js";
import type { ActivationName } from "../nn/activations.js";
import { PinnNetwork } from "./network.js";
import { makeBody, type NetworkChoice } from "./architecture.js";
import { makeParamVariables, paramTrace, readParams } from "./params.js";
import { observationTensors, type ObservationTensors } from "./observations.js";
import { lossTerms, sumTerms, termValues, type TermOptions } from "./terms.js";
import { LossBalancer, termMonitor, type BalancingScheme, type BalancingOptions } from "./balancing.js";
import { SAMPLERS, type SamplerName } from "./sampling.js";
import { conditionPoints, splitConditionPoints, type Problem } from "./problem.js";
// conditions beyond (quantity - value)² (Neumann, Robin, periodic, operator) and hard constraints: condition-terms.ts, transform.ts
import { isTermCondition } from "./conditions.js";
import { conditionTerms, type ConditionTerm } from "./condition-terms.js";

export interface TrainOptions {
  /** a network to train (its input count must match the domain), or how to make one */
  network?: PinnNetwork | ({ hidden?: number[]; activation?: ActivationName; seed?: number } & NetworkChoice);
  /** map the domain box to [-1, 1] in the network (default true) */
  scaleInputs?: boolean;
  /** number of collocation points N_f (default: the problem's, else 10,000) */
  collocationPoints?: number;
  /** number of initial/boundary condition points N_u in all (default: the problem's, else 100) */
  conditionPoints?: number;
  /** how collocation and condition points are drawn (default: the problem's, else "lhs") */
  sampler?: SamplerName;
  /** seed of the points and of the initial weights (default 0) */
  seed?: number;
  /** Adam steps before L-BFGS (default: the problem's, else 1000) */
  adamSteps?: number;
  /** Adam's learning rate (default: the problem's, else 1e-3) */
  learningRate?: LearningRate;
  /** L-BFGS iterations (default: the problem's, else 5000) */
  lbfgsSteps?: number;
  /** further L-BFGS options (history size, tolerances, line search; lossNoise defaults to 1e-4 here) */
  lbfgs?: Omit<LBFGSOptions, "maxIterations" | "maxEvaluations" | "onIteration">;
  /** stop (after the current step) once this many seconds have passed */
  timeLimit?: number;
  /** called after every step (at most every `progressInterval` ms); return false to stop */
  onProgress?: (p: TrainProgress) => void | boolean;
  /** minimum milliseconds between onProgress calls (default 0: every step) */
  progressInterval?: number;
  /** derivatives() method (default "nested-reverse") */
  derivativeMethod?: string;
  /** compile the loss and its gradient with jit() (default true): the same numbers, ~1.2x faster steps */
  jit?: boolean;
  /** loss balancing: "lr-annealing" or "grad-norm", or { scheme, every, alpha } (pinn/balancing.ts; default none) */
  balancing?: BalancingScheme | BalancingOptions;
  /** steps between records of the loss terms' values (default: the balancing interval, else 100) */
  termInterval?: number;
  /** initial values of the problem's unknown parameters (default: the problem's params) */
  params?: Readonly<Record<string, number>>;
}

export interface TrainProgress {
  phase: "adam" | "lbfgs";
  /** steps done in all (Adam steps + L-BFGS iterations) */
  step: number;
  /** steps planned in all */
  steps: number;
  /** steps done and planned in this phase */
  phaseStep: number;
  phaseSteps: number;
  /** the loss at this step */
  loss: number;
  /** recent speed (this phase) */
  stepsPerSecond: number;
  /** estimated seconds left (bounded by the time limit) */
  eta: number;
  /** seconds since training started */
  elapsed: number;
  /** the unknown parameters' current values (inverse problems only) */
  params?: Record<string, number>;
  /** each loss term's value at the latest record (every termInterval steps), and the balancing weights */
  terms?: Record<string, number>;
  weights?: Record<string, number>;
}

export type TrainStopReason = "done" | "time-limit" | "callback" | "non-finite" | LBFGSStopReason;

export interface TrainResult {
  network: PinnNetwork;
  adamSteps: number;
  lbfgsSteps: number;
  /** loss evaluations by L-BFGS (its line searches included) */
  lbfgsEvaluations: number;
  steps: number;
  finalLoss: number;
  seconds: number;
  stopReason: TrainStopReason;
  /** the loss after every step: [step, loss] pairs */
  history: [number, number][];
  /** inverse problems: the parameters' final values, and each one's value after every step as [step, value] pairs */
  params?: Record<string, number>;
  paramHistory?: Record<string, [number, number][]>;
  /** each loss term's value every termInterval steps (and at the end): [step, value] pairs */
  termHistory: Record<string, [number, number][]>;
  /** with balancing: the final weights, and each weight after every update */
  lossWeights?: Record<string, number>;
  weightHistory?: Record<string, [number, number][]>;
}

/** The points a training run uses (float32 tensors, kept until dispose()). */
export interface TrainingData {
  /** collocation points [N_f, d] and their columns ([N_f, 1] each, by variable name) */
  collocation: Tensor;
  columns: Record<string, Tensor>;
  /** condition points grouped by prescribed quantity: inputs [n, d], values [n, 1], weights [n, 1] or null */
  groups: { quantity: string; points: Tensor; values: Tensor; weights: Tensor | null }[];
  /** Neumann, Robin, periodic and operator conditions' points and data */
  terms: ConditionTerm[];
  /** N_u, the total number of condition points */
  conditionCount: number;
  /** the observations of an inverse problem, or null */
  observations: ObservationTensors | null;
  dispose(): void;
}

function checkInt(op: string, name: string, v: unknown, min: number): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < min) throw new ArgumentError(`${op}: ${name} must be an integer >= ${min}, but got ${describe(v)}.`);
  return v;
}

/** Draws the collocation and condition points of a problem (seeded; the condition faces use derived seeds). */
export function trainingData(problem: Problem, options: { collocationPoints?: number; conditionPoints?: number; sampler?: SamplerName; seed?: number } = {}): TrainingData {
  const op = "pinn.trainingData";
  const d = problem.vars.length;
  const nf = checkInt(op, "collocationPoints", options.collocationPoints ?? problem.defaults.collocationPoints ?? 10_000, 1);
  const nu = checkInt(op, "conditionPoints", options.conditionPoints ?? problem.defaults.conditionPoints ?? 100, 0);
  const sampler = options.sampler ?? problem.defaults.sampler ?? "lhs";
  if (!SAMPLERS.includes(sampler)) throw new ArgumentError(`${op}: sampler must be one of ${SAMPLERS.join(", ")}, but got ${describe(sampler)}.`);
  const seed = checkInt(op, "seed", options.seed ?? 0, 0);
  // observations first: made (and checked) before any tensor, so that an error in them leaves nothing behind
  const observed = problem.observations ? problem.observations(seed) : null;
  const unit = problem.collocation(nf, sampler, seed);
  const made: Tensor[] = [];
  const k = <T extends Tensor>(t: T): T => { made.push(t); return keep(t); };
  return tidy(() => {
    const collocation = k(fromFlat(unit, [nf, d], "float32", op));
    const columns: Record<string, Tensor> = {};
    problem.vars.forEach((v, j) => { columns[v] = k(slice(collocation, [0, j], [-1, 1])); });
    const counts = nu === 0 ? problem.conditions.map(() => 0) : splitConditionPoints(problem.conditions, nu);
    const byQuantity = new Map<string, { pts: number[]; vals: number[]; ws: number[] }>();
    problem.conditions.forEach((c, i) => {
      if (counts[i] === 0 || isTermCondition(c)) return;
      const { points, values } = conditionPoints(problem, c, counts[i], sampler, seed + 1000 * (i + 1));
      const g = byQuantity.get(c.quantity) ?? { pts: [], vals: [], ws: [] };
      for (const p of points) g.pts.push(p);
      for (const v of values) { g.vals.push(v); g.ws.push(c.weight); }
      byQuantity.set(c.quantity, g);
    });
    let conditionCount = 0;
    const groups = [...byQuantity.entries()].map(([quantity, g]) => {
      conditionCount += g.vals.length;
      const n = g.vals.length;
      return {
        quantity,
        points: k(fromFlat(g.pts, [n, d], "float32", op)),
        values: k(fromFlat(g.vals, [n, 1], "float32", op)),
        weights: g.ws.every((w) => w === 1) ? null : k(fromFlat(g.ws, [n, 1], "float32", op)),
      };
    });
    const terms = conditionTerms(problem, counts, sampler, seed, k);
    for (const t of terms) conditionCount += t.count;
    const obs = observed ? observationTensors(observed, d) : null;
    if (obs) made.push(obs.points, obs.values);
    return { collocation, columns, groups, terms, conditionCount, observations: obs, dispose: () => { for (const t of made) t.dispose(); } };
  });
}

/** The PINN loss of a problem on given points, as a function for an optimizer's minimize(). */
export function pinnLoss(problem: Problem, net: PinnNetwork | ((x: Tensor) => Tensor), data: TrainingData, options: TermOptions & { weights?: Readonly<Record<string, Tensor>> } = {}): () => Tensor {
  // the terms are in pinn/terms.ts; the loss is their (weighted) sum
  const terms = lossTerms(problem, net, data, options);
  return () => tidy(() => sumTerms(terms(), options.weights));
}

/** Makes the network a problem trains by default (or checks a given one against the domain). */
export function makeNetwork(problem: Problem, options: Pick<TrainOptions, "network" | "scaleInputs" | "seed"> = {}): PinnNetwork {
  const n = options.network;
  if (n instanceof PinnNetwork) {
    if (n.inputs !== problem.vars.length || n.outputs !== problem.outputs.length) {
      throw new ArgumentError(`pinn.train: the network maps ${n.inputs} inputs to ${n.outputs} outputs, but problem '${problem.name}' has ${problem.vars.length} variables (${problem.vars.join(", ")}) and ${problem.outputs.length} outputs.`);
    }
    return n;
  }
  if (n !== undefined && (n === null || typeof n !== "object")) throw new ArgumentError(`pinn.train: network must be a PinnNetwork or { hidden, activation, seed }, but got ${describe(n)}.`);
  const hidden = n?.hidden ?? problem.defaults.hidden ?? [20, 20, 20, 20];
  const activation = n?.activation ?? problem.defaults.activation ?? "tanh";
  const seed = n?.seed ?? options.seed ?? 0;
  const scale = options.scaleInputs === false ? null : { lo: problem.lo, hi: problem.hi };
  // an embedding or another architecture (pinn/architecture.ts) replaces the plain Dense stack
  const body = makeBody({ vars: problem.vars, outputs: problem.outputs.length, hidden, activation, seed, scaling: scale, name: problem.name,
    architecture: n?.architecture ?? problem.defaults.architecture, embedding: n && "embedding" in n ? n.embedding : problem.defaults.embedding });
  return new PinnNetwork({ inputs: problem.vars.length, outputs: problem.outputs.length, hidden, activation, seed, scale, name: problem.name, body });
}

/** Trains a network on a problem: Adam, then L-BFGS. */
export function train(problem: Problem, options: TrainOptions = {}): TrainResult {
  const op = "pinn.train";
  const adamSteps = checkInt(op, "adamSteps", options.adamSteps ?? problem.defaults.adamSteps ?? 1000, 0);
  const lbfgsSteps = checkInt(op, "lbfgsSteps", options.lbfgsSteps ?? problem.defaults.lbfgsSteps ?? 5000, 0);
  const lr = options.learningRate ?? problem.defaults.learningRate ?? 1e-3;
  const timeLimit = options.timeLimit ?? Infinity;
  if (typeof timeLimit !== "number" || !(timeLimit > 0)) throw new ArgumentError(`${op}: timeLimit must be a number of seconds > 0, but got ${describe(timeLimit)}.`);
  const interval = options.progressInterval ?? 0;
  const onProgress = options.onProgress;
  if (onProgress !== undefined && typeof onProgress !== "function") throw new ArgumentError(`${op}: onProgress must be a function.`);

  const termEvery = options.termInterval === undefined ? null : checkInt(op, "termInterval", options.termInterval, 1);
  const positive = problem.positiveParams;
  const paramVars = makeParamVariables(problem.name, problem.params, options.params, positive);
  const trace = paramTrace(paramVars, positive);
  const topts = { derivativeMethod: options.derivativeMethod, params: paramVars, positive };
  let network: PinnNetwork | null = null, data: TrainingData | null = null, balancer: LossBalancer | null = null;
  try {
    network = makeNetwork(problem, options);
    data = trainingData(problem, options);
    // loss balancing (pinn/balancing.ts) weighs the terms it finds in one evaluation of the loss
    if (options.balancing !== undefined) balancer = new LossBalancer(options.balancing, Object.keys(termValues(lossTerms(problem, network, data, topts))), problem.name);
  } catch (e) {
    data?.dispose();
    for (const v of Object.values(paramVars)) v.dispose();
    if (network && network !== options.network) network.dispose();
    throw e;
  }
  const terms = lossTerms(problem, network, data, topts);
  const monitor = termMonitor(terms, termEvery ?? balancer?.every ?? 100);
  const lossFn = pinnLoss(problem, network, data, { ...topts, weights: balancer?.weights });
  const compile = options.jit ?? true;
  const vars = [...network.trainableWeights, ...Object.values(paramVars)];
  const history: [number, number][] = [];
  const t0 = performance.now();
  const elapsed = () => (performance.now() - t0) / 1000;
  const total = adamSteps + lbfgsSteps;
  let step = 0, lastReport = -Infinity, finalLoss = NaN, stopReason: TrainStopReason = "done";
  let doneAdam = 0, doneLbfgs = 0, lbfgsEvaluations = 0;

  // speed over a sliding window of recent steps
  const window: number[] = [];
  const rate = (): number => {
    if (window.length < 2) return 0;
    return (window.length - 1) / ((window[window.length - 1] - window[0]) / 1000);
  };
  const report = (phase: "adam" | "lbfgs", phaseStep: number, phaseSteps: number, loss: number, force: boolean): boolean => {
    const params = trace.record(step);
    const termsNow = monitor.record(step, force);
    const now = performance.now();
    window.push(now);
    if (window.length > 50) window.shift();
    if (!onProgress || (!force && now - lastReport < interval)) return true;
    lastReport = now;
    const sps = rate();
    const left = phase === "adam" ? (adamSteps - phaseStep) + lbfgsSteps : phaseSteps - phaseStep;
    const eta = Math.min(sps > 0 ? left / sps : Infinity, Math.max(0, timeLimit - elapsed()));
    return onProgress({ phase, step, steps: total, phaseStep, phaseSteps, loss, stepsPerSecond: sps, eta, elapsed: elapsed(), ...(params ? { params } : {}),
      ...(termsNow ? { terms: termsNow } : {}), ...(balancer ? { weights: balancer.values() } : {}) }) !== false;
  };

  let finalParams: Record<string, number> | null = null;
  try {
    if (adamSteps > 0) {
      const adam = new Adam({ learningRate: lr });
      try {
        for (let i = 1; i <= adamSteps; i++) {
          const loss = adam.minimize(lossFn, vars, { jit: compile });
          step++; doneAdam++;
          finalLoss = loss;
          history.push([step, loss]);
          if (!Number.isFinite(loss)) { stopReason = "non-finite"; break; }
          if (balancer && i % balancer.every === 0) balancer.update(terms, network.trainableWeights, step);
          if (!report("adam", i, adamSteps, loss, i === adamSteps)) { stopReason = "callback"; break; }
          if (elapsed() >= timeLimit) { stopReason = "time-limit"; break; }
        }
      } finally { adam.dispose(); }
    }
    if (lbfgsSteps > 0 && stopReason === "done") {
      window.length = 0;
      // lossNoise: the float32 PINN loss is noisy along a line at ~1e-5 of its value (Burgers after 3,500 steps,
      // loss 8.7e-5: the residual sd of a quadratic fit to 41 samples along -g, test/bench/loss-noise.mjs), far
      // above L-BFGS's float64 default of 1e-6; 1e-4 (about 10 sd) lets the line search rely on slopes there.
      // Burgers seed 0: relative L2 1.02e-3 with 1e-6 (stopped at 7,227 steps), 8.6e-4 with 1e-4 (7,761 steps).
      const lbfgs = new LBFGS({ historySize: 50, lossNoise: 1e-4, ...options.lbfgs, maxIterations: lbfgsSteps, maxEvaluations: Math.ceil(lbfgsSteps * 1.25) + 20 });
      let stopped: TrainStopReason | null = null;
      lbfgs.onIteration = (info) => {
        step++; doneLbfgs++;
        finalLoss = info.loss;
        history.push([step, info.loss]);
        if (!report("lbfgs", doneLbfgs, lbfgsSteps, info.loss, doneLbfgs === lbfgsSteps)) { stopped = "callback"; return false; }
        if (elapsed() >= timeLimit) { stopped = "time-limit"; return false; }
        return doneLbfgs < lbfgsSteps;
      };
      // L-BFGS may stop early on float32 noise (a failed line search, a tiny loss change); restart it with a fresh
      // history while that still makes progress, until the iterations or the time are used up.
      let fruitless = 0;
      while (doneLbfgs < lbfgsSteps) {
        const before = finalLoss;
        const loss = lbfgs.minimize(lossFn, vars, { jit: compile });
        const res = lbfgs.result!;
        lbfgsEvaluations += res.evaluations;
        finalLoss = loss;
        if (stopped) { stopReason = stopped; break; }
        if (doneLbfgs >= lbfgsSteps) break;
        if (res.reason === "gradient" || res.reason === "non-finite") { stopReason = res.reason; break; }
        if (res.reason === "max-iterations" || res.reason === "max-evaluations" || res.reason === "callback") {
          if (res.iterations === 0 && ++fruitless >= 3) { stopReason = res.reason; break; }
          continue;
        }
        // loss-change, step, line-search-failed: restart from steepest descent, unless that keeps gaining nothing
        fruitless = Number.isFinite(before) && !(loss < before * (1 - 1e-7)) ? fruitless + 1 : 0;
        if (fruitless >= 3) { stopReason = res.reason; break; }
        lbfgs.reset();
      }
    }
    monitor.record(step, true); // the terms at the end
  } catch (e) {
    // an error in the problem's own code (e.g. its residual): free the network made here, then report it
    if (network !== options.network) network.dispose();
    throw e;
  } finally {
    releaseCompiled(lossFn);
    data.dispose();
    balancer?.dispose();
    if (Object.keys(paramVars).length > 0) finalParams = readParams(paramVars, positive);
    for (const v of Object.values(paramVars)) v.dispose();
  }
  const inverse = finalParams ? { params: finalParams, paramHistory: trace.history } : {};
  const balanced = balancer ? { lossWeights: balancer.values(), weightHistory: balancer.history } : {};
  return { ...inverse, ...balanced, termHistory: monitor.history, network, adamSteps: doneAdam, lbfgsSteps: doneLbfgs, lbfgsEvaluations, steps: step, finalLoss, seconds: elapsed(), stopReason, history };
}

