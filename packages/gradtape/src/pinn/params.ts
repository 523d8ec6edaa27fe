// Unknown scalar coefficients of the PDE (inverse problems, Raissi et al. 2019 section 4): a problem lists them with
// their initial values, `params: { lambda1: 0, lambda2: 0 }`, its residual reads them by name like the derivatives,
//
//   residual: ({ u, u_t, u_x, u_xx, lambda1, lambda2 }) => u_t.add(lambda1.mul(u.mul(u_x))).sub(lambda2.mul(u_xx)),
//
// and pinn.train makes each a trainable scalar Variable (shape [1, 1], so it broadcasts against [N, 1] columns),
// minimizes the loss over the network's weights and the parameters together, and reports their values.
import type { Tensor } from "../tensor.js";
import { Variable, variable } from "../variable.js";
import { ArgumentError, describe } from "../errors.js";

const NAME = /^[A-Za-z][A-Za-z0-9]*$/;

/** Checks a problem's `params` (name -> finite initial value) against the names already taken. */
export function checkParams(params: unknown, taken: { vars: readonly string[]; outputs: readonly string[]; uses: readonly string[] }, where: string): Readonly<Record<string, number>> {
  if (params === undefined) return Object.freeze({});
  if (params === null || typeof params !== "object" || Array.isArray(params)) throw new ArgumentError(`${where}: params must map parameter names to initial values, e.g. { lambda1: 0, lambda2: 0 }, but got ${describe(params)}.`);
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(params)) {
    if (!NAME.test(k)) throw new ArgumentError(`${where}: parameter name ${describe(k)} must be letters and digits, starting with a letter.`);
    const clash = taken.vars.includes(k) ? "a variable" : taken.outputs.includes(k) ? "an output" : taken.uses.includes(k) ? "a derivative in uses" : null;
    if (clash) throw new ArgumentError(`${where}: parameter '${k}' has the name of ${clash}; rename it.`);
    if (typeof v !== "number" || !Number.isFinite(v)) throw new ArgumentError(`${where}: params.${k} must be a finite initial value, but got ${describe(v)}.`);
    out[k] = v;
  }
  return Object.freeze(out);
}

/** The trainable Variables of a run, from the problem's initial values (overridden by `initial`, if given). */
export function makeParamVariables(problemName: string, params: Readonly<Record<string, number>>, initial: Readonly<Record<string, number>> | undefined): Record<string, Variable> {
  const where = `pinn.train '${problemName}'`;
  if (initial !== undefined && (initial === null || typeof initial !== "object")) throw new ArgumentError(`${where}: params must map parameter names to initial values, but got ${describe(initial)}.`);
  for (const k of Object.keys(initial ?? {})) {
    if (!(k in params)) throw new ArgumentError(`${where}: params names '${k}', which is not a parameter of the problem (${Object.keys(params).join(", ") || "it has none"}).`);
    if (!Number.isFinite(initial![k])) throw new ArgumentError(`${where}: params.${k} must be a finite initial value, but got ${describe(initial![k])}.`);
  }
  const out: Record<string, Variable> = {};
  for (const [k, v] of Object.entries(params)) out[k] = variable([[initial?.[k] ?? v]], true, `${problemName}/${k}`);
  return out;
}

/** The current values of parameter Variables as numbers. */
export function readParams(vars: Readonly<Record<string, Variable>>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(vars)) out[k] = v.data()[0];
  return out;
}

/**
 * The residual's argument: the derivatives, the variables' columns and the parameters by name, where reading a name
 * that is none of these is an ArgumentError (instead of `undefined` and a TypeError deep inside the residual).
 */
export function residualArguments(named: Record<string, Tensor>, problem: { name: string; uses: readonly string[]; vars: readonly string[]; params: Readonly<Record<string, number>> }): Readonly<Record<string, Tensor>> {
  return new Proxy(named, {
    get(target, key, receiver) {
      if (typeof key !== "string" || key in target || key in Object.prototype || key === "then" || key === "toJSON") return Reflect.get(target, key, receiver);
      const params = Object.keys(problem.params);
      throw new ArgumentError(`problem '${problem.name}': the residual reads '${key}', which is not a derivative in uses (${problem.uses.join(", ")}), ` +
        `a variable (${problem.vars.join(", ")}) or a parameter (${params.length ? params.join(", ") : "none: declare unknown coefficients with params: { name: initialValue }"}). ` +
        `Add it to uses or params, or fix its spelling.`);
    },
  });
}

/** Records the parameters' values after each step: the trace pinn.train returns, and the values progress reports. */
export function paramTrace(vars: Readonly<Record<string, Variable>>): { record(step: number): Record<string, number> | undefined; history: Record<string, [number, number][]> } {
  const names = Object.keys(vars);
  const history: Record<string, [number, number][]> = {};
  for (const k of names) history[k] = [];
  return {
    history,
    record(step) {
      if (names.length === 0) return undefined;
      const now = readParams(vars);
      for (const k of names) history[k].push([step, now[k]]);
      return now;
    },
  };
}
