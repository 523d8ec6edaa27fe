// Self-check of the float64 reference (test/reference/): before gradtape is judged against it, it is
// judged against itself. Exact jet (dual-number) derivatives must agree with central finite
// differences for every element-wise function and for whole networks, and the nd-array ops must
// give hand-computed answers. Nothing here imports gradtape.
import { describe, it, expect } from "vitest";
import { nd, fd, dual, scalar as S, Rng, mlpJet, mlpForward, seedForward, randomWeights, validateWeights, ACTIVATIONS } from "../reference/index.js";
import type { Jet, Weights } from "../reference/index.js";

// Finite-difference accuracy (see finite-diff.ts): ~1e-10 relative for first derivatives and
// ~1e-7 for second derivatives of well-scaled functions; these tolerances leave a 10-100x margin.
const FD1_RTOL = 1e-8;
const FD2_RTOL = 1e-5;

function expectNear(got: number, want: number, rtol: number, what: string): void {
  const err = Math.abs(got - want);
  const tol = rtol * Math.max(1, Math.abs(want));
  expect(err <= tol, `${what}: got ${got}, want ${want}, |err| ${err.toExponential(2)} > tol ${tol.toExponential(2)}`).toBe(true);
}

/** Points inside each function's domain, away from kinks (abs, relu at 0). */
const DOMAIN: Record<S.UnaryName, number[]> = {
  neg: [-2.5, -0.3, 0, 1.7],
  abs: [-2.5, -0.3, 0.4, 1.7],
  exp: [-3, -0.5, 0, 1.2, 3],
  log: [0.2, 0.9, 1, 2.5, 7],
  sqrt: [0.2, 0.9, 1, 2.5, 7],
  square: [-2.5, -0.3, 0, 1.7],
  reciprocal: [-2, -0.5, 0.4, 3],
  sin: [-6, -1, 0, 0.5, 2, 6],
  cos: [-6, -1, 0, 0.5, 2, 6],
  tanh: [-3, -0.7, 0, 0.4, 2.5],
  sigmoid: [-6, -1, 0, 0.8, 4],
  relu: [-2, -0.2, 0.3, 1.9],
  softplus: [-6, -1, 0, 0.8, 4],
};

describe("reference: scalar functions", () => {
  it("match known values, including the stable forms and NaN propagation", () => {
    expect(S.sigmoid(0)).toBe(0.5);
    expect(S.sigmoid(-800)).toBe(0); // no NaN from exp overflow
    expect(S.sigmoid(800)).toBe(1);
    expect(S.softplus(0)).toBeCloseTo(Math.LN2, 15);
    expect(S.softplus(1000)).toBe(1000); // log(1 + e^1000) would overflow
    expect(S.softplus(-40) / Math.exp(-40)).toBeCloseTo(1, 12); // log(1 + tiny) kept to full precision
    expect(S.relu(-0.5)).toBe(0);
    expect(S.relu(2)).toBe(2);
    for (const f of [...Object.values(S.UNARY)]) expect(f(NaN), f.name).toBeNaN();
    for (const f of [...Object.values(S.BINARY)]) {
      expect(f(NaN, 1), f.name).toBeNaN();
      expect(f(1, NaN), f.name).toBeNaN();
    }
  });
});

