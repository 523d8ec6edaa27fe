// Tensor lifetimes on the TS side: tidy scopes, keep, dispose, and a FinalizationRegistry as the safety net for
// tensors that are simply dropped. The core counts references; TS owns one per Tensor object.
import { core, isReady, scratch } from "./backend.js";
import { ArgumentError, describe } from "./errors.js";

export interface Disposable {
  dispose(): void; readonly isDisposed: boolean; /** arms the finalizer */ guard?(): void;
  /** @internal the tidy scope that owns it, if any (set only here) */ scope?: Scope | null;
  /** @internal dispose() without the call into the core: returns the core handle whose reference the caller must
   *  release (0 when already disposed); tidy() releases a scope's handles in one call (Tensor has it) */
  detach?(): number;
}

/**
 * A scope is the list of what was made while it was the innermost one. Ownership is the object's `scope` field, not
 * membership: keep() and dispose() just clear the field (O(1)), and tidy() skips entries that no longer point back
 * at it. A Set per scope cost a hash insertion per tensor and a deletion per scope per dispose (track + untrack were
 * ~6% of a one-point f + gradient + Hessian).
 */
export type Scope = Disposable[];
const scopes: Scope[] = [];

/** What a finalizer holds for a tensor or a tape: its handle, and whether TS still owns that reference (dispose()
 *  clears it: after dispose the record may live on, retained by a tape or a view, and a second release would drop
 *  their reference). */
export class Held { live = true; registered = false; constructor(readonly handle: number) {} }
/** Finalizer: a Tensor object that was garbage-collected without dispose() gives its handle back. */
export const finalizer = new FinalizationRegistry<Held>((held) => {
  if (held.live && isReady()) core().tensorRelease(held.handle);
});

// Deferred registration (issue 14). A FinalizationRegistry keeps a cell for every registered object until its
// cleanup callback runs, and callbacks run only between event-loop turns: in a synchronous training loop every
// tensor and tape made outside tidy() left a cell behind, and the JS heap grew by ~1 KB per step however promptly
// things were disposed. So objects are not registered when made: they wait in `young`, and only those still alive
// (not disposed) when it is flushed are registered, with a token so that a later dispose() removes the cell at
// once. The flush runs when `young` holds YOUNG_MAX entries (bounding it in a synchronous loop) and at the next
// microtask checkpoint (so that an object dropped without dispose() is registered, and released, soon after the
// synchronous code that made it returns). Most tensors are disposed within a step and are never registered at all.
const YOUNG_MAX = 2048;
// (parallel arrays, reused: no object per entry)
const youngTargets: object[] = [], youngHeld: Held[] = [], youngRegistry: FinalizationRegistry<Held>[] = [];
let flushQueued = false;
function flushYoung(): void {
  flushQueued = false;
  for (let i = 0; i < youngTargets.length; i++) {
    const h = youngHeld[i];
    if (h.live) { h.registered = true; youngRegistry[i].register(youngTargets[i], h, h); }
  }
  youngTargets.length = 0; youngHeld.length = 0; youngRegistry.length = 0;
}
/** Arms `registry` for target (once it outlives the current synchronous run, or YOUNG_MAX newer objects). */
export function guardLater(target: object, held: Held, registry: FinalizationRegistry<Held> = finalizer): void {
  youngTargets.push(target); youngHeld.push(held); youngRegistry.push(registry);
  if (youngTargets.length >= YOUNG_MAX) flushYoung();
  else if (!flushQueued) { flushQueued = true; queueMicrotask(flushYoung); }
}
/** The owner disposed the object: its finalizer must do nothing, and its cell (if any) goes now. */
export function settle(held: Held, registry: FinalizationRegistry<Held> = finalizer): void {
  held.live = false;
  if (held.registered) { held.registered = false; registry.unregister(held); }
}

/** Adds t to the innermost tidy scope; false when no scope is open. */
export function track(t: Disposable): boolean {
  if (scopes.length === 0) return false;
  const s = scopes[scopes.length - 1];
  s.push(t);
  t.scope = s;
  return true;
}
export function untrack(t: Disposable): void { if (t.scope) t.scope = null; }

