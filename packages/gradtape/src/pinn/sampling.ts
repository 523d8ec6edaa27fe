// Collocation points: uniform random, Latin hypercube, Sobol (Joe & Kuo direction numbers, random digital shift)
// and Halton (random Cranley-Patterson rotation), all seeded: the same seed gives the same points, bit for bit,
// everywhere (the generators are integer arithmetic in JS, no Math.random). Points are float64, row-major
// [n][d], and scaled into a box; `sample()` also makes the [n, d] float32 tensor.
import { ArgumentError, describe } from "../errors.js";
import { fromFlat, type Tensor } from "../tensor.js";

/** Per variable, its interval [lo, hi], in input-column order: { x: [-1, 1], t: [0, 1] }. */
export type Box = Readonly<Record<string, readonly [number, number]>>;

export type SamplerName = "uniform" | "lhs" | "sobol" | "halton";
export const SAMPLERS: readonly SamplerName[] = ["uniform", "lhs", "sobol", "halton"];

export interface SampleOptions {
  /** "uniform" (default), "lhs" (Latin hypercube), "sobol" or "halton" */
  method?: SamplerName;
  /** seed of the random draws (default 0); for Sobol and Halton it seeds the randomization */
  seed?: number;
  /** Sobol and Halton: randomize (digital shift / rotation) with the seed (default true) */
  scramble?: boolean;
}

