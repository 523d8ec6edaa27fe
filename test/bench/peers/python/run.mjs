#!/usr/bin/env node
// `pnpm bench:peers`: gradtape against native TensorFlow 2, JAX and PyTorch on this CPU (issue 17, item 6), on the
// workloads of `pnpm bench` (seed-single, seed-batch 10,000, Burgers' PINN step 10,000 + 300), the same weights and
// points (exported from ../../inputs.mjs to a JSON file the Python workers read), each row's first outputs checked
// against the float64 reference by ../../check.mjs before its timing counts. At one and two threads; the libraries
// take turns in rounds (gradtape 1t, gradtape 2t, TF 1t, TF 2t, ...), each row keeps its best round's median.
//   pnpm bench:peers [--quick | --tiny] [--rounds=N] [--frameworks=tf,jax,torch] [--threads=1,2] [--no-relaxed]
// Not part of `npm test` or CI: it installs ~1.5 GB of wheels into test/bench/peers/python/.venv (git-ignored).
import { spawn, execSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { checkPinn, checkSeed } from "../../check.mjs";
import { parseArgs, RESULTS_DIR } from "../../harness.mjs";
import * as inputs from "../../inputs.mjs";
import * as reference from "../../reference.mjs";
import { bestRounds, cachedPinnReference, runLibraries } from "../../runner.mjs";
import { makeContext } from "../../workloads.mjs";
import { peersTable } from "./table.mjs";
import { ensureVenv, HERE, PYTHON } from "./venv.mjs";

const log = (s) => process.stderr.write(s + "\n");
const argv = process.argv.slice(2);
const opt = (name, dflt) => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3).split(",") ?? dflt;
const cfg = { ...parseArgs(argv.filter((a) => !/^--(frameworks|threads)=/.test(a) && a !== "--no-relaxed")), json: false };
if (!argv.some((a) => a.startsWith("--rounds="))) cfg.rounds = cfg.profile === "full" ? 3 : 1;
const frameworks = opt("frameworks", ["tf", "jax", "torch"]);
const threads = opt("threads", ["1", "2"]).map(Number);
const WORKLOADS = ["seed-single", "seed-batch", "pinn-step"];

ensureVenv(log);
const load0 = os.loadavg(), uptime0 = execSync("uptime").toString().trim();
const ctx = makeContext(cfg);
const pinnReference = cachedPinnReference(cfg, ctx);
const ref = { directions: reference.gradientDirections(ctx.burgersNet, inputs.rng(7)), ...pinnReference };

// the inputs every framework reads: the very arrays gradtape and the reference use
const arr = (a) => Array.from(a);
const netJson = (net) => ({ ...net, layers: net.layers.map((L) => ({ ...L, W: arr(L.W), b: arr(L.b) })) });
const work = path.join(RESULTS_DIR, ".peers");
mkdirSync(work, { recursive: true });
const inputsFile = path.join(work, `inputs-${cfg.profile}.json`);
writeFileSync(inputsFile, JSON.stringify({
  seedNet: netJson(ctx.seedNet), burgersNet: netJson(ctx.burgersNet), singlePoints: arr(ctx.singlePoints),
  batchPoints: arr(ctx.batchPoints), adam: inputs.adam,
  data: { colloc: arr(ctx.data.colloc), bound: arr(ctx.data.bound), boundU: arr(ctx.data.boundU), nu: ctx.data.nu },
}));

/** One framework at one thread count, in its own Python process; its rows checked here. */
function runPython(framework, n) {
  const out = path.join(work, `${framework}-${n}t.json`);
  rmSync(out, { force: true }); // a worker that dies must not leave an earlier run's rows to be read
  return new Promise((resolve) => {
    const child = spawn(PYTHON, [path.join(HERE, "worker.py"), framework, String(n), inputsFile, out, cfg.profile], { stdio: ["ignore", "inherit", "pipe"] });
    let err = "";
    child.stderr.on("data", (d) => (err += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), 30 * 60_000); // a hung framework must not hang the run
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const label = `${framework} ${n}t`;
      let result;
      try { result = JSON.parse(readFileSync(out, "utf8")); } catch {
        const why = `worker died (${signal ?? `exit ${code}`}): ${err.trim().split("\n").pop() ?? ""}`;
        log(`${label}: ${why}`);
        return resolve([{ case: "(all)", library: label, variant: "", threads: n, status: "failed", check: why }]);
      }
      const lib = `${result.label} ${result.version}`;
      resolve(result.rows.map((r) => judge(r, lib, n)));
    });
  });
}

