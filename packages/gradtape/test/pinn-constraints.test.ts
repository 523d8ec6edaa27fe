// Hard constraints (output transforms): the constrained value holds to float32 rounding at boundary points before
// any training; derivatives of the transformed network (pinn.derivatives and gt.jet) agree with float64 finite
// differences of the same transform applied to an independent float64 forward pass; training through a transform
// keeps the constraint, lowers the error, and leaves memory flat.
import { describe, it, expect, beforeAll } from "vitest";
import { ready, pinn, jet, tensor, tidy, memory, ArgumentError, ShapeError } from "gradtape";

beforeAll(async () => { await ready(); });
const G = pinn.geometry;

// Poisson on the unit square with u = 0 on the boundary: u = x(1-x) y(1-y) N
const squareT: pinn.OutputTransform = ({ x, y }, N) => x.mul(x.neg().add(1)).mul(y).mul(y.neg().add(1)).mul(N);
// Burgers: u(0, x) = -sin(pi x) and u(t, ±1) = 0:  u = -sin(pi x) + t (1 - x²) N
const burgersT: pinn.OutputTransform = ({ x, t }, N) => x.mul(Math.PI).sin().neg().add(t.mul(x.square().neg().add(1)).mul(N));

/** the layers of a PinnNetwork as float64 arrays (its float32 values, exactly), input scaling folded in */
function forward64(net: pinn.PinnNetwork): (p: number[]) => number {
  const raw = net.toSequential();
  const layers = raw.stack.map((l) => { const [k, b] = l.weights; return { k: Float64Array.from(k.data()), b: Float64Array.from(b.data()), nin: k.shape[0], nout: k.shape[1] }; });
  raw.dispose();
  return (p) => {
    let h = p;
    layers.forEach((L, li) => {
      h = Array.from({ length: L.nout }, (_, o) => {
        let z = L.b[o];
        for (let i = 0; i < L.nin; i++) z += h[i] * L.k[i * L.nout + o];
        return li < layers.length - 1 ? Math.tanh(z) : z;
      });
    });
    return h[0];
  };
}

