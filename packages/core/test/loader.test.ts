import { describe, it, expect } from "vitest";
import { loadCore, optionsProblem, MAX_THREADS } from "../loader.js";

// The Node loader's checks and failures: options are exact (unknown keys, thread counts out of 1..MAX_THREADS,
// wrong types are errors before anything loads), and a worker thread that cannot start makes loadCore reject with an
// Error that says so (not an event), after which loading works again.

/** A module that imports a shared memory (so the loader takes the threaded path) and a function no one provides:
 *  instantiating it fails in the worker thread (hand-assembled; sections: type, import). */
const BROKEN_MT = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
  0x01, 0x04, 0x01, 0x60, 0x00, 0x00, //                                   type 0: [] -> []
  0x02, 0x1e, 0x02, //                                                     import section, 30 bytes, 2 imports
  0x03, 0x65, 0x6e, 0x76, 0x07, 0x6d, 0x69, 0x73, 0x73, 0x69, 0x6e, 0x67, 0x00, 0x00, // env.missing: func type 0
  0x03, 0x65, 0x6e, 0x76, 0x06, 0x6d, 0x65, 0x6d, 0x6f, 0x72, 0x79, 0x02, 0x03, 0x01, 0x01, // env.memory: shared, 1..1 pages
]);

describe("loader options", () => {
  it("accepts the two options within range", async () => {
    expect(optionsProblem(undefined)).toBeNull();
    expect(optionsProblem({ threads: 1, simd: "baseline" })).toBeNull();
    expect(optionsProblem({ threads: MAX_THREADS })).toBeNull();
    expect((await loadCore(undefined, { threads: 1 })).threadCount()).toBe(1);
  });

  it("refuses unknown keys, bad thread counts and non-objects, naming the problem", async () => {
    // @ts-expect-error: a misspelt key on purpose
    await expect(loadCore(undefined, { threds: 2 })).rejects.toThrow(new TypeError('gradtape core: loadCore: unknown option "threds"; the options are "threads" and "simd". Check its spelling.'));
    for (const threads of [0, -2, 2.5, MAX_THREADS + 1, Number.NaN]) {
      await expect(loadCore(undefined, { threads }), String(threads)).rejects.toThrow(RangeError);
      await expect(loadCore(undefined, { threads }), String(threads)).rejects.toThrow(/options\.threads must be an integer from 1 to 64; given/);
    }
    // @ts-expect-error: a string
    await expect(loadCore(undefined, { threads: "2" })).rejects.toThrow(TypeError);
    // @ts-expect-error: not an object
    await expect(loadCore(undefined, 3)).rejects.toThrow(/options must be an object like/);
    expect(optionsProblem({ simd: "x" }, "ready")?.message).toMatch(/^ready: options\.simd must be one of/);
  });
});

describe("threaded loading failures", () => {
  it("a worker that cannot instantiate the module: an Error saying so; then loading works", async () => {
    const bad = await WebAssembly.compile(BROKEN_MT);
    const err = await loadCore(bad, { threads: 2 }).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/^gradtape core: a worker thread failed to start: instantiating the core in the worker: /);
    const core = await loadCore(undefined, { threads: 2 });
    expect(core.threadCount()).toBe(2);
  });
});
