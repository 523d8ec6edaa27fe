// Loss terms of the conditions that are not "quantity minus value" (conditions.ts): Neumann, Robin, periodic and
// operator conditions. Their points are drawn once (like the other conditions', seeded), with what the residual
// needs at them as float32 tensors: the prescribed values g, the outward normals (one [n, 1] column per variable),
// Robin's a and b, the periodic partner points. Each term adds weight · Σ r² to the condition sum, which the loss
// divides by N_u together with the Dirichlet terms.
import { Tensor, fromFlat } from "../tensor.js";
import { square, sum, mul, add, sub, slice } from "../ops.js";
import { ArgumentError, describe } from "../errors.js";
import { derivatives, type Net } from "./derivatives.js";
import { isTermCondition, type Condition } from "./conditions.js";
import { conditionPoints, type Problem, type Point } from "./problem.js";
import type { SamplerName } from "./sampling.js";

export interface ConditionTerm {
  condition: Condition;
  /** squared errors this term adds to N_u (points x compared quantities) */
  count: number;
  points: Tensor;
  /** periodic: the matching points at the other end */
  partner: Tensor | null;
  /** g at the points [n, 1] */
  values: Tensor;
  /** outward normal components by variable name, [n, 1] each (Neumann, Robin, operator) */
  normals: Record<string, Tensor>;
  /** input columns by variable name (operator) */
  columns: Record<string, Tensor>;
  a: Tensor | null;
  b: Tensor | null;
}

const column = (v: ArrayLike<number>, n: number, op: string, dtype: "float32" | "float64") => fromFlat(Array.from(v), [n, 1], dtype, op);

/** Draws the points of the term conditions (counts from splitConditionPoints; seeds as the other conditions'). */
export function conditionTerms(problem: Problem, counts: readonly number[], sampler: SamplerName, seed: number, keep: <T extends Tensor>(t: T) => T,
  dtype: "float32" | "float64" = "float32"): ConditionTerm[] {
  const op = "pinn.trainingData";
  const d = problem.vars.length;
  const out: ConditionTerm[] = [];
  problem.conditions.forEach((c, i) => {
    if (counts[i] === 0 || !isTermCondition(c)) return;
    const { points, values } = conditionPoints(problem, c, counts[i], sampler, seed + 1000 * (i + 1));
    const n = points.length / d;
    const normals: Record<string, Tensor> = {}, columns: Record<string, Tensor> = {};
    if (c.kind !== "periodic") {
      const nv = problem.geometry.normals(points, 1e-7 * problem.geometry.diameter);
      problem.vars.forEach((v, j) => {
        const col = Array.from({ length: n }, (_, k) => nv[k * d + j]);
        if (col.some((x) => x !== 0) || c.kind === "operator") normals[v] = keep(column(col, n, op, dtype));
      });
    }
    let partner: Tensor | null = null;
    if (c.periodic) {
      const q = points.slice();
      for (let k = 0; k < n; k++) q[k * d + c.periodic.index] = c.periodic.hi;
      partner = keep(fromFlat(q, [n, d], dtype, op));
    }
    const P = keep(fromFlat(points, [n, d], dtype, op));
    if (c.kind === "operator") problem.vars.forEach((v, j) => { columns[v] = keep(slice(P, [0, j], [-1, 1])); });
    const coefAt = (f: ((p: Point) => number) | undefined, what: string): Tensor | null => {
      if (!f) return null;
      const p: Record<string, number> = {};
      const vals = Array.from({ length: n }, (_, k) => {
        for (let j = 0; j < d; j++) p[problem.vars[j]] = points[k * d + j];
        const v = f(p);
        if (!Number.isFinite(v)) throw new ArgumentError(`problem '${problem.name}', condition ${c.name}: ${what} at ${JSON.stringify(p)} is ${describe(v)}; it must be finite.`);
        return v;
      });
      return keep(column(vals, n, op, dtype));
    };
    out.push({
      condition: c, count: n * (c.periodic ? c.periodic.quantities.length : 1), points: P, partner,
      values: keep(column(values, n, op, dtype)), normals, columns, a: coefAt(c.a, "a"), b: coefAt(c.b, "b"),
    });
  });
  return out;
}

/** Σ over terms of weight · Σ r² (a scalar tensor), or null when there are none. */
export function termLoss(problem: Problem, net: Net, terms: readonly ConditionTerm[], dopts: { vars: readonly string[]; outputs: readonly string[]; method?: string }): Tensor | null {
  let total: Tensor | null = null;
  for (const t of terms) {
    const c = t.condition;
    for (const r of termResiduals(problem, net, t, dopts)) {
      let s = sum(square(r));
      if (c.weight !== 1) s = mul(s, c.weight);
      total = total ? add(total, s) : s;
    }
  }
  return total;
}

/** A term condition's residuals at its points, [n, 1] each (one per compared quantity; unweighted). */
export function termResiduals(problem: Problem, net: Net, t: ConditionTerm, dopts: { vars: readonly string[]; outputs: readonly string[]; method?: string }): Tensor[] {
  const c = t.condition;
  const rs: Tensor[] = [];
  if (c.kind === "neumann" || c.kind === "robin") {
    const vars = Object.keys(t.normals);
    const ds = derivatives(net, t.points, [c.quantity, ...vars.map((v) => `${c.quantity}_${v}`)], dopts);
    let dudn: Tensor = mul(ds[1], t.normals[vars[0]]);
    for (let j = 1; j < vars.length; j++) dudn = add(dudn, mul(ds[j + 1], t.normals[vars[j]]));
    rs.push(c.kind === "neumann" ? sub(dudn, t.values) : sub(add(mul(t.a!, ds[0]), mul(t.b!, dudn)), t.values));
  } else if (c.kind === "periodic") {
    const qs = c.periodic!.quantities;
    const lo = derivatives(net, t.points, qs, dopts), hi = derivatives(net, t.partner!, qs, dopts);
    qs.forEach((_, k) => rs.push(sub(lo[k], hi[k])));
  } else {
    const ds = derivatives(net, t.points, c.uses!, dopts);
    const named: Record<string, Tensor> = { ...t.columns };
    for (const [v, col] of Object.entries(t.normals)) named[`n_${v}`] = col;
    c.uses!.forEach((u, k) => { named[u] = ds[k]; });
    const r = c.residual!(named);
    if (!(r instanceof Tensor) || r.size !== t.points.shape[0]) throw new ArgumentError(`problem '${problem.name}', condition ${c.name}: the residual must be a tensor with one value per point ([${t.points.shape[0]}, 1]), but it is ${r instanceof Tensor ? `[${r.shape.join(", ")}]` : describe(r)}.`);
    rs.push(r);
  }
  return rs;
}
