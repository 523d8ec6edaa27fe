// nn: Dense (every activation, rank-2 and rank-3 inputs, useBias, custom activation, seeded initializers), Flatten,
// Sequential and subclassed Model (layers, weights order, getWeights/setWeights), trainable weights watched
// automatically, the weight gradient of a data loss and of a PINN residual loss (through input second derivatives)
// against finite differences of the float64 reference, variables (assign, views, version counter), a short
// training loop with memory() flat.
import { describe, it, expect, beforeAll } from "vitest";
import * as gt from "gradtape";
import { fd, mlpJet, mlpForward, scalar as S, type Weights } from "../reference/index.js";
import { expectClose, expectError, expectNoLeak, expectTensor, flat, live, vals, type Tensor } from "./helpers/check.js";

beforeAll(async () => { await gt.ready(); });

const ACT64: Record<string, (z: number) => number> = {
  linear: (z) => z, sigmoid: S.sigmoid, tanh: S.tanh, relu: S.relu, sin: S.sin, softplus: S.softplus, exp: Math.exp,
};

/** float64 y = act(x W + b) for rows x. */
function denseRef(x: number[][], W: number[][], b: number[] | null, act: (z: number) => number): number[][] {
  return x.map((row) => W[0].map((_, j) => act(row.reduce((s, v, i) => s + v * W[i][j], b ? b[j] : 0))));
}

const X43 = [[0.5, -1.2, 0.3], [2, 0.1, -0.7], [-0.4, 0.9, 1.6], [0.05, -0.25, -1.1]];

describe("Dense", () => {
  for (const act of Object.keys(ACT64)) {
    it(`forward with activation '${act}' matches x W + b in float64`, () => {
      const d = new gt.nn.Dense({ units: 5, activation: act as gt.nn.ActivationName, seed: 21, biasInitializer: "ones", inputShape: [3] });
      expectNoLeak(act, () => gt.tidy(() => {
        const y = d.apply(gt.tensor(X43));
        const W = d.kernel!.array() as number[][], b = d.bias!.array() as number[];
        expect(W.length).toBe(3);
        expect(b).toEqual([1, 1, 1, 1, 1]);
        const want = denseRef(X43, W, b, ACT64[act]).flat();
        expectTensor(`Dense ${act}`, y, [4, 5], want, { rtol: 1e-5, atol: 1e-6 });
      }));
      d.dispose();
    });
  }

  it("rank-3 inputs are applied along the last axis", () => {
    const d = new gt.nn.Dense({ units: 2, activation: "tanh", seed: 3, inputShape: [2, 3] });
    expectNoLeak("rank 3", () => gt.tidy(() => {
      const x3 = [X43.slice(0, 2), X43.slice(2, 4)];       // [2, 2, 3]
      const y = d.apply(gt.tensor(x3));
      const W = d.kernel!.array() as number[][], b = d.bias!.array() as number[];
      expectTensor("rank 3", y, [2, 2, 2], denseRef(X43, W, b, Math.tanh).flat(), { rtol: 1e-5, atol: 1e-6 });
    }));
    d.dispose();
  });

  it("useBias: false has only a kernel; a function activation is applied", () => {
    const d = new gt.nn.Dense({ units: 3, useBias: false, activation: (z) => z.square(), seed: 4, inputShape: [3] });
    expectNoLeak("no bias", () => gt.tidy(() => {
      const y = d.apply(gt.tensor(X43));
      expect(d.weights.length).toBe(1);
      expect(d.bias).toBeNull();
      const W = d.kernel!.array() as number[][];
      expectTensor("x W squared", y, [4, 3], denseRef(X43, W, null, (z) => z * z).flat(), { rtol: 1e-5, atol: 1e-7 });
    }));
    d.dispose();
  });

  it("initializers: same seed, same weights; another seed, other weights; glorotUniform within its bound; setSeed reproducible", () => {
    const mk = (o: Partial<gt.nn.DenseOptions>) => new gt.nn.Dense({ units: 16, inputShape: [9], ...o });
    const a = mk({ seed: 5 }), b = mk({ seed: 5 }), c = mk({ seed: 6 });
    const ka = flat(a.kernel!.array()), kb = flat(b.kernel!.array()), kc = flat(c.kernel!.array());
    expect(ka).toEqual(kb);
    expect(ka).not.toEqual(kc);
    const lim = Math.sqrt(6 / (9 + 16));
    expect(Math.max(...ka.map(Math.abs))).toBeLessThanOrEqual(lim);
    expect(Math.max(...ka.map(Math.abs)), "the bound is used, not a much smaller range").toBeGreaterThan(0.8 * lim);
    expect(flat(a.bias!.array())).toEqual(new Array(16).fill(0));
    const he = mk({ seed: 7, kernelInitializer: "heNormal" });
    const sd = Math.sqrt(2 / 9) / 0.87962566103423978;
    expect(Math.max(...flat(he.kernel!.array()).map(Math.abs))).toBeLessThanOrEqual(2 * sd * (1 + 1e-6));
    const ones = mk({ kernelInitializer: "ones", seed: 1 });
    expect(new Set(flat(ones.kernel!.array()))).toEqual(new Set([1]));
    gt.setSeed(42);
    const s1 = mk({});
    gt.setSeed(42);
    const s2 = mk({});
    expect(flat(s1.kernel!.array())).toEqual(flat(s2.kernel!.array()));
    for (const l of [a, b, c, he, ones, s1, s2]) l.dispose();
  });

  it("layers get unique default names; dispose() frees their weights", () => {
    const before = live();
    const a = new gt.nn.Dense({ units: 2, inputShape: [3], seed: 1 }), b = new gt.nn.Dense({ units: 2, inputShape: [3], seed: 1 });
    expect(a.name).not.toBe(b.name);
    expect(a.kernel!.name).toContain(a.name);
    expect(live().tensors).toBe(before.tensors + 4);
    a.dispose(); b.dispose();
    expect(live()).toEqual(before);
  });
});

