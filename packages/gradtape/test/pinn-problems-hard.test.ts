// The hard built-in problems of #16 (helmholtz, wave, kovasznay, allen-cahn): their exact solutions and the
// Allen-Cahn spectral reference checked independently in float64 (finite differences of the solution against the
// PDE, the conditions at boundary points, the reference's convergence in modes and time step), the residuals as
// written fed with those float64 derivatives, and a few training steps of each with memory flat. Their training
// accuracy is a benchmark (test/bench/pinn-accuracy.mjs), not a test.
import { describe, it, expect, beforeAll } from "vitest";
import { ready, pinn, optim, memory, tidy, tensor, concat, type Tensor } from "gradtape";

beforeAll(async () => { await ready(); });
const P = pinn.problems;
const HARD = ["helmholtz", "wave", "kovasznay", "allen-cahn"];

// a deterministic spread of points in the unit square
const points = (n: number): [number, number][] => Array.from({ length: n }, (_, i) => [((i * 0.618034) % 1), ((i * 0.414214 + 0.3) % 1)]);

/** The problem's residual(s), in float32, fed with float64 values of every name it uses (columns of n points). */
function residualOf(problem: pinn.Problem, cols: Record<string, number[]>): Float32Array[] {
  return tidy(() => {
    const d: Record<string, Tensor> = {};
    for (const [k, v] of Object.entries(cols)) d[k] = tensor(v, [v.length, 1]);
    const r = problem.residual(d);
    return (Array.isArray(r) ? r : [r]).map((t) => t.data() as Float32Array);
  });
}
const maxAbs = (a: ArrayLike<number>) => Array.from(a).reduce((m, v) => Math.max(m, Math.abs(v)), 0);

