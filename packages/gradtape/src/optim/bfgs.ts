// Dense quasi-Newton optimizers for small networks: BFGS with a self-scaled update (SSBFGS, the default), the
// self-scaled Broyden update (SSBroyden) or plain BFGS (bfgs-model.ts has the formulas and their sources). The run,
// line search, stopping tests and checkpoints are L-BFGS's (quasi-newton.ts); only H differs: a dense float64
// n x n approximation in the core, so each iteration costs two O(n^2) passes (H y, the update; about 25 ms at
// n = 3,000 on one core) besides its loss evaluations. PINN losses are small networks and expensive evaluations,
// where a better H pays (Urbán, Stefanou & Pons 2025; Kiyani et al. 2025). Past MAX_BFGS_PARAMETERS parameters H
// (8 n^2 / 2 bytes) is refused: use LBFGS.
import { ArgumentError, ShapeError, describe } from "../errors.js";
import type { Variable } from "../variable.js";
import { checkVariables, type LossFn, type MinimizeOptions } from "./optimizer.js";
import { checkOptions } from "./checks.js";
import { QuasiNewton, type QuasiNewtonOptions } from "./quasi-newton.js";
import { DenseInverseHessian, BFGS_UPDATES, packedSize, type BFGSUpdate } from "./bfgs-model.js";
import type { BFGSState } from "./state.js";
import type { LBFGSResult } from "./lbfgs-options.js";

export { updateParameters, type BFGSUpdate } from "./bfgs-model.js";

/** The most parameters BFGS takes: H then needs 400 MB (n (n + 1) / 2 doubles). */
export const MAX_BFGS_PARAMETERS = 10_000;

export interface BFGSOptions extends QuasiNewtonOptions {
  /** the update of H: "ssbfgs" (default), "ssbroyden" or "bfgs" */
  update?: BFGSUpdate;
}

export interface BFGSResult extends LBFGSResult {
  /** curvature pairs applied to H and pairs skipped (no usable curvature) since construction or reset() */
  updates: number;
  skipped: number;
}

const BFGS_OPTIONS = ["update", "learningRate", "maxIterations", "maxEvaluations", "gradientTolerance", "lossTolerance",
  "stepTolerance", "lineSearch", "c1", "c2", "maxLineSearch", "lossNoise", "initialStep", "onIteration"] as const;

export class BFGS extends QuasiNewton {
  readonly update: BFGSUpdate;
  protected readonly model: DenseInverseHessian;
  declare result: BFGSResult | null;

  constructor(options: BFGSOptions = {}) {
    checkOptions("BFGS", options, BFGS_OPTIONS);
    super("BFGS", options);
    const u = options.update ?? "ssbfgs";
    if (!BFGS_UPDATES.includes(u)) throw new ArgumentError(`BFGS: update must be one of ${BFGS_UPDATES.map((v) => JSON.stringify(v)).join(", ")}, but got ${describe(u)}.`);
    this.update = u;
    this.model = new DenseInverseHessian(u);
  }

  /** Curvature pairs applied to H since construction or reset(), and pairs skipped (no usable curvature). */
  get updates(): number { return this.model.applied; }
  get skippedUpdates(): number { return this.model.skipped; }
  /** Pairs behind the current H (0: H is the identity, after a restart). */
  get historyLength(): number { return this.model.length; }

  reset(): void { super.reset(); this.model.resetCounts(); }

  protected prepare(op: string, n: number): void {
    if (n > MAX_BFGS_PARAMETERS) {
      throw new ArgumentError(`${op}: the variables have ${n.toLocaleString("en-US")} parameters, more than BFGS's limit of ` +
        `${MAX_BFGS_PARAMETERS.toLocaleString("en-US")} (its dense inverse Hessian would need ${(packedSize(n) * 8 / 2 ** 20).toFixed(0)} MiB). Use LBFGS for networks this large.`);
    }
    this.model.allocate(op, n);
  }

  minimize(lossFn: LossFn, variables: readonly Variable[], options: MinimizeOptions = {}): number {
    const f = super.minimize(lossFn, variables, options);
    if (this.result) this.result = { ...this.result, updates: this.model.applied, skipped: this.model.skipped };
    return f;
  }

