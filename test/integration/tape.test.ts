// GradientTape semantics (TensorFlow 2): persistent vs non-persistent, nesting to third order, accumulation,
// what is and is not recorded, stopRecording, watchAccessedVariables, the structure of `sources`,
// outputGradients, jacobian / batchJacobian, start()/stop() and `using`, and the version counter.
// Expected values come from closed-form float64 formulas, the float64 jets of test/reference (exact
// derivatives) and central finite differences of the reference, never from gradtape.
import { describe, it, expect, beforeAll } from "vitest";
import * as gt from "gradtape";
import { dual as D, fd, scalar as S, Jet } from "../reference/index.js";
import { expectClose, expectError, expectExact, expectNoLeak, expectTensor, f32, live, vals, type Tensor } from "./helpers/check.js";

beforeAll(async () => { await gt.ready(); });

// Tolerances, norm-wise (relative to the largest expected entry), for float32 results against float64 truth:
// the transcendental kernels are accurate to < 4e-7 relative (kernels/math.ts); every derivative order adds a
// few float32 operations on values that may cancel (1 - t^2 near saturation), so the bound grows with the order.
const D1 = { rtol: 1e-5, normwise: true };
const D2 = { rtol: 3e-5, normwise: true };
const D3 = { rtol: 1e-4, normwise: true };

/** The n-th derivative of an element-wise f at x through n nested tapes (the outermost tape is made first). */
function nthDerivative(n: number, f: (x: Tensor) => Tensor, x: Tensor): Tensor {
  if (n === 0) return f(x);
  const tape = new gt.GradientTape();
  try {
    const y = tape.record(() => { tape.watch(x); return nthDerivative(n - 1, f, x); });
    const g = tape.gradient(y, x);
    if (g === null) throw new Error(`order ${n}: gradient is null`);
    return g;
  } finally { tape.dispose(); }
}

// x values: 7 of them (not a multiple of 4: SIMD tails), both signs, 0, and into saturation for tanh/sigmoid.
const XS = f32([-2.5, -1.2, -0.3, 0, 0.4, 1.1, 2.2]);

/** Closed-form derivatives 0..3 of the default PINN activations. */
const ANALYTIC: Record<string, { op: (x: Tensor) => Tensor; d: (x: number) => [number, number, number, number]; name: "tanh" | "sigmoid" | "exp" | "sin" }> = {
  tanh: {
    name: "tanh", op: (x) => x.tanh(),
    d: (x) => { const t = Math.tanh(x), u = 1 - t * t; return [t, u, -2 * t * u, u * (6 * t * t - 2)]; },
  },
  sigmoid: {
    name: "sigmoid", op: (x) => x.sigmoid(),
    d: (x) => { const s = S.sigmoid(x), u = s * (1 - s); return [s, u, u * (1 - 2 * s), u * (1 - 6 * s + 6 * s * s)]; },
  },
  exp: { name: "exp", op: (x) => x.exp(), d: (x) => { const e = Math.exp(x); return [e, e, e, e]; } },
  sin: { name: "sin", op: (x) => x.sin(), d: (x) => [Math.sin(x), Math.cos(x), -Math.sin(x), -Math.cos(x)] },
};

