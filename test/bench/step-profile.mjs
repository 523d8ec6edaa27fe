#!/usr/bin/env node
// Where the time of a jitted step goes, by op kind: the Burgers PINN step (8x20 tanh, 10,000 + 300 points, u_t, u_x,
// u_xx, weight gradient, Adam) and the seed batch (f, gradient, Hessian at 10,000 points), both the benchmark's
// "jit" variant (gradtape.mjs). The jitted program is run step by step (Jitted.profile(): one call across the wasm
// boundary per step, whose cost is measured and subtracted); normal calls are interleaved with the profiled ones and
// every figure is a median over the repetitions (per step, then summed by kind). The optimizer (Adam, outside the
// program) and the rest of a step (JavaScript, tidy, reading the loss) are timed apart in the same iterations.
//   node test/bench/step-profile.mjs [--only=pinn,seed] [--reps=N] [--threads=N] [--steps] [--compare] [--pinn-variant=jit|jet-jit]
//                                    [--dtype=float32|float64] [--simd=baseline|relaxed] [--json=file]
// --compare profiles the same build with fusion off (gt.jit's { fuse: false }) and on, interleaved, and prints both
// and a table of the difference by category.
// --dtype=float64 runs both workloads in float64: the benchmark's float32 weights and points held exactly in float64
// (gradtape.mjs's dtype option), the program, its gradients and Adam in float64.
// --simd=relaxed profiles the relaxed-SIMD core (fused multiply-add; Node 20 needs --experimental-wasm-relaxed-simd:
// `node --experimental-wasm-relaxed-simd test/bench/step-profile.mjs --simd=relaxed`).
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
const dtype = arg("dtype", "float32");
if (dtype !== "float32" && dtype !== "float64") throw new Error(`--dtype must be float32 or float64, got ${dtype}`);
const simd = arg("simd", "baseline");
if (simd !== "baseline" && simd !== "relaxed") throw new Error(`--simd must be baseline or relaxed, got ${simd}`);

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

/** The broad category of a kind, for comparing a fused program with an unfused one. */
const categoryOf = (kind) => (kind.startsWith("fused") || kind.startsWith("elementwise") ? "elementwise (fused or not)" : kind);

/**
 * Profiles `reps` rounds; each round runs every config once normally (timed; `extra` times the optimizer apart)
 * and once step by step, in turn, so that the configs see the same load. Per config: { rows, total, plainMs,
 * adamMs, stepMs, steps, top }.
 */
function profile(name, configs, reps, big) {
  const st = configs.map(() => ({ per: [], meta: null, plain: [], adamMs: [], stepMs: [] }));
  for (let r = 0; r < reps; r++) {
    configs.forEach((c, i) => {
      const s = st[i];
      const t = c.extra ? c.extra() : (() => { const t0 = performance.now(); gt.tidy(() => { c.jitted(...c.args); }); return { program: performance.now() - t0 }; })();
      s.plain.push(t.program); if (t.adam !== undefined) { s.adamMs.push(t.adam); s.stepMs.push(t.step); }
      const steps = c.jitted.profile(...c.args);
      if (!s.meta) s.meta = steps.map((x) => ({ op: x.op, elements: x.elements }));
      steps.forEach((x, k) => { (s.per[k] ??= []).push(x.us); });
    });
  }
  return configs.map((c, i) => {
    const { per, meta, plain, adamMs, stepMs } = st[i];
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
    return { name: `${name}${c.label ? `, ${c.label}` : ""}`, rows, total, plainMs: median(plain), adamMs: adamMs.length ? median(adamMs) : null,
      stepMs: stepMs.length ? median(stepMs) : null, steps: med.length, top };
  });
}

/** Two profiles side by side by category (the first is the baseline). */
function compare(a, b) {
  const cats = new Map();
  for (const [j, p] of [a, b].entries()) for (const r of p.rows) {
    const c = categoryOf(r.kind), e = cats.get(c) ?? { steps: [0, 0], us: [0, 0], elements: [0, 0] };
    e.steps[j] += r.steps; e.us[j] += r.us; e.elements[j] += r.elements; cats.set(c, e);
  }
  console.log(`\n### ${a.name} -> ${b.name}\n`);
  console.log(`| category | steps | elements written | ms (median) |`);
  console.log(`| --- | ---: | ---: | ---: |`);
  const f = (x) => (x / 1000).toFixed(2);
  for (const [c, e] of [...cats.entries()].sort((x, y) => y[1].us[0] - x[1].us[0])) {
    console.log(`| ${c} | ${e.steps[0]} -> ${e.steps[1]} | ${(e.elements[0] / 1e6).toFixed(2)} M -> ${(e.elements[1] / 1e6).toFixed(2)} M | ${f(e.us[0])} -> ${f(e.us[1])} |`);
  }
  if (a.adamMs !== null) console.log(`| optimizer (Adam) | | | ${a.adamMs.toFixed(2)} -> ${b.adamMs.toFixed(2)} |`);
  console.log(`| **program (sum of step medians)** | ${a.steps} -> ${b.steps} | | **${f(a.total)} -> ${f(b.total)}** (${((1 - b.total / a.total) * 100).toFixed(1)}% less) |`);
  console.log(`| program called normally (median) | | | ${a.plainMs.toFixed(2)} -> ${b.plainMs.toFixed(2)} |`);
}

