// The seed: the network of the original report, Flatten(inputShape [2, 1]) -> Dense(28, sigmoid) ->
// Dense(1, sigmoid), fed [1, 2, 1] tensors (x, t). f, the gradient and the Hessian with respect to (x, t) at several
// points must match an independent float64 forward-mode computation (second-order jets, test/reference/dual.ts)
// within 1e-5 relative, computed three ways: nested tapes (+ jacobian, and + gradients with respect to the views
// inp.index(0, 0) / inp.index(0, 1) as the report wrote it), hessian(), and batchJacobian over a batch of points.
//
// "Relative" is per point and per derivative order: f plainly relative; the gradient and the Hessian relative to
// their largest entry. The network sums 28 float32 products whose terms are as large as the largest entries, so the
// float32 rounding floor is ~28 * 6e-8 ~ 2e-6 of that size in every entry; an entry that nearly cancels (a mixed
// partial of 6e-5 next to entries of 1e-2, as the "answer" weights below give) cannot carry 1e-5 of itself, and
// demanding it would test float32, not gradtape. 1e-5 of the largest entry is 5x above that floor.
import { describe, it, expect, beforeAll } from "vitest";
import * as gt from "gradtape";
import { randomWeights, seedForward, mlpForward, fd, type Weights, type SeedDerivatives } from "../reference/index.js";
import { expectClose, expectNoLeak, expectTensor, vals, type Tensor } from "./helpers/check.js";

beforeAll(async () => { await gt.ready(); });

const REL = 1e-5;
const POINTS: [number, number][] = ([[0, 0], [0.5, -0.3], [1, 1], [-2, 0.7], [3.5, -2.5], [0.25, 4], [-1.25, -0.75]] as [number, number][])
  .map(([x, t]) => [Math.fround(x), Math.fround(t)]);

function seedModel(seed?: number): gt.nn.Sequential {
  const m = new gt.nn.Sequential([
    new gt.nn.Flatten({ inputShape: [2, 1] }),
    new gt.nn.Dense({ units: 28, activation: "sigmoid", ...(seed === undefined ? {} : { seed }) }),
    new gt.nn.Dense({ units: 1, activation: "sigmoid", ...(seed === undefined ? {} : { seed: seed + 1 }) }),
  ]);
  gt.tidy(() => { m.apply(gt.zeros([1, 2, 1])); }); // build
  return m;
}

/** The reference weights rounded to float32 (what the model holds), set into a model. */
function f32Weights(w: Weights): Weights {
  return { layers: w.layers.map((L) => ({ kernel: L.kernel.map((r) => r.map(Math.fround)), bias: L.bias.map(Math.fround), activation: L.activation })) };
}
function setFromReference(m: gt.nn.Sequential, w: Weights): void {
  m.setWeights(w.layers.flatMap((L) => [L.kernel, L.bias]));
}
/** The model's own weights (drawn by gradtape's seeded generator), read back into the reference's format. */
function readWeights(m: gt.nn.Sequential): Weights {
  const ws = m.getWeights() as number[][][];
  return { layers: [{ kernel: ws[0] as number[][], bias: ws[1] as unknown as number[], activation: "sigmoid" }, { kernel: ws[2] as number[][], bias: ws[3] as unknown as number[], activation: "sigmoid" }] };
}

function checkPoint(label: string, want: SeedDerivatives, f: number, g: ArrayLike<number>, H: ArrayLike<number>): void {
  expectClose(`${label} f`, [f], [want.f], { rtol: REL });
  expectClose(`${label} gradient`, g, [want.df_dx, want.df_dt], { rtol: REL, normwise: true });
  expectClose(`${label} Hessian`, H, [want.d2f_dx2, want.d2f_dxdt, want.d2f_dtdx, want.d2f_dt2], { rtol: REL, normwise: true });
}

const SETUPS: { name: string; make: () => { model: gt.nn.Sequential; weights: Weights } }[] = [
  {
    name: "weights from the reference's seeded generator (set with setWeights)",
    make: () => {
      const weights = f32Weights(randomWeights(20240611));
      const model = seedModel(1);
      setFromReference(model, weights);
      return { model, weights };
    },
  },
  {
    name: "weights from gradtape's seeded initializers (read back with getWeights)",
    make: () => {
      const model = seedModel(7);
      return { model, weights: readWeights(model) };
    },
  },
];

