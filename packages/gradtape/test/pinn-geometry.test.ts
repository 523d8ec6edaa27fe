// pinn.geometry: every geometry's area by Monte Carlo (its own `inside` on random points of the bounding box)
// against the exact area, boundary measures against the exact perimeters, normals against the analytic ones,
// CSG membership on a grid against the set formula, and sampling: seeded, exact in count, on the right pieces.
import { describe, it, expect, beforeAll } from "vitest";
import { ready, pinn, ArgumentError } from "gradtape";

beforeAll(async () => { await ready(); });
const G = pinn.geometry;
type Geo = pinn.geometry.Geometry;

/** area by plain Monte Carlo with a seeded stream independent of the geometry's samplers */
function monteCarloArea(g: Geo, n = 400_000): number {
  const rng = new pinn.Rng(987);
  const d = g.dim, q = new Float64Array(d);
  let k = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) q[j] = g.lo[j] + (g.hi[j] - g.lo[j]) * rng.next();
    if (g.inside(q)) k++;
  }
  return (k / n) * g.lo.reduce((a, l, j) => a * (g.hi[j] - l), 1);
}

// lens of two unit disks at distance 1: 2 acos(1/2) - (1/2) sqrt(3)
const LENS = 2 * Math.acos(0.5) - Math.sqrt(3) / 2;
// an ellipse's perimeter by the Gauss-Kummer series pi (a + b) sum_n binom(1/2, n)² h^n, h = ((a - b)/(a + b))²
// (200 terms: converged to float64 for h = 0.36)
const gaussKummer = (a: number, b: number) => {
  const h = ((a - b) / (a + b)) ** 2;
  let s = 0, c = 1, hn = 1;
  for (let n = 0; n < 200; n++) { s += c * c * hn; c *= (0.5 - n) / (n + 1); hn *= h; }
  return Math.PI * (a + b) * s;
};

const cases: [string, () => Geo, number, number][] = [
  // name, geometry, exact area (volume), exact boundary measure
  ["rectangle", () => G.rectangle([0, -1], [2, 0.5]), 3, 7],
  ["box 3-D", () => G.box({ x: [0, 1], y: [0, 2], z: [-1, 2] }), 6, 2 * (2 + 3 + 6)],
  ["disk", () => G.disk([0.3, -0.2], 0.7), Math.PI * 0.49, 2 * Math.PI * 0.7],
  ["ball", () => G.ball([0, 0, 1], 0.5), (4 / 3) * Math.PI * 0.125, 4 * Math.PI * 0.25],
  ["ellipse (turned)", () => G.ellipse([1, 2], [2, 0.5], { angle: 0.6 }), Math.PI, gaussKummer(2, 0.5)],
  ["L-shaped polygon", () => G.polygon([[0, 0], [1, 0], [1, -1], [-1, -1], [-1, 1], [0, 1]]), 3, 8],
  ["triangle (clockwise)", () => G.polygon([[0, 0], [0, 2], [3, 0]]), 3, 5 + Math.sqrt(13)],
  ["union of disks", () => G.union(G.disk([0, 0], 1), G.disk([1, 0], 1)), 2 * Math.PI - LENS, 2 * (2 * Math.PI - (2 * Math.PI) / 3)],
  ["intersection of disks", () => G.intersection(G.disk([0, 0], 1), G.disk([1, 0], 1)), LENS, 2 * ((2 * Math.PI) / 3)],
  ["rectangle minus disk", () => G.difference(G.rectangle([0, 0], [2, 1]), G.disk([1.5, 0.5], 0.25)), 2 - Math.PI / 16, 6 + 2 * Math.PI * 0.25],
  ["disk x time", () => G.times(G.disk([0, 0], 1), [0, 2]), 2 * Math.PI, 2 * Math.PI * 2 + 2 * Math.PI],
  ["L-shape x time (rejection sampling in space-time)", () => G.times(G.polygon([[0, 0], [1, 0], [1, -1], [-1, -1], [-1, 1], [0, 1]]), [0, 0.5]), 1.5, 8 * 0.5 + 2 * 3],
];

