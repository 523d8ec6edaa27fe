// A simple polygon given by its vertices (either orientation). Checked once: at least 3 finite vertices, no
// repeated vertex, non-zero area (shoelace formula), and no two edges that meet anywhere but at a shared vertex.
// Signed distance: the distance to the nearest edge, negative inside (even-odd crossing test). Edges are named
// "edge0".."edge{n-1}" (edge i runs from vertex i to vertex i+1), or by the caller's names.
import { ArgumentError } from "../../errors.js";
import { sampleUnit, type SamplerName } from "../sampling.js";
import { Geometry, fmt, type BoundaryPiece, type Vec } from "./base.js";

type P2 = readonly [number, number];

function cross(o: P2, a: P2, b: P2): number { return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]); }

/** whether segments ab and cd share a point (touching and collinear overlaps included) */
function segmentsMeet(a: P2, b: P2, c: P2, d: P2, eps: number): boolean {
  const d1 = cross(c, d, a), d2 = cross(c, d, b), d3 = cross(a, b, c), d4 = cross(a, b, d);
  if (((d1 > eps && d2 < -eps) || (d1 < -eps && d2 > eps)) && ((d3 > eps && d4 < -eps) || (d3 < -eps && d4 > eps))) return true;
  const onSeg = (p: P2, q: P2, r: P2, c0: number) => Math.abs(c0) <= eps &&
    Math.min(p[0], q[0]) - eps <= r[0] && r[0] <= Math.max(p[0], q[0]) + eps && Math.min(p[1], q[1]) - eps <= r[1] && r[1] <= Math.max(p[1], q[1]) + eps;
  return onSeg(c, d, a, d1) || onSeg(c, d, b, d2) || onSeg(a, b, c, d3) || onSeg(a, b, d, d4);
}

function segmentDistance(p: Vec, a: P2, b: P2): number {
  const ex = b[0] - a[0], ey = b[1] - a[1];
  const t = Math.max(0, Math.min(1, ((p[0] - a[0]) * ex + (p[1] - a[1]) * ey) / (ex * ex + ey * ey)));
  return Math.hypot(p[0] - a[0] - t * ex, p[1] - a[1] - t * ey);
}

export class PolygonGeometry extends Geometry {
  readonly areaExact = true;
  readonly vertices: readonly P2[];

  constructor(vertices: readonly P2[], vars: readonly string[], edgeNames: readonly string[] | undefined, op: string) {
    super();
    const v = vertices;
    const n = v.length;
    this.vertices = v; this.define({ vars: vars.slice() });
    this.define({ label: `polygon(${n} vertices ${v.slice(0, 4).map((q) => fmt(q)).join(" ")}${n > 4 ? " ..." : ""})` });
    this.define({ lo: [Math.min(...v.map((q) => q[0])), Math.min(...v.map((q) => q[1]))] });
    this.define({ hi: [Math.max(...v.map((q) => q[0])), Math.max(...v.map((q) => q[1]))] });
    const scale = Math.max(this.hi[0] - this.lo[0], this.hi[1] - this.lo[1]);
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) {
      if (Math.hypot(v[i][0] - v[j][0], v[i][1] - v[j][1]) <= 1e-12 * scale) throw new ArgumentError(`${op}: vertices ${i} and ${j} are the same point ${fmt(v[i])}; a simple polygon visits each vertex once (do not repeat the first vertex at the end).`);
    }
    const eps = 1e-12 * scale * scale;
    if (v.every((q) => Math.abs(cross(v[0], v[1], q)) <= eps)) throw new ArgumentError(`${op}: the polygon has zero area (its vertices are collinear); give at least 3 vertices that enclose a region.`);
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) {
      const adjacent = j === i + 1 || (i === 0 && j === n - 1);
      const a = v[i], b = v[(i + 1) % n], c = v[j], d = v[(j + 1) % n];
      if (adjacent) {
        // adjacent edges share one vertex; they must not fold back over each other
        const shared = j === i + 1 ? b : a, far1 = j === i + 1 ? a : b, far2 = j === i + 1 ? d : c;
        const e1x = far1[0] - shared[0], e1y = far1[1] - shared[1], e2x = far2[0] - shared[0], e2y = far2[1] - shared[1];
        if (Math.abs(e1x * e2y - e1y * e2x) <= eps && e1x * e2x + e1y * e2y > 0) throw new ArgumentError(`${op}: the polygon intersects itself: edges ${i} and ${j} fold back over each other at vertex ${fmt(shared)}.`);
        continue;
      }
      if (segmentsMeet(a, b, c, d, eps)) throw new ArgumentError(`${op}: the polygon intersects itself: edge ${i} ${fmt(a)}-${fmt(b)} meets edge ${j} ${fmt(c)}-${fmt(d)}; a simple polygon's edges meet only at shared vertices.`);
    }
    let twice = 0;
    for (let i = 0; i < n; i++) { const a = v[i], b = v[(i + 1) % n]; twice += a[0] * b[1] - b[0] * a[1]; }
    if (!(Math.abs(twice) / 2 > 1e-12 * scale * scale)) throw new ArgumentError(`${op}: the polygon has zero area; give vertices that enclose a region.`);
    this.define({ area: Math.abs(twice) / 2 });
    const sign = twice > 0 ? 1 : -1; // counter-clockwise: the outward normal of edge (ex, ey) is (ey, -ex)/|e|
    if (edgeNames !== undefined && (!Array.isArray(edgeNames) || edgeNames.length !== n || edgeNames.some((s) => typeof s !== "string" || s === ""))) {
      throw new ArgumentError(`${op}: edgeNames must give one non-empty name per edge (${n}), but got ${JSON.stringify(edgeNames)}.`);
    }
    this.define({ pieces: v.map((a, i): BoundaryPiece => {
      const b = v[(i + 1) % n];
      const ex = b[0] - a[0], ey = b[1] - a[1], len = Math.hypot(ex, ey);
      const normal = [(sign * ey) / len, (-sign * ex) / len];
      return {
        name: edgeNames?.[i] ?? `edge${i}`, aliases: edgeNames ? [`edge${i}`] : undefined, measure: len,
        draw: (m: number, method: SamplerName, seed: number) => {
          const u = sampleUnit(m, 1, { method, seed });
          const out = new Float64Array(2 * m);
          for (let k = 0; k < m; k++) { out[2 * k] = a[0] + u[k] * ex; out[2 * k + 1] = a[1] + u[k] * ey; }
          return out;
        },
        normal: () => normal.slice(),
        distance: (p: Vec) => segmentDistance(p, a, b),
      };
    }) });
  }

  sdf(p: Vec): number {
    const v = this.vertices, n = v.length;
    let dist = Infinity, inside = false;
    for (let i = 0, j = n - 1; i < n; j = i++) {
      dist = Math.min(dist, segmentDistance(p, v[j], v[i]));
      const [xi, yi] = v[i], [xj, yj] = v[j];
      if ((yi > p[1]) !== (yj > p[1]) && p[0] < ((xj - xi) * (p[1] - yi)) / (yj - yi) + xi) inside = !inside;
    }
    return inside ? -dist : dist;
  }
}
