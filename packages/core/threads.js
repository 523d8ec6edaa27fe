// The threaded core: core-mt.wasm instantiated on a shared WebAssembly.Memory by the calling thread and by
// `threads - 1` workers (worker.js). Only the calling thread's instance runs the core (allocation, tensors,
// tapes); the core splits large kernels into tasks (assembly/kernels/parallel.ts) and calls the host's
// parallelFor, which posts the job here and runs tasks alongside the workers until all are done. Results are
// identical to the single-threaded core bit for bit (every task writes its own outputs with the same operations).
//
// Control block (a SharedArrayBuffer): i32[0] job sequence number (workers wait on it), [1] task kind, [2] argument
// pointer, [3] task count, [4] tasks done (the caller waits on it), [5] stop; bytes 32-39, a 64-bit claim word:
// the job's sequence number in the high half and the next task index in the low half. A task is claimed by a
// compare-exchange that also checks the sequence number, so a worker that read an older job's arguments (it was
// descheduled while the job finished) can never run a task of a newer job with them.

// Not referenced statically by loader.js, so bundlers ship this file, core-mt.wasm and worker.js only to apps that
// import it: `import "@gradtape/core/threads"` (or "gradtape/threads") before ready({ threads }). In Node the loader
// imports it by itself.
import { instantiate } from "./build/core.js";

const MAX_PAGES = 65536; // the maximum the mt target declares (asconfig.json)

export function threadsAvailable() {
  if (typeof SharedArrayBuffer === "undefined" || typeof Atomics === "undefined") return false;
  if (typeof globalThis.crossOriginIsolated === "boolean" && !globalThis.crossOriginIsolated) return false;
  return true;
}

async function spawn() {
  const url = new URL("./worker.js", import.meta.url);
  if (typeof process !== "undefined" && process.versions?.node) {
    const { Worker } = await import(/* @vite-ignore */ "node:worker_threads");
    const w = new Worker(url);
    w.unref(); // idle workers must not keep a Node process alive
    return { post: (m) => w.postMessage(m), once: (f) => w.once("message", f), fail: (f) => w.once("error", f), end: () => w.terminate() };
  }
  const w = new Worker(url, { type: "module" });
  return {
    post: (m) => w.postMessage(m),
    once: (f) => w.addEventListener("message", (e) => f(e.data), { once: true }),
    fail: (f) => w.addEventListener("error", f, { once: true }),
    end: () => w.terminate(),
  };
}

/**
 * Starts `threads - 1` workers on a new shared memory and returns { memory, parallelFor, attach(exports), stop() }:
 * instantiate core-mt.wasm with env { memory, parallelFor } after this resolves (the workers have instantiated
 * it first, so their rewrite of the data segments happens before the core initialises), then attach its exports.
 */
export async function startThreads(module, threads) {
  const memory = new WebAssembly.Memory({ initial: 64, maximum: MAX_PAGES, shared: true });
  const ctl = new SharedArrayBuffer(64);
  const i32 = new Int32Array(ctl), big = new BigInt64Array(ctl);
  const workers = await Promise.all(Array.from({ length: threads - 1 }, spawn));
  await Promise.all(workers.map((w) => new Promise((resolve, reject) => {
    w.once(resolve);
    w.fail(reject);
    w.post({ module, memory, ctl });
  })));
  // the calling thread may block in Atomics.wait only where the platform allows it (not a browser's main thread)
  let canBlock = true;
  try { Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0); } catch { canBlock = false; }
  let runTask = null;
  function parallelFor(task, args, n) {
    const seq = (Atomics.load(i32, 0) + 1) | 0;
    i32[1] = task; i32[2] = args; i32[3] = n;
    Atomics.store(i32, 4, 0);
    Atomics.store(big, 4, BigInt(seq) << 32n);
    Atomics.store(i32, 0, seq);
    Atomics.notify(i32, 0);
    let done = 0;
    for (;;) {
      const cur = Atomics.load(big, 4);
      const t = Number(cur & 0xffffffffn);
      if (t >= n) break;
      if (Atomics.compareExchange(big, 4, cur, cur + 1n) !== cur) continue;
      runTask(task, args, t);
      done++;
    }
    if (done > 0) Atomics.add(i32, 4, done);
    for (let spins = 0; ; spins++) {
      const d = Atomics.load(i32, 4);
      if (d >= n) break;
      if (canBlock && spins > 200) Atomics.wait(i32, 4, d, 1);
    }
  }
  return {
    memory,
    parallelFor,
    attach(exports) { runTask = exports.runTask; exports.setThreadCount(threads); },
    stop() { Atomics.store(i32, 5, 1); Atomics.add(i32, 0, 1); Atomics.notify(i32, 0); for (const w of workers) w.end(); },
  };
}

/**
 * Compiles core-mt.wasm, or core-mt-relaxed.wasm when `relaxed` (the loader's choice), or takes the given module,
 * starts the workers (they instantiate the same module) and returns the initialised core.
 */
export async function loadThreaded(threads, module, relaxed = false) {
  if (!module) {
    // two literal URLs, so that bundlers emit both files (each fetched only when chosen)
    const url = relaxed ? new URL("./build/core-mt-relaxed.wasm", import.meta.url) : new URL("./build/core-mt.wasm", import.meta.url);
    if (typeof process !== "undefined" && process.versions?.node && url.protocol === "file:") {
      const { readFile } = await import(/* @vite-ignore */ "node:fs/promises");
      module = await WebAssembly.compile(await readFile(url));
    } else {
      module = typeof WebAssembly.compileStreaming === "function"
        ? await WebAssembly.compileStreaming(fetch(url))
        : await WebAssembly.compile(await (await fetch(url)).arrayBuffer());
    }
  }
  const pool = await startThreads(module, threads);
  const core = await instantiate(module, { env: { memory: pool.memory, parallelFor: pool.parallelFor } });
  pool.attach(core);
  return core;
}

globalThis[Symbol.for("gradtape.core.threads")] = { threadsAvailable, loadThreaded };
