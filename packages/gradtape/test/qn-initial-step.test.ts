// The first trial step of the quasi-Newton line searches (initialStep): "unit" tries t = 1; "last-decrease" tries
// min(1, 2.02 (f_k - f_{k-1}) / g_k'd_k) (Nocedal & Wright eq. 3.60). Checked from the outside: every point the
// loss is evaluated at is recorded (float64 variables, so the points are exact), each iteration's direction is
// recovered from its accepted step, and the first trial step is compared with the formula, whose gradient is the
// analytic Rosenbrock gradient computed here in float64 (not the library's).
import { describe, it, expect, beforeAll } from "vitest";
import * as gt from "gradtape";

beforeAll(async () => { await gt.ready(); });

const rosen = (x: number[]) => { let f = 0; for (let i = 0; i + 1 < x.length; i++) f += 100 * (x[i + 1] - x[i] ** 2) ** 2 + (1 - x[i]) ** 2; return f; };
function rosenGrad(x: number[]): number[] {
  const g = new Array(x.length).fill(0);
  for (let i = 0; i + 1 < x.length; i++) {
    const r = x[i + 1] - x[i] ** 2;
    g[i] += -400 * x[i] * r - 2 * (1 - x[i]);
    g[i + 1] += 200 * r;
  }
  return g;
}
const dot = (a: number[], b: number[]) => a.reduce((s, v, i) => s + v * b[i], 0);

/** Runs opt on 4-D Rosenbrock (float64); returns per iteration the start point, the first trial step and the accepted step. */
function trials(opt: gt.optim.BFGS | gt.optim.LBFGS) {
  const init = gt.tensor([-1.2, 1, -1.2, 1], undefined, "float64");
  const p = gt.variable(init);
  init.dispose();
  expect(p.dtype).toBe("float64");
  const points: number[][] = [];
  const loss = () => gt.tidy(() => {
    points.push(Array.from(p.data()));
    const a = p.slice([0], [3]), b = p.slice([1], [3]);
    return b.sub(a.square()).square().mul(100).add(a.neg().add(1).square()).sum();
  });
  const its: { evaluations: number; step: number; loss: number }[] = [];
  opt.onIteration = (i) => { its.push({ evaluations: i.evaluations, step: i.step, loss: i.loss }); };
  opt.minimize(loss, [p]);
  p.dispose();
  // iteration k starts at the point accepted by k - 1 (the call's first evaluation for k = 0); its trials are the
  // evaluations after the previous iteration's last one, and the accepted one is the trial with the reported loss
  // (the optimizer's iterate x + t d is that trial point exactly: both are computed as x_i + t d_i)
  const out: { x: number[]; first: number; accepted: number; next: number[]; d: number[] }[] = [];
  let start = points[0], prevEvals = 1;
  for (const it of its) {
    const tried = points.slice(prevEvals, it.evaluations);
    const accepted = tried.reduce((best, q) => (Math.abs(rosen(q) - it.loss) < Math.abs(rosen(best) - it.loss) ? q : best));
    const d = accepted.map((v, i) => (v - start[i]) / it.step);
    const first = dot(tried[0].map((v, i) => v - start[i]), d) / dot(d, d);
    // (near the minimum d is so short that x + t d - x loses digits: those iterations are not checked)
    if (Math.max(...d.map(Math.abs)) * Math.min(1, it.step) > 1e-5) out.push({ x: start, first, accepted: it.step, next: accepted, d });
    else out.push({ x: start, first: NaN, accepted: it.step, next: accepted, d });
    start = accepted;
    prevEvals = it.evaluations;
  }
  return out;
}

describe("quasi-Newton initial step", () => {
  it('"last-decrease" starts each line search at min(1, 2.02 (f_k - f_k-1) / g_k\'d_k); "unit" at 1', () => {
    for (const make of [
      (initialStep: "unit" | "last-decrease") => new gt.optim.BFGS({ update: "ssbroyden", maxIterations: 30, lossTolerance: 0, initialStep }),
      (initialStep: "unit" | "last-decrease") => new gt.optim.LBFGS({ maxIterations: 30, lossTolerance: 0, initialStep }),
    ]) {
      const unit = make("unit");
      const u = trials(unit);
      // after the first iteration (a scaled steepest-descent step), every search starts at 1
      const checkedUnit = u.slice(1).filter((r) => !Number.isNaN(r.first));
      expect(checkedUnit.length).toBeGreaterThan(15);
      for (const r of checkedUnit) expect(r.first).toBeCloseTo(1, 9);
      const opt = make("last-decrease");
      const t = trials(opt);
      expect(t.length).toBeGreaterThan(15);
      let below = 0, checked = 0;
      for (let k = 1; k < t.length; k++) {
        if (Number.isNaN(t[k].first)) continue;
        const xk = t[k].x, xp = t[k - 1].x;
        const expected = Math.min(1, 2.02 * (rosen(xk) - rosen(xp)) / dot(rosenGrad(xk), t[k].d));
        expect(Math.abs(t[k].first - expected)).toBeLessThan(1e-7 * expected);
        checked++;
        if (expected < 0.999) below++;
      }
      expect(checked).toBeGreaterThan(10);
      expect(below).toBeGreaterThan(3); // the rule did act (on Rosenbrock's curved valley the decrease often shrinks)
      for (const o of [unit, opt]) (o as gt.optim.BFGS).dispose?.();
    }
  });

  it("refuses an unknown initial step, naming the choices", () => {
    expect(() => new gt.optim.BFGS({ initialStep: "half" as never })).toThrow(/initialStep must be "unit" or "last-decrease", but got "half"/);
    expect(() => new gt.optim.LBFGS({ initialStep: 1 as never })).toThrow(gt.ArgumentError);
    expect(new gt.optim.BFGS().initialStep).toBe("unit");
    expect(new gt.optim.LBFGS().initialStep).toBe("unit");
  });
});
