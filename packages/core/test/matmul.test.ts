import { describe, it, expect } from "vitest";
import { loadCore } from "../loader.js";

// The blocked matmul kernel against a float64 reference, over the paths the small API cases do not reach: K past
// one K block (256), M past one row block (128), column tails of 1-7 (a 4-wide last panel), row tails of 1-3,
// N == 1 (matrix-vector, both layouts of A), N = 2 and 4 (dot products along k), K = 1 and 2 with A stored [M, K]
// (matmul-shallow.ts: row by row, no packing), 1-3 rows (two panels at a time),
// both operands stored transposed, and rank-2 transposed views read in place. Error bound: float32 summation, relative to the sum of |terms| of each element; the same bound (1e-6)
// for both builds: core-relaxed.wasm's fused multiply-add rounds each step once instead of twice, so its error is
// no larger (measured worst at these sizes and K = 1000: 2.5e-7 baseline, 2.3e-7 relaxed). Which build runs: the
// "core" project loads core.wasm, "core-relaxed" core-relaxed.wasm (vitest.config.ts; simd-build.test.ts checks).
const c = await loadCore();
describe(`matmul kernel (${c.relaxedSimd() ? "relaxed" : "baseline"} build)`, async () => {
  const scratch = () => new Int32Array(c.memory.buffer, c.scratchI32Ptr(), 1024);
  const make = (shape: number[], f: (i: number) => number): number => {
    scratch().set(shape);
    const h = c.tensorNew(shape.length, 0);
    const n = shape.reduce((p, d) => p * d, 1);
    const v = new Float32Array(c.memory.buffer, c.tensorDataPtr(h), n);
    for (let i = 0; i < n; i++) v[i] = f(i);
    return h;
  };
  const read = (h: number, n: number) => new Float32Array(c.memory.buffer, c.tensorDataPtr(h), n).slice();

  /** max over elements of |C - ref| / sum |terms| for C = op(A) op(B), A and B given in their stored layouts */
  function check(M: number, K: number, N: number, ta: boolean, tb: boolean, viewA = false): number {
    const A = (i: number) => Math.sin(i * 0.37 + 1), B = (i: number) => Math.cos(i * 0.11 + 2);
    // stored shapes; a "view" operand is stored the other way round and transposed by a View op
    const sa = ta !== viewA ? [K, M] : [M, K], sb = tb ? [N, K] : [K, N];
    let ha = make(sa, A);
    const hb = make(sb, B);
    if (viewA) {
      scratch().set([1, 0]);
      const v = c.transposeOp(ha);
      c.tensorRelease(ha);
      ha = v;
    }
    const hc = c.matMulOp(ha, hb, ta, tb);
    expect(hc).not.toBe(0);
    const out = read(hc, M * N);
    const av = new Float32Array(sa[0] * sa[1]).map((_, i) => A(i)), bv = new Float32Array(sb[0] * sb[1]).map((_, i) => B(i));
    // element (i, k) of op(A) as the kernel sees it, from the stored array
    const aAt = (i: number, k: number) => (ta !== viewA ? av[k * M + i] : av[i * K + k]);
    const bAt = (k: number, j: number) => (tb ? bv[j * K + k] : bv[k * N + j]);
    let worst = 0;
    for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) {
      let s = 0, abs = 0;
      for (let k = 0; k < K; k++) { const t = aAt(i, k) * bAt(k, j); s += t; abs += Math.abs(t); }
      worst = Math.max(worst, abs === 0 ? Math.abs(out[i * N + j]) : Math.abs(out[i * N + j] - s) / abs);
    }
    c.tensorRelease(ha); c.tensorRelease(hb); c.tensorRelease(hc);
    return worst;
  }

  it("odd shapes in all four layouts (row/column tails, 4-wide last panel, N = 1, K = 1)", () => {
    for (const M of [1, 3, 4, 5, 9]) for (const K of [1, 2, 7, 20]) for (const N of [1, 2, 3, 4, 5, 8, 12, 20]) {
      for (const ta of [false, true]) for (const tb of [false, true]) expect(check(M, K, N, ta, tb), `${M}x${K}x${N} ${ta} ${tb}`).toBeLessThan(1e-6);
    }
  });
  it("several K blocks (K = 600), row blocks (M = 300), wide B (N up to 520), PINN widths", () => {
    // (also: N = 1, 2, 4 in groups of 8/N rows with a row tail and K mod 4 last terms; 1-3 rows over several K
    // blocks, two panels at a time, with a 4-wide and a full second panel)
    for (const [M, K, N] of [[300, 20, 20], [20, 600, 20], [7, 600, 13], [300, 600, 1], [130, 257, 9], [40, 300, 300], [9, 600, 520],
      [301, 33, 2], [303, 31, 4], [131, 28, 1], [2, 600, 20], [3, 600, 16], [1, 600, 28], [3000, 1, 28], [2999, 2, 33]]) {
      for (const ta of [false, true]) for (const tb of [false, true]) expect(check(M, K, N, ta, tb), `${M}x${K}x${N} ${ta} ${tb}`).toBeLessThan(1e-6);
    }
  });
  it("reads a rank-2 transposed view in place, with or without transposeA", () => {
    for (const [M, K, N] of [[5, 7, 9], [64, 33, 20], [300, 20, 1]]) {
      for (const ta of [false, true]) expect(check(M, K, N, ta, false, true), `${M}x${K}x${N} view ${ta}`).toBeLessThan(1e-6);
    }
  });
  it("a product of at most 4 rows (B read in place) has the bits of the same rows inside a larger (packed) product", () => {
    // the few-rows path and the packed path (and for K <= 2 the shallow one) must sum each element the same way: jit
    // replays and eager code, and one point against a batch, then agree exactly
    const Aik = (i: number, k: number) => Math.sin(i * 1.3 + k * 0.37 + 1), Bkj = (k: number, j: number) => Math.cos(k * 0.11 + j * 0.7 + 2);
    const product = (M: number, K: number, N: number, ta: boolean, tb: boolean): Float32Array => {
      const ha = make(ta ? [K, M] : [M, K], (f) => (ta ? Aik(f % M, Math.floor(f / M)) : Aik(Math.floor(f / K), f % K)));
      const hb = make(tb ? [N, K] : [K, N], (f) => (tb ? Bkj(f % K, Math.floor(f / K)) : Bkj(Math.floor(f / N), f % N)));
      const hc = c.matMulOp(ha, hb, ta, tb);
      expect(hc).not.toBe(0);
      const out = read(hc, M * N);
      c.tensorRelease(ha); c.tensorRelease(hb); c.tensorRelease(hc);
      return out;
    };
    for (const K of [1, 2, 28, 256]) for (const N of [2, 3, 4, 5, 8, 28, 33]) for (const ta of [false, true]) for (const tb of [false, true]) {
      const full = product(9, K, N, ta, tb);
      for (const m of [1, 2, 3, 4]) {
        const few = product(m, K, N, ta, tb);
        expect(Array.from(few), `${m}x${K}x${N} ta=${ta} tb=${tb}`).toEqual(Array.from(full.subarray(0, m * N)));
      }
    }
  });
});
