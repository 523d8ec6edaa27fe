// The curvature history of L-BFGS: the last m pairs s = x_{k+1} - x_k, y = g_{k+1} - g_k with rho = 1 / (y.s),
// and the two-loop recursion that applies the inverse-Hessian approximation they define (Nocedal & Wright,
// Numerical Optimization, 2nd ed., algorithm 7.4, with H0 = (s.y / y.y) I from the newest pair, eq. 7.20).
import { dot } from "./lbfgs-search.js";

export class CurvatureHistory {
  S: Float64Array[] = [];
  Y: Float64Array[] = [];
  rho: number[] = [];
  #spare: Float64Array[] = []; // recycled vectors

  constructor(readonly size: number) {}

  get length(): number { return this.S.length; }

  /** A vector of length n to fill (recycled when one is free). */
  vector(n: number): Float64Array {
    const v = this.#spare.pop();
    return v !== undefined && v.length === n ? v : new Float64Array(n);
  }

  /** Adds the pair (s, y) when y.s is safely positive (the curvature condition), dropping the oldest when full. */
  push(s: Float64Array, y: Float64Array): void {
    const ys = dot(y, s), yy = dot(y, y);
    if (ys > 1e-10 * yy && ys > 0) {
      if (this.S.length === this.size) {
        this.#spare.push(this.S.shift()!, this.Y.shift()!);
        this.rho.shift();
      }
      this.S.push(s); this.Y.push(y); this.rho.push(1 / ys);
    } else {
      this.#spare.push(s, y);
    }
  }

  clear(): void {
    this.#spare.push(...this.S, ...this.Y);
    this.S = []; this.Y = []; this.rho = [];
  }

  /** d = -H g by the two-loop recursion. */
  direction(g: Float64Array, d: Float64Array): void {
    const n = g.length, k = this.S.length;
    for (let i = 0; i < n; i++) d[i] = -g[i];
    if (k === 0) return;
    const alpha = new Array<number>(k);
    for (let j = k - 1; j >= 0; j--) {
      const s = this.S[j], y = this.Y[j];
      const a = this.rho[j] * dot(s, d);
      alpha[j] = a;
      for (let i = 0; i < n; i++) d[i] -= a * y[i];
    }
    const sl = this.S[k - 1], yl = this.Y[k - 1];
    const gamma = dot(sl, yl) / dot(yl, yl);
    for (let i = 0; i < n; i++) d[i] *= gamma;
    for (let j = 0; j < k; j++) {
      const s = this.S[j], y = this.Y[j];
      const b = this.rho[j] * dot(y, d);
      const c = alpha[j] - b;
      for (let i = 0; i < n; i++) d[i] += c * s[i];
    }
  }
}
