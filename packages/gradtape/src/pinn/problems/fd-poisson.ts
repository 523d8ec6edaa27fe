// A finite-difference reference for Poisson problems on domains made of grid cells (the L-shape): the 5-point
// Laplacian -(u_E + u_W + u_N + u_S - 4 u_P)/h² = f on a uniform grid of spacing h, u = 0 at boundary nodes,
// solved by conjugate gradients (the matrix is symmetric positive definite) to a relative residual of 1e-12,
// in float64. Its discretization error is O(h²) for smooth solutions and O(h^(4/3)) near a re-entrant corner of
// angle 3 pi / 2 (u ~ r^(2/3)); `refinedReference` measures it by solving on three grids, h, h/2 and h/4.

export interface FDGrid {
  /** cells per side: nodes are x = x0 + i h, i = 0..n */
  n: number;
  x0: number;
  y0: number;
  h: number;
  /** whether node (i, j) is an unknown (strictly inside the domain) */
  interior: (i: number, j: number, n: number) => boolean;
}

/** Solves -Δu = f with u = 0 off the interior nodes; returns u at all (n+1)² nodes, row-major [j][i], and the iterations. */
export function solvePoissonFD(g: FDGrid, f: (x: number, y: number) => number): { u: Float64Array; iterations: number } {
  const { n, x0, y0, h } = g, m = n + 1;
  const mask = new Uint8Array(m * m);
  for (let j = 0; j <= n; j++) for (let i = 0; i <= n; i++) mask[j * m + i] = g.interior(i, j, n) ? 1 : 0;
  const b = new Float64Array(m * m);
  for (let k = 0; k < m * m; k++) if (mask[k]) b[k] = f(x0 + (k % m) * h, y0 + Math.floor(k / m) * h) * h * h;
  // A u = 4 u_P - (neighbours that are unknowns), scaled by h² (boundary values are 0)
  const apply = (u: Float64Array, out: Float64Array) => {
    for (let k = 0; k < m * m; k++) {
      if (!mask[k]) { out[k] = 0; continue; }
      out[k] = 4 * u[k] - u[k - 1] - u[k + 1] - u[k - m] - u[k + m];
    }
  };
  const u = new Float64Array(m * m), r = b.slice(), p = b.slice(), Ap = new Float64Array(m * m);
  const dot = (a: Float64Array, c: Float64Array) => { let s = 0; for (let k = 0; k < a.length; k++) s += a[k] * c[k]; return s; };
  let rr = dot(r, r);
  const stop = 1e-24 * rr;
  let it = 0;
  for (; it < 20 * m && rr > stop; it++) {
    apply(p, Ap);
    const alpha = rr / dot(p, Ap);
    for (let k = 0; k < u.length; k++) { u[k] += alpha * p[k]; r[k] -= alpha * Ap[k]; }
    const rr2 = dot(r, r);
    const beta = rr2 / rr;
    rr = rr2;
    for (let k = 0; k < p.length; k++) p[k] = r[k] + beta * p[k];
  }
  return { u, iterations: it };
}

export interface RefinedReference {
  /** u on the evaluation grid (row-major [y][x]) from the finest solve */
  u: Float64Array;
  /** estimated relative L2 error of u (Richardson: ||u_h/4 - u_h/2|| / (2^p - 1), p observed from the three grids) */
  errorEstimate: number;
  /** observed order of convergence p */
  order: number;
  /** relative L2 differences ||u_h - u_h/2||, ||u_h/2 - u_h/4|| on the evaluation grid */
  differences: [number, number];
}

/**
 * Solves on n, 2n and 4n cells per side and samples each on the evaluation grid of `every`+1 nodes per side (n must
 * be a multiple of `every`), estimating the finest solution's error from the three.
 */
export function refinedReference(g: Omit<FDGrid, "n" | "h">, span: number, n: number, every: number, f: (x: number, y: number) => number): RefinedReference {
  const sampled = [n, 2 * n, 4 * n].map((cells) => {
    const { u } = solvePoissonFD({ ...g, n: cells, h: span / cells }, f);
    const s = cells / every, m = cells + 1, out = new Float64Array((every + 1) ** 2);
    for (let j = 0; j <= every; j++) for (let i = 0; i <= every; i++) out[j * (every + 1) + i] = u[j * s * m + i * s];
    return out;
  });
  const rel = (a: Float64Array, b: Float64Array) => {
    let num = 0, den = 0;
    for (let k = 0; k < a.length; k++) { num += (a[k] - b[k]) ** 2; den += b[k] ** 2; }
    return Math.sqrt(num / den);
  };
  const d1 = rel(sampled[0], sampled[1]), d2 = rel(sampled[1], sampled[2]);
  const order = Math.log2(d1 / d2);
  return { u: sampled[2], errorEstimate: d2 / (2 ** order - 1), order, differences: [d1, d2] };
}
