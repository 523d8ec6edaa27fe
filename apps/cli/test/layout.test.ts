// The CLI's module graph: main.ts imports the commands, never the reverse (no import cycle), and the CLI reads
// weights through gradtape's io rather than parsing the format itself.
import { describe, it, expect } from "vitest";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const SRC = fileURLToPath(new URL("../src/", import.meta.url));
const files = (dir: string): string[] => readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : []));
const imports = (file: string): string[] => [...readFileSync(file, "utf8").matchAll(/(?:import|export)\s[^;]*?from\s+"([^"]+)"|import\(\s*"([^"]+)"\s*\)/g)].map((m) => m[1] ?? m[2]);

describe("apps/cli/src layout", () => {
  it("no file but main.ts imports main.js (commands are imported by main, not the reverse)", () => {
    const offenders = files(SRC).filter((f) => !f.endsWith("main.ts") && imports(f).some((i) => /(^|\/)main\.js$/.test(i)));
    expect(offenders).toEqual([]);
    expect(imports(join(SRC, "main.ts"))).toEqual(expect.arrayContaining(["./commands/derivatives.js", "./commands/pinn.js"]));
  });

  it("weights.ts parses no JSON itself (gradtape's io does) and png.ts has no CRC table (node:zlib's crc32)", () => {
    const weights = readFileSync(join(SRC, "weights.ts"), "utf8"), png = readFileSync(join(SRC, "png.ts"), "utf8");
    expect(weights).not.toMatch(/JSON\.parse\(/);
    expect(weights).toMatch(/io\.modelFromWeightsJSON\(/);
    expect(weights).toMatch(/io\.modelFromSafetensors\(/);
    expect(png).not.toMatch(/0xedb88320/i);
    expect(imports(join(SRC, "png.ts"))).toContain("node:zlib");
  });
});
