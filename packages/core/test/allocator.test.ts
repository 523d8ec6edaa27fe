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

// At its limit the allocator coalesces (issue 14): memory freed as many small blocks serves one large request and
// the other way round, live blocks are never handed out twice, and a request that cannot fit returns 0 (the
// caller's OutOfMemory), never a block it does not own.
describe("core allocator: at the limit", async () => {
  const c = await loadCore();
  const scratch = () => new Int32Array(c.memory.buffer, c.scratchI32Ptr(), 1024);
  const make = (floats: number): number => { scratch()[0] = floats; return c.tensorNew(1, 0); };
  const MiB = 2 ** 20;

  it("merges freed neighbours for a larger request, splits a large free block for small ones, and fails cleanly", () => {
    c.setMemoryLimit(c.memory.buffer.byteLength + 8 * MiB);
    // fill with 64 KiB tensors until full
    const small: number[] = [];
    for (;;) { const h = make(16384); if (h === 0) { c.clearError(); break; } small.push(h); }
    expect(small.length).toBeGreaterThan(64);
    // a 1 MiB request cannot fit now...
    expect(make(262144)).toBe(0);
    expect(c.errorCode()).toBe(c.ErrorCode.OutOfMemory);
    c.clearError();
    // ...but after freeing 32 neighbouring 64 KiB blocks it does, from their merged space
    const ptrs = small.map((h) => c.tensorDataPtr(h));
    const order = small.map((_, i) => i).sort((a, b) => ptrs[a] - ptrs[b]);
    const freed = new Set(order.slice(8, 40).map((i) => small[i]));
    const lo = Math.min(...[...freed].map((h) => c.tensorDataPtr(h)));
    for (const h of freed) c.tensorRelease(h);
    const big = make(262144);
    expect(big).not.toBe(0);
    const p = c.tensorDataPtr(big);
    expect(p).toBeGreaterThanOrEqual(lo);
    expect(p + MiB).toBeLessThanOrEqual(lo + 32 * 65536);
    // no live block overlaps the new one
    for (const h of small) if (!freed.has(h)) { const q = c.tensorDataPtr(h); expect(q + 65536 <= p || q >= p + MiB).toBe(true); }
    // the big block freed again serves many small requests (the class lists alone could not)
    c.tensorRelease(big);
    const tiny: number[] = [];
    for (let i = 0; i < 1000; i++) { const h = make(3); expect(h).not.toBe(0); tiny.push(h); }
    for (const h of tiny) c.tensorRelease(h);
    for (const h of small) if (!freed.has(h)) c.tensorRelease(h);
    c.setMemoryLimit(Infinity);
    expect(c.liveTensors()).toBe(0);
  });
});

// Where memory.grow fails below 4 GiB (a browser out of address space; here a shared memory whose maximum is
// 96 MiB), the runtime heap has no pages left to grow into either: the tensor allocator then keeps what is free for
// it (memory.ts `capped`) and hands it over when the runtime heap asks (__gtDonate), so records (views here) can
// still be made while tensor storage is full, nothing is overwritten, and the instance recovers after disposing.
describe("core allocator: a memory that cannot grow to 4 GiB", async () => {
  const { readFileSync } = await import("node:fs");
  const { instantiate } = await import("../build/core.js");
  const module = await WebAssembly.compile(readFileSync(new URL("../build/core-mt.wasm", import.meta.url)));
  const memory = new WebAssembly.Memory({ initial: 64, maximum: 1536, shared: true });
  const c = await instantiate(module, { env: { memory, parallelFor: () => { throw new Error("single-threaded test"); } } });
  const scratch = () => new Int32Array(c.memory.buffer, c.scratchI32Ptr(), 1024);
  const make = (n: number): number => { scratch()[0] = n; return c.tensorNew(1, 0); };

  it("fails tensors cleanly when full, still makes records from the kept space, and recovers", () => {
    const big: number[] = [];
    for (;;) {
      const h = make(1 << 20);
      if (h === 0) { expect(c.errorCode()).toBe(c.ErrorCode.OutOfMemory); c.clearError(); break; }
      new Float32Array(c.memory.buffer, c.tensorDataPtr(h), 4).fill(big.length);
      big.push(h);
    }
    expect(big.length).toBeGreaterThan(10);
    expect(c.memory.buffer.byteLength).toBeLessThanOrEqual(96 * 2 ** 20);
    const reserved = c.reservedBytes();
    const views: number[] = [];
    // (100,000 views: enough to exhaust the runtime heap now that views share their strides arrays, ~110 bytes each)
    for (let i = 0; i < 100000; i++) { scratch()[0] = 1 << 20; const h = c.reshapeOp(big[i % big.length], 1); expect(h).not.toBe(0); views.push(h); }
    expect(c.reservedBytes()).toBeLessThan(reserved); // the runtime heap took memory from the tensor allocator
    big.forEach((h, i) => expect(new Float32Array(c.memory.buffer, c.tensorDataPtr(h), 4)[3]).toBe(i));
    for (const h of views) c.tensorRelease(h);
    for (const h of big) c.tensorRelease(h);
    expect(c.liveTensors()).toBe(0);
    const h = make(1 << 20);
    expect(h).not.toBe(0);
    c.tensorRelease(h);
  });
});
