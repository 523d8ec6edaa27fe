// Builds core.wasm in one process (the asc JS API is ~3x faster than one CLI call per target).
// `node scripts/build.mjs --check` (the package's typecheck) only compiles every target, writing nothing: the
// AssemblyScript compiler is the type checker of assembly/ (tsc does not know its decorators and builtins).
import asc from "assemblyscript/asc";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { patchRuntime } from "./small-block-cache.mjs";
const check = process.argv.includes("--check");
if (!check) mkdirSync("build", { recursive: true });
patchRuntime(asc);
// release: core.wasm (+ the bindings); mt: the same core on an imported shared memory, for worker threads
// (packages/core/pool.js, started by threads.js in browsers and threads-node.js in Node), which the loaders use only
// when asked for threads and SharedArrayBuffer is there.
// relaxed, mt-relaxed: the same two from the same sources with relaxed SIMD enabled (assembly/kernels/madd.ts:
// fused multiply-adds), which the loader picks where WebAssembly.validate accepts relaxed SIMD.
for (const target of ["release", "mt", "relaxed", "mt-relaxed"]) {
  const { error, stderr } = await asc.main(["assembly/index.ts", "--config", "asconfig.json", "--target", target, ...(check ? ["--noEmit"] : [])]);
  if (error) { console.error(stderr.toString()); process.exit(1); }
}

// The generated build/core.d.ts names WebAssembly.Memory and WebAssembly.Module, which a consumer's lib may lack
// (ES2022 + @types/node without DOM): it is rewritten to use the lib-independent types of wasm-types.d.ts.
if (!check) {
  const dts = "build/core.d.ts";
  const text = readFileSync(dts, "utf8");
  if (!text.startsWith("import type")) {
    writeFileSync(dts, 'import type { WasmMemory, WasmModule } from "../wasm-types.js";\n' +
      text.replaceAll("WebAssembly.Memory", "WasmMemory").replaceAll("WebAssembly.Module", "WasmModule"));
  }
}
