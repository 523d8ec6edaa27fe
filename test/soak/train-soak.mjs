// A synchronous training soak (issue 14): memory must stay flat over 10,000 steps, in wasm memory, in live tensors
// and in the JavaScript heap after a full garbage collection. Two loops, each in one synchronous run (no await, so
// no FinalizationRegistry callback can run in between):
//   loop   - a hand-written PINN-style step: a Dense tanh network, a loss with an input derivative (nested tapes),
//            Adam's minimize (which reads the loss back each step) (what a user's own loop does);
//   train  - pinn.train(heat, adamSteps N) on a small network.
// Prints, at steps 1,000 and 10,000 (or --steps), wasm bytes, live tensors and JS heap used after gc().
//   node --expose-gc test/soak/train-soak.mjs [--steps=10000] [--from=1000] [--only=loop|train] [--json]
// pinn.train's result keeps a [step, loss] pair per step (its history): about 57 B/step of the JS heap by design.
import * as gt from "gradtape";
import v8 from "node:v8";

if (typeof globalThis.gc !== "function") { console.error("run with node --expose-gc"); process.exit(2); }
const argv = process.argv.slice(2);
const steps = +(argv.find((a) => a.startsWith("--steps="))?.slice(8) ?? 10_000);
const only = argv.find((a) => a.startsWith("--only="))?.slice(7);
const first = +(argv.find((a) => a.startsWith("--from="))?.slice(7) ?? 1000);
const marks = [Math.min(first, steps), steps];
await gt.ready();

/**
 * The JS heap in use after full collections, without V8's code spaces: optimised code arrives when V8 tiers a
 * function up, which on a loaded machine can happen anywhere in the run (+0.7 MB between steps 1,000 and 2,500 in
 * one CI run) and says nothing about what the library keeps. (heapUsed, all spaces, is printed too.)
 */
function sample(step) {
  globalThis.gc(); globalThis.gc();
  const m = gt.memory();
  const data = v8.getHeapSpaceStatistics().filter((s) => !s.space_name.startsWith("code")).reduce((a, s) => a + s.space_used_size, 0);
  return { step, wasmBytes: m.wasmBytes, tensors: m.tensors, jsHeapUsed: data, heapUsedAll: process.memoryUsage().heapUsed };
}
function report(name, rows) {
  console.log(`${name}:`);
  for (const r of rows) console.log(`  step ${String(r.step).padStart(6)}: wasm ${r.wasmBytes} B, tensors ${r.tensors}, JS heap after gc ${r.jsHeapUsed} B (code spaces too: ${r.heapUsedAll} B)`);
  const [a, b] = rows;
  console.log(`  growth ${a.step} -> ${b.step}: wasm ${b.wasmBytes - a.wasmBytes} B, tensors ${b.tensors - a.tensors}, JS heap ${b.jsHeapUsed - a.jsHeapUsed} B ` +
    `(${((b.jsHeapUsed - a.jsHeapUsed) / (b.step - a.step)).toFixed(1)} B/step)`);
  return rows;
}

export function loopSoak(n, at) {
  const net = new gt.nn.Sequential([new gt.nn.Dense({ units: 16, activation: "tanh", seed: 1 }), new gt.nn.Dense({ units: 16, activation: "tanh", seed: 2 }), new gt.nn.Dense({ units: 1, seed: 3 })]);
  const x = gt.randomUniform([64, 1], -1, 1, 7);
  const opt = new gt.optim.Adam({ learningRate: 1e-3 });
  net.apply(x).dispose();
  const rows = [];
  let last = 0;
  for (let s = 1; s <= n; s++) {
    last = opt.minimize(() => {
      const outer = new gt.GradientTape();
      const inner = new gt.GradientTape();
      try {
        const u = outer.record(() => inner.record(() => { inner.watch(x); return net.apply(x); }));
        const ux = inner.gradient(u, x);
        return gt.add(gt.mean(gt.square(gt.sub(ux, 1))), gt.mean(gt.square(u)));
      } finally { inner.dispose(); outer.dispose(); }
    }, net.trainableWeights);
    if (at.includes(s)) rows.push(sample(s));
  }
  x.dispose(); net.dispose();
  return { rows, last };
}

export function trainSoak(n, at) {
  const rows = [];
  const res = gt.pinn.train(gt.pinn.problems.heat, {
    network: { hidden: [8, 8] }, collocationPoints: 64, conditionPoints: 16, adamSteps: n, lbfgsSteps: 0,
    onProgress: (p) => { if (at.includes(p.step)) rows.push(sample(p.step)); },
  });
  res.network?.dispose?.();
  return { rows };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  if (argv.includes("--json")) {
    // for test/integration/heap-flat.test.ts: one JSON line
    const out = {};
    if (!only || only === "loop") out.loop = loopSoak(steps, marks).rows;
    if (!only || only === "train") out.train = trainSoak(steps, marks).rows;
    console.log(JSON.stringify(out));
    process.exit(0);
  }
  console.log(`synchronous soak, ${steps} steps (node ${process.version})`);
  if (!only || only === "loop") report("hand-written loop (nested tapes + Adam.minimize)", loopSoak(steps, marks).rows);
  if (!only || only === "train") report("pinn.train (heat, Adam only)", trainSoak(steps, marks).rows);
}
