// gradtape pinn <problem | FILE>: trains a physics-informed network on a built-in problem or one from a file of the
// user's (problem-file.ts), reports the relative L2 error against the problem's exact or reference solution and
// the wall time, and optionally writes the weights, the prediction, plots and report.html (pinn-output.ts) and
// checkpoints it can resume from (--resume).
import { dirname, join } from "node:path";
import { statSync } from "node:fs";
import { pinn } from "gradtape";
import { parseOptions, parseInteger, parseNumber } from "../args.js";
import { CliError, EXIT_OK, EXIT_FAILURE } from "../errors.js";
import { HELP, problemList } from "../pinn-help.js";
import { THREADS_OPTION, readyWithThreads } from "../threads.js";
import { looksLikeFile, loadProblemFile } from "../problem-file.js";
import { prepareOutDir } from "../out-dir.js";
import { makeProgress, SECOND_PHASE } from "../progress.js";
import { writeOutputs } from "../pinn-output.js";
import { formatDuration } from "../time-format.js";
import { measureEvaluation, trainingBudget, StepClock } from "../pinn-clock.js";
import type { Command, Io } from "../command.js";
import { REMEDY_OPTIONS, parseRemedies, remedyLine, remediesOf } from "../pinn-remedies.js";

const OPTIONS = {
  hidden: { type: "string", valueName: "WIDTHS" },
  collocation: { type: "string", valueName: "N" },
  boundary: { type: "string", valueName: "N" },
  "adam-steps": { type: "string", valueName: "N" },
  "lbfgs-steps": { type: "string", valueName: "N" },
  optimizer: { type: "string", valueName: "NAME" },
  "fit-noise": { type: "boolean" },
  lr: { type: "string", valueName: "RATE" },
  seed: { type: "string", valueName: "N" },
  sampler: { type: "string", valueName: "NAME" },
  "time-limit": { type: "string", valueName: "SECONDS" },
  dtype: { type: "string", valueName: "TYPE" },
  out: { type: "string", short: "o", valueName: "DIR" },
  "checkpoint-every": { type: "string", valueName: "N" },
  resume: { type: "string", valueName: "DIR" },
  list: { type: "boolean" },
  json: { type: "boolean" },
  quiet: { type: "boolean", short: "q" },
  help: { type: "boolean", short: "h" },
  ...THREADS_OPTION,
  ...REMEDY_OPTIONS,
} as const;

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

export interface PinnSummary {
  problem: string; relL2: number | null; seconds: number; steps: number; finalLoss: number; stopReason: string;
  /** loss-and-gradient evaluations (Adam's and L-BFGS's), of them L-BFGS's line searches', and the kernel threads */
  evaluations: number; lineSearchEvaluations: number; threads: number;
  params?: Record<string, number>;
}

/** A checkpoint error from the library as a one-line usage error (exit 2). */
async function guard<T>(f: () => T | Promise<T>): Promise<T> {
  try { return await f(); } catch (e) {
    if (e instanceof pinn.CheckpointError || e instanceof pinn.AdaptiveSamplingError || e instanceof pinn.CausalTrainingError) throw new CliError(e.message);
    throw e;
  }
}