describe("nested tapes: derivatives to third order", () => {
  for (const [name, a] of Object.entries(ANALYTIC)) {
    it(`d/dx, d2/dx2, d3/dx3 of ${name} match the closed forms (checked against finite differences of the reference)`, () => {
      // The closed-form third derivative is itself checked against a finite difference of the reference's exact
      // second derivative (a float64 jet), so a wrong formula here cannot make a wrong gradtape result pass.
      for (const x of XS) {
        const want3 = a.d(x)[3];
        const fd3 = fd.derivative1((z) => D.unaryDerivatives(a.name, z)[2], x);
        expect(Math.abs(fd3 - want3), `${name}''' closed form at ${x}: ${want3} vs finite difference ${fd3}`).toBeLessThan(1e-8 * (1 + Math.abs(want3)));
      }
      expectNoLeak(name, () => gt.tidy(() => {
        const x = gt.tensor(XS);
        for (const order of [1, 2, 3] as const) {
          const got = nthDerivative(order, a.op, x);
          expectTensor(`${name} order ${order}`, got, [XS.length], XS.map((v) => a.d(v)[order]), [D1, D2, D3][order - 1]);
        }
      }));
    });
  }

  it("third derivative of a composite f(x) = tanh(x^2) * exp(-x) + sin(x) sigmoid(x) matches finite differences of the reference", () => {
    const jet = (x: number): Jet => {
      const v = D.variable(x, 0, 1);
      return D.add(D.mul(D.tanh(D.square(v)), D.exp(D.neg(v))), D.mul(D.sin(v), D.sigmoid(v)));
    };
    const f = (x: Tensor) => x.square().tanh().mul(x.neg().exp()).add(x.sin().mul(x.sigmoid()));
    const xs = f32([-1.7, -0.6, 0.2, 0.9, 1.5]);
    expectNoLeak("composite", () => gt.tidy(() => {
      const x = gt.tensor(xs);
      expectTensor("f'", nthDerivative(1, f, x), [5], xs.map((v) => jet(v).g[0]), D1);
      expectTensor("f''", nthDerivative(2, f, x), [5], xs.map((v) => jet(v).h[0]), D2);
      // the reference's third derivative: a central difference of its exact second derivative (~1e-10 accurate)
      expectTensor("f'''", nthDerivative(3, f, x), [5], xs.map((v) => fd.derivative1((z) => jet(z).h[0], v)), D3);
    }));
  });

  it("explicitly nested tapes (the user's pattern): d3/dx3 tanh at a scalar", () => {
    expectNoLeak("explicit", () => gt.tidy(() => {
      const x = gt.scalar(0.7);
      const t3 = new gt.GradientTape(), t2 = new gt.GradientTape(), t1 = new gt.GradientTape();
      let g1!: Tensor, g2!: Tensor;
      t3.record(() => {
        t3.watch(x);
        t2.record(() => {
          t2.watch(x);
          const y = t1.record(() => { t1.watch(x); return x.tanh(); });
          g1 = t1.gradient(y, x)!;
        });
        g2 = t2.gradient(g1, x)!;
      });
      const g3 = t3.gradient(g2, x)!;
      const [, d1, d2, d3] = ANALYTIC.tanh.d(Math.fround(0.7));
      expectTensor("g1", g1, [], [d1], D1);
      expectTensor("g2", g2, [], [d2], D2);
      expectTensor("g3", g3, [], [d3], D3);
      for (const t of [t1, t2, t3]) t.dispose();
    }));
  });
});

describe("persistent and non-persistent tapes", () => {
  it("a non-persistent tape gives one gradient; the second call is a GradientError that says how to fix it", () => {
    const before = live();
    gt.tidy(() => {
      const x = gt.tensor([1, 2, 3]);
      const tape = new gt.GradientTape();
      const y = tape.record(() => { tape.watch(x); return x.square(); });
      expectTensor("first gradient", tape.gradient(y, x), [3], [2, 4, 6], { rtol: 0 });
      expectError(() => tape.gradient(y, x), gt.GradientError, ["gradient", "not persistent", "persistent: true"]);
      expectError(() => tape.jacobian(y, x), gt.GradientError, ["jacobian", "persistent: true"]);
      expectError(() => tape.batchJacobian(y.reshape([3, 1]), x.reshape([3, 1])), gt.GradientError, ["batchJacobian", "persistent"]);
      tape.dispose();
      // the library still works: a new tape, a new gradient
      const tape2 = new gt.GradientTape();
      const z = tape2.record(() => { tape2.watch(x); return x.mul(x).mul(x); });
      expectTensor("after the error", tape2.gradient(z, x), [3], [3, 12, 27], { rtol: 1e-6 });
      tape2.dispose();
    });
    expect(live()).toEqual(before);
  });

  it("a persistent tape answers many gradient and jacobian calls, each the same", () => {
    expectNoLeak("persistent", () => gt.tidy(() => {
      const xs = f32([0.3, -0.8, 1.9]);
      const x = gt.tensor(xs);
      const tape = new gt.GradientTape({ persistent: true });
      expect(tape.persistent).toBe(true);
      let y1!: Tensor;
      const y2 = tape.record(() => { tape.watch(x); y1 = x.sin(); return y1.mul(x); });
      const want2 = xs.map((v) => Math.sin(v) + v * Math.cos(v));
      for (let k = 0; k < 3; k++) {
        expectTensor(`gradient #${k}`, tape.gradient(y2, x), [3], want2, D1);
        expectTensor(`gradient of the intermediate #${k}`, tape.gradient(y1, x), [3], xs.map(Math.cos), D1);
      }
      const J = tape.jacobian(y2, x);
      expectTensor("jacobian (diagonal)", J, [3, 3], [0, 1, 2].flatMap((i) => [0, 1, 2].map((j) => (i === j ? want2[i] : 0))), D1);
      expectTensor("gradient after jacobian", tape.gradient(y2, x), [3], want2, D1);
      tape.dispose();
      expectError(() => tape.gradient(y2, x), gt.GradientError, ["gradient", "disposed"]);
    }));
  });

  it("a non-persistent tape releases what it saved as soon as the gradient is computed (before dispose)", () => {
    const before = live();
    const x = gt.tensor([0.5, 1.5, -0.5, 2]);
    const tape = new gt.GradientTape();
    const g = gt.tidy(() => {
      const y = tape.record(() => { tape.watch(x); return x.exp().sin().mul(x.tanh()).sum(); });
      return tape.gradient(y, x)!;
    });
    // x and g are all that is left: the intermediates the backward rules saved are gone although the tape lives
    expect(live()).toEqual({ tensors: before.tensors + 2, bytes: before.bytes + 32, tapes: before.tapes + 1 });
    tape.dispose();
    x.dispose(); g.dispose();
    expect(live()).toEqual(before);
  });

  it("a persistent tape holds what it saved until dispose()", () => {
    const before = live();
    const x = gt.tensor([0.5, 1.5, -0.5, 2]);
    const tape = new gt.GradientTape({ persistent: true });
    gt.tidy(() => { tape.record(() => { tape.watch(x); return x.exp().sin().sum(); }); });
    expect(live().tensors, "saved intermediates are alive").toBeGreaterThan(before.tensors + 1);
    tape.dispose();
    expect(live()).toEqual({ ...before, tensors: before.tensors + 1, bytes: before.bytes + 16 });
    x.dispose();
    expect(live()).toEqual(before);
  });
});

