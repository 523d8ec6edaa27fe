// jet(): the value and input partial derivatives of a pointwise network at a batch of points, in one call.
//
//   const { u, u_x, u_t, u_xx } = jet(model, X /* [N, 2] */, { derivatives: ["u", "u_x", "u_t", "u_xx"], vars: ["x", "t"] });
//
// Each result is an [N, 1] tensor, differentiable with respect to the weights (train a PDE residual through it) and
// to X. For a Sequential of Dense (and Flatten) layers with built-in activations the derivatives are pushed forward
// in ONE sweep of stacked Taylor coefficients (taylor.ts); any other network (a subclassed Model, a function, a
// custom activation) goes through nested reverse tapes (tape.ts). Both give the same numbers up to float32 rounding.
// Derivatives of any order: "u_xxx", "u_xxt", "u_xxxx" work on both paths. pinn.derivatives() (the same names,
// results as an array) runs on this machinery too, with its method "auto" / "taylor" / "nested-reverse".
import { Tensor } from "../tensor.js";
import { Layer } from "../nn/layer.js";
import { ArgumentError, ShapeError, describe, fmtShape } from "../errors.js";
import { parseDerivative, checkNames, DEFAULT_VARS, type DerivativeSpec } from "./spec.js";
import { taylorDerivatives, taylorUnsupported, type Layout } from "./taylor.js";
import { tapeDerivatives } from "./tape.js";

export { parseDerivative, planCoefficients, type DerivativeSpec, type CoefficientPlan } from "./spec.js";
export { taylorDerivatives, taylorUnsupported, type Layout, type TaylorOptions } from "./taylor.js";
export { tapeDerivatives } from "./tape.js";

/** A network: a layer or model (called with apply), or a function from [N, d] inputs to [N, m] outputs. */
export type Net = Layer | ((x: Tensor) => Tensor);

/** "taylor": forward Taylor sweep (Sequential of Dense/Flatten only); "nested-reverse": nested GradientTapes. */
export type JetMethod = "auto" | "taylor" | "nested-reverse";

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

/** The network as a function of its inputs. */
function asFunction(net: Net, op: string): (x: Tensor) => Tensor {
  if (net instanceof Layer) return (x) => net.apply(x);
  if (typeof net === "function") return net;
  throw new ArgumentError(`${op}: net must be a layer, a model or a function (x) => y, but got ${describe(net)}.`);
}

/** Which method jet() would use for this network and inputs ("taylor" or "nested-reverse"), and why. */
export function jetMethod(net: Net, X: Tensor): { method: "taylor" | "nested-reverse"; reason: string | null } {
  const why = taylorUnsupported(net, X);
  return why === null ? { method: "taylor", reason: null } : { method: "nested-reverse", reason: why };
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

const specCache = new Map<string, DerivativeSpec[]>();
/** Parsed names (cached by names, variables and outputs: a training loop parses the same list every step). */
function parseAll(names: readonly string[], vars: readonly string[], outs: readonly string[], op: string): DerivativeSpec[] {
  const key = JSON.stringify([names, vars, outs]);
  let specs = specCache.get(key);
  if (!specs) {
    specs = names.map((n) => parseDerivative(n, vars, outs, op));
    if (specCache.size >= 64) specCache.delete(specCache.keys().next().value!);
    specCache.set(key, specs);
  }
  return specs;
}

function derivativesArray(net: Net, X: Tensor, names: readonly string[], options: Omit<JetOptions, "derivatives">, op: string): Tensor[] {
  const apply = asFunction(net, op);
  if (!(X instanceof Tensor)) throw new ArgumentError(`${op}: X must be a Tensor of shape [N, d], but got ${describe(X)}.`);
  if (X.rank < 2) throw new ShapeError(`${op}: X must have shape [N, d] (one point per row), but it has shape ${fmtShape(X.shape)}. Reshape it, e.g. X.reshape([-1, 1]).`);
  if (X.dtype !== "float32") throw new ArgumentError(`${op}: X must be float32, but it is ${X.dtype}.`);
  if (!Array.isArray(names) || names.length === 0) throw new ArgumentError(`${op}: names must be a non-empty array such as ["u", "u_x"], but got ${describe(names)}.`);
  const N = X.shape[0], d = N === 0 ? X.shape.slice(1).reduce((a, b) => a * b, 1) : X.size / N;
  const vars = options.vars ?? DEFAULT_VARS[d];
  if (vars === undefined) throw new ArgumentError(`${op}: X has ${d} input columns; name them with { vars: [...] } (defaults exist for 1 to 3 columns).`);
  checkNames(op, "vars", vars);
  if (vars.length !== d) throw new ArgumentError(`${op}: ${vars.length} variable names (${vars.join(", ")}) for ${d} input columns${X.rank > 2 ? ` (X ${fmtShape(X.shape)} has ${d} features per point)` : ""}; give one name per column of X.`);
  const outs = options.outputs;
  if (outs !== undefined) checkNames(op, "outputs", outs);
  for (const o of outs ?? []) if (vars.includes(o)) throw new ArgumentError(`${op}: '${o}' is both an output and a variable name.`);
  const specs = parseAll(names, vars, outs ?? ["u"], op);
  const method = options.method ?? "auto";
  if (!["auto", "taylor", "nested-reverse"].includes(method)) throw new ArgumentError(`${op}: method must be "auto", "taylor" or "nested-reverse", but got ${describe(method)}.`);
  const why = method === "nested-reverse" ? "" : taylorUnsupported(net, X);
  if (method === "taylor" && why !== null) throw new ArgumentError(`${op}: method "taylor" cannot run this network: ${why}. Use method "auto" (falls back to nested tapes) or "nested-reverse".`);
  const m = outs === undefined ? null : outs.length;
  return why === null ? taylorDerivatives(net as Layer, X, specs, m, { op, layout: options.layout }) : tapeDerivatives(apply, X, specs, m, op);
}
