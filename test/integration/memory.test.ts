// memory(): the same before and after a gradient computation under tidy; flat over 1,000 iterations of a small
// PINN-like training step (input derivatives through nested tapes, then the weight gradient, then an SGD update with
// variable.assign); no leak after errors (shape mismatch, disposed tensor, second gradient on a non-persistent tape,
// wrong outputGradients shape, a non-numeric value in tensor(), an in-place update) and the library still works;
// tapes are counted and released; the FinalizationRegistry safety net frees tensors and tapes that are dropped.
import { describe, it, expect, beforeAll } from "vitest";
import v8 from "node:v8";
import vm from "node:vm";
import * as gt from "gradtape";
import { expectError, expectNoLeak, expectTensor, live, type Tensor } from "./helpers/check.js";

beforeAll(async () => { await gt.ready(); });

/** memory() fields that must not move once a loop is in its steady state. */
function steady() {
  const m = gt.memory();
  return { tensors: m.tensors, bytes: m.bytes, tapes: m.tapes, reservedBytes: m.reservedBytes, wasmBytes: m.wasmBytes };
}

describe("one gradient computation", () => {
  it("memory() is identical before and after a gradient computation under tidy (tape disposed)", () => {
    const x = gt.tensor([[0.1, 0.2], [0.3, -0.4], [1.5, 2]]);
    const before = gt.memory();
    const g = gt.tidy(() => {
      const tape = new gt.GradientTape();
      const y = tape.record(() => { tape.watch(x); return x.tanh().mul(x.sin()).sum(); });
      const r = tape.gradient(y, x)!;
      tape.dispose();
      return r.sum().item();
    });
    expect(Number.isFinite(g)).toBe(true);
    const after = gt.memory();
    expect({ tensors: after.tensors, bytes: after.bytes, tapes: after.tapes }).toEqual({ tensors: before.tensors, bytes: before.bytes, tapes: before.tapes });
    x.dispose();
  });

  it("a persistent tape with nested tapes and a jacobian: identical after dispose", () => {
    const x = gt.tensor([0.3, -0.7, 1.1]);
    expectNoLeak("nested + jacobian", () => gt.tidy(() => {
      const outer = new gt.GradientTape({ persistent: true }), inner = new gt.GradientTape({ persistent: true });
      const g = outer.record(() => {
        outer.watch(x);
        const y = inner.record(() => { inner.watch(x); return x.exp().mul(x.sigmoid()).sum(); });
        return inner.gradient(y, x)!;
      });
      outer.jacobian(g, x);
      outer.gradient(g, x);
      outer.batchJacobian(g.reshape([3, 1]), x.reshape([3, 1]));
      outer.dispose(); inner.dispose();
    }));
    x.dispose();
  });
});

// ---------------------------------------------------------------------------------------------------------------
// A small PINN for viscous Burgers' u_t + u u_x - nu u_xx = 0: u(x, t) = MLP 2 -> 8 tanh -> 8 tanh -> 1.
function makeModel() {
  return new gt.nn.Sequential([
    new gt.nn.Dense({ units: 8, activation: "tanh", seed: 11, inputShape: [2] }),
    new gt.nn.Dense({ units: 8, activation: "tanh", seed: 12 }),
    new gt.nn.Dense({ units: 1, seed: 13 }),
  ]);
}

/** One training step; returns the loss (a number). Everything but the updated weights is freed. */
function trainStep(model: gt.nn.Sequential, X: Tensor, U0: Tensor, lr: number): number {
  return gt.tidy(() => {
    const tw = new gt.GradientTape(), t2 = new gt.GradientTape(), t1 = new gt.GradientTape();
    try {
      const loss = tw.record(() => {
        const N = X.shape[0];
        let u!: Tensor, ux!: Tensor, ut!: Tensor;
        t2.record(() => {
          t2.watch(X);
          u = t1.record(() => { t1.watch(X); return model.apply(X); });      // [N, 1]
          const g = t1.gradient(u, X)!;                                       // [N, 2]: u_x, u_t per point
          ux = g.slice([0, 0], [N, 1]);                                       // recorded on t2 (and tw)
          ut = g.slice([0, 1], [N, 1]);
        });
        const uxx = t2.gradient(ux, X)!.slice([0, 0], [N, 1]);
        const residual = ut.add(u.mul(ux)).sub(uxx.mul(0.01 / Math.PI));
        return residual.square().mean().add(u.sub(U0).square().mean());
      });
      const weights = model.trainableWeights;
      const grads = tw.gradient(loss, weights);
      weights.forEach((w, i) => w.assign(w.sub(grads[i]!.mul(lr))));
      return loss.item();
    } finally { tw.dispose(); t2.dispose(); t1.dispose(); }
  });
}