describe("hard constraints", () => {
  it("Poisson square: u = 0 at boundary points before training (to float32 rounding)", () => {
    const net = new pinn.PinnNetwork({ inputs: 2, hidden: [16, 16], seed: 3 });
    const u = pinn.constrain(net, squareT, ["x", "y"]);
    const pts = G.rectangle([0, 0], [1, 1]).sampleBoundary(400, { seed: 1 });
    const [uv, Nv] = tidy(() => { const X = tensor(Array.from(pts), [400, 2]); return [u(X).data(), net.apply(X).data()]; });
    const scale = Math.max(...Array.from(Nv, Math.abs));
    expect(scale).toBeGreaterThan(0.01); // the bare network is not zero there
    for (let i = 0; i < 400; i++) expect(Math.abs(uv[i])).toBeLessThanOrEqual(1.2e-7 * scale);
    net.dispose();
  });

  it("Burgers: u(0, x) = -sin(pi x) and u(t, ±1) = 0 before training (to float32 rounding)", () => {
    const net = new pinn.PinnNetwork({ inputs: 2, hidden: [16, 16], seed: 4, scale: { lo: [-1, 0], hi: [1, 1] } });
    const u = pinn.constrain(net, burgersT, ["x", "t"]);
    const slab = G.times(G.interval(-1, 1), [0, 1]);
    const pts = slab.sampleBoundary(300, { piece: ["initial", "left", "right"], seed: 2 });
    const uv = tidy(() => u(tensor(Array.from(pts), [300, 2])).data());
    for (let i = 0; i < 300; i++) {
      const x = Math.fround(pts[2 * i]), t = Math.fround(pts[2 * i + 1]);
      const want = t === 0 ? -Math.sin(Math.PI * x) : 0;
      expect(Math.abs(uv[i] - want)).toBeLessThanOrEqual(t === 0 ? 4e-7 : 1e-6);
    }
    net.dispose();
  });

  it("derivatives through the transform agree with float64 finite differences (derivatives and jet)", { timeout: 30_000 }, () => {
    const net = new pinn.PinnNetwork({ inputs: 2, hidden: [12, 12], seed: 5, scale: { lo: [-1, 0], hi: [1, 1] } });
    const f64 = forward64(net);
    const u64 = (p: number[]) => { const [x, t] = p; return -Math.sin(Math.PI * x) + t * (1 - x * x) * f64(p); };
    const u = pinn.constrain(net, burgersT, ["x", "t"]);
    const P = [[0.3, 0.4], [-0.7, 0.9], [0.05, 0.1]];
    const names = ["u", "u_x", "u_t", "u_xx"];
    const [viaDerivatives, viaJet] = tidy(() => {
      const X = tensor(P);
      const a = pinn.derivatives(u, X, names, { vars: ["x", "t"] }).map((d) => Array.from(d.data()));
      const j = jet(u, X, { derivatives: names, vars: ["x", "t"] });
      return [a, names.map((n) => Array.from(j[n].data()))];
    });
    const h1 = 1e-5, h2 = 1e-4;
    P.forEach((p, i) => {
      const at = (dx: number, dt: number) => u64([p[0] + dx, p[1] + dt]);
      const want = [at(0, 0), (at(h1, 0) - at(-h1, 0)) / (2 * h1), (at(0, h1) - at(0, -h1)) / (2 * h1), (at(h2, 0) - 2 * at(0, 0) + at(-h2, 0)) / (h2 * h2)];
      names.forEach((n, k) => {
        const tol = 2e-4 * (1 + Math.abs(want[k]));
        expect(Math.abs(viaDerivatives[k][i] - want[k]), `${n} at ${p}`).toBeLessThan(tol);
        expect(Math.abs(viaJet[k][i] - want[k]), `jet ${n} at ${p}`).toBeLessThan(tol);
      });
    });
    net.dispose();
  });

  it("a problem with a transform trains without boundary terms, keeps u = 0 on the boundary, and memory stays flat", { timeout: 120_000 }, () => {
    const problem = pinn.defineProblem({
      name: "poisson-hard", domain: G.rectangle([0, 0], [1, 1]), uses: ["u_xx", "u_yy"],
      residual: ({ u_xx, u_yy, x, y }) => u_xx.add(u_yy).neg().sub(x.mul(Math.PI).sin().mul(y.mul(Math.PI).sin()).mul(2 * Math.PI * Math.PI)),
      conditions: [], transform: squareT,
      exact: ({ x, y }) => Math.sin(Math.PI * x) * Math.sin(Math.PI * y),
    });
    const before = memory().tensors;
    const res = pinn.train(problem, { network: { hidden: [16, 16] }, collocationPoints: 300, adamSteps: 300, lbfgsSteps: 300 });
    try {
      const ev = pinn.evaluate(res.network, problem);
      expect(ev.relL2).toBeLessThan(1e-2);
      // the grid's edges are exactly 0 in the prediction: the constraint, not the training, makes them so
      const [ys, xs] = [ev.reference.axes[0][1], ev.reference.axes[1][1]];
      for (let j = 0; j < ys.length; j++) for (let i = 0; i < xs.length; i++) {
        if (i === 0 || j === 0 || i === xs.length - 1 || j === ys.length - 1) expect(Math.abs(ev.prediction[j * xs.length + i])).toBeLessThan(1e-6);
      }
    } finally { res.network.dispose(); }
    expect(memory().tensors).toBe(before);
  });

  it("bad transforms are named errors", () => {
    const net = new pinn.PinnNetwork({ inputs: 2, hidden: [4], seed: 1 });
    expect(() => pinn.constrain(net, 3 as unknown as pinn.OutputTransform, ["x", "y"])).toThrow(ArgumentError);
    const wrongShape = pinn.constrain(net, ({ x }) => x.reshape([-1]), ["x", "y"]);
    expect(() => tidy(() => wrongShape(tensor([[0.1, 0.2]])))).toThrow(ShapeError);
    expect(() => tidy(() => wrongShape(tensor([[0.1, 0.2, 0.3]])))).toThrow(/inputs must be \[N, 2\]/);
    expect(() => pinn.defineProblem({ name: "t", domain: { x: [0, 1] }, uses: ["u_xx"], residual: (d) => d.u_xx, conditions: [], transform: "g + dN" as unknown as pinn.OutputTransform })).toThrow(/transform must be a function/);
    net.dispose();
  });
});
