// The one instance of the wasm core, and the typed-array views on its memory. Views are re-made whenever the
// memory has grown (growth detaches the old ArrayBuffer), never cached across a call that may allocate.
import { loadCore, optionsProblem, type Core, type LoadOptions, type WasmModule } from "@gradtape/core";
import { ArgumentError, GradtapeError } from "./errors.js";

// Tensors, tapes, jitted functions and optimizers are disposable with `using`. Declared here (this file is in every
// program that imports gradtape) so that the public .d.ts compile under a lib without esnext.disposable (ES2022,
// DOM): an identical declaration in that lib or in @types/node merges with this one.
declare global {
  interface SymbolConstructor { readonly dispose: unique symbol }
}

let instance: Core | null = null;
/** The kernel threads the loaded core started with (ready({ threads })): the most useThreads() can set. */
let started = 1;
let loading: Promise<void> | null = null;

/** Options of ready(); any other key is an ArgumentError. `threads` (default 1; an integer from 1 to 64) splits large
 *  kernels across worker threads where SharedArrayBuffer is available (Node; browsers when cross-origin isolated,
 *  after `import "gradtape/threads"`), with identical results; elsewhere it runs on one thread.
 *  `simd` (default "auto") picks the core build: "relaxed" (fused multiply-adds in matmul, where the engine has
 *  relaxed SIMD; throws where it does not), "baseline" (SIMD only), "auto" (relaxed when supported). */
export type ReadyOptions = LoadOptions;

/** Where the core comes from, if not from the files next to @gradtape/core's loader: a compiled module or a URL.
 *  (WebAssembly.Module is an empty interface in lib.dom, which any object would match: the `never` keys make an
 *  options object, misspelt or not, fail to type-check as a source.) */
export type CoreSource = (WasmModule & { threads?: never; simd?: never }) | string | URL;

/** The options argument, checked: an ArgumentError (what, expected, given, fix) for unknown keys and bad values. */
function checkOptions(options: unknown): ReadyOptions | undefined {
  const problem = optionsProblem(options, "ready");
  if (problem) throw new ArgumentError(problem.message);
  return options as ReadyOptions | undefined;
}

/** Any failure of the loader as a GradtapeError that says what failed (a browser worker's error is an Event). */
function loadFailure(e: unknown): GradtapeError {
  if (e instanceof GradtapeError) return e;
  const what = e instanceof Error ? e.message : String(e);
  const err = new GradtapeError(`ready: the wasm core could not be loaded: ${what}. Nothing was initialised; ready() may be called again.`);
  (err as { cause?: unknown }).cause = e;
  return err;
}

const isSource = (s: unknown): s is CoreSource =>
  typeof s === "string" || s instanceof URL || (typeof WebAssembly === "object" && s instanceof WebAssembly.Module);

/**
 * Resolves once the wasm core is instantiated (Node and browsers). Safe to call many times; once it has succeeded,
 * later calls resolve at once and their source and options are not used (they are still checked). If loading fails
 * the promise rejects with a GradtapeError saying what failed, and a later call tries again.
 * ready({ threads: 2 }) or ready(source, { threads: 2 }).
 */
export function ready(options?: ReadyOptions): Promise<void>;
export function ready(source?: CoreSource, options?: ReadyOptions): Promise<void>;
export function ready(source?: CoreSource | ReadyOptions, options?: ReadyOptions): Promise<void> {
  try {
    if (source !== undefined && !isSource(source)) {
      if (options !== undefined) throw new ArgumentError(`ready: the first argument must be a WebAssembly.Module, a URL or a string when options follow; given ${typeof source}.`);
      options = checkOptions(source); source = undefined;
    } else options = checkOptions(options);
  } catch (e) { return Promise.reject(e); }
  if (instance) return Promise.resolve();
  if (!loading) {
    loading = loadCore(source, options).then(
      (c) => { instance = c; started = c.threadCount(); },
      (e: unknown) => { loading = null; throw loadFailure(e); },
    );
  }
  return loading;
}

export function isReady(): boolean { return instance !== null; }

/** Which core runs: `simd` is "relaxed" (core-relaxed.wasm) or "baseline" (core.wasm); `threads` the kernel threads. */
export interface BackendInfo { simd: "relaxed" | "baseline"; threads: number }

/** The build and thread count of the loaded core (after ready()), read from the core itself. */
export function backendInfo(): BackendInfo {
  const c = core();
  return { simd: c.relaxedSimd() !== 0 ? "relaxed" : "baseline", threads: c.threadCount() };
}

