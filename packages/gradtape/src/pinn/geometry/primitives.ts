// Boxes (intervals, rectangles, cuboids, any dimension) and balls (disks, balls): exact signed distances, exact
// areas and boundary measures, direct (rejection-free) samplers for the interior and the boundary.
import { ArgumentError, describe } from "../../errors.js";
import { boxBounds, sampleUnit, type Box, type SamplerName } from "../sampling.js";
import { Geometry, fmt, type BoundaryPiece, type Vec } from "./base.js";

const DEFAULT_VARS = ["x", "y", "z"];
// face names by axis: a 1-D interval has left/right, a rectangle also bottom/top, a cuboid also back/front
const FACE_NAMES: readonly (readonly [string, string])[] = [["left", "right"], ["bottom", "top"], ["back", "front"]];

export function defaultVars(d: number, op: string, vars?: readonly string[]): string[] {
  if (vars !== undefined) {
    if (!Array.isArray(vars) || vars.length !== d || vars.some((v) => typeof v !== "string" || v === "") || new Set(vars).size !== d) {
      throw new ArgumentError(`${op}: vars must be ${d} distinct non-empty names, e.g. ${JSON.stringify(DEFAULT_VARS.slice(0, d))}, but got ${describe(vars)}.`);
    }
    return vars.slice();
  }
  if (d > DEFAULT_VARS.length) throw new ArgumentError(`${op}: give the names of the ${d} coordinates in 'vars'.`);
  return DEFAULT_VARS.slice(0, d);
}

export function checkPointArg(op: string, what: string, p: unknown, d?: number): number[] {
  if (!Array.isArray(p) || p.length === 0 || (d !== undefined && p.length !== d) || p.some((v) => typeof v !== "number" || !Number.isFinite(v))) {
    throw new ArgumentError(`${op}: ${what} must be ${d ?? "an array of"} finite numbers${d ? "" : ""}, but got ${describe(p)}.`);
  }
  return p.slice();
}

/** An axis-aligned box. */
export class BoxGeometry extends Geometry {
  readonly areaExact = true;

  constructor(box: Box, label?: string) {
    super();
    const { vars, lo, hi } = boxBounds(box, "geometry.box");
    this.define({ vars, lo, hi });
    this.define({ label: label ?? `box(${vars.map((v, j) => `${v} in [${lo[j]}, ${hi[j]}]`).join(", ")})` });
    this.define({ area: lo.reduce((a, l, j) => a * (hi[j] - l), 1) });
    const d = vars.length;
    const pieces: BoundaryPiece[] = [];
    for (let j = 0; j < d; j++) for (const side of [0, 1] as const) {
      const v = side === 0 ? lo[j] : hi[j];
      const name = d <= 3 ? FACE_NAMES[j][side] : `${vars[j]}=${v}`;
      const aliases = [`${vars[j]}=${v}`, `${vars[j]}${side === 0 ? "min" : "max"}`];
      const measure = d === 1 ? 0 : this.area / (hi[j] - lo[j]);
      const normal = new Array<number>(d).fill(0);
      normal[j] = side === 0 ? -1 : 1;
      pieces.push({
        name, aliases, measure,
        draw: (n: number, method: SamplerName, seed: number) => {
          const u = d === 1 ? new Float64Array(0) : sampleUnit(n, d - 1, { method, seed });
          const out = new Float64Array(n * d);
          for (let i = 0; i < n; i++) {
            for (let k = 0, m = 0; k < d; k++) {
              out[i * d + k] = k === j ? v : lo[k] + (hi[k] - lo[k]) * u[i * (d - 1) + m++];
            }
          }
          return out;
        },
        normal: () => normal.slice(),
        distance: (p: Vec) => {
          let s = (p[j] - v) ** 2;
          for (let k = 0; k < d; k++) if (k !== j) s += Math.max(0, lo[k] - p[k], p[k] - hi[k]) ** 2;
          return Math.sqrt(s);
        },
      });
    }
    this.define({ pieces });
  }

