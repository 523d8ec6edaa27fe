// The training loop of pinn.train: Adam, then L-BFGS with restarts, with the three things a long run needs:
//
// - divergence: a step whose loss, a loss term or a gradient is NaN or infinite stops the run at once, before that
//   step's update (Adam) or at a point L-BFGS would not accept, so the weights are the last finite ones; the step
//   and the term are reported (result.nonFinite);
// - checkpoints every N steps and at the end (TrainCheckpoint: weights, optimizer states, step counts, history),
//   captured inside L-BFGS's onIteration so that the call in progress is part of it;
// - resuming from one: the same weights at the end, to the bit, as an uninterrupted run of the same plan (the
//   optimizers continue from their exact states, and the restart loop from its counters).
import type { Variable } from "../variable.js";
import { fromFlat, type Tensor } from "../tensor.js";
import { tidy } from "../memory.js";
import { Adam } from "../optim/adam.js";
import { BFGS } from "../optim/bfgs.js";
import type { LBFGSOptions } from "../optim/lbfgs.js";
import { makeSecondPhase, restoreSecondPhase, emptySecondPhaseState, type SecondPhaseOptimizer } from "./second-phase.js";
import { lossAndGradients, type LearningRate, type LossWithTerms } from "../optim/optimizer.js";
import type { LBFGSState, BFGSState } from "../optim/state.js";
import type { TrainCheckpoint } from "./checkpoint.js";
import { LossHistory } from "./loss-history.js";

export type Phase = "adam" | "lbfgs";

/** Where a run went non-finite. */
export interface NonFinite {
  /** the step whose loss (or gradient) was not finite (the weights are those before it) */
  step: number;
  phase: Phase;
  /** the loss term that went non-finite ("residual", "conditions", "observations"), or "total", "gradient of <weight>", "update of <weight> ..." */
  term: string;
  value: number;
}

export interface LoopContext {
  vars: Variable[];
  lossFn: () => LossWithTerms;
  /** names of the loss terms, from the number of terms the loss returned */
  termNames: (count: number) => string[];
  adamSteps: number;
  lbfgsSteps: number;
  learningRate: LearningRate;
  lbfgs?: Omit<LBFGSOptions, "maxIterations" | "maxEvaluations" | "onIteration">;
  /** the variables' dtype (the second phase's float64 defaults: second-phase.ts) */
  dtype?: "float32" | "float64";
  /** the second phase's optimizer (second-phase.ts; default "lbfgs") */
  optimizer?: SecondPhaseOptimizer;
  compile: boolean;
  timeLimit: number;
  elapsed: () => number;
  /** progress callback; false stops */
  report: (phase: Phase, phaseStep: number, phaseSteps: number, loss: number, force: boolean) => boolean;
  /** called when the speed window should restart (a new phase) */
  newPhase: () => void;
  /** called after Adam step i (1-based, its update applied and recorded): loss balancing updates its weights here */
  afterAdamStep?: (i: number) => void;
  /**
   * called after every step (global step count; after afterAdamStep): adaptive collocation and causal weights
   * (remedies.ts). True means the objective changed: L-BFGS then restarts with an empty memory; a dense method
   * (BFGS family) starts a new call with its H (see keepsCurvature below).
   */
  afterStep?: (phase: Phase, step: number) => boolean;
  /**
   * a discrepancy principle (after Morozov 1966): stop once the sum of the loss terms (unweighted by balancing) is at
   * most `level`, the loss of the exact solution: its residual and conditions are zero and its data misfit is the
   * noise's variance (times the observations' weight). Below that the network fits the noise: on Raissi's noisy
   * inverse Burgers (seeds 0, 1, 2) this stop ends at relative L2 1.7e-3, 1.4e-3, 1.4e-3 for u (lambda2 0.04-0.12%
   * off) after about 1,400 steps; trained on to the end, the loss falls 5% more and u ends at 1.9e-2, 2.6e-3, 2.0e-3
   * (lambda2 0.15-0.97% off). The data misfit alone reaches the level earlier, while the residual is still large
   * (seed 1: lambda2 2.9% off there).
   */
  noiseFloor?: { level: number };
  checkpointEvery: number;
  /** saves a checkpoint (null when not checkpointing) */
  save: ((cp: Omit<TrainCheckpoint, "problem" | "network" | "data" | "plan">) => void) | null;
  resume: TrainCheckpoint | null;
  /** loss evaluations so far (Adam steps + L-BFGS's), and of them the line searches': current when report() runs */
  counts?: EvaluationCounts;
}

