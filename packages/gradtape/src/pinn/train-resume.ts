// What ties a checkpoint to a run: the problem, the network's shape and the points (drawn again from their seed,
// then compared by CRC-32), checked field by field on resume so that the error names the difference; and putting
// a checkpoint's weights into the network.
import { ArgumentError, describe } from "../errors.js";
import { tidy } from "../memory.js";
import { fromFlat } from "../tensor.js";
import type { PinnNetwork } from "./network.js";
import type { Problem } from "./problem.js";
import type { TrainingData } from "./train.js";
import { CheckpointError, crc32, type TrainCheckpoint } from "./checkpoint.js";
import type { SamplerName } from "./sampling.js";

export interface CheckpointOptions {
  /** a directory: DIR/checkpoint.safetensors is written (Node) */
  dir?: string;
  /** also (or instead) hand each checkpoint to this function */
  onSave?: (cp: TrainCheckpoint) => void;
  /** steps between checkpoints (default 0: only when the run stops) */
  every?: number;
}

export function checkpointOptions(op: string, c: unknown): CheckpointOptions | null {
  if (c === undefined) return null;
  if (c === null || typeof c !== "object") throw new ArgumentError(`${op}: checkpoint must be { dir, every, onSave }, but got ${describe(c)}.`);
  const o = c as CheckpointOptions;
  if (o.dir !== undefined && (typeof o.dir !== "string" || o.dir === "")) throw new ArgumentError(`${op}: checkpoint.dir must be a directory path, but got ${describe(o.dir)}.`);
  if (o.onSave !== undefined && typeof o.onSave !== "function") throw new ArgumentError(`${op}: checkpoint.onSave must be a function.`);
  if (o.dir === undefined && o.onSave === undefined) throw new ArgumentError(`${op}: checkpoint needs a dir (a directory to write to) or onSave (a function that receives each checkpoint).`);
  if (o.every !== undefined && (!Number.isInteger(o.every) || o.every < 0)) throw new ArgumentError(`${op}: checkpoint.every must be an integer >= 0 (steps between checkpoints), but got ${describe(o.every)}.`);
  return o;
}

type Identity = Pick<TrainCheckpoint, "problem" | "network" | "data" | "plan">;

/** The parts of a checkpoint that describe the run (problem, network, points, plan). */
export function runIdentity(problem: Problem, net: PinnNetwork, data: TrainingData,
  options: { collocationPoints?: number; conditionPoints?: number; sampler?: SamplerName; seed?: number }, plan: TrainCheckpoint["plan"]): Identity {
  let crc = 0;
  const add = (a: Float32Array | Float64Array) => { crc = crc32(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), crc); };
  add(data.collocation.data());
  for (const g of data.groups) { add(g.points.data()); add(g.values.data()); if (g.weights) add(g.weights.data()); }
  for (const t of data.terms ?? []) { add(t.points.data()); add(t.values.data()); if (t.partner) add(t.partner.data()); }
  return {
    problem: { name: problem.name, vars: [...problem.vars], outputs: [...problem.outputs] },
    network: {
      inputs: net.inputs, outputs: net.outputs, hidden: [...net.hidden], activation: net.activation,
      scale: net.scaling ? { lo: [...net.scaling.lo], hi: [...net.scaling.hi] } : null,
      ...(net.dtype === "float64" ? { dtype: "float64" as const } : {}),
    },
    data: {
      collocationPoints: data.collocation.shape[0], conditionPoints: data.conditionCount,
      sampler: options.sampler ?? problem.defaults.sampler ?? "lhs", seed: options.seed ?? 0, crc32: crc,
    },
    plan,
  };
}

const show = (v: unknown) => JSON.stringify(v);

/** Checks that a checkpoint belongs to this run and loads its weights into the network. */
export function restoreInto(cp: TrainCheckpoint, run: Identity, net: PinnNetwork, plan: { adamSteps: number; lbfgsSteps: number }): void {
  const src = cp.source ?? "the checkpoint";
  const refuse = (what: string, theirs: unknown, ours: unknown, fix: string): never => {
    throw new CheckpointError(`cannot resume from ${src}: ${what} is ${show(theirs)} in the checkpoint but ${show(ours)} in this run; ${fix}.`);
  };
  const same = (a: unknown, b: unknown) => show(a) === show(b);
  if (cp.problem.name !== run.problem.name) refuse("the problem", cp.problem.name, run.problem.name, "resume it with the problem it was trained on");
  if (!same(cp.problem.vars, run.problem.vars)) refuse("the problem's variables", cp.problem.vars, run.problem.vars, "the problem statement changed");
  if (!same(cp.problem.outputs, run.problem.outputs)) refuse("the problem's outputs", cp.problem.outputs, run.problem.outputs, "the problem statement changed");
  const netFix = "give the network settings it was trained with (hidden layers, activation, input scaling)";
  for (const k of ["inputs", "outputs", "hidden", "activation", "scale"] as const) {
    if (!same(cp.network[k], run.network[k])) refuse(`the network's ${k === "hidden" ? "hidden layers" : k}`, cp.network[k], run.network[k], netFix);
  }
  if ((cp.network.dtype ?? "float32") !== (run.network.dtype ?? "float32")) {
    refuse("the dtype", cp.network.dtype ?? "float32", run.network.dtype ?? "float32", `resume it with dtype "${cp.network.dtype ?? "float32"}"`);
  }
  for (const k of ["collocationPoints", "conditionPoints", "sampler", "seed"] as const) {
    if (!same(cp.data[k], run.data[k])) refuse(k, cp.data[k], run.data[k], "give the point counts, sampler and seed it was trained with");
  }
  if (cp.data.crc32 !== run.data.crc32) refuse("the CRC-32 of the training points", cp.data.crc32, run.data.crc32, "the points drawn from the same seed differ (a changed problem statement or sampler)");
  if (cp.progress.lbfgsSteps > 0 && plan.adamSteps !== cp.progress.adamSteps) {
    refuse("the number of Adam steps", cp.progress.adamSteps, plan.adamSteps, "the run is in its L-BFGS phase, so its Adam phase cannot change");
  }
  if (plan.adamSteps < cp.progress.adamSteps) refuse("the number of Adam steps done", cp.progress.adamSteps, plan.adamSteps, "plan at least as many Adam steps as were done");
  if (plan.lbfgsSteps < cp.progress.lbfgsSteps) refuse("the number of L-BFGS steps done", cp.progress.lbfgsSteps, plan.lbfgsSteps, "plan at least as many L-BFGS steps as were done");
  const vars = net.trainableWeights;
  if (cp.weights.length !== vars.length || cp.weights.some((w, i) => w.length !== vars[i].size)) {
    refuse("the weight sizes", cp.weights.map((w) => w.length), vars.map((v) => v.size), netFix);
  }
  tidy(() => vars.forEach((v, i) => v.assign(fromFlat(cp.weights[i], v.shape, v.dtype, "pinn.train"))));
}
