// jet(): forward Taylor propagation of input derivatives, against
// - a float64 reference written here (value, gradient and Hessian with respect to the inputs, pushed through the
//   layers point by point with closed-form activation derivatives; orders 3 and 4 by central differences of its
//   Hessian), never against gradtape itself;
// - nested reverse tapes (the fallback), which must give the same numbers;
// and the weight gradient of a Burgers residual loss through the jet against nested tapes and against central
// differences of the float64 loss. Tolerances: float32 results are compared norm-wise per derivative,
// ||a - ref|| / ||ref||, which float32 rounding keeps near 1e-7..1e-6 here.
import { describe, it, expect, beforeAll } from "vitest";
import * as gt from "gradtape";

beforeAll(async () => { await gt.ready(); });

// ---------------------------------------------------------------- float64 reference
type Act = "tanh" | "sigmoid" | "sin" | "softplus" | "relu" | "linear" | "exp" | "ztanh";
/** s, s', s'' in float64 (closed forms, independent of gradtape's formulas where cheap: tanh' = 1 / cosh^2). */
function act64(a: Act, z: number): [number, number, number] {
  switch (a) {
    case "tanh": { const t = Math.tanh(z), c = Math.cosh(z), d = 1 / (c * c); return [t, d, -2 * t * d]; }
    case "sigmoid": { const s = 1 / (1 + Math.exp(-z)), d = Math.exp(-z) * s * s; return [s, d, d * (1 - 2 * s)]; }
    case "sin": return [Math.sin(z), Math.cos(z), -Math.sin(z)];
    case "softplus": { const s = 1 / (1 + Math.exp(-z)); return [Math.log1p(Math.exp(z)), s, s * (1 - s)]; }
    case "relu": return [Math.max(0, z), z > 0 ? 1 : 0, 0];
    case "linear": return [z, 1, 0];
    case "exp": { const e = Math.exp(z); return [e, e, e]; }
    // a custom activation in the tests below: z tanh z, s' = t + z / cosh^2 z, s'' = 2 (1 - z t) / cosh^2 z
    case "ztanh": { const t = Math.tanh(z), c = Math.cosh(z), d = 1 / (c * c); return [z * t, t + z * d, 2 * d * (1 - z * t)]; }
  }
}

interface Layer64 { W: Float64Array; b: Float64Array; nIn: number; nOut: number; act: Act }

/** The model's weights in float64 (exact copies of the float32 values). */
function layers64(m: gt.nn.Sequential): Layer64[] {
  return m.stack.filter((l): l is gt.nn.Dense => l instanceof gt.nn.Dense).map((l) => ({
    W: Float64Array.from(l.kernel!.data()), b: l.bias ? Float64Array.from(l.bias.data()) : new Float64Array(l.units),
    nIn: l.kernel!.shape[0], nOut: l.units, act: l.activation as Act,
  }));
}

/** Value, gradient g[o][i] and Hessian H[o][i][k] of every output at one point, in float64. */
function ref2(layers: Layer64[], x: readonly number[]): { v: number[]; g: number[][]; H: number[][][] } {
  const d = x.length;
  let v = x.slice();
  let g = x.map((_, j) => Array.from({ length: d }, (_, i) => (i === j ? 1 : 0)));
  let H = x.map(() => Array.from({ length: d }, () => new Array(d).fill(0)));
  for (const L of layers) {
    const nv: number[] = [], ng: number[][] = [], nH: number[][][] = [];
    for (let j = 0; j < L.nOut; j++) {
      let z = L.b[j];
      const zg = new Array(d).fill(0), zH = Array.from({ length: d }, () => new Array(d).fill(0));
      for (let m = 0; m < L.nIn; m++) {
        const w = L.W[m * L.nOut + j];
        z += w * v[m];
        for (let i = 0; i < d; i++) { zg[i] += w * g[m][i]; for (let k = 0; k < d; k++) zH[i][k] += w * H[m][i][k]; }
      }
      const [s0, s1, s2] = act64(L.act, z);
      nv.push(s0);
      ng.push(zg.map((q) => s1 * q));
      nH.push(zH.map((row, i) => row.map((q, k) => s1 * q + s2 * zg[i] * zg[k])));
    }
    v = nv; g = ng; H = nH;
  }
  return { v, g, H };
}

