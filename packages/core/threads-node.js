// The threaded core in Node (worker_threads); loader.js imports it when asked for threads. Browsers: threads.js.
// The pool itself (control block, parallelFor): pool.js.
import { readFile } from "node:fs/promises";
import { Worker } from "node:worker_threads";
import { compileUrl, THREADS } from "./loader-common.js";
import { threadsAvailable, runThreaded } from "./pool.js";

export { threadsAvailable };

function spawn() {
  const w = new Worker(new URL("./worker.js", import.meta.url));
  w.unref(); // idle workers must not keep a Node process alive
  return {
    url: "worker.js",
    post: (m) => w.postMessage(m),
    once: (f) => w.once("message", f),
    fail: (f) => w.once("error", f),
    end: () => w.terminate(),
  };
}

/** As threads.js loadThreaded: the threaded core (core-mt.wasm or core-mt-relaxed.wasm, or the given module). */
export async function loadThreaded(threads, module, relaxed = false) {
  module ??= await compileUrl(relaxed ? new URL("./build/core-mt-relaxed.wasm", import.meta.url) : new URL("./build/core-mt.wasm", import.meta.url), readFile);
  return runThreaded(module, threads, spawn);
}

globalThis[THREADS] ??= { threadsAvailable, loadThreaded };
