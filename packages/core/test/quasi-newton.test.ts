import { describe, it, expect } from "vitest";
import { readFileSync } from "node:fs";
import { loadCore } from "../loader.js";

// The dense quasi-Newton kernels (kernels/symmetric.ts behind exports/quasi-newton.ts) against plain float64 loops
// over a full (unpacked) matrix: the packed product H x and the rank-two update, for sizes whose rows start at odd
// and even doubles and end with and without a scalar tail. Float64 sums of n terms: the bound is 1e-14 relative to
// the sum of |terms|.
const c = await loadCore();

describe(`packed symmetric kernels (${c.relaxedSimd() ? "relaxed" : "baseline"} build)`, () => {
  const scratch = () => new Int32Array(c.memory.buffer, c.scratchI32Ptr(), 1024);
  const P = (n: number) => (n * (n + 1)) / 2;
  /** a workspace tensor for n parameters: float32 storage of 2 (P + 3 n) floats */
  const workspace = (n: number): number => {
    scratch().set([2 * (P(n) + 3 * n)]);
    const h = c.tensorNew(1, 0);
    expect(h).not.toBe(0);
    return h;
  };
  const view = (h: number, n: number) => new Float64Array(c.memory.buffer, c.tensorDataPtr(h), P(n) + 3 * n);
  const at = (i: number, j: number, n: number) => { if (i > j) [i, j] = [j, i]; return i * n - (i * (i - 1)) / 2 + (j - i); };

  for (const n of [1, 2, 3, 7, 8, 33]) {
    it(`n = ${n}: C = H A and H <- alpha H + cuu u u' + cus (u s' + s u') + css s s'`, () => {
      const h = workspace(n);
      const full = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => Math.sin(1 + 0.7 * Math.min(i, j) + 1.3 * Math.max(i, j))));
      const w = view(h, n);
      for (let i = 0; i < n; i++) for (let j = i; j < n; j++) w[at(i, j, n)] = full[i][j];
      const a = Float64Array.from({ length: n }, (_, i) => Math.cos(0.3 * i + 0.2));
      w.set(a, P(n));
      expect(c.qnMultiply(h, n)).toBe(1);
      let out = view(h, n).slice(P(n) + 2 * n);
      for (let i = 0; i < n; i++) {
        let ref = 0, mag = 0;
        for (let j = 0; j < n; j++) { ref += full[i][j] * a[j]; mag += Math.abs(full[i][j] * a[j]); }
        expect(Math.abs(out[i] - ref)).toBeLessThanOrEqual(1e-14 * mag);
      }
      // update with u = C (the product above) and s = B
      const s = Float64Array.from({ length: n }, (_, i) => Math.sin(0.9 * i - 0.4));
      view(h, n).set(s, P(n) + n);
      const [alpha, cuu, cus, css] = [0.75, -0.3, 0.2, 1.7];
      expect(c.qnUpdate(h, n, alpha, cuu, cus, css)).toBe(1);
      const after = view(h, n);
      out = after.slice(P(n) + 2 * n);
      for (let i = 0; i < n; i++) for (let j = i; j < n; j++) {
        const ref = alpha * full[i][j] + cuu * out[i] * out[j] + cus * (out[i] * s[j] + s[i] * out[j]) + css * s[i] * s[j];
        expect(Math.abs(after[at(i, j, n)] - ref)).toBeLessThanOrEqual(1e-14 * (Math.abs(alpha * full[i][j]) + Math.abs(cuu * out[i] * out[j]) + 2 * Math.abs(cus * out[i] * s[j]) + Math.abs(css * s[i] * s[j])) + 1e-300);
      }
      expect(c.qnReset(h, n, 2.5)).toBe(1);
      const id = view(h, n);
      for (let i = 0; i < n; i++) for (let j = i; j < n; j++) expect(id[at(i, j, n)]).toBe(i === j ? 2.5 : 0);
      c.tensorRelease(h);
    });
  }

  it("refuses a workspace of the wrong size or a released one, with the error recorded", () => {
    const h = workspace(4);
    expect(c.qnMultiply(h, 5)).toBe(0);
    expect(c.errorCode()).not.toBe(0);
    expect(c.qnUpdate(h, 0, 1, 0, 0, 0)).toBe(0);
    c.tensorRelease(h);
    expect(c.qnReset(h, 4, 1)).toBe(0);
    expect(c.errorCode()).not.toBe(0);
  });

  it("the kernels run on f64x2 lanes", () => {
    const wat = readFileSync(new URL("../build/core.wat", import.meta.url), "utf8");
    // (the kernels may be inlined into their exports: look in both)
    const body = (re: RegExp) => [...wat.matchAll(/\(func \$(\S+)[\s\S]*?(?=\n \(func |\n \(export |\n\)$)/g)].filter((m) => re.test(m[1])).map((m) => m[0]).join("\n");
    expect(body(/packedSymv|qnMultiply/)).toMatch(/f64x2\.mul[\s\S]*f64x2\.add/);
    expect(body(/packedRank2|qnUpdate/)).toMatch(/f64x2\.mul[\s\S]*v128\.store/);
  });
});
