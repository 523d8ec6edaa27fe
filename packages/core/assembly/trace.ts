// Traces: how gt.jit compiles a function. While a trace records, every op that runs (the user's forward ops and the
// ops that backward rules run inside gradient/jacobian sweeps alike) is appended to it as a step: op code, input
// slots, output slot, and the op's recorded parameters. The straight-line program that results (program.ts)
// computes the function's outputs from its inputs with no tape at all: a gradient is, after all, only a sequence of
// ordinary ops, and the tape's work (tracking, nodes, cotangent maps, version checks) was needed only to find that
// sequence. Replaying it costs one dispatch per step.
//
// What a program cannot replay is refused while tracing, with an error instead of a silently frozen value:
// reading the values of an input or of a step output (JS could branch on them), random draws (they would repeat
// the same numbers on every call), and in-place writes (assign, optimizer updates).
import { Tensor, get, retain, release, scratchI32 } from "./tensor";
import { fail, ErrorCode } from "./errors";
import { ERR } from "./ops/factory";
import { reshape } from "./ops/view";
import { setTracing } from "./ops/record";
import { Step, Program, buildProgram, runProgram } from "./program";
import { fusePass } from "./fusion";

/** A trace being recorded. */
class Recorder {
  slotOf: Map<i32, i32> = new Map<i32, i32>();   // tensor id -> slot + 1
  steps: Array<Step> = new Array<Step>();
  leaves: Array<Tensor | null> = new Array<Tensor | null>(); // per slot: the leaf tensor (retained), or null
  inShapes: StaticArray<StaticArray<i32>>;
  inDtypes: StaticArray<i32>;
  constructor(public nIn: i32) {
    this.inShapes = new StaticArray<StaticArray<i32>>(nIn);
    this.inDtypes = new StaticArray<i32>(nIn);
    for (let i = 0; i < nIn; i++) this.leaves.push(null);
  }
  /** The slot of input tensor x: its own when seen before, else x becomes a leaf (retained by the recorder). */
  slotFor(x: Tensor): i32 {
    const s = this.slotOf.has(x.id) ? this.slotOf.get(x.id) - 1 : -1;
    if (s >= 0) return s;
    retain(x);
    const n = this.leaves.length;
    this.leaves.push(x);
    this.slotOf.set(x.id, n + 1);
    return n;
  }
  newSlot(id: i32): i32 {
    const n = this.leaves.length;
    this.leaves.push(null);
    this.slotOf.set(id, n + 1);
    return n;
  }
  /** Whether x's values depend on the call (an input, or made by a recorded step). */
  varies(id: i32): bool {
    if (!this.slotOf.has(id)) return false;
    const s = this.slotOf.get(id) - 1;
    return s < this.nIn || this.leaves[s] == null;
  }
  releaseLeaves(): void {
    for (let i = 0; i < this.leaves.length; i++) { const t = this.leaves[i]; if (t != null) release(t); }
    this.leaves.length = 0;
  }
}

const recorders = new Array<Recorder>();
const programs = new Map<i32, Program>();
let nextProgram: i32 = 1;

/** Called by record() (ops/record.ts) for every op while a trace records. */
function traceStep(op: i32, inputs: StaticArray<Tensor>, out: Tensor, ip: StaticArray<i32>, fp: StaticArray<f64>): void {
  for (let r = 0; r < recorders.length; r++) {
    const rec = unchecked(recorders[r]);
    const ins = new StaticArray<i32>(inputs.length);
    for (let i = 0; i < inputs.length; i++) unchecked(ins[i] = rec.slotFor(unchecked(inputs[i])));
    rec.steps.push(new Step(op, ins, rec.newSlot(out.id), out.dtype, ip, fp, out.shape));
  }
}

/**
 * Refuses, while a trace records, what a program could not replay. kind: 1 an in-place write (op says which),
 * 2 a random draw. Returns false (with the error recorded) when refused.
 */
export function traceAllows(kind: i32, op: i32): bool {
  if (recorders.length == 0) return true;
  fail(ErrorCode.TraceEffect, op, -1, kind);
  return false;
}

