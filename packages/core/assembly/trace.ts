// Traces and programs: what gt.jit compiles a function to. While a trace records, every op that runs (the user's
// forward ops and the ops that backward rules run inside gradient/jacobian sweeps alike) is appended to it as a
// step: op code, input slots, output slot, and the op's recorded parameters. The straight-line program that
// results computes the function's outputs from its inputs with no tape at all: a gradient is, after all, only a
// sequence of ordinary ops, and the tape's work (tracking, nodes, cotangent maps, version checks) was needed only to
// find that sequence. Replaying it costs one dispatch per step.
//
// Slots: the inputs (slots 0..n), leaves (tensors that no recorded op made: captured weights, constants made inside
// the function such as a gradient's seed of ones; the program holds a reference to each and reads its *current*
// values, so a Variable updated in place between calls is seen) and step outputs. Before a program is kept, steps
// that no output needs are dropped (gradients a tape computed for tensors nobody asked about, say); each step then
// lists the slots whose last use it is, so a run frees intermediates as early as the eager code did, or earlier.
//
// What a program cannot replay is refused while tracing, with an error instead of a silently frozen value:
// reading the values of an input or of a step output (JS could branch on them), random draws (they would repeat
// the same numbers on every call), and in-place writes (assign, optimizer updates).
import { Tensor, get, has, at, retain, release, sameShape, sizeOf, scratchI32 } from "./tensor";
import { anyRecording } from "./tape";
import { Op } from "./ops/index";
import { fail, failed, ErrorCode } from "./errors";
import { forward } from "./ops/index";
import { ERR, planOutput } from "./ops/factory";
import { copy, reshape, viewOf, decShape, decRel } from "./ops/view";

const NO_SLOTS = new StaticArray<i32>(0);

class Step {
  frees: StaticArray<i32> = NO_SLOTS;     // slots whose last use is this step (released right after it)
  args: StaticArray<Tensor>;               // reused argument array of a run
  // a View step's shape and strides, decoded once from ip (records never write them, so every run shares them)
  viewShape: StaticArray<i32> | null = null;
  viewRel: StaticArray<i32> | null = null;
  constructor(public op: i32, public ins: StaticArray<i32>, public out: i32, public dtype: i32,
              public ip: StaticArray<i32>, public fp: StaticArray<f64>, public outShape: StaticArray<i32>) {
    this.args = new StaticArray<Tensor>(ins.length);
  }
}

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

/** A compiled program. */
class Program {
  live: StaticArray<Tensor | null>;        // slot values during a run
  owned: StaticArray<bool>;                // slots a run made and has not freed yet
  plan: StaticArray<Tensor | null>;        // per step: the output record kept from the last run (small outputs only)
  constructor(public steps: StaticArray<Step>, public leaves: StaticArray<Tensor | null>, public outs: StaticArray<i32>,
              public inShapes: StaticArray<StaticArray<i32>>, public inDtypes: StaticArray<i32>,
              public plannable: StaticArray<bool>) {
    this.live = new StaticArray<Tensor | null>(leaves.length);
    this.owned = new StaticArray<bool>(leaves.length);
    this.plan = new StaticArray<Tensor | null>(steps.length);
  }
  get nIn(): i32 { return this.inShapes.length; }
  /** Gives up the kept output records (each still alive: a failed op may have freed the one it was given). */
  dropPlan(): void {
    for (let k = 0; k < this.plan.length; k++) {
      const t = this.plan[k];
      if (t != null) { if (has(t.id) && at(t.id) === t) release(t); this.plan[k] = null; }
    }
  }
  release(): void {
    this.dropPlan();
    for (let i = 0; i < this.leaves.length; i++) { const t = this.leaves[i]; if (t != null) release(t); }
  }
}

// Output records kept between runs: a step whose output is small, is not a view and never leaves the run (not a
// result, not viewed by a result) writes into the record (and buffer) it made on the previous run instead of
// allocating new ones; the program holds them (memory().tensors counts them). Of the seed network's f + gradient
// + Hessian at one point this spares the allocation and release of 33 of 36 records per call. Large outputs are
// left to the allocator: keeping them would hold every intermediate of a PINN step at once.
const PLAN_MAX_BYTES: i32 = 16384;         // per output
const PLAN_BUDGET: i32 = 1 << 20;          // per program

const recorders = new Array<Recorder>();
const programs = new Map<i32, Program>();
let nextProgram: i32 = 1;

/** Whether a trace is recording (ops then record even with no tape active). */
@inline export function tracing(): bool { return recorders.length > 0; }

/** Called by tape.record for every op while a trace records. */
export function traceStep(op: i32, inputs: StaticArray<Tensor>, out: Tensor, ip: StaticArray<i32>, fp: StaticArray<f64>): void {
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
  return n;
}

