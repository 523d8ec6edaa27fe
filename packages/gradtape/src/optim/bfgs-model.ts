// The dense inverse-Hessian approximation of BFGS and its self-scaled relatives (bfgs.ts): H held in the core as a
// packed symmetric float64 matrix (packages/core/assembly/exports/quasi-newton.ts, f64x2 kernels), updated by one
// member of the self-scaled Broyden family per accepted step:
//   H+ = (1/tau) [H - u u'/(y'u) + phi (y'u) v v'] + rho s s',  u = H y,  v = rho s - u/(y'u),  rho = 1/(y's)
// (Urbán, Stefanou & Pons, J. Comput. Phys. 2025, after Al-Baali; phi = 1 is BFGS, phi = 0 DFP in this inverse
// form). With b = s'H^{-1}s / (y's) = -t rho s'g (the step was s = t d, d = -H g, so H^{-1}s = -t g),
// h = (y'u) rho and a = b h - 1 (>= 0 by Cauchy-Schwarz while H is positive definite):
//   "bfgs":      tau = 1, phi = 1
//   "ssbfgs":    tau = min(1, 1/b), phi = 1 (Al-Baali's self-scaled BFGS, Urbán et al.'s SSBFGS_AB)
//   "ssbroyden": Al-Baali's self-scaled Broyden as Urbán et al.'s code (SSBroyden2) and Kiyani et al. (CMAME 2025)
//                use it, with theta the family's parameter in the Hessian form (0: BFGS, 1: DFP):
//                rho- = min(1, h (1 - sqrt(a/(1+a)))), theta- = (rho- - 1)/a, theta+ = 1/rho-,
//                theta = max(theta-, min(theta+, (1 - b)/b)), sigma = 1 + a theta, phi = (1 - theta)/sigma,
//                tau = min(min(1, 1/b) sigma^(1/(1-n)), sigma) when theta <= 0, else min(1, 1/b) min(sigma^(1/(1-n)), 1/theta)
// Every choice keeps H positive definite (tau > 0, phi >= theta-'s bound). Before the first update H = I is
// replaced by (y's / y'y) I (Nocedal & Wright eq. 6.20), so the first curvature pair also sets H's scale.
// A pair with y's <= 1e-8 |s| |y| (no usable curvature: a non-convex region, or a step lost in rounding) is
// skipped and counted (`skipped`); H is unchanged.
import { core } from "../backend.js";
import { throwCoreError, OutOfMemoryError } from "../errors.js";
import { keep } from "../memory.js";
import { zeros } from "../ops.js";
import type { Tensor } from "../tensor.js";
import { dot } from "./lbfgs-search.js";
import type { CurvatureModel } from "./quasi-newton.js";

export type BFGSUpdate = "ssbfgs" | "ssbroyden" | "bfgs";
export const BFGS_UPDATES: readonly BFGSUpdate[] = ["ssbfgs", "ssbroyden", "bfgs"];

/** Doubles in the packed upper triangle of an n x n matrix. */
export const packedSize = (n: number): number => (n * (n + 1)) / 2;

/** The self-scaling factor tau and the Broyden parameter phi (inverse form) of one update (see the top of this file). */
export function updateParameters(rule: BFGSUpdate, b: number, h: number, n: number): { tau: number; phi: number } {
  if (rule === "bfgs") return { tau: 1, phi: 1 };
  const scale = Math.min(1, 1 / b);
  if (rule === "ssbfgs") return { tau: scale, phi: 1 };
  const a = b * h - 1;
  // a = 0: s and H y are parallel, every member of the family gives the same matrix: take BFGS's theta = 0
  let theta = 0;
  if (a > 1e-12) {
    const rhoMinus = Math.min(1, h * (1 - Math.sqrt(a / (1 + a))));
    theta = Math.max((rhoMinus - 1) / a, Math.min(1 / rhoMinus, (1 - b) / b));
  }
  const sigma = 1 + a * theta;
  const root = n > 1 ? Math.pow(Math.abs(sigma), 1 / (1 - n)) : 1;
  const tau = theta <= 0 ? Math.min(scale * root, sigma) : scale * Math.min(root, 1 / theta);
  return { tau, phi: (1 - theta) / sigma };
}

export class DenseInverseHessian implements CurvatureModel {
  /** curvature pairs behind H (0 after clear(): H is the identity again) */
  length = 0;
  /** pairs applied and pairs refused (no usable curvature) since the counts were last reset (resetCounts) */
  applied = 0;
  skipped = 0;
  #ws: Tensor | null = null;
  #n = 0;
  #s = new Float64Array(0);
  #y = new Float64Array(0);

  constructor(readonly rule: BFGSUpdate) {}

