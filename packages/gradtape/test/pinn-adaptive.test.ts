// Adaptive collocation (pinn/adaptive-sampling.ts): on a residual the test controls (a Gaussian bump at x = 0.8
// that does not depend on the network), RAD and RAR-D put the points where the residual is large, in the proportion
// Wu et al.'s density predicts (computed here in float64 by quadrature), RAR adds the largest-residual candidates;
// draws are seeded and reproducible, RAD keeps the count; and a training run with RAD (and causal weights) stopped
// and resumed from its checkpoint ends with the uninterrupted run's weights, to the bit, with memory flat.
import { describe, it, expect, beforeAll } from "vitest";
import { ready, pinn, memory } from "gradtape";

beforeAll(async () => { await ready(); });

const CENTER = 0.8, WIDTH = 200; // r(x) = exp(-200 (x - 0.8)^2)
const bumpR = (x: number) => Math.exp(-WIDTH * (x - CENTER) ** 2);
/** the residual is the bump plus 0 * u: the network has no effect on it */
const bump = pinn.defineProblem({
  name: "bump", domain: { x: [0, 1] }, uses: ["u"],
  residual: ({ u, x }) => u.mul(0).add(x.sub(CENTER).mul(x.sub(CENTER)).mul(-WIDTH).exp()),
  conditions: [{ on: { x: 0 }, value: 0 }],
});

/** the fraction of the density p(x) = r^k / E r^k + c on [0, 1] that lies in [a, b] (midpoint rule, 1e5 cells) */
function expectedFraction(k: number, c: number, a: number, b: number): number {
  const n = 100_000;
  let all = 0, inside = 0, mean = 0;
  for (let i = 0; i < n; i++) mean += bumpR((i + 0.5) / n) ** k / n;
  for (let i = 0; i < n; i++) {
    const x = (i + 0.5) / n, p = bumpR(x) ** k / mean + c;
    all += p; if (x >= a && x <= b) inside += p;
  }
  return inside / all;
}

const fraction = (pts: ArrayLike<number>, a: number, b: number) => Array.from(pts).filter((x) => x >= a && x <= b).length / pts.length;

describe("adaptive collocation", () => {
  const net = () => pinn.makeNetwork(bump, { network: { hidden: [4] } });

  for (const [k, c] of [[1, 0], [1, 1], [2, 0]] as const) {
    it(`RAD k=${k} c=${c}: the points follow p ∝ r^k/E[r^k] + c (float64 quadrature), their count kept`, () => {
      const n = net();
      const s = new pinn.AdaptiveSampler(pinn.adaptiveSettings({ method: "rad", k, c, candidates: 50_000 }, 0, "bump", 2000));
      const current = new Float32Array(2000).map((_, i) => (i + 0.5) / 2000);
      const pts = s.draw(bump, n, current, {});
      expect(pts.length).toBe(2000);
      const got = fraction(pts, 0.7, 0.9), want = expectedFraction(k, c, 0.7, 0.9);
      // without replacement from 50,000 candidates: a binomial-like spread of ~sqrt(f(1-f)/2000) < 0.012
      expect(Math.abs(got - want)).toBeLessThan(0.04);
      expect(got).toBeGreaterThan(c === 0 ? 0.9 : 0.5); // uniform would give 0.2
      n.dispose();
    });
  }

  it("RAR adds the candidates of largest residual (closest to the bump's top); RAR-D adds draws by density; old points kept", () => {
    const n = net();
    const current = new Float32Array([0.1, 0.2, 0.3]);
    const rar = new pinn.AdaptiveSampler(pinn.adaptiveSettings({ method: "rar", add: 5, candidates: 10_000 }, 1, "bump", 3));
    const a = rar.draw(bump, n, current, {});
    expect(a.length).toBe(8);
    expect(Array.from(a.subarray(0, 3))).toEqual(Array.from(current));
    // among 10,000 uniform candidates the five nearest 0.8 are within ~5/10,000 of it (float32 residual: 1e-3)
    for (const x of a.subarray(3)) expect(Math.abs(x - CENTER)).toBeLessThan(2e-3);
    const rard = new pinn.AdaptiveSampler(pinn.adaptiveSettings({ method: "rar-d", add: 200, candidates: 10_000 }, 1, "bump", 3));
    const b = rard.draw(bump, n, current, {});
    expect(b.length).toBe(203);
    expect(fraction(b.subarray(3), 0.7, 0.9)).toBeGreaterThan(0.95); // k = 2, c = 0: expected 0.998
    n.dispose();
  });

  it("is seeded: the same seed gives the same points, bit for bit; another seed other points", () => {
    const n = net();
    const current = new Float32Array(500).fill(0.5);
    const draw = (seed: number) => new pinn.AdaptiveSampler(pinn.adaptiveSettings({ method: "rad", candidates: 5000, seed }, 0, "bump", 500)).draw(bump, n, current, {});
    expect(Array.from(draw(7))).toEqual(Array.from(draw(7)));
    expect(Array.from(draw(7))).not.toEqual(Array.from(draw(8)));
    n.dispose();
  });

  it("weighted sampling without replacement: distinct indices, zero weights last, frequencies ∝ weights for single draws", () => {
    const rng = new pinn.Rng(3);
    const w = Float64Array.from([0, 1, 2, 3, 0]);
    const idx = pinn.weightedSampleWithoutReplacement(w, 3, rng);
    expect([...idx].sort()).toEqual([1, 2, 3]);
    const hits = [0, 0, 0, 0, 0];
    for (let i = 0; i < 30_000; i++) hits[pinn.weightedSampleWithoutReplacement(w, 1, rng)[0]]++;
    for (const j of [1, 2, 3]) expect(hits[j] / 30_000).toBeCloseTo(j / 6, 1);
    expect(hits[0] + hits[4]).toBe(0);
  });

  it("in training: resamples every N steps in both phases, count kept (RAD) or grown (RAR), reported in progress and result", () => {
    const seen: number[] = [];
    const r = pinn.train(pinn.problems.heat, { network: { hidden: [8] }, collocationPoints: 64, conditionPoints: 16, adamSteps: 12, lbfgsSteps: 12,
      adaptive: { method: "rar", every: 5, add: 3, candidates: 500 }, onProgress: (p) => { seen.push(p.adaptive!.points); } });
    expect(r.adaptive).toEqual({ resamples: 4, points: 64 + 4 * 3 });
    expect(seen.slice(0, 6)).toEqual([64, 64, 64, 64, 67, 67]);
    r.network.dispose();
  });
});

