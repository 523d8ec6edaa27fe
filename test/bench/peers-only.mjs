#!/usr/bin/env node
// Runs every workload on the peers only (TensorFlow.js cpu and wasm, jax-js wasm) and prints the
// table; ratios are to the first passing row of each case until gradtape's adapter joins.
//   node test/bench/peers-only.mjs [--quick | --tiny] [--only=seed-single,pinn-step] [--no-json]
// Peers resolve from the bench package, or from BENCH_PEERS_DIR (a scratch npm install).
import * as tfjs from "./peers/tfjs.mjs";
import * as jax from "./peers/jax.mjs";
import { machine, markdownTable, parseArgs, writeJson } from "./harness.mjs";
import { ALL, makeContext } from "./workloads.mjs";

/** Each library once per backend/device; the adapter's setup() options pick it. */
export const PEERS = [
  { adapter: tfjs, options: { backend: "cpu" } },
  { adapter: tfjs, options: { backend: "wasm" } },
  { adapter: jax, options: { device: "wasm" } },
];

/** Run `workloads` for each { adapter, options } and return { libraries, rows }. */
export async function runAll(libraries, cfg, log = (s) => process.stderr.write(s + "\n")) {
  const ctx = makeContext(cfg);
  const names = Object.keys(ALL).filter((w) => !cfg.only || cfg.only.includes(w));
  const rows = [], libs = [];
  for (const { adapter, options } of libraries) {
    let lib;
    try {
      lib = await adapter.setup(options);
    } catch (err) {
      const label = `${adapter.name} ${Object.values(options).join(" ")}`;
      libs.push({ label, error: String(err?.message ?? err) });
      for (const w of names) rows.push({ case: w, library: label, variant: "", status: "failed", check: `setup: ${err?.message ?? err}` });
      continue;
    }
    libs.push(lib);
    for (const w of names) {
      const t0 = performance.now();
      rows.push(...(await ALL[w](adapter, lib, ctx)));
      log(`${lib.label}: ${w} done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    }
    await adapter.teardown();
  }
  return { libraries: libs, rows };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const cfg = parseArgs(process.argv.slice(2));
  const t0 = performance.now();
  const { libraries, rows } = await runAll(PEERS, cfg);
  const m = machine();
  console.log(`\nPeers benchmark (${cfg.profile}), ${m.cpu}, ${m.cores} cores, Node ${m.node}, one thread per library`);
  console.log(libraries.map((l) => `${l.label} ${l.version ?? `(failed: ${l.error})`}`).join("; ") + "\n");
  console.log(markdownTable(rows));
  if (cfg.json) console.log(`\nJSON: ${writeJson("peers", { machine: m, config: cfg, libraries, rows })}`);
  console.log(`total ${((performance.now() - t0) / 1000).toFixed(0)} s`);
}
