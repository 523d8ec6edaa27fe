// A worker thread of the threaded core (threads.js): instantiates core-mt.wasm on the shared memory without
// running its start function (the main instance owns every allocation and all state; this instance only runs
// kernels through runTask), then serves jobs until told to stop. Node (worker_threads) and browsers (module
// Worker) alike.
import { SPIN_MS, spinWhileEqual } from "./spin.js";

const isNode = typeof process !== "undefined" && !!process.versions?.node;
const port = isNode ? (await import(/* @vite-ignore */ "node:worker_threads")).parentPort : self;
const on = (f) => (isNode ? port.on("message", f) : (port.onmessage = (e) => f(e.data)));

on(({ module, memory, ctl }) => {
  const env = {
    memory,
    abort() { throw new Error("gradtape core worker: abort"); },
    parallelFor() { throw new Error("gradtape core worker: nested parallelFor"); },
  };
  const { runTask } = new WebAssembly.Instance(module, { env }).exports;
  const i32 = new Int32Array(ctl), big = new BigInt64Array(ctl);
  port.postMessage("ready");
  serve(i32, big, runTask);
});

/** The job loop; the control block layout and the claim protocol are described in threads.js. */
function serve(i32, big, runTask) {
  let seen = Atomics.load(i32, 0);
  for (;;) {
    // Jobs come in bursts (every large op of a training step): spin up to SPIN_MS before sleeping, since a wake-up
    // costs tens of microseconds, as much as a whole task. Asleep, we count ourselves in [6] first, so that the
    // caller notifies only when someone sleeps (why no wake-up is lost: threads.js, parallelFor).
    if (!spinWhileEqual(i32, 0, seen, SPIN_MS)) {
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

function claim(big, seq, n) {
  for (;;) {
    const cur = Atomics.load(big, 4);
    if (Number(cur >> 32n) !== seq) return -1;
    const t = Number(cur & 0xffffffffn);
    if (t >= n) return -1;
    if (Atomics.compareExchange(big, 4, cur, cur + 1n) === cur) return t;
  }
}