function print(p) {
  const ms = (us) => (us / 1000).toFixed(2);
  console.log(`\n### ${p.name}: ${p.steps} program steps\n`);
  console.log(`| kind | steps | elements written | ms (median) | share |`);
  console.log(`| --- | ---: | ---: | ---: | ---: |`);
  // shares of the program's steps and the optimizer (the rest of the step is listed, but it is mostly waiting when
  // the machine is busy: a normal call's wall time includes every preemption, a step median does not)
  const whole = p.total / 1000 + (p.adamMs ?? 0);
  for (const r of p.rows) console.log(`| ${r.kind} | ${r.steps} | ${(r.elements / 1e6).toFixed(2)} M | ${ms(r.us)} | ${(100 * r.us / 1000 / whole).toFixed(1)}% |`);
  if (p.adamMs !== null) {
    console.log(`| optimizer (Adam, outside the program) | | | ${p.adamMs.toFixed(2)} | ${(100 * p.adamMs / whole).toFixed(1)}% |`);
    const rest = p.stepMs - p.plainMs - p.adamMs;
    console.log(`| (rest of the step: JS, tidy, loss read, waits) | | | ${rest.toFixed(2)} | |`);
  }
  console.log(`\nsum of step medians ${ms(p.total)} ms; the program called normally (median) ${p.plainMs.toFixed(2)} ms` +
    (p.stepMs !== null ? `; whole step ${p.stepMs.toFixed(2)} ms` : ""));
  if (listSteps) {
    console.log(`\nmost expensive steps:`);
    for (const s of p.top) console.log(`  #${s.k} ${s.op} ${s.elements} elements ${s.us.toFixed(1)} us`);
  }
}

await gt.ready({ simd, threads });
const load0 = os.loadavg()[0];
console.log(`# step profile (gradtape ${gt.backendInfo().simd}, ${dtype}, ${gt.backendInfo().threads} thread(s), ${os.cpus()[0].model.trim()}, load ${os.loadavg().map((x) => x.toFixed(2)).join(" ")})`);
const results = [];

const compareFusion = argv.includes("--compare");
const pinnVariant = arg("pinn-variant", "jit"); // or jet-jit: the Taylor jet's loss under gt.jit
// --compare: the same build with fusion off ({ fuse: false }) and on, interleaved
const variants = compareFusion ? [{ label: "unfused", jitOptions: { fuse: false } }, { label: "fused", jitOptions: {} }] : [{ label: "", jitOptions: {} }];
const report = (ps) => { results.push(...ps); ps.forEach(print); if (ps.length === 2) compare(ps[0], ps[1]); };

if (only.includes("pinn")) {
  const net = inputs.burgersNet(), data = inputs.burgersData(10000, 300);
  const configs = [];
  for (const v of variants) {
    const trainer = await adapter.pinn(net, data, inputs.adam, { variant: pinnVariant, jitOptions: v.jitOptions, dtype });
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
    configs.push({ label: v.label, jitted: compute, args: [], extra, trainer });
  }
  report(profile(`Burgers PINN step (${pinnVariant}, ${dtype}, 10,000 + 300 points)`, configs, +arg("reps", 15), 10000));
  for (const c of configs) c.trainer.dispose();
}

if (only.includes("seed")) {
  const n = 10000;
  const X = gt.keep(gt.tensor(inputs.points(n, 12), [n, 2], dtype));
  const configs = [];
  for (const v of variants) {
    const fn = await adapter.seed(inputs.seedNet(), n, { variant: "jit", jitOptions: v.jitOptions, dtype });
    for (let i = 0; i < 5; i++) gt.tidy(() => { fn.compute(X); });
    configs.push({ label: v.label, jitted: fn.compute, args: [X] });
  }
  report(profile(`seed batch (jit, ${dtype}, f + gradient + Hessian, 10,000 points)`, configs, +arg("reps", 31), n));
  X.dispose();
  for (const c of configs) c.jitted.dispose();
}
console.log(`\nload average at the end: ${os.loadavg().map((x) => x.toFixed(2)).join(" ")} (at the start ${load0.toFixed(2)})`);
if (json) writeFileSync(json, JSON.stringify({ load: os.loadavg(), threads, dtype, results }, null, 1));
