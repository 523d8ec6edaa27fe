// The dense BFGS family (optim.BFGS: SSBFGS, SSBroyden, BFGS) on problems with known minima, against L-BFGS where
// a dense inverse Hessian should pay (an ill-conditioned quadratic with more dimensions than L-BFGS's history);
// quadratic termination, positive definiteness of H, the update parameters, checkpoint state, memory and errors.
import { describe, it, expect, beforeAll } from "vitest";
import * as gt from "gradtape";

beforeAll(async () => { await gt.ready(); });

const UPDATES = ["ssbfgs", "ssbroyden", "bfgs"] as const;

// extended Rosenbrock: sum_i 100 (x_{i+1} - x_i^2)^2 + (1 - x_i)^2, minimum 0 at (1, ..., 1)
function rosenbrock(p: gt.Variable, n: number) {
  return () => gt.tidy(() => {
    const a = p.slice([0], [n - 1]), b = p.slice([1], [n - 1]);
    return b.sub(a.square()).square().mul(100).add(a.neg().add(1).square()).sum();
  });
}
const rosenStart = (n: number) => Array.from({ length: n }, (_, i) => (i % 2 ? 1 : -1.2));

/** iterations until the loss is below `target` (Infinity when never) */
function iterationsTo(opt: gt.optim.LBFGS | gt.optim.BFGS, loss: () => gt.Tensor, vars: gt.Variable[], target: number): number {
  let hit = Infinity;
  opt.onIteration = (i) => { if (hit === Infinity && i.loss < target) hit = i.iteration; };
  opt.minimize(loss, vars);
  return hit;
}

// f = 0.5 (w - c)' A (w - c), A = Q diag(a) Q' with Q a Householder reflection (dense), eigenvalues 1 .. kappa
function quadratic(n: number, kappa: number) {
  const v = Array.from({ length: n }, (_, i) => Math.cos(1.7 * i + 0.3));
  const vv = v.reduce((s, x) => s + x * x, 0);
  const a = Array.from({ length: n }, (_, i) => kappa ** (i / (n - 1)));
  const Q = v.map((vi, i) => v.map((vj, j) => (i === j ? 1 : 0) - (2 * vi * vj) / vv));
  const A = Q.map((qi) => Q.map((qj) => qi.reduce((s, q, k) => s + q * a[k] * qj[k], 0)));
  const c = Array.from({ length: n }, (_, i) => Math.sin(i + 1));
  const At = gt.keep(gt.tensor(A)), ct = gt.keep(gt.tensor(c.map((x) => [x])));
  const w = gt.variable(new Array(n).fill(0).map(() => [0]));
  const loss = () => gt.tidy(() => { const d = w.sub(ct); return d.mul(At.matMul(d)).sum().mul(0.5); });
  return { w, c, loss, dispose: () => gt.dispose([At, ct, w]) };
}

/** H unpacked from the packed upper triangle, and whether its Cholesky factorization exists (positive definite) */
function isPositiveDefinite(H: Float64Array, n: number): boolean {
  const M = Array.from({ length: n }, () => new Float64Array(n));
  let k = 0;
  for (let i = 0; i < n; i++) for (let j = i; j < n; j++) { M[i][j] = H[k]; M[j][i] = H[k]; k++; }
  for (let j = 0; j < n; j++) {
    let d = M[j][j];
    for (let p = 0; p < j; p++) d -= M[j][p] * M[j][p];
    if (!(d > 0)) return false;
    const l = Math.sqrt(d);
    M[j][j] = l;
    for (let i = j + 1; i < n; i++) {
      let s = M[i][j];
      for (let p = 0; p < j; p++) s -= M[i][p] * M[j][p];
      M[i][j] = s / l;
    }
  }
  return true;
}

