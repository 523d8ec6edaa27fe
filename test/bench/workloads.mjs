// The five workloads, run against any library adapter (peers/tfjs.mjs, peers/jax.mjs, and
// gradtape's adapter once it exists). Each returns table rows; every timed figure has first been
// checked against the float64 reference, and a wrong or failed variant gets no figure.
import { gzipSync } from "node:zlib";
import { readFileSync } from "node:fs";
import { measure, once } from "./harness.mjs";
import * as inputs from "./inputs.mjs";
import * as reference from "./reference.mjs";
import { checkMatmul, checkPinn, checkSeed } from "./check.mjs";

// First sentence of an error: enough to recognise it in a table cell.
const short = (err) => String(err?.message ?? err).split("\n")[0].split(/\. (?=[A-Z])/)[0].slice(0, 160);

/**
 * Inputs and references, identical for all libraries. The Burgers reference costs seconds of
 * float64 JS, so it is made lazily, or taken from cfg.pinnReference (computed by the parent).
 */
export function makeContext(cfg) {
  const seedNet = inputs.seedNet();
  const burgersNet = inputs.burgersNet();
  const data = inputs.burgersData(cfg.pinn.colloc, cfg.pinn.boundary);
  const singlePoints = inputs.points(3, 11); // latency is timed on the first; all three are checked
  const batchPoints = inputs.points(cfg.seedBatch.n, 12);
  let pinnRef;
  return {
    cfg, seedNet, burgersNet, data, singlePoints, batchPoints,
    seedSingleRef: reference.seedDerivatives(seedNet, singlePoints),
    seedBatchRef: reference.seedDerivatives(seedNet, batchPoints),
    pinnRef() {
      if (!pinnRef) {
        // the directions are regenerated (seeded); the float64 numbers may come from the parent
        const directions = reference.gradientDirections(burgersNet, inputs.rng(7));
        pinnRef = { directions, ...(cfg.pinnReference ?? reference.burgersReference(burgersNet, data, directions)) };
      }
      return pinnRef;
    },
  };
}

const row = (c, lib, variant, extra) => ({ case: c, library: lib.label, variant, ...extra });

/** seed-single: f, grad, Hessian at one point; median latency of one call. */
export async function seedSingle(adapter, lib, ctx) {
  const rows = [];
  for (const variant of adapter.variants.seedSingle) {
    try {
      const fn = await adapter.seed(ctx.seedNet, 1, { variant });
      const out = { f: [], grad: [], hess: [] };
      for (let p = 0; p < 3; p++) {
        const r = await fn(ctx.singlePoints.subarray(2 * p, 2 * p + 2));
        for (const k of Object.keys(out)) out[k].push(...r[k]);
      }
      const verdict = checkSeed(out, ctx.seedSingleRef);
      if (!verdict.ok) { rows.push(row("seed-single", lib, variant, { status: "wrong", check: verdict.check })); continue; }
      const point = ctx.singlePoints.subarray(0, 2);
      const t = await measure(() => fn(point), ctx.cfg.seedSingle);
      rows.push(row("seed-single", lib, variant, { status: "ok", value: t.median, unit: "ms", better: "lower", check: verdict.check, timing: t }));
    } catch (err) {
      rows.push(row("seed-single", lib, variant, { status: "failed", check: short(err) }));
    }
  }
  return rows;
}

/** seed-batch: per-point f, grad, Hessian at n points in one call. */
export async function seedBatch(adapter, lib, ctx) {
  const rows = [];
  const n = ctx.cfg.seedBatch.n;
  for (const variant of adapter.variants.seedBatch) {
    try {
      const fn = await adapter.seed(ctx.seedNet, n, { variant });
      const first = await once(() => fn(ctx.batchPoints));
      const verdict = checkSeed(first.value, ctx.seedBatchRef);
      if (!verdict.ok) { rows.push(row(`seed-batch ${n}`, lib, variant, { status: "wrong", check: verdict.check })); continue; }
      const t = await measure(() => fn(ctx.batchPoints), ctx.cfg.seedBatch, { checked: first });
      rows.push(row(`seed-batch ${n}`, lib, variant, { status: "ok", value: t.median, unit: "ms", better: "lower", check: verdict.check, firstMs: first.ms, timing: t }));
    } catch (err) {
      rows.push(row(`seed-batch ${n}`, lib, variant, { status: "failed", check: short(err) }));
    }
  }
  return rows;
}

/**
 * pinn-step: one Adam step of Burgers' PINN. The first step (adapter set-up + first call, so
 * compilation and kernel selection land here) is its own row; steady state is the median after
 * warm-up.
 */
