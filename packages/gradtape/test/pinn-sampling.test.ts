// Collocation samplers: reproducible from a seed, inside the box, and covering it as each design promises
// (Latin hypercube strata, Sobol's (0, m, 2)-net property, Halton's radical inverses).
import { describe, it, expect, beforeAll } from "vitest";
import { ready, pinn, memory } from "gradtape";

beforeAll(async () => { await ready(); });

const BOX = { x: [-1, 1], t: [0, 1] } as const;

describe("samplers", () => {
  it("are reproducible bit for bit from a seed, differ between seeds, and stay inside the box", () => {
    for (const method of pinn.SAMPLERS) {
      const a = pinn.samplePoints(500, BOX, { method, seed: 3 });
      const b = pinn.samplePoints(500, BOX, { method, seed: 3 });
      const c = pinn.samplePoints(500, BOX, { method, seed: 4 });
      expect(a, method).toEqual(b);
      expect(Array.from(a).some((v, i) => v !== c[i]), method).toBe(true);
      for (let i = 0; i < 500; i++) {
        expect(a[2 * i]).toBeGreaterThanOrEqual(-1); expect(a[2 * i]).toBeLessThan(1);
        expect(a[2 * i + 1]).toBeGreaterThanOrEqual(0); expect(a[2 * i + 1]).toBeLessThan(1);
      }
    }
    // the generator's stream is fixed: a regression pin for "same seed, same points, on every platform"
    const r = new pinn.Rng(42);
    const first = [r.nextU32(), r.nextU32(), r.nextU32()];
    const r2 = new pinn.Rng(42);
    expect([r2.nextU32(), r2.nextU32(), r2.nextU32()]).toEqual(first);
  });

  it("cover the box evenly: every cell of an 8 x 8 grid gets its share", () => {
    const n = 4096;
    for (const method of pinn.SAMPLERS) {
      const u = pinn.sampleUnit(n, 2, { method, seed: 1 });
      const counts = new Array(64).fill(0);
      for (let i = 0; i < n; i++) counts[Math.floor(u[2 * i] * 8) * 8 + Math.floor(u[2 * i + 1] * 8)]++;
      const expected = n / 64;
      // uniform random: within 5 standard deviations; the low-discrepancy designs: much closer
      const tol = method === "uniform" ? 5 * Math.sqrt(expected) : method === "lhs" ? 4 * Math.sqrt(expected) : method === "halton" ? 8 : 3;
      for (const c of counts) expect(Math.abs(c - expected), `${method}`).toBeLessThanOrEqual(tol);
    }
  });

  it("Latin hypercube: each of the n strata of each variable holds exactly one point", () => {
    const n = 97, d = 3;
    const u = pinn.latinHypercubeUnit(n, d, 5);
    for (let j = 0; j < d; j++) {
      const strata = new Set<number>();
      for (let i = 0; i < n; i++) strata.add(Math.floor(u[i * d + j] * n));
      expect(strata.size).toBe(n);
    }
  });

  it("Sobol: the classic first points, and for 2^m points every elementary box of area 2^-m holds one point", () => {
    const plain = pinn.sobolUnit(8, 2, 0, false);
    const q = (v: number) => Math.round(v * 2 ** 20) / 2 ** 20;
    expect(Array.from(plain, q)).toEqual([0, 0, 0.5, 0.5, 0.75, 0.25, 0.25, 0.75, 0.375, 0.375, 0.875, 0.875, 0.625, 0.125, 0.125, 0.625]);
    for (const scramble of [false, true]) {
      const m = 8, n = 2 ** m;
      const u = pinn.sobolUnit(n, 2, 9, scramble);
      for (let k = 0; k <= m; k++) {
        // boxes of 2^k x 2^(m-k) cells
        const seen = new Set<number>();
        for (let i = 0; i < n; i++) seen.add(Math.floor(u[2 * i] * 2 ** k) * 2 ** (m - k) + Math.floor(u[2 * i + 1] * 2 ** (m - k)));
        expect(seen.size, `scramble=${scramble}, k=${k}`).toBe(n);
      }
    }
    // every built-in dimension is a (t, s)-sequence: each 1-D projection of 2^m points fills the 2^m strata
    const d = pinn.SOBOL_MAX_DIM, n = 1024;
    const u = pinn.sobolUnit(n, d, 2);
    for (let j = 0; j < d; j++) expect(new Set(Array.from({ length: n }, (_, i) => Math.floor(u[i * d + j] * n))).size).toBe(n);
    expect(() => pinn.sobolUnit(4, d + 1)).toThrow(/halton/);
  });

  it("Halton: radical inverses in bases 2 and 3", () => {
    const h = pinn.haltonUnit(4, 2, 0, false);
    const want = [0.5, 1 / 3, 0.25, 2 / 3, 0.75, 1 / 9, 0.125, 4 / 9];
    want.forEach((v, i) => expect(h[i]).toBeCloseTo(v, 14));
  });

  it("sample() makes a float32 [n, d] tensor; bad arguments are named", () => {
    const before = memory().tensors;
    const X = pinn.sample(10, BOX, { method: "sobol", seed: 1 });
    expect(X.shape).toEqual([10, 2]);
    expect(X.dtype).toBe("float32");
    X.dispose();
    expect(memory().tensors).toBe(before);
    expect(() => pinn.samplePoints(10, { x: [1, 0] })).toThrow(/'x' must be \[lo, hi\]/);
    expect(() => pinn.samplePoints(10, BOX, { method: "grid" as never })).toThrow(/method must be one of/);
    expect(() => pinn.samplePoints(1.5, BOX)).toThrow(/number of points/);
    expect(pinn.linspace(-1, 1, 5)).toEqual([-1, -0.5, 0, 0.5, 1]);
  });
});
