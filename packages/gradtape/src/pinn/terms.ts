// The PINN loss as named terms (Raissi et al.'s MSE_f + MSE_u, plus the data misfit of an inverse problem):
//
//   residual      mean over collocation points of residual^2 (a system: residual1, residual2, ... one per equation)
//   conditions    (1/N_u) sum over condition points of weight * (quantity - value)^2
//   observations  weight * mean over observations of (output - value)^2
//
// The loss is their sum, or a weighted sum when loss balancing (balancing.ts) sets per-term weights. Terms are
// also what training reports term by term.
import { Tensor } from "../tensor.js";
import { tidy } from "../memory.js";
import { square, mean, sum, mul, sub, add } from "../ops.js";
import { ArgumentError, describe } from "../errors.js";
import { derivatives, type Net } from "./derivatives.js";
import { residualArguments, paramTensors } from "./params.js";
import { observationTerm, type ObservationTensors } from "./observations.js";
import type { Problem } from "./problem.js";
import { termLoss, type ConditionTerm } from "./condition-terms.js";
import { problemNetwork } from "./transform.js";

/** What the terms need of a run's points (pinn.trainingData's result). */
export interface TermData {
  collocation: Tensor;
  columns: Record<string, Tensor>;
  groups: { quantity: string; points: Tensor; values: Tensor; weights: Tensor | null }[];
  /** Neumann, Robin, periodic and operator conditions (condition-terms.ts) */
  terms?: ConditionTerm[];
  conditionCount: number;
  observations: ObservationTensors | null;
}

export interface TermOptions {
  derivativeMethod?: string;
  /** the parameter Variables, and which of them hold logarithms (params.ts) */
  params?: Readonly<Record<string, Tensor>>;
  positive?: readonly string[];
  /** the residual term of a residual [N, 1] (default mean(r^2); causal training replaces it, causal.ts) */
  residualLoss?: (r: Tensor) => Tensor;
}

/** The name of residual i of n in the terms (and in reports): "residual" alone, else residual1, residual2, ... */
export function residualName(i: number, n: number): string { return n === 1 ? "residual" : `residual${i + 1}`; }

/** The loss terms of a problem on given points: a function returning { name: scalar tensor }, in a fixed order. */
export function lossTerms(problem: Problem, net: Net, data: TermData, options: TermOptions = {}): () => Record<string, Tensor> {
  const dopts = { vars: problem.vars, outputs: problem.outputs, method: options.derivativeMethod };
  // a hard constraint (transform.ts) wraps the network: every term sees the constrained output
  const model = problemNetwork(problem, net);
  return () => tidy(() => {
    const out: Record<string, Tensor> = {};
    const ds = derivatives(model, data.collocation, problem.uses, dopts);
    const named: Record<string, Tensor> = { ...data.columns, ...paramTensors(options.params, options.positive) };
    problem.uses.forEach((n, i) => { named[n] = ds[i]; });
    const r = problem.residual(residualArguments(named, problem));
    const rs = Array.isArray(r) ? r : [r];
    rs.forEach((ri, i) => {
      if (!(ri instanceof Tensor)) throw new ArgumentError(`problem '${problem.name}': the residual must return a Tensor (or an array of them), but it returned ${describe(ri)}.`);
      if (ri.size !== data.collocation.shape[0]) throw new ArgumentError(`problem '${problem.name}': the residual has shape [${ri.shape.join(", ")}]; it must have one value per collocation point ([${data.collocation.shape[0]}, 1]).`);
      out[residualName(i, rs.length)] = options.residualLoss ? options.residualLoss(ri) : mean(square(ri));
    });
    if (data.conditionCount > 0) {
      let cond: Tensor | null = null;
      for (const g of data.groups) {
        const [q] = derivatives(model, g.points, [g.quantity], dopts);
        const e2 = square(sub(q, g.values));
        const s = sum(g.weights ? mul(e2, g.weights) : e2);
        cond = cond ? add(cond, s) : s;
      }
      const more = termLoss(problem, model, data.terms ?? [], dopts);
      if (more) cond = cond ? add(cond, more) : more;
      if (cond) out.conditions = mul(cond, 1 / data.conditionCount);
    }
    if (data.observations) out.observations = observationTerm(model, data.observations, dopts);
    return out;
  });
}

/** The loss: the sum of the terms, each times its weight when weights are given (a missing weight counts as 1). */
export function sumTerms(terms: Readonly<Record<string, Tensor>>, weights?: Readonly<Record<string, Tensor>>): Tensor {
  let loss: Tensor | null = null;
  for (const [k, t] of Object.entries(terms)) {
    const w = weights?.[k];
    const term = w ? mul(t, w) : t;
    loss = loss ? add(loss, term) : term;
  }
  if (!loss) throw new ArgumentError(`pinn: the loss has no terms.`);
  return loss;
}

/** The terms' current values as numbers (one forward pass, no gradient). */
export function termValues(terms: () => Record<string, Tensor>): Record<string, number> {
  return tidy(() => {
    const t = terms();
    const out: Record<string, number> = {};
    for (const [k, v] of Object.entries(t)) out[k] = v.data()[0];
    return out;
  });
}