/** The kernel threads the loaded core was started with (its worker threads + 1); 1 before ready(). */
export function startedThreads(): number { return instance === null ? 1 : started; }

/**
 * Sets how many of the started threads the kernels split work across from now on (1 to startedThreads(); larger
 * values are clamped) and returns the previous count. The workers of a core started with more stay asleep while
 * fewer are used. Results are the same bits with any count (packages/core/assembly/kernels/parallel.ts).
 */
export function useThreads(n: number): number {
  const c = core();
  const before = c.threadCount();
  if (!Number.isInteger(n) || n < 1) throw new ArgumentError(`useThreads: the thread count must be an integer >= 1, but got ${String(n)}.`);
  c.setThreadCount(Math.min(n, started));
  return before;
}

/** The core; throws a clear error if ready() has not resolved yet. */
export function core(): Core {
  if (instance === null) {
    throw new Error("gradtape is not initialised: `await ready()` once before creating tensors (the wasm core loads asynchronously).");
  }
  return instance;
}

// Cached views. Growth of a wasm memory detaches its old ArrayBuffer (every view on it becomes zero-length); a
// shared memory (the threaded core) instead keeps the old SharedArrayBuffer valid at its old length. So a view is
// re-made when it is too short for what is asked (which covers both), rather than comparing memory.buffer on every
// call: that getter was ~3% of a one-point evaluation (seed-single), since every op's result is read through scratch().
let i32view: Int32Array = new Int32Array(0);
let f32all: Float32Array = new Float32Array(0);

/** The shared integer scratch through which shapes, axes and handle lists cross the boundary. */
export function scratch(): Int32Array {
  if (i32view.length === 0) { const c = core(); i32view = new Int32Array(c.memory.buffer, c.scratchI32Ptr(), 1024); }
  return i32view;
}

let metaView: Int32Array = new Int32Array(0);
/** The core's record of the last result an export returned: [handle, rank | dtype << 8, shape...] (core
 *  exports/entry.ts), read by wrap() instead of a tensorMeta call. */
export function outMeta(): Int32Array {
  if (metaView.length === 0) { const c = core(); metaView = new Int32Array(c.memory.buffer, c.outMetaPtr(), 10); }
  return metaView;
}

export function writeScratch(values: ArrayLike<number>, at = 0): void {
  const n = values.length;
  if (n + at > 1024) throw new RangeError(`gradtape: too many values (${n}) for one call; the limit is 1024.`);
  const sc = scratch();
  // a short list (a shape, a few handles: every op's case) by a loop: TypedArray.set from a JS array takes V8's
  // generic path, ~2% of an eager TF-style evaluation (test/bench/eager-overhead.mjs). Same int32 conversion.
  if (n <= 16) for (let i = 0; i < n; i++) sc[at + i] = values[i];
  else sc.set(values as ArrayLike<number>, at);
}

/** All of the wasm memory as floats, covering at least index `end` (exclusive); valid until the next call that may allocate. */
function allFloats(end: number): Float32Array {
  if (end > f32all.length || f32all.length === 0) f32all = new Float32Array(core().memory.buffer);
  return f32all;
}

/** A Float32Array view of n floats at ptr (valid until the next call that may allocate). */
export function floats(ptr: number, n: number): Float32Array {
  const i = ptr >>> 2;
  return allFloats(i + n).subarray(i, i + n);
}

/** A Float64Array view of n doubles at ptr (8-aligned; valid until the next call that may allocate). */
export function doubles(ptr: number, n: number): Float64Array { return new Float64Array(core().memory.buffer, ptr, n); }
/** A copy of the n doubles at ptr. */
export function copyDoubles(ptr: number, n: number): Float64Array { return doubles(ptr, n).slice(); }

/** Writes data's floats at ptr through the memory-wide view, making no view object (tensor() of a [1, 2] Float32Array
 *  took 0.44 us with a subarray per call, 0.38 us without). Valid as floats() is. */
export function writeFloats(ptr: number, data: ArrayLike<number>): void {
  allFloats((ptr >>> 2) + data.length).set(data, ptr >>> 2);
}

/** A copy of the n floats at ptr (one allocation: no intermediate view). */
export function copyFloats(ptr: number, n: number): Float32Array {
  const i = ptr >>> 2;
  return allFloats(i + n).slice(i, i + n);
}
