// The geometry base: every domain is a signed distance function (negative inside, zero on the boundary, positive
// outside; exact for the primitives, a bound with the right sign and zero set for CSG, first-order accurate near an
// ellipse) plus a list of named boundary pieces that know how to draw points on themselves, their outward normal
// and their distance to a point. Membership, "on the boundary", normals and sampling are written once here,
// in float64 on the JavaScript side.
//
// Sampling by rejection (polygons, CSG, pieces cut by CSG or by a predicate) is seeded and exact in count:
// candidates come from the chosen sampler in batches that double until enough are accepted, and the first n
// accepted, in the sampler's order, are returned. The same seed gives the same points, bit for bit.
import { ArgumentError, describe } from "../../errors.js";
import { sampleUnit, SAMPLERS, type SamplerName } from "../sampling.js";

export type Vec = ArrayLike<number>;

export interface GeometrySampleOptions {
  /** "uniform" (default), "lhs", "sobol" or "halton" */
  method?: SamplerName;
  /** seed (default 0) */
  seed?: number;
}

export interface BoundarySampleOptions extends GeometrySampleOptions {
  /** the pieces to draw on (names, see `pieceNames`; default: the whole boundary) */
  piece?: string | readonly string[];
  /** keep only boundary points where this holds */
  where?: (p: Float64Array) => boolean;
}

/** A named part of a boundary (an edge, a face, a circle, ...). */
export interface BoundaryPiece {
  readonly name: string;
  /** other names that select it too (a box's "left" is also "x=0" and "xmin") */
  readonly aliases?: readonly string[];
  /** its (d-1)-dimensional measure before any CSG cut (length in 2-D, area in 3-D; 0 for the ends of an interval) */
  readonly measure: number;
  /** n candidate points spread uniformly over the piece (float64 rows [n][d]) */
  draw(n: number, method: SamplerName, seed: number): Float64Array;
  /** whether a point drawn on the piece belongs to the geometry's boundary (CSG cuts pieces; default: all do) */
  keep?(p: Float64Array): boolean;
  /** outward unit normal at a point of the piece */
  normal(p: Vec): number[];
  /** distance from a point to the piece (0 on it) */
  distance(p: Vec): number;
}

/** Default tolerance of inside / onBoundary, relative to the bounding box's diameter. */
export const REL_TOL = 1e-9;
const MAX_CANDIDATES = 1 << 24;

/** What every geometry describes: set by its constructor through define(), readonly to everyone else. */
export interface GeometryFields {
  /** e.g. "disk(center [0, 0], radius 1)" */
  label: string;
  vars: readonly string[];
  lo: readonly number[];
  hi: readonly number[];
  /** the boundary, piece by piece */
  pieces: readonly BoundaryPiece[];
  /** the d-dimensional measure (area in 2-D): exact for primitives, a quasi-Monte Carlo estimate for CSG */
  area: number;
  areaExact: boolean;
}

export abstract class Geometry implements Readonly<GeometryFields> {
  readonly label!: string;
  readonly vars!: readonly string[];
  readonly lo!: readonly number[];
  readonly hi!: readonly number[];
  readonly pieces!: readonly BoundaryPiece[];
  readonly area!: number;
  readonly areaExact!: boolean;
  /**
   * Sets some of the fields above, from a subclass's constructor (in the order it computes them: later steps read
   * the earlier ones, e.g. lo/hi before the area estimate). One place declares them, so subclasses do not repeat
   * the list.
   */
  protected define(f: Partial<GeometryFields>): void { Object.assign(this, f); }
  /** signed distance (or a bound with its sign and zero set): < 0 inside, 0 on the boundary, > 0 outside */
  abstract sdf(p: Vec): number;
  /** maps a unit point in [0,1)^d onto the interior uniformly, when a direct map exists (boxes, disks, ellipses) */
  fromUnit?(u: Vec, out: Float64Array): void;

  get dim(): number { return this.vars.length; }
  /** the diameter of the bounding box */
  get diameter(): number { return Math.hypot(...this.lo.map((l, j) => this.hi[j] - l)); }
  defaultTol(): number { return REL_TOL * this.diameter; }

  /** inside or on the boundary (within tol) */
  inside(p: Vec, tol = this.defaultTol()): boolean { this.checkPoint(p, "inside"); return this.sdf(p) <= tol; }
  /** on the boundary within tol */
  onBoundary(p: Vec, tol = this.defaultTol()): boolean { this.checkPoint(p, "onBoundary"); return Math.abs(this.sdf(p)) <= tol; }

  /** names of the boundary pieces (several pieces may share a name: "left" of a union is both lefts) */
  get pieceNames(): string[] { return [...new Set(this.pieces.map((p) => p.name))]; }

