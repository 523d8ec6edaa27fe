// L-BFGS on problems with known minima: Rosenbrock from the classic start (-1.2, 1), an ill-conditioned quadratic,
// a small network fit; stopping rules, continuation, memory.
import { describe, it, expect, beforeAll } from "vitest";
import * as gt from "gradtape";

beforeAll(async () => { await gt.ready(); });

// Rosenbrock: (1 - x)^2 + 100 (y - x^2)^2, minimum 0 at (1, 1)
function rosenbrock(p: gt.Variable) {
  return () => gt.tidy(() => {
    const x = p.index(0), y = p.index(1);
    return x.neg().add(1).square().add(y.sub(x.square()).square().mul(100));
  });
}

describe("cubicMinimizer (Nocedal & Wright eq. 3.59)", () => {
  it("is exact on a cubic: f = x^3 - 3x has its local minimum at 1", () => {
    const f = (x: number) => x ** 3 - 3 * x, g = (x: number) => 3 * x * x - 3;
    expect(gt.optim.cubicMinimizer(0, f(0), g(0), 2, f(2), g(2))).toBeCloseTo(1, 12);
    expect(gt.optim.cubicMinimizer(2, f(2), g(2), 0.5, f(0.5), g(0.5))).toBeCloseTo(1, 12);
    // on a quadratic (a degenerate cubic) it gives the vertex: (x - 0.3)^2
    expect(gt.optim.cubicMinimizer(0, 0.09, -0.6, 1, 0.49, 1.4)).toBeCloseTo(0.3, 12);
  });
  it("clamps to the bounds and bisects when there is no minimizer", () => {
    const f = (x: number) => x ** 3 - 3 * x, g = (x: number) => 3 * x * x - 3;
    expect(gt.optim.cubicMinimizer(0, f(0), g(0), 2, f(2), g(2), 1.5, 3)).toBe(1.5);
    // concave data (no real root of d2^2): the midpoint of the bounds
    expect(gt.optim.cubicMinimizer(0, 0, 1, 1, 0, -1, 0, 1)).toBeCloseTo(0.5, 12);
  });
});

