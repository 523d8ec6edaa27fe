import { describe, it, expect } from "vitest";
import { readFileSync } from "node:fs";

// The hot kernels must stay vectorised: a build change (a lost --enable simd, a refactor that defeats the
// generic specialisation) would silently fall back to scalar code.
describe("core.wasm vectorisation", () => {
  const wat = readFileSync(new URL("../build/core.wat", import.meta.url), "utf8");
  const funcs = new Map<string, string>();
  for (const m of wat.matchAll(/\(func \$(\S+)[\s\S]*?(?=\n \(func |\n \(export |\n\)$)/g)) funcs.set(m[1], m[0]);
  const body = (pattern: RegExp) => [...funcs.entries()].filter(([n]) => pattern.test(n)).map(([, b]) => b).join("\n");

  it("matmul kernel uses f32x4 multiply-adds", () => {
    const b = body(/matmulKernel|matmulRows/); // the tiles run in matmulRowsN/T (also the worker threads' entry)
    expect(b.length).toBeGreaterThan(0);
    expect((b.match(/f32x4\.mul/g) ?? []).length).toBeGreaterThanOrEqual(8);
    expect((b.match(/f32x4\.add/g) ?? []).length).toBeGreaterThanOrEqual(8);
  });
  it("elementwise kernels (exp, tanh, binary add) use f32x4", () => {
    const u = body(/ops\/(unary|activations)\/\w+Kernel/); // each op's kernel: kernels/unary.ts's loop over its lane formula
    expect(u).toMatch(/i32x4\.shl/); // exp's 2^n scaling (the range reduction rounds with 1.5 * 2^23, not nearest)
    expect(u).toMatch(/f32x4\.div/); // tanh's and sigmoid's quotient
    expect(u).toMatch(/v128\.bitselect/); // tanh's two branches
    const bin = body(/ops\/arith\/\w+Kernel/);
    expect(bin).toMatch(/f32x4\.add/);
    expect(bin).toMatch(/v128\.load/);
  });
  it("the relaxed build fuses matmul's and the polynomials' multiply-adds; the baseline build has none", () => {
    const rel = readFileSync(new URL("../build/core-relaxed.wat", import.meta.url), "utf8");
    const relFuncs = new Map<string, string>();
    for (const m of rel.matchAll(/\(func \$(\S+)[\s\S]*?(?=\n \(func |\n \(export |\n\)$)/g)) relFuncs.set(m[1], m[0]);
    const relBody = (pattern: RegExp) => [...relFuncs.entries()].filter(([n]) => pattern.test(n)).map(([, b]) => b).join("\n");
    const mm = relBody(/matmulKernel|matmulRows/);
    expect((mm.match(/f32x4\.relaxed_madd/g) ?? []).length).toBeGreaterThanOrEqual(8);
    expect(relBody(/ops\/(unary|activations)\/\w+Kernel/)).toMatch(/f32x4\.relaxed_madd/);
    expect(wat).not.toMatch(/relaxed_/);
  });
  it("reductions and scatter use SIMD (sums: float32 lanes promoted into float64x2 accumulators)", () => {
    expect(body(/extremumKernel/)).toMatch(/f32x4\.(max|min)/);
    expect(body(/sumKernel/)).toMatch(/f64x2\.promote_low_f32x4/);
    expect(body(/sumKernel/)).toMatch(/f64x2\.add/);
    expect(body(/scatterStrided/)).toMatch(/f32x4\.add/);
  });
});
