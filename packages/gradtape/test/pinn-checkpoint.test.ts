// Resumable training: a run stopped (by its callback, or "killed" after a periodic checkpoint) and resumed from
// its checkpoint ends with the same weights, to the bit, as an uninterrupted run of the same plan — Adam alone,
// and Adam then L-BFGS with a stop inside each phase. Checkpoints round-trip through their file format (CRC-32
// checked against zlib's), are replaced atomically, and a checkpoint of another problem, network or seed, or a
// truncated or altered file, is refused with an error naming the difference or the file. A diverging run stops at
// the first non-finite loss with the step and the term, keeping finite weights and the last good checkpoint.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { mkdtempSync, readFileSync, writeFileSync, rmSync, readdirSync, chmodSync, existsSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { crc32 as zlibCrc32 } from "node:zlib";
import { ready, pinn, memory, io } from "gradtape";

let dir: string;
beforeAll(async () => { await ready(); dir = mkdtempSync(join(tmpdir(), "gradtape-ckpt-")); });
afterAll(() => { rmSync(dir, { recursive: true, force: true }); });

const heat = pinn.problems.heat;
const base = { network: { hidden: [8, 8] }, collocationPoints: 48, conditionPoints: 12, seed: 3, jit: true };
const bits = (r: pinn.TrainResult) => r.network.trainableWeights.map((v) => Array.from(new Uint32Array(v.data().buffer)));

/** A run stopped after `stopAt` steps: its checkpoint (captured by onSave when the run stops), its result disposed. */
function stoppedAt(stopAt: number, options: Partial<pinn.TrainOptions>, resume?: pinn.TrainCheckpoint): pinn.TrainCheckpoint {
  let last: pinn.TrainCheckpoint | null = null;
  const r = pinn.train(heat, { ...base, ...options, resume, checkpoint: { onSave: (cp) => { last = cp; } }, onProgress: (p) => p.step < stopAt });
  expect(r.stopReason).toBe("callback");
  expect(r.steps).toBe(stopAt);
  r.network.dispose();
  expect(last!.progress.stopReason).toBe("callback");
  // through the file format, as a resumed process would read it
  return pinn.decodeCheckpoint(pinn.encodeCheckpoint(last!));
}

