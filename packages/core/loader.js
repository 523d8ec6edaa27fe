// The Node loader (package.json exports, condition "node"): reads the core's .wasm from the files next to this one.
// Browsers and other runtimes get loader-browser.js, which imports no `node:` module.
// Two builds of the same sources: core.wasm (SIMD) and core-relaxed.wasm (relaxed SIMD: fused multiply-adds in
// matmul, assembly/kernels/madd.ts). { simd: "auto" } (the default) takes the relaxed build where the engine
// validates a relaxed-SIMD instruction (Node 20 only with --experimental-wasm-relaxed-simd), "relaxed" insists on it,
// "baseline" never uses it. core.relaxedSimd() (gradtape: backendInfo()) says which one runs.
// With { threads: n > 1 } the threaded core (threads-node.js: core-mt.wasm or core-mt-relaxed.wasm, the same
// choice, on a shared memory and n - 1 worker_threads) is used instead; given a module of the single-threaded core,
// it runs on one thread.
import { readFile } from "node:fs/promises";
import { resolveOptions, importsMemory, compileUrl, instantiateSerial } from "./loader-common.js";

export { relaxedSimdSupported, optionsProblem, MAX_THREADS } from "./loader-common.js";

export async function loadCore(source, options) {
  // validated first, so that a bad option fails the same way whatever the source; a given module or URL is used
  // as it is (its build is what core.relaxedSimd() reports)
  const { threads, relaxed } = resolveOptions(options);
  const module = source instanceof WebAssembly.Module ? source : null;
  if (threads > 1 && (module === null ? source === undefined : importsMemory(module))) {
    const t = await import("./threads-node.js");
    if (t.threadsAvailable()) return t.loadThreaded(threads, module ?? undefined, relaxed);
  }
  const url = source ?? (relaxed ? new URL("./build/core-relaxed.wasm", import.meta.url) : new URL("./build/core.wasm", import.meta.url));
  return instantiateSerial(module ?? await compileUrl(url, readFile));
}