describe("accumulation", () => {
  it("x * x (one op, the same tensor twice) gives 2x, and x*x*x gives 3x^2 and 6x at second order", () => {
    expectNoLeak("x*x", () => gt.tidy(() => {
      const xs = f32([-1.5, 0.25, 2, 3.5, -0.75]);
      const x = gt.tensor(xs);
      expectTensor("d(x*x)", nthDerivative(1, (v) => v.mul(v), x), [5], xs.map((v) => 2 * v), { rtol: 1e-6 });
      expectTensor("d(x+x)", nthDerivative(1, (v) => gt.add(v, v), x), [5], xs.map(() => 2), { rtol: 0 });
      expectTensor("d(x*x*x)", nthDerivative(1, (v) => v.mul(v).mul(v), x), [5], xs.map((v) => 3 * v * v), { rtol: 1e-6 });
      expectTensor("d2(x*x*x)", nthDerivative(2, (v) => v.mul(v).mul(v), x), [5], xs.map((v) => 6 * v), { rtol: 1e-6 });
      expectTensor("d3(x*x*x)", nthDerivative(3, (v) => v.mul(v).mul(v), x), [5], xs.map(() => 6), { rtol: 1e-6 });
    }));
  });

  it("x used in two branches: d/dx [sin x + x e^x] = cos x + e^x (1 + x)", () => {
    expectNoLeak("branches", () => gt.tidy(() => {
      const xs = f32([-2, -0.5, 0, 0.7, 1.3]);
      const x = gt.tensor(xs);
      const f = (v: Tensor) => v.sin().add(v.mul(v.exp()));
      expectTensor("first", nthDerivative(1, f, x), [5], xs.map((v) => Math.cos(v) + Math.exp(v) * (1 + v)), D1);
      expectTensor("second", nthDerivative(2, f, x), [5], xs.map((v) => -Math.sin(v) + Math.exp(v) * (2 + v)), D2);
    }));
  });

  it("a broadcast operand used twice accumulates over the broadcast axis: d/db sum((A + b) * b) = colsum(A) + 2 * rows * b", () => {
    expectNoLeak("broadcast", () => gt.tidy(() => {
      const A = [[1, 2, 3], [4, 5, 6], [-1, 0.5, 2], [0, 0, 1]];
      const bs = [0.5, -1, 2];
      const a = gt.tensor(A), b = gt.tensor(bs);
      const tape = new gt.GradientTape();
      const y = tape.record(() => { tape.watch(b); return a.add(b).mul(b).sum(); });
      const g = tape.gradient(y, b);
      tape.dispose();
      expectTensor("d/db", g, [3], bs.map((v, j) => A.reduce((s, r) => s + r[j], 0) + 2 * 4 * v), { rtol: 1e-6 });
    }));
  });

  it("gradient with respect to an intermediate and the input together, and the same source listed twice", () => {
    expectNoLeak("intermediate", () => gt.tidy(() => {
      const xs = f32([0.4, -1.1, 2.3]);
      const x = gt.tensor(xs);
      const tape = new gt.GradientTape();
      let y!: Tensor;
      const z = tape.record(() => { tape.watch(x); y = x.square(); return y.sin(); });
      const [gy, gx, gx2] = tape.gradient(z, [y, x, x]);
      tape.dispose();
      const want = xs.map((v) => Math.cos(Math.fround(v * v)));
      expectTensor("dz/dy", gy, [3], want, D1);
      expectTensor("dz/dx", gx, [3], xs.map((v, i) => want[i] * 2 * v), D1);
      expectTensor("dz/dx listed twice", gx2, [3], xs.map((v, i) => want[i] * 2 * v), D1);
    }));
  });
});

