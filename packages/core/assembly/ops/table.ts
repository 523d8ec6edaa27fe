// The op table: one entry per op code, which every dispatcher reads: the eager exports (unaryOp and binaryOp in
// exports/ops.ts), the elementwise factory (the kernel, what to save, threading), a jit program's replay
// (program.ts), the reverse sweep (backprop.ts), and the op-table test (test/op-table.test.ts, through opRules).
// Each family file in ops/ fills the entries of its ops at start-up, beside their forward and backward code:
//
//   def(Op.Exp).unary(exp, expKernel, Save.Out, HEAVY).f64(expKernel64).backward(expBackward);
//
// (`f64` / `f64b` add the op's float64 kernel beside its float32 one: one entry, two dtypes.)
//
// An entry is complete when it is one of: a recorded op (a replay, and a backward rule or `nondiff()`), an entry
// point recorded as another op (`recordsAs`), or a call that is never recorded (`unrecorded()`: constants,
// in-place writes). There is no default anywhere: a code without its entry fails the op-table test, and a
// recorded op without a backward rule is an error in the sweep, never a silently missing gradient.
import { Tensor } from "../tensor";
import { Node } from "./record";
import { OP_COUNT } from "./codes";
import { UnaryKernel } from "../kernels/unary";
import { BinaryKernel } from "../kernels/binary";
import { UnaryKernel64 } from "../kernels/unary64";

export type UnaryFn = (x: Tensor) => Tensor;
export type BinaryFn = (a: Tensor, b: Tensor) => Tensor;
/**
 * Runs op again on inputs x with the parameters it recorded (ip, fp) and its recorded output dtype and shape: a
 * step of a jit program. The parameters an op passes to record() must say all that its forward needs besides the
 * inputs.
 */
export type ReplayFn = (op: i32, x: StaticArray<Tensor>, ip: StaticArray<i32>, fp: StaticArray<f64>, dtype: i32, outShape: StaticArray<i32>) => Tensor;
/** Hands each input that needs it its cotangent (n.grad(k, ...)) given the output's cotangent g: written with ops. */
export type BackwardFn = (n: Node, g: Tensor) => void;

/** What an elementwise op's backward rule reads (recorded with the node). */
export enum Save { None = 0, In = 1, Out = 2, Both = 3 }
/** A transcendental kernel (2-5 ns per element): split across threads from fewer elements. */
export const HEAVY = true;

export class Rule {
  /** The eager form of a one-input elementwise op (the unaryOp export), also its replay. */
  eager1: UnaryFn | null = null;
  /** The eager form of a two-input op (the binaryOp export), also its replay unless `replay` is set. */
  eager2: BinaryFn | null = null;
  kernel1: UnaryKernel | null = null;
  kernel2: BinaryKernel | null = null;
  /** The float64 kernels (kernels/unary64.ts, binary64.ts), beside the float32 ones; null: float32 only. */
  kernel1d: UnaryKernel64 | null = null;
  kernel2d: BinaryKernel | null = null;
  save: i32 = Save.None;
  heavy: bool = false;
  replay: ReplayFn | null = null;
  backward: BackwardFn | null = null;
  /** Recorded, but no gradient flows through it (comparisons, sign, step): the sweep skips it. */
  nondiff: bool = false;
  /** An entry point that records another op (reshape is a View), or -1. */
  recordsAs: i32 = -1;
  /** Never recorded: makes constants or writes in place (no replay, no backward needed). */
  isUnrecorded: bool = false;
  constructor(public op: i32) {}

  /** A one-input elementwise op through `kernel`: eager form f, replayed by f. */
  unary(f: UnaryFn, kernel: UnaryKernel, save: i32, heavy: bool = false): Rule {
    this.eager1 = f; this.kernel1 = kernel; this.save = save; this.heavy = heavy; this.replay = replayUnary; return this;
  }
  /** A two-input elementwise op through `kernel` (kernel may be null for ops with their own loops). */
  binary(f: BinaryFn, kernel: BinaryKernel | null, save: i32): Rule {
    this.eager2 = f; this.kernel2 = kernel; this.save = save; this.replay = replayBinary; return this;
  }
  /** An elementwise kernel and what to save, for ops whose eager form takes parameters (affine). */
  elementwise(kernel: UnaryKernel, save: i32): Rule { this.kernel1 = kernel; this.save = save; return this; }
  /** The op's float64 unary kernel (the factory runs it for Float64 inputs). */
  f64(kernel: UnaryKernel64): Rule { this.kernel1d = kernel; return this; }
  /** The op's float64 binary kernel. */
  f64b(kernel: BinaryKernel): Rule { this.kernel2d = kernel; return this; }
  replays(f: ReplayFn): Rule { this.replay = f; return this; }
  backwards(f: BackwardFn): Rule { this.backward = f; return this; }
  noGradient(): Rule { this.nondiff = true; return this; }
  recordedAs(op: i32): Rule { this.recordsAs = op; return this; }
  unrecorded(): Rule { this.isUnrecorded = true; return this; }
}

function replayUnary(op: i32, x: StaticArray<Tensor>, ip: StaticArray<i32>, fp: StaticArray<f64>, dtype: i32, outShape: StaticArray<i32>): Tensor {
  return rule(op).eager1!(unchecked(x[0]));
}
function replayBinary(op: i32, x: StaticArray<Tensor>, ip: StaticArray<i32>, fp: StaticArray<f64>, dtype: i32, outShape: StaticArray<i32>): Tensor {
  return rule(op).eager2!(unchecked(x[0]), unchecked(x[1]));
}

const RULES = new StaticArray<Rule | null>(OP_COUNT);

/** Makes the entry of op (once: a second definition is a bug in the family files, caught by the op-table test). */
export function def(op: i32): Rule {
  const r = new Rule(op);
  if (RULES[op] != null) duplicates++;
  RULES[op] = r;
  return r;
}
let duplicates: i32 = 0;

/** The entry of op, or null for a code out of range or without one. */
@inline export function ruleOf(op: i32): Rule | null { return <u32>op < <u32>OP_COUNT ? unchecked(RULES[op]) : null; }
/** The entry of a recorded op (the caller knows it has one: the op-table test proves every code does). */
@inline export function rule(op: i32): Rule { return changetype<Rule>(unchecked(RULES[op])); }

/**
 * What the table holds for op, as bits (for the op-table test): 1 an eager form (unary/binary), 2 a replay, 4 a
 * backward rule, 8 declared non-differentiable, 16 recorded as another op, 32 never recorded; 64 the op it is
 * recorded as has a replay; -1 no entry; -2 some op was defined twice.
 */
export function opRules(op: i32): i32 {
  if (duplicates > 0) return -2;
  const r = ruleOf(op);
  if (r == null) return -1;
  let bits = 0;
  if (r.eager1 != null || r.eager2 != null) bits |= 1;
  if (r.replay != null) bits |= 2;
  if (r.backward != null) bits |= 4;
  if (r.nondiff) bits |= 8;
  if (r.recordsAs >= 0) { bits |= 16; const t = ruleOf(r.recordsAs); if (t != null && t.replay != null) bits |= 64; }
  if (r.isUnrecorded) bits |= 32;
  return bits;
}
