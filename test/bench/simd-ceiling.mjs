// The machine's wasm SIMD ceiling for float32 multiply-adds, on one thread: probe kernels of K independent f32x4
// accumulator chains, assembled here byte by byte (no toolchain), run by the same V8 that runs every library's
// matmul. Matmul rows are then shown as a fraction of it: a float32 matmul in wasm SIMD (without relaxed-simd FMA)
// is a stream of f32x4 mul + add with loads on top, so it cannot beat the best of these loops.
//
// Two loop bodies, each unrolled U times; $n counts iterations, $y is tiny (2^-30) so every acc + (something * y)
// rounds back to acc: the values stay normal and constant (no denormals, no overflow, and the result can be
// checked), while V8 cannot know it and must do every operation.
//   "chain": acc_k = f32x4.add(acc_k, f32x4.mul(acc_k, y))    mul and add both on the loop-carried chain
//   "load":  a = v128.load(p); p = (p + 16) & 4095            the matmul micro-kernel's shape: the products
//            acc_k = f32x4.add(acc_k, f32x4.mul(a, x_k))      are off the chain (only the add is carried), one
//                                                             16-byte load per K mul+add pairs (memory holds 1.0)
// At the end every chain feeds the result (sum of lane 0 of each acc), so nothing is dead code. Few chains are
// latency-bound, too many spill registers: several K per body are run and the best figure is the ceiling.
// Flops counted: 8 per f32x4 mul+add pair (4 lanes x 2), nothing else.
//   node test/bench/simd-ceiling.mjs        prints the ceiling and each body's figure per K

const SIMD = 0xfd;
const OP = { "v128.load": 0x00, "f32x4.splat": 0x13, "f32x4.extract_lane": 0x1f, "f32x4.add": 0xe4, "f32x4.mul": 0xe6 };

function uleb(n) {
  const out = [];
  do { let b = n & 0x7f; n >>>= 7; if (n) b |= 0x80; out.push(b); } while (n);
  return out;
}
const simd = (name) => [SIMD, ...uleb(OP[name])];
const f32 = (x) => [...new Uint8Array(new Float32Array([x]).buffer)];
const vec = (items) => [...uleb(items.length), ...items.flat()];
const section = (id, bytes) => [id, ...uleb(bytes.length), ...bytes];
const str = (s) => vec([...Buffer.from(s)].map((b) => [b]));
const get = (i) => [0x20, ...uleb(i)], set = (i) => [0x21, ...uleb(i)];

/**
 * The probe module: (func (export "probe") (param $n i32) (param $y f32) (result f32)), body "chain" or "load"
 * with K accumulators, unrolled U times; "load" also exports a 1-page memory (filled with 1.0 by the caller).
 */
export function probeModule(body, K, U = 4) {
  // locals: 0 $n, 1 $y, then acc_0..acc_{K-1}, y (v128), x_0..x_{K-1} (load), a (load), p (i32, load)
  const acc = (k) => 2 + k, yv = 2 + K, x = (k) => 3 + K + k, av = 3 + 2 * K, p = 4 + 2 * K;
  const load = body === "load";
  const code = [];
  for (let k = 0; k < K; k++) code.push(0x43, ...f32(k + 1), ...simd("f32x4.splat"), ...set(acc(k)));
  code.push(...get(1), ...simd("f32x4.splat"), ...set(yv));
  if (load) for (let k = 0; k < K; k++) code.push(...get(1), 0x43, ...f32(k + 1), 0x94 /* f32.mul */, ...simd("f32x4.splat"), ...set(x(k)));
  code.push(0x03, 0x40); // loop (no result)
  for (let u = 0; u < U; u++) {
    if (load) {
      code.push(...get(p), ...simd("v128.load"), 4, 0, ...set(av)); // align 2^4, offset 0
      // p = (p + 16) & 4095: i32.const operands are signed LEB128 (16 = 0x10; 4095 = 0xff 0x1f)
      code.push(...get(p), 0x41, 0x10, 0x6a /* i32.add */, 0x41, 0xff, 0x1f, 0x71 /* i32.and */, ...set(p));
      for (let k = 0; k < K; k++) code.push(...get(acc(k)), ...get(av), ...get(x(k)), ...simd("f32x4.mul"), ...simd("f32x4.add"), ...set(acc(k)));
    } else {
      for (let k = 0; k < K; k++) code.push(...get(acc(k)), ...get(acc(k)), ...get(yv), ...simd("f32x4.mul"), ...simd("f32x4.add"), ...set(acc(k)));
    }
  }
  // $n -= 1; br_if 0 ($n != 0); end
  code.push(...get(0), 0x41, 1, 0x6b, 0x22, 0, 0x0d, 0x00, 0x0b);
  for (let k = 0; k < K; k++) {
    code.push(...get(acc(k)), ...simd("f32x4.extract_lane"), 0);
    if (k > 0) code.push(0x92); // f32.add
  }
  code.push(0x0b);
  const locals = load ? [[...uleb(2 * K + 2), 0x7b], [1, 0x7f]] : [[...uleb(K + 1), 0x7b]];
  const fn = [...vec(locals), ...code];
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec([[0x60, ...vec([[0x7f], [0x7d]]), ...vec([[0x7d]])]])), // (i32, f32) -> f32
    ...section(3, vec([[0]])),
    ...(load ? section(5, vec([[0x00, 1]])) : []), // memory: min 1 page
    ...section(7, vec([[...str("probe"), 0x00, 0], ...(load ? [[...str("memory"), 0x02, 0]] : [])])),
    ...section(10, vec([[...uleb(fn.length), ...fn]])),
  ];
  return new Uint8Array(bytes);
}

