// Recording: the tapes' recording side and the one call every op makes after computing its output, record().
// It sits below the ops (which call it) and above the tensors; what reads the records lives higher up: the
// reverse sweep (backprop.ts), which hands this file its cotangent sink at start-up, and jit traces (trace.ts),
// which register as the trace sink. So ops depend on nothing above them.
//
// Recording follows TensorFlow 2: while a tape is active and not paused, an op is recorded on it when one of its
// inputs is tracked by it (watched, an accessed trainable variable when watchAccessedVariables is on, or the output
// of an op recorded on it). Tapes nest; a gradient computed while an outer tape is active runs ordinary ops, so
// the outer tape records the backward pass itself: that is how second and higher derivatives arise.
import { Tensor, get, retain, release, recycle } from "../tensor";
import { fail, failed, ErrorCode } from "../errors";
import { IdSet, IdMap } from "../idmap";
import { RefStack } from "../arrays";

const NO_VERSIONS = new StaticArray<i32>(0);
const NO_TENSORS = new StaticArray<Tensor>(0);
const NO_FLOATS = new StaticArray<f64>(0);
// Nodes no tape holds any more, for record() to reuse: every recorded op made one (a runtime allocation, and its
// share of the next collection). Bounded: a long recording gives its nodes back to the collector.
const spareNodes = new RefStack<Node>();
const SPARE_NODES: i32 = 256;

/** One recorded op on a tape: what its backward rule (the op table's entry) reads. */
export class Node {
  holders: i32 = 0;
  // The storage versions of saved[0] and saved[1] when recorded (the sweep compares them to detect an in-place write),
  // kept in fields: an array per node was one of the ~6 runtime allocations of every recorded op. More saved values
  // (only MulMul, 3) keep theirs in `moreVersions`.
  v0: i32 = 0;
  v1: i32 = 0;
  moreVersions: StaticArray<i32> = NO_VERSIONS;
  op: i32 = 0;
  ins: StaticArray<Tensor> = NO_TENSORS;     // the input records: ids and shapes only (values only through `saved`)
  out: i32 = 0;
  outShape: StaticArray<i32> = NO_VERSIONS;
  saved: StaticArray<Tensor> = NO_TENSORS;   // what the backward rule reads
  ip: StaticArray<i32> = NO_VERSIONS;        // integer parameters (axes, shapes, flags)
  fp: StaticArray<f64> = NO_FLOATS;          // float parameters
  // The node's own arrays for inputs and saved values of one or two records: ops hand record() scratch arrays of
  // those lengths (factory.ts arr1, arr2), which init copies here; a node reused keeps them (one allocation per op
  // recorded before).
  in1: StaticArray<Tensor> | null = null;
  in2: StaticArray<Tensor> | null = null;
  sv1: StaticArray<Tensor> | null = null;
  sv2: StaticArray<Tensor> | null = null;

  /** `a` copied into this node's own array of its length when that is 1 or 2; `a` itself otherwise. */
  private own(a: StaticArray<Tensor>, forSaved: bool): StaticArray<Tensor> {
    const n = a.length;
    if (n == 1) {
      let o = forSaved ? this.sv1 : this.in1;
      if (o == null) { o = new StaticArray<Tensor>(1); if (forSaved) this.sv1 = o; else this.in1 = o; }
      unchecked(o[0] = unchecked(a[0]));
      return o;
    }
    if (n == 2) {
      let o = forSaved ? this.sv2 : this.in2;
      if (o == null) { o = new StaticArray<Tensor>(2); if (forSaved) this.sv2 = o; else this.in2 = o; }
      unchecked(o[0] = unchecked(a[0])); unchecked(o[1] = unchecked(a[1]));
      return o;
    }
    return a;
  }

  /** Fills a new or spare node (record() reuses nodes no tape holds any more: see spareNodes). */
  init(op: i32, insGiven: StaticArray<Tensor>, out: i32, outShape: StaticArray<i32>, savedGiven: StaticArray<Tensor>,
       ip: StaticArray<i32>, fp: StaticArray<f64>): Node {
    const ins = this.own(insGiven, false);
    const saved = savedGiven === insGiven ? ins : this.own(savedGiven, true);
    this.op = op; this.ins = ins; this.out = out; this.outShape = outShape; this.saved = saved; this.ip = ip; this.fp = fp;
    this.holders = 0;
    for (let i = 0; i < ins.length; i++) unchecked(ins[i]).pins++;
    const n = saved.length;
    this.v0 = n > 0 ? unchecked(saved[0]).buf.version : 0;
    this.v1 = n > 1 ? unchecked(saved[1]).buf.version : 0;
    if (n > 2) {
      const v = new StaticArray<i32>(n);
      for (let i = 0; i < n; i++) unchecked(v[i] = unchecked(saved[i]).buf.version);
      this.moreVersions = v;
    } else this.moreVersions = NO_VERSIONS;
    return this;
  }

