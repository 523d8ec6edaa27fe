#!/usr/bin/env node
// Where the time of a jitted step goes, by op kind: the Burgers PINN step (8x20 tanh, 10,000 + 300 points, u_t, u_x,
// u_xx, weight gradient, Adam) and the seed batch (f, gradient, Hessian at 10,000 points), both the benchmark's
// "jit" variant (gradtape.mjs). The jitted program is run step by step (Jitted.profile(): one call across the wasm
// boundary per step, whose cost is measured and subtracted); normal calls are interleaved with the profiled ones and
// every figure is a median over the repetitions (per step, then summed by kind). The optimizer (Adam, outside the
// program) and the rest of a step (JavaScript, tidy, reading the loss) are timed apart in the same iterations.
//   node test/bench/step-profile.mjs [--only=pinn,seed] [--reps=N] [--threads=N] [--steps] [--json=file]
// --steps also lists the 25 most expensive steps. The load average is printed with the table: on this shared
// 2-core machine a busy neighbour inflates every figure alike, so read the shares, and compare builds interleaved.
import * as gt from "gradtape";
import os from "node:os";
import { writeFileSync } from "node:fs";
import * as inputs from "./inputs.mjs";
import * as adapter from "./gradtape.mjs";

const argv = process.argv.slice(2);
const arg = (k, d) => argv.find((a) => a.startsWith(`--${k}=`))?.slice(k.length + 3) ?? d;
const only = arg("only", "pinn,seed").split(",");
const threads = +arg("threads", 1);
const listSteps = argv.includes("--steps");
const json = arg("json", null);

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const ELEMENTWISE_KINDS = new Set(["Neg", "Abs", "Exp", "Log", "Sqrt", "Square", "Reciprocal", "Sin", "Cos", "Atan", "Erf", "Tanh",
  "Sigmoid", "Relu", "Softplus", "Affine", "Sign", "Step", "Add", "Sub", "Mul", "Div", "Pow", "Maximum", "Minimum", "Where",
  "TanhGrad", "SigmoidGrad", "MulMul"]);
/** The kind a step is counted under: matmul, reductions, copies, views, elementwise (by op, large or small). */
function kindOf(op, elements, big) {
  if (op === "MatMul") return "matmul";
  if (op === "Sum" || op === "Max" || op === "Min") return "reduction (sum/max/min)";
  if (op === "View") return "view (no data moved)";
  if (op === "ViewGrad") return "view backward (zero-fill + scatter)";
  if (["Copy", "Concat", "Pad", "Gather", "GatherGrad"].includes(op)) return "copy/concat/pad/gather";
  if (op.startsWith("Fused")) return `fused: ${op}`;
  if (ELEMENTWISE_KINDS.has(op)) return elements >= big ? `elementwise ${op}` : "elementwise, small (< N elements)";
  return op;
}

/** Profiles `reps` interleaved runs; returns { rows, total, plainMs, adamMs, stepMs, steps }. */
function profile(name, jitted, args, reps, big, extra) {
  const per = []; // per step: times across reps
  let meta = null;
  const plain = [], adamMs = [], stepMs = [];
  for (let r = 0; r < reps; r++) {
    // a normal call (and the optimizer, for the PINN step), then the same call step by step
    const t = extra ? extra() : (() => { const t0 = performance.now(); gt.tidy(() => { jitted(...args); }); return { program: performance.now() - t0 }; })();
    plain.push(t.program); if (t.adam !== undefined) { adamMs.push(t.adam); stepMs.push(t.step); }
    const steps = jitted.profile(...args);
    if (!meta) meta = steps.map((s) => ({ op: s.op, elements: s.elements }));
    steps.forEach((s, k) => { (per[k] ??= []).push(s.us); });
  }
  const med = per.map(median);
  const byKind = new Map();
  med.forEach((us, k) => {
    const kind = kindOf(meta[k].op, meta[k].elements, big);
    const e = byKind.get(kind) ?? { kind, steps: 0, us: 0, elements: 0 };
    e.steps++; e.us += us; e.elements += meta[k].elements;
    byKind.set(kind, e);
  });
  const total = med.reduce((a, b) => a + b, 0);
  const rows = [...byKind.values()].sort((a, b) => b.us - a.us);
  const top = med.map((us, k) => ({ k, op: meta[k].op, elements: meta[k].elements, us })).sort((a, b) => b.us - a.us).slice(0, 25);
  return { name, rows, total, plainMs: median(plain), adamMs: adamMs.length ? median(adamMs) : null, stepMs: stepMs.length ? median(stepMs) : null, steps: med.length, top };
}