describe("Flatten", () => {
  it("flattens all but the batch axis, as a view, and passes gradients through", () => {
    const f = new gt.nn.Flatten();
    expectNoLeak("flatten", () => gt.tidy(() => {
      const x = gt.tensor([[[1, 2], [3, 4], [5, 6]], [[7, 8], [9, 10], [11, 12]]]);
      const tape = new gt.GradientTape();
      const y = tape.record(() => { tape.watch(x); return f.apply(x); });
      expectTensor("flat", y, [2, 6], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], { rtol: 0 });
      const w = gt.tensor([[1, 2, 3, 4, 5, 6], [6, 5, 4, 3, 2, 1]]);
      expectTensor("gradient", tape.gradient(y, x, { outputGradients: w }), [2, 3, 2], [1, 2, 3, 4, 5, 6, 6, 5, 4, 3, 2, 1], { rtol: 0 });
      tape.dispose();
    }));
  });

  it("inputShape with null accepts any size on that axis", () => {
    const f = new gt.nn.Flatten({ inputShape: [null, 2] });
    expectNoLeak("null dims", () => gt.tidy(() => {
      expect([...f.apply(gt.zeros([3, 5, 2])).shape]).toEqual([3, 10]);
      expect([...f.apply(gt.zeros([1, 1, 2])).shape]).toEqual([1, 2]);
      expectError(() => f.apply(gt.zeros([3, 5, 3])), gt.ShapeError, ["Flatten", f.name, "[3, 5, 3]"]);
      expectError(() => f.apply(gt.zeros([3, 2])), gt.ShapeError, ["Flatten", f.name, "[3, 2]"]);
    }));
  });
});

// A 2 -> 4 tanh -> 3 sigmoid -> 1 network for weight-gradient checks.
function smallModel(): gt.nn.Sequential {
  const m = new gt.nn.Sequential([
    new gt.nn.Dense({ units: 4, activation: "tanh", seed: 31, biasInitializer: "ones" }),
    new gt.nn.Dense({ units: 3, activation: "sigmoid", seed: 32 }),
    new gt.nn.Dense({ units: 1, seed: 33 }),
  ]);
  gt.tidy(() => { m.apply(gt.zeros([1, 2])); });
  return m;
}
function weightsOf(m: gt.nn.Sequential): Weights {
  const ws = m.getWeights() as number[][][];
  const acts = ["tanh", "sigmoid", "linear"];
  return { layers: [0, 1, 2].map((l) => ({ kernel: ws[2 * l] as number[][], bias: ws[2 * l + 1] as unknown as number[], activation: acts[l] })) };
}
/** Flat parameter vector <-> Weights (same order as model.weights). */
function pack(w: Weights): number[] { return w.layers.flatMap((L) => [...L.kernel.flat(), ...L.bias]); }
function unpack(z: ArrayLike<number>, like: Weights): Weights {
  let k = 0;
  return {
    layers: like.layers.map((L) => ({
      kernel: L.kernel.map((r) => r.map(() => z[k++])),
      bias: L.bias.map(() => z[k++]),
      activation: L.activation,
    })),
  };
}

