// Shipped size, measured the way an app would ship a library: a one-line entry module bundled and minified by
// Vite 8 (rolldown, es2022, production), every emitted file counted (JS chunks and assets such as .wasm).
// gradtape's loader finds core.wasm with `new URL("./build/core.wasm", import.meta.url)`, which Vite emits as an
// asset (and core-relaxed.wasm the same way: alternatives, of which only the larger counts, see ALTERNATIVES); Node-only branches (`import("node:fs/promises")`) are externalised by Vite and count as nothing.
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));

/**
 * Bundle `source` (an ES module, e.g. `export * from "gradtape"`) and return { label, files } for the size
 * workload. The entry lives under test/bench so bare imports resolve from this package's node_modules; the output
 * goes to a temporary directory that is kept until the process exits (the size workload reads it).
 */
export async function bundleSize(source, label) {
  const { build } = await import("vite");
  const scratch = path.join(here, "node_modules", ".bench-bundle");
  mkdirSync(scratch, { recursive: true });
  const root = mkdtempSync(path.join(scratch, "entry-"));
  const outDir = mkdtempSync(path.join(os.tmpdir(), "bench-bundle-"));
  const entry = path.join(root, "entry.js");
  writeFileSync(entry, source + "\n");
  const warn = console.warn;
  console.warn = () => {}; // "externalized for browser compatibility" notices for the Node-only branches
  let output;
  try {
    output = await build({
      root, configFile: false, logLevel: "silent", mode: "production",
      build: {
        outDir, emptyOutDir: true, target: "es2022", minify: true, sourcemap: false, modulePreload: false,
        assetsInlineLimit: 0, // every asset (core.wasm) as a file, never a base64 copy inside the JS
        rollupOptions: { input: entry, preserveEntrySignatures: "strict" },
      },
    });
  } finally {
    console.warn = warn;
    rmSync(root, { recursive: true, force: true });
  }
  // What the page loads up front: the entry chunk, the chunks it imports statically (transitively) and the assets
  // (core.wasm). Chunks reached only through a dynamic import() (e.g. jax-js's WebGPU backend) load on demand and
  // are not counted.
  const chunks = new Map((Array.isArray(output) ? output : [output]).flatMap((o) => o.output).map((c) => [c.fileName, c]));
  const wanted = new Set([...chunks.values()].filter((c) => c.type === "asset").map((c) => c.fileName));
  const visit = (name) => {
    if (wanted.has(name)) return;
    wanted.add(name);
    for (const i of chunks.get(name)?.imports ?? []) visit(i);
  };
  for (const c of chunks.values()) if (c.type === "chunk" && c.isEntry) visit(c.fileName);
  // Alternative builds: the loader fetches one of core.wasm and core-relaxed.wasm (feature detection), never both,
  // so of each group only the largest emitted file is counted (an upper bound of what a browser downloads).
  for (const group of ALTERNATIVES) {
    const emitted = [...chunks.values()].filter((c) => c.type === "asset" && group.includes(sourceName(c)));
    const bytes = (c) => (typeof c.source === "string" ? Buffer.byteLength(c.source) : c.source.length);
    emitted.sort((a, b) => bytes(b) - bytes(a));
    for (const c of emitted.slice(1)) wanted.delete(c.fileName);
  }
  const files = walk(outDir).filter((f) => wanted.has(path.relative(outDir, f)));
  process.once("exit", () => rmSync(outDir, { recursive: true, force: true }));
  return { label, files };
}

/** Emitted files of which an app loads only one at run time, by their source file names. */
const ALTERNATIVES = [["core.wasm", "core-relaxed.wasm"], ["core-mt.wasm", "core-mt-relaxed.wasm"]];
const sourceName = (asset) => path.basename(asset.originalFileNames?.[0] ?? asset.names?.[0] ?? asset.fileName);

function walk(dir) {
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}