describe("a training loop", () => {
  it("1,000 PINN steps (nested tapes for u_x, u_t, u_xx, weight gradient, SGD by assign): memory() flat, loss decreasing", () => {
    const N = 16;
    const pts: number[][] = [];
    for (let i = 0; i < N; i++) pts.push([-1 + (2 * i) / (N - 1), (i % 4) / 4]);
    const X = gt.tensor(pts);
    const U0 = gt.tensor(pts.map((p) => [-Math.sin(Math.PI * p[0])]));
    const model = makeModel();
    gt.tidy(() => { model.apply(X); });            // builds the layers' weights (6 variables)
    expect(model.trainableWeights.length).toBe(6);
    const baseline = live();
    const first = trainStep(model, X, U0, 0.05);
    trainStep(model, X, U0, 0.05);                 // the allocator's pools reach their steady state
    const { wasmBytes: _w, ...start } = steady();
    expect({ tensors: start.tensors, bytes: start.bytes, tapes: start.tapes }).toEqual(baseline);
    let last = first;
    let wasmAt500 = 0;
    for (let i = 3; i <= 1000; i++) {
      last = trainStep(model, X, U0, 0.05);
      if (i === 10 || i === 100 || i === 500 || i === 1000) {
        // tensor records, their bytes, tapes and the tensor allocator's reservation: exactly as after step 2
        const { wasmBytes, ...now } = steady();
        expect(now, `memory() after step ${i}`).toEqual(start);
        // the core's own heap (records, shape arrays, tape nodes; garbage-collected) may warm up, then must stop
        if (i === 500) wasmAt500 = wasmBytes;
        if (i === 1000) expect(wasmBytes, "wasm memory grew between step 500 and step 1000").toBe(wasmAt500);
      }
    }
    expect(Number.isFinite(last)).toBe(true);
    expect(last, `loss should fall: step 1 ${first}, step 1000 ${last}`).toBeLessThan(first * 0.5);
    model.dispose(); X.dispose(); U0.dispose();
    expect(live().tensors).toBe(baseline.tensors - 8); // X, U0 and the 6 weight variables are gone
  });

  it("100 steps that compute jacobian, batchJacobian and hessian each: memory() flat", () => {
    const X = gt.tensor([[0.1, 0.2], [-0.5, 0.9], [0.7, -0.3]]);
    const W = gt.variable([[0.5, -1, 0.25], [1.5, 0.2, -0.7]]);
    const step = () => gt.tidy(() => {
      const outer = new gt.GradientTape(), inner = new gt.GradientTape({ persistent: true });
      const g = outer.record(() => {
        outer.watch(X);
        const y = inner.record(() => { inner.watch(X); return X.matMul(W).tanh(); });   // [3, 3]
        inner.jacobian(y, X);
        return inner.batchJacobian(y, X)!;                                          // [3, 3, 2]
      });
      outer.batchJacobian(g.sum(1), X);
      gt.hessian((x) => x.matMul(W).sigmoid().sum())(X);
      inner.dispose(); outer.dispose();
    });
    step(); step();
    const { wasmBytes: _w, ...start } = steady();
    for (let i = 0; i < 100; i++) step();
    const { wasmBytes: _w2, ...end } = steady();
    expect(end).toEqual(start);
    X.dispose(); W.dispose();
  });
});

