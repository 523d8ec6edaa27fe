// Reverse-mode accumulation over what a tape recorded (ops/record.ts), with no op-specific code: each node's
// backward rule is its op's entry in the op table (ops/table.ts). The rules run ordinary ops, so a tape that is
// active during the sweep records the backward pass itself: that is how second and higher derivatives arise.
import { Tensor, get, at, retain, release, scopeBegin, scopeEnd, scratchI32, sameShape, MAX_RANK } from "./tensor";
import { fail, failed, ErrorCode, UnconnectedReason } from "./errors";
import { Tape, getTape, setGradSink, setDiffTape } from "./ops/record";
import { rule } from "./ops/table";
import { add } from "./ops/arith";
import { onesLike, zerosLike } from "./ops/creation";
import { viewOf } from "./ops/view";
import { IdMap } from "./idmap";
import { IntStack } from "./arrays";

const grads = new IdMap<Tensor>();       // cotangents of the current backward pass (one map, reused)

function accumulate(id: i32, g: Tensor): void {
  const at = grads.slotFor(id);
  if (grads.slotKey(at) == id) {
    const prev = grads.slotValue(at);
    scopeBegin();           // the sum is made in a scope of its own, which the map's reference outlives
    const s = add(prev, g);
    retain(s);
    scopeEnd();
    release(prev);
    grads.set(id, s);
  } else {
    // the cotangent map owns one reference; cotangents are never written in place, so sharing is safe
    retain(g);
    grads.insertAt(at, id, g);
  }
}

// The ids whose cotangents must outlive a sweep: the sources, and the tensors they are views of (collected once per
// sweep: the check runs for every node, and walking each source's parents there chased pointers every time).
const kept = new IntStack();
function collectKept(srcs: StaticArray<Tensor>): void {
  kept.truncate(0);
  for (let i = 0; i < srcs.length; i++) {
    let t: Tensor | null = unchecked(srcs[i]);
    while (t != null) { kept.push(t.id); t = t.parent; }
  }
}
/** Whether the cotangent of `id` must outlive the sweep (collectKept's ids). */
@inline function keeps(id: i32): bool {
  for (let i = 0, n = kept.length; i < n; i++) if (kept.at(i) == id) return true;
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
  setDiffTape(tape);
  tape.paused++;
  accumulate(target.id, seed);
  collectKept(srcs);
  for (let i = tape.nodes.length - 1; i >= 0 && !failed(); i--) {
    const n = tape.nodes.at(i);
    const r = rule(n.op);
    // (the cotangent's slot, found once: it stays put while the backward rule adds its inputs' cotangents unless
    // the map grows, which the key check below notices)
    let gi = r.nondiff ? -1 : grads.find(n.out);
    if (gi < 0) {
      if (consume) { n.drop(); tape.nodes.truncate(i); }
      continue;
    }
    for (let s = 0; s < n.saved.length; s++) {
      const v = unchecked(n.saved[s]).buf.version;
      if (v != n.savedVersion(s)) { fail(ErrorCode.InPlaceModified, n.op, s, n.savedVersion(s), v); break; }
    }
    if (failed()) break;
    const b = r.backward;
    // a recorded op without a rule is a bug (the op-table test proves there is none): an error, not a zero gradient
    if (b == null) { fail(ErrorCode.BadArgument, n.op, -1, 4, n.op); break; }
    const g = grads.slotValue(gi);
    scopeBegin();
    b(n, g);
    scopeEnd();
    if (!keeps(n.out)) {
      if (grads.slotKey(gi) != n.out) gi = grads.find(n.out);
      grads.deleteAt(gi);
      release(g);
    }
    if (consume) { n.drop(); tape.nodes.truncate(i); }
  }
  tape.paused--;
  setDiffTape(null);
  return !failed();
}

