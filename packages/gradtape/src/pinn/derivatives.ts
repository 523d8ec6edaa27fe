// Input derivatives of a pointwise network for a whole batch of points in one call:
//
//   const [u, u_x, u_t, u_xx] = derivatives(net, X /* [N, 2] */, ["u", "u_x", "u_t", "u_xx"], { vars: ["x", "t"] });
//
// each result an [N, 1] tensor, differentiable with respect to the network's weights (so a residual built from
// them can be trained) and to any order.
//
// How ("nested-reverse"; the "auto" default uses it for any network the Taylor sweep below cannot run): a pointwise network maps row i of X to row i of U = net(X) and nothing else,
// so the gradient of sum(U[:, o]) with respect to X is, row by row, the gradient of u_o at each point: ONE reverse
// sweep gives every first derivative at every point. The same trick on a column of that gradient gives a row of
// second derivatives, and so on. With K the highest order asked for, K tapes are nested around the forward pass;
// tape k differentiates the level-(k-1) quantities, and its own gradient computation is recorded by tapes k+1..K
// (and by any tape the caller has open, e.g. an optimizer's, which is what makes the results trainable).
// Mixed partials are taken in sorted variable order (u_tx is u_xt), so each needed prefix is differentiated once:
// u, u_x, u_t, u_xx, u_xt costs one forward pass and two reverse sweeps of growing size, whatever N is.
//
// The signature is meant to stay: `options.method` selects the implementation. "taylor" pushes the derivatives
// forward in one sweep of Taylor coefficients (jet/taylor.ts; a Sequential of Dense layers, or a PinnNetwork, whose
// input scaling is applied to X and whose derivatives are rescaled by the chain rule); "auto", the default, takes
// "taylor" when the network allows it and "nested-reverse" otherwise. More can be registered
// (registerDerivativeMethod) without changing callers.
import { Tensor } from "../tensor.js";
import { GradientTape } from "../tape.js";
import { tidy } from "../memory.js";
import { slice } from "../ops.js";
import { Layer } from "../nn/layer.js";
import { ArgumentError, ShapeError, GradientError, describe, fmtShape } from "../errors.js";
import { fromFlat } from "../tensor.js";
import { mul, add } from "../ops.js";
import { taylorDerivatives, taylorUnsupported } from "../jet/taylor.js";
import { PinnNetwork } from "./network.js";
// derivative names ("u_xt", ...) are parsed by the one parser that jet() uses too
import { parseDerivative, checkNames, DEFAULT_VARS, type DerivativeSpec } from "../jet/spec.js";
export { parseDerivative, DEFAULT_VARS, type DerivativeSpec };

/** A network: a layer or model (called with apply), or a function from [N, d] inputs to [N, m] outputs. */
export type Net = Layer | ((x: Tensor) => Tensor);

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

/** The network as a function of its inputs. */
export function asFunction(net: Net, op: string): (x: Tensor) => Tensor {
  if (net instanceof Layer) return (x) => net.apply(x);
  if (typeof net === "function") return net;
  throw new ArgumentError(`${op}: net must be a layer, a model or a function (x) => y, but got ${describe(net)}.`);
}

/**
 * Derivatives of the network's outputs with respect to its inputs at every row of X, one [N, 1] tensor per name,
 * in order. The network must be pointwise (row i of its output depends only on row i of X), as an MLP is.
 */
