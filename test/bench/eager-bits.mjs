// Prints a hash of the bits of the TF-style eager and jitted results (u, gradient, Hessian) of eager-overhead.mjs's
// seed network at n = 1, 3, 16 and 64 points, after 50 warm-up calls each, with the live tensor count before and
// after 2,000 calls: run before and after a change to the core's bookkeeping to show that results are bit-identical
// and memory stays flat.   node test/bench/eager-bits.mjs
import * as gt from "gradtape";
import { createHash } from "node:crypto";
import { seedNet, points } from "./inputs.mjs";
import { seedTfStyle } from "./gradtape-tfstyle.mjs";

await gt.ready();
const { tfStyle } = seedTfStyle(seedNet());
const tfJit = gt.jit(tfStyle);
for (const n of [1, 3, 16, 64]) {
  const pts = points(n, 7);
  for (const [name, fn] of [["tf-style", tfStyle], ["tf-style-jit", tfJit]]) {
    const call = () => gt.tidy(() => { const [u, g, H] = fn(gt.tensor(pts, [n, 2])); return [u.data(), g.data(), H.data()]; });
    for (let i = 0; i < 50; i++) call();
    const live = gt.memory().tensors;
    const h = createHash("sha256");
    for (let i = 0; i < 2000; i++) { const r = call(); if (i % 500 === 0) for (const a of r) h.update(new Uint8Array(a.buffer)); }
    console.log(`n=${n} ${name.padEnd(12)} ${h.digest("hex").slice(0, 16)} tensors ${live} -> ${gt.memory().tensors}`);
  }
}