async function run(argv: readonly string[], io: Io): Promise<number> {
  const t0 = performance.now(); // --time-limit counts from here (pinn-clock.ts)
  const builtins = Object.keys(pinn.problems.problems);
  if (argv.length === 0) throw new CliError(`pinn: give a problem: gradtape pinn <problem>, one of ${builtins.join(", ")}, or a problem file (see gradtape pinn --help)`);
  const target = argv[0].startsWith("-") ? undefined : argv[0];
  const o = parseOptions(target === undefined ? argv : argv.slice(1), OPTIONS, "pinn");
  if (o.help) { io.stdout(HELP); return EXIT_OK; }
  if (o.list) { io.stdout(problemList()); return EXIT_OK; }
  if (target === undefined && o.resume === undefined) throw new CliError(`pinn: the problem comes first: gradtape pinn <problem> [options], one of ${builtins.join(", ")}, or a problem file`);
  if (target !== undefined && !looksLikeFile(target) && !builtins.includes(target)) {
    throw new CliError(`pinn: unknown problem ${JSON.stringify(target)}; the problems are ${builtins.join(", ")} (or give a problem file, e.g. ./my-problem.mjs)`);
  }

  // every option is checked before anything is loaded or trained
  const int = (v: string | undefined, what: string, min: number, max: number) => (v === undefined ? undefined : parseInteger(v, what, min, max));
  let hidden = o.hidden !== undefined ? parseHidden(o.hidden) : undefined;
  let collocation = int(o.collocation, "--collocation", 1, 10_000_000);
  let boundary = int(o.boundary, "--boundary", 0, 1_000_000);
  let adamSteps = int(o["adam-steps"], "--adam-steps", 0, 100_000_000);
  let lbfgsSteps = int(o["lbfgs-steps"], "--lbfgs-steps", 0, 100_000_000);
  let seed = int(o.seed, "--seed", 0, 2 ** 31 - 1);
  const every = int(o["checkpoint-every"], "--checkpoint-every", 0, 100_000_000);
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
  let sampler = o.sampler;
  if (sampler !== undefined && !(pinn.SAMPLERS as readonly string[]).includes(sampler)) {
    throw new CliError(`--sampler: expected one of ${pinn.SAMPLERS.join(", ")}, got ${JSON.stringify(sampler)}`);
  }
  const optimizer = o.optimizer as pinn.SecondPhaseChoice | undefined;
  if (optimizer !== undefined && !pinn.SECOND_PHASE_OPTIMIZERS.includes(optimizer)) {
    throw new CliError(`--optimizer: expected one of ${pinn.SECOND_PHASE_OPTIMIZERS.join(", ")}, got ${JSON.stringify(optimizer)}`);
  }
  if (o.dtype !== undefined && o.dtype !== "float32" && o.dtype !== "float64") throw new CliError(`--dtype: expected float32 or float64, got ${JSON.stringify(o.dtype)}`);
  if (adamSteps === 0 && lbfgsSteps === 0) throw new CliError(`pinn: --adam-steps 0 and --lbfgs-steps 0 leave nothing to train`);
  const remedies = parseRemedies(o);
  if (every !== undefined && o.out === undefined && o.resume === undefined) throw new CliError(`--checkpoint-every needs --out DIR (or --resume DIR): the directory the checkpoints go to`);

  // a run to continue: its settings stand in for the options not given (a given one that differs is refused)
  const cp = o.resume === undefined ? null : await guard(() => pinn.loadCheckpoint(o.resume!));
  // the dtype: given, or the checkpoint's (a float64 run resumes in float64), else the problem's default (pinn.train)
  const dtype = (o.dtype ?? cp?.network.dtype) as "float32" | "float64" | undefined;
  if (cp) {
    hidden ??= cp.network.hidden; collocation ??= cp.data.collocationPoints; boundary ??= cp.data.conditionPoints;
    seed ??= cp.data.seed; sampler ??= cp.data.sampler; adamSteps ??= cp.plan.adamSteps; lbfgsSteps ??= cp.plan.lbfgsSteps;
    lr ??= cp.plan.learningRate ?? undefined;
    // adaptive collocation and causal training as checkpointed, unless given
    const saved = remediesOf(cp);
    remedies.adaptive ??= saved.adaptive; remedies.causal ??= saved.causal; remedies.balancing ??= saved.balancing;
  }
  // a resumed run writes its results (and checkpoints) back into its directory unless --out says otherwise
  const resumeDir = o.resume === undefined ? undefined : statSync(o.resume).isFile() ? dirname(o.resume) : o.resume;
  const outDir = o.out ?? resumeDir;
  if (outDir !== undefined) prepareOutDir(outDir);

  const threads = await readyWithThreads(o.threads, true);
  let problem: pinn.Problem;
  if (target === undefined) {
    if (!builtins.includes(cp!.problem.name)) {
      throw new CliError(`pinn: the checkpoint in ${o.resume} is of problem ${JSON.stringify(cp!.problem.name)}, which is not built in; give its file: gradtape pinn ./its-file.mjs --resume ${o.resume}`);
    }
    problem = pinn.getProblem(cp!.problem.name);
  } else problem = looksLikeFile(target) ? await loadProblemFile(target) : pinn.getProblem(target);
  const name = problem.name;

  const ckDir = outDir;
  let ckWarned = false, ckFile: string | null = null;
  const checkpoint = ckDir === undefined ? undefined : {
    every: every ?? 500,
    onSave: (c: pinn.TrainCheckpoint) => {
      // a checkpoint that cannot be written (disk full) must not end the run: say so once and train on
      try { ckFile = pinn.saveCheckpoint(ckDir, c); } catch (e) {
        if (!ckWarned) io.stderr(`gradtape: warning: ${(e as Error).message} Training continues.\n`);
        ckWarned = true;
      }
    },
  };

  // --time-limit: the reference and one evaluation's cost first, then training gets what is left of the limit
  const network = hidden ? { hidden, seed } : { seed };
  const cost = timeLimit === undefined ? null : measureEvaluation(problem, network);
  const budget = timeLimit === undefined ? undefined : trainingBudget(timeLimit, (performance.now() - t0) / 1000, cost);
  const clock = budget === undefined ? null : new StepClock(budget);
  let clockStop = false;
  // a bar only when writing to a terminal (the process's own Io asks stderr)
  const tty = io.isTTY === true;
  const progress = o.quiet ? undefined : makeProgress(io, tty, name);
  let lastDraw = -Infinity;
  const onProgress = (p: pinn.TrainProgress): boolean => {
    const now = performance.now();
    if (progress && (!tty || now - lastDraw >= 100 || p.step === p.steps)) { lastDraw = now; progress.update(p); }
    if (clock?.overruns(p.elapsed)) { clockStop = true; return false; }
    return true;
  };
  const result = await guard(() => pinn.train(problem, {
    network, collocationPoints: collocation, conditionPoints: boundary, adamSteps, lbfgsSteps, optimizer, learningRate: lr, seed,
    sampler: sampler as pinn.SamplerName | undefined, timeLimit: budget, threads, dtype,
    progressInterval: 0, onProgress: progress || budget !== undefined ? onProgress : undefined, checkpoint, resume: cp ?? undefined, ...remedies,
    ...(o["fit-noise"] ? { stopAtNoise: false } : {}),
  }));
  // stopped by the clock (ours, one step early, or the library's): the time limit
  const stopReason = clockStop && result.stopReason === "callback" ? "time-limit" : result.stopReason;
  progress?.finish();
  const second = SECOND_PHASE[result.optimizer];
  try {
    // a problem of the user's may have no solution to compare with: then the weights and the loss are the result
    let ev: pinn.Evaluation | null = null;
    try { ev = pinn.evaluate(result.network, problem); } catch (e) {
      if (!(e instanceof Error && /neither an exact solution nor a reference/.test(e.message))) throw e;
    }
    const seconds = (performance.now() - t0) / 1000;
    const reference = problem.exact ? "the exact solution" : name === "burgers" ? "the Cole-Hopf reference" : "the reference solution";
    const grid = ev === null ? "" : ev.reference.axes.map(([a, v]) => `${v.length} ${a}`).join(" x ");
    const stop = stopReason === "done" ? "" : ` (stopped: ${stopReason})`;
    const evals = `${result.evaluations} evaluations (${result.adamSteps} Adam + ${result.lbfgsEvaluations} ${second}, ${result.lineSearchEvaluations} of them in line searches)`;
    const threadLine = `${result.threads} thread${result.threads === 1 ? "" : "s"} (${result.threadChoice})`;
    let code = EXIT_OK;
    if (result.nonFinite) {
      const nf = result.nonFinite;
      io.stderr(`gradtape: training diverged at step ${nf.step} (${nf.phase === "adam" ? "Adam" : "L-BFGS"}): ${nf.term} became ${nf.value}; ` +
        `the weights of step ${nf.step - 1}, the last finite ones, are kept${outDir !== undefined ? ` in ${outDir}` : ""} (try a smaller --lr)\n`);
      code = EXIT_FAILURE;
    }
    let written = "";
    if (outDir !== undefined) {
      const net = result.network;
      const settings: [string, string][] = [
        ["problem", target !== undefined && looksLikeFile(target) ? `${name} (${target})` : name],
        ["network", `${net.inputs} -> ${net.hidden.join(", ")} -> ${net.outputs} (${net.activation}), ${net.trainableWeights.reduce((a, v) => a + v.size, 0)} weights`],
        ["collocation points", `${collocation ?? problem.defaults.collocationPoints ?? 10000} (${sampler ?? problem.defaults.sampler ?? "lhs"})`],
        ["condition points", String(boundary ?? problem.defaults.conditionPoints ?? 100)],
        ["Adam", `${adamSteps ?? problem.defaults.adamSteps ?? 1000} steps, learning rate ${lr ?? problem.defaults.learningRate ?? 1e-3}`],
        [second, `${lbfgsSteps ?? problem.defaults.lbfgsSteps ?? 5000} iterations`],
        ["seed", String(seed ?? 0)], ["threads", threadLine], ["dtype", result.network.dtype],
        ...(timeLimit !== undefined ? [["time limit", formatDuration(timeLimit)] as [string, string]] : []),
        ...(o.resume !== undefined ? [["resumed from", o.resume] as [string, string]] : []),
      ];
      const summary: [string, string][] = [
        ...(ev ? [["relative L2 error", ev.relL2.toExponential(3)], ["max |error|", ev.maxError.toExponential(3)], ["against", `${reference} on ${grid} points`]] as [string, string][]
          : [["error", "no exact or reference solution in the problem"]] as [string, string][]),
        ["final loss", result.finalLoss.toExponential(3)],
        ["steps", `${result.steps} (${result.adamSteps} Adam + ${result.lbfgsSteps} ${second})`], ["evaluations", evals],
        ["stopped", result.nonFinite ? `diverged at step ${result.nonFinite.step}: ${result.nonFinite.term}` : stopReason],
        ["training time", formatDuration(result.seconds)], ["wall time", formatDuration(seconds)],
      ];
      const w = writeOutputs(outDir, { problem, result, ev, settings, summary });
      if (w.error) {
        io.stderr(`gradtape: cannot write the results to ${outDir} (${w.error.message}); they were saved to ${w.dir} instead\n`);
        code = EXIT_FAILURE;
      }
      const files = [...w.files.map((f) => join(w.dir, f)), ...(ckFile ? [ckFile] : [])];
      written = `  wrote ${files.join(", ")}\n`;
    }
    const summary: PinnSummary = { problem: name, relL2: ev?.relL2 ?? null, seconds, steps: result.steps, finalLoss: result.finalLoss, stopReason,
      evaluations: result.evaluations, lineSearchEvaluations: result.lineSearchEvaluations, threads: result.threads, ...(result.params ? { params: result.params } : {}) };
    if (o.json) io.stdout(`${JSON.stringify(summary)}\n`);
    else {
      // inverse problems: the identified parameters, with their error when the true values are known
      const params = result.params ? `  parameters: ${Object.entries(result.params).map(([k, v]) => {
        const ex = problem.exactParams?.[k];
        return `${k} = ${v.toPrecision(6)}${ex === undefined ? "" : ` (exact ${ex.toPrecision(6)}, error ${((Math.abs(v - ex) / Math.abs(ex)) * 100).toFixed(3)}%)`}`;
      }).join(", ")}\n` : "";
      io.stdout((ev ? `${name}: relative L2 error ${ev.relL2.toExponential(3)} against ${reference} on ${grid} points\n` : `${name}: trained (the problem has no exact or reference solution to compare with)\n`) + params +
        `  final loss ${result.finalLoss.toExponential(3)}, ${result.steps} steps (${result.adamSteps} Adam + ${result.lbfgsSteps} ${second})${stop}\n` + remedyLine(result) +
        `  ${evals}, ${threadLine}\n` +
        `  wall time ${formatDuration(seconds)} (training ${formatDuration(result.seconds)}${cp ? " over all sessions" : ""}` +
        `${cost ? `, reference ${formatDuration(cost.referenceSeconds)}` : ""}${timeLimit !== undefined ? `; limit ${formatDuration(timeLimit)}` : ""})\n` + written);
    }
    return code;
  } finally {
    result.network.dispose();
  }
}

export const pinnCommand: Command = {
  name: "pinn",
  summary: "train a physics-informed network on a built-in problem (burgers, heat, ...) or a problem file; --list",
  help: HELP,
  run,
};
