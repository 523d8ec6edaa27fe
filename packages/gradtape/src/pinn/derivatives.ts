// Input derivatives of a pointwise network for a whole batch of points in one call:
//
//   const [u, u_x, u_t, u_xx] = derivatives(net, X /* [N, 2] */, ["u", "u_x", "u_t", "u_xx"], { vars: ["x", "t"] });
//
// each result an [N, 1] tensor, differentiable with respect to the network's weights (so a residual built from
// them can be trained) and to any order.
//
// The computation is the one input-derivative engine of jet() (jet/engine.ts): `options.method` "taylor" pushes the
// derivatives forward in one sweep of Taylor coefficients (a Sequential of Dense layers, or a PinnNetwork, whose input
// scaling the engine applies to X and undoes by the chain rule), "nested-reverse" nests one GradientTape per order
// around the whole network (any pointwise network), and "auto", the default, takes "taylor" when the network allows
// it. This file keeps derivatives()' own signature and messages (results as an array, X strictly [N, d]) and the
// registry of methods: more can be registered (registerDerivativeMethod) without changing callers.
import { Tensor } from "../tensor.js";
import { ArgumentError, ShapeError, describe, fmtShape } from "../errors.js";
// derivative names ("u_xt", ...) are parsed by the one parser that jet() uses too
import { parseDerivative, resolveRequests, DEFAULT_VARS, type DerivativeSpec } from "../jet/spec.js";
import { inputDerivatives, asFunction, type Net, type JetMethod } from "../jet/engine.js";
export { parseDerivative, DEFAULT_VARS, asFunction, type DerivativeSpec, type Net };

export interface DerivativesOptions {
  /** names of the input columns, in order (default: x for one column; x, y for two; x, y, z for three) */
  vars?: readonly string[];
  /** names of the output columns, in order (default: u, for a network with one output) */
  outputs?: readonly string[];
  /** the implementation: "auto" (default), "taylor" or "nested-reverse" */
  method?: string;
}

/**
 * An implementation of derivatives(): receives the network as a function (which checks its output's shape), the
 * inputs, the parsed requests, the number of outputs named (null when not named: then the network must have one),
 * and the network itself; returns one [N, 1] tensor per request, in order.
 */
export type DerivativeMethod = (apply: (x: Tensor) => Tensor, X: Tensor, specs: readonly DerivativeSpec[], outputs: number | null, net: Net) => Tensor[];

const METHODS = new Map<string, DerivativeMethod>();

/** Makes an implementation available as `options.method` (e.g. a forward-mode Taylor-jet one). */
export function registerDerivativeMethod(name: string, impl: DerivativeMethod): void {
  if (typeof name !== "string" || name === "" || typeof impl !== "function") throw new ArgumentError(`registerDerivativeMethod: expected a name and a function, but got ${describe(name)} and ${describe(impl)}.`);
  METHODS.set(name, impl);
}
export function derivativeMethods(): string[] { return [...METHODS.keys()]; }

/**
 * Derivatives of the network's outputs with respect to its inputs at every row of X, one [N, 1] tensor per name,
 * in order. The network must be pointwise (row i of its output depends only on row i of X), as an MLP is.
 */
export function derivatives(net: Net, X: Tensor, names: readonly string[], options: DerivativesOptions = {}): Tensor[] {
  const op = "derivatives";
  const apply = asFunction(net, op);
  if (!(X instanceof Tensor)) throw new ArgumentError(`${op}: X must be a Tensor of shape [N, d], but got ${describe(X)}.`);
  if (X.rank !== 2) throw new ShapeError(`${op}: X must have shape [N, d] (one point per row), but it has shape ${fmtShape(X.shape)}. Reshape it, e.g. X.reshape([-1, ${X.shape[X.rank - 1] ?? 1}]).`);
  if (X.dtype !== "float32" && X.dtype !== "float64") throw new ArgumentError(`${op}: X must be float32 or float64 (the network's dtype), but it is ${X.dtype}.`);
  const method = options.method ?? "auto";
  const impl = METHODS.get(method);
  if (!impl) throw new ArgumentError(`${op}: unknown method ${describe(method)}; available: ${[...METHODS.keys()].join(", ")}.`);
  // the output count is checked against the network's actual output (in `checked`, or by the Taylor sweep)
  const outs = options.outputs;
  const { specs, outputs: m } = resolveRequests(op, X.shape[1], names, options.vars, outs);
  const checked = (x: Tensor): Tensor => {
    const y = apply(x);
    if (!(y instanceof Tensor)) throw new ArgumentError(`${op}: the network must return a Tensor, but it returned ${describe(y)}.`);
    if (y.rank !== 2 || y.shape[0] !== x.shape[0]) {
      throw new ShapeError(`${op}: the network must map [N, d] inputs to [N, m] outputs, but it mapped ${fmtShape(x.shape)} to ${fmtShape(y.shape)}.`);
    }
    const width = y.shape[1];
    if (outs === undefined && width !== 1) throw new ArgumentError(`${op}: the network has ${width} outputs; name them with { outputs: [...] } (e.g. ["u", "v"]).`);
    if (outs !== undefined && width !== outs.length) throw new ShapeError(`${op}: { outputs } names ${outs.length} outputs (${outs.join(", ")}), but the network returns ${width} columns.`);
    return y;
  };
  return impl(checked, X, specs, m, net);
}

/** A built-in method: the engine with that path, running `apply` (which checks the output) when it nests tapes. */
const engineMethod = (method: JetMethod): DerivativeMethod => (apply, X, specs, outputs, net) =>
  inputDerivatives(net, X, specs, outputs, { op: "derivatives", method, apply });

/** Nested GradientTapes, one per derivative order; runs any pointwise network. */
export const nestedReverse: DerivativeMethod = engineMethod("nested-reverse");
/** Forward Taylor propagation (one sweep for all requested derivatives). */
export const taylor: DerivativeMethod = engineMethod("taylor");
/** "taylor" when the network allows it, else "nested-reverse". */
export const auto: DerivativeMethod = engineMethod("auto");

registerDerivativeMethod("nested-reverse", nestedReverse);
registerDerivativeMethod("taylor", taylor);
registerDerivativeMethod("auto", auto);
