// Runs the workloads for a list of libraries, each library and workload in its own Node process:
// a library that exhausts its wasm memory (jax-js's vmap(grad(grad)) PINN does, at 4 GiB) or
// crashes must not take other rows with it, and no row inherits another's heap or JIT state.
// The loop is workload-major, so the rows of one case are measured minutes apart at most: on a
// shared, noisy machine that keeps their ratios meaningful. With cfg.rounds > 1 (the full profile: 3) each timed
// workload goes round the libraries that many times, interleaved (A B C, A B C, ...), and every row keeps its best
// round: the machine's load comes and goes over tens of seconds, and a library measured once could draw a busy
// spell that its peer missed (in one full run on this 2-core VM, gradtape's matmul 256 and tfjs-wasm's were taken
// a minute apart at 59% and 67% of the same ceiling). Every round's figure stays in the row (`roundValues`).
// pinn-step goes one process further, one per variant, so that every variant's first step is a cold start.
//   entry = { module: <URL of an adapter module>, options: <its setup() options>, execArgv?: <Node flags of its process>,
//             workloads?: <the only workloads it runs>, cpu?: <the one CPU its process runs on (taskset)> }
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { RESULTS_DIR } from "./harness.mjs";
import { ALL, makeContext } from "./workloads.mjs";

const RESULT = "@@bench-result ";
const log = (s) => process.stderr.write(s + "\n");
const workloadNames = (cfg) => Object.keys(ALL).filter((w) => !cfg.only || cfg.only.includes(w));

