// Stating a PINN problem: the domain (a box), the residual of the PDE written with input derivatives, initial and
// boundary conditions on faces of the box, and optionally an exact solution or a reference grid to evaluate
// against. defineProblem() checks the statement once, so that mistakes surface before any training:
//
//   const heat = pinn.defineProblem({
//     name: "heat",
//     domain: { x: [0, 1], t: [0, 1] },            // key order = input column order
//     uses: ["u_t", "u_xx"],
//     residual: ({ u_t, u_xx }) => u_t.sub(u_xx.mul(0.4)),
//     conditions: [
//       { on: { t: 0 }, value: ({ x }) => Math.sin(Math.PI * x) },   // initial condition
//       { on: { x: 0 }, value: 0 }, { on: { x: 1 }, value: 0 },       // boundary conditions
//     ],
//     exact: ({ x, t }) => Math.exp(-0.4 * Math.PI ** 2 * t) * Math.sin(Math.PI * x),
//   });
//
// The domain may also be a geometry (pinn.geometry: disks, polygons, CSG, space-time), and the conditions of any
// kind (conditions.ts: Dirichlet, initial, point data, Neumann, Robin, periodic, operator) on named boundary pieces
// or predicates; `transform` builds a condition into the network exactly (a hard constraint, transform.ts).
import type { Tensor } from "../tensor.js";
import { ArgumentError, describe } from "../errors.js";
import { boxBounds, linspace, sampleUnit, type Box, type SamplerName } from "./sampling.js";
import { parseDerivative } from "./derivatives.js";
import type { ActivationName } from "../nn/activations.js";
import type { NetworkChoice } from "./architecture.js";
import { checkParams, type ParamSpec } from "./params.js";
import { observationSource, type ObservationSpec, type Observations } from "./observations.js";
import { Geometry } from "./geometry/base.js";
import { BoxGeometry } from "./geometry/primitives.js";
import { parseCondition, splitConditionPoints, type Condition, type ConditionSpec } from "./conditions.js";
import type { OutputTransform } from "./transform.js";
import type { RemedyOptions } from "./remedies.js";
import type { BalancingScheme, BalancingOptions } from "./balancing.js";
export { splitConditionPoints, type Condition, type ConditionSpec };

/** A point as named coordinates, e.g. { x: 0.5, t: 0.1 }. */
export type Point = Readonly<Record<string, number>>;

/** A reference solution on a grid: axes outermost first, values row-major over them (u[t][x] for axes t, x). */
export interface Reference {
  axes: [string, number[]][];
  u: Float64Array;
}

/** Training defaults a problem may carry (the published setup, for a built-in problem). */
export interface ProblemDefaults {
  hidden?: number[];
  activation?: ActivationName;
  collocationPoints?: number;
  conditionPoints?: number;
  sampler?: SamplerName;
  adamSteps?: number;
  learningRate?: number;
  lbfgsSteps?: number;
  /** an input embedding and the hidden layers' architecture (pinn/architecture.ts; default: none, a plain MLP) */
  architecture?: NetworkChoice["architecture"];
  embedding?: NetworkChoice["embedding"];
  /** loss balancing (pinn/balancing.ts; default: none) */
  balancing?: BalancingScheme | BalancingOptions;
  /** the float dtype of training (default "float32"): "float64" for a problem whose loss float32 cannot resolve */
  dtype?: "float32" | "float64";
  /** adaptive collocation and causal training (pinn/remedies.ts; default: none) */
  adaptive?: RemedyOptions["adaptive"];
  causal?: RemedyOptions["causal"];
}

export interface ProblemSpec {
  name: string;
  description?: string;
  /** the box, e.g. { x: [-1, 1], t: [0, 1] } (its key order is the order of the network's input columns), or a geometry */
  domain: Box | Geometry;
  /** names of the network's outputs (default ["u"]) */
  outputs?: string[];
  /** the derivatives the residual reads, as derivatives() names, e.g. ["u", "u_t", "u_x", "u_xx"] */
  uses: string[];
  /**
   * The PDE residual, zero at the solution, as an [N, 1] tensor (or several, for a system). It receives every name
   * in `uses` and every variable's column of the collocation points (e.g. `x`, `t`), all [N, 1].
   */
  residual: (d: Readonly<Record<string, Tensor>>) => Tensor | Tensor[];
  conditions: ConditionSpec[];
  /** the exact solution (first output), float64 */
  exact?: (p: Point) => number;
  /** the reference grid (default: `exact` on `grid`) */
  reference?: () => Reference;
  /** the evaluation grid, outermost axis first (default: 101 points per variable, the variables in reverse order) */
  grid?: [string, number[]][];
  defaults?: ProblemDefaults;
  /** inverse problems (pinn/params.ts, pinn/observations.ts): unknown coefficients with initial values, read by the
   *  residual by name and trained with the network; their true values, if known (for reports); measured data */
  params?: Readonly<Record<string, ParamSpec>>;
  exactParams?: Readonly<Record<string, number>>;
  observations?: ObservationSpec;
  /** a hard constraint: the network's output N is replaced by transform(inputs, N), e.g. g + d N (transform.ts) */
  transform?: OutputTransform;
}

