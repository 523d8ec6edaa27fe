// Stochastic gradient descent with optional momentum (heavy ball or Nesterov) and L2 weight decay, in PyTorch's
// form (dampening 0):
//   g <- g + weightDecay * p
//   v <- momentum * v + g                      (with momentum; v starts at zeros)
//   p <- p - lr * (nesterov ? g + momentum * v : momentum > 0 ? v : g)
// With a constant learning rate this is the same trajectory as Keras' SGD (whose velocity is -lr times this v).
// The arithmetic runs in the core (packages/core/assembly/optim.ts), in place, without allocating.
import { core } from "../backend.js";
import { throwCoreError, ArgumentError } from "../errors.js";
import type { Tensor } from "../tensor.js";
import type { Variable } from "../variable.js";
import { Optimizer, checkNumber, type LearningRate, type VariableState } from "./optimizer.js";
import { checkOptions } from "./checks.js";

export interface SGDOptions {
  /** a number or a schedule (default 0.01) */
  learningRate?: LearningRate;
  /** momentum factor in [0, 1) (default 0: plain gradient descent) */
  momentum?: number;
  /** Nesterov momentum (default false; needs momentum > 0) */
  nesterov?: boolean;
  /** L2 penalty coefficient added to the gradient (default 0) */
  weightDecay?: number;
}

export class SGD extends Optimizer {
  readonly momentum: number;
  readonly nesterov: boolean;
  readonly weightDecay: number;

  constructor(options: SGDOptions = {}) {
    checkOptions("SGD", options, ["learningRate", "momentum", "nesterov", "weightDecay"]);
    super("SGD", options.learningRate ?? 0.01);
    this.momentum = checkNumber("SGD", "momentum", options.momentum ?? 0, 0, 1, true);
    this.nesterov = options.nesterov ?? false;
    if (typeof this.nesterov !== "boolean") throw new ArgumentError(`SGD: nesterov must be true or false.`);
    if (this.nesterov && this.momentum === 0) throw new ArgumentError(`SGD: nesterov needs momentum > 0; give momentum (e.g. 0.9) or drop nesterov.`);
    this.weightDecay = checkNumber("SGD", "weightDecay", options.weightDecay ?? 0, 0);
  }

  protected slotCount(): number { return this.momentum > 0 ? 1 : 0; }

  protected update(v: Variable, g: Tensor, lr: number, state: VariableState): void {
    const hv = this.momentum > 0 ? state.slots[0].handle : 0;
    if (core().sgdUpdate(v.handle, g.handle, hv, lr, this.momentum, this.nesterov, this.weightDecay) === 0) {
      throwCoreError("SGD.applyGradients", [v, g], [v.name, "gradient"]);
    }
  }
}
