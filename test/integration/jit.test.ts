// gt.jit: a function of tensors traced once per signature (argument shapes and dtypes, which arguments are the same
// tensor, the values of non-tensor arguments) and replayed as one straight-line program afterwards. Two kinds of
// expectation, never mixed up:
// - jit's own promise: a jitted call gives the *same bits* as calling the function without jit (same kernels in the
//   same order), on the tracing call and on every replay, and so does a tape around it. These compare jit with the
//   same function run eagerly, which is the property under test.
// - correctness: derivatives against the independent float64 reference (test/reference: exact jets, finite
//   differences, closed forms), with the tolerances seed.test.ts and transforms.test.ts use; never against gradtape.
// Plus what a compiled program must not get wrong: new argument values and Variables assigned between calls are
// seen (nothing frozen), memory stays flat over a training loop and is returned by dispose(), and what cannot be
// replayed is refused while tracing with an error that leaves the library usable.
import { describe, it, expect, beforeAll } from "vitest";
import * as gt from "gradtape";
import { dual as D, fd, randomWeights, seedForward, type Weights, type SeedDerivatives } from "../reference/index.js";
import { expectClose, expectError, expectNoLeak, expectTensor, f32, live, vals, type Tensor } from "./helpers/check.js";

beforeAll(async () => { await gt.ready(); });

const REL = 1e-5;                                  // seed.test.ts: 1e-5 of the largest entry per derivative order
const D1 = { rtol: 1e-5, normwise: true };         // transforms.test.ts, per derivative order
const D2 = { rtol: 3e-5, normwise: true };
const D3 = { rtol: 1e-4, normwise: true };

/** The float32 values of a tensor, for bit-for-bit comparison (toEqual on numbers: NaN equals NaN, 0 vs -0 differ). */
function bits(t: Tensor | null | undefined, what = "tensor"): number[] { return vals(t, what); }

/** jit's promise: same shape and the same float32 values, bit for bit. */
function expectSameBits(label: string, got: Tensor | null | undefined, want: Tensor | null | undefined): void {
  expect(got, `${label}: jit gave no tensor`).toBeInstanceOf(gt.Tensor);
  expect(want, `${label}: eager gave no tensor`).toBeInstanceOf(gt.Tensor);
  expect([...got!.shape], `${label}: shape`).toEqual([...want!.shape]);
  expect(bits(got, label), `${label}: jit vs eager bits`).toEqual(bits(want, label));
}

/** live() plus the number of compiled programs: what an error must leave as it found it. */
function state(): { tensors: number; bytes: number; tapes: number; programs: number } {
  return { ...live(), programs: gt.memory().programs };
}

// ---------------------------------------------------------------------------------------------------------------
// The seed network (seed.test.ts): Flatten([2, 1]) -> Dense(28, sigmoid) -> Dense(1, sigmoid), with reference
// weights rounded to float32 so that gradtape and the float64 reference evaluate the same network.

function seedModel(weights: Weights): gt.nn.Sequential {
  const m = new gt.nn.Sequential([
    new gt.nn.Flatten({ inputShape: [2, 1] }),
    new gt.nn.Dense({ units: 28, activation: "sigmoid", seed: 1 }),
    new gt.nn.Dense({ units: 1, activation: "sigmoid", seed: 2 }),
  ]);
  gt.tidy(() => { m.apply(gt.zeros([1, 2, 1])); }); // build (draws initial weights: never inside a trace)
  m.setWeights(weights.layers.flatMap((L) => [L.kernel, L.bias]));
  return m;
}
function f32Weights(w: Weights): Weights {
  return { layers: w.layers.map((L) => ({ kernel: L.kernel.map((r) => r.map(Math.fround)), bias: L.bias.map(Math.fround), activation: L.activation })) };
}

type Pt = [number, number];
const pts = (ps: Pt[]): Pt[] => ps.map(([x, t]) => [Math.fround(x), Math.fround(t)]);
const BATCH_A = pts([[0, 0], [0.5, -0.3], [1, 1], [-2, 0.7]]);
const BATCH_B = pts([[3.5, -2.5], [0.25, 4], [-1.25, -0.75], [0.1, 0.2]]);   // same shape, new values
const BATCH_C = pts([[0.75, -1.5], [-0.5, 2.25], [2, -0.125]]);               // a new batch size
const batchTensor = (ps: Pt[]): Tensor => gt.tensor(ps.map(([x, t]) => [[x], [t]]));  // [B, 2, 1]

interface SeedOut { f: Tensor; g: Tensor; J: Tensor; H: Tensor }

/**
 * f, input gradient (nested tapes), f' again by batchJacobian, and the 2x2 Hessian per point by batchJacobian of the
 * gradient: seed.test.ts's batch computation as one function of X [B, 2, 1].
 */
function seedDerivatives(model: gt.nn.Sequential): (X: Tensor) => SeedOut {
  return (X) => {
    const outer = new gt.GradientTape(), inner = new gt.GradientTape({ persistent: true });
    try {
      let f!: Tensor, J!: Tensor;
      const g = outer.record(() => {
        outer.watch(X);
        f = inner.record(() => { inner.watch(X); return model.apply(X); });   // [B, 1]
        J = inner.batchJacobian(f, X)!;                                       // [B, 1, 2, 1]
        return inner.gradient(f, X)!;                                         // [B, 2, 1]
      });
      const H = outer.batchJacobian(g, X)!;                                   // [B, 2, 1, 2, 1]
      return { f, g, J, H };
    } finally { outer.dispose(); inner.dispose(); }
  };
}

