// The threaded core for browsers (and runtimes with web Workers): `import "@gradtape/core/threads"` (or
// "gradtape/threads") before ready({ threads }). loader-browser.js does not reference this file, so bundlers ship it,
// core-mt*.wasm and worker.js only to apps that import it. The worker and the .wasm are named with the literal
// `new Worker(new URL("./worker.js", import.meta.url), { type: "module" })` and `new URL("./build/….wasm",
// import.meta.url)` that Vite, webpack 5 and Parcel bundle or emit. Node's loader uses threads-node.js instead.
// The pool itself (control block, parallelFor): pool.js.
import { compileUrl, THREADS } from "./loader-common.js";
import { threadsAvailable, runThreaded } from "./pool.js";

export { threadsAvailable };

function spawn() {
  const w = new Worker(new URL("./worker.js", import.meta.url), { type: "module" });
  return {
    url: "worker.js",
    post: (m) => w.postMessage(m),
    once: (f) => w.addEventListener("message", (e) => f(e.data), { once: true }),
    fail: (f) => { w.addEventListener("error", f, { once: true }); w.addEventListener("messageerror", f, { once: true }); },
    end: () => w.terminate(),
  };
}

/**
 * Compiles core-mt.wasm, or core-mt-relaxed.wasm when `relaxed` (the loader's choice), or takes the given module,
 * starts the workers (they instantiate the same module) and returns the initialised core.
 */
export async function loadThreaded(threads, module, relaxed = false) {
  // two literal URLs, so that bundlers emit both files (each fetched only when chosen)
  module ??= await compileUrl(relaxed ? new URL("./build/core-mt-relaxed.wasm", import.meta.url) : new URL("./build/core-mt.wasm", import.meta.url));
  return runThreaded(module, threads, spawn);
}

globalThis[THREADS] = { threadsAvailable, loadThreaded };
