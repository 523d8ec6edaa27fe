// The built-in problems on geometries (poisson-lshape, laplace-disk, advection): their references checked
// independently (the finite-difference solver's O(h²) on a smooth solution, the L-shape's symmetry and maximum
// principle, the exact solutions' equations and conditions by float64 finite differences), their registration,
// and evaluation that skips grid points outside the domain. (Their training accuracy: test/bench/pinn-accuracy.mjs.)
import { describe, it, expect, beforeAll } from "vitest";
import { ready, pinn } from "gradtape";

beforeAll(async () => { await ready(); });
const P = pinn.problems;

describe("the finite-difference reference", () => {
  it("converges at O(h²) on the L-shape for a smooth solution (u = sin(pi x) sin(pi y) vanishes on its boundary)", { timeout: 30_000 }, () => {
    const exact = (x: number, y: number) => Math.sin(Math.PI * x) * Math.sin(Math.PI * y);
    const interior = (i: number, j: number, n: number) => i > 0 && j > 0 && i < n && j < n && !(2 * i >= n && 2 * j >= n);
    const errs = [20, 40, 80].map((n) => {
      const { u } = P.solvePoissonFD({ n, x0: -1, y0: -1, h: 2 / n, interior }, (x, y) => 2 * Math.PI * Math.PI * exact(x, y));
      let e = 0;
      for (let j = 0; j <= n; j++) for (let i = 0; i <= n; i++) e = Math.max(e, Math.abs(u[j * (n + 1) + i] - (interior(i, j, n) ? exact(-1 + (2 * i) / n, -1 + (2 * j) / n) : 0)));
      return e;
    });
    expect(errs[0] / errs[1]).toBeGreaterThan(3.7);
    expect(errs[0] / errs[1]).toBeLessThan(4.3);
    expect(errs[1] / errs[2]).toBeGreaterThan(3.8);
    expect(errs[2]).toBeLessThan(5e-3);
  });

  it("the L-shape reference: error estimate below 1e-3 at an order near 4/3; symmetric about y = x; positive inside, 0 on the boundary", () => {
    const ref = P.poissonLshapeReference();
    expect(ref.errorEstimate).toBeLessThan(1e-3);
    expect(ref.order).toBeGreaterThan(1.1);
    expect(ref.order).toBeLessThan(2.1);
    const problem = pinn.getProblem("poisson-lshape");
    const r = problem.reference();
    const n = 101, at = (i: number, j: number) => r.u[j * n + i];
    let nan = 0;
    for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) {
      const v = at(i, j);
      if (i > 50 && j > 50) { expect(v).toBeNaN(); nan++; continue; }
      // (x, y) -> (y, x) maps the L onto itself: grid index (i, j) -> (j, i)
      expect(Math.abs(v - at(j, i))).toBeLessThan(1e-10);
      const onBoundary = i === 0 || j === 0 || i === 100 || j === 100 || (i === 50 && j >= 50) || (j === 50 && i >= 50);
      if (onBoundary) expect(v).toBe(0); else expect(v).toBeGreaterThan(0);
    }
    expect(nan).toBe(50 * 50);
  });
});

describe("exact solutions satisfy their problems (float64 finite differences)", () => {
  const h = 1e-4;
  it("laplace-disk: e^x cos y is harmonic and meets u + du/dn = g on the circle", () => {
    const u = P.laplaceDiskExact;
    const g = pinn.getProblem("laplace-disk").conditions[0];
    for (let k = 0; k < 24; k++) {
      const a = (2 * Math.PI * k) / 24 + 0.1, x = Math.cos(a), y = Math.sin(a);
      const lap = (u(x + h, y) + u(x - h, y) + u(x, y + h) + u(x, y - h) - 4 * u(x, y)) / (h * h);
      expect(Math.abs(lap)).toBeLessThan(1e-5);
      const dn = (u(x * (1 + h), y * (1 + h)) - u(x * (1 - h), y * (1 - h))) / (2 * h); // radial derivative at r = 1
      expect(u(x, y) + dn - g.value({ x, y })).toBeCloseTo(0, 7);
    }
  });

  it("advection: sin(2 pi (x - t)) solves u_t + u_x = 0, is periodic in x and starts at sin(2 pi x)", () => {
    const u = P.advectionExact;
    for (const [x, t] of [[0.1, 0.2], [0.7, 0.9], [0.5, 0.5]]) {
      expect((u(x, t + h) - u(x, t - h)) / (2 * h) + (u(x + h, t) - u(x - h, t)) / (2 * h)).toBeCloseTo(0, 6);
      expect(u(0, t)).toBeCloseTo(u(1, t), 12);
      expect(u(x, 0)).toBeCloseTo(Math.sin(2 * Math.PI * x), 12);
    }
  });
});

describe("registration and evaluation", () => {
  it("the new problems are built in (CLI, bench and demo read this list) with their defaults and their condition kinds", () => {
    const names = Object.keys(P.problems);
    for (const n of ["poisson-lshape", "laplace-disk", "advection"]) expect(names).toContain(n);
    expect(pinn.getProblem("laplace-disk").conditions.map((c) => c.kind)).toEqual(["robin"]);
    expect(pinn.getProblem("advection").conditions.map((c) => c.kind)).toEqual(["initial", "periodic"]);
    for (const n of ["poisson-lshape", "laplace-disk", "advection"]) {
      const d = pinn.getProblem(n).defaults;
      expect(d.hidden!.length).toBeGreaterThan(0);
      expect(d.adamSteps! + d.lbfgsSteps!).toBeGreaterThan(1000);
    }
  });

  it("evaluation skips grid points outside the domain: a network equal to the reference inside scores 0", { timeout: 30_000 }, () => {
    const problem = pinn.getProblem("laplace-disk");
    const ref = problem.reference();
    const inside = ref.u.filter((v) => !Number.isNaN(v)).length;
    // the disk covers pi/4 of its bounding square
    expect(Math.abs(inside / ref.u.length - Math.PI / 4)).toBeLessThan(0.02);
    expect(pinn.relativeL2(Array.from(ref.u, (v) => (Number.isNaN(v) ? 1e9 : v)), ref.u)).toBe(0);
  });

  it("training data for each: collocation points inside, condition points on their pieces", { timeout: 30_000 }, () => {
    for (const n of ["poisson-lshape", "laplace-disk", "advection"]) {
      const problem = pinn.getProblem(n);
      const data = pinn.trainingData(problem, { collocationPoints: 100, conditionPoints: 40, seed: 1 });
      try {
        const X = data.collocation.data();
        for (let i = 0; i < 100; i++) expect(problem.geometry.inside([X[2 * i], X[2 * i + 1]], 1e-6)).toBe(true);
        expect(data.conditionCount).toBe(40);
        for (const g of [...data.groups.map((x) => x.points), ...data.terms.map((t) => t.points)]) {
          const v = g.data();
          for (let i = 0; i < g.shape[0]; i++) expect(problem.geometry.onBoundary([v[2 * i], v[2 * i + 1]], 1e-6)).toBe(true);
        }
      } finally { data.dispose(); }
    }
  });
});
