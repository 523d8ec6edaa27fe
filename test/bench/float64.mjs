#!/usr/bin/env node
// float64 against float32 in gradtape (issue 18): the same workloads in both dtypes, interleaved round by round
// (float32, float64, float32, ...), medians of wall and process-CPU time per call, the ratio float64 / float32, and
// the peak tensor memory of a short Burgers training run in each dtype. Every figure is checked before it counts:
// matmul against a float64 product computed here, the PINN step's loss and the seed batch's values between the two
// dtypes (float32 within 1e-4 of float64).
//   node test/bench/float64.mjs [--rounds=5] [--quick]
// Workloads: matmul 256 and 512 (GFLOP/s); the Burgers PINN step (Raissi's 8x20 tanh network, 10,000 collocation
// + 100 condition points: one Adam step, loss and gradient compiled by jit); the seed batch (f and its first and
// second input derivatives of the seed network at 10,000 points, gt.jet).
import os from "node:os";
import * as gt from "gradtape";

const args = Object.fromEntries(process.argv.slice(2).map((a) => { const [k, v] = a.replace(/^--/, "").split("="); return [k, v ?? "1"]; }));
const quick = args.quick !== undefined;
const ROUNDS = Number(args.rounds ?? (quick ? 3 : 5));
await gt.ready();

const cpuMs = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
const median = (a) => { const s = [...a].sort((x, y) => x - y); return s[s.length >> 1]; };
/** n calls of f after a warm-up call: the median wall and CPU ms of one call. */
function time(f, n) {
  f();
  const wall = [], cpu = [];
  for (let i = 0; i < n; i++) {
    const w0 = performance.now(), c0 = cpuMs();
    f();
    wall.push(performance.now() - w0); cpu.push(cpuMs() - c0);
  }
  return { wall: median(wall), cpu: median(cpu) };
}
function lcg(seed) { let s = seed >>> 0; return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 2 - 1; }

// ---- workloads: each returns { run(): void, check(): string } for a dtype ----
function matmul(n, dtype) {
  const r = lcg(n), av = Float64Array.from({ length: n * n }, r), bv = Float64Array.from({ length: n * n }, r);
  const a = gt.tensor(dtype === "float32" ? Float32Array.from(av) : av, [n, n], dtype), b = gt.tensor(dtype === "float32" ? Float32Array.from(bv) : bv, [n, n], dtype);
  return {
    run: () => gt.tidy(() => { gt.matMul(a, b).data(); }),
    check: () => {
      const c = gt.tidy(() => gt.matMul(a, b).data());
      const A = a.data(), B = b.data();
      let err = 0;
      for (const [i, j] of [[0, 0], [n - 1, 3], [n >> 1, n - 1], [7, n >> 2]]) {
        let s = 0, m = 0;
        for (let k = 0; k < n; k++) { s += A[i * n + k] * B[k * n + j]; m += Math.abs(A[i * n + k] * B[k * n + j]); }
        err = Math.max(err, Math.abs(c[i * n + j] - s) / m);
      }
      const bound = dtype === "float32" ? 1e-5 : 1e-14;
      if (!(err < bound)) throw new Error(`matmul ${n} ${dtype}: relative error ${err} >= ${bound}`);
      return `rel err ${err.toExponential(1)}`;
    },
    flops: 2 * n * n * n,
    dispose: () => { a.dispose(); b.dispose(); },
  };
}

function pinnStep(dtype) {
  const problem = gt.pinn.getProblem("burgers");
  const net = new gt.pinn.PinnNetwork({ inputs: 2, outputs: 1, hidden: Array(8).fill(20), scale: { lo: problem.lo, hi: problem.hi }, seed: 1, dtype });
  const data = gt.pinn.trainingData(problem, { collocationPoints: 10_000, conditionPoints: 100, seed: 0, dtype });
  const lossFn = gt.pinn.pinnLoss(problem, net, data);
  const adam = new gt.optim.Adam({ learningRate: 1e-3 });
  const vars = net.trainableWeights;
  let loss = NaN;
  return {
    run: () => { loss = adam.minimize(lossFn, vars, { jit: true }); },
    check: () => { if (!Number.isFinite(loss)) throw new Error(`pinn step ${dtype}: loss ${loss}`); return `loss ${loss.toExponential(4)}`; },
    loss: () => loss,
    dispose: () => { adam.dispose(); data.dispose(); net.dispose(); },
  };
}

function seedBatch(dtype) {
  const gen = new gt.Generator(1);
  const net = new gt.nn.Sequential([new gt.nn.Dense({ units: 28, activation: "sigmoid", generator: gen, inputShape: [2], dtype }),
    new gt.nn.Dense({ units: 1, activation: "sigmoid", generator: gen, dtype })]);
  gt.tidy(() => { net.apply(gt.zeros([1, 2], dtype)); });
  const r = lcg(12), pts = Float64Array.from({ length: 20_000 }, () => (r() + 1) / 2);
  const X = gt.tensor(dtype === "float32" ? Float32Array.from(pts) : pts, [10_000, 2], dtype);
  let out = null;
  return {
    run: () => { out = gt.tidy(() => { const j = gt.jet(net, X, { derivatives: ["u", "u_x", "u_y", "u_xx", "u_xy", "u_yy"], vars: ["x", "y"] }); return Object.values(j).map((t) => t.data()); }); },
    check: () => { if (!out || out.some((d) => d.some((v) => !Number.isFinite(v)))) throw new Error(`seed batch ${dtype}: non-finite`); return "finite"; },
    values: () => out,
    dispose: () => { X.dispose(); net.dispose(); },
  };
}

