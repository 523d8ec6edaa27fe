// The PDE residual at given points, point by point: what adaptive collocation (adaptive-sampling.ts) ranks its
// candidates by and what the NTK weights (ntk.ts) differentiate. The same computation as the residual term of the
// loss (terms.ts: derivatives of the problem's network, the columns, the parameters, problem.residual), without the
// mean of squares.
import type { DType } from "../errors.js";
import { Tensor, fromFlat } from "../tensor.js";
import { tidy } from "../memory.js";
import { slice, square, add, sqrt } from "../ops.js";
import { ArgumentError, describe } from "../errors.js";
import { derivatives, type Net } from "./derivatives.js";
import { residualArguments, paramTensors } from "./params.js";
import { problemNetwork } from "./transform.js";
import type { Problem } from "./problem.js";
import type { TermOptions } from "./terms.js";

/** The residual(s) at points X [n, d]: one [n, 1] tensor per equation (call inside tidy or a tape). */
export function pointResiduals(problem: Problem, net: Net, X: Tensor, options: TermOptions = {}): Tensor[] {
  const model = problemNetwork(problem, net);
  const ds = derivatives(model, X, problem.uses, { vars: problem.vars, outputs: problem.outputs, method: options.derivativeMethod });
  const named: Record<string, Tensor> = { ...paramTensors(options.params, options.positive) };
  problem.vars.forEach((v, j) => { named[v] = slice(X, [0, j], [-1, 1]); });
  problem.uses.forEach((n, i) => { named[n] = ds[i]; });
  const r = problem.residual(residualArguments(named, problem));
  const rs = Array.isArray(r) ? r : [r];
  for (const ri of rs) {
    if (!(ri instanceof Tensor) || ri.size !== X.shape[0]) {
      throw new ArgumentError(`problem '${problem.name}': the residual must return one value per point ([${X.shape[0]}, 1]), but it returned ${ri instanceof Tensor ? `[${ri.shape.join(", ")}]` : describe(ri)}.`);
    }
  }
  return rs;
}

/**
 * |r| at points (float64 rows [n][d]) in chunks of `chunk` rows, as float64: the residual's absolute value, or for a
 * system the Euclidean norm of the equations' residuals, sqrt(sum_i r_i^2). No gradient is kept.
 */
export function residualMagnitudes(problem: Problem, net: Net, points: Float64Array | Float32Array, options: TermOptions & { chunk?: number; dtype?: DType } = {}): Float64Array {
  const d = problem.vars.length;
  const n = points.length / d;
  const chunk = options.chunk ?? 4096;
  const out = new Float64Array(n);
  // the points in the network's dtype (float64 for a float64 network)
  const dt = (net as { dtype?: unknown }).dtype === "float64" ? "float64" : "float32";
  for (let s = 0; s < n; s += chunk) {
    const m = Math.min(chunk, n - s);
    const vals = tidy(() => {
      const X = fromFlat(points.subarray(s * d, (s + m) * d), [m, d], options.dtype ?? "float32", "pinn.residual");
      const rs = pointResiduals(problem, net, X, options);
      return (rs.length === 1 ? rs[0].abs() : sqrt(rs.map((r) => square(r)).reduce((a, b) => add(a, b)))).data();
    });
    for (let i = 0; i < m; i++) out[s + i] = vals[i];
  }
  return out;
}
