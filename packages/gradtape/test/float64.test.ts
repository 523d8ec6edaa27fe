// float64 through the API (issue 18): creation functions honour the dtype, ops never mix dtypes (a DTypeError
// naming the cast), cast is differentiable, layers, initializers, optimizers (Adam, SGD, L-BFGS), jacobians, jit
// and jets in float64, and the mixed-precision workflow (train in float32, continue in float64 from the cast
// weights). References are float64 formulas written here (never gradtape itself).
import { describe, it, expect, beforeAll } from "vitest";
import * as gt from "gradtape";

beforeAll(async () => { await gt.ready(); });

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => { let m = 0; for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i])); return m; };

describe("float64 tensors", () => {
  it("every creation function honours the dtype, and data() is a Float64Array of the exact values", () => {
    const before = gt.memory().tensors;
    gt.tidy(() => {
      const third = 1 / 3;
      const t = gt.tensor([third, 1e-300, 2 ** 60 + 1], [3], "float64");
      expect(t.dtype).toBe("float64");
      const d = t.data();
      expect(d).toBeInstanceOf(Float64Array);
      expect(Array.from(d)).toEqual([third, 1e-300, 2 ** 60]);   // 2^60 + 1 is not a double; 1/3 keeps 53 bits
      for (const [name, x] of [["zeros", gt.zeros([2, 3], "float64")], ["ones", gt.ones([4], "float64")], ["fill", gt.fill([3], third, "float64")],
        ["eye", gt.eye(3, 3, "float64")], ["linspace", gt.linspace(0, 1, 7, "float64")], ["range", gt.range(0, 1, 0.1, "float64")],
        ["scalar", gt.scalar(third, "float64")], ["zerosLike", gt.zerosLike(t)], ["onesLike", gt.onesLike(t)],
        ["uniform", new gt.Generator(3).uniform([5], -1, 1, "float64")], ["normal", new gt.Generator(3).normal([5], 0, 1, "float64")]] as const) {
        expect(x.dtype, name).toBe("float64");
        expect(x.data(), name).toBeInstanceOf(Float64Array);
      }
      expect(gt.fill([1], third, "float64").item()).toBe(third);
      expect(Array.from(gt.linspace(0, 1, 4, "float64").data())).toEqual([0, 1 / 3, 2 / 3, 1]);
      expect(gt.range(0, 1, 0.1, "float64").data()[3]).toBe(0.30000000000000004);   // 3 * 0.1 in float64
      // float64 draws are the float32 draws widened exactly
      const a = new gt.Generator(7).normal([9], 0, 2).data(), b = new gt.Generator(7).normal([9], 0, 2, "float64").data();
      expect(Array.from(b)).toEqual(Array.from(a));
    });
    expect(gt.memory().tensors).toBe(before);
  });

  it("an op mixing float32 and float64 is a DTypeError that names the cast to add, and leaks nothing", () => {
    const before = gt.memory().tensors;
    gt.tidy(() => {
      const a = gt.tensor([1, 2], [2], "float64"), b = gt.tensor([3, 4], [2]);
      for (const f of [() => gt.add(a, b), () => gt.mul(b, a), () => gt.matMul(a.reshape([1, 2]), b.reshape([2, 1])),
        () => gt.where(gt.greater(a, 1.5), a, b), () => gt.concat([a, b], 0)]) {
        let err: unknown = null;
        try { f(); } catch (e) { err = e; }
        expect(err).toBeInstanceOf(gt.DTypeError);
        expect(String((err as Error).message)).toMatch(/float32|float64/);
        if (!String((err as Error).message).includes("concat")) expect(String((err as Error).message)).toMatch(/cast\("float(32|64)"\)/);
      }
      // a number operand takes the tensor's dtype
      expect(gt.add(a, 0.1).data()[0]).toBe(1.1);
      expect(gt.add(a, 0.1).dtype).toBe("float64");
    });
    expect(gt.memory().tensors).toBe(before);
  });

  it("cast is differentiable: the gradient is cast back to the input's dtype", () => {
    gt.tidy(() => {
      const x = gt.tensor([0.5, -1.25, 3], [3]);
      const g = gt.grad((v: gt.Tensor) => gt.sum(gt.mul(gt.cast(v, "float64"), gt.cast(v, "float64"))))(x) as gt.Tensor;
      expect(g.dtype).toBe("float32");
      expect(Array.from(g.data())).toEqual([1, -2.5, 6]);
      const y = gt.tensor([0.1, 0.2], [2], "float64");
      const gy = gt.grad((v: gt.Tensor) => gt.sum(gt.exp(v.cast("float32"))))(y) as gt.Tensor;
      expect(gy.dtype).toBe("float64");
      expect(maxDiff(gy.data(), [Math.exp(Math.fround(0.1)), Math.exp(Math.fround(0.2))])).toBeLessThan(1e-6);
      // the float32 round trip rounds; float64 -> float64 is a copy
      expect(y.cast("float32").data()[0]).toBe(Math.fround(0.1));
      expect(y.cast("float64").data()[0]).toBe(0.1);
    });
  });

  it("jacobian and batchJacobian in float64 match the analytic derivatives to rounding", () => {
    gt.tidy(() => {
      const x = gt.tensor([0.3, -0.7, 1.1], [3], "float64");
      const tape = new gt.GradientTape({ persistent: true });
      const y = tape.record(() => { tape.watch(x); return gt.mul(gt.tanh(x), x); });
      const J = tape.jacobian(y, x)!;
      expect(J.dtype).toBe("float64");
      const want = [0.3, -0.7, 1.1].map((v) => Math.tanh(v) + v * (1 - Math.tanh(v) ** 2));
      const Jd = J.data();
      for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) expect(Math.abs(Jd[i * 3 + j] - (i === j ? want[i] : 0))).toBeLessThan(4e-16);
      tape.dispose();
    });
  });

  it("jit distinguishes float32 and float64 arguments of one shape (two programs, each in its dtype)", () => {
    const f = gt.jit((x: gt.Tensor) => gt.sum(gt.mul(gt.sin(x), x)));
    try {
      gt.tidy(() => {
        const a = f(gt.tensor([0.1, 0.2], [2])), b = f(gt.tensor([0.1, 0.2], [2], "float64"));
        expect(a.dtype).toBe("float32");
        expect(b.dtype).toBe("float64");
        expect(f.traceCount).toBe(2);
        expect(Math.abs(b.item() - (0.1 * Math.sin(0.1) + 0.2 * Math.sin(0.2)))).toBeLessThan(1e-16);
        const c = f(gt.tensor([0.3, 0.4], [2], "float64"));
        expect(f.traceCount).toBe(2);
        expect(Math.abs(c.item() - (0.3 * Math.sin(0.3) + 0.4 * Math.sin(0.4)))).toBeLessThan(1e-16);
      });
    } finally { f.dispose(); }
  });
});