describe("BFGS family", () => {
  it("reaches (1, 1) on 2-D Rosenbrock, the self-scaled updates in fewer iterations than L-BFGS", () => {
    const its: Record<string, number> = {};
    for (const u of ["lbfgs", ...UPDATES]) {
      const p = gt.variable([-1.2, 1]);
      const opt = u === "lbfgs" ? new gt.optim.LBFGS({ maxIterations: 200 }) : new gt.optim.BFGS({ maxIterations: 200, update: u as typeof UPDATES[number] });
      its[u] = iterationsTo(opt, rosenbrock(p, 2), [p], 1e-10);
      const [x, y] = p.data();
      expect(Math.abs(x - 1)).toBeLessThan(1e-4);
      expect(Math.abs(y - 1)).toBeLessThan(2e-4);
      if (opt instanceof gt.optim.BFGS) { expect(opt.result!.updates).toBeGreaterThan(20); opt.dispose(); }
      p.dispose();
    }
    // measured: L-BFGS 35, SSBFGS 33, SSBroyden 28, BFGS 37
    expect(its.ssbfgs).toBeLessThan(its.lbfgs);
    expect(its.ssbroyden).toBeLessThan(its.lbfgs);
    expect(its.bfgs).toBeLessThan(60);
  });

  it("reaches the minimum of 10-D Rosenbrock with every update", () => {
    for (const u of UPDATES) {
      const p = gt.variable(rosenStart(10));
      const opt = new gt.optim.BFGS({ maxIterations: 300, update: u });
      // measured to loss < 1e-10: SSBFGS 75, SSBroyden 90, BFGS 88 iterations (L-BFGS with 10 pairs: 73)
      expect(iterationsTo(opt, rosenbrock(p, 10), [p], 1e-10)).toBeLessThan(120);
      for (const v of p.data()) expect(Math.abs(v - 1)).toBeLessThan(1e-3);
      opt.dispose(); p.dispose();
    }
  });

  it("solves a 40-dimensional ill-conditioned quadratic: the self-scaled updates in far fewer iterations than L-BFGS with 5 pairs", () => {
    const target = 1e-8;
    const runs: Record<string, number> = {};
    for (const u of ["lbfgs", ...UPDATES]) {
      const q = quadratic(40, 1e3);
      const opt = u === "lbfgs" ? new gt.optim.LBFGS({ maxIterations: 1000, historySize: 5, lossTolerance: 0 }) : new gt.optim.BFGS({ maxIterations: 1000, update: u as typeof UPDATES[number], lossTolerance: 0 });
      runs[u] = iterationsTo(opt, q.loss, [q.w], target);
      (opt as gt.optim.BFGS).dispose?.();
      q.dispose();
    }
    // measured (iterations to 1e-8): L-BFGS 182, BFGS 178, SSBFGS 74, SSBroyden 68. Plain BFGS starts from
    // H0 = (y's / y'y) I, about 1 / (largest eigenvalue), and enlarges H one direction per step; the self-scaling
    // (tau < 1 scales H up before each update) is what removes that
    for (const u of ["ssbfgs", "ssbroyden"]) expect(runs[u]).toBeLessThan(runs.lbfgs * 0.5);
    expect(runs.bfgs).toBeLessThanOrEqual(runs.lbfgs);
  });

  it("quadratic termination: an 8-dimensional convex quadratic in at most n + 1 iterations with a near-exact line search", () => {
    for (const u of UPDATES) {
      // (condition number 10: with 100 the float32 gradient already makes the line searches inexact enough to cost
      // one or two more iterations, as the conjugacy of the directions is lost)
      const n = 8, q = quadratic(n, 10);
      // c2 = 1e-5: the step minimizes the loss along d to 1e-5 of the slope
      const opt = new gt.optim.BFGS({ maxIterations: 50, maxEvaluations: 500, maxLineSearch: 60, update: u, c1: 1e-6, c2: 1e-5, gradientTolerance: 1e-5, lossTolerance: 0 });
      opt.minimize(q.loss, [q.w]);
      expect(opt.result!.reason).toBe("gradient");
      expect(opt.result!.iterations).toBeLessThanOrEqual(n + 1);
      const w = q.w.data();
      for (let i = 0; i < n; i++) expect(Math.abs(w[i] - q.c[i])).toBeLessThan(1e-4);
      opt.dispose(); q.dispose();
    }
  });

  it("keeps H symmetric positive definite (packed: symmetric by construction; Cholesky of the unpacked H)", () => {
    for (const u of UPDATES) {
      const p = gt.variable(rosenStart(10));
      const opt = new gt.optim.BFGS({ maxIterations: 60, update: u, lossTolerance: 0 });
      let checked = 0;
      opt.onIteration = (i) => {
        if (i.iteration % 5 !== 0) return;
        const s = opt.getState();
        if (s.H === null) return;
        expect(s.H.length).toBe(55);
        expect(isPositiveDefinite(s.H, 10)).toBe(true);
        checked++;
      };
      opt.minimize(rosenbrock(p, 10), [p]);
      expect(checked).toBeGreaterThanOrEqual(5);
      opt.dispose(); p.dispose();
    }
  });

  it("update parameters: BFGS tau = phi = 1; SSBFGS tau = min(1, 1/b); SSBroyden keeps tau > 0 and 1 + a theta > 0", () => {
    expect(gt.optim.updateParameters("bfgs", 3, 2, 10)).toEqual({ tau: 1, phi: 1 });
    expect(gt.optim.updateParameters("ssbfgs", 4, 2, 10)).toEqual({ tau: 0.25, phi: 1 });
    expect(gt.optim.updateParameters("ssbfgs", 0.5, 2, 10)).toEqual({ tau: 1, phi: 1 });
    // a = b h - 1 = 0: the family collapses to one matrix; theta = 0 (BFGS)
    expect(gt.optim.updateParameters("ssbroyden", 2, 0.5, 10).phi).toBe(1);
    for (let k = 0; k < 200; k++) {
      const b = Math.exp(4 * Math.sin(k * 1.3)), h = Math.exp(3 * Math.cos(k * 0.7)) * Math.max(1, 1.01 / (b * Math.exp(3 * Math.cos(k * 0.7))));
      const a = b * h - 1;
      const { tau, phi } = gt.optim.updateParameters("ssbroyden", b, h, 3000);
      expect(tau).toBeGreaterThan(0);
      expect(Number.isFinite(phi)).toBe(true);
      // phi = (1 - theta) / (1 + a theta): recover theta and check 1 + a theta > 0 (H+ stays positive definite)
      const theta = (1 - phi) / (1 + a * phi);
      expect(1 + a * theta).toBeGreaterThan(0);
    }
  });
});

