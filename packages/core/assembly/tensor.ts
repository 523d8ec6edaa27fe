// Tensor records and the handle table. TS holds i32 handles; records live here. A record owns one reference to a
// Buf (the storage); views share the Buf with their own shape, strides and offset (in elements). Handles are
// never reused (a monotonically increasing id), so a stale handle is always detected and a tape's set of tracked
// ids can never confuse a new tensor with a freed one.
import { alloc, free } from "./memory";
import { fail, ErrorCode } from "./errors";
import { RefStack, IntStack, filled } from "./arrays";
import { sharedStrides, sizeOf } from "./shapes";
export { sizeOf, stdStrides, shape2, sameShape, sharedStrides } from "./shapes";

export enum DType { Float32 = 0, Int32 = 1, Bool = 2, Float64 = 3 }
/** log2 of the element size: float64 has 8-byte elements, every other dtype 4 (int32 and bool are stored as float32). */
@inline export function dshift(dtype: i32): i32 { return dtype == DType.Float64 ? 3 : 2; }
export const MAX_RANK: i32 = 8;

export class Buf {
  refs: i32 = 1;
  version: i32 = 0; // bumped by every in-place write; the tape compares it to detect stale saved values
  constructor(public ptr: usize, public bytes: i32) {}
}

export class Tensor {
  refs: i32 = 1;
  // The tape nodes that list this record among their inputs (Node.ins, read for its id and shape even after the
  // record is released): a released record is reused (spareTensors) only once no node lists it.
  pins: i32 = 0;
  trainable: bool = false;
  // Whether the elements are in row-major order at the strides of the shape (isContiguous): worked out once when the
  // record is made (records never write their shape or strides), since every op asks (contig, ~44 times per eager
  // TF-style evaluation, each a loop over the axes).
  dense: bool = true;
  // View provenance: a view of `parent` maps its element j to parent's logical flat index
  // relOffset + sum_a j_a * relStrides[a]. Used to answer gradients with respect to a view made after the fact.
  parent: Tensor | null = null;
  relStrides: StaticArray<i32> | null = null;
  relOffset: i32 = 0;
  constructor(
    public id: i32, public buf: Buf, public dtype: i32,
    public shape: StaticArray<i32>, public strides: StaticArray<i32>, public offset: i32, public size: i32) {}

  @inline get ptr(): usize { return this.buf.ptr + (<usize>this.offset << dshift(this.dtype)); }
  @inline get rank(): i32 { return this.shape.length; }
}

let nextId: i32 = 1;
let liveTensors: i32 = 0;
let liveBytes: i64 = 0;

// The handle table: open addressing with linear probing on the id (home slot id & mask), at most half full. Ids are
// handed out in sequence, so tensors made close together never collide and a lookup is one probe in the common case.
// Removal is backward-shift deletion, which must scan to the end of the probe run for an entry to move into the
// hole; with sequential ids the run is every live tensor, so disposing 20,000 scalars took 1.8 s (quadratic). So
// the table counts the entries not at their home slot: while there are none (the common case), no entry can need
// moving, and a removal just empties its slot.
let slots = new StaticArray<Tensor | null>(1024);
let mask: i32 = 1023;
let displaced: i32 = 0;

function lookup(h: i32): Tensor | null {
  if (h <= 0) return null;
  let i = h & mask;
  while (true) {
    const t = unchecked(slots[i]);
    if (t == null || t.id == h) return t;
    i = (i + 1) & mask;
  }
}

@inline function place(s: StaticArray<Tensor | null>, m: i32, t: Tensor): void {
  let i = t.id & m;
  while (unchecked(s[i]) != null) i = (i + 1) & m;
  if (i != (t.id & m)) displaced++;
  unchecked(s[i] = t);
}

@inline function insert(t: Tensor): void {
  if ((liveTensors + 1) << 1 > mask + 1) growTable();
  place(slots, mask, t);
}
function growTable(): void {
  const old = slots, n = (mask + 1) << 1;
  slots = new StaticArray<Tensor | null>(n); mask = n - 1; displaced = 0;
  for (let j = 0; j < old.length; j++) { const u = unchecked(old[j]); if (u != null) place(slots, mask, u); }
}

function remove(h: i32): void {
  let i = h & mask;
  while (true) {
    const t = unchecked(slots[i]);
    if (t == null) return;
    if (t.id == h) break;
    i = (i + 1) & mask;
  }
  if (i != (h & mask)) displaced--;
  if (displaced == 0) { unchecked(slots[i] = null); return; }
  // backward-shift deletion: an entry later in the probe run moves into the hole unless its home slot lies
  // cyclically in (hole, entry]
  let j = i;
  while (true) {
    j = (j + 1) & mask;
    const t = unchecked(slots[j]);
    if (t == null) break;
    const home = t.id & mask;
    if (i <= j ? (home > i && home <= j) : (home > i || home <= j)) continue;
    unchecked(slots[i] = t);
    if (i == home) displaced--; // it was displaced (at j, not home) and is home now
    i = j;
  }
  unchecked(slots[i] = null);
}