  /** The storage version saved value s had when the op was recorded. */
  @inline savedVersion(s: i32): i32 { return s == 0 ? this.v0 : s == 1 ? this.v1 : this.moreVersions[s]; }

  /** The number of inputs. */
  @inline get arity(): i32 { return this.ins.length; }
  /** Input k (0 <= k < arity, checked by a compare: a checked read is a call, and backward rules ask for every input). */
  @inline input(k: i32): Tensor {
    if (<u32>k >= <u32>this.ins.length) unreachable();
    return unchecked(this.ins[k]);
  }
  /** Saved value k (0 <= k < saved.length, checked by a compare, as input()). */
  @inline savedAt(k: i32): Tensor {
    if (<u32>k >= <u32>this.saved.length) unreachable();
    return unchecked(this.saved[k]);
  }
  /** The id of input k. */
  @inline inId(k: i32): i32 { return this.input(k).id; }
  /** The shape of input k (shapes are never written after a record is made). */
  @inline inShape(k: i32): StaticArray<i32> { return this.input(k).shape; }

  hold(): void { if (this.holders++ == 0) for (let i = 0; i < this.saved.length; i++) retain(unchecked(this.saved[i])); }
  /** Gives up one tape's hold (inline: a node recorded on two tapes is dropped twice, the first time only counted). */
  @inline drop(): void { if (--this.holders == 0) this.dropLast(); }
  private dropLast(): void {
    for (let i = 0; i < this.saved.length; i++) release(unchecked(this.saved[i]));
    // unpin the inputs; one already released (refs 0) and pinned by no other node can be reused now
    const ins = this.ins;
    for (let i = 0; i < ins.length; i++) { const x = unchecked(ins[i]); if (--x.pins == 0 && x.refs <= 0) recycle(x); }
    // no tape holds it now (only tapes hold nodes, and a sweep is done with a node when it drops it): keep it for
    // reuse, without its references (which would keep released records from the collector)
    if (spareNodes.length < SPARE_NODES) {
      this.ins = NO_TENSORS; this.saved = NO_TENSORS; this.outShape = NO_VERSIONS; this.ip = NO_VERSIONS; this.fp = NO_FLOATS;
      this.moreVersions = NO_VERSIONS;
      spareNodes.push(this);
    }
  }

  /** Whether input k needs a gradient on the tape being differentiated. */
  @inline needs(k: i32): bool { const t = diffTape; return t != null && t.tracked.has(this.inId(k)); }

  /** Hands the cotangent of input k to the sweep's accumulator (takes no ownership: the caller's scope releases it). */
  grad(k: i32, g: Tensor): void { if (!failed()) gradSink(this.inId(k), g); }
}

export class Tape {
  tracked: IdSet = new IdSet();
  nodes: RefStack<Node> = new RefStack<Node>(); // (push inlined: one per recorded op)
  paused: i32 = 0;
  active: bool = false;
  used: bool = false;
  released: bool = false;
  constructor(public id: i32, public persistent: bool, public watchAccessed: bool) {}

  releaseAll(): void {
    for (let i = 0; i < this.nodes.length; i++) this.nodes.at(i).drop();
    this.nodes.truncate(0);  // (keeps its storage: a released tape may be reused by tapeCreate)
    this.tracked.clear();
    this.released = true;
  }
}

// Live tapes by id: tape ids are handed out in sequence like tensor ids, so the id-keyed open-addressing map finds
// one in a probe or two (~lib's Map hashed every id: ~15 lookups per TF-style evaluation, ~2.8k instructions).
const tapes = new IdMap<Tape>();
@inline function hasTape(id: i32): bool { return id > 0 && tapes.has(id); } // (0 is the map's empty key)
const stack = new Array<Tape>();
let nextTapeId: i32 = 1;
// Released tapes kept for reuse: eager code makes and releases tapes on every call (two per TF-style input
// derivative), and a new Tape cost four runtime allocations plus the growth of its id set and node list from their
// smallest size. A reused tape keeps that storage (cleared by releaseAll); only small ones are kept, so a tape that
// recorded a large graph gives its storage back.
const spareTapes = new Array<Tape>();
const SPARE_TAPES: i32 = 4;
const SPARE_MAX_IDS: i32 = 4096;