describe("what is recorded", () => {
  it("ops before record() are constants: z = (x^2 computed outside) * x has dz/dx = x^2, not 3x^2", () => {
    expectNoLeak("outside before", () => gt.tidy(() => {
      const xs = [1, 2, 3];
      const x = gt.tensor(xs);
      const y0 = x.square(); // no tape is active
      const tape = new gt.GradientTape({ persistent: true });
      const z = tape.record(() => { tape.watch(x); return y0.mul(x); });
      expectTensor("dz/dx", tape.gradient(z, x), [3], xs.map((v) => v * v), { rtol: 0 });
      expect(tape.gradient(z, y0), "y0 was never watched").toBeNull();
      // ops after record() returned are not recorded either
      const w = z.mul(2).add(x);
      expect(tape.gradient(w, x), "w was computed after record() ended").toBeNull();
      tape.dispose();
    }));
  });

  it("an exception inside record() stops the recording", () => {
    expectNoLeak("throw in record", () => gt.tidy(() => {
      const x = gt.tensor([1, 2]);
      const tape = new gt.GradientTape({ persistent: true });
      expect(() => tape.record(() => { tape.watch(x); x.square(); throw new Error("boom"); })).toThrow("boom");
      const z = x.mul(3);
      expect(tape.gradient(z, x), "ops after the failed record() must not be on the tape").toBeNull();
      // and the tape can record again
      const y = tape.record(() => x.mul(x));
      expectTensor("after", tape.gradient(y, x), [2], [2, 4], { rtol: 0 });
      tape.dispose();
    }));
  });

  it("an op is recorded on every active tape that watches one of its inputs, and only for what each tape tracks", () => {
    expectNoLeak("two tapes", () => gt.tidy(() => {
      const x = gt.tensor([1, 2]), w = gt.tensor([3, 5]);
      const a = new gt.GradientTape({ persistent: true }), b = new gt.GradientTape({ persistent: true });
      const y = a.record(() => b.record(() => { a.watch(x); b.watch(w); return x.mul(w).sum(); }));
      expectTensor("a: dy/dx", a.gradient(y, x), [2], [3, 5], { rtol: 0 });
      expect(a.gradient(y, w), "tape a does not track w").toBeNull();
      expectTensor("b: dy/dw", b.gradient(y, w), [2], [1, 2], { rtol: 0 });
      expect(b.gradient(y, x), "tape b does not track x").toBeNull();
      a.dispose(); b.dispose();
    }));
  });

  it("stopRecording pauses only its own tape: the value is a constant for it, while an outer tape still records", () => {
    expectNoLeak("stopRecording", () => gt.tidy(() => {
      const xs = f32([0.5, -1.5, 2]);
      const x = gt.tensor(xs);
      const outer = new gt.GradientTape({ persistent: true }), inner = new gt.GradientTape({ persistent: true });
      let c!: Tensor;
      const y = outer.record(() => inner.record(() => {
        outer.watch(x); inner.watch(x);
        c = inner.stopRecording(() => x.square());
        return c.mul(x);
      }));
      // inner: c is a constant, dy/dx = c = x^2; outer: y = x^3, dy/dx = 3x^2
      expectTensor("inner", inner.gradient(y, x), [3], xs.map((v) => v * v), { rtol: 1e-6 });
      expectTensor("outer", outer.gradient(y, x), [3], xs.map((v) => 3 * v * v), { rtol: 1e-6 });
      expect(inner.gradient(c, x), "c was made while inner was paused").toBeNull();
      expectTensor("outer dc/dx", outer.gradient(c, x), [3], xs.map((v) => 2 * v), { rtol: 1e-6 });
      // recording resumes after stopRecording returns
      const z = inner.record(() => x.sin());
      expectTensor("resumed", inner.gradient(z, x), [3], xs.map(Math.cos), D1);
      outer.dispose(); inner.dispose();
    }));
  });

  it("an inner gradient computed under outer.stopRecording() is a constant for the outer tape", () => {
    expectNoLeak("stopRecording gradient", () => gt.tidy(() => {
      const xs = f32([0.3, -1.2]);
      const x = gt.tensor(xs);
      const outer = new gt.GradientTape({ persistent: true }), inner = new gt.GradientTape();
      let recorded!: Tensor;
      const g = outer.record(() => {
        outer.watch(x);
        const y = inner.record(() => { inner.watch(x); return x.tanh(); });
        recorded = y.square();                               // recorded by outer: y depends on x
        return outer.stopRecording(() => inner.gradient(y, x)!);
      });
      expectTensor("g", g, [2], xs.map((v) => 1 - Math.tanh(v) ** 2), D1);
      expect(outer.gradient(g, x), "the backward pass was not recorded").toBeNull();
      expectTensor("but the forward pass was", outer.gradient(recorded, x), [2], xs.map((v) => 2 * Math.tanh(v) * (1 - Math.tanh(v) ** 2)), D1);
      outer.dispose(); inner.dispose();
    }));
  });

  it("start()/stop(): ops between them are recorded, ops after stop() are not", () => {
    expectNoLeak("start/stop", () => gt.tidy(() => {
      const x = gt.tensor([1, -2, 3]);
      const tape = new gt.GradientTape({ persistent: true }).start();
      tape.watch(x);
      const y = x.square();
      tape.stop();
      const z = y.mul(3);
      expectTensor("dy/dx", tape.gradient(y, x), [3], [2, -4, 6], { rtol: 0 });
      expect(tape.gradient(z, x), "z came after stop()").toBeNull();
      tape.start();
      const w = y.mul(x);
      tape.stop();
      expectTensor("dw/dx after restart", tape.gradient(w, x), [3], [3, 12, 27], { rtol: 0 });
      tape.dispose();
    }));
  });

  it("`using` disposes the tape at the end of the block and leaves an outer tape recording", () => {
    const before = live();
    gt.tidy(() => {
      const x = gt.tensor([0.5, 1, 1.5]);
      const outer = new gt.GradientTape({ persistent: true }).start();
      outer.watch(x);
      let escaped!: gt.GradientTape;
      {
        using tape = new gt.GradientTape().start();
        escaped = tape;
        tape.watch(x);
        const y = x.sin();
        expect(live().tapes).toBe(before.tapes + 2);
        expectTensor("inside the block", tape.gradient(y, x), [3], f32([0.5, 1, 1.5]).map(Math.cos), D1);
      }
      expect(live().tapes, "the block's tape is gone").toBe(before.tapes + 1);
      expectError(() => escaped.gradient(x, x), gt.GradientError, ["disposed"]);
      const z = x.square(); // still recorded by the outer tape
      outer.stop();
      expectTensor("outer still records", outer.gradient(z, x), [3], [1, 2, 3], { rtol: 0 });
      outer.dispose();
    });
    expect(live()).toEqual(before);
  });
});

