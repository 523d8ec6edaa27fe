// GradientTape: TensorFlow 2 semantics over the core's tape, plus what TF lacks: views of watched tensors as
// gradient sources (even when made after the forward pass), and `unconnected: 'error'` that says which source is
// unconnected and why.
import { core, scratch, writeScratch } from "./backend.js";
import { GradientError, ArgumentError, throwCoreError, fmtShape, describe } from "./errors.js";
import { Tensor, wrap, fromMeta } from "./tensor.js";

// ints of metadata per gradient result that the core writes after the handles (core backprop.ts META)
const META = 9;
import * as check from "./check.js";
import { Held, guardLater, settle } from "./memory.js";

export type Unconnected = "none" | "zero" | "error";
export type Sources = Tensor | readonly Tensor[] | { readonly [key: string]: Tensor };
/** A source's gradient: null only where an unconnected source can give null (unconnected "none", the default). */
export type GradientOf<U extends Unconnected = "none"> = U extends "none" ? Tensor | null : Tensor;
export type GradientsOf<S, U extends Unconnected = "none"> = S extends Tensor ? GradientOf<U>
  : S extends readonly Tensor[] ? GradientOf<U>[]
  : { [K in keyof S]: GradientOf<U> };

export interface GradientOptions {
  /** the cotangent of the target (default: ones, i.e. the gradient of sum(target)) */
  outputGradients?: Tensor;
  /** what an unconnected source gets: null (default, as TensorFlow), zeros, or an error naming it */
  unconnected?: Unconnected;
}

export interface TapeOptions { persistent?: boolean; watchAccessedVariables?: boolean }

/** The core's code for an `unconnected` mode, -1 for anything else (compared, not looked up in an object: a lookup by
 *  a string key is a generic keyed load). */
const modeCode = (m: unknown): number => (m === "none" ? 0 : m === "zero" ? 1 : m === "error" ? 2 : -1);
const JACOBIAN_OPTIONS = { unconnected: "string" } as const;
// The safety net for tapes dropped without dispose(); registered late, as tensors are (memory.ts guardLater).
const tapeFinalizer = new FinalizationRegistry<Held>((h) => { if (h.live) try { core().tapeRelease(h.handle); } catch { /* gone */ } });

const first = (r: (Tensor | null)[]): unknown => r[0];
const asList = (r: (Tensor | null)[]): unknown => r;
const singleKey = (): string => "source";
const listKey = (i: number): string => `sources[${i}]`;

/** The sources as a list, how to name source i in a message (built only when one is needed: a template string per
 *  source per call was a visible part of an eager gradient's cost), and how to shape the results like the sources. */
function flattenSources(sources: Sources, op: string): { list: readonly Tensor[]; key: (i: number) => string; rebuild: (r: (Tensor | null)[]) => unknown } {
  if (sources instanceof Tensor) return { list: [sources], key: singleKey, rebuild: first };
  if (Array.isArray(sources)) return { list: sources as readonly Tensor[], key: listKey, rebuild: asList };
  if (sources && typeof sources === "object") {
    const entries = Object.entries(sources as Record<string, Tensor>);
    return {
      list: entries.map(([, v]) => v), key: (i) => `sources.${entries[i][0]}`,
      rebuild: (r) => Object.fromEntries(entries.map(([k], i) => [k, r[i]])),
    };
  }
  throw new ArgumentError(`${op}: sources must be a Tensor, an array of tensors or an object of tensors, got ${describe(sources)}.`);
}

function unconnectedMessage(op: string, key: string, src: Tensor, reason: number, blocking: number): string {
  const c = core();
  const R = c.UnconnectedReason;
  const why = reason === R.NeverWatched ? "it was never watched: call tape.watch(x) inside record() before using it, or make it a trainable variable"
    : reason === R.AfterForward ? "it was created after the forward pass and is not a view of a watched tensor: take the gradient with respect to the tensor the computation used (slices and index() of it are fine)"
    : reason === R.NonDifferentiable ? `it reaches the target only through the non-differentiable op ${c.Op[blocking] ?? "?"}`
    : "the target does not depend on it";
  return `${op}: ${key} (shape ${fmtShape(src.shape)}) is unconnected to the target: ${why}. ` +
    `Pass { unconnected: 'zero' } to get zeros instead, or 'none' for null.`;
}

