#!/usr/bin/env node
// Where a PINN run's loss evaluations went (#17 item 5), from the JSON that pinn-accuracy.mjs writes (its clock's
// trace: step, training seconds, evaluations, relative L2 and loss every --eval-every steps). Per run:
// - Adam's evaluations (one per step) and L-BFGS's, with the line searches' extra (their evaluations beyond one per
//   iteration) and the restarts' (one evaluation per L-BFGS call beyond the first: evaluations - line-search ones);
// - the evaluations and training time at which the error first came within 10% and within 2% of the best error the
//   run reached, and what the run spent after that: evaluations a perfect stopping rule would have saved;
// - the error at the Adam -> L-BFGS switch.
//
//   node test/bench/pinn-waste.mjs test/bench/results/pinn-accuracy-*.json
import { readFileSync } from "node:fs";

const files = process.argv.slice(2);
if (files.length === 0) { console.error("usage: node test/bench/pinn-waste.mjs RESULT.json ..."); process.exit(2); }

for (const file of files) {
  const j = JSON.parse(readFileSync(file, "utf8"));
  for (const r of j.rows) {
    const c = r.clock;
    if (!c) { console.log(`${file}: ${r.problem} seed ${r.seed}: no clock trace (an older result file)`); continue; }
    const trace = c.trace; // [step, seconds, evaluations, relL2, loss]
    const best = Math.min(...trace.map((t) => t[3]));
    const within = (f) => trace.find((t) => t[3] <= best * (1 + f));
    const at10 = within(0.1), at2 = within(0.02);
    const switchRow = trace.filter((t) => t[0] <= r.adamSteps).pop();
    const extraLS = r.lineSearchEvaluations - r.lbfgsSteps;
    const restarts = r.lbfgsEvaluations - r.lineSearchEvaluations; // one start per call
    const fmt = (t) => `step ${t[0]}, ${t[2]} evaluations, ${t[1].toFixed(1)} s`;
    console.log(`${r.problem} seed ${r.seed} (${r.threads} thread(s), load ${r.loadavg?.toFixed(1) ?? "?"}): final error ${c.finalError.toExponential(2)}, best ${best.toExponential(2)}, stop: ${r.stopReason}`);
    console.log(`  evaluations ${r.evaluations}: Adam ${r.adamSteps}, L-BFGS ${r.lbfgsEvaluations} for ${r.lbfgsSteps} iterations ` +
      `(line searches' extra ${extraLS} = ${(100 * extraLS / Math.max(1, r.lbfgsEvaluations)).toFixed(1)}%, ${restarts} call starts)`);
    if (switchRow) console.log(`  at the switch to L-BFGS (${fmt(switchRow)}): error ${switchRow[3].toExponential(2)}, loss ${switchRow[4]?.toExponential(2) ?? "?"}`);
    for (const [name, t] of [["within 10% of the best", at10], ["within 2% of the best", at2]]) {
      console.log(`  ${name} at ${fmt(t)}: ${r.evaluations - t[2]} evaluations (${(100 * (r.evaluations - t[2]) / r.evaluations).toFixed(0)}%) and ${(c.trainSeconds - t[1]).toFixed(0)} s after it`);
    }
    if (c.timeToTarget !== null) console.log(`  target ${c.target} first reached at step ${c.stepsToTarget}, ${c.evaluationsToTarget} evaluations, ${c.timeToTarget.toFixed(1)} s`);
  }
}
