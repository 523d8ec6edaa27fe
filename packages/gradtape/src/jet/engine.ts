// The one input-derivative engine: gt.jet, pinn.derivatives, the CLI's `derivatives` command and the demo's explorer
// all end here. It picks the path for a network and runs it:
//   "taylor"          one forward sweep of Taylor coefficients (taylor.ts), for a Sequential of Dense/Flatten layers
//                     (built-in or custom elementwise activations) or a network declaring a Taylor form (steps.ts);
//   "nested-reverse"  nested GradientTapes around the whole network (nested.ts), for any pointwise network;
//   "auto"            "taylor" when the network allows it, else "nested-reverse".
// The callers parse and check their arguments (names, shapes) with their own messages and pass parsed requests.
import { Tensor, fromFlat } from "../tensor.js";
import { tidy } from "../memory.js";
import { mul, add } from "../ops.js";
import { Layer } from "../nn/layer.js";
import { ArgumentError, describe } from "../errors.js";
import type { DerivativeSpec } from "./spec.js";
import { taylorUnsupported, jetForm } from "./steps.js";
import { taylorDerivatives, type Layout } from "./taylor.js";
import { nestedDerivatives } from "./nested.js";

/** A network: a layer or model (called with apply), or a function from [N, d] inputs to [N, m] outputs. */
export type Net = Layer | ((x: Tensor) => Tensor);

/** "taylor": forward Taylor sweep; "nested-reverse": nested GradientTapes; "auto": the first when possible. */
export type JetMethod = "auto" | "taylor" | "nested-reverse";
export const JET_METHODS: readonly JetMethod[] = ["auto", "taylor", "nested-reverse"];

export interface EngineOptions {
  /** the name errors start with */
  op: string;
  /** default "auto" */
  method?: JetMethod;
  /** Taylor method only (taylor.ts) */
  layout?: Layout;
  /** nested-reverse only: the network as a function (default: net itself, or net.apply) */
  apply?: (x: Tensor) => Tensor;
}

/** The network as a function of its inputs. */
export function asFunction(net: Net, op: string): (x: Tensor) => Tensor {
  if (net instanceof Layer) return (x) => net.apply(x);
  if (typeof net === "function") return net;
  throw new ArgumentError(`${op}: net must be a layer, a model or a function (x) => y, but got ${describe(net)}.`);
}

/** Which path "auto" takes for this network and inputs, and why not "taylor" when it does not. */
export function chooseMethod(net: Net, X: Tensor): { method: "taylor" | "nested-reverse"; reason: string | null } {
  const why = taylorUnsupported(net, X);
  return why === null ? { method: "taylor", reason: null } : { method: "nested-reverse", reason: why };
}

/**
 * One [N, 1] tensor per request, in order. `outputs`: the number of output columns named (null: the network must
 * have one). Differentiable with respect to the weights and to X on every path.
 */
export function inputDerivatives(net: Net, X: Tensor, specs: readonly DerivativeSpec[], outputs: number | null, options: EngineOptions): Tensor[] {
  const { op, method = "auto", layout } = options;
  if (!JET_METHODS.includes(method)) throw new ArgumentError(`${op}: method must be "auto", "taylor" or "nested-reverse", but got ${describe(method)}.`);
  const why = method === "nested-reverse" ? "" : taylorUnsupported(net, X);
  if (method === "taylor" && why !== null) {
    throw new ArgumentError(`${op}: method "taylor" cannot run this network: ${why}. Use method "auto" (falls back to nested tapes) or "nested-reverse".`);
  }
  if (why !== null) return nestedDerivatives(options.apply ?? asFunction(net, op), X, specs, outputs, op);
  const form = jetForm(net);
  if (!form) return taylorDerivatives(net as Layer, X, specs, outputs, { op, layout });
  // x_s = x * scale + shift, so d^k / dx_S = (prod over S of scale) d^k / dx_s,S: the sweep runs on the body
  const { body, scale, shift } = form;
  if (scale.every((v) => v === 1) && shift.every((v) => v === 0)) return taylorDerivatives(body, X, specs, outputs, { op, layout });
  return tidy(() => {
    const d = X.shape[1];
    const Xs = add(mul(X, fromFlat(scale, [1, d], X.dtype, op)), fromFlat(shift, [1, d], X.dtype, op));
    const raw = taylorDerivatives(body, Xs, specs, outputs, { op, layout });
    return raw.map((t, i) => {
      const f = specs[i].wrt.reduce((a, j) => a * scale[j], 1);
      return f === 1 ? t : mul(t, f);
    });
  });
}
