// Evaluation against a reference: the network's prediction on the reference grid (in chunks, so memory stays
// bounded whatever the grid size) and the relative L2 error ||u_pred - u_ref||_2 / ||u_ref||_2, in float64.
import { fromFlat, type Tensor } from "../tensor.js";
import { tidy } from "../memory.js";
import { ArgumentError } from "../errors.js";
import { asFunction, type Net } from "./derivatives.js";
import { gridPoints, type Problem, type Reference } from "./problem.js";
import { problemNetwork } from "./transform.js";

export interface Evaluation {
  /** ||pred - ref||_2 / ||ref||_2 over the grid */
  relL2: number;
  /** max |pred - ref| */
  maxError: number;
  reference: Reference;
  /** the prediction (first output) on the reference grid, row-major like reference.u */
  prediction: Float64Array;
}

/** The network's first output at points (float64 rows [n][d]), evaluated in chunks of `chunk` rows. */
export function predict(net: Net, points: Float64Array, d: number, options: { chunk?: number; output?: number; dtype?: "float32" | "float64" } = {}): Float64Array {
  const apply = asFunction(net, "pinn.predict");
  const n = points.length / d;
  if (!Number.isInteger(n)) throw new ArgumentError(`pinn.predict: ${points.length} coordinates are not a whole number of ${d}-dimensional points.`);
  const chunk = options.chunk ?? 8192, o = options.output ?? 0;
  const out = new Float64Array(n);
  // the points in the network's dtype (a float64 network's prediction is not rounded to float32 on the way in)
  const dt = options.dtype ?? ((net as { dtype?: unknown }).dtype === "float64" ? "float64" : "float32");
  for (let s = 0; s < n; s += chunk) {
    const m = Math.min(chunk, n - s);
    const vals = tidy(() => {
      const X = fromFlat(points.subarray(s * d, (s + m) * d), [m, d], dt, "pinn.predict");
      const y: Tensor = apply(X);
      return y.data();
    });
    const k = vals.length / m;
    for (let i = 0; i < m; i++) out[s + i] = vals[i * k + o];
  }
  return out;
}

/** ||pred - ref|| / ||ref|| over the points where the reference is a number (NaN marks points outside a geometry). */
export function relativeL2(pred: ArrayLike<number>, ref: ArrayLike<number>): number {
  if (pred.length !== ref.length) throw new ArgumentError(`relativeL2: ${pred.length} predictions for ${ref.length} reference values.`);
  let num = 0, den = 0;
  for (let i = 0; i < ref.length; i++) { if (Number.isNaN(ref[i])) continue; const e = pred[i] - ref[i]; num += e * e; den += ref[i] * ref[i]; }
  return Math.sqrt(num / den);
}

/**
 * Predicts on the problem's reference grid (through the problem's output transform, if it has one: pass the bare
 * network) and compares, skipping grid points outside the domain (NaN in the reference).
 */
export function evaluate(net: Net, problem: Problem): Evaluation {
  const reference = problem.reference();
  const pts = gridPoints(problem.vars, reference.axes);
  const prediction = predict(problemNetwork(problem, net), pts, problem.vars.length,
    { dtype: (net as { dtype?: unknown }).dtype === "float64" ? "float64" : "float32" });
  let maxError = 0;
  for (let i = 0; i < prediction.length; i++) if (!Number.isNaN(reference.u[i])) maxError = Math.max(maxError, Math.abs(prediction[i] - reference.u[i]));
  return { relL2: relativeL2(prediction, reference.u), maxError, reference, prediction };
}