export interface Problem {
  readonly name: string;
  readonly description: string;
  readonly domain: Box | Geometry;
  /** the domain as a geometry (a box domain as a BoxGeometry) */
  readonly geometry: Geometry;
  readonly transform?: OutputTransform;
  readonly vars: readonly string[];
  readonly lo: readonly number[];
  readonly hi: readonly number[];
  readonly outputs: readonly string[];
  readonly uses: readonly string[];
  readonly residual: ProblemSpec["residual"];
  readonly conditions: readonly Condition[];
  readonly exact?: (p: Point) => number;
  readonly grid: readonly [string, number[]][];
  readonly defaults: ProblemDefaults;
  /** the parameters' initial values, and which are positive (trained as logarithms) */
  readonly params: Readonly<Record<string, number>>;
  readonly positiveParams: readonly string[];
  readonly exactParams?: Readonly<Record<string, number>>;
  /** the observations for a training seed (checked), if the problem has any */
  readonly observations?: (seed: number) => Observations;
  /** the reference on `grid` (computed once, then cached; NaN at grid points outside a geometry) */
  reference(): Reference;
  /** n collocation points in the domain (float64 rows [n][d]) */
  collocation(n: number, sampler: SamplerName, seed: number): Float64Array;
}

const op = "defineProblem";

/** Checks a problem statement and returns the problem. */
export function defineProblem(spec: ProblemSpec): Problem {
  if (spec === null || typeof spec !== "object") throw new ArgumentError(`${op}: expected a problem statement object, but got ${describe(spec)}.`);
  const name = spec.name;
  if (typeof name !== "string" || name === "") throw new ArgumentError(`${op}: name must be a non-empty string.`);
  const where = `${op} '${name}'`;
  const isBox = !(spec.domain instanceof Geometry);
  const geometry = isBox ? new BoxGeometry(spec.domain as Box) : (spec.domain as Geometry);
  const { vars, lo, hi } = isBox ? boxBounds(spec.domain as Box, where) : { vars: geometry.vars.slice(), lo: geometry.lo.slice(), hi: geometry.hi.slice() };
  const outputs = spec.outputs ?? ["u"];
  if (!Array.isArray(outputs) || outputs.length === 0) throw new ArgumentError(`${where}: outputs must be a non-empty array of names.`);
  for (const o of outputs) if (vars.includes(o)) throw new ArgumentError(`${where}: '${o}' is both an output and a variable.`);
  if (!Array.isArray(spec.uses) || spec.uses.length === 0) throw new ArgumentError(`${where}: uses must list the derivatives the residual reads, e.g. ["u_t", "u_xx"].`);
  for (const u of spec.uses) {
    parseDerivative(u, vars, outputs, where);
    if (vars.includes(u)) throw new ArgumentError(`${where}: '${u}' in uses is a variable name; the residual receives the variables' columns anyway.`);
  }
  if (typeof spec.residual !== "function") throw new ArgumentError(`${where}: residual must be a function of the derivatives, returning a tensor.`);
  if (!Array.isArray(spec.conditions)) throw new ArgumentError(`${where}: conditions must be an array (it may be empty).`);

  const ctx = { where, vars, lo, hi, outputs, geometry, isBox };
  const conditions: Condition[] = spec.conditions.map((c, i) => parseCondition(c, i, ctx));
  if (spec.transform !== undefined && typeof spec.transform !== "function") throw new ArgumentError(`${where}: transform must be a function (inputs, N) => tensor, but got ${describe(spec.transform)}.`);

  if (spec.exact !== undefined && typeof spec.exact !== "function") throw new ArgumentError(`${where}: exact must be a function of the point.`);
  const grid = spec.grid ?? [...vars].reverse().map((v, i): [string, number[]] => {
    const k = vars.length - 1 - i;
    return [v, linspace(lo[k], hi[k], 101)];
  });
  const axisNames = grid.map((a) => a[0]);
  if (axisNames.length !== vars.length || !vars.every((v) => axisNames.includes(v))) {
    throw new ArgumentError(`${where}: grid must have one axis per variable (${vars.join(", ")}), but has ${axisNames.join(", ")}.`);
  }
  if (spec.reference === undefined && spec.exact === undefined) {
    // allowed: a problem can be trained without a reference; evaluate() then says so
  }
  const { values: params, positive: positiveParams } = checkParams(spec.params, { vars, outputs, uses: spec.uses }, where);
  const exactParams = spec.exactParams === undefined ? undefined : checkParams(spec.exactParams, { vars, outputs, uses: spec.uses }, `${where} (exactParams)`).values;
  const observations = observationSource(spec.observations, { name, vars, lo, hi, outputs }, where);
  let cached: Reference | null = null;
  const reference = (): Reference => {
    if (cached) return cached;
    if (spec.reference) cached = spec.reference();
    else if (spec.exact) cached = referenceFromExact(grid, spec.exact);
    else throw new ArgumentError(`problem '${name}' has neither an exact solution nor a reference; give one of them to evaluate against.`);
    const n = cached.axes.reduce((a, [, v]) => a * v.length, 1);
    if (cached.u.length !== n) throw new ArgumentError(`problem '${name}': the reference has ${cached.u.length} values for a ${cached.axes.map(([, v]) => v.length).join(" x ")} grid.`);
    if (!isBox) maskOutside(cached, vars, geometry);
    return cached;
  };
  const collocation = (n: number, sampler: SamplerName, seed: number): Float64Array => {
    if (!isBox) return geometry.sampleInterior(n, { method: sampler, seed });
    const d = vars.length;
    const unit = sampleUnit(n, d, { method: sampler, seed });
    for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) unit[i * d + j] = lo[j] + (hi[j] - lo[j]) * unit[i * d + j];
    return unit;
  };
  return Object.freeze({
    name, description: spec.description ?? "", domain: spec.domain, geometry, transform: spec.transform, vars, lo, hi, outputs, uses: spec.uses.slice(),
    residual: spec.residual, conditions, exact: spec.exact, grid, defaults: { ...(spec.defaults ?? {}) }, reference, collocation,
    params, positiveParams, exactParams, observations,
  });
}

