// A float64 reference for Allen-Cahn's equation with periodic x (Raissi et al. 2019's setup):
//   u_t = eps u_xx + 5 u - 5 u³,  x in [-1, 1) periodic, t in [0, 1],  u(0, x) = x² cos(pi x),  eps = 1e-4,
// by a Fourier pseudo-spectral method in x and ETDRK4 in time (Cox & Matthews 2002), with the phi functions
// evaluated by contour integrals (Kassam & Trefethen 2005, "Fourth-order time-stepping for stiff PDEs"):
//   v = FFT(u),  L = 5 - eps k² (diagonal, k = pi m for mode m),  N(u) = -5 u³ (computed in physical space),
//   a = E2 v + Q N(v);  b = E2 v + Q N(a);  c = E2 a + Q (2 N(b) - N(v));
//   v <- E v + f1 N(v) + 2 f2 (N(a) + N(b)) + f3 N(c),      E = e^{hL}, E2 = e^{hL/2},
// where Q, f1, f2, f3 are h times the mean over M points z = hL + e^{i theta} of a circle around hL of
//   (e^{z/2} - 1)/z,  (-4 - z + e^z (4 - 3z + z²))/z³,  (2 + z + e^z (z - 2))/z³,  (-4 - 3z - z² + e^z (4 - z))/z³,
// which avoids the cancellation of the direct formulas for small |hL| (L is real, so the upper half circle and the
// real part suffice).
//
// Resolution: the initial datum has a kink where the periodic ends meet (u_x(0, -1) = 2, u_x(0, 1) = -2), so the
// space error falls only like N^-2 at early times; it decays with the kink (u relaxes to -1 there at rate 10). The
// fronts that form later (tanh(x sqrt(5 / (2 eps))) = tanh(158 x)) are resolved spectrally. Measured on Raissi's
// 201 x 512 grid, time step 1e-3 (max |difference|, relative L2 difference):
//   1024 vs 2048 modes 3.2e-4, 2.7e-6;   2048 vs 4096 modes 9.6e-5, 7.0e-7 (both maxima at t = 0.005, x = -1);
//   2048 modes, dt 1e-3 vs 5e-4: 2.1e-10, 1.0e-11.
// So the defaults (2048 modes, dt = 1e-3; 3 s on one idle core) are good to about 7e-7 in relative L2 and 1e-4 at
// worst (the first snapshots next to x = ±1), far below the PINN targets (1e-2; jaxpi's best 5.4e-5).
// allenCahnConvergence() repeats this check and test/pinn-problems-hard.test.ts asserts it.
import { ArgumentError } from "../../errors.js";

export const ALLEN_CAHN_EPS = 1e-4;

export interface AllenCahnOptions {
  /** Fourier modes (grid points), a power of two (default 2048) */
  modes?: number;
  /** time step; must divide the output spacing (default 1e-3) */
  dt?: number;
  /** output times, multiples of dt (default 0, 0.005, ..., 1: Raissi's 201 snapshots) */
  times?: readonly number[];
  /** points on the contour (default 32) */
  contour?: number;
}

/** In-place radix-2 FFT of (re, im); inverse (unscaled) when sign = +1. */
function fft(re: Float64Array, im: Float64Array, sign: 1 | -1, cos: Float64Array, sin: Float64Array): void {
  const n = re.length;
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) { let t = re[i]; re[i] = re[j]; re[j] = t; t = im[i]; im[i] = im[j]; im[j] = t; }
  }
  for (let len = 2; len <= n; len <<= 1) {
    const half = len >> 1, stride = n / len;
    for (let s = 0; s < n; s += len) {
      for (let k = 0; k < half; k++) {
        const wr = cos[k * stride], wi = sign * sin[k * stride];
        const a = s + k, b = a + half;
        const xr = re[b] * wr - im[b] * wi, xi = re[b] * wi + im[b] * wr;
        re[b] = re[a] - xr; im[b] = im[a] - xi;
        re[a] += xr; im[a] += xi;
      }
    }
  }
}