/** Refuses a read of values that vary between calls (an input or a step output of a recording trace). */
export function traceReadable(t: Tensor): bool {
  for (let r = 0; r < recorders.length; r++) {
    if (unchecked(recorders[r]).varies(t.id)) { fail(ErrorCode.TraceRead, -1, -1, t.id); return false; }
  }
  return true;
}

// ---- exports ----

/**
 * Starts a trace of a function of n inputs (handles in scratchI32[0..n)). Writes n fresh handles back: aliases of
 * the inputs (views sharing their storage) to pass to the function, so that a tensor given as an argument and also
 * captured by the function stays two different things (the argument varies, the captured one does not). Returns
 * n, or -1 on error.
 */
export function traceBegin(n: i32): i32 {
  const xs = new StaticArray<Tensor>(n);
  for (let i = 0; i < n; i++) { const x = get(scratchI32[i], -1, i); if (x == null) return -1; xs[i] = x; }
  const rec = new Recorder(n);
  for (let i = 0; i < n; i++) {
    const x = xs[i];
    // a View op: tapes and traces that are already recording see the alias as a view of x, so a gradient taken
    // around the tracing call reaches x (recorded before this trace starts: to it, the alias is input i)
    const a = reshape(x, x.shape);
    if (a === ERR) { for (let j = 0; j < i; j++) release(changetype<Tensor>(get(scratchI32[j]))); return -1; }
    a.trainable = x.trainable;
    rec.slotOf.set(a.id, i + 1);
    rec.inShapes[i] = x.shape; rec.inDtypes[i] = x.dtype;
    scratchI32[i] = a.id;
  }
  recorders.push(rec);
  setTracing(true, traceStep);
  return n;
}

/** Drops the innermost trace (the function threw). */
export function traceAbort(): void {
  if (recorders.length == 0) return;
  recorders.pop().releaseLeaves();
  setTracing(recorders.length > 0, traceStep);
}

/**
 * Ends the innermost trace with the function's n outputs (handles in scratchI32[0..n)) and keeps its program.
 * Returns the program's id, or 0 on error (an output that is not a tensor of this call, for instance).
 */
export function traceEnd(n: i32): i32 {
  if (recorders.length == 0) { fail(ErrorCode.NoProgram, -1, -1, 0); return 0; }
  const rec = recorders.pop();
  setTracing(recorders.length > 0, traceStep);
  const outs = new StaticArray<i32>(n);
  for (let i = 0; i < n; i++) {
    const t = get(scratchI32[i], -1, i);
    if (t == null) { rec.releaseLeaves(); return 0; }
    outs[i] = rec.slotFor(t);
  }
  const p = buildProgram(rec.steps, rec.leaves, outs, rec.inShapes, rec.inDtypes, fusePass);
  const id = nextProgram++;
  programs.set(id, p);
  return id;
}

/**
 * Runs program `id` on the n input handles in scratchI32[0..n) (program.ts runProgram); -1 on error.
 */
export function programRun(id: i32, n: i32): i32 {
  if (!programs.has(id)) { fail(ErrorCode.NoProgram, -1, -1, id); return -1; }
  return runProgram(programs.get(id), id, n);
}

export function programRelease(id: i32): i32 {
  if (!programs.has(id)) return 0;
  programs.get(id).release();
  programs.delete(id);
  return 1;
}
/** The number of steps a call of program id runs (after dropping unneeded ones), or -1. */
export function programSteps(id: i32): i32 { return programs.has(id) ? programs.get(id).sch.steps.length : -1; }
/** The number of leaves (captured tensors and constants) program id holds, or -1. */
export function programLeaves(id: i32): i32 {
  if (!programs.has(id)) return -1;
  const p = programs.get(id);
  let c = 0;
  for (let i = p.nIn; i < p.leaves.length; i++) if (p.leaves[i] != null) c++;
  return c;
}
/** The op code of step k of program id, or -1. */
export function programOp(id: i32, k: i32): i32 {
  if (!programs.has(id)) return -1;
  const p = programs.get(id);
  const steps = p.sch.steps;
  return k >= 0 && k < steps.length ? steps[k].op : -1;
}
export function programCount(): i32 { return programs.size; }
/** Program id, or null (for the step-by-step profiler, profile.ts). */
export function programOf(id: i32): Program | null { return programs.has(id) ? programs.get(id) : null; }
export function traceDepth(): i32 { return recorders.length; }