  /** the number of parameters the workspace is for (0: none yet) */
  get size(): number { return this.#n; }

  /** Makes (or keeps) the workspace for n parameters: H and three vectors, P(n) + 3 n doubles. */
  allocate(op: string, n: number): void {
    if (this.#ws !== null && !this.#ws.isDisposed && this.#n === n) return;
    this.release();
    try {
      this.#ws = keep(zeros([2 * (packedSize(n) + 3 * n)]));
    } catch (e) {
      if (e instanceof OutOfMemoryError) {
        throw new OutOfMemoryError(`${op}: the dense inverse Hessian of ${n.toLocaleString("en-US")} parameters needs ` +
          `${((packedSize(n) + 3 * n) * 8 / 2 ** 20).toFixed(1)} MiB, which memory cannot provide (${e.message}). Use LBFGS, whose memory grows as historySize x n.`);
      }
      throw e;
    }
    this.#n = n;
    this.#s = new Float64Array(n);
    this.#y = new Float64Array(n);
    this.length = 0; this.resetCounts();
  }

  resetCounts(): void { this.applied = 0; this.skipped = 0; }

  /** Frees the workspace (the next allocate() makes a new one). */
  release(): void {
    this.#ws?.dispose();
    this.#ws = null; this.#n = 0; this.length = 0; this.resetCounts();
  }

  clear(): void { this.length = 0; }

  /** s and y are copied into the core at once, so two scratch vectors serve every pair. */
  vector(n: number): Float64Array {
    if (this.#s.length !== n) { this.#s = new Float64Array(n); this.#y = new Float64Array(n); }
    const v = this.#s; this.#s = this.#y; this.#y = v; // alternate, so that s and y of one pair differ
    return v;
  }

  /** The workspace's doubles: H packed, then the vectors A, B, C (a fresh view: memory may have grown). */
  #view(): Float64Array {
    const c = core();
    const n = this.#n;
    return new Float64Array(c.memory.buffer, c.tensorDataPtr(this.#ws!.handleFor("BFGS")), packedSize(n) + 3 * n);
  }

  /** C = H v, read back into out. */
  #multiply(v: Float64Array, out: Float64Array): void {
    const n = this.#n, P = packedSize(n);
    this.#view().set(v, P);
    if (core().qnMultiply(this.#ws!.handle, n) === 0) throwCoreError("BFGS", [this.#ws!], ["workspace"]);
    out.set(this.#view().subarray(P + 2 * n, P + 3 * n));
  }

  direction(g: Float64Array, d: Float64Array): void {
    const n = g.length;
    if (this.length === 0) { for (let i = 0; i < n; i++) d[i] = -g[i]; return; }
    this.#multiply(g, d);
    for (let i = 0; i < n; i++) d[i] = -d[i];
  }

  push(s: Float64Array, y: Float64Array, gOld: Float64Array, t: number): void {
    const n = this.#n;
    const ys = dot(y, s), ss = dot(s, s), yy = dot(y, y);
    if (!(ys > 1e-8 * Math.sqrt(ss * yy)) || !Number.isFinite(ys * ss * yy)) { this.skipped++; return; }
    const c = core(), h = this.#ws!.handle;
    // b = s'H^{-1}s / y's: from the step (d = -H g) when H made it, else of the scaled identity H0 = gamma I
    let b: number;
    if (this.length === 0) {
      const gamma = ys / yy;
      if (c.qnReset(h, n, gamma) === 0) throwCoreError("BFGS", [this.#ws!], ["workspace"]);
      b = ss / (gamma * ys);
    } else b = -t * dot(s, gOld) / ys;
    const u = new Float64Array(n);
    this.#multiply(y, u); // u = H y (left in C for the update)
    const yu = dot(y, u);
    if (!(yu > 0) || !(b > 0)) { this.skipped++; return; } // (H lost definiteness to rounding: keep it as it is)
    const rho = 1 / ys;
    const { tau, phi } = updateParameters(this.rule, b, yu * rho, n);
    this.#view().set(s, packedSize(n) + n);
    if (c.qnUpdate(h, n, 1 / tau, -(1 - phi) / (tau * yu), -phi * rho / tau, phi * rho * rho * yu / tau + rho) === 0) {
      throwCoreError("BFGS", [this.#ws!], ["workspace"]);
    }
    this.length++;
    this.applied++;
  }

  /** A copy of H packed (null while H is the identity: no pair applied). */
  exportH(): Float64Array | null {
    return this.length === 0 ? null : this.#view().slice(0, packedSize(this.#n));
  }

  /** Sets H (a packed copy from exportH, or null: the identity) with `length` pairs behind it, and the counts. */
  importH(H: Float64Array | null, length: number, applied: number, skipped: number): void {
    if (H !== null) this.#view().set(H, 0);
    this.length = H === null ? 0 : length; this.applied = applied; this.skipped = skipped;
  }
}