describe("no leak after errors, and the library still works", () => {
  const x = () => gt.tensor([0.5, -1, 2]);

  /** Runs fn 20 times under tidy (each must throw `cls`), then checks memory() and that a gradient still works. */
  function afterError(label: string, cls: new (...a: never[]) => Error, parts: (string | RegExp)[], fn: () => void): void {
    const before = live();
    for (let i = 0; i < 20; i++) expectError(() => gt.tidy(fn), cls, parts);
    expect(live(), `${label}: memory() after 20 errors`).toEqual(before);
    expectNoLeak(`${label}: still works`, () => gt.tidy(() => {
      const v = gt.tensor([1, 2, 3]);
      const tape = new gt.GradientTape();
      const y = tape.record(() => { tape.watch(v); return v.mul(v).sum(); });
      expectTensor(`${label}: gradient afterwards`, tape.gradient(y, v), [3], [2, 4, 6], { rtol: 0 });
      tape.dispose();
    }));
  }

  it("a shape mismatch in the middle of a recorded forward pass", () => {
    afterError("shape mismatch", gt.ShapeError, ["add", "[3]", "[4]"], () => {
      const tape = new gt.GradientTape();
      try {
        const v = x();
        tape.record(() => { tape.watch(v); return v.exp().sin().add(gt.ones([4])); });
      } finally { tape.dispose(); }
    });
  });

  it("a shape mismatch while computing a gradient of a gradient (the error comes from inside backward ops' caller)", () => {
    afterError("nested shape mismatch", gt.ShapeError, ["mul"], () => {
      const outer = new gt.GradientTape(), inner = new gt.GradientTape();
      try {
        const v = x();
        outer.record(() => {
          outer.watch(v);
          const y = inner.record(() => { inner.watch(v); return v.tanh().sum(); });
          const g = inner.gradient(y, v)!;
          return g.mul(gt.ones([2]));
        });
      } finally { outer.dispose(); inner.dispose(); }
    });
  });

  it("using a disposed tensor (in an op and as a gradient source)", () => {
    afterError("disposed op", gt.DisposedTensorError, ["disposed"], () => {
      const v = x();
      const w = v.square();
      w.dispose();
      w.add(v);
    });
    afterError("disposed source", gt.DisposedTensorError, ["gradient", "disposed"], () => {
      const tape = new gt.GradientTape();
      try {
        const v = x(), s = x();
        const y = tape.record(() => { tape.watch(v); return v.exp().sum(); });
        s.dispose();
        tape.gradient(y, [v, s]);
      } finally { tape.dispose(); }
    });
  });

  it("a second gradient on a non-persistent tape", () => {
    afterError("second gradient", gt.GradientError, ["persistent"], () => {
      const tape = new gt.GradientTape();
      try {
        const v = x();
        const y = tape.record(() => { tape.watch(v); return v.sigmoid().mul(v).sum(); });
        tape.gradient(y, v);
        tape.gradient(y, v);
      } finally { tape.dispose(); }
    });
  });

  it("outputGradients of the wrong shape", () => {
    afterError("outputGradients", gt.GradtapeError, ["outputGradients"], () => {
      const tape = new gt.GradientTape();
      try {
        const v = x();
        const y = tape.record(() => { tape.watch(v); return v.exp(); });
        tape.gradient(y, v, { outputGradients: gt.ones([2, 3]) });
      } finally { tape.dispose(); }
    });
  });

  it("keep() of something that is not a tensor (a number, an array of tensors)", () => {
    afterError("keep(5)", gt.ArgumentError, ["keep", "Tensor or Variable", "5"], () => { x(); gt.keep(5 as never); });
    afterError("keep([a, b])", gt.ArgumentError, ["keep", "call keep on each"], () => { gt.keep([x(), x()] as never); });
  });

  it("a non-numeric value in tensor()", () => {
    afterError("tensor()", gt.ArgumentError, ["tensor", "string"], () => {
      const tape = new gt.GradientTape();
      try {
        const v = x();
        tape.record(() => { tape.watch(v); const y = v.exp(); return y.mul(gt.tensor([1, "2" as never, 3])); });
      } finally { tape.dispose(); }
    });
  });

  it("an in-place update between forward and gradient (gradient and jacobian)", () => {
    const v = gt.variable([1, 2, 3]);
    afterError("in-place", gt.GradientError, ["modified in place"], () => {
      const tape = new gt.GradientTape();
      try {
        const y = tape.record(() => v.mul(v).exp());
        v.assign(v.add(1));
        tape.gradient(y, v);
      } finally { tape.dispose(); }
    });
    afterError("in-place jacobian", gt.GradientError, ["jacobian", "modified in place"], () => {
      const tape = new gt.GradientTape();
      try {
        const y = tape.record(() => v.mul(v).exp());
        v.assign(v.sub(1));
        tape.jacobian(y, v);
      } finally { tape.dispose(); }
    });
    v.dispose();
  });

  it("an unconnected source with unconnected: 'error', after the other sources' gradients were made", () => {
    afterError("unconnected", gt.GradientError, ["sources[2]", "never watched"], () => {
      const tape = new gt.GradientTape();
      try {
        const a = x(), b = x(), c = x();
        const y = tape.record(() => { tape.watch([a, b]); return a.mul(b).exp().sum(); });
        tape.gradient(y, [a, b, c], { unconnected: "error" });
      } finally { tape.dispose(); }
    });
  });
});