describe("variables and watchAccessedVariables", () => {
  it("trainable variables are watched automatically; watchAccessedVariables: false needs an explicit watch", () => {
    const before = live();
    const v = gt.variable([1, -2, 3]);
    const frozen = gt.variable([4, 5, 6], false);
    gt.tidy(() => {
      const t1 = new gt.GradientTape();
      const y1 = t1.record(() => v.square().add(frozen).sum());
      const [gv, gf] = t1.gradient(y1, [v, frozen]);
      expectTensor("auto-watched", gv, [3], [2, -4, 6], { rtol: 0 });
      expect(gf, "a non-trainable variable is not watched").toBeNull();
      t1.dispose();

      const t2 = new gt.GradientTape({ watchAccessedVariables: false, persistent: true });
      expect(t2.watchAccessedVariables).toBe(false);
      const y2 = t2.record(() => v.square().sum());
      expect(t2.gradient(y2, v), "not watched when watchAccessedVariables is false").toBeNull();
      expectError(() => t2.gradient(y2, v, { unconnected: "error" }), gt.GradientError, ["source", "[3]", "never watched"]);
      const y3 = t2.record(() => { t2.watch(v); return v.mul(v).mul(v).sum(); });
      expectTensor("explicit watch", t2.gradient(y3, v), [3], [3, 12, 27], { rtol: 0 });
      t2.dispose();

      // setTrainable(false) stops the automatic watch
      v.setTrainable(false);
      const t3 = new gt.GradientTape();
      const y4 = t3.record(() => v.square().sum());
      expect(t3.gradient(y4, v)).toBeNull();
      t3.dispose();
      v.setTrainable(true);
    });
    v.dispose(); frozen.dispose();
    expect(live()).toEqual(before);
  });

  it("assign() between the forward pass and gradient() is a GradientError naming the op whose saved value changed", () => {
    const before = live();
    const v = gt.variable([1, 2, 3]);
    const W = gt.variable([[1, 0], [0, 1], [1, 1]]);
    gt.tidy(() => {
      const x = gt.tensor([0.5, -0.5, 2]);
      // mul saves both operands
      const t1 = new gt.GradientTape();
      const y1 = t1.record(() => v.mul(x).sum());
      v.assign(gt.tensor([7, 8, 9]));
      expectError(() => t1.gradient(y1, v), gt.GradientError, ["gradient", "Mul", "modified in place", /assign|Assign/]);
      t1.dispose();
      // matMul saves its operands
      const t2 = new gt.GradientTape();
      const y2 = t2.record(() => x.reshape([1, 3]).matMul(W).sum());
      W.assign(gt.zeros([3, 2]));
      expectError(() => t2.gradient(y2, W), gt.GradientError, ["gradient", "MatMul", "modified in place"]);
      t2.dispose();
      // add saves nothing: an assign afterwards changes nothing the gradient needs, so it is not an error
      const t3 = new gt.GradientTape();
      const y3 = t3.record(() => v.add(x).sum());
      v.assign(gt.tensor([0, 0, 0]));
      expectTensor("add saved nothing", t3.gradient(y3, v), [3], [1, 1, 1], { rtol: 0 });
      t3.dispose();
      // after the errors: a fresh gradient works on the new values
      const t4 = new gt.GradientTape();
      const y4 = t4.record(() => W.square().sum());
      expectTensor("after", t4.gradient(y4, W), [3, 2], [0, 0, 0, 0, 0, 0], { rtol: 0 });
      t4.dispose();
    });
    v.dispose(); W.dispose();
    expect(live()).toEqual(before);
  });
});

