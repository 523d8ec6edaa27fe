// Eager overhead per op (issue 17, item 2): the TensorFlow-style input-derivative code of gradtape-tfstyle.mjs
// (two tapes, a persistent outer one, column slices, two outer gradients, concats, data() reads) run eagerly,
// against the same function under gt.jit, and the benchmark's nested-tape variant (one jacobian) eager and jitted.
//   node test/bench/eager-overhead.mjs [--n=1,16] [--rounds=9] [--ms=300] [--json] [--count] [--profile[=N]]
// Timing: every round times each variant in turn (interleaved) for about --ms milliseconds of calls, after a
// warm-up; the figure is the median over rounds of the mean time per call, in µs (with the min, and the median of
// the process's CPU time per call, the figure to read when the machine is busy). The load average is printed
// before and after. Each variant's results are checked to be bit-identical to its eager twin.
// --count: per call of each variant, how many tensor records the core made (handles are sequential ids), how many
//   times each core (wasm) export was called, and the time spent in each (the counts do not depend on the load).
// --calls=K [--variant=tf-style]: 3,000 warm-up calls then K calls of one variant at the first n, nothing printed: for
//   instruction counts, which a loaded machine does not change. Per call: (Ir(12000) - Ir(4000)) / 8000 from
//   valgrind --tool=cachegrind --cache-sim=no node --single-threaded test/bench/eager-overhead.mjs --calls=K
//   (--single-threaded: without V8's background compiler and GC threads two runs agree to ~0.4%; with them, to ~15%;
//   the first ~4,000 calls still hold V8's compilations: K = 0..4000 counted the jitted variant 86k instead of 68k).
//   Add node's --predictable as well (README, branch eager3: without it a K = 28000 total moved by up to 5% between
//   runs of one build) and take the lowest total of two or three runs of each K.
//   test/bench/eager-instructions.py splits such a window by function (callgrind + node --perf-prof).
// --profile: a CPU profile (node:inspector) of N calls (default 20,000) of the TF-style eager variant at the first
//   n; self time by function and by where it runs (wasm core, gradtape's JS, V8/GC).
import * as gt from "gradtape";
import { loadavg } from "node:os";
import { Session } from "node:inspector";
import { core } from "../../packages/gradtape/dist/backend.js";
import { readFileSync } from "node:fs";
import { seedNet, points } from "./inputs.mjs";
import { seedTfStyle } from "./gradtape-tfstyle.mjs";

const argv = process.argv.slice(2);
const opt = (k, d) => argv.find((a) => a.startsWith(`--${k}=`))?.slice(k.length + 3) ?? d;
const NS = opt("n", "1,16").split(",").map(Number);
const ROUNDS = +opt("rounds", 9), MS = +opt("ms", 300);
await gt.ready();

// ---- the seed network (2 -> 28 sigmoid -> 1 sigmoid), weights from inputs.mjs as kept tensors, and its TF-style
// function (gradtape-tfstyle.mjs): u, grad = concat(u_x, u_t), Hessian = concat(u_xx, u_xt, u_tx, u_tt) ----
const { f, tfStyle } = seedTfStyle(seedNet());
/** The benchmark's nested-tape variant (gradtape.mjs seed): inner gradient, outer batchJacobian. */
function nested(X) {
  const outer = new gt.GradientTape(), inner = new gt.GradientTape();
  try {
    let u;
    const g = outer.record(() => {
      outer.watch(X);
      u = inner.record(() => { inner.watch(X); return f(X); });
      return inner.gradient(u, X);
    });
    return [u, g, outer.batchJacobian(g, X)];
  } finally { inner.dispose(); outer.dispose(); }
}
const tfJit = gt.jit(tfStyle), nestedJit = gt.jit(nested);
/** One call as a user makes it: points in, tensors made, derivatives read with data(), everything freed. */
const caller = (fn, n) => (pts) => gt.tidy(() => {
  const [u, g, H] = fn(gt.tensor(pts, [n, 2]));
  return [u.data(), g.data(), H.data()];
});
const VARIANTS = [["tf-style", tfStyle], ["tf-style-jit", tfJit], ["nested", nested], ["nested-jit", nestedJit]];

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };
const load = () => loadavg().map((v) => v.toFixed(2)).join(" ");
const sameBits = (a, b) => a.every((x, i) => x.length === b[i].length && x.every((v, j) => Object.is(v, b[i][j])));

