// SGD, momentum, Nesterov, Adam and AdamW against float64 reference implementations written here from the
// update formulas (never against gradtape), on quadratics with known minima; plus error handling, version bumps
// and memory.
import { describe, it, expect, beforeAll } from "vitest";
import * as gt from "gradtape";

beforeAll(async () => { await gt.ready(); });

// f(w) = 0.5 * sum a_i (w_i - c_i)^2, gradient a_i (w_i - c_i); minimum at c. 7 elements: one f32x4 body + 3 tail.
const A = [1, 2, 0.5, 3, 1.5, 0.25, 4];
const C = [0.5, -1, 2, 0.25, -0.75, 1.5, -2];
const W0 = [0, 0.5, -1, 1, 2, -0.5, 0.3];
const grad64 = (w: number[]) => w.map((x, i) => A[i] * (x - C[i]));
const f64 = (w: number[]) => w.reduce((s, x, i) => s + 0.5 * A[i] * (x - C[i]) ** 2, 0);

function quadLoss(w: gt.Variable) {
  return () => gt.tidy(() => w.sub(gt.tensor(C)).square().mul(gt.tensor(A)).sum().mul(0.5));
}

function refSGD(steps: number, lr: (t: number) => number, mu = 0, nesterov = false, wd = 0): number[][] {
  let w = W0.slice(); let v = W0.map(() => 0);
  const out: number[][] = [];
  for (let t = 0; t < steps; t++) {
    const g = grad64(w).map((gi, i) => gi + wd * w[i]);
    if (mu > 0) v = v.map((vi, i) => mu * vi + g[i]);
    const d = mu === 0 ? g : nesterov ? g.map((gi, i) => gi + mu * v[i]) : v;
    w = w.map((wi, i) => wi - lr(t) * d[i]);
    out.push(w);
  }
  return out;
}

function refAdam(steps: number, lr: number, b1 = 0.9, b2 = 0.999, eps = 1e-8, wd = 0, decoupled = false): number[][] {
  let w = W0.slice(); let m = W0.map(() => 0), v = W0.map(() => 0);
  const out: number[][] = [];
  for (let t = 1; t <= steps; t++) {
    const g = grad64(w).map((gi, i) => gi + (decoupled ? 0 : wd * w[i]));
    m = m.map((mi, i) => b1 * mi + (1 - b1) * g[i]);
    v = v.map((vi, i) => b2 * vi + (1 - b2) * g[i] * g[i]);
    w = w.map((wi, i) => wi * (decoupled ? 1 - lr * wd : 1) - lr * (m[i] / (1 - b1 ** t)) / (Math.sqrt(v[i] / (1 - b2 ** t)) + eps));
    out.push(w);
  }
  return out;
}

function expectClose(got: ArrayLike<number>, want: number[], tol: number) {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) expect(Math.abs(got[i] - want[i])).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(want[i])));
}

function run(opt: gt.optim.Optimizer, steps: number): { iterates: Float32Array[]; losses: number[] } {
  const w = gt.variable(W0);
  const iterates: Float32Array[] = [], losses: number[] = [];
  for (let t = 0; t < steps; t++) { losses.push(opt.minimize(quadLoss(w), [w])); iterates.push(w.data()); }
  w.dispose(); opt.dispose();
  return { iterates, losses };
}

