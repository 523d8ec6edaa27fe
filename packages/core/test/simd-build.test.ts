import { describe, it, expect } from "vitest";
import { readFileSync } from "node:fs";
import { loadCore, relaxedSimdSupported } from "../loader.js";

// Choosing the build (loader.js): detection, "auto", forcing either build, the error when relaxed SIMD is forced
// where the engine lacks it, a bad option value, and the threaded core loading the same build. This file runs in
// two vitest projects: "core" (Node 20 without relaxed SIMD) and "core-relaxed" (the same tests, Node started with
// --experimental-wasm-relaxed-simd, so that "auto" loads core-relaxed.wasm and every core test exercises it).
const FLAG = "--experimental-wasm-relaxed-simd";
const nodeMajor = Number(process.versions.node.split(".")[0]);
// Independent of the loader's probe: whether the engine accepts the relaxed build itself.
const engineHasRelaxed = WebAssembly.validate(readFileSync(new URL("../build/core-relaxed.wasm", import.meta.url)));

describe("simd build choice", () => {
  it("detection agrees with the engine (and the flag really reaches the relaxed project)", () => {
    expect(relaxedSimdSupported()).toBe(engineHasRelaxed);
    // V8 11.3 (Node 20) has relaxed SIMD behind the flag; V8 from 11.4 (Node 21+) ships it
    if (process.execArgv.includes(FLAG) || nodeMajor >= 21) expect(engineHasRelaxed).toBe(true);
    else expect(engineHasRelaxed).toBe(false);
    // set by the core-relaxed project (vitest.config.ts): there the other core tests must be running the relaxed build
    if (process.env.GRADTAPE_EXPECT_SIMD === "relaxed") expect(relaxedSimdSupported()).toBe(true);
  });

  it("auto takes the relaxed build exactly when it is supported; baseline never does", async () => {
    expect((await loadCore()).relaxedSimd()).toBe(engineHasRelaxed ? 1 : 0);
    expect((await loadCore(undefined, { simd: "auto" })).relaxedSimd()).toBe(engineHasRelaxed ? 1 : 0);
    expect((await loadCore(undefined, { simd: "baseline" })).relaxedSimd()).toBe(0);
  });

  it("forcing relaxed: loads it where supported, otherwise a clear error and the loader still works", async () => {
    if (engineHasRelaxed) {
      expect((await loadCore(undefined, { simd: "relaxed" })).relaxedSimd()).toBe(1);
    } else {
      await expect(loadCore(undefined, { simd: "relaxed" })).rejects.toThrow(/does not support relaxed SIMD.*--experimental-wasm-relaxed-simd.*simd: "auto"/s);
      expect((await loadCore()).relaxedSimd()).toBe(0);
    }
  });

  it("rejects an unknown simd value, naming the accepted ones", async () => {
    // @ts-expect-error: a wrong value on purpose
    await expect(loadCore(undefined, { simd: "fast" })).rejects.toThrow(/options\.simd must be one of "auto", "relaxed", "baseline"; given "fast"/);
    // @ts-expect-error: a wrong type on purpose
    await expect(loadCore(undefined, { simd: true, threads: 2 })).rejects.toThrow(TypeError);
  });

  it("a given module runs as it is, whatever it is", async () => {
    const base = await WebAssembly.compile(readFileSync(new URL("../build/core.wasm", import.meta.url)));
    expect((await loadCore(base)).relaxedSimd()).toBe(0);
    if (engineHasRelaxed) {
      const rel = await WebAssembly.compile(readFileSync(new URL("../build/core-relaxed.wasm", import.meta.url)));
      expect((await loadCore(rel, { simd: "auto" })).relaxedSimd()).toBe(1);
    }
  });

  it("the threaded core loads the same build as the single-threaded one", async () => {
    for (const simd of ["auto", "baseline"] as const) {
      const one = await loadCore(undefined, { simd }), two = await loadCore(undefined, { simd, threads: 2 });
      expect(two.relaxedSimd(), simd).toBe(one.relaxedSimd());
      expect(two.threadCount()).toBe(typeof SharedArrayBuffer === "function" ? 2 : 1);
    }
  });
});