// ---- the sinks the layers above register ----

/** Where Node.grad sends a cotangent (backprop.ts's accumulator, set at its start-up). */
export type GradSink = (id: i32, g: Tensor) => void;
function noGradSink(id: i32, g: Tensor): void {}
let gradSink: GradSink = noGradSink;
export function setGradSink(f: GradSink): void { gradSink = f; }

/** The tape being differentiated (set by the sweep; Node.needs reads it). */
let diffTape: Tape | null = null;
export function setDiffTape(t: Tape | null): void { diffTape = t; }

/** Where a recording jit trace receives every op (trace.ts). */
export type TraceSink = (op: i32, inputs: StaticArray<Tensor>, out: Tensor, ip: StaticArray<i32>, fp: StaticArray<f64>) => void;
function noTraceSink(op: i32, inputs: StaticArray<Tensor>, out: Tensor, ip: StaticArray<i32>, fp: StaticArray<f64>): void {}
let traceSink: TraceSink = noTraceSink;
let tracingNow: bool = false;
/** Turns trace recording on (with the sink that receives every op) or off. */
export function setTracing(on: bool, sink: TraceSink): void { tracingNow = on; traceSink = sink; }

/** Whether ops must call record(): a tape is active, or a trace records every op. */
@inline export function anyRecording(): bool { return stack.length > 0 || tracingNow; }

/** Called by every op after computing its output. */
export function record(op: i32, inputs: StaticArray<Tensor>, out: Tensor, saved: StaticArray<Tensor>,
                       ip: StaticArray<i32>, fp: StaticArray<f64>): void {
  if (failed()) return;
  if (tracingNow) traceSink(op, inputs, out, ip, fp);
  if (stack.length == 0) return;
  let node: Node | null = null;
  const depth = stack.length, nIn = inputs.length;
  for (let t = 0; t < depth; t++) {
    const tape = unchecked(stack[t]);
    if (tape.paused > 0) continue;
    const tracked = tape.tracked;
    let hit = false;
    if (tape.watchAccessed) {
      for (let i = 0; i < nIn; i++) {
        const x = unchecked(inputs[i]);
        if (tracked.has(x.id)) { hit = true; continue; }
        if (x.trainable) { tracked.add(x.id); hit = true; }
      }
    } else {
      // (no input to add: the first tracked one decides)
      for (let i = 0; i < nIn; i++) if (tracked.has(unchecked(inputs[i]).id)) { hit = true; break; }
    }
    if (!hit) continue;
    if (node == null) node = (spareNodes.length > 0 ? spareNodes.pop() : new Node()).init(op, inputs, out.id, out.shape, saved, ip, fp);
    node.hold();
    tape.nodes.push(node);
    tape.tracked.add(out.id);
  }
}

// ---- tape lifecycle (exports) ----

export function tapeCount(): i32 { return tapes.count; }

export function tapeCreate(persistent: bool, watchAccessed: bool): i32 {
  let t: Tape;
  if (spareTapes.length > 0) {
    t = spareTapes.pop();
    t.id = nextTapeId++; t.persistent = persistent; t.watchAccessed = watchAccessed;
    t.paused = 0; t.active = false; t.used = false; t.released = false;
  } else t = new Tape(nextTapeId++, persistent, watchAccessed);
  tapes.set(t.id, t);
  return t.id;
}

// The last tape looked up (eager code alternates between two or three: push, watch, pop, gradient, release)
let lastTape: Tape | null = null;
export function getTape(id: i32): Tape | null {
  const lt = lastTape;
  if (lt != null && lt.id == id && !lt.released) return lt;
  if (!hasTape(id)) { fail(ErrorCode.NoTape, -1, -1, id); return null; }
  const t = tapes.get(id);
  lastTape = t;
  return t;
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
  if (x.dtype != 0 && x.dtype != 3) return fail(ErrorCode.DType, -1, 0, 0, x.dtype); // float32 or float64
  t.tracked.add(h);
  return 1;
}

export function tapeRelease(id: i32): i32 {
  if (!hasTape(id)) return 0;
  const t = tapes.get(id);
  if (t.active) tapePop(id);
  t.releaseAll();
  tapes.delete(id);
  if (spareTapes.length < SPARE_TAPES && t.tracked.keys.length <= SPARE_MAX_IDS) spareTapes.push(t);
  return 1;
}

export function tapeNodeCount(id: i32): i32 { return hasTape(id) ? tapes.get(id).nodes.length : 0; }