describe("float64 layers and optimizers", () => {
  it("a float64 Dense layer starts from the float32 layer's weights (same seed), widened exactly, and computes in float64", () => {
    gt.tidy(() => {
      const l32 = new gt.nn.Dense({ units: 3, activation: "tanh", seed: 5, inputShape: [2] });
      const l64 = new gt.nn.Dense({ units: 3, activation: "tanh", seed: 5, inputShape: [2], dtype: "float64" });
      expect(l64.kernel!.dtype).toBe("float64");
      expect(Array.from(l64.kernel!.data())).toEqual(Array.from(l32.kernel!.data()));
      const X = [[0.25, -0.5], [1.5, 0.125]];
      const y = l64.apply(gt.tensor(X, undefined, "float64")).data();
      const W = l64.kernel!.data();
      for (let n = 0; n < 2; n++) for (let j = 0; j < 3; j++) {
        const want = Math.tanh(X[n][0] * W[j] + X[n][1] * W[3 + j]);
        expect(Math.abs(y[n * 3 + j] - want)).toBeLessThan(4e-16);
      }
      let err: unknown = null;
      try { l64.apply(gt.tensor(X)); } catch (e) { err = e; }
      expect(err).toBeInstanceOf(gt.DTypeError);
      l32.dispose(); l64.dispose();
    });
  });

  it("Adam and SGD update float64 variables with the float64 formulas (against a reference written here)", () => {
    const A = [1, 2, 0.5, 3, 1.5], C = [0.5, -1, 2, 0.25, -0.75], W0 = [0, 0.5, -1, 1, 2];
    const w = gt.variable(gt.tensor(W0, [5], "float64"));
    const a = gt.tensor(A, [5], "float64"), c = gt.tensor(C, [5], "float64");
    const opt = new gt.optim.Adam({ learningRate: 0.05 });
    let before = 0;
    const ref = W0.slice(), m = new Array(5).fill(0), v = new Array(5).fill(0);
    for (let t = 1; t <= 60; t++) {
      if (t === 2) before = gt.memory().tensors;   // after the first step made the moments
      opt.minimize(() => gt.sum(gt.mul(a, gt.square(gt.sub(w, c)))).mul(0.5), [w]);
      for (let i = 0; i < 5; i++) {
        const g = A[i] * (ref[i] - C[i]);
        m[i] = 0.9 * m[i] + (1 - 0.9) * g; v[i] = 0.999 * v[i] + (1 - 0.999) * g * g;
        ref[i] -= (0.05 / (1 - 0.9 ** t)) * (m[i] / (Math.sqrt(v[i]) / Math.sqrt(1 - 0.999 ** t) + 1e-8));
      }
    }
    expect(gt.memory().tensors).toBe(before);   // flat over the loop
    expect(w.dtype).toBe("float64");
    expect(maxDiff(w.data(), ref)).toBeLessThan(1e-13);
    const s = new gt.optim.SGD({ learningRate: 0.1, momentum: 0.9 });
    const u = gt.variable(gt.tensor([1, 2], [2], "float64"));
    s.minimize(() => gt.sum(gt.square(u)), [u]);
    expect(Array.from(u.data())).toEqual([1 - 0.1 * 2, 2 - 0.1 * 4]);
    opt.dispose?.(); w.dispose(); u.dispose(); a.dispose(); c.dispose();
  });

  it("L-BFGS in float64 drives an ill-conditioned quadratic's gradient below what float32 can resolve", () => {
    const D = [1, 10, 100, 1000], C = [0.3, -0.2, 0.1, 0.7];
    const x = gt.variable(gt.zeros([4], "float64"));
    const d = gt.tensor(D, [4], "float64"), c = gt.tensor(C, [4], "float64");
    const lb = new gt.optim.LBFGS({ maxIterations: 200, gradientTolerance: 0, lossTolerance: 0, stepTolerance: 0 });
    lb.minimize(() => gt.sum(gt.mul(d, gt.square(gt.sub(x, c)))), [x]);
    const err = maxDiff(x.data(), C);
    expect(err).toBeLessThan(1e-12);   // a float32 iterate stops at ~1e-8 (its ulp near 0.7 is 6e-8)
    x.dispose(); d.dispose(); c.dispose();
  });

  it("mixed precision: train in float32, cast the weights to float64, continue in float64 below the float32 floor", () => {
    const before = gt.memory().tensors;
    const xs = Array.from({ length: 32 }, (_, i) => -1 + (2 * i) / 31);
    const X32 = gt.tensor(xs, [32, 1]), Y32 = gt.tensor(xs.map((v) => Math.sin(2 * v)), [32, 1]);
    const net32 = new gt.nn.Sequential([new gt.nn.Dense({ units: 8, activation: "tanh", seed: 1, inputShape: [1] }), new gt.nn.Dense({ units: 1, seed: 2 })]);
    const adam = new gt.optim.Adam({ learningRate: 0.02 });
    const loss32 = () => gt.mean(gt.square(gt.sub(net32.apply(X32), Y32)));
    for (let i = 0; i < 300; i++) adam.minimize(loss32, net32.trainableWeights);
    const l32 = gt.tidy(() => loss32().item());
    // the float64 twin: same architecture, weights assigned from the cast float32 weights
    const net64 = new gt.nn.Sequential([new gt.nn.Dense({ units: 8, activation: "tanh", seed: 1, inputShape: [1], dtype: "float64" }),
      new gt.nn.Dense({ units: 1, seed: 2, dtype: "float64" })]);
    gt.tidy(() => { net64.apply(gt.zeros([1, 1], "float64")); });
    net32.weights.forEach((w, i) => gt.tidy(() => net64.weights[i].assign(w.cast("float64"))));
    const X64 = X32.cast("float64"), Y64 = gt.tensor(xs.map((v) => Math.sin(2 * v)), [32, 1], "float64");
    const loss64 = () => gt.mean(gt.square(gt.sub(net64.apply(X64), Y64)));
    const start64 = gt.tidy(() => loss64().item());
    expect(Math.abs(start64 - l32) / l32).toBeLessThan(1e-5);   // the same network, evaluated in float64
    const lb = new gt.optim.LBFGS({ maxIterations: 400 });
    const end64 = lb.minimize(loss64, net64.trainableWeights);
    expect(end64).toBeLessThan(l32 / 10);
    expect(net64.weights.every((w) => w.dtype === "float64")).toBe(true);
    net32.dispose(); net64.dispose(); X32.dispose(); Y32.dispose(); X64.dispose(); Y64.dispose();
    adam.dispose?.(); lb.dispose?.();
    expect(gt.memory().tensors).toBe(before);
  });

  it("jets of a float64 network: second derivatives to rounding against the closed form", () => {
    gt.tidy(() => {
      const net = new gt.nn.Sequential([new gt.nn.Dense({ units: 1, activation: "tanh", seed: 4, inputShape: [1], dtype: "float64", biasInitializer: "ones" })]);
      const X = gt.tensor([[-0.4], [0.2], [0.9]], undefined, "float64");
      const r = gt.jet(net, X, { derivatives: ["u_x", "u_xx"] } as never) as Record<string, gt.Tensor>;
      const w = net.weights[0].data()[0], b = net.weights[1].data()[0];
      [-0.4, 0.2, 0.9].forEach((x, i) => {
        const t = Math.tanh(w * x + b);
        expect(r.u_x.dtype).toBe("float64");
        expect(Math.abs(r.u_x.data()[i] - w * (1 - t * t))).toBeLessThan(1e-15);
        expect(Math.abs(r.u_xx.data()[i] - -2 * w * w * t * (1 - t * t))).toBeLessThan(1e-15);
      });
      net.dispose();
    });
  });
});