function releaseGrad(g: Tensor): void { release(g); }
function clearGrads(): void { grads.drain(releaseGrad); }

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
    const n = tape.nodes.at(i);
    for (let k = 0; k < n.arity; k++) if (fwd.has(n.inId(k))) { fwd.add(n.out); break; }
  }
  const back = new Set<i32>(); back.add(target.id);
  for (let i = tape.nodes.length - 1; i >= 0; i--) {
    const n = tape.nodes.at(i);
    if (!back.has(n.out)) continue;
    for (let k = 0; k < n.arity; k++) back.add(n.inId(k));
  }
  for (let i = 0; i < tape.nodes.length; i++) {
    const n = tape.nodes.at(i);
    if (!rule(n.op).nondiff || !back.has(n.out)) continue;
    for (let k = 0; k < n.arity; k++) if (fwd.has(n.inId(k))) { blockingOp = n.op; return UnconnectedReason.NonDifferentiable; }
  }
  return UnconnectedReason.NotUsed;
}
let blockingOp: i32 = -1;

/** Ints of metadata per gradient result after the handles (rank | dtype << 8, then up to MAX_RANK sizes). */
const META: i32 = 1 + MAX_RANK;

export enum Unconnected { None = 0, Zero = 1, Error = 2 }

// The sources of a gradient call, in an array per count (up to 8) reused from call to call: an allocation fewer per
// gradient (no export runs inside another, so one array per count is never in use twice).
const srcArrays = new StaticArray<StaticArray<Tensor> | null>(9);
function srcArray(n: i32): StaticArray<Tensor> {
  if (n < 0 || n > 8) return new StaticArray<Tensor>(n);
  let a = unchecked(srcArrays[n]);
  if (a == null) { a = new StaticArray<Tensor>(n); unchecked(srcArrays[n] = a); }
  return a;
}

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
  const srcs = srcArray(n);
  for (let i = 0; i < n; i++) { const s = get(scratchI32[i], -1, i); if (s == null) return -1; unchecked(srcs[i] = s); }
  if (!startGradient(tape)) return -1;
  let seed: Tensor;
  if (seedH != 0) {
    const sd = get(seedH, -1, -1); if (sd == null) return -1;
    if (!sameShape(sd.shape, target.shape)) { fail(ErrorCode.OutputGradients, -1, -1, sd.shape.length, target.shape.length); return -1; }
    if ((sd.dtype == 3) != (target.dtype == 3)) { fail(ErrorCode.DType, -1, -1, target.dtype, sd.dtype); return -1; } // float64 vs not
    seed = sd; retain(seed);
  } else seed = onesLike(target);
  // 'error' mode may need the whole graph afterwards to say why a source is unconnected (reason())
  const consume = !tape.persistent && mode != Unconnected.Error;
  const ok = sweep(tape, target, seed, srcs, consume);
  if (consume) { tape.used = true; if (!ok) tape.releaseAll(); }
  release(seed);
  // the result handles go straight to scratchI32[0..n) (the sources were read from there above); w counts those written
  let w = 0;
  if (ok) {
    for (let i = 0; i < n && !failed(); i++) {
      let g = resolve(unchecked(srcs[i]));
      if (g == null) {
        if (mode == Unconnected.Zero) g = zerosLike(unchecked(srcs[i]));
        else if (mode == Unconnected.Error) {
          blockingOp = -1;
          const r = reason(tape, target, srcs[i]);
          fail(ErrorCode.Unconnected, blockingOp, i, r, srcs[i].shape.length);
        }
      }
      unchecked(scratchI32[i] = g == null ? 0 : g.id); w = i + 1;
    }
  }
  clearGrads();
  // (scratchI32 has at least n elements, as the reads of the sources above proved)
  if (failed()) { for (let i = 0; i < w; i++) if (unchecked(scratchI32[i]) != 0) release(at(unchecked(scratchI32[i]))); return -1; }
  // and, when they fit (n <= 93), each result's rank | dtype << 8 and shape at scratchI32[n + 9 i ..]: the TS side
  // wraps the results from them instead of a tensorMeta call each (tape.ts gradient; same condition there)
  if (n * (1 + META) <= scratchI32.length) {
    for (let i = 0; i < n; i++) {
      const h = unchecked(scratchI32[i]);
      if (h == 0) continue;
      const t = at(h), s = t.shape, base = n + META * i;
      unchecked(scratchI32[base] = s.length | (t.dtype << 8));
      for (let k = 0; k < s.length; k++) unchecked(scratchI32[base + 1 + k] = unchecked(s[k]));
    }
  }
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

setGradSink(accumulate);

export { sweep, clearGrads, resolve, startGradient, finishGradient };
