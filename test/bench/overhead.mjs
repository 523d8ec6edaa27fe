// gradtape-only overhead benchmark: the numbers the core's performance work is judged by (no peers, fast).
//   node test/bench/overhead.mjs [--only=single,batch,pinn,matmul] [--wasm=path/to/core.wasm] [--threads=n] [--quick]
// seed-single: the seed network (2 -> 28 sigmoid -> 1 sigmoid) f + gradient + 2x2 Hessian at one point, nested
//   GradientTapes + jacobian (latency per evaluation); single-jit: the same function compiled by gt.jit.
// seed-batch: the same for 10,000 points (gradient per point, Hessian per point with batchJacobian).
// pinn: a PINN-like step, 2 -> 8 x 20 tanh -> 1 over 10,000 points: u, u_x, u_t, u_xx by nested tapes, the Burgers
//   residual loss and its gradient with respect to the weights (no optimizer update); pinn-jit: compiled by gt.jit.
// matmul: square float32 matmul in GFLOP/s (plain, and the two transposed backward products of a dense layer).
// Every workload prints a checksum so a faster build can be checked to give the same numbers.
import * as gt from "gradtape";
import { readFileSync } from "node:fs";

const argv = process.argv.slice(2);
const only = argv.find((a) => a.startsWith("--only="))?.slice(7).split(",");
const wasm = argv.find((a) => a.startsWith("--wasm="))?.slice(7);
const quick = argv.includes("--quick");
const threads = +(argv.find((a) => a.startsWith("--threads="))?.slice(10) ?? 1);
const want = (k) => !only || only.includes(k);
await gt.ready(wasm ? await WebAssembly.compile(readFileSync(wasm)) : undefined, { threads });

function median(xs) { const s = [...xs].sort((a, b) => a - b); return s[s.length >> 1]; }
/**
 * The minimum (and the median) over `samples` of the mean time of `inner` calls, in ms. The minimum is the figure
 * to compare: the machines are shared, and other processes only ever add time.
 */
function time(fn, { warmup, samples, inner = 1 }) {
  for (let i = 0; i < warmup; i++) fn();
  const ms = [], cpu = [];
  for (let s = 0; s < samples; s++) {
    const c0 = process.cpuUsage(), t0 = performance.now();
    for (let i = 0; i < inner; i++) fn();
    const t1 = performance.now(), c1 = process.cpuUsage(c0);
    ms.push((t1 - t0) / inner);
    cpu.push((c1.user + c1.system) / 1000 / inner);
  }
  time.median = median(ms);
  time.cpu = Math.min(...cpu);
  return Math.min(...ms);
}
const fmt1 = (ms) => (ms < 1 ? `${(ms * 1000).toFixed(1)} µs` : `${ms.toFixed(2)} ms`);
// wall-clock minimum, wall-clock median, and the minimum process CPU time (robust when the machine is loaded)
const fmt = (ms) => `${fmt1(ms).padStart(9)} (median ${fmt1(time.median)}, cpu ${fmt1(time.cpu)})`;
const sumAbs = (a) => { let s = 0; for (const v of a) s += Math.abs(v); return s; };
const results = {};
/** The same inputs must give bit-identical results after thousands of iterations (allocator/GC reuse). */
function same(name, a, b) { if (a.some((v, i) => !Object.is(v, b[i]))) throw new Error(`${name}: results changed across iterations: ${a} vs ${b}`); }

// ---- seed network ----
const W1 = gt.variable(gt.randomUniform([2, 28], -1, 1, 1)), b1 = gt.variable(gt.randomUniform([28], -0.5, 0.5, 4));
const W2 = gt.variable(gt.randomUniform([28, 1], -1, 1, 2)), b2 = gt.variable(gt.zeros([1]));
const seedNet = (x) => x.matMul(W1).add(b1).sigmoid().matMul(W2).add(b2).sigmoid();

