// pinn.derivatives(): batched input derivatives against float64 finite differences of the same MLP evaluated
// independently here (plain float64 loops), and the weight gradient of a loss built from them against float64
// finite differences in a weight.
import { describe, it, expect, beforeAll } from "vitest";
import { ready, pinn, tensor, tidy, memory, dispose, jet, jetMethod, GradientTape, ArgumentError, ShapeError, type Tensor } from "gradtape";

beforeAll(async () => { await ready(); });

interface RefLayer { W: number[][]; b: number[]; act: "tanh" | "linear" } // W [in][out]

/** the layers of a Dense stack as float64 arrays (their float32 values, exactly) */
function layersOf(net: pinn.PinnNetwork): RefLayer[] {
  const raw = net.toSequential();
  try {
    return raw.stack.map((l, i, all) => {
      const [k, b] = l.weights;
      const [nin, nout] = k.shape;
      const kd = k.data(), bd = b.data();
      return {
        W: Array.from({ length: nin }, (_, r) => Array.from(kd.subarray(r * nout, (r + 1) * nout))),
        b: Array.from(bd), act: i < all.length - 1 ? "tanh" : "linear",
      };
    });
  } finally { raw.dispose(); }
}

/** float64 forward pass */
function mlp(layers: RefLayer[], p: number[]): number[] {
  let h = p;
  for (const L of layers) {
    h = L.b.map((b, j) => {
      let z = b;
      for (let i = 0; i < h.length; i++) z += h[i] * L.W[i][j];
      return L.act === "tanh" ? Math.tanh(z) : z;
    });
  }
  return h;
}

/** float64 central differences of f at p: value, gradient, Hessian, and d3/dx0^2 dx1 */
function fd(f: (p: number[]) => number, p: number[]) {
  const h1 = 1e-5, h2 = 1e-4, h3 = 2e-3, d = p.length;
  const at = (...shifts: [number, number][]) => { const q = p.slice(); for (const [i, s] of shifts) q[i] += s; return f(q); };
  const g = Array.from({ length: d }, (_, i) => (at([i, h1]) - at([i, -h1])) / (2 * h1));
  const H = Array.from({ length: d }, (_, i) => Array.from({ length: d }, (_, j) => i === j
    ? (at([i, h2]) - 2 * f(p) + at([i, -h2])) / (h2 * h2)
    : (at([i, h2], [j, h2]) - at([i, h2], [j, -h2]) - at([i, -h2], [j, h2]) + at([i, -h2], [j, -h2])) / (4 * h2 * h2)));
  // d/dx1 of u_x0x0
  const uxx = (s: number) => (at([0, h3], [1, s]) - 2 * at([1, s]) + at([0, -h3], [1, s])) / (h3 * h3);
  const uxxt = (uxx(h3) - uxx(-h3)) / (2 * h3);
  return { v: f(p), g, H, uxxt };
}

const POINTS = [[0.1, 0.2], [-0.5, 0.7], [0.9, -0.3], [0.0, 0.0], [-0.95, -0.8]];

