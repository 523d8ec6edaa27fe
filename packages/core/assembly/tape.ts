// The tape: recording and reverse-mode accumulation, with no op-specific code (that lives in ops/, reached
// through the registry's `backward` dispatch).
//
// Recording follows TensorFlow 2: while a tape is active and not paused, an op is recorded on it when one of its
// inputs is tracked by it (watched, an accessed trainable variable when watchAccessedVariables is on, or the output
// of an op recorded on it). Tapes nest; a gradient computed while an outer tape is active runs ordinary ops, so
// the outer tape records the backward pass itself: that is how second and higher derivatives arise.
import { Tensor, get, at, retain, release, scopeBegin, scopeEnd, scratchI32, sameShape } from "./tensor";
import { fail, failed, ErrorCode, UnconnectedReason } from "./errors";
import { backward } from "./ops/index";
import { add, onesLike, zerosLike } from "./ops/arith";
import { viewOf } from "./ops/view";
import { IdSet, IdMap } from "./idmap";
import { tracing, traceStep } from "./trace";

const NO_VERSIONS = new StaticArray<i32>(0);

export class Node {
  holders: i32 = 0;
  savedVersions: StaticArray<i32>;
  constructor(
    public op: i32,
    public ins: StaticArray<Tensor>,          // the input records: ids and shapes only (values only through `saved`)
    public out: i32,
    public outShape: StaticArray<i32>,
    public saved: StaticArray<Tensor>,        // what the backward rule reads
    public ip: StaticArray<i32>,              // integer parameters (axes, shapes, flags)
    public fp: StaticArray<f64>,              // float parameters
    public nondiff: bool) {
    const n = saved.length;
    const v = n == 0 ? NO_VERSIONS : new StaticArray<i32>(n);
    for (let i = 0; i < n; i++) unchecked(v[i] = unchecked(saved[i]).buf.version);
    this.savedVersions = v;
  }

  /** The number of inputs. */
  @inline get arity(): i32 { return this.ins.length; }
  /** The id of input k. */
  @inline inId(k: i32): i32 { return this.ins[k].id; }
  /** The shape of input k (shapes are never written after a record is made). */
  @inline inShape(k: i32): StaticArray<i32> { return this.ins[k].shape; }

  hold(): void { if (this.holders++ == 0) for (let i = 0; i < this.saved.length; i++) retain(this.saved[i]); }
  drop(): void { if (--this.holders == 0) for (let i = 0; i < this.saved.length; i++) release(this.saved[i]); }

  /** Whether input k needs a gradient on the tape being differentiated. */
  needs(k: i32): bool { const t = diffTape; return t != null && t.tracked.has(this.inId(k)); }

  /** Hands the cotangent of input k to the accumulator (takes no ownership: the caller's scope releases it). */
  grad(k: i32, g: Tensor): void { if (!failed()) accumulate(this.inId(k), g); }
}

export class Tape {
  tracked: IdSet = new IdSet();
  nodes: Array<Node> = new Array<Node>();
  paused: i32 = 0;
  active: bool = false;
  used: bool = false;
  released: bool = false;
  constructor(public id: i32, public persistent: bool, public watchAccessed: bool) {}

  releaseAll(): void {
    for (let i = 0; i < this.nodes.length; i++) this.nodes[i].drop();
    this.nodes.length = 0;  // (no new containers: a released tape is never recorded on again)
    this.tracked.clear();
    this.released = true;
  }
}

const tapes = new Map<i32, Tape>();
const stack = new Array<Tape>();
let nextTapeId: i32 = 1;
let diffTape: Tape | null = null;         // the tape being differentiated
const grads = new IdMap<Tensor>();       // cotangents of the current backward pass (one map, reused)

/** Whether ops must call record(): a tape is active, or a trace (trace.ts) records every op. */
export function anyRecording(): bool { return stack.length > 0 || tracing(); }
export function tapeCount(): i32 { return tapes.size; }

/** Called by every op after computing its output. */
export function record(op: i32, inputs: StaticArray<Tensor>, out: Tensor, saved: StaticArray<Tensor>,
                       ip: StaticArray<i32>, fp: StaticArray<f64>, nondiff: bool = false): void {
  if (failed()) return;
  if (tracing()) traceStep(op, inputs, out, ip, fp);
  if (stack.length == 0) return;
  let node: Node | null = null;
  for (let t = 0; t < stack.length; t++) {
    const tape = stack[t];
    if (tape.paused > 0) continue;
    let hit = false;
    for (let i = 0; i < inputs.length; i++) {
      const x = inputs[i];
      if (tape.tracked.has(x.id)) { hit = true; continue; }
      if (tape.watchAccessed && x.trainable) { tape.tracked.add(x.id); hit = true; }
    }
    if (!hit) continue;
    if (node == null) node = new Node(op, inputs, out.id, out.shape, saved, ip, fp, nondiff);
    node.hold();
    tape.nodes.push(node);
    tape.tracked.add(out.id);
  }
}

export function tapeCreate(persistent: bool, watchAccessed: bool): i32 {
  const t = new Tape(nextTapeId++, persistent, watchAccessed);
  tapes.set(t.id, t);
  return t.id;
}