describe.each(SETUPS)("the seed network, $name", ({ make }) => {
  let model: gt.nn.Sequential;
  let weights: Weights;
  beforeAll(() => { ({ model, weights } = make()); return () => model.dispose(); });

  it("the weights the reference uses are the model's (and the forward pass agrees with a plain float64 pass)", () => {
    expect(model.weights.map((w) => [...w.shape])).toEqual([[2, 28], [28], [28, 1], [1]]);
    const back = readWeights(model);
    expect(back.layers.map((L) => L.kernel.flat())).toEqual(weights.layers.map((L) => L.kernel.flat()));
    expect(back.layers.map((L) => L.bias)).toEqual(weights.layers.map((L) => L.bias));
    expectNoLeak("forward", () => gt.tidy(() => {
      for (const [x, t] of POINTS) {
        expectClose(`f(${x}, ${t})`, vals(model.apply(gt.tensor([[[x], [t]]]))), mlpForward(weights, [x, t]), { rtol: REL });
      }
    }));
  });

  it("nested tapes + jacobian: f, gradient and Hessian at each point", () => {
    expectNoLeak("nested + jacobian", () => gt.tidy(() => {
      for (const [x, t] of POINTS) {
        const inp = gt.tensor([[[x], [t]]]);
        const outer = new gt.GradientTape(), inner = new gt.GradientTape();
        let f!: Tensor;
        const g = outer.record(() => {
          outer.watch(inp);
          f = inner.record(() => { inner.watch(inp); return model.apply(inp); });
          return inner.gradient(f, inp)!;
        });
        const H = outer.jacobian(g, inp);
        outer.dispose(); inner.dispose();
        expect([...f.shape]).toEqual([1, 1]);
        expect([...g.shape]).toEqual([1, 2, 1]);
        expect([...H!.shape]).toEqual([1, 2, 1, 1, 2, 1]);
        checkPoint(`(${x}, ${t})`, seedForward(weights, x, t), f.item(), vals(g), vals(H));
      }
    }));
  });

  it("the report's way: gradients with respect to inp.index(0, 0) and inp.index(0, 1), nested", () => {
    expectNoLeak("views", () => gt.tidy(() => {
      for (const [x, t] of POINTS) {
        const inp = gt.tensor([[[x], [t]]]);
        const outer = new gt.GradientTape({ persistent: true }), inner = new gt.GradientTape({ persistent: true });
        let f!: Tensor;
        const [fx, ft] = outer.record(() => {
          outer.watch(inp);
          f = inner.record(() => { inner.watch(inp); return model.apply(inp); });
          return [inner.gradient(f, inp.index(0, 0))!, inner.gradient(f, inp.index(0, 1))!];
        });
        const [fxx, fxt] = outer.gradient(fx, [inp.index(0, 0), inp.index(0, 1)], { unconnected: "error" });
        const [ftx, ftt] = outer.gradient(ft, [inp.index(0, 0), inp.index(0, 1)], { unconnected: "error" });
        outer.dispose(); inner.dispose();
        for (const d of [fx, ft, fxx, fxt, ftx, ftt]) expect([...d!.shape]).toEqual([1]);
        checkPoint(`views (${x}, ${t})`, seedForward(weights, x, t), f.item(), [fx.item(), ft.item()], [fxx!.item(), fxt!.item(), ftx!.item(), ftt!.item()]);
      }
    }));
  });

  it("hessian() and grad() of (x, t) -> f", () => {
    expectNoLeak("hessian()", () => gt.tidy(() => {
      const fn = (z: Tensor) => model.apply(z.reshape([1, 2, 1]));
      for (const [x, t] of POINTS) {
        const z = gt.tensor([x, t]);
        const H = gt.hessian(fn)(z);
        expect([...H.shape]).toEqual([2, 2]);
        const g = gt.grad(fn)(z) as Tensor;
        expect([...g.shape]).toEqual([2]);
        checkPoint(`hessian() (${x}, ${t})`, seedForward(weights, x, t), fn(z).item(), vals(g), vals(H));
      }
    }));
  });

  it("batchJacobian over a batch of all the points at once", () => {
    expectNoLeak("batchJacobian", () => gt.tidy(() => {
      const B = POINTS.length;
      const X = gt.tensor(POINTS.map(([x, t]) => [[x], [t]]));        // [B, 2, 1]
      const outer = new gt.GradientTape(), inner = new gt.GradientTape({ persistent: true });
      let f!: Tensor, J!: Tensor;
      const g = outer.record(() => {
        outer.watch(X);
        f = inner.record(() => { inner.watch(X); return model.apply(X); }); // [B, 1]
        J = inner.batchJacobian(f, X)!;                                     // [B, 1, 2, 1]
        return inner.gradient(f, X)!;                                       // [B, 2, 1]: examples are independent
      });
      const H = outer.batchJacobian(g, X)!;                                 // [B, 2, 1, 2, 1]
      outer.dispose(); inner.dispose();
      expect([...f.shape]).toEqual([B, 1]);
      expect([...J.shape]).toEqual([B, 1, 2, 1]);
      expect([...H.shape]).toEqual([B, 2, 1, 2, 1]);
      const fv = vals(f), gv = vals(g), Jv = vals(J), Hv = vals(H);
      POINTS.forEach(([x, t], b) => {
        const want = seedForward(weights, x, t);
        checkPoint(`batch[${b}] (${x}, ${t})`, want, fv[b], gv.slice(2 * b, 2 * b + 2), Hv.slice(4 * b, 4 * b + 4));
        expectClose(`batchJacobian f'[${b}]`, Jv.slice(2 * b, 2 * b + 2), [want.df_dx, want.df_dt], { rtol: REL, normwise: true });
      });
    }));
  });
});