describe("resuming a run gives the uninterrupted run's weights, to the bit", () => {
  it("Adam alone: stopped at step 17 of 40, resumed", () => {
    const plan = { adamSteps: 40, lbfgsSteps: 0 };
    const full = pinn.train(heat, { ...base, ...plan });
    const cp = stoppedAt(17, plan);
    expect(cp.adam!.iterations).toBe(17);
    const resumed = pinn.train(heat, { ...base, ...plan, resume: cp });
    expect(resumed.steps).toBe(40);
    expect(bits(resumed)).toEqual(bits(full));
    expect(resumed.history).toEqual(full.history);
    expect(resumed.terms).toEqual(full.terms);
    expect(resumed.termNames).toEqual(["residual", "conditions"]);
    full.network.dispose(); resumed.network.dispose();
  });

  it("Adam then L-BFGS: stopped inside Adam (step 13), resumed, stopped inside L-BFGS (step 37), resumed", () => {
    const plan = { adamSteps: 20, lbfgsSteps: 40 };
    const full = pinn.train(heat, { ...base, ...plan });
    expect(full.lbfgsSteps).toBe(40);
    const a = stoppedAt(13, plan);
    expect(a.lbfgs).toBeNull();
    const b = stoppedAt(37, plan, a);
    expect(b.adam).toBeNull();
    expect(b.lbfgs!.run).not.toBeNull(); // captured inside the L-BFGS call
    expect(b.progress.lbfgsSteps).toBe(17);
    const resumed = pinn.train(heat, { ...base, ...plan, resume: b });
    expect(bits(resumed)).toEqual(bits(full));
    expect(resumed.finalLoss).toBe(full.finalLoss);
    expect(resumed.lbfgsEvaluations).toBe(full.lbfgsEvaluations);
    expect([resumed.evaluations, resumed.lineSearchEvaluations]).toEqual([full.evaluations, full.lineSearchEvaluations]);
    expect(resumed.history).toEqual(full.history);
    full.network.dispose(); resumed.network.dispose();
  });

  it("killed after a periodic checkpoint (every 9 steps) in the L-BFGS phase: resuming from it gives the same end", () => {
    const plan = { adamSteps: 10, lbfgsSteps: 30 };
    const saved: Uint8Array[] = [];
    const full = pinn.train(heat, { ...base, ...plan, checkpoint: { every: 9, onSave: (cp) => { saved.push(pinn.encodeCheckpoint(cp)); } } });
    const steps = saved.map((b) => pinn.decodeCheckpoint(b).progress.steps);
    expect(steps).toEqual([9, 18, 27, 36, 40]);
    for (const k of [1, 3]) { // step 18 (L-BFGS call in progress) and 36
      const resumed = pinn.train(heat, { ...base, ...plan, resume: pinn.decodeCheckpoint(saved[k]) });
      expect(bits(resumed)).toEqual(bits(full));
      // the evaluation counts go through the file too (step 18: inside an L-BFGS call)
      expect([resumed.evaluations, resumed.lineSearchEvaluations]).toEqual([full.evaluations, full.lineSearchEvaluations]);
      resumed.network.dispose();
    }
    full.network.dispose();
  });

  it("through checkpoint files (checkpoint.dir, resume: dir), with memory flat", () => {
    const plan = { adamSteps: 15, lbfgsSteps: 15 };
    const before = memory();
    const full = pinn.train(heat, { ...base, ...plan });
    const d = join(dir, "run");
    const first = pinn.train(heat, { ...base, ...plan, checkpoint: { dir: d, every: 5 }, onProgress: (p) => p.step < 22 });
    expect(first.checkpointFile).toBe(join(d, pinn.CHECKPOINT_FILE));
    first.network.dispose();
    expect(readdirSync(d)).toEqual([pinn.CHECKPOINT_FILE]); // no temporary file left behind
    const resumed = pinn.train(heat, { ...base, ...plan, resume: d, checkpoint: { dir: d } });
    expect(bits(resumed)).toEqual(bits(full));
    expect(pinn.loadCheckpoint(d).progress.stopReason).toBe("done");
    resumed.network.dispose(); full.network.dispose();
    const after = memory();
    expect([after.tensors, after.bytes, after.tapes, after.programs]).toEqual([before.tensors, before.bytes, before.tapes, before.programs]);
  });

  it("on geometries with Robin and periodic conditions (laplace-disk, advection): the same bits; their terms are reported", () => {
    for (const [name, names] of [["laplace-disk", ["residual", "conditions"]], ["advection", ["residual", "conditions"]]] as const) {
      const p = pinn.getProblem(name);
      const plan = { ...base, collocationPoints: 128, conditionPoints: 32, adamSteps: 15, lbfgsSteps: 15 };
      const full = pinn.train(p, plan);
      expect(full.termNames).toEqual(names);
      let cp: Uint8Array | null = null;
      const a = pinn.train(p, { ...plan, checkpoint: { onSave: (c) => { cp = pinn.encodeCheckpoint(c); } }, onProgress: (s) => s.step < 21 });
      a.network.dispose();
      const b = pinn.train(p, { ...plan, resume: pinn.decodeCheckpoint(cp!) });
      expect(bits(b), name).toEqual(bits(full));
      // the terms add up to the loss (float32 sums: to rounding)
      const [, loss] = full.history.at(-1)!, terms = full.terms.at(-1)!;
      expect(Math.abs(terms.reduce((x, y) => x + y, 0) - loss)).toBeLessThanOrEqual(1e-6 * loss);
      full.network.dispose(); b.network.dispose();
    }
  });

  it("a finished run resumed with the same plan trains nothing more", () => {
    const plan = { adamSteps: 12, lbfgsSteps: 0 };
    let cp: pinn.TrainCheckpoint | null = null;
    const a = pinn.train(heat, { ...base, ...plan, checkpoint: { onSave: (c) => { cp = c; } } });
    const b = pinn.train(heat, { ...base, ...plan, resume: cp! });
    expect(b.steps).toBe(12);
    expect(bits(b)).toEqual(bits(a));
    a.network.dispose(); b.network.dispose();
  });
});