/** A small seeded generator (xoshiro128** seeded through splitmix32): reproducible on every platform. */
export class Rng {
  #s = new Uint32Array(4);
  constructor(seed = 0) {
    if (!Number.isInteger(seed)) throw new ArgumentError(`Rng: seed must be an integer, but got ${describe(seed)}.`);
    let x = seed >>> 0;
    for (let i = 0; i < 4; i++) {
      // splitmix32
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      this.#s[i] = (z ^ (z >>> 16)) >>> 0;
    }
    if ((this.#s[0] | this.#s[1] | this.#s[2] | this.#s[3]) === 0) this.#s[0] = 1;
  }
  /** a uniform 32-bit unsigned integer */
  nextU32(): number {
    const s = this.#s;
    const r = Math.imul(rotl(Math.imul(s[1], 5) >>> 0, 7), 9) >>> 0;
    const t = (s[1] << 9) >>> 0;
    s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return r;
  }
  /** a uniform float64 in [0, 1) with 53 random bits */
  next(): number { return ((this.nextU32() >>> 5) * 67108864 + (this.nextU32() >>> 6)) / 9007199254740992; }
  /** a uniform integer in [0, n) */
  int(n: number): number { return Math.floor(this.next() * n); }
  /** the generator's state (four 32-bit words): a checkpoint holds it so that a resumed run draws the same numbers */
  getState(): number[] { return Array.from(this.#s); }
  /** restores a state from getState() */
  setState(state: readonly number[]): this {
    if (!Array.isArray(state) || state.length !== 4 || !state.every((w) => Number.isInteger(w) && w >= 0 && w <= 0xffffffff) || state.every((w) => w === 0)) {
      throw new ArgumentError(`Rng: a state must be four 32-bit unsigned integers, not all zero, but got ${describe(state)}.`);
    }
    this.#s.set(state);
    return this;
  }
}
function rotl(x: number, k: number): number { return ((x << k) | (x >>> (32 - k))) >>> 0; }

/** Checks a box and returns its variable names and bounds. */
export function boxBounds(box: Box, op: string): { vars: string[]; lo: number[]; hi: number[] } {
  if (box === null || typeof box !== "object" || Array.isArray(box)) {
    throw new ArgumentError(`${op}: the box must be an object { name: [lo, hi], ... }, e.g. { x: [-1, 1], t: [0, 1] }, but got ${describe(box)}.`);
  }
  const vars = Object.keys(box);
  if (vars.length === 0) throw new ArgumentError(`${op}: the box has no variables; give at least one, e.g. { x: [0, 1] }.`);
  const lo: number[] = [], hi: number[] = [];
  for (const v of vars) {
    const r = box[v];
    if (!Array.isArray(r) || r.length !== 2 || !Number.isFinite(r[0]) || !Number.isFinite(r[1]) || !(r[0] < r[1])) {
      throw new ArgumentError(`${op}: the interval of '${v}' must be [lo, hi] with finite lo < hi, but got ${describe(r)}.`);
    }
    lo.push(r[0]); hi.push(r[1]);
  }
  return { vars, lo, hi };
}

function checkCount(op: string, n: unknown): number {
  if (typeof n !== "number" || !Number.isInteger(n) || n < 0 || n > 1e8) throw new ArgumentError(`${op}: the number of points must be an integer in [0, 1e8], but got ${describe(n)}.`);
  return n;
}

// ---- unit-cube generators: n points in [0,1)^d, row-major ----

export function uniformUnit(n: number, d: number, seed = 0): Float64Array {
  const rng = new Rng(seed);
  const out = new Float64Array(n * d);
  for (let i = 0; i < out.length; i++) out[i] = rng.next();
  return out;
}

/** Latin hypercube: in every dimension each of the n strata [k/n, (k+1)/n) holds exactly one point. */
export function latinHypercubeUnit(n: number, d: number, seed = 0): Float64Array {
  const rng = new Rng(seed);
  const out = new Float64Array(n * d);
  const perm = new Int32Array(n);
  for (let j = 0; j < d; j++) {
    for (let i = 0; i < n; i++) perm[i] = i;
    for (let i = n - 1; i > 0; i--) { const k = rng.int(i + 1); const tmp = perm[i]; perm[i] = perm[k]; perm[k] = tmp; }
    for (let i = 0; i < n; i++) out[i * d + j] = (perm[i] + rng.next()) / n;
  }
  return out;
}

// Joe & Kuo (2008) "new-joe-kuo-6.21201": degree s, polynomial a, initial direction numbers m_1..m_s, for
// dimensions 2..10 (dimension 1 is the van der Corput sequence).
const JOE_KUO: readonly (readonly [number, number, readonly number[]])[] = [
  [1, 0, [1]],
  [2, 1, [1, 3]],
  [3, 1, [1, 3, 1]],
  [3, 2, [1, 1, 1]],
  [4, 1, [1, 1, 3, 3]],
  [4, 4, [1, 3, 5, 13]],
  [5, 2, [1, 1, 5, 5, 17]],
  [5, 4, [1, 1, 5, 5, 5]],
  [5, 7, [1, 1, 7, 11, 19]],
];
export const SOBOL_MAX_DIM = JOE_KUO.length + 1;
const BITS = 32;

function directionNumbers(dim: number): Uint32Array {
  const v = new Uint32Array(BITS + 1); // v[1..32], left-aligned in 32 bits
  if (dim === 0) { for (let i = 1; i <= BITS; i++) v[i] = (1 << (BITS - i)) >>> 0; return v; }
  const [s, a, m] = JOE_KUO[dim - 1];
  for (let i = 1; i <= s; i++) v[i] = (m[i - 1] << (BITS - i)) >>> 0;
  for (let i = s + 1; i <= BITS; i++) {
    let x = (v[i - s] ^ (v[i - s] >>> s)) >>> 0;
    for (let k = 1; k <= s - 1; k++) if ((a >>> (s - 1 - k)) & 1) x = (x ^ v[i - k]) >>> 0;
    v[i] = x;
  }
  return v;
}

/**
 * Sobol points 0..n-1 (Gray-code order; point 0 is the origin before scrambling). With scramble, every
 * coordinate is XORed with a seeded random 32-bit word (a digital shift), which keeps the net property: for n = 2^m
 * every elementary box of volume 2^(t-m) holds exactly 2^t points.
 */
export function sobolUnit(n: number, d: number, seed = 0, scramble = true): Float64Array {
  if (d > SOBOL_MAX_DIM) throw new ArgumentError(`sobol: at most ${SOBOL_MAX_DIM} dimensions are built in, but ${d} were asked for; use "halton" instead.`);
  if (n > 2 ** 32) throw new ArgumentError(`sobol: at most 2^32 points.`);
  const rng = new Rng(seed);
  const dirs = Array.from({ length: d }, (_, j) => directionNumbers(j));
  const shift = Array.from({ length: d }, () => (scramble ? rng.nextU32() : 0));
  const x = new Uint32Array(d);
  const out = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    if (i > 0) {
      // c = 1-based index of the lowest zero bit of i - 1
      let c = 1, value = i - 1;
      while (value & 1) { value >>>= 1; c++; }
      for (let j = 0; j < d; j++) x[j] = (x[j] ^ dirs[j][c]) >>> 0;
    }
    // a point in the middle of its 2^-32 cell: never exactly 0 or 1
    for (let j = 0; j < d; j++) out[i * d + j] = (((x[j] ^ shift[j]) >>> 0) + 0.5) / 4294967296;
  }
  return out;
}

const PRIMES = [2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71];

/** Halton points 1..n (radical inverses in the first d primes); with scramble, each coordinate is rotated by a seeded uniform shift mod 1. */
export function haltonUnit(n: number, d: number, seed = 0, scramble = true): Float64Array {
  if (d > PRIMES.length) throw new ArgumentError(`halton: at most ${PRIMES.length} dimensions, but ${d} were asked for.`);
  const rng = new Rng(seed);
  const shift = Array.from({ length: d }, () => (scramble ? rng.next() : 0));
  const out = new Float64Array(n * d);
  for (let j = 0; j < d; j++) {
    const b = PRIMES[j];
    for (let i = 0; i < n; i++) {
      let k = i + 1, f = 1 / b, r = 0;
      while (k > 0) { r += f * (k % b); k = Math.floor(k / b); f /= b; }
      const v = r + shift[j];
      out[i * d + j] = v >= 1 ? v - 1 : v;
    }
  }
  return out;
}

/** n points of the chosen sampler in the unit cube [0,1)^d. */
export function sampleUnit(n: number, d: number, options: SampleOptions = {}): Float64Array {
  const op = "sample";
  checkCount(op, n);
  const method = options.method ?? "uniform";
  const seed = options.seed ?? 0;
  if (!Number.isInteger(seed)) throw new ArgumentError(`${op}: seed must be an integer, but got ${describe(seed)}.`);
  switch (method) {
    case "uniform": return uniformUnit(n, d, seed);
    case "lhs": return latinHypercubeUnit(n, d, seed);
    case "sobol": return sobolUnit(n, d, seed, options.scramble ?? true);
    case "halton": return haltonUnit(n, d, seed, options.scramble ?? true);
    default: throw new ArgumentError(`${op}: method must be one of ${SAMPLERS.join(", ")}, but got ${describe(method)}.`);
  }
}

/** n points in the box (float64, row-major [n][d], columns in the box's key order). */
export function samplePoints(n: number, box: Box, options: SampleOptions = {}): Float64Array {
  const { lo, hi } = boxBounds(box, "samplePoints");
  const d = lo.length;
  const u = sampleUnit(n, d, options);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) u[i * d + j] = lo[j] + (hi[j] - lo[j]) * u[i * d + j];
  return u;
}

/** n points in the box as a float32 tensor [n, d]. */
export function sample(n: number, box: Box, options: SampleOptions = {}): Tensor {
  const d = boxBounds(box, "sample").vars.length;
  return fromFlat(samplePoints(n, box, options), [n, d], "float32", "sample");
}

/** Evenly spaced values: num points from start to stop inclusive (float64; NumPy's linspace). */
export function linspace(start: number, stop: number, num: number): number[] {
  if (!Number.isInteger(num) || num < 1) throw new ArgumentError(`linspace: num must be a positive integer, but got ${describe(num)}.`);
  if (num === 1) return [start];
  const step = (stop - start) / (num - 1);
  return Array.from({ length: num }, (_, i) => (i === num - 1 ? stop : start + i * step));
}