/** Loss-and-gradient evaluations of a run: Adam makes one per step; L-BFGS one per call start, the rest in line searches. */
export interface EvaluationCounts { evaluations: number; lineSearchEvaluations: number }

export interface LoopState {
  step: number; doneAdam: number; doneLbfgs: number; lbfgsEvaluations: number; lineSearchEvaluations: number; finalLoss: number;
  stopReason: string | null;
  /** [step, loss, ...terms] per step */
  history: LossHistory;
  termNames: string[];
  nonFinite: NonFinite | null;
  /** training seconds of earlier sessions (resumed runs) */
  secondsBefore: number;
  before: number; fruitless: number;
}

/** The first non-finite among the loss, its terms and (when given) the gradients, or null. */
function firstNonFinite(loss: number, terms: number[], names: string[], grads: (Tensor | null)[] | null, vars: Variable[]): { term: string; value: number } | null {
  const i = terms.findIndex((t) => !Number.isFinite(t));
  if (i >= 0) return { term: names[i] ?? `term ${i + 1}`, value: terms[i] };
  if (!Number.isFinite(loss)) return { term: "total", value: loss };
  if (grads) {
    for (let k = 0; k < grads.length; k++) {
      const g = grads[k];
      if (!g) continue;
      const d = g.data();
      for (let j = 0; j < d.length; j++) if (!Number.isFinite(d[j])) return { term: `gradient of ${vars[k].name}`, value: d[j] };
    }
  }
  return null;
}

function nonFiniteWeight(vars: Variable[]): { name: string; value: number } | null {
  for (const v of vars) { const d = v.data(); for (let j = 0; j < d.length; j++) if (!Number.isFinite(d[j])) return { name: v.name, value: d[j] }; }
  return null;
}

const RESUMABLE = new Set(["callback", "time-limit", "done"]);

/**
 * Whether the second phase keeps its curvature when the collocation points move (adaptive sampling). A dense H
 * (BFGS family) holds what thousands of pairs taught it and the loss on new points of the same distribution has
 * nearly the same Hessian, so the new call starts from it; rebuilding it from the identity after every resample
 * would cost hundreds of iterations each time. L-BFGS's 50 pairs are cheap to rebuild and are dropped, as before.
 */
const keepsCurvature = (opt: object): boolean => opt instanceof BFGS;