function checkSeed(label: string, ps: Pt[], weights: Weights, r: SeedOut): void {
  const B = ps.length;
  expect([...r.f.shape]).toEqual([B, 1]);
  expect([...r.g.shape]).toEqual([B, 2, 1]);
  expect([...r.J.shape]).toEqual([B, 1, 2, 1]);
  expect([...r.H.shape]).toEqual([B, 2, 1, 2, 1]);
  const fv = vals(r.f), gv = vals(r.g), Jv = vals(r.J), Hv = vals(r.H);
  ps.forEach(([x, t], b) => {
    const w: SeedDerivatives = seedForward(weights, x, t);
    const at = `${label} (${x}, ${t})`;
    expectClose(`${at} f`, [fv[b]], [w.f], { rtol: REL });
    expectClose(`${at} gradient`, gv.slice(2 * b, 2 * b + 2), [w.df_dx, w.df_dt], { rtol: REL, normwise: true });
    expectClose(`${at} batchJacobian`, Jv.slice(2 * b, 2 * b + 2), [w.df_dx, w.df_dt], { rtol: REL, normwise: true });
    expectClose(`${at} Hessian`, Hv.slice(4 * b, 4 * b + 4), [w.d2f_dx2, w.d2f_dxdt, w.d2f_dtdx, w.d2f_dt2], { rtol: REL, normwise: true });
  });
}