describe("a problem's defaults", () => {
  it("adaptive and causal settings in a problem's defaults apply unless the options say otherwise (false turns them off)", () => {
    const heat = pinn.problems.heat;
    const withDefaults = pinn.defineProblem({
      name: "heat-remedied", domain: { x: [0, 1], t: [0, 1] }, uses: ["u_t", "u_xx"], residual: ({ u_t, u_xx }) => u_t.sub(u_xx.mul(0.4)),
      conditions: [{ on: { t: 0 }, value: ({ x }) => Math.sin(Math.PI * x) }],
      defaults: { adaptive: { method: "rar", every: 4, add: 2, candidates: 200 }, causal: { slices: 4 } },
    });
    const plan = { network: { hidden: [4] }, collocationPoints: 32, conditionPoints: 8, adamSteps: 8, lbfgsSteps: 0 };
    const a = pinn.train(withDefaults, plan);
    expect(a.adaptive).toEqual({ resamples: 2, points: 36 });
    expect(a.causal!.weights.length).toBe(4);
    const b = pinn.train(withDefaults, { ...plan, adaptive: false, causal: false });
    expect(b.adaptive).toBeUndefined();
    expect(b.causal).toBeUndefined();
    const c = pinn.train(heat, plan);
    expect(c.adaptive).toBeUndefined();
    for (const r of [a, b, c]) r.network.dispose();
  });
});