function judge(r, library, n) {
  const row = { case: r.case, library, variant: r.variant, threads: n, status: r.status, check: r.check };
  if (r.status !== "ok") return row;
  const o = r.outputs;
  const verdict = r.case.startsWith("pinn-step")
    ? checkPinn({ loss: o.loss, grads: o.grads }, ref, ref.directions, reference.paramArrays(ctx.burgersNet.layers), o.after, inputs.adam)
    : checkSeed(o, r.case === "seed-single" ? ctx.seedSingleRef : ctx.seedBatchRef);
  if (!verdict.ok) return { ...row, status: "wrong", check: verdict.check };
  return { ...row, value: r.timing.median, unit: "ms", better: "lower", timing: r.timing, check: verdict.check, firstMs: r.firstMs };
}

// gradtape's relaxed-SIMD build too (fused multiply-add in the kernels): what Chromium and Firefox load by default;
// Node 20 runs it only with --experimental-wasm-relaxed-simd, so its rows are labelled "gradtape relaxed-simd"
const relaxed = !argv.includes("--no-relaxed");
// the CPU one-thread rows run on: the lowest this process may use (what common.py's workers pick too); undefined
// where taskset is missing, and gradtape's rows then run unpinned
const firstCpu = (() => { try { return execSync(`taskset -cp ${process.pid}`, { stdio: ["ignore", "pipe", "ignore"] }).toString().match(/:\s*(\d+)/)?.[1]; } catch { return undefined; } })();
async function runGradtape(n, simd = "baseline") {
  // (one thread: pinned to one CPU, as the Python workers are; common.py says why)
  const entry = { module: new URL("./gradtape-rows.mjs", import.meta.url).href, options: { threads: n, simd },
    ...(simd === "relaxed" ? { execArgv: ["--experimental-wasm-relaxed-simd"] } : {}), ...(n === 1 ? { cpu: firstCpu } : {}) };
  const only = n === 1 ? WORKLOADS : WORKLOADS.filter((w) => w !== "seed-single");
  const { rows } = await runLibraries([entry], { ...cfg, rounds: 1, only, pinnReference });
  return rows.filter((r) => !r.case.startsWith("pinn-first-step")).map((r) => ({ ...r, threads: n }));
}

const rows = [];
const t0 = performance.now();
for (let round = 0; round < cfg.rounds; round++) {
  for (const n of threads) {
    log(`round ${round + 1}: gradtape ${n}t`);
    rows.push(...(await runGradtape(n)).map((r) => ({ ...r, round })));
    if (relaxed) rows.push(...(await runGradtape(n, "relaxed")).map((r) => ({ ...r, round })));
    for (const fw of frameworks) {
      log(`round ${round + 1}: ${fw} ${n}t`);
      rows.push(...(await runPython(fw, n)).map((r) => ({ ...r, round })));
    }
  }
}
const best = bestRounds(rows.map((r) => ({ ...r, library: `${r.library}\u0001${r.threads}` })))
  .map((r) => { const [library, t] = r.library.split("\u0001"); return { ...r, library, threads: +t }; });
const cpu = readFileSync("/proc/cpuinfo", "utf8").match(/model name\s*:\s*(.*)/)?.[1] ?? os.cpus()[0]?.model;
const uptime1 = execSync("uptime").toString().trim();
const header = [
  `Native peers (${cfg.profile}, ${cfg.rounds} round${cfg.rounds > 1 ? "s" : ""}, best round's median per row): ${cpu}, ${os.cpus().length} cores, ` +
    `Node ${process.version}, ${new Date().toISOString()}.`,
  `Load average ${load0.map((x) => x.toFixed(2)).join(" ")} at the start (\`${uptime0}\`), ${os.loadavg().map((x) => x.toFixed(2)).join(" ")} at the end (\`${uptime1}\`).`,
  `Command: \`pnpm bench:peers ${argv.join(" ")}\`.`.replace(" `.", "`."),
];
const md = `${header.join("\n")}\n\n${peersTable(best)}\n`;
const stamp = new Date().toISOString().replace(/[:.]/g, "-");
writeFileSync(path.join(RESULTS_DIR, `peers-${stamp}.md`), md);
writeFileSync(path.join(RESULTS_DIR, `peers-${stamp}.json`), JSON.stringify({ cpu, load0, load1: os.loadavg(), cfg, rows: best }, null, 1));
console.log(md);
log(`written: ${path.join(RESULTS_DIR, `peers-${stamp}.md`)} (total ${((performance.now() - t0) / 1000).toFixed(0)} s)`);