if (argv.some((a) => a.startsWith("--calls="))) {
  // for instruction counts under valgrind (load-independent): --calls=K runs variant --variant (default tf-style)
  // at the first n, 3,000 warm-up calls then K calls; the difference between two K gives instructions per call
  const name = opt("variant", "tf-style"), call = caller(VARIANTS.find(([v]) => v === name)[1], NS[0]), pts = points(NS[0], 7);
  for (let i = 0; i < 3000; i++) call(pts);
  for (let i = 0, k = +opt("calls", "0"); i < k; i++) call(pts);
} else if (argv.includes("--count")) countCalls();
else if (argv.some((a) => a.startsWith("--profile"))) profile(+(opt("profile", "20000")));
else timeAll();

function timeAll() {
  console.log(`eager-overhead: node ${process.version}, ${gt.backendInfo().simd} SIMD, ${gt.backendInfo().threads} thread(s); load ${load()}`);
  const summary = [], json = {};
  for (const n of NS) {
    const pts = points(n, 7);
    const calls = VARIANTS.map(([name, fn]) => [name, caller(fn, n)]);
    // check: each jitted variant gives its eager twin's bits (and tf-style the nested variant's values)
    const res = Object.fromEntries(calls.map(([name, c]) => { c(pts); c(pts); return [name, c(pts)]; }));
    for (const [a, b] of [["tf-style", "tf-style-jit"], ["nested", "nested-jit"]]) {
      if (!sameBits(res[a], res[b])) throw new Error(`n=${n}: ${b} differs from ${a}`);
    }
    const live = gt.memory().tensors;
    // warm-up: V8 tiers up in the background, so ~1 s of calls before anything is timed
    const t0 = performance.now();
    while (performance.now() - t0 < 1000) for (const [, c] of calls) for (let i = 0; i < 50; i++) c(pts);
    const per = Object.fromEntries(calls.map(([name]) => [name, []])), cpu = Object.fromEntries(calls.map(([name]) => [name, []]));
    for (let r = 0; r < ROUNDS; r++) {
      for (const [name, c] of calls) {
        let k = 0;
        const c0 = process.cpuUsage(), s = performance.now();
        let e = s;
        while (e - s < MS) { for (let i = 0; i < 20; i++) c(pts); k += 20; e = performance.now(); }
        const c1 = process.cpuUsage(c0);
        per[name].push(((e - s) * 1000) / k);
        cpu[name].push((c1.user + c1.system) / k);
      }
    }
    if (gt.memory().tensors !== live) throw new Error(`n=${n}: tensors leaked`);
    const med = Object.fromEntries(Object.entries(per).map(([k, v]) => [k, median(v)]));
    const medCpu = Object.fromEntries(Object.entries(cpu).map(([k, v]) => [k, median(v)]));
    json[n] = Object.fromEntries(calls.map(([name]) => [name, { wall: med[name], cpu: medCpu[name] }]));
    for (const [name] of calls) {
      console.log(`n=${String(n).padEnd(3)} ${name.padEnd(13)} median ${med[name].toFixed(2).padStart(7)} µs  min ${Math.min(...per[name]).toFixed(2).padStart(7)} µs  cpu median ${medCpu[name].toFixed(2).padStart(7)} µs` +
        `   (${ROUNDS} rounds of ${MS} ms)   check ${res[name][0][0].toFixed(6)} ${res[name][2][0].toFixed(6)}`);
    }
    summary.push(`n=${n}: tf-style / tf-style-jit ${(med["tf-style"] / med["tf-style-jit"]).toFixed(2)}x, tf-style / nested ${(med["tf-style"] / med.nested).toFixed(2)}x, ` +
      `nested / nested-jit ${(med.nested / med["nested-jit"]).toFixed(2)}x, tf-style / nested-jit ${(med["tf-style"] / med["nested-jit"]).toFixed(2)}x; ` +
      `by CPU time: tf-style / tf-style-jit ${(medCpu["tf-style"] / medCpu["tf-style-jit"]).toFixed(2)}x`);
  }
  for (const s of summary) console.log(s);
  console.log(`load after: ${load()}`);
  if (argv.includes("--json")) console.log(`JSON ${JSON.stringify(json)}`);
}