describe("SGD", () => {
  it("plain gradient descent matches the float64 iterates", () => {
    const { iterates, losses } = run(new gt.optim.SGD({ learningRate: 0.1 }), 6);
    const ref = refSGD(6, () => 0.1);
    iterates.forEach((w, t) => expectClose(w, ref[t], 1e-6));
    // minimize returns the loss before the update
    expect(losses[0]).toBeCloseTo(f64(W0), 5);
    expect(losses[1]).toBeCloseTo(f64(ref[0]), 5);
  });
  it("first step by hand: w1 = w0 - lr * a (w0 - c)", () => {
    const { iterates } = run(new gt.optim.SGD({ learningRate: 0.1 }), 1);
    // e.g. element 0: 0 - 0.1 * 1 * (0 - 0.5) = 0.05; element 6: 0.3 - 0.1 * 4 * (0.3 + 2) = -0.62
    expect(iterates[0][0]).toBeCloseTo(0.05, 7);
    expect(iterates[0][6]).toBeCloseTo(-0.62, 6);
  });
  it("momentum (heavy ball) matches", () => {
    const { iterates } = run(new gt.optim.SGD({ learningRate: 0.05, momentum: 0.9 }), 8);
    refSGD(8, () => 0.05, 0.9).forEach((w, t) => expectClose(iterates[t], w, 2e-6));
  });
  it("Nesterov momentum matches", () => {
    const { iterates } = run(new gt.optim.SGD({ learningRate: 0.05, momentum: 0.8, nesterov: true }), 8);
    refSGD(8, () => 0.05, 0.8, true).forEach((w, t) => expectClose(iterates[t], w, 2e-6));
  });
  it("L2 weight decay matches", () => {
    const { iterates } = run(new gt.optim.SGD({ learningRate: 0.1, momentum: 0.5, weightDecay: 0.1 }), 5);
    refSGD(5, () => 0.1, 0.5, false, 0.1).forEach((w, t) => expectClose(iterates[t], w, 2e-6));
  });
  it("follows a learning-rate schedule step by step", () => {
    const schedule = gt.optim.stepDecay({ initialLearningRate: 0.2, stepSize: 2, gamma: 0.5 });
    const opt = new gt.optim.SGD({ learningRate: schedule });
    expect(opt.learningRate).toBe(0.2);
    const { iterates } = run(opt, 6);
    refSGD(6, schedule).forEach((w, t) => expectClose(iterates[t], w, 2e-6));
  });
  it("converges to the minimum", () => {
    const w = gt.variable(W0);
    const opt = new gt.optim.SGD({ learningRate: 0.2, momentum: 0.5 });
    for (let t = 0; t < 300; t++) opt.minimize(quadLoss(w), [w]);
    expectClose(w.data(), C, 1e-5);
    w.dispose(); opt.dispose();
  });
});

describe("Adam", () => {
  it("first step is lr * sign(g) (bias correction), by hand", () => {
    const { iterates } = run(new gt.optim.Adam({ learningRate: 0.01 }), 1);
    W0.forEach((w, i) => expect(iterates[0][i]).toBeCloseTo(w - 0.01 * Math.sign(grad64(W0)[i]), 6));
  });
  it("matches the float64 iterates over 20 steps", () => {
    const { iterates } = run(new gt.optim.Adam({ learningRate: 0.05 }), 20);
    refAdam(20, 0.05).forEach((w, t) => expectClose(iterates[t], w, 5e-6));
  });
  it("other betas and epsilon", () => {
    const { iterates } = run(new gt.optim.Adam({ learningRate: 0.02, beta1: 0.5, beta2: 0.9, epsilon: 1e-3 }), 10);
    refAdam(10, 0.02, 0.5, 0.9, 1e-3).forEach((w, t) => expectClose(iterates[t], w, 5e-6));
  });
  it("L2 weight decay (coupled) matches", () => {
    const { iterates } = run(new gt.optim.Adam({ learningRate: 0.05, weightDecay: 0.1 }), 10);
    refAdam(10, 0.05, 0.9, 0.999, 1e-8, 0.1, false).forEach((w, t) => expectClose(iterates[t], w, 5e-6));
  });
  it("AdamW (decoupled weight decay) matches", () => {
    const opt = new gt.optim.AdamW({ learningRate: 0.05, weightDecay: 0.2 });
    expect(opt.decoupledWeightDecay).toBe(true);
    const { iterates } = run(opt, 10);
    refAdam(10, 0.05, 0.9, 0.999, 1e-8, 0.2, true).forEach((w, t) => expectClose(iterates[t], w, 5e-6));
    expect(new gt.optim.AdamW().weightDecay).toBe(0.01);
  });
  it("converges to the minimum", () => {
    const w = gt.variable(W0);
    const opt = new gt.optim.Adam({ learningRate: gt.optim.exponentialDecay({ initialLearningRate: 0.1, decaySteps: 100, decayRate: 0.5 }) });
    for (let t = 0; t < 1500; t++) opt.minimize(quadLoss(w), [w]);
    expectClose(w.data(), C, 1e-4);
    w.dispose(); opt.dispose();
  });
  it("counts steps per variable (a variable without gradient keeps its moments and step)", () => {
    const a = gt.variable([1, 2, 3]), b = gt.variable([4, 5]);
    const opt = new gt.optim.Adam({ learningRate: 0.1 });
    const ga = gt.tensor([1, -1, 2]), gb = gt.tensor([3, 3]);
    opt.applyGradients([ga, null], [a, b]);
    expect(Array.from(b.data())).toEqual([4, 5]);
    opt.applyGradients([ga, gb], [a, b]);
    // b's first update is a first Adam step: b - lr * sign(g)
    expectClose(b.data(), [3.9, 4.9], 1e-6);
    expect(opt.iterations).toBe(2);
    gt.dispose([a, b, ga, gb]); opt.dispose();
  });
});

