// The tensor-buffer allocator. Size classes step by quarters of a power of two (5/4, 6/4, 7/4, 2 times 2^e) from 64
// bytes, powers of two below (16, 32, 64): every class size is a multiple of 16 (alignment for v128 loads), and a
// block wastes at most 20% of itself (12% on average) where powers of two wasted up to 50%: a [10000, 20] float32
// tensor (800,000 bytes) takes 917,504 bytes instead of 1 MiB, which brought a Burgers PINN step's peak from 76.0 to
// 66.1 MiB (nested tapes; jet 61.8 -> 53.9). Freed blocks go to a per-class free list and are reused, so a training
// loop allocates nothing new in steady state. Fresh blocks are carved from chunks this allocator obtains with
// memory.grow itself, separate from the AssemblyScript runtime heap (TLSF adds only the pages it grew to its pool, so
// the two never overlap). Free lists are intrusive (a free block holds the address of the next one), and memory grows
// geometrically, by a quarter of what this allocator holds (at least 1 MiB): each memory.grow makes V8 account
// external memory and may run a JS garbage collection, and 1 MiB steps made the first step of a 200 MB PINN training
// loop take 0.5 s. A half (the earlier rule) left up to a third of the memory unused after a step's peak (reserved
// 115.6 MiB for a 76 MiB peak); a quarter grows a few more times, at no measurable cost in the first step (CPU time,
// best of 5: nested tapes 132 -> 131 ms, jet 133 -> 135 ms; wasm memory 117.9 -> 76.3 MB, 79.3 -> 76.3 MB).
//
// Running out of memory (issue 14) returns 0, never traps and never hands out memory it does not own:
// - Addresses and sizes of the grow path are computed in 64 bits: a chunk that ends at the 4 GiB limit has its end
//   at 2^32, which wrapped to 0 in 32 bits and turned the next "remaining space" into 4 GiB of live tensors.
// - This allocator stops growing RESERVE_PAGES below the wasm limit (or below a limit set with setLimit), so the
//   runtime heap (tensor records, shapes, tape nodes, programs) can still grow after tensor storage is full: views
//   and tapes made while memory is full used to trap `unreachable` in TLSF. If even that is used up, TLSF asks
//   this allocator for free space (__gtDonate, wired in by scripts/small-block-cache.mjs) before trapping.
// - When it cannot grow, it coalesces before failing (reclaim): every free block of every class is put into one
//   list sorted by address, adjacent blocks are merged, the largest extent becomes the bump region and the others
//   are cut back into class blocks. So memory freed as one size is usable for any other (after a huge jacobian
//   failed, a 12-byte tensor used to fail because every free byte sat in 1 GiB-class blocks). The pass is
//   O(n log n) in the free blocks and runs only when memory is full, so the hot path is unchanged.

const MIN_CLASS: i32 = 16;  // 16 bytes: class c has size (4 + (c & 3)) << ((c >> 2) - 2)
const MAX_CLASS: i32 = 124; // 2 GiB
const CHUNK: u64 = 1 << 20;
const WASM_PAGES: i64 = 65536;     // the wasm32 limit: 4 GiB
const RESERVE_PAGES: i64 = 256;    // 16 MiB kept for the runtime heap at the limit (about 80,000 tensor records)

// Static data, not StaticArrays: the runtime heap calls into this file (__gtDonate), so nothing here may need it.
const HEADS: usize = memory.data(<i32>(MAX_CLASS + 1) << 2, 16); // first free block of each class (0: none)
const BINS: usize = memory.data(40 << 2, 16);                     // reclaim's merge-sort runs
@inline function head(c: i32): usize { return load<usize>(HEADS + (<usize>c << 2)); }
@inline function setHead(c: i32, p: usize): void { store<usize>(HEADS + (<usize>c << 2), p); }
@inline function bin(i: i32): usize { return load<usize>(BINS + (<usize>i << 2)); }
@inline function setBin(i: i32, p: usize): void { store<usize>(BINS + (<usize>i << 2), p); }
@inline function push(cls: i32, p: usize): void { store<usize>(p, head(cls)); setHead(cls, p); }
let bump: u64 = 0;
let bumpEnd: u64 = 0;
let liveBytes: i64 = 0;      // bytes of blocks handed out (by class size)
let pooledBytes: i64 = 0;    // bytes sitting in free lists
let grownBytes: i64 = 0;     // bytes obtained from memory.grow (less what was donated to the runtime heap)
let peakBytes: i64 = 0;      // the most liveBytes has been since the last resetPeak()
let limitPages: i64 = WASM_PAGES - RESERVE_PAGES;
// Set when memory.grow failed below the limit (an engine or a shared memory with a smaller maximum, a browser out
// of address space): then no pages are left for the runtime heap either, so this allocator keeps RESERVE_PAGES of
// its own free memory untouched, for __gtDonate to hand to the runtime heap (records of views, tapes, programs).
let capped = false;
const RESERVE_BYTES: i64 = RESERVE_PAGES << 16;
@inline function freeBytes(): i64 { return pooledBytes + <i64>(bumpEnd - bump); }

