// Activations by name, each a differentiable op (so input derivatives of any order exist through them).
import type { Tensor } from "../tensor.js";
import * as ops from "../ops.js";
import { ArgumentError } from "../errors.js";

export type ActivationName = "linear" | "sigmoid" | "tanh" | "relu" | "sin" | "softplus" | "exp";
export type Activation = ActivationName | ((x: Tensor) => Tensor);

export const ACTIVATIONS: Record<ActivationName, ((x: Tensor) => Tensor) | null> = {
  linear: null, sigmoid: ops.sigmoid, tanh: ops.tanh, relu: ops.relu, sin: ops.sin, softplus: ops.softplus, exp: ops.exp,
};

export function activationFn(a: Activation | undefined, where: string): ((x: Tensor) => Tensor) | null {
  if (a === undefined) return null;
  if (typeof a === "function") return a;
  if (!(a in ACTIVATIONS)) {
    throw new ArgumentError(`${where}: unknown activation ${JSON.stringify(a)}; use one of ${Object.keys(ACTIVATIONS).join(", ")} or a function.`);
  }
  return ACTIVATIONS[a as ActivationName];
}