export function currentId(): i32 { return nextId; }

/** Whether t's elements are row-major at its shape's strides (axes of size 1 may have any stride). */
@inline export function isContiguous(t: Tensor): bool { return t.dense; }

/**
 * Whether t is a row broadcast: [M, N] with M > 1 whose rows all share one contiguous row (strides [0, 1]), as a
 * batchJacobian seed is (jacobian.ts). Its row starts at t.ptr; ops that know the form read that row (of period N)
 * instead of making M copies (a product with it: ops/matmul.ts; fused derivative ops and chains: tiles).
 */
@inline export function isRowBroadcast(t: Tensor): bool {
  const s = t.strides;
  // (a row of at least one element: its length is the period tiles repeat, and kernels divide by it)
  const n = s.length == 2 ? unchecked(t.shape[1]) : 0;
  return n > 0 && unchecked(s[0]) == 0 && unchecked(t.shape[0]) > 1 && (unchecked(s[1]) == 1 || n == 1);
}

function denseStrides(shape: StaticArray<i32>, strides: StaticArray<i32>): bool {
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    const d = unchecked(shape[i]);
    if (d != 1 && unchecked(strides[i]) != acc) return false;
    acc *= d;
  }
  return true;
}

// Scopes collect the tensors made while they are open, so backward rules can release their intermediates in one
// place (the core's counterpart of tidy). A tensor handed on (a gradient) is retained by whoever keeps it.
// One flat stack of tensors; each open scope owns the entries from its mark to the top.
// The stack holds ids, not records: a record released inside the scope may be reused for a new tensor of the same
// scope (spareTensors), and an id is looked up in the handle table, which holds a record exactly while it is live.
const scopeItems = new IntStack();
const scopeMarks = new IntStack();

@inline function register(t: Tensor): Tensor {
  insert(t);
  liveTensors++;
  if (scopeMarks.length > 0) scopeItems.push(t.id);
  return t;
}

@inline export function scopeBegin(): void { scopeMarks.push(scopeItems.length); }
export function scopeEnd(): void {
  const m = scopeMarks.pop();
  // Kernel temporaries (contiguous copies) are released by their maker at once and are never held by anyone
  // else; the scope skips those that are already gone (no longer in the handle table).
  const n = scopeItems.length;
  for (let i = m; i < n; i++) { const t = lookup(scopeItems.at(i)); if (t != null) release(t); }
  scopeItems.truncate(m);
}

// Tensor records whose last reference went and that no tape node lists, for newTensor and newView to reuse: an eager
// op makes one or more (51 per TF-style evaluation of the seed network, about half of the core's runtime
// allocations), each a runtime allocation (__new, __alloc) and its share of the next collection (__free, the sweep).
// Safe because nothing reads a released record: the handle table drops it, handles are never reused (a reused record
// gets a new id), scopes hold ids, and tape nodes, which read their inputs' ids and shapes after release, pin them
// (Tensor.pins). A pooled record has id 0, which no handle lookup matches. A fixed array and a count, not a RefStack:
// popped slots are not cleared (the records there are kept anyway).
const SPARE_TENSORS: i32 = 1024;
const spareTensors = new StaticArray<Tensor | null>(SPARE_TENSORS);
let spareCount: i32 = 0;

/** A record for a new tensor: a spare one when there is one. */
@inline function newRecord(buf: Buf, dtype: i32, shape: StaticArray<i32>, strides: StaticArray<i32>, offset: i32, size: i32): Tensor {
  const k = spareCount;
  if (k == 0) return new Tensor(nextId++, buf, dtype, shape, strides, offset, size);
  spareCount = k - 1;
  const t = changetype<Tensor>(unchecked(spareTensors[k - 1]));
  t.id = nextId++; t.buf = buf; t.dtype = dtype; t.shape = shape; t.strides = strides; t.offset = offset; t.size = size;
  t.refs = 1; t.trainable = false; t.relOffset = 0; t.dense = true;
  // (pins is 0 and parent null, as when it was recycled; relStrides is set only together with parent)
  return t;
}

/** Keeps a released record that no node pins for reuse, with id 0. */
@inline export function recycle(t: Tensor): void {
  const k = spareCount;
  if (k >= SPARE_TENSORS) return;
  t.id = 0;
  unchecked(spareTensors[k] = t);
  spareCount = k + 1;
}

