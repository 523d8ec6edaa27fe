import type { instantiate } from "./build/core.js";
/** The instantiated core: numeric exports plus the Op, ErrorCode, UnconnectedReason and DType enums. */
export type Core = Awaited<ReturnType<typeof instantiate>>;
export interface LoadOptions {
  /**
   * Threads that share large kernels (default 1). Above 1, and where SharedArrayBuffer is available (Node; browsers
   * when cross-origin isolated), core-mt.wasm runs on a shared memory with threads - 1 workers; otherwise one thread.
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
/** Compiles and instantiates core.wasm or core-relaxed.wasm (Node: read from disk; browsers: fetched), or a given module or URL. */
export declare function loadCore(source?: WebAssembly.Module | string | URL, options?: LoadOptions): Promise<Core>;
/** Whether this WebAssembly engine supports relaxed SIMD (WebAssembly.validate of a small module that uses it). */
export declare function relaxedSimdSupported(): boolean;
