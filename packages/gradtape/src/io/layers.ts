// What the weight formats share: the Dense layers of a model in order, their activation names, and the error
// class for malformed files.
import { GradtapeError, ArgumentError, ShapeError, fmtShape } from "../errors.js";
import { Layer } from "../nn/layer.js";
import { Dense } from "../nn/dense.js";
import { Model, Sequential } from "../nn/model.js";
import { ACTIVATIONS, type ActivationName } from "../nn/activations.js";
import { fromFlat } from "../tensor.js";
import { zeros } from "../ops.js";
import { tidy } from "../memory.js";
import type { Variable } from "../variable.js";

/** A weights file (JSON or safetensors) that is malformed, truncated or does not fit the model. */
export class WeightsFormatError extends GradtapeError {}

/** The Dense layers of a model (or a single Dense layer), depth first in declaration order. */
export function denseLayers(op: string, model: Layer): Dense[] {
  if (!(model instanceof Layer)) throw new ArgumentError(`${op}: expected a model (Sequential, a Model subclass) or a Dense layer.`);
  const out: Dense[] = [];
  const seen = new Set<Layer>();
  const walk = (l: Layer): void => {
    if (seen.has(l)) return;
    seen.add(l);
    if (l instanceof Dense) { out.push(l); return; }
    if (l instanceof Model) { for (const c of l.layers) walk(c); return; }
    if (l.weights.length > 0) {
      throw new ArgumentError(`${op}: layer '${l.name}' (${l.constructor.name}) has weights, but only Dense layers can be saved and loaded in this format.`);
    }
  };
  walk(model);
  if (out.length === 0) throw new ArgumentError(`${op}: the model has no Dense layers; there are no weights to save or load.`);
  return out;
}

/** The kernel and bias of a built Dense layer (an error naming the layer when it is not built yet). */
export function denseWeights(op: string, l: Dense): { kernel: Variable; bias: Variable | null } {
  if (l.kernel === null) {
    throw new ArgumentError(`${op}: layer '${l.name}' has no weights yet: give it an inputShape or call the model once on an input before saving or loading.`);
  }
  return { kernel: l.kernel, bias: l.bias };
}

/** The activation's name, or an error when it is a custom function (the formats store names). */
export function activationName(op: string, l: Dense): string {
  if (typeof l.activation === "function") {
    throw new ArgumentError(`${op}: layer '${l.name}' has a custom activation function; the weights formats store activation names (${Object.keys(ACTIVATIONS).join(", ")}).`);
  }
  return l.activation;
}

export function isActivationName(a: unknown): boolean { return typeof a === "string" && Object.prototype.hasOwnProperty.call(ACTIVATIONS, a); }

/** A planned write of values into a variable, checked against its shape. */
export interface Assignment { target: Variable; shape: number[]; data: Float32Array | Float64Array; entry: string }

export function checkAssignment(op: string, a: Assignment, layer: Dense, what: string): void {
  if (a.shape.join() !== a.target.shape.join()) {
    throw new ShapeError(`${op}: ${a.entry} has shape ${fmtShape(a.shape)}, but layer '${layer.name}' has a ${what} of shape ${fmtShape(a.target.shape)}.`);
  }
}

/** Writes every planned value (all checked first, so a bad file changes nothing). */
export function applyAssignments(op: string, as: Assignment[]): void {
  // in the variable's dtype: float64 values round to nearest into a float32 model, float32 widen exactly into float64
  tidy(() => { for (const a of as) a.target.assign(fromFlat(a.data, a.shape, a.target.dtype, op)); });
}

/**
 * A Sequential of Dense layers with these widths, built (its weights exist, all zeros) and ready to be loaded. The
 * first layer declares inputShape [nin]; the others are built by one forward pass on a zero input.
 */
export function buildDenseStack(specs: { nin: number; nout: number; bias: boolean; activation: ActivationName }[], name?: string,
  dtype: "float32" | "float64" = "float32"): Sequential {
  const layers = specs.map((s, i) => new Dense({
    units: s.nout, activation: s.activation, useBias: s.bias, ...(i === 0 ? { inputShape: [s.nin] } : {}),
    kernelInitializer: "zeros", biasInitializer: "zeros", dtype,
  }));
  const model = new Sequential(layers, name !== undefined ? { name } : {});
  tidy(() => { model.apply(zeros([1, specs[0].nin], dtype)); });
  return model;
}