describe("checkpoint files", () => {
  let good: Uint8Array, file: string;
  beforeAll(() => {
    const d = join(dir, "good");
    const r = pinn.train(heat, { ...base, adamSteps: 6, lbfgsSteps: 4, checkpoint: { dir: d } });
    r.network.dispose();
    file = join(d, pinn.CHECKPOINT_FILE);
    good = new Uint8Array(readFileSync(file));
  });

  it("CRC-32 agrees with zlib's", () => {
    for (const b of [new Uint8Array(0), new TextEncoder().encode("123456789"), good]) expect(pinn.crc32(b)).toBe(zlibCrc32(b));
    expect(pinn.crc32(new TextEncoder().encode("123456789"))).toBe(0xcbf43926); // the standard check value
    // continued over pieces, as the checkpoint's checksum is (JSON, then each tensor)
    const a = good.subarray(0, 1000), b = good.subarray(1000);
    expect(pinn.crc32(b, pinn.crc32(a))).toBe(zlibCrc32(b, zlibCrc32(a)));
    expect(pinn.crc32(b, pinn.crc32(a))).toBe(pinn.crc32(good));
  });

  it("refuses a truncated or altered file, naming it", () => {
    const cut = join(dir, "cut.safetensors");
    writeFileSync(cut, good.subarray(0, good.length - 100));
    expect(() => pinn.loadCheckpoint(cut)).toThrow(pinn.CheckpointError);
    expect(() => pinn.loadCheckpoint(cut)).toThrow(new RegExp(`${cut}: not a readable checkpoint .*truncated`));
    const flipped = good.slice(); flipped[flipped.length - 5] ^= 1;
    writeFileSync(cut, flipped);
    expect(() => pinn.loadCheckpoint(cut)).toThrow(/the checksum does not match/);
    expect(() => pinn.loadCheckpoint(join(dir, "nowhere"))).toThrow(/cannot read the checkpoint .*nowhere.*no such file/);
    // a file with a valid checksum but state written by hand: the field is named
    const cp = pinn.decodeCheckpoint(good);
    const odd = pinn.encodeCheckpoint({ ...cp, network: { ...cp.network, hidden: "8x8" as unknown as number[] } });
    expect(() => pinn.decodeCheckpoint(odd, "odd.safetensors")).toThrow(/odd.safetensors: the field network.hidden is "8x8"; expected positive integers/);
    // a weights file is not a checkpoint
    expect(() => pinn.decodeCheckpoint(io.encodeSafetensors({ w: { shape: [2], data: [1, 2] } }), "w.safetensors")).toThrow(/w.safetensors: a safetensors file without gradtape checkpoint state/);
  });

  it("refuses a checkpoint of another problem, network shape, seed or finished Adam phase, naming the difference", () => {
    const cp = pinn.decodeCheckpoint(good, "good.safetensors");
    const plan = { adamSteps: 6, lbfgsSteps: 4 };
    const before = memory().tensors;
    expect(() => pinn.train(pinn.problems.poisson2d, { ...base, ...plan, resume: cp })).toThrow(/the problem is "heat" in the checkpoint but "poisson2d" in this run/);
    expect(() => pinn.train(heat, { ...base, ...plan, network: { hidden: [8, 9] }, resume: cp })).toThrow(/the network's hidden layers is \[8,8\] in the checkpoint but \[8,9\] in this run/);
    expect(() => pinn.train(heat, { ...base, ...plan, seed: 4, resume: cp })).toThrow(/seed is 3 in the checkpoint but 4/);
    expect(() => pinn.train(heat, { ...base, ...plan, sampler: "sobol", resume: cp })).toThrow(/sampler is "lhs" in the checkpoint but "sobol"/);
    expect(() => pinn.train(heat, { ...base, adamSteps: 8, lbfgsSteps: 4, resume: cp })).toThrow(/L-BFGS phase, so its Adam phase cannot change/);
    expect(() => pinn.train(heat, { ...base, ...plan, resume: cp })).not.toThrow();
    expect(memory().tensors).toBeLessThanOrEqual(before + 8); // (the accepted run's network, not disposed here: 6 weights)
  });

  it("a failed write leaves the previous checkpoint as it was", () => {
    const d = join(dir, "ro");
    const r = pinn.train(heat, { ...base, adamSteps: 3, lbfgsSteps: 0, checkpoint: { dir: d } });
    const f = join(d, pinn.CHECKPOINT_FILE);
    const kept = readFileSync(f);
    chmodSync(d, 0o500); // no new files in the directory
    try {
      if (existsSync(join(d, "probe"))) return;
      let wrote = true;
      try { writeFileSync(join(d, "probe"), "x"); } catch { wrote = false; }
      if (wrote) return; // running as root: permissions are not enforced, nothing to test here
      expect(() => pinn.saveCheckpoint(d, pinn.loadCheckpoint(d))).toThrow(/cannot write the checkpoint .*the previous checkpoint \(if any\) is unchanged/);
      expect(readFileSync(f).equals(kept)).toBe(true);
      expect(readdirSync(d)).toEqual([pinn.CHECKPOINT_FILE]);
    } finally { chmodSync(d, 0o700); r.network.dispose(); }
  });
});

describe("a checkpoint that cannot be written", () => {
  it("does not stop the run: it trains to the end and says so in the result", () => {
    const blocker = join(dir, "a-file");
    writeFileSync(blocker, "not a directory");
    const plan = { adamSteps: 8, lbfgsSteps: 4 };
    const full = pinn.train(heat, { ...base, ...plan });
    const r = pinn.train(heat, { ...base, ...plan, checkpoint: { dir: join(blocker, "sub"), every: 2 } });
    expect(r.steps).toBe(12);
    expect(r.checkpointFile).toBeNull();
    expect(r.checkpointError!.message).toMatch(/cannot write the checkpoint .*a-file\/sub/);
    expect(bits(r)).toEqual(bits(full));
    r.network.dispose(); full.network.dispose();
  });
});

describe("divergence", () => {
  it("stops at the first non-finite loss term, naming the step and the term, with finite weights and no checkpoint of it", () => {
    // a residual that overflows float32 when squared (1e19 * O(1))^2 > 3.4e38: the loss term is infinite at once
    const blowup = pinn.defineProblem({
      name: "blowup", domain: { x: [0, 1], t: [0, 1] }, uses: ["u_t", "u_xx"],
      residual: ({ u_t, u_xx }) => u_t.sub(u_xx).mul(1e19),
      conditions: [{ on: { t: 0 }, value: 0 }], exact: () => 0,
    });
    let saved: pinn.TrainCheckpoint | null = null;
    const r = pinn.train(blowup, { ...base, adamSteps: 50, lbfgsSteps: 0, checkpoint: { every: 1, onSave: (c) => { saved = c; } } });
    expect(r.stopReason).toBe("non-finite");
    expect(r.nonFinite).toMatchObject({ phase: "adam", term: "residual", step: 1 });
    expect(Number.isFinite(r.nonFinite!.value)).toBe(false);
    expect(r.steps).toBe(0);
    expect(saved).toBeNull(); // nothing written for a diverged state
    const fresh = pinn.makeNetwork(blowup, { ...base });
    expect(r.network.trainableWeights.map((v) => Array.from(v.data()))).toEqual(fresh.trainableWeights.map((v) => Array.from(v.data())));
    r.network.dispose(); fresh.dispose();
  });

  it("an update that overflows (the learning rate jumps to 1e308 at step 6) is undone; the step-5 checkpoint is the last", () => {
    let saved: pinn.TrainCheckpoint | null = null;
    const r = pinn.train(heat, { ...base, adamSteps: 50, lbfgsSteps: 0, learningRate: (step: number) => (step < 5 ? 1e-3 : 1e308), checkpoint: { every: 1, onSave: (c) => { saved = c; } } });
    expect(r.stopReason).toBe("non-finite");
    expect(r.steps).toBe(5);
    expect(r.nonFinite!.step).toBe(6);
    expect(r.nonFinite!.term).toMatch(/^update of .* \(learning rate too large\?\)$/);
    expect(saved!.progress.steps).toBe(5);
    expect(saved!.progress.stopReason).toBeNull();
    // the weights are those after step 5: finite, and the ones the last checkpoint holds
    expect(r.network.trainableWeights.map((v) => Array.from(v.data()))).toEqual(saved!.weights.map((w) => Array.from(w)));
    for (const v of r.network.trainableWeights) for (const x of v.data()) expect(Number.isFinite(x)).toBe(true);
    r.network.dispose();
  });
});