/** Q, f1, f2, f3 for one mode (h L = z0), by the contour mean (Kassam & Trefethen 2005, eq. 2.5 and section 3). */
export function etdrk4Coefficients(h: number, L: number, M = 32): [number, number, number, number] {
  let q = 0, f1 = 0, f2 = 0, f3 = 0;
  const z0 = h * L;
  for (let j = 0; j < M; j++) {
    const th = (Math.PI * (j + 0.5)) / M;
    const zr = z0 + Math.cos(th), zi = Math.sin(th);
    const ea = Math.exp(zr), er = ea * Math.cos(zi), ei = ea * Math.sin(zi);
    const eh = Math.exp(zr / 2), hr = eh * Math.cos(zi / 2), hi = eh * Math.sin(zi / 2);
    const z2r = zr * zr - zi * zi, z2i = 2 * zr * zi;
    const z3r = z2r * zr - z2i * zi, z3i = z2r * zi + z2i * zr;
    // Re(a / b) for complex a, b
    const re = (ar: number, ai: number, br: number, bi: number) => (ar * br + ai * bi) / (br * br + bi * bi);
    // e^z * (pr + i pi)
    const ez = (pr: number, pi: number): [number, number] => [er * pr - ei * pi, er * pi + ei * pr];
    q += re(hr - 1, hi, zr, zi);
    const [a1r, a1i] = ez(4 - 3 * zr + z2r, -3 * zi + z2i);
    f1 += re(-4 - zr + a1r, -zi + a1i, z3r, z3i);
    const [a2r, a2i] = ez(zr - 2, zi);
    f2 += re(2 + zr + a2r, zi + a2i, z3r, z3i);
    const [a3r, a3i] = ez(4 - zr, -zi);
    f3 += re(-4 - 3 * zr - z2r + a3r, -3 * zi - z2i + a3i, z3r, z3i);
  }
  return [(h * q) / M, (h * f1) / M, (h * f2) / M, (h * f3) / M];
}

/** The grid x_j = -1 + 2j/N and u at each output time (float64, row-major [time][x]). */
export function allenCahnSpectral(options: AllenCahnOptions = {}): { x: Float64Array; times: number[]; u: Float64Array } {
  const N = options.modes ?? 2048, h = options.dt ?? 1e-3, M = options.contour ?? 32;
  const times = (options.times ?? Array.from({ length: 201 }, (_, i) => i * 0.005)).slice();
  if (!(N >= 8 && (N & (N - 1)) === 0)) throw new ArgumentError(`allenCahnSpectral: modes must be a power of two >= 8, but got ${N}.`);
  const stepsAt = times.map((t) => Math.round(t / h));
  stepsAt.forEach((s, i) => { if (Math.abs(s * h - times[i]) > 1e-9 * Math.max(1, times[i])) throw new ArgumentError(`allenCahnSpectral: output time ${times[i]} is not a multiple of dt = ${h}.`); });
  const cos = new Float64Array(N / 2), sin = new Float64Array(N / 2);
  for (let k = 0; k < N / 2; k++) { cos[k] = Math.cos((2 * Math.PI * k) / N); sin[k] = -Math.sin((2 * Math.PI * k) / N); }
  const E = new Float64Array(N), E2 = new Float64Array(N), Q = new Float64Array(N), F1 = new Float64Array(N), F2 = new Float64Array(N), F3 = new Float64Array(N);
  for (let m = 0; m < N; m++) {
    const k = Math.PI * (m <= N / 2 ? m : m - N);
    const L = 5 - ALLEN_CAHN_EPS * k * k;
    E[m] = Math.exp(h * L); E2[m] = Math.exp((h * L) / 2);
    [Q[m], F1[m], F2[m], F3[m]] = etdrk4Coefficients(h, L, M);
  }
  const x = new Float64Array(N);
  for (let j = 0; j < N; j++) x[j] = -1 + (2 * j) / N;
  const z = () => new Float64Array(N);
  const vr = z(), vi = z(), ar = z(), ai = z(), br = z(), bi = z(), cr = z(), ci = z();
  const nvr = z(), nvi = z(), nar = z(), nai = z(), nbr = z(), nbi = z(), ncr = z(), nci = z(), wr = z(), wi = z();
  // N(u) = -5 u³ of the field with spectrum (sr, si), into (or, oi)
  const nonlinear = (sr: Float64Array, si: Float64Array, or: Float64Array, oi: Float64Array) => {
    wr.set(sr); wi.set(si);
    fft(wr, wi, 1, cos, sin);
    for (let j = 0; j < N; j++) { const u = wr[j] / N; or[j] = -5 * u * u * u; oi[j] = 0; }
    fft(or, oi, -1, cos, sin);
  };
  const out = new Float64Array(times.length * N);
  const record = (i: number) => {
    wr.set(vr); wi.set(vi);
    fft(wr, wi, 1, cos, sin);
    for (let j = 0; j < N; j++) out[i * N + j] = wr[j] / N;
  };
  for (let j = 0; j < N; j++) { vr[j] = x[j] * x[j] * Math.cos(Math.PI * x[j]); vi[j] = 0; }
  fft(vr, vi, -1, cos, sin);
  const last = Math.max(0, ...stepsAt);
  let next = 0;
  const order = stepsAt.map((s, i) => [s, i] as const).sort((p, q) => p[0] - q[0]);
  for (let step = 0; step <= last; step++) {
    while (next < order.length && order[next][0] === step) record(order[next++][1]);
    if (step === last) break;
    nonlinear(vr, vi, nvr, nvi);
    for (let m = 0; m < N; m++) { ar[m] = E2[m] * vr[m] + Q[m] * nvr[m]; ai[m] = E2[m] * vi[m] + Q[m] * nvi[m]; }
    nonlinear(ar, ai, nar, nai);
    for (let m = 0; m < N; m++) { br[m] = E2[m] * vr[m] + Q[m] * nar[m]; bi[m] = E2[m] * vi[m] + Q[m] * nai[m]; }
    nonlinear(br, bi, nbr, nbi);
    for (let m = 0; m < N; m++) { cr[m] = E2[m] * ar[m] + Q[m] * (2 * nbr[m] - nvr[m]); ci[m] = E2[m] * ai[m] + Q[m] * (2 * nbi[m] - nvi[m]); }
    nonlinear(cr, ci, ncr, nci);
    for (let m = 0; m < N; m++) {
      vr[m] = E[m] * vr[m] + F1[m] * nvr[m] + 2 * F2[m] * (nar[m] + nbr[m]) + F3[m] * ncr[m];
      vi[m] = E[m] * vi[m] + F1[m] * nvi[m] + 2 * F2[m] * (nai[m] + nbi[m]) + F3[m] * nci[m];
    }
  }
  return { x, times, u: out };
}