  /** the piece a boundary point lies on (the nearest that keeps it), or null when the point is not on the boundary */
  pieceAt(p: Vec, tol = this.defaultTol()): BoundaryPiece | null {
    this.checkPoint(p, "pieceAt");
    if (Math.abs(this.sdf(p)) > tol) return null;
    let best: BoundaryPiece | null = null, bd = Infinity;
    const q = Float64Array.from(p as ArrayLike<number>);
    for (const piece of this.pieces) {
      const d = piece.distance(q);
      if (d < bd && (d > tol || !piece.keep || piece.keep(q))) { bd = d; best = piece; }
    }
    return best !== null && bd <= Math.max(tol, 1e-7 * this.diameter) ? best : null;
  }

  /** the outward unit normal at a boundary point (of the piece it lies on) */
  normal(p: Vec, tol = this.defaultTol()): number[] {
    const piece = this.pieceAt(p, tol);
    if (!piece) throw new ArgumentError(`${this.label}: normal asked at ${fmt(p)}, which is not on the boundary (signed distance ${this.sdf(p).toExponential(3)}, tolerance ${tol.toExponential(1)}).`);
    return piece.normal(p);
  }

  /** normals at many points (rows [n][d] in, rows [n][d] out) */
  normals(points: Float64Array, tol?: number): Float64Array {
    const d = this.dim, n = points.length / d, out = new Float64Array(points.length);
    for (let i = 0; i < n; i++) out.set(this.normal(points.subarray(i * d, (i + 1) * d), tol), i * d);
    return out;
  }

  /** n points inside (float64 rows [n][d]) */
  sampleInterior(n: number, options: GeometrySampleOptions = {}): Float64Array {
    const { method, seed } = checkSampling(`${this.label}.sampleInterior`, n, options);
    const d = this.dim;
    if (this.fromUnit) {
      const u = sampleUnit(n, d, { method, seed });
      const out = new Float64Array(n * d), q = new Float64Array(d);
      for (let i = 0; i < n; i++) { this.fromUnit(u.subarray(i * d, (i + 1) * d), q); out.set(q, i * d); }
      return out;
    }
    const { lo, hi } = this;
    const draw = (m: number, s: number) => {
      const u = sampleUnit(m, d, { method, seed: s });
      for (let i = 0; i < m; i++) for (let j = 0; j < d; j++) u[i * d + j] = lo[j] + (hi[j] - lo[j]) * u[i * d + j];
      return u;
    };
    return rejection(n, d, draw, seed, (p) => this.sdf(p) < 0, () => `the interior of ${this.label}`);
  }

  /** the pieces a name (or names) selects; "boundary" (or no name) selects all */
  selectPieces(piece: string | readonly string[] | undefined, where: string): BoundaryPiece[] {
    if (piece === undefined || piece === "boundary") return this.pieces.slice();
    const names = typeof piece === "string" ? [piece] : piece;
    if (names.includes("boundary")) return this.pieces.slice();
    const out: BoundaryPiece[] = [];
    for (const name of names) {
      const found = this.pieces.filter((p) => p.name === name || (p.aliases?.includes(name) ?? false));
      if (found.length === 0) throw new ArgumentError(`${where}: ${this.label} has no boundary piece named '${name}'; its pieces are ${this.pieceNames.map((s) => `'${s}'`).join(", ")} (or 'boundary' for all).`);
      out.push(...found);
    }
    return out;
  }

  /**
   * The measure of the selected boundary (after CSG cuts and the `where` filter; estimated from 4,096 Halton points
   * per piece when a cut or a filter applies, so to about 2%).
   */
  boundaryMeasure(options: Omit<BoundarySampleOptions, "method" | "seed"> = {}): number {
    return this.selectPieces(options.piece, `${this.label}.boundaryMeasure`).reduce((a, p) => a + keptMeasure(p, options.where), 0);
  }

