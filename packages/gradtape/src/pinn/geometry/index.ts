// pinn.geometry: domains for PINN problems beyond a box. Every geometry samples its interior and its boundary
// (uniform, Latin hypercube, Sobol or Halton, seeded), knows inside / on the boundary with a tolerance, gives the
// outward unit normal at boundary points, and names the pieces of its boundary so conditions can pick them:
//
//   const { geometry: G } = gt.pinn;
//   const room = G.difference(G.rectangle([0, 0], [2, 1]), G.disk([1.5, 0.5], 0.2));   // pieces left, right, ..., circle
//   const lshape = G.polygon([[0, 0], [1, 0], [1, 1], [-1, 1], [-1, -1], [0, -1]]);     // pieces edge0..edge5
//   const slab = G.times(G.interval(-1, 1), [0, 1]);                                    // (x, t); pieces left, right, initial, final
import { ArgumentError, describe } from "../../errors.js";
import type { Box } from "../sampling.js";
import { Geometry } from "./base.js";
import { BoxGeometry, BallGeometry, defaultVars, checkPointArg } from "./primitives.js";
import { EllipseGeometry } from "./ellipse.js";
import { PolygonGeometry } from "./polygon.js";
import { CsgGeometry } from "./csg.js";
import { SpaceTimeGeometry } from "./time.js";

export { Geometry, type BoundaryPiece, type GeometrySampleOptions, type BoundarySampleOptions } from "./base.js";
export { BoxGeometry, BallGeometry, EllipseGeometry, PolygonGeometry, CsgGeometry, SpaceTimeGeometry };

export interface VarsOption {
  /** names of the coordinates, in input-column order (default x; x, y; x, y, z) */
  vars?: readonly string[];
}

function positive(op: string, what: string, v: unknown): number {
  if (typeof v !== "number" || !Number.isFinite(v)) throw new ArgumentError(`${op}: ${what} must be a finite number, but got ${describe(v)}.`);
  if (!(v > 0)) throw new ArgumentError(`${op}: ${what} is ${v}, so the geometry has zero area; give ${what} > 0.`);
  return v;
}

/** The interval [lo, hi] of one variable (default x); its ends are the pieces "left" and "right". */
export function interval(lo: number, hi: number, options: VarsOption = {}): BoxGeometry {
  const [v] = defaultVars(1, "geometry.interval", options.vars);
  if (!Number.isFinite(lo) || !Number.isFinite(hi) || !(lo < hi)) throw new ArgumentError(`geometry.interval: need finite lo < hi (an interval of zero length has no interior), but got [${describe(lo)}, ${describe(hi)}].`);
  return new BoxGeometry({ [v]: [lo, hi] });
}

/** A rectangle with corners lo and hi (pieces left, right, bottom, top; also "x=0", "xmin", ...). */
export function rectangle(lo: readonly number[], hi: readonly number[], options: VarsOption = {}): BoxGeometry {
  const op = "geometry.rectangle";
  const a = checkPointArg(op, "lo", lo, 2), b = checkPointArg(op, "hi", hi, 2);
  const vars = defaultVars(2, op, options.vars);
  for (let j = 0; j < 2; j++) if (!(a[j] < b[j])) throw new ArgumentError(`${op}: lo[${j}] = ${a[j]} must be below hi[${j}] = ${b[j]}; a rectangle with a side of zero length has zero area.`);
  return new BoxGeometry({ [vars[0]]: [a[0], b[0]], [vars[1]]: [a[1], b[1]] });
}

/** A box from intervals by variable, e.g. { x: [0, 1], y: [0, 2] } (the key order is the column order). */
export function box(b: Box): BoxGeometry { return new BoxGeometry(b); }

/** A disk (2-D) with the boundary piece "circle". */
export function disk(center: readonly number[], radius: number, options: VarsOption = {}): BallGeometry {
  const op = "geometry.disk";
  const c = checkPointArg(op, "center", center, 2);
  return new BallGeometry(c, positive(op, "radius", radius), defaultVars(2, op, options.vars), "disk");
}