describe("exact solutions satisfy their PDEs and conditions (float64 finite differences)", () => {
  const h = 1e-4;
  it("helmholtz: sin(pi x) sin(4 pi y) solves u_xx + u_yy + u = q; the boundary data is the solution; the residual as written vanishes on it", () => {
    const u = P.helmholtzExact, q = P.helmholtzForcing;
    const pts = points(40).map(([a, b]) => [2 * a - 1, 2 * b - 1]);
    const cols: Record<string, number[]> = { u: [], u_xx: [], u_yy: [], x: [], y: [] };
    for (const [x, y] of pts) {
      const uxx = (u(x + h, y) - 2 * u(x, y) + u(x - h, y)) / (h * h), uyy = (u(x, y + h) - 2 * u(x, y) + u(x, y - h)) / (h * h);
      // the forcing is -166.8 u: FD truncation (4 pi)^4 h² / 12 ~ 2e-5, rounding ~ 1e-8
      expect(Math.abs(uxx + uyy + u(x, y) - q(x, y))).toBeLessThan(2e-4);
      cols.u.push(u(x, y)); cols.u_xx.push(uxx); cols.u_yy.push(uyy); cols.x.push(x); cols.y.push(y);
    }
    expect(q(0.5, 0.125)).toBeCloseTo(1 - 17 * Math.PI ** 2, 10);
    // float32 residual of terms ~167 in size
    expect(maxAbs(residualOf(pinn.getProblem("helmholtz"), cols)[0])).toBeLessThan(2e-3);
    const c = pinn.getProblem("helmholtz").conditions[0];
    for (const [s, r] of points(20)) for (const [x, y] of [[-1, 2 * s - 1], [1, 2 * s - 1], [2 * r - 1, -1], [2 * r - 1, 1]]) {
      expect(c.value({ x, y })).toBe(u(x, y));
      expect(Math.abs(u(x, y))).toBeLessThan(1e-14); // sin(a pi) at the edges
    }
  });

  it("wave: the exact solution solves u_tt = 4 u_xx, starts at rest from u(0, x), and is 0 at x = 0, 1", () => {
    const u = P.waveExact;
    const p = pinn.getProblem("wave");
    const cols: Record<string, number[]> = { u_tt: [], u_xx: [], x: [], t: [] };
    for (const [x, t] of points(40)) {
      const utt = (u(x, t + h) - 2 * u(x, t) + u(x, t - h)) / (h * h), uxx = (u(x + h, t) - 2 * u(x, t) + u(x - h, t)) / (h * h);
      // terms up to 0.5 (8 pi)^2 = 316: truncation (8 pi)^4 h^2 / 24 ~ 1.7e-4
      expect(Math.abs(utt - 4 * uxx)).toBeLessThan(1e-3);
      cols.u_tt.push(utt); cols.u_xx.push(uxx); cols.x.push(x); cols.t.push(t);
      expect(Math.abs((u(x, h) - u(x, -h)) / (2 * h))).toBeLessThan(1e-12);
      expect(u(x, 0)).toBeCloseTo(Math.sin(Math.PI * x) + 0.5 * Math.sin(4 * Math.PI * x), 14);
      expect(p.conditions[0].value({ x, t: 0 })).toBe(u(x, 0));
      expect(Math.abs(u(0, t)) + Math.abs(u(1, t))).toBeLessThan(1e-14);
    }
    expect(maxAbs(residualOf(p, cols)[0])).toBeLessThan(5e-3);
    expect(p.conditions.map((c) => [c.kind, c.quantity])).toEqual([["initial", "u"], ["initial", "u_t"], ["dirichlet", "u"], ["dirichlet", "u"]]);
  });

  it("kovasznay: (u, v, p) solves steady Navier-Stokes at Re = 20 and is divergence-free; u, v on the boundary and p on x = 1 come from it", () => {
    const E = P.kovasznayExact, Re = 20;
    expect(P.KOVASZNAY_LAMBDA).toBeCloseTo(10 - Math.sqrt(100 + 4 * Math.PI ** 2), 14);
    expect(P.KOVASZNAY_LAMBDA).toBeCloseTo(-1.8101, 4);
    const f = (k: "u" | "v" | "p", x: number, y: number) => E(x, y)[k];
    const dx = (k: "u" | "v" | "p", x: number, y: number) => (f(k, x + h, y) - f(k, x - h, y)) / (2 * h);
    const dy = (k: "u" | "v" | "p", x: number, y: number) => (f(k, x, y + h) - f(k, x, y - h)) / (2 * h);
    const lap = (k: "u" | "v", x: number, y: number) => (f(k, x + h, y) + f(k, x - h, y) + f(k, x, y + h) + f(k, x, y - h) - 4 * f(k, x, y)) / (h * h);
    const names = ["u", "v", "u_x", "u_y", "v_x", "v_y", "p_x", "p_y", "u_xx", "u_yy", "v_xx", "v_yy"];
    const cols: Record<string, number[]> = Object.fromEntries([...names, "x", "y"].map((n) => [n, []]));
    for (const [a, b] of points(40)) {
      const x = -0.5 + 1.5 * a, y = -0.5 + 2 * b;
      const { u, v } = E(x, y);
      expect(Math.abs(u * dx("u", x, y) + v * dy("u", x, y) + dx("p", x, y) - lap("u", x, y) / Re)).toBeLessThan(2e-5);
      expect(Math.abs(u * dx("v", x, y) + v * dy("v", x, y) + dy("p", x, y) - lap("v", x, y) / Re)).toBeLessThan(2e-5);
      expect(Math.abs(dx("u", x, y) + dy("v", x, y))).toBeLessThan(1e-6);
      const vals = [u, v, dx("u", x, y), dy("u", x, y), dx("v", x, y), dy("v", x, y), dx("p", x, y), dy("p", x, y),
        (f("u", x + h, y) - 2 * u + f("u", x - h, y)) / (h * h), (f("u", x, y + h) - 2 * u + f("u", x, y - h)) / (h * h),
        (f("v", x + h, y) - 2 * v + f("v", x - h, y)) / (h * h), (f("v", x, y + h) - 2 * v + f("v", x, y - h)) / (h * h)];
      names.forEach((n, i) => cols[n].push(vals[i]));
      cols.x.push(x); cols.y.push(y);
    }
    const res = residualOf(pinn.getProblem("kovasznay"), cols);
    expect(res.length).toBe(3);
    for (const r of res) expect(maxAbs(r)).toBeLessThan(5e-4);
    const p = pinn.getProblem("kovasznay");
    expect(p.outputs).toEqual(["u", "v", "p"]);
    expect(p.conditions.map((c) => c.quantity)).toEqual(["u", "v", "p"]);
    for (const [x, y] of [[-0.5, 0.3], [1, -0.2], [0.4, 1.5]]) {
      expect(p.conditions[0].value({ x, y })).toBe(E(x, y).u);
      expect(p.conditions[1].value({ x, y })).toBe(E(x, y).v);
    }
    expect(p.conditions[2].value({ x: 1, y: 0.7 })).toBeCloseTo(0.5 * (1 - Math.exp(2 * P.KOVASZNAY_LAMBDA)), 14);
  });

  it("kovasznay: kovasznayErrors reports each output's error; a network equal to the exact solution scores ~0, one with p off by 0.1 scores on p only", () => {
    const L = P.KOVASZNAY_LAMBDA;
    const exactNet = (shift: number) => (X: Tensor): Tensor => {
      const x = X.slice([0, 0], [X.shape[0], 1]), y = X.slice([0, 1], [X.shape[0], 1]);
      const e = x.mul(L).exp();
      const u = e.mul(y.mul(2 * Math.PI).cos()).neg().add(1);
      const v = e.mul(y.mul(2 * Math.PI).sin()).mul(L / (2 * Math.PI));
      const p = e.mul(e).neg().add(1).mul(0.5).add(shift);
      return concat([u, v, p], 1);
    };
    const ok = P.kovasznayErrors(exactNet(0));
    for (const k of ["u", "v", "p"] as const) expect(ok[k]).toBeLessThan(1e-5);
    const off = P.kovasznayErrors(exactNet(0.1));
    expect(off.u).toBeLessThan(1e-5);
    expect(off.v).toBeLessThan(1e-5);
    // ||0.1|| / ||p|| over the grid, in float64
    const grid = pinn.getProblem("kovasznay").grid;
    let den = 0, n = 0;
    for (const y of grid[0][1]) for (const x of grid[1][1]) { den += P.kovasznayExact(x, y).p ** 2; n++; void y; }
    expect(off.p).toBeCloseTo(Math.sqrt((n * 0.01) / den), 4);
  });
});