@inline export function sizeClass(bytes: usize): i32 {
  if (bytes <= 16) return MIN_CLASS;
  const e = 31 - clz<u32>(<u32>(bytes - 1));      // 2^e <= bytes - 1 < 2^(e+1)
  if (e < 6) return (e + 1) << 2;                 // up to 64 bytes: the next power of two
  const q = <i32>(((bytes - 1) >> (e - 2)) & 3);  // bytes - 1 < 2^e (5 + q) / 4: the smallest quarter step that fits
  return q == 3 ? (e + 1) << 2 : (e << 2) + q + 1;
}

/** The bytes of a block of class c. */
@inline export function classSize(c: i32): usize { return (<usize>(4 + (c & 3))) << ((c >> 2) - 2); }

/** The largest class whose blocks fit in `len` bytes (len >= 16, a multiple of 16). */
function classBelow(len: u64): i32 {
  const e = 63 - <i32>clz<u64>(len);
  if (e < 6) return e << 2;                               // 16, 32: powers of two
  return (e << 2) + <i32>((len >> <u64>(e - 2)) & 3);     // 2^e (4 + q) / 4 <= len
}

/** Cuts [s, e) into class blocks, largest first, onto the free lists. */
function cut(s: u64, e: u64): void {
  while (e - s >= 16) {
    const c = min(classBelow(e - s), MAX_CLASS);
    const size = <u64>classSize(c);
    push(c, <usize>s); pooledBytes += size; s += size;
  }
}

/** Takes block h, the head of class cls's free list (size bytes), off the list and counts it live. */
@inline function takeHead(cls: i32, h: usize, size: usize): usize {
  setHead(cls, load<usize>(h));
  pooledBytes -= size; liveBytes += size;
  if (liveBytes > peakBytes) peakBytes = liveBytes;
  return h;
}

/** Allocates a 16-byte-aligned block of at least `bytes`; 0 when memory cannot provide it. Inlined: the common
 *  case pops a free block of its class (43 tensors per eager TF-style evaluation); the rest is allocSlow. */
@inline export function alloc(bytes: usize): usize {
  const cls = sizeClass(bytes);
  if (cls > MAX_CLASS) return 0;
  const h0 = head(cls);
  if (h0 != 0 && !capped) return takeHead(cls, h0, classSize(cls));
  return allocSlow(cls);
}
function allocSlow(cls: i32): usize {
  const size = classSize(cls);
  // (under the cap, past the reserve nothing is handed out: a pooled block neither, and merging blocks would not
  // change the count)
  if (capped && freeBytes() - <i64>size < RESERVE_BYTES) return 0;
  const h0 = head(cls);
  if (h0 != 0) return takeHead(cls, h0, size);
  if (bump + <u64>size > bumpEnd && !grow(<u64>size)) {
    reclaim();
    if (capped && freeBytes() - <i64>size < RESERVE_BYTES) return 0;
    const h = head(cls);
    if (h != 0) return takeHead(cls, h, size);
    if (bump + <u64>size > bumpEnd) return 0;
  }
  const p = bump;
  bump += <u64>size;
  liveBytes += size;
  if (liveBytes > peakBytes) peakBytes = liveBytes;
  return <usize>p;
}

/**
 * A block of `count` elements of `elemBytes` each, the product checked (a 32-bit product wraps: 2^30 float64
 * accumulators asked for 0 bytes); 0 when it does not fit. Free it with free(p, count * elemBytes).
 */
export function allocElems(count: i64, elemBytes: i64): usize {
  if (count < 0 || count * elemBytes > (<i64>1 << 31)) return 0;
  return alloc(<usize>(count * elemBytes));
}

/** A new chunk of at least `size` bytes for the bump region; false when memory is at its limit. */
function grow(size: u64): bool {
  // Put the rest of the current chunk to use before leaving it.
  cut(bump, bumpEnd); bump = bumpEnd;
  const least: u64 = size > CHUNK ? size : CHUNK;
  const quarter = <u64>(grownBytes >> 2);
  let pages = <i64>(((quarter > least ? quarter : least) + 0xffff) >> 16);
  const room = limitPages - <i64>memory.size();
  const need = <i64>((least + 0xffff) >> 16);
  if (need > room) return false;
  if (pages > room) pages = room;
  let before = memory.grow(<i32>pages);
  if (before < 0) { pages = need; before = memory.grow(<i32>pages); }
  if (before < 0) { capped = true; return false; }
  bump = (<u64>before) << 16;
  bumpEnd = bump + ((<u64>pages) << 16);
  grownBytes += pages << 16;
  return true;
}

