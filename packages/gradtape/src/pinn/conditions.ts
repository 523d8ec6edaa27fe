// Conditions of a PINN problem, checked once by defineProblem and turned into points for training.
//
//   kind        loss term at each of its points (summed, weighted, with the other conditions' over N_u)
//   dirichlet   (q - g)²               q = an output or a named derivative of it ("u", "u_t", "v_x"), g = value
//   initial     the same on t = t0     (quantity "u_t" for the second-order-in-time condition)
//   points      (u - observed)²        observed values at given points (arrays or CSV text)
//   neumann     (du/dn - g)²           du/dn = sum_j n_j du/dx_j with the geometry's outward unit normals
//   robin       (a u + b du/dn - g)²
//   periodic    (u(p) - u(p'))² (+ the same for chosen derivatives), p on x = lo, p' = p with x = hi
//   operator    r² for a residual r written with derivatives, like the PDE's (also gets n_x, n_y, ...: normals)
//
// Where: `on` picks the boundary part: a face { x: 0 } (values of variables), a piece name or names ("left",
// "circle", "edge2", "initial"; "boundary" is all), or a predicate on boundary points; omitted = whole boundary.
import type { Tensor } from "../tensor.js";
import { ArgumentError, describe } from "../errors.js";
import { parseDerivative } from "./derivatives.js";
import type { Geometry } from "./geometry/base.js";
import { SpaceTimeGeometry } from "./geometry/time.js";
import { parsePointCSV } from "./point-data.js";
import type { Point } from "./problem.js";

export type ConditionKind = "dirichlet" | "initial" | "points" | "neumann" | "robin" | "periodic" | "operator";
const KINDS: readonly ConditionKind[] = ["dirichlet", "initial", "points", "neumann", "robin", "periodic", "operator"];

type Coef = number | ((p: Point) => number);

export interface ConditionSpec {
  /** a name for reports (default: from `on` or the kind) */
  name?: string;
  /** "dirichlet" (default), "initial", "points", "neumann", "robin", "periodic" or "operator" */
  kind?: ConditionKind;
  /** where: a face { t: 0 } (fixed values of variables), piece name(s) ("left", "circle"), or a predicate on boundary points */
  on?: Readonly<Record<string, number>> | string | readonly string[] | ((p: Point) => boolean);
  /** the prescribed value g (default 0), a number or a float64 function of the point */
  value?: Coef;
  /** dirichlet / initial: the quantity prescribed, an output or a derivative name (default: the first output) */
  quantity?: string;
  /** neumann, robin, periodic, points: which output (default: the first) */
  output?: string;
  /** robin: a u + b du/dn = g */
  a?: Coef;
  b?: Coef;
  /** periodic: the variable whose two ends are identified (default: the first) */
  variable?: string;
  /** periodic: also match these derivatives ("u_x", ...), or true for the first derivative along the variable */
  derivatives?: boolean | readonly string[];
  /** points: coordinates (rows, in variable order) and observed values, or CSV text (header names the columns) */
  points?: ArrayLike<number> | readonly (readonly number[])[];
  values?: ArrayLike<number>;
  csv?: { text: string; source?: string };
  /** operator: the derivatives the residual reads, and the residual (zero where the condition holds) */
  uses?: readonly string[];
  residual?: (d: Readonly<Record<string, Tensor>>) => Tensor;
  /** weight of this condition's squared errors in the loss (default 1) */
  weight?: number;
}

export interface Condition {
  name: string;
  kind: ConditionKind;
  /** the box face (values of variables) for a face condition; {} otherwise */
  on: Readonly<Record<string, number>>;
  /** the variables that range over the face (for a piece or predicate condition: all of them) */
  free: { name: string; index: number; lo: number; hi: number }[];
  value: (p: Point) => number;
  /** dirichlet: the prescribed quantity; other kinds: the output */
  quantity: string;
  weight: number;
  /** the part's measure (the split of N_u follows it) */
  measure: number;
  /** a fixed number of points (point data; the ends of an interval), instead of a share of N_u */
  count?: number;
  /** boundary pieces and a filter, for a condition not on a box face */
  pieces?: readonly string[];
  where?: (p: Float64Array) => boolean;
  a?: (p: Point) => number;
  b?: (p: Point) => number;
  periodic?: { variable: string; index: number; lo: number; hi: number; quantities: string[] };
  data?: { points: Float64Array; values: Float64Array };
  uses?: readonly string[];
  residual?: (d: Readonly<Record<string, Tensor>>) => Tensor;
}

