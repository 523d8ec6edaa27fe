import { describe, it, expect } from "vitest";
import { loadCore } from "../loader-browser.js";

// The loader that browsers and non-Node runtimes get (exports "browser" and "default"), run here in Node: it reads
// file: URLs through process.getBuiltinModule (no `node:` import a bundler would see), and { threads } without the
// threads entry imported is an error that says which import is missing. (Its fetch path runs in the consumer suite,
// test/consumers/, in Chromium.) This file imports neither loader.js nor a threads entry, so none is registered.
describe("loader-browser.js", () => {
  it("loads the single-threaded core from the package's files", async () => {
    const core = await loadCore(undefined, { simd: "baseline" });
    expect(core.relaxedSimd()).toBe(0);
    expect(core.threadCount()).toBe(1);
  });

  it("threads without importing the threaded core: an Error naming the import", async () => {
    await expect(loadCore(undefined, { threads: 2 })).rejects.toThrow(/needs the threaded core: add `import "gradtape\/threads";`/);
  });

  it("a .wasm that is not there: an Error naming the file", async () => {
    await expect(loadCore(new URL("./no-such.wasm", import.meta.url))).rejects.toThrow(/gradtape core: reading file:.*no-such\.wasm: /);
  });
});
