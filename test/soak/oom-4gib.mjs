// Fills wasm memory to the real 4 GiB limit with 4 MiB tensors (tensor i filled with i % 97), then checks that the
// error is an OutOfMemoryError, that no live tensor was overwritten, that views, tapes and 20,000 small tensors can
// still be made, and that after disposing everything the instance works. Needs ~4.3 GB of RAM and ~30 s:
// node test/soak/oom-4gib.mjs (the CI test, test/integration/out-of-memory.test.ts, does the same under a 64 MiB limit).
import * as gt from "gradtape";
await gt.ready();
const ts = []; let err;
const t0 = performance.now();
try { for (;;) ts.push(gt.fill([1024, 1024], ts.length % 97)); } catch (e) { err = e; }
console.log(err?.name, err?.message, ts.length, (performance.now()-t0).toFixed(0), "ms");
let bad = 0; for (let i = 0; i < ts.length; i++) { const d = ts[i].data(); if (d[0] !== i % 97 || d[d.length-1] !== i % 97) bad++; }
console.log("bad", bad);
try { const v = ts[0].reshape([1024*1024]); v.dispose(); console.log("view ok"); } catch (e) { console.log("view", e.name, e.message); }
try { const tape = new gt.GradientTape(); tape.watch(ts[1]); console.log("tape ok"); } catch (e) { console.log("tape", e.name, e.message); }
const small = []; try { for (let i = 0; i < 20000; i++) small.push(gt.scalar(i)); console.log("small ok"); } catch (e) { console.log("small", e.name, e.message.slice(0,200), small.length); }
bad = 0; for (let i = 0; i < ts.length; i++) { const d = ts[i].data(); if (d[0] !== i % 97 || d[d.length-1] !== i % 97) bad++; }
console.log("bad after small", bad, gt.memory());
for (const s of small) s.dispose(); for (const t of ts) t.dispose();
const x = gt.tensor([1,2,3]); console.log("after", x.data(), gt.memory());

// Phase 2: the runtime heap past its reserve. Fill again, free every other 4 MiB tensor, then make 400,000 scalar
// tensors: their records (~100 B each, ~40 MB) outgrow the 16 MiB reserve, so the runtime heap must take memory
// back from the tensor allocator's free blocks (memory.ts __gtDonate) instead of trapping.
{
  const big = []; try { for (;;) big.push(gt.fill([1024, 1024], big.length % 97)); } catch (e) { console.log("refilled:", e.name, big.length); }
  for (let i = 0; i < big.length; i += 2) big[i].dispose();
  const many = [];
  try { for (let i = 0; i < 400000; i++) many.push(gt.scalar(i)); console.log("400,000 scalars made", gt.memory()); }
  catch (e) { console.log("scalars:", e.name, e.message.slice(0, 200), many.length); }
  let bad2 = 0; for (let i = 1; i < big.length; i += 2) { const d = big[i].data(); if (d[0] !== i % 97 || d[d.length - 1] !== i % 97) bad2++; }
  let badS = 0; for (let i = 0; i < many.length; i += 997) if (many[i].data()[0] !== i) badS++;
  console.log("phase 2 overwritten:", bad2, "of", big.length >> 1, "big,", badS, "sampled scalars");
  for (const t of many) t.dispose(); for (let i = 1; i < big.length; i += 2) big[i].dispose();
  const y = gt.mul(gt.tensor([1, 2, 3]), 2); console.log("after phase 2", y.data(), gt.memory());
}