describe("applyGradients and minimize", () => {
  it("works with a broadcast (strided) gradient: d sum(w) / dw", () => {
    const w = gt.variable([1, 2, 3, 4, 5]);
    const opt = new gt.optim.SGD({ learningRate: 0.5 });
    opt.minimize(() => w.sum(), [w]);
    expectClose(w.data(), [0.5, 1.5, 2.5, 3.5, 4.5], 0);
    w.dispose();
  });
  it("updates non-trainable variables listed explicitly, leaves unconnected ones alone", () => {
    const a = gt.variable([1, 1], false), b = gt.variable([7]);
    const opt = new gt.optim.SGD({ learningRate: 1 });
    opt.minimize(() => a.square().sum(), [a, b]);
    expect(Array.from(a.data())).toEqual([-1, -1]);
    expect(Array.from(b.data())).toEqual([7]);
    gt.dispose([a, b]);
  });
  it("bumps the version: a gradient through a value saved before the update fails loudly", () => {
    const w = gt.variable([1, 2]);
    const tape = new gt.GradientTape({ persistent: true });
    const y = tape.record(() => w.mul(w).sum());
    const g = tape.gradient(y, w)!;
    new gt.optim.SGD({ learningRate: 0.1 }).applyGradients([g], [w]);
    expect(() => tape.gradient(y, w)).toThrow(/modified in place/);
    tape.dispose(); gt.dispose([w, y, g]);
  });
  it("says what is wrong", () => {
    const w = gt.variable([1, 2, 3]);
    const opt = new gt.optim.Adam();
    expect(() => opt.applyGradients([gt.tensor([1, 2])], [w])).toThrow(/grads\[0\] has shape \[2\] but its variable .* has shape \[3\]/);
    expect(() => opt.applyGradients([], [w])).toThrow(/0 gradients for 1 variables/);
    expect(() => opt.minimize(() => w.sum(), [gt.tensor([1]) as unknown as gt.Variable])).toThrow(/must be a Variable/);
    expect(() => opt.minimize(() => w.mul(2), [w])).toThrow(/scalar loss.*shape \[3\]/);
    expect(() => opt.minimize(() => 3 as unknown as gt.Tensor, [w])).toThrow(/must return a Tensor/);
    expect(() => opt.minimize(() => w.sum(), [w, w])).toThrow(/appears twice/);
    expect(() => new gt.optim.SGD({ momentum: 1 })).toThrow(/momentum must be a finite number in \[0, 1\)/);
    expect(() => new gt.optim.SGD({ nesterov: true })).toThrow(/nesterov needs momentum/);
    expect(() => new gt.optim.Adam({ learningRate: -1 })).toThrow(/learningRate/);
    expect(() => new gt.optim.Adam({ beta2: 1 })).toThrow(/beta2/);
    // a number where the options go, or a misspelt key, would silently train with the default learning rate
    expect(() => new gt.optim.Adam(0.01 as unknown as gt.optim.AdamOptions)).toThrow(/options must be an object.*new Adam\(\{ learningRate: 0.01 \}\)/);
    expect(() => new gt.optim.AdamW({ lr: 0.01 } as unknown as gt.optim.AdamOptions)).toThrow(/AdamW: unknown option "lr"; the options are learningRate, beta1/);
    expect(() => new gt.optim.SGD({ momentun: 0.9 } as unknown as gt.optim.SGDOptions)).toThrow(/SGD: unknown option "momentun"/);
    const bad = new gt.optim.SGD({ learningRate: () => NaN });
    expect(() => bad.minimize(() => w.sum(), [w])).toThrow(/schedule returned NaN at step 0/);
    w.dispose(); opt.dispose();
  });
  it("a failing loss function frees what it made", () => {
    const w = gt.variable([1, 2, 3]);
    const opt = new gt.optim.SGD();
    const before = gt.memory();
    expect(() => opt.minimize(() => { w.mul(2); return w.add(gt.tensor([1, 2])); }, [w])).toThrow();
    expect(gt.memory().tensors).toBe(before.tensors);
    w.dispose();
  });
});

