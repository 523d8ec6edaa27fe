// Programs: what a trace (trace.ts) becomes, and how it runs. A program is a straight-line list of steps over
// slots: the inputs (slots 0..n), leaves (tensors no recorded op made: captured weights, constants made inside the
// function such as a gradient's seed of ones; the program holds a reference to each and reads its *current* values,
// so a Variable updated in place between calls is seen) and step outputs. Building one:
// - steps that no output needs are dropped (gradients a tape computed for tensors nobody asked about, say);
// - identical steps are not merged: it saved 2 of 38 ops of the seed network's f + gradient + Hessian and none of a
//   PINN step, and a tape around a replay would then sum cotangents in another order than around fn itself, which
//   changes the last bit of derivatives taken through a jitted function;
// - elementwise steps are not fused: folding an op into the add that is its only use (54 of the 336 steps of the
//   nested-tape Burgers step) bought 1-2% (A/B, min of 3 runs: 38.9 -> 38.3 ms on one thread, 22.2 -> 21.9 ms on
//   two), not worth a second schedule for runs that a tape records;
// - each step lists the slots whose last use it is, so a run frees intermediates as early as the eager code did, or
//   earlier; small outputs that never leave a run are written into records kept from the previous run.
import { Tensor, get, has, at, retain, release, sameShape, sizeOf, scratchI32 } from "./tensor";
import { fail, failed, ErrorCode } from "./errors";
import { Op } from "./ops/codes";
import { ruleOf, ReplayFn } from "./ops/table";
import { ERR, planOutput } from "./ops/factory";
import { copy, viewOf, decShape, decRel, decOffset } from "./ops/view";
import { anyRecording } from "./ops/record";
import { FusedChain, runChain } from "./ops/chain";

const NO_SLOTS = new StaticArray<i32>(0);

export class Step {
  frees: StaticArray<i32> = NO_SLOTS;     // slots whose last use is this step (released right after it)
  args: StaticArray<Tensor>;               // reused argument array of a run
  // a View step's shape, strides and offset, decoded once from ip (records never write them, so every run shares them)
  viewShape: StaticArray<i32> | null = null;
  viewRel: StaticArray<i32> | null = null;
  viewOff: i32 = 0;
  replay: ReplayFn = unreplayable;         // the op's replay (its op-table entry), looked up once
  chain: FusedChain | null = null;         // a fused chain of elementwise ops (fusion.ts), run instead of replay
  constructor(public op: i32, public ins: StaticArray<i32>, public out: i32, public dtype: i32,
              public ip: StaticArray<i32>, public fp: StaticArray<f64>, public outShape: StaticArray<i32>) {
    this.args = new StaticArray<Tensor>(ins.length);
    const r = ruleOf(op);
    if (r != null && r.replay != null) this.replay = r.replay!;
  }
}

/** A recorded op with no replay: a bug (the op-table test proves there is none), reported rather than trapped. */
function unreplayable(op: i32, x: StaticArray<Tensor>, ip: StaticArray<i32>, fp: StaticArray<f64>, dtype: i32, outShape: StaticArray<i32>): Tensor {
  fail(ErrorCode.BadArgument, op, -1, 0, op);
  return ERR;
}

// Output records kept between runs: a step whose output is small, is not a view and never leaves the run (not a
// result, not viewed by a result) writes into the record (and buffer) it made on the previous run instead of
// allocating new ones; the program holds them (memory().tensors counts them). Of the seed network's f + gradient
// + Hessian at one point this spares the allocation and release of 33 of 36 records per call. Large outputs are
// left to the allocator: keeping them would hold every intermediate of a PINN step at once.
const PLAN_MAX_BYTES: i32 = 16384;         // per output
const PLAN_BUDGET: i32 = 1 << 20;          // per program

/** An order of steps with what it frees and which outputs it keeps between runs. */
export class Schedule {
  plan: StaticArray<Tensor | null>;        // per step: the output record kept from the last run, if any
  constructor(public steps: StaticArray<Step>, public plannable: StaticArray<bool>) {
    this.plan = new StaticArray<Tensor | null>(steps.length);
  }
  /** Gives up the kept output records (each still alive: a failed op may have freed the one it was given). */
  dropPlan(): void {
    for (let k = 0; k < this.plan.length; k++) {
      const t = this.plan[k];
      if (t != null) { if (has(t.id) && at(t.id) === t) release(t); this.plan[k] = null; }
    }
  }
}

