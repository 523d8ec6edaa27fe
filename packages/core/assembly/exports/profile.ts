// The step-by-step profiler's exports (profile.ts; test/bench/step-profile.mjs reads them).
import * as P from "../profile";
import * as F from "../fusion";
import { begin } from "./entry";

export function programProfileBegin(id: i32, n: i32): i32 { begin(); return P.profileBegin(id, n); }
// (no begin() per step: the collector must not run between the steps of one run, whose slots hold records)
export function programProfileStep(k: i32): i32 { return P.profileStep(k); }
export function programProfileNothing(k: i32): i32 { return P.profileNothing(k); }
export function programProfileEnd(): i32 { return P.profileEnd(); }
export function programStepSize(id: i32, k: i32): i32 { return P.stepSize(id, k); }
export function programStepSlot(id: i32, k: i32, i: i32): i32 { return P.stepSlot(id, k, i); }
/** Fusion of elementwise chains in programs built from now on (on by default; jit's `fuse` option). */
export function setFusion(on: i32): void { F.setFusion(on != 0); }
/** The number of ops step k of program id runs as one fused chain (0: an unfused step), or -1. */
export function programStepFused(id: i32, k: i32): i32 { return P.stepFused(id, k); }
/** The op code of op j of the fused chain at step k of program id, or -1. */
export function programStepFusedOp(id: i32, k: i32, j: i32): i32 { return P.stepFusedOp(id, k, j); }
/** The number of instructions the fused chain at step k of program id runs (fewer than its ops when pairs of ops
 *  run as one), or -1. */
export function programStepInstructions(id: i32, k: i32): i32 { return P.stepInstructions(id, k); }
/** The kind of instruction j of the fused chain at step k of program id (kernels/chain.ts K), or -1. */
export function programStepInstructionKind(id: i32, k: i32, j: i32): i32 { return P.stepInstructionKind(id, k, j); }
