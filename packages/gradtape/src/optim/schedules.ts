// Learning-rate schedules: plain functions from the step (the number of updates applied so far, 0 for the first
// update) to a learning rate. Pass one as `learningRate` to SGD, Adam or AdamW; any function of the same type
// works too.
import { ArgumentError, describe } from "../errors.js";

export type LearningRateSchedule = (step: number) => number;

function positive(op: string, name: string, v: unknown): number {
  if (typeof v !== "number" || !Number.isFinite(v) || v <= 0) throw new ArgumentError(`${op}: ${name} must be a finite number > 0, but got ${describe(v)}.`);
  return v;
}
function nonNegative(op: string, name: string, v: unknown): number {
  if (typeof v !== "number" || !Number.isFinite(v) || v < 0) throw new ArgumentError(`${op}: ${name} must be a finite number >= 0, but got ${describe(v)}.`);
  return v;
}
function checkStep(op: string, step: number): number {
  if (typeof step !== "number" || !(step >= 0)) throw new ArgumentError(`${op}: the step must be a number >= 0, but got ${describe(step)}.`);
  return step;
}

export interface ExponentialDecayOptions {
  initialLearningRate: number;
  /** the number of steps over which the rate is multiplied by decayRate */
  decaySteps: number;
  decayRate: number;
  /** decay in whole intervals of decaySteps (a staircase) instead of continuously (default false) */
  staircase?: boolean;
}

/** lr(step) = initialLearningRate * decayRate^(step / decaySteps) (the exponent floored with `staircase`). */
export function exponentialDecay(options: ExponentialDecayOptions): LearningRateSchedule {
  const op = "exponentialDecay";
  const lr0 = nonNegative(op, "initialLearningRate", options?.initialLearningRate);
  const n = positive(op, "decaySteps", options.decaySteps);
  const rate = positive(op, "decayRate", options.decayRate);
  const stair = options.staircase ?? false;
  return (step) => {
    const p = checkStep(op, step) / n;
    return lr0 * Math.pow(rate, stair ? Math.floor(p) : p);
  };
}

export interface StepDecayOptions {
  initialLearningRate: number;
  /** the number of steps between two decays */
  stepSize: number;
  /** the factor applied every stepSize steps (default 0.1) */
  gamma?: number;
}

/** lr(step) = initialLearningRate * gamma^floor(step / stepSize) (PyTorch's StepLR). */
export function stepDecay(options: StepDecayOptions): LearningRateSchedule {
  const op = "stepDecay";
  const lr0 = nonNegative(op, "initialLearningRate", options?.initialLearningRate);
  const size = options.stepSize;
  if (!Number.isInteger(size) || size < 1) throw new ArgumentError(`${op}: stepSize must be an integer >= 1, but got ${describe(size)}.`);
  const gamma = nonNegative(op, "gamma", options.gamma ?? 0.1);
  return (step) => lr0 * Math.pow(gamma, Math.floor(checkStep(op, step) / size));
}

export interface CosineDecayOptions {
  initialLearningRate: number;
  /** the number of steps of the half cosine; afterwards the rate stays at alpha * initialLearningRate */
  decaySteps: number;
  /** the final rate as a fraction of the initial one (default 0) */
  alpha?: number;
}

/**
 * lr(step) = initialLearningRate * ((1 - alpha) * (1 + cos(pi * min(step, decaySteps) / decaySteps)) / 2 + alpha)
 * (Loshchilov & Hutter's cosine annealing without restarts; TensorFlow's CosineDecay).
 */
export function cosineDecay(options: CosineDecayOptions): LearningRateSchedule {
  const op = "cosineDecay";
  const lr0 = nonNegative(op, "initialLearningRate", options?.initialLearningRate);
  const n = positive(op, "decaySteps", options.decaySteps);
  const alpha = nonNegative(op, "alpha", options.alpha ?? 0);
  if (alpha > 1) throw new ArgumentError(`${op}: alpha must be in [0, 1], but got ${alpha}.`);
  return (step) => {
    const p = Math.min(checkStep(op, step), n) / n;
    return lr0 * ((1 - alpha) * 0.5 * (1 + Math.cos(Math.PI * p)) + alpha);
  };
}

export interface PiecewiseConstantOptions {
  /** increasing step boundaries b_0 < b_1 < ... */
  boundaries: number[];
  /** one more value than boundaries: values[i] applies while b_{i-1} <= step < b_i */
  values: number[];
}

/** values[0] for step < boundaries[0], values[1] until boundaries[1], ..., the last value afterwards. */
export function piecewiseConstant(options: PiecewiseConstantOptions): LearningRateSchedule {
  const op = "piecewiseConstant";
  const b = options?.boundaries, v = options?.values;
  if (!Array.isArray(b) || !Array.isArray(v) || v.length !== b.length + 1) {
    throw new ArgumentError(`${op}: give boundaries (n numbers) and values (n + 1 numbers), but got ${describe(b)} and ${describe(v)}.`);
  }
  b.forEach((x, i) => {
    nonNegative(op, `boundaries[${i}]`, x);
    if (i > 0 && x <= b[i - 1]) throw new ArgumentError(`${op}: boundaries must increase, but boundaries[${i}] = ${x} <= boundaries[${i - 1}] = ${b[i - 1]}.`);
  });
  v.forEach((x, i) => nonNegative(op, `values[${i}]`, x));
  const bs = b.slice(), vs = v.slice();
  return (step) => {
    checkStep(op, step);
    let i = 0;
    while (i < bs.length && step >= bs[i]) i++;
    return vs[i];
  };
}
