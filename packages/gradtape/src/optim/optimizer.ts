// What every optimizer shares (the argument checks are in checks.ts): computing a loss and its gradients on a
// tape, the learning rate (a number or a schedule of the step count), and the first-order base class whose
// per-variable update runs in the core (in place, on the variable's storage, without allocating).
import { GradientTape } from "../tape.js";
import { Tensor, fromFlat } from "../tensor.js";
import { Variable } from "../variable.js";
import { tidy, keep } from "../memory.js";
import type { OptimizerState } from "./state.js";
import { zeros } from "../ops.js";
import { ArgumentError, ShapeError, DTypeError, describe, fmtShape } from "../errors.js";
import { jit, type Jitted } from "../jit.js";
import type { LearningRateSchedule } from "./schedules.js";

/** A constant learning rate, or a schedule: a function of the number of updates applied so far (0 for the first). */
export type LearningRate = number | LearningRateSchedule;

/**
 * The loss to minimize: a function that computes a scalar (one-element) float32 tensor from the variables, or
 * `{ loss, terms }` where terms are scalar tensors reported beside the loss (a PINN's residual and condition terms:
 * their values reach `lastTerms` and L-BFGS's onIteration; only `loss` is differentiated).
 */
export type LossFn = () => Tensor | LossWithTerms;
export interface LossWithTerms { loss: Tensor; terms: Tensor[] }

export { checkNumber, checkInteger, checkLearningRate, learningRateAt, checkVariables } from "./checks.js";
import { checkLearningRate, learningRateAt, checkVariables, checkInteger } from "./checks.js";

/** Options of minimize(). */
export interface MinimizeOptions {
  /**
   * Compile lossFn and its gradient with jit() on the first call and replay the compiled program after (default
   * false). Faster (no tape work per op, unneeded ops dropped; PINN losses: about 1.2x), with bit-identical results,
   * but lossFn must then be a function of tensors only: no reading values, random draws or in-place updates
   * inside it (those throw a TraceError), and JavaScript values it captures are frozen at the first call.
   */
  jit?: boolean;
}

type Compiled = Jitted<[], [Tensor, (Tensor | null)[], Tensor[]]>;
// Compiled loss-and-gradient functions per lossFn and variable list. Keyed weakly by lossFn: when a lossFn is
// collected, its compiled functions become unreachable and their finalizer releases the programs.
const compiled = new WeakMap<LossFn, Map<string, Compiled>>();

/** Releases the programs minimize({ jit: true }) compiled for lossFn (else released once lossFn is collected). */
export function releaseCompiled(lossFn: LossFn): void {
  const byVars = compiled.get(lossFn);
  if (byVars === undefined) return;
  for (const f of byVars.values()) f.dispose();
  compiled.delete(lossFn);
}

/** lossFn() on `tape` watching `variables`, checked to be a scalar float32 tensor (with its terms, if any). */
function recordLoss(op: string, lossFn: LossFn, tape: GradientTape, variables: readonly Variable[]): [Tensor, Tensor[]] {
  const out = tape.record(() => { tape.watch(variables as Variable[]); return lossFn(); });
  let loss: unknown = out, terms: Tensor[] = [];
  if (out !== null && typeof out === "object" && !(out instanceof Tensor) && "loss" in out) {
    loss = out.loss;
    terms = Array.isArray(out.terms) ? out.terms : [];
    terms.forEach((t, i) => {
      if (!(t instanceof Tensor) || t.size !== 1) throw new ArgumentError(`${op}: lossFn's terms[${i}] must be a scalar Tensor, but it is ${describe(t)}.`);
    });
  }
  if (!(loss instanceof Tensor)) {
    throw new ArgumentError(`${op}: lossFn must return a Tensor (built with gradtape ops from the variables), but it returned ${describe(loss)}.`);
  }
  if (loss.size !== 1) {
    throw new ShapeError(`${op}: lossFn must return a scalar loss, but it returned a tensor of shape ${fmtShape(loss.shape)}. Reduce it, e.g. with mean() or sum().`);
  }
  if (loss.dtype !== "float32" && loss.dtype !== "float64") throw new DTypeError(`${op}: the loss must be float32 or float64, but it is ${loss.dtype}.`);
  return [loss, terms];
}

/**
 * Evaluates lossFn on a fresh tape that watches `variables` (trainable or not), and returns the loss as a number
 * with its gradients (null for a variable the loss does not depend on). The gradients are the caller's to dispose;
 * everything else made here is freed. With `compile`, the tape and lossFn run as a jit-compiled program.
 */
