// Input embeddings and the modified MLP (nn.FourierFeatures, nn.PeriodicEmbedding, nn.ModifiedMLP): each layer's
// value, first and second input derivatives at several points, through gt.jet (which runs them on nested tapes),
// against the same layer written here in float64 with the reference's second-order dual numbers (exact derivatives,
// no step size). Then: the weight gradient of a trainable Fourier matrix through an input derivative against
// float64 finite differences, bad arguments, exact periodicity of a PINN network with a periodic embedding, and a
// short training run with an embedding and with the modified MLP (loss falls, memory() flat).
import { describe, it, expect, beforeAll } from "vitest";
import * as gt from "gradtape";
import { dual as D, fd, type Jet } from "../reference/index.js";
import { expectClose, expectError, expectNoLeak, live } from "./helpers/check.js";

beforeAll(async () => { await gt.ready(); });

const POINTS = [[0.1, 0.2], [-0.5, 0.7], [0.9, -0.3], [0, 0], [-0.95, -0.8]];
const NAMES = (out: string) => [out, `${out}_x`, `${out}_y`, `${out}_xx`, `${out}_xy`, `${out}_yy`];

/** the six quantities of a dual number in NAMES order */
const parts = (j: Jet) => [j.v, j.g[0], j.g[1], j.hess(0, 0), j.hess(0, 1), j.hess(1, 1)];

/** float32 values of a [r][c] weight as float64 rows */
function rows(t: gt.Tensor): number[][] {
  const [r, c] = t.shape, d = t.data();
  return Array.from({ length: r }, (_, i) => Array.from(d.subarray(i * c, (i + 1) * c)));
}
const col = (W: number[][], j: number) => W.map((r) => r[j]);

/**
 * Compares every output column's value and derivatives from gt.jet with the float64 dual-number reference `ref`
 * (one Jet per output column at a point). Tolerance: float32 rounding relative to the largest magnitude of each
 * quantity over the points.
 */
function checkAgainstDual(label: string, layer: gt.nn.Layer, width: number, ref: (xs: Jet[]) => Jet[], rtol = 2e-4) {
  const outs = Array.from({ length: width }, (_, k) => `u${k}`);
  expect(gt.jetMethod(layer, gt.tidy(() => gt.zeros([1, 2]))).method).toBe("nested-reverse");
  expectNoLeak(label, () => gt.tidy(() => {
    const X = gt.tensor(POINTS);
    const names = outs.flatMap(NAMES);
    const got = gt.jet(layer, X, { derivatives: names, vars: ["x", "y"], outputs: outs });
    const want = POINTS.map((p) => ref(D.variables(p)).map(parts));
    outs.forEach((o, k) => NAMES(o).forEach((n, q) => {
      const w = want.map((r) => r[k][q]);
      expectClose(`${label} ${n}`, got[n].data(), w, { rtol, atol: 1e-5, normwise: true });
    }));
  }));
}

describe("nn.FourierFeatures", () => {
  it("[cos 2 pi x B, sin 2 pi x B] and its first and second input derivatives match float64 dual numbers", () => {
    const ff = new gt.nn.FourierFeatures({ features: 3, sigma: 1.5, seed: 3, inputShape: [2] });
    const B = rows(ff.frequencies!);
    expect(ff.frequencies!.trainable).toBe(false);
    expect(ff.trainableWeights).toEqual([]);
    // the draw is seeded: the same seed gives the same B, another seed another
    const again = new gt.nn.FourierFeatures({ features: 3, sigma: 1.5, seed: 3, inputShape: [2] });
    const other = new gt.nn.FourierFeatures({ features: 3, sigma: 1.5, seed: 4, inputShape: [2] });
    expect(rows(again.frequencies!)).toEqual(B);
    expect(rows(other.frequencies!)).not.toEqual(B);
    again.dispose(); other.dispose();
    checkAgainstDual("fourier", ff, 6, (xs) => {
      const z = [0, 1, 2].map((j) => D.affine(xs, col(B, j).map((b) => 2 * Math.PI * b), 0));
      return [...z.map(D.cos), ...z.map(D.sin)];
    });
    ff.dispose();
  });

  it("a trainable B is trained: d/dB of sum(d u0/dx) matches float64 finite differences", () => {
    const B0 = [[0.7, -1.1], [0.4, 0.9]];
    const ff = new gt.nn.FourierFeatures({ frequencies: B0, trainable: true, inputShape: [2] });
    expect(ff.trainableWeights.length).toBe(1);
    const Bf = rows(ff.frequencies!);
    // float64: L(B) = sum over points of d/dx cos(2 pi (x B00 + y B10)) = -2 pi B00 sin(...)
    const L = (b: Float64Array) => POINTS.reduce((s, [x, y]) => s - 2 * Math.PI * b[0] * Math.sin(2 * Math.PI * (x * b[0] + y * b[2])), 0);
    const want = fd.gradient(L, [Bf[0][0], Bf[0][1], Bf[1][0], Bf[1][1]]);
    expectNoLeak("fourier weight gradient", () => gt.tidy(() => {
      const tape = new gt.GradientTape();
      let g: gt.Tensor;
      try {
        tape.start();
        const { u0_x } = gt.jet(ff, gt.tensor(POINTS), { derivatives: ["u0_x"], vars: ["x", "y"], outputs: ["u0", "u1", "u2", "u3"] });
        const loss = gt.sum(u0_x);
        tape.stop();
        g = tape.gradient(loss, ff.frequencies!) as gt.Tensor;
      } finally { tape.stop(); tape.dispose(); }
      expectClose("dL/dB", g.data(), want, { rtol: 2e-4, atol: 1e-4, normwise: true });
    }));
    ff.dispose();
  });

  it("zero frequencies, a bad sigma or a bad matrix are ArgumentErrors naming the argument", () => {
    expectError(() => new gt.nn.FourierFeatures({ features: 0 }), gt.ArgumentError, ["features", "zero frequencies"]);
    expectError(() => new gt.nn.FourierFeatures({ features: 4, sigma: 0 }), gt.ArgumentError, ["sigma", "> 0"]);
    expectError(() => new gt.nn.FourierFeatures({ features: 4, sigma: NaN }), gt.ArgumentError, ["sigma"]);
    expectError(() => new gt.nn.FourierFeatures({ frequencies: [[0, 0], [0, 0]] }), gt.ArgumentError, ["frequencies", "all zero"]);
    expectError(() => new gt.nn.FourierFeatures({ frequencies: [[1, 2], [3]] }), gt.ArgumentError, ["frequencies"]);
    const ff = new gt.nn.FourierFeatures({ frequencies: [[1, 2]] });
    expectError(() => gt.tidy(() => ff.apply(gt.zeros([3, 2]))), gt.ShapeError, ["frequencies has 1 rows", "2 columns"]);
    ff.dispose();
  });
});

