#!/usr/bin/env node
// Runs the benchmark's jitted Burgers PINN step (with its Adam update) or seed batch `calls` times after one
// warm-up call, with fusion on or off, and nothing else: for counting what a call costs under a simulator, where
// the machine's load does not matter. The README's cachegrind figures are the difference between `calls` = 4 (or
// 11) and 1, divided by the extra calls:
//   valgrind --tool=cachegrind --cache-sim=yes --cachegrind-out-file=/dev/null node test/bench/jit-calls.mjs pinn 1 4
//   node test/bench/jit-calls.mjs <pinn|seed> <fuse: 1|0> <calls> [float32|float64]
// (a build without the fuse option ignores it and runs unfused; float64: weights, points and the update in float64.)
import * as gt from "gradtape";
import * as inputs from "./inputs.mjs";
import * as adapter from "./gradtape.mjs";

const [what, fuse, calls, dtype] = [process.argv[2], process.argv[3] !== "0", +(process.argv[4] ?? 1), process.argv[5] ?? "float32"];
if (dtype !== "float32" && dtype !== "float64") throw new Error(`jit-calls: the dtype is float32 or float64, got ${dtype}`);
await gt.ready({ simd: "baseline" });
if (what === "pinn") {
  const t = await adapter.pinn(inputs.burgersNet(), inputs.burgersData(10000, 300), inputs.adam, { variant: "jit", jitOptions: { fuse }, dtype });
  await t.step();
  for (let i = 0; i < calls; i++) await t.step();
  t.dispose();
} else if (what === "seed") {
  const f = await adapter.seed(inputs.seedNet(), 10000, { variant: "jit", jitOptions: { fuse }, dtype });
  const p = inputs.points(10000, 12);
  await f(p);
  for (let i = 0; i < calls; i++) await f(p);
} else {
  throw new Error(`jit-calls: the first argument is pinn or seed, got ${what}`);
}
