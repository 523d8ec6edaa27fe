// The threaded core: core-mt.wasm instantiated on a shared WebAssembly.Memory by the calling thread and by
// `threads - 1` workers (worker.js). Only the calling thread's instance runs the core (allocation, tensors,
// tapes); the core splits large kernels into tasks (assembly/kernels/parallel.ts) and calls the host's
// parallelFor, which posts the job here and runs tasks alongside the workers until all are done. Results are
// identical to the single-threaded core bit for bit (every task writes its own outputs with the same operations).
// How workers are started is the environment's (threads.js: browsers; threads-node.js: Node); this file is the rest.
//
// Control block (a SharedArrayBuffer): i32[0] job sequence number (workers wait on it), [1] task kind, [2] argument
// pointer, [3] task count, [4] tasks done (the caller waits on it), [5] stop, [6] workers asleep in Atomics.wait,
// [7] 1 while the caller sleeps in Atomics.wait on [4]; bytes 32-39, a 64-bit claim word: the job's sequence number
// in the high half, and in the low half the tasks claimed from the front (bits 0-15) and from the back (bits 16-31).
// A task is claimed by a compare-exchange that also checks the sequence number, so a worker that read an older job's
// arguments (it was descheduled while the job finished) can never run a task of a newer job with them.
// The calling thread takes tasks from the front (0, 1, ...), the workers from the back (n - 1, n - 2, ...): with two
// threads each runs one contiguous part of every job, and the kernels split rows and elements alike (parallel.ts), so
// a thread mostly reads what it wrote itself in the previous step, from its own core's cache. With one shared
// counter the halves changed hands from job to job: a Burgers step's matmuls ran 1.41x faster on two threads than on
// one, against 1.55-1.9x for the same products alone (test/bench/matmul-shapes.mjs --threads=2).
import { instantiate } from "./build/core.js";
import { asError } from "./loader-common.js";

const MAX_PAGES = 65536; // the maximum the mt target declares (asconfig.json)

/**
 * How long a thread spins before it sleeps in Atomics.wait, in ms (the workers get it in their first message). A
 * training step posts a job every few hundred microseconds, and waking a sleeping thread costs tens of microseconds
 * (a futex wake, and on a VM an idle virtual CPU to resume); the bound keeps an idle library from burning CPU (at
 * most this long after its last job).
 */
export const SPIN_MS = 0.2;

// performance.now() costs ~0.4 us on the 2-core VM (2,250 calls per ms), so it is read once per 128 loads.
const LOADS = 128;

/** Spins until i32[i] >= target (returns true) or about `ms` have passed (false). */
function spinUntilAtLeast(i32, i, target, ms) {
  const until = performance.now() + ms;
  for (;;) {
    for (let s = 0; s < LOADS; s++) if (Atomics.load(i32, i) >= target) return true;
    if (performance.now() > until) return false;
  }
}

export function threadsAvailable() {
  if (typeof SharedArrayBuffer === "undefined" || typeof Atomics === "undefined") return false;
  if (typeof globalThis.crossOriginIsolated === "boolean" && !globalThis.crossOriginIsolated) return false;
  return true;
}

/** Sends a started worker its first message and resolves when it has instantiated the module (rejects with an Error). */
function handshake(w, init) {
  return new Promise((resolve, reject) => {
    w.once((m) => (m && m.error ? reject(new Error(`gradtape core: a worker thread failed to start: ${m.error}`)) : resolve()));
    w.fail((e) => reject(asError(e, `the worker thread (${w.url}) failed to load`)));
    w.post(init);
  });
}

/**
 * Starts `threads - 1` workers with `spawn()` on a new shared memory and returns { memory, parallelFor,
 * attach(exports), stop() }: instantiate core-mt.wasm with env { memory, parallelFor } after this resolves (the
 * workers have instantiated it first, so their rewrite of the data segments happens before the core initialises),
 * then attach its exports. If any worker fails, all are ended and the promise rejects with an Error.
 */
export async function startThreads(module, threads, spawn) {
  const memory = new WebAssembly.Memory({ initial: 64, maximum: MAX_PAGES, shared: true });
  const ctl = new SharedArrayBuffer(64);
  const i32 = new Int32Array(ctl), big = new BigInt64Array(ctl);
  const workers = [];
  try {
    for (let k = 1; k < threads; k++) workers.push(await spawn());
    await Promise.all(workers.map((w) => handshake(w, { module, memory, ctl, spinMs: SPIN_MS })));
  } catch (e) {
    for (const w of workers) w.end();
    throw asError(e, "starting worker threads");
  }
  // the calling thread may block in Atomics.wait only where the platform allows it (not a browser's main thread)
  let canBlock = true;
  try { Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0); } catch { canBlock = false; }
  let runTask = null;
  function parallelFor(task, args, n) {
    // (the claim word counts up to 65,535 tasks from each end; the core asks for a few per thread: parallel.ts)
    if (n > 0xffff) { for (let t = 0; t < n; t++) runTask(task, args, t); return; }
    const seq = (Atomics.load(i32, 0) + 1) | 0;
    i32[1] = task; i32[2] = args; i32[3] = n;
    Atomics.store(i32, 4, 0);
    Atomics.store(big, 4, BigInt(seq) << 32n);
    Atomics.store(i32, 0, seq);
    // A futex wake costs ~10 us of the caller's time (measured in a PINN step: 0.9-1.3 ms for 92 jobs), so only
    // when a worker is asleep. No wake-up is lost: a worker counts itself in [6] before it checks [0] in
    // Atomics.wait, and all these operations are sequentially consistent, so either we see its count or it sees
    // the new sequence number.
    if (Atomics.load(i32, 6) > 0) Atomics.notify(i32, 0);
    let done = 0;
    for (;;) {
      const cur = Atomics.load(big, 4);
      const front = Number(cur & 0xffffn), back = Number((cur >> 16n) & 0xffffn);
      if (front + back >= n) break;
      if (Atomics.compareExchange(big, 4, cur, cur + 1n) !== cur) continue;
      runTask(task, args, front);
      done++;
    }
    if (done === n) return;
    if (done > 0) Atomics.add(i32, 4, done);
    // The workers are finishing their last tasks: spin (they take tens of microseconds), and sleep only after
    // SPIN_MS, announcing it in [7] so that the worker that completes the job wakes us (same argument as above).
    if (spinUntilAtLeast(i32, 4, n, SPIN_MS) || !canBlock) { while (Atomics.load(i32, 4) < n); return; }
    for (;;) {
      Atomics.store(i32, 7, 1);
      const d = Atomics.load(i32, 4);
      if (d >= n) break;
      Atomics.wait(i32, 4, d, 50);
    }
    Atomics.store(i32, 7, 0);
  }
  return {
    memory,
    parallelFor,
    attach(exports) { runTask = exports.runTask; exports.setThreadCount(threads); },
    stop() { Atomics.store(i32, 5, 1); Atomics.add(i32, 0, 1); Atomics.notify(i32, 0); for (const w of workers) w.end(); },
  };
}

/** Starts the workers on `module` (a compiled core-mt*.wasm) and returns the initialised core. */
export async function runThreaded(module, threads, spawn) {
  const pool = await startThreads(module, threads, spawn);
  try {
    const core = await instantiate(module, { env: { memory: pool.memory, parallelFor: pool.parallelFor } });
    pool.attach(core);
    return core;
  } catch (e) {
    pool.stop();
    throw asError(e, "instantiating the threaded core");
  }
}
