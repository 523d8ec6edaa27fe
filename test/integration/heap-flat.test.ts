// A synchronous training loop keeps the JS heap flat (issue 14), not only wasm memory: tensors and tapes are
// released by dispose()/tidy() without leaving FinalizationRegistry cells behind (memory.ts guardLater). Runs
// test/soak/train-soak.mjs in a child process with --expose-gc (heap measured after full collections) for 2,500
// steps of a hand-written loop (nested tapes + Adam) and of pinn.train, and compares steps 1,000 and 2,500. Before
// the fix the heap grew ~980 B/step (loop) and ~780 B/step (train), i.e. ~1.5 MB here; the bound allows 200 B/step
// (pinn.train's history keeps ~57 B/step by design).
import { describe, it, expect } from "vitest";
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const script = fileURLToPath(new URL("../soak/train-soak.mjs", import.meta.url));

describe("a 2,500-step synchronous training loop", () => {
  it("keeps wasm memory, live tensors and the JS heap (after gc) flat", () => {
    const out = execFileSync(process.execPath, ["--expose-gc", script, "--steps=2500", "--json"], { encoding: "utf8", cwd: fileURLToPath(new URL("..", import.meta.url)) });
    const res = JSON.parse(out.trim().split("\n").pop()!) as Record<string, { step: number; wasmBytes: number; tensors: number; jsHeapUsed: number }[]>;
    for (const [name, [a, b]] of Object.entries(res)) {
      expect([a.step, b.step], name).toEqual([1000, 2500]);
      expect(b.wasmBytes, `${name}: wasm memory grew`).toBe(a.wasmBytes);
      expect(b.tensors, `${name}: live tensors`).toBe(a.tensors);
      expect(b.jsHeapUsed - a.jsHeapUsed, `${name}: JS heap grew ${b.jsHeapUsed - a.jsHeapUsed} B over 1,500 steps`).toBeLessThan(200 * 1500);
    }
    expect(Object.keys(res)).toEqual(["loop", "train"]);
  }, 120_000);
});
