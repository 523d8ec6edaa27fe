// gradient()'s result type follows `unconnected`: Tensor (never null) with "zero" or "error", Tensor | null with the
// default "none" or with a GradientOptions whose mode is not known statically. tsc checks gradient-types.check.ts
// (its @ts-expect-error lines must be errors), and a file that assigns a "none" result to a Tensor must not compile.
import { describe, it, expect } from "vitest";
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

const here = path.dirname(new URL(import.meta.url).pathname);
const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
const flags = ["--noEmit", "--strict", "--module", "nodenext", "--moduleResolution", "nodenext", "--target", "es2022", "--skipLibCheck"];
function compile(file: string): { ok: boolean; out: string } {
  try { execFileSync(process.execPath, [tsc, ...flags, file], { encoding: "utf8", stdio: "pipe" }); return { ok: true, out: "" }; }
  catch (e) { return { ok: false, out: String((e as { stdout?: string }).stdout ?? e) }; }
}

describe("gradient() result types", () => {
  it("compiles the checks (a Tensor with 'zero'/'error', Tensor | null otherwise)", () => {
    const r = compile(path.join(here, "gradient-types.check.ts"));
    expect(r.out).toBe("");
    expect(r.ok).toBe(true);
  });
  it("rejects a possibly-null gradient assigned to a Tensor", () => {
    const dir = mkdtempSync(path.join(here, ".tmp-types-"));
    try {
      const src = readFileSync(path.join(here, "gradient-types.check.ts"), "utf8").replace('{ unconnected: "zero" });', '{ unconnected: "none" });');
      const file = path.join(dir, "wrong.ts");
      writeFileSync(file, src);
      const r = compile(file);
      expect(r.ok).toBe(false);
      expect(r.out).toMatch(/TS2322: Type 'Tensor \| null' is not assignable to type 'Tensor'/);
    } finally { rmSync(dir, { recursive: true, force: true }); }
  });
});
