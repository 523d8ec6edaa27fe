// Observation data of an inverse problem: measured values of an output at given points, fitted by the network as a
// loss term  weight * mean over the observations of (u(point) - value)^2  (Raissi et al. 2019's MSE_u). A problem
// gives them as data, or as a function of the training seed (so a built-in problem can draw its points and noise
// per seed). Non-finite values or points, or points outside the domain, are named errors.
import { ArgumentError, describe } from "../errors.js";
import { Rng } from "./sampling.js";
import { fromFlat, type Tensor } from "../tensor.js";
import { tidy, keep } from "../memory.js";
import { mean, square, sub, mul } from "../ops.js";
import { derivatives, type Net } from "./derivatives.js";

export interface ObservationData {
  /** one row per observation, the coordinates in the problem's variable order: [[x, t], ...], or flat rows */
  points: readonly (readonly number[])[] | Float64Array;
  /** the observed values, one per point */
  values: ArrayLike<number>;
  /** the output observed (default: the first) */
  output?: string;
  /** weight of the term in the loss (default 1) */
  weight?: number;
  /**
   * the standard deviation of the measurement noise in the values, in the output's units (default: none). With
   * it, training stops once the loss falls to the exact solution's, weight × noise² (a discrepancy principle;
   * pinn.train's stopAtNoise): below that, the network fits the noise instead of the solution.
   */
  noise?: number;
}

export type ObservationSpec = ObservationData | ((seed: number) => ObservationData);

/** Checked observations: flat float64 rows [n][d]. */
export interface Observations { points: Float64Array; values: Float64Array; output: string; weight: number; count: number; noise: number | null }

interface Shape { name: string; vars: readonly string[]; lo: readonly number[]; hi: readonly number[]; outputs: readonly string[] }

/** Checks observation data against a problem's variables, outputs and domain. */
export function checkObservations(data: ObservationData, p: Shape, where: string): Observations {
  const w = `${where}: observations`;
  if (data === null || typeof data !== "object") throw new ArgumentError(`${w} must be { points, values } (or a function of the seed returning it), but got ${describe(data)}.`);
  const d = p.vars.length;
  const vals = data.values;
  if (vals === null || typeof vals !== "object" || typeof vals.length !== "number" || vals.length === 0) throw new ArgumentError(`${w}.values must be a non-empty array of numbers, but got ${describe(vals)}.`);
  const n = vals.length;
  let points: Float64Array;
  if (data.points instanceof Float64Array) points = data.points;
  else if (Array.isArray(data.points)) {
    points = new Float64Array(data.points.length * d);
    data.points.forEach((r, i) => {
      if (!Array.isArray(r) || r.length !== d) throw new ArgumentError(`${w}.points[${i}] must be a row of ${d} coordinates (${p.vars.join(", ")}), but got ${describe(r)}.`);
      for (let j = 0; j < d; j++) points[i * d + j] = r[j];
    });
  } else throw new ArgumentError(`${w}.points must be rows [[${p.vars.join(", ")}], ...] or a Float64Array, but got ${describe(data.points)}.`);
  if (points.length !== n * d) throw new ArgumentError(`${w}: ${points.length / d} points for ${n} values; give one point per value.`);
  const values = Float64Array.from(vals);
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(values[i])) throw new ArgumentError(`${w}.values[${i}] is ${values[i]}; every observation must be a finite number (drop or fill missing measurements).`);
    for (let j = 0; j < d; j++) {
      const v = points[i * d + j];
      if (!Number.isFinite(v)) throw new ArgumentError(`${w}.points[${i}]: ${p.vars[j]} is ${v}; coordinates must be finite.`);
      if (v < p.lo[j] || v > p.hi[j]) throw new ArgumentError(`${w}.points[${i}]: ${p.vars[j]} = ${v} is outside the domain's [${p.lo[j]}, ${p.hi[j]}].`);
    }
  }
  const output = data.output ?? p.outputs[0];
  if (!p.outputs.includes(output)) throw new ArgumentError(`${w}.output ${describe(output)} is not an output of the problem (${p.outputs.join(", ")}).`);
  const weight = data.weight ?? 1;
  if (typeof weight !== "number" || !Number.isFinite(weight) || weight < 0) throw new ArgumentError(`${w}.weight must be a finite number >= 0, but got ${describe(data.weight)}.`);
  const noise = data.noise ?? null;
  if (noise !== null && (typeof noise !== "number" || !Number.isFinite(noise) || noise <= 0)) {
    throw new ArgumentError(`${w}.noise must be the noise's standard deviation, a finite number > 0 (or left out when the values are exact), but got ${describe(data.noise)}.`);
  }
  return { points: points.slice(), values, output, weight, count: n, noise };
}

