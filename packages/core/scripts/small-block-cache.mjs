// A build-time patch of AssemblyScript 0.28.20's TLSF allocator (the runtime heap that holds the core's records:
// tensors, shapes, tape nodes): freed blocks of up to 1 KiB go to per-size free lists (exact TLSF size classes,
// singly linked through the freed block) instead of back to TLSF, and allocations of those sizes pop from them.
// The minimal runtime frees all garbage at once at a collection, and the core then allocates the same few record
// sizes again, so nearly every allocation is a pop: with plain TLSF, insertBlock/removeBlock/searchBlock were about
// 20% of the time of a small op (seed-single: 1.02M -> 0.83M instructions per evaluation). Cached blocks stay "used"
// in TLSF's view (never coalesced); their total is bounded by the garbage between two collections.
// The patch is checked against the exact source it replaces, so an AssemblyScript upgrade that changes it fails
// the build instead of silently dropping the cache.
const OLD_ALLOC = `export function __alloc(size: usize): usize {
  if (!ROOT) initialize();
  return changetype<usize>(allocateBlock(ROOT, size)) + BLOCK_OVERHEAD;
}`;
const NEW_ALLOC = `export function __alloc(size: usize): usize {
  if (size <= SMALL_MAX) {
    const slot = SMALL_CACHE + ((computeSize(size) >> AL_BITS) << alignof<usize>());
    const p = load<usize>(slot);
    if (p) { store<usize>(slot, load<usize>(p)); return p; }
  }
  if (!ROOT) initialize();
  return changetype<usize>(allocateBlock(ROOT, size)) + BLOCK_OVERHEAD;
}
// @ts-ignore: decorator
@inline const SMALL_MAX: usize = 1024;
// @ts-ignore: decorator
@lazy const SMALL_CACHE = memory.data(((SMALL_MAX >> AL_BITS) + 1) << alignof<usize>(), 16);

/** Returns every cached block to TLSF (which coalesces them); gc.ts calls it before each collection. */
// @ts-ignore: decorator
@global @unsafe
export function __flushSmallBlocks(): void {
  if (!ROOT) initialize();
  for (let c: usize = 0; c <= (SMALL_MAX >> AL_BITS); c++) {
    const slot = SMALL_CACHE + (c << alignof<usize>());
    let p = load<usize>(slot);
    while (p) { const next = load<usize>(p); freeBlock(ROOT, changetype<Block>(p - BLOCK_OVERHEAD)); p = next; }
    store<usize>(slot, 0);
  }
}`;
const OLD_FREE = `export function __free(ptr: usize): void {
  if (ptr < __heap_base) return;
  if (!ROOT) initialize();`;
const NEW_FREE = `export function __free(ptr: usize): void {
  if (ptr < __heap_base) return;
  const size = changetype<Block>(ptr - BLOCK_OVERHEAD).mmInfo & ~TAGS_MASK;
  if (size <= SMALL_MAX) {
    const slot = SMALL_CACHE + ((size >> AL_BITS) << alignof<usize>());
    store<usize>(ptr, load<usize>(slot));
    store<usize>(slot, ptr);
    return;
  }
  if (!ROOT) initialize();`;

// TLSF grows memory by doubling it (memory.size() more pages). The wasm memory also holds the tensor allocator's
// chunks (hundreds of MB in a PINN step), so one small runtime-heap growth doubled the whole memory (173 -> 347 MB
// reported, and a full JS GC). It grows by what it needs, at least 2 MiB, instead.
const OLD_GROW = `  let pagesWanted = max(pagesBefore, pagesNeeded); // double memory`;
const NEW_GROW = `  let pagesWanted = max(pagesNeeded, 32); // gradtape: at least 2 MiB, not doubling (scripts/small-block-cache.mjs)`;

// At the wasm limit TLSF trapped (unreachable) in the middle of making a record, which left the instance unusable.
// It asks the tensor allocator for free space instead (assembly/memory.ts __gtDonate, which coalesces its free
// blocks to find one piece), and traps only if there is none.
const OLD_FAIL = `    if (memory.grow(pagesNeeded) < 0) unreachable();
  }
  let pagesAfter = memory.size();`;
const NEW_FAIL = `    if (memory.grow(pagesNeeded) < 0) {
      const bytes = (<usize>pagesNeeded + 1) << 16;
      const start = __gtDonate(bytes);
      if (!start) unreachable();
      addMemory(root, start, <u64>start + <u64>bytes);
      return;
    }
  }
  let pagesAfter = memory.size();`;

/** Patches asc's embedded copy of rt/tlsf.ts (call before asc.main). */
export function patchRuntime(asc) {
  const src = asc.libraryFiles["rt/tlsf"];
  if (src.includes("SMALL_CACHE")) return;
  if (!src.includes(OLD_ALLOC) || !src.includes(OLD_FREE) || !src.includes(OLD_GROW) || !src.includes(OLD_FAIL)) {
    throw new Error("scripts/small-block-cache.mjs: rt/tlsf.ts is not the AssemblyScript 0.28.20 source this patch was written for");
  }
  asc.libraryFiles["rt/tlsf"] = src.replace(OLD_ALLOC, NEW_ALLOC).replace(OLD_FREE, NEW_FREE).replace(OLD_GROW, NEW_GROW).replace(OLD_FAIL, NEW_FAIL);
}