describe("tapes", () => {
  it("a tape that records and is disposed without a gradient releases everything it saved", () => {
    expectNoLeak("record only", () => gt.tidy(() => {
      const v = gt.tensor([1, 2, 3, 4, 5]);
      for (let i = 0; i < 10; i++) {
        const tape = new gt.GradientTape({ persistent: i % 2 === 0 });
        tape.record(() => { tape.watch(v); return v.exp().tanh().mul(v.sigmoid()).reshape([1, 5]).matMul(gt.ones([5, 1])); });
        tape.dispose();
      }
    }));
  });
});

// Last in this file: after it, finalizers may run at any time, so no later test could rely on exact counts.
describe("the FinalizationRegistry safety net", () => {
  it("frees tensors and tapes that are dropped without dispose()", async () => {
    v8.setFlagsFromString("--expose-gc");
    const gc = vm.runInNewContext("gc") as () => void;
    // let anything earlier tests dropped be collected first, so that only this test's garbage is counted
    const collect = async (until: () => boolean) => {
      for (let k = 0; k < 100 && !until(); k++) { gc(); await new Promise((r) => setTimeout(r, 10)); }
    };
    let prev = "";
    await collect(() => { const now = JSON.stringify(live()); const same = now === prev; prev = now; return same; });
    const before = live();
    (() => {
      for (let i = 0; i < 50; i++) {
        const a = gt.tensor([1, 2, 3, 4]);
        const tape = new gt.GradientTape({ persistent: true });
        tape.record(() => { tape.watch(a); return a.exp().sum(); });
      }
    })();
    expect(live().tensors, "dropped tensors are alive until collected").toBeGreaterThan(before.tensors);
    expect(live().tapes, "dropped tapes are alive until collected").toBe(before.tapes + 50);
    await collect(() => JSON.stringify(live()) === JSON.stringify(before));
    expect(live()).toEqual(before);
  });

  it("does not release again what dispose() released, when a tape still holds the record", async () => {
    v8.setFlagsFromString("--expose-gc");
    const gc = vm.runInNewContext("gc") as () => void;
    // made outside tidy (so the finalizer is armed), saved by a persistent tape (exp keeps its output), disposed,
    // then dropped: the finalizer's late callback must not drop the tape's reference to the saved output
    const tape = new gt.GradientTape({ persistent: true });
    const x = gt.tensor([0.5, -1, 2]);
    let y: gt.Tensor | null = null;
    const target = (() => {
      let yy: gt.Tensor;
      const s = tape.record(() => { tape.watch(x); yy = x.exp(); return yy.sum(); });
      y = yy!;
      return s;
    })();
    const records = gt.memory().tensors;
    y!.dispose();  // the TS reference goes; the record stays, held by the tape
    y = null;
    for (let k = 0; k < 20; k++) { gc(); await new Promise((r) => setTimeout(r, 5)); }
    expect(gt.memory().tensors, "the saved output's record is still held by the tape").toBe(records);
    // d sum(exp x) / dx = exp x, read through the saved output: wrong or an error if it had been freed
    const g = tape.gradient(target, x) as gt.Tensor;
    const want = [0.5, -1, 2].map(Math.exp);
    Array.from(g.data()).forEach((v, i) => expect(v).toBeCloseTo(want[i], 5));
    g.dispose(); target.dispose(); x.dispose(); tape.dispose();
  });
});
