// L-BFGS (Nocedal & Wright, Numerical Optimization, 2nd ed.: algorithm 7.5 for the method; the two-loop recursion
// is in lbfgs-history.ts, the strong-Wolfe line search in lbfgs-search.ts, the loop it shares with the dense BFGS
// family in quasi-newton.ts).
//
// minimize() runs a whole optimization (up to maxIterations iterations) and returns the final loss; the history is
// kept between calls on the same variables, so calling it again continues where it stopped (reset() forgets it).
// getState() inside onIteration captures the call in progress too (lbfgs-state.ts): restored with setState(), the
// next minimize() continues that call and ends with the same bits as an uninterrupted one.
import type { Variable } from "../variable.js";
import { checkVariables, checkInteger } from "./optimizer.js";
import { CurvatureHistory } from "./lbfgs-history.js";
import { exportLBFGS, importLBFGS } from "./lbfgs-state.js";
import { QuasiNewton } from "./quasi-newton.js";
import type { LBFGSState } from "./state.js";
import type { LBFGSOptions } from "./lbfgs-options.js";

export { cubicMinimizer } from "./lbfgs-search.js";

export type { LBFGSStopReason, LBFGSIteration, LBFGSResult, LBFGSOptions } from "./lbfgs-options.js";

export class LBFGS extends QuasiNewton {
  readonly historySize: number;
  protected readonly model: CurvatureHistory;

  constructor(options: LBFGSOptions = {}) {
    super("LBFGS", options);
    this.historySize = checkInteger("LBFGS", "historySize", options.historySize ?? 50, 1);
    this.model = new CurvatureHistory(this.historySize);
  }

  /** The number of (s, y) pairs currently held. */
  get historyLength(): number { return this.model.length; }

  /**
   * The state (iterate, history, iteration count; copies), and inside onIteration also the call in progress.
   * setState() on an LBFGS with the same options and the variables of the same sizes restores it.
   */
  getState(): LBFGSState { return exportLBFGS(this.iterations, this.x, this.model, this.live); }

  /** Restores getState()'s state for `variables` (the sizes must match); the variables must hold x rounded to float32. */
  setState(state: LBFGSState, variables: readonly Variable[]): void {
    const vars = checkVariables("LBFGS.setState", variables);
    const r = importLBFGS(state, vars.reduce((a, v) => a + v.size, 0), this.historySize);
    this.reset();
    this.vars = vars.slice();
    this.x = r.x;
    for (let j = 0; j < r.s.length; j++) { this.model.S.push(r.s[j]); this.model.Y.push(r.y[j]); this.model.rho.push(r.rho[j]); }
    this.iterations = r.iterations;
    this.resume = r.run;
  }
}
