// A jitted function's program run step by step, with a clock read around each step: where the time of a call goes,
// op by op (test/bench/step-profile.mjs prints it by op kind). The core runs each step exactly as in a normal call
// (core profile.ts); each step costs one more call across the wasm boundary, measured here with an empty call and
// subtracted. For measurement only: the results of the profiled call are disposed.
import { core, scratch } from "./backend.js";
import { Tensor, wrap } from "./tensor.js";
import { throwCoreError } from "./errors.js";

/** One step of a profiled call: its op (core op name), the elements it writes (0 for a view), its time in µs, and
 *  for a fused chain the instructions it runs (fewer than its ops where pairs of ops run as one instruction) and
 *  their kinds (e.g. "AddTanh": an add and a tanh as one instruction). */
export interface StepTime { op: string; elements: number; us: number; instructions?: number; kinds?: string[] }

/** The instruction kinds of a fused chain, in the order of the core's enum (packages/core/assembly/kernels/chain.ts K). */
const KINDS = ["Add", "Sub", "Mul", "Div", "Neg", "Square", "Affine", "Tanh", "Sigmoid", "TanhGrad", "SigmoidGrad", "MulMul",
  "MulMulAddL", "MulMulAddR", "AddTanhGrad", "AddSigmoidGrad", "AddTanh", "AddSigmoid", "MulMulAddTanhGradL", "MulMulAddTanhGradR"];

const now = (): number => performance.now();

/** Step k's op name; a fused chain (core fusion.ts) is "Fused(Add+Tanh)", its ops in order. */
function opName(id: number, k: number): string {
  const c = core();
  const n = c.programStepFused(id, k);
  if (n <= 0) return c.Op[c.programOp(id, k)] ?? "?";
  return `Fused(${Array.from({ length: n }, (_, j) => c.Op[c.programStepFusedOp(id, k, j)] ?? "?").join("+")})`;
}

/** Runs program `id` on the argument tensors step by step; per step its op, size and time (boundary cost removed). */
export function profileProgram(id: number, leaves: readonly Tensor[]): StepTime[] {
  const c = core();
  // the cost of one call and two clock reads, with nothing inside (median of 64)
  const empty: number[] = [];
  for (let i = 0; i < 64; i++) { const t0 = now(); c.programProfileNothing(i); empty.push(now() - t0); }
  empty.sort((a, b) => a - b);
  const base = empty[32];
  let s = scratch();
  for (let i = 0; i < leaves.length; i++) s[i] = leaves[i].handleFor("jit", `tensor argument ${i}`);
  const count = c.programProfileBegin(id, leaves.length);
  if (count < 0) throwCoreError("jit", leaves);
  const out: StepTime[] = new Array(count);
  for (let k = 0; k < count; k++) {
    const t0 = now();
    const ok = c.programProfileStep(k);
    const t1 = now();
    if (!ok) throwCoreError("jit", leaves);
    out[k] = { op: opName(id, k), elements: c.programStepSize(id, k), us: Math.max(0, (t1 - t0 - base) * 1000) };
    const ni = c.programStepInstructions(id, k);
    if (ni >= 0) {
      out[k].instructions = ni;
      out[k].kinds = Array.from({ length: ni }, (_, j) => KINDS[c.programStepInstructionKind(id, k, j)] ?? "?");
    }
  }
  const m = c.programProfileEnd();
  if (m < 0) throwCoreError("jit", leaves);
  s = scratch();
  const handles = Array.from(s.subarray(0, m));
  for (const h of handles) wrap(h, "jit").dispose();
  return out;
}