describe("Sequential and Model", () => {
  it("weights come in layer order (kernel, bias) and getWeights/setWeights round-trip", () => {
    const m = smallModel();
    expect(m.weights.map((w) => [...w.shape])).toEqual([[2, 4], [4], [4, 3], [3], [3, 1], [1]]);
    expect(m.trainableWeights.length).toBe(6);
    const w0 = m.getWeights();
    const w1 = (w0 as unknown[]).map((w) => JSON.parse(JSON.stringify(w), (_k, v) => (typeof v === "number" ? Math.fround(v * 0.5 + 0.125) : v)));
    m.setWeights(w1 as gt.NestedArray[]);
    expect(m.getWeights()).toEqual(w1);
    expectError(() => m.setWeights(w1.slice(0, 5) as gt.NestedArray[]), gt.ArgumentError, ["setWeights", "5", "6"]);
    expectError(() => m.setWeights([...w1.slice(0, 5), [[1], [2]]] as gt.NestedArray[]), gt.ShapeError, ["setWeights", "[1]", "[2, 1]"]);
    // the failing call rejected the last weight before assigning it: every weight still holds w1
    expect(m.getWeights(), "the rejected weight was not modified").toEqual(w1);
    m.dispose();
  });

  it("a subclassed Model finds its layers in properties and arrays, in declaration order", () => {
    class Net extends gt.nn.Model {
      first = new gt.nn.Dense({ units: 3, inputShape: [2], seed: 1, name: "first" });
      blocks = [new gt.nn.Dense({ units: 3, inputShape: [3], seed: 2, name: "b0" }), new gt.nn.Dense({ units: 3, inputShape: [3], seed: 3, name: "b1" })];
      last = new gt.nn.Dense({ units: 1, inputShape: [3], seed: 4, name: "last", useBias: false });
      call(x: Tensor): Tensor {
        return gt.tidy(() => this.last.apply(this.blocks.reduce((h, b) => b.apply(h).add(h), this.first.apply(x))));
      }
    }
    const net = new Net();
    expect(net.layers.map((l) => l.name)).toEqual(["first", "b0", "b1", "last"]);
    expect(net.weights.map((w) => w.name)).toEqual(["first/kernel", "first/bias", "b0/kernel", "b0/bias", "b1/kernel", "b1/bias", "last/kernel"]);
    expectNoLeak("model call", () => gt.tidy(() => {
      const x = [[0.3, -0.6], [1.2, 0.4]];
      const y = net.apply(gt.tensor(x));
      // reference forward with the model's own weights
      const W = net.getWeights() as number[][][];
      const lin = (z: number) => z;
      let h = denseRef(x, W[0], W[1] as unknown as number[], lin);
      h = h.map((r, i) => r.map((v, j) => v + denseRef(h, W[2], W[3] as unknown as number[], lin)[i][j]));
      h = h.map((r, i) => r.map((v, j) => v + denseRef(h, W[4], W[5] as unknown as number[], lin)[i][j]));
      expectTensor("model", y, [2, 1], denseRef(h, W[6], null, lin).flat(), { rtol: 1e-5, atol: 1e-6 });
    }));
    net.dispose();
  });
});

describe("weight gradients (trainable weights are watched automatically)", () => {
  it("the gradient of a data loss with respect to model.trainableWeights matches finite differences of the reference", () => {
    const m = smallModel();
    const xs = [[0.5, -0.3], [1.1, 0.8], [-0.7, 0.2], [0.05, -1.4], [1.9, 1.3]];
    const ys = [0.2, -0.5, 1.0, 0.3, -0.1];
    const w = weightsOf(m);
    const loss64 = (z: Float64Array) => {
      const W = unpack(z, w);
      return xs.reduce((s, p, i) => s + (mlpForward(W, p)[0] - ys[i]) ** 2, 0) / xs.length;
    };
    const want = fd.gradient(loss64, pack(w));
    expectNoLeak("data loss", () => gt.tidy(() => {
      const tape = new gt.GradientTape();
      const loss = tape.record(() => m.apply(gt.tensor(xs)).reshape([5]).sub(gt.tensor(ys)).square().mean());
      expectClose("loss", [loss.item()], [loss64(Float64Array.from(pack(w)))], { rtol: 1e-5 });
      const grads = tape.gradient(loss, m.trainableWeights, { unconnected: "error" });
      tape.dispose();
      expectClose("d loss / d weights", grads.flatMap((g) => vals(g)), Array.from(want), { rtol: 1e-4, normwise: true });
    }));
    m.dispose();
  });

  it("the weight gradient of a PINN residual loss (u_t + u u_x - nu u_xx through nested tapes) matches finite differences of the reference", () => {
    const m = smallModel();
    const pts = [[-0.8, 0.1], [-0.2, 0.5], [0.3, 0.9], [0.7, 0.3]].map((p) => p.map(Math.fround));
    const nu = 0.05;
    const w = weightsOf(m);
    // float64: exact u, u_x, u_t, u_xx from jets, then finite differences over the weights
    const loss64 = (z: Float64Array) => {
      const W = unpack(z, w);
      let s = 0;
      for (const p of pts) {
        const j = mlpJet(W, p)[0];
        const r = j.g[1] + j.v * j.g[0] - nu * j.hess(0, 0);
        s += r * r;
      }
      return s / pts.length;
    };
    const want = fd.gradient(loss64, pack(w));
    expectNoLeak("pinn loss", () => gt.tidy(() => {
      const X = gt.tensor(pts);
      const N = pts.length;
      const tw = new gt.GradientTape(), t2 = new gt.GradientTape(), t1 = new gt.GradientTape();
      const loss = tw.record(() => {
        let u!: Tensor, ux!: Tensor, ut!: Tensor;
        t2.record(() => {
          t2.watch(X);
          u = t1.record(() => { t1.watch(X); return m.apply(X); });
          const g = t1.gradient(u, X)!;
          ux = g.slice([0, 0], [N, 1]);
          ut = g.slice([0, 1], [N, 1]);
        });
        const uxx = t2.gradient(ux, X)!.slice([0, 0], [N, 1]);
        return ut.add(u.mul(ux)).sub(uxx.mul(nu)).square().mean();
      });
      expectClose("residual loss", [loss.item()], [loss64(Float64Array.from(pack(w)))], { rtol: 1e-4 });
      const grads = tw.gradient(loss, m.trainableWeights, { unconnected: "error" });
      for (const t of [tw, t2, t1]) t.dispose();
      expectClose("d residual loss / d weights", grads.flatMap((g) => vals(g)), Array.from(want), { rtol: 1e-4, normwise: true });
    }));
    m.dispose();
  });
});

