// Gauss-Hermite quadrature in float64: nodes z_i and weights w_i with  ∫ f(z) e^{-z²} dz ≈ Σ w_i f(z_i),
// exact for polynomials of degree <= 2n-1. Nodes come from Newton's method on the orthonormal Hermite recurrence
// (asymptotic first guesses, as in Numerical Recipes' gauher), iterated to full float64 precision.

export interface Quadrature { readonly nodes: Float64Array; readonly weights: Float64Array; readonly logWeights: Float64Array }

const cache = new Map<number, Quadrature>();
const PI_M4 = Math.pow(Math.PI, -0.25);

/** Gauss-Hermite rule with n nodes (weight e^{-z²} on the real line). Nodes ascend. Cached per n. */
export function gaussHermite(n: number): Quadrature {
  // the asymptotic first guesses stop separating the roots somewhere between 150 and 200 nodes
  if (!Number.isInteger(n) || n < 1 || n > 150) throw new RangeError(`gaussHermite: n must be an integer in [1, 150], got ${n}.`);
  const hit = cache.get(n);
  if (hit) return hit;
  const x = new Float64Array(n), w = new Float64Array(n);
  const m = Math.floor((n + 1) / 2);
  let z = 0;
  for (let i = 0; i < m; i++) {
    // largest root first (x[i] descending here, reversed at the end)
    if (i === 0) z = Math.sqrt(2 * n + 1) - 1.85575 * Math.pow(2 * n + 1, -0.16667);
    else if (i === 1) z -= (1.14 * Math.pow(n, 0.426)) / z;
    else if (i === 2) z = 1.86 * z - 0.86 * x[0];
    else if (i === 3) z = 1.91 * z - 0.91 * x[1];
    else z = 2 * z - x[i - 2];
    let pp = 0;
    for (let it = 0; it < 100; it++) {
      let p1 = PI_M4, p2 = 0;
      for (let j = 1; j <= n; j++) {
        const p3 = p2;
        p2 = p1;
        p1 = z * Math.sqrt(2 / j) * p2 - Math.sqrt((j - 1) / j) * p3;
      }
      pp = Math.sqrt(2 * n) * p2;
      const z1 = z;
      z = z1 - p1 / pp;
      if (Math.abs(z - z1) <= 1e-15 * Math.max(1, Math.abs(z))) {
        // one more evaluation at the converged root for the weight
        p1 = PI_M4; p2 = 0;
        for (let j = 1; j <= n; j++) {
          const p3 = p2;
          p2 = p1;
          p1 = z * Math.sqrt(2 / j) * p2 - Math.sqrt((j - 1) / j) * p3;
        }
        pp = Math.sqrt(2 * n) * p2;
        break;
      }
    }
    x[i] = z; x[n - 1 - i] = -z;
    w[i] = 2 / (pp * pp); w[n - 1 - i] = w[i];
  }
  if (n % 2 === 1) x[m - 1] = 0;
  x.reverse(); w.reverse();
  const q: Quadrature = { nodes: x, weights: w, logWeights: w.map(Math.log) };
  cache.set(n, q);
  return q;
}
