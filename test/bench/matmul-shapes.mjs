// The matrix products of the benchmark programs, one shape at a time: what each kernel path of the core's float32
// matmul (packages/core/assembly/kernels/matmul.ts, matmul-tiles.ts, matmul-narrow.ts) reaches, in multiply-adds
// per second. The Burgers PINN step's products (8x20 tanh net, 10,000 points) and the seed network's (2 -> 28 -> 1):
//   forward / input-gradient products [10000, 20] x [20, 20] (B or B^T), weight gradients [20, 10000] x [10000, 20]
//   (A stored transposed), a first layer's [10000, 2] x [2, w] and its weight gradient [2, 10000] x [10000, 20],
//   an output layer's [10000, w] x [w, 1], the input gradient [10000, 28] x [28, 2]^T.
// Each figure is the median of `--reps` calls of gt.matMul (output allocation and release included, inputs hot in
// cache: a program's products read inputs other steps wrote, so in a program they run up to ~20% slower), rounds
// interleaved over the shapes. Compare with `node test/bench/simd-ceiling.mjs` (f32x4 mul + add loops: 2 flops per
// multiply-add).
//
//   node test/bench/matmul-shapes.mjs [--rounds=3] [--reps=300] [--threads=N] [--only=dW,N2]
//   node --experimental-wasm-relaxed-simd test/bench/matmul-shapes.mjs --simd=relaxed
import * as gt from "gradtape";
import os from "node:os";

const argv = process.argv.slice(2);
const opt = (name, dflt) => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? dflt;
const simd = opt("simd", "baseline"), rounds = Number(opt("rounds", 3)), reps = Number(opt("reps", 300));
const only = opt("only", "")?.split(",").filter(Boolean);
await gt.ready({ simd, threads: Number(opt("threads", 1)) });

// [name, M, K, N, transposeA, transposeB]: C[M, N] = op(A) op(B), A stored [K, M] when transposed, B stored [N, K]
const SHAPES = [
  ["fwd [10000,20]x[20,20]", 10000, 20, 20, false, false],
  ["dX [10000,20]x[20,20]^T", 10000, 20, 20, false, true],
  ["dW [20,10000]^T x [10000,20]", 20, 10000, 20, true, false],
  ["K2 [10000,2]x[2,20]", 10000, 2, 20, false, false],
  ["K2 [10000,2]x[2,28]", 10000, 2, 28, false, false],
  ["dW1 [2,10000]^T x [10000,20]", 2, 10000, 20, true, false],
  ["N1 [10000,20]x[20,1]", 10000, 20, 1, false, false],
  ["N1 [10000,28]x[28,1]", 10000, 28, 1, false, false],
  ["N2 [10000,28]x[28,2]^T", 10000, 28, 2, false, true],
].filter(([name]) => !only?.length || only.some((o) => name.startsWith(o)));

const data = (n, f) => Float32Array.from({ length: n }, (_, i) => f(i));
const cases = SHAPES.map(([name, M, K, N, ta, tb]) => ({
  name, macs: M * K * N, ta, tb, times: [],
  a: gt.keep(gt.tensor(data(M * K, (i) => Math.sin(i)), ta ? [K, M] : [M, K])),
  b: gt.keep(gt.tensor(data(K * N, (i) => Math.cos(i)), tb ? [N, K] : [K, N])),
}));
const load0 = os.loadavg()[0];
for (let r = 0; r < rounds; r++) {
  for (const c of cases) {
    const ts = [];
    for (let i = 0; i < reps; i++) {
      const t0 = performance.now();
      gt.matMul(c.a, c.b, c.ta, c.tb).dispose();
      ts.push(performance.now() - t0);
    }
    ts.sort((x, y) => x - y);
    c.times.push(ts[ts.length >> 1] * 1000);
  }
}
const median = (v) => [...v].sort((x, y) => x - y)[v.length >> 1];
console.log(`# matmul shapes (gradtape ${gt.backendInfo().simd}, ${gt.backendInfo().threads} thread(s), ${os.cpus()[0].model.trim()}, ` +
  `load ${load0.toFixed(2)} -> ${os.loadavg()[0].toFixed(2)}; ${rounds} rounds of ${reps} calls)\n`);
console.log("| product | µs (median of round medians) | rounds | GMAC/s |");
console.log("| --- | ---: | --- | ---: |");
for (const c of cases) {
  const us = median(c.times);
  console.log(`| ${c.name} | ${us.toFixed(1)} | ${c.times.map((t) => t.toFixed(0)).join(" / ")} | ${(c.macs / us / 1e3).toFixed(1)} |`);
  gt.dispose([c.a, c.b]);
}
