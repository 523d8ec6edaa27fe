// The loader for browsers and every runtime that is not Node (package.json exports, conditions "browser" and
// "default"): it imports no `node:` module, and names each .wasm with a literal
// `new URL("./build/….wasm", import.meta.url)`, which Vite, webpack 5, Rollup (with an import-meta-assets plugin)
// and Parcel turn into an emitted asset; with esbuild the files are copied next to the bundle (README, tested by
// test/consumers/). Each build is fetched only when chosen. Build choice and options: loader.js.
// Threads: the app imports "@gradtape/core/threads" (or "gradtape/threads"), which registers the threaded loader,
// so that apps without threads ship neither core-mt.wasm nor the worker. Where SharedArrayBuffer is missing (a page
// that is not cross-origin isolated) { threads: n } runs on one thread, as documented.
import { resolveOptions, importsMemory, compileUrl, instantiateSerial, THREADS } from "./loader-common.js";

export { relaxedSimdSupported, optionsProblem, MAX_THREADS } from "./loader-common.js";

// Runtimes that take this file but run on Node's APIs (fetch cannot read file: URLs there) read local files with
// Node's fs, reached without an `import` a bundler would try to resolve.
const nodeFs = typeof process === "object" && typeof process?.getBuiltinModule === "function" ? process.getBuiltinModule("node:fs/promises") : null;
const readLocal = nodeFs ? (url) => nodeFs.readFile(url) : undefined;

export async function loadCore(source, options) {
  const { threads, relaxed } = resolveOptions(options);
  const module = source instanceof WebAssembly.Module ? source : null;
  if (threads > 1 && (module === null ? source === undefined : importsMemory(module))) {
    const t = globalThis[THREADS];
    if (!t) {
      throw new Error(`gradtape core: { threads: ${threads} } needs the threaded core: add \`import "gradtape/threads";\` ` +
        "(or \"@gradtape/core/threads\") to your app before ready(), so that your bundler ships it and its worker.");
    }
    if (t.threadsAvailable()) return t.loadThreaded(threads, module ?? undefined, relaxed);
  }
  // two literal URLs, so that bundlers emit both files (each fetched only when chosen)
  const url = source ?? (relaxed ? new URL("./build/core-relaxed.wasm", import.meta.url) : new URL("./build/core.wasm", import.meta.url));
  return instantiateSerial(module ?? await compileUrl(url, readLocal));
}
