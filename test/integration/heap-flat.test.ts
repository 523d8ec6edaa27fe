// A synchronous training loop keeps the JS heap flat (issue 14), not only wasm memory: tensors and tapes are
// released by dispose()/tidy() without leaving FinalizationRegistry cells behind (memory.ts guardLater). Runs
// test/soak/train-soak.mjs in a child process with --expose-gc (heap measured after full collections, without
// V8's code spaces) for 4,000 steps of a hand-written loop (nested tapes + Adam) and of pinn.train, and compares
// steps 2,000 and 4,000 (past V8's warm-up, which adds ~0.3 MB before). Before the fix the heap grew ~980 B/step
// (loop) and ~780 B/step (train), i.e. ~1.6-2 MB here; the bound allows 150 B/step (pinn.train's history keeps
// ~57 B/step by design).
import { describe, it, expect } from "vitest";
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const script = fileURLToPath(new URL("../soak/train-soak.mjs", import.meta.url));

describe("a 4,000-step synchronous training loop", () => {
  it("keeps wasm memory, live tensors and the JS heap (after gc) flat", () => {
    const out = execFileSync(process.execPath, ["--expose-gc", script, "--steps=4000", "--from=2000", "--json"], { encoding: "utf8", cwd: fileURLToPath(new URL("..", import.meta.url)) });
    const res = JSON.parse(out.trim().split("\n").pop()!) as Record<string, { step: number; wasmBytes: number; tensors: number; jsHeapUsed: number }[]>;
    for (const [name, [a, b]] of Object.entries(res)) {
      expect([a.step, b.step], name).toEqual([2000, 4000]);
      expect(b.wasmBytes, `${name}: wasm memory grew`).toBe(a.wasmBytes);
      expect(b.tensors, `${name}: live tensors`).toBe(a.tensors);
      expect(b.jsHeapUsed - a.jsHeapUsed, `${name}: JS heap grew ${b.jsHeapUsed - a.jsHeapUsed} B over 2,000 steps`).toBeLessThan(150 * 2000);
    }
    expect(Object.keys(res)).toEqual(["loop", "train"]);
  }, 120_000);
});