function seedSingleTensors(x) {
  const outer = new gt.GradientTape(), inner = new gt.GradientTape();
  try {
    let f;
    const g = outer.record(() => {
      outer.watch(x);
      f = inner.record(() => { inner.watch(x); return seedNet(x); });
      return inner.gradient(f, x);
    });
    return [f, g, outer.jacobian(g, x)];
  } finally { outer.dispose(); inner.dispose(); }
}
const readSingle = ([f, g, H]) => [f.item(), ...g.data(), ...H.data()];
const seedSingle = (x) => gt.tidy(() => readSingle(seedSingleTensors(x)));
// the same function compiled by gt.jit: traced on its first call, replayed after (must give the same bits)
const seedSingleJitted = gt.jit(seedSingleTensors);
const seedSingleJit = (x) => gt.tidy(() => readSingle(seedSingleJitted(x)));
if (want("single")) {
  const x = gt.tensor([[0.3, 0.7]]);
  const r = seedSingle(x);
  for (const [name, f] of [["seed-single", seedSingle], ["single-jit", seedSingleJit]]) {
    f(x); f(x); // (jit: the trace, then the first replay, after which the program holds its constants and kept records)
    const before = gt.memory().tensors;
    const ms = time(() => f(x), { warmup: 300, samples: quick ? 15 : 41, inner: 100 });
    if (gt.memory().tensors !== before) throw new Error(`${name} leaks tensors`);
    same(name, r, f(x));
    results[name === "seed-single" ? "seedSingle" : "seedSingleJit"] = ms;
    results[name === "seed-single" ? "seedSingleCpu" : "seedSingleJitCpu"] = time.cpu;
    console.log(`${name.padEnd(13)} ${fmt(ms)} / evaluation   check ${r.map((v) => v.toFixed(6)).join(" ")}`);
  }
  x.dispose();
}

const X = gt.randomUniform([10000, 2], 0, 1, 3);
function seedBatch() {
  return gt.tidy(() => {
    const outer = new gt.GradientTape(), inner = new gt.GradientTape();
    let f;
    const g = outer.record(() => {
      outer.watch(X);
      f = inner.record(() => { inner.watch(X); return seedNet(X); });
      return inner.gradient(f, X);
    });
    const H = outer.batchJacobian(g, X);
    const r = [sumAbs(f.data()), sumAbs(g.data()), sumAbs(H.data())];
    outer.dispose(); inner.dispose();
    return r;
  });
}
if (want("batch")) {
  const r = seedBatch();
  const ms = time(seedBatch, { warmup: 3, samples: quick ? 7 : 21, inner: 1 });
  same("seed-batch", r, seedBatch());
  results.seedBatch = ms; results.seedBatchCpu = time.cpu;
  console.log(`seed-batch    ${fmt(ms)} / 10,000 points check ${r.map((v) => v.toPrecision(7)).join(" ")}`);
}