export function derivatives(net: Net, X: Tensor, names: readonly string[], options: DerivativesOptions = {}): Tensor[] {
  const op = "derivatives";
  const apply = asFunction(net, op);
  if (!(X instanceof Tensor)) throw new ArgumentError(`${op}: X must be a Tensor of shape [N, d], but got ${describe(X)}.`);
  if (X.rank !== 2) throw new ShapeError(`${op}: X must have shape [N, d] (one point per row), but it has shape ${fmtShape(X.shape)}. Reshape it, e.g. X.reshape([-1, ${X.shape[X.rank - 1] ?? 1}]).`);
  if (X.dtype !== "float32") throw new ArgumentError(`${op}: X must be float32, but it is ${X.dtype}.`);
  const d = X.shape[1];
  const vars = options.vars ?? DEFAULT_VARS[d];
  if (vars === undefined) throw new ArgumentError(`${op}: X has ${d} columns; name them with { vars: [...] } (defaults exist for 1 to 3 columns).`);
  checkNames(op, "vars", vars);
  if (vars.length !== d) throw new ArgumentError(`${op}: ${vars.length} variable names (${vars.join(", ")}) for ${d} input columns; give one name per column of X.`);
  if (!Array.isArray(names) || names.length === 0) throw new ArgumentError(`${op}: names must be a non-empty array such as ["u", "u_x"], but got ${describe(names)}.`);
  const method = options.method ?? "auto";
  const impl = METHODS.get(method);
  if (!impl) throw new ArgumentError(`${op}: unknown method ${describe(method)}; available: ${[...METHODS.keys()].join(", ")}.`);

  const outs = options.outputs;
  if (outs !== undefined) checkNames(op, "outputs", outs);
  for (const o of outs ?? []) if (vars.includes(o)) throw new ArgumentError(`${op}: '${o}' is both an output and a variable name.`);
  // the output count is checked against the network's actual output inside the implementation
  const m = outs === undefined ? null : outs.length;
  const specs = names.map((n) => parseDerivative(n, vars, outs ?? ["u"], op));
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

/** Column j of an [N, k] tensor as [N, 1] (the tensor itself when k = 1). */
function column(t: Tensor, j: number): Tensor { return t.shape[1] === 1 ? t : slice(t, [0, j], [-1, 1]); }

const key = (output: number, wrt: readonly number[]) => `${output}:${wrt.join(",")}`;

/** Nested GradientTapes, one per derivative order (see the top of this file); runs any pointwise network. */
export const nestedReverse: DerivativeMethod = (apply, X, specs) => {
  const K = Math.max(0, ...specs.map((s) => s.wrt.length));
  // prefixes[k]: the (output, sorted wrt of length k) whose gradient is needed at level k+1
  const prefixes: Map<string, DerivativeSpec>[] = Array.from({ length: K }, () => new Map());
  for (const s of specs) {
    for (let k = 0; k < s.wrt.length; k++) {
      const w = s.wrt.slice(0, k);
      prefixes[k].set(key(s.output, w), { name: "", output: s.output, wrt: w });
    }
  }
  // tapes[k] differentiates level-k quantities; it must be persistent when it is asked more than once
  const tapes = prefixes.map((p) => new GradientTape({ persistent: p.size > 1 }));
  return tidy(() => {
    const have = new Map<string, Tensor>();
    try {
      for (let k = K - 1; k >= 0; k--) { tapes[k].start(); tapes[k].watch(X); }
      const U = apply(X);
      const m = U.shape[1];
      for (let o = 0; o < m; o++) have.set(key(o, []), column(U, o));
      for (let k = 0; k < K; k++) {
        tapes[k].stop();
        for (const p of prefixes[k].values()) {
          const target = have.get(key(p.output, p.wrt))!;
          // a quantity that does not depend on X (a linear network's u_xx) has derivative zero
          const g = tapes[k].gradient(target, X, { unconnected: "zero" })!;
          for (let j = 0; j < X.shape[1]; j++) {
            const w = [...p.wrt, j];
            // only sorted index lists are kept (u_tx is u_xt)
            if (j < (p.wrt[p.wrt.length - 1] ?? 0)) continue;
            have.set(key(p.output, w), column(g, j));
          }
        }
      }
    } finally {
      for (const t of tapes) { t.stop(); t.dispose(); }
    }
    return specs.map((s) => {
      const t = have.get(key(s.output, s.wrt));
      if (t === undefined) throw new GradientError(`derivatives: internal error, ${s.name} was not computed.`);
      return t;
    });
  });
};

registerDerivativeMethod("nested-reverse", nestedReverse);

/**
 * What the Taylor sweep runs on for this network: the network itself (a Sequential of Dense layers), or for a
 * PinnNetwork its MLP on the scaled inputs (x_s = s x + c, so d^k/dx^k = s^k d^k/dx_s^k); or why it cannot.
 */
function taylorTarget(net: Net, X: Tensor): { layer: Layer; scale: number[] | null } | string {
  if (net instanceof PinnNetwork) {
    const why = taylorUnsupported(net.mlp, X);
    if (why !== null) return why;
    return { layer: net.mlp, scale: net.scaling ? net.scaling.lo.map((l, j) => 2 / (net.scaling!.hi[j] - l)) : null };
  }
  const why = taylorUnsupported(net, X);
  return why === null ? { layer: net as Layer, scale: null } : why;
}

/** Forward Taylor propagation (one sweep for all requested derivatives). */
export const taylor: DerivativeMethod = (_apply, X, specs, outputs, net) => {
  const target = taylorTarget(net, X);
  if (typeof target === "string") throw new ArgumentError(`derivatives: method "taylor" cannot run this network: ${target}. Use method "auto" or "nested-reverse".`);
  const { layer, scale } = target;
  if (!scale) return taylorDerivatives(layer, X, specs, outputs, "derivatives");
  return tidy(() => {
    const d = X.shape[1];
    const pinnNet = net as PinnNetwork;
    const c = pinnNet.scaling!.lo.map((l, j) => -1 - l * scale[j]);
    const Xs = add(mul(X, fromFlat(scale, [1, d], "float32", "derivatives")), fromFlat(c, [1, d], "float32", "derivatives"));
    const raw = taylorDerivatives(layer, Xs, specs, outputs, "derivatives");
    return raw.map((t, i) => {
      const f = specs[i].wrt.reduce((a, j) => a * scale[j], 1);
      return f === 1 ? t : mul(t, f);
    });
  });
};

/** "taylor" when the network allows it, else "nested-reverse". */
export const auto: DerivativeMethod = (apply, X, specs, outputs, net) =>
  typeof taylorTarget(net, X) === "string" ? nestedReverse(apply, X, specs, outputs, net) : taylor(apply, X, specs, outputs, net);

registerDerivativeMethod("taylor", taylor);
registerDerivativeMethod("auto", auto);