function getTape(id: i32): Tape | null {
  if (!tapes.has(id)) { fail(ErrorCode.NoTape, -1, -1, id); return null; }
  return tapes.get(id);
}

/** Makes the tape active (pushes it on the recording stack). */
export function tapePush(id: i32): i32 {
  const t = getTape(id); if (t == null) return 0;
  if (t.active) return 1;
  t.active = true; stack.push(t); return 1;
}

/** Deactivates the tape; tapes above it (opened later and not closed) are deactivated too. */
export function tapePop(id: i32): i32 {
  const t = getTape(id); if (t == null) return 0;
  if (!t.active) return 1;
  while (stack.length > 0) {
    const top = stack.pop();
    top.active = false;
    if (top === t) break;
  }
  return 1;
}

export function tapePause(id: i32, on: bool): i32 {
  const t = getTape(id); if (t == null) return 0;
  t.paused += on ? 1 : -1;
  if (t.paused < 0) t.paused = 0;
  return 1;
}

export function tapeWatch(id: i32, h: i32): i32 {
  const t = getTape(id); if (t == null) return 0;
  const x = get(h); if (x == null) return 0;
  if (x.dtype != 0) return fail(ErrorCode.DType, -1, 0, 0, x.dtype);
  t.tracked.add(h);
  return 1;
}

export function tapeRelease(id: i32): i32 {
  if (!tapes.has(id)) return 0;
  const t = tapes.get(id);
  if (t.active) tapePop(id);
  t.releaseAll();
  tapes.delete(id);
  return 1;
}

export function tapeNodeCount(id: i32): i32 { return tapes.has(id) ? tapes.get(id).nodes.length : 0; }

function accumulate(id: i32, g: Tensor): void {
  if (grads.has(id)) {
    const prev = grads.get(id);
    scopeBegin();           // the sum is made in a scope of its own, which the map's reference outlives
    const s = add(prev, g);
    retain(s);
    scopeEnd();
    release(prev);
    grads.set(id, s);
  } else {
    // the cotangent map owns one reference; cotangents are never written in place, so sharing is safe
    retain(g);
    grads.set(id, g);
  }
}

/** Whether the cotangent of `id` must outlive the sweep: a source, or a tensor a source is a view of. */
function keeps(srcs: StaticArray<Tensor>, id: i32): bool {
  for (let i = 0; i < srcs.length; i++) {
    let t: Tensor | null = unchecked(srcs[i]);
    while (t != null) { if (t.id == id) return true; t = t.parent; }
  }
  return false;
}

/**
 * One reverse sweep from `target` seeded with `seed`. Leaves the cotangents of leaves and of `srcs` (and of what
 * they are views of) in `grads` (owned). A node output's cotangent is complete once its node is processed (only
 * later nodes consume it), so it is released right there: peak memory is the live frontier of the sweep, not every
 * cotangent of the graph, and the freed buffers are reused while still in cache.
 * With `consume` (the last sweep of a non-persistent tape), each node also gives up what it saved as soon as the
 * sweep has passed it: a node is never visited twice, so its saved values are dead from then on unless another
 * tape or the caller holds them. Values that only this tape kept (the intermediates of an inner gradient, under a
 * nested tape) are then freed while the sweep still runs, and the cotangents made later reuse their blocks: in
 * Burgers' PINN step (nested tapes, 10,000 points) this lowered the peak tensor memory from 94 to 76 MiB (with the
 * power-of-two block sizes of the time). The tape is consumed even when the sweep fails, as TensorFlow consumes a
 * non-persistent tape in its gradient call.
 */
function sweep(tape: Tape, target: Tensor, seed: Tensor, srcs: StaticArray<Tensor>, consume: bool = false): bool {
  grads.clear();          // empty already: every sweep is followed by clearGrads()
  diffTape = tape;
  tape.paused++;
  accumulate(target.id, seed);
  for (let i = tape.nodes.length - 1; i >= 0 && !failed(); i--) {
    const n = tape.nodes[i];
    if (n.nondiff || !grads.has(n.out)) {
      if (consume) { n.drop(); tape.nodes.length = i; }
      continue;
    }
    for (let s = 0; s < n.saved.length; s++) {
      const v = n.saved[s].buf.version;
      if (v != n.savedVersions[s]) { fail(ErrorCode.InPlaceModified, n.op, s, n.savedVersions[s], v); break; }
    }
    if (failed()) break;
    const g = grads.get(n.out);
    scopeBegin();
    backward(n, g);
    scopeEnd();
    if (!keeps(srcs, n.out)) { grads.delete(n.out); release(g); }
    if (consume) { n.drop(); tape.nodes.length = i; }
  }
  tape.paused--;
  diffTape = null;
  return !failed();
}

function clearGrads(): void {
  for (let i = 0; i < grads.capacity; i++) if (grads.slotKey(i) != 0) release(grads.slotValue(i));
  grads.clear();
}

