// Training a PINN: collocation and condition points are drawn once (seeded), the loss is
//
//   mean over collocation points of residual²  +  (1/N_u) Σ over condition points of weight · (quantity - value)²
//
// (Raissi et al.'s MSE_f + MSE_u), and it is minimized with Adam, then L-BFGS (the loop: train-loop.ts). Progress is
// reported through a callback (step, loss, steps/s, ETA); a time limit or the callback returning false stops
// training early; a non-finite loss stops it at once. Checkpoints and resuming: checkpoint.ts, train-resume.ts.
import { Tensor, fromFlat } from "../tensor.js";
import { tidy, keep } from "../memory.js";
import { slice, square, mean, sum, mul, sub, add } from "../ops.js";
import { releaseCompiled, type LossWithTerms } from "../optim/optimizer.js";
import { runLoop } from "./train-loop.js";
import { runIdentity, restoreInto, checkpointOptions } from "./train-resume.js";
import { saveCheckpoint, loadCheckpoint } from "./checkpoint-file.js";
import type { TrainCheckpoint } from "./checkpoint.js";
import { ArgumentError, describe } from "../errors.js";
import { derivatives } from "./derivatives.js";
import { PinnNetwork } from "./network.js";
import { SAMPLERS, type SamplerName } from "./sampling.js";
import { conditionPoints, splitConditionPoints, type Problem } from "./problem.js";
// conditions beyond (quantity - value)² (Neumann, Robin, periodic, operator) and hard constraints: condition-terms.ts, transform.ts
import { isTermCondition } from "./conditions.js";
import { conditionTerms, termLoss, type ConditionTerm } from "./condition-terms.js";
import { problemNetwork } from "./transform.js";

export type { TrainOptions, TrainProgress, TrainStopReason, TrainResult, TrainingData } from "./train-types.js";
import type { TrainOptions, TrainStopReason, TrainResult, TrainingData } from "./train-types.js";

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
    return { collocation, columns, groups, terms, conditionCount, dispose: () => { for (const t of made) t.dispose(); } };
  });
}

/** How many condition terms pinnLoss reports: one per prescribed quantity, and one for the other kinds together. */
export function conditionTermCount(data: TrainingData): number {
  return data.conditionCount > 0 ? data.groups.length + ((data.terms?.length ?? 0) > 0 ? 1 : 0) : 0;
}

/**
 * The names of pinnLoss's terms, in order: the residual(s), then the value conditions grouped by prescribed
 * quantity, then the other conditions (Neumann, Robin, periodic, operator) together.
 */
export function lossTermNames(problem: Problem, data: TrainingData, residuals = 1): string[] {
  const names = residuals === 1 ? ["residual"] : Array.from({ length: residuals }, (_, i) => `residual ${i + 1}`);
  if (data.conditionCount > 0) {
    for (const g of data.groups) names.push(`conditions on ${g.quantity}`);
    if ((data.terms?.length ?? 0) > 0) names.push("other conditions");
  }
  return names;
}

/**
 * The PINN loss of a problem on given points, as a function for an optimizer's minimize(). With `terms: true` it
 * returns { loss, terms }: the same loss (the same bits) and each term of it, in lossTermNames() order.
 */
export function pinnLoss(problem: Problem, net: PinnNetwork | ((x: Tensor) => Tensor), data: TrainingData, options?: { derivativeMethod?: string; terms?: false }): () => Tensor;
export function pinnLoss(problem: Problem, net: PinnNetwork | ((x: Tensor) => Tensor), data: TrainingData, options: { derivativeMethod?: string; terms: true }): () => LossWithTerms;
export function pinnLoss(problem: Problem, net: PinnNetwork | ((x: Tensor) => Tensor), data: TrainingData, options: { derivativeMethod?: string; terms?: boolean } = {}): () => Tensor | LossWithTerms {
  const dopts = { vars: problem.vars, outputs: problem.outputs, method: options.derivativeMethod };
  const withTerms = options.terms === true;
  const model = problemNetwork(problem, net);
  return () => tidy(() => {
    const ds = derivatives(model, data.collocation, problem.uses, dopts);
    const named: Record<string, Tensor> = { ...data.columns };
    problem.uses.forEach((n, i) => { named[n] = ds[i]; });
    const r = problem.residual(named);
    const rs = Array.isArray(r) ? r : [r];
    const terms: Tensor[] = [];
    let loss: Tensor | null = null;
    for (const ri of rs) {
      if (!(ri instanceof Tensor)) throw new ArgumentError(`problem '${problem.name}': the residual must return a Tensor (or an array of them), but it returned ${describe(ri)}.`);
      if (ri.size !== data.collocation.shape[0]) throw new ArgumentError(`problem '${problem.name}': the residual has shape [${ri.shape.join(", ")}]; it must have one value per collocation point ([${data.collocation.shape[0]}, 1]).`);
      const term = mean(square(ri));
      terms.push(term);
      loss = loss ? add(loss, term) : term;
    }
    if (data.conditionCount > 0) {
      let cond: Tensor | null = null;
      for (const g of data.groups) {
        const [q] = derivatives(model, g.points, [g.quantity], dopts);
        const e2 = square(sub(q, g.values));
        const s = sum(g.weights ? mul(e2, g.weights) : e2);
        // (each group's share of the loss, for reports; the loss itself sums the groups first, as before)
        if (withTerms) terms.push(mul(s, 1 / data.conditionCount));
        cond = cond ? add(cond, s) : s;
      }
      const other = termLoss(problem, model, data.terms ?? [], dopts);
      if (other) {
        if (withTerms) terms.push(mul(other, 1 / data.conditionCount));
        cond = cond ? add(cond, other) : other;
      }
      if (cond) { const t = mul(cond, 1 / data.conditionCount); loss = loss ? add(loss, t) : t; }
    }
    return withTerms ? { loss: loss!, terms } : loss!;
  });
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
  return new PinnNetwork({
    inputs: problem.vars.length, outputs: problem.outputs.length,
    hidden: n?.hidden ?? problem.defaults.hidden ?? [20, 20, 20, 20],
    activation: n?.activation ?? problem.defaults.activation ?? "tanh",
    seed: n?.seed ?? options.seed ?? 0,
    scale: options.scaleInputs === false ? null : { lo: problem.lo, hi: problem.hi },
    name: problem.name,
  });
}

