// Views as gradient sources: `inp.index(0, 0)`, `inp.slice(...)`, reshape and transpose views made AFTER the
// forward pass (TensorFlow answers None for `tape.gradient(f, inp[0][0])`; gradtape answers with the matching part
// of the gradient with respect to the parent), also under nested tapes (second and third derivatives with respect to
// a view), for jacobian/batchJacobian, and for variables.
import { describe, it, expect, beforeAll } from "vitest";
import * as gt from "gradtape";
import { nd, fd, mlpJet, mlpForward, randomWeights, type Weights } from "../reference/index.js";
import { expectClose, expectExact, expectNoLeak, expectTensor, vals, type Tensor } from "./helpers/check.js";

beforeAll(async () => { await gt.ready(); });

const D1 = { rtol: 1e-5, normwise: true };
const D2 = { rtol: 3e-5, normwise: true };
const D3 = { rtol: 1e-4, normwise: true };

// ---------------------------------------------------------------------------------------------------------------
// A small f(x, t) network fed a [1, 2, 1] tensor, as in the original report: flatten -> Dense(5, tanh) ->
// Dense(1, sigmoid). Weights from the reference's seeded generator, rounded to float32 so both sides use the
// same numbers; the reference evaluates it with exact float64 jets.
function f32Weights(w: Weights): Weights {
  return { layers: w.layers.map((L) => ({ kernel: L.kernel.map((r) => r.map(Math.fround)), bias: L.bias.map(Math.fround), activation: L.activation })) };
}
const NET = f32Weights(randomWeights("views-net", [2, 5, 1], ["tanh", "sigmoid"]));

function net(inp: Tensor, w: Weights = NET): Tensor {
  return gt.tidy(() => {
    let h = inp.reshape([inp.shape[0], -1]);
    for (const L of w.layers) {
      h = h.matMul(gt.tensor(L.kernel)).add(gt.tensor(L.bias));
      h = L.activation === "tanh" ? h.tanh() : L.activation === "sigmoid" ? h.sigmoid() : h;
    }
    return h;
  });
}

const POINT: [number, number] = [Math.fround(0.6), Math.fround(-0.35)];