/** The cotangent of s, following view provenance (a view made after the forward pass maps to its parent). */
function resolve(s: Tensor): Tensor | null {
  if (grads.has(s.id)) { const g = grads.get(s.id); retain(g); return g; }
  const p = s.parent;
  if (p == null) return null;
  const gp = resolve(p);
  if (gp == null) return null;
  const v = viewOf(gp, s.shape, s.relStrides!, s.relOffset);
  release(gp);
  return v;
}

/** Why s got no gradient (UnconnectedReason), and in *opOut the non-differentiable op when that is the cause. */
function reason(tape: Tape, target: Tensor, s0: Tensor): i32 {
  let s = s0;
  while (!tape.tracked.has(s.id) && s.parent != null) s = s.parent!;
  if (!tape.tracked.has(s.id)) return s.id > target.id ? UnconnectedReason.AfterForward : UnconnectedReason.NeverWatched;
  if (s.id > target.id) return UnconnectedReason.AfterForward;
  // forward reachability from s, backward reachability from target, over all recorded nodes
  const fwd = new Set<i32>(); fwd.add(s.id);
  for (let i = 0; i < tape.nodes.length; i++) {
    const n = tape.nodes[i];
    for (let k = 0; k < n.arity; k++) if (fwd.has(n.inId(k))) { fwd.add(n.out); break; }
  }
  const back = new Set<i32>(); back.add(target.id);
  for (let i = tape.nodes.length - 1; i >= 0; i--) {
    const n = tape.nodes[i];
    if (!back.has(n.out)) continue;
    for (let k = 0; k < n.arity; k++) back.add(n.inId(k));
  }
  for (let i = 0; i < tape.nodes.length; i++) {
    const n = tape.nodes[i];
    if (!n.nondiff || !back.has(n.out)) continue;
    for (let k = 0; k < n.arity; k++) if (fwd.has(n.inId(k))) { blockingOp = n.op; return UnconnectedReason.NonDifferentiable; }
  }
  return UnconnectedReason.NotUsed;
}
let blockingOp: i32 = -1;

export enum Unconnected { None = 0, Zero = 1, Error = 2 }

function startGradient(tape: Tape): bool {
  if (tape.released || (tape.used && !tape.persistent)) { fail(ErrorCode.GradientTwice, -1, -1, tape.id); return false; }
  return true;
}

function finishGradient(tape: Tape): void {
  if (!tape.persistent) { tape.used = true; tape.releaseAll(); }
}

/**
 * gradient(target, sources) with the sources' handles in scratchI32[0..n); writes result handles (0 = none) to
 * scratchI32[0..n). seedH = 0 means ones (the sum of the target). Returns n, or -1 on error.
 */
export function tapeGradient(id: i32, targetH: i32, n: i32, seedH: i32, mode: i32): i32 {
  const tape = getTape(id); if (tape == null) return -1;
  const target = get(targetH, -1, -1); if (target == null) return -1;
  const srcs = new StaticArray<Tensor>(n);
  for (let i = 0; i < n; i++) { const s = get(scratchI32[i], -1, i); if (s == null) return -1; srcs[i] = s; }
  if (!startGradient(tape)) return -1;
  let seed: Tensor;
  if (seedH != 0) {
    const sd = get(seedH, -1, -1); if (sd == null) return -1;
    if (!sameShape(sd.shape, target.shape)) { fail(ErrorCode.OutputGradients, -1, -1, sd.shape.length, target.shape.length); return -1; }
    seed = sd; retain(seed);
  } else seed = onesLike(target);
  // 'error' mode may need the whole graph afterwards to say why a source is unconnected (reason())
  const consume = !tape.persistent && mode != Unconnected.Error;
  const ok = sweep(tape, target, seed, srcs, consume);
  if (consume) { tape.used = true; if (!ok) tape.releaseAll(); }
  release(seed);
  const out = new StaticArray<i32>(n);
  if (ok) {
    for (let i = 0; i < n && !failed(); i++) {
      let g = resolve(srcs[i]);
      if (g == null) {
        if (mode == Unconnected.Zero) g = zerosLike(srcs[i]);
        else if (mode == Unconnected.Error) {
          blockingOp = -1;
          const r = reason(tape, target, srcs[i]);
          fail(ErrorCode.Unconnected, blockingOp, i, r, srcs[i].shape.length);
        }
      }
      out[i] = g == null ? 0 : g.id;
    }
  }
  clearGrads();
  if (failed()) { for (let i = 0; i < n; i++) if (out[i] != 0) release(at(out[i])); return -1; }
  for (let i = 0; i < n; i++) scratchI32[i] = out[i];
  finishGradient(tape);
  return n;
}

/** The reason code for an unconnected source (for 'none' mode diagnostics on request). */
export function tapeUnconnectedReason(id: i32, targetH: i32, srcH: i32): i32 {
  const tape = getTape(id); if (tape == null) return 0;
  const target = get(targetH); const s = get(srcH);
  if (target == null || s == null) return 0;
  blockingOp = -1;
  return reason(tape, target, s);
}
export function lastBlockingOp(): i32 { return blockingOp; }

export { sweep, clearGrads, resolve, startGradient, finishGradient, getTape };
