// gradtape pinn <problem>: trains a physics-informed network on a built-in problem (Adam, then L-BFGS), reports the
// relative L2 error against the problem's exact or reference solution and the wall time, and optionally writes the
// weights, the prediction on the reference grid and a picture.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ready, pinn, io as wio } from "gradtape";
import { parseOptions, parseInteger, parseNumber } from "../args.js";
import { CliError, EXIT_OK } from "../errors.js";
import { heatmapTriptych, lineTriptych } from "../png.js";
import { float32Number } from "../format.js";
import type { Command, Io } from "../command.js";

const OPTIONS = {
  hidden: { type: "string", valueName: "WIDTHS" },
  collocation: { type: "string", valueName: "N" },
  boundary: { type: "string", valueName: "N" },
  "adam-steps": { type: "string", valueName: "N" },
  "lbfgs-steps": { type: "string", valueName: "N" },
  lr: { type: "string", valueName: "RATE" },
  seed: { type: "string", valueName: "N" },
  sampler: { type: "string", valueName: "NAME" },
  "time-limit": { type: "string", valueName: "SECONDS" },
  out: { type: "string", short: "o", valueName: "DIR" },
  json: { type: "boolean" },
  quiet: { type: "boolean", short: "q" },
  help: { type: "boolean", short: "h" },
} as const;

function defaultsTable(): string {
  return Object.values(pinn.problems.problems).map((p) => {
    const d = p.defaults;
    const h = d.hidden ?? [];
    const net = h.length > 0 && h.every((w) => w === h[0]) ? `${h.length}x${h[0]}` : h.join(",");
    return `  ${p.name.padEnd(10)} ${net.padEnd(6)} N_f ${String(d.collocationPoints).padEnd(6)} N_u ${String(d.conditionPoints).padEnd(4)} ` +
      `Adam ${d.adamSteps} (lr ${d.learningRate}), L-BFGS ${d.lbfgsSteps}\n             ${p.description}`;
  }).join("\n");
}

const HELP = `Usage: gradtape pinn <problem> [options]

Trains a physics-informed neural network on a built-in problem: the PDE residual (input derivatives for all
collocation points in one batched pass) plus the initial/boundary conditions, minimized with Adam, then L-BFGS.
Prints the relative L2 error against the exact (or, for burgers, Cole-Hopf reference) solution and the wall time.

Problems and their defaults:
${defaultsTable()}

Options:
      --hidden WIDTHS     hidden layers: "8x20" (8 layers of 20) or "20,20,20" (default: the problem's)
      --collocation N     collocation points N_f (default: the problem's)
      --boundary N        initial/boundary condition points N_u, in all (default: the problem's)
      --adam-steps N      Adam steps (0 skips Adam)
      --lbfgs-steps N     L-BFGS iterations (0 skips L-BFGS)
      --lr RATE           Adam's learning rate
      --seed N            seed of the points and the initial weights (default 0)
      --sampler NAME      collocation sampler: uniform, lhs, sobol, halton (default lhs)
      --time-limit S      stop training after S seconds (then evaluate what was reached)
  -o, --out DIR           write DIR/weights.json, DIR/weights.safetensors (the network on raw inputs, the input
                          scaling folded into its first layer), DIR/prediction.json ({"x": [...], "t": [...],
                          "u": [[...]]} with u[t][x]; "y" instead of "t" for 2-D problems) and DIR/prediction.png
                          (prediction | reference | error)
      --json              print {"problem", "relL2", "seconds", "steps", "finalLoss"} on stdout
  -q, --quiet             no progress output
  -h, --help              show this help

Progress goes to stderr: a bar on a terminal (steps, loss, steps/s, ETA), a log line every few seconds otherwise.
Exit status: 0 on success, 2 for a bad option (one line on stderr).

Examples:
  gradtape pinn poisson1d
  gradtape pinn burgers --adam-steps 500 --lbfgs-steps 2000 --out burgers-run
  gradtape pinn heat --hidden 3x16 --collocation 500 --time-limit 30 --json
`;

/** "8x20" or "20,20,20" -> widths. */
export function parseHidden(text: string): number[] {
  const s = text.trim();
  const m = /^(\d+)\s*x\s*(\d+)$/i.exec(s);
  const what = `--hidden ${JSON.stringify(text)}`;
  if (m) {
    const n = parseInteger(m[1], `${what}: the number of layers`, 1, 64);
    const w = parseInteger(m[2], `${what}: the layer width`, 1, 4096);
    return Array(n).fill(w);
  }
  const parts = s.split(",");
  if (parts.length > 64) throw new CliError(`${what}: at most 64 hidden layers`);
  return parts.map((p, i) => parseInteger(p, `${what}: width ${i + 1}`, 1, 4096));
}

