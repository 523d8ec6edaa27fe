// Packs the three publishable packages the way they are published (pnpm, which rewrites `workspace:*` to the
// version) and checks each tarball: the files a consumer needs are there, nothing that should not be (build caches,
// source maps whose sources are missing, `workspace:` specifiers), every path package.json names exists, and the
// size stays under a bound. Used by `pnpm release:dry` (release-dry.mjs) and by the consumer suite.
import { execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync, readFileSync, readdirSync, statSync, existsSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname, resolve, relative } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const PNPM = ["-y", "pnpm@10.34.8"];

/** The packages in publishing order (each depends only on those before it), what each must ship, size bounds. */
export const PACKAGES = [
  { dir: "packages/core", name: "@gradtape/core", maxPacked: 400_000,
    required: ["loader.js", "loader-browser.js", "loader.d.ts", "threads.js", "threads-node.js", "threads.d.ts", "worker.js",
      "build/core.js", "build/core.d.ts", "build/core.wasm", "build/core-relaxed.wasm", "build/core-mt.wasm", "build/core-mt-relaxed.wasm"] },
  // the bound catches an accident (a build cache, node_modules, data files), not the API growing: dist, the sources its
  // maps point at and the maps of the whole API (the PINN kit's geometry, checkpoints, inverse problems included)
  // packed to 430,645 B when the kit grew past the first bound of 400,000
  { dir: "packages/gradtape", name: "gradtape", maxPacked: 600_000,
    required: ["bin/gradtape.js", "dist/index.js", "dist/index.d.ts", "dist/threads.js", "dist/threads.d.ts"] },
  { dir: "apps/cli", name: "@gradtape/cli", maxPacked: 150_000, required: ["bin/gradtape.js", "dist/main.js"] },
];

function walk(dir, base = dir) {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? walk(p, base) : [relative(base, p)];
  });
}

/** The paths package.json points at (main, types, bin, every exports target). */
function namedPaths(pkg) {
  const out = [];
  const add = (v) => {
    if (typeof v === "string") out.push(v);
    else if (v && typeof v === "object") for (const x of Object.values(v)) add(x);
  };
  add(pkg.main); add(pkg.types); add(pkg.bin); add(pkg.exports);
  return out.filter((p) => p.startsWith("./") && !p.includes("*")).map((p) => p.slice(2));
}

/** Checks one unpacked tarball; returns the problems found (empty when publishable). */
export function check(spec, dir, files, packedBytes) {
  const problems = [];
  const pkgText = readFileSync(join(dir, "package.json"), "utf8");
  const pkg = JSON.parse(pkgText);
  if (pkgText.includes("workspace:")) problems.push("package.json still has a workspace: specifier (pack with pnpm)");
  for (const f of ["package.json", "README.md", "LICENSE", ...spec.required]) if (!files.includes(f)) problems.push(`missing ${f}`);
  for (const p of namedPaths(pkg)) if (!files.includes(p)) problems.push(`package.json names ${p}, which is not in the tarball`);
  for (const field of ["license", "repository", "homepage", "bugs", "keywords", "engines", "publishConfig"]) {
    if (pkg[field] === undefined) problems.push(`package.json has no ${field}`);
  }
  if (pkg.publishConfig?.access !== "public") problems.push("publishConfig.access is not \"public\"");
  for (const f of files) {
    if (f.endsWith(".tsbuildinfo")) problems.push(`ships a build cache: ${f}`);
    if (f.endsWith(".map")) {
      const map = JSON.parse(readFileSync(join(dir, f), "utf8"));
      for (const s of map.sources ?? []) {
        const target = relative(dir, resolve(dirname(join(dir, f)), map.sourceRoot ?? "", s));
        if (!files.includes(target)) problems.push(`${f} points at ${target}, which is not shipped (a stale build output? \`pnpm build\` starts from an empty dist)`);
      }
    }
    if (f.endsWith(".d.ts") && /reference\s+types="node"/.test(readFileSync(join(dir, f), "utf8"))) problems.push(`${f} references @types/node`);
  }
  if (packedBytes > spec.maxPacked) problems.push(`packed size ${packedBytes} B is over the bound of ${spec.maxPacked} B`);
  return { pkg, problems };
}

/**
 * Packs every package into `dest` (a new temporary folder by default) and checks the tarballs. Returns, in
 * publishing order, { name, version, tarball, packedBytes, unpackedBytes, files, problems }.
 */
export function packAll(dest = mkdtempSync(join(tmpdir(), "gradtape-pack-"))) {
  mkdirSync(dest, { recursive: true });
  return PACKAGES.map((spec) => {
    const cwd = join(ROOT, spec.dir);
    if (!existsSync(join(cwd, spec.required.at(-1)))) throw new Error(`${spec.name} is not built (${spec.required.at(-1)} is missing): run \`pnpm build\` first`);
    const out = execFileSync("npx", [...PNPM, "pack", "--pack-destination", dest, "--json"], { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    const tarball = JSON.parse(out.slice(out.indexOf("{"))).filename;
    const unpacked = mkdtempSync(join(tmpdir(), "gradtape-unpack-"));
    try {
      execFileSync("tar", ["-xzf", tarball, "-C", unpacked]);
      const root = join(unpacked, "package");
      const files = walk(root).sort();
      const unpackedBytes = files.reduce((s, f) => s + statSync(join(root, f)).size, 0);
      const packedBytes = statSync(tarball).size;
      const { pkg, problems } = check(spec, root, files, packedBytes);
      return { name: pkg.name, version: pkg.version, tarball, packedBytes, unpackedBytes, files, problems };
    } finally { rmSync(unpacked, { recursive: true, force: true }); }
  });
}