describe("float64 jets on a deep network", () => {
  it("the Taylor sweep and nested tapes agree to 1e-13 in float64 (mixed partials, third order), where float32 agrees to ~1e-6", () => {
    gt.tidy(() => {
      const net = new gt.nn.Sequential([
        new gt.nn.Dense({ units: 12, activation: "tanh", seed: 21, inputShape: [2], dtype: "float64", biasInitializer: "ones" }),
        new gt.nn.Dense({ units: 12, activation: "sigmoid", seed: 22, dtype: "float64" }),
        new gt.nn.Dense({ units: 12, activation: "sin", seed: 23, dtype: "float64" }),
        new gt.nn.Dense({ units: 1, seed: 24, dtype: "float64" })]);
      const X = gt.tensor([[0.3, -0.2], [-0.7, 0.9], [1.1, 0.4]], undefined, "float64");
      const names = ["u", "u_x", "u_y", "u_xx", "u_xy", "u_yy", "u_xxy"];
      const t = gt.jet(net, X, { derivatives: names, vars: ["x", "y"], method: "taylor" } as never) as Record<string, gt.Tensor>;
      const n = gt.jet(net, X, { derivatives: names, vars: ["x", "y"], method: "nested-reverse" } as never) as Record<string, gt.Tensor>;
      for (const k of names) {
        expect(t[k].dtype, k).toBe("float64");
        const a = t[k].data(), b = n[k].data();
        const scale = Math.max(...Array.from(b, Math.abs), 1e-3);
        expect(maxDiff(a, b) / scale, k).toBeLessThan(1e-13);
      }
      net.dispose();
    });
  });
});