/** Reference values of a derivative named by its sorted variable indices, for output o, at one point. */
function refAt(layers: Layer64[], x: readonly number[], o: number, wrt: number[]): number {
  if (wrt.length <= 2) {
    const r = ref2(layers, x);
    return wrt.length === 0 ? r.v[o] : wrt.length === 1 ? r.g[o][wrt[0]] : r.H[o][wrt[0]][wrt[1]];
  }
  // orders 3 and 4: central differences of the float64 Hessian (truncation ~h^2, rounding ~1e-16 / h^k)
  const shift = (i: number, h: number) => x.map((xi, j) => (j === i ? xi + h : xi));
  const [a, b, ...rest] = wrt;
  if (rest.length === 1) {
    const h = 1e-4, i = rest[0];
    return (ref2(layers, shift(i, h)).H[o][a][b] - ref2(layers, shift(i, -h)).H[o][a][b]) / (2 * h);
  }
  const h = 1e-3, [i, k] = rest;
  if (i === k) {
    return (ref2(layers, shift(i, h)).H[o][a][b] - 2 * ref2(layers, x).H[o][a][b] + ref2(layers, shift(i, -h)).H[o][a][b]) / (h * h);
  }
  const sh = (si: number, sk: number) => ref2(layers, x.map((xj, j) => xj + (j === i ? si * h : 0) + (j === k ? sk * h : 0))).H[o][a][b];
  return (sh(1, 1) - sh(1, -1) - sh(-1, 1) + sh(-1, -1)) / (4 * h * h);
}

// ---------------------------------------------------------------- helpers
function mlp(sizes: number[], act: Act, outAct: Act = "linear", seed = 1): gt.nn.Sequential {
  const m = new gt.nn.Sequential(sizes.slice(1).map((units, i) => new gt.nn.Dense({
    units, activation: i === sizes.length - 2 ? outAct : act, seed: seed * 100 + i,
    ...(i === 0 ? { inputShape: [sizes[0]] } : {}), biasInitializer: (shape, g) => g.uniform(shape, -0.3, 0.3),
  })));
  gt.tidy(() => { m.apply(gt.zeros([1, sizes[0]])); }); // builds the layers
  return m;
}

function points(n: number, d: number, seed = 5): gt.Tensor {
  return new gt.Generator(seed).uniform([n, d], -1, 1);
}

function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let e = 0, s = 0;
  for (let i = 0; i < b.length; i++) { e += (a[i] - b[i]) ** 2; s += b[i] ** 2; }
  return s === 0 ? Math.sqrt(e) : Math.sqrt(e / s);
}

const VARS = ["x", "t"];
const varIndex = (name: string, vars: string[]): number[] =>
  name.includes("_") ? [...name.split("_")[1]].map((c) => vars.indexOf(c)).sort((p, q) => p - q) : [];

/** Reference for each name ("u_xt" style, one-letter variables) at every row of X. */
function reference(m: gt.nn.Sequential, X: gt.Tensor, names: string[], vars = VARS, outputs = ["u"]): Record<string, Float64Array> {
  const L = layers64(m), x = X.data(), d = X.shape[1], n = X.shape[0];
  const out: Record<string, Float64Array> = {};
  for (const name of names) {
    const o = outputs.indexOf(name.split("_")[0]);
    const wrt = varIndex(name, vars);
    out[name] = Float64Array.from({ length: n }, (_, p) => refAt(L, Array.from(x.subarray(p * d, p * d + d)), o, wrt));
  }
  return out;
}

const SECOND = ["u", "u_x", "u_t", "u_xx", "u_xt", "u_tt"];
const ACTS: Act[] = ["tanh", "sigmoid", "sin", "softplus", "relu", "linear", "exp"];

