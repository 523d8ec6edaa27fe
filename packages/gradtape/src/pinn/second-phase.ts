// The optimizer of pinn.train's second phase (after Adam): L-BFGS, or a dense quasi-Newton method (optim.BFGS with
// the "ssbfgs", "ssbroyden" or "bfgs" update) for networks of up to MAX_BFGS_PARAMETERS parameters; "auto" (the
// default) takes SSBroyden up to AUTO_DENSE_PARAMETERS weights, where it was measured to need far fewer evaluations.
import { ArgumentError, describe } from "../errors.js";
import { LBFGS, type LBFGSOptions } from "../optim/lbfgs.js";
import { BFGS, MAX_BFGS_PARAMETERS } from "../optim/bfgs.js";
import type { BFGSUpdate } from "../optim/bfgs-model.js";
import type { LBFGSState, BFGSState } from "../optim/state.js";
import { CheckpointError } from "./checkpoint.js";

export type SecondPhaseOptimizer = "lbfgs" | BFGSUpdate;
/** "auto" (the default): "ssbroyden" for networks of at most AUTO_DENSE_PARAMETERS weights, "lbfgs" above */
export type SecondPhaseChoice = "auto" | SecondPhaseOptimizer;
export const SECOND_PHASE_OPTIMIZERS: readonly SecondPhaseChoice[] = ["auto", "lbfgs", "ssbfgs", "ssbroyden", "bfgs"];
/**
 * The most weights for which "auto" picks SSBroyden: every network a dense H can serve (MAX_BFGS_PARAMETERS; H
 * then takes up to 400 MB). Measured (README, test/bench/qn-burgers.mjs): Burgers seed 0 after 500 second-phase
 * iterations, relative L2 6.1e-4 (SSBroyden, 775 evaluations) and 8.8e-4 (SSBFGS, 665) against 1.1e-1 (L-BFGS,
 * 547); heat seeds 0 and 1 to the end, 1.0e-5 and 6.3e-6 (SSBroyden), 1.5e-5 and 1.1e-5 (SSBFGS) against 1.7e-4 and
 * 3.3e-4 (L-BFGS), with fewer evaluations. The limit was 5,000 weights until the 4 x 50 networks of #16 were
 * measured (pinn-accuracy.mjs, seeds 0-2, README "Hard problems"): Kovasznay (7,953 weights) reaches 9.7e-5 to
 * 3.6e-4 (worst of u, v, p) with SSBroyden; there one iteration (H g and the rank-two update over 253 MB) costs
 * about 2.5 loss evaluations (10 iterations/s against Adam's 36 steps/s), and SSBroyden still reaches the target in 150-165 s of CPU.
 */
export const AUTO_DENSE_PARAMETERS = MAX_BFGS_PARAMETERS;

/** The second phase's optimizer: `v` checked, "auto" resolved for `parameters` weights (0: not known yet, check the name only). */
export function checkSecondPhase(op: string, v: unknown, parameters: number): SecondPhaseOptimizer {
  if (!SECOND_PHASE_OPTIMIZERS.includes(v as SecondPhaseChoice)) {
    throw new ArgumentError(`${op}: optimizer must be one of ${SECOND_PHASE_OPTIMIZERS.map((o) => JSON.stringify(o)).join(", ")}, but got ${describe(v)}.`);
  }
  if (v === "auto") return parameters <= AUTO_DENSE_PARAMETERS ? "ssbroyden" : "lbfgs";
  if (v !== "lbfgs" && parameters > MAX_BFGS_PARAMETERS) {
    throw new ArgumentError(`${op}: optimizer ${JSON.stringify(v)} keeps a dense inverse Hessian, for at most ${MAX_BFGS_PARAMETERS.toLocaleString("en-US")} ` +
      `parameters; this network has ${parameters.toLocaleString("en-US")}. Use optimizer "lbfgs".`);
  }
  return v as SecondPhaseOptimizer;
}

/**
 * The second-phase optimizer with the run's options (historySize is L-BFGS's only), for variables of `dtype`. In
 * float64 the gradient test stops at max |g| <= 1e-11 instead of the optimizers' float32-sized 1e-7, unless the
 * options set one: Burgers in float64 (seeds 0 and 1) stopped there at loss 3.5e-11 while its error was still
 * falling (seed 1: 1.9e-5 to 9.5e-6 over its last 250 iterations).
 */
export function makeSecondPhase(name: SecondPhaseOptimizer, options: Omit<LBFGSOptions, "maxIterations" | "maxEvaluations" | "onIteration"> | undefined,
  maxIterations: number, maxEvaluations: number, dtype: "float32" | "float64" = "float32"): LBFGS | BFGS {
  const gradientTolerance = dtype === "float64" ? 1e-11 : undefined;
  // lossNoise: see train-loop.ts
  if (name === "lbfgs") return new LBFGS({ historySize: 50, lossNoise: 1e-4, gradientTolerance, ...options, maxIterations, maxEvaluations });
  const { historySize: _unused, ...rest } = options ?? {};
  // initialStep "last-decrease": on Burgers (Raissi's setup, float32, 400 SSBroyden iterations after the same 1,000
  // Adam steps) the unit step failed sufficient decrease in about half the iterations; starting from the step that
  // repeats the last decrease reached the same error with 32% fewer evaluations (seed 0: 6.2e-4 in 619 evaluations
  // with "unit", 6.4e-4 in 415; seed 1: 3.66e-4 in 607, 3.63e-4 in 414; test/bench/qn-initial-step.mjs)
  return new BFGS({ lossNoise: 1e-4, initialStep: "last-decrease", gradientTolerance, ...rest, update: name, maxIterations, maxEvaluations });
}

/** The optimizer a checkpoint's second-phase state was made by (null before that phase). */
export function checkpointOptimizer(state: LBFGSState | BFGSState | null | undefined): SecondPhaseOptimizer | null {
  if (!state) return null;
  return state.kind === "BFGS" ? state.update as SecondPhaseOptimizer : "lbfgs";
}

/** Restores a checkpoint's second-phase state, refusing one of another optimizer with the option that fits it. */
export function restoreSecondPhase(opt: LBFGS | BFGS, state: LBFGSState | BFGSState, vars: Parameters<LBFGS["setState"]>[1], source: string): void {
  const theirs = state.kind === "BFGS" ? state.update : "lbfgs", ours = opt instanceof BFGS ? opt.update : "lbfgs";
  if (theirs !== ours) {
    throw new CheckpointError(`cannot resume from ${source}: its second phase ran optimizer ${JSON.stringify(theirs)}, this run asks for ${JSON.stringify(ours)}; resume with optimizer ${JSON.stringify(theirs)} (CLI: --optimizer ${theirs}).`);
  }
  if (opt instanceof BFGS) opt.setState(state as BFGSState, vars);
  else opt.setState(state as LBFGSState, vars);
}

/** The state of a second-phase optimizer of the same kind that has not run yet (what a restart from scratch resumes). */
export function emptySecondPhaseState(opt: LBFGS | BFGS): LBFGSState | BFGSState {
  if (!(opt instanceof BFGS)) return new LBFGS().getState();
  const fresh = new BFGS({ update: opt.update });
  try { return fresh.getState(); } finally { fresh.dispose(); }
}