export function runLoop(ctx: LoopContext): LoopState {
  const { vars, adamSteps, lbfgsSteps } = ctx;
  const r = ctx.resume;
  const st: LoopState = {
    step: r?.progress.steps ?? 0, doneAdam: r?.progress.adamSteps ?? 0, doneLbfgs: r?.progress.lbfgsSteps ?? 0,
    lbfgsEvaluations: r?.progress.lbfgsEvaluations ?? 0, lineSearchEvaluations: r?.progress.lineSearchEvaluations ?? 0, finalLoss: r?.progress.finalLoss ?? NaN,
    // a run stopped by the user, the clock or its plan continues; one that converged stays finished
    stopReason: r && r.progress.stopReason !== null && !RESUMABLE.has(r.progress.stopReason) ? r.progress.stopReason : null,
    history: new LossHistory(r?.history, r ? 2 + r.termNames.length : 0), termNames: r ? r.termNames.slice() : [],
    nonFinite: null, secondsBefore: r?.progress.seconds ?? 0,
    before: r?.progress.lbfgsCall.before ?? NaN, fruitless: r?.progress.lbfgsCall.fruitless ?? 0,
  };
  let savedFinal = false;
  const record = (loss: number, terms: number[]) => {
    if (st.termNames.length === 0 && terms.length > 0) st.termNames = ctx.termNames(terms.length);
    st.history.push([st.step, loss, ...terms.slice(0, st.termNames.length)]);
  };
  const save = (adam: Adam | null, lbfgs: LBFGSState | BFGSState | null, stopReason: string | null) => {
    if (!ctx.save) return;
    ctx.save({
      progress: {
        steps: st.step, adamSteps: st.doneAdam, lbfgsSteps: st.doneLbfgs, lbfgsEvaluations: st.lbfgsEvaluations,
        lineSearchEvaluations: st.lineSearchEvaluations, finalLoss: st.finalLoss,
        seconds: st.secondsBefore + ctx.elapsed(), stopReason, lbfgsCall: { before: st.before, fruitless: st.fruitless },
      },
      termNames: st.termNames, history: st.history.flat(), weights: vars.map((v) => v.data()),
      adam: adam ? adam.getState(vars) : null, lbfgs,
    });
    if (stopReason !== null) savedFinal = true;
  };
  // the running counts, with those of the L-BFGS call in progress (not yet added to st)
  const count = (callEvaluations: number, callLineSearch: number) => {
    if (!ctx.counts) return;
    ctx.counts.evaluations = st.doneAdam + st.lbfgsEvaluations + callEvaluations;
    ctx.counts.lineSearchEvaluations = st.lineSearchEvaluations + callLineSearch;
  };
  count(0, 0);
  const due = () => ctx.checkpointEvery > 0 && st.step % ctx.checkpointEvery === 0;
  const floor = ctx.noiseFloor;
  const atNoise = (terms: number[]): boolean => {
    if (!floor || terms.length === 0) return false;
    let sum = 0;
    for (const t of terms) sum += t;
    return sum <= floor.level;
  };

  if (st.stopReason === null && st.doneAdam < adamSteps) {
    const adam = new Adam({ learningRate: ctx.learningRate });
    try {
      if (r?.adam) adam.setState(r.adam, vars);
      for (let i = st.doneAdam + 1; i <= adamSteps; i++) {
        const { loss, grads, terms } = lossAndGradients("pinn.train", ctx.lossFn, vars, ctx.compile);
        try {
          if (st.termNames.length === 0 && terms.length > 0) st.termNames = ctx.termNames(terms.length);
          const bad = firstNonFinite(loss, terms, st.termNames, grads, vars);
          if (bad) { st.nonFinite = { step: st.step + 1, phase: "adam", ...bad }; st.stopReason = "non-finite"; break; }
          // an update can overflow by itself (a huge learning rate): then the weights before it are put back
          const before = vars.map((v) => v.data());
          adam.applyGradients(grads, vars);
          const over = nonFiniteWeight(vars);
          if (over) {
            tidy(() => vars.forEach((v, k) => v.assign(fromFlat(before[k], v.shape, v.dtype, "pinn.train"))));
            st.nonFinite = { step: st.step + 1, phase: "adam", term: `update of ${over.name} (learning rate too large?)`, value: over.value };
            st.stopReason = "non-finite"; break;
          }
        } finally { for (const g of grads) g?.dispose(); }
        st.step++; st.doneAdam++;
        st.finalLoss = loss;
        record(loss, terms);
        ctx.afterAdamStep?.(i);
        ctx.afterStep?.("adam", st.step);
        count(0, 0);
        let stop: string | null = null;
        if (!ctx.report("adam", i, adamSteps, loss, i === adamSteps)) stop = "callback";
        else if (ctx.elapsed() >= ctx.timeLimit) stop = "time-limit";
        else if (atNoise(terms)) stop = "discrepancy";
        const end = stop ?? (i === adamSteps && lbfgsSteps === 0 ? "done" : null);
        if (end !== null || due()) save(adam, null, end);
        if (stop) { st.stopReason = stop; break; }
      }
    } finally { adam.dispose(); }
  }

  if (st.stopReason === null && st.doneLbfgs < lbfgsSteps) {
    ctx.newPhase();
    // lossNoise: the float32 PINN loss is noisy along a line at ~1e-5 of its value (Burgers after 3,500 steps,
    // loss 8.7e-5: the residual sd of a quadratic fit to 41 samples along -g, test/bench/loss-noise.mjs), far
    // above L-BFGS's float64 default of 1e-6; 1e-4 (about 10 sd) lets the line search rely on slopes there.
    // Burgers seed 0: relative L2 1.02e-3 with 1e-6 (stopped at 7,227 steps), 8.6e-4 with 1e-4 (7,761 steps).
    // (the same restarts for a dense BFGS-family optimizer: ctx.optimizer, second-phase.ts)
    const lbfgs = makeSecondPhase(ctx.optimizer ?? "lbfgs", ctx.lbfgs, lbfgsSteps, Math.ceil(lbfgsSteps * 1.25) + 20, ctx.dtype);
    let resumedCall = false;
    try {
      if (r?.lbfgs) { restoreSecondPhase(lbfgs, r.lbfgs, vars, r.source ?? "the checkpoint"); resumedCall = r.lbfgs.run !== null; }
      let stopped: string | null = null, changed = false;
      lbfgs.onIteration = (info) => {
        st.step++; st.doneLbfgs++;
        st.finalLoss = info.loss;
        record(info.loss, info.terms);
        const bad = firstNonFinite(info.loss, info.terms, st.termNames, null, vars) ??
          (Number.isFinite(info.gradientNorm) ? null : { term: "gradient", value: info.gradientNorm });
        if (bad) { st.nonFinite = { step: st.step, phase: "lbfgs", ...bad }; stopped = "non-finite"; return false; }
        count(info.evaluations, info.lineSearchEvaluations);
        const last = st.doneLbfgs >= lbfgsSteps;
        // new collocation points (adaptive sampling): this call's memory belongs to the old objective, so the call ends
        // and the optimizer restarts empty; a checkpoint taken now holds that empty state
        const moved = !last && ctx.afterStep?.("lbfgs", st.step) === true;
        if (moved) st.fruitless = 0;
        let stop: string | null = null;
        if (!ctx.report("lbfgs", st.doneLbfgs, lbfgsSteps, info.loss, st.doneLbfgs === lbfgsSteps)) stop = "callback";
        else if (ctx.elapsed() >= ctx.timeLimit) stop = "time-limit";
        else if (atNoise(info.terms)) stop = "discrepancy";
        const end = stop ?? (last ? "done" : null);
        if (moved) {
          changed = true;
          if (stop) { stopped = stop; save(null, keepsCurvature(lbfgs) ? { ...lbfgs.getState(), run: null } : emptySecondPhaseState(lbfgs), stop); }
          return false;
        }
        if (end !== null || due()) save(null, lbfgs.getState(), end);
        if (stop) { stopped = stop; return false; }
        return st.doneLbfgs < lbfgsSteps;
      };
      // L-BFGS may stop early on float32 noise (a failed line search, a tiny loss change); restart it with a fresh
      // history while that still makes progress, until the iterations or the time are used up.
      while (st.doneLbfgs < lbfgsSteps) {
        if (!resumedCall) st.before = st.finalLoss;
        resumedCall = false;
        const loss = lbfgs.minimize(ctx.lossFn, vars, { jit: ctx.compile });
        const res = lbfgs.result!;
        st.lbfgsEvaluations += res.evaluations;
        st.lineSearchEvaluations += res.lineSearchEvaluations;
        count(0, 0);
        if (stopped !== "non-finite") st.finalLoss = loss;
        if (stopped) { st.stopReason = stopped; break; }
        if (changed) {
          changed = false; st.fruitless = 0;
          if (!keepsCurvature(lbfgs)) lbfgs.reset();
          if (due()) save(null, lbfgs.getState(), null);
          continue;
        }
        if (st.doneLbfgs >= lbfgsSteps) break;
        if (res.reason === "non-finite") {
          // the loss or gradient at the start of the call: evaluate once more to name the term
          const d = lossAndGradients("pinn.train", ctx.lossFn, vars, false);
          let bad;
          try { bad = firstNonFinite(d.loss, d.terms, st.termNames, d.grads, vars); } finally { for (const g of d.grads) g?.dispose(); }
          st.nonFinite = { step: st.step + 1, phase: "lbfgs", ...(bad ?? { term: "total", value: loss }) };
          st.stopReason = "non-finite"; break;
        }
        if (res.reason === "gradient") { st.stopReason = res.reason; break; }
        if (res.reason === "max-iterations" || res.reason === "max-evaluations" || res.reason === "callback") {
          if (res.iterations === 0 && ++st.fruitless >= 3) { st.stopReason = res.reason; break; }
          continue;
        }
        // loss-change, step, line-search-failed: restart from steepest descent, unless that keeps gaining nothing
        st.fruitless = Number.isFinite(st.before) && !(loss < st.before * (1 - 1e-7)) ? st.fruitless + 1 : 0;
        if (st.fruitless >= 3) { st.stopReason = res.reason; break; }
        lbfgs.reset();
      }
      if (!savedFinal && st.stopReason !== "non-finite") save(null, lbfgs.getState(), st.stopReason ?? "done");
    } finally { if ("dispose" in lbfgs) lbfgs.dispose(); }
  }
  st.stopReason ??= "done";
  return st;
}
