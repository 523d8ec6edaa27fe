// Training progress on stderr: a bar redrawn in place on a terminal, a plain line every few seconds otherwise.
// Times are formatted by formatDuration (time-format.ts).
import type { pinn } from "gradtape";
import type { Io } from "./command.js";
import { formatDuration } from "./time-format.js";

/** The phase after Adam as people write it. */
export const SECOND_PHASE: Record<string, string> = { lbfgs: "L-BFGS", ssbfgs: "SSBFGS", ssbroyden: "SSBroyden", bfgs: "BFGS" };

export interface Progress { update: (p: pinn.TrainProgress) => void; finish: () => void }

export function makeProgress(io: Io, tty: boolean, name: string): Progress {
  let lastLog = -Infinity, drawn = false;
  const line = (p: pinn.TrainProgress) =>
    `${p.phase === "adam" ? "Adam  " : SECOND_PHASE[p.optimizer] ?? p.optimizer} ${String(p.step).padStart(String(p.steps).length)}/${p.steps}  loss ${p.loss.toExponential(3)}  ` +
    `${p.stepsPerSecond > 0 ? p.stepsPerSecond.toFixed(1) : "--"} steps/s  ETA ${formatDuration(p.eta)}  ${p.evaluations} evals` +
    (p.lineSearchEvaluations > 0 ? ` (${p.lineSearchEvaluations} line search)` : "") +
    // inverse problems: the parameters' current values
    (p.params ? `  ${Object.entries(p.params).map(([k, v]) => `${k} ${v.toPrecision(4)}`).join(" ")}` : "") +
    // causal training: the smallest causal weight (training has reached the end of the time interval near 1)
    (p.causal ? `  causal min w ${p.causal.minWeight.toPrecision(3)}` : "");
  return {
    update(p) {
      if (tty) {
        const width = 24, done = Math.min(width, Math.round((p.step / Math.max(1, p.steps)) * width));
        io.stderr(`\r${name} [${"#".repeat(done)}${".".repeat(width - done)}] ${line(p)}\x1b[K`);
        drawn = true;
      } else if (p.elapsed - lastLog >= 5 || p.step === p.steps || p.step === 1) {
        lastLog = p.elapsed;
        io.stderr(`${name}: ${line(p)}  (${formatDuration(p.elapsed)})\n`);
      }
    },
    finish() { if (tty && drawn) io.stderr("\n"); },
  };
}
