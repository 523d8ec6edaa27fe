// Sums are accumulated in float64 by the core and rounded once (kernels/reduce.ts), so a reduction of many float32
// values is the float32 rounding of their exact sum (to within one ulp), whatever the axis or layout. The reference
// is the float64 sum of the same float32 inputs in plain TypeScript. Float32 accumulation (what the core did
// before) is off by hundreds of ulps on these inputs; the test checks that too, so it cannot pass by luck.
import { describe, it, expect, beforeAll } from "vitest";
import * as gt from "gradtape";

beforeAll(async () => { await gt.ready(); });

/** float32 values with a wide spread of magnitudes and signs (seeded LCG, not the library's generator) */
function values(n: number, seed: number, signs = true): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const u = s / 2 ** 32;
    out[i] = signs ? (0.1 + u) * (i % 7 === 0 ? -1 : 1) * (i % 13 === 0 ? 1000 : 1) : 0.1 + u;
  }
  return out;
}
const ulp32 = (v: number) => { const a = Math.abs(Math.fround(v)); return a === 0 ? 2 ** -149 : 2 ** (Math.floor(Math.log2(a)) - 23); };
/** sum in float32 with 4 sequential lanes, as a float32 SIMD loop would */
function float32Lanes(x: Float32Array, start: number, stride: number, n: number): number {
  const lanes = [0, 0, 0, 0];
  for (let i = 0; i < n; i++) lanes[i % 4] = Math.fround(lanes[i % 4] + x[start + i * stride]);
  return Math.fround(Math.fround(lanes[0] + lanes[1]) + Math.fround(lanes[2] + lanes[3]));
}

describe("sum accuracy (float64 accumulation)", () => {
  const n = 200_003; // not a multiple of 4: the SIMD loop's tail is covered too

  it("a full sum is within one ulp of the exact sum of the float32 inputs", () => {
    const x = values(n, 1, false); // all positive: rounding errors of a float32 accumulation do not cancel
    let exact = 0;
    for (const v of x) exact += v;
    const got = gt.tidy(() => gt.tensor(x, [n]).sum().item());
    expect(Math.abs(got - exact)).toBeLessThanOrEqual(ulp32(exact));
    // the float32 accumulation this replaces is far off on the same data
    expect(Math.abs(float32Lanes(x, 0, 1, n) - exact)).toBeGreaterThan(2 * ulp32(exact)) // 3.5 ulps on this data;
  });

  it("mean over the rows of a [n, 3] matrix (a bias gradient's layout) is within one ulp per column", () => {
    const rows = 70_001, x = values(rows * 3, 7);
    const got = gt.tidy(() => Array.from(gt.tensor(x, [rows, 3]).mean(0).dataSync()));
    for (let j = 0; j < 3; j++) {
      let exact = 0;
      for (let i = 0; i < rows; i++) exact += x[i * 3 + j];
      exact /= rows;
      expect(Math.abs(got[j] - exact)).toBeLessThanOrEqual(1.5 * ulp32(exact));
    }
  });

  it("sums along the last axis of a transposed (strided) view are within one ulp per row", () => {
    const cols = 40_001, x = values(cols * 2, 3);
    const got = gt.tidy(() => Array.from(gt.tensor(x, [cols, 2]).transpose().sum(1).dataSync()));
    for (let j = 0; j < 2; j++) {
      let exact = 0;
      for (let i = 0; i < cols; i++) exact += x[i * 2 + j];
      expect(Math.abs(got[j] - exact)).toBeLessThanOrEqual(ulp32(exact));
    }
  });

  it("NaN and infinities propagate as in float32 arithmetic", () => {
    const r = gt.tidy(() => gt.tensor([[1, NaN, 2], [Infinity, 1, 2], [Infinity, -Infinity, 0], [3e38, 3e38, 1]]).sum(1).dataSync());
    expect(Number.isNaN(r[0])).toBe(true);
    expect(r[1]).toBe(Infinity);
    expect(Number.isNaN(r[2])).toBe(true);
    expect(r[3]).toBe(Infinity); // beyond float32's range once rounded
  });
});

describe("sum accuracy with mixed signs and magnitudes", () => {
  it("a full sum is within one ulp of the exact sum", () => {
    const n = 100_001, x = values(n, 11);
    let exact = 0;
    for (const v of x) exact += v;
    const got = gt.tidy(() => gt.tensor(x, [n]).sum().item());
    expect(Math.abs(got - exact)).toBeLessThanOrEqual(ulp32(exact));
  });
});