describe("sources, outputGradients", () => {
  it("sources as a tensor, an array or an object give the same structure back", () => {
    expectNoLeak("structure", () => gt.tidy(() => {
      const a = gt.tensor([1, 2]), b = gt.tensor([[3], [4]]), c = gt.tensor(5);
      const tape = new gt.GradientTape({ persistent: true });
      const y = tape.record(() => { tape.watch([a, b, c]); return a.mul(c).sum().add(b.square().sum()); });
      const one = tape.gradient(y, a);
      expect(one).toBeInstanceOf(gt.Tensor);
      expectTensor("single", one, [2], [5, 5], { rtol: 0 });
      const arr = tape.gradient(y, [c, a, b]);
      expect(Array.isArray(arr)).toBe(true);
      expect(arr.length).toBe(3);
      expectTensor("arr[0]", arr[0], [], [3], { rtol: 0 });
      expectTensor("arr[1]", arr[1], [2], [5, 5], { rtol: 0 });
      expectTensor("arr[2]", arr[2], [2, 1], [6, 8], { rtol: 0 });
      const obj = tape.gradient(y, { weight: b, bias: a, scale: c });
      expect(Object.keys(obj)).toEqual(["weight", "bias", "scale"]);
      expectTensor("obj.weight", obj.weight, [2, 1], [6, 8], { rtol: 0 });
      expectTensor("obj.bias", obj.bias, [2], [5, 5], { rtol: 0 });
      expectTensor("obj.scale", obj.scale, [], [3], { rtol: 0 });
      expect(tape.gradient(y, [])).toEqual([]);
      tape.dispose();
    }));
  });

  it("outputGradients weights the target's cotangent: vector and matrix targets", () => {
    expectNoLeak("outputGradients", () => gt.tidy(() => {
      const xs = [1, -2, 0.5];
      const x = gt.tensor(xs);
      const tape = new gt.GradientTape({ persistent: true });
      const A = [[1, 2, 3], [0, -1, 4]];
      const X = [[0.5, 1], [2, -1], [1.5, 0]];
      const At = gt.tensor(A), Xt = gt.tensor(X);
      const [y, Y] = tape.record(() => { tape.watch([x, Xt]); return [x.square(), At.matMul(Xt)]; });
      const w = [0.25, 3, -1];
      expectTensor("d<w, x^2>/dx", tape.gradient(y, x, { outputGradients: gt.tensor(w) }), [3], xs.map((v, i) => 2 * v * w[i]), { rtol: 0 });
      // d<G, A X>/dX = A^T G
      const G = [[1, -2], [0.5, 3]];
      const want = [0, 1, 2].flatMap((k) => [0, 1].map((j) => A[0][k] * G[0][j] + A[1][k] * G[1][j]));
      expectTensor("A^T G", tape.gradient(Y, Xt, { outputGradients: gt.tensor(G) }), [3, 2], want, { rtol: 1e-6 });
      tape.dispose();
    }));
  });

  it("outputGradients of the wrong shape is an error naming both shapes, and the tape is still usable", () => {
    expectNoLeak("bad outputGradients", () => gt.tidy(() => {
      const x = gt.tensor([1, 2, 3]);
      const tape = new gt.GradientTape();
      const y = tape.record(() => { tape.watch(x); return x.square(); });
      const e = expectError(() => tape.gradient(y, x, { outputGradients: gt.tensor([1, 2, 3, 4]) }), gt.GradtapeError, ["outputGradients", "[4]", "[3]"]);
      expect(e instanceof gt.ShapeError || e instanceof gt.ArgumentError, `${e.name} should be ShapeError or ArgumentError`).toBe(true);
      expectError(() => tape.gradient(y, x, { outputGradients: gt.tensor([[1, 2, 3]]) }), gt.GradtapeError, ["outputGradients", "[1, 3]", "[3]"]);
      // a rejected argument does not use up the non-persistent tape
      expectTensor("then a valid call", tape.gradient(y, x), [3], [2, 4, 6], { rtol: 0 });
      tape.dispose();
    }));
  });
});