/** u on the grid x_j = -1 + 2j/points (points dividing the modes) at the given times: row-major [time][x]. */
export function allenCahnGrid(points = 512, options: AllenCahnOptions = {}): Float64Array {
  const { x, times, u } = allenCahnSpectral(options);
  const N = x.length, s = N / points;
  if (!Number.isInteger(s)) throw new ArgumentError(`allenCahnGrid: ${points} points do not divide ${N} modes.`);
  const out = new Float64Array(times.length * points);
  for (let i = 0; i < times.length; i++) for (let j = 0; j < points; j++) out[i * points + j] = u[i * N + j * s];
  return out;
}

export interface Difference { max: number; relL2: number }

/** max |a - b| and ||a - b|| / ||b||. */
function difference(a: Float64Array, b: Float64Array): Difference {
  let max = 0, num = 0, den = 0;
  for (let i = 0; i < a.length; i++) { const d = a[i] - b[i]; max = Math.max(max, Math.abs(d)); num += d * d; den += b[i] * b[i]; }
  return { max, relL2: Math.sqrt(num / den) };
}

/**
 * The reference's convergence check on the 512-point grid: (modes, dt) against (2 modes, dt) (space) and
 * (modes, dt/2) (time), and (modes/2, dt) against (modes, dt) to see the space error shrink.
 */
export function allenCahnConvergence(modes = 2048, dt = 1e-3): { space: Difference; time: Difference; coarser: Difference } {
  const base = allenCahnGrid(512, { modes, dt });
  return {
    space: difference(base, allenCahnGrid(512, { modes: 2 * modes, dt })),
    time: difference(base, allenCahnGrid(512, { modes, dt: dt / 2 })),
    coarser: difference(allenCahnGrid(512, { modes: modes / 2, dt }), base),
  };
}
