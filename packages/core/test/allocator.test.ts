import { describe, it, expect } from "vitest";
import { loadCore } from "../loader.js";

// The tensor allocator (assembly/memory.ts): block sizes step by quarters of a power of two above 64 bytes, every
// block is 16-byte aligned, live blocks never overlap, and a freed block is reused by the next request of its class.
describe("core allocator: size classes", async () => {
  const c = await loadCore();
  const scratch = () => new Int32Array(c.memory.buffer, c.scratchI32Ptr(), 1024);
  const make = (floats: number): number => { scratch()[0] = floats; return c.tensorNew(1, 0); };

  /** The block size the allocator charges for `bytes`, by hand: the smallest of 16, 32, 64, then
   *  2^e * 5/4, 6/4, 7/4, 8/4 for e = 6, 7, ... that holds them. */
  function expected(bytes: number): number {
    const sizes = [16, 32, 64];
    for (let e = 6; e < 31; e++) for (const q of [5, 6, 7, 8]) sizes.push((2 ** e * q) / 4);
    return sizes.find((s) => s >= Math.max(bytes, 16))!;
  }

  it("charges each request its class size (800,000 bytes -> 917,504), aligned and without overlap", () => {
    const counts = [1, 4, 5, 16, 17, 33, 100, 257, 1000, 4096, 5000, 10000, 200000, 200001, 262144];
    const blocks: [number, number][] = [];
    const handles: number[] = [];
    for (const n of counts) {
      const before = c.allocBytes();
      const h = make(n);
      expect(c.allocBytes() - before, `${n} floats (${4 * n} bytes)`).toBe(expected(4 * n));
      const p = c.tensorDataPtr(h);
      expect(p % 16, `${n} floats: pointer ${p} is not 16-byte aligned`).toBe(0);
      blocks.push([p, p + expected(4 * n)]);
      handles.push(h);
    }
    expect(expected(800000)).toBe(917504);
    const sorted = blocks.slice().sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < sorted.length; i++) expect(sorted[i][0], "overlapping blocks").toBeGreaterThanOrEqual(sorted[i - 1][1]);
    // a freed block is handed out again for a request of the same class (4097..5120 bytes share the 5,120 one)
    const h = make(1100), p = c.tensorDataPtr(h);
    c.tensorRelease(h);
    const h2 = make(1250);
    expect(c.tensorDataPtr(h2)).toBe(p);
    c.tensorRelease(h2);
    for (const x of handles) c.tensorRelease(x);
  });
});
