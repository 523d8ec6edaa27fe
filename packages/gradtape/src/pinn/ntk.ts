// NTK-based loss weights: Wang, Yu & Perdikaris (2022), "When and why PINNs fail to train: a neural tangent kernel
// perspective", JCP 449, Algorithm 1: with K_i = J_i J_i^T the NTK block of loss term i (J_i the Jacobian of the
// term's per-point errors with respect to the network's weights),
//
//   lambda_i = (sum_j tr(K_j)) / tr(K_i).
//
// tr(K_i) = sum over the term's points of ||d e_p / d theta||^2. Here it is estimated, as in jaxpi's "ntk" weighting,
// by the mean of that diagonal over a random subsample of `points` points per term (the mean, not the sum: the loss
// terms are means too, and a subsample's sum would scale with its size). The errors e_p are what the term squares:
// the residual r(x) (each equation of a system), sqrt(weight) (quantity - value) at a condition point (each compared
// quantity of a Neumann/Robin/periodic/operator condition), sqrt(weight) (output - value) at an observation.
// Each per-point gradient is one reverse pass over the subsample (a persistent tape), every `every` Adam steps.
import type { Tensor } from "../tensor.js";
import type { Variable } from "../variable.js";
import { GradientTape } from "../tape.js";
import { tidy } from "../memory.js";
import { gather, slice, sub, mul, square, sum } from "../ops.js";
import { derivatives, type Net } from "./derivatives.js";
import { pointResiduals } from "./residuals.js";
import { termResiduals, type ConditionTerm } from "./condition-terms.js";
import { problemNetwork } from "./transform.js";
import { residualName, type TermData, type TermOptions } from "./terms.js";
import type { Rng } from "./sampling.js";
import type { Problem } from "./problem.js";

/** Picks up to m of n indices without replacement (sorted), by a partial Fisher-Yates shuffle. */
function pick(n: number, m: number, rng: Rng): number[] {
  if (n <= m) return Array.from({ length: n }, (_, i) => i);
  const a = Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < m; i++) { const j = i + rng.int(n - i); const t = a[i]; a[i] = a[j]; a[j] = t; }
  return a.slice(0, m).sort((x, y) => x - y);
}

/** A condition term restricted to rows `idx` of its points (every per-point tensor gathered). */
function subTerm(t: ConditionTerm, idx: number[]): ConditionTerm {
  const g = (x: Tensor) => gather(x, idx, 0);
  const map = (r: Record<string, Tensor>) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, g(v)]));
  return { ...t, points: g(t.points), partner: t.partner ? g(t.partner) : null, values: g(t.values), normals: map(t.normals), columns: map(t.columns), a: t.a ? g(t.a) : null, b: t.b ? g(t.b) : null };
}

/**
 * The per-term NTK trace estimates (mean diagonal of K_i over a subsample), keyed like the loss terms. `residuals` is
 * the number of residual equations.
 */
export function ntkTraces(problem: Problem, net: Net, data: TermData, theta: readonly Variable[], options: TermOptions, rng: Rng, points: number): Record<string, number> {
  const dopts = { vars: problem.vars, outputs: problem.outputs, method: options.derivativeMethod };
  const model = problemNetwork(problem, net);
  return tidy(() => {
    // per term: a list of error tensors [m, 1] (columns of J's rows), and how many diagonal entries they hold
    const errors: Record<string, Tensor[]> = {};
    const tape = new GradientTape({ persistent: true });
    try {
      tape.start();
      const n = data.collocation.shape[0];
      const rows = gather(data.collocation, pick(n, points, rng), 0);
      const rs = pointResiduals(problem, net, rows, options);
      rs.forEach((r, i) => { errors[residualName(i, rs.length)] = [r]; });
      if (data.conditionCount > 0) {
        // the conditions' points in one list: the groups' rows, then each term condition's
        const pieces: { size: number; make: (idx: number[]) => Tensor[] }[] = [];
        for (const gr of data.groups) {
          pieces.push({ size: gr.points.shape[0], make: (idx) => {
            const [q] = derivatives(model, gather(gr.points, idx, 0), [gr.quantity], dopts);
            const e = sub(q, gather(gr.values, idx, 0));
            return [gr.weights ? mul(e, gather(gr.weights, idx, 0).sqrt()) : e];
          } });
        }
        for (const t of data.terms ?? []) {
          pieces.push({ size: t.points.shape[0], make: (idx) => termResiduals(problem, model, subTerm(t, idx), dopts).map((e) => (t.condition.weight === 1 ? e : mul(e, Math.sqrt(t.condition.weight)))) });
        }
        const total = pieces.reduce((a, p) => a + p.size, 0);
        const chosen = pick(total, points, rng);
        const list: Tensor[] = [];
        let start = 0;
        for (const p of pieces) {
          const idx = chosen.filter((j) => j >= start && j < start + p.size).map((j) => j - start);
          if (idx.length > 0) list.push(...p.make(idx));
          start += p.size;
        }
        errors.conditions = list;
      }
      const o = data.observations;
      if (o) {
        const idx = pick(o.points.shape[0], points, rng);
        const [u] = derivatives(model, gather(o.points, idx, 0), [o.output], dopts);
        const e = sub(u, gather(o.values, idx, 0));
        errors.observations = [o.weight === 1 ? e : mul(e, Math.sqrt(o.weight))];
      }
      // each point's error as a scalar, sliced while the tape records (a gradient needs the slice on the tape)
      const scalars: Record<string, Tensor[]> = {};
      for (const [k, es] of Object.entries(errors)) scalars[k] = es.flatMap((e) => Array.from({ length: e.shape[0] }, (_, p) => slice(e, [p, 0], [1, 1])));
      tape.stop();
      const out: Record<string, number> = {};
      for (const [k, list] of Object.entries(scalars)) {
        let s = 0;
        for (const e of list) s += tidy(() => tape.gradient(e, theta as Variable[], { unconnected: "zero" }).reduce((a, g) => a + sum(square(g)).data()[0], 0));
        out[k] = list.length > 0 ? s / list.length : NaN;
      }
      return out;
    } finally { tape.stop(); tape.dispose(); }
  });
}
