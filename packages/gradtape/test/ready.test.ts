import { describe, it, expect } from "vitest";
import * as gt from "gradtape";

// ready(): options are checked (unknown keys, thread counts, simd values) with an ArgumentError that names them; a
// failed load rejects with a GradtapeError saying what failed and leaves ready() retryable. This file runs in its
// own module graph (vitest isolates files), so the core is not loaded before the first test.
describe("ready()", () => {
  it("rejects unknown keys and bad values with an ArgumentError, before loading anything", async () => {
    // @ts-expect-error: a misspelt option on purpose (the type is exact)
    await expect(gt.ready({ threds: 2 })).rejects.toThrow(gt.ArgumentError);
    // @ts-expect-error: as above
    await expect(gt.ready({ threds: 2 })).rejects.toThrow(/unknown option "threds"; the options are "threads" and "simd"/);
    for (const threads of [0, -1, 1.5, 65, Number.NaN, Infinity]) {
      await expect(gt.ready({ threads }), String(threads)).rejects.toThrow(/options\.threads must be an integer from 1 to 64/);
    }
    // @ts-expect-error: a string thread count
    await expect(gt.ready({ threads: "2" })).rejects.toThrow(gt.ArgumentError);
    // @ts-expect-error: a bad simd value
    await expect(gt.ready({ simd: "fast" })).rejects.toThrow(/options\.simd must be one of "auto", "relaxed", "baseline"; given "fast"/);
    // @ts-expect-error: options that are not an object
    await expect(gt.ready(5)).rejects.toThrow(gt.ArgumentError);
    expect(gt.isReady()).toBe(false);
  });

  it("a failed load rejects with a GradtapeError naming what failed, and a later call succeeds", async () => {
    const missing = new URL("./no-such-core.wasm", import.meta.url);
    const err = await gt.ready(missing).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(gt.GradtapeError);
    expect(String((err as Error).message)).toMatch(/could not be loaded.*no-such-core\.wasm.*may be called again/s);
    expect(gt.isReady()).toBe(false);
    await gt.ready();
    expect(gt.isReady()).toBe(true);
    expect(gt.tensor([1, 2, 3]).sum().item()).toBe(6);
    // once loaded, options are still checked
    // @ts-expect-error: misspelt
    await expect(gt.ready({ threds: 2 })).rejects.toThrow(gt.ArgumentError);
    await expect(gt.ready({ threads: 1 })).resolves.toBeUndefined();
  });
});