describe("reference: jets (exact derivatives) agree with finite differences", () => {
  for (const name of S.UNARY_NAMES) {
    it(`unary ${name}: value, f' and f''`, () => {
      const f = S.UNARY[name];
      for (const x of DOMAIN[name]) {
        const [v, d1, d2] = dual.unaryDerivatives(name, x);
        expect(v, `${name}(${x}) value`).toBe(f(x));
        expectNear(d1, fd.derivative1(f, x), FD1_RTOL, `${name}'(${x})`);
        expectNear(d2, fd.secondDerivative1(f, x), FD2_RTOL, `${name}''(${x})`);
      }
    });
  }

  const BIN_POINTS: Record<S.BinaryName, [number, number][]> = {
    add: [[0.3, -1.2], [2, 2]],
    sub: [[0.3, -1.2], [-2, 1.5]],
    mul: [[0.3, -1.2], [-2, 1.5]],
    div: [[0.3, -1.2], [-2, 1.5], [1.1, 0.6]],
    pow: [[0.6, -1.3], [1.7, 2.2], [1, 0.5], [2.5, 0]],
    maximum: [[0.3, -1.2], [-2, 1.5]],
    minimum: [[0.3, -1.2], [-2, 1.5]],
  };
  for (const name of S.BINARY_NAMES) {
    it(`binary ${name}: gradient and Hessian in (a, b)`, () => {
      const f = S.BINARY[name];
      const F = (z: Float64Array): number => f(z[0], z[1]);
      for (const [a, b] of BIN_POINTS[name]) {
        const [ja, jb] = dual.variables([a, b]);
        const y = dual.BINARY_JET[name](ja, jb);
        expect(y.v, `${name}(${a}, ${b}) value`).toBe(f(a, b));
        const g = fd.gradient(F, [a, b]);
        const H = fd.hessian(F, [a, b]);
        for (let i = 0; i < 2; i++) {
          expectNear(y.g[i], g[i], FD1_RTOL, `d${name}/dz${i} at (${a}, ${b})`);
          for (let j = 0; j < 2; j++) expectNear(y.hess(i, j), H[i][j], FD2_RTOL, `d2${name}/dz${i}dz${j} at (${a}, ${b})`);
        }
        // a constant operand (a plain number) must give the one-variable derivatives
        const c = dual.BINARY_JET[name](dual.variable(a, 0, 1), b);
        expectNear(c.g[0], fd.derivative1((x) => f(x, b), a), FD1_RTOL, `${name}(x, ${b})' at ${a}`);
        expectNear(c.h[0], fd.secondDerivative1((x) => f(x, b), a), FD2_RTOL, `${name}(x, ${b})'' at ${a}`);
      }
    });
  }

  it("a composite of every function in 3 variables: full gradient and Hessian", () => {
    // f(x, y, z) exercises every chain rule and the cross terms between variables
    const build = (x: Jet, y: Jet, z: Jet): Jet => {
      const D = dual;
      let s = D.add(D.sin(D.mul(x, y)), D.cos(D.sub(z, x)));
      s = D.add(s, D.mul(D.tanh(D.add(y, 0.2)), D.sigmoid(D.mul(z, 1.5))));
      s = D.add(s, D.div(D.exp(D.mul(x, 0.3)), D.add(D.square(y), 1)));
      s = D.add(s, D.mul(D.log(D.add(D.square(z), 1)), D.sqrt(D.add(D.abs(x), 0.5))));
      s = D.add(s, D.pow(D.add(D.softplus(y), 0.5), D.mul(z, 0.7)));
      s = D.add(s, D.mul(D.reciprocal(D.add(D.square(x), 2)), D.neg(D.relu(D.add(z, 3)))));
      s = D.add(s, D.mul(D.maximum(x, D.mul(y, 0.5)), D.minimum(z, D.add(x, 1))));
      return s;
    };
    const F = (v: Float64Array): number => {
      const [x, y, z] = dual.variables([v[0], v[1], v[2]]);
      return build(x, y, z).v;
    };
    const rng = new Rng("composite");
    for (let trial = 0; trial < 5; trial++) {
      const p = [rng.uniform(-1.5, 1.5), rng.uniform(-1.5, 1.5), rng.uniform(-1.5, 1.5)];
      const [x, y, z] = dual.variables(p);
      const j = build(x, y, z);
      const g = fd.gradient(F, p);
      const H = fd.hessian(F, p);
      for (let i = 0; i < 3; i++) {
        expectNear(j.g[i], g[i], FD1_RTOL, `composite d/dz${i} at [${p}]`);
        for (let k = 0; k < 3; k++) {
          expectNear(j.hess(i, k), H[i][k], FD2_RTOL, `composite d2/dz${i}dz${k} at [${p}]`);
          expect(j.hess(i, k), "jet Hessian is exactly symmetric").toBe(j.hess(k, i));
        }
      }
    }
  });
});