function print(p) {
  const ms = (us) => (us / 1000).toFixed(2);
  console.log(`\n### ${p.name}: ${p.steps} program steps\n`);
  console.log(`| kind | steps | elements written | ms (median) | share |`);
  console.log(`| --- | ---: | ---: | ---: | ---: |`);
  const whole = p.stepMs ?? p.total / 1000;
  for (const r of p.rows) console.log(`| ${r.kind} | ${r.steps} | ${(r.elements / 1e6).toFixed(2)} M | ${ms(r.us)} | ${(100 * r.us / 1000 / whole).toFixed(1)}% |`);
  if (p.adamMs !== null) {
    console.log(`| optimizer (Adam, outside the program) | | | ${p.adamMs.toFixed(2)} | ${(100 * p.adamMs / whole).toFixed(1)}% |`);
    const rest = p.stepMs - p.plainMs - p.adamMs;
    console.log(`| rest of the step (JS, tidy, loss read) | | | ${rest.toFixed(2)} | ${(100 * rest / whole).toFixed(1)}% |`);
  }
  console.log(`\nsum of step medians ${ms(p.total)} ms; the program called normally (median) ${p.plainMs.toFixed(2)} ms` +
    (p.stepMs !== null ? `; whole step ${p.stepMs.toFixed(2)} ms` : ""));
  if (listSteps) {
    console.log(`\nmost expensive steps:`);
    for (const s of p.top) console.log(`  #${s.k} ${s.op} ${s.elements} elements ${s.us.toFixed(1)} us`);
  }
}

await gt.ready({ simd: "baseline", threads });
const load0 = os.loadavg()[0];
console.log(`# step profile (gradtape ${gt.backendInfo().simd}, ${gt.backendInfo().threads} thread(s), ${os.cpus()[0].model.trim()}, load ${os.loadavg().map((x) => x.toFixed(2)).join(" ")})`);
const results = [];

if (only.includes("pinn")) {
  const net = inputs.burgersNet(), data = inputs.burgersData(10000, 300);
  const trainer = await adapter.pinn(net, data, inputs.adam, { variant: "jit" });
  const { compute, opt, vars } = trainer.internals;
  for (let i = 0; i < 3; i++) await trainer.step();
  const extra = () => {
    const t0 = performance.now();
    let t1 = 0, t2 = 0;
    gt.tidy(() => {
      const [loss, ...grads] = compute();
      t1 = performance.now();
      opt.applyGradients(grads, vars);
      t2 = performance.now();
      loss.item();
    });
    return { program: t1 - t0, adam: t2 - t1, step: performance.now() - t0 };
  };
  const p = profile("Burgers PINN step (jit, 10,000 + 300 points)", compute, [], +arg("reps", 15), 10000, extra);
  results.push(p); print(p);
  trainer.dispose();
}

if (only.includes("seed")) {
  const n = 10000;
  const fn = await adapter.seed(inputs.seedNet(), n, { variant: "jit" });
  const X = gt.keep(gt.tensor(inputs.points(n, 12), [n, 2]));
  for (let i = 0; i < 5; i++) gt.tidy(() => { fn.compute(X); });
  const p = profile("seed batch (jit, f + gradient + Hessian, 10,000 points)", fn.compute, [X], +arg("reps", 31), n);
  results.push(p); print(p);
  X.dispose(); fn.compute.dispose();
}
console.log(`\nload average at the end: ${os.loadavg().map((x) => x.toFixed(2)).join(" ")} (at the start ${load0.toFixed(2)})`);
if (json) writeFileSync(json, JSON.stringify({ load: os.loadavg(), threads, results }, null, 1));
