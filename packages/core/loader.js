// Loads core.wasm in Node (from the file next to this one) or in a browser (fetch of the URL bundlers rewrite).
// With { threads: n > 1 }, where SharedArrayBuffer is available (Node; browsers when cross-origin isolated), the
// threaded core (threads.js: core-mt.wasm on a shared memory and n - 1 worker threads) is used instead. Browsers
// get it only when the app imports "@gradtape/core/threads" (so that apps without threads do not ship it); Node
// loads it by itself. Otherwise, or when given a module of the single-threaded core, it runs on one thread.
import { instantiate } from "./build/core.js";

const isNode = typeof process !== "undefined" && !!process.versions?.node;
const THREADS = Symbol.for("gradtape.core.threads");

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
  const module = source instanceof WebAssembly.Module ? source : null;
  if (threads > 1 && (module === null ? source === undefined : importsMemory(module))) {
    const t = await threadedLoader();
    if (t && t.threadsAvailable()) return t.loadThreaded(threads, module ?? undefined);
  }
  if (module !== null && importsMemory(module)) throw new Error("gradtape core: a threaded core module needs { threads: n > 1 } and SharedArrayBuffer");
  return instantiate(module ?? await compile(source ?? new URL("./build/core.wasm", import.meta.url)), { env: { parallelFor: serial } });
}
