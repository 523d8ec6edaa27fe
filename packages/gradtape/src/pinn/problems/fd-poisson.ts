// A finite-difference reference for Poisson problems on domains made of grid cells (the L-shape): the 5-point
// Laplacian -(u_E + u_W + u_N + u_S - 4 u_P)/h² = f on a uniform grid of spacing h, u = 0 at boundary nodes,
// solved by conjugate gradients preconditioned with a multigrid V-cycle (the matrix is symmetric positive
// definite) to a relative residual of 1e-12, in float64. Its discretization error is O(h²) for smooth solutions and O(h^(4/3)) near a re-entrant corner of
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
  const levels = buildLevels(g);
  const L0 = levels[0];
  // the system scaled by h²: A u = 4 u_P - (neighbours that are unknowns) = h² f
  const b = new Float64Array(m * m);
  for (let k = 0; k < m * m; k++) if (L0.mask[k]) b[k] = f(x0 + (k % m) * h, y0 + Math.floor(k / m) * h) * h * h;
  // conjugate gradients preconditioned by one multigrid V-cycle (symmetric: red-black Gauss-Seidel forward before,
  // backward after; full weighting down, bilinear up), so the iterations do not grow with n
  const u = new Float64Array(m * m), r = b.slice(), z = new Float64Array(m * m), p = new Float64Array(m * m), Ap = new Float64Array(m * m);
  const dot = (a: Float64Array, c: Float64Array) => { let s = 0; for (let k = 0; k < a.length; k++) s += a[k] * c[k]; return s; };
  vcycle(levels, 0, r, z);
  p.set(z);
  let rz = dot(r, z);
  const stop = 1e-24 * dot(b, b);
  let it = 0;
  for (; it < 500 && dot(r, r) > stop; it++) {
    applyA(L0, p, Ap);
    const alpha = rz / dot(p, Ap);
    for (let k = 0; k < u.length; k++) { u[k] += alpha * p[k]; r[k] -= alpha * Ap[k]; }
    vcycle(levels, 0, r, z);
    const rz2 = dot(r, z);
    const beta = rz2 / rz;
    rz = rz2;
    for (let k = 0; k < p.length; k++) p[k] = z[k] + beta * p[k];
  }
  return { u, iterations: it };
}

interface Level { n: number; m: number; mask: Uint8Array }

function buildLevels(g: FDGrid): Level[] {
  const levels: Level[] = [];
  for (let n = g.n; ; n /= 2) {
    const m = n + 1, mask = new Uint8Array(m * m);
    for (let j = 0; j <= n; j++) for (let i = 0; i <= n; i++) mask[j * m + i] = g.interior(i, j, n) ? 1 : 0;
    levels.push({ n, m, mask });
    // coarsen while the domain stays aligned with the grid (the caller's interior() must hold for n/2 too)
    if (n % 4 !== 0 || n <= 16) break;
  }
  return levels;
}

/** out = A u on the unknowns (A in units of 1/h², boundary values 0) */
function applyA(L: Level, u: Float64Array, out: Float64Array): void {
  const { m, mask } = L;
  for (let k = 0; k < m * m; k++) out[k] = mask[k] ? 4 * u[k] - u[k - 1] - u[k + 1] - u[k - m] - u[k + m] : 0;
}

/** red-black Gauss-Seidel sweeps on A u = b (colour order given) */
function gaussSeidel(L: Level, u: Float64Array, b: Float64Array, colours: readonly number[]): void {
  const { n, m, mask } = L;
  for (const c of colours) {
    for (let j = 1; j < n; j++) for (let i = 1 + ((j + c) & 1); i < n; i += 2) {
      const k = j * m + i;
      if (mask[k]) u[k] = (b[k] + u[k - 1] + u[k + 1] + u[k - m] + u[k + m]) / 4;
    }
  }
}

/** z ≈ A⁻¹ r by one V-cycle from level l */
function vcycle(levels: Level[], l: number, r: Float64Array, z: Float64Array): void {
  const L = levels[l];
  z.fill(0);
  if (l === levels.length - 1) { for (let s = 0; s < 60; s++) gaussSeidel(L, z, r, [0, 1, 1, 0]); return; }
  gaussSeidel(L, z, r, [0, 1]);
  gaussSeidel(L, z, r, [1, 0]);
  const { m, mask } = L, C = levels[l + 1], mc = C.m;
  const Az = new Float64Array(m * m);
  applyA(L, z, Az);
  // coarse residual by full weighting; the coarse operator is in units of 1/(2h)², hence the factor 4
  const rc = new Float64Array(mc * mc), zc = new Float64Array(mc * mc);
  for (let J = 1; J < C.n; J++) for (let I = 1; I < C.n; I++) {
    const kc = J * mc + I;
    if (!C.mask[kc]) continue;
    const k = 2 * J * m + 2 * I;
    const res = (q: number) => (mask[q] ? r[q] - Az[q] : 0);
    rc[kc] = 4 * (res(k) / 4 + (res(k - 1) + res(k + 1) + res(k - m) + res(k + m)) / 8 + (res(k - m - 1) + res(k - m + 1) + res(k + m - 1) + res(k + m + 1)) / 16);
  }
  vcycle(levels, l + 1, rc, zc);
  // bilinear prolongation of the correction
  for (let j = 1; j < L.n; j++) for (let i = 1; i < L.n; i++) {
    const k = j * m + i;
    if (!mask[k]) continue;
    const I = i >> 1, J = j >> 1, fi = i & 1, fj = j & 1;
    const c = (a: number, bb: number) => zc[(J + bb) * mc + I + a];
    z[k] += fi === 0 && fj === 0 ? c(0, 0) : fi === 1 && fj === 0 ? (c(0, 0) + c(1, 0)) / 2 : fi === 0 ? (c(0, 0) + c(0, 1)) / 2 : (c(0, 0) + c(1, 0) + c(0, 1) + c(1, 1)) / 4;
  }
  gaussSeidel(L, z, r, [1, 0]);
  gaussSeidel(L, z, r, [0, 1]);
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