  /** n points on the boundary (or on the chosen pieces), spread by measure (float64 rows [n][d]) */
  sampleBoundary(n: number, options: BoundarySampleOptions = {}): Float64Array {
    const op = `${this.label}.sampleBoundary`;
    const { method, seed } = checkSampling(op, n, options);
    const pieces = this.selectPieces(options.piece, op);
    const where = options.where;
    const measures = pieces.map((p) => keptMeasure(p, where));
    const total = measures.reduce((a, b) => a + b, 0);
    const d = this.dim;
    if (pieces.every((p) => p.measure === 0)) {
      // the ends of an interval: one point each (their measure is a count)
      const pts = pieces.map((p) => p.draw(1, method, seed)).filter((q) => (!where || where(q)));
      const out = new Float64Array(pts.length * d);
      pts.forEach((q, i) => out.set(q, i * d));
      return out;
    }
    if (!(total > 0)) throw new ArgumentError(`${op}: the selected boundary (${pieces.map((p) => p.name).join(", ")}${where ? ", filtered by 'where'" : ""}) is empty; check the piece names and the predicate.`);
    const counts = largestRemainder(measures, n);
    const out = new Float64Array(n * d);
    let at = 0;
    pieces.forEach((piece, k) => {
      if (counts[k] === 0) return;
      const accept = (q: Float64Array) => (!piece.keep || piece.keep(q)) && (!where || where(q));
      const pts = rejection(counts[k], d, (m, s) => piece.draw(m, method, s), seed + 7919 * k, accept, () => `piece '${piece.name}' of ${this.label}`);
      out.set(pts, at);
      at += pts.length;
    });
    return out;
  }

  protected checkPoint(p: Vec, op: string): void {
    if (p === null || typeof p !== "object" || p.length !== this.dim) {
      throw new ArgumentError(`${this.label}.${op}: expected a point with ${this.dim} coordinates (${this.vars.join(", ")}), but got ${describe(p)}.`);
    }
  }
}

export function fmt(p: Vec): string { return `(${Array.from(p as ArrayLike<number>, (v) => +v.toPrecision(6)).join(", ")})`; }

function checkSampling(op: string, n: unknown, o: GeometrySampleOptions): { method: SamplerName; seed: number } {
  if (typeof n !== "number" || !Number.isInteger(n) || n < 0 || n > 1e8) throw new ArgumentError(`${op}: the number of points must be an integer in [0, 1e8], but got ${describe(n)}.`);
  const method = o.method ?? "uniform", seed = o.seed ?? 0;
  if (!SAMPLERS.includes(method)) throw new ArgumentError(`${op}: method must be one of ${SAMPLERS.join(", ")}, but got ${describe(method)}.`);
  if (!Number.isInteger(seed)) throw new ArgumentError(`${op}: seed must be an integer, but got ${describe(seed)}.`);
  return { method, seed };
}

/** Splits n over weights by largest remainders. */
export function largestRemainder(weights: readonly number[], n: number): number[] {
  const total = weights.reduce((a, b) => a + b, 0);
  if (!(total > 0)) return weights.map(() => 0);
  const exact = weights.map((w) => (n * w) / total);
  const out = exact.map(Math.floor);
  let left = n - out.reduce((a, b) => a + b, 0);
  const order = exact.map((e, i) => [i, e - Math.floor(e)] as const).sort((a, b) => b[1] - a[1] || a[0] - b[0]);
  for (let k = 0; left > 0; k = (k + 1) % order.length, left--) out[order[k][0]]++;
  return out;
}

/** The measure of a piece after its CSG cut and a filter (Halton estimate when either applies). */
export function keptMeasure(p: BoundaryPiece, where?: (q: Float64Array) => boolean): number {
  if (!p.keep && !where) return p.measure;
  if (p.measure === 0) return 0;
  const m = 4096;
  const pts = p.draw(m, "halton", 12345);
  const d = pts.length / m;
  let k = 0;
  for (let i = 0; i < m; i++) { const q = pts.subarray(i * d, (i + 1) * d); if ((!p.keep || p.keep(q)) && (!where || where(q))) k++; }
  return (p.measure * k) / m;
}

/**
 * The first n accepted of a seeded candidate stream (exact in count): draws m candidates, and if fewer than n pass,
 * draws again with m doubled (the same seed: for uniform, Sobol and Halton the longer stream extends the shorter).
 */
export function rejection(n: number, d: number, draw: (m: number, seed: number) => Float64Array, seed: number,
  accept: (p: Float64Array) => boolean, what: () => string): Float64Array {
  const out = new Float64Array(n * d);
  if (n === 0) return out;
  let m = Math.max(64, 2 * n);
  for (;;) {
    const cand = draw(m, seed);
    let k = 0;
    for (let i = 0; i < m && k < n; i++) {
      const q = cand.subarray(i * d, (i + 1) * d);
      if (accept(q)) { out.set(q, k * d); k++; }
    }
    if (k === n) return out;
    if (m >= MAX_CANDIDATES || (k === 0 && m >= 1 << 16)) {
      throw new ArgumentError(`sampling ${what()}: only ${k} of ${m} candidate points were accepted, ${n} are needed; the region is empty or too thin to sample by rejection (check the CSG operands, the piece and the 'where' predicate).`);
    }
    m *= 2;
  }
}