describe("Variable.assign of numbers and arrays", () => {
  it("takes them in the variable's dtype: a float64 variable keeps every bit, a float32 one rounds; a tensor of the other dtype is refused", () => {
    const v64 = gt.variable(gt.tensor([0, 0], undefined, "float64"));
    v64.assign([0.1, 1 / 3]);
    expect(Array.from(v64.data())).toEqual([0.1, 1 / 3]);
    v64.assign(0.7);   // a scalar broadcasts
    expect(Array.from(v64.data())).toEqual([0.7, 0.7]);
    const v32 = gt.variable([0, 0]);
    v32.assign(0.1);
    expect(Array.from(v32.data())).toEqual([Math.fround(0.1), Math.fround(0.1)]);
    expect(() => gt.tidy(() => v64.assign(gt.tensor([1, 2])))).toThrow(gt.DTypeError);
    v64.dispose(); v32.dispose();
  });
});

describe("float64 weights files", () => {
  const make = (dtype: "float32" | "float64") => {
    const m = new gt.nn.Sequential([
      new gt.nn.Dense({ units: 3, activation: "tanh", seed: 9, inputShape: [2], dtype, biasInitializer: "ones" }),
      new gt.nn.Dense({ units: 1, seed: 10, dtype })]);
    gt.tidy(() => { m.apply(gt.zeros([1, 2], dtype)); });   // builds the second layer
    return m;
  };

  it("safetensors: a float64 model saves F64 entries and loads back bit for bit (and as float64 from the file)", () => {
    const m = make("float64");
    gt.tidy(() => m.weights[0].assign(gt.mul(m.weights[0], gt.scalar(1 / 3, "float64"))));   // values float32 cannot hold
    const bytes = gt.io.saveSafetensors(m);
    const file = gt.io.decodeSafetensors(bytes);
    expect([...file.tensors.values()].every((e) => e.dtype === "F64")).toBe(true);
    const back = gt.io.modelFromSafetensors(bytes);
    expect(back.weights.every((w) => w.dtype === "float64")).toBe(true);
    back.weights.forEach((w, i) => expect(Array.from(w.data())).toEqual(Array.from(m.weights[i].data())));
    // into a float32 model: the F64 entries need { convert: true } and round to nearest
    const m32 = make("float32");
    expect(() => gt.io.loadSafetensors(m32, bytes)).toThrow(gt.DTypeError);
    gt.io.loadSafetensors(m32, bytes, { convert: true });
    expect(Array.from(m32.weights[0].data())).toEqual(Array.from(m.weights[0].data(), Math.fround));
    m.dispose(); back.dispose(); m32.dispose();
  });

  it("JSON: a float64 model's file says dtype float64 and holds every double; it loads back exactly", () => {
    const m = make("float64");
    gt.tidy(() => m.weights[0].assign(gt.mul(m.weights[0], gt.scalar(1 / 3, "float64"))));
    const text = gt.io.saveWeightsJSON(m);
    expect(JSON.parse(text).weights.dtype).toBe("float64");
    const back = gt.io.modelFromWeightsJSON(text);
    expect(back.weights[0].dtype).toBe("float64");
    back.weights.forEach((w, i) => expect(Array.from(w.data())).toEqual(Array.from(m.weights[i].data())));
    // a float32 model's file is unchanged: no dtype key, shortest float32 decimals
    const m32 = make("float32");
    expect(JSON.parse(gt.io.saveWeightsJSON(m32)).weights.dtype).toBeUndefined();
    gt.io.loadWeightsJSON(m32, text);   // rounds to nearest
    expect(Array.from(m32.weights[0].data())).toEqual(Array.from(m.weights[0].data(), Math.fround));
    m.dispose(); back.dispose(); m32.dispose();
  });
});