describe("areas and boundary measures", () => {
  for (const [name, make, area, perimeter] of cases) {
    it(`${name}: Monte Carlo area within 1% of the exact one; boundary measure within 2%`, { timeout: 30_000 }, () => {
      const g = make();
      expect(Math.abs(monteCarloArea(g) - area) / area).toBeLessThan(0.01);
      expect(Math.abs(g.area - area) / area).toBeLessThan(g.areaExact ? 1e-12 : 0.01);
      expect(Math.abs(g.boundaryMeasure() - perimeter) / perimeter).toBeLessThan(g.pieces.some((p) => p.keep) ? 0.02 : 1e-9);
    });
  }

  it("interval: length exact, ends one point each", () => {
    const g = G.interval(-1, 3);
    expect(g.area).toBe(4);
    expect(Array.from(g.sampleBoundary(10))).toEqual([-1, 3]);
    expect(g.normal([-1])).toEqual([-1]);
    expect(g.normal([3])).toEqual([1]);
  });
});

describe("boundary points and normals", () => {
  const analytic: [string, () => Geo, (p: number[]) => number[]][] = [
    ["disk", () => G.disk([0.3, -0.2], 0.7), ([x, y]) => [(x - 0.3) / 0.7, (y + 0.2) / 0.7]],
    ["ball", () => G.ball([0, 0, 1], 0.5), ([x, y, z]) => [x / 0.5, y / 0.5, (z - 1) / 0.5]],
    ["ellipse", () => G.ellipse([1, 2], [2, 0.5], { angle: 0.6 }), ([x, y]) => {
      // gradient of (X/a)² + (Y/b)² with X, Y the coordinates in the ellipse's frame, turned back
      const c = Math.cos(0.6), s = Math.sin(0.6), dx = x - 1, dy = y - 2;
      const X = c * dx + s * dy, Y = -s * dx + c * dy, gx = X / 4, gy = Y / 0.25;
      const n = [c * gx - s * gy, s * gx + c * gy], len = Math.hypot(n[0], n[1]);
      return [n[0] / len, n[1] / len];
    }],
    ["triangle", () => G.polygon([[0, 0], [0, 2], [3, 0]]), ([x, y]) => {
      if (Math.abs(x) < 1e-12) return [-1, 0];
      if (Math.abs(y) < 1e-12) return [0, -1];
      return [2 / Math.sqrt(13), 3 / Math.sqrt(13)];
    }],
    ["rectangle minus disk (the hole's normal points into the hole)", () => G.difference(G.rectangle([0, 0], [2, 1]), G.disk([1.5, 0.5], 0.25)), ([x, y]) => {
      if (Math.abs(Math.hypot(x - 1.5, y - 0.5) - 0.25) < 1e-9) return [-(x - 1.5) / 0.25, -(y - 0.5) / 0.25];
      return x < 1e-12 ? [-1, 0] : x > 2 - 1e-12 ? [1, 0] : y < 1e-12 ? [0, -1] : [0, 1];
    }],
    ["disk x time", () => G.times(G.disk([0, 0], 1), [0, 2]), ([x, y, t]) => (t === 0 ? [0, 0, -1] : t === 2 ? [0, 0, 1] : [x, y, 0])],
  ];
  for (const [name, make, normal] of analytic) {
    it(`${name}: sampled boundary points lie on the boundary; normals match the analytic ones`, () => {
      const g = make();
      const d = g.dim, n = 300;
      const pts = g.sampleBoundary(n, { method: "sobol", seed: 3 });
      expect(pts.length).toBe(n * d);
      for (let i = 0; i < n; i++) {
        const p = Array.from(pts.subarray(i * d, (i + 1) * d));
        expect(g.onBoundary(p, 1e-9)).toBe(true);
        const got = g.normal(p), want = normal(p);
        for (let j = 0; j < d; j++) expect(got[j]).toBeCloseTo(want[j], 9);
      }
    });
  }

  it("the pieces are named and chosen by name; points of a piece lie on it", () => {
    const room = G.difference(G.rectangle([0, 0], [2, 1]), G.disk([1.5, 0.5], 0.25));
    expect(room.pieceNames).toEqual(["left", "right", "bottom", "top", "circle"]);
    const c = room.sampleBoundary(50, { piece: "circle", seed: 1 });
    for (let i = 0; i < 50; i++) expect(Math.hypot(c[2 * i] - 1.5, c[2 * i + 1] - 0.5)).toBeCloseTo(0.25, 12);
    const l = room.sampleBoundary(20, { piece: ["left", "x=2"] });
    for (let i = 0; i < 20; i++) expect([0, 2]).toContain(l[2 * i]);
    expect(room.pieceAt([0, 0.3])!.name).toBe("left");
    expect(room.pieceAt([1.25, 0.5])!.name).toBe("circle");
    expect(room.pieceAt([1, 0.5])).toBeNull();
    const slab = G.times(G.interval(-1, 1), [0, 1]);
    expect(slab.pieceNames).toEqual(["left", "right", "initial", "final"]);
    const ic = slab.sampleBoundary(30, { piece: "initial", method: "lhs", seed: 2 });
    for (let i = 0; i < 30; i++) { expect(ic[2 * i + 1]).toBe(0); expect(Math.abs(ic[2 * i])).toBeLessThanOrEqual(1); }
  });

  it("a CSG seam inside the union is not boundary (two rectangles sharing an edge)", () => {
    const g = G.union(G.rectangle([0, 0], [1, 1]), G.rectangle([1, 0], [2, 1]));
    expect(g.boundaryMeasure()).toBeCloseTo(6, 1);
    const pts = g.sampleBoundary(400, { seed: 5 });
    for (let i = 0; i < 400; i++) expect(Math.abs(pts[2 * i] - 1) < 1e-9 && pts[2 * i + 1] > 1e-9 && pts[2 * i + 1] < 1 - 1e-9).toBe(false);
  });
});