describe("nn.PeriodicEmbedding", () => {
  it("[y, cos k w x, sin k w x] and its derivatives match float64 dual numbers", () => {
    const P = 1.5, w = (2 * Math.PI) / P;
    const pe = new gt.nn.PeriodicEmbedding({ periods: [P, null], harmonics: 2 });
    expect(pe.outputWidth).toBe(5);
    checkAgainstDual("periodic", pe, 5, ([x, y]) => {
      const z = [1, 2].map((k) => D.mul(x, Math.fround(k * w)));
      return [y, ...z.map(D.cos), ...z.map(D.sin)];
    });
    pe.dispose();
  });

  it("is exactly periodic: f(x + P) = f(x) for every output", () => {
    const pe = new gt.nn.PeriodicEmbedding({ periods: [2, 0.5] });
    gt.tidy(() => {
      const a = pe.apply(gt.tensor([[0.3, 0.1], [-0.7, 0.2]])).data();
      const b = pe.apply(gt.tensor([[2.3, 0.6], [1.3, 0.7]])).data();
      expectClose("f(x+P)", b, a, { rtol: 0, atol: 3e-6 });
    });
    pe.dispose();
  });

  it("a non-positive or non-finite period, no periodic input, bad harmonics: ArgumentErrors naming the argument", () => {
    expectError(() => new gt.nn.PeriodicEmbedding({ periods: [2, 0] }), gt.ArgumentError, ["periods[1]", "> 0"]);
    expectError(() => new gt.nn.PeriodicEmbedding({ periods: [-1] }), gt.ArgumentError, ["periods[0]"]);
    expectError(() => new gt.nn.PeriodicEmbedding({ periods: [Infinity, 1] }), gt.ArgumentError, ["periods[0]"]);
    expectError(() => new gt.nn.PeriodicEmbedding({ periods: [null, null] }), gt.ArgumentError, ["no input is periodic"]);
    expectError(() => new gt.nn.PeriodicEmbedding({ periods: [] }), gt.ArgumentError, ["periods"]);
    expectError(() => new gt.nn.PeriodicEmbedding({ periods: [1], harmonics: 0 }), gt.ArgumentError, ["harmonics"]);
    const pe = new gt.nn.PeriodicEmbedding({ periods: [1, null] });
    expectError(() => gt.tidy(() => pe.apply(gt.zeros([2, 3]))), gt.ShapeError, ["[N, 2]"]);
    pe.dispose();
  });
});