/** Sets the reference to NaN at grid points outside the geometry (evaluation skips them; plots mask them). */
function maskOutside(ref: Reference, vars: readonly string[], geometry: Geometry): void {
  const pts = gridPoints(vars, ref.axes);
  const d = vars.length;
  const tol = 1e-9 * geometry.diameter;
  for (let i = 0; i < ref.u.length; i++) if (geometry.sdf(pts.subarray(i * d, (i + 1) * d)) > tol) ref.u[i] = NaN;
}

/** Every point of a grid (axes outermost first) as rows in the problem's variable order: float64 [n][d]. */
export function gridPoints(vars: readonly string[], axes: readonly [string, number[]][]): Float64Array {
  const d = vars.length;
  const sizes = axes.map(([, v]) => v.length);
  const n = sizes.reduce((a, b) => a * b, 1);
  const col = axes.map(([name]) => vars.indexOf(name));
  const out = new Float64Array(n * d);
  const idx = new Array<number>(axes.length).fill(0);
  for (let r = 0; r < n; r++) {
    for (let a = 0; a < axes.length; a++) out[r * d + col[a]] = axes[a][1][idx[a]];
    for (let a = axes.length - 1; a >= 0; a--) { if (++idx[a] < sizes[a]) break; idx[a] = 0; }
  }
  return out;
}

/** The exact solution evaluated on a grid. */
export function referenceFromExact(axes: [string, number[]][], exact: (p: Point) => number): Reference {
  const vars = axes.map(([n]) => n);
  const pts = gridPoints(vars, axes);
  const d = vars.length;
  const n = pts.length / d;
  const u = new Float64Array(n);
  const p: Record<string, number> = {};
  for (let r = 0; r < n; r++) {
    for (let j = 0; j < d; j++) p[vars[j]] = pts[r * d + j];
    u[r] = exact(p);
  }
  return { axes: axes.map(([a, v]) => [a, v.slice()]), u };
}

/**
 * Points of a condition with prescribed values: on a box face, the fixed variables at their values and the free
 * ones drawn by the sampler (a face that is a single point gets one point); on geometry pieces, drawn by the
 * geometry; for point data, the given points. Rows in the problem's variable order, with the prescribed values.
 */
export function conditionPoints(problem: Problem, c: Condition, n: number, sampler: SamplerName, seed: number): { points: Float64Array; values: Float64Array } {
  const d = problem.vars.length;
  if (c.data) return { points: c.data.points.slice(), values: c.data.values.slice() };
  let points: Float64Array;
  if (Object.keys(c.on).length > 0 && !(problem.domain instanceof Geometry)) {
    const count = c.free.length === 0 ? 1 : n;
    const unit = c.free.length === 0 ? new Float64Array(0) : sampleUnit(count, c.free.length, { method: sampler, seed });
    points = new Float64Array(count * d);
    for (let i = 0; i < count; i++) {
      for (const [k, v] of Object.entries(c.on)) points[i * d + problem.vars.indexOf(k)] = v;
      c.free.forEach((f, j) => { points[i * d + f.index] = f.lo + (f.hi - f.lo) * unit[i * c.free.length + j]; });
    }
  } else {
    points = problem.geometry.sampleBoundary(n, { method: sampler, seed, piece: c.pieces, where: c.where });
  }
  const count = points.length / d;
  const values = new Float64Array(count);
  const p: Record<string, number> = {};
  for (let i = 0; i < count; i++) {
    for (let j = 0; j < d; j++) p[problem.vars[j]] = points[i * d + j];
    const v = c.value(p);
    if (!Number.isFinite(v)) throw new ArgumentError(`problem '${problem.name}', condition ${c.name}: the value at ${JSON.stringify(p)} is ${v}; it must be finite.`);
    values[i] = v;
  }
  return { points, values };
}