describe("memory", () => {
  it("stays flat over 2,000 Adam steps on a small network", () => {
    const model = new gt.nn.Sequential([
      new gt.nn.Dense({ units: 16, activation: "tanh", inputShape: [2], seed: 1 }),
      new gt.nn.Dense({ units: 16, activation: "tanh", seed: 2 }),
      new gt.nn.Dense({ units: 1, seed: 3 }),
    ]);
    const x = gt.randomUniform([64, 2], -1, 1, 5);
    const y = gt.tidy(() => x.sum(1, true).sin());
    const opt = new gt.optim.Adam({ learningRate: 0.01 });
    const loss = () => gt.losses.mse(y, model.apply(x));
    opt.minimize(loss, model.trainableWeights); // builds the layers, makes the moments
    for (let i = 0; i < 10; i++) opt.minimize(loss, model.trainableWeights);
    const m0 = gt.memory();
    let first = 0, last = 0;
    for (let i = 0; i < 2000; i++) { last = opt.minimize(loss, model.trainableWeights); if (i === 0) first = last; }
    const m1 = gt.memory();
    expect(m1.tensors).toBe(m0.tensors);
    expect(m1.bytes).toBe(m0.bytes);
    expect(m1.reservedBytes).toBe(m0.reservedBytes);
    expect(m1.wasmBytes).toBe(m0.wasmBytes);
    expect(m1.tapes).toBe(m0.tapes);
    expect(last).toBeLessThan(first / 10);
    opt.dispose(); model.dispose(); gt.dispose([x, y]);
  });
  it("applyGradients alone allocates nothing", () => {
    const w = gt.variable(gt.randomNormal([33], 0, 1, 1));
    const g = gt.randomNormal([33], 0, 1, 2);
    for (const opt of [new gt.optim.Adam(), new gt.optim.SGD({ momentum: 0.9, nesterov: true })]) {
      opt.applyGradients([g], [w]);
      const m0 = gt.memory();
      for (let i = 0; i < 500; i++) opt.applyGradients([g], [w]);
      const m1 = gt.memory();
      expect([m1.tensors, m1.bytes, m1.pooledBytes, m1.reservedBytes]).toEqual([m0.tensors, m0.bytes, m0.pooledBytes, m0.reservedBytes]);
      opt.dispose();
    }
    gt.dispose([w, g]);
  });
});

