// Variables: tensors that persist (tidy does not dispose them), are updated in place with assign(), and are
// watched automatically by a GradientTape (unless watchAccessedVariables is false) when trainable.
// assign() bumps the storage's version, so a gradient whose saved values were overwritten fails loudly.
import { core } from "./backend.js";
import { throwCoreError, ArgumentError, TraceError } from "./errors.js";
import { Tensor, tensor, type NestedArray } from "./tensor.js";
import * as check from "./check.js";
import { untrack } from "./memory.js";
import type { DType } from "./errors.js";

let counter = 0;

export class Variable extends Tensor {
  readonly name: string;
  trainable: boolean;

  /** @internal use variable() */
  constructor(handle: number, shape: readonly number[], dtype: DType, trainable: boolean, name: string) {
    super(handle, shape, dtype, false);
    this.trainable = trainable;
    this.name = name;
    core().tensorSetTrainable(handle, trainable);
  }

  /** The values (a copy). Refused while jit traces a function: a Variable's values change between calls, and a
   *  value read in JavaScript would be frozen into the compiled program. */
  override data(): Float32Array | Float64Array {
    if (core().traceDepth() > 0) {
      throw new TraceError(`data: variable ${this.name} is read while jit traces a function: its values can change between calls ` +
        `(assign, optimizer steps), and the compiled program would keep the value read now. Use it through tensor ops ` +
        `(they read its current values on every call), or read it outside the jitted function.`);
    }
    return super.data();
  }

  /** Overwrites the value in place (broadcasting `value` to this shape). Numbers and arrays are taken in this
   *  variable's dtype (a float64 variable keeps a number's every bit); a tensor must have it already. */
  assign(value: Tensor | NestedArray): this {
    const v = value instanceof Tensor ? value : check.converted("assign", "value", () => tensor(value as NestedArray, undefined, this.dtype));
    try {
      if (core().assign(this.handleFor("assign", this.name), v.handleFor("assign", "value")) === 0) throwCoreError("assign", [this, v], [this.name, "value"]);
    } finally { if (v !== value) v.dispose(); }
    return this;
  }

  setTrainable(on: boolean): void { this.trainable = on; core().tensorSetTrainable(this.handle, on); }
}

/** variable(initialValue, trainable = true, name?): a Variable holding a copy of initialValue. */
export function variable(initialValue: Tensor | NestedArray, trainable = true, name?: string, dtype?: DType): Variable {
  const init = initialValue instanceof Tensor ? initialValue : check.converted("variable", "initialValue", () => tensor(initialValue as NestedArray, undefined, dtype));
  try {
    if (init.dtype !== "float32" && init.dtype !== "float64" && trainable) throw new ArgumentError(`variable: a trainable variable must be float32 or float64, got ${init.dtype}. Pass trainable = false or float values.`);
    const c = core();
    const hc = c.tensorContiguous(init.handleFor("variable", "initialValue"));
    if (hc === 0) throwCoreError("variable", [init]);
    const v = new Variable(hc, init.shape, init.dtype, trainable, name ?? `variable_${counter++}`);
    untrack(v);
    return v;
  } finally { if (init !== initialValue) init.dispose(); }
}
