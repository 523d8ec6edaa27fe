// The tensor-buffer allocator. Size classes are powers of two from 16 bytes (16-byte alignment for v128 loads);
// freed blocks go to a per-class free list and are reused, so a training loop allocates nothing new in steady
// state. Fresh blocks are carved from chunks this allocator obtains with memory.grow itself, separate from the
// AssemblyScript runtime heap (TLSF adds only the pages it grew to its pool, so the two never overlap).
// Running out of memory returns 0 instead of trapping; the caller reports OutOfMemory with the size.
// Free lists are intrusive (a free block holds the address of the next one), and memory grows geometrically (by
// half of what this allocator holds, at least 1 MiB): each memory.grow makes V8 account external memory and often
// run a full JS garbage collection, and 1 MiB steps made the first step of a 200 MB PINN training loop take 0.5 s.

const MIN_CLASS: i32 = 4;   // 16 bytes
const MAX_CLASS: i32 = 31;  // 2 GiB
const CHUNK: usize = 1 << 20;

const heads = new StaticArray<usize>(32); // first free block of each class (0: none)
@inline function push(cls: i32, p: usize): void { store<usize>(p, unchecked(heads[cls])); unchecked(heads[cls] = p); }
let bump: usize = 0;
let bumpEnd: usize = 0;
let liveBytes: i64 = 0;      // bytes of blocks handed out (by class size)
let pooledBytes: i64 = 0;    // bytes sitting in free lists
let grownBytes: i64 = 0;     // bytes obtained from memory.grow
let peakBytes: i64 = 0;      // the most liveBytes has been since the last resetPeak()

export function sizeClass(bytes: usize): i32 {
  if (bytes <= 16) return MIN_CLASS;
  return 32 - clz<u32>(<u32>(bytes - 1));
}

/** Allocates a 16-byte-aligned block of at least `bytes`; 0 when memory cannot grow. */
export function alloc(bytes: usize): usize {
  const cls = sizeClass(bytes);
  if (cls > MAX_CLASS) return 0;
  const size: usize = (<usize>1) << cls;
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
      const c = 31 - clz<u32>(<u32>(bumpEnd - bump));
      const s: usize = (<usize>1) << c;
      push(c, bump); pooledBytes += s; bump += s;
    }
    const least: usize = size > CHUNK ? size : CHUNK;
    const half = <usize>(grownBytes >> 1);
    let pages = <i32>(((half > least ? half : least) + 0xffff) >> 16);
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
  const size: i64 = (<i64>1) << cls;
  liveBytes -= size; pooledBytes += size;
}

export function allocatedBytes(): f64 { return <f64>liveBytes; }
export function pooledBytesCount(): f64 { return <f64>pooledBytes; }
export function grownBytesCount(): f64 { return <f64>grownBytes; }
/** The most bytes (by size class) handed out at once since the last resetPeak(): a step's peak tensor memory. */
export function peakBytesCount(): f64 { return <f64>peakBytes; }
export function resetPeak(): void { peakBytes = liveBytes; }
