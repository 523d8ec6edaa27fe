// Peak memory: memory().peakBytes and resetPeakMemory(); a non-persistent tape frees what it saved while its sweep
// runs (so a weight gradient through nested input gradients needs less memory at its peak than the same gradient on
// a persistent tape, with identical numbers); a failed sweep consumes the tape; a Taylor jet frees each layer's
// intermediates, so its peak does not grow with the depth of the network.
import { describe, it, expect, beforeAll } from "vitest";
import * as gt from "gradtape";
import { expectError, expectNoLeak, live, type Tensor } from "./helpers/check.js";

beforeAll(async () => { await gt.ready(); });

const MiB = 1 << 20;

/** Points [n, 2] in [-1, 1] x [0, 1], deterministic. */
function points(n: number): Tensor {
  const v = new Float32Array(2 * n);
  for (let i = 0; i < n; i++) { v[2 * i] = -1 + (2 * i) / (n - 1); v[2 * i + 1] = (i % 7) / 7; }
  return gt.tensor(v, [n, 2]);
}

/** peakBytes above what was live before fn ran. */
function peakOf(fn: () => void): number {
  gt.resetPeakMemory();
  const before = gt.memory().peakBytes;
  fn();
  return gt.memory().peakBytes - before;
}

describe("memory().peakBytes", () => {
  it("holds the largest live amount since resetPeakMemory(), even after that memory was freed", () => {
    gt.resetPeakMemory();
    const base = gt.memory().peakBytes;
    expect(base).toBeGreaterThanOrEqual(0);
    const big = gt.zeros([1000, 1000]);                   // 4,000,000 bytes: a 4 MiB block
    big.dispose();
    expect(gt.memory().peakBytes - base).toBe(4 * MiB);
    gt.resetPeakMemory();
    expect(gt.memory().peakBytes).toBe(base);            // a new peak starts from what is live now
  });
});

describe("a non-persistent tape releases saved values during its sweep", () => {
  // u = MLP(X) with tanh layers; (u_x, u_t) from an inner tape, u_xx from a middle tape, all recorded by the weights'
  // tape: the inner gradients' intermediates are held only by the weights' tape, which can free them as it passes.
  function step(persistent: boolean, X: Tensor, Ws: Tensor[]): { peak: number; grads: Float32Array[] } {
    let grads: Float32Array[] = [];
    const peak = peakOf(() => gt.tidy(() => {
      const tw = new gt.GradientTape({ persistent }), t2 = new gt.GradientTape(), t1 = new gt.GradientTape();
      try {
        const loss = tw.record(() => {
          let u!: Tensor, ux!: Tensor, ut!: Tensor;
          t2.record(() => {
            t2.watch(X);
            u = t1.record(() => { t1.watch(X); let h = X; for (const W of Ws) h = h.matMul(W).tanh(); return h.sum(1, true); });
            const g = t1.gradient(u, X)!;
            ux = g.slice([0, 0], [-1, 1]); ut = g.slice([0, 1], [-1, 1]);
          });
          const uxx = t2.gradient(ux, X)!.slice([0, 0], [-1, 1]);
          return ut.add(u.mul(ux)).sub(uxx.mul(0.003)).square().mean();
        });
        grads = tw.gradient(loss, Ws).map((g) => g!.data());
      } finally { tw.dispose(); t2.dispose(); t1.dispose(); }
    }));
    return { peak, grads };
  }

  it("a weight gradient through nested input gradients: a lower peak than on a persistent tape, the same numbers", () => {
    const X = points(4096);
    const Ws = [2, 32, 32, 32, 32].map((nIn, l) => gt.variable(gt.randomNormal([nIn, 32], 0, 1 / Math.sqrt(nIn), 5 + l)));
    const before = live();
    const kept = step(true, X, Ws), freed = step(false, X, Ws);
    expect(live()).toEqual(before);
    // the same sweep, so bit-for-bit the same gradients
    freed.grads.forEach((g, i) => expect(Array.from(g), `gradient ${i}`).toEqual(Array.from(kept.grads[i])));
    // each [4096, 32] tensor takes a 512 KiB block; freeing as the sweep goes must save at least 8 of them
    // (measured: 26.3 MiB persistent vs 20.8 MiB, 11 blocks; before the change both were 26.3)
    expect(kept.peak - freed.peak, `peak ${kept.peak / MiB} MiB persistent vs ${freed.peak / MiB} MiB`).toBeGreaterThanOrEqual(8 * 512 * 1024);
    gt.dispose([X, ...Ws]);
  });

  it("a sweep that fails (a saved value modified in place) still consumes the tape; nothing leaks", () => {
    const x = gt.tensor([0.5, -1, 2]);
    const v = gt.variable([1, 2, 3]);
    expectNoLeak("failed sweep", () => gt.tidy(() => {
      const tape = new gt.GradientTape();
      try {
        const y = tape.record(() => v.mul(x).tanh().sum());
        v.assign(gt.tensor([3, 2, 1]));
        expectError(() => tape.gradient(y, v), gt.GradientError, ["modified in place"]);
        expectError(() => tape.gradient(y, v), gt.GradientError, ["already used", "persistent"]);
      } finally { tape.dispose(); }
    }));
    // the library still works afterwards
    const t = new gt.GradientTape();
    const y = t.record(() => v.square().sum());
    expect(Array.from(t.gradient(y, v)!.data())).toEqual([6, 4, 2]);
    t.dispose();
    gt.dispose([x, v]);
  });
});

describe("a Taylor jet frees each layer's intermediates", () => {
  function jetPeak(depth: number, X: Tensor): number {
    const model = new gt.nn.Sequential(Array.from({ length: depth }, (_, l) =>
      new gt.nn.Dense({ units: l + 1 < depth ? 32 : 1, activation: l + 1 < depth ? "tanh" : "linear", seed: 40 + l, ...(l === 0 ? { inputShape: [2] } : {}) })));
    gt.tidy(() => { model.apply(X.slice([0, 0], [1, 2])); });
    const before = live();
    const peak = peakOf(() => gt.tidy(() => { gt.jet(model, X, { derivatives: ["u", "u_x", "u_t", "u_xx"], vars: ["x", "t"], method: "taylor" }); }));
    expect(live()).toEqual(before);
    model.dispose();
    return peak;
  }

  it("without a tape, the peak of a 12-layer jet is about that of a 4-layer one", () => {
    const X = points(4096);
    const shallow = jetPeak(4, X), deep = jetPeak(12, X);
    // one layer's work is ~17 tensors of [4096, 32] (512 KiB blocks): kept to the end of the sweep, 8 more layers
    // would add ~68 MiB; freed layer by layer, the peak is one layer's work plus two jets (measured: 10 MiB for both;
    // before the change 21 and 85 MiB)
    expect(deep, `peak ${deep / MiB} MiB (12 layers) vs ${shallow / MiB} MiB (4 layers)`).toBeLessThan(shallow + 4 * 512 * 1024);
    X.dispose();
  });
});
