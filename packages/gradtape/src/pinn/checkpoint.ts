// A training checkpoint: everything a run needs to continue bit for bit (the weights, the optimizers' states with
// Adam's moments and L-BFGS's float64 iterate, history and call in progress, the step counts, the loss history per
// term) and what it must be checked against (the problem, the network's shape, how the points were drawn and a
// CRC-32 of them). No random stream is consumed during training (points and initial weights are drawn once, from
// the seed), so the seed and the points' checksum stand for the RNG state.
//
// On disk it is ONE safetensors file (so PyTorch/JAX can read the weights): the tensors as F32 (weights, Adam
// moments) or F64 (L-BFGS vectors, the loss history), the rest as JSON in the metadata, and a CRC-32 over the JSON
// and every data byte. A truncated or altered file fails the length checks of the format or the checksum.
import { encodeSafetensors, decodeSafetensors, type TensorSource } from "../io/safetensors-format.js";
import { GradtapeError } from "../errors.js";
import type { OptimizerState, LBFGSState, LBFGSRunState, BFGSState } from "../optim/state.js";
import type { RemedyState } from "./remedies.js";

/** A checkpoint that cannot be read, or does not fit the run it is resumed into. */
export class CheckpointError extends GradtapeError {}

export const CHECKPOINT_FORMAT = "gradtape.pinn.checkpoint/1";
const META_STATE = "gradtape.checkpoint", META_CRC = "gradtape.crc32";

/** How the network was made: what a resumed run must match. */
export interface NetworkShape { inputs: number; outputs: number; hidden: number[]; activation: string; scale: { lo: number[]; hi: number[] } | null;
  /** "float64" for a float64 run (its weights, Adam moments and adaptive points are stored F64); absent: float32 */
  dtype?: "float64" }
/** How the points were drawn (they are drawn again on resume) and a CRC-32 of their float32 bytes. */
export interface DataSettings { collocationPoints: number; conditionPoints: number; sampler: string; seed: number; crc32: number }

export interface TrainCheckpoint {
  problem: { name: string; vars: string[]; outputs: string[] };
  network: NetworkShape;
  data: DataSettings;
  /** the planned steps and Adam's learning rate (null for a schedule) */
  plan: { adamSteps: number; lbfgsSteps: number; learningRate: number | null };
  progress: {
    steps: number; adamSteps: number; lbfgsSteps: number; lbfgsEvaluations: number; finalLoss: number;
    /** of lbfgsEvaluations, those made by line searches (absent in checkpoints written before it was counted) */
    lineSearchEvaluations?: number;
    /** training seconds over all sessions */
    seconds: number;
    /** null while running (a periodic checkpoint); else why the run stopped */
    stopReason: string | null;
    /** the L-BFGS restart loop (pinn.train): the loss before the current call, and calls without gain */
    lbfgsCall: { before: number; fruitless: number };
  };
  termNames: string[];
  /** [step, loss, ...terms] per step, row-major (rows of 2 + termNames.length numbers) */
  history: Float64Array;
  weights: (Float32Array | Float64Array)[];
  adam: OptimizerState | null;
  /** the second phase's state: L-BFGS's, or the dense BFGS family's (its H packed, n (n + 1) / 2 doubles) */
  lbfgs: LBFGSState | BFGSState | null;
  /** adaptive collocation (its generator and current points) and causal training (its eps and weights): remedies.ts */
  remedies?: RemedyState;
  /** the file it was read from (set by loadCheckpoint; not stored) */
  source?: string;
}

/** CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320, as zlib and PNG), continued from `crc` over bytes. */
const TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) { let c = n; for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1; t[n] = c >>> 0; }
  return t;
})();
export function crc32(bytes: Uint8Array, crc = 0): number {
  let c = ~crc >>> 0;
  for (let i = 0; i < bytes.length; i++) c = TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}
// Node's zlib.crc32 (Node >= 20.15, native: ~4 ms for a 2.5 MB checkpoint against ~45 ms for the table loop) when
// the runtime has it; the same function (the table version is tested against it), so either reads the other's files
const native = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule?.("node:zlib") as
  { crc32?: (data: Uint8Array, value?: number) => number } | undefined;
