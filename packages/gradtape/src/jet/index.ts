// jet(): the value and input partial derivatives of a pointwise network at a batch of points, in one call.
//
//   const { u, u_x, u_t, u_xx } = jet(model, X /* [N, 2] */, { derivatives: ["u", "u_x", "u_t", "u_xx"], vars: ["x", "t"] });
//
// Each result is an [N, 1] tensor, differentiable with respect to the weights (train a PDE residual through it) and
// to X. Derivatives of any order: "u_xxx", "u_xxt", "u_xxxx". The engine (engine.ts) pushes them forward in ONE
// sweep of Taylor coefficients (taylor.ts) for a Sequential of Dense (and Flatten) layers with elementwise
// activations, built-in or custom, and for a network declaring a Taylor form (a PinnNetwork); any other network (a
// subclassed Model, a function) goes through nested reverse tapes (nested.ts). Both give the same numbers up to
// float32 rounding. pinn.derivatives() (the same names, results as an array), the CLI and the demo call the same
// engine.
import { Tensor } from "../tensor.js";
import { ArgumentError, ShapeError, describe, fmtShape } from "../errors.js";
import { resolveRequests } from "./spec.js";
import { inputDerivatives, chooseMethod, asFunction, type Net, type JetMethod } from "./engine.js";
import type { Layout } from "./taylor.js";

export { parseDerivative, planCoefficients, resolveRequests, parseAll, DEFAULT_VARS, type DerivativeSpec, type CoefficientPlan } from "./spec.js";
export { inputDerivatives, asFunction, JET_METHODS, type Net, type JetMethod, type EngineOptions } from "./engine.js";
export { taylorDerivatives, type Layout, type TaylorOptions } from "./taylor.js";
export { taylorUnsupported, type JetForm } from "./steps.js";
export { nestedDerivatives } from "./nested.js";

export interface JetOptions {
  /** the partials to return: "u", "u_x", "u_xt", "u_xxx", ... (output name, "_", one variable name per derivative) */
  derivatives: readonly string[];
  /** names of the input columns of X, in order (default x; x, y; x, y, z for 1 to 3 columns) */
  vars?: readonly string[];
  /** names of the output columns (default ["u"], for a network with one output) */
  outputs?: readonly string[];
  /** "auto" (default): "taylor" when the network allows it, else "nested-reverse" */
  method?: JetMethod;
  /** Taylor method only: coefficients stacked for one matMul per layer ("stacked") or one matMul each ("split") */
  layout?: Layout;
}

export type JetResult = Record<string, Tensor>;

/** Which method jet() would use for this network and inputs ("taylor" or "nested-reverse"), and why. */
export function jetMethod(net: Net, X: Tensor): { method: "taylor" | "nested-reverse"; reason: string | null } {
  return chooseMethod(net, X);
}

/**
 * The requested partials of the network's outputs with respect to its inputs, at every row of X, as an object
 * { name: [N, 1] tensor }. X is [N, d] (or [N, ...] when the network starts with Flatten; the variables then name the
 * flattened features). The network must be pointwise (row i of its output depends only on row i of X).
 */
export function jet(net: Net, X: Tensor, options: JetOptions): JetResult {
  const op = "jet";
  if (!options || typeof options !== "object") throw new ArgumentError(`${op}: options must be an object such as { derivatives: ["u", "u_x"], vars: ["x", "t"] }, but got ${describe(options)}.`);
  const names = options.derivatives;
  if (!Array.isArray(names) || names.length === 0) throw new ArgumentError(`${op}: options.derivatives must be a non-empty array such as ["u", "u_x"], but got ${describe(names)}.`);
  const list = derivativesArray(net, X, names, options, op);
  const out: JetResult = {};
  names.forEach((n, i) => { out[n] = list[i]; });
  return out;
}

function derivativesArray(net: Net, X: Tensor, names: readonly string[], options: Omit<JetOptions, "derivatives">, op: string): Tensor[] {
  asFunction(net, op); // checks net
  if (!(X instanceof Tensor)) throw new ArgumentError(`${op}: X must be a Tensor of shape [N, d], but got ${describe(X)}.`);
  if (X.rank < 2) throw new ShapeError(`${op}: X must have shape [N, d] (one point per row), but it has shape ${fmtShape(X.shape)}. Reshape it, e.g. X.reshape([-1, 1]).`);
  if (X.dtype !== "float32" && X.dtype !== "float64") throw new ArgumentError(`${op}: X must be float32 or float64 (the network's dtype), but it is ${X.dtype}.`);
  const N = X.shape[0], d = N === 0 ? X.shape.slice(1).reduce((a, b) => a * b, 1) : X.size / N;
  const note = X.rank > 2 ? ` (X ${fmtShape(X.shape)} has ${d} features per point)` : "";
  const { specs, outputs } = resolveRequests(op, d, names, options.vars, options.outputs, note);
  return inputDerivatives(net, X, specs, outputs, { op, method: options.method, layout: options.layout });
}
