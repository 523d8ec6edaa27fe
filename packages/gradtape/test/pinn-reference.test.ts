// The reference solutions the PINN problems are measured against: Gauss-Hermite rules, the Cole-Hopf Burgers
// solution (against an independent trapezoid rule and the published slope of Basdevant et al. 1986), and the
// closed-form heat and Poisson solutions (against their PDEs, by finite differences, and their conditions).
import { describe, it, expect, beforeAll } from "vitest";
import { ready, pinn } from "gradtape";

beforeAll(async () => { await ready(); });

const { burgersExact, heatExact, poisson1dExact, poisson2dExact, BURGERS_NU, HEAT_K } = pinn.problems;

/** ∫ z^(2k) e^{-z²} dz = Γ(k + 1/2) */
function evenMoment(k: number): number {
  let g = Math.sqrt(Math.PI);
  for (let j = 0; j < k; j++) g *= j + 0.5;
  return g;
}

describe("Gauss-Hermite rules", () => {
  it("are exact for polynomials up to degree 2n-1, with ascending symmetric nodes", () => {
    for (const n of [1, 2, 5, 20, 64, 120, 150]) {
      const { nodes, weights } = pinn.gaussHermite(n);
      expect(nodes.length).toBe(n);
      for (let i = 1; i < n; i++) expect(nodes[i]).toBeGreaterThan(nodes[i - 1]);
      for (let i = 0; i < n; i++) {
        expect(nodes[i]).toBeCloseTo(-nodes[n - 1 - i], 12);
        expect(weights[i]).toBeGreaterThan(0);
      }
      for (let k = 0; 2 * k <= Math.min(2 * n - 1, 16); k++) {
        let s = 0, odd = 0;
        for (let i = 0; i < n; i++) { s += weights[i] * nodes[i] ** (2 * k); odd += weights[i] * nodes[i] ** (2 * k + 1); }
        expect(Math.abs(s - evenMoment(k)) / evenMoment(k), `n=${n}, degree ${2 * k}`).toBeLessThan(1e-12);
        if (2 * k + 1 <= 2 * n - 1) expect(Math.abs(odd)).toBeLessThan(1e-10 * evenMoment(k + 1));
      }
    }
    // the known 3-point rule: nodes 0, ±sqrt(3/2), weights 2 sqrt(pi)/3, sqrt(pi)/6
    const r3 = pinn.gaussHermite(3);
    expect(r3.nodes[2]).toBeCloseTo(Math.sqrt(1.5), 14);
    expect(r3.weights[1]).toBeCloseTo((2 * Math.sqrt(Math.PI)) / 3, 14);
    expect(r3.weights[0]).toBeCloseTo(Math.sqrt(Math.PI) / 6, 14);
    expect(() => pinn.gaussHermite(0)).toThrow(/n must be an integer/);
  });
});

/** The Cole-Hopf integrals by a plain trapezoid rule in η (spectrally accurate for these smooth, decaying integrands). */
function burgersTrapezoid(x: number, t: number, m = 40001): number {
  const K = 1 / (2 * Math.PI * BURGERS_NU), s = Math.sqrt(4 * BURGERS_NU * t), L = 13 * s, h = (2 * L) / (m - 1);
  const e = new Float64Array(m);
  let H = -Infinity;
  for (let i = 0; i < m; i++) {
    const y = x - L + i * h;
    e[i] = -K * Math.cos(Math.PI * y) - (x - y) ** 2 / (4 * BURGERS_NU * t);
    H = Math.max(H, e[i]);
  }
  let N = 0, D = 0;
  for (let i = 0; i < m; i++) {
    const w = (i === 0 || i === m - 1 ? 0.5 : 1) * Math.exp(e[i] - H);
    N += w * Math.sin(Math.PI * (x - L + i * h));
    D += w;
  }
  return -N / D;
}