/** Conditions whose loss term is built by condition-terms.ts rather than as (quantity - value)². */
export function isTermCondition(c: Condition): boolean {
  return c.kind === "neumann" || c.kind === "robin" || c.kind === "periodic" || c.kind === "operator";
}

function coef(cw: string, what: string, v: Coef | undefined, dflt: number): (p: Point) => number {
  const x = v ?? dflt;
  if (typeof x === "number" && Number.isFinite(x)) return () => x;
  if (typeof x === "function") return x;
  throw new ArgumentError(`${cw}: ${what} must be a finite number or a function of the point, but got ${describe(v)}.`);
}

export interface ConditionContext {
  where: string;
  vars: readonly string[];
  lo: readonly number[];
  hi: readonly number[];
  outputs: readonly string[];
  geometry: Geometry;
  /** the domain is a plain box (legacy face conditions keep their exact sampling) */
  isBox: boolean;
}

export function parseCondition(c: ConditionSpec, i: number, ctx: ConditionContext): Condition {
  const { vars, lo, hi, outputs, geometry } = ctx;
  const cw = `${ctx.where}: conditions[${i}]`;
  if (c === null || typeof c !== "object") throw new ArgumentError(`${cw} must be an object such as { on: { x: 0 }, value: 0 }, but got ${describe(c)}.`);
  const kind: ConditionKind = c.kind ?? "dirichlet";
  if (!KINDS.includes(kind)) throw new ArgumentError(`${cw}: kind must be one of ${KINDS.join(", ")}, but got ${describe(c.kind)}.`);
  const weight = c.weight ?? 1;
  if (!Number.isFinite(weight) || weight < 0) throw new ArgumentError(`${cw}: weight must be a finite number >= 0, but got ${describe(c.weight)}.`);
  const output = c.output ?? outputs[0];
  if (!outputs.includes(output)) throw new ArgumentError(`${cw}: output '${String(output)}' is not one of the outputs (${outputs.join(", ")}).`);
  if (c.value !== undefined && typeof c.value !== "function" && (typeof c.value !== "number" || !Number.isFinite(c.value))) {
    throw new ArgumentError(`${cw}: value must be a finite number or a function of the point, but got ${describe(c.value)}.`);
  }
  const value = coef(cw, "value", c.value, 0);
  const allFree = vars.map((v, index) => ({ name: v, index, lo: lo[index], hi: hi[index] }));
  const base = { kind, weight, value, quantity: output, on: {} as Record<string, number>, free: allFree };

  if (kind === "points") {
    const data = pointData(cw, c, vars);
    return { ...base, name: c.name ?? `data (${data.values.length} points)`, measure: 0, count: data.values.length, data };
  }

  // where on the boundary
  let on = c.on;
  if (kind === "initial") {
    if (on !== undefined) throw new ArgumentError(`${cw}: an initial condition is on t = t0 by definition; drop 'on' (or use kind "dirichlet" with on: { t: 0 }).`);
    if (geometry instanceof SpaceTimeGeometry) on = "initial";
    else {
      const t = vars.indexOf("t");
      if (t < 0) throw new ArgumentError(`${cw}: an initial condition needs a time variable 't' (a domain with 't', or pinn.geometry.times(...)), but the variables are ${vars.join(", ")}.`);
      on = { t: lo[t] };
    }
  }
  if (c.value === undefined && (kind === "dirichlet" || kind === "initial")) {
    throw new ArgumentError(`${cw}: value must be a finite number or a function of the point, but got undefined.`);
  }
  let face: Record<string, number> | null = null, pieces: string[] | undefined, where: ((p: Float64Array) => boolean) | undefined;
  if (on === undefined) { /* the whole boundary */ }
  else if (typeof on === "string" || Array.isArray(on)) {
    pieces = typeof on === "string" ? [on] : (on as string[]).slice();
    geometry.selectPieces(pieces, cw); // throws, naming the piece, when one does not exist
  } else if (typeof on === "function") {
    const f = on as (p: Point) => boolean;
    const pt: Record<string, number> = {};
    where = (q) => { for (let j = 0; j < vars.length; j++) pt[vars[j]] = q[j]; return !!f(pt); };
  } else if (typeof on === "object" && on !== null) {
    const fixed = Object.keys(on);
    if (fixed.length === 0) throw new ArgumentError(`${cw}: 'on' fixes no variable; give the face, e.g. { t: 0 }.`);
    for (const f of fixed) {
      const k = vars.indexOf(f);
      if (k < 0) throw new ArgumentError(`${cw}: 'on' names '${f}', which is not a variable of the domain (${vars.join(", ")}).`);
      const v = (on as Record<string, number>)[f];
      if (!Number.isFinite(v) || v < lo[k] || v > hi[k]) throw new ArgumentError(`${cw}: ${f} = ${describe(v)} is outside the domain's [${lo[k]}, ${hi[k]}].`);
    }
    face = { ...(on as Record<string, number>) };
    if (!ctx.isBox) {
      const idx = fixed.map((f) => vars.indexOf(f)), val = fixed.map((f) => face![f]);
      const tol = 1e-9 * geometry.diameter;
      where = (q) => idx.every((k, m) => Math.abs(q[k] - val[m]) <= tol);
    }
  } else throw new ArgumentError(`${cw}: 'on' must be a face { x: 0 }, a piece name such as "left", an array of names, or a predicate (p) => boolean, but got ${describe(on)}.`);

  const onName = face ? Object.entries(face).map(([k, v]) => `${k}=${v}`).join(",") : pieces ? pieces.join("+") : where ? "boundary (predicate)" : "boundary";
  const name = c.name ?? (kind === "dirichlet" ? onName : kind === "initial" ? `initial${c.quantity ? ` ${c.quantity}` : ""}` : `${kind} on ${onName}`);
  // legacy box faces: measure = product of the free intervals, a point face gets one point
  if (face && ctx.isBox) {
    const free = allFree.filter((f) => !(f.name in face!));
    const measure = free.reduce((a, f) => a * (f.hi - f.lo), 1);
    return finish({ ...base, name, on: face, free, measure }, c, cw, ctx);
  }
  const sel = geometry.selectPieces(pieces, cw);
  const measure = geometry.boundaryMeasure({ piece: pieces, where });
  const pointPieces = sel.every((p) => p.measure === 0);
  if (!pointPieces && !(measure > 0)) throw new ArgumentError(`${cw}: no part of the boundary of ${geometry.label} is selected (${onName}); check the piece names or the predicate.`);
  // the ends of an interval are points: one each, like a legacy point face
  const count = pointPieces ? geometry.sampleBoundary(1, { piece: pieces, where }).length / vars.length : undefined;
  return finish({ ...base, name, measure, pieces, where, count }, c, cw, ctx);
}