describe("derivatives() for a batch of points", () => {
  it("u, first, second and a third derivative of every point agree with float64 finite differences", () => {
    const net = new pinn.PinnNetwork({ inputs: 2, hidden: [16, 16, 16], seed: 7, scale: { lo: [-1, 0], hi: [1, 2] } });
    const layers = layersOf(net);
    const names = ["u", "u_x", "u_t", "u_xx", "u_xt", "u_tx", "u_tt", "u_xxt"];
    const out = tidy(() => pinn.derivatives(net, tensor(POINTS), names, { vars: ["x", "t"] }).map((t) => {
      expect(t.shape).toEqual([POINTS.length, 1]);
      return Array.from(t.data());
    }));
    POINTS.forEach((p, i) => {
      const r = fd((q) => mlp(layers, q)[0], p);
      const g1 = Math.hypot(...r.g), g2 = Math.hypot(...r.H.flat());
      const want: Record<string, [number, number]> = {
        u: [r.v, Math.abs(r.v) + 1e-3], u_x: [r.g[0], g1], u_t: [r.g[1], g1],
        u_xx: [r.H[0][0], g2], u_xt: [r.H[0][1], g2], u_tx: [r.H[1][0], g2], u_tt: [r.H[1][1], g2], u_xxt: [r.uxxt, Math.abs(r.uxxt) + g2],
      };
      names.forEach((n, k) => {
        const [v, scale] = want[n];
        const tol = n === "u_xxt" ? 2e-3 : 2e-4;
        expect(Math.abs(out[k][i] - v) / scale, `${n} at (${p}): gradtape ${out[k][i]}, float64 FD ${v}`).toBeLessThan(tol);
      });
    });
    net.dispose();
  });

  it("the Taylor sweep (default for a PinnNetwork, input scaling included) and nested tapes give the same numbers and weight gradients", () => {
    const net = new pinn.PinnNetwork({ inputs: 2, hidden: [12, 12], seed: 5, scale: { lo: [-1, 0], hi: [1, 0.5] } });
    const X = tensor(POINTS.map(([x, t]) => [x, (t + 1) / 4]));
    const names = ["u", "u_x", "u_t", "u_xx", "u_xt", "u_tt", "u_xxx", "u_xxt"];
    const run = (method: string) => {
      const tape = new GradientTape();
      const r = tidy(() => {
        let vals: number[][] = [];
        const loss = tape.record(() => {
          const ds = pinn.derivatives(net, X, names, { vars: ["x", "t"], method });
          vals = ds.map((d) => Array.from(d.data()));
          return ds[3].square().add(ds[0].mul(ds[1])).add(ds[7]).mean();
        });
        const gs = tape.gradient(loss, net.trainableWeights).map((g) => Array.from(g!.data()));
        return { vals, gs };
      });
      tape.dispose();
      return r;
    };
    const a = run("nested-reverse"), b = run("taylor"), c = run("auto");
    const close = (p: number[][], q: number[][], what: string) => p.forEach((row, i) => {
      const scale = Math.max(1e-3, ...row.map(Math.abs));
      row.forEach((v, j) => expect(Math.abs(v - q[i][j]) / scale, `${what} ${i}:${j}`).toBeLessThan(1e-4));
    });
    close(a.vals, b.vals, "values"); close(a.gs, b.gs, "weight gradients");
    expect(c.vals).toEqual(b.vals);
    // gt.jet is the same engine: a PinnNetwork takes its Taylor path there too, with the same numbers bit for bit
    expect(jetMethod(net, X)).toEqual({ method: "taylor", reason: null });
    const j = jet(net, X, { derivatives: names, vars: ["x", "t"] });
    expect(names.map((n) => Array.from(j[n].data()))).toEqual(b.vals);
    dispose(j);
    X.dispose(); net.dispose();
  });

  it("works without a tape open and leaves nothing behind but its results", () => {
    const net = new pinn.PinnNetwork({ inputs: 1, hidden: [8], seed: 1 });
    const X = tensor([[0.1], [0.2], [0.3]]);
    const before = memory();
    const outs = pinn.derivatives(net, X, ["u_x", "u_xx", "u_xxx"]);
    for (const t of outs) t.dispose();
    expect(memory().tensors).toBe(before.tensors);
    expect(memory().tapes).toBe(before.tapes);
    X.dispose(); net.dispose();
  });

  it("is differentiable with respect to the weights: d/dw of mean(u_xx^2 + u u_x) against float64 differences", () => {
    const net = new pinn.PinnNetwork({ inputs: 2, hidden: [6, 6], seed: 11 });
    const X = tensor(POINTS);
    const lossOf = (layers: RefLayer[]) => {
      let s = 0;
      for (const p of POINTS) {
        const r = fd((q) => mlp(layers, q)[0], p);
        s += r.H[0][0] ** 2 + r.v * r.g[0];
      }
      return s / POINTS.length;
    };
    const tape = new GradientTape();
    const vars = net.trainableWeights;
    const grads = tidy(() => {
      const loss = tape.record(() => {
        const [u, ux, uxx] = pinn.derivatives(net, X, ["u", "u_x", "u_xx"], { vars: ["x", "t"] });
        return uxx.square().add(u.mul(ux)).mean();
      });
      return tape.gradient(loss, vars).map((g) => Array.from(g!.data()));
    });
    tape.dispose();
    // first-layer kernel entry (0, 2) and an output-layer weight, by central differences in float64
    const base = layersOf(net);
    for (const [layer, r, c, gi] of [[0, 0, 2, 0], [0, 1, 4, 0], [2, 3, 0, 4]] as const) {
      const eps = 1e-4;
      const shifted = (s: number) => { const L = structuredClone(base); L[layer].W[r][c] += s; return lossOf(L); };
      const want = (shifted(eps) - shifted(-eps)) / (2 * eps);
      const got = grads[gi][r * base[layer].W[0].length + c];
      expect(Math.abs(got - want), `d loss / d W${layer}[${r}][${c}]: gradtape ${got}, float64 ${want}`).toBeLessThan(2e-3 * Math.max(1, Math.abs(want)));
    }
    X.dispose(); net.dispose();
  });

  it("multi-output networks and the name grammar", () => {
    const fn = (x: Tensor) => x.square().mul(tensor([[1, 3]])).add(x.slice([0, 1], [-1, 1]).mul(x.slice([0, 0], [-1, 1]))); // [N, 2]
    const X = tensor([[0.5, 2], [1, -1]]);
    // u = x^2 + x y, v = 3 y^2 + x y
    const [u_x, v_y, v_yy, u_xy] = pinn.derivatives(fn, X, ["u_x", "v_y", "v_yy", "u_yx"], { outputs: ["u", "v"] });
    expect(Array.from(u_x.data())).toEqual([2 * 0.5 + 2, 2 * 1 - 1]);
    expect(Array.from(v_y.data())).toEqual([6 * 2 + 0.5, 6 * -1 + 1]);
    expect(Array.from(v_yy.data())).toEqual([6, 6]);
    expect(Array.from(u_xy.data())).toEqual([1, 1]);
    expect(() => pinn.derivatives(fn, X, ["u_x"])).toThrow(/2 outputs; name them/);
    expect(() => pinn.derivatives(fn, X, ["w_x"], { outputs: ["u", "v"] })).toThrow(/names output 'w'/);
    expect(() => pinn.derivatives(fn, X, ["u_z"], { outputs: ["u", "v"] })).toThrow(ArgumentError);
    expect(() => pinn.derivatives(fn, X, ["u_"], { outputs: ["u", "v"] })).toThrow(/nothing after/);
    expect(() => pinn.derivatives(fn, X, ["u_x"], { outputs: ["u", "v"], method: "magic" })).toThrow(/unknown method/);
    expect(() => pinn.derivatives(fn, X, ["u_x"], { outputs: ["u", "v"], method: "taylor" })).toThrow(/cannot run this network/);
    expect(() => pinn.derivatives(fn, X.reshape([4]), ["u"])).toThrow(ShapeError);
    // a linear network: its second derivatives are zero (not an unconnected-gradient error)
    const lin = (x: Tensor) => x.matMul(tensor([[2], [3]]));
    const [lx, lxx, lxy] = pinn.derivatives(lin, X, ["u_x", "u_xx", "u_xy"]);
    expect(Array.from(lx.data())).toEqual([2, 2]);
    expect(Array.from(lxx.data())).toEqual([0, 0]);
    expect(Array.from(lxy.data())).toEqual([0, 0]);
    expect(pinn.parseDerivative("u_x1x2x1", ["x1", "x2"], ["u"])).toEqual({ name: "u_x1x2x1", output: 0, wrt: [0, 0, 1] });
    expect(pinn.derivativeMethods()).toEqual(expect.arrayContaining(["nested-reverse", "taylor", "auto"]));
  });
});