describe("BFGS: state, memory, errors", () => {
  const make = () => new gt.optim.BFGS({ maxIterations: 40, update: "ssbroyden", lossTolerance: 0 });

  it("stopped inside a minimize() call and restored into a fresh optimizer, it ends with the uninterrupted bits", () => {
    const ref = gt.variable(rosenStart(6)), refOpt = make();
    const refLosses: number[] = [];
    refOpt.onIteration = (i) => { refLosses.push(i.loss); };
    const fRef = refOpt.minimize(rosenbrock(ref, 6), [ref]);

    const a = gt.variable(rosenStart(6)), optA = make();
    let state: gt.optim.BFGSState | null = null;
    optA.onIteration = (i) => { if (i.iteration === 15) { state = optA.getState(); return false; } };
    optA.minimize(rosenbrock(a, 6), [a]);
    expect(state!.run!.iterations).toBe(15);
    expect(state!.H!.length).toBe(21);
    expect(state!.updates).toBeGreaterThan(5);

    const b = gt.variable(a.data()), optB = make();
    const losses: number[] = [];
    optB.onIteration = (i) => { losses.push(i.loss); };
    optB.setState(state!, [b]);
    const fB = optB.minimize(rosenbrock(b, 6), [b]);
    expect(fB).toBe(fRef);
    expect(Array.from(new Uint32Array(b.data().buffer))).toEqual(Array.from(new Uint32Array(ref.data().buffer)));
    expect(losses).toEqual(refLosses.slice(15));
    expect(optB.result!.evaluations).toBe(refOpt.result!.evaluations);
    expect(optB.result!.updates).toBe(refOpt.result!.updates);
    // a state of another update rule, or of other sizes, is refused with a named error
    expect(() => new gt.optim.BFGS({ update: "bfgs" }).setState(state!, [b])).toThrow(/update "ssbroyden".*\{ update: "ssbroyden" \}/);
    const c = gt.variable([1, 2, 3]);
    expect(() => make().setState(state!, [c])).toThrow(gt.ShapeError);
    expect(() => make().setState({ ...state!, kind: "LBFGS" } as unknown as gt.optim.BFGSState, [b])).toThrow(gt.ArgumentError);
    for (const o of [refOpt, optA, optB]) o.dispose();
    gt.dispose([ref, a, b, c]);
  });

  it("keeps memory flat over repeated runs and frees H on dispose()", () => {
    const m0 = gt.memory();
    const p = gt.variable(rosenStart(50));
    const opt = new gt.optim.BFGS({ maxIterations: 10 });
    opt.minimize(rosenbrock(p, 50), [p]);
    const m1 = gt.memory();
    for (let k = 0; k < 20; k++) { opt.reset(); opt.minimize(rosenbrock(p, 50), [p]); }
    const m2 = gt.memory();
    expect(m2.tensors).toBe(m1.tensors);
    expect(m2.bytes).toBe(m1.bytes);
    expect(m1.bytes - m0.bytes).toBeGreaterThanOrEqual((50 * 51 / 2 + 150) * 8 + 200); // H, its three vectors and p
    opt.dispose();
    p.dispose();
    expect(gt.memory().tensors).toBe(m0.tensors);
    expect(gt.memory().bytes).toBe(m0.bytes);
  });

  it("refuses more parameters than its limit, naming L-BFGS, without leaking", () => {
    const m0 = gt.memory();
    const p = gt.variable(new Array(gt.optim.MAX_BFGS_PARAMETERS + 1).fill(0.5));
    const opt = new gt.optim.BFGS();
    expect(() => opt.minimize(() => p.square().sum(), [p])).toThrow(gt.ArgumentError);
    expect(() => opt.minimize(() => p.square().sum(), [p])).toThrow(/10,001 parameters, more than BFGS's limit of 10,000.*Use LBFGS/);
    p.dispose(); opt.dispose();
    expect(gt.memory().tensors).toBe(m0.tensors);
    expect(gt.memory().bytes).toBe(m0.bytes);
  });

  it("reports out of memory as an OutOfMemoryError naming L-BFGS, and the live tensors stay intact", () => {
    const keepMe = gt.tensor([1, 2, 3]);
    const p = gt.variable(new Array(4000).fill(0.25));
    const m0 = gt.memory();
    const before = gt.setMemoryLimit(40 * 2 ** 20); // H of 4,000 parameters needs 61 MiB
    try {
      const opt = new gt.optim.BFGS();
      expect(() => opt.minimize(() => p.square().sum(), [p])).toThrow(gt.OutOfMemoryError);
      expect(() => opt.minimize(() => p.square().sum(), [p])).toThrow(/dense inverse Hessian of 4,000 parameters.*Use LBFGS/);
      opt.dispose();
    } finally { gt.setMemoryLimit(Infinity); }
    expect(before).toBeGreaterThan(0);
    expect(gt.memory().tensors).toBe(m0.tensors);
    expect(Array.from(keepMe.data())).toEqual([1, 2, 3]);
    expect(p.data()[3999]).toBe(0.25);
    gt.dispose([keepMe, p]);
  });

  it("checks its options like the other optimizers", () => {
    expect(() => new gt.optim.BFGS(0.01 as never)).toThrow(/options must be an object/);
    expect(() => new gt.optim.BFGS({ lr: 1 } as never)).toThrow(/unknown option "lr"/);
    expect(() => new gt.optim.BFGS({ historySize: 5 } as never)).toThrow(/unknown option "historySize"/);
    expect(() => new gt.optim.BFGS({ update: "sr1" as never })).toThrow(/update must be one of "ssbfgs", "ssbroyden", "bfgs", but got "sr1"/);
    expect(() => new gt.optim.BFGS({ c1: 0.5, c2: 0.1 })).toThrow(/0 < c1 < c2 < 1/);
    expect(() => new gt.optim.BFGS({ maxIterations: -1 })).toThrow(gt.ArgumentError);
    expect(new gt.optim.BFGS().update).toBe("ssbfgs");
  });
});
