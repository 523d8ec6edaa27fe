import { describe, it, expect, beforeAll } from "vitest";
import * as gt from "gradtape";

beforeAll(async () => { await gt.ready(); });

describe("tape basics", () => {
  it("first and second derivative of tanh through nested tapes", () => {
    const xs = [0.5, -1, 2];
    const x = gt.tensor(xs);
    const outer = new gt.GradientTape();
    const inner = new gt.GradientTape();
    const g = outer.record(() => {
      outer.watch(x);
      const y = inner.record(() => { inner.watch(x); return x.tanh(); });
      return inner.gradient(y, x)!;
    });
    const g2 = outer.gradient(g, x)!;
    const d = g.data(), d2 = g2.data();
    xs.forEach((v, i) => {
      const t = Math.tanh(v);
      expect(d[i]).toBeCloseTo(1 - t * t, 6);
      expect(d2[i]).toBeCloseTo(-2 * t * (1 - t * t), 6);
    });
  });
});

describe("backendInfo", () => {
  it("reports the build the loader chose and one thread by default", async () => {
    // independent of the loader: whether this engine accepts the relaxed build's module at all
    const { readFileSync } = await import("node:fs");
    const { createRequire } = await import("node:module");
    const file = createRequire(import.meta.url).resolve("@gradtape/core/core-relaxed.wasm");
    const relaxed = WebAssembly.validate(readFileSync(file));
    expect(gt.backendInfo()).toEqual({ simd: relaxed ? "relaxed" : "baseline", threads: 1 });
  });
});
