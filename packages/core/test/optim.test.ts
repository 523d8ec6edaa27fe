import { describe, it, expect } from "vitest";
import { readFileSync } from "node:fs";

// The optimizer updates must stay vectorised (f32x4 over the parameter, its gradient and its slots).
describe("optimizer kernels", () => {
  const wat = readFileSync(new URL("../build/core.wat", import.meta.url), "utf8");
  const funcs = new Map<string, string>();
  for (const m of wat.matchAll(/\(func \$(\S+)[\s\S]*?(?=\n \(func |\n \(export |\n\)$)/g)) funcs.set(m[1], m[0]);
  const body = (pattern: RegExp) => [...funcs.entries()].filter(([n]) => pattern.test(n)).map(([, b]) => b).join("\n");

  it("Adam uses f32x4 sqrt and div", () => {
    const b = body(/adamKernel|adamUpdate/);
    expect(b.length).toBeGreaterThan(0);
    expect(b).toMatch(/f32x4\.sqrt/);
    expect(b).toMatch(/f32x4\.div/);
    expect(b).toMatch(/v128\.store/);
  });
  it("SGD uses f32x4 multiply and subtract", () => {
    const b = body(/sgdKernel|sgdUpdate/);
    expect(b.length).toBeGreaterThan(0);
    expect(b).toMatch(/f32x4\.mul/);
    expect(b).toMatch(/f32x4\.sub/);
  });
});