describe("CSG membership on a grid", () => {
  const inA = (x: number, y: number) => x * x + y * y < 1;
  const inB = (x: number, y: number) => Math.abs(x - 0.5) < 0.5 && Math.abs(y) < 0.4;
  const A = G.disk([0, 0], 1), B = G.rectangle([0, -0.4], [1, 0.4]);
  const ops: [string, Geo, (x: number, y: number) => boolean][] = [
    ["union", G.union(A, B), (x, y) => inA(x, y) || inB(x, y)],
    ["intersection", G.intersection(A, B), (x, y) => inA(x, y) && inB(x, y)],
    ["difference", G.difference(A, B), (x, y) => inA(x, y) && !inB(x, y)],
    ["nested: (A - B) + small disk", G.union(G.difference(A, B), G.disk([0.5, 0], 0.1)), (x, y) => (inA(x, y) && !inB(x, y)) || Math.hypot(x - 0.5, y) < 0.1],
  ];
  for (const [name, g, want] of ops) {
    it(`${name}: inside() agrees with the set formula at every grid point off the boundary`, { timeout: 30_000 }, () => {
      let checked = 0;
      for (let i = 0; i <= 120; i++) for (let j = 0; j <= 120; j++) {
        const x = -1.2 + (2.4 * i) / 120 + 1e-4, y = -1.2 + (2.4 * j) / 120 + 1e-4;
        if (Math.abs(g.sdf([x, y])) < 1e-6) continue;
        expect(g.inside([x, y])).toBe(want(x, y));
        checked++;
      }
      expect(checked).toBeGreaterThan(14000);
    });
  }
});