describe("nn.ModifiedMLP", () => {
  it("the gated network of Wang, Teng & Perdikaris and its derivatives match float64 dual numbers", () => {
    const m = new gt.nn.ModifiedMLP({ hidden: [6, 6, 6], outputs: 2, seed: 5, inputShape: [2] });
    expect(m.weights.length).toBe(2 * 6); // U, V, H1, 2 gates, head: kernel and bias each
    const Wt = (l: gt.nn.Dense) => ({ W: rows(l.kernel!), b: Array.from(l.bias!.data()) });
    const [U, V, H1, G1, G2, O] = [m.encoderU, m.encoderV, m.first, ...m.gates, m.head].map(Wt);
    const dense = (xs: Jet[], L: { W: number[][]; b: number[] }, act: boolean) =>
      L.b.map((b, j) => { const z = D.affine(xs, col(L.W, j), b); return act ? D.tanh(z) : z; });
    checkAgainstDual("modified-mlp", m, 2, (xs) => {
      const u = dense(xs, U, true), v = dense(xs, V, true);
      let h = dense(xs, H1, true);
      for (const G of [G1, G2]) {
        const z = dense(h, G, true);
        h = z.map((zk, k) => D.add(D.mul(D.sub(1, zk), u[k]), D.mul(zk, v[k])));
      }
      return dense(h, O, false);
    });
    m.dispose();
  });

  it("bad widths are ArgumentErrors naming hidden", () => {
    expectError(() => new gt.nn.ModifiedMLP({ hidden: [8] }), gt.ArgumentError, ["hidden", "at least two"]);
    expectError(() => new gt.nn.ModifiedMLP({ hidden: [8, 4] }), gt.ArgumentError, ["hidden", "equal"]);
    expectError(() => new gt.nn.ModifiedMLP({ hidden: [8, 8], outputs: 0 }), gt.ArgumentError, ["outputs"]);
  });
});

describe("embeddings and architectures in pinn", () => {
  const periodicProblem = (embedding: gt.pinn.EmbeddingSpec) => gt.pinn.defineProblem({
    name: "periodic-test", domain: { x: [-1, 1], t: [0, 1] }, uses: ["u_t", "u_xx"],
    residual: ({ u_t, u_xx }) => u_t.sub(u_xx.mul(0.1)),
    conditions: [{ on: { t: 0 }, value: ({ x }) => Math.sin(Math.PI * x) }],
    exact: ({ x, t }) => Math.exp(-0.1 * Math.PI ** 2 * t) * Math.sin(Math.PI * x),
    defaults: { hidden: [12, 12], embedding, collocationPoints: 256, conditionPoints: 32 },
  });

  it("a periodic embedding makes the network and its derivatives exactly periodic in x (u(-1, t) = u(1, t))", () => {
    const net = gt.pinn.makeNetwork(periodicProblem({ type: "periodic", periods: { x: 2 } }), { seed: 2 });
    gt.tidy(() => {
      const ts = [0, 0.3, 0.8];
      const left = gt.pinn.derivatives(net, gt.tensor(ts.map((t) => [-1, t])), ["u", "u_x", "u_xx", "u_t"], { vars: ["x", "t"] });
      const right = gt.pinn.derivatives(net, gt.tensor(ts.map((t) => [1, t])), ["u", "u_x", "u_xx", "u_t"], { vars: ["x", "t"] });
      left.forEach((l, i) => expectClose(`periodic ${i}`, right[i].data(), l.data(), { rtol: 1e-4, atol: 1e-5 }));
      // and it is not trivially constant in x
      const mid = gt.pinn.derivatives(net, gt.tensor([[0, 0.3]]), ["u"], { vars: ["x", "t"] })[0].data()[0];
      expect(Math.abs(mid - left[0].data()[1])).toBeGreaterThan(1e-4);
    });
    expect(() => net.toSequential()).toThrow(gt.ArgumentError);
    net.dispose();
  });

  it("a period given for an unknown variable or a bad embedding type is an ArgumentError", () => {
    expect(() => gt.pinn.makeNetwork(periodicProblem({ type: "periodic", periods: { z: 2 } }))).toThrow(/periods names 'z'/);
    expect(() => gt.pinn.makeNetwork(periodicProblem({ type: "periodic", periods: { x: 0 } }))).toThrow(/periods.x must be a finite number > 0/);
    expect(() => gt.pinn.makeNetwork(periodicProblem({ type: "fourier", features: 0 }))).toThrow(/features must be a positive integer/);
    expect(() => gt.pinn.makeNetwork(periodicProblem({ type: "wavelet" } as never))).toThrow(/embedding.type/);
  });

  for (const [label, network] of [
    ["fourier features", { embedding: { type: "fourier", features: 8, sigma: 1 } }],
    ["modified MLP", { architecture: "modified-mlp", hidden: [12, 12, 12] }],
  ] as const) {
    it(`trains with ${label}: the loss falls and memory() stays flat`, () => {
      const problem = periodicProblem({ type: "periodic", periods: { x: 2 } });
      const before = live();
      const res = gt.pinn.train(problem, { network: { ...network, embedding: "embedding" in network ? network.embedding : null }, adamSteps: 60, lbfgsSteps: 0, learningRate: 1e-2, seed: 1 });
      expect(res.stopReason).toBe("done");
      const first = res.history[0][1], last = res.finalLoss;
      expect(last).toBeLessThan(first * 0.5);
      res.network.dispose();
      expect(live()).toEqual(before);
    });
  }
});