describe("views of the input made after the forward pass", () => {
  it("inp.index(0, 0) and inp.index(0, 1) give df/dx and df/dt (TensorFlow: None)", () => {
    expectNoLeak("index", () => gt.tidy(() => {
      const inp = gt.tensor([[[POINT[0]], [POINT[1]]]]);
      const tape = new gt.GradientTape({ persistent: true });
      const f = tape.record(() => { tape.watch(inp); return net(inp); });
      const jet = mlpJet(NET, POINT)[0];
      // made after the forward pass
      const x = inp.index(0, 0), t = inp.index(0, 1);
      expectTensor("df/dx", tape.gradient(f, x), [1], [jet.g[0]], D1);
      expectTensor("df/dt", tape.gradient(f, t), [1], [jet.g[1]], D1);
      const [gx, gt_] = tape.gradient(f, [x, t], { unconnected: "error" });
      expectTensor("[x, t][0]", gx, [1], [jet.g[0]], D1);
      expectTensor("[x, t][1]", gt_, [1], [jet.g[1]], D1);
      // the parent's gradient, and views of other shapes
      const full = tape.gradient(f, inp)!;
      expectTensor("df/dinp", full, [1, 2, 1], [jet.g[0], jet.g[1]], D1);
      expectExact("index(0,0) is exactly the parent's entry", vals(gx), [vals(full)[0]]);
      expectExact("index(0,1) is exactly the parent's entry", vals(gt_), [vals(full)[1]]);
      expectTensor("index(0)", tape.gradient(f, inp.index(0)), [2, 1], [jet.g[0], jet.g[1]], D1);
      expectTensor("index(0, 1, 0) (rank 0)", tape.gradient(f, inp.index(0, 1, 0)), [], [jet.g[1]], D1);
      expectTensor("slice t", tape.gradient(f, inp.slice([0, 1, 0], [1, 1, 1])), [1, 1, 1], [jet.g[1]], D1);
      expectTensor("reshape [2]", tape.gradient(f, inp.reshape([2])), [2], [jet.g[0], jet.g[1]], D1);
      expectTensor("transpose", tape.gradient(f, inp.transpose([2, 1, 0])), [1, 2, 1], [jet.g[0], jet.g[1]], D1);
      tape.dispose();
    }));
  });

  it("slices (offset, strided, reversed), reshape, transpose and views of views of a [3, 4] matrix", () => {
    expectNoLeak("matrix views", () => gt.tidy(() => {
      const Xv = nd.roundF32(nd.fromNested([[0.1, -0.7, 1.3, 2.0], [0.4, 0.9, -1.6, 0.25], [-2.2, 0.05, 0.8, -0.45]]));
      const Cv = nd.roundF32(nd.fromNested([[1, 2, -1, 0.5], [3, -2, 0.25, 1], [-1.5, 1, 2, -0.75]]));
      // f = sum(sin(X) * C) ; df/dX = cos(X) * C
      const G = nd.map2(nd.map(Xv, Math.cos), Cv, (a, b) => a * b);
      const X = gt.tensor(Array.from(Xv.data), [3, 4]), C = gt.tensor(Array.from(Cv.data), [3, 4]);
      const tape = new gt.GradientTape({ persistent: true });
      const f = tape.record(() => { tape.watch(X); return X.sin().mul(C).sum(); });
      const full = tape.gradient(f, X)!;
      expectTensor("df/dX", full, [3, 4], G.data, D1);
      const fullV = nd.fromNested(full.array() as number[][]);
      type NDArray = ReturnType<typeof nd.slice>;
      const cases: [string, Tensor, (a: NDArray) => NDArray][] = [
        ["index(1)", X.index(1), (a) => nd.index(a, 1)],
        ["index(2, 3)", X.index(2, 3), (a) => nd.index(a, 2, 3)],
        ["index(-1) (negative index)", X.index(-1), (a) => nd.index(a, 2)],
        ["slice cols 1..2", X.slice([0, 1], [3, 2]), (a) => nd.slice(a, [0, 1], [3, 2])],
        ["slice to the end", X.slice([1, 2]), (a) => nd.slice(a, [1, 2])],
        ["strided slice", X.slice([0, 0], [2, 2], [2, 2]), (a) => nd.slice(a, [0, 0], [2, 2], [2, 2])],
        ["reversed slice", X.slice([2, 3], [3, 4], [-1, -1]), (a) => nd.slice(a, [2, 3], [3, 4], [-1, -1])],
        ["reshape [12]", X.reshape([12]), (a) => nd.reshape(a, [12])],
        ["reshape [2, 6]", X.reshape([2, 6]), (a) => nd.reshape(a, [2, 6])],
        ["transpose", X.transpose(), (a) => nd.transpose(a)],
        ["expandDims", X.expandDims(1), (a) => nd.expandDims(a, 1)],
        ["transpose then slice", X.transpose().slice([1, 0], [2, 2]), (a) => nd.slice(nd.transpose(a), [1, 0], [2, 2])],
        ["slice then index", X.slice([1, 1], [2, 3]).index(1), (a) => nd.index(nd.slice(a, [1, 1], [2, 3]), 1)],
        ["reshape then strided slice", X.reshape([6, 2]).slice([1, 0], [3, 2], [2, 1]), (a) => nd.slice(nd.reshape(a, [6, 2]), [1, 0], [3, 2], [2, 1])],
      ];
      for (const [name, view, pick] of cases) {
        const g = tape.gradient(f, view, { unconnected: "error" });
        const want = pick(G);
        expectTensor(name, g, want.shape, want.data, D1);
        // exactly the matching part of the parent's gradient (pure data movement, no arithmetic)
        expectExact(`${name} equals the parent's gradient there`, vals(g), pick(fullV).data);
      }
      tape.dispose();
    }));
  });

  it("a view of a part the target does not use gets zeros (the matching part of the parent's gradient), not null", () => {
    expectNoLeak("unused part", () => gt.tidy(() => {
      const X = gt.tensor([[1, 2], [3, 4]]);
      const tape = new gt.GradientTape({ persistent: true });
      const f = tape.record(() => { tape.watch(X); return X.index(0).square().sum(); });
      expectTensor("used row", tape.gradient(f, X.index(0)), [2], [2, 4], { rtol: 0 });
      expectTensor("unused row", tape.gradient(f, X.index(1)), [2], [0, 0], { rtol: 0 });
      tape.dispose();
    }));
  });

  it("a view made before the forward pass and used in it, and the same region viewed again afterwards, agree", () => {
    expectNoLeak("before and after", () => gt.tidy(() => {
      const X = gt.tensor([[0.5, -1], [2, 0.25]]);
      const tape = new gt.GradientTape({ persistent: true });
      let a!: Tensor;
      const f = tape.record(() => {
        tape.watch(X);
        a = X.index(1);                         // used in the forward pass
        return a.exp().sum().add(X.sum());      // X also used whole: d/dX[1] = e^X[1] + 1
      });
      const want = [Math.exp(2) + 1, Math.exp(0.25) + 1];
      expectTensor("the view used in the forward pass", tape.gradient(f, a), [2], want.map((v) => v - 1), D1);
      // a fresh view of the same region answers with the parent's gradient there (both paths)
      expectTensor("a view made afterwards", tape.gradient(f, X.index(1)), [2], want, D1);
      tape.dispose();
    }));
  });

  it("views of a trainable variable (watched automatically)", () => {
    const v = gt.variable([[1, 2], [-3, 0.5], [2, -1]]);
    expectNoLeak("variable views", () => gt.tidy(() => {
      const tape = new gt.GradientTape({ persistent: true });
      const f = tape.record(() => v.mul(v).mul(v).sum());
      expectTensor("v.index(1)", tape.gradient(f, v.index(1)), [2], [27, 0.75], { rtol: 1e-6 });
      expectTensor("column 1", tape.gradient(f, v.slice([0, 1], [3, 1])), [3, 1], [12, 0.75, 3], { rtol: 1e-6 });
      tape.dispose();
    }));
    v.dispose();
  });
});

