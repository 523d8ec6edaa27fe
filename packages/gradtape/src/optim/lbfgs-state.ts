// L-BFGS state for checkpoints: copies out (getState) and checked copies in (setState). The float64 iterate, the
// history and a call in progress are kept exactly (no rounding), which is what makes a resumed run bit-identical.
import { ArgumentError, ShapeError, describe } from "../errors.js";
import type { CurvatureHistory } from "./lbfgs-history.js";
import type { LBFGSState, LBFGSRunState } from "./state.js";

export function exportLBFGS(iterations: number, x: Float64Array | null, h: CurvatureHistory, live: LBFGSRunState | null): LBFGSState {
  return {
    kind: "LBFGS", iterations, x: x ? x.slice() : null,
    s: h.S.map((v) => v.slice()), y: h.Y.map((v) => v.slice()), rho: h.rho.slice(),
    run: live ? { ...live, g: live.g.slice(), terms: live.terms.slice(), pending: live.pending ? { ...live.pending } : null } : null,
  };
}

const isNum = (v: unknown): v is number => typeof v === "number";

/** Checks a state against the variables' total size n and the history size; returns copies. */
export function importLBFGS(state: LBFGSState, n: number, historySize: number): LBFGSState {
  const op = "LBFGS.setState";
  if (state === null || typeof state !== "object" || state.kind !== "LBFGS") throw new ArgumentError(`${op}: expected an L-BFGS state from getState(), but got ${describe(state)}.`);
  const vec = (v: unknown, what: string): Float64Array => {
    if (!(v instanceof Float64Array)) throw new ArgumentError(`${op}: ${what} must be a Float64Array, but it is ${describe(v)}.`);
    if (v.length !== n) throw new ShapeError(`${op}: ${what} has ${v.length} values, but the variables have ${n} in all; the state is from another network.`);
    return v.slice();
  };
  if (!Number.isInteger(state.iterations) || state.iterations < 0) throw new ArgumentError(`${op}: iterations must be an integer >= 0, but it is ${describe(state.iterations)}.`);
  const x = state.x === null ? null : vec(state.x, "x");
  if (!Array.isArray(state.s) || !Array.isArray(state.y) || !Array.isArray(state.rho) || state.s.length !== state.y.length || state.s.length !== state.rho.length) {
    throw new ArgumentError(`${op}: the history must be arrays s, y and rho of one length.`);
  }
  if (state.s.length > historySize) throw new ArgumentError(`${op}: the state holds ${state.s.length} (s, y) pairs, more than this optimizer's historySize ${historySize}.`);
  if (state.s.length > 0 && x === null) throw new ArgumentError(`${op}: a history without an iterate x.`);
  const s = state.s.map((v, j) => vec(v, `s[${j}]`)), y = state.y.map((v, j) => vec(v, `y[${j}]`));
  state.rho.forEach((r, j) => { if (!isNum(r) || !(r > 0)) throw new ArgumentError(`${op}: rho[${j}] must be a number > 0, but it is ${describe(r)}.`); });
  let run: LBFGSRunState | null = null;
  if (state.run) {
    const r = state.run;
    if (x === null) throw new ArgumentError(`${op}: a call in progress without an iterate x.`);
    if (!Number.isInteger(r.iterations) || !Number.isInteger(r.evaluations) || r.iterations < 0 || r.evaluations < 1 || !isNum(r.f) || !Array.isArray(r.terms)) {
      throw new ArgumentError(`${op}: the call in progress needs integer iterations >= 0, evaluations >= 1, a loss f and terms.`);
    }
    const p = r.pending;
    if (p !== null && (typeof p !== "object" || !isNum(p.fPrev) || !isNum(p.smax) || typeof p.approx !== "boolean")) throw new ArgumentError(`${op}: the pending stopping tests need fPrev, smax and approx.`);
    run = { iterations: r.iterations, evaluations: r.evaluations, f: r.f, terms: r.terms.slice(), g: vec(r.g, "run.g"), pending: p ? { ...p } : null };
  }
  return { kind: "LBFGS", iterations: state.iterations, x, s, y, rho: state.rho.slice(), run };
}