describe("reference: finite differences on functions with known derivatives", () => {
  // f(x) = x0^3 x1 + sin(x2) x0 + exp(x1 x2)
  const f = (x: Float64Array): number => x[0] ** 3 * x[1] + Math.sin(x[2]) * x[0] + Math.exp(x[1] * x[2]);
  const grad = (x: number[]): number[] => [
    3 * x[0] ** 2 * x[1] + Math.sin(x[2]),
    x[0] ** 3 + x[2] * Math.exp(x[1] * x[2]),
    Math.cos(x[2]) * x[0] + x[1] * Math.exp(x[1] * x[2]),
  ];
  const hess = (x: number[]): number[][] => {
    const e = Math.exp(x[1] * x[2]);
    return [
      [6 * x[0] * x[1], 3 * x[0] ** 2, Math.cos(x[2])],
      [3 * x[0] ** 2, x[2] * x[2] * e, e + x[1] * x[2] * e],
      [Math.cos(x[2]), e + x[1] * x[2] * e, -Math.sin(x[2]) * x[0] + x[1] * x[1] * e],
    ];
  };
  const p = [0.7, -1.3, 2.1];

  it("gradient, Jacobian, Hessian and Hessian-vector product", () => {
    const g = fd.gradient(f, p);
    const H = fd.hessian(f, p);
    const J = fd.jacobian((x) => [f(x), 2 * f(x)], p);
    const v = [0.4, -1.1, 0.9];
    const Hv = fd.hessianVector(f, p, v);
    const G = grad(p);
    const HH = hess(p);
    for (let i = 0; i < 3; i++) {
      expectNear(g[i], G[i], FD1_RTOL, `gradient[${i}]`);
      expectNear(J[0][i], G[i], FD1_RTOL, `jacobian[0][${i}]`);
      expectNear(J[1][i], 2 * G[i], FD1_RTOL, `jacobian[1][${i}]`);
      let hv = 0;
      for (let k = 0; k < 3; k++) {
        expectNear(H[i][k], HH[i][k], FD2_RTOL, `hessian[${i}][${k}]`);
        hv += HH[i][k] * v[k];
      }
      expectNear(Hv[i], hv, FD2_RTOL, `hessianVector[${i}]`);
    }
  });

  it("detects a wrong derivative (the comparison can fail)", () => {
    const g = fd.gradient(f, p);
    const G = grad(p);
    expect(Math.abs(g[0] * 1.001 - G[0]) > FD1_RTOL * Math.max(1, Math.abs(G[0]))).toBe(true);
  });
});

