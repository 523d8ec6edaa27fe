// What every export does first and last: start from a clean error state (and let the collector run while no
// core function holds an object: gc.ts), and hand back a handle, or 0 with the error recorded and nothing leaked.
import { Tensor, release } from "../tensor";
import { failed, clearError } from "../errors";
import { maybeCollect } from "../gc";
import { ERR } from "../ops/factory";

@inline export function done(t: Tensor): i32 {
  if (failed()) { if (t !== ERR) release(t); return 0; }
  return t.id;
}
@inline export function begin(): void { clearError(); maybeCollect(); }
