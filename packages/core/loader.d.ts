import type { instantiate } from "./build/core.js";
/** The instantiated core: numeric exports plus the Op, ErrorCode, UnconnectedReason and DType enums. */
export type Core = Awaited<ReturnType<typeof instantiate>>;
export interface LoadOptions {
  /**
   * Threads that share large kernels (default 1). Above 1, and where SharedArrayBuffer is available (Node; browsers
   * when cross-origin isolated), core-mt.wasm runs on a shared memory with threads - 1 workers; otherwise one thread.
   * Results are identical to the single-threaded core.
   */
  threads?: number;
}
/** Compiles and instantiates core.wasm (Node: read from disk; browsers: fetched), or a given module or URL. */
export declare function loadCore(source?: WebAssembly.Module | string | URL, options?: LoadOptions): Promise<Core>;
