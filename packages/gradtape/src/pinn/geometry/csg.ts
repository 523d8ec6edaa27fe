// Constructive solid geometry: union, intersection and difference of any two geometries with the same variables.
//
// Signed distance: min(a, b), max(a, b), max(a, -b): the sign and the zero set are exact (the distance away from
// the boundary is a bound). The boundary of the result is made of the operands' pieces, each cut to the part that
// stays on the result's boundary: a point p of a piece of A (outward normal n) is kept
//   - in A ∪ B when p + eps n is outside B (A's outside there is the union's outside; a seam A and B share, where
//     B continues across, is not boundary),
//   - in A ∩ B when p - eps n is inside B, and in A \ B when p - eps n is outside B;
// and a point of a piece of B in A \ B (its normal turned inwards to B) when p + eps n_B is inside A. eps is 1e-7 of
// the bounding box's diameter. So the normal at a CSG boundary point is the normal of the piece it lies on (turned
// for a subtracted piece). Areas are quasi-Monte Carlo estimates on 65,536 Sobol points of the bounding box
// (error about 1e-3 of the box); an empty result is an error.
import { ArgumentError } from "../../errors.js";
import { sobolUnit } from "../sampling.js";
import { Geometry, type BoundaryPiece, type Vec } from "./base.js";

export type CsgOp = "union" | "intersection" | "difference";

const AREA_POINTS = 1 << 16;

function shifted(p: Vec, n: readonly number[], eps: number): Float64Array {
  const q = new Float64Array(n.length);
  for (let j = 0; j < n.length; j++) q[j] = p[j] + eps * n[j];
  return q;
}

export class CsgGeometry extends Geometry {
  readonly areaExact = false;
  readonly op: CsgOp;
  readonly a: Geometry;
  readonly b: Geometry;

  constructor(op: CsgOp, a: Geometry, b: Geometry) {
    super();
    const where = `geometry.${op}`;
    for (const [g, k] of [[a, "first"], [b, "second"]] as const) {
      if (!(g instanceof Geometry)) throw new ArgumentError(`${where}: the ${k} operand must be a geometry (made by pinn.geometry), but got ${String(g)}.`);
    }
    if (a.vars.length !== b.vars.length || a.vars.some((v, j) => v !== b.vars[j])) {
      throw new ArgumentError(`${where}: the operands have different variables: ${a.label} has (${a.vars.join(", ")}), ${b.label} has (${b.vars.join(", ")}); give both the same 'vars'.`);
    }
    this.op = op; this.a = a; this.b = b;
    this.define({ vars: a.vars.slice() });
    this.define({ label: `${op}(${a.label}, ${b.label})` });
    const d = a.dim;
    if (op === "union") {
      this.define({ lo: a.lo.map((l, j) => Math.min(l, b.lo[j])), hi: a.hi.map((h, j) => Math.max(h, b.hi[j])) });
    } else if (op === "intersection") {
      this.define({ lo: a.lo.map((l, j) => Math.max(l, b.lo[j])), hi: a.hi.map((h, j) => Math.min(h, b.hi[j])) });
      if (this.lo.some((l, j) => !(l < this.hi[j]))) throw new ArgumentError(`${where}: the intersection of ${a.label} and ${b.label} is empty (their bounding boxes do not overlap).`);
    } else {
      this.define({ lo: a.lo.slice(), hi: a.hi.slice() });
    }
    // area by quasi-Monte Carlo (unscrambled Sobol: the same estimate every time)
    const u = sobolUnit(AREA_POINTS, d, 0, false);
    const q = new Float64Array(d);
    let inside = 0;
    for (let i = 0; i < AREA_POINTS; i++) {
      for (let j = 0; j < d; j++) q[j] = this.lo[j] + (this.hi[j] - this.lo[j]) * u[i * d + j];
      if (this.sdf(q) < 0) inside++;
    }
    const boxVolume = this.lo.reduce((acc, l, j) => acc * (this.hi[j] - l), 1);
    this.define({ area: (boxVolume * inside) / AREA_POINTS });
    if (inside === 0) {
      const what = op === "difference" ? `${b.label} covers all of ${a.label}` : op === "intersection" ? `${a.label} and ${b.label} do not overlap` : "both operands are empty";
      throw new ArgumentError(`${where}: the result is empty (${what}; no point of ${AREA_POINTS} in its bounding box is inside).`);
    }
    const eps = 1e-7 * this.diameter;
    const cut = (p: BoundaryPiece, flip: boolean, rule: (q: Float64Array, n: number[]) => boolean): BoundaryPiece => ({
      name: p.name, aliases: p.aliases, measure: p.measure,
      draw: (n, method, seed) => p.draw(n, method, seed),
      normal: flip ? (x) => p.normal(x).map((v) => -v) : (x) => p.normal(x),
      distance: (x) => p.distance(x),
      keep: (x) => (!p.keep || p.keep(x)) && rule(x, p.normal(x)),
    });
    if (op === "union") {
      this.define({ pieces: [
        ...a.pieces.map((p) => cut(p, false, (x, n) => b.sdf(shifted(x, n, eps)) > 0)),
        ...b.pieces.map((p) => cut(p, false, (x, n) => a.sdf(shifted(x, n, eps)) > 0)),
      ] });
    } else if (op === "intersection") {
      this.define({ pieces: [
        ...a.pieces.map((p) => cut(p, false, (x, n) => b.sdf(shifted(x, n, -eps)) < 0)),
        ...b.pieces.map((p) => cut(p, false, (x, n) => a.sdf(shifted(x, n, -eps)) < 0)),
      ] });
    } else {
      this.define({ pieces: [
        ...a.pieces.map((p) => cut(p, false, (x, n) => b.sdf(shifted(x, n, -eps)) > 0)),
        ...b.pieces.map((p) => cut(p, true, (x, n) => a.sdf(shifted(x, n, eps)) < 0)),
      ] });
    }
  }

  sdf(p: Vec): number {
    const sa = this.a.sdf(p), sb = this.b.sdf(p);
    return this.op === "union" ? Math.min(sa, sb) : this.op === "intersection" ? Math.max(sa, sb) : Math.max(sa, -sb);
  }
}
