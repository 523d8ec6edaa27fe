#!/usr/bin/env node
// The second-phase optimizer on Burgers, Raissi's setup (8x20 tanh, N_u 100, N_f 10,000; the problem's defaults):
// relative L2 against the reference grid every --every second-phase iterations, with the loss evaluations and the
// training seconds spent to get there (the error evaluations' own time is measured and left out). Not a unit test:
// each run takes minutes. One run per process; run the optimizers one after the other (or interleaved over seeds)
// on an otherwise idle machine and state the load (`uptime`).
//
//   node test/bench/qn-burgers.mjs --optimizer ssbfgs --seed 0 [--lbfgs-steps 10000] [--adam-steps 1000] [--every 250]
//   node test/bench/qn-burgers.mjs --problem heat --optimizer ssbroyden     # another built-in problem, its defaults
//
// Prints one line per checkpoint and a JSON summary line at the end (prefixed "RESULT ").
import * as gt from "gradtape";
import os from "node:os";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    optimizer: { type: "string", default: "lbfgs" },
    problem: { type: "string", default: "burgers" },
    seed: { type: "string", default: "0" },
    "adam-steps": { type: "string" },
    "lbfgs-steps": { type: "string" },
    "time-limit": { type: "string" },
    every: { type: "string", default: "250" },
    threads: { type: "string", default: "1" },
  },
});
const int = (v) => (v === undefined ? undefined : Number.parseInt(v, 10));
await gt.ready({ threads: int(values.threads) });
const problem = gt.pinn.getProblem(values.problem);
const seed = int(values.seed), every = int(values.every);
const network = gt.pinn.makeNetwork(problem, { seed });
const points = [];
let evalSeconds = 0, adamEvaluations = 0;
const t0 = performance.now();
const record = (p, phase) => {
  const t = performance.now();
  const ev = gt.pinn.evaluate(network, problem);
  const dt = (performance.now() - t) / 1000;
  evalSeconds += dt;
  // progress.evaluations counts Adam's steps too: the second phase's are those after Adam's last step
  if (phase === "adam") adamEvaluations = p.evaluations;
  const row = { phase, step: p.step, phaseStep: p.phaseStep, evaluations: phase === "adam" ? 0 : p.evaluations - adamEvaluations, loss: p.loss, relL2: ev.relL2, trainSeconds: (performance.now() - t0) / 1000 - evalSeconds };
  points.push(row);
  console.log(`${values.optimizer} seed ${seed} ${phase} ${String(p.phaseStep).padStart(6)} it ${String(row.evaluations).padStart(6)} ev  loss ${p.loss.toExponential(3)}  relL2 ${ev.relL2.toExponential(3)}  ${row.trainSeconds.toFixed(1)} s`);
};
const res = gt.pinn.train(problem, {
  network, seed, optimizer: values.optimizer,
  adamSteps: int(values["adam-steps"]), lbfgsSteps: int(values["lbfgs-steps"]),
  timeLimit: values["time-limit"] === undefined ? undefined : Number(values["time-limit"]),
  onProgress: (p) => {
    if (p.phase === "adam" && p.phaseStep === p.phaseSteps) record(p, "adam");
    if (p.phase === "lbfgs" && p.phaseStep % every === 0) record(p, "second");
  },
});
const ev = gt.pinn.evaluate(network, problem);
const summary = {
  problem: values.problem, optimizer: values.optimizer, seed, relL2: ev.relL2, steps: res.steps, adamSteps: res.adamSteps, secondSteps: res.lbfgsSteps,
  evaluations: res.lbfgsEvaluations, trainSeconds: res.seconds - evalSeconds, evalSeconds, stopReason: res.stopReason, finalLoss: res.finalLoss,
  cpu: os.cpus()[0]?.model, load: os.loadavg(), points,
};
console.log(`${values.problem} ${values.optimizer} seed ${seed} final: relL2 ${ev.relL2.toExponential(3)}, ${res.lbfgsSteps} iterations, ${res.lbfgsEvaluations} evaluations, ` +
  `${summary.trainSeconds.toFixed(1)} s training (+${evalSeconds.toFixed(1)} s error evaluations), stop ${res.stopReason}, load ${os.loadavg().map((l) => l.toFixed(1)).join(" ")}`);
console.log(`RESULT ${JSON.stringify(summary)}`);
network.dispose();
