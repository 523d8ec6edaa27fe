// The tensor-buffer allocator. Size classes are powers of two from 16 bytes (16-byte alignment for v128 loads);
// freed blocks go to a per-class free list and are reused, so a training loop allocates nothing new in steady
// state. Fresh blocks are carved from chunks this allocator obtains with memory.grow itself, separate from the
// AssemblyScript runtime heap (TLSF adds only the pages it grew to its pool, so the two never overlap).
// Running out of memory returns 0 instead of trapping; the caller reports OutOfMemory with the size.

const MIN_CLASS: i32 = 4;   // 16 bytes
const MAX_CLASS: i32 = 31;  // 2 GiB
const CHUNK: usize = 1 << 20;

const freeLists = new StaticArray<Array<usize>>(32);
for (let i = 0; i < 32; i++) freeLists[i] = new Array<usize>();
let bump: usize = 0;
let bumpEnd: usize = 0;
let liveBytes: i64 = 0;      // bytes of blocks handed out (by class size)
let pooledBytes: i64 = 0;    // bytes sitting in free lists
let grownBytes: i64 = 0;     // bytes obtained from memory.grow

export function sizeClass(bytes: usize): i32 {
  if (bytes <= 16) return MIN_CLASS;
  return 32 - clz<u32>(<u32>(bytes - 1));
}

/** Allocates a 16-byte-aligned block of at least `bytes`; 0 when memory cannot grow. */
export function alloc(bytes: usize): usize {
  const cls = sizeClass(bytes);
  if (cls > MAX_CLASS) return 0;
  const list = freeLists[cls];
  const size: usize = (<usize>1) << cls;
  if (list.length > 0) {
    pooledBytes -= size; liveBytes += size;
    return list.pop();
  }
  if (bump + size > bumpEnd) {
    // Put the rest of the current chunk to use before leaving it: split it into free blocks.
    while (bumpEnd - bump >= 16) {
      const c = 31 - clz<u32>(<u32>(bumpEnd - bump));
      const s: usize = (<usize>1) << c;
      freeLists[c].push(bump); pooledBytes += s; bump += s;
    }
    const want: usize = size > CHUNK ? size : CHUNK;
    const pages = <i32>((want + 0xffff) >> 16);
    const before = memory.grow(pages);
    if (before < 0) return 0;
    bump = (<usize>before) << 16;
    bumpEnd = bump + ((<usize>pages) << 16);
    grownBytes += (<i64>pages) << 16;
  }
  const p = bump;
  bump += size;
  liveBytes += size;
  return p;
}

export function free(ptr: usize, bytes: usize): void {
  const cls = sizeClass(bytes);
  freeLists[cls].push(ptr);
  const size: i64 = (<i64>1) << cls;
  liveBytes -= size; pooledBytes += size;
}

export function allocatedBytes(): f64 { return <f64>liveBytes; }
export function pooledBytesCount(): f64 { return <f64>pooledBytes; }
export function grownBytesCount(): f64 { return <f64>grownBytes; }
