// NTK loss weights (pinn/ntk.ts, balancing "ntk"): the per-term NTK trace estimates and the weights
// lambda_i = sum_j tr K_j / tr K_i on a tiny tanh network (2 -> 3 -> 1) for the heat equation, against a direct float64
// computation: the network, its input derivatives u_t and u_xx written out by hand, and each per-point gradient with
// respect to the 13 weights by central differences in float64 (independent of the tapes and of float32). Then a
// training run with NTK balancing reports weights and term-wise history in progress and result, memory flat.
import { describe, it, expect, beforeAll } from "vitest";
import { ready, pinn, memory } from "gradtape";

beforeAll(async () => { await ready(); });

const heat = pinn.problems.heat;
const K = 0.4;

/** u, u_t, u_xx of 2 -> 3 -> 1 tanh at (x, t), inputs scaled from [0,1] to [-1,1] (s = 2v - 1), float64 */
function mlp(theta: number[], x: number, t: number): { u: number; ut: number; uxx: number } {
  const H = 3;
  const W1 = (i: number, k: number) => theta[i * H + k]; // kernel [2, 3], row-major: input i, unit k
  const b1 = (k: number) => theta[6 + k], W2 = (k: number) => theta[9 + k], b2 = theta[12];
  const sx = 2 * x - 1, st = 2 * t - 1;
  let u = b2, ut = 0, uxx = 0;
  for (let k = 0; k < H; k++) {
    const h = Math.tanh(W1(0, k) * sx + W1(1, k) * st + b1(k));
    const d1 = 1 - h * h, d2 = -2 * h * d1;
    u += W2(k) * h;
    ut += W2(k) * d1 * W1(1, k) * 2;
    uxx += W2(k) * d2 * (W1(0, k) * 2) ** 2;
  }
  return { u, ut, uxx };
}

/** mean over points of ||d e(p) / d theta||^2, the gradient by central differences (h = 1e-6) */
function trace(theta: number[], pts: number[][], e: (th: number[], p: number[]) => number): number {
  let s = 0;
  for (const p of pts) {
    for (let j = 0; j < theta.length; j++) {
      const up = theta.slice(), dn = theta.slice();
      up[j] += 1e-6; dn[j] -= 1e-6;
      s += ((e(up, p) - e(dn, p)) / 2e-6) ** 2;
    }
  }
  return s / pts.length;
}

const rows = (a: Float32Array, d: number) => Array.from({ length: a.length / d }, (_, i) => Array.from(a.subarray(i * d, (i + 1) * d)));

describe("NTK loss weights", () => {
  it("traces and weights on a tiny network match float64 by hand (every point used: subsample >= points)", () => {
    const net = pinn.makeNetwork(heat, { network: { hidden: [3] }, seed: 5 });
    const data = pinn.trainingData(heat, { collocationPoints: 10, conditionPoints: 9, seed: 5 });
    const theta = net.trainableWeights.flatMap((v) => Array.from(v.data()));
    expect(theta.length).toBe(13);
    const coll = rows(data.collocation.data(), 2);
    const cond = data.groups.flatMap((g) => rows(g.points.data(), 2));
    expect(cond.length).toBe(9);
    const tr = trace(theta, coll, (th, [x, t]) => { const m = mlp(th, x, t); return m.ut - K * m.uxx; });
    // a Dirichlet point's error is u - g: its gradient is u's
    const tc = trace(theta, cond, (th, [x, t]) => mlp(th, x, t).u);
    const got = pinn.ntkTraces(heat, net, data, net.trainableWeights, {}, new pinn.Rng(0), 1000);
    expect(Math.abs(got.residual - tr) / tr).toBeLessThan(1e-4);
    expect(Math.abs(got.conditions - tc) / tc).toBeLessThan(1e-4);
    const b = new pinn.LossBalancer({ scheme: "ntk", alpha: 0 }, ["residual", "conditions"], "heat");
    b.traces = () => pinn.ntkTraces(heat, net, data, net.trainableWeights, {}, new pinn.Rng(0), 1000);
    b.update(() => ({}), net.trainableWeights, 1);
    expect(b.values().residual / ((tr + tc) / tr)).toBeCloseTo(1, 4);
    expect(b.values().conditions / ((tr + tc) / tc)).toBeCloseTo(1, 4);
    b.dispose(); data.dispose(); net.dispose();
  });

  it("a subsample is seeded: the same Rng seed gives the same estimate; the estimate is near the full trace", () => {
    const net = pinn.makeNetwork(heat, { network: { hidden: [8] }, seed: 1 });
    const data = pinn.trainingData(heat, { collocationPoints: 400, conditionPoints: 100, seed: 1 });
    const full = pinn.ntkTraces(heat, net, data, net.trainableWeights, {}, new pinn.Rng(0), 1000);
    const a = pinn.ntkTraces(heat, net, data, net.trainableWeights, {}, new pinn.Rng(9), 100);
    const b = pinn.ntkTraces(heat, net, data, net.trainableWeights, {}, new pinn.Rng(9), 100);
    expect(a).toEqual(b);
    expect(a.residual / full.residual).toBeGreaterThan(0.5);
    expect(a.residual / full.residual).toBeLessThan(2);
    data.dispose(); net.dispose();
  });

  it("in training: weights in progress and the result, term-wise history, memory flat", () => {
    const before = memory();
    const seen: Record<string, number>[] = [];
    const r = pinn.train(heat, { network: { hidden: [8] }, collocationPoints: 64, conditionPoints: 16, adamSteps: 20, lbfgsSteps: 5,
      balancing: { scheme: "ntk", every: 5, points: 16 }, termInterval: 5, onProgress: (p) => { seen.push(p.weights!); } });
    expect(r.weightHistory!.residual.map(([s]) => s)).toEqual([5, 10, 15, 20]);
    expect(r.lossWeights!.residual).not.toBe(1);
    expect(seen[seen.length - 1]).toEqual(r.lossWeights);
    expect(r.termHistory.residual.length).toBeGreaterThanOrEqual(5);
    r.network.dispose();
    const after = memory();
    expect([after.tensors, after.bytes, after.tapes, after.programs]).toEqual([before.tensors, before.bytes, before.tapes, before.programs]);
  });
});