/**
 * GFLOP/s of the probe for each body and K, and the best of them: { gflops, gflopsCpu, byK }. Each figure is the
 * best of `samples` runs of about `ms` (after a warm-up that lets V8 tier the function up to its optimising
 * compiler): a ceiling is what the core can do, and on a shared machine other processes only ever take time away.
 * gflopsCpu divides by the process's CPU time instead of the wall time (higher when the thread was descheduled).
 */
export async function simdCeiling({ bodies = { chain: [8, 10, 12, 14], load: [4, 5, 6, 7, 8] }, samples = 7, ms = 30 } = {}) {
  const byK = {};
  let gflops = 0, gflopsCpu = 0;
  const tiny = 2 ** -30;
  for (const [body, chains] of Object.entries(bodies)) for (const K of chains) {
    const { instance } = await WebAssembly.instantiate(probeModule(body, K, 4));
    const probe = instance.exports.probe;
    if (instance.exports.memory) new Float32Array(instance.exports.memory.buffer).fill(1);
    const flopPerIter = K * 4 * 8; // U = 4 unrolled copies of K mul+add pairs of 4 lanes
    // warm up (tier-up), then size the loop to about `ms`
    let iters = 1 << 14;
    for (;;) {
      const t0 = performance.now();
      const r = probe(iters, tiny);
      const dt = performance.now() - t0;
      if (!Number.isFinite(r)) throw new Error(`SIMD probe ${body} K=${K} gave ${r}`);
      if (dt > ms / 2 || iters > 1 << 28) { iters = Math.max(1, Math.round((iters * ms) / Math.max(dt, 1e-3))); break; }
      iters *= 4;
    }
    let best = 0, bestCpu = 0;
    for (let s = 0; s < samples; s++) {
      const c0 = process.cpuUsage(), t0 = performance.now();
      const r = probe(iters, tiny);
      const dt = performance.now() - t0, c = process.cpuUsage(c0), cpu = (c.user + c.system) / 1000;
      const want = (K * (K + 1)) / 2; // the chains keep their start values 1..K: the probe computed what it claims
      if (Math.abs(r - want) > 1e-3 * want) throw new Error(`SIMD probe ${body} K=${K}: result ${r}, expected ${want}`);
      best = Math.max(best, (iters * flopPerIter) / (dt * 1e-3) / 1e9);
      if (cpu > 0) bestCpu = Math.max(bestCpu, (iters * flopPerIter) / (Math.max(cpu, dt * 0.5) * 1e-3) / 1e9);
    }
    byK[`${body} K=${K}`] = +best.toFixed(2);
    gflops = Math.max(gflops, best);
    gflopsCpu = Math.max(gflopsCpu, bestCpu);
  }
  return { gflops, gflopsCpu: Math.max(gflopsCpu, gflops), byK };
}

if (process.argv[1] === new URL(import.meta.url).pathname) {
  const r = await simdCeiling();
  console.log(`wasm SIMD f32x4 mul+add ceiling: ${r.gflops.toFixed(1)} GFLOP/s (by CPU time ${r.gflopsCpu.toFixed(1)}), one thread`);
  for (const [k, g] of Object.entries(r.byK)) console.log(`  ${k.padEnd(12)} ${g.toFixed(1)} GFLOP/s`);
}
