// Losses built from differentiable ops, so they have gradients of any order (a PINN loss is differentiated with
// respect to the weights after input derivatives were taken inside it). Argument order as Keras: (yTrue, yPred).
//
// The two arguments must have the same shape (or one is a number or a one-element tensor, e.g. mse(0, residual)):
// silently broadcasting [N, 1] against [N] into [N, N] is a classic bug, so it is an error here.
import { Tensor } from "./tensor.js";
import { sub, square, abs, minimum, maximum, mean, sum, mul } from "./ops.js";
import { tidy } from "./memory.js";
import { ArgumentError, ShapeError, describe, fmtShape } from "./errors.js";

export type Reduction = "mean" | "sum" | "none";

export interface LossOptions {
  /** "mean" over all elements (default), "sum", or "none" (the elementwise loss) */
  reduction?: Reduction;
}

export interface HuberOptions extends LossOptions {
  /** where the loss changes from quadratic to linear (default 1) */
  delta?: number;
}

function difference(op: string, yTrue: Tensor | number, yPred: Tensor | number): Tensor {
  const isT = (v: unknown): v is Tensor => v instanceof Tensor;
  if (!isT(yTrue) && typeof yTrue !== "number") throw new ArgumentError(`${op}: yTrue must be a Tensor or a number, but got ${describe(yTrue)}.`);
  if (!isT(yPred) && typeof yPred !== "number") throw new ArgumentError(`${op}: yPred must be a Tensor or a number, but got ${describe(yPred)}.`);
  if (!isT(yTrue) && !isT(yPred)) throw new ArgumentError(`${op}: at least one of yTrue and yPred must be a Tensor.`);
  if (isT(yTrue) && isT(yPred) && yTrue.size !== 1 && yPred.size !== 1 && yTrue.shape.join() !== yPred.shape.join()) {
    throw new ShapeError(`${op}: yTrue has shape ${fmtShape(yTrue.shape)} but yPred has shape ${fmtShape(yPred.shape)}; they must be equal ` +
      `(broadcasting them would compare every prediction with every target). Reshape one, e.g. yTrue.reshape(${JSON.stringify(yPred.shape)}).`);
  }
  return sub(yPred, yTrue);
}

function reduce(op: string, x: Tensor, reduction: Reduction | undefined): Tensor {
  const r = reduction ?? "mean";
  if (r === "mean") return mean(x);
  if (r === "sum") return sum(x);
  if (r === "none") return x;
  throw new ArgumentError(`${op}: reduction must be "mean", "sum" or "none", but got ${describe(r)}.`);
}

/** Mean squared error: mean((yPred - yTrue)^2). */
export function mse(yTrue: Tensor | number, yPred: Tensor | number, options: LossOptions = {}): Tensor {
  return tidy(() => reduce("mse", square(difference("mse", yTrue, yPred)), options.reduction));
}
export const meanSquaredError = mse;

/** Mean absolute error: mean(|yPred - yTrue|) (its derivative at 0 is taken as 0). */
export function mae(yTrue: Tensor | number, yPred: Tensor | number, options: LossOptions = {}): Tensor {
  return tidy(() => reduce("mae", abs(difference("mae", yTrue, yPred)), options.reduction));
}
export const meanAbsoluteError = mae;

/**
 * Huber loss: 0.5 e^2 where |e| <= delta, delta (|e| - 0.5 delta) beyond, with e = yPred - yTrue. Written as
 * q (e - 0.5 q) with q = clip(e, -delta, delta): the same function, without |e|, so that its derivatives of every
 * order are right at e = 0 too (the second derivative is 1 inside [-delta, delta] and 0 outside).
 */
export function huber(yTrue: Tensor | number, yPred: Tensor | number, options: HuberOptions = {}): Tensor {
  const delta = options.delta ?? 1;
  if (typeof delta !== "number" || !Number.isFinite(delta) || delta <= 0) throw new ArgumentError(`huber: delta must be a finite number > 0, but got ${describe(delta)}.`);
  return tidy(() => {
    const e = difference("huber", yTrue, yPred);
    const q = minimum(maximum(e, -delta), delta);
    const l = mul(q, sub(e, mul(q, 0.5)));
    return reduce("huber", l, options.reduction);
  });
}
