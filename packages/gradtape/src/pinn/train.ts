// Training a PINN: collocation and condition points are drawn once (seeded), the loss is
//
//   mean over collocation points of residual²  +  (1/N_u) Σ over condition points of weight · (quantity - value)²
//
// (Raissi et al.'s MSE_f + MSE_u), and it is minimized with Adam, then L-BFGS (the loop: train-loop.ts). Progress is
// reported through a callback (step, loss, steps/s, ETA); a time limit or the callback returning false stops
// training early; a non-finite loss stops it at once. Checkpoints and resuming: checkpoint.ts, train-resume.ts.
import { Tensor, fromFlat } from "../tensor.js";
import { tidy, keep } from "../memory.js";
import { slice } from "../ops.js";
import { releaseCompiled, type LossWithTerms } from "../optim/optimizer.js";
import { runLoop } from "./train-loop.js";
import { checkSecondPhase, checkpointOptimizer, type SecondPhaseOptimizer } from "./second-phase.js";
import { runIdentity, restoreInto, checkpointOptions } from "./train-resume.js";
import { saveCheckpoint, loadCheckpoint } from "./checkpoint-file.js";
import { CheckpointError, type TrainCheckpoint } from "./checkpoint.js";
import { ArgumentError, describe } from "../errors.js";
import { PinnNetwork } from "./network.js";
import { makeBody } from "./architecture.js";
import { makeParamVariables, paramTrace, readParams } from "./params.js";
import { observationTensors, discrepancyLevel } from "./observations.js";
import { lossTerms, sumTerms, termValues, residualName, type TermOptions } from "./terms.js";
import { LossBalancer, termMonitor } from "./balancing.js";
import { SAMPLERS, type SamplerName } from "./sampling.js";
import { conditionPoints, splitConditionPoints, type Problem } from "./problem.js";
// conditions beyond (quantity - value)² (Neumann, Robin, periodic, operator) and hard constraints: condition-terms.ts, transform.ts
import { isTermCondition } from "./conditions.js";
import { conditionTerms } from "./condition-terms.js";
// adaptive collocation and causal training: remedies.ts (adaptive-sampling.ts, causal.ts); NTK weights: ntk.ts
import { Remedies } from "./remedies.js";
import { ntkTraces } from "./ntk.js";
import { Rng } from "./sampling.js";
import { chooseThreads, machineLoad, stepWork } from "./thread-choice.js";
import { ThreadGovernor } from "./thread-governor.js";
import { startedThreads, useThreads } from "../backend.js";
import type { EvaluationCounts } from "./train-loop.js";

export type { TrainOptions, TrainProgress, TrainStopReason, TrainResult, TrainingData } from "./train-types.js";
import type { TrainOptions, TrainStopReason, TrainResult, TrainingData } from "./train-types.js";

/** A run's dtype: the one given, else that of the network given, else the problem's default, else float32 (checked). */
function runDtype(op: string, problem: Problem, options: { dtype?: unknown; network?: unknown }): "float32" | "float64" {
  return checkDtype(op, options.dtype ?? (options.network instanceof PinnNetwork ? options.network.dtype : problem.defaults.dtype));
}

/** The float dtype of a run: "float32" (default) or "float64". */
function checkDtype(op: string, v: unknown): "float32" | "float64" {
  if (v === undefined || v === "float32" || v === "float64") return (v ?? "float32") as "float32" | "float64";
  throw new ArgumentError(`${op}: dtype must be "float32" or "float64", but got ${describe(v)}.`);
}

function checkInt(op: string, name: string, v: unknown, min: number): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < min) throw new ArgumentError(`${op}: ${name} must be an integer >= ${min}, but got ${describe(v)}.`);
  return v;
}

