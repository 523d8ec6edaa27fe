import { describe, it, expect } from "vitest";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

// The core's layers import only downwards (CONTRIBUTING.md, "Architecture"): memory -> tensor -> kernels -> ops ->
// tape (backprop) -> program/trace -> exports. Within a layer files may import each other, but the whole import
// graph must have no cycle, and the op codes import nothing.
const root = resolve(dirname(fileURLToPath(import.meta.url)), "../assembly");
const LAYERS: [RegExp, number, string][] = [
  [/^(memory|errors|idmap|arrays|shapes)\.ts$/, 0, "memory"],
  [/^(tensor|rng|gc)\.ts$/, 1, "tensor"],
  [/^kernels\//, 2, "kernels"],
  [/^ops\//, 3, "ops"],
  [/^(backprop|jacobian)\.ts$/, 4, "tape"],
  [/^(program|trace|profile|fusion)\.ts$/, 5, "program/trace"],
  [/^(exports\/.*|optim|index)\.ts$/, 6, "exports"],
];

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith(".ts") ? [relative(root, p)] : [];
  });
}
function imports(file: string): string[] {
  const src = readFileSync(join(root, file), "utf8");
  return [...src.matchAll(/(?:\bfrom|^import)\s+"(\.[^"]+)"/gm)].map((m) => relative(root, resolve(root, dirname(file), m[1] + ".ts")));
}
function layer(file: string): [number, string] {
  for (const [re, n, name] of LAYERS) if (re.test(file)) return [n, name];
  throw new Error(`${file}: in no layer of this test; add it to LAYERS`);
}

describe("core layers", () => {
  const all = files(root);
  const graph = new Map(all.map((f) => [f, imports(f)]));

  it("every file is in a layer and imports only from its own layer or below", () => {
    const bad: string[] = [];
    for (const [f, deps] of graph) {
      const [lf, nf] = layer(f);
      for (const d of deps) { const [ld, nd] = layer(d); if (ld > lf) bad.push(`${f} (${nf}) imports ${d} (${nd})`); }
    }
    expect(bad).toEqual([]);
  });

  it("has no import cycle", () => {
    const state = new Map<string, number>(); // 1 visiting, 2 done
    const cycles: string[] = [];
    const visit = (f: string, path: string[]): void => {
      if (state.get(f) === 2) return;
      if (state.get(f) === 1) { cycles.push([...path.slice(path.indexOf(f)), f].join(" -> ")); return; }
      state.set(f, 1);
      for (const d of graph.get(f) ?? []) visit(d, [...path, f]);
      state.set(f, 2);
    };
    for (const f of all) visit(f, []);
    expect(cycles).toEqual([]);
  });

  it("the op codes import nothing; no source file is over 300 lines", () => {
    expect(graph.get("ops/codes.ts")).toEqual([]);
    const long = all.map((f) => [f, readFileSync(join(root, f), "utf8").split("\n").length] as const).filter(([, n]) => n > 300);
    expect(long).toEqual([]);
  });
});