export class GradientTape {
  readonly persistent: boolean;
  readonly watchAccessedVariables: boolean;
  #id: number;
  #disposed = false;
  #held: Held;

  constructor(options: TapeOptions = {}) {
    // (each key read by name: see check.optionsObject)
    if (check.optionsObject("GradientTape", options)) {
      check.option("GradientTape", "persistent", options.persistent, "boolean");
      check.option("GradientTape", "watchAccessedVariables", options.watchAccessedVariables, "boolean");
    }
    this.persistent = options.persistent ?? false;
    this.watchAccessedVariables = options.watchAccessedVariables ?? true;
    this.#id = core().tapeCreate(this.persistent, this.watchAccessedVariables);
    this.#held = new Held(this.#id); guardLater(this, this.#held, tapeFinalizer);
  }

  #tape(op: string): number {
    if (this.#disposed) throw new GradientError(`${op}: this GradientTape was disposed; create a new one.`);
    return this.#id;
  }

  /** Runs fn with this tape recording and returns its result (the `with tf.GradientTape()` block). */
  record<T>(fn: () => T): T {
    const id = this.#tape("record"); check.fn("record", "fn", fn);
    core().tapePush(id);
    try { return fn(); } finally { core().tapePop(id); }
  }

  /** Starts recording until stop() or dispose(): `using tape = new GradientTape().start()`. */
  start(): this { core().tapePush(this.#tape("start")); return this; }
  stop(): void { if (!this.#disposed) core().tapePop(this.#id); }

  /** Runs fn without recording on this tape (other active tapes still record). */
  stopRecording<T>(fn: () => T): T {
    const id = this.#tape("stopRecording"); check.fn("stopRecording", "fn", fn);
    core().tapePause(id, true);
    try { return fn(); } finally { core().tapePause(id, false); }
  }

  /** Watches tensors so that ops on them are recorded. */
  watch(x: Sources): void {
    const id = this.#tape("watch");
    for (const t of flattenSources(x, "watch").list) {
      if (!(t instanceof Tensor)) throw new ArgumentError(`watch: expected tensors, got ${describe(t)}.`);
      if (t.dtype !== "float32" && t.dtype !== "float64") throw new ArgumentError(`watch: only float32 and float64 tensors have gradients; this one is ${t.dtype}.`);
      if (core().tapeWatch(id, t.handleFor("watch")) === 0) throwCoreError("watch", [t]);
    }
  }

  /** d target / d sources, shaped like sources (a tensor, an array, or an object). */
  gradient<S extends Sources, U extends Unconnected = "none">(target: Tensor, sources: S, options: GradientOptions & { unconnected?: U } = {}): GradientsOf<S, U> {
    const id = this.#tape("gradient");
    if (check.optionsObject("gradient", options)) {
      check.option("gradient", "outputGradients", options.outputGradients, "tensor");
      check.option("gradient", "unconnected", options.unconnected, "string");
    }
    const { list, key, rebuild } = flattenSources(sources, "gradient");
    const mode = options.unconnected ?? "none", code = modeCode(mode);
    if (code < 0) throw new ArgumentError(`gradient: unconnected must be 'none', 'zero' or 'error', got ${describe(mode)}.`);
    if (!(target instanceof Tensor)) throw new ArgumentError(`gradient: target must be a Tensor, got ${describe(target)}.`);
    const seed = options.outputGradients;
    if (seed && seed.shape.join() !== target.shape.join()) {
      throw new ArgumentError(`gradient: outputGradients has shape ${fmtShape(seed.shape)} but the target has shape ${fmtShape(target.shape)}; they must be equal.`);
    }
    const th = target.handleFor("gradient", "target");
    // the source handles go straight to the scratch (as writeScratch would, with its limit checked after the sources)
    const count = list.length, sc0 = scratch();
    for (let i = 0; i < count; i++) {
      const s: unknown = list[i];
      if (!(s instanceof Tensor)) throw new ArgumentError(`gradient: ${key(i)} must be a Tensor, got ${describe(s)}.`);
      const hs = s.isDisposed ? s.handleFor("gradient", key(i)) : s.handleFor("gradient");
      if (i < sc0.length) sc0[i] = hs;
    }
    if (count > sc0.length) writeScratch(list.map(() => 0)); // (throws its RangeError: too many values for one call)
    const c = core();
    const n = c.tapeGradient(id, th, count, seed ? seed.handleFor("gradient", "outputGradients") : 0, code);
    if (n < 0) {
      if (c.errorCode() === c.ErrorCode.Unconnected) {
        const i = c.errorArg();
        const msg = unconnectedMessage("gradient", key(i), list[i], c.errorDetail(0), c.errorOp());
        c.clearError();
        throw new GradientError(msg);
      }
      throwCoreError("gradient", [target, ...list], ["target", ...list.map((_, i) => key(i))]);
    }
    const sc = scratch(), res = new Array<Tensor | null>(n);
    if (n * (1 + META) <= sc.length) {
      // the core wrote each result's rank | dtype << 8 and shape after the handles (core backprop.ts tapeGradient)
      for (let i = 0; i < n; i++) res[i] = sc[i] === 0 ? null : fromMeta(sc[i], sc, n + META * i);
    } else {
      const out = new Array<number>(n);
      for (let i = 0; i < n; i++) out[i] = sc[i];  // (read all before wrap() reuses the scratch)
      for (let i = 0; i < n; i++) res[i] = out[i] === 0 ? null : wrap(out[i], "gradient");
    }
    return rebuild(res) as GradientsOf<S, U>;
  }

  /** J[i..., k...] = d target[i...] / d source[k...]; differentiable under an outer tape. */
  jacobian(target: Tensor, source: Tensor, options: { unconnected?: Unconnected } = {}): Tensor | null {
    check.options("jacobian", options, JACOBIAN_OPTIONS);
    return this.#jac("jacobian", target, source, options.unconnected ?? "none", false);
  }

  /** J[b, i..., k...] = d target[b, i...] / d source[b, k...] for examples independent along axis 0. */
  batchJacobian(target: Tensor, source: Tensor, options: { unconnected?: Unconnected } = {}): Tensor | null {
    check.options("batchJacobian", options, JACOBIAN_OPTIONS);
    return this.#jac("batchJacobian", target, source, options.unconnected ?? "none", true);
  }

  #jac(op: string, target: Tensor, source: Tensor, mode: Unconnected, batch: boolean): Tensor | null {
    const id = this.#tape(op); check.jacobianArgs(op, target, source, mode, batch);
    const c = core();
    if (batch && (target.rank < 1 || source.rank < 1 || target.shape[0] !== source.shape[0])) {
      throw new ArgumentError(`${op}: target ${fmtShape(target.shape)} and source ${fmtShape(source.shape)} must share their first (batch) dimension.`);
    }
    const th = target.handleFor(op, "target"), sh = source.handleFor(op, "source");
    const r = batch ? c.tapeBatchJacobian(id, th, sh, modeCode(mode)) : c.tapeJacobian(id, th, sh, modeCode(mode));
    if (r === 0) {
      if (c.errorCode() === 0) return null;
      if (c.errorCode() === c.ErrorCode.Unconnected) {
        const msg = unconnectedMessage(op, "source", source, c.errorDetail(0), c.errorOp());
        c.clearError();
        throw new GradientError(msg);
      }
      throwCoreError(op, [target, source], ["target", "source"]);
    }
    return wrap(r, op);
  }

  /** Releases what the tape holds (saved tensors); the tape cannot be used afterwards. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    settle(this.#held, tapeFinalizer);
    core().tapeRelease(this.#id);
  }
  [Symbol.dispose](): void { this.dispose(); }
}
