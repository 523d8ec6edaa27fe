// Adam (Kingma & Ba 2015), with the epsilon outside the square root as in the paper and PyTorch:
//   g <- g + weightDecay * p                      (L2 decay; for decoupled decay see AdamW)
//   m <- beta1 * m + (1 - beta1) * g
//   v <- beta2 * v + (1 - beta2) * g^2
//   p <- p - lr * (m / (1 - beta1^t)) / (sqrt(v / (1 - beta2^t)) + epsilon)
// t counts this variable's updates (1 for its first). The arithmetic runs in the core, in place, without
// allocating; m and v are made (zeros) on a variable's first update.
import { core } from "../backend.js";
import { throwCoreError } from "../errors.js";
import type { Tensor } from "../tensor.js";
import type { Variable } from "../variable.js";
import { Optimizer, checkNumber, type LearningRate, type VariableState } from "./optimizer.js";
import { checkOptions } from "./checks.js";

const ADAM_OPTIONS = ["learningRate", "beta1", "beta2", "epsilon", "weightDecay"] as const;

export interface AdamOptions {
  /** a number or a schedule (default 0.001) */
  learningRate?: LearningRate;
  /** decay of the first-moment average, in [0, 1) (default 0.9) */
  beta1?: number;
  /** decay of the second-moment average, in [0, 1) (default 0.999) */
  beta2?: number;
  /** added to the denominator (default 1e-8, as the paper and PyTorch; Keras uses 1e-7) */
  epsilon?: number;
  /** L2 penalty added to the gradient (Adam) or decoupled decay (AdamW); default 0 for Adam */
  weightDecay?: number;
}

export class Adam extends Optimizer {
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  readonly weightDecay: number;
  /** whether weightDecay is decoupled from the gradient (AdamW) */
  readonly decoupledWeightDecay: boolean;

  constructor(options: AdamOptions = {}, kind = "Adam", decoupled = false, defaultDecay = 0) {
    checkOptions(kind, options, ADAM_OPTIONS);
    super(kind, options.learningRate ?? 0.001);
    this.beta1 = checkNumber(kind, "beta1", options.beta1 ?? 0.9, 0, 1, true);
    this.beta2 = checkNumber(kind, "beta2", options.beta2 ?? 0.999, 0, 1, true);
    this.epsilon = checkNumber(kind, "epsilon", options.epsilon ?? 1e-8, 0);
    this.weightDecay = checkNumber(kind, "weightDecay", options.weightDecay ?? defaultDecay, 0);
    this.decoupledWeightDecay = decoupled;
  }

  protected slotCount(): number { return 2; }

  protected update(v: Variable, g: Tensor, lr: number, state: VariableState): void {
    const [m, s] = state.slots;
    if (core().adamUpdate(v.handle, g.handle, m.handle, s.handle, lr, this.beta1, this.beta2, this.epsilon,
      this.weightDecay, this.decoupledWeightDecay, state.steps) === 0) {
      throwCoreError(`${this.kind}.applyGradients`, [v, g], [v.name, "gradient"]);
    }
  }
}
