// An exact periodic embedding (Dong & Ni 2021, "A method for representing periodic functions and enforcing exactly
// periodic boundary conditions with deep neural networks"; jaxpi's PeriodEmbs): every periodic input x_j with period
// P_j is replaced by the harmonics
//
//   cos(k w_j x_j), sin(k w_j x_j),   w_j = 2 pi / P_j,  k = 1..K   (K = `harmonics`, default 1),
//
// and the other inputs pass through unchanged. Whatever follows sees x_j only through functions of period P_j, so
// the network and all its derivatives are exactly P_j-periodic in x_j: a periodic boundary condition holds by
// construction and needs no loss term. Output columns: the pass-through inputs (in order), then all cosines, then
// all sines (input-major, harmonic-minor).
//
// Written as  z = x W  (W [d, H] holds k w_j in input j's columns), [x S, cos z, sin z]  with S a 0/1 selection
// matrix: matMul, sin, cos and concat all have differentiable backward rules, so derivatives nest to any order
// through GradientTapes. Taylor mode would be as simple as for Fourier features (sin/cos of an affine map).
import { Tensor, fromFlat } from "../tensor.js";
import { Variable, variable } from "../variable.js";
import { matMul, sin, cos, concat } from "../ops.js";
import { tidy } from "../memory.js";
import { ArgumentError, ShapeError, describe, fmtShape } from "../errors.js";
import { Layer, type LayerOptions } from "./layer.js";

export interface PeriodicEmbeddingOptions extends LayerOptions {
  /** one entry per input column: its period (a finite number > 0), or null for an input that is not periodic */
  periods: (number | null)[];
  /** harmonics per periodic input (default 1) */
  harmonics?: number;
}

export class PeriodicEmbedding extends Layer {
  readonly periods: readonly (number | null)[];
  readonly harmonics: number;
  /** columns of the output: inputs passed through + 2 * harmonics per periodic input */
  readonly outputWidth: number;
  // fixed (non-trainable) Variables, listed in `weights` so that they are saved with the model and freed with it
  #W: Variable;
  #S: Variable | null;

  constructor(options: PeriodicEmbeddingOptions) {
    super(options, "periodic_embedding");
    const where = `PeriodicEmbedding '${this.name}'`;
    if (options === null || typeof options !== "object" || !Array.isArray(options.periods) || options.periods.length === 0) {
      throw new ArgumentError(`${where}: periods must be a non-empty array with one entry per input column (a period > 0, or null for a non-periodic input), but got ${describe(options?.periods)}.`);
    }
    const periods = options.periods;
    periods.forEach((p, j) => {
      if (p !== null && (typeof p !== "number" || !Number.isFinite(p) || !(p > 0))) {
        throw new ArgumentError(`${where}: periods[${j}] must be a finite number > 0 (or null for a non-periodic input), but got ${describe(p)}.`);
      }
    });
    const periodic = periods.map((p, j) => (p === null ? -1 : j)).filter((j) => j >= 0);
    if (periodic.length === 0) throw new ArgumentError(`${where}: no input is periodic (every entry of periods is null); give at least one period, or leave the embedding out.`);
    const K = options.harmonics ?? 1;
    if (typeof K !== "number" || !Number.isInteger(K) || K < 1) throw new ArgumentError(`${where}: harmonics must be a positive integer, but got ${describe(options.harmonics)}.`);
    if (options.inputShape && (options.inputShape.length !== 1 || options.inputShape[0] !== periods.length)) {
      throw new ArgumentError(`${where}: inputShape ${describe(options.inputShape)} disagrees with ${periods.length} periods.`);
    }
    this.periods = periods.slice(); this.harmonics = K;
    const d = periods.length, H = periodic.length * K;
    const pass = periods.map((p, j) => (p === null ? j : -1)).filter((j) => j >= 0);
    this.outputWidth = pass.length + 2 * H;
    const W = new Float64Array(d * H);
    periodic.forEach((j, q) => { for (let k = 1; k <= K; k++) W[j * H + q * K + (k - 1)] = (2 * Math.PI * k) / periods[j]!; });
    this.#W = tidy(() => variable(fromFlat(W, [d, H], this.dtype, where), false, `${this.name}/frequencies`));
    if (pass.length > 0) {
      const S = new Float64Array(d * pass.length);
      pass.forEach((j, q) => { S[j * pass.length + q] = 1; });
      this.#S = tidy(() => variable(fromFlat(S, [d, pass.length], this.dtype, where), false, `${this.name}/select`));
    } else this.#S = null;
  }

  call(x: Tensor): Tensor {
    const d = this.periods.length;
    if (x.rank !== 2 || x.shape[1] !== d) throw new ShapeError(`PeriodicEmbedding '${this.name}': expected inputs of shape [N, ${d}] (one column per entry of periods), got ${fmtShape(x.shape)}.`);
    return tidy(() => {
      const z = matMul(x, this.#W);
      const parts = [cos(z), sin(z)];
      if (this.#S) parts.unshift(matMul(x, this.#S));
      return concat(parts, 1);
    });
  }

  get weights(): Variable[] { return this.#S ? [this.#W, this.#S] : [this.#W]; }
}