function finish(cond: Condition, c: ConditionSpec, cw: string, ctx: ConditionContext): Condition {
  const { vars, outputs, lo, hi } = ctx;
  switch (cond.kind) {
    case "dirichlet": case "initial": {
      const quantity = c.quantity ?? cond.quantity;
      parseDerivative(quantity, vars, outputs, cw);
      return { ...cond, quantity };
    }
    case "neumann": case "robin": {
      if (cond.kind === "robin" && (c.a === undefined || c.b === undefined)) throw new ArgumentError(`${cw}: a Robin condition a u + b du/dn = g needs both 'a' and 'b'.`);
      return { ...cond, a: cond.kind === "robin" ? coef(cw, "a", c.a, NaN) : undefined, b: cond.kind === "robin" ? coef(cw, "b", c.b, NaN) : undefined };
    }
    case "periodic": {
      const variable = c.variable ?? vars[0];
      const index = vars.indexOf(variable);
      if (index < 0) throw new ArgumentError(`${cw}: periodic variable '${String(variable)}' is not a variable of the domain (${vars.join(", ")}).`);
      const quantities = [cond.quantity];
      if (c.derivatives === true) quantities.push(`${cond.quantity}_${variable}`);
      else if (Array.isArray(c.derivatives)) quantities.push(...c.derivatives);
      else if (c.derivatives !== undefined && c.derivatives !== false) throw new ArgumentError(`${cw}: derivatives must be true, false or a list of names such as ["u_x"], but got ${describe(c.derivatives)}.`);
      for (const q of quantities) parseDerivative(q, vars, outputs, cw);
      const lo0 = lo[index], hi0 = hi[index];
      // both ends must be boundary: check a few points of the low end map onto the boundary at the high end
      const g = ctx.geometry;
      const tol = 1e-9 * g.diameter;
      const end = (q: Float64Array) => Math.abs(q[index] - lo0) <= tol;
      if (!(g.boundaryMeasure({ where: end }) > 0)) throw new ArgumentError(`${cw}: periodic in '${variable}' needs a flat part of the boundary at ${variable} = ${lo0} matching one at ${variable} = ${hi0}, but ${g.label} has none at ${variable} = ${lo0} (use a box, an interval, or either times time).`);
      const probe = g.sampleBoundary(16, { method: "halton", seed: 1, where: end });
      const d = vars.length;
      for (let k = 0; k < probe.length / d; k++) {
        const p = Float64Array.from(probe.subarray(k * d, (k + 1) * d));
        p[index] = hi0;
        if (!g.onBoundary(p, 1e-7 * g.diameter)) throw new ArgumentError(`${cw}: periodic in '${variable}' needs the boundary at ${variable} = ${lo0} to match the one at ${variable} = ${hi0}, but (${Array.from(p).join(", ")}) is not on the boundary of ${g.label}.`);
      }
      return { ...cond, name: c.name ?? `periodic in ${variable}`, periodic: { variable, index, lo: lo0, hi: hi0, quantities }, where: end, pieces: undefined, measure: g.boundaryMeasure({ where: end }) };
    }
    case "operator": {
      if (!Array.isArray(c.uses) || c.uses.length === 0) throw new ArgumentError(`${cw}: an operator condition needs 'uses', the derivatives its residual reads, e.g. ["u_x", "u_y"].`);
      for (const u of c.uses) parseDerivative(u, vars, outputs, cw);
      if (typeof c.residual !== "function") throw new ArgumentError(`${cw}: an operator condition needs 'residual', a function of the derivatives returning a tensor.`);
      return { ...cond, uses: c.uses.slice(), residual: c.residual };
    }
    default: return cond;
  }
}