describe("pinn.train in float64", () => {
  it("trains Burgers in float64 (network, points, loss), and continues a float32 run from its cast weights", () => {
    const { pinn } = gt;
    const burgers = pinn.getProblem("burgers");
    const before = gt.memory().tensors;
    const small = { collocationPoints: 400, conditionPoints: 60, network: { hidden: [8, 8] } } as const;
    const r32 = pinn.train(burgers, { ...small, adamSteps: 150, lbfgsSteps: 0, learningRate: 5e-3 });
    expect(r32.network.dtype).toBe("float32");
    // the float64 twin of the trained network, from its weights cast to float64
    const net64 = new pinn.PinnNetwork({ inputs: 2, outputs: 1, hidden: [8, 8], scale: { lo: burgers.lo, hi: burgers.hi }, name: "burgers64", dtype: "float64" });
    r32.network.weights.forEach((w, i) => gt.tidy(() => net64.weights[i].assign(w.cast("float64"))));
    const r64 = pinn.train(burgers, { ...small, network: net64, adamSteps: 0, lbfgsSteps: 150 });
    expect(r64.network).toBe(net64);
    expect(net64.weights.every((w) => w.dtype === "float64")).toBe(true);
    const e32 = pinn.evaluate(r32.network, burgers).relL2, e64 = pinn.evaluate(net64, burgers).relL2;
    expect(Number.isFinite(e64)).toBe(true);
    expect(e64).toBeLessThan(e32);   // L-BFGS in float64 improves on the float32 Adam run it started from
    // a dtype that disagrees with the given network is refused
    expect(() => pinn.train(burgers, { ...small, network: net64, dtype: "float32", adamSteps: 1, lbfgsSteps: 0 })).toThrow(gt.ArgumentError);
    r32.network.dispose(); net64.dispose();
    expect(gt.memory().tensors).toBe(before);
  }, 120_000);
});