describe("resuming a run with adaptive collocation and causal weights gives the same bits", () => {
  const heat = pinn.problems.heat;
  const base = { network: { hidden: [8, 8] }, collocationPoints: 48, conditionPoints: 12, seed: 3, jit: true,
    adaptive: { method: "rad" as const, every: 6, candidates: 400 }, causal: { slices: 4, eps: [0.1, 1, 10] } };
  const bits = (r: pinn.TrainResult) => r.network.trainableWeights.map((v) => Array.from(new Uint32Array(v.data().buffer)));

  it("stopped inside Adam and inside L-BFGS (after a resample there), resumed through the file format; memory flat", () => {
    const plan = { adamSteps: 14, lbfgsSteps: 20 };
    const before = memory();
    const full = pinn.train(heat, { ...base, ...plan });
    expect(full.adaptive!.resamples).toBe(5);
    const stop = (at: number, resume?: pinn.TrainCheckpoint) => {
      let last: pinn.TrainCheckpoint | null = null;
      const r = pinn.train(heat, { ...base, ...plan, resume, checkpoint: { onSave: (cp) => { last = cp; } }, onProgress: (p) => p.step < at });
      expect(r.steps).toBe(at);
      r.network.dispose();
      return pinn.decodeCheckpoint(pinn.encodeCheckpoint(last!));
    };
    const a = stop(9);
    expect(a.remedies!.adaptive!.resamples).toBe(1);
    expect(a.remedies!.adaptive!.points.length).toBe(48 * 2);
    const b = stop(27, a);
    expect(b.remedies!.adaptive!.resamples).toBe(4);
    const resumed = pinn.train(heat, { ...base, ...plan, resume: b });
    expect(bits(resumed)).toEqual(bits(full));
    expect(resumed.history).toEqual(full.history);
    expect(resumed.causal!.weights).toEqual(full.causal!.weights);
    // stopped at step 24, where the second phase resamples: the checkpoint holds the new points and no call in
    // progress; the second phase is SSBroyden here (optimizer "auto" on a small network), which keeps its H across
    // a resample (L-BFGS would drop its pairs)
    const c = stop(24, a);
    expect(c.remedies!.adaptive!.resamples).toBe(4);
    expect(c.lbfgs!.kind).toBe("BFGS");
    expect(c.lbfgs!.kind === "BFGS" ? c.lbfgs!.pairs : -1).toBeGreaterThan(0);
    expect(c.lbfgs!.run).toBeNull();
    const resumed2 = pinn.train(heat, { ...base, ...plan, resume: c });
    expect(bits(resumed2)).toEqual(bits(full));
    full.network.dispose(); resumed.network.dispose(); resumed2.network.dispose();
    const after = memory();
    expect([after.tensors, after.bytes, after.tapes, after.programs]).toEqual([before.tensors, before.bytes, before.tapes, before.programs]);
  });

  it("L-BFGS stopped where it resamples: the checkpoint holds an empty memory, and the resumed run ends with the same bits", () => {
    const plan = { adamSteps: 14, lbfgsSteps: 20, optimizer: "lbfgs" as const };
    const full = pinn.train(heat, { ...base, ...plan });
    let last: pinn.TrainCheckpoint | null = null;
    const r = pinn.train(heat, { ...base, ...plan, checkpoint: { onSave: (cp) => { last = cp; } }, onProgress: (p) => p.step < 24 });
    r.network.dispose();
    const c = pinn.decodeCheckpoint(pinn.encodeCheckpoint(last!));
    expect(c.lbfgs!.kind).toBe("LBFGS");
    expect(c.lbfgs!.kind === "LBFGS" ? c.lbfgs!.s.length : -1).toBe(0);
    const resumed = pinn.train(heat, { ...base, ...plan, resume: c });
    expect(bits(resumed)).toEqual(bits(full));
    full.network.dispose(); resumed.network.dispose();
  });

  it("a checkpoint resumed with other adaptive settings is refused, naming them", () => {
    let last: pinn.TrainCheckpoint | null = null;
    const r = pinn.train(heat, { ...base, adamSteps: 8, lbfgsSteps: 0, checkpoint: { onSave: (cp) => { last = cp; } } });
    r.network.dispose();
    expect(() => pinn.train(heat, { ...base, adamSteps: 10, lbfgsSteps: 0, adaptive: { method: "rad", every: 7, candidates: 400 }, resume: last! }))
      .toThrow(pinn.CheckpointError);
    expect(() => pinn.train(heat, { ...base, adamSteps: 10, lbfgsSteps: 0, adaptive: false, causal: false, resume: last! })).toThrow(/adaptive-collocation and causal settings/);
  });
});

describe("bad adaptive options are named errors; nothing leaks", () => {
  it("unknown method or option, counts, exponents, too few candidates for RAD", () => {
    const heat = pinn.problems.heat;
    const m = memory();
    const go = (adaptive: unknown) => () => pinn.train(heat, { adamSteps: 1, lbfgsSteps: 0, collocationPoints: 16, conditionPoints: 4, adaptive: adaptive as never });
    expect(go("rad-x")).toThrow(pinn.AdaptiveSamplingError);
    expect(go("rad-x")).toThrow(/adaptive.method must be one of "rad", "rar", "rar-d", but got "rad-x"/);
    expect(go({ method: "rad", evry: 5 })).toThrow(/unknown option 'evry'/);
    expect(go({ method: "rad", every: 0 })).toThrow(/every must be an integer in \[1,/);
    expect(go({ method: "rad", k: -1 })).toThrow(/k must be a finite number >= 0/);
    expect(go({ method: "rad", c: NaN })).toThrow(/c must be a finite number >= 0/);
    expect(go({ method: "rar", add: 0 })).toThrow(/add must be an integer/);
    expect(go({ method: "rad", candidates: 8 })).toThrow(/give candidates >= 16/);
    expect(go({ method: "rar", candidates: 4, add: 5 })).toThrow(/candidates >= add/);
    expect(go(null)).toThrow(pinn.AdaptiveSamplingError);
    const after = memory();
    expect([after.tensors, after.bytes]).toEqual([m.tensors, m.bytes]);
  });
});