export class Program {
  live: StaticArray<Tensor | null>;        // slot values during a run
  owned: StaticArray<bool>;                // slots a run made and has not freed yet
  // sch: the steps with elementwise chains fused (fusion.ts); rec: the recorded steps, which a run takes while a tape
  // or trace records it, so that the recorder sees the ops in the eager function's order (a tape's sweep then sums
  // cotangents in the same order, giving the same bits). They are one schedule when nothing was fused.
  constructor(public sch: Schedule, public rec: Schedule, public leaves: StaticArray<Tensor | null>, public outs: StaticArray<i32>,
              public inShapes: StaticArray<StaticArray<i32>>, public inDtypes: StaticArray<i32>) {
    this.live = new StaticArray<Tensor | null>(leaves.length);
    this.owned = new StaticArray<bool>(leaves.length);
  }
  get nIn(): i32 { return this.inShapes.length; }
  release(): void {
    this.sch.dropPlan(); if (this.rec !== this.sch) this.rec.dropPlan();
    for (let i = 0; i < this.leaves.length; i++) { const t = this.leaves[i]; if (t != null) release(t); }
  }
}

/** Whether ins[i] also appears earlier in ins (a slot is freed once). */
function dup(ins: StaticArray<i32>, i: i32): bool { for (let j = 0; j < i; j++) if (ins[j] == ins[i]) return true; return false; }

/** Frees at last use, decoded views and kept-record eligibility for `steps`. */
function schedule(steps: StaticArray<Step>, outs: StaticArray<i32>, nSlots: i32): Schedule {
  const count = steps.length;
  const lastUse = new StaticArray<i32>(nSlots);
  for (let i = 0; i < nSlots; i++) lastUse[i] = -1;
  for (let k = 0; k < count; k++) { const s = steps[k]; for (let i = 0; i < s.ins.length; i++) lastUse[s.ins[i]] = k; }
  for (let i = 0; i < outs.length; i++) lastUse[outs[i]] = count; // outputs outlive the run
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
  // which step outputs may be kept between runs: not results, not viewed by anything that escapes, small enough
  const escapes = new StaticArray<bool>(nSlots);
  for (let i = 0; i < outs.length; i++) escapes[outs[i]] = true;
  for (let k = count - 1; k >= 0; k--) { const s = steps[k]; if (s.op == Op.View && escapes[s.out]) escapes[s.ins[0]] = true; }
  for (let k = 0; k < count; k++) { const s = steps[k]; if (s.op == Op.View) { s.viewShape = decShape(s.ip); s.viewRel = decRel(s.ip); s.viewOff = decOffset(s.ip); } }
  const plannable = new StaticArray<bool>(count);
  let budget = PLAN_BUDGET;
  for (let k = 0; k < count; k++) {
    const s = steps[k];
    if (s.op == Op.View || escapes[s.out]) continue;
    const bytes = sizeOf(s.outShape) << (s.dtype == 3 ? 3 : 2); // float64: 8-byte elements
    if (bytes > PLAN_MAX_BYTES || bytes > budget) continue;
    plannable[k] = true;
    budget -= bytes < 16 ? 16 : bytes;
  }
  return new Schedule(steps, plannable);
}

/**
 * The program of a finished trace: its steps (recorded order), leaves per slot (retained; released here when no
 * kept step needs them), the output slots, and the inputs' shapes and dtypes.
 */
/** A pass over a program's kept steps before it is scheduled (trace.ts gives the fusion pass, fusion.ts). */
export type StepPass = (steps: StaticArray<Step>, outs: StaticArray<i32>, leaves: StaticArray<Tensor | null>,
                        inShapes: StaticArray<StaticArray<i32>>) => StaticArray<Step>;
function noPass(steps: StaticArray<Step>, outs: StaticArray<i32>, leaves: StaticArray<Tensor | null>, inShapes: StaticArray<StaticArray<i32>>): StaticArray<Step> { return steps; }

export function buildProgram(recorded: Array<Step>, recLeaves: Array<Tensor | null>, outs: StaticArray<i32>,
                             inShapes: StaticArray<StaticArray<i32>>, inDtypes: StaticArray<i32>, pass: StepPass = noPass): Program {
  const nSlots = recLeaves.length, n = outs.length;
  // drop steps no output needs (backwards)
  const needed = new StaticArray<bool>(nSlots);
  for (let i = 0; i < n; i++) needed[outs[i]] = true;
  const keep = new StaticArray<bool>(recorded.length);
  let count = 0;
  for (let k = recorded.length - 1; k >= 0; k--) {
    const s = recorded[k];
    if (!needed[s.out]) continue;
    keep[k] = true; count++;
    for (let i = 0; i < s.ins.length; i++) needed[s.ins[i]] = true;
  }
  const steps = new StaticArray<Step>(count);
  let m = 0;
  for (let k = 0; k < recorded.length; k++) if (keep[k]) steps[m++] = recorded[k];
  // leaves no kept step or output uses are released now
  const leaves = new StaticArray<Tensor | null>(nSlots);
  for (let i = 0; i < nSlots; i++) {
    const t = recLeaves[i];
    if (t == null) continue;
    if (needed[i]) leaves[i] = t; else release(t);
  }
  const rec = schedule(steps, outs, nSlots), fused = pass(steps, outs, leaves, inShapes);
  return new Program(fused === steps ? rec : schedule(fused, outs, nSlots), rec, leaves, outs, inShapes, inDtypes);
}