function duration(s: number): string {
  if (!Number.isFinite(s)) return "--";
  if (s < 60) return `${s.toFixed(0)}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}

export interface PinnSummary { problem: string; relL2: number; seconds: number; steps: number; finalLoss: number; params?: Record<string, number> }

export const pinnCommand: Command = {
  name: "pinn",
  summary: "train a physics-informed network on burgers, heat, poisson1d or poisson2d",
  help: HELP,
  async run(argv: readonly string[], io: Io): Promise<number> {
    const names = Object.keys(pinn.problems.problems);
    if (argv.length === 0) throw new CliError(`pinn: give a problem: gradtape pinn <problem>, one of ${names.join(", ")} (see gradtape pinn --help)`);
    if (argv[0] === "-h" || argv[0] === "--help") { io.stdout(HELP); return EXIT_OK; }
    const [name, ...rest] = argv;
    if (name.startsWith("-")) throw new CliError(`pinn: the problem comes first: gradtape pinn <problem> [options], one of ${names.join(", ")}`);
    if (!names.includes(name)) throw new CliError(`pinn: unknown problem ${JSON.stringify(name)}; the problems are ${names.join(", ")}`);
    const o = parseOptions(rest, OPTIONS, "pinn");
    if (o.help) { io.stdout(HELP); return EXIT_OK; }

    const problem = pinn.getProblem(name);
    const hidden = o.hidden !== undefined ? parseHidden(o.hidden) : undefined;
    const int = (v: string | undefined, what: string, min: number, max: number) => (v === undefined ? undefined : parseInteger(v, what, min, max));
    const collocation = int(o.collocation, "--collocation", 1, 10_000_000);
    const boundary = int(o.boundary, "--boundary", 0, 1_000_000);
    const adamSteps = int(o["adam-steps"], "--adam-steps", 0, 100_000_000);
    const lbfgsSteps = int(o["lbfgs-steps"], "--lbfgs-steps", 0, 100_000_000);
    const seed = int(o.seed, "--seed", 0, 2 ** 31 - 1) ?? 0;
    let lr: number | undefined;
    if (o.lr !== undefined) {
      lr = parseNumber(o.lr, "--lr");
      if (!(lr > 0)) throw new CliError(`--lr: the learning rate must be > 0, got ${JSON.stringify(o.lr)}`);
    }
    let timeLimit: number | undefined;
    if (o["time-limit"] !== undefined) {
      timeLimit = parseNumber(o["time-limit"], "--time-limit");
      if (!(timeLimit > 0)) throw new CliError(`--time-limit: expected a number of seconds > 0, got ${JSON.stringify(o["time-limit"])}`);
    }
    const sampler = o.sampler;
    if (sampler !== undefined && !(pinn.SAMPLERS as readonly string[]).includes(sampler)) {
      throw new CliError(`--sampler: expected one of ${pinn.SAMPLERS.join(", ")}, got ${JSON.stringify(sampler)}`);
    }
    if (adamSteps === 0 && lbfgsSteps === 0) throw new CliError(`pinn: --adam-steps 0 and --lbfgs-steps 0 leave nothing to train`);
    if (o.out !== undefined) {
      try { mkdirSync(o.out, { recursive: true }); } catch (e) {
        throw new CliError(`--out ${JSON.stringify(o.out)}: cannot create the directory (${(e as Error).message})`);
      }
    }

    await ready();
    const t0 = performance.now();
    // a bar only when writing to a terminal (the process's own Io asks stderr)
    const tty = io.isTTY === true;
    const progress = o.quiet ? undefined : makeProgress(io, tty, name);
    const result = pinn.train(problem, {
      network: hidden ? { hidden, seed } : { seed },
      collocationPoints: collocation, conditionPoints: boundary, adamSteps, lbfgsSteps, learningRate: lr, seed,
      sampler: sampler as pinn.SamplerName | undefined, timeLimit,
      progressInterval: tty ? 100 : 0, onProgress: progress?.update,
    });
    progress?.finish();
    try {
      const ev = pinn.evaluate(result.network, problem);
      const seconds = (performance.now() - t0) / 1000;
      if (o.out !== undefined) writeOutputs(o.out, result.network, ev);
      const summary: PinnSummary = { problem: name, relL2: ev.relL2, seconds, steps: result.steps, finalLoss: result.finalLoss, ...(result.params ? { params: result.params } : {}) };
      if (o.json) io.stdout(`${JSON.stringify(summary)}\n`);
      else {
        const grid = ev.reference.axes.map(([a, v]) => `${v.length} ${a}`).join(" x ");
        const stop = result.stopReason === "done" ? "" : ` (stopped: ${result.stopReason})`;
        // inverse problems: the identified parameters, with their error when the true values are known
        const params = result.params ? `  parameters: ${Object.entries(result.params).map(([k, v]) => {
          const ex = problem.exactParams?.[k];
          return `${k} = ${v.toPrecision(6)}${ex === undefined ? "" : ` (exact ${ex.toPrecision(6)}, error ${((Math.abs(v - ex) / Math.abs(ex)) * 100).toFixed(3)}%)`}`;
        }).join(", ")}\n` : "";
        io.stdout(`${name}: relative L2 error ${ev.relL2.toExponential(3)} against the ${name.startsWith("burgers") ? "Cole-Hopf reference" : "exact solution"} on ${grid} points\n` + params +
          `  final loss ${result.finalLoss.toExponential(3)}, ${result.steps} steps (${result.adamSteps} Adam + ${result.lbfgsSteps} L-BFGS)${stop}\n` +
          `  wall time ${seconds.toFixed(1)} s (training ${result.seconds.toFixed(1)} s)\n` +
          (o.out !== undefined ? `  wrote ${["weights.json", "weights.safetensors", "prediction.json", "prediction.png"].map((f) => join(o.out!, f)).join(", ")}\n` : ""));
      }
    } finally {
      result.network.dispose();
    }
    return EXIT_OK;
  },
};

function makeProgress(io: Io, tty: boolean, name: string): { update: (p: pinn.TrainProgress) => void; finish: () => void } {
  let lastLog = -Infinity, drawn = false;
  const line = (p: pinn.TrainProgress) =>
    `${p.phase === "adam" ? "Adam  " : "L-BFGS"} ${String(p.step).padStart(String(p.steps).length)}/${p.steps}  loss ${p.loss.toExponential(3)}  ` +
    `${p.stepsPerSecond > 0 ? p.stepsPerSecond.toFixed(1) : "--"} steps/s  ETA ${duration(p.eta)}` +
    (p.params ? `  ${Object.entries(p.params).map(([k, v]) => `${k} ${v.toPrecision(4)}`).join(" ")}` : "");
  return {
    update(p) {
      if (tty) {
        const width = 24, done = Math.min(width, Math.round((p.step / Math.max(1, p.steps)) * width));
        io.stderr(`\r${name} [${"#".repeat(done)}${".".repeat(width - done)}] ${line(p)}\x1b[K`);
        drawn = true;
      } else if (p.elapsed - lastLog >= 5 || p.step === p.steps || p.step === 1) {
        lastLog = p.elapsed;
        io.stderr(`${name}: ${line(p)}  (${p.elapsed.toFixed(0)} s)\n`);
      }
    },
    finish() { if (tty && drawn) io.stderr("\n"); },
  };
}

function writeOutputs(dir: string, network: pinn.PinnNetwork, ev: pinn.Evaluation): void {
  const raw = network.toSequential();
  try {
    writeFileSync(join(dir, "weights.json"), wio.saveWeightsJSON(raw));
    writeFileSync(join(dir, "weights.safetensors"), wio.saveSafetensors(raw));
  } finally { raw.dispose(); }
  const axes = ev.reference.axes;
  const pred: Record<string, unknown> = {};
  // x first, then the slow axis (t or y), then u[slow][x]
  for (const [a, v] of [...axes].reverse()) pred[a] = v;
  // the predictions are float32 values: written as the shortest decimals that read back to them
  if (axes.length === 1) pred.u = Array.from(ev.prediction, float32Number);
  else {
    const [rows, cols] = [axes[0][1].length, axes[1][1].length];
    pred.u = Array.from({ length: rows }, (_, r) => Array.from(ev.prediction.subarray(r * cols, (r + 1) * cols), float32Number));
  }
  writeFileSync(join(dir, "prediction.json"), JSON.stringify(pred));
  const png = axes.length === 1 ? lineTriptych(ev.prediction, ev.reference.u)
    : heatmapTriptych(axes[0][1].length, axes[1][1].length, ev.prediction, ev.reference.u);
  writeFileSync(join(dir, "prediction.png"), png);
}