// Storage records whose last tensor was released, for newTensor to reuse: every eager op makes one, and a runtime
// allocation costs its __new and its share of the next collection's sweep (together ~19% of an eager TF-style
// evaluation's samples, test/bench/eager-overhead.mjs --profile). Safe because a Buf is read only through live
// tensors: a released record may still sit in a tape node's inputs, but nodes read only its id and shape.
const spareBufs = new RefStack<Buf>();
const SPARE_BUFS: i32 = 256;
function newBuf(ptr: usize, bytes: i32): Buf {
  if (spareBufs.length == 0) return new Buf(ptr, bytes);
  const b = spareBufs.pop();
  b.ptr = ptr; b.bytes = bytes; b.refs = 1; b.version = 0;
  return b;
}

/** A new contiguous tensor with fresh storage, or null (error recorded) when memory is exhausted. */
export function newTensor(shape: StaticArray<i32>, dtype: i32 = DType.Float32): Tensor | null {
  // The element count in f64 first: an i32 product wraps (zeros([50000, 50000]) became a small or negative size and
  // "succeeded" with a wrong buffer). Anything past the allocator's 2 GiB limit is OutOfMemory with the full request
  // (detail a: low 31 bits of the byte count, b: the bits above, as errors.ts documents).
  const sh = dshift(dtype);
  // (the i32 element count in the same loop: it is exact whenever the f64 byte count passes the limit below)
  let want: f64 = <f64>(1 << sh), size = 1;
  for (let i = 0; i < shape.length; i++) { const d = unchecked(shape[i]); want *= <f64>d; size *= d; }
  if (want > <f64>0x7fffffff) {
    fail(ErrorCode.OutOfMemory, -1, -1, <i32>(want % 2147483648.0), <i32>Math.floor(want / 2147483648.0));
    return null;
  }
  const bytes = size << sh;
  const ptr = alloc(<usize>(bytes < 16 ? 16 : bytes));
  if (ptr == 0) { fail(ErrorCode.OutOfMemory, -1, -1, bytes); return null; }
  liveBytes += bytes;
  return register(newRecord(newBuf(ptr, bytes), dtype, shape, sharedStrides(shape), 0, size));
}

/** A new record sharing `base`'s storage. */
export function newView(base: Tensor, shape: StaticArray<i32>, strides: StaticArray<i32>, offset: i32): Tensor {
  base.buf.refs++;
  const t = newRecord(base.buf, base.dtype, shape, strides, offset, sizeOf(shape));
  t.dense = denseStrides(shape, strides);
  return register(t);
}

/** Looks a handle up; records DisposedTensor and returns null when it is not live. */
@inline export function get(h: i32, op: i32 = -1, arg: i32 = -1): Tensor | null {
  const t = lookup(h);
  if (t == null) fail(ErrorCode.DisposedTensor, op, arg, h);
  return t;
}

export function has(h: i32): bool { return lookup(h) != null; }
/** For internal use where the handle is known to be live. */
export function at(h: i32): Tensor { return changetype<Tensor>(lookup(h)); }

@inline export function retain(t: Tensor): void { t.refs++; }

/** Drops a reference (inlined: most releases only count down; the last one frees the record in releaseLast). */
@inline export function release(t: Tensor): void {
  const r = t.refs;
  if (r > 1) t.refs = r - 1;
  else releaseLast(t);
}

function releaseLast(t: Tensor): void {
  t.refs = 0;
  remove(t.id);
  liveTensors--;
  const b = t.buf;
  if (--b.refs == 0) {
    free(b.ptr, <usize>(b.bytes < 16 ? 16 : b.bytes));
    liveBytes -= b.bytes;
    if (spareBufs.length < SPARE_BUFS) spareBufs.push(b);
  }
  const p = t.parent;
  if (p != null) { t.parent = null; release(p); }
  if (t.pins == 0) recycle(t);
}

@inline export function releaseHandle(h: i32): i32 {
  const t = lookup(h);
  if (t == null) return 0;
  release(t);
  return 1;
}

export function liveTensorCount(): i32 { return liveTensors; }
export function liveTensorBytes(): f64 { return <f64>liveBytes; }

// Scratch areas through which TS passes shapes, axes and handle lists (only numbers cross the boundary).
export const scratchI32 = new StaticArray<i32>(1024);
export const scratchF64 = new StaticArray<f64>(64);

export function readShape(from: i32, rank: i32): StaticArray<i32> {
  const s = filled<i32>(rank);
  // one range check for the whole read instead of one per element (a checked read is a call: ~15 instructions)
  if (from < 0 || from + rank > scratchI32.length) unreachable();
  for (let i = 0; i < rank; i++) unchecked(s[i] = unchecked(scratchI32[from + i]));
  return s;
}
