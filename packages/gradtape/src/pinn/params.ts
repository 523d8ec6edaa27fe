// Unknown scalar coefficients of the PDE (inverse problems, Raissi et al. 2019 section 4): a problem lists them with
// their initial values, `params: { lambda1: 0, lambda2: 0 }`, its residual reads them by name like the derivatives,
//
//   residual: ({ u, u_t, u_x, u_xx, lambda1, lambda2 }) => u_t.add(lambda1.mul(u.mul(u_x))).sub(lambda2.mul(u_xx)),
//
// and pinn.train makes each a trainable scalar Variable (shape [1, 1], so it broadcasts against [N, 1] columns),
// minimizes the loss over the network's weights and the parameters together, and reports their values.
//
// A coefficient known to be positive may be declared `{ initial: 0.0025, positive: true }`: it is then trained as its
// logarithm s (the residual receives exp(s), reports show exp(s)), as Raissi et al.'s own code does for Burgers'
// viscosity (lambda2 = exp(s), s = -6 initially). A coefficient of size 1e-3 trained directly moves by Adam steps of
// the learning rate's size, about its own size; its logarithm moves in relative steps.
import { tensor, type Tensor } from "../tensor.js";
import { exp } from "../ops.js";
import { Variable, variable } from "../variable.js";
import { ArgumentError, describe } from "../errors.js";

const NAME = /^[A-Za-z][A-Za-z0-9]*$/;

/** A parameter: its initial value, or { initial, positive } (positive: trained as its logarithm). */
export type ParamSpec = number | { initial: number; positive?: boolean };

/** Checks a problem's `params` (name -> initial value or { initial, positive }) against the names already taken. */
export function checkParams(params: unknown, taken: { vars: readonly string[]; outputs: readonly string[]; uses: readonly string[] }, where: string): { values: Readonly<Record<string, number>>; positive: readonly string[] } {
  const positive: string[] = [];
  if (params === undefined) return { values: Object.freeze({}), positive };
  if (params === null || typeof params !== "object" || Array.isArray(params)) throw new ArgumentError(`${where}: params must map parameter names to initial values, e.g. { lambda1: 0, lambda2: 0 }, but got ${describe(params)}.`);
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(params)) {
    if (!NAME.test(k)) throw new ArgumentError(`${where}: parameter name ${describe(k)} must be letters and digits, starting with a letter.`);
    const clash = taken.vars.includes(k) ? "a variable" : taken.outputs.includes(k) ? "an output" : taken.uses.includes(k) ? "a derivative in uses" : null;
    if (clash) throw new ArgumentError(`${where}: parameter '${k}' has the name of ${clash}; rename it.`);
    const spec: { initial?: unknown; positive?: unknown } = v !== null && typeof v === "object" ? v : { initial: v };
    const init = spec.initial;
    if (typeof init !== "number" || !Number.isFinite(init)) throw new ArgumentError(`${where}: params.${k} must be a finite initial value (or { initial, positive }), but got ${describe(v)}.`);
    if (spec.positive !== undefined && typeof spec.positive !== "boolean") throw new ArgumentError(`${where}: params.${k}.positive must be true or false, but got ${describe(spec.positive)}.`);
    if (spec.positive) {
      if (!(init > 0)) throw new ArgumentError(`${where}: params.${k} is declared positive, so its initial value must be > 0, but got ${init}.`);
      positive.push(k);
    }
    out[k] = init;
  }
  return { values: Object.freeze(out), positive };
}

/** The trainable Variables of a run, from the problem's initial values (overridden by `initial`, if given). */
export function makeParamVariables(problemName: string, params: Readonly<Record<string, number>>, initial: Readonly<Record<string, number>> | undefined, positive: readonly string[] = [],
  dtype: "float32" | "float64" = "float32"): Record<string, Variable> {
  const where = `pinn.train '${problemName}'`;
  if (initial !== undefined && (initial === null || typeof initial !== "object")) throw new ArgumentError(`${where}: params must map parameter names to initial values, but got ${describe(initial)}.`);
  for (const k of Object.keys(initial ?? {})) {
    if (!(k in params)) throw new ArgumentError(`${where}: params names '${k}', which is not a parameter of the problem (${Object.keys(params).join(", ") || "it has none"}).`);
    if (!Number.isFinite(initial![k])) throw new ArgumentError(`${where}: params.${k} must be a finite initial value, but got ${describe(initial![k])}.`);
    if (positive.includes(k) && !(initial![k] > 0)) throw new ArgumentError(`${where}: params.${k} is positive, so its initial value must be > 0, but got ${initial![k]}.`);
  }
  const out: Record<string, Variable> = {};
  for (const [k, v] of Object.entries(params)) {
    const v0 = initial?.[k] ?? v;
    const init = tensor([[positive.includes(k) ? Math.log(v0) : v0]], [1, 1], dtype);
    out[k] = variable(init, true, positive.includes(k) ? `${problemName}/log_${k}` : `${problemName}/${k}`);
    init.dispose();
  }
  return out;
}

/** The current values of parameter Variables as numbers (exp of the Variable for a positive one). */
export function readParams(vars: Readonly<Record<string, Variable>>, positive: readonly string[] = []): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(vars)) out[k] = positive.includes(k) ? Math.exp(v.data()[0]) : v.data()[0];
  return out;
}

/** The parameters as the residual sees them (exp(s) for a positive one: call inside the loss, so it is recorded). */
export function paramTensors(vars: Readonly<Record<string, Tensor>> | undefined, positive: readonly string[] = []): Record<string, Tensor> {
  const out: Record<string, Tensor> = {};
  for (const [k, v] of Object.entries(vars ?? {})) out[k] = positive.includes(k) ? exp(v) : v;
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
export function paramTrace(vars: Readonly<Record<string, Variable>>, positive: readonly string[] = []): { record(step: number): Record<string, number> | undefined; history: Record<string, [number, number][]> } {
  const names = Object.keys(vars);
  const history: Record<string, [number, number][]> = {};
  for (const k of names) history[k] = [];
  return {
    history,
    record(step) {
      if (names.length === 0) return undefined;
      const now = readParams(vars, positive);
      for (const k of names) history[k].push([step, now[k]]);
      return now;
    },
  };
}
