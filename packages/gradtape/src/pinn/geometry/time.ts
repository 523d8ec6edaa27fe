// A space-time domain: a spatial geometry times a time interval [t0, t1], the time last among the variables.
// Its boundary pieces are the spatial pieces swept over time (same names; their normals have no time component;
// an interval's ends become the lines x = lo and x = hi), plus "initial" (t = t0, normal -t) and "final" (t = t1).
import { sampleUnit, type SamplerName } from "../sampling.js";
import { Geometry, type BoundaryPiece, type Vec } from "./base.js";

export class SpaceTimeGeometry extends Geometry {
  readonly space: Geometry;
  readonly t0: number;
  readonly t1: number;

  constructor(space: Geometry, t0: number, t1: number, tname: string) {
    super();
    this.space = space; this.t0 = t0; this.t1 = t1;
    const d = space.dim, T = t1 - t0;
    this.define({ vars: [...space.vars, tname] });
    this.define({ lo: [...space.lo, t0], hi: [...space.hi, t1] });
    this.define({ label: `${space.label} x ${tname} in [${t0}, ${t1}]` });
    this.define({ area: space.area * T, areaExact: space.areaExact });
    const sp = (p: Vec) => Array.prototype.slice.call(p, 0, d) as number[];
    const tOut = (t: number) => Math.max(0, t0 - t, t - t1);
    const lifted = (p: BoundaryPiece): BoundaryPiece => ({
      name: p.name, aliases: p.aliases, measure: (p.measure === 0 ? 1 : p.measure) * T,
      draw: (n: number, method: SamplerName, seed: number) => {
        const xs = p.draw(n, method, seed), ts = sampleUnit(n, 1, { method, seed: seed + 1 });
        const out = new Float64Array(n * (d + 1));
        for (let i = 0; i < n; i++) { out.set(xs.subarray(i * d, (i + 1) * d), i * (d + 1)); out[i * (d + 1) + d] = t0 + T * ts[i]; }
        return out;
      },
      keep: p.keep ? (q) => p.keep!(q.subarray(0, d)) : undefined,
      normal: (q) => [...p.normal(sp(q)), 0],
      distance: (q) => Math.hypot(p.distance(sp(q)), tOut(q[d])),
    });
    const cap = (name: "initial" | "final", tc: number, sign: number): BoundaryPiece => ({
      name, measure: space.area,
      draw: (n: number, method: SamplerName, seed: number) => {
        const xs = space.sampleInterior(n, { method, seed });
        const out = new Float64Array(n * (d + 1));
        for (let i = 0; i < n; i++) { out.set(xs.subarray(i * d, (i + 1) * d), i * (d + 1)); out[i * (d + 1) + d] = tc; }
        return out;
      },
      normal: () => [...new Array<number>(d).fill(0), sign],
      distance: (q) => Math.hypot(Math.max(0, space.sdf(sp(q))), q[d] - tc),
    });
    this.define({ pieces: [...space.pieces.map(lifted), cap("initial", t0, -1), cap("final", t1, 1)] });
    if (space.fromUnit) {
      const inner = new Float64Array(d);
      this.fromUnit = (u: Vec, out: Float64Array) => {
        space.fromUnit!(Array.prototype.slice.call(u, 0, d) as number[], inner);
        out.set(inner, 0);
        out[d] = t0 + T * u[d];
      };
    }
  }

  sdf(p: Vec): number {
    const d = this.space.dim;
    const s = this.space.sdf(Array.prototype.slice.call(p, 0, d) as number[]);
    const q = Math.max(this.t0 - p[d], p[d] - this.t1);
    return s > 0 && q > 0 ? Math.hypot(s, q) : Math.max(s, q);
  }
}