export function lossAndGradients(op: string, lossFn: LossFn, variables: readonly Variable[], compile = false): { loss: number; grads: (Tensor | null)[]; terms: number[] } {
  if (typeof lossFn !== "function") throw new ArgumentError(`${op}: lossFn must be a function that returns a scalar loss tensor, but got ${describe(lossFn)}.`);
  if (compile) {
    let byVars = compiled.get(lossFn);
    if (byVars === undefined) compiled.set(lossFn, (byVars = new Map()));
    const key = variables.map((v, i) => v.handleFor(op, `variables[${i}]`)).join(",");
    let f = byVars.get(key);
    if (f === undefined) {
      const vars = variables.slice();
      f = jit((): [Tensor, (Tensor | null)[], Tensor[]] => {
        const tape = new GradientTape();
        try {
          const [loss, terms] = recordLoss(op, lossFn, tape, vars);
          return [loss, tape.gradient(loss, vars), terms];
        } finally { tape.dispose(); }
      });
      byVars.set(key, f);
    }
    const run = f;
    return tidy(() => { const [loss, grads, terms] = run(); return { loss: loss.item(), grads, terms: terms.map((t) => t.item()) }; });
  }
  const tape = new GradientTape();
  try {
    return tidy(() => {
      const [loss, terms] = recordLoss(op, lossFn, tape, variables);
      const grads = tape.gradient(loss, variables as Variable[]);
      return { loss: loss.item(), grads, terms: terms.map((t) => t.item()) };
    });
  } finally {
    tape.dispose();
  }
}

/** What an optimizer keeps per variable: its slot tensors and how many updates it has had. */
export interface VariableState { slots: Tensor[]; steps: number }

/**
 * The base of the first-order optimizers (SGD, Adam, AdamW). Subclasses implement `update`, one call into the
 * core per variable; the slot tensors they need (momentum, moments) are made on the first update of a variable
 * and reused, so updates allocate nothing afterwards.
 */
export abstract class Optimizer {
  /** The number of applyGradients calls so far (the step a learning-rate schedule sees). */
  iterations = 0;
  /** The values of the loss's terms at the last minimize() (empty when lossFn returns a plain tensor). */
  lastTerms: number[] = [];
  #lr: LearningRate;
  readonly #state = new Map<Variable, VariableState>();
  protected readonly kind: string;

  constructor(kind: string, learningRate: unknown) {
    this.kind = kind;
    this.#lr = checkLearningRate(kind, learningRate);
  }

