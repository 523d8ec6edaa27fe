import type { instantiate } from "./build/core.js";
/** The instantiated core: numeric exports plus the Op, ErrorCode, UnconnectedReason and DType enums. */
export type Core = Awaited<ReturnType<typeof instantiate>>;
/** Compiles and instantiates core.wasm (Node: read from disk; browsers: fetched), or a given module or URL. */
export declare function loadCore(source?: WebAssembly.Module | string | URL): Promise<Core>;