  /** Frees H (a later minimize() makes it again, starting from the identity). */
  dispose(): void { this.reset(); this.model.release(); }
  [Symbol.dispose](): void { this.dispose(); }

  /**
   * The state (iterate, H packed, counts; copies) and, inside onIteration, the call in progress. setState() on a
   * BFGS with the same options and variables of the same sizes restores it; the continuation is bit-identical.
   */
  getState(): BFGSState {
    const live = this.live;
    return {
      kind: "BFGS", update: this.update, iterations: this.iterations, x: this.x ? this.x.slice() : null,
      H: this.model.exportH(), pairs: this.model.length, updates: this.model.applied, skipped: this.model.skipped,
      ...((p) => ({ Hg: p?.Hg ?? null, HgFor: p?.g ?? null }))(this.model.exportProduct()),
      run: live ? { ...live, g: live.g.slice(), terms: live.terms.slice(), pending: live.pending ? { ...live.pending } : null } : null,
    };
  }

  /** Restores getState()'s state for `variables` (the sizes must match); the variables must hold x rounded to float32. */
  setState(state: BFGSState, variables: readonly Variable[]): void {
    const op = "BFGS.setState";
    const vars = checkVariables(op, variables);
    const n = vars.reduce((a, v) => a + v.size, 0);
    if (state === null || typeof state !== "object" || state.kind !== "BFGS") throw new ArgumentError(`${op}: expected a BFGS state from getState(), but got ${describe(state)}.`);
    if (state.update !== this.update) throw new ArgumentError(`${op}: the state is of update ${describe(state.update)}, this optimizer's is ${JSON.stringify(this.update)}; make it with { update: ${JSON.stringify(state.update)} }.`);
    const vec = (v: unknown, what: string, len: number): Float64Array => {
      if (!(v instanceof Float64Array)) throw new ArgumentError(`${op}: ${what} must be a Float64Array, but it is ${describe(v)}.`);
      if (v.length !== len) throw new ShapeError(`${op}: ${what} has ${v.length} values, but ${len} were expected for variables of ${n} parameters in all; the state is from another network.`);
      return v;
    };
    const count = (v: unknown, what: string) => { if (!Number.isInteger(v) || (v as number) < 0) throw new ArgumentError(`${op}: ${what} must be an integer >= 0, but it is ${describe(v)}.`); return v as number; };
    count(state.iterations, "iterations"); count(state.pairs, "pairs"); count(state.updates, "updates"); count(state.skipped, "skipped");
    const x = state.x === null ? null : vec(state.x, "x", n);
    const H = state.H === null ? null : vec(state.H, "H", packedSize(n));
    if ((H === null) !== (state.pairs === 0)) throw new ArgumentError(`${op}: H must be given exactly when pairs > 0.`);
    const Hg = state.Hg === null || state.Hg === undefined ? null : vec(state.Hg, "Hg", n);
    const HgFor = state.HgFor === null || state.HgFor === undefined ? null : vec(state.HgFor, "HgFor", n);
    if ((Hg === null) !== (HgFor === null)) throw new ArgumentError(`${op}: Hg and HgFor come together (both or neither).`);
    if (H !== null && x === null) throw new ArgumentError(`${op}: an inverse Hessian without an iterate x.`);
    const r = state.run;
    if (r) {
      if (x === null) throw new ArgumentError(`${op}: a call in progress without an iterate x.`);
      if (!Number.isInteger(r.iterations) || !Number.isInteger(r.evaluations) || r.iterations < 0 || r.evaluations < 1 || typeof r.f !== "number" || !Array.isArray(r.terms)) {
        throw new ArgumentError(`${op}: the call in progress needs integer iterations >= 0, evaluations >= 1, a loss f and terms.`);
      }
      vec(r.g, "run.g", n);
    }
    this.prepare(op, n);
    this.reset();
    this.vars = vars.slice();
    this.x = x ? x.slice() : null;
    this.model.importH(H, state.pairs, state.updates, state.skipped, Hg && HgFor ? { Hg, g: HgFor } : null);
    this.iterations = state.iterations;
    this.resume = r ? { ...r, g: r.g.slice(), terms: r.terms.slice(), pending: r.pending ? { ...r.pending } : null } : null;
  }
}