describe("sampling", () => {
  it("every sampler gives exactly n points, inside, the same for the same seed and different for another", { timeout: 30_000 }, () => {
    const g = G.difference(G.polygon([[0, 0], [1, 0], [1, -1], [-1, -1], [-1, 1], [0, 1]]), G.disk([-0.5, -0.5], 0.2));
    for (const method of pinn.SAMPLERS) {
      const a = g.sampleInterior(777, { method, seed: 4 }), b = g.sampleInterior(777, { method, seed: 4 }), c = g.sampleInterior(777, { method, seed: 5 });
      expect(a.length).toBe(777 * 2);
      expect(Array.from(a)).toEqual(Array.from(b));
      expect(Array.from(a)).not.toEqual(Array.from(c));
      for (let i = 0; i < 777; i++) expect(g.sdf([a[2 * i], a[2 * i + 1]])).toBeLessThan(0);
      const bd = g.sampleBoundary(333, { method, seed: 4 });
      expect(bd.length).toBe(333 * 2);
      expect(Array.from(bd)).toEqual(Array.from(g.sampleBoundary(333, { method, seed: 4 })));
    }
  });

  it("boundary points are spread by length: the circle of a holed square gets its share", () => {
    const g = G.difference(G.rectangle([0, 0], [1, 1]), G.disk([0.5, 0.5], 0.25));
    const pts = g.sampleBoundary(4000, { seed: 1 });
    let onCircle = 0;
    for (let i = 0; i < 4000; i++) if (Math.abs(Math.hypot(pts[2 * i] - 0.5, pts[2 * i + 1] - 0.5) - 0.25) < 1e-9) onCircle++;
    const share = (2 * Math.PI * 0.25) / (4 + 2 * Math.PI * 0.25);
    expect(Math.abs(onCircle / 4000 - share)).toBeLessThan(0.01);
  });

  it("a `where` predicate filters boundary points, still exact in count", () => {
    const g = G.disk([0, 0], 1);
    const pts = g.sampleBoundary(100, { where: (p) => p[1] > 0.5, seed: 2 });
    expect(pts.length).toBe(200);
    for (let i = 0; i < 100; i++) expect(pts[2 * i + 1]).toBeGreaterThan(0.5);
    // the upper arc above y = 0.5 spans 2 pi / 3 of the circle
    expect(g.boundaryMeasure({ where: (p) => p[1] > 0.5 })).toBeCloseTo((2 * Math.PI) / 3, 1);
  });
});

describe("bad input", () => {
  it("zero area, self-intersection, empty CSG results and unknown pieces are ArgumentErrors that say which", () => {
    const err = (f: () => unknown, re: RegExp) => { expect(f).toThrow(ArgumentError); expect(f).toThrow(re); };
    err(() => G.disk([0, 0], 0), /radius is 0, so the geometry has zero area/);
    err(() => G.ellipse([0, 0], [1, 0]), /semiAxes\[1\] is 0, so the geometry has zero area/);
    err(() => G.rectangle([0, 0], [1, 0]), /zero area/);
    err(() => G.interval(1, 1), /zero length/);
    err(() => G.polygon([[0, 0], [1, 1], [2, 2]]), /zero area \(its vertices are collinear\)/);
    err(() => G.polygon([[0, 0], [1, 1], [1, 0], [0, 1]]), /intersects itself: edge 0 .* meets edge 2/);
    err(() => G.polygon([[0, 0], [1, 0], [1, 1], [0, 0]]), /vertices 0 and 3 are the same point/);
    err(() => G.intersection(G.disk([0, 0], 1), G.disk([3, 0], 1)), /intersection of disk.* and disk.* is empty/);
    err(() => G.difference(G.disk([0, 0], 1), G.disk([0, 0], 2)), /result is empty \(disk\(center \(0, 0\), radius 2\) covers all of disk/);
    err(() => G.union(G.disk([0, 0], 1), G.disk([0, 0], 1, { vars: ["x", "z"] })), /different variables/);
    err(() => G.disk([0, 0], 1).sampleBoundary(5, { piece: "left" }), /no boundary piece named 'left'; its pieces are 'circle'/);
    err(() => G.disk([0, 0], 1).normal([0.5, 0]), /not on the boundary/);
    err(() => G.times(G.interval(0, 1, { vars: ["t"] }), [0, 1]), /already a coordinate/);
    err(() => G.disk([0, 0], 1).sampleInterior(-1), /integer in \[0, 1e8\]/);
  });
});