function pointData(cw: string, c: ConditionSpec, vars: readonly string[]): { points: Float64Array; values: Float64Array } {
  const d = vars.length;
  if (c.csv !== undefined) {
    if (c.points !== undefined || c.values !== undefined) throw new ArgumentError(`${cw}: give point data either as csv or as points and values, not both.`);
    return parsePointCSV(c.csv.text, { vars, output: c.output, source: c.csv.source ?? `${cw}.csv` });
  }
  if (c.points === undefined || c.values === undefined) throw new ArgumentError(`${cw}: point data needs 'points' (rows of ${d} coordinates: ${vars.join(", ")}) and 'values', or 'csv'.`);
  const rows = Array.isArray(c.points) && Array.isArray(c.points[0]) ? (c.points as number[][]) : null;
  const flat = rows ? rows.flatMap((r, i) => {
    if (!Array.isArray(r) || r.length !== d) throw new ArgumentError(`${cw}: points[${i}] has ${Array.isArray(r) ? r.length : "no"} coordinates; expected ${d} (${vars.join(", ")}).`);
    return r;
  }) : Array.from(c.points as ArrayLike<number>);
  if (flat.length % d !== 0) throw new ArgumentError(`${cw}: ${flat.length} coordinates are not a whole number of ${d}-dimensional points.`);
  const n = flat.length / d;
  const values = Array.from(c.values);
  if (values.length !== n) throw new ArgumentError(`${cw}: ${n} points but ${values.length} values; give one value per point.`);
  flat.forEach((v, k) => { if (!Number.isFinite(v)) throw new ArgumentError(`${cw}: point ${Math.floor(k / d)}, coordinate ${vars[k % d]} is ${v}; coordinates must be finite.`); });
  values.forEach((v, k) => { if (!Number.isFinite(v)) throw new ArgumentError(`${cw}: value ${k} is ${v}; observed values must be finite.`); });
  if (n === 0) throw new ArgumentError(`${cw}: point data has no points.`);
  return { points: Float64Array.from(flat), values: Float64Array.from(values) };
}

/**
 * Splits n condition points over the conditions: fixed counts (point data, point faces) first, the rest in
 * proportion to the parts' measures (largest remainders; at least one each).
 */
export function splitConditionPoints(conditions: readonly Condition[], n: number): number[] {
  const out: number[] = conditions.map((c) => c.count ?? (c.free.length === 0 ? 1 : 0));
  const faces = conditions.map((_, i) => i).filter((i) => conditions[i].count === undefined && conditions[i].free.length > 0);
  if (faces.length === 0) return out;
  const base = Math.max(faces.length, n - out.reduce((a, b) => a + b, 0));
  const total = faces.reduce((a, i) => a + conditions[i].measure, 0);
  const exact = faces.map((i) => (base * conditions[i].measure) / total);
  faces.forEach((i, k) => { out[i] = Math.max(1, Math.floor(exact[k])); });
  let left = base - faces.reduce((a, i) => a + out[i], 0);
  const order = faces.map((i, k) => [i, exact[k] - Math.floor(exact[k])] as const).sort((a, b) => b[1] - a[1]);
  for (let k = 0; left > 0; k = (k + 1) % order.length, left--) out[order[k][0]]++;
  return out;
}