describe("variables", () => {
  it("variable(initialValue, trainable, name), assign with broadcasting, and a wrong-shape assign", () => {
    const before = live();
    const v = gt.variable([[1, 2, 3], [4, 5, 6]], true, "w");
    expect(v).toBeInstanceOf(gt.Variable);
    expect(v.name).toBe("w");
    expect(v.trainable).toBe(true);
    const frozen = gt.variable([1], false);
    expect(frozen.trainable).toBe(false);
    frozen.dispose();
    const view = v.index(1);                             // a view shares the storage
    v.assign([10, 20, 30]);                              // broadcast over rows
    expect(v.array()).toEqual([[10, 20, 30], [10, 20, 30]]);
    expect(view.array(), "a view sees the assigned values").toEqual([10, 20, 30]);
    v.assign([[1, 1, 1], [2, 2, 2]]);
    expect(v.array()).toEqual([[1, 1, 1], [2, 2, 2]]);
    gt.tidy(() => { expectError(() => v.assign(gt.tensor([1, 2])), gt.ShapeError, ["assign", "[2, 3]", "[2]"]); });
    // tidy does not dispose variables
    gt.tidy(() => { gt.variable([5, 6]).dispose(); return v.square(); }).dispose();
    expect(v.isDisposed).toBe(false);
    view.dispose(); v.dispose();
    expect(live()).toEqual(before);
  });

  it("assign through a variable invalidates a saved view of it (the version is the storage's)", () => {
    const v = gt.variable([1, 2, 3]);
    expectNoLeak("view version", () => gt.tidy(() => {
      const x = gt.tensor([4, 5]);
      const tape = new gt.GradientTape();
      const y = tape.record(() => v.slice(1, 2).mul(x).sum());  // mul saves the view
      v.assign(gt.tensor([0, 0, 0]));
      expectError(() => tape.gradient(y, v), gt.GradientError, ["Mul", "modified in place"]);
      tape.dispose();
    }));
    v.dispose();
  });
});

describe("training", () => {
  it("200 SGD steps fitting sin(3x) with a small model: loss falls by 5x, memory() flat", () => {
    const m = new gt.nn.Sequential([
      new gt.nn.Dense({ units: 16, activation: "tanh", inputShape: [1], seed: 41 }),
      new gt.nn.Dense({ units: 1, inputShape: [16], seed: 42 }),
    ]);
    const X = gt.linspace(-1, 1, 32).reshape([32, 1]);
    const Y = X.mul(3).sin();
    const step = () => gt.tidy(() => {
      const tape = new gt.GradientTape();
      const loss = tape.record(() => m.apply(X).sub(Y).square().mean());
      const ws = m.trainableWeights;
      const gs = tape.gradient(loss, ws);
      tape.dispose();
      ws.forEach((w, i) => w.assign(w.sub(gs[i]!.mul(0.2))));
      return loss.item();
    });
    const first = step();
    step();
    const mem = live();
    let last = first;
    for (let i = 0; i < 200; i++) last = step();
    expect(live()).toEqual(mem);
    expect(last).toBeLessThan(first / 5);
    m.dispose(); X.dispose(); Y.dispose();
  });
});
