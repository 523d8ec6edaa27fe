// A tiny seeded PRNG for test inputs: mulberry32 (32-bit state, period 2^32), two draws per float64
// so that uniform() has 53 random bits. Same seed, same numbers, on every platform.

import { ndarray, sizeOf, type NDArray } from "./ndarray.js";

/** FNV-1a hash of a string, for seeding from a test's name. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export class Rng {
  private state: number;

  constructor(seed: number | string = 1) {
    this.state = (typeof seed === "string" ? hashString(seed) : Math.floor(seed)) >>> 0;
  }

  /** Uniform 32-bit unsigned integer. */
  nextU32(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** Uniform in [0, 1) with 53 random bits. */
  next(): number {
    const hi = this.nextU32() >>> 5; // 27 bits
    const lo = this.nextU32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  uniform(lo = 0, hi = 1): number {
    return lo + (hi - lo) * this.next();
  }

  /** Integer in [lo, hi). */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo));
  }

  /** Standard normal (Box-Muller). */
  normal(mean = 0, std = 1): number {
    let u = this.next();
    while (u === 0) u = this.next();
    return mean + std * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }

  sign(): 1 | -1 {
    return this.next() < 0.5 ? -1 : 1;
  }

  /** A value with magnitude in [lo, hi] and a random sign: stays >= lo away from 0. */
  signedMagnitude(lo: number, hi: number): number {
    return this.sign() * this.uniform(lo, hi);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(0, items.length)];
  }

  shuffle<T>(items: readonly T[]): T[] {
    const a = [...items];
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(0, i + 1);
      [a[i], a[j]] = [a[j], a[i]];
    }
    return a;
  }

  /** An array of the given shape filled by `gen`. */
  array(shape: readonly number[], gen: (r: Rng) => number): NDArray {
    const n = sizeOf(shape);
    const data: number[] = [];
    for (let i = 0; i < n; i++) data.push(gen(this));
    return ndarray(data, shape);
  }

  /** Uniform [lo, hi) array. */
  uniformArray(shape: readonly number[], lo = -1, hi = 1): NDArray {
    return this.array(shape, (r) => r.uniform(lo, hi));
  }

  /**
   * An array whose values are pairwise at least `gap` apart (a shuffled, jittered grid centred on 0):
   * for max/min reductions, where near-ties would make finite differences straddle a kink.
   */
  distinctArray(shape: readonly number[], gap = 0.2): NDArray {
    const n = sizeOf(shape);
    const grid = Array.from({ length: n }, (_, i) => (i - (n - 1) / 2) * (gap * 1.5) + this.uniform(-gap / 4, gap / 4));
    return ndarray(this.shuffle(grid), shape);
  }
}
