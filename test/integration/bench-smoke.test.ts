// Smoke run of the benchmark's code path (test/bench/), on --tiny sizes, in this process: gradtape's adapter and
// one peer (TensorFlow.js on its wasm backend) go through every workload exactly as `pnpm bench` runs them, and
// every row must have been checked against the float64 reference (test/bench/reference.mjs) and be correct, except
// the peer's failures the benchmark exists to show. A negative control proves that a wrong library is caught.
// The figures of a tiny run mean nothing and are not looked at.
import { describe, it, expect, beforeAll } from "vitest";
// @ts-ignore: plain ES module without type declarations
import { parseArgs } from "../bench/harness.mjs";
// @ts-ignore: plain ES module without type declarations
import { runLibraries, bestRounds } from "../bench/runner.mjs";
// @ts-ignore: plain ES module without type declarations
import { LIBRARIES, goals } from "../bench/run.mjs";
// @ts-ignore: plain ES module without type declarations
import { makeContext, seedSingle, seedBatch, pinnStep } from "../bench/workloads.mjs";
// @ts-ignore: plain ES module without type declarations
import * as gradtapeAdapter from "../bench/gradtape.mjs";
// @ts-ignore: plain ES module without type declarations
import { probeModule } from "../bench/simd-ceiling.mjs";

interface Row { case: string; library: string; variant: string; status: "ok" | "wrong" | "failed"; value?: number; check?: string }

const cfg = { ...parseArgs(["--tiny", "--in-process", "--no-json"]) };
const CASES = ["seed-single", "seed-batch 64", "matmul 16", "matmul 64", "size (gzip)", "pinn-first-step 64+16", "pinn-step 64+16"];
// what a row's check says when the workload compared the library's numbers with the reference
const CHECKED = /^(max rel err|rel err|loss) /;

let rows: Row[] = [];
let libraries: { label: string; version?: string; error?: string }[] = [];

beforeAll(async () => {
  ({ rows, libraries } = await runLibraries([LIBRARIES.gradtape, LIBRARIES["tfjs-wasm"]], cfg, { isolate: false }));
}, 60_000);

describe("the benchmark on tiny sizes (gradtape and tfjs wasm, in process)", () => {
  it("sets up both libraries", () => {
    expect(libraries.map((l) => l.label)).toEqual(["gradtape", "tfjs wasm"]);
    for (const l of libraries) expect(l.error, l.label).toBeUndefined();
  });

  it("gives gradtape a correct, reference-checked row in every case, for every variant", () => {
    const g = rows.filter((r) => r.library === "gradtape");
    expect([...new Set(g.map((r) => r.case))]).toEqual(CASES);
    for (const r of g) {
      expect(r.status, `${r.case} ${r.variant}: ${r.check}`).toBe("ok");
      expect(r.value, `${r.case} ${r.variant}`).toBeGreaterThan(0);
      if (!r.case.startsWith("size")) expect(r.check, `${r.case} ${r.variant}`).toMatch(CHECKED);
    }
    // the idiomatic variant is always measured; the forward-mode one whenever this build has gt.jet
    for (const c of ["seed-single", "seed-batch 64", "pinn-step 64+16"]) {
      expect(g.filter((r) => r.case === c).map((r) => r.variant)).toEqual(gradtapeAdapter.variants[c.startsWith("seed-single") ? "seedSingle" : c.startsWith("seed") ? "seedBatch" : "pinn"]);
    }
  });

  it("checks tfjs: the customGrad rows are correct, the native second derivative fails as tfjs#3252 says", () => {
    const t = rows.filter((r) => r.library === "tfjs wasm");
    expect([...new Set(t.map((r) => r.case))]).toEqual(CASES);
    for (const r of t) {
      if (r.variant === "native") {
        expect(r.status, `${r.case}`).toBe("failed");
        expect(r.check).toMatch(/Cannot compute gradient/);
      } else {
        expect(r.status, `${r.case} ${r.variant}: ${r.check}`).toBe("ok");
        if (!r.case.startsWith("size")) expect(r.check, `${r.case} ${r.variant}`).toMatch(CHECKED);
      }
    }
  });

  it("gives ratios only between passing rows, and judges the goals from them", () => {
    const judged = goals(rows, { gflops: 1, gflopsCpu: 1 });
    const seed = judged.find((g: { goal: string }) => g.goal.startsWith("seed-single"));
    expect(seed.text).toMatch(/no passing peer row/); // tfjs is not jax-js: nothing to compare with, not a made-up ratio
    const pinn = judged.find((g: { goal: string }) => g.goal.startsWith("pinn-step >= 10x"));
    expect(pinn.ratio).toBeGreaterThan(0);
    expect(pinn.text).toMatch(/customGrad/);
  });
});

