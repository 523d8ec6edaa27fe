// Everything random takes a seed: the same seed gives the same weights and the same training run, bit for bit.
import { describe, it, expect, beforeAll } from "vitest";
import * as gt from "gradtape";

beforeAll(async () => { await gt.ready(); });

const bits = (ts: gt.Tensor[]) => ts.map((t) => Array.from(new Uint32Array(t.data().buffer)));

function model(seed?: number) {
  const s = (k: number) => (seed === undefined ? {} : { seed: seed + k });
  const m = new gt.nn.Sequential([
    new gt.nn.Dense({ units: 12, activation: "tanh", inputShape: [2], ...s(0) }),
    new gt.nn.Dense({ units: 12, activation: "tanh", kernelInitializer: "glorotNormal", ...s(1) }),
    new gt.nn.Dense({ units: 1, kernelInitializer: "heNormal", ...s(2) }),
  ]);
  gt.tidy(() => { m.apply(gt.zeros([1, 2])); });
  return m;
}

function train(m: gt.nn.Sequential, dataSeed: number): number[][] {
  const x = gt.randomUniform([32, 2], -1, 1, dataSeed);
  const y = gt.tidy(() => x.index(0, 0).add(x.square().sum(1, true)));
  const loss = () => gt.losses.mse(y, m.apply(x));
  const adam = new gt.optim.Adam({ learningRate: 0.01 });
  for (let i = 0; i < 100; i++) adam.minimize(loss, m.trainableWeights);
  new gt.optim.LBFGS({ maxIterations: 20 }).minimize(loss, m.trainableWeights);
  const out = bits(m.weights);
  adam.dispose(); gt.dispose([x, y]);
  return out;
}

describe("reproducibility", () => {
  it("layers with the same seed get the same weights (every initializer)", () => {
    const a = model(7), b = model(7), c = model(8);
    expect(bits(a.weights)).toEqual(bits(b.weights));
    expect(bits(a.weights)).not.toEqual(bits(c.weights));
    for (const init of ["glorotUniform", "glorotNormal", "heUniform", "heNormal"] as const) {
      const g1 = gt.nn.initialize(init, [4, 3], new gt.Generator(3)), g2 = gt.nn.initialize(init, [4, 3], new gt.Generator(3));
      expect(bits([g1])).toEqual(bits([g2]));
      gt.dispose([g1, g2]);
    }
    a.dispose(); b.dispose(); c.dispose();
  });
  it("layers without a seed follow setSeed", () => {
    gt.setSeed(123); const a = model();
    gt.setSeed(123); const b = model();
    gt.setSeed(124); const c = model();
    expect(bits(a.weights)).toEqual(bits(b.weights));
    expect(bits(a.weights)).not.toEqual(bits(c.weights));
    a.dispose(); b.dispose(); c.dispose();
  });
  it("the same seeds give the same training run (Adam then L-BFGS), bit for bit", () => {
    const r1 = train(model(21), 4), r2 = train(model(21), 4);
    expect(r1).toEqual(r2);
    expect(train(model(21), 5)).not.toEqual(r1);
  });
});
