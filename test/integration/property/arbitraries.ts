// fast-check arbitraries shared by the property suites: shapes, broadcast-compatible shape pairs, axes, and float32
// values in a domain. Values come from a seeded generator inside the case (one integer seed per tensor), so that a
// case stays small to print; fast-check still shrinks the shapes, axes and seeds.
import fc from "fast-check";
import * as gt from "gradtape";
import { nd, Rng, type NDArray } from "../../reference/index.js";

/** The seed of every property run: fixed, so that CI runs the same cases (change it to explore). */
export const SEED = 20261207;
export const runs = (numRuns: number) => ({ seed: SEED, numRuns });

export const dim = fc.integer({ min: 1, max: 5 });
export const shapeArb = (minRank = 0, maxRank = 4) => fc.array(dim, { minLength: minRank, maxLength: maxRank });

/** Two shapes that broadcast to a third: each drops some leading axes and sets some others to 1. */
export const broadcastPair = shapeArb(0, 4).chain((out) =>
  fc.tuple(fc.constant(out), variant(out), variant(out)).map(([o, a, b]) => ({ out: o, a, b })));
function variant(out: number[]): fc.Arbitrary<number[]> {
  return fc.tuple(fc.integer({ min: 0, max: out.length }), fc.array(fc.boolean(), { minLength: out.length, maxLength: out.length }))
    .map(([drop, ones]) => out.map((d, i) => (ones[i] ? 1 : d)).slice(drop));
}

export interface Domain { lo: number; hi: number; awayFromZero?: number }
export const ANY: Domain = { lo: -3, hi: 3 };

/** float32-representable values for `shape` drawn from a seed (so the reference sees exactly what gradtape sees). */
export function values(shape: readonly number[], seed: number, d: Domain = ANY): NDArray {
  const rng = new Rng(seed >>> 0);
  const n = nd.sizeOf(shape);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let v = d.lo + (d.hi - d.lo) * rng.uniform();
    if (d.awayFromZero && Math.abs(v) < d.awayFromZero) v = v < 0 ? -d.awayFromZero : d.awayFromZero;
    out[i] = Math.fround(v);
  }
  return { shape: [...shape], data: out };
}

export const seedArb = fc.integer({ min: 0, max: 2 ** 31 - 1 });

export function toTensor(a: NDArray): gt.Tensor { return gt.tensor(Float32Array.from(a.data), [...a.shape]); }

/** Max over elements of |got - want| / (rtol * max(|want|, scale) + atol); <= 1 passes. Lists the worst element. */
export function closeness(got: gt.Tensor, want: NDArray, rtol: number, atol: number, normwise = false): { ok: boolean; why: string } {
  const g = got.data();
  if (got.shape.join() !== want.shape.join()) return { ok: false, why: `shape [${got.shape}] vs reference [${want.shape}]` };
  let scale = 0;
  if (normwise) for (const w of want.data) scale = Math.max(scale, Math.abs(w));
  let worst = 0, at = -1;
  for (let i = 0; i < want.data.length; i++) {
    const w = want.data[i], v = g[i];
    if (Number.isNaN(w) ? !Number.isNaN(v) : !(Math.abs(v - w) <= rtol * Math.max(Math.abs(w), scale) + atol)) {
      const r = Number.isNaN(w) || Number.isNaN(v) ? Infinity : Math.abs(v - w) / (rtol * Math.max(Math.abs(w), scale) + atol);
      if (r > worst) { worst = r; at = i; }
    }
  }
  return at < 0 ? { ok: true, why: "" } : { ok: false, why: `element ${at}: got ${g[at]}, want ${want.data[at]} (${worst.toFixed(1)}x the bound)` };
}