describe("the seed network as a subclassed Model (the report's Keras style)", () => {
  it("gives the same f and derivatives as the Sequential with the same weights", () => {
    const weights = f32Weights(randomWeights("subclassed"));
    class SeedModel extends gt.nn.Model {
      flatten = new gt.nn.Flatten({ inputShape: [2, 1] });
      d1 = new gt.nn.Dense({ units: 28, activation: "sigmoid", inputShape: [2], seed: 3 });
      d2 = new gt.nn.Dense({ units: 1, activation: "sigmoid", inputShape: [28], seed: 4 });
      call(inp: Tensor): Tensor { return gt.tidy(() => this.d2.apply(this.d1.apply(this.flatten.apply(inp)))); }
    }
    const model = new SeedModel();
    expect(model.layers.length).toBe(3);
    model.setWeights(weights.layers.flatMap((L) => [L.kernel, L.bias]));
    expectNoLeak("subclassed", () => gt.tidy(() => {
      for (const [x, t] of POINTS.slice(0, 4)) {
        const H = gt.hessian((z) => model.apply(z.reshape([1, 2, 1])))(gt.tensor([x, t]));
        const inp = gt.tensor([[[x], [t]]]);
        const tape = new gt.GradientTape();
        const f = tape.record(() => { tape.watch(inp); return model.apply(inp); });
        const g = tape.gradient(f, inp)!;
        tape.dispose();
        checkPoint(`subclassed (${x}, ${t})`, seedForward(weights, x, t), f.item(), vals(g), vals(H));
      }
    }));
    model.dispose();
  });

  it("the reference itself: its jets agree with finite differences of its plain forward pass", () => {
    // guards the guard: a wrong jet rule in the reference would otherwise pass or fail everything above for nothing
    const weights = f32Weights(randomWeights(20240611));
    for (const [x, t] of POINTS) {
      const want = seedForward(weights, x, t);
      const f = (z: Float64Array) => mlpForward(weights, [z[0], z[1]])[0];
      expectClose(`fd gradient (${x}, ${t})`, Array.from(fd.gradient(f, [x, t])), [want.df_dx, want.df_dt], { rtol: 1e-7, atol: 1e-10 });
      expectClose(`fd Hessian (${x}, ${t})`, fd.hessian(f, [x, t]).flat(), [want.d2f_dx2, want.d2f_dxdt, want.d2f_dtdx, want.d2f_dt2], { rtol: 1e-5, atol: 1e-8 });
    }
  });
});

