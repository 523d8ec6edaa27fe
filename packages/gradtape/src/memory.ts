// Tensor lifetimes on the TS side: tidy scopes, keep, dispose, and a FinalizationRegistry as the safety net for
// tensors that are simply dropped. The core counts references; TS owns one per Tensor object.
import { core, isReady } from "./backend.js";

export interface Disposable { dispose(): void; readonly isDisposed: boolean; /** arms the finalizer */ guard?(): void }

const scopes: Set<Disposable>[] = [];

/** Finalizer: a Tensor object that was garbage-collected without dispose() gives its handle back. */
export const finalizer = new FinalizationRegistry<number>((handle) => {
  if (isReady()) core().tensorRelease(handle);
});

/** Adds t to the innermost tidy scope; false when no scope is open. */
export function track(t: Disposable): boolean {
  if (scopes.length === 0) return false;
  scopes[scopes.length - 1].add(t);
  return true;
}
export function untrack(t: Disposable): void {
  for (let i = scopes.length - 1; i >= 0; i--) scopes[i].delete(t);
}

/** Keeps a tensor alive past the tidy scopes it was made in. */
export function keep<T extends Disposable>(t: T): T { untrack(t); t.guard?.(); return t; }

function collect(v: unknown, out: Set<Disposable>, depth = 0): void {
  if (v === null || typeof v !== "object" || depth > 6) return;
  if ("isDisposed" in v && typeof (v as Disposable).dispose === "function") { out.add(v as Disposable); return; }
  if (Array.isArray(v)) { for (const x of v) collect(x, out, depth + 1); return; }
  if (Object.getPrototypeOf(v) === Object.prototype) for (const x of Object.values(v)) collect(x, out, depth + 1);
}

/**
 * Runs fn and disposes every tensor created inside it, except the tensors it returns (alone, in an array or in a
 * plain object) and those passed to keep(). Scopes nest; returned tensors move to the enclosing scope.
 */
export function tidy<T>(fn: () => T): T {
  if (typeof fn !== "function") throw new TypeError(`tidy: expected a function, got ${typeof fn}.`);
  const scope = new Set<Disposable>();
  scopes.push(scope);
  let result: T;
  try {
    result = fn();
  } catch (e) {
    // fn threw (a shape mismatch halfway through a loss, say): nothing it made can be returned, so free all of it;
    // otherwise every tensor made before the error leaks until the finalizer happens to run.
    scopes.pop();
    for (const t of scope) if (!t.isDisposed) t.dispose();
    throw e;
  }
  scopes.pop();
  if (result instanceof Promise) throw new TypeError("tidy: fn must be synchronous (it returned a Promise); await outside tidy.");
  const kept = new Set<Disposable>();
  collect(result, kept);
  for (const t of scope) if (!kept.has(t) && !t.isDisposed) t.dispose();
  for (const t of kept) if (scope.has(t) && !track(t)) t.guard?.();
  return result;
}

/** Disposes tensors (or arrays/objects of them). */
export function dispose(v: unknown): void {
  const all = new Set<Disposable>();
  collect(v, all);
  for (const t of all) if (!t.isDisposed) t.dispose();
}

export interface MemoryInfo {
  /** live tensor records in the core (views count; variables count) */
  tensors: number;
  /** bytes of live tensor storage */
  bytes: number;
  /** bytes held in the allocator's free lists for reuse */
  pooledBytes: number;
  /** bytes the tensor allocator has reserved from wasm memory so far */
  reservedBytes: number;
  /** total wasm linear memory */
  wasmBytes: number;
  /** the most bytes of tensor storage live at once since resetPeakMemory() (or since start-up), counted like
   *  reservedBytes (by the allocator's block sizes): what one training step needs, to size batches by */
  peakBytes: number;
  /** live GradientTapes */
  tapes: number;
}

export function memory(): MemoryInfo {
  const c = core();
  return {
    tensors: c.liveTensors(), bytes: c.liveBytes(), pooledBytes: c.poolBytes(), reservedBytes: c.reservedBytes(),
    wasmBytes: c.memory.buffer.byteLength, tapes: c.tapeCount(), peakBytes: c.peakBytes(),
  };
}

/** Starts a new peak for memory().peakBytes from the bytes live now (e.g. before the step to be measured). */
export function resetPeakMemory(): void { core().resetPeakBytes(); }
