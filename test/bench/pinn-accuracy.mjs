#!/usr/bin/env node
// PINN accuracy benchmark (not a unit test; it takes minutes): trains every built-in problem with its default
// setup and reports the relative L2 error against the problem's exact or reference solution, and the wall time.
// Target: relative L2 <= 1e-3 for each (Raissi et al. 2019 report 6.7e-4 for Burgers with this setup). The inverse
// problems (burgers-inverse, burgers-inverse-noisy: identify lambda1 = 1 and lambda2 = 0.01/pi from 2,000 values of u)
// are judged on u <= 1e-2 and each parameter's relative error (lambda1 <= 0.5%, lambda2 <= 2%), all by the median.
// Issue #16's hard problems: helmholtz <= 5e-3, allen-cahn <= 1e-2, wave <= 1e-3, kovasznay <= 1e-3 for each of
// u, v and p (its row lists the three; the relative L2 column is the largest). Their plain-PINN defaults are not
// expected to reach these without #16's remedies (published plain PINNs: helmholtz ~1e-1, allen-cahn ~0.5).
//
// A float32 PINN's final error is a draw: L-BFGS ends where the float32 loss stops resolving its own decrease
// (for Burgers, a loss of 2e-6 to 4e-6 and an error of 4e-4 to 9e-4 with sums accumulated in float64 and the line
// search's approximate-Wolfe steps), and where exactly depends chaotically on rounding. So each problem is trained
// with several seeds (points and initial weights) and judged by the median; every seed is listed.
//
//   node test/bench/pinn-accuracy.mjs                      # every built-in problem; seeds 0, 1, 2
//   node test/bench/pinn-accuracy.mjs --only poisson-lshape,laplace-disk,advection   # the geometry/condition problems
//   node test/bench/pinn-accuracy.mjs --only heat,poisson1d --seeds 1
//   node test/bench/pinn-accuracy.mjs --adam-steps 500 --lbfgs-steps 2000   # override the defaults for all
//   node test/bench/pinn-accuracy.mjs --only burgers --target-time 60 --threads 1   # time to target within 60 s
//
// Time to target (#17): every --eval-every steps (default 100) the relative L2 on the reference grid is evaluated
// (pinn-clock.mjs); the training clock excludes those evaluations (their time and count are reported). Each row
// gives the training time, steps and loss evaluations at which the error first reached the target (--target, default
// the problem's: 6.7e-4 for burgers, Raissi et al.'s figure), the final error, the evaluations (L-BFGS's line
// searches' among them), the threads and the optimizer. --target-time S stops each run at S s of training clock.
// --threads auto (default: pinn.train's choice on a core started with up to 2 threads) or N.
// --target-cpu-time S stops each run at S s of training CPU time (the CPU clock: pinn-clock.mjs; with one thread,
// the wall time an idle machine would take).
// --adaptive rad|rar|rar-d|none [--adaptive-every N] overrides the problem's adaptive collocation (pinn.train's adaptive).
// --optimizer auto|lbfgs|ssbroyden|ssbfgs|bfgs and --balancing none|lr-annealing|grad-norm|ntk override the problem's.
// --dtype float32|float64 overrides each problem's dtype (its default: float32, float64 for wave); with --dtype
// float64 (#18) Burgers' clock target is 1e-5 (issue #18's goal).
//   node test/bench/pinn-accuracy.mjs --only burgers --dtype float64 --threads 1 --eval-every 100 --target-cpu-time 900
//
// Needs a build first (`npx turbo run build`). Results are printed and written to test/bench/results/.
import * as gt from "gradtape";
import { mkdirSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";
import os from "node:os";
import { parseArgs } from "node:util";
import { targetClock } from "./pinn-clock.mjs";

const TARGET = 1e-3;
// published results: Burgers with this setup (Raissi et al. 2019); plain PINNs on helmholtz (Wang, Teng &
// Perdikaris 2021) and allen-cahn (as quoted in issue #16), with their own setups
const PUBLISHED = { burgers: 6.7e-4, helmholtz: 1e-1, "allen-cahn": 0.5 };
// the error whose time to reach is measured (#17: Raissi's 6.7e-4 for burgers; elsewhere the pass target)
const CLOCK_TARGETS = { burgers: 6.7e-4 };
// in float64 (#18): Burgers to 1e-5, 67x below Raissi's figure
const CLOCK_TARGETS_F64 = { burgers: 1e-5 };
// per-problem targets where they differ: u's relative L2 and each parameter's relative error
const TARGETS = {
  "burgers-inverse": { u: 1e-2, params: { lambda1: 5e-3, lambda2: 2e-2 } },
  "burgers-inverse-noisy": { u: 1e-2, params: { lambda1: 5e-3, lambda2: 2e-2 } },
  helmholtz: { u: 5e-3 },
  "allen-cahn": { u: 1e-2 },
};
const targetOf = (name) => TARGETS[name]?.u ?? TARGET;

const { values } = parseArgs({
  options: {
    only: { type: "string" },
    seeds: { type: "string", default: "0,1,2" },
    "adam-steps": { type: "string" },
    "lbfgs-steps": { type: "string" },
    "time-limit": { type: "string" },
    out: { type: "string" },
    quiet: { type: "boolean", default: false },
    "eval-every": { type: "string", default: "100" },
    target: { type: "string" },
    "target-time": { type: "string" },
    "target-cpu-time": { type: "string" },
    threads: { type: "string", default: "auto" },
    dtype: { type: "string" },
    adaptive: { type: "string" },
    "adaptive-every": { type: "string" },
    optimizer: { type: "string" },
    balancing: { type: "string" },
  },
});

const all = ["burgers", "heat", "poisson1d", "poisson2d", "poisson-lshape", "laplace-disk", "advection", "burgers-inverse", "burgers-inverse-noisy", "helmholtz", "wave", "kovasznay", "allen-cahn"];
const names = values.only ? values.only.split(",").map((s) => s.trim()) : all;
for (const n of names) if (!all.includes(n)) { console.error(`pinn-accuracy: unknown problem ${n}; use ${all.join(", ")}`); process.exit(2); }
const int = (v) => (v === undefined ? undefined : Number.parseInt(v, 10));
const seeds = values.seeds.split(",").map((s) => int(s.trim()));
if (seeds.some((s) => !Number.isInteger(s) || s < 0)) { console.error(`pinn-accuracy: --seeds must be non-negative integers, e.g. 0,1,2`); process.exit(2); }

const evalEvery = int(values["eval-every"]);
const targetTime = values["target-time"] === undefined ? undefined : Number(values["target-time"]);
const targetCpuTime = values["target-cpu-time"] === undefined ? undefined : Number(values["target-cpu-time"]);
if (targetCpuTime !== undefined && !(targetCpuTime > 0)) { console.error(`pinn-accuracy: --target-cpu-time must be a number > 0`); process.exit(2); }
const clockTarget = values.target === undefined ? undefined : Number(values.target);
const threads = values.threads === "auto" ? "auto" : int(values.threads);
// undefined: each problem's default dtype (float32 unless the problem says otherwise)
const dtype = values.dtype;
if (dtype !== undefined && dtype !== "float32" && dtype !== "float64") { console.error(`pinn-accuracy: --dtype must be float32 or float64, got ${dtype}`); process.exit(2); }
if (!(evalEvery >= 1) || (targetTime !== undefined && !(targetTime > 0)) || (clockTarget !== undefined && !(clockTarget > 0)) || (threads !== "auto" && !(threads >= 1))) {
  console.error(`pinn-accuracy: --eval-every must be an integer >= 1, --target-time and --target numbers > 0, --threads auto or an integer >= 1`);
  process.exit(2);
}
await gt.ready({ threads: threads === "auto" ? Math.min(os.availableParallelism(), gt.pinn.AUTO_MAX_THREADS) : threads });
const log = (s) => { if (!values.quiet) process.stderr.write(s + "\n"); };
const rows = [];
const started = new Date();
log(`pinn-accuracy: ${names.join(", ")} on ${os.cpus().length} x ${os.cpus()[0]?.model ?? "?"}, node ${process.version}, seeds ${seeds.join(", ")}, ` +
  `threads ${threads}, ${dtype ?? "each problem's dtype"}, error evaluated every ${evalEvery} steps; load average ${os.loadavg().map((x) => x.toFixed(2)).join(" ")}`);

for (const name of names) for (const seed of seeds) {
  const problem = gt.pinn.getProblem(name);
  const d = problem.defaults;
  // the network is made here so that the clock can evaluate it during training (the one train() would make)
  const network = gt.pinn.makeNetwork(problem, { seed, dtype });
  const runDtype = network.dtype;
  const errorOf = name === "kovasznay" ? () => Math.max(...Object.values(gt.pinn.problems.kovasznayErrors(network))) : () => gt.pinn.evaluate(network, problem).relL2;
  let lastLog = -Infinity;
  const clock = targetClock({
    errorOf, target: clockTarget ?? (runDtype === "float64" ? CLOCK_TARGETS_F64[name] : undefined) ?? CLOCK_TARGETS[name] ?? targetOf(name), evalEvery, targetTime, targetCpuTime,
    log: (p) => {
      if (p.elapsed - lastLog < 30) return;
      lastLog = p.elapsed;
      log(`  ${name} ${(p.phase === "adam" ? "adam" : p.optimizer).padEnd(9)} ${String(p.step).padStart(6)}/${p.steps}  loss ${p.loss.toExponential(3)}  ` +
        `${p.stepsPerSecond.toFixed(1)} steps/s  elapsed ${p.elapsed.toFixed(0)} s  ETA ${Number.isFinite(p.eta) ? p.eta.toFixed(0) + " s" : "--"}  evaluations ${p.evaluations}` +
        (p.params ? `  ${Object.entries(p.params).map(([k, v]) => `${k} ${v.toPrecision(5)}`).join(" ")}` : ""));
    },
  });
  const options = {
    seed, network, threads, dtype,
    ...(values.adaptive ? { adaptive: values.adaptive === "none" ? false : { method: values.adaptive, ...(values["adaptive-every"] ? { every: int(values["adaptive-every"]) } : {}) } } : {}),
    ...(values.optimizer ? { optimizer: values.optimizer } : {}),
    ...(values.balancing ? { balancing: values.balancing === "none" ? false : values.balancing } : {}),
    adamSteps: int(values["adam-steps"]),
    lbfgsSteps: int(values["lbfgs-steps"]),
    timeLimit: values["time-limit"] === undefined ? undefined : Number(values["time-limit"]),
    progressInterval: 0,
    onProgress: clock.onProgress,
  };
  const setup = `${runDtype === "float64" ? "float64, " : ""}${values.adaptive ? `adaptive ${values.adaptive}${values["adaptive-every"] ? ` every ${values["adaptive-every"]}` : ""}, ` : ""}${(d.hidden ?? []).length}x${(d.hidden ?? [])[0]} tanh, N_f ${d.collocationPoints}, N_u ${d.conditionPoints}, ` +
    `Adam ${options.adamSteps ?? d.adamSteps} (lr ${d.learningRate}) + ${options.lbfgsSteps ?? d.lbfgsSteps} quasi-Newton (optimizer ${JSON.stringify(values.optimizer ?? "auto")})${values.balancing ? `, balancing ${values.balancing}` : ""}`;
  log(`${name} (seed ${seed}): ${setup}`);
  const t0 = performance.now();
  const ref = problem.reference(); // computed before training so its cost is reported apart
  const refSeconds = (performance.now() - t0) / 1000;
  clock.start();
  const res = gt.pinn.train(problem, options);
  const timed = clock.finish(res);
  const ev = gt.pinn.evaluate(res.network, problem);
  // inverse problems: each parameter's relative error against its true value
  const paramErrors = res.params && problem.exactParams
    ? Object.fromEntries(Object.entries(problem.exactParams).map(([k, v]) => [k, Math.abs(res.params[k] - v) / Math.abs(v)])) : null;
  const paramPass = !paramErrors || Object.entries(paramErrors).every(([k, e]) => e <= (TARGETS[name]?.params?.[k] ?? Infinity));
  // a problem with several outputs (kovasznay: u, v, p) is judged by its worst output
  const outputs = name === "kovasznay" ? gt.pinn.problems.kovasznayErrors(res.network) : null;
  const relL2 = outputs ? Math.max(...Object.values(outputs)) : ev.relL2;
  const row = {
    problem: name, seed, relL2, outputs, target: targetOf(name), pass: relL2 <= targetOf(name) && paramPass, published: PUBLISHED[name] ?? null,
    params: res.params ?? null, paramErrors,
    trainSeconds: timed.trainSeconds, referenceSeconds: refSeconds, steps: res.steps, adamSteps: res.adamSteps, lbfgsSteps: res.lbfgsSteps,
    lbfgsEvaluations: res.lbfgsEvaluations, finalLoss: res.finalLoss, stopReason: res.stopReason, setup,
    grid: ref.axes.map(([a, v]) => `${v.length} ${a}`).join(" x "),
    evaluations: res.evaluations, lineSearchEvaluations: res.lineSearchEvaluations, threads: res.threads, threadChoice: res.threadChoice,
    optimizer: `adam+${res.optimizer ?? "lbfgs"}`, loadavg: os.loadavg()[0],
    clock: timed,
  };
  rows.push(row);
  res.network.dispose();
  const each = outputs ? ` (${Object.entries(outputs).map(([k, v]) => `${k} ${v.toExponential(3)}`).join(", ")})` : "";
  log(`${name} (seed ${seed}): ${timed.timeToTarget === null ? `never reached ${timed.target}` : `reached ${timed.target} at ${timed.timeToTarget.toFixed(1)} s, CPU ${timed.cpuTimeToTarget.toFixed(1)} s (step ${timed.stepsToTarget}, ${timed.evaluationsToTarget} evaluations)`}; ` +
    `${res.evaluations} evaluations (${res.lineSearchEvaluations} in line searches), ${res.threads} thread(s) (${res.threadChoice}); ${timed.evalCount} error evaluations took ${timed.evalSeconds.toFixed(1)} s`);
  log(`${name} (seed ${seed}): relative L2 ${relL2.toExponential(3)}${each} (${relL2 <= targetOf(name) ? "<=" : ">"} ${targetOf(name)}), ${res.seconds.toFixed(1)} s training, ${res.steps} steps, stop: ${res.stopReason}` +
    (paramErrors ? `; ${Object.entries(res.params).map(([k, v]) => `${k} = ${v.toPrecision(6)} (error ${(paramErrors[k] * 100).toFixed(3)}%)`).join(", ")}` : ""));
}

const pad = (s, n) => String(s).padEnd(n);
console.log(`\n${pad("problem", 15)} ${pad("seed", 5)} ${pad("rel. L2", 10)} ${pad("train s", 8)} ${pad("steps", 12)} ${pad("final loss", 10)} stop`);
for (const r of rows) {
  console.log(`${pad(r.problem, 15)} ${pad(r.seed, 5)} ${pad(r.relL2.toExponential(2), 10)} ${pad(r.trainSeconds.toFixed(1), 8)} ` +
    `${pad(`${r.adamSteps}+${r.lbfgsSteps}`, 12)} ${pad(r.finalLoss.toExponential(2), 10)} ${r.stopReason}` +
    (r.outputs ? `  (${Object.entries(r.outputs).map(([k, v]) => `${k} ${v.toExponential(2)}`).join(", ")})` : "") +
    (r.paramErrors ? `  ${Object.entries(r.paramErrors).map(([k, e]) => `${k} err ${(e * 100).toFixed(3)}%`).join(", ")}` : ""));
}
const median = (xs) => { const s = xs.slice().sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const summary = names.map((name) => {
  const rs = rows.filter((r) => r.problem === name);
  const errs = rs.map((r) => r.relL2);
  const med = median(errs);
  const paramMedians = rs[0].paramErrors ? Object.fromEntries(Object.keys(rs[0].paramErrors).map((k) => [k, median(rs.map((r) => r.paramErrors[k]))])) : null;
  const paramsOk = !paramMedians || Object.entries(paramMedians).every(([k, e]) => e <= (TARGETS[name]?.params?.[k] ?? Infinity));
  return { problem: name, seeds: rs.map((r) => r.seed), median: med, min: Math.min(...errs), max: Math.max(...errs), paramMedians, target: targetOf(name),
    pass: med <= targetOf(name) && paramsOk, medianTrainSeconds: median(rs.map((r) => r.trainSeconds)), setup: rs[0].setup, published: PUBLISHED[name] ?? null };
});
console.log(`\n${pad("problem", 15)} ${pad("median L2", 10)} ${pad("min..max", 20)} ${pad("target", 7)} ${pad("", 4)} ${pad("train s", 8)} setup`);
for (const r of summary) {
  console.log(`${pad(r.problem, 15)} ${pad(r.median.toExponential(2), 10)} ${pad(`${r.min.toExponential(2)}..${r.max.toExponential(2)}`, 20)} ${pad(r.target.toExponential(0), 7)} ` +
    `${pad(r.pass ? "ok" : "MISS", 4)} ${pad(r.medianTrainSeconds.toFixed(1), 8)} ${r.setup}${r.published ? ` (published: ${r.published})` : ""}` +
    (r.paramMedians ? `; median parameter errors ${Object.entries(r.paramMedians).map(([k, e]) => `${k} ${(e * 100).toFixed(3)}% (target ${(TARGETS[r.problem].params[k] * 100).toFixed(1)}%)`).join(", ")}` : ""));
}
// time to target (#17 item 6), as the README's table: training clock (error evaluations excluded, reported apart)
const sci = (x) => (x === null ? "--" : x.toExponential(1));
console.log(`\n| problem | seed | threads | optimizer | target | time to target | steps / evaluations to target | final rel. L2 | training | evaluations (line search) | error evaluations | load |`);
console.log(`| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |`);
for (const r of rows) {
  const c = r.clock;
  console.log(`| ${r.problem} | ${r.seed} | ${r.threads} | ${r.optimizer} | ${sci(c.target)} | ${c.timeToTarget === null ? "not reached" : `${c.timeToTarget.toFixed(1)} s (CPU ${c.cpuTimeToTarget.toFixed(1)} s)`} | ` +
    `${c.stepsToTarget === null ? "--" : `${c.stepsToTarget} / ${c.evaluationsToTarget}`} | ${sci(c.finalError)} | ${r.trainSeconds.toFixed(1)} s (CPU ${c.trainCpuSeconds.toFixed(1)} s)${c.stoppedAtTargetTime ? " (stopped at the target time)" : ""} | ` +
    `${r.evaluations} (${r.lineSearchEvaluations}) | ${c.evalCount} every ${c.evalEvery} steps, ${c.evalSeconds.toFixed(1)} s | ${r.loadavg.toFixed(1)} |`);
}
const here = path.dirname(fileURLToPath(import.meta.url));
const file = values.out ?? path.join(here, "results", `pinn-accuracy-${started.toISOString().replace(/[:.]/g, "-")}.json`);
mkdirSync(path.dirname(file), { recursive: true });
writeFileSync(file, JSON.stringify({ started: started.toISOString(), node: process.version, cpus: os.cpus().length, cpu: os.cpus()[0]?.model, seeds,
  threads, dtype, evalEvery, targetTime: targetTime ?? null, loadavgAtEnd: os.loadavg(), summary, rows }, null, 2));
console.log(`\nwritten ${path.relative(process.cwd(), file)}`);
process.exitCode = summary.every((r) => r.pass) ? 0 : 1;