/** Draws the collocation and condition points of a problem (seeded; the condition faces use derived seeds). */
export function trainingData(problem: Problem, options: { collocationPoints?: number; conditionPoints?: number; sampler?: SamplerName; seed?: number; dtype?: "float32" | "float64" } = {}): TrainingData {
  const op = "pinn.trainingData";
  const d = problem.vars.length;
  const nf = checkInt(op, "collocationPoints", options.collocationPoints ?? problem.defaults.collocationPoints ?? 10_000, 1);
  const nu = checkInt(op, "conditionPoints", options.conditionPoints ?? problem.defaults.conditionPoints ?? 100, 0);
  const sampler = options.sampler ?? problem.defaults.sampler ?? "lhs";
  if (!SAMPLERS.includes(sampler)) throw new ArgumentError(`${op}: sampler must be one of ${SAMPLERS.join(", ")}, but got ${describe(sampler)}.`);
  const seed = checkInt(op, "seed", options.seed ?? 0, 0);
  const dtype = runDtype(op, problem, options);
  // observations first: made (and checked) before any tensor, so that an error in them leaves nothing behind
  const observed = problem.observations ? problem.observations(seed) : null;
  const unit = problem.collocation(nf, sampler, seed);
  const made: Tensor[] = [];
  const k = <T extends Tensor>(t: T): T => { made.push(t); return keep(t); };
  return tidy(() => {
    const collocation = k(fromFlat(unit, [nf, d], dtype, op));
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
        points: k(fromFlat(g.pts, [n, d], dtype, op)),
        values: k(fromFlat(g.vals, [n, 1], dtype, op)),
        weights: g.ws.every((w) => w === 1) ? null : k(fromFlat(g.ws, [n, 1], dtype, op)),
      };
    });
    const terms = conditionTerms(problem, counts, sampler, seed, k, dtype);
    for (const t of terms) conditionCount += t.count;
    const obs = observed ? observationTensors(observed, d, dtype) : null;
    if (obs) made.push(obs.points, obs.values);
    return { collocation, columns, groups, terms, conditionCount, observations: obs, dispose: () => { for (const t of made) t.dispose(); } };
  });
}

/** How many of pinnLoss's terms are not residuals: the conditions (all kinds together), then the observations. */
export function conditionTermCount(data: TrainingData): number {
  return (data.conditionCount > 0 ? 1 : 0) + (data.observations ? 1 : 0);
}

/**
 * The names of pinnLoss's terms, in order (terms.ts): the residual (a system: residual1, residual2, ...), then
 * "conditions" (every condition kind, over N_u), then "observations" (an inverse problem's data misfit).
 */
export function lossTermNames(problem: Problem, data: TrainingData, residuals = 1): string[] {
  const names = Array.from({ length: residuals }, (_, i) => residualName(i, residuals));
  if (data.conditionCount > 0) names.push("conditions");
  if (data.observations) names.push("observations");
  return names;
}

type LossOptions = TermOptions & { weights?: Readonly<Record<string, Tensor>> };
/**
 * The PINN loss of a problem on given points (the sum of its terms, terms.ts; weighted when loss balancing sets
 * weights), as a function for an optimizer's minimize(). With `terms: true` it returns { loss, terms }: the same
 * loss (the same bits) and each term of it, in lossTermNames() order.
 */
export function pinnLoss(problem: Problem, net: PinnNetwork | ((x: Tensor) => Tensor), data: TrainingData, options?: LossOptions & { terms?: false }): () => Tensor;
export function pinnLoss(problem: Problem, net: PinnNetwork | ((x: Tensor) => Tensor), data: TrainingData, options: LossOptions & { terms: true }): () => LossWithTerms;
export function pinnLoss(problem: Problem, net: PinnNetwork | ((x: Tensor) => Tensor), data: TrainingData, options: LossOptions & { terms?: boolean } = {}): () => Tensor | LossWithTerms {
  const terms = lossTerms(problem, net, data, options);
  const withTerms = options.terms === true;
  return () => tidy(() => {
    const t = terms();
    const loss = sumTerms(t, options.weights);
    return withTerms ? { loss, terms: Object.values(t) } : loss;
  });
}

