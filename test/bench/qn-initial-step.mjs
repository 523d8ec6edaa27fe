#!/usr/bin/env node
// The first trial step of the quasi-Newton line search (optim initialStep, #17 item 5): "unit" (t = 1) against
// "last-decrease" (Nocedal & Wright eq. 3.60, pinn.train's default for its dense second phase), on Burgers (Raissi's
// setup) from the same weights after Adam: both runs resume one checkpoint taken after the Adam steps, so they
// differ only in the line search. Reported per seed: evaluations (line searches' among them) for the same
// iterations, the loss and the relative L2 at the end.
//   node test/bench/qn-initial-step.mjs [--seeds 0,1,2] [--iterations 400] [--dtype float32|float64] [--optimizer ssbroyden]
// Not timed: evaluations are what the setting changes (each costs the same), so the load does not matter.
import * as gt from "gradtape";
import { existsSync, mkdirSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";

const { values } = parseArgs({ options: {
  seeds: { type: "string", default: "0,1,2" }, iterations: { type: "string", default: "400" },
  dtype: { type: "string", default: "float32" }, optimizer: { type: "string", default: "ssbroyden" },
  "adam-steps": { type: "string", default: "1000" }, dir: { type: "string", default: path.join(os.tmpdir(), "gradtape-qn-initial-step") },
} });
await gt.ready();
const problem = gt.pinn.getProblem("burgers");
const iterations = +values.iterations, adamSteps = +values["adam-steps"], dtype = values.dtype, optimizer = values.optimizer;
const rows = [];
for (const seed of values.seeds.split(",").map(Number)) {
  const dir = path.join(values.dir, `${dtype}-seed${seed}-adam${adamSteps}`);
  if (!existsSync(path.join(dir, "checkpoint.safetensors"))) {
    mkdirSync(dir, { recursive: true });
    const r = gt.pinn.train(problem, { seed, dtype, adamSteps, lbfgsSteps: 0, threads: 1, checkpoint: { dir } });
    r.network.dispose();
  }
  for (const initialStep of ["unit", "last-decrease"]) {
    const r = gt.pinn.train(problem, { seed, dtype, adamSteps, lbfgsSteps: iterations, optimizer, threads: 1, resume: dir, lbfgs: { initialStep } });
    const relL2 = gt.pinn.evaluate(r.network, problem).relL2;
    const qn = r.evaluations - r.adamSteps;
    rows.push({ seed, initialStep, iterations: r.lbfgsSteps, evaluations: qn, lineSearch: r.lineSearchEvaluations, loss: r.finalLoss, relL2, stop: r.stopReason });
    console.error(`seed ${seed} ${initialStep}: ${r.lbfgsSteps} iterations, ${qn} evaluations, loss ${r.finalLoss.toExponential(3)}, relative L2 ${relL2.toExponential(3)} (${r.stopReason})`);
    r.network.dispose();
  }
}
console.log(`\nBurgers, ${dtype}, ${optimizer} after Adam ${adamSteps}, ${iterations} iterations; ${os.cpus()[0]?.model}, load ${os.loadavg()[0].toFixed(1)}`);
console.log(`| seed | initial step | iterations | evaluations (per iteration) | loss | relative L2 |\n| --- | --- | --- | --- | --- | --- |`);
for (const r of rows) console.log(`| ${r.seed} | ${r.initialStep} | ${r.iterations} | ${r.evaluations} (${(r.evaluations / r.iterations).toFixed(2)}) | ${r.loss.toExponential(2)} | ${r.relL2.toExponential(2)} |`);
