// Step-by-step runs of a jit program, for profiling (test/bench/step-profile.mjs): the caller binds the inputs,
// runs each step with its own call and reads a clock around it (the core has no clock), then collects the outputs.
// The steps run exactly as in programRun (program.ts runStep, with the same kept records and frees), so the time of
// a step here is its time in a normal run plus one call across the wasm boundary (~0.1 us, which the profiler
// measures with an empty call and subtracts). Not for production use: one profiled run at a time.
import { Program, Schedule, bindRun, runStep, finishRun, freeOwned, clearLive } from "./program";
import { programOf } from "./trace";
import { anyRecording } from "./ops/record";
import { fail, ErrorCode } from "./errors";
import { sizeOf } from "./tensor";
import { Op } from "./ops/codes";

let current: Program | null = null;
let planning: bool = false;
let sched: Schedule | null = null;

/** Binds a run of program id on the n inputs in scratchI32; returns its step count, or -1. */
export function profileBegin(id: i32, n: i32): i32 {
  if (current != null) { const c = current!; freeOwned(c); clearLive(c); current = null; }
  const p = programOf(id);
  if (p == null) { fail(ErrorCode.NoProgram, -1, -1, id); return -1; }
  if (!bindRun(p, id, n)) return -1;
  current = p;
  planning = !anyRecording();
  sched = planning ? p.sch : p.rec;
  return sched!.steps.length;
}
/** Runs step k of the bound run (steps in order); 1, or 0 on error (the run is then torn down). */
export function profileStep(k: i32): i32 {
  const p = current;
  const sch = sched;
  if (p == null || sch == null || k < 0 || k >= sch.steps.length) return 0;
  if (!runStep(p, sch, k, planning)) { current = null; return 0; }
  return 1;
}
/** The empty call the profiler times to subtract the boundary's cost. */
export function profileNothing(k: i32): i32 { return current == null ? 0 : 1; }
/** Ends the bound run: output handles into scratchI32 (owned by the caller); their count, or -1. */
export function profileEnd(): i32 {
  const p = current;
  if (p == null) return -1;
  current = null;
  return finishRun(p);
}
/** The number of elements step k of program id writes (its output's size; 0 for a view), or -1. */
export function stepSize(id: i32, k: i32): i32 {
  const p = programOf(id);
  if (p == null || k < 0 || k >= p.sch.steps.length) return -1;
  const s = p.sch.steps[k];
  return s.op == Op.View ? 0 : sizeOf(s.outShape);
}
/** Slot of input i of step k of program id (i == -1: the step's output slot), or -1: for dumping a program's graph. */
export function stepSlot(id: i32, k: i32, i: i32): i32 {
  const p = programOf(id);
  if (p == null || k < 0 || k >= p.sch.steps.length) return -1;
  const s = p.sch.steps[k];
  if (i == -1) return s.out;
  return i >= 0 && i < s.ins.length ? s.ins[i] : -1;
}
/** The number of ops step k of program id runs as one fused chain (fusion.ts); 0 for an unfused step; -1. */
export function stepFused(id: i32, k: i32): i32 {
  const p = programOf(id);
  if (p == null || k < 0 || k >= p.sch.steps.length) return -1;
  const c = p.sch.steps[k].chain;
  return c == null ? 0 : c.members.length;
}
/** The op code of op j of the chain at step k of program id, or -1. */
export function stepFusedOp(id: i32, k: i32, j: i32): i32 {
  const p = programOf(id);
  if (p == null || k < 0 || k >= p.sch.steps.length) return -1;
  const c = p.sch.steps[k].chain;
  return c == null || j < 0 || j >= c.members.length ? -1 : c.members[j].op;
}
/** The number of instructions the chain at step k of program id runs (fewer than its ops when pairs fused), or -1. */
export function stepInstructions(id: i32, k: i32): i32 {
  const p = programOf(id);
  if (p == null || k < 0 || k >= p.sch.steps.length) return -1;
  const c = p.sch.steps[k].chain;
  return c == null ? -1 : c.nInstr;
}
/** The kind (kernels/chain.ts K) of instruction j of the chain at step k of program id, or -1. */
export function stepInstructionKind(id: i32, k: i32, j: i32): i32 {
  const p = programOf(id);
  if (p == null || k < 0 || k >= p.sch.steps.length) return -1;
  const c = p.sch.steps[k].chain;
  return c == null || j < 0 || j >= c.nInstr ? -1 : c.code[j * 7];
}
