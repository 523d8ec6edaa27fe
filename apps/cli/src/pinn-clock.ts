// `gradtape pinn --time-limit S` bounds the command's wall time from its start (loading the core and the problem,
// computing the reference solution, training and the final evaluation; not Node's own start-up nor writing --out
// files), not only the training. Before training, the reference is computed and one evaluation of an untrained
// network of the same shape is timed; training then gets what is left, less twice that evaluation's time and a 2%
// margin, and stops at the last step that is expected to end within it (StepClock; pinn.train's own time limit,
// checked after each step, would overrun by the step in progress).
import { pinn } from "gradtape";

export interface EvaluationCost {
  /** seconds to compute the reference (0 when it was already there), and to predict on its grid */
  referenceSeconds: number;
  predictSeconds: number;
}

/** Computes the problem's reference (cached by the problem) and times an evaluation of a network shaped like the run's; null without a reference. */
export function measureEvaluation(problem: pinn.Problem, network: { hidden?: number[]; seed?: number }): EvaluationCost | null {
  let t = performance.now();
  try { problem.reference(); } catch (e) {
    if (e instanceof Error && /neither an exact solution nor a reference/.test(e.message)) return null;
    throw e;
  }
  const referenceSeconds = (performance.now() - t) / 1000;
  const probe = pinn.makeNetwork(problem, { network, seed: network.seed });
  try {
    t = performance.now();
    pinn.evaluate(probe, problem);
    return { referenceSeconds, predictSeconds: (performance.now() - t) / 1000 };
  } finally { probe.dispose(); }
}

/**
 * The training time that fits in a limit: limit - spent - 2 x the evaluation - 2% of the limit (for a process that
 * is descheduled on a busy machine, and for garbage collection), at least a tenth of a second.
 */
export function trainingBudget(limit: number, spent: number, cost: EvaluationCost | null): number {
  return Math.max(0.1, limit - spent - 2 * (cost?.predictSeconds ?? 0) - 0.02 * limit);
}

/**
 * Stops training before the step that is expected to end after the budget: a step is expected to take the longest
 * of the last 50 (L-BFGS's vary with their line searches) and at least 1.5 x their mean.
 */
export class StepClock {
  #last = NaN;
  #steps: number[] = [];
  constructor(readonly budget: number) {}
  /** Called after each step with the training seconds so far: true when the next step should not start. */
  overruns(elapsed: number): boolean {
    if (!Number.isNaN(this.#last)) { this.#steps.push(elapsed - this.#last); if (this.#steps.length > 50) this.#steps.shift(); }
    this.#last = elapsed;
    const n = this.#steps.length;
    const next = n === 0 ? 0 : Math.max(Math.max(...this.#steps), 1.5 * this.#steps.reduce((a, b) => a + b, 0) / n);
    return elapsed + next > this.budget;
  }
}