const checksum = (bytes: Uint8Array, crc = 0): number => (native?.crc32 ? native.crc32(bytes, crc) : crc32(bytes, crc));
const bytesOf = (a: Float32Array | Float64Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/** Numbers that JSON cannot hold (NaN, ±Infinity) as strings. */
const num = (v: number): number | string => (Number.isFinite(v) ? v : String(v));
const unnum = (v: unknown): number => (typeof v === "number" ? v : v === "NaN" ? NaN : v === "Infinity" ? Infinity : v === "-Infinity" ? -Infinity : NaN);

export function encodeCheckpoint(cp: TrainCheckpoint): Uint8Array {
  const tensors = new Map<string, TensorSource>();
  cp.weights.forEach((w, i) => tensors.set(`weights.${i}`, { shape: [w.length], data: w }));
  cp.adam?.variables.forEach((v, i) => v?.slots.forEach((s, j) => tensors.set(`adam.${i}.${j}`, { shape: [s.length], data: s })));
  const lb = cp.lbfgs;
  if (lb) {
    if (lb.x) tensors.set("lbfgs.x", { shape: [lb.x.length], data: lb.x });
    if (lb.kind === "BFGS") { if (lb.H) tensors.set("lbfgs.H", { shape: [lb.H.length], data: lb.H }); }
    else lb.s.forEach((v, j) => { tensors.set(`lbfgs.s.${j}`, { shape: [v.length], data: v }); tensors.set(`lbfgs.y.${j}`, { shape: [v.length], data: lb.y[j] }); });
    if (lb.kind === "LBFGS" && lb.rho.length) tensors.set("lbfgs.rho", { shape: [lb.rho.length], data: Float64Array.from(lb.rho) });
    if (lb.run) tensors.set("lbfgs.run.g", { shape: [lb.run.g.length], data: lb.run.g });
  }
  const width = 2 + cp.termNames.length;
  if (cp.history.length % width !== 0) throw new CheckpointError(`encodeCheckpoint: the history holds ${cp.history.length} numbers, not rows of ${width} (step, loss and ${width - 2} terms).`);
  tensors.set("history", { shape: [cp.history.length / width, width], data: cp.history });
  const run = lb?.run ?? null;
  const rem = cp.remedies;
  if (rem?.adaptive) tensors.set("adaptive.points", { shape: [rem.adaptive.points.length], data: rem.adaptive.points });
  const state = {
    format: CHECKPOINT_FORMAT, problem: cp.problem, network: cp.network, data: cp.data, plan: cp.plan,
    progress: { ...cp.progress, finalLoss: num(cp.progress.finalLoss), lbfgsCall: { before: num(cp.progress.lbfgsCall.before), fruitless: cp.progress.lbfgsCall.fruitless } },
    termNames: cp.termNames,
    ...(rem ? { remedies: { settings: rem.settings, ...(rem.adaptive ? { adaptive: { rng: rem.adaptive.rng, resamples: rem.adaptive.resamples } } : {}), ...(rem.causal ? { causal: rem.causal } : {}), ...(rem.balancing ? { balancing: rem.balancing } : {}) } } : {}),
    adam: cp.adam ? { kind: cp.adam.kind, iterations: cp.adam.iterations, variables: cp.adam.variables.map((v) => (v ? { steps: v.steps, slots: v.slots.length } : null)) } : null,
    lbfgs: lb ? {
      iterations: lb.iterations, x: lb.x !== null, pairs: lb.kind === "BFGS" ? lb.pairs : lb.s.length,
      ...(lb.kind === "BFGS" ? { kind: lb.kind, update: lb.update, H: lb.H !== null, updates: lb.updates, skipped: lb.skipped } : {}),
      run: run ? { iterations: run.iterations, evaluations: run.evaluations, f: num(run.f), terms: run.terms.map(num), pending: run.pending ? { fPrev: num(run.pending.fPrev), approx: run.pending.approx, smax: num(run.pending.smax) } : null } : null,
    } : null,
  };
  const json = JSON.stringify(state);
  let crc = checksum(new TextEncoder().encode(json));
  for (const t of tensors.values()) crc = checksum(bytesOf(t.data as Float32Array | Float64Array), crc);
  return encodeSafetensors(tensors, { [META_STATE]: json, [META_CRC]: crc.toString(16).padStart(8, "0") });
}

/** Reads a checkpoint; `source` (a file name) is named in every error. */
export function decodeCheckpoint(bytes: Uint8Array, source = "the checkpoint"): TrainCheckpoint {
  const bad = (why: string): never => { throw new CheckpointError(`${source}: ${why}`); };
  let file;
  try { file = decodeSafetensors(bytes); } catch (e) { return bad(`not a readable checkpoint (${(e as Error).message}); it may be truncated: resume from an earlier copy or start again.`); }
  const meta = file.metadata ?? {};
  const json = meta[META_STATE];
  if (typeof json !== "string") return bad(`a safetensors file without gradtape checkpoint state (a weights file?); checkpoints are written by pinn.train's checkpoint option or gradtape pinn --out/--checkpoint.`);
  let crc = checksum(new TextEncoder().encode(json));
  const f64 = (name: string): Float64Array => {
    const e = file.tensors.get(name) ?? bad(`the tensor ${name} is missing.`);
    if (e.dtype !== "F64") bad(`the tensor ${name} is ${e.dtype}, expected F64.`);
    return new Float64Array(new Uint8Array(e.bytes).buffer);
  };
  const f32 = (name: string): Float32Array => {
    const e = file.tensors.get(name) ?? bad(`the tensor ${name} is missing.`);
    if (e.dtype !== "F32") bad(`the tensor ${name} is ${e.dtype}, expected F32.`);
    return new Float32Array(new Uint8Array(e.bytes).buffer);
  };
  for (const e of file.tensors.values()) crc = checksum(e.bytes, crc);
  if (crc.toString(16).padStart(8, "0") !== meta[META_CRC]) bad(`the checksum does not match (CRC-32 ${crc.toString(16)}, recorded ${String(meta[META_CRC])}): the file was altered or damaged.`);
  let s: any;
  try { s = JSON.parse(json); } catch { return bad(`the checkpoint state is not valid JSON.`); }
  if (s?.format !== CHECKPOINT_FORMAT) bad(`format ${JSON.stringify(s?.format)}, expected ${CHECKPOINT_FORMAT}.`);
  // the fields a resumed run reads, with their types (a file that passes the checksum but was written by hand)
  const want: [string, unknown, string][] = [
    ["problem.name", s.problem?.name, "string"], ["problem.vars", s.problem?.vars, "strings"], ["problem.outputs", s.problem?.outputs, "strings"],
    ["network.inputs", s.network?.inputs, "count"], ["network.outputs", s.network?.outputs, "count"], ["network.hidden", s.network?.hidden, "counts"],
    ["network.activation", s.network?.activation, "string"], ["data.collocationPoints", s.data?.collocationPoints, "count"],
    ["data.conditionPoints", s.data?.conditionPoints, "count"], ["data.sampler", s.data?.sampler, "string"], ["data.seed", s.data?.seed, "count"],
    ["data.crc32", s.data?.crc32, "count"], ["plan.adamSteps", s.plan?.adamSteps, "count"], ["plan.lbfgsSteps", s.plan?.lbfgsSteps, "count"],
    ["progress.steps", s.progress?.steps, "count"], ["progress.adamSteps", s.progress?.adamSteps, "count"],
    ["progress.lbfgsSteps", s.progress?.lbfgsSteps, "count"], ["progress.lbfgsEvaluations", s.progress?.lbfgsEvaluations, "count"],
    ["progress.seconds", s.progress?.seconds, "number"], ["progress.lbfgsCall.fruitless", s.progress?.lbfgsCall?.fruitless, "count"],
    ["termNames", s.termNames, "strings"],
    ...(s.progress?.lineSearchEvaluations === undefined ? [] : [["progress.lineSearchEvaluations", s.progress.lineSearchEvaluations, "count"] as [string, unknown, string]]),
  ];
  const ok = (v: unknown, t: string) => t === "string" ? typeof v === "string" : t === "number" ? typeof v === "number"
    : t === "count" ? Number.isSafeInteger(v) && (v as number) >= 0 : t === "strings" ? Array.isArray(v) && v.every((x) => typeof x === "string")
    : Array.isArray(v) && v.every((x) => Number.isSafeInteger(x) && x > 0);
  for (const [name, v, t] of want) if (!ok(v, t)) bad(`the field ${name} is ${JSON.stringify(v)}; expected ${t === "count" ? "an integer >= 0" : t === "counts" ? "positive integers" : t === "strings" ? "an array of strings" : `a ${t}`}.`);
  try { return build(s, file, f32, f64); } catch (e) {
    if (e instanceof GradtapeError) throw e;
    return bad(`the checkpoint state is malformed (${(e as Error).message}).`);
  }
}

type Reader<T> = (name: string) => T;
function build(s: any, file: ReturnType<typeof decodeSafetensors>, f32: Reader<Float32Array>, f64: Reader<Float64Array>): TrainCheckpoint { // eslint-disable-line @typescript-eslint/no-explicit-any
  // F32, or F64 in a float64 run's checkpoint
  const fl = (name: string): Float32Array | Float64Array => (file.tensors.get(name)?.dtype === "F64" ? f64(name) : f32(name));
  const weights: (Float32Array | Float64Array)[] = [];
  for (let i = 0; file.tensors.has(`weights.${i}`); i++) weights.push(fl(`weights.${i}`));
  const adam: OptimizerState | null = s.adam ? {
    kind: s.adam.kind, iterations: s.adam.iterations,
    variables: (s.adam.variables as ({ steps: number; slots: number } | null)[]).map((v, i) => (v ? { steps: v.steps, slots: Array.from({ length: v.slots }, (_, j) => fl(`adam.${i}.${j}`)) } : null)),
  } : null;
  let lbfgs: LBFGSState | BFGSState | null = null;
  if (s.lbfgs) {
    const L = s.lbfgs, pairs = L.pairs as number;
    const r = L.run;
    const run: LBFGSRunState | null = r ? {
      iterations: r.iterations, evaluations: r.evaluations, f: unnum(r.f), terms: (r.terms as unknown[]).map(unnum), g: f64("lbfgs.run.g"),
      pending: r.pending ? { fPrev: unnum(r.pending.fPrev), approx: r.pending.approx, smax: unnum(r.pending.smax) } : null,
    } : null;
    if (L.kind === "BFGS") {
      lbfgs = { kind: "BFGS", update: String(L.update), iterations: L.iterations, x: L.x ? f64("lbfgs.x") : null, H: L.H ? f64("lbfgs.H") : null,
        pairs, updates: L.updates, skipped: L.skipped, run };
    } else lbfgs = {
      kind: "LBFGS", iterations: L.iterations, x: L.x ? f64("lbfgs.x") : null,
      s: Array.from({ length: pairs }, (_, j) => f64(`lbfgs.s.${j}`)), y: Array.from({ length: pairs }, (_, j) => f64(`lbfgs.y.${j}`)),
      rho: pairs ? Array.from(f64("lbfgs.rho")) : [], run,
    };
  }
  const history = f64("history"), width = 2 + (s.termNames as string[]).length;
  if (history.length % width !== 0) throw new CheckpointError(`the history holds ${history.length} numbers, not rows of ${width}.`);
  const p = s.progress;
  const r = s.remedies;
  const remedies = r ? { settings: String(r.settings), ...(r.adaptive ? { adaptive: { rng: r.adaptive.rng, resamples: r.adaptive.resamples, points: fl("adaptive.points") } } : {}), ...(r.causal ? { causal: r.causal } : {}), ...(r.balancing ? { balancing: r.balancing } : {}) } : undefined;
  return {
    ...(remedies ? { remedies } : {}),
    problem: s.problem, network: s.network, data: s.data, plan: s.plan, termNames: s.termNames, history, weights, adam, lbfgs,
    progress: { ...p, finalLoss: unnum(p.finalLoss), lbfgsCall: { before: unnum(p.lbfgsCall.before), fruitless: p.lbfgsCall.fruitless } },
  };
}