/** Trains a network on a problem: Adam, then L-BFGS (train-loop.ts), with checkpoints and resuming (checkpoint.ts). */
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
  const ck = checkpointOptions(op, options.checkpoint);
  const resume = options.resume === undefined ? null : typeof options.resume === "string" ? loadCheckpoint(options.resume) : options.resume;

  const network = makeNetwork(problem, options);
  // on any error below, what train() made is released at once (not left to the finalizers): the network too when
  // train() made it (the caller never receives it); a network the caller passed is theirs and is kept
  const own = network !== options.network;
  let data: TrainingData | null = null, lossFn: (() => LossWithTerms) | null = null;
  try {
    data = trainingData(problem, options);
    const identity = runIdentity(problem, network, data, options, { adamSteps, lbfgsSteps, learningRate: typeof lr === "number" ? lr : null });
    if (resume) restoreInto(resume, identity, network, { adamSteps, lbfgsSteps });
    const d = data;
    lossFn = pinnLoss(problem, network, d, { derivativeMethod: options.derivativeMethod, terms: true });
    const t0 = performance.now();
    const elapsed = () => (performance.now() - t0) / 1000;
    const total = adamSteps + lbfgsSteps;
    let lastReport = -Infinity, step = resume?.progress.steps ?? 0;
    // speed over a sliding window of recent steps
    const window: number[] = [];
    const rate = (): number => (window.length < 2 ? 0 : (window.length - 1) / ((window[window.length - 1] - window[0]) / 1000));
    let checkpointFile: string | null = null, checkpointError: Error | null = null;
    const st = runLoop({
      vars: network.trainableWeights, lossFn, termNames: (n) => lossTermNames(problem, d, n - conditionTermCount(d)),
      adamSteps, lbfgsSteps, learningRate: lr, lbfgs: options.lbfgs, compile: options.jit ?? true, timeLimit, elapsed,
      newPhase: () => { window.length = 0; },
      report: (phase, phaseStep, phaseSteps, loss, force) => {
        step++;
        const now = performance.now();
        window.push(now);
        if (window.length > 50) window.shift();
        if (!onProgress || (!force && now - lastReport < interval)) return true;
        lastReport = now;
        const sps = rate();
        const left = phase === "adam" ? (adamSteps - phaseStep) + lbfgsSteps : phaseSteps - phaseStep;
        const eta = Math.min(sps > 0 ? left / sps : Infinity, Math.max(0, timeLimit - elapsed()));
        return onProgress({ phase, step, steps: total, phaseStep, phaseSteps, loss, stepsPerSecond: sps, eta, elapsed: elapsed() }) !== false;
      },
      checkpointEvery: ck?.every ?? 0,
      save: ck ? (part) => {
        const cp: TrainCheckpoint = { ...identity, ...part };
        // a checkpoint that cannot be written (disk full) must not cost the run: it goes on, and the result says so
        if (ck.dir !== undefined) {
          try { checkpointFile = saveCheckpoint(ck.dir, cp); } catch (e) { checkpointError ??= e as Error; }
        }
        ck.onSave?.(cp);
      } : null,
      resume,
    });
    return {
      network, adamSteps: st.doneAdam, lbfgsSteps: st.doneLbfgs, lbfgsEvaluations: st.lbfgsEvaluations, steps: st.step,
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
    if (lossFn) releaseCompiled(lossFn);
    data?.dispose();
  }
}
