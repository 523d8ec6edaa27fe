#!/usr/bin/env node
// Where do two kernel threads start to pay in PINN training? (pinn/thread-choice.ts's MIN_THREAD_WORK comes from
// this script.) Burgers with the default 8x20 tanh network over collocation-point counts N_f: each run is pinn.train
// with Adam steps only (one loss-and-gradient evaluation each, the jitted program every evaluation runs), at 1 and
// at 2 threads of the same core (ready({ threads: 2 }), then pinn.train's `threads` option). Step times are the
// median step of a run after its warm-up (the first steps compile the program); rounds alternate the thread
// order and the size order, and each figure is the median over rounds. The load average is printed per round:
// the machine may be shared, and a busy core is exactly what makes threads lose.
//
//   node test/bench/threads-threshold.mjs                       # sizes 500..20000, 5 rounds
//   node test/bench/threads-threshold.mjs --sizes 1000,4000 --rounds 3 --steps 20 --hidden 4x50
//   node test/bench/threads-threshold.mjs --busy 1               # with one busy-looping process beside it
//
// Needs a build first (`npx turbo run build`). Prints a table and writes test/bench/results/threads-threshold-*.json.
import * as gt from "gradtape";
import { spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";
import os from "node:os";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    sizes: { type: "string", default: "500,1000,2000,3000,5000,10000,20000" },
    hidden: { type: "string", default: "8x20" },
    rounds: { type: "string", default: "5" },
    steps: { type: "string", default: "24" },
    warmup: { type: "string", default: "4" },
    busy: { type: "string", default: "0" },
    out: { type: "string" },
  },
});
const sizes = values.sizes.split(",").map((s) => Number.parseInt(s, 10));
const [layers, width] = values.hidden.split("x").map((s) => Number.parseInt(s, 10));
const hidden = Array(layers).fill(width);
const rounds = Number.parseInt(values.rounds, 10), steps = Number.parseInt(values.steps, 10), warmup = Number.parseInt(values.warmup, 10);
const busy = Number.parseInt(values.busy, 10);
if ([...sizes, layers, width, rounds, steps].some((v) => !(v > 0)) || !(warmup >= 1) || warmup >= steps || !(busy >= 0)) {
  console.error("threads-threshold: --sizes, --hidden (LxW), --rounds, --steps must be positive; 1 <= --warmup < --steps; --busy >= 0");
  process.exit(2);
}

await gt.ready({ threads: 2 });
if (gt.startedThreads() !== 2) { console.error("threads-threshold: the core did not start 2 threads (no SharedArrayBuffer?)"); process.exit(1); }
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const load = () => os.loadavg().map((x) => x.toFixed(2)).join(" ");

// competitors: busy loops in child processes (ended by their pid at the end)
const children = Array.from({ length: busy }, () => spawn(process.execPath, ["-e", "for (;;) {}"], { stdio: "ignore" }));
const stopChildren = () => { for (const c of children) if (c.pid !== undefined) { try { process.kill(c.pid); } catch { /* gone */ } } };
process.on("exit", stopChildren);

const problem = gt.pinn.getProblem("burgers");
/** The median step time (ms) of one run after its warm-up steps. */
function run(n, threads) {
  const at = [];
  const res = gt.pinn.train(problem, {
    collocationPoints: n, network: { hidden }, adamSteps: steps, lbfgsSteps: 0, threads, seed: 0,
    onProgress: () => { at.push(performance.now()); },
  });
  if (res.threads !== threads) throw new Error(`asked for ${threads} threads, the run used ${res.threads}`);
  const loss = res.finalLoss;
  res.network.dispose();
  const dt = [];
  for (let i = warmup; i < at.length; i++) dt.push(at[i] - at[i - 1]);
  return { ms: median(dt), loss };
}

const cpu = `${os.cpus().length} x ${os.cpus()[0]?.model ?? "?"}`;
console.log(`threads-threshold: burgers ${values.hidden} tanh, Adam steps (median of ${steps - warmup} after ${warmup} warm-up), ` +
  `${rounds} rounds, sizes ${sizes.join(", ")}; ${cpu}, node ${process.version}${busy ? `, ${busy} busy process(es) beside it` : ""}`);
console.log(`load average at the start: ${load()}`);
const times = new Map(sizes.map((n) => [n, { 1: [], 2: [] }]));
const loads = [];
for (let r = 0; r < rounds; r++) {
  const order = r % 2 === 0 ? sizes : [...sizes].reverse();
  for (const n of order) {
    const th = (r + sizes.indexOf(n)) % 2 === 0 ? [1, 2] : [2, 1];
    const got = {};
    for (const t of th) got[t] = run(n, t);
    // the same bits with any thread count: the final losses must agree exactly
    if (!Object.is(got[1].loss, got[2].loss)) throw new Error(`N_f ${n}: the loss differs between 1 thread (${got[1].loss}) and 2 (${got[2].loss})`);
    for (const t of th) times.get(n)[t].push(got[t].ms);
  }
  loads.push(os.loadavg()[0]);
  console.log(`round ${r + 1}/${rounds} done, load average ${load()}`);
}
stopChildren();

const rows = sizes.map((n) => {
  const t1 = median(times.get(n)[1]), t2 = median(times.get(n)[2]);
  return { collocationPoints: n, work: n * Math.max(...hidden), oneThreadMs: t1, twoThreadsMs: t2, speedup: t1 / t2, rounds1: times.get(n)[1], rounds2: times.get(n)[2] };
});
const pad = (s, k) => String(s).padStart(k);
console.log(`\n${pad("N_f", 7)} ${pad("work", 9)} ${pad("1 thread", 10)} ${pad("2 threads", 10)} ${pad("speedup", 8)}`);
for (const r of rows) console.log(`${pad(r.collocationPoints, 7)} ${pad(r.work, 9)} ${pad(r.oneThreadMs.toFixed(2) + " ms", 10)} ${pad(r.twoThreadsMs.toFixed(2) + " ms", 10)} ${pad(r.speedup.toFixed(2) + "x", 8)}`);
// the threshold: the smallest work from which 2 threads are faster at every larger size measured
let threshold = null;
for (let i = rows.length - 1; i >= 0 && rows[i].speedup > 1; i--) threshold = rows[i].work;
console.log(`\nsmallest work (N_f x widest layer) from which 2 threads win at every larger size: ${threshold ?? "none"}; ` +
  `load average ${load()} at the end (median over rounds ${median(loads).toFixed(2)})`);
const here = path.dirname(fileURLToPath(import.meta.url));
const started = new Date().toISOString();
const file = values.out ?? path.join(here, "results", `threads-threshold-${started.replace(/[:.]/g, "-")}.json`);
mkdirSync(path.dirname(file), { recursive: true });
writeFileSync(file, JSON.stringify({ started, cpu, node: process.version, hidden, steps, warmup, busy, loads, rows, threshold }, null, 2));
console.log(`written ${path.relative(process.cwd(), file)}`);