describe("reference: networks (mlpJet) agree with finite differences of mlpForward", () => {
  const configs: { name: string; sizes: number[]; acts: string[] }[] = [
    { name: "seed network 2-28-1 sigmoid", sizes: [2, 28, 1], acts: ["sigmoid", "sigmoid"] },
    { name: "tanh 2-20-20-1 linear", sizes: [2, 20, 20, 1], acts: ["tanh", "tanh", "linear"] },
    { name: "sin/softplus 3-8-5-2", sizes: [3, 8, 5, 2], acts: ["sin", "softplus", "linear"] },
    { name: "relu 2-6-1 softplus", sizes: [2, 6, 1], acts: ["relu", "softplus"] },
  ];
  for (const c of configs) {
    it(c.name, () => {
      const w = randomWeights(c.name, c.sizes, c.acts);
      const rng = new Rng(`${c.name} points`);
      for (let trial = 0; trial < 4; trial++) {
        const p = Array.from({ length: c.sizes[0] }, () => rng.uniform(-1, 1));
        const jets = mlpJet(w, p);
        const plain = mlpForward(w, p);
        expect(jets.length).toBe(c.sizes[c.sizes.length - 1]);
        jets.forEach((j, r) => {
          const fr = (x: Float64Array): number => mlpForward(w, Array.from(x))[r];
          // relu units sit on a kink only on a measure-zero set; the FD step (1e-4) crossing one would show up here
          expectNear(j.v, plain[r], 1e-15, `${c.name} output ${r} value`);
          const g = fd.gradient(fr, p);
          const H = fd.hessian(fr, p);
          for (let i = 0; i < p.length; i++) {
            expectNear(j.g[i], g[i], FD1_RTOL, `${c.name} out ${r} d/dx${i}`);
            for (let k = 0; k < p.length; k++) expectNear(j.hess(i, k), H[i][k], FD2_RTOL, `${c.name} out ${r} d2/dx${i}dx${k}`);
          }
        });
      }
    });
  }

  it("seedForward reports f and all 6 partials of the seed network, in the CLI's names", () => {
    const w = randomWeights(7);
    expect(validateWeights(w, 2)).toBe(1);
    expect(w.layers.map((l) => [l.kernel.length, l.bias.length, l.activation])).toEqual([
      [2, 28, "sigmoid"],
      [28, 1, "sigmoid"],
    ]);
    const [x, t] = [0.5488135, 0.71518937];
    const d = seedForward(w, x, t);
    const F = (z: Float64Array): number => mlpForward(w, [z[0], z[1]])[0];
    const g = fd.gradient(F, [x, t]);
    const H = fd.hessian(F, [x, t]);
    expect(d.f).toBe(mlpForward(w, [x, t])[0]);
    expectNear(d.df_dx, g[0], FD1_RTOL, "df_dx");
    expectNear(d.df_dt, g[1], FD1_RTOL, "df_dt");
    expectNear(d.d2f_dx2, H[0][0], FD2_RTOL, "d2f_dx2");
    expectNear(d.d2f_dxdt, H[0][1], FD2_RTOL, "d2f_dxdt");
    expectNear(d.d2f_dtdx, H[1][0], FD2_RTOL, "d2f_dtdx");
    expectNear(d.d2f_dt2, H[1][1], FD2_RTOL, "d2f_dt2");
    expect(d.d2f_dxdt).toBe(d.d2f_dtdx);
    expect(seedForward(w.layers, x, t), "the layers array alone is accepted too").toEqual(d);
  });

  it("a hand-computed one-unit network", () => {
    // f(x, t) = sigmoid(2x - t + 0.5): f' = s(1-s) * [2, -1], f'' = s(1-s)(1-2s) * [[4, -2], [-2, 1]]
    const w: Weights = { layers: [{ kernel: [[2], [-1]], bias: [0.5], activation: "sigmoid" }] };
    const [x, t] = [0.3, 0.9];
    const s = 1 / (1 + Math.exp(-(2 * x - t + 0.5)));
    const d1 = s * (1 - s);
    const d2 = d1 * (1 - 2 * s);
    const d = seedForward(w, x, t);
    expectNear(d.f, s, 1e-15, "f");
    expectNear(d.df_dx, 2 * d1, 1e-15, "df_dx");
    expectNear(d.df_dt, -d1, 1e-15, "df_dt");
    expectNear(d.d2f_dx2, 4 * d2, 1e-14, "d2f_dx2");
    expectNear(d.d2f_dxdt, -2 * d2, 1e-14, "d2f_dxdt");
    expectNear(d.d2f_dt2, d2, 1e-14, "d2f_dt2");
  });

  it("rejects malformed weights with a message naming the layer", () => {
    const bad: Weights = { layers: [{ kernel: [[1, 2]], bias: [0, 0], activation: "sigmoid" }] };
    expect(() => mlpJet(bad, [0.1, 0.2])).toThrow(/layer 0: kernel has 1 rows, expected 2/);
    const badAct: Weights = { layers: [{ kernel: [[1], [2]], bias: [0], activation: "gelu" }] };
    expect(() => mlpForward(badAct, [0.1, 0.2])).toThrow(/unknown activation "gelu"/);
    expect(ACTIVATIONS).toEqual(["linear", "sigmoid", "tanh", "relu", "sin", "softplus"]);
  });
});