/** In this process: set up one library and run the selected workloads. */
export async function runLibrary({ module, options }, ctx) {
  const adapter = await import(module);
  const names = workloadNames(ctx.cfg);
  let lib;
  try {
    const t0 = performance.now();
    lib = await adapter.setup(options);
    lib.setupMs = +(performance.now() - t0).toFixed(1); // library start-up (wasm compile, backend init): not in any row
  } catch (err) {
    const label = `${adapter.name} ${Object.values(options ?? {}).join(" ")}`.trim();
    return { lib: { label, error: String(err?.message ?? err) }, rows: names.map((w) => ({ case: w, library: label, variant: "", status: "failed", check: `setup: ${err?.message ?? err}` })) };
  }
  const rows = [];
  for (const w of names) {
    const t0 = performance.now();
    rows.push(...(await ALL[w](adapter, lib, ctx)));
    log(`${lib.label}: ${w} done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
  await adapter.teardown();
  return { lib, rows };
}

/**
 * Run every workload for every entry, each pair in a child process (isolate = true) or all in
 * this one. The Burgers reference is computed once, here, and handed to the children (it costs
 * seconds of float64 JS).
 */
export async function runLibraries(entries, cfg, { isolate = true } = {}) {
  const ctx = makeContext(cfg);
  if (workloadNames(cfg).includes("pinn-step")) {
    cfg = { ...cfg, pinnReference: cachedPinnReference(cfg, ctx) };
  }
  const libraries = entries.map(() => undefined), rows = [];
  for (const w of workloadNames(cfg)) {
    const rounds = w === "size" ? 1 : cfg.rounds ?? 1; // (sizes are not timings)
    const hopeless = new Set();                      // entries whose every row failed: not run again
    for (let round = 0; round < rounds; round++) for (const [i, entry] of entries.entries()) {
      if (entry.workloads && !entry.workloads.includes(w)) continue;
      if (hopeless.has(i)) continue;
      const one = { ...cfg, only: [w] };
      // pinn-step reports each variant's first step (start-up, compilation, memory growth): each variant gets a
      // fresh process too, or the second would start warm from the first's compiled code and grown memory
      const splits = isolate && w === "pinn-step" ? (await import(entry.module)).variants.pinn.map((v) => ({ ...one, pinnVariant: v })) : [one];
      for (const c of splits) {
        const result = isolate ? await runChild(entry, c) : await runLibrary(entry, { ...ctx, cfg: c });
        if (!libraries[i] || (libraries[i].error && !result.lib.error)) libraries[i] = result.lib;
        rows.push(...result.rows.map((r) => ({ ...r, round })));
        if (result.rows.every((r) => r.status !== "ok")) hopeless.add(i);
      }
    }
  }
  return { libraries, rows: bestRounds(rows) };
}

/**
 * One row per (case, library, variant): the best passing round (lowest value where lower is better, highest
 * otherwise), with every passing round's value in `roundValues`. A wrong result in any round makes the row wrong (a
 * wrong number is never outweighed by right ones); a round that failed (crashed, ran out of memory) is named in the
 * check of the row its other rounds give; a row that never passed keeps its first round.
 */
export function bestRounds(rows) {
  const groups = new Map();
  for (const r of rows) {
    const key = `${r.case}\u0000${r.library}\u0000${r.variant ?? ""}`;
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(r);
  }
  return [...groups.values()].map((g) => {
    const wrong = g.find((r) => r.status === "wrong");
    if (wrong) return wrong;
    const ok = g.filter((r) => r.status === "ok" && typeof r.value === "number");
    if (ok.length === 0) return g[0];
    const best = ok.reduce((a, b) => ((b.better === "higher" ? b.value > a.value : b.value < a.value) ? b : a));
    const failed = g.filter((r) => r.status !== "ok").map((r) => `round ${r.round + 1} ${r.status}: ${r.check ?? ""}`);
    const merged = ok.length > 1 ? { ...best, roundValues: ok.map((r) => r.value) } : { ...best };
    if (failed.length) merged.check = `${merged.check ?? ""}${merged.check ? "; " : ""}${failed.join("; ")}`;
    return merged;
  });
}

/**
 * The Burgers reference (loss and probed weight gradient) takes 10-20 s of float64 JS at 10,000 points; it depends
 * only on the inputs and the reference code, so it is kept in results/.cache under a hash of both and the sizes.
 */
export function cachedPinnReference(cfg, ctx) {
  const hash = createHash("sha256");
  for (const f of ["reference.mjs", "inputs.mjs"]) hash.update(readFileSync(new URL(`./${f}`, import.meta.url)));
  hash.update(JSON.stringify(cfg.pinn));
  const file = path.join(RESULTS_DIR, ".cache", `burgers-reference-${hash.digest("hex").slice(0, 16)}.json`);
  if (existsSync(file)) return JSON.parse(readFileSync(file, "utf8"));
  const { loss, dirDerivs } = ctx.pinnRef();
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify({ loss, dirDerivs }));
  return { loss, dirDerivs };
}

// How long a child may take in all (set-up, workloads, exit; cfg.childLimitMs overrides) before it is killed and its rows marked failed: a full
// profile's slowest child (a peer's 10,000-point PINN step, three rounds) takes about two minutes here.
const CHILD_LIMIT_MS = 15 * 60_000;
// How long a child that has already printed its result may take to exit. Node 20's process.exit() can deadlock when
// a background TurboFan job asks for a garbage collection while the main thread joins the platform's worker threads
// (gdb, 1 run in 40-150 of the relaxed build's tf-style-jit child: main thread in NodePlatform::Shutdown ->
// uv_thread_join, two workers in CollectionBarrier::AwaitCollectionBackground). The result is complete by then, so
// the parent kills a child that has not exited this long after printing it.
const EXIT_GRACE_MS = 5_000;

function runChild(entry, cfg) {
  return new Promise((resolve) => {
    const args = [...(entry.execArgv ?? []), fileURLToPath(import.meta.url), JSON.stringify({ entry, cfg })];
    // entry.cpu: run the child on that CPU alone, with taskset (the caller gives a cpu only where taskset answered)
    const [cmd, pre] = entry.cpu != null ? ["taskset", ["-c", String(entry.cpu), process.execPath]] : [process.execPath, []];
    const child = spawn(cmd, [...pre, ...args], { stdio: ["ignore", "pipe", "inherit"] });
    const limit = cfg.childLimitMs ?? CHILD_LIMIT_MS;
    let out = "", graceTimer, overLimit = false;
    const resultLine = () => out.split("\n").slice(0, -1).find((l) => l.startsWith(RESULT)); // complete lines only
    const limitTimer = setTimeout(() => { overLimit = true; child.kill("SIGKILL"); }, limit);
    child.stdout.on("data", (d) => {
      out += d;
      if (!graceTimer && resultLine()) graceTimer = setTimeout(() => child.kill("SIGKILL"), EXIT_GRACE_MS);
    });
    // "close" comes once the process has ended, by itself or killed, so no child outlives its row
    child.on("close", (code, signal) => {
      clearTimeout(limitTimer);
      clearTimeout(graceTimer);
      const line = resultLine();
      if (line) return resolve(JSON.parse(line.slice(RESULT.length)));
      const label = `${entry.module.split("/").pop()} ${JSON.stringify(entry.options ?? {})}`;
      const why = overLimit ? `process killed after ${limit / 1000} s without a result`
        : `process died (${signal ?? `exit ${code}`}): ${out.trim().split("\n").pop() ?? ""}`;
      resolve({ lib: { label, error: why }, rows: workloadNames(cfg).map((w) => ({ case: w, library: label, variant: "", status: "failed", check: why })) });
    });
  });
}

// Child process: argv[2] = JSON { entry, cfg }; the result goes to stdout as one tagged line.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { entry, cfg } = JSON.parse(process.argv[2]);
  const result = await runLibrary(entry, makeContext(cfg));
  process.stdout.write(RESULT + JSON.stringify(result) + "\n");
  process.exit(0); // peers may leave handles (timers, wasm workers) open
}