// ---------------------------------------------------------------- tests
describe("jet: Taylor propagation against float64 references", () => {
  for (const act of ACTS) {
    it(`${act}: u and all first and second derivatives, every layout, equal nested tapes`, () => {
      const m = mlp([2, 12, 12, 1], act, act === "exp" ? "linear" : act);
      const X = points(48, 2);
      const ref = reference(m, X, SECOND);
      expect(gt.jetMethod(m, X).method).toBe("taylor");
      const split = gt.jet(m, X, { derivatives: SECOND, vars: VARS });
      const stacked = gt.jet(m, X, { derivatives: SECOND, vars: VARS, layout: "stacked" });
      const tape = gt.jet(m, X, { derivatives: SECOND, vars: VARS, method: "nested-reverse" });
      for (const k of SECOND) {
        expect(split[k].shape).toEqual([48, 1]);
        expect(relErr(split[k].data(), ref[k]), `${act} ${k} vs float64`).toBeLessThan(1e-5);
        expect(relErr(stacked[k].data(), split[k].data()), `${act} ${k} stacked vs split`).toBeLessThan(1e-6);
        expect(relErr(tape[k].data(), split[k].data()), `${act} ${k} nested tapes vs jet`).toBeLessThan(1e-5);
      }
      if (act === "relu" || act === "linear") for (const k of ["u_xx", "u_xt", "u_tt"]) expect(Math.max(...split[k].data().map(Math.abs))).toBe(0);
      gt.dispose([split, stacked, tape, X]); m.dispose();
    });
  }

  it("deep tanh nets: Burgers' 2 -> 8 x 20 -> 1, and 3 inputs -> 4 x 16 -> 2 named outputs", () => {
    const m = mlp([2, 20, 20, 20, 20, 20, 20, 20, 20, 1], "tanh");
    const X = points(64, 2, 7);
    const names = ["u", "u_x", "u_t", "u_xx", "u_tt", "u_xt"];
    const ref = reference(m, X, names);
    const r = gt.jet(m, X, { derivatives: names, vars: VARS });
    for (const k of names) expect(relErr(r[k].data(), ref[k]), `burgers ${k}`).toBeLessThan(1e-5);

    const m3 = mlp([3, 16, 16, 16, 16, 2], "tanh", "linear", 3);
    const X3 = points(40, 3, 8);
    const vars = ["x", "y", "t"], outputs = ["u", "v"];
    const names3 = ["u", "v", "u_x", "v_y", "u_t", "v_xx", "u_yy", "v_xy", "u_yt", "v_tt"];
    const ref3 = reference(m3, X3, names3, vars, outputs);
    const r3 = gt.jet(m3, X3, { derivatives: names3, vars, outputs });
    for (const k of names3) expect(relErr(r3[k].data(), ref3[k]), `3-input ${k}`).toBeLessThan(1e-5);
    gt.dispose([r, r3, X, X3]); m.dispose(); m3.dispose();
  });

  it("orders 3 and 4 (u_xxx, u_xxt, u_xtt, u_xxxx, u_xxtt) against central differences of the float64 Hessian", () => {
    const names = ["u", "u_xx", "u_xxx", "u_xxt", "u_xtt", "u_ttt", "u_xxxx", "u_xxtt"];
    for (const act of ["tanh", "sigmoid", "sin", "softplus", "exp"] as Act[]) {
      const m = mlp([2, 10, 10, 1], act, "linear", 4);
      const X = points(24, 2, 9);
      const ref = reference(m, X, names);
      const r = gt.jet(m, X, { derivatives: names, vars: VARS });
      const tape = gt.jet(m, X, { derivatives: names, vars: VARS, method: "nested-reverse" });
      for (const k of names) {
        expect(relErr(r[k].data(), ref[k]), `${act} ${k} vs float64`).toBeLessThan(1e-5);
        expect(relErr(tape[k].data(), r[k].data()), `${act} ${k} nested tapes vs jet`).toBeLessThan(1e-5);
      }
      gt.dispose([r, tape, X]); m.dispose();
    }
  });

  it("the seed network through Flatten ([N, 2, 1] inputs) and the declared inputShape check", () => {
    const m = new gt.nn.Sequential([
      new gt.nn.Flatten({ inputShape: [2, 1] }),
      new gt.nn.Dense({ units: 28, activation: "sigmoid", seed: 11 }),
      new gt.nn.Dense({ units: 1, activation: "sigmoid", seed: 12 }),
    ]);
    const X2 = points(32, 2, 10);
    const X = X2.reshape([32, 2, 1]);
    expect(gt.jetMethod(m, X).method).toBe("taylor");
    const r = gt.jet(m, X, { derivatives: SECOND, vars: VARS });
    const L = layers64(m);
    const x = X2.data();
    for (const k of SECOND) {
      const ref = Float64Array.from({ length: 32 }, (_, p) => refAt(L, [x[2 * p], x[2 * p + 1]], 0, varIndex(k, VARS)));
      expect(relErr(r[k].data(), ref), k).toBeLessThan(1e-5);
    }
    const bad = gt.zeros([4, 1, 2, 1]);
    expect(() => gt.jet(m, bad, { derivatives: ["u_x"], vars: VARS })).toThrow(/Flatten 'flatten.*declared inputShape \[2, 1\].*\[4, 1, 2, 1\]/);
    gt.dispose([r, X, X2, bad]); m.dispose();
  });

  it("derivatives of the jet with respect to X: d(u_x)/dx by a tape equals u_xx", () => {
    const m = mlp([2, 8, 8, 1], "tanh");
    const X = points(16, 2, 12);
    const tape = new gt.GradientTape();
    const ux = tape.record(() => { tape.watch(X); return gt.jet(m, X, { derivatives: ["u_x"], vars: VARS }).u_x; });
    const g = tape.gradient(ux, X)!;
    const r = gt.jet(m, X, { derivatives: ["u_xx", "u_xt"], vars: VARS });
    const gd = g.data();
    expect(relErr(Float32Array.from({ length: 16 }, (_, i) => gd[2 * i]), r.u_xx.data())).toBeLessThan(1e-5);
    expect(relErr(Float32Array.from({ length: 16 }, (_, i) => gd[2 * i + 1]), r.u_xt.data())).toBeLessThan(1e-5);
    tape.dispose(); gt.dispose([ux, g, r, X]); m.dispose();
  });
});

describe("jet: generic fallback and errors", () => {
  class Custom extends gt.nn.Model {
    a = new gt.nn.Dense({ units: 10, activation: "tanh", seed: 21 });
    b = new gt.nn.Dense({ units: 1, seed: 22 });
    call(x: gt.Tensor): gt.Tensor { return gt.tidy(() => this.b.apply(this.a.apply(x)).mul(x.slice([0, 0], [-1, 1]))); }
  }

  it("a subclassed Model and a plain function go through nested tapes, with the same results", () => {
    const model = new Custom();
    const X = points(20, 2, 13);
    expect(gt.jetMethod(model, X)).toEqual({ method: "nested-reverse", reason: expect.stringMatching(/Custom 'model.*is not a Dense or Flatten/) });
    const r = gt.jet(model, X, { derivatives: SECOND, vars: VARS });
    const f = (x: gt.Tensor) => model.apply(x);
    const rf = gt.jet(f, X, { derivatives: SECOND, vars: VARS });
    // u = x * g(x, t): u_xx = 2 g_x + x g_xx, checked against a Sequential of the same layers with the Taylor path
    const seq = new gt.nn.Sequential([model.a, model.b]);
    const g = gt.jet(seq, X, { derivatives: ["u", "u_x", "u_xx"], vars: VARS });
    const x = X.data(), gv = g.u.data(), gx = g.u_x.data(), gxx = g.u_xx.data();
    expect(relErr(r.u.data(), Float32Array.from(gv, (v, i) => v * x[2 * i]))).toBeLessThan(1e-6);
    expect(relErr(r.u_xx.data(), Float32Array.from(gxx, (v, i) => 2 * gx[i] + x[2 * i] * v))).toBeLessThan(1e-5);
    for (const k of SECOND) expect(relErr(rf[k].data(), r[k].data())).toBeLessThan(1e-6);
    expect(() => gt.jet(model, X, { derivatives: ["u_x"], vars: VARS, method: "taylor" })).toThrow(/method "taylor" cannot run this network: Custom 'model.*is not a Dense or Flatten/);
    gt.dispose([r, rf, g, X]); model.dispose();
  });

  it("a custom elementwise activation runs in Taylor mode (its s', s'' by nested tapes on it) and matches float64 and nested tapes", () => {
    const m = new gt.nn.Sequential([
      new gt.nn.Dense({ units: 8, activation: (z) => z.tanh().mul(z), inputShape: [2], seed: 31 }),
      new gt.nn.Dense({ units: 1, seed: 32 }),
    ]);
    const X = points(10, 2, 14);
    expect(gt.jetMethod(m, X)).toEqual({ method: "taylor", reason: null });
    const r = gt.jet(m, X, { derivatives: SECOND, vars: VARS, method: "taylor" });
    const nested = gt.jet(m, X, { derivatives: SECOND, vars: VARS, method: "nested-reverse" });
    const L = layers64(m);
    L[0].act = "ztanh";
    const x = X.data();
    for (const k of SECOND) {
      const wrt = varIndex(k, VARS);
      const ref = Float64Array.from({ length: 10 }, (_, p) => refAt(L, [x[2 * p], x[2 * p + 1]], 0, wrt));
      expect(relErr(r[k].data(), ref), k).toBeLessThan(1e-5);
      expect(relErr(r[k].data(), nested[k].data()), k).toBeLessThan(1e-5);
    }
    gt.dispose([r, nested, X]); m.dispose();
  });

  it("an activation that is not elementwise goes through nested tapes on the whole network", () => {
    // every unit times the first unit: Faà di Bruno does not apply, so the jet must not take the Taylor path
    const mix = (z: gt.Tensor) => z.tanh().mul(z.slice([0, 0], [-1, 1]));
    const m = new gt.nn.Sequential([new gt.nn.Dense({ units: 6, activation: mix, inputShape: [2], seed: 33 }), new gt.nn.Dense({ units: 1, seed: 34 })]);
    const X = points(12, 2, 15);
    expect(gt.jetMethod(m, X).reason).toMatch(/not elementwise/);
    expect(() => gt.jet(m, X, { derivatives: ["u_x"], vars: VARS, method: "taylor" })).toThrow(/method "taylor" cannot run this network: .*not elementwise/);
    const r = gt.jet(m, X, { derivatives: ["u", "u_x", "u_xx"], vars: VARS });
    // float64 central differences of the same function (u as a float64 forward pass)
    const [W1, b1, W2, b2] = m.weights.map((w) => Float64Array.from(w.data()));
    const u64 = (p: number[]): number => {
      const z = Array.from({ length: 6 }, (_, j) => b1[j] + p[0] * W1[j] + p[1] * W1[6 + j]);
      return z.reduce((acc, zj, j) => acc + Math.tanh(zj) * z[0] * W2[j], b2[0]);
    };
    const x = X.data(), h = 1e-4;
    for (let p = 0; p < 12; p++) {
      const at = (dx: number) => u64([x[2 * p] + dx, x[2 * p + 1]]);
      expect(r.u.data()[p]).toBeCloseTo(at(0), 5);
      expect(r.u_x.data()[p]).toBeCloseTo((at(h) - at(-h)) / (2 * h), 4);
      expect(r.u_xx.data()[p]).toBeCloseTo((at(h) - 2 * at(0) + at(-h)) / (h * h), 2);
    }
    gt.dispose([r, X]); m.dispose();
  });

  it("errors name what is wrong", () => {
    const m = mlp([2, 4, 1], "tanh");
    const X = points(5, 2);
    expect(() => gt.jet(m, X, { derivatives: ["u_y"], vars: VARS })).toThrow(/'y' does not start with an input variable; the variables are 'x', 't'/);
    expect(() => gt.jet(m, X, { derivatives: ["v_x"], vars: VARS })).toThrow(/names output 'v', but the outputs are 'u'/);
    expect(() => gt.jet(m, X, { derivatives: ["u_x"], vars: ["x"] })).toThrow(/1 variable names \(x\) for 2 input columns/);
    expect(() => gt.jet(m, X, { derivatives: ["u", "v"], vars: VARS, outputs: ["u", "v"] })).toThrow(/names 2 outputs, but the network returns 1 columns/);
    expect(() => gt.jet(m, X, { derivatives: [], vars: VARS })).toThrow(/non-empty array/);
    expect(() => gt.jet(m, gt.zeros([5]), { derivatives: ["u"] })).toThrow(/shape \[N, d\]/);
    const m2 = mlp([2, 4, 2], "tanh");
    expect(() => gt.jet(m2, X, { derivatives: ["u"], vars: VARS })).toThrow(/the network has 2 outputs; name them/);
    gt.dispose(X); m.dispose(); m2.dispose();
  });
});

describe("jet: training through it", () => {
  const nu = 0.01 / Math.PI;
  const burgersLoss = (m: gt.nn.Sequential, X: gt.Tensor, method: "taylor" | "nested-reverse") => {
    const { u, u_x, u_t, u_xx } = gt.jet(m, X, { derivatives: ["u", "u_x", "u_t", "u_xx"], vars: VARS, method });
    return u_t.add(u.mul(u_x)).sub(u_xx.mul(nu)).square().mean();
  };
  const lossAndGrads = (m: gt.nn.Sequential, X: gt.Tensor, method: "taylor" | "nested-reverse") => {
    const tape = new gt.GradientTape();
    try {
      return gt.tidy(() => {
        const loss = tape.record(() => burgersLoss(m, X, method));
        const grads = tape.gradient(loss, m.trainableWeights) as gt.Tensor[];
        return { loss: loss.item(), grads: grads.map((g) => g.data()) };
      });
    } finally { tape.dispose(); }
  };
  /** The same loss in float64 from the reference (for central differences in the weights). */
  const loss64 = (L: Layer64[], x: Float32Array, n: number): number => {
    let s = 0;
    for (let p = 0; p < n; p++) {
      const r = ref2(L, [x[2 * p], x[2 * p + 1]]);
      const res = r.g[0][1] + r.v[0] * r.g[0][0] - nu * r.H[0][0][0];
      s += res * res;
    }
    return s / n;
  };

  it("the weight gradient of a Burgers residual loss through the jet equals nested tapes and float64 central differences", () => {
    const m = mlp([2, 10, 10, 10, 1], "tanh", "linear", 6);
    const X = points(50, 2, 15);
    const jetLG = lossAndGrads(m, X, "taylor");
    const tapeLG = lossAndGrads(m, X, "nested-reverse");
    expect(Math.abs(jetLG.loss - tapeLG.loss) / tapeLG.loss).toBeLessThan(1e-5);
    jetLG.grads.forEach((g, i) => expect(relErr(g, tapeLG.grads[i]), `weight ${i}`).toBeLessThan(1e-4));

    const L = layers64(m), x = X.data(), n = 50;
    expect(Math.abs(jetLG.loss - loss64(L, x, n)) / loss64(L, x, n)).toBeLessThan(1e-5);
    // a few entries of every kernel and bias: (W, index) -> central difference with h = 1e-5 (error ~1e-10)
    const probes: [number, number][] = [[0, 0], [0, 13], [1, 3], [2, 27], [3, 9], [4, 55], [5, 0], [6, 4], [7, 0]];
    const gmax = Math.max(...jetLG.grads.flatMap((g) => Array.from(g, Math.abs)));
    for (const [w, i] of probes) {
      const arr = w % 2 === 0 ? L[w / 2].W : L[(w - 1) / 2].b;
      const h = 1e-5, keep = arr[i];
      arr[i] = keep + h; const lp = loss64(L, x, n);
      arr[i] = keep - h; const lm = loss64(L, x, n);
      arr[i] = keep;
      const fd = (lp - lm) / (2 * h);
      expect(Math.abs(jetLG.grads[w][i] - fd), `weight ${w}[${i}]: jet ${jetLG.grads[w][i]}, float64 ${fd}`).toBeLessThan(1e-4 * Math.abs(fd) + 1e-5 * gmax);
    }
    X.dispose(); m.dispose();
  });

  it("a per-unit trainable slope (adaptive activation tanh(a_j z_j)) is elementwise: Taylor mode, same numbers as nested tapes", () => {
    const a = gt.variable(gt.tensor([0.5, 1, 1.5, 2, 2.5, 3]), true, "slopes");
    const m = new gt.nn.Sequential([new gt.nn.Dense({ units: 6, activation: (z) => z.mul(a).tanh(), inputShape: [2], seed: 43 }), new gt.nn.Dense({ units: 1, seed: 44 })]);
    const X = points(9, 2, 18);
    expect(gt.jetMethod(m, X)).toEqual({ method: "taylor", reason: null });
    const r = gt.jet(m, X, { derivatives: SECOND, vars: VARS }), n = gt.jet(m, X, { derivatives: SECOND, vars: VARS, method: "nested-reverse" });
    for (const k of SECOND) expect(relErr(r[k].data(), n[k].data()), k).toBeLessThan(1e-5);
    gt.dispose([r, n, X]); m.dispose(); a.dispose();
  });

  it("a trainable custom activation tanh(a z): Taylor mode (nested tapes on the activation) trains a and the weights like nested tapes, memory flat", () => {
    const a = gt.variable(gt.tensor([1.3]), true, "slope");
    const m = new gt.nn.Sequential([
      new gt.nn.Dense({ units: 8, activation: (z) => z.mul(a).tanh(), inputShape: [2], seed: 41 }),
      new gt.nn.Dense({ units: 1, seed: 42 }),
    ]);
    const X = points(24, 2, 17);
    const vars = [a, ...m.trainableWeights];
    const grads = (method: "taylor" | "nested-reverse") => {
      const tape = new gt.GradientTape();
      try {
        return gt.tidy(() => {
          const loss = tape.record(() => burgersLoss(m, X, method));
          return (tape.gradient(loss, vars) as gt.Tensor[]).map((g) => g.data());
        });
      } finally { tape.dispose(); }
    };
    const gj = grads("taylor"), gn = grads("nested-reverse");
    gj.forEach((g, i) => expect(relErr(g, gn[i]), `variable ${i}`).toBeLessThan(1e-4));
    expect(Math.abs(gj[0][0])).toBeGreaterThan(0); // the slope gets a gradient through s', s''
    const opt = new gt.optim.Adam({ learningRate: 1e-3 });
    let mem0 = gt.memory();
    for (let i = 0; i < 300; i++) {
      opt.minimize(() => burgersLoss(m, X, "taylor"), vars);
      if (i === 9) mem0 = gt.memory();
    }
    const mem1 = gt.memory();
    expect(mem1.tensors).toBe(mem0.tensors);
    expect(mem1.bytes).toBe(mem0.bytes);
    expect(mem1.tapes).toBe(0);
    opt.dispose(); X.dispose(); m.dispose(); a.dispose();
  });

  it("memory() stays flat over 1,000 Adam steps through a jet loss", () => {
    const m = mlp([2, 8, 8, 1], "tanh", "linear", 7);
    const X = points(32, 2, 16);
    const opt = new gt.optim.Adam({ learningRate: 1e-3 });
    const loss = () => burgersLoss(m, X, "taylor");
    let first = 0, last = 0, mem0 = gt.memory();
    for (let i = 0; i < 1000; i++) {
      last = opt.minimize(loss, m.trainableWeights);
      if (i === 0) first = last;
      if (i === 9) mem0 = gt.memory();
    }
    const mem1 = gt.memory();
    expect(mem1.tensors).toBe(mem0.tensors);
    expect(mem1.bytes).toBe(mem0.bytes);
    expect(mem1.tapes).toBe(0);
    expect(last).toBeLessThan(first);
    opt.dispose(); X.dispose(); m.dispose();
  });
});