/** Drops the innermost trace (the function threw). */
export function traceAbort(): void {
  if (recorders.length == 0) return;
  recorders.pop().releaseLeaves();
}

/**
 * Ends the innermost trace with the function's n outputs (handles in scratchI32[0..n)) and keeps its program.
 * Returns the program's id, or 0 on error (an output that is not a tensor of this call, for instance).
 */
export function traceEnd(n: i32): i32 {
  if (recorders.length == 0) { fail(ErrorCode.NoProgram, -1, -1, 0); return 0; }
  const rec = recorders.pop();
  const outs = new StaticArray<i32>(n);
  for (let i = 0; i < n; i++) {
    const t = get(scratchI32[i], -1, i);
    if (t == null) { rec.releaseLeaves(); return 0; }
    outs[i] = rec.slotFor(t);
  }
  const nSlots = rec.leaves.length;
  // (Identical steps are not merged: it saved 2 of 38 ops of the seed network's f + gradient + Hessian and none of a
  // PINN step, and a tape around a replay would then sum cotangents in another order than around fn itself, which
  // changes the last bit of derivatives taken through a jitted function.)
  const kept = rec.steps;
  // drop steps no output needs (backwards), then record each slot's last use
  const needed = new StaticArray<bool>(nSlots);
  for (let i = 0; i < n; i++) needed[outs[i]] = true;
  const keep = new StaticArray<bool>(kept.length);
  let count = 0;
  for (let k = kept.length - 1; k >= 0; k--) {
    const s = kept[k];
    if (!needed[s.out]) continue;
    keep[k] = true; count++;
    for (let i = 0; i < s.ins.length; i++) needed[s.ins[i]] = true;
  }
  const steps = new StaticArray<Step>(count);
  const lastUse = new StaticArray<i32>(nSlots);
  for (let i = 0; i < nSlots; i++) lastUse[i] = -1;
  let m = 0;
  for (let k = 0; k < kept.length; k++) {
    if (!keep[k]) continue;
    const s = kept[k];
    steps[m] = s;
    for (let i = 0; i < s.ins.length; i++) lastUse[s.ins[i]] = m;
    m++;
  }
  for (let i = 0; i < n; i++) lastUse[outs[i]] = count; // outputs outlive the run
  const isStepOut = new StaticArray<bool>(nSlots);
  for (let k = 0; k < count; k++) isStepOut[steps[k].out] = true;
  for (let k = 0; k < count; k++) {
    const s = steps[k];
    let f = 0;
    for (let i = 0; i < s.ins.length; i++) { const x = s.ins[i]; if (isStepOut[x] && lastUse[x] == k && !dup(s.ins, i)) f++; }
    if (f == 0) continue;
    const frees = new StaticArray<i32>(f);
    f = 0;
    for (let i = 0; i < s.ins.length; i++) { const x = s.ins[i]; if (isStepOut[x] && lastUse[x] == k && !dup(s.ins, i)) frees[f++] = x; }
    s.frees = frees;
  }
  // leaves no kept step or output uses are released now
  const leaves = new StaticArray<Tensor | null>(nSlots);
  for (let i = 0; i < nSlots; i++) {
    const t = rec.leaves[i];
    if (t == null) continue;
    if (needed[i]) leaves[i] = t; else release(t);
  }
  // which step outputs may be kept between runs: not results, not viewed by anything that escapes, small enough
  const escapes = new StaticArray<bool>(nSlots);
  for (let i = 0; i < n; i++) escapes[outs[i]] = true;
  for (let k = count - 1; k >= 0; k--) { const s = steps[k]; if (s.op == Op.View && escapes[s.out]) escapes[s.ins[0]] = true; }
  for (let k = 0; k < count; k++) { const s = steps[k]; if (s.op == Op.View) { s.viewShape = decShape(s.ip); s.viewRel = decRel(s.ip); } }
  const plannable = new StaticArray<bool>(count);
  let budget = PLAN_BUDGET;
  for (let k = 0; k < count; k++) {
    const s = steps[k];
    if (s.op == Op.View || escapes[s.out]) continue;
    const bytes = sizeOf(s.outShape) << 2;
    if (bytes > PLAN_MAX_BYTES || bytes > budget) continue;
    plannable[k] = true;
    budget -= bytes < 16 ? 16 : bytes;
  }
  const p = new Program(steps, leaves, outs, rec.inShapes, rec.inDtypes, plannable);
  const id = nextProgram++;
  programs.set(id, p);
  return id;
}

/** Whether ins[i] also appears earlier in ins (a slot is freed once). */
function dup(ins: StaticArray<i32>, i: i32): bool { for (let j = 0; j < i; j++) if (ins[j] == ins[i]) return true; return false; }