export async function pinnStep(adapter, lib, ctx) {
  const rows = [];
  const { colloc, boundary } = ctx.cfg.pinn;
  const steady = `pinn-step ${colloc}+${boundary}`, cold = `pinn-first-step ${colloc}+${boundary}`;
  for (const variant of adapter.variants.pinn) {
    if (ctx.cfg.pinnVariant && variant !== ctx.cfg.pinnVariant) continue; // the runner gave this variant its own process
    const skip = ctx.cfg.profile === "quick" && adapter.skipInQuick?.pinn?.[variant];
    if (skip) {
      rows.push(row(cold, lib, variant, { status: "skipped", check: skip }), row(steady, lib, variant, { status: "skipped", check: skip }));
      continue;
    }
    let trainer;
    try {
      const first = await once(async () => {
        trainer = await adapter.pinn(ctx.burgersNet, ctx.data, inputs.adam, { variant });
        return trainer.step(true);
      });
      const ref = ctx.pinnRef();
      const before = reference.paramArrays(ctx.burgersNet.layers);
      const verdict = checkPinn(first.value, ref, ref.directions, before, await trainer.params(), inputs.adam);
      if (!verdict.ok) {
        const check = `${verdict.check} (first step took ${first.ms.toFixed(0)} ms)`;
        rows.push(row(cold, lib, variant, { status: "wrong", check }), row(steady, lib, variant, { status: "wrong", check }));
        continue;
      }
      rows.push(row(cold, lib, variant, { status: "ok", value: first.ms, unit: "ms", better: "lower", check: verdict.check }));
      const t = await measure(() => trainer.step(false), ctx.cfg.pinn, { priorMs: first.ms });
      rows.push(row(steady, lib, variant, { status: "ok", value: t.median, unit: "ms", better: "lower", check: verdict.check, timing: t }));
    } catch (err) {
      rows.push(row(cold, lib, variant, { status: "failed", check: short(err) }), row(steady, lib, variant, { status: "failed", check: short(err) }));
    } finally {
      try { trainer?.dispose(); } catch { /* a failed trainer may be half-built */ }
    }
  }
  return rows;
}

/** matmul: C = A B for square float32 n x n, in GFLOP/s (2 n^3 flops), result read back included. */
export async function matmul(adapter, lib, ctx) {
  const rows = [];
  for (const n of ctx.cfg.matmul.sizes) {
    const A = inputs.matrix(n, 100 + n), B = inputs.matrix(n, 200 + n);
    const samples = reference.matmulSamples(A, B, n, 32, inputs.rng(n));
    let mm;
    try {
      mm = await adapter.matmul(A, B, n);
      const first = await once(() => mm.run());
      const verdict = checkMatmul(first.value, samples, n);
      if (!verdict.ok) { rows.push(row(`matmul ${n}`, lib, "", { status: "wrong", check: verdict.check })); continue; }
      const t = await measure(() => mm.run(), ctx.cfg.matmul, { checked: first });
      const gflops = (2 * n ** 3) / (t.median * 1e-3) / 1e9;
      rows.push(row(`matmul ${n}`, lib, "", { status: "ok", value: gflops, unit: "GFLOP/s", better: "higher", check: verdict.check, timing: t }));
    } catch (err) {
      rows.push(row(`matmul ${n}`, lib, "", { status: "failed", check: short(err) }));
    } finally {
      mm?.dispose();
    }
  }
  return rows;
}

/** size: gzip -9 of the files a browser app ships for the library (JS + wasm), in KiB. */
export async function size(adapter, lib) {
  let list;
  try {
    list = await adapter.shipped(); // may bundle (gradtape's adapter runs Vite): async
  } catch (err) {
    return [row("size (gzip)", lib, "", { status: "failed", check: short(err) })];
  }
  return list.map(({ label, files }) => {
    let raw = 0, gz = 0;
    for (const f of files) {
      const bytes = readFileSync(f);
      raw += bytes.length;
      gz += gzipSync(bytes, { level: 9 }).length;
    }
    return row("size (gzip)", lib, label, { status: "ok", value: gz / 1024, unit: "KiB", better: "lower", check: `${(raw / 1024).toFixed(0)} KiB raw, ${files.length} files` });
  });
}

// pinn-step runs last: a library that exhausts its memory there cannot spoil the others' rows.
export const ALL = { "seed-single": seedSingle, "seed-batch": seedBatch, matmul, size, "pinn-step": pinnStep };