/**
 * The discrepancy stop's level for observations (pinn.train, the demo): the loss of the exact solution, whose residual
 * and conditions are zero and whose data misfit is the noise's variance, times the term's weight; null when the data
 * declare no noise or do not count (weight 0).
 */
export function discrepancyLevel(o: { weight: number; noise: number | null } | null | undefined): number | null {
  return o && o.noise !== null && o.weight > 0 ? o.weight * o.noise * o.noise : null;
}

/** The observations for a seed: static data is checked once (at definition), a function on every call. */
export function observationSource(spec: ObservationSpec | undefined, p: Shape, where: string): ((seed: number) => Observations) | undefined {
  if (spec === undefined) return undefined;
  if (typeof spec === "function") return (seed) => checkObservations(spec(seed), p, `problem '${p.name}'`);
  const checked = checkObservations(spec, p, where);
  return () => checked;
}

/**
 * `count` of the n rows of `points` ([n][d]) drawn without replacement, seeded, with their values (an array, or a
 * function of the row, evaluated only for the rows drawn) and Gaussian noise of standard deviation
 * noise * sd(drawn values) added: Raissi et al.'s convention (u + noise * std(u) * randn), so noise 0.01 is "1%".
 * With noise, the data carries that standard deviation as `noise` (pinn.train's discrepancy stop).
 */
export function drawObservations(points: Float64Array, values: ArrayLike<number> | ((row: number) => number), d: number, count: number, noise: number, seed: number): ObservationData {
  const n = Math.floor(points.length / d);
  if (!Number.isInteger(count) || count < 1 || count > n) throw new ArgumentError(`drawObservations: count must be an integer in [1, ${n}], but got ${describe(count)}.`);
  if (!Number.isFinite(noise) || noise < 0) throw new ArgumentError(`drawObservations: noise must be a finite number >= 0, but got ${describe(noise)}.`);
  const value = typeof values === "function" ? values : (r: number) => values[r];
  const rng = new Rng(seed);
  const idx = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < count; i++) { const j = i + rng.int(n - i); const t = idx[i]; idx[i] = idx[j]; idx[j] = t; }
  const pts = new Float64Array(count * d), vals = new Float64Array(count);
  let mean = 0;
  for (let i = 0; i < count; i++) {
    const r = idx[i];
    for (let j = 0; j < d; j++) pts[i * d + j] = points[r * d + j];
    vals[i] = value(r);
    mean += vals[i] / count;
  }
  if (noise > 0) {
    let v2 = 0;
    for (let i = 0; i < count; i++) v2 += (vals[i] - mean) ** 2;
    const sd = Math.sqrt(v2 / Math.max(1, count - 1));
    // Box-Muller: a standard normal from two uniforms (1 - u keeps the log finite)
    for (let i = 0; i < count; i++) vals[i] += noise * sd * Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
    if (sd > 0) return { points: pts, values: vals, noise: noise * sd };
  }
  return { points: pts, values: vals };
}

/** Observations as float32 tensors for a training run: points [n, d], values [n, 1]. */
export interface ObservationTensors { points: Tensor; values: Tensor; output: string; weight: number; count: number; noise: number | null }

export function observationTensors(obs: Observations, d: number, dtype: "float32" | "float64" = "float32"): ObservationTensors {
  return tidy(() => ({
    points: keep(fromFlat(obs.points, [obs.count, d], dtype, "pinn.trainingData")),
    values: keep(fromFlat(obs.values, [obs.count, 1], dtype, "pinn.trainingData")),
    output: obs.output, weight: obs.weight, count: obs.count, noise: obs.noise,
  }));
}

/** The loss term weight * mean((output(points) - values)^2). */
export function observationTerm(net: Net, o: ObservationTensors, dopts: { vars: readonly string[]; outputs: readonly string[]; method?: string }): Tensor {
  return tidy(() => {
    const [u] = derivatives(net, o.points, [o.output], dopts);
    const m = mean(square(sub(u, o.values)));
    return o.weight === 1 ? m : mul(m, o.weight);
  });
}
