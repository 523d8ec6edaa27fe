#!/usr/bin/env node
// Time to target on Raissi et al.'s Burgers setup for JAX + SciPy L-BFGS-B (raissi_burgers.py), per seed, on the
// reference grid of gradtape's float64 Cole-Hopf solution (256 x by 100 t, Raissi's grid). Long: minutes per seed.
//   node test/bench/peers/python/raissi.mjs [--seeds=0,1,2] [--threads=2] [--time-limit=600] [--target=6.7e-4] [--every=50]
import * as gt from "gradtape";
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { RESULTS_DIR } from "../../harness.mjs";
import { ensureVenv, HERE, PYTHON } from "./venv.mjs";

const argv = process.argv.slice(2);
const opt = (name, dflt) => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? dflt;
ensureVenv((s) => process.stderr.write(s + "\n"));
await gt.ready();
const ref = gt.pinn.getProblem("burgers").reference();
const axes = Object.fromEntries(ref.axes);
if (!axes.t || !axes.x || ref.axes[0][0] !== "t") throw new Error(`unexpected reference axes ${ref.axes.map((a) => a[0])}: expected t then x`);
const file = path.join(RESULTS_DIR, ".peers", "burgers-reference.json");
mkdirSync(path.dirname(file), { recursive: true });
writeFileSync(file, JSON.stringify({ t: axes.t, x: axes.x, u: Array.from(ref.u) }));
console.log(`Raissi's Burgers, JAX + SciPy L-BFGS-B; ${os.cpus()[0]?.model}; load ${os.loadavg().map((x) => x.toFixed(2)).join(" ")}`);
for (const seed of opt("seeds", "0").split(",")) {
  const out = execFileSync(PYTHON, [path.join(HERE, "raissi_burgers.py"), file, seed, opt("threads", "2"), opt("time-limit", "600"), opt("target", "6.7e-4"), opt("every", "50")],
    { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
  console.log(out.trim().split("\n").pop());
}
console.log(`load at the end ${os.loadavg().map((x) => x.toFixed(2)).join(" ")}`);
