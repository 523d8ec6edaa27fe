// Optimizers through a loss that contains input derivatives (a nested tape inside lossFn), as a PINN does:
// u'(x) = cos(x) on [0, 2], u(0) = 0, exact solution sin(x). Adam then L-BFGS; memory stays flat.
import { describe, it, expect, beforeAll } from "vitest";
import * as gt from "gradtape";

beforeAll(async () => { await gt.ready(); });

describe("training through input derivatives", () => {
  it("Adam then L-BFGS solve u' = cos(x), u(0) = 0", () => {
    const m = new gt.nn.Sequential([
      new gt.nn.Dense({ units: 16, activation: "tanh", inputShape: [1], seed: 31 }),
      new gt.nn.Dense({ units: 16, activation: "tanh", seed: 32 }),
      new gt.nn.Dense({ units: 1, seed: 33 }),
    ]);
    const x = gt.linspace(0, 2, 64).reshape([64, 1]);
    const cosx = gt.tidy(() => x.cos());
    const x0 = gt.zeros([1, 1]);
    const loss = () => gt.tidy(() => {
      const tape = new gt.GradientTape();
      try {
        const u = tape.record(() => { tape.watch(x); return m.apply(x); });
        const ux = tape.gradient(u, x)!;
        return gt.losses.mse(cosx, ux).add(m.apply(x0).square().sum());
      } finally { tape.dispose(); }
    });
    const adam = new gt.optim.Adam({ learningRate: 0.01 });
    let first = 0;
    for (let i = 0; i < 300; i++) { const l = adam.minimize(loss, m.trainableWeights); if (i === 0) first = l; }
    const mem = gt.memory();
    const lbfgs = new gt.optim.LBFGS({ maxIterations: 200 });
    const final = lbfgs.minimize(loss, m.trainableWeights);
    expect(gt.memory().tensors).toBe(mem.tensors);
    expect(gt.memory().bytes).toBe(mem.bytes);
    expect(final).toBeLessThan(first * 1e-3);
    const u = m.apply(x).data(), xs = x.data();
    let err = 0, ref = 0;
    for (let i = 0; i < xs.length; i++) { err += (u[i] - Math.sin(xs[i])) ** 2; ref += Math.sin(xs[i]) ** 2; }
    expect(Math.sqrt(err / ref)).toBeLessThan(5e-3);
    adam.dispose(); m.dispose(); gt.dispose([x, cosx, x0]);
  });
});
