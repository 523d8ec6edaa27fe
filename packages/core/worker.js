// A worker thread of the threaded core (pool.js): instantiates core-mt.wasm on the shared memory without running
// its start function (the main instance owns every allocation and all state; this instance only runs kernels
// through runTask), then serves jobs until told to stop. One file with no imports, for browsers (a module Worker:
// bundlers that inline or copy it need nothing else) and Node (worker_threads; its port is reached through
// process.getBuiltinModule, which no bundler tries to resolve).
const nodePort = typeof process === "object" && typeof process?.getBuiltinModule === "function"
  ? process.getBuiltinModule("node:worker_threads").parentPort : null;
const post = (m) => (nodePort ? nodePort.postMessage(m) : self.postMessage(m));
const first = (f) => (nodePort ? nodePort.once("message", f) : self.addEventListener("message", (e) => f(e.data), { once: true }));

first(({ module, memory, ctl, spinMs }) => {
  let runTask;
  try {
    const env = {
      memory,
      abort() { throw new Error("gradtape core worker: abort"); },
      parallelFor() { throw new Error("gradtape core worker: nested parallelFor"); },
    };
    runTask = new WebAssembly.Instance(module, { env }).exports.runTask;
  } catch (e) {
    post({ error: `instantiating the core in the worker: ${e instanceof Error ? e.message : String(e)}` });
    return;
  }
  post("ready");
  serve(new Int32Array(ctl), new BigInt64Array(ctl), runTask, spinMs);
});

/** Spins while i32[i] === value (returns true when it changed) for at most about `ms` (false); pool.js explains the bound. */
function spinWhileEqual(i32, i, value, ms) {
  const until = performance.now() + ms;
  for (;;) {
    for (let s = 0; s < 128; s++) if (Atomics.load(i32, i) !== value) return true; // performance.now() costs ~0.4 us
    if (performance.now() > until) return false;
  }
}

/** The job loop; the control block layout and the claim protocol are described in pool.js. */
function serve(i32, big, runTask, spinMs) {
  let seen = Atomics.load(i32, 0);
  for (;;) {
    // Jobs come in bursts (every large op of a training step): spin up to spinMs before sleeping, since a wake-up
    // costs tens of microseconds, as much as a whole task. Asleep, we count ourselves in [6] first, so that the
    // caller notifies only when someone sleeps (why no wake-up is lost: pool.js, parallelFor).
    if (!spinWhileEqual(i32, 0, seen, spinMs)) {
      Atomics.add(i32, 6, 1);
      Atomics.wait(i32, 0, seen);
      Atomics.sub(i32, 6, 1);
    }
    const seq = Atomics.load(i32, 0);
    seen = seq;
    if (Atomics.load(i32, 5) !== 0) return;
    const task = i32[1], args = i32[2], n = i32[3];
    let done = 0;
    for (;;) {
      const t = claim(big, seq, n);
      if (t < 0) break;
      runTask(task, args, t);
      done++;
    }
    // the caller sets [7] before it sleeps on [4] (and checks [4] after setting it), so it is woken only if needed
    if (done > 0 && Atomics.add(i32, 4, done) + done === n && Atomics.load(i32, 7) !== 0) Atomics.notify(i32, 4);
  }
}

/** The next task from the back of job seq (the caller takes them from the front: pool.js says why), or -1. */
function claim(big, seq, n) {
  for (;;) {
    const cur = Atomics.load(big, 4);
    if (Number(cur >> 32n) !== seq) return -1;
    const front = Number(cur & 0xffffn), back = Number((cur >> 16n) & 0xffffn);
    if (front + back >= n) return -1;
    if (Atomics.compareExchange(big, 4, cur, cur + 0x10000n) === cur) return n - 1 - back;
  }
}
