// Loads the core in Node (from the file next to this one) or in a browser (fetch of the URL bundlers rewrite).
// Two builds of the same sources: core.wasm (SIMD) and core-relaxed.wasm (relaxed SIMD: fused multiply-adds in
// matmul, assembly/kernels/madd.ts). { simd: "auto" } (the default) takes the relaxed build where the engine
// validates a relaxed-SIMD instruction (Chromium has it on by default since 114; Node 20 only with
// --experimental-wasm-relaxed-simd), "relaxed" insists on it, "baseline" never uses it. Browsers download only
// the build chosen. core.relaxedSimd() (gradtape: backendInfo()) says which one runs.
// With { threads: n > 1 }, where SharedArrayBuffer is available (Node; browsers when cross-origin isolated), the
// threaded core (threads.js: core-mt.wasm or core-mt-relaxed.wasm, the same choice, on a shared memory and n - 1
// worker threads) is used instead. Browsers get it only when the app imports "@gradtape/core/threads" (so that
// apps without threads do not ship it); Node loads it by itself. Otherwise, or when given a module of the
// single-threaded core, it runs on one thread.
import { instantiate } from "./build/core.js";

const isNode = typeof process !== "undefined" && !!process.versions?.node;
const THREADS = Symbol.for("gradtape.core.threads");

// The smallest module that uses relaxed SIMD: one function () -> v128 computing
// f32x4.relaxed_madd(i8x16.splat(0), i8x16.splat(0), i8x16.splat(0)) (opcode 0xfd 0x105, LEB128 85 02).
const RELAXED_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version 1
  0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, //       type section: [] -> [v128]
  0x03, 0x02, 0x01, 0x00, //                         function section: one function of type 0
  0x0a, 0x13, 0x01, 0x11, 0x00, //                   code section: one body of 17 bytes, no locals
  0x41, 0x00, 0xfd, 0x0f, 0x41, 0x00, 0xfd, 0x0f, 0x41, 0x00, 0xfd, 0x0f, // 3 x (i32.const 0, i8x16.splat)
  0xfd, 0x85, 0x02, 0x0b, //                         f32x4.relaxed_madd, end
]);

let relaxedOk = null;
/** Whether this engine accepts relaxed SIMD (checked once). */
export function relaxedSimdSupported() {
  if (relaxedOk === null) { try { relaxedOk = WebAssembly.validate(RELAXED_PROBE); } catch { relaxedOk = false; } }
  return relaxedOk;
}

const SIMD_MODES = ["auto", "relaxed", "baseline"];
/** options.simd -> whether to load the relaxed build; throws a clear error for a bad value or an impossible demand. */
function wantRelaxed(simd = "auto") {
  if (!SIMD_MODES.includes(simd)) {
    throw new TypeError(`gradtape core: options.simd must be one of "auto", "relaxed", "baseline"; given ${JSON.stringify(simd)}. Omit it for "auto".`);
  }
  if (simd === "baseline") return false;
  const ok = relaxedSimdSupported();
  if (simd === "relaxed" && !ok) {
    throw new Error("gradtape core: options.simd is \"relaxed\" but this WebAssembly engine does not support relaxed SIMD " +
      "(Node 20 needs --experimental-wasm-relaxed-simd; Chromium has it since version 114). " +
      "Use { simd: \"auto\" } to fall back to the SIMD build.");
  }
  return ok;
}

async function compile(url) {
  if (isNode && String(url).startsWith("file:")) {
    const { readFile } = await import(/* @vite-ignore */ "node:fs/promises");
    return WebAssembly.compile(await readFile(url));
  }
  if (typeof WebAssembly.compileStreaming === "function") return WebAssembly.compileStreaming(fetch(url));
  return WebAssembly.compile(await (await fetch(url)).arrayBuffer());
}

/** Whether a module imports its memory (the threaded core) rather than defining it. */
const importsMemory = (m) => WebAssembly.Module.imports(m).some((i) => i.kind === "memory");

async function threadedLoader() {
  if (!globalThis[THREADS] && isNode) {
    const name = "./threads.js"; // a variable, so that bundlers do not pull the threaded core into every app
    await import(/* @vite-ignore */ new URL(name, import.meta.url).href);
  }
  return globalThis[THREADS] ?? null;
}

function serial() { throw new Error("gradtape core: parallelFor called without worker threads"); }

export async function loadCore(source, options = {}) {
  const threads = Math.max(1, Math.floor(options.threads ?? 1));
  // validated first, so that a bad option fails the same way whatever the source; a given module or URL is used
  // as it is (its build is what core.relaxedSimd() reports)
  const relaxed = wantRelaxed(options.simd);
  const module = source instanceof WebAssembly.Module ? source : null;
  if (threads > 1 && (module === null ? source === undefined : importsMemory(module))) {
    const t = await threadedLoader();
    if (t && t.threadsAvailable()) return t.loadThreaded(threads, module ?? undefined, relaxed);
  }
  if (module !== null && importsMemory(module)) throw new Error("gradtape core: a threaded core module needs { threads: n > 1 } and SharedArrayBuffer");
  // two literal URLs, so that bundlers emit both files (each fetched only when chosen)
  const url = source ?? (relaxed ? new URL("./build/core-relaxed.wasm", import.meta.url) : new URL("./build/core.wasm", import.meta.url));
  return instantiate(module ?? await compile(url), { env: { parallelFor: serial } });
}
