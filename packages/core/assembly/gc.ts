// Garbage collection of the core's own records (tensor records, shape arrays, tape nodes). The core is built with
// AssemblyScript's minimal runtime: TLSF allocation and a non-incremental two-colour mark & sweep that runs only when
// asked, so the hot path has no write barriers and no incremental GC steps (with the incremental runtime those were
// about a third of the time of a small op). The collector marks from globals only (locals are not roots), so it must
// run when no core function holds an object in a local: at the entry of an export, before the export touches any
// object. exports/entry.ts calls maybeCollect() there; no export is called from inside the core.
import { currentId, liveTensorCount } from "./tensor";

let lastId: i32 = 0;

/**
 * Collects once enough tensors were made since the last collection: 16384, and at least twice the live count.
 * (4096 before: a collection also flushes the small-block cache, so the allocations after it go through TLSF until
 * the cache refills; at 16384 seed-single is x1.10-1.14 faster for ~2 MiB more runtime heap: 3.3 -> 5.3 MiB of wasm
 * memory after 20,000 evaluations, /tmp/latency/mem.mjs.)
 */
@inline export function maybeCollect(): void {
  const made = currentId() - lastId;
  if (made > 16384 && made > (liveTensorCount() << 1)) collectNow();
}

export function collectNow(): void {
  lastId = currentId();
  // a global of the runtime patch in scripts/small-block-cache.mjs: gives the cached small blocks back to TLSF
  // @ts-ignore: defined by the patched runtime
  __flushSmallBlocks();
  // @ts-ignore: a runtime global
  __collect();
}
