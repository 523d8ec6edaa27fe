#!/usr/bin/env node
// Runs every workload on the peers only (TensorFlow.js cpu and wasm, jax-js wasm), each in its
// own process, and prints the table; ratios are to the first passing row of each case. The
// benchmark proper, with gradtape, is run.mjs (`pnpm bench`).
//   node test/bench/peers-only.mjs [--quick | --tiny] [--only=seed-single,pinn-step] [--no-json] [--in-process]
// Peers resolve from the bench package (@gradtape/bench), or from BENCH_PEERS_DIR (a scratch npm install).
import { machine, markdownTable, parseArgs, writeJson } from "./harness.mjs";
import { runLibraries } from "./runner.mjs";

const adapter = (file) => new URL(file, import.meta.url).href;

/** Each library once per backend/device; the adapter's setup() options pick it. */
export const PEERS = [
  { module: adapter("./peers/tfjs.mjs"), options: { backend: "cpu" } },
  { module: adapter("./peers/tfjs.mjs"), options: { backend: "wasm" } },
  { module: adapter("./peers/jax.mjs"), options: { device: "wasm" } },
];

/** Print the header, the table and the JSON path for a finished run. */
export function report(title, cfg, { libraries, rows }, seconds) {
  const m = machine();
  console.log(`\n${title} (${cfg.profile}): ${m.cpu}, ${m.cores} cores, Node ${m.node}, one thread per library, load average ${m.loadavg.join(" ")} at the end`);
  console.log(libraries.map((l) => `${l.label} ${l.version ?? `(failed: ${l.error})`}`).join("; ") + "\n");
  console.log(markdownTable(rows));
  if (cfg.json) console.log(`\nJSON: ${writeJson("peers", { machine: m, config: cfg, libraries, rows })}`);
  console.log(`total ${seconds.toFixed(0)} s`);
}

if (process.argv[1] === new URL(import.meta.url).pathname) {
  const cfg = parseArgs(process.argv.slice(2));
  const t0 = performance.now();
  const result = await runLibraries(PEERS, cfg, { isolate: cfg.isolate });
  report("Peers benchmark", cfg, result, (performance.now() - t0) / 1000);
}