/** Makes the network a problem trains by default (or checks a given one against the domain). */
export function makeNetwork(problem: Problem, options: Pick<TrainOptions, "network" | "scaleInputs" | "seed" | "dtype"> = {}): PinnNetwork {
  const n = options.network;
  if (n instanceof PinnNetwork) {
    if (n.inputs !== problem.vars.length || n.outputs !== problem.outputs.length) {
      throw new ArgumentError(`pinn.train: the network maps ${n.inputs} inputs to ${n.outputs} outputs, but problem '${problem.name}' has ${problem.vars.length} variables (${problem.vars.join(", ")}) and ${problem.outputs.length} outputs.`);
    }
    if (options.dtype !== undefined && options.dtype !== n.dtype) {
      throw new ArgumentError(`pinn.train: dtype is "${options.dtype}" but the network given is ${n.dtype}; make the network with dtype "${options.dtype}" (or omit dtype).`);
    }
    return n;
  }
  if (n !== undefined && (n === null || typeof n !== "object")) throw new ArgumentError(`pinn.train: network must be a PinnNetwork or { hidden, activation, seed }, but got ${describe(n)}.`);
  const hidden = n?.hidden ?? problem.defaults.hidden ?? [20, 20, 20, 20];
  const activation = n?.activation ?? problem.defaults.activation ?? "tanh";
  const seed = n?.seed ?? options.seed ?? 0;
  const dtype = runDtype("pinn.train", problem, options);
  const scale = options.scaleInputs === false ? null : { lo: problem.lo, hi: problem.hi };
  // an embedding or another architecture (pinn/architecture.ts) replaces the plain Dense stack
  const body = makeBody({ vars: problem.vars, outputs: problem.outputs.length, hidden, activation, seed, scaling: scale, name: problem.name,
    architecture: n?.architecture ?? problem.defaults.architecture, embedding: n && "embedding" in n ? n.embedding : problem.defaults.embedding, dtype });
  return new PinnNetwork({ inputs: problem.vars.length, outputs: problem.outputs.length, hidden, activation, seed, scale, name: problem.name, body, dtype });
}

/** The discrepancy stop's level (train-loop.ts), when the observations declare their noise and it is not turned off. */
function noiseFloor(data: TrainingData, on: boolean | undefined, op: string): { level: number } | undefined {
  if (on !== undefined && typeof on !== "boolean") throw new ArgumentError(`${op}: stopAtNoise must be true or false, but got ${describe(on)}.`);
  const level = on === false ? null : discrepancyLevel(data.observations);
  return level === null ? undefined : { level };
}