describe("the relaxed-SIMD row (its own process, started with --experimental-wasm-relaxed-simd)", () => {
  it("loads the relaxed build and its matmul and PINN step agree with the float64 reference", async () => {
    const one = { ...cfg, only: ["matmul", "pinn-step"], isolate: true };
    const { rows: r, libraries: l } = await runLibraries([LIBRARIES["gradtape-relaxed"]], one, { isolate: true });
    // the label comes from backendInfo() in the child: "gradtape" would mean the flag or the option was lost
    expect(l[0].label, l[0].error).toBe("gradtape relaxed-simd");
    expect(r.length).toBeGreaterThan(0);
    for (const x of r as Row[]) {
      expect(x.status, `${x.case} ${x.variant}: ${x.check}`).toBe("ok");
      expect(x.check, `${x.case} ${x.variant}`).toMatch(CHECKED);
    }
    // six child processes (matmul, then each PINN variant in a fresh one), each compiling the core: 2 s alone, but
    // one fresh-clone CI run took over 60 s with the consumer suite's installs and bundlers on both cores
  }, 240_000);
});

describe("a child process that will not exit or never answers", () => {
  // Node 20's process.exit() can deadlock after the result is printed (a TurboFan job waiting on a GC while the main
  // thread joins the platform's threads; seen in CI as a 240 s timeout). An exit handler that spins stands in for it.
  const spinAtExit = "data:text/javascript,process.on('exit',()=>{for(;;);})";
  it("takes the result a child printed and kills the child when it hangs in exit", async () => {
    const entry = { ...LIBRARIES.gradtape, execArgv: ["--import", spinAtExit] };
    const t0 = Date.now();
    const { rows: r } = await runLibraries([entry], { ...cfg, only: ["matmul"] }, { isolate: true });
    expect(r.length).toBeGreaterThan(0);
    for (const x of r as Row[]) expect(x.status, `${x.case}: ${x.check}`).toBe("ok");
    expect(Date.now() - t0).toBeLessThan(60_000); // the exit grace (5 s), not the 15-minute limit
  }, 120_000);

  it("kills a child that gives no result within the limit and marks its rows failed", async () => {
    const entry = { ...LIBRARIES.gradtape, execArgv: ["--import", "data:text/javascript,for(;;);"] };
    const { rows: r, libraries: l } = await runLibraries([entry], { ...cfg, only: ["matmul"], childLimitMs: 3_000 }, { isolate: true });
    expect(l[0].error).toMatch(/killed after 3 s without a result/);
    expect(r.map((x: Row) => x.status)).toEqual(["failed"]);
  });
});