describe("Burgers reference (Cole-Hopf, Gauss-Hermite on a partition of unity)", () => {
  it("starts at u(0, x) = -sin(pi x) and keeps u(t, ±1) = 0", () => {
    for (let i = 0; i <= 40; i++) {
      const x = -1 + i / 20;
      expect(burgersExact(x, 0).u).toBeCloseTo(-Math.sin(Math.PI * x), 15);
      // at a tiny positive time the quadrature itself must reproduce the initial condition
      expect(Math.abs(burgersExact(x, 1e-8).u + Math.sin(Math.PI * x))).toBeLessThan(1e-6);
    }
    for (const t of [0.1, 0.5, 0.99]) {
      expect(Math.abs(burgersExact(-1, t).u)).toBeLessThan(1e-12);
      expect(Math.abs(burgersExact(1, t).u)).toBeLessThan(1e-12);
    }
  });

  it("agrees with an independent trapezoid rule to 1e-10, near the shock too", () => {
    const pts: [number, number][] = [
      [0.0039215686274509665, 0.58], [-0.0039215686274509665, 0.63], [0.0117647058823529, 0.6], [0.11372549019607847, 0.09],
      [0.33, 0.01], [0, 0.5], [-0.02, 0.4], [0.3, 0.99], [0.001, 0.5], [-0.6, 0.6], [0.9, 0.25], [-0.17647058823529416, 0.06],
    ];
    for (const [x, t] of pts) {
      const e = Math.abs(burgersExact(x, t).u - burgersTrapezoid(x, t));
      expect(e, `u(${x}, ${t})`).toBeLessThan(1e-10);
    }
  });

  it("du/dx at x = 0 reaches -152.005 near t = 0.51 (Basdevant et al. 1986: -152.00516 at t = 1.6037/pi)", () => {
    // a scan of [0.50, 0.52] every 0.001, then golden-section refinement around the smallest value
    const slope = (t: number) => burgersExact(0, t).ux;
    let t0 = 0.5, s0 = 0;
    for (let i = 0; i <= 20; i++) { const t = 0.5 + i * 0.001; const s = slope(t); if (s < s0) { s0 = s; t0 = t; } }
    let a = t0 - 0.001, b = t0 + 0.001;
    const g = (Math.sqrt(5) - 1) / 2;
    let c = b - g * (b - a), d = a + g * (b - a), fc = slope(c), fd0 = slope(d);
    while (b - a > 1e-7) {
      if (fc < fd0) { b = d; d = c; fd0 = fc; c = b - g * (b - a); fc = slope(c); }
      else { a = c; c = d; fc = fd0; d = a + g * (b - a); fd0 = slope(d); }
    }
    const best = { t: (a + b) / 2, s: slope((a + b) / 2) };
    expect(best.s).toBeCloseTo(-152.005, 3);
    expect(Math.abs(best.s - -152.00516)).toBeLessThan(2e-4);
    expect(best.t).toBeGreaterThan(0.5104);
    expect(best.t).toBeLessThan(0.5106);
    // the analytic derivative against a central difference of u
    const h = 1e-6;
    const fd = (burgersExact(h, best.t).u - burgersExact(-h, best.t).u) / (2 * h);
    expect(Math.abs(fd - best.s) / 152).toBeLessThan(1e-7);
  });

  it("satisfies u_t + u u_x = nu u_xx (finite differences, away from the shock)", () => {
    const h = 2e-4;
    for (const [x, t] of [[0.5, 0.3], [-0.4, 0.7], [0.8, 0.9], [-0.2, 0.1]] as const) {
      const u = (a: number, b: number) => burgersExact(a, b).u;
      const ut = (u(x, t + h) - u(x, t - h)) / (2 * h);
      const ux = (u(x + h, t) - u(x - h, t)) / (2 * h);
      const uxx = (u(x + h, t) - 2 * u(x, t) + u(x - h, t)) / (h * h);
      expect(Math.abs(ut + u(x, t) * ux - BURGERS_NU * uxx), `residual at (${x}, ${t})`).toBeLessThan(1e-5);
      expect(burgersExact(x, t).ux).toBeCloseTo(ux, 5);
    }
  });

  it("the problem's reference is the standard 100 x 256 grid", () => {
    const ref = pinn.problems.burgers.grid;
    expect(ref.map(([a, v]) => [a, v.length])).toEqual([["t", 100], ["x", 256]]);
    expect(ref[0][1][99]).toBe(0.99);
    expect(ref[1][1][0]).toBe(-1);
    expect(ref[1][1][255]).toBe(1);
  });
});

