// The argument checks every optimizer shares: hyperparameters (finite numbers in range, integers), the learning
// rate (a number or a schedule, and what a schedule returns), and the variable list (distinct, live, float32 or float64
// Variables).
import { Variable } from "../variable.js";
import { ArgumentError, DTypeError, describe } from "../errors.js";
import type { LearningRate } from "./optimizer.js";
import type { LearningRateSchedule } from "./schedules.js";

/**
 * Checks an optimizer's options argument: undefined or a plain object whose keys are all known. A number in its
 * place (`new Adam(0.01)`) or a misspelt key (`{ lr: 0.01 }`) would otherwise be ignored and the default used
 * without a word, which is the silent failure users meet most often when moving from another library.
 */
export function checkOptions(op: string, v: unknown, known: readonly string[]): void {
  if (v === undefined) return;
  if (v === null || typeof v !== "object" || Array.isArray(v) || Object.getPrototypeOf(v) !== Object.prototype) {
    const hint = typeof v === "number" ? ` For a learning rate write new ${op}({ learningRate: ${v} }).` : "";
    throw new ArgumentError(`${op}: options must be an object such as { learningRate: 0.001 }, but got ${describe(v)}.${hint}`);
  }
  for (const k of Object.keys(v)) {
    if (!known.includes(k)) {
      throw new ArgumentError(`${op}: unknown option ${JSON.stringify(k)}; the options are ${known.join(", ")}.`);
    }
  }
}

/** Checks a hyperparameter: a finite number in [min, max] (or [min, max) with `openMax`). */
export function checkNumber(op: string, name: string, v: unknown, min: number, max = Infinity, openMax = false): number {
  if (typeof v !== "number" || !Number.isFinite(v) || v < min || (openMax ? v >= max : v > max)) {
    const range = max === Infinity ? `>= ${min}` : `in [${min}, ${max}${openMax ? ")" : "]"}`;
    throw new ArgumentError(`${op}: ${name} must be a finite number ${range}, but got ${describe(v)}.`);
  }
  return v;
}

export function checkInteger(op: string, name: string, v: unknown, min: number): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < min) {
    throw new ArgumentError(`${op}: ${name} must be an integer >= ${min}, but got ${describe(v)}.`);
  }
  return v;
}

export function checkLearningRate(op: string, lr: unknown): LearningRate {
  if (typeof lr === "function") return lr as LearningRateSchedule;
  return checkNumber(op, "learningRate", lr, 0);
}

/** The learning rate at `step`, checking what a schedule returns. */
export function learningRateAt(op: string, lr: LearningRate, step: number): number {
  if (typeof lr === "number") return lr;
  const v = lr(step);
  if (typeof v !== "number" || !Number.isFinite(v) || v < 0) {
    throw new ArgumentError(`${op}: the learning-rate schedule returned ${describe(v)} at step ${step}; it must return a finite number >= 0.`);
  }
  return v;
}

/** Checks the variable list: a non-empty array of distinct, live, float32 or float64 Variables. */
export function checkVariables(op: string, variables: unknown): Variable[] {
  if (!Array.isArray(variables) || variables.length === 0) {
    throw new ArgumentError(`${op}: variables must be a non-empty array of Variables (for a model: model.trainableWeights), but got ${describe(variables)}.`);
  }
  const seen = new Set<Variable>();
  variables.forEach((v, i) => {
    if (!(v instanceof Variable)) {
      throw new ArgumentError(`${op}: variables[${i}] must be a Variable (made with variable(...)), but got ${describe(v)}. ` +
        `Optimizers update variables in place; a plain tensor cannot be updated.`);
    }
    v.handleFor(op, `variables[${i}] (${v.name})`);
    if (v.dtype !== "float32" && v.dtype !== "float64") throw new DTypeError(`${op}: variables[${i}] (${v.name}) is ${v.dtype}; only float32 and float64 variables can be trained.`);
    if (seen.has(v)) throw new ArgumentError(`${op}: variables[${i}] (${v.name}) appears twice in the list; give each variable once.`);
    seen.add(v);
  });
  return variables as Variable[];
}

