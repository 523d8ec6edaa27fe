// The tensor-buffer allocator. Size classes step by quarters of a power of two (5/4, 6/4, 7/4, 2 times 2^e) from 64
// bytes, powers of two below (16, 32, 64): every class size is a multiple of 16 (alignment for v128 loads), and a
// block wastes at most 20% of itself (12% on average) where powers of two wasted up to 50%: a [10000, 20] float32
// tensor (800,000 bytes) takes 917,504 bytes instead of 1 MiB, which brought a Burgers PINN step's peak from 76.0 to
// 66.1 MiB (nested tapes; jet 61.8 -> 53.9). Freed blocks go to a per-class free list and are reused, so a training
// loop allocates nothing new in steady state. Fresh blocks are carved from chunks this allocator obtains with
// memory.grow itself, separate from the AssemblyScript runtime heap (TLSF adds only the pages it grew to its pool, so
// the two never overlap). Running out of memory returns 0 instead of trapping; the caller reports OutOfMemory with
// the size. Free lists are intrusive (a free block holds the address of the next one), and memory grows
// geometrically, by a quarter of what this allocator holds (at least 1 MiB): each memory.grow makes V8 account
// external memory and may run a JS garbage collection, and 1 MiB steps made the first step of a 200 MB PINN training
// loop take 0.5 s. A half (the earlier rule) left up to a third of the memory unused after a step's peak (reserved
// 115.6 MiB for a 76 MiB peak); a quarter grows a few more times, at no measurable cost in the first step (CPU time,
// best of 5: nested tapes 132 -> 131 ms, jet 133 -> 135 ms; wasm memory 117.9 -> 76.3 MB, 79.3 -> 76.3 MB).

const MIN_CLASS: i32 = 16;  // 16 bytes: class c has size (4 + (c & 3)) << ((c >> 2) - 2)
const MAX_CLASS: i32 = 124; // 2 GiB
const CHUNK: usize = 1 << 20;

const heads = new StaticArray<usize>(MAX_CLASS + 1); // first free block of each class (0: none)
@inline function push(cls: i32, p: usize): void { store<usize>(p, unchecked(heads[cls])); unchecked(heads[cls] = p); }
let bump: usize = 0;
let bumpEnd: usize = 0;
let liveBytes: i64 = 0;      // bytes of blocks handed out (by class size)
let pooledBytes: i64 = 0;    // bytes sitting in free lists
let grownBytes: i64 = 0;     // bytes obtained from memory.grow
let peakBytes: i64 = 0;      // the most liveBytes has been since the last resetPeak()

export function sizeClass(bytes: usize): i32 {
  if (bytes <= 16) return MIN_CLASS;
  const e = 31 - clz<u32>(<u32>(bytes - 1));      // 2^e <= bytes - 1 < 2^(e+1)
  if (e < 6) return (e + 1) << 2;                 // up to 64 bytes: the next power of two
  const q = <i32>(((bytes - 1) >> (e - 2)) & 3);  // bytes - 1 < 2^e (5 + q) / 4: the smallest quarter step that fits
  return q == 3 ? (e + 1) << 2 : (e << 2) + q + 1;
}

/** The bytes of a block of class c. */
@inline export function classSize(c: i32): usize { return (<usize>(4 + (c & 3))) << ((c >> 2) - 2); }

/** Allocates a 16-byte-aligned block of at least `bytes`; 0 when memory cannot grow. */
export function alloc(bytes: usize): usize {
  const cls = sizeClass(bytes);
  if (cls > MAX_CLASS) return 0;
  const size = classSize(cls);
  const head = unchecked(heads[cls]);
  if (head != 0) {
    unchecked(heads[cls] = load<usize>(head));
    pooledBytes -= size; liveBytes += size;
    if (liveBytes > peakBytes) peakBytes = liveBytes;
    return head;
  }
  if (bump + size > bumpEnd) {
    // Put the rest of the current chunk to use before leaving it: split it into free blocks.
    while (bumpEnd - bump >= 16) {
      const c = 31 - clz<u32>(<u32>(bumpEnd - bump));  // the largest power of two that fits: class c << 2
      const s: usize = (<usize>1) << c;
      push(c << 2, bump); pooledBytes += s; bump += s;
    }
    const least: usize = size > CHUNK ? size : CHUNK;
    const quarter = <usize>(grownBytes >> 2);
    let pages = <i32>(((quarter > least ? quarter : least) + 0xffff) >> 16);
    let before = memory.grow(pages);
    if (before < 0) { pages = <i32>((least + 0xffff) >> 16); before = memory.grow(pages); }
    if (before < 0) return 0;
    bump = (<usize>before) << 16;
    bumpEnd = bump + ((<usize>pages) << 16);
    grownBytes += (<i64>pages) << 16;
  }
  const p = bump;
  bump += size;
  liveBytes += size;
  if (liveBytes > peakBytes) peakBytes = liveBytes;
  return p;
}

export function free(ptr: usize, bytes: usize): void {
  const cls = sizeClass(bytes);
  push(cls, ptr);
  const size = <i64>classSize(cls);
  liveBytes -= size; pooledBytes += size;
}

export function allocatedBytes(): f64 { return <f64>liveBytes; }
export function pooledBytesCount(): f64 { return <f64>pooledBytes; }
export function grownBytesCount(): f64 { return <f64>grownBytes; }
/** The most bytes (by size class) handed out at once since the last resetPeak(): a step's peak tensor memory. */
export function peakBytesCount(): f64 { return <f64>peakBytes; }
export function resetPeak(): void { peakBytes = liveBytes; }
