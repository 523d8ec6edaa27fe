// What every export does first and last: start from a clean error state (and let the collector run while no
// core function holds an object: gc.ts), and hand back a handle, or 0 with the error recorded and nothing leaked.
import { Tensor, release, MAX_RANK } from "../tensor";
import { failed, clearError } from "../errors";
import { maybeCollect } from "../gc";
import { ERR } from "../ops/factory";

@inline export function done(t: Tensor): i32 {
  if (failed()) { if (t !== ERR) release(t); return 0; }
  writeMeta(t);
  return t.id;
}

// The result's metadata, written by every export that returns a handle through done(): [handle, rank | dtype << 8,
// shape...]. The TS side wraps a result from it (tensor.ts wrap) instead of calling tensorMeta: one boundary
// crossing, a handle lookup and a clearError fewer per eager op. It reads it only when outMeta[0] is the handle it
// got (handles are never reused), so an export that does not write it just costs the tensorMeta call.
export const outMeta = new StaticArray<i32>(2 + MAX_RANK);
function writeMeta(t: Tensor): void {
  const s = t.shape, r = s.length;
  if (r > MAX_RANK) { unchecked(outMeta[0] = 0); return; }
  unchecked(outMeta[0] = t.id);
  unchecked(outMeta[1] = r | (t.dtype << 8));
  for (let i = 0; i < r; i++) unchecked(outMeta[2 + i] = unchecked(s[i]));
}
@inline export function begin(): void { clearError(); maybeCollect(); }