describe("float64 checkpoints", () => {
  it("a float64 run stopped inside L-BFGS and resumed from its checkpoint ends with the uninterrupted run's bits", () => {
    const { pinn } = gt;
    const heat = pinn.problems.heat;
    const base = { network: { hidden: [6, 6] }, collocationPoints: 40, conditionPoints: 12, seed: 2, dtype: "float64" as const, adamSteps: 15, lbfgsSteps: 25 };
    const bits = (r: gt.pinn.TrainResult) => r.network.trainableWeights.map((v) => Array.from(v.data()));
    const full = pinn.train(heat, base);
    let last: gt.pinn.TrainCheckpoint | null = null;
    const stopped = pinn.train(heat, { ...base, checkpoint: { onSave: (cp) => { last = cp; } }, onProgress: (p) => p.step < 27 });
    expect(stopped.steps).toBe(27);
    stopped.network.dispose();
    const cp = pinn.decodeCheckpoint(pinn.encodeCheckpoint(last!));
    expect(cp.network.dtype).toBe("float64");
    expect(cp.weights[0]).toBeInstanceOf(Float64Array);
    const resumed = pinn.train(heat, { ...base, resume: cp });
    expect(resumed.network.dtype).toBe("float64");
    expect(bits(resumed)).toEqual(bits(full));
    expect(resumed.finalLoss).toBe(full.finalLoss);
    // resuming it as float32 is refused, naming the dtype
    expect(() => pinn.train(heat, { ...base, dtype: "float32", resume: cp })).toThrow(/dtype/);
    full.network.dispose(); resumed.network.dispose();
  }, 120_000);
});