/** Peak tensor bytes of a short Burgers training run (8x20, 10,000 + 100 points, 20 Adam + 20 L-BFGS steps). */
function peakOfRun(dtype) {
  const problem = gt.pinn.getProblem("burgers");
  gt.resetPeakMemory();
  const base = gt.memory().bytes;
  const res = gt.pinn.train(problem, { dtype, adamSteps: 20, lbfgsSteps: 20, collocationPoints: 10_000, conditionPoints: 100, network: { hidden: Array(8).fill(20) } });
  const peak = gt.memory().peakBytes - base;
  res.network.dispose();
  return peak;
}

// ---- rounds ----
const load0 = os.loadavg();
const cases = [
  { name: "matmul 256", make: (d) => matmul(256, d), calls: quick ? 5 : 15, unit: "GFLOP/s" },
  { name: "matmul 512", make: (d) => matmul(512, d), calls: quick ? 3 : 7, unit: "GFLOP/s" },
  { name: "pinn-step 8x20, 10000+100", make: pinnStep, calls: quick ? 3 : 7, unit: "ms" },
  { name: "seed-batch 10000 (jet, 2nd order)", make: seedBatch, calls: quick ? 3 : 7, unit: "ms" },
];
const results = [];
for (const c of cases) {
  const per = { float32: { wall: [], cpu: [] }, float64: { wall: [], cpu: [] } };
  const w = { float32: c.make("float32"), float64: c.make("float64") };
  const checks = {};
  for (const d of ["float32", "float64"]) { w[d].run(); checks[d] = w[d].check(); }
  if (w.float32.loss) {
    const l32 = w.float32.loss(), l64 = w.float64.loss();
    if (!(Math.abs(l32 - l64) / Math.abs(l64) < 1e-3)) throw new Error(`pinn step: float32 loss ${l32} vs float64 ${l64}`);
  }
  if (w.float32.values) {
    const a = w.float32.values(), b = w.float64.values();
    let e = 0;
    a.forEach((d, k) => { let m = 0; for (let i = 0; i < d.length; i++) m = Math.max(m, Math.abs(b[k][i])); for (let i = 0; i < d.length; i++) e = Math.max(e, Math.abs(d[i] - b[k][i]) / m); });
    if (!(e < 1e-4)) throw new Error(`seed batch: float32 vs float64 differ by ${e}`);
    checks.float32 += `; vs float64 ${e.toExponential(1)}`;
  }
  for (let r = 0; r < ROUNDS; r++) {
    for (const d of r % 2 === 0 ? ["float32", "float64"] : ["float64", "float32"]) {
      const t = time(w[d].run, c.calls);
      per[d].wall.push(t.wall); per[d].cpu.push(t.cpu);
    }
  }
  for (const d of ["float32", "float64"]) w[d].dispose();
  const fig = (d) => ({ wall: median(per[d].wall), cpu: median(per[d].cpu) });
  const f32 = fig("float32"), f64 = fig("float64");
  results.push({ name: c.name, unit: c.unit, flops: w.float32.flops, f32, f64, checks });
}
const peak32 = peakOfRun("float32"), peak64 = peakOfRun("float64");

const fmtT = (c, t) => (c.unit === "GFLOP/s" ? `${(c.flops / (t.wall * 1e6)).toFixed(2)} GFLOP/s (CPU ${(c.flops / (t.cpu * 1e6)).toFixed(2)})` : `${t.wall.toFixed(1)} ms (CPU ${t.cpu.toFixed(1)})`);
console.log(`float64 vs float32 (${quick ? "quick" : "full"}, ${ROUNDS} interleaved rounds; medians): ${os.cpus()[0]?.model}, ${os.cpus().length} cores, Node ${process.version}, ` +
  `one thread; load average ${load0.map((x) => x.toFixed(2)).join(" ")} at the start, ${os.loadavg().map((x) => x.toFixed(2)).join(" ")} at the end`);
console.log("| case | float32 | float64 | float64 / float32 time (wall, CPU) | checks |");
console.log("| --- | --- | --- | --- | --- |");
for (const r of results) {
  console.log(`| ${r.name} | ${fmtT(r, r.f32)} | ${fmtT(r, r.f64)} | ${(r.f64.wall / r.f32.wall).toFixed(2)}×, ${(r.f64.cpu / r.f32.cpu).toFixed(2)}× | ${r.checks.float32}; ${r.checks.float64} |`);
}
console.log(`| peak tensor memory, Burgers 8x20 run (10,000 + 100 points, 20 Adam + 20 L-BFGS) | ${(peak32 / 2 ** 20).toFixed(1)} MiB | ${(peak64 / 2 ** 20).toFixed(1)} MiB | ${(peak64 / peak32).toFixed(2)}× | memory().peakBytes |`);
