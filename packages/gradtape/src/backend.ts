// The one instance of the wasm core, and the typed-array views on its memory. Views are re-made whenever the
// memory has grown (growth detaches the old ArrayBuffer), never cached across a call that may allocate.
import { loadCore, type Core, type LoadOptions } from "@gradtape/core";

let instance: Core | null = null;
let loading: Promise<void> | null = null;

/** Options of ready(): `threads` (default 1) splits large kernels across worker threads where SharedArrayBuffer is
 *  available (Node; browsers when cross-origin isolated), with identical results; elsewhere it runs on one thread.
 *  `simd` (default "auto") picks the core build: "relaxed" (fused multiply-adds in matmul, where the engine has
 *  relaxed SIMD; throws where it does not), "baseline" (SIMD only), "auto" (relaxed when supported). */
export type ReadyOptions = LoadOptions;

/**
 * Resolves once the wasm core is instantiated (Node and browsers). Safe to call many times; only the first call's
 * source and options count. ready({ threads: 2 }) or ready(source, { threads: 2 }).
 */
export function ready(options?: ReadyOptions): Promise<void>;
export function ready(source?: WebAssembly.Module | string | URL, options?: ReadyOptions): Promise<void>;
export function ready(source?: WebAssembly.Module | string | URL | ReadyOptions, options?: ReadyOptions): Promise<void> {
  if (instance) return Promise.resolve();
  if (source !== undefined && !(source instanceof WebAssembly.Module) && !(source instanceof URL) && typeof source === "object") {
    options = source; source = undefined;
  }
  if (!loading) loading = loadCore(source as WebAssembly.Module | string | URL | undefined, options).then((c) => { instance = c; });
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

export function writeScratch(values: ArrayLike<number>, at = 0): void {
  if (values.length + at > 1024) throw new RangeError(`gradtape: too many values (${values.length}) for one call; the limit is 1024.`);
  scratch().set(values as ArrayLike<number>, at);
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

/** A copy of the n floats at ptr (one allocation: no intermediate view). */
export function copyFloats(ptr: number, n: number): Float32Array {
  const i = ptr >>> 2;
  return allFloats(i + n).slice(i, i + n);
}