describe("LBFGS", () => {
  it("reaches (1, 1) on Rosenbrock from (-1.2, 1) in a reasonable number of iterations", () => {
    const p = gt.variable([-1.2, 1]);
    const opt = new gt.optim.LBFGS({ maxIterations: 200, historySize: 10 });
    const f = opt.minimize(rosenbrock(p), [p]);
    const [x, y] = p.data();
    const r = opt.result!;
    expect(Math.abs(x - 1)).toBeLessThan(1e-4);
    expect(Math.abs(y - 1)).toBeLessThan(2e-4);
    expect(f).toBeLessThan(1e-6);
    expect(r.iterations).toBeLessThan(60); // float64 L-BFGS takes about 35
    expect(r.converged || r.reason === "line-search-failed").toBe(true);
    expect(r.evaluations).toBeLessThanOrEqual(250);
    p.dispose();
  });

  it("decreases the loss at every iteration and meets the sufficient-decrease condition", () => {
    const p = gt.variable([-1.2, 1]);
    const losses: number[] = [];
    const opt = new gt.optim.LBFGS({ maxIterations: 40, onIteration: (i) => { losses.push(i.loss); } });
    const f0 = 24.2; // f(-1.2, 1)
    opt.minimize(rosenbrock(p), [p]);
    expect(losses.length).toBe(opt.result!.iterations);
    let prev = f0;
    for (const l of losses) { expect(l).toBeLessThan(prev); prev = l; }
    p.dispose();
  });

  it("solves an ill-conditioned 12-dimensional quadratic to the gradient tolerance", () => {
    // f = 0.5 sum_i a_i (w_i - c_i)^2 with a from 1 to 1000
    const n = 12;
    const a = Array.from({ length: n }, (_, i) => 10 ** (3 * i / (n - 1)));
    const c = Array.from({ length: n }, (_, i) => Math.sin(i + 1));
    const w = gt.variable(new Array(n).fill(0));
    const A = gt.tensor(a), Cc = gt.tensor(c);
    const opt = new gt.optim.LBFGS({ maxIterations: 100, gradientTolerance: 1e-4, lossTolerance: 0 });
    opt.minimize(() => gt.tidy(() => w.sub(Cc).square().mul(A).sum().mul(0.5)), [w]);
    const d = w.data();
    for (let i = 0; i < n; i++) expect(Math.abs(d[i] - c[i])).toBeLessThan(1e-5 * Math.max(1, 1000 / a[i]));
    expect(opt.result!.reason).toBe("gradient");
    expect(opt.result!.iterations).toBeLessThan(40);
    gt.dispose([w, A, Cc]);
  });

  it("goes on below the loss's float32 resolution with approximate Wolfe steps (lossNoise), and stops without", () => {
    // f = 10 + 0.5 sum_i a_i (w_i - c_i)^2 in float32: once the quadratic part is below ~1e-6, f no longer changes
    // (its ulp is 9.5e-7), but the gradient is still exact, so the approximate Wolfe test can still accept steps.
    const n = 12;
    const a = Array.from({ length: n }, (_, i) => 10 ** (2 * i / (n - 1)));
    const c = Array.from({ length: n }, (_, i) => Math.sin(i + 1));
    const A = gt.tensor(a), Cc = gt.tensor(c);
    const run = (lossNoise: number | undefined) => {
      const w = gt.variable(new Array(n).fill(0));
      const opt = new gt.optim.LBFGS({ maxIterations: 200, gradientTolerance: 1e-5, lossTolerance: 0, stepTolerance: 0, lossNoise });
      opt.minimize(() => gt.tidy(() => w.sub(Cc).square().mul(A).sum().mul(0.5).add(10)), [w]);
      const d = w.data();
      let err = 0;
      for (let i = 0; i < n; i++) err = Math.max(err, Math.abs(d[i] - c[i]));
      w.dispose();
      return { err, reason: opt.result!.reason };
    };
    const plain = run(0), approx = run(undefined);
    expect(plain.reason).toBe("line-search-failed");
    expect(plain.err).toBeGreaterThan(5e-5); // 6.9e-5: where f stopped resolving the quadratic
    expect(approx.reason).toBe("gradient");
    expect(approx.err).toBeLessThan(2e-5);
    expect(() => new gt.optim.LBFGS({ lossNoise: -1 })).toThrow(/lossNoise/);
    gt.dispose([A, Cc]);
  });

  it("optimizes several variables together (a tiny network fit)", () => {
    const model = new gt.nn.Sequential([
      new gt.nn.Dense({ units: 8, activation: "tanh", inputShape: [1], seed: 11 }),
      new gt.nn.Dense({ units: 1, seed: 12 }),
    ]);
    const x = gt.linspace(-2, 2, 40).reshape([40, 1]);
    const y = gt.tidy(() => x.sin());
    const loss = () => gt.losses.mse(y, model.apply(x));
    const start = gt.tidy(() => loss().item());
    const opt = new gt.optim.LBFGS({ maxIterations: 300 });
    const end = opt.minimize(loss, model.trainableWeights);
    expect(end).toBeLessThan(1e-4);
    expect(end).toBeLessThan(start / 1000);
    // the returned loss is the loss of the weights the model now holds
    expect(gt.tidy(() => loss().item())).toBe(end);
    model.dispose(); gt.dispose([x, y]);
  });

  it("respects maxIterations and maxEvaluations, and continues with its history on the next call", () => {
    const p = gt.variable([-1.2, 1]);
    const opt = new gt.optim.LBFGS({ maxIterations: 5 });
    opt.minimize(rosenbrock(p), [p]);
    expect(opt.result!.reason).toBe("max-iterations");
    expect(opt.result!.iterations).toBe(5);
    expect(opt.historyLength).toBeGreaterThan(0);
    const f1 = opt.result!.loss;
    const f2 = opt.minimize(rosenbrock(p), [p]);
    expect(f2).toBeLessThan(f1);
    expect(opt.iterations).toBe(10);
    opt.reset();
    expect(opt.historyLength).toBe(0);
    const few = new gt.optim.LBFGS({ maxIterations: 100, maxEvaluations: 7 });
    few.minimize(rosenbrock(p), [p]);
    expect(few.result!.evaluations).toBeLessThanOrEqual(7 + 1);
    expect(few.result!.reason).toBe("max-evaluations");
    p.dispose();
  });

  it("stops on a callback, on a zero gradient, and on a non-finite start", () => {
    const p = gt.variable([-1.2, 1]);
    const opt = new gt.optim.LBFGS({ maxIterations: 100, onIteration: (i) => i.iteration < 3 });
    opt.minimize(rosenbrock(p), [p]);
    expect(opt.result!.reason).toBe("callback");
    expect(opt.result!.iterations).toBe(3);
    const q = gt.variable([1, 1]);
    const o2 = new gt.optim.LBFGS();
    expect(o2.minimize(rosenbrock(q), [q])).toBe(0);
    expect(o2.result!.reason).toBe("gradient");
    expect(o2.result!.iterations).toBe(0);
    const o3 = new gt.optim.LBFGS();
    o3.minimize(() => q.log().sum().mul(Infinity), [q]);
    expect(o3.result!.reason).toBe("non-finite");
    gt.dispose([p, q]);
  });

  it("a fixed step without line search (lineSearch: 'none') still descends on a quadratic", () => {
    const w = gt.variable([3, -2]);
    const opt = new gt.optim.LBFGS({ lineSearch: "none", maxIterations: 50, learningRate: 1 });
    opt.minimize(() => w.square().sum(), [w]);
    const d = w.data();
    expect(Math.abs(d[0])).toBeLessThan(1e-4);
    expect(Math.abs(d[1])).toBeLessThan(1e-4);
    w.dispose();
  });

  it("keeps memory flat over a long run", () => {
    const p = gt.variable([-1.2, 1]);
    const opt = new gt.optim.LBFGS({ maxIterations: 3 });
    opt.minimize(rosenbrock(p), [p]);
    const m0 = gt.memory();
    const o2 = new gt.optim.LBFGS({ maxIterations: 200, gradientTolerance: 0, lossTolerance: 0, stepTolerance: 0 });
    o2.minimize(rosenbrock(p), [p]);
    const m1 = gt.memory();
    expect([m1.tensors, m1.bytes, m1.tapes]).toEqual([m0.tensors, m0.bytes, m0.tapes]);
    p.dispose();
  });

  it("checks its options and its variables", () => {
    expect(() => new gt.optim.LBFGS({ historySize: 0 })).toThrow(/historySize must be an integer >= 1/);
    expect(() => new gt.optim.LBFGS({ c1: 0.9, c2: 0.5 })).toThrow(/0 < c1 < c2 < 1/);
    expect(() => new gt.optim.LBFGS({ lineSearch: "armijo" as "none" })).toThrow(/lineSearch/);
    expect(() => new gt.optim.LBFGS().minimize(() => gt.scalar(1), [])).toThrow(/non-empty array of Variables/);
    expect("applyGradients" in new gt.optim.LBFGS()).toBe(false);
  });
});
