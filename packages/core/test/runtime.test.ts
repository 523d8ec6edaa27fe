import { describe, it, expect } from "vitest";
import { loadCore } from "../loader.js";

// The handle table (open addressing, backward-shift deletion) and the minimal runtime's collection at export entry:
// many live handles released in random order, and long op sequences, must keep every live record intact.
describe("core runtime: handle table and garbage collection", async () => {
  const c = await loadCore();
  const scratch = () => new Int32Array(c.memory.buffer, c.scratchI32Ptr(), 1024);
  const make = (v: number): number => {
    scratch()[0] = 4;
    const h = c.tensorNew(1, 0);
    new Float32Array(c.memory.buffer, c.tensorDataPtr(h), 4).fill(v);
    return h;
  };
  const value = (h: number): number => new Float32Array(c.memory.buffer, c.tensorDataPtr(h), 1)[0];

  it("keeps live handles correct through growth, colliding ids and random releases", () => {
    let seed = 12345;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
    const live = new Map<number, number>();
    const dead: number[] = [];
    const check = () => {
      for (const [h, v] of live) { expect(c.tensorAlive(h)).toBe(1); expect(value(h)).toBe(v); }
      for (const h of dead) expect(c.tensorAlive(h)).toBe(0);
    };
    // 3000 at once: the table grows (rehash) with every record intact
    for (let i = 0; i < 3000; i++) live.set(make(i), i);
    check();
    for (const h of [...live.keys()].slice(600)) { c.tensorRelease(h); live.delete(h); dead.push(h); }
    // Rounds of churn (ids advance past the table size, so new ids land on the home slots of the long-lived
    // ones and probe runs form), new live tensors, and releases in random order (deletion inside probe runs).
    let v = 100000;
    for (let round = 0; round < 12; round++) {
      for (let i = 0; i < 1500 + round * 97; i++) c.tensorRelease(make(0));
      for (let i = 0; i < 300; i++) live.set(make(++v), v);
      const hs = [...live.keys()];
      for (let i = hs.length - 1; i > 0; i--) { const j = Math.floor(rnd() * (i + 1)); [hs[i], hs[j]] = [hs[j], hs[i]]; }
      for (const h of hs.slice(0, 250)) { expect(c.tensorRelease(h)).toBe(1); live.delete(h); dead.push(h); }
      check();
    }
    for (const h of dead) expect(c.tensorRelease(h)).toBe(0);
    for (const h of live.keys()) c.tensorRelease(h);
    expect(c.liveTensors()).toBe(0);
  });

  it("collects garbage records: memory stays flat over many ops, live tensors keep their values", () => {
    const keep = make(7);
    const Op = c.Op;
    const round = () => {
      for (let i = 0; i < 5000; i++) {
        const a = c.unaryOp(Op.Exp, keep);
        const b = c.binaryOp(Op.Add, a, keep);
        c.tensorRelease(a); c.tensorRelease(b);
      }
    };
    round();
    const bytes = c.memory.buffer.byteLength;
    for (let r = 0; r < 5; r++) round();
    c.collect();
    expect(c.memory.buffer.byteLength).toBe(bytes);
    expect(value(keep)).toBe(7);
    expect(c.liveTensors()).toBe(1);
    c.tensorRelease(keep);
  });
});