describe("views under nested tapes", () => {
  it("second derivatives with respect to views: d2f/dx2, d2f/dxdt, d2f/dtdx, d2f/dt2 (the original report's pattern)", () => {
    expectNoLeak("nested views", () => gt.tidy(() => {
      const inp = gt.tensor([[[POINT[0]], [POINT[1]]]]);
      const outer = new gt.GradientTape({ persistent: true });
      const inner = new gt.GradientTape({ persistent: true });
      const [fx, ft] = outer.record(() => {
        outer.watch(inp);
        const f = inner.record(() => { inner.watch(inp); return net(inp); });
        // the views are made after the inner forward pass
        return [inner.gradient(f, inp.index(0, 0))!, inner.gradient(f, inp.index(0, 1))!];
      });
      const jet = mlpJet(NET, POINT)[0];
      expectTensor("fx", fx, [1], [jet.g[0]], D1);
      expectTensor("ft", ft, [1], [jet.g[1]], D1);
      // views made inside the outer record() and views made after everything
      const [fxx, fxt] = outer.gradient(fx, [inp.index(0, 0), inp.index(0, 1)], { unconnected: "error" });
      const vx = inp.index(0, 0), vt = inp.index(0, 1);
      const { ftx, ftt } = outer.gradient(ft, { ftx: vx, ftt: vt }, { unconnected: "error" });
      expectTensor("d2f/dx2", fxx, [1], [jet.hess(0, 0)], D2);
      expectTensor("d2f/dxdt", fxt, [1], [jet.hess(0, 1)], D2);
      expectTensor("d2f/dtdx", ftx, [1], [jet.hess(1, 0)], D2);
      expectTensor("d2f/dt2", ftt, [1], [jet.hess(1, 1)], D2);
      outer.dispose(); inner.dispose();
    }));
  });

  it("third derivative d3f/dx3 through three tapes, each taken with respect to a fresh view inp.index(0, 0)", () => {
    expectNoLeak("third order views", () => gt.tidy(() => {
      const inp = gt.tensor([[[POINT[0]], [POINT[1]]]]);
      const t3 = new gt.GradientTape(), t2 = new gt.GradientTape(), t1 = new gt.GradientTape();
      const fxx = t3.record(() => {
        t3.watch(inp);
        const fx = t2.record(() => {
          t2.watch(inp);
          const f = t1.record(() => { t1.watch(inp); return net(inp); });
          return t1.gradient(f, inp.index(0, 0))!;
        });
        return t2.gradient(fx, inp.index(0, 0))!;
      });
      const fxxx = t3.gradient(fxx, inp.index(0, 0));
      for (const t of [t1, t2, t3]) t.dispose();
      // reference: central difference in x of the exact (jet) second derivative
      const want = fd.derivative1((x) => mlpJet(NET, [x, POINT[1]])[0].hess(0, 0), POINT[0]);
      expectTensor("d3f/dx3", fxxx, [1], [want], D3);
    }));
  });

  it("jacobian and batchJacobian with respect to views (a column of the collocation points)", () => {
    expectNoLeak("jacobian views", () => gt.tidy(() => {
      const pts = [[0.6, -0.35], [0, 0], [-1.2, 0.8], [0.3, 1.5]].map((p) => p.map(Math.fround));
      const B = pts.length;
      const X = gt.tensor(pts);
      const tape = new gt.GradientTape({ persistent: true });
      const U = tape.record(() => { tape.watch(X); return net(X); }); // [B, 1]
      // batchJacobian with respect to the x column, a [B, 1] view made after the forward pass
      const ux = tape.batchJacobian(U, X.slice([0, 0], [B, 1]), { unconnected: "error" });
      expectTensor("u_x per point", ux, [B, 1, 1], pts.map((p) => mlpJet(NET, p)[0].g[0]), D1);
      // jacobian of all outputs with respect to row 2: only output 2 depends on it
      const J = tape.jacobian(U, X.index(2), { unconnected: "error" });
      const g2 = mlpJet(NET, pts[2])[0].g;
      expectTensor("dU/dX[2]", J, [B, 1, 2], [0, 0, 0, 0, g2[0], g2[1], 0, 0], D1);
      tape.dispose();
      // sanity of the reference itself: the jet's gradient is the derivative of the plain forward pass
      const fdg = fd.gradient((z) => mlpForward(NET, Array.from(z))[0], pts[2]);
      expectClose("reference jet vs finite differences", Array.from(g2), Array.from(fdg), { rtol: 1e-7, atol: 1e-9 });
    }));
  });
});
