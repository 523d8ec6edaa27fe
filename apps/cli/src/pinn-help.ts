// The text of `gradtape pinn --help` and `gradtape pinn --list`: the built-in problems with their default setup.
import { pinn } from "gradtape";
import { pinnThreadsHelp } from "./threads.js";
import { REMEDY_HELP } from "./pinn-remedies.js";

const net = (h: readonly number[]) => (h.length > 0 && h.every((w) => w === h[0]) ? `${h.length}x${h[0]}` : h.join(","));

/** Left-aligned columns separated by two spaces (names and words read better so than right-aligned). */
function leftTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  return [header, ...rows].map((r) => r.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd()).join("\n") + "\n";
}

/** One row per built-in problem: name, variables, network, points, steps, reference. */
export function problemList(): string {
  const rows = Object.values(pinn.problems.problems).map((p) => {
    const d = p.defaults;
    return [p.name, p.vars.join(","), `${net(d.hidden ?? [])} ${d.activation ?? "tanh"}`, String(d.collocationPoints ?? ""), String(d.conditionPoints ?? ""),
      d.sampler ?? "lhs", `${d.adamSteps} (lr ${d.learningRate})`, String(d.lbfgsSteps), p.exact ? "exact" : "reference grid"];
  });
  const descriptions = Object.values(pinn.problems.problems).map((p) => `  ${p.name}: ${p.description}`).join("\n");
  return `Built-in problems and their default setup (override any with the options of gradtape pinn --help):\n\n` +
    leftTable(["problem", "inputs", "network", "N_f", "N_u", "sampler", "Adam steps", "L-BFGS", "solution"], rows) +
    `\n${descriptions}\n\nA problem of your own: gradtape pinn ./my-problem.mjs (a module exporting pinn.defineProblem(...)).\n`;
}

function defaultsTable(): string {
  return Object.values(pinn.problems.problems).map((p) => {
    const d = p.defaults;
    return `  ${p.name.padEnd(10)} ${net(d.hidden ?? []).padEnd(6)} N_f ${String(d.collocationPoints).padEnd(6)} N_u ${String(d.conditionPoints).padEnd(4)} ` +
      `Adam ${d.adamSteps} (lr ${d.learningRate}), L-BFGS ${d.lbfgsSteps}\n             ${p.description}`;
  }).join("\n");
}

export const HELP = `Usage: gradtape pinn <problem | FILE> [options]
       gradtape pinn --list
       gradtape pinn --resume DIR [options]

Trains a physics-informed neural network: the PDE residual (input derivatives for all collocation points in one
batched pass) plus the initial/boundary conditions, minimized with Adam, then L-BFGS. Prints the relative L2 error
against the exact (or, for burgers, Cole-Hopf reference) solution and the wall time.

<problem> is a built-in problem, or FILE a JavaScript module of yours (.mjs/.js; compile TypeScript first) whose
default export (or export \`problem\`) is made with pinn.defineProblem({...}), or is the statement object itself;
its \`import ... from "gradtape"\` loads this command's own gradtape (no install needed beside the file).

Problems and their defaults:
${defaultsTable()}

Options:
      --list              print the built-in problems with their default setup, and exit
      --hidden WIDTHS     hidden layers: "8x20" (8 layers of 20) or "20,20,20" (default: the problem's)
      --collocation N     collocation points N_f (default: the problem's)
      --boundary N        initial/boundary condition points N_u, in all (default: the problem's)
      --adam-steps N      Adam steps (0 skips Adam)
      --lbfgs-steps N     L-BFGS iterations (0 skips L-BFGS), also the iterations of --optimizer's method
      --optimizer NAME    the optimizer after Adam: auto (default: ssbroyden up to 10,000 weights, else lbfgs),
                          lbfgs, ssbfgs (self-scaled BFGS), ssbroyden (self-scaled Broyden) or bfgs; the dense ones
                          keep an n x n inverse Hessian (up to 10,000 weights; 36 MB at 3,000). A resumed run keeps
                          its checkpoint's
      --fit-noise         observations that declare their noise (burgers-inverse-noisy) end training where the
                          loss reaches the exact solution's (noise²; stopped: discrepancy); this trains on
      --lr RATE           Adam's learning rate
      --seed N            seed of the points and the initial weights (default 0)
      --sampler NAME      collocation sampler: uniform, lhs, sobol, halton (default lhs)
      --time-limit S      finish within S seconds of wall time from the start: loading, the reference solution,
                          training and the final evaluation (writing --out files comes after)
      --dtype TYPE        float32 (default) or float64: the network, points and loss in float64 (about 2x slower
                          per step; for errors below float32's floor); --resume keeps the checkpoint's dtype
${pinnThreadsHelp(26)}
  -o, --out DIR           write into DIR (checked writable before training): weights.json, weights.safetensors (the
                          network on raw inputs, the input scaling folded into its first layer), prediction.json
                          ({"x": [...], "t": [...], "u": [[...]]} with u[t][x]; "y" instead of "t" for 2-D problems),
                          the plots prediction.svg, loss.svg and (u(t, x) problems) slices.svg, report.html (one
                          page with the plots, settings and figures), and checkpoint.safetensors
      --checkpoint-every N  save a checkpoint every N steps (default 500 with --out or --resume; 0: only at the end)
      --resume DIR        continue the run checkpointed in DIR (its problem and settings unless given; the results
                          and new checkpoints go back to DIR unless --out is given). A run stopped (or killed) and
                          resumed ends with the same weights, to the bit, as one that never stopped
      --json              print {"problem", "relL2", "seconds", "steps", "finalLoss", "stopReason", "evaluations",
                          "lineSearchEvaluations", "threads"} on stdout
  -q, --quiet             no progress output
  -h, --help              show this help
${REMEDY_HELP}
Progress goes to stderr: a bar on a terminal (steps, loss, steps/s, ETA), a log line every few seconds otherwise.
Exit status: 0 on success; 1 when training diverged (the step and the loss term that went NaN/infinite are named,
the last finite weights are written) or the results could not be written where asked (they are written to a
temporary directory, named on stderr); 2 for a bad option or input file (one line on stderr).

Examples:
  gradtape pinn poisson1d
  gradtape pinn burgers --adam-steps 500 --lbfgs-steps 2000 --out burgers-run
  gradtape pinn --resume burgers-run
  gradtape pinn ./my-problem.mjs --hidden 4x32 --out my-run --threads 2
  gradtape pinn heat --hidden 3x16 --collocation 500 --time-limit 30 --json
`;
