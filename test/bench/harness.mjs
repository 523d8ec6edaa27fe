// Benchmark plumbing shared by every runner: options, sizes, timing, the markdown table and the
// JSON record. No library-specific code here.
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const RESULTS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), "results");

/**
 * Sizes and sample counts. `full` is the workload as the issue defines it; `--quick` keeps the
 * sizes (ratios depend on them) and cuts samples (and gives slow rows, e.g. tfjs cpu's 10 s PINN
 * step, a time budget: see measure()); `--tiny` shrinks everything so a smoke test can
 * walk every code path in seconds (its figures mean nothing).
 */
const PROFILES = {
  full: {
    rounds: 3, // each timed workload goes round the libraries 3 times, interleaved; rows keep their best round (runner.mjs)
    // latency of a ~0.01-10 ms call: enough warm-up for V8 to optimise every library's JS and tier up its wasm.
    // By calls AND by time: V8 optimises in the background and tiers wasm up by work done, so a fast library needs
    // far more calls than a slow one (gradtape at ~15 us/call was still 2-3x off its steady state after 100 calls,
    // 5 ms, and on a busy machine after 300 ms too; 100 calls of jax-js are 25-75 ms, and it also gains from 1 s).
    seedSingle: { warmup: 300, warmupMs: 1000, samples: 51 },
    seedBatch: { n: 10000, warmup: 2, samples: 7 },
    pinn: { colloc: 10000, boundary: 300, warmup: 1, samples: 5 },
    // matmul: V8 compiles a wasm kernel with its optimising tier in the background once it has done enough work;
    // a 256 product takes ~1 ms, so two warm-up calls could leave every sample in the baseline tier (~2x slower
    // for gradtape's kernel; the same holds for XNNPACK's). Warm up for at least 500 ms per size, every library alike.
    matmul: { sizes: [64, 256, 512, 1024], warmup: 2, warmupMs: 500, samples: 11 },
  },
  quick: {
    seedSingle: { warmup: 100, warmupMs: 1000, samples: 21 },
    seedBatch: { n: 10000, warmup: 1, samples: 3, budgetMs: 8000 },
    pinn: { colloc: 10000, boundary: 300, warmup: 1, samples: 3, budgetMs: 10000 },
    matmul: { sizes: [64, 256, 512, 1024], warmup: 1, warmupMs: 300, samples: 5, budgetMs: 8000 },
  },
  tiny: {
    seedSingle: { warmup: 1, samples: 3 },
    seedBatch: { n: 64, warmup: 0, samples: 1 },
    pinn: { colloc: 64, boundary: 16, warmup: 0, samples: 1 },
    matmul: { sizes: [16, 64], warmup: 0, samples: 1 },
  },
};

/**
 * --quick | --tiny, --only=seed-single,pinn-step (workload names), --rounds=N (interleaved rounds per timed workload,
 * best kept; default 3 for the full profile, 1 otherwise), --no-json, --in-process (no child process per library
 * and workload: faster for smoke runs, less isolated).
 */
export function parseArgs(argv) {
  const has = (f) => argv.includes(f);
  const profile = has("--tiny") ? "tiny" : has("--quick") ? "quick" : "full";
  const only = argv.find((a) => a.startsWith("--only="))?.slice(7).split(",");
  const rounds = argv.find((a) => a.startsWith("--rounds="));
  const cfg = { profile, rounds: 1, ...PROFILES[profile], only, json: !has("--no-json"), isolate: !has("--in-process") };
  if (rounds) {
    cfg.rounds = +rounds.slice(9);
    if (!Number.isInteger(cfg.rounds) || cfg.rounds < 1) throw new Error(`--rounds must be a positive integer, got ${rounds.slice(9)}`);
  }
  return cfg;
}

/**
 * Run `fn` warmup times untimed, then `samples` times timed one call each; report the median
 * (robust to GC pauses and neighbours on a shared machine) and the spread. The process CPU time
 * per call is kept too: when it is far below the wall time, the machine was busy elsewhere.
 *
 * With `budgetMs` (the --quick profile) a slow figure gets fewer calls:
 * - `checked` (the once() timing of the very call that was checked, same inputs): when it alone
 *   took half the budget (tfjs cpu's 1024 matmul: 4-7 s), it is the only sample;
 * - warm-up is skipped when a call already made (`checked`, or `priorMs`, e.g. the first PINN
 *   step) took a quarter of the budget: the expensive one-time work is done;
 * - sampling stops (after at least one sample) when the next sample would overrun the budget.
 */
export async function measure(fn, { warmup = 1, warmupMs = 0, samples = 5, budgetMs } = {}, { checked, priorMs } = {}) {
  if (budgetMs && checked?.ms >= budgetMs / 2) {
    return { median: checked.ms, cpuMedian: checked.cpuMs, min: checked.ms, max: checked.ms, samples: [checked.ms], reusedCheckedCall: true };
  }
  const prior = Math.max(checked?.ms ?? 0, priorMs ?? 0);
  if (!(budgetMs && prior > budgetMs / 4)) {
    const w0 = performance.now();
    for (let i = 0; i < warmup || performance.now() - w0 < warmupMs; i++) await fn();
  }
  const ms = [], cpuMs = [];
  for (let i = 0; i < samples; i++) {
    const spent = ms.reduce((a, b) => a + b, 0);
    if (budgetMs && i > 0 && spent + spent / i > budgetMs) break;
    const c0 = process.cpuUsage(), t0 = performance.now();
    await fn();
    ms.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpuMs.push((c.user + c.system) / 1000);
  }
  const sorted = [...ms].sort((a, b) => a - b);
  return { median: median(ms), cpuMedian: median(cpuMs), min: sorted[0], max: sorted[sorted.length - 1], samples: ms };
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b), mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Time one call (cold paths: first step, first compile), wall and process CPU time. */
export async function once(fn) {
  const c0 = process.cpuUsage(), t0 = performance.now();
  const value = await fn();
  const ms = performance.now() - t0, c = process.cpuUsage(c0);
  return { ms, cpuMs: (c.user + c.system) / 1000, value };
}