/** A ball (2-D or 3-D, by the centre's length) with the boundary piece "circle" (2-D) or "sphere" (3-D). */
export function ball(center: readonly number[], radius: number, options: VarsOption = {}): BallGeometry {
  const op = "geometry.ball";
  const c = checkPointArg(op, "center", center);
  if (c.length !== 2 && c.length !== 3) throw new ArgumentError(`${op}: center must have 2 or 3 coordinates, but has ${c.length}.`);
  return new BallGeometry(c, positive(op, "radius", radius), defaultVars(c.length, op, options.vars), c.length === 2 ? "disk" : "ball");
}

/** An ellipse with semi-axes [a, b] along its own axes, turned by `angle` radians; boundary piece "ellipse". */
export function ellipse(center: readonly number[], semiAxes: readonly number[], options: VarsOption & { angle?: number } = {}): EllipseGeometry {
  const op = "geometry.ellipse";
  const c = checkPointArg(op, "center", center, 2);
  const ab = checkPointArg(op, "semiAxes", semiAxes, 2);
  const angle = options.angle ?? 0;
  if (!Number.isFinite(angle)) throw new ArgumentError(`${op}: angle must be a finite number of radians, but got ${describe(angle)}.`);
  return new EllipseGeometry(c, positive(op, "semiAxes[0]", ab[0]), positive(op, "semiAxes[1]", ab[1]), angle, defaultVars(2, op, options.vars));
}

/** A simple polygon by its vertices (either orientation, first not repeated); edges "edge0".. or `edgeNames`. */
export function polygon(vertices: readonly (readonly number[])[], options: VarsOption & { edgeNames?: readonly string[] } = {}): PolygonGeometry {
  const op = "geometry.polygon";
  if (!Array.isArray(vertices) || vertices.length < 3) throw new ArgumentError(`${op}: expected at least 3 vertices [[x, y], ...], but got ${describe(vertices)}.`);
  const v = vertices.map((p, i) => checkPointArg(op, `vertex ${i}`, p, 2) as unknown as readonly [number, number]);
  return new PolygonGeometry(v, defaultVars(2, op, options.vars), options.edgeNames, op);
}

function fold(op: "union" | "intersection", parts: Geometry[]): Geometry {
  if (parts.length < 2) throw new ArgumentError(`geometry.${op}: needs at least two geometries, but got ${parts.length}.`);
  return parts.slice(1).reduce<Geometry>((acc, g) => new CsgGeometry(op, acc, g), parts[0]);
}

/** The union of two or more geometries. */
export function union(...parts: Geometry[]): Geometry { return fold("union", parts); }
/** The intersection of two or more geometries. */
export function intersection(...parts: Geometry[]): Geometry { return fold("intersection", parts); }
/** a minus b (b's pieces keep their names, with normals turned to point out of the result). */
export function difference(a: Geometry, b: Geometry): Geometry { return new CsgGeometry("difference", a, b); }

/** Space-time: the geometry times [t0, t1] (the time variable, default "t", is the last input column). */
export function times(space: Geometry, range: readonly [number, number], options: { name?: string } = {}): SpaceTimeGeometry {
  const op = "geometry.times";
  if (!(space instanceof Geometry)) throw new ArgumentError(`${op}: expected a geometry, but got ${describe(space)}.`);
  const name = options.name ?? "t";
  if (space.vars.includes(name)) throw new ArgumentError(`${op}: the time variable '${name}' is already a coordinate of ${space.label}; name it differently.`);
  if (!Array.isArray(range) || range.length !== 2 || !Number.isFinite(range[0]) || !Number.isFinite(range[1]) || !(range[0] < range[1])) {
    throw new ArgumentError(`${op}: the time range must be [t0, t1] with finite t0 < t1, but got ${describe(range)}.`);
  }
  return new SpaceTimeGeometry(space, range[0], range[1], name);
}

/** Whether a value is a geometry. */
export function isGeometry(g: unknown): g is Geometry { return g instanceof Geometry; }