describe("the seed network's f, gradient and Hessian (nested tapes + batchJacobian) inside jit", () => {
  const weights = f32Weights(randomWeights(20240611));
  let model: gt.nn.Sequential;
  beforeAll(() => { model = seedModel(weights); return () => model.dispose(); });

  it("is bit-identical to the eager function on the tracing call and on replays, at new points too", () => {
    expectNoLeak("seed jit", () => {
      const eager = seedDerivatives(model);
      const jitted = gt.jit(eager);
      // A traces; B replays with new values (a frozen program would give A's numbers); A again replays
      for (const [name, ps, traces] of [["A", BATCH_A, 1], ["B", BATCH_B, 1], ["A again", BATCH_A, 1]] as const) {
        gt.tidy(() => {
          const X = batchTensor([...ps]);
          const got = jitted(X), want = eager(X);
          expect(jitted.traceCount, `${name}: traces`).toBe(traces);
          for (const k of ["f", "g", "J", "H"] as const) expectSameBits(`${name} ${k}`, got[k], want[k]);
        });
      }
      expect(jitted.programs().length).toBe(1);
      jitted.dispose();
    });
  });

  it("matches the float64 reference; new values give new results; a new batch size retraces and is right", () => {
    expectNoLeak("seed reference", () => {
      const jitted = gt.jit(seedDerivatives(model));
      gt.tidy(() => {
        const a = jitted(batchTensor(BATCH_A));
        checkSeed("trace A", BATCH_A, weights, a);
        const b = jitted(batchTensor(BATCH_B));
        checkSeed("replay B", BATCH_B, weights, b);
        expect(jitted.traceCount, "B replays A's program").toBe(1);
        // not frozen: at no point do B's values coincide with A's
        vals(a.f).forEach((fa, i) => expect(vals(b.f)[i], `f[${i}] of B differs from A`).not.toBe(fa));
        const c = jitted(batchTensor(BATCH_C));
        expect(jitted.traceCount, "a batch of 3 is a new signature").toBe(2);
        checkSeed("trace C", BATCH_C, weights, c);
        checkSeed("replay C", BATCH_C, weights, jitted(batchTensor(BATCH_C)));
        checkSeed("replay A after C", BATCH_A, weights, jitted(batchTensor(BATCH_A)));
        expect(jitted.traceCount).toBe(2);
        expect(jitted.programs().map((p) => p.signature).sort()).toEqual(["f3x2x1;", "f4x2x1;"]);
      });
      jitted.dispose();
    });
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Captured Variables: the program holds them and reads their current values on every call.

/** Linear regression loss mean((x W + b - y)^2) and its gradients, in float64 (closed form). */
function regressionRef(X: number[][], Y: number[], W: number[], b: number): { loss: number; gW: number[]; gb: number } {
  const N = X.length;
  const r = X.map((row, n) => row.reduce((s, v, k) => s + v * W[k], b) - Y[n]);
  return {
    loss: r.reduce((s, v) => s + v * v, 0) / N,
    gW: W.map((_, k) => (2 / N) * r.reduce((s, rn, n) => s + rn * X[n][k], 0)),
    gb: (2 / N) * r.reduce((s, v) => s + v, 0),
  };
}

describe("captured Variables", () => {
  const XS = [[0.5, -1, 2], [1.5, 0.25, -0.5], [-1, 1, 1], [0.3, 0.7, -1.2], [2, -0.4, 0.1]].map(f32);
  const YS = f32([1, -0.5, 2, 0.25, -1]);

  it("a jitted loss + gradient with respect to captured variables follows assign() and optimizer steps", () => {
    const W = gt.variable([[0.1], [-0.2], [0.3]], true, "W"), b = gt.variable([0.05], true, "b");
    const opt = new gt.optim.Adam({ learningRate: 0.1 });
    expectNoLeak("captured", () => {
      // the tape watches the variables it sees (watchAccessedVariables): no watch() call names them
      const lossAndGrads = (x: Tensor, y: Tensor) => {
        const tape = new gt.GradientTape();
        try {
          const loss = tape.record(() => x.matMul(W).reshape([-1]).add(b).sub(y).square().mean());
          const [gW, gb] = tape.gradient(loss, [W, b], { unconnected: "error" });
          return { loss, gW, gb };
        } finally { tape.dispose(); }
      };
      const jitted = gt.jit(lossAndGrads);
      const check = (label: string) => gt.tidy(() => {
        const x = gt.tensor(XS), y = gt.tensor(YS);
        const got = jitted(x, y), want = lossAndGrads(x, y);
        for (const k of ["loss", "gW", "gb"] as const) expectSameBits(`${label} ${k}`, got[k], want[k]);
        const ref = regressionRef(XS, YS, vals(W), vals(b)[0]);
        expectTensor(`${label} loss`, got.loss, [], [ref.loss], { rtol: 1e-6 });
        expectTensor(`${label} dW`, got.gW, [3, 1], ref.gW, D1);
        expectTensor(`${label} db`, got.gb, [1], [ref.gb], D1);
        return vals(got.loss)[0];
      });
      const l0 = check("traced");
      W.assign([[1], [0.5], [-0.25]]);
      const l1 = check("after W.assign");
      expect(l1, "the assigned W changes the loss (not frozen)").not.toBe(l0);
      b.assign([-0.75]);
      check("after b.assign");
      for (let s = 0; s < 3; s++) {
        gt.tidy(() => {
          const { gW, gb } = jitted(gt.tensor(XS), gt.tensor(YS));
          opt.applyGradients([gW, gb], [W, b]);
        });
        check(`after optimizer step ${s + 1}`);
      }
      expect(jitted.traceCount).toBe(1);
      jitted.dispose();
      opt.dispose();                                 // (its moment slots were made inside this check)
    });
    W.dispose(); b.dispose();
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe("a training loop on a jitted loss and gradient", () => {
  it("200 Adam steps: the loss falls, memory is flat, one program; dispose() returns every tensor it held", () => {
    // the seed network fitting g(x, t) = 0.5 + 0.3 sin(x) cos(t) on a 6 x 6 grid; the update happens outside jit
    const model = seedModel(f32Weights(randomWeights("jit training")));
    const vars = model.weights;
    const grid: Pt[] = [];
    for (let i = 0; i < 6; i++) for (let j = 0; j < 6; j++) grid.push([-2 + 0.8 * i, -2 + 0.8 * j]);
    const X = gt.keep(batchTensor(pts(grid)));
    const Y = gt.keep(gt.tensor(grid.map(([x, t]) => [0.5 + 0.3 * Math.sin(x) * Math.cos(t)])));
    const opt = new gt.optim.Adam({ learningRate: 0.02 });
    const before = state();

    const step = gt.jit((x: Tensor, y: Tensor) => {
      const tape = new gt.GradientTape();
      try {
        const loss = tape.record(() => model.apply(x).sub(y).square().mean());
        return { loss, grads: tape.gradient(loss, vars, { unconnected: "error" }) };
      } finally { tape.dispose(); }
    });
    const losses: number[] = [];
    let at50 = state();
    for (let s = 1; s <= 200; s++) {
      gt.tidy(() => {
        const { loss, grads } = step(X, Y);
        opt.applyGradients(grads, vars);
        losses.push(loss.item());
      });
      if (s === 50) at50 = state();
    }
    const at200 = state();
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(losses[199], `loss ${losses[0]} -> ${losses[199]}`).toBeLessThan(0.25 * losses[0]);
    expect(losses[199]).toBeLessThan(losses[49]);
    expect({ tensors: at200.tensors, bytes: at200.bytes }, "flat from step 50 to step 200").toEqual({ tensors: at50.tensors, bytes: at50.bytes });
    expect(step.traceCount).toBe(1);
    expect(at200.programs, "one program").toBe(before.programs + 1);
    expect(step.programs().length).toBe(1);

    opt.dispose();                                  // its moment slots were made by the loop
    const held = state();
    step.dispose();
    const after = state();
    expect(after.programs, "dispose() releases the program").toBe(before.programs);
    expect({ tensors: after.tensors, bytes: after.bytes }, "back to before jit").toEqual({ tensors: before.tensors, bytes: before.bytes });
    // the program held tensors of its own (the gradient's seed and such), not just the captured weights
    expect(held.tensors, "dispose() freed the program's constants").toBeGreaterThan(after.tensors);
    step.dispose();                                  // twice is harmless
    expect(state()).toEqual(after);
    X.dispose(); Y.dispose(); model.dispose();
  });
});

// ---------------------------------------------------------------------------------------------------------------
// A non-separable scalar function of a vector (transforms.test.ts): f(x) = sum sin(x_i) x_{i+1}^2 + exp(0.3 sum x)
// + tanh(x_0 x_last), with exact jets as the reference.
const S = {
  gt(x: Tensor): Tensor {
    const n = x.shape[0];
    return x.slice(0, n - 1).sin().mul(x.slice(1, n - 1).square()).sum().add(x.sum().mul(0.3).exp()).add(x.index(0).mul(x.index(n - 1)).tanh());
  },
  jet(xs: readonly number[]) {
    const v = D.variables([...xs]);
    const n = v.length;
    let acc = D.constant(0, n), s = D.constant(0, n);
    for (let i = 0; i + 1 < n; i++) acc = D.add(acc, D.mul(D.sin(v[i]), D.square(v[i + 1])));
    for (const vi of v) s = D.add(s, vi);
    return D.add(D.add(acc, D.exp(D.mul(s, 0.3))), D.tanh(D.mul(v[0], v[n - 1])));
  },
};
const XS5 = [f32([0.4, -1.1, 0.7, 1.9, -0.25]), f32([-0.3, 0.8, 1.2, -0.6, 0.45]), f32([1.1, 0.2, -0.9, 0.05, 1.6])];

describe("a jitted function is differentiable", () => {
  const withTape = (fn: (x: Tensor) => Tensor, x: Tensor) => {
    const tape = new gt.GradientTape();
    try {
      const y = tape.record(() => { tape.watch(x); return fn(x); });
      return { y, g: tape.gradient(y, x) };
    } finally { tape.dispose(); }
  };
  function expectTapeAround(label: string, jitted: (x: Tensor) => Tensor, xs: number[]): void {
    gt.tidy(() => {
      const x = gt.tensor(xs);
      const got = withTape(jitted, x), want = withTape(S.gt, x);
      expectSameBits(`${label} y`, got.y, want.y);
      expectSameBits(`${label} dy/dx`, got.g, want.g);
      expectTensor(`${label} dy/dx vs jets`, got.g, [5], S.jet(xs).g, D1);
    });
  }

  it("a tape around the tracing call gives the bits of a tape around the eager function", () => {
    // the call traces while the outer tape records: the argument fn sees must still lead back to the watched x
    expectNoLeak("tape around the tracing call", () => {
      const jitted = gt.jit(S.gt);
      expectTapeAround("tracing call", jitted, XS5[0]);
      expect(jitted.traceCount).toBe(1);
      expectTapeAround("replay", jitted, XS5[1]);
      jitted.dispose();
    });
  });

  it("a tape around replays gives the bits of a tape around the eager function", () => {
    expectNoLeak("tape around replays", () => {
      const jitted = gt.jit(S.gt);
      gt.tidy(() => { jitted(gt.tensor(XS5[0])); });            // traced with no tape around
      for (const [i, xs] of XS5.entries()) expectTapeAround(`replay ${i}`, jitted, xs);
      expect(jitted.traceCount).toBe(1);
      jitted.dispose();
    });
  });

  it("a tape around replays of a function computing the same op twice gives the eager bits", () => {
    // the smallest case of the third-order difference below: sin(x) computed twice is one step of the program, so
    // a tape around a replay pushes (0.1 + 0.7) through one cos(x) where the eager graph sums 0.1 cos x + 0.7 cos x
    const fn = (x: Tensor) => x.sin().mul(0.1).add(x.sin().mul(0.7));
    const xs = Array.from({ length: 64 }, (_, i) => Math.fround(0.37 * i - 9.1));
    expectNoLeak("same op twice", () => {
      const jitted = gt.jit(fn);
      gt.tidy(() => {
        const x = gt.tensor(xs);
        expectSameBits("forward (tracing call)", jitted(x), fn(x));
        expectSameBits("forward (replay)", jitted(x), fn(x));
        const got = gt.grad((z: Tensor) => jitted(z).sum())(x) as Tensor;
        expectTensor("gradient vs 0.8 cos x", got, [64], xs.map((v) => 0.8 * Math.cos(v)), { rtol: 1e-6, atol: 1e-7 });
        expectSameBits("gradient through a replay", got, gt.grad((z: Tensor) => fn(z).sum())(x) as Tensor);
      });
      jitted.dispose();
    });
  });

  // u(x) = tanh(x) sin(x) element-wise; second(x) = grad(grad(u)(.).sum())(x) = u''(x); grad(sum second) = u'''
  const u = (x: Tensor) => x.tanh().mul(x.sin()).sum();
  const second = (x: Tensor) => gt.grad((z: Tensor) => (gt.grad(u)(z) as Tensor).sum())(x) as Tensor;
  const jetU = (v: number) => D.mul(D.tanh(D.variable(v, 0, 1)), D.sin(D.variable(v, 0, 1)));
  const XS3RD = [f32([-1.4, -0.3, 0.2, 0.9, 2.1]), f32([0.6, -2.2, 1.3, 0.05, -0.8]), f32([1.7, -0.9, 0.35, -1.6, 2.6])];
  function expectThirdOrder(label: string, jitted: (x: Tensor) => Tensor, xs: number[]): void {
    gt.tidy(() => {
      const x = gt.tensor(xs);
      const got = gt.grad((z: Tensor) => jitted(z).sum())(x) as Tensor;
      const want = gt.grad((z: Tensor) => second(z).sum())(x) as Tensor;
      expectTensor(`${label} u''' vs fd of the exact u''`, got, [5], xs.map((v) => fd.derivative1((z) => jetU(z).h[0], v)), D3);
      expectSameBits(`${label} u'''`, got, want);
      expectTensor(`${label} u''`, jitted(x), [5], xs.map((v) => jetU(v).h[0]), D2);
    });
  }

  it("grad through the tracing call of a jitted second derivative (third order) equals the eager one and the reference", () => {
    expectNoLeak("third order, tracing call", () => {
      const jitted = gt.jit(second);
      expectThirdOrder("tracing call", jitted, XS3RD[0]);
      jitted.dispose();
    });
  });

  it("grad through replays of a jitted second derivative (third order) equals the eager one and the reference", () => {
    expectNoLeak("third order, replays", () => {
      const jitted = gt.jit(second);
      gt.tidy(() => { jitted(gt.tensor(XS3RD[0])); });          // traced with no tape around
      for (const [i, xs] of XS3RD.entries()) expectThirdOrder(`replay ${i}`, jitted, xs);
      expect(jitted.traceCount).toBe(1);
      jitted.dispose();
    });
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe("nested jit", () => {
  const innerFn = (x: Tensor) => x.sin().mul(x).add(x.exp().mul(0.5));
  const INPUTS = [[f32([0.3, -1.2, 2]), f32([1, 0.5, -0.7])], [f32([-0.4, 0.9, 1.5]), f32([2.5, -1, 0.2])], [f32([1.25, 0, -2]), f32([0.1, 0.1, 3])]];
  // the outer function calls the inner one twice with the same signature: the second call replays the inner
  // program inside the outer trace
  const valueWith = (inner: (x: Tensor) => Tensor) => (x: Tensor, y: Tensor) => inner(x).add(inner(y).square());
  // and differentiates through it
  const gradWith = (inner: (x: Tensor) => Tensor) => (x: Tensor) => gt.grad((z: Tensor) => inner(z).sum())(x) as Tensor;
  const innerRef = (v: number) => v * Math.sin(v) + 0.5 * Math.exp(v);
  // d/dx sum(x sin x + e^x / 2) = sin x + x cos x + e^x / 2
  const dInner = (v: number) => Math.sin(v) + v * Math.cos(v) + 0.5 * Math.exp(v);

  it("a jitted function calling a jitted function, both traced inside the first call, equals the eager one", () => {
    expectNoLeak("nested", () => {
      const inner = gt.jit(innerFn);
      const outer = gt.jit(valueWith(inner));
      const eager = valueWith(innerFn);
      for (const [i, [a, b]] of INPUTS.entries()) {
        gt.tidy(() => {
          const x = gt.tensor(a), y = gt.tensor(b);
          expectSameBits(`call ${i}`, outer(x, y), eager(x, y));
          expectTensor(`call ${i} vs closed form`, outer(x, y), [3], a.map((v, k) => innerRef(v) + innerRef(b[k]) ** 2), { rtol: 1e-5 });
        });
      }
      expect(outer.traceCount).toBe(1);
      expect(inner.traceCount, "the inner function was traced once, inside the outer trace").toBe(1);
      // the inner program, compiled inside the outer trace, works on its own
      gt.tidy(() => { const x = gt.tensor(f32([0.7, -0.2, 1.1])); expectSameBits("inner alone", inner(x), innerFn(x)); });
      outer.dispose(); inner.dispose();
    });
  });

  it("a gradient through a jitted function traced inside the outer trace equals the eager one", () => {
    expectNoLeak("nested gradient", () => {
      const inner = gt.jit(innerFn);
      const outer = gt.jit(gradWith(inner));
      for (const [i, [a]] of INPUTS.entries()) {
        gt.tidy(() => {
          const x = gt.tensor(a);
          expectTensor(`call ${i} vs closed form`, outer(x), [3], a.map(dInner), D1);
          expectSameBits(`call ${i}`, outer(x), gradWith(innerFn)(x));
        });
      }
      outer.dispose(); inner.dispose();
    });
  });

  it("an inner function compiled before the outer one is traced is replayed into the outer program", () => {
    expectNoLeak("nested, inner first", () => {
      const inner = gt.jit(innerFn);
      gt.tidy(() => { inner(gt.tensor([0.5, 0.5, 0.5])); });
      const outerValue = gt.jit(valueWith(inner)), outerGrad = gt.jit(gradWith(inner));
      for (const [i, [a, b]] of INPUTS.entries()) {
        gt.tidy(() => {
          const x = gt.tensor(a), y = gt.tensor(b);
          expectSameBits(`call ${i} value`, outerValue(x, y), valueWith(innerFn)(x, y));
          expectSameBits(`call ${i} gradient`, outerGrad(x), gradWith(innerFn)(x));
          expectTensor(`call ${i} gradient vs closed form`, outerGrad(x), [3], a.map(dInner), D1);
        });
      }
      expect(inner.traceCount).toBe(1);
      outerValue.dispose(); outerGrad.dispose(); inner.dispose();
    });
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe("errors while tracing leave the library as it was", () => {
  const XV = [0.5, -1, 2];
  /** Runs the failing call, then checks memory, programs, an eager computation (read back) and a jitted one. */
  function expectCleanFailure(label: string, call: () => unknown, cls: new (...a: never[]) => Error, parts: (string | RegExp)[]): void {
    const before = state();
    expectError(() => gt.tidy(call), cls, parts);
    expect(state(), `${label}: memory() and programs after the error`).toEqual(before);
    gt.tidy(() => {
      const x = gt.tensor(XV);
      expectTensor(`${label}: eager afterwards`, x.mul(x).add(1), [3], XV.map((v) => v * v + 1), { rtol: 0 });
      const ok = gt.jit((z: Tensor) => z.exp());
      expectTensor(`${label}: a jitted call afterwards`, ok(x), [3], XV.map(Math.exp), { rtol: 1e-6 });
      expectTensor(`${label}: its replay`, ok(gt.tensor([0, 1, -1])), [3], [1, Math.E, 1 / Math.E], { rtol: 1e-6 });
      ok.dispose();
    });
    expect(state(), `${label}: after the checks`).toEqual(before);
  }

  it("reading the values of an argument or of a computed tensor is a TraceError", () => {
    const x = gt.tensor(XV), k = gt.scalar(2);
    const reads: [string, (z: Tensor, s: Tensor) => Tensor][] = [
      ["argument data()", (z) => z.mul(z.data()[0])],
      ["argument item()", (z, s) => z.mul(s.item())],
      ["argument view item()", (z) => z.mul(z.index(0).item())],
      ["computed data()", (z) => { const y = z.sin(); return y.data()[0] > 0 ? y : y.neg(); }],
      ["computed item()", (z) => z.mul(z.sum().item())],
      ["computed array()", (z) => z.mul(gt.tensor(z.exp().array() as number[]))],
    ];
    for (const [label, fn] of reads) {
      const jitted = gt.jit(fn);
      expectCleanFailure(label, () => jitted(x, k), gt.TraceError, [/jit/, /cannot be read/]);
      expect(jitted.traceCount, `${label}: nothing was compiled`).toBe(0);
      expect(jitted.programs()).toEqual([]);
      jitted.dispose();
    }
    x.dispose(); k.dispose();
  });

  it("random draws and in-place updates (assign, optimizer steps) are TraceErrors; nothing is updated", () => {
    const x = gt.tensor(XV);
    const v = gt.variable([1, 2, 3], true, "v");
    const opt = new gt.optim.SGD({ learningRate: 0.1 });
    gt.tidy(() => opt.applyGradients([gt.ones([3])], [v]));   // its slots exist before the failing calls
    const vBefore = vals(v);
    const cases: [string, (z: Tensor) => Tensor, RegExp][] = [
      ["randomUniform", (z) => z.add(gt.randomUniform([3])), /random draws cannot be compiled by jit/],
      ["randomNormal", (z) => z.add(gt.randomNormal([3])), /random draws cannot be compiled by jit/],
      ["assign", (z) => { v.assign(z.mul(2)); return z.add(v); }, /in-place updates .*cannot be compiled by jit/],
      ["applyGradients", (z) => { opt.applyGradients([z.mul(2)], [v]); return z.add(v); }, /in-place updates .*cannot be compiled by jit/],
    ];
    for (const [label, fn, msg] of cases) {
      const jitted = gt.jit(fn);
      expectCleanFailure(label, () => jitted(x), gt.TraceError, [msg]);
      expect(vals(v), `${label}: v unchanged`).toEqual(vBefore);
      jitted.dispose();
    }
    opt.dispose(); v.dispose(); x.dispose();
  });

  it("a result or argument jit cannot handle is an ArgumentError naming jit and the culprit", () => {
    const x = gt.tensor(XV);
    const cases: [string, () => unknown, (string | RegExp)[]][] = [
      ["returns a number", () => gt.jit((z: Tensor) => { z.sum(); return 3; })(x), [/^jit: fn returned 3 at result/, /must return tensors/]],
      ["returns a number in an object", () => gt.jit((z: Tensor) => ({ y: z.sin(), n: 1 }))(x), [/^jit: fn returned 1 at result\.n/]],
      ["a function argument", () => gt.jit((z: Tensor, _f: unknown) => z)(x, () => 1), [/^jit: argument 1 is function/]],
      ["a class instance argument", () => gt.jit((z: Tensor, _o: unknown) => z)(x, { opts: new Map() }), [/^jit: argument 1\.opts is object/, /plain objects/]],
      ["a Date argument", () => gt.jit((z: Tensor, _d: unknown) => z)(x, [new Date(0)]), [/^jit: argument 1\[0\] is/]],
    ];
    for (const [label, call, parts] of cases) expectCleanFailure(label, call, gt.ArgumentError, parts);
    x.dispose();
  });

  it("calling a disposed function is an ArgumentError; fn's own error propagates and a later call traces again", () => {
    const x = gt.tensor(XV);
    const j = gt.jit((z: Tensor) => z.square());
    gt.tidy(() => { j(x); });
    j.dispose();
    expectCleanFailure("after dispose", () => j(x), gt.ArgumentError, [/^jit: .*disposed/]);
    expect(j.programs()).toEqual([]);

    let fail = true;
    class Mine extends Error {}
    const k = gt.jit((z: Tensor) => {
      const y = z.mul(3).sin();                         // ops recorded before the throw are abandoned
      if (fail) throw new Mine("fn's own failure");
      return y.add(z);
    });
    const before = state();
    expect(() => gt.tidy(() => k(x))).toThrow(Mine);
    expect(state(), "memory and programs after fn threw").toEqual(before);
    expect(k.traceCount).toBe(0);
    fail = false;
    gt.tidy(() => {
      expectTensor("traced after the failure", k(x), [3], XV.map((v) => Math.sin(Math.fround(3 * v)) + v), { rtol: 1e-6 });
      expectTensor("replayed", k(gt.tensor([1, 0, -1])), [3], [1, 0, -1].map((v) => Math.sin(3 * v) + v), { rtol: 1e-6 });
    });
    expect(k.traceCount).toBe(1);
    k.dispose();

    // an error inside a nested trace unwinds both traces
    const inner = gt.jit((z: Tensor) => z.mul(z.sum().item()));
    const outer = gt.jit((z: Tensor) => inner(z.exp()).add(1));
    expectCleanFailure("nested read", () => outer(x), gt.TraceError, [/jit/, /cannot be read/]);
    outer.dispose(); inner.dispose();
    x.dispose();
  });

  it("reading a captured Variable's values inside fn is refused, or else the result follows assign()", () => {
    // a value read into JavaScript is baked into the program; a Variable read that way changes from call to call
    const W = gt.variable([2, 3, 4], true, "W");
    const fn = (z: Tensor) => z.mul(W.data()[0]);
    const jitted = gt.jit(fn);
    let refused = false;
    try { gt.tidy(() => { jitted(gt.tensor(XV)); }); } catch (e) { expect(e).toBeInstanceOf(gt.TraceError); refused = true; }
    if (!refused) {
      W.assign([5, 3, 4]);
      gt.tidy(() => { const x = gt.tensor(XV); expectSameBits("after W.assign", jitted(x), fn(x)); });
    }
    jitted.dispose(); W.dispose();
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe("signatures: aliasing, static arguments, trainable arguments", () => {
  it("a captured Variable passed as the argument too: argument and capture stay distinct", () => {
    const W = gt.variable([[1, 2], [3, -1]], true, "W");
    expectNoLeak("aliasing", () => {
      const fn = (x: Tensor) => x.matMul(W);
      const jitted = gt.jit(fn);
      gt.tidy(() => {
        expectSameBits("f(W) = W W (traced)", jitted(W), fn(W));
        expectTensor("f(W)", jitted(W), [2, 2], [7, 0, 0, 7], { rtol: 0 });
        const T = gt.tensor([[0.5, -1], [2, 0.25]]);
        expectSameBits("f(T) = T W (replay)", jitted(T), fn(T));
        expectTensor("f(T)", jitted(T), [2, 2], [-2.5, 2, 2.75, 3.75], { rtol: 0 });
      });
      // a trainable Variable and a plain tensor are different signatures (a tape inside fn would watch the former)
      expect(jitted.traceCount).toBe(2);
      jitted.dispose();
    });
    W.dispose();
  });

  it("f(x, x) and f(x, y) get different programs, both right", () => {
    expectNoLeak("f(x, x)", () => {
      const fn = (a: Tensor, b: Tensor) => a.mul(b).add(a.exp());
      const jitted = gt.jit(fn);
      gt.tidy(() => {
        const x = gt.tensor([0.5, -1]), y = gt.tensor([2, 3]), z = gt.tensor([1.5, 0.25]);
        expectSameBits("f(x, x)", jitted(x, x), fn(x, x));
        expectSameBits("f(x, y)", jitted(x, y), fn(x, y));
        expect(jitted.traceCount).toBe(2);
        expectSameBits("f(z, z) replays f(x, x)'s program", jitted(z, z), fn(z, z));
        expectTensor("f(z, z)", jitted(z, z), [2], [1.5, 0.25].map((v) => v * v + Math.exp(v)), { rtol: 1e-6 });
        expectSameBits("f(y, z) replays f(x, y)'s program", jitted(y, z), fn(y, z));
        expectTensor("f(y, z)", jitted(y, z), [2], [2 * 1.5 + Math.exp(2), 3 * 0.25 + Math.exp(3)], { rtol: 1e-6 });
        expect(jitted.traceCount).toBe(2);
        expect(jitted.programs().map((p) => p.signature)).toEqual(["f2;@0;", "f2;f2;"]);
      });
      jitted.dispose();
    });
  });

  it("numbers, strings, booleans and objects of them are part of the signature", () => {
    expectNoLeak("static args", () => {
      const fn = (x: Tensor, k: number, o: { mode: string; shift: boolean }) =>
        (o.mode === "sin" ? x.sin() : x.cos()).mul(k).add(o.shift ? 1 : 0);
      const jitted = gt.jit(fn);
      const xs = [0.3, -0.8, 1.7];
      const want = (k: number, mode: string, shift: boolean) => xs.map((v) => (mode === "sin" ? Math.sin(v) : Math.cos(v)) * k + (shift ? 1 : 0));
      const calls: [number, string, boolean, number][] = [
        [2, "sin", false, 1], [3, "sin", false, 2], [2, "sin", false, 2], [2, "cos", false, 3], [2, "cos", true, 4], [3, "sin", false, 4],
      ];
      gt.tidy(() => {
        const x = gt.tensor(xs);
        for (const [k, mode, shift, traces] of calls) {
          const o = { mode, shift };
          const label = `k ${k}, ${mode}, shift ${shift}`;
          expectTensor(label, jitted(x, k, o), [3], want(k, mode, shift), { rtol: 1e-6 });
          expectSameBits(label, jitted(x, k, o), fn(x, k, o));
          expect(jitted.traceCount, `${label}: traces`).toBe(traces);
        }
      });
      jitted.dispose();
    });
  });

  it("a trainable Variable argument and a plain tensor of the same shape give what fn gives for each", () => {
    // fn's tape watches the variables it meets (watchAccessedVariables): a trainable argument is watched, a plain
    // tensor is not, so the eager results differ, and a replay must not hand one the other's program
    const fn = (x: Tensor) => {
      const tape = new gt.GradientTape();
      try {
        const y = tape.record(() => x.square().sum());
        return tape.gradient(y, x, { unconnected: "zero" });
      } finally { tape.dispose(); }
    };
    const v = gt.variable([1, 2, 3], true, "v");
    expectNoLeak("trainable argument", () => {
      const jitted = gt.jit(fn);
      gt.tidy(() => {
        const p = gt.tensor([1, 2, 3]);
        expectTensor("eager, Variable: watched", fn(v), [3], [2, 4, 6], { rtol: 0 });
        expectTensor("eager, plain tensor: not watched", fn(p), [3], [0, 0, 0], { rtol: 0 });
        expectSameBits("jit, Variable", jitted(v), fn(v));
        expectSameBits("jit, plain tensor", jitted(p), fn(p));
      });
      jitted.dispose();
    });
    v.dispose();
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe("results are fresh tensors", () => {
  it("a returned constant or captured-tensor result is new on every call: disposing one or assigning the capture spares the others", () => {
    const C = gt.variable([1, -2], true, "C");
    expectNoLeak("fresh results", () => {
      const jitted = gt.jit((x: Tensor) => [gt.zeros([2]), C.mul(2), gt.ones([2]).mul(3), x.add(C)]);
      const x = gt.tensor([10, 20]);
      jitted(x).forEach((t) => t.dispose());                // trace
      const n0 = live().tensors;
      const r1 = jitted(x);
      expect(live().tensors - n0, "a call makes four new tensors").toBe(4);
      const r2 = jitted(x);
      expect(live().tensors - n0).toBe(8);
      r1.forEach((t, i) => expect(t, `result ${i} is a new tensor`).not.toBe(r2[i]));
      r1.forEach((t) => t.dispose());
      const want = [[0, 0], [2, -4], [3, 3], [11, 18]];
      r2.forEach((t, i) => expectTensor(`result ${i} after the previous call's results were disposed`, t, [2], want[i], { rtol: 0 }));
      C.assign([5, 7]);
      r2.forEach((t, i) => expectTensor(`earlier result ${i} after C.assign`, t, [2], want[i], { rtol: 0 }));
      const r3 = jitted(x);
      [[0, 0], [10, 14], [3, 3], [15, 27]].forEach((w, i) => expectTensor(`result ${i} after C.assign`, r3[i], [2], w, { rtol: 0 }));
      [...r2, ...r3].forEach((t) => t.dispose());
      x.dispose();
      jitted.dispose();
    });
    C.dispose();
  });
});

describe("Taylor jets under jit", () => {
  it("gt.jet's derivatives (to third order) and their weight gradient compile to the eager bits", () => {
    const model = new gt.nn.Sequential([
      new gt.nn.Dense({ units: 12, activation: "tanh", inputShape: [2], seed: 1 }),
      new gt.nn.Dense({ units: 12, activation: "sigmoid", seed: 2 }),
      new gt.nn.Dense({ units: 1, seed: 3 }),
    ]);
    gt.tidy(() => { model.apply(gt.zeros([1, 2])); });
    const names = ["u", "u_x", "u_t", "u_xx", "u_xt", "u_ttt"];
    const partials = (X: Tensor): Tensor[] => {
      const r = gt.jet(model, X, { derivatives: names, vars: ["x", "t"], method: "taylor" }) as unknown as Record<string, Tensor>;
      return names.map((n) => r[n]);
    };
    // a residual-like loss of the partials and its gradient with respect to the weights (what PINN training needs)
    const lossAndGrads = (X: Tensor): Tensor[] => {
      const tape = new gt.GradientTape();
      try {
        const loss = tape.record(() => { const [u, ux, ut, uxx] = partials(X); return ut.add(u.mul(ux)).sub(uxx.mul(0.1)).square().mean(); });
        return [loss, ...(tape.gradient(loss, model.trainableWeights) as Tensor[])];
      } finally { tape.dispose(); }
    };
    expectNoLeak("jet under jit", () => {
      for (const f of [partials, lossAndGrads]) {
        const jitted = gt.jit(f);
        for (const seed of [4, 5, 6]) {
          gt.tidy(() => {
            const X = gt.randomUniform([33, 2], -1, 1, seed);
            const got = jitted(X), want = f(X);
            want.forEach((w, k) => expectSameBits(`${f === partials ? names[k] : k === 0 ? "loss" : `weight gradient ${k - 1}`} (points ${seed})`, got[k], w));
          });
        }
        expect(jitted.traceCount).toBe(1);
        jitted.dispose();
      }
    });
    model.dispose();
  });
});

describe("records a program keeps between runs", () => {
  // A replay writes small intermediates into the records of its previous run (core trace.ts). Results, and
  // intermediates that results are views of, must never be among them: earlier results would change under the caller.
  it("results of earlier calls survive later calls, views of intermediates included; dispose() frees the kept records", () => {
    const fn = (x: Tensor) => {
      const a = x.mul(2);                        // kept: used inside only
      const b = a.add(1).sigmoid();              // viewed by a result: never kept
      return [b.reshape([2, 2]), a.sum(), b.sub(a).slice([1], [2])];
    };
    expectNoLeak("kept records", () => {
      const jitted = gt.jit(fn);
      const inputs = [[0.5, -1, 2, 0.25], [3, 1, -0.5, -2], [0.1, 0.2, 0.3, 0.4], [-1, -2, -3, -4]].map((v) => gt.tensor(v));
      const results = inputs.map((x) => jitted(x));                // the trace, the first replay, then two more
      const held = live().tensors;
      const more = jitted(inputs[0]);
      // three results, two of them views that hold their parents: 5 records, and none for the kept intermediates
      expect(live().tensors - held, "a replay makes only its results").toBe(5);
      inputs.forEach((x, k) => {
        const want = gt.tidy(() => fn(x));
        results[k].forEach((t, i) => expectSameBits(`call ${k}, result ${i}, read after later calls`, t, want[i]));
        want.forEach((t) => t.dispose());
      });
      const again = gt.tidy(() => fn(inputs[0]));
      more.forEach((t, i) => expectSameBits(`repeat of call 0, result ${i}`, t, again[i]));
      [...results.flat(), ...more, ...again].forEach((t) => t.dispose());
      inputs.forEach((x) => x.dispose());
      jitted.dispose();
    });
  });

  it("a replay under a tape allocates afresh (the tape keeps what it saves) and gives the eager bits", () => {
    const fn = (x: Tensor) => x.mul(x).sigmoid().mul(3).sum();
    expectNoLeak("replay under a tape", () => {
      const jitted = gt.jit(fn);
      const x = gt.tensor([0.3, -0.6, 1.2]);
      gt.tidy(() => { jitted(x); jitted(x); });                 // traced, then replayed with kept records
      const grads = [jitted, fn].map((f) => gt.tidy(() => {
        const tape = new gt.GradientTape();
        try {
          const y = tape.record(() => { tape.watch(x); return f(x); });
          return tape.gradient(y, x)!;
        } finally { tape.dispose(); }
      }));
      expectSameBits("gradient through a replay", grads[0], grads[1]);
      const after = gt.tidy(() => Array.from(jitted(x).data()));
      expect(after, "the kept records still serve the next plain replay").toEqual(gt.tidy(() => Array.from(fn(x).data())));
      gt.dispose([...grads, x]);
      jitted.dispose();
    });
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe("maxTraces and programs()", () => {
  it("with maxTraces 2, a third signature releases the oldest program; results stay right", () => {
    expectNoLeak("maxTraces", () => {
      const base = gt.memory().programs;
      const fn = (x: Tensor) => x.tanh().mul(x);
      const jitted = gt.jit(fn, { maxTraces: 2 });
      gt.tidy(() => {
        const shapes = [[2], [3], [2, 2]];
        for (const [i, s] of shapes.entries()) {
          const n = s.reduce((a, b) => a * b, 1);
          const xs = Array.from({ length: n }, (_, k) => 0.25 * (k + 1) - 0.6);
          const x = gt.tensor(xs).reshape(s);
          expectTensor(`shape [${s}]`, jitted(x), s, xs.map((v) => Math.tanh(v) * v), { rtol: 1e-6 });
          expectSameBits(`shape [${s}] vs eager`, jitted(x), fn(x));
          expect(jitted.programs().length, `programs after ${i + 1} signatures`).toBe(Math.min(i + 1, 2));
          expect(gt.memory().programs - base).toBe(Math.min(i + 1, 2));
        }
        expect(jitted.programs().map((p) => p.signature)).toEqual(["f3;", "f2x2;"]);
        expect(jitted.traceCount).toBe(3);
        expectTensor("the released signature traces again", jitted(gt.tensor([0.5, -1])), [2], [0.5, -1].map((v) => Math.tanh(v) * v), { rtol: 1e-6 });
        expect(jitted.traceCount).toBe(4);
        expect(jitted.programs().map((p) => p.signature)).toEqual(["f2x2;", "f2;"]);
      });
      jitted.dispose();
      expect(gt.memory().programs).toBe(base);
    });
    expect(() => gt.jit((x: Tensor) => x, { maxTraces: 0 })).toThrow(gt.ArgumentError);
  });

  it("programs() counts ops after dead-code removal; identical steps are kept", () => {
    expectNoLeak("op counts", () => {
      const ops = (fn: (x: Tensor) => Tensor): number => {
        const j = gt.jit(fn);
        gt.tidy(() => { j(gt.tensor([0.5, 1.5])); });
        const [p] = j.programs();
        j.dispose();
        return p.ops;
      };
      const plain = ops((x) => x.sin());
      const dead = ops((x) => { x.exp().mul(2).sum(); return x.sin(); });      // computes a tensor it never uses
      const used = ops((x) => x.exp().mul(2).sum().add(x.sin()));
      expect(plain).toBeGreaterThan(0);
      expect(dead, "the unused tensor's ops are dropped").toBe(plain);
      expect(dead).toBeLessThan(used);
      // the same op on the same input twice stays two steps: merging them would make a tape around a replay sum
      // cotangents in another order than around fn, changing the last bit of derivatives (see the tape tests above)
      expect(ops((x) => x.sin().add(x.sin())), "identical steps are not merged").toBe(ops((x) => { const s = x.sin(); return s.add(s); }) + 1);
    });
  });

  it("the seed network's derivative program reports its ops and what it holds", () => {
    const model = seedModel(f32Weights(randomWeights("programs")));
    expectNoLeak("seed program", () => {
      const jitted = gt.jit(seedDerivatives(model));
      gt.tidy(() => { jitted(batchTensor(BATCH_A)); });
      const [p] = jitted.programs();
      expect(p.signature).toBe("f4x2x1;");
      expect(p.ops).toBeGreaterThan(10);
      // it holds at least the four weights it reads at every call
      expect(p.held).toBeGreaterThanOrEqual(4);
      jitted.dispose();
    });
    model.dispose();
  });
});