/** Wall-time figure, and in brackets the same figure computed from the process's CPU time. */
function figure(r) {
  const t = r.timing;
  if (!t?.cpuMedian) return fmt(r.value, r.unit);
  const byCpu = r.better === "lower" ? (r.value * t.cpuMedian) / t.median : (r.value * t.median) / t.cpuMedian;
  const ceiling = r.ofCeiling == null ? "" : `, ${pct(r.ofCeiling)} (${pct(r.ofCeilingCpu)}) of the SIMD ceiling`;
  return `${fmt(r.value, r.unit)} (${fmt(byCpu, "").trim()})${ceiling}`;
}

const pct = (x) => (x == null ? "—" : `${(100 * x).toFixed(0)}%`);

/**
 * Matmul rows as a fraction of the wasm SIMD ceiling (simd-ceiling.mjs): the wall figure over the ceiling's wall
 * figure, and the figure by CPU time over the ceiling by CPU time.
 */
export function addCeiling(rows, ceiling) {
  for (const r of rows) {
    if (!r.case.startsWith("matmul") || r.status !== "ok" || !ceiling?.gflops) continue;
    r.ofCeiling = r.value / ceiling.gflops;
    const t = r.timing;
    if (t?.cpuMedian) r.ofCeilingCpu = (r.value * t.median) / t.cpuMedian / ceiling.gflopsCpu;
  }
  return rows;
}

const fmt = (v, unit) => {
  if (v == null) return "—";
  const s = v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v >= 1 ? v.toFixed(2) : v.toPrecision(3);
  return `${s} ${unit}`;
};

/**
 * Markdown table. Rows: { case, library, variant, value, unit, better: 'lower'|'higher', status,
 * check }. The ratio column says how many times better the baseline is than the row (>1: the
 * baseline wins): the baseline is gradtape's first passing row in the same case, or, when there is
 * no gradtape row, the first passing row (then the header names it). Only passing rows get ratios:
 * a wrong or failed figure is never compared.
 */
export function markdownTable(rows, baselineLibrary = "gradtape") {
  const hasBaseline = rows.some((r) => r.library.startsWith(baselineLibrary) && r.status === "ok");
  const head = hasBaseline ? `ratio (× ${baselineLibrary} better)` : "ratio (× first passing row better)";
  const out = [`| case | library | variant | figure (by CPU time) | ${head} | check |`, "| --- | --- | --- | ---: | ---: | --- |"];
  const cases = [...new Set(rows.map((r) => r.case))];
  for (const c of cases) {
    const group = rows.filter((r) => r.case === c);
    const ok = group.filter((r) => r.status === "ok" && r.value != null);
    const base = ok.find((r) => r.library.startsWith(baselineLibrary)) ?? (hasBaseline ? undefined : ok[0]);
    for (const r of group) {
      let ratio = "—";
      if (base && r.status === "ok" && r.value != null) {
        const x = r.better === "higher" ? base.value / r.value : r.value / base.value;
        ratio = r === base ? "1 (base)" : `${x >= 10 ? x.toFixed(0) : x >= 0.1 ? x.toFixed(2) : x.toPrecision(2)}×`;
      }
      const rounds = r.roundValues ? `${r.check ? "; " : ""}rounds ${r.roundValues.map((v) => v.toPrecision(3)).join(" / ")}` : "";
      const check = r.status === "ok" ? `ok${r.check || rounds ? ` (${r.check ?? ""}${rounds})` : ""}` : `**${r.status.toUpperCase()}**: ${r.check ?? ""}`;
      out.push(`| ${c} | ${r.library} | ${r.variant ?? ""} | ${r.status === "ok" ? figure(r) : "—"} | ${ratio} | ${check.replace(/\|/g, "\\|").replace(/\n/g, " ")} |`);
    }
  }
  return out.join("\n");
}

/**
 * The machine, so a figure is never read without knowing where it came from. The load average
 * says whether other work competed for the cores during the run (machines here are shared).
 */
export function machine() {
  const cpus = os.cpus();
  return { cpu: cpus[0]?.model, cores: cpus.length, node: process.version, platform: `${os.platform()} ${os.release()}`,
    date: new Date().toISOString(), loadavg: os.loadavg().map((x) => +x.toFixed(2)) };
}

/** Write results/<name>-<timestamp>.json and return its path. */
export function writeJson(name, payload) {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  const file = path.join(RESULTS_DIR, `${name}-${stamp}.json`);
  writeFileSync(file, JSON.stringify(payload, null, 1));
  return file;
}