describe("negative controls: a wrong library gets no figure", () => {
  const ctx = makeContext(cfg);
  const lib = { label: "gradtape-perturbed" };
  it("a Hessian off by 1% in one entry is WRONG in seed-single and seed-batch", async () => {
    const bad = {
      ...gradtapeAdapter,
      variants: { seedSingle: ["nested-tapes"], seedBatch: ["nested-tapes"] },
      async seed(net: unknown, n: number, opts: unknown) {
        const fn = await gradtapeAdapter.seed(net, n, opts);
        return async (p: Float32Array) => {
          const r = await fn(p);
          let k = 0;
          for (let i = 1; i < r.hess.length; i++) if (Math.abs(r.hess[i]) > Math.abs(r.hess[k])) k = i;
          r.hess[k] *= 1.01;
          return r;
        };
      },
    };
    await gradtapeAdapter.setup();
    for (const rowsOf of [await seedSingle(bad, lib, ctx), await seedBatch(bad, lib, ctx)]) {
      expect(rowsOf).toHaveLength(1);
      expect(rowsOf[0].status).toBe("wrong");
      expect(rowsOf[0].value).toBeUndefined();
      expect(rowsOf[0].check).toMatch(/hess rel err/);
    }
  });

  it("a weight gradient that drops the bias terms is WRONG in pinn-step", async () => {
    const bad = {
      ...gradtapeAdapter,
      variants: { pinn: ["nested-tapes"] },
      async pinn(net: unknown, data: unknown, adam: unknown, opts: unknown) {
        const tr = await gradtapeAdapter.pinn(net, data, adam, opts);
        return { ...tr, async step(withGrads?: boolean) {
          const r = await tr.step(withGrads);
          r.grads?.forEach((g: Float32Array, i: number) => { if (i % 2 === 1) g.fill(0); });
          return r;
        } };
      },
    };
    const r = await pinnStep(bad, lib, ctx);
    expect(r.map((x: Row) => x.status)).toEqual(["wrong", "wrong"]);
    expect(r[0].check).toMatch(/weight-gradient rel err/);
  });

  it("the SIMD ceiling probe is a valid wasm module for both loop bodies", () => {
    for (const body of ["chain", "load"]) for (const K of [4, 8]) expect(WebAssembly.validate(probeModule(body, K))).toBe(true);
  });
});

describe("interleaved rounds (runner.mjs bestRounds)", () => {
  it("keeps each row's best passing round, lists every round, and keeps a row that never passed as it was", () => {
    const row = (c: string, library: string, round: number, value: number | undefined, better = "lower", status = "ok") =>
      ({ case: c, library, variant: "v", status, value, better, round });
    const merged = bestRounds([
      row("seed-single", "a", 0, 0.012), row("seed-single", "b", 0, 0.3), row("matmul 256", "a", 0, 30, "higher"),
      row("seed-single", "a", 1, 0.009), row("seed-single", "b", 1, 0.2), row("matmul 256", "a", 1, 36, "higher"),
      row("seed-single", "a", 2, 0.011), row("seed-single", "b", 2, 0.4), row("matmul 256", "a", 2, 33, "higher"),
      row("pinn", "c", 0, undefined, "lower", "failed"), row("pinn", "c", 1, undefined, "lower", "failed"),
      row("pinn", "d", 0, undefined, "lower", "wrong"), row("pinn", "d", 1, 5),
      row("pinn", "e", 0, undefined, "lower", "failed"), row("pinn", "e", 1, 7), row("pinn", "e", 2, 6),
    ]) as (Row & { roundValues?: number[]; round: number })[];
    const get = (c: string, l: string) => merged.filter((r) => r.case === c && r.library === l);
    expect(merged).toHaveLength(6);
    expect(get("seed-single", "a").map((r) => [r.value, r.roundValues])).toEqual([[0.009, [0.012, 0.009, 0.011]]]);
    expect(get("seed-single", "b").map((r) => r.value)).toEqual([0.2]);
    expect(get("matmul 256", "a").map((r) => r.value), "higher is better for GFLOP/s").toEqual([36]);
    expect(get("pinn", "c").map((r) => [r.status, r.round])).toEqual([["failed", 0]]);
    expect(get("pinn", "d").map((r) => r.status), "a wrong round makes the row wrong, whatever the other rounds gave").toEqual(["wrong"]);
    const e = get("pinn", "e");
    expect(e.map((r) => [r.status, r.value])).toEqual([["ok", 6]]);
    expect(e[0].check, "a failed round is named in the row").toMatch(/round 1 failed/);
  });
});