describe("the report's snippets, line by line", () => {
  it("question: linear Dense(28) -> Dense(1), watch(inp[0][0]) and watch(inp), then gradient(f, inp[0][0]) is not None", () => {
    const weights = f32Weights(randomWeights("question", [2, 28, 1], ["linear", "linear"]));
    const model = new gt.nn.Sequential([
      new gt.nn.Flatten({ inputShape: [2, 1] }),
      new gt.nn.Dense({ units: 28, inputShape: [2] }),
      new gt.nn.Dense({ units: 1, inputShape: [28] }),
    ]);
    model.setWeights(weights.layers.flatMap((L) => [L.kernel, L.bias]));
    expectNoLeak("question", () => gt.tidy(() => {
      const [x, t] = [Math.fround(0.5488135), Math.fround(0.71518937)];
      const inp = gt.tensor([[[x], [t]]]);
      const tape = new gt.GradientTape({ persistent: true });
      const f = tape.record(() => {
        tape.watch(inp.index(0, 0));
        tape.watch(inp);
        return model.apply(inp);
      });
      const dfdx = tape.gradient(f, inp.index(0, 0));   // TensorFlow: None
      const gradF = tape.gradient(f, inp);
      tape.dispose();
      const want = seedForward(weights, x, t);
      expectClose("f", [f.item()], [want.f], { rtol: REL });
      expect(dfdx, "gradient with respect to inp[0][0]").not.toBeNull();
      expect([...dfdx!.shape]).toEqual([1]);
      expectTensor("grad_f", gradF, [1, 2, 1], [want.df_dx, want.df_dt], { rtol: REL, normwise: true });
      expect(vals(dfdx)[0], "df_dx is exactly grad_f[0][0]").toBe(vals(gradF)[0]);
    }));
    model.dispose();
  });

  it("answer: nested tapes, grad_f = tape2.gradient(f, inp), j = tape.jacobian(grad_f, inp), j[0, i, 0, 0, k] = d2f/di dk", () => {
    const weights = f32Weights(randomWeights("answer"));
    const model = seedModel(11);
    setFromReference(model, weights);
    expectNoLeak("answer", () => gt.tidy(() => {
      const [x, t] = [Math.fround(0.5488135), Math.fround(0.71518937)];
      const inp = gt.tensor([[[x], [t]]]);
      const tape = new gt.GradientTape(), tape2 = new gt.GradientTape();
      let dfdx!: Tensor, dfdt!: Tensor;
      const gradF = tape.record(() => {
        tape.watch(inp);
        const f = tape2.record(() => { tape2.watch(inp); return model.apply(inp); });
        const g = tape2.gradient(f, inp)!;
        dfdx = g.index(0, 0);
        dfdt = g.index(0, 1);
        return g;
      });
      const j = tape.jacobian(gradF, inp)!;
      tape.dispose(); tape2.dispose();
      expect([...j.shape]).toEqual([1, 2, 1, 1, 2, 1]);
      const parts = [dfdx, dfdt, j.index(0, 0, 0, 0, 0), j.index(0, 0, 0, 0, 1), j.index(0, 1, 0, 0, 0), j.index(0, 1, 0, 0, 1)];
      for (const p of parts) expect([...p.shape]).toEqual([1]);
      const [fx, ft, fxx, fxt, ftx, ftt] = parts.map((p) => p.item());
      checkPoint("answer", seedForward(weights, x, t), model.apply(inp).item(), [fx, ft], [fxx, fxt, ftx, ftt]);
    }));
    model.dispose();
  });
});

describe("a user who forgets the input_shape check", () => {
  it("the seed network declared for [2, 1] rejects a [1, 5, 1] input with the layer and both shapes", () => {
    const model = seedModel(9);
    gt.tidy(() => {
      expect(() => model.apply(gt.zeros([1, 5, 1]))).toThrow(gt.ShapeError);
      expect(() => model.apply(gt.zeros([1, 5, 1]))).toThrow(/\[2, 1\][\s\S]*\[1, 5, 1\]/);
    });
    model.dispose();
  });
});
