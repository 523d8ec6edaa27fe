// Garbage collection of the core's own records (tensor records, shape arrays, tape nodes). The core is built with
// AssemblyScript's minimal runtime: TLSF allocation and a non-incremental two-colour mark & sweep that runs only when
// asked, so the hot path has no write barriers and no incremental GC steps (with the incremental runtime those were
// about a third of the time of a small op). The collector marks from globals only (locals are not roots), so it must
// run when no core function holds an object in a local: at the entry of an export, before the export touches any
// object. index.ts calls maybeCollect() there; no export is called from inside the core.
import { currentId, liveTensorCount } from "./tensor";

let lastId: i32 = 0;

/** Collects once enough tensors were made since the last collection: 4096, and at least twice the live count. */
@inline export function maybeCollect(): void {
  const made = currentId() - lastId;
  if (made > 4096 && made > (liveTensorCount() << 1)) collectNow();
}

export function collectNow(): void {
  lastId = currentId();
  // a global of the runtime patch in scripts/small-block-cache.mjs: gives the cached small blocks back to TLSF
  // @ts-ignore: defined by the patched runtime
  __flushSmallBlocks();
  // @ts-ignore: a runtime global
  __collect();
}