describe("Allen-Cahn: the spectral ETDRK4 reference", () => {
  it("the contour-integral coefficients match the direct formulas where those are accurate, and their limits at z -> 0", () => {
    for (const [h, L] of [[0.1, -20], [0.01, -300], [0.5, 3]]) {
      const z = h * L, ez = Math.exp(z);
      const direct = [h * (Math.exp(z / 2) - 1) / z, h * (-4 - z + ez * (4 - 3 * z + z * z)) / z ** 3, h * (2 + z + ez * (z - 2)) / z ** 3, h * (-4 - 3 * z - z * z + ez * (4 - z)) / z ** 3];
      P.etdrk4Coefficients(h, L).forEach((c, i) => expect(Math.abs(c - direct[i]) / Math.abs(direct[i])).toBeLessThan(1e-12));
    }
    // z -> 0: Q -> h/2, f1 = f2 = f3 -> h/6 (Cox & Matthews 2002), where the direct formulas cancel catastrophically
    const [q, f1, f2, f3] = P.etdrk4Coefficients(1e-3, 1e-9);
    expect(q / 1e-3).toBeCloseTo(0.5, 12);
    for (const f of [f1, f2, f3]) expect(f / 1e-3).toBeCloseTo(1 / 6, 12);
  });

  it("converges: 2048 vs 4096 modes and dt vs dt/2 agree (the errors stated in allen-cahn-spectral.ts), 1024 modes are clearly worse", { timeout: 240_000 }, () => {
    const c = P.allenCahnConvergence(2048, 1e-3);
    expect(c.space.relL2).toBeLessThan(2e-6);
    expect(c.space.max).toBeLessThan(2e-4);
    expect(c.time.max).toBeLessThan(1e-8);
    // the initial kink at x = ±1 gives ~N^-2 early on: halving the modes costs about 4x
    expect(c.coarser.relL2 / c.space.relL2).toBeGreaterThan(3);
  });

  it("matches the initial condition, satisfies the PDE by independent finite differences, stays in [-1, 1], and is the problem's reference", { timeout: 120_000 }, () => {
    const dt = 1e-3, N = 2048;
    const { x, u } = P.allenCahnSpectral({ modes: N, dt, times: [0, 0.498, 0.499, 0.5, 0.501, 0.502] });
    for (let j = 0; j < N; j++) expect(Math.abs(u[j] - x[j] ** 2 * Math.cos(Math.PI * x[j]))).toBeLessThan(1e-12);
    // 4th-order differences in t (snapshots 1..5 around t = 0.5) and x (periodic): terms up to |u_t| ~ 2
    const at = (i: number, j: number) => u[i * N + ((j + N) % N)];
    const dx = 2 / N;
    let worst = 0, scale = 0;
    for (let j = 0; j < N; j++) {
      const ut = (-at(5, j) + 8 * at(4, j) - 8 * at(2, j) + at(1, j)) / (12 * dt);
      const uxx = (-at(3, j - 2) + 16 * at(3, j - 1) - 30 * at(3, j) + 16 * at(3, j + 1) - at(3, j + 2)) / (12 * dx * dx);
      const v = at(3, j);
      worst = Math.max(worst, Math.abs(ut - 1e-4 * uxx + 5 * v ** 3 - 5 * v));
      scale = Math.max(scale, Math.abs(ut));
    }
    expect(scale).toBeGreaterThan(1);
    expect(worst).toBeLessThan(1e-7);
    const ref = pinn.getProblem("allen-cahn").reference();
    expect(ref.axes.map(([a, v]) => [a, v.length])).toEqual([["t", 201], ["x", 512]]);
    for (let j = 0; j < 512; j++) expect(ref.u[j]).toBeCloseTo(ref.axes[1][1][j] ** 2 * Math.cos(Math.PI * ref.axes[1][1][j]), 12);
    // the 512-point grid is every 4th point of the solver's 2048
    for (let j = 0; j < 512; j += 37) expect(ref.u[100 * 512 + j]).toBe(at(3, 4 * j));
    for (const v of ref.u) expect(Math.abs(v)).toBeLessThan(1 + 1e-6);
    expect(() => P.allenCahnSpectral({ modes: 1000 })).toThrow(/power of two/);
    expect(() => P.allenCahnSpectral({ dt: 1e-3, times: [0.0005] })).toThrow(/not a multiple of dt/);
    expect(pinn.getProblem("allen-cahn").conditions.map((c) => c.kind)).toEqual(["initial", "periodic"]);
  });
});

