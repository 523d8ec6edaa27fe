import { describe, it, expect } from "vitest";
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { check } from "./pack.mjs";

// The tarball checks of `pnpm release:dry` (pack.mjs) must catch what made the packages unpublishable before:
// a `workspace:` specifier, a missing README/LICENSE, a shipped build cache, maps pointing at unshipped sources, a
// path package.json names that is not shipped, missing metadata, and an oversized tarball. (The real tarballs pass:
// consumers.test.ts.)
describe("release:dry checks", () => {
  it("flag each problem of a bad package, and none of a good one", () => {
    const dir = mkdtempSync(join(tmpdir(), "gradtape-packcheck-"));
    try {
      mkdirSync(join(dir, "dist"));
      const write = (f: string, text: string) => writeFileSync(join(dir, f), text);
      const spec = { name: "x", maxPacked: 1000, required: ["dist/index.js"] };
      write("package.json", JSON.stringify({ name: "x", version: "1.0.0", main: "./dist/main.js", dependencies: { y: "workspace:*" } }));
      write("dist/index.js", "");
      write("dist/index.js.map", JSON.stringify({ version: 3, sources: ["../src/index.ts"], mappings: "" }));
      write("dist/tsconfig.tsbuildinfo", "{}");
      const bad = check(spec, dir, ["package.json", "dist/index.js", "dist/index.js.map", "dist/tsconfig.tsbuildinfo"], 5000).problems.join("\n");
      for (const p of [/workspace: specifier/, /missing README\.md/, /missing LICENSE/, /names dist\/main\.js, which is not in the tarball/,
        /no repository/, /publishConfig\.access/, /build cache: dist\/tsconfig\.tsbuildinfo/, /points at src\/index\.ts, which is not shipped/,
        /packed size 5000 B is over the bound of 1000 B/]) expect(bad).toMatch(p);

      const meta = { license: "MIT", repository: "r", homepage: "h", bugs: "b", keywords: [], engines: {}, publishConfig: { access: "public" } };
      write("package.json", JSON.stringify({ name: "x", version: "1.0.0", main: "./dist/index.js", dependencies: { y: "1.0.0" }, ...meta }));
      mkdirSync(join(dir, "src"));
      write("src/index.ts", ""); write("README.md", ""); write("LICENSE", "");
      const files = ["package.json", "README.md", "LICENSE", "dist/index.js", "dist/index.js.map", "src/index.ts"];
      expect(check(spec, dir, files, 900).problems).toEqual([]);
    } finally { rmSync(dir, { recursive: true, force: true }); }
  });
});