describe("reference: nd-array ops give hand-computed answers", () => {
  const A = nd.fromNested([[1, 2, 3], [4, 5, 6]]);

  it("fromNested / toNested round-trip, scalars and ragged input", () => {
    expect(A.shape).toEqual([2, 3]);
    expect(nd.toNested(A)).toEqual([[1, 2, 3], [4, 5, 6]]);
    expect(nd.fromNested(5).shape).toEqual([]);
    expect(nd.toNested(nd.fromNested(5))).toBe(5);
    expect(() => nd.fromNested([[1, 2], [3]])).toThrow(/ragged/);
  });

  it("broadcasting", () => {
    expect(nd.broadcastShapes([4, 1], [1, 6])).toEqual([4, 6]);
    expect(nd.broadcastShapes([2, 3, 4], [4])).toEqual([2, 3, 4]);
    expect(nd.broadcastShapes([], [5])).toEqual([5]);
    expect(() => nd.broadcastShapes([3], [4])).toThrow(/do not broadcast/);
    const s = nd.map2(nd.fromNested([[1], [2]]), nd.fromNested([10, 20, 30]), S.add);
    expect(nd.toNested(s)).toEqual([[11, 21, 31], [12, 22, 32]]);
    expect(nd.toNested(nd.broadcastTo(nd.fromNested([1, 2]), [2, 2]))).toEqual([[1, 2], [1, 2]]);
    expect(nd.toNested(nd.where(nd.fromNested([1, 0, 1]), A, nd.scalar(-1)))).toEqual([[1, -1, 3], [4, -1, 6]]);
  });

  it("comparisons return 0/1 and NaN compares false (notEqual true)", () => {
    const a = nd.fromNested([1, 2, NaN]);
    const b = nd.fromNested([2, 2, NaN]);
    expect(nd.toArray(nd.equal(a, b))).toEqual([0, 1, 0]);
    expect(nd.toArray(nd.notEqual(a, b))).toEqual([1, 0, 1]);
    expect(nd.toArray(nd.less(a, b))).toEqual([1, 0, 0]);
    expect(nd.toArray(nd.lessEqual(a, b))).toEqual([1, 1, 0]);
    expect(nd.toArray(nd.greater(a, b))).toEqual([0, 0, 0]);
    expect(nd.toArray(nd.greaterEqual(a, b))).toEqual([0, 1, 0]);
  });

  it("reductions over any axes, keepDims, NaN propagation", () => {
    expect(nd.toNested(nd.sum(A))).toBe(21);
    expect(nd.toNested(nd.sum(A, 0))).toEqual([5, 7, 9]);
    expect(nd.toNested(nd.sum(A, -1, true))).toEqual([[6], [15]]);
    expect(nd.toNested(nd.mean(A, [0, 1], true))).toEqual([[3.5]]);
    expect(nd.toNested(nd.max(A, 0))).toEqual([4, 5, 6]);
    expect(nd.toNested(nd.min(A, 1))).toEqual([1, 4]);
    const B = nd.reshape(nd.ndarray(Array.from({ length: 24 }, (_, i) => i), [2, 3, 4]), [2, 3, 4]);
    expect(nd.toNested(nd.sum(B, [0, 2]))).toEqual([0 + 1 + 2 + 3 + 12 + 13 + 14 + 15, 4 + 5 + 6 + 7 + 16 + 17 + 18 + 19, 8 + 9 + 10 + 11 + 20 + 21 + 22 + 23]);
    expect(nd.sum(B, [0, 2], true).shape).toEqual([1, 3, 1]);
    expect(nd.toNested(nd.sum(nd.scalar(3)))).toBe(3);
    const withNaN = nd.fromNested([[1, NaN], [3, 4]]);
    expect(nd.toArray(nd.max(withNaN, 1))).toEqual([NaN, 4]);
    expect(nd.toArray(nd.min(withNaN, 0))).toEqual([1, NaN]);
  });

  it("matmul: 2-D, transposes, batched with broadcast batch dims", () => {
    const B = nd.fromNested([[1, 0], [0, 1], [2, -1]]);
    expect(nd.toNested(nd.matmul(A, B))).toEqual([[7, -1], [16, -1]]);
    expect(nd.toNested(nd.matmul(A, A, false, true))).toEqual([[14, 32], [32, 77]]);
    expect(nd.toNested(nd.matmul(A, A, true, false))).toEqual([[17, 22, 27], [22, 29, 36], [27, 36, 45]]);
    expect(nd.toNested(nd.matmul(nd.transpose(A), nd.transpose(B), true, true))).toEqual([[7, -1], [16, -1]]);
    const batchA = nd.stack([A, nd.map(A, (x) => 2 * x)], 0); // [2, 2, 3]
    const out = nd.matmul(nd.expandDims(batchA, 1), nd.stack([B, B, B], 0)); // [2,1,2,3] x [3,3,2]
    expect(out.shape).toEqual([2, 3, 2, 2]);
    expect(nd.toNested(nd.index(out, 1, 2))).toEqual([[14, -2], [32, -2]]);
    expect(() => nd.matmul(A, A)).toThrow(/inner dimensions/);
  });

  it("reshape, transpose, expandDims, squeeze", () => {
    expect(nd.toNested(nd.reshape(A, [3, -1]))).toEqual([[1, 2], [3, 4], [5, 6]]);
    expect(() => nd.reshape(A, [4, 2])).toThrow();
    expect(nd.toNested(nd.transpose(A))).toEqual([[1, 4], [2, 5], [3, 6]]);
    const B = nd.ndarray(Array.from({ length: 24 }, (_, i) => i), [2, 3, 4]);
    const T = nd.transpose(B, [2, 0, 1]);
    expect(T.shape).toEqual([4, 2, 3]);
    expect(nd.toNested(nd.index(T, 3, 1))).toEqual([15, 19, 23]);
    expect(nd.expandDims(A, 0).shape).toEqual([1, 2, 3]);
    expect(nd.expandDims(A, -1).shape).toEqual([2, 3, 1]);
    const E = nd.reshape(A, [1, 2, 1, 3]);
    expect(nd.squeeze(E).shape).toEqual([2, 3]);
    expect(nd.squeeze(E, [2]).shape).toEqual([1, 2, 3]);
    expect(() => nd.squeeze(E, [1])).toThrow(/not 1/);
  });

  it("slice with size -1 and strides, index", () => {
    const r = nd.ndarray([0, 1, 2, 3, 4, 5, 6], [7]);
    expect(nd.toArray(nd.slice(r, [2], [3]))).toEqual([2, 3, 4]);
    expect(nd.toArray(nd.slice(r, [1], [-1], [2]))).toEqual([1, 3, 5]);
    expect(nd.toArray(nd.slice(r, [6], [-1], [-3]))).toEqual([6, 3, 0]);
    expect(nd.toNested(nd.slice(A, [0, 1], [-1, 2]))).toEqual([[2, 3], [5, 6]]);
    expect(nd.toNested(nd.slice(A, [1]))).toEqual([[4, 5, 6]]);
    expect(nd.toNested(nd.index(A, 1))).toEqual([4, 5, 6]);
    expect(nd.toNested(nd.index(A, 1, 2))).toBe(6);
    expect(nd.toNested(nd.index(A, -1, -3))).toBe(4);
    expect(() => nd.slice(r, [5], [3])).toThrow(/outside/);
  });

  it("concat, stack, gather, pad", () => {
    expect(nd.toNested(nd.concat([A, nd.fromNested([[7, 8, 9]])], 0))).toEqual([[1, 2, 3], [4, 5, 6], [7, 8, 9]]);
    expect(nd.toNested(nd.concat([A, nd.fromNested([[0], [1]])], -1))).toEqual([[1, 2, 3, 0], [4, 5, 6, 1]]);
    expect(nd.toNested(nd.stack([nd.fromNested([1, 2]), nd.fromNested([3, 4])], 1))).toEqual([[1, 3], [2, 4]]);
    expect(nd.toNested(nd.stack([nd.scalar(1), nd.scalar(2)], 0))).toEqual([1, 2]);
    expect(nd.toNested(nd.gather(A, [2, 0, 2], 1))).toEqual([[3, 1, 3], [6, 4, 6]]);
    expect(nd.toNested(nd.gather(A, nd.fromNested([[1], [0]]), 0))).toEqual([[[4, 5, 6]], [[1, 2, 3]]]);
    expect(() => nd.gather(A, [3], 1)).toThrow(/out of range/);
    expect(nd.toNested(nd.pad(A, [[1, 0], [0, 2]], 9))).toEqual([[9, 9, 9, 9, 9], [1, 2, 3, 9, 9], [4, 5, 6, 9, 9]]);
  });

  it("pack / unpack / roundF32", () => {
    const parts = nd.unpack(nd.pack([A, nd.scalar(7)]), [[2, 3], []]);
    expect(nd.toNested(parts[0])).toEqual(nd.toNested(A));
    expect(nd.toNested(parts[1])).toBe(7);
    expect(nd.roundF32(nd.scalar(0.1)).data[0]).toBe(Math.fround(0.1));
  });
});

describe("reference: seeded PRNG", () => {
  it("is deterministic, in range, and distinctArray keeps its gap", () => {
    const a = new Rng(42);
    const b = new Rng(42);
    const xs = Array.from({ length: 1000 }, () => a.next());
    expect(xs).toEqual(Array.from({ length: 1000 }, () => b.next()));
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    expect(Math.abs(xs.reduce((s, x) => s + x, 0) / xs.length - 0.5)).toBeLessThan(0.05);
    expect(new Rng("x").next()).not.toBe(new Rng("y").next());
    const d = Array.from(new Rng(1).distinctArray([5, 7], 0.1).data).sort((p, q) => p - q);
    for (let i = 1; i < d.length; i++) expect(d[i] - d[i - 1]).toBeGreaterThanOrEqual(0.1);
  });
});