/** Trains a network on a problem: Adam, then L-BFGS (train-loop.ts), with checkpoints and resuming (checkpoint.ts). */
export function train(problem: Problem, options: TrainOptions = {}): TrainResult {
  const op = "pinn.train";
  const adamSteps = checkInt(op, "adamSteps", options.adamSteps ?? problem.defaults.adamSteps ?? 1000, 0);
  const lbfgsSteps = checkInt(op, "lbfgsSteps", options.lbfgsSteps ?? problem.defaults.lbfgsSteps ?? 5000, 0);
  const lr = options.learningRate ?? problem.defaults.learningRate ?? 1e-3;
  checkSecondPhase(op, options.optimizer ?? "auto", 0);
  const timeLimit = options.timeLimit ?? Infinity;
  if (typeof timeLimit !== "number" || !(timeLimit > 0)) throw new ArgumentError(`${op}: timeLimit must be a number of seconds > 0, but got ${describe(timeLimit)}.`);
  const interval = options.progressInterval ?? 0;
  const onProgress = options.onProgress;
  if (onProgress !== undefined && typeof onProgress !== "function") throw new ArgumentError(`${op}: onProgress must be a function.`);
  const ck = checkpointOptions(op, options.checkpoint);
  const resume = options.resume === undefined ? null : typeof options.resume === "string" ? loadCheckpoint(options.resume) : options.resume;
  // a resumed run keeps the optimizer its checkpoint's second phase ran, unless told otherwise (then refused there)
  // (its plan names it; a checkpoint of before the option ran L-BFGS, the default then)
  const optimizerChoice = options.optimizer ?? (resume ? resume.plan.optimizer ?? checkpointOptimizer(resume.lbfgs) ?? "lbfgs" : "auto");
  let optimizer: SecondPhaseOptimizer = "lbfgs";
  const termEvery = options.termInterval === undefined ? null : checkInt(op, "termInterval", options.termInterval, 1);
  const hasParams = Object.keys(problem.params ?? {}).length > 0;
  // loss balancing: the option, else the problem's default; false turns a default off
  const balancing = options.balancing !== undefined ? options.balancing : problem.defaults.balancing;
  if ((ck || resume) && hasParams) {
    // the checkpoint format holds the network's weights, the optimizers' and the remedies' states (checkpoint.ts)
    throw new ArgumentError(`${op}: checkpoints and resuming are not supported yet for a problem with unknown parameters ('${problem.name}'); ` +
      `train without the checkpoint and resume options.`);
  }

  const positive = problem.positiveParams;
  const dtype = runDtype(op, problem, options);
  const paramVars = makeParamVariables(problem.name, problem.params, options.params, positive, dtype);
  const trace = paramTrace(paramVars, positive);
  const topts: TermOptions = { derivativeMethod: options.derivativeMethod, params: paramVars, positive };
  let network: PinnNetwork;
  try { network = makeNetwork(problem, options); } catch (e) { for (const v of Object.values(paramVars)) v.dispose(); throw e; }
  // on any error below, what train() made is released at once (not left to the finalizers): the network too when
  // train() made it (the caller never receives it); a network the caller passed is theirs and is kept
  const own = network !== options.network;
  let data: TrainingData | null = null, lossFn: (() => LossWithTerms) | null = null, balancer: LossBalancer | null = null, rem: Remedies | null = null;
  let finalParams: Record<string, number> | null = null;
  let threadsBefore: number | null = null;
  try {
    optimizer = checkSecondPhase(op, optimizerChoice, [...network.trainableWeights, ...Object.values(paramVars)].reduce((a, v) => a + v.size, 0));
    data = trainingData(problem, { ...options, dtype });
    rem = new Remedies(problem, options, options.seed ?? 0, data.collocation.shape[0], dtype);
    rem.prepare(data);
    const remedies = rem.active ? rem : null;
    Object.assign(topts, rem.termOptions());
    // threads: chosen for this run and put back afterwards (the same results with any count)
    const machine = machineLoad();
    const choice = chooseThreads(options.threads, stepWork(data.collocation.shape[0], network.hidden), startedThreads(), machine, op);
    threadsBefore = useThreads(choice.threads);
    // a count that came from the load is chosen again every few seconds from recent CPU use (thread-governor.ts)
    const governor = choice.byLoad ? new ThreadGovernor(choice.threads, startedThreads(), machine.cpus) : null;
    const counts: EvaluationCounts = { evaluations: 0, lineSearchEvaluations: 0 };
    const terms = lossTerms(problem, network, data, topts);
    // loss balancing (pinn/balancing.ts) weighs the terms it finds in one evaluation of the loss
    if (balancing !== undefined && balancing !== false) balancer = new LossBalancer(balancing, Object.keys(termValues(terms)), problem.name, dtype);
    if (balancer?.scheme === "ntk") {
      const b = balancer, d0 = data, ntkRng = new Rng(((options.seed ?? 0) ^ 0x7e4c) >>> 0);
      b.rng = ntkRng;
      b.traces = () => ntkTraces(problem, network, d0, network.trainableWeights, topts, ntkRng, b.points);
    }
    const monitor = termMonitor(terms, termEvery ?? balancer?.every ?? 100);
    const bal = balancer;
    const identity = runIdentity(problem, network, data, options, { adamSteps, lbfgsSteps, learningRate: typeof lr === "number" ? lr : null, optimizer });
    if (resume) restoreInto(resume, identity, network, { adamSteps, lbfgsSteps });
    const d = data;
    if (resume) {
      rem.restore(resume.remedies, d, resume.source ?? "the checkpoint");
      if (balancer) balancer.restore(resume.remedies?.balancing, resume.source ?? "the checkpoint");
      else if (resume.remedies?.balancing) throw new CheckpointError(`cannot resume from ${resume.source ?? "the checkpoint"}: it was trained with loss balancing (${resume.remedies.balancing.settings}) and this run has none; resume with the balancing it was trained with.`);
    }
    remedies?.start(d, network, topts, resume !== null);
    lossFn = pinnLoss(problem, network, d, { ...topts, weights: balancer?.weights, terms: true });
    const t0 = performance.now();
    const elapsed = () => (performance.now() - t0) / 1000;
    const total = adamSteps + lbfgsSteps;
    let lastReport = -Infinity, step = resume?.progress.steps ?? 0;
    // speed over a sliding window of recent steps
    const window: number[] = [];
    const rate = (): number => (window.length < 2 ? 0 : (window.length - 1) / ((window[window.length - 1] - window[0]) / 1000));
    let checkpointFile: string | null = null, checkpointError: Error | null = null;
    const st = runLoop({
      vars: [...network.trainableWeights, ...Object.values(paramVars)], lossFn, termNames: (n) => lossTermNames(problem, d, n - conditionTermCount(d)),
      adamSteps, lbfgsSteps, learningRate: lr, lbfgs: options.lbfgs, dtype: network.dtype, optimizer, compile: options.jit ?? true, timeLimit, elapsed,
      newPhase: () => { window.length = 0; },
      afterAdamStep: bal ? (i) => { if (i % bal.every === 0) bal.update(terms, network.trainableWeights, step + 1); } : undefined,
      afterStep: remedies ? (phase, s) => remedies.afterStep(phase, s, d, network, topts, lossFn) : undefined,
      report: (phase, phaseStep, phaseSteps, loss, force) => {
        step++;
        const threads = governor?.review(step);
        if (threads) useThreads(threads);
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
        return onProgress({ phase, optimizer, step, steps: total, phaseStep, phaseSteps, loss, stepsPerSecond: sps, eta, elapsed: elapsed(),
          evaluations: counts.evaluations, lineSearchEvaluations: counts.lineSearchEvaluations, threads: governor?.threads ?? choice.threads, ...(params ? { params } : {}),
          ...(termsNow ? { terms: termsNow } : {}), ...(bal ? { weights: bal.values() } : {}), ...remedies?.report(d) }) !== false;
      },
      noiseFloor: noiseFloor(d, options.stopAtNoise, op),
      checkpointEvery: ck?.every ?? 0,
      save: ck ? (part) => {
        const cp: TrainCheckpoint = { ...identity, ...part, ...(remedies || bal ? { remedies: { ...rem!.state(d), ...(bal ? { balancing: bal.state() } : {}) } } : {}) };
        // a checkpoint that cannot be written (disk full) must not cost the run: it goes on, and the result says so
        if (ck.dir !== undefined) {
          try { checkpointFile = saveCheckpoint(ck.dir, cp); } catch (e) { checkpointError ??= e as Error; }
        }
        ck.onSave?.(cp);
      } : null,
      resume, counts,
    });
    monitor.record(step, true); // the terms at the end
    if (Object.keys(paramVars).length > 0) finalParams = readParams(paramVars, positive);
    const inverse = finalParams ? { params: finalParams, paramHistory: trace.history } : {};
    const balanced = bal ? { lossWeights: bal.values(), weightHistory: bal.history } : {};
    const cw = remedies?.causal;
    const remedied = { ...(remedies?.sampler ? { adaptive: remedies.report(d).adaptive } : {}),
      ...(cw ? { causal: { minWeight: cw.minWeight, eps: cw.eps, weights: cw.values(), history: cw.history } } : {}) };
    return {
      ...inverse, ...balanced, ...remedied, termHistory: monitor.history,
      network, optimizer, adamSteps: st.doneAdam, lbfgsSteps: st.doneLbfgs, lbfgsEvaluations: st.lbfgsEvaluations, steps: st.step,
      evaluations: st.doneAdam + st.lbfgsEvaluations, lineSearchEvaluations: st.lineSearchEvaluations, threads: governor?.threads ?? choice.threads,
      threadChoice: choice.reason + (governor?.describe() ?? ""), ...(governor ? { threadSwitches: governor.switches } : {}),
      finalLoss: st.finalLoss, seconds: st.secondsBefore + elapsed(), stopReason: st.stopReason as TrainStopReason,
      history: Array.from({ length: st.history.length }, (_, i) => { const h = st.history.row(i); return [h[0], h[1]] as [number, number]; }),
      termNames: st.termNames, terms: Array.from({ length: st.history.length }, (_, i) => Array.from(st.history.row(i).subarray(2))),
      nonFinite: st.nonFinite, checkpointFile, checkpointError,
    };
  } catch (e) {
    // a run that fails (a bad option, a refused checkpoint, an error in the residual) gives nothing back to dispose
    if (own) network.dispose();
    throw e;
  } finally {
    if (threadsBefore !== null) useThreads(threadsBefore);
    if (lossFn) releaseCompiled(lossFn);
    data?.dispose();
    balancer?.dispose();
    rem?.dispose();
    for (const v of Object.values(paramVars)) v.dispose();
  }
}