/**
 * Runs program p (id `id`) on the n input handles in scratchI32[0..n) (the shapes and dtypes it was traced with); writes
 * its output handles (new references, owned by the caller) to scratchI32 and returns their count, or -1 on error
 * (nothing made by the run is left alive).
 */
export function runProgram(p: Program, id: i32, n: i32): i32 {
  if (!bindRun(p, id, n)) return -1;
  // kept records only when no tape records the run: a tape's node would keep a record that the next run overwrites
  const planning = !anyRecording();
  const sch = planning ? p.sch : p.rec;
  const count = sch.steps.length;
  for (let k = 0; k < count; k++) if (!runStep(p, sch, k, planning)) return -1;
  return finishRun(p);
}

/** A run's first part: the inputs (checked against the trace's shapes and dtypes) and the leaves into the slots. */
export function bindRun(p: Program, id: i32, n: i32): bool {
  if (n != p.nIn) { fail(ErrorCode.NoProgram, -1, -1, id, n); return false; }
  const live = p.live, leaves = p.leaves;
  for (let i = 0; i < n; i++) {
    const x = get(scratchI32[i], -1, i); if (x == null) { clearLive(p); return false; }
    if (x.dtype != p.inDtypes[i]) { fail(ErrorCode.DType, -1, i, p.inDtypes[i], x.dtype); clearLive(p); return false; }
    if (!sameShape(x.shape, p.inShapes[i])) { fail(ErrorCode.ShapeMismatch, -1, i, 0, 0); clearLive(p); return false; }
    unchecked(live[i] = x);
  }
  for (let i = n; i < leaves.length; i++) { const t = unchecked(leaves[i]); if (t != null) unchecked(live[i] = t); }
  return true;
}

/** Step k of a bound run (then frees what it was the last use of); false on error, with the run torn down. */
// @ts-ignore: decorator
@inline export function runStep(p: Program, sch: Schedule, k: i32, planning: bool): bool {
  const live = p.live, owned = p.owned;
  const s = unchecked(sch.steps[k]);
  const ins = s.ins, args = s.args;
  for (let i = 0; i < ins.length; i++) unchecked(args[i] = changetype<Tensor>(unchecked(live[unchecked(ins[i])])));
  const kept = planning ? unchecked(sch.plan[k]) : null;
  planOutput(kept);
  const c = s.chain;
  const y = c !== null ? runChain(c, args, s.outShape)
    : (s.op == Op.View ? viewOf(unchecked(args[0]), s.viewShape!, s.viewRel!, s.viewOff) : s.replay(s.op, args, s.ip, s.fp, s.dtype, s.outShape));
  planOutput(null);
  if (y === ERR || failed()) { freeOwned(p); clearLive(p); sch.dropPlan(); return false; }
  unchecked(live[s.out] = y);
  if (kept !== null && y === kept) unchecked(owned[s.out] = false);              // written into the kept record
  else if (planning && kept === null && unchecked(sch.plannable[k]) && y.dense) { unchecked(sch.plan[k] = y); unchecked(owned[s.out] = false); } // kept from now on
  else unchecked(owned[s.out] = true);
  const fr = s.frees;
  for (let i = 0; i < fr.length; i++) {
    const x = unchecked(fr[i]);
    if (unchecked(owned[x])) { release(changetype<Tensor>(unchecked(live[x]))); unchecked(owned[x] = false); }
  }
  return true;
}

/** A run's last part: the output handles (new references for the caller) into scratchI32; their count or -1. */
export function finishRun(p: Program): i32 {
  const live = p.live, owned = p.owned, leaves = p.leaves, n = p.nIn;
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
  // (nothing is owned here: every step output is an output or has a last use, where it was freed)
  clearLive(p);
  return outs.length;
}

export function freeOwned(p: Program): void {
  for (let i = 0; i < p.owned.length; i++) if (unchecked(p.owned[i])) { unchecked(p.owned[i] = false); release(changetype<Tensor>(unchecked(p.live[i]))); }
}
// (the slot table holds no references between runs, so that the GC is free to reclaim freed records)
export function clearLive(p: Program): void { memory.fill(changetype<usize>(p.live), 0, <usize>p.live.length << 2); }