@inline function nextOf(p: usize): usize { return load<usize>(p); }
@inline function sizeAt(p: usize): u64 { return load<u64>(p, 8); }

/** Merges two address-sorted lists (linked through their first word). */
function merge(a: usize, b: usize): usize {
  if (a == 0) return b;
  if (b == 0) return a;
  let head: usize, tail: usize;
  if (a < b) { head = a; a = nextOf(a); } else { head = b; b = nextOf(b); }
  tail = head;
  while (a != 0 && b != 0) {
    if (a < b) { store<usize>(tail, a); tail = a; a = nextOf(a); } else { store<usize>(tail, b); tail = b; b = nextOf(b); }
  }
  store<usize>(tail, a != 0 ? a : b);
  return head;
}

/**
 * Coalesces the free blocks.
 * Each free block gets its size written at +8 (blocks are at least 16 bytes), the lists are merged into one and
 * sorted by address (a bottom-up merge sort through the blocks' own links: no memory needed), and runs of adjacent
 * blocks become extents. The largest extent is the new bump region; the rest are cut back into class blocks.
 */
function reclaim(): void {
  cut(bump, bumpEnd); bump = bumpEnd = 0;
  for (let i = 0; i < 40; i++) setBin(i, 0);
  for (let c = MIN_CLASS; c <= MAX_CLASS; c++) {
    let p = head(c);
    setHead(c, 0);
    const s = <u64>classSize(c);
    while (p != 0) {
      const next = nextOf(p);
      store<u64>(p, s, 8);
      store<usize>(p, 0);
      let carry = p, i = 0;
      while (bin(i) != 0) { carry = merge(bin(i), carry); setBin(i, 0); i++; }
      setBin(i, carry);
      p = next;
    }
  }
  let all: usize = 0;
  for (let i = 0; i < 40; i++) all = merge(bin(i), all);
  pooledBytes = 0;
  // walk the extents; keep the largest as the bump region
  let bestS: u64 = 0, bestE: u64 = 0;
  let p = all;
  while (p != 0) {
    const s = <u64>p;
    let e = s + sizeAt(p);
    p = nextOf(p);
    while (p != 0 && <u64>p == e) { e += sizeAt(p); p = nextOf(p); }
    if (e - s > bestE - bestS) { cut(bestS, bestE); bestS = s; bestE = e; } else cut(s, e);
  }
  bump = bestS; bumpEnd = bestE;
}

@inline export function free(ptr: usize, bytes: usize): void {
  const cls = sizeClass(bytes);
  push(cls, ptr);
  const size = <i64>classSize(cls);
  liveBytes -= size; pooledBytes += size;
}

/**
 * Gives `bytes` of free tensor memory to the runtime heap (TLSF), which calls this when memory.grow fails
 * (scripts/small-block-cache.mjs); 0 when there is not that much in one piece. The memory is TLSF's from then on.
 */
// @ts-ignore: decorator
@global export function __gtDonate(bytes: usize): usize {
  const want = (<u64>bytes + 0xffff) & ~(<u64>0xffff);
  if (bumpEnd - bump < want) reclaim();
  if (bumpEnd - bump < want) return 0;
  bumpEnd -= want;
  grownBytes -= <i64>want;
  return <usize>bumpEnd;
}

/**
 * Caps the wasm memory this allocator grows to (bytes, rounded down to 64 KiB pages; at most 4 GiB less the
 * runtime heap's reserve). Memory already grown stays. Returns the cap in effect.
 */
export function setLimit(bytes: f64): f64 {
  const pages = <i64>Math.floor(bytes / 65536);
  limitPages = pages < WASM_PAGES - RESERVE_PAGES ? pages : WASM_PAGES - RESERVE_PAGES;
  return <f64>(limitPages << 16);
}
export function limitBytes(): f64 { return <f64>(limitPages << 16); }
/** The most bytes that could still be allocated (free blocks, the bump region and growth up to the limit), in one
 *  piece or not: a request above it cannot succeed, so ops whose output size is known refuse it before computing. */
export function availableBytes(): f64 {
  const room = capped ? 0 : limitPages - <i64>memory.size();
  return <f64>pooledBytes + <f64>(bumpEnd - bump) + (room > 0 ? <f64>(room << 16) : 0);
}

export function allocatedBytes(): f64 { return <f64>liveBytes; }
export function pooledBytesCount(): f64 { return <f64>pooledBytes; }
export function grownBytesCount(): f64 { return <f64>grownBytes; }
/** The most bytes (by size class) handed out at once since the last resetPeak(): a step's peak tensor memory. */
export function peakBytesCount(): f64 { return <f64>peakBytes; }
export function resetPeak(): void { peakBytes = liveBytes; }
