import { describe, it, expect } from "vitest";
import { loadCore } from "../loader.js";

// exp, tanh and sigmoid of the SIMD kernels (assembly/kernels/math.ts) against float64 Math, over dense grids of
// float32 inputs, with the bounds documented there. Run by the "core" project on core.wasm and by "core-relaxed" on
// core-relaxed.wasm, whose polynomial steps are fused multiply-adds: the same bounds must hold for both. (Measured
// on x64 with FMA: exp 9.6e-8 baseline / 7.4e-8 relaxed, tanh 1.6e-7 / 1.6e-7, sigmoid 1.8e-7 / 1.8e-7; tanh and
// sigmoid have their own, cheaper exp: they were at 1.3e-7 / 1.5e-7 and 1.4e-7 / 1.5e-7 before it.)
const c = await loadCore();
const build = c.relaxedSimd() ? "relaxed" : "baseline";

/** max relative error of op over xs (float32 inputs), and where; `floor` guards the relative error near 0. */
function worst(op: number, xs: Float32Array, ref: (x: number) => number, floor = 0): { err: number; at: number } {
  new Int32Array(c.memory.buffer, c.scratchI32Ptr(), 1)[0] = xs.length;
  const h = c.tensorNew(1, 0);
  new Float32Array(c.memory.buffer, c.tensorDataPtr(h), xs.length).set(xs);
  const y = c.unaryOp(op, h);
  expect(y).not.toBe(0);
  const out = new Float32Array(c.memory.buffer, c.tensorDataPtr(y), xs.length).slice();
  c.tensorRelease(h); c.tensorRelease(y);
  let err = 0, at = NaN;
  for (let i = 0; i < xs.length; i++) {
    const r = ref(xs[i]);
    const e = Math.abs(out[i] - r) / Math.max(Math.abs(r), floor);
    if (e > err) { err = e; at = xs[i]; }
  }
  return { err, at };
}
const grid = (lo: number, hi: number, n: number) => Float32Array.from({ length: n }, (_, i) => lo + ((hi - lo) * i) / (n - 1));

describe(`transcendental kernels (${build} build) against float64`, () => {
  it("exp: relative error < 3e-7 over [-87, 88]", () => {
    const { err, at } = worst(c.Op.Exp, grid(-87, 88, 200001), Math.exp);
    expect(err, `worst at x = ${at}`).toBeLessThan(3e-7);
  });
  it("tanh: relative error < 3e-7 over [-12, 12] (the clamp at 10 too) and +-[1e-30, 1] (no cancellation near 0)", () => {
    const tiny = Array.from({ length: 3001 }, (_, i) => 10 ** (-30 + i / 100));
    const xs = new Float32Array([...grid(-12, 12, 200001), ...grid(-0.7, 0.7, 50001), ...tiny, ...tiny.map((x) => -x)]);
    const { err, at } = worst(c.Op.Tanh, xs, Math.tanh, 1e-30);
    expect(err, `worst at x = ${at}`).toBeLessThan(3e-7);
  });
  it("sigmoid: relative error < 4e-7 over [-80, 80]", () => {
    const { err, at } = worst(c.Op.Sigmoid, grid(-80, 80, 200001), (x) => 1 / (1 + Math.exp(-x)));
    expect(err, `worst at x = ${at}`).toBeLessThan(4e-7);
  });
});