/**
 * Counts the core's export calls (by name) during one call of each variant, and the time spent inside each export
 * (wall time around the call, over 2,000 calls; the wrapper's own cost, ~0.05 µs a call, is included).
 */
function countCalls() {
  const c = core(), counts = new Map(), spent = new Map();
  const names = [];
  for (let o = c; o && o !== Object.prototype; o = Object.getPrototypeOf(o)) {
    for (const k of Object.getOwnPropertyNames(o)) if (typeof c[k] === "function" && !names.includes(k)) names.push(k);
  }
  const orig = Object.fromEntries(names.map((k) => [k, c[k]]));
  const on = () => {
    for (const k of names) {
      const g = orig[k];
      const fn = (...a) => {
        const t = performance.now();
        try { return g.apply(c, a); } finally { spent.set(k, (spent.get(k) ?? 0) + performance.now() - t); counts.set(k, (counts.get(k) ?? 0) + 1); }
      };
      Object.defineProperty(c, k, { value: fn, configurable: true, writable: true });
    }
  };
  const off = () => { for (const k of names) { if (Object.hasOwn(c, k)) Object.defineProperty(c, k, { value: orig[k], configurable: true, writable: true }); } };
  const REPS = 2000;
  for (const n of NS) {
    const pts = points(n, 7);
    for (const [name, fn] of VARIANTS) {
      const call = caller(fn, n);
      for (let i = 0; i < 500; i++) call(pts);
      const id = () => { const t = gt.scalar(0), h = t.handle; t.dispose(); return h; };
      const id0 = id(); call(pts); const made = id() - id0 - 1;
      counts.clear(); spent.clear(); on();
      const t0 = performance.now();
      for (let i = 0; i < REPS; i++) call(pts);
      const all = ((performance.now() - t0) * 1000) / REPS;
      off();
      const total = [...counts.values()].reduce((a, b) => a + b, 0) / REPS;
      const inCore = ([...spent.values()].reduce((a, b) => a + b, 0) * 1000) / REPS;
      const rows = [...counts].sort((a, b) => spent.get(b[0]) - spent.get(a[0]))
        .map(([k, v]) => `${k} ${v / REPS} (${((spent.get(k) * 1000) / REPS).toFixed(2)} µs)`);
      console.log(`n=${n} ${name}: ${made} tensor records made; ${all.toFixed(2)} µs per call (wrapped), ${inCore.toFixed(2)} µs in ${total} core calls: ${rows.join(", ")}`);
    }
  }
}

