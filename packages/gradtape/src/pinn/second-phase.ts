// The optimizer of pinn.train's second phase (after Adam): L-BFGS, or a dense quasi-Newton method (optim.BFGS with
// the "ssbfgs", "ssbroyden" or "bfgs" update) for networks of up to MAX_BFGS_PARAMETERS parameters.
import { ArgumentError, describe } from "../errors.js";
import { LBFGS, type LBFGSOptions } from "../optim/lbfgs.js";
import { BFGS, MAX_BFGS_PARAMETERS } from "../optim/bfgs.js";
import type { BFGSUpdate } from "../optim/bfgs-model.js";
import type { LBFGSState, BFGSState } from "../optim/state.js";
import { CheckpointError } from "./checkpoint.js";

export type SecondPhaseOptimizer = "lbfgs" | BFGSUpdate;
export const SECOND_PHASE_OPTIMIZERS: readonly SecondPhaseOptimizer[] = ["lbfgs", "ssbfgs", "ssbroyden", "bfgs"];

export function checkSecondPhase(op: string, v: unknown, parameters: number): SecondPhaseOptimizer {
  if (!SECOND_PHASE_OPTIMIZERS.includes(v as SecondPhaseOptimizer)) {
    throw new ArgumentError(`${op}: optimizer must be one of ${SECOND_PHASE_OPTIMIZERS.map((o) => JSON.stringify(o)).join(", ")}, but got ${describe(v)}.`);
  }
  if (v !== "lbfgs" && parameters > MAX_BFGS_PARAMETERS) {
    throw new ArgumentError(`${op}: optimizer ${JSON.stringify(v)} keeps a dense inverse Hessian, for at most ${MAX_BFGS_PARAMETERS.toLocaleString("en-US")} ` +
      `parameters; this network has ${parameters.toLocaleString("en-US")}. Use optimizer "lbfgs".`);
  }
  return v as SecondPhaseOptimizer;
}

/** The second-phase optimizer with the run's options (historySize is L-BFGS's only). */
export function makeSecondPhase(name: SecondPhaseOptimizer, options: Omit<LBFGSOptions, "maxIterations" | "maxEvaluations" | "onIteration"> | undefined,
  maxIterations: number, maxEvaluations: number): LBFGS | BFGS {
  // lossNoise: see train-loop.ts
  if (name === "lbfgs") return new LBFGS({ historySize: 50, lossNoise: 1e-4, ...options, maxIterations, maxEvaluations });
  const { historySize: _unused, ...rest } = options ?? {};
  return new BFGS({ lossNoise: 1e-4, ...rest, update: name, maxIterations, maxEvaluations });
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
