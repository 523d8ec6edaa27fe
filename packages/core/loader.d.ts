// Types of loader.js (Node) and loader-browser.js (browsers, other runtimes): the same API.
import type { instantiate } from "./build/core.js";
import type { WasmModule, WasmMemory } from "./wasm-types.js";
export type { WasmModule, WasmMemory };
/** The instantiated core: numeric exports plus the Op, ErrorCode, UnconnectedReason and DType enums. */
export type Core = Awaited<ReturnType<typeof instantiate>>;
/** The options of loadCore (and of gradtape's ready()); any other key is an error. */
export interface LoadOptions {
  /**
   * Threads that share large kernels (default 1): an integer from 1 to MAX_THREADS (64). Above 1, and where
   * SharedArrayBuffer is available (Node; browsers when cross-origin isolated), core-mt.wasm runs on a shared memory
   * with threads - 1 workers; otherwise one thread. Browsers need `import "@gradtape/core/threads"` first.
   * Results are identical to the single-threaded core of the same build.
   */
  threads?: number;
  /**
   * Which build of the core (default "auto"): "relaxed" is core-relaxed.wasm, whose matmul uses relaxed SIMD fused
   * multiply-adds (faster; results differ from the baseline build within float32 rounding); "baseline" is
   * core.wasm (SIMD only); "auto" takes the relaxed build where the engine supports relaxed SIMD (Chromium; Node 20
   * with --experimental-wasm-relaxed-simd). "relaxed" where it is unsupported throws. A given source runs as it is (core.relaxedSimd() tells which).
   */
  simd?: "auto" | "relaxed" | "baseline";
}
/** The largest `threads` accepted. */
export declare const MAX_THREADS: 64;
/**
 * Compiles and instantiates core.wasm or core-relaxed.wasm (Node: read from disk; browsers: fetched), or a given
 * module or URL. Rejects with an Error that says what failed (a bad option, a file that could not be fetched, a worker
 * that did not start).
 */
export declare function loadCore(source?: WasmModule | string | URL, options?: LoadOptions): Promise<Core>;
/** Whether this WebAssembly engine supports relaxed SIMD (WebAssembly.validate of a small module that uses it). */
export declare function relaxedSimdSupported(): boolean;
/**
 * What is wrong with load options, or null: { type: the error class loadCore would throw, message }. `where` names
 * the function in the message (gradtape's ready() throws an ArgumentError with it).
 */
export declare function optionsProblem(options: unknown, where?: string): { type: ErrorConstructor | TypeErrorConstructor | RangeErrorConstructor; message: string } | null;