/** Self time by function over `calls` TF-style eager calls (inspector CPU profile, 50 µs sampling). */
function profile(calls) {
  const n = NS[0], pts = points(n, 7), call = caller(tfStyle, n);
  for (let i = 0; i < 3000; i++) call(pts);
  const s = new Session();
  s.connect();
  const post = (m, p) => { let out, err; s.post(m, p, (e, r) => { err = e; out = r; }); if (err) throw err; return out; };
  post("Profiler.enable"); post("Profiler.setSamplingInterval", { interval: 50 }); post("Profiler.start");
  const t0 = performance.now();
  for (let i = 0; i < calls; i++) call(pts);
  const us = ((performance.now() - t0) * 1000) / calls;
  const { profile: p } = post("Profiler.stop");
  const byId = new Map(p.nodes.map((nd) => [nd.id, nd]));
  // wasm function names from the text format the build writes beside core.wasm (imports first, then functions)
  const wasmNames = [];
  try {
    const wat = readFileSync(new URL(`../../packages/core/build/${gt.backendInfo().simd === "relaxed" ? "core-relaxed" : "core"}.wat`, import.meta.url), "utf8");
    for (const m of wat.matchAll(/^ \((?:import "[^"]*" "[^"]*" \()?func \$(\S+)/gm)) wasmNames.push(m[1]);
  } catch { /* no .wat: indices only */ }
  const self = new Map(), where = new Map();
  let total = 0;
  for (let i = 0; i < p.samples.length; i++) {
    const nd = byId.get(p.samples[i]), dt = p.timeDeltas[i] ?? 0;
    const { url, lineNumber } = nd.callFrame;
    const wi = /^wasm-function\[(\d+)\]$/.exec(nd.callFrame.functionName);
    const functionName = wi && wasmNames[+wi[1]] ? `wasm ${wasmNames[+wi[1]]}` : nd.callFrame.functionName;
    const file = url.split("/").slice(-1)[0] || "";
    const kind = url.startsWith("wasm") || functionName.startsWith("wasm") ? "wasm core"
      : url.includes("/gradtape/dist/") ? "gradtape JS" : url.includes("/core/build/") ? "core bindings"
      : !url ? `V8 (${functionName || "?"})` : `other JS (${file})`;
    const key = `${functionName || "(anon)"} ${file}:${lineNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + dt); where.set(kind, (where.get(kind) ?? 0) + dt); total += dt;
  }
  console.log(`profile: ${calls} tf-style calls at n=${n}, ${us.toFixed(2)} µs per call (profiler on); load ${load()}`);
  console.log("by where it runs (% of samples):");
  for (const [k, v] of [...where].sort((a, b) => b[1] - a[1])) console.log(`  ${((100 * v) / total).toFixed(1).padStart(5)}%  ${k}`);
  // inclusive time: samples with the function anywhere on their stack (each counted once per sample)
  const parent = new Map();
  for (const nd of p.nodes) for (const ch of nd.children ?? []) parent.set(ch, nd.id);
  const nameOf = (nd) => {
    const wi = /^wasm-function\[(\d+)\]$/.exec(nd.callFrame.functionName);
    return wi && wasmNames[+wi[1]] ? `wasm ${wasmNames[+wi[1]]}` : `${nd.callFrame.functionName || "(anon)"} ${nd.callFrame.url.split("/").slice(-1)[0]}:${nd.callFrame.lineNumber + 1}`;
  };
  const incl = new Map();
  for (let i = 0; i < p.samples.length; i++) {
    const seen = new Set();
    for (let id = p.samples[i]; id !== undefined; id = parent.get(id)) seen.add(nameOf(byId.get(id)));
    for (const k of seen) incl.set(k, (incl.get(k) ?? 0) + (p.timeDeltas[i] ?? 0));
  }
  console.log("top functions by inclusive time (% of samples):");
  for (const [k, v] of [...incl].sort((a, b) => b[1] - a[1]).slice(0, 60)) console.log(`  ${((100 * v) / total).toFixed(1).padStart(5)}%  ${k}`);
  // who allocates the core's records: the callers of the runtime's __new (its samples, by the nearest caller that
  // is not a runtime or constructor function)
  const callers = new Map();
  let allocs = 0;
  for (let i = 0; i < p.samples.length; i++) {
    let id = p.samples[i];
    if (!nameOf(byId.get(id)).startsWith("wasm ~lib/rt/tcms/__new")) continue;
    allocs += p.timeDeltas[i] ?? 0;
    do id = parent.get(id); while (id !== undefined && /~lib\/|#constructor/.test(nameOf(byId.get(id))));
    const k = id === undefined ? "?" : nameOf(byId.get(id));
    callers.set(k, (callers.get(k) ?? 0) + (p.timeDeltas[i] ?? 0));
  }
  console.log(`callers of __new (% of its ${((100 * allocs) / total).toFixed(1)}% of samples):`);
  for (const [k, v] of [...callers].sort((a, b) => b[1] - a[1]).slice(0, 20)) console.log(`  ${((100 * v) / allocs).toFixed(1).padStart(5)}%  ${k}`);
  console.log("top functions by self time (% of samples):");
  for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 40)) console.log(`  ${((100 * v) / total).toFixed(1).padStart(5)}%  ${k}`);
}