describe("minimize({ jit: true })", () => {
  // The same training with and without jit must give the same bits: jit replays the very ops the tape ran.
  const setup = () => {
    const model = new gt.nn.Sequential([
      new gt.nn.Dense({ units: 12, activation: "tanh", inputShape: [2], seed: 7 }),
      new gt.nn.Dense({ units: 1, seed: 8 }),
    ]);
    const x = gt.randomUniform([40, 2], -1, 1, 9);
    const y = gt.tidy(() => x.sum(1, true).sin());
    gt.tidy(() => { model.apply(x); }); // builds the layers (their initial draws cannot be compiled)
    const loss = () => gt.losses.mse(y, model.apply(x));
    return { model, loss, done: () => { model.dispose(); gt.dispose([x, y]); } };
  };
  const weights = (m: gt.nn.Sequential) => m.trainableWeights.map((w) => Array.from(w.data()));

  it("Adam: the same losses and weights, bit for bit, with one program and flat memory", () => {
    const plain = setup(), compiled = setup();
    const optP = new gt.optim.Adam({ learningRate: 0.02 }), optC = new gt.optim.Adam({ learningRate: 0.02 });
    const programs0 = gt.memory().programs;
    let m10: gt.MemoryInfo | null = null;
    for (let i = 0; i < 60; i++) {
      const lp = optP.minimize(plain.loss, plain.model.trainableWeights);
      const lc = optC.minimize(compiled.loss, compiled.model.trainableWeights, { jit: true });
      expect(lc, `step ${i}: loss`).toBe(lp);
      if (i === 10) m10 = gt.memory();
    }
    const m60 = gt.memory();
    expect([m60.tensors, m60.bytes, m60.programs]).toEqual([m10!.tensors, m10!.bytes, m10!.programs]);
    expect(m60.programs).toBe(programs0 + 1);
    expect(weights(compiled.model)).toEqual(weights(plain.model));
    // releasing the compiled loss gives back the program and what it held (the points, the targets)
    const before = gt.memory().tensors;
    gt.optim.releaseCompiled(compiled.loss);
    expect(gt.memory().programs).toBe(programs0);
    expect(gt.memory().tensors).toBeLessThan(before);
    optP.dispose(); optC.dispose(); plain.done(); compiled.done();
  });

  it("L-BFGS: the same iterations and final loss, bit for bit", () => {
    const plain = setup(), compiled = setup();
    const opts = { maxIterations: 40, historySize: 10 };
    const a = new gt.optim.LBFGS(opts), b = new gt.optim.LBFGS(opts);
    const la = a.minimize(plain.loss, plain.model.trainableWeights);
    const lb = b.minimize(compiled.loss, compiled.model.trainableWeights, { jit: true });
    expect(lb).toBe(la);
    expect(b.result!.iterations).toBe(a.result!.iterations);
    expect(b.result!.evaluations).toBe(a.result!.evaluations);
    expect(a.result!.iterations).toBeGreaterThan(5);
    expect(weights(compiled.model)).toEqual(weights(plain.model));
    gt.optim.releaseCompiled(compiled.loss);
    plain.done(); compiled.done();
  });

  it("a loss that reads values cannot be compiled: TraceError, nothing updated, and it still works without jit", () => {
    const w = gt.variable([1, 2, 3]);
    const scale = gt.tensor([2]);
    const loss = () => w.square().sum().mul(scale.add(0).item()); // item() of a computed tensor: frozen by a replay
    const opt = new gt.optim.SGD({ learningRate: 0.1 });
    const m0 = gt.memory();
    expect(() => opt.minimize(loss, [w], { jit: true })).toThrow(gt.TraceError);
    expect(() => opt.minimize(loss, [w], { jit: true })).toThrow(/item|read|jit/);
    expect(Array.from(w.data())).toEqual([1, 2, 3]);
    expect(opt.iterations).toBe(0);
    const m1 = gt.memory();
    expect([m1.tensors, m1.bytes, m1.programs, m1.tapes]).toEqual([m0.tensors, m0.bytes, m0.programs, m0.tapes]);
    expect(opt.minimize(loss, [w])).toBeCloseTo(2 * 14, 4);
    gt.optim.releaseCompiled(loss);
    opt.dispose(); gt.dispose([w, scale]);
  });
});