describe("registration and training", () => {
  it("are built in with a published-size default setup", () => {
    for (const n of HARD) {
      const p = pinn.getProblem(n);
      expect(p.name).toBe(n);
      // Allen-Cahn's default is a smaller network behind an exact periodic embedding of x (its own test below)
      expect(p.defaults.hidden!.length).toBeGreaterThanOrEqual(n === "allen-cahn" ? 3 : 4);
      expect(p.defaults.collocationPoints!).toBeGreaterThanOrEqual(2000);
      expect(p.defaults.adamSteps! + p.defaults.lbfgsSteps!).toBeGreaterThan(1000);
    }
  });

  it("allen-cahn's default network is periodic in x by construction: u(x, t) = u(x + 2, t) to float32 rounding", () => {
    const problem = pinn.getProblem("allen-cahn");
    expect(problem.vars).toEqual(["x", "t"]);
    expect(problem.defaults.embedding).toEqual({ type: "periodic", periods: { x: 2 } });
    const net = pinn.makeNetwork(problem, { seed: 3 });
    const ds = [0, 0.05, 0.3, 0.7, 1.4], ts = [0, 0.37, 1];
    const at = (shift: number) => {
      const pts: number[] = [];
      for (const d of ds) for (const t of ts) pts.push(-1 + d + shift, t);
      return pinn.predict(net, Float64Array.from(pts), 2);
    };
    const left = at(0), right = at(2);
    for (let i = 0; i < left.length; i++) expect(Math.abs(left[i] - right[i]), `point ${i}`).toBeLessThan(1e-5);
    // and it is not a constant that would pass trivially
    expect(Math.max(...left) - Math.min(...left)).toBeGreaterThan(1e-3);
    net.dispose();
  });

  it("each defines, trains a few steps with memory flat, and pinn.train runs and releases everything", { timeout: 180_000 }, () => {
    for (const n of HARD) {
      const problem = pinn.getProblem(n);
      const net = pinn.makeNetwork(problem, { network: { hidden: [8, 8] } });
      expect(net.outputs).toBe(problem.outputs.length);
      const data = pinn.trainingData(problem, { collocationPoints: 32, conditionPoints: 24, seed: 1 });
      const lossFn = pinn.pinnLoss(problem, net, data);
      const adam = new optim.Adam({ learningRate: 1e-3 });
      const vars = net.trainableWeights;
      let first = 0;
      for (let i = 0; i < 5; i++) first = adam.minimize(lossFn, vars);
      const m0 = memory();
      let last = first;
      for (let i = 0; i < 40; i++) last = adam.minimize(lossFn, vars);
      const m1 = memory();
      expect(m1.tensors, n).toBe(m0.tensors);
      expect(m1.bytes, n).toBe(m0.bytes);
      expect(m1.tapes, n).toBe(0);
      expect(Number.isFinite(last) && last < first, `${n}: loss ${first} -> ${last}`).toBe(true);
      adam.dispose(); data.dispose(); net.dispose();

      const before = memory();
      const res = pinn.train(problem, { network: { hidden: [8, 8] }, collocationPoints: 32, conditionPoints: 24, adamSteps: 5, lbfgsSteps: 5 });
      expect(res.steps).toBeGreaterThan(5);
      expect(Number.isFinite(res.finalLoss)).toBe(true);
      res.network.dispose();
      const after = memory();
      expect(after.tensors, n).toBe(before.tensors);
      expect(after.bytes, n).toBe(before.bytes);
    }
  });
});