// ---- PINN-like step ----
const layers = [];
{
  const sizes = [2, 20, 20, 20, 20, 20, 20, 20, 20, 1];
  for (let i = 0; i + 1 < sizes.length; i++) {
    const lim = Math.sqrt(6 / (sizes[i] + sizes[i + 1]));
    layers.push([gt.variable(gt.randomUniform([sizes[i], sizes[i + 1]], -lim, lim, 10 + i)), gt.variable(gt.zeros([sizes[i + 1]]))]);
  }
}
const weights = layers.flat();
function pinnNet(x) {
  let h = x;
  for (let i = 0; i < layers.length; i++) {
    h = h.matMul(layers[i][0]).add(layers[i][1]);
    if (i + 1 < layers.length) h = h.tanh();
  }
  return h;
}
const XP = gt.randomUniform([10000, 2], -1, 1, 5);
const nu = 0.01 / Math.PI;
function pinnTensors() {
  const wt = new gt.GradientTape(), t2 = new gt.GradientTape({ watchAccessedVariables: false }), t1 = new gt.GradientTape({ watchAccessedVariables: false });
  try {
    const loss = wt.record(() => {
      let u, ux, ut;
      const uxx = t2.record(() => {
        t2.watch(XP);
        u = t1.record(() => { t1.watch(XP); return pinnNet(XP); });
        const g = t1.gradient(u, XP);
        ux = g.slice([0, 0], [-1, 1]);
        ut = g.slice([0, 1], [-1, 1]);
        return ux;
      });
      const gxx = t2.gradient(uxx, XP).slice([0, 0], [-1, 1]);
      const r = ut.add(u.mul(ux)).sub(gxx.mul(nu));
      return r.square().mean();
    });
    return [loss, ...wt.gradient(loss, weights)];
  } finally { wt.dispose(); t2.dispose(); t1.dispose(); }
}
const readPinn = ([loss, ...gs]) => [loss.item(), gs.reduce((s, g) => s + sumAbs(g.data()), 0)];
const pinnStep = () => gt.tidy(() => readPinn(pinnTensors()));
const pinnJitted = gt.jit(pinnTensors);
const pinnStepJit = () => gt.tidy(() => readPinn(pinnJitted()));
if (want("pinn")) {
  const t0 = performance.now();
  const r = pinnStep();
  results.pinnFirst = performance.now() - t0;
  console.log(`pinn-first    ${fmt1(results.pinnFirst).padStart(9)} (the first step: fresh memory; compiled code is warm only if other workloads ran)`);
  const ms = time(pinnStep, { warmup: 2, samples: quick ? 5 : 11, inner: 1 });
  same("pinn-step", r, pinnStep());
  results.pinn = ms; results.pinnCpu = time.cpu;
  console.log(`pinn-step     ${fmt(ms)} / step          check ${r.map((v) => v.toPrecision(7)).join(" ")}`);
  pinnStepJit(); // the trace
  const msJit = time(pinnStepJit, { warmup: 2, samples: quick ? 5 : 11, inner: 1 });
  same("pinn-jit", r, pinnStepJit());
  results.pinnJit = msJit; results.pinnJitCpu = time.cpu;
  console.log(`pinn-jit      ${fmt(msJit)} / step          (the same step compiled by gt.jit: ${pinnJitted.programs()[0].ops} ops)`);
  // peak tensor memory of one step above what was live before it (memory().peakBytes)
  const live = gt.memory().bytes;
  gt.resetPeakMemory();
  pinnStep();
  results.pinnPeakMiB = (gt.memory().peakBytes - live) / 2 ** 20;
  console.log(`pinn-peak     ${results.pinnPeakMiB.toFixed(1)} MiB of tensors at the peak of a step (wasm memory ${(gt.memory().wasmBytes / 2 ** 20).toFixed(1)} MiB)`);
}

// ---- matmul ----
if (want("matmul")) {
  for (const n of [64, 256, 512, 1024]) {
    const a = gt.randomUniform([n, n], -1, 1, 20), b = gt.randomUniform([n, n], -1, 1, 21);
    const flop = 2 * n * n * n;
    const inner = Math.max(1, Math.round(2e8 / flop));
    const row = [];
    for (const [ta, tb] of [[false, false], [true, false], [false, true]]) {
      const ms = time(() => gt.matMul(a, b, ta, tb).dispose(), { warmup: 2, samples: quick ? 5 : 11, inner: Math.max(1, inner >> 2) });
      row.push(`${ta ? "AᵀB" : tb ? "ABᵀ" : "AB "} ${(flop / ms / 1e6).toFixed(1).padStart(6)}`);
      results[`matmul${n}${ta ? "tn" : tb ? "nt" : "nn"}`] = flop / ms / 1e6;
    }
    const c = gt.matMul(a, b);
    console.log(`matmul ${String(n).padStart(4)}   GFLOP/s: ${row.join("   ")}   check ${sumAbs(c.data()).toPrecision(7)}`);
    a.dispose(); b.dispose(); c.dispose();
  }
}
console.log(`memory: ${gt.memory().tensors} tensors live`);
if (argv.includes("--json")) console.log(JSON.stringify(results));