  /** The learning rate the next update will use (a schedule evaluated at `iterations`). */
  get learningRate(): number { return learningRateAt(this.kind, this.#lr, this.iterations); }
  /** Sets a new constant learning rate or schedule. */
  set learningRate(lr: LearningRate) { this.#lr = checkLearningRate(this.kind, lr); }
  /** The learning rate or schedule as given. */
  get learningRateSchedule(): LearningRate { return this.#lr; }

  /**
   * Computes lossFn and its gradients with respect to `variables` (watched explicitly, so non-trainable
   * variables listed here are updated too), applies one update, and returns the loss *before* the update as a
   * number (the tensor is freed). A variable the loss does not depend on is left unchanged.
   */
  minimize(lossFn: LossFn, variables: readonly Variable[], options: MinimizeOptions = {}): number {
    const op = `${this.kind}.minimize`;
    const vars = checkVariables(op, variables);
    const { loss, grads, terms } = lossAndGradients(op, lossFn, vars, options.jit === true);
    this.lastTerms = terms;
    try {
      this.applyGradients(grads, vars);
    } finally {
      for (const g of grads) g?.dispose();
    }
    return loss;
  }

  /**
   * Applies one update: grads[i] is the gradient for variables[i] (same shape); a null or undefined gradient
   * leaves that variable (and its slots) unchanged. The gradients are not disposed.
   */
  applyGradients(grads: readonly (Tensor | null | undefined)[], variables: readonly Variable[]): void {
    const op = `${this.kind}.applyGradients`;
    const vars = checkVariables(op, variables);
    if (!Array.isArray(grads) || grads.length !== vars.length) {
      throw new ArgumentError(`${op}: got ${Array.isArray(grads) ? grads.length : describe(grads)} gradients for ${vars.length} variables; give one gradient (or null) per variable, in the same order.`);
    }
    grads.forEach((g, i) => {
      if (g === null || g === undefined) return;
      const v = vars[i];
      if (!(g instanceof Tensor)) throw new ArgumentError(`${op}: grads[${i}] (for ${v.name}) must be a Tensor or null, but got ${describe(g)}.`);
      g.handleFor(op, `grads[${i}] (for ${v.name})`);
      if (g.dtype !== v.dtype) throw new DTypeError(`${op}: grads[${i}] (for ${v.name}) is ${g.dtype}; a gradient has its variable's dtype, ${v.dtype} (cast it: g.cast("${v.dtype}")).`);
      if (g.shape.join() !== v.shape.join()) {
        throw new ShapeError(`${op}: grads[${i}] has shape ${fmtShape(g.shape)} but its variable ${v.name} has shape ${fmtShape(v.shape)}; ` +
          `the gradients must be in the same order as the variables.`);
      }
    });
    const lr = this.learningRate;
    grads.forEach((g, i) => {
      if (!g) return;
      const st = this.#stateOf(vars[i]);
      st.steps++;
      // a refused update (inside a function being traced by jit, say) must not count as a step
      try { this.update(vars[i], g, lr, st); } catch (e) { st.steps--; throw e; }
    });
    this.iterations++;
  }

  /**
   * The optimizer's state for `variables` (in that order): the update count and, per variable, its own step count
   * and slot values (Adam's moments, SGD's velocity), copied; null for a variable not updated yet. With
   * setState() on a fresh optimizer of the same kind and settings, later updates are bit-identical.
   */
  getState(variables: readonly Variable[]): OptimizerState {
    const vars = checkVariables(`${this.kind}.getState`, variables);
    return {
      kind: this.kind, iterations: this.iterations,
      variables: vars.map((v) => {
        const st = this.#state.get(v);
        return st === undefined || st.slots.some((t) => t.isDisposed) ? null : { steps: st.steps, slots: st.slots.map((t) => t.data()) };
      }),
    };
  }

  /** Restores a state from getState() for `variables` (same order and shapes); what was held before is freed. */
  setState(state: OptimizerState, variables: readonly Variable[]): void {
    const op = `${this.kind}.setState`;
    const vars = checkVariables(op, variables);
    if (state === null || typeof state !== "object" || !Array.isArray(state.variables)) throw new ArgumentError(`${op}: expected a state from getState(), but got ${describe(state)}.`);
    if (state.kind !== this.kind) throw new ArgumentError(`${op}: the state is ${describe(state.kind)}'s, not ${this.kind}'s; restore it into a ${String(state.kind)} optimizer.`);
    if (state.variables.length !== vars.length) throw new ArgumentError(`${op}: the state holds ${state.variables.length} variables, but ${vars.length} were given.`);
    checkInteger(op, "state.iterations", state.iterations, 0);
    const n = this.slotCount();
    state.variables.forEach((s, i) => {
      if (s === null) return;
      checkInteger(op, `state.variables[${i}].steps`, s.steps, 0);
      if (!Array.isArray(s.slots) || s.slots.length !== n) throw new ArgumentError(`${op}: variable ${i} (${vars[i].name}) has ${Array.isArray(s.slots) ? s.slots.length : "no"} slots in the state; ${this.kind} keeps ${n}.`);
      s.slots.forEach((a, j) => {
        const want = vars[i].dtype === "float64" ? Float64Array : Float32Array;   // slots have the variable's dtype
        if (!(a instanceof want) || a.length !== vars[i].size) {
          throw new ShapeError(`${op}: slot ${j} of variable ${i} (${vars[i].name}) holds ${a instanceof want ? a.length : describe(a)} values; the variable has ${vars[i].size} (shape ${fmtShape(vars[i].shape)}, ${vars[i].dtype}: a ${want.name}).`);
        }
      });
    });
    this.reset();
    state.variables.forEach((s, i) => {
      if (s === null) return;
      const slots = s.slots.map((a) => keep(fromFlat(a, vars[i].shape.slice(), vars[i].dtype, op)));
      this.#state.set(vars[i], { slots, steps: s.steps });
    });
    this.iterations = state.iterations;
  }

  /** Frees the slot tensors and restarts the step count (the next update is a first step again). */
  reset(): void {
    for (const st of this.#state.values()) for (const t of st.slots) t.dispose();
    this.#state.clear();
    this.iterations = 0;
  }

  /** Frees the slot tensors; the optimizer can still be used (slots are made again). */
  dispose(): void { this.reset(); }
  [Symbol.dispose](): void { this.dispose(); }

  /** How many slot tensors each variable gets (zeros of its shape). */
  protected abstract slotCount(): number;
  /** One in-place update of `v` (state.steps counts this update: 1 for the first). */
  protected abstract update(v: Variable, g: Tensor, lr: number, state: VariableState): void;

  #stateOf(v: Variable): VariableState {
    let st = this.#state.get(v);
    if (st === undefined || st.slots.some((t) => t.isDisposed)) {
      const slots: Tensor[] = [];
      for (let i = 0; i < this.slotCount(); i++) slots.push(keep(zeros(v.shape.slice(), v.dtype)));
      st = { slots, steps: 0 };
      this.#state.set(v, st);
    }
    return st;
  }
}