  sdf(p: Vec): number {
    let outside = 0, inside = -Infinity;
    for (let j = 0; j < this.lo.length; j++) {
      const q = Math.max(this.lo[j] - p[j], p[j] - this.hi[j]);
      if (q > 0) outside += q * q;
      inside = Math.max(inside, q);
    }
    return outside > 0 ? Math.sqrt(outside) : inside;
  }

  fromUnit(u: Vec, out: Float64Array): void {
    for (let j = 0; j < this.lo.length; j++) out[j] = this.lo[j] + (this.hi[j] - this.lo[j]) * u[j];
  }
}

/** A ball (a disk in 2-D) in any dimension >= 2. */
export class BallGeometry extends Geometry {
  readonly areaExact = true;
  readonly center: readonly number[];
  readonly radius: number;

  constructor(center: readonly number[], radius: number, vars: readonly string[], kind: string) {
    super();
    const d = center.length;
    this.center = center.slice(); this.radius = radius; this.define({ vars: vars.slice() });
    this.define({ label: `${kind}(center ${fmt(center)}, radius ${radius})` });
    this.define({ lo: center.map((c) => c - radius), hi: center.map((c) => c + radius) });
    // volume of the unit d-ball: pi^(d/2) / Gamma(d/2 + 1), by the recursion V_d = V_{d-2} 2 pi / d
    const unitVolume = (k: number): number => (k === 0 ? 1 : k === 1 ? 2 : (unitVolume(k - 2) * 2 * Math.PI) / k);
    this.define({ area: unitVolume(d) * radius ** d });
    const surface = d * unitVolume(d) * radius ** (d - 1);
    const name = d === 2 ? "circle" : "sphere";
    this.define({ pieces: [{
      name, measure: surface,
      draw: (n: number, method: SamplerName, seed: number) => {
        const u = sampleUnit(n, d - 1, { method, seed });
        const out = new Float64Array(n * d), dir = new Float64Array(d);
        for (let i = 0; i < n; i++) {
          sphereDirection(u.subarray(i * (d - 1), (i + 1) * (d - 1)), dir);
          for (let j = 0; j < d; j++) out[i * d + j] = center[j] + radius * dir[j];
        }
        return out;
      },
      normal: (p: Vec) => {
        const r = Math.hypot(...Array.from({ length: d }, (_, j) => p[j] - center[j]));
        return Array.from({ length: d }, (_, j) => (p[j] - center[j]) / r);
      },
      distance: (p: Vec) => Math.abs(this.sdf(p)),
    }] });
  }

  sdf(p: Vec): number {
    let s = 0;
    for (let j = 0; j < this.center.length; j++) s += (p[j] - this.center[j]) ** 2;
    return Math.sqrt(s) - this.radius;
  }

  fromUnit(u: Vec, out: Float64Array): void {
    // radius r u0^(1/d) (the volume below radius rho grows as rho^d), direction from the rest
    const d = this.center.length;
    const rho = this.radius * Math.pow(u[0], 1 / d);
    const dir = new Float64Array(d);
    sphereDirection(Array.prototype.slice.call(u, 1) as number[], dir);
    for (let j = 0; j < d; j++) out[j] = this.center[j] + rho * dir[j];
  }
}

/**
 * A uniformly distributed unit vector from d-1 unit numbers: in 2-D the angle 2 pi u0; in 3-D Archimedes' map
 * (z = 1 - 2 u0 is uniform on a sphere, angle 2 pi u1).
 */
function sphereDirection(u: Vec, out: Float64Array): void {
  const d = out.length;
  if (d === 2) { const a = 2 * Math.PI * u[0]; out[0] = Math.cos(a); out[1] = Math.sin(a); return; }
  if (d === 3) {
    const z = 1 - 2 * u[0], s = Math.sqrt(Math.max(0, 1 - z * z)), a = 2 * Math.PI * u[1];
    out[0] = s * Math.cos(a); out[1] = s * Math.sin(a); out[2] = z; return;
  }
  throw new ArgumentError(`geometry.ball: balls are built in for 2 and 3 dimensions, not ${d}.`);
}