// R^3 -> R^4 test function, in gradtape ops and in float64
const F = {
  gt(x: Tensor): Tensor {
    const [a, b, c] = [x.index(0), x.index(1), x.index(2)];
    return gt.stack([a.mul(b).sin(), a.square().add(c.exp()), b.sub(c).tanh(), a.mul(b).mul(c)]);
  },
  ref(x: ArrayLike<number>): number[] {
    const [a, b, c] = [x[0], x[1], x[2]];
    return [Math.sin(a * b), a * a + Math.exp(c), Math.tanh(b - c), a * b * c];
  },
};

describe("jacobian and batchJacobian", () => {
  it("jacobian of R^3 -> R^4 has shape [4, 3] and matches finite differences of the reference", () => {
    expectNoLeak("jacobian", () => gt.tidy(() => {
      const xs = f32([0.7, -1.3, 0.4]);
      const x = gt.tensor(xs);
      const tape = new gt.GradientTape({ persistent: true });
      const y = tape.record(() => { tape.watch(x); return F.gt(x); });
      const want = fd.jacobian(F.ref, xs).flat();
      expectTensor("J", tape.jacobian(y, x), [4, 3], want, D1);
      // target of shape [2, 2]: J[i, j, k]
      const y2 = tape.record(() => y.reshape([2, 2]));
      expectTensor("J of a [2,2] target", tape.jacobian(y2, x), [2, 2, 3], want, D1);
      // scalar target: the jacobian is the gradient
      const s = tape.record(() => y.sum());
      const colsum = [0, 1, 2].map((k) => fd.jacobian(F.ref, xs).reduce((acc, r) => acc + r[k], 0));
      expectTensor("J of a scalar", tape.jacobian(s, x), [3], colsum, D1);
      tape.dispose();
    }));
  });

  it("jacobian with respect to a matrix: d(W v)_i / dW_jk = delta_ij v_k, exactly", () => {
    expectNoLeak("jacobian matrix", () => gt.tidy(() => {
      const W = gt.tensor([[1, 2, 3], [4, 5, 6]]);
      const vv = [0.5, -1, 2];
      const v = gt.tensor(vv, [3, 1]);
      const tape = new gt.GradientTape();
      const y = tape.record(() => { tape.watch(W); return W.matMul(v); });
      const want: number[] = [];
      for (let i = 0; i < 2; i++) for (let j = 0; j < 2; j++) for (let k = 0; k < 3; k++) want.push(i === j ? vv[k] : 0);
      expectTensor("J", tape.jacobian(y, W), [2, 1, 2, 3], want, { rtol: 0 });
      tape.dispose();
    }));
  });

  it("batchJacobian of per-example R^3 -> R^4 over a batch of 5 has shape [5, 4, 3] and matches per-example finite differences", () => {
    expectNoLeak("batchJacobian", () => gt.tidy(() => {
      const B = 5;
      const pts = [[0.7, -1.3, 0.4], [0, 0, 0], [1.2, 0.3, -0.9], [-0.4, 2.1, 0.6], [0.05, -0.2, 1.4]].map(f32);
      const X = gt.tensor(pts);
      const tape = new gt.GradientTape({ persistent: true });
      const rowF = (Xb: Tensor) => {
        const col = (i: number) => Xb.slice([0, i], [B, 1]);
        const [a, b, c] = [col(0), col(1), col(2)];
        return gt.concat([a.mul(b).sin(), a.square().add(c.exp()), b.sub(c).tanh(), a.mul(b).mul(c)], 1);
      };
      const Y = tape.record(() => { tape.watch(X); return rowF(X); });
      expect([...Y.shape]).toEqual([5, 4]);
      const want = pts.flatMap((p) => fd.jacobian(F.ref, p).flat());
      expectTensor("batch J", tape.batchJacobian(Y, X), [5, 4, 3], want, D1);
      // a target with one value per example: [B] against [B, 3] gives [B, 3] (the per-example gradient)
      const s = tape.record(() => Y.sum(1));
      const wantS = pts.flatMap((p) => [0, 1, 2].map((k) => fd.jacobian(F.ref, p).reduce((acc, r) => acc + r[k], 0)));
      expectTensor("batch gradient", tape.batchJacobian(s, X), [5, 3], wantS, D1);
      expectError(() => tape.batchJacobian(s.slice(0, 4), X), gt.ArgumentError, ["batchJacobian", "[4]", "[5, 3]"]);
      tape.dispose();
    }));
  });

  it("a jacobian computed under an outer tape is differentiable (Hessian of sum(F) by jacobian of a jacobian)", () => {
    expectNoLeak("jacobian of jacobian", () => gt.tidy(() => {
      const xs = f32([0.7, -1.3, 0.4]);
      const x = gt.tensor(xs);
      const outer = new gt.GradientTape(), inner = new gt.GradientTape();
      const g = outer.record(() => {
        outer.watch(x);
        const s = inner.record(() => { inner.watch(x); return F.gt(x).sum(); });
        return inner.jacobian(s, x)!;
      });
      const H = outer.jacobian(g, x);
      outer.dispose(); inner.dispose();
      const sumF = (z: Float64Array) => F.ref(z).reduce((a, b) => a + b, 0);
      expectTensor("H", H, [3, 3], fd.hessian(sumF, xs).flat(), { rtol: 3e-5, normwise: true, atol: 1e-6 });
    }));
  });
});

describe("tapes and memory()", () => {
  it("memory().tapes counts live tapes", () => {
    const before = live();
    const tapes = [new gt.GradientTape(), new gt.GradientTape({ persistent: true })];
    expect(live().tapes).toBe(before.tapes + 2);
    tapes[0].dispose();
    tapes[0].dispose(); // a second dispose is harmless
    expect(live().tapes).toBe(before.tapes + 1);
    tapes[1].dispose();
    expect(live()).toEqual(before);
  });

  it("pure data movement through a gradient is exact", () => {
    expectNoLeak("exact", () => gt.tidy(() => {
      const x = gt.tensor([[1, 2, 3], [4, 5, 6]]);
      const w = gt.tensor([[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]]);
      const tape = new gt.GradientTape();
      const y = tape.record(() => { tape.watch(x); return x.transpose().mul(w).sum(); });
      const g = tape.gradient(y, x)!;
      tape.dispose();
      expectExact("transpose of w", vals(g), [0.1, 0.3, 0.5, 0.2, 0.4, 0.6]);
    }));
  });
});