/** Keeps a tensor alive past the tidy scopes it was made in. */
export function keep<T extends Disposable>(t: T): T {
  // keep(5) or keep([a, b]) used to return its argument and keep nothing, so the tensors meant went with the scope
  if (t === null || typeof t !== "object" || typeof (t as Disposable).dispose !== "function" || !("isDisposed" in t)) {
    const hint = Array.isArray(t) ? " For several tensors call keep on each, or return them from the tidy function." : "";
    throw new ArgumentError(`keep: expected a Tensor or Variable, but got ${describe(t)}.${hint}`);
  }
  untrack(t); t.guard?.(); return t;
}

function collect(v: unknown, out: Set<Disposable>, depth = 0): void {
  if (v === null || typeof v !== "object" || depth > 6) return;
  // typed arrays (data() results returned from tidy) hold no tensors; without this early exit each took a keyed
  // `in` test and a runtime call (Object.getPrototypeOf)
  if (ArrayBuffer.isView(v)) return;
  if ("isDisposed" in v && typeof (v as Disposable).dispose === "function") { out.add(v as Disposable); return; }
  if (Array.isArray(v)) { for (const x of v) collect(x, out, depth + 1); return; }
  if (Object.getPrototypeOf(v) === Object.prototype) for (const x of Object.values(v)) collect(x, out, depth + 1);
}

/**
 * Runs fn and disposes every tensor created inside it, except the tensors it returns (alone, in an array or in a
 * plain object) and those passed to keep(). Scopes nest; returned tensors move to the enclosing scope.
 */
export function tidy<T>(fn: () => T): T {
  if (typeof fn !== "function") throw new ArgumentError(`tidy: fn must be a function, but got ${describe(fn)}.`);
  const scope: Scope = [];
  scopes.push(scope);
  let result: T;
  try {
    result = fn();
  } catch (e) {
    // fn threw (a shape mismatch halfway through a loss, say): nothing it made can be returned, so free all of it;
    // otherwise every tensor made before the error leaks until the finalizer happens to run.
    scopes.pop();
    for (const t of scope) if (t.scope === scope && !t.isDisposed) t.dispose();
    throw e;
  }
  scopes.pop();
  if (result instanceof Promise) throw new ArgumentError("tidy: fn must be synchronous (it returned a Promise); await outside tidy.");
  const kept = new Set<Disposable>();
  collect(result, kept);
  // returned tensors move to the enclosing scope (or, outside every scope, get the finalizer as safety net)
  for (const t of kept) if (t.scope === scope) { t.scope = null; if (!track(t)) t.guard?.(); }
  // the tensors' handles go to the core in one call (a call per tensor was ~18 boundary crossings per eager
  // TF-style evaluation); anything else (variables) is disposed on its own
  const sc = scratch();
  let k = 0;
  for (const t of scope) {
    if (t.scope !== scope || t.isDisposed) continue;
    if (t.detach === undefined) { t.dispose(); continue; }
    const h = t.detach();
    if (h !== 0) { sc[k++] = h; if (k === sc.length) { core().tensorReleaseList(k); k = 0; } }
  }
  if (k > 0) core().tensorReleaseList(k);
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
  /** compiled programs alive (jit; each holds the tensors its function captured) */
  programs: number;
}

export function memory(): MemoryInfo {
  const c = core();
  return {
    tensors: c.liveTensors(), bytes: c.liveBytes(), pooledBytes: c.poolBytes(), reservedBytes: c.reservedBytes(),
    wasmBytes: c.memory.buffer.byteLength, tapes: c.tapeCount(), peakBytes: c.peakBytes(), programs: c.programCount(),
  };
}

/**
 * Caps the wasm memory that tensor storage may grow to, in bytes (rounded down to 64 KiB; at most 4 GiB less 16 MiB
 * kept for the core's own records). Past it, allocations throw OutOfMemoryError, as at the real limit: a way to
 * keep a page's memory bounded, and to test out-of-memory handling quickly. Memory already grown stays. Returns the
 * cap in effect; setMemoryLimit(Infinity) restores the default.
 */
export function setMemoryLimit(bytes: number): number {
  if (typeof bytes !== "number" || Number.isNaN(bytes) || bytes < 0) {
    throw new ArgumentError(`setMemoryLimit: bytes must be a non-negative number (Infinity for no cap), but got ${describe(bytes)}.`);
  }
  return core().setMemoryLimit(Math.min(bytes, 2 ** 32));
}

/** Starts a new peak for memory().peakBytes from the bytes live now (e.g. before the step to be measured). */
export function resetPeakMemory(): void { core().resetPeakBytes(); }