/**
 * Runs program `id` on the n input handles in scratchI32[0..n) (the shapes and dtypes it was traced with); writes
 * its output handles (new references, owned by the caller) to scratchI32 and returns their count, or -1 on error
 * (nothing made by the run is left alive).
 */
export function programRun(id: i32, n: i32): i32 {
  if (!programs.has(id)) { fail(ErrorCode.NoProgram, -1, -1, id); return -1; }
  const p = programs.get(id);
  if (n != p.nIn) { fail(ErrorCode.NoProgram, -1, -1, id, n); return -1; }
  const live = p.live, owned = p.owned, leaves = p.leaves;
  for (let i = 0; i < n; i++) {
    const x = get(scratchI32[i], -1, i); if (x == null) { clearLive(p); return -1; }
    if (x.dtype != p.inDtypes[i]) { fail(ErrorCode.DType, -1, i, p.inDtypes[i], x.dtype); clearLive(p); return -1; }
    if (!sameShape(x.shape, p.inShapes[i])) { fail(ErrorCode.ShapeMismatch, -1, i, 0, 0); clearLive(p); return -1; }
    unchecked(live[i] = x);
  }
  for (let i = n; i < leaves.length; i++) { const t = unchecked(leaves[i]); if (t != null) unchecked(live[i] = t); }
  const steps = p.steps, plan = p.plan, plannable = p.plannable;
  // kept records only when no tape records the run: a tape's node would keep a record that the next run overwrites
  const planning = !anyRecording();
  for (let k = 0; k < steps.length; k++) {
    const s = unchecked(steps[k]);
    const ins = s.ins, args = s.args;
    for (let i = 0; i < ins.length; i++) unchecked(args[i] = changetype<Tensor>(unchecked(live[unchecked(ins[i])])));
    const kept = planning ? unchecked(plan[k]) : null;
    planOutput(kept);
    const y = s.op == Op.View ? viewOf(unchecked(args[0]), s.viewShape!, s.viewRel!, unchecked(s.ip[1])) : forward(s.op, args, s.ip, s.fp, s.dtype, s.outShape);
    planOutput(null);
    if (y === ERR || failed()) { freeOwned(p); clearLive(p); p.dropPlan(); return -1; }
    unchecked(live[s.out] = y);
    if (kept !== null && y === kept) unchecked(owned[s.out] = false);              // written into the kept record
    else if (planning && kept === null && unchecked(plannable[k])) { unchecked(plan[k] = y); unchecked(owned[s.out] = false); } // kept from now on
    else unchecked(owned[s.out] = true);
    const fr = s.frees;
    for (let i = 0; i < fr.length; i++) {
      const x = unchecked(fr[i]);
      if (unchecked(owned[x])) { release(changetype<Tensor>(unchecked(live[x]))); unchecked(owned[x] = false); }
    }
  }
  const outs = p.outs;
  for (let i = 0; i < outs.length; i++) {
    const o = unchecked(outs[i]);
    const t = changetype<Tensor>(unchecked(live[o]));
    let r: Tensor;
    if (unchecked(owned[o])) { unchecked(owned[o] = false); r = t; } // the run's reference becomes the caller's
    else if (o < n || unchecked(leaves[o]) == null) { retain(t); r = t; } // an input (as eager code returns it), or a step output given twice
    else {
      // a leaf (a constant the function made): a copy, as the eager function returns a new tensor on every call,
      // so that writing to one result cannot change the program's constant
      r = copy(t);
      if (r === ERR) { for (let j = 0; j < i; j++) release(changetype<Tensor>(get(scratchI32[j]))); freeOwned(p); clearLive(p); return -1; }
    }
    scratchI32[i] = r.id;
  }
  freeOwned(p);
  clearLive(p);
  return outs.length;
}

function freeOwned(p: Program): void {
  for (let i = 0; i < p.owned.length; i++) if (unchecked(p.owned[i])) { unchecked(p.owned[i] = false); release(changetype<Tensor>(unchecked(p.live[i]))); }
}
// (the slot table holds no references between runs, so that the GC is free to reclaim freed records)
function clearLive(p: Program): void { memory.fill(changetype<usize>(p.live), 0, <usize>p.live.length << 2); }

export function programRelease(id: i32): i32 {
  if (!programs.has(id)) return 0;
  programs.get(id).release();
  programs.delete(id);
  return 1;
}
/** The number of steps of program id (after merging and dropping), or -1. */
export function programSteps(id: i32): i32 { return programs.has(id) ? programs.get(id).steps.length : -1; }
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
  return k >= 0 && k < p.steps.length ? p.steps[k].op : -1;
}
export function programCount(): i32 { return programs.size; }
export function traceDepth(): i32 { return recorders.length; }