describe("heat and Poisson exact solutions", () => {
  const h = 1e-4;
  it("heat: u_t = 0.4 u_xx, u(0,x) = sin(pi x), u(t,0) = u(t,1) = 0", () => {
    for (const [x, t] of [[0.3, 0.2], [0.7, 0.9], [0.05, 0.5]] as const) {
      const ut = (heatExact(x, t + h) - heatExact(x, t - h)) / (2 * h);
      const uxx = (heatExact(x + h, t) - 2 * heatExact(x, t) + heatExact(x - h, t)) / (h * h);
      expect(Math.abs(ut - HEAT_K * uxx)).toBeLessThan(1e-6);
    }
    for (let i = 0; i <= 10; i++) {
      expect(heatExact(i / 10, 0)).toBeCloseTo(Math.sin((Math.PI * i) / 10), 15);
      expect(Math.abs(heatExact(0, i / 10))).toBeLessThan(1e-15);
      expect(Math.abs(heatExact(1, i / 10))).toBeLessThan(1e-15);
    }
  });

  it("poisson1d: -u'' = pi^2 sin(pi x), u(±1) = 0", () => {
    for (const x of [-0.9, -0.3, 0.1, 0.75]) {
      const uxx = (poisson1dExact(x + h) - 2 * poisson1dExact(x) + poisson1dExact(x - h)) / (h * h);
      expect(Math.abs(-uxx - Math.PI ** 2 * Math.sin(Math.PI * x))).toBeLessThan(1e-6);
    }
    expect(Math.abs(poisson1dExact(-1))).toBeLessThan(1e-15);
    expect(Math.abs(poisson1dExact(1))).toBeLessThan(1e-15);
  });

  it("poisson2d: -(u_xx + u_yy) = 2 pi^2 sin(pi x) sin(pi y), zero on the boundary", () => {
    for (const [x, y] of [[0.2, 0.3], [0.8, 0.6], [0.5, 0.05]] as const) {
      const u = poisson2dExact;
      const lap = (u(x + h, y) + u(x - h, y) + u(x, y + h) + u(x, y - h) - 4 * u(x, y)) / (h * h);
      expect(Math.abs(-lap - 2 * Math.PI ** 2 * Math.sin(Math.PI * x) * Math.sin(Math.PI * y))).toBeLessThan(1e-6);
    }
    for (let i = 0; i <= 10; i++) {
      for (const [x, y] of [[0, i / 10], [1, i / 10], [i / 10, 0], [i / 10, 1]]) expect(Math.abs(poisson2dExact(x, y))).toBeLessThan(1e-15);
    }
  });

  it("references on their grids come from the exact solutions (u[t][x], u[y][x])", () => {
    const heat = pinn.problems.heat.reference();
    expect(heat.axes.map(([a, v]) => [a, v.length])).toEqual([["t", 101], ["x", 101]]);
    expect(heat.u[5 * 101 + 7]).toBe(heatExact(heat.axes[1][1][7], heat.axes[0][1][5]));
    const p2 = pinn.problems.poisson2d.reference();
    expect(p2.axes.map(([a]) => a)).toEqual(["y", "x"]);
    expect(p2.u[3 * 101 + 40]).toBe(poisson2dExact(p2.axes[1][1][40], p2.axes[0][1][3]));
  });
});
