// Random Fourier features (Tancik et al. 2020; for PINNs, Wang, Wang & Perdikaris 2021, "On the eigenvector bias
// of Fourier feature networks"):
//
//   gamma(x) = [cos(2 pi x B), sin(2 pi x B)],   B in R^{d x m},  B_ij ~ N(0, sigma^2)  (seeded),
//
// so an [N, d] input becomes [N, 2m]. A network behind it learns high-frequency content that a plain tanh MLP fits
// only very slowly (spectral bias); sigma sets the frequency band (sigma = 1 on inputs scaled to [-1, 1] is a
// common start; larger sigma for sharper solutions). B is fixed by default (as in the papers) or trainable.
//
// Built from matMul, mul, sin, cos and concat, every one of which has a differentiable backward rule, so input
// derivatives of any order exist through GradientTapes (and jet's nested-tape path). Taylor mode would also be
// simple here: the map x -> 2 pi x B is affine, so its Taylor coefficients are the input's times 2 pi B, and
// sin/cos of a series have closed-form coefficient recurrences; jet/ does not implement that (yet).
import { Tensor, fromFlat } from "../tensor.js";
import { Variable, variable } from "../variable.js";
import { matMul, mul, sin, cos, concat } from "../ops.js";
import { tidy } from "../memory.js";
import { Generator } from "../random.js";
import { ArgumentError, ShapeError, describe, fmtShape } from "../errors.js";
import { Layer, type LayerOptions } from "./layer.js";

export interface FourierFeaturesOptions extends LayerOptions {
  /** m, the number of frequencies (the output has 2m columns); not needed when `frequencies` is given */
  features?: number;
  /** standard deviation of the frequencies (default 1) */
  sigma?: number;
  /** seed of the frequencies (default 0) */
  seed?: number;
  /** train B with the network's weights (default false: fixed, as in Tancik et al.) */
  trainable?: boolean;
  /** explicit frequencies B as [d][m] (instead of drawing them) */
  frequencies?: number[][];
}

export class FourierFeatures extends Layer {
  readonly features: number;
  readonly sigma: number;
  readonly seed: number;
  readonly trainable: boolean;
  /** B, [d, m] (null until the first call when the input width is not known) */
  frequencies: Variable | null = null;
  #given: number[][] | null;

  constructor(options: FourierFeaturesOptions) {
    super(options, "fourier_features");
    const where = `FourierFeatures '${this.name}'`;
    if (options === null || typeof options !== "object") throw new ArgumentError(`${where}: expected options { features, sigma, seed }, but got ${describe(options)}.`);
    this.sigma = options.sigma ?? 1;
    this.seed = options.seed ?? 0;
    this.trainable = options.trainable ?? false;
    if (!Number.isInteger(this.seed)) throw new ArgumentError(`${where}: seed must be an integer, but got ${describe(options.seed)}.`);
    if (options.frequencies !== undefined) {
      const B = options.frequencies;
      const m = Array.isArray(B) && Array.isArray(B[0]) ? B[0].length : 0;
      if (!Array.isArray(B) || B.length === 0 || m === 0 || B.some((r) => !Array.isArray(r) || r.length !== m || r.some((v) => !Number.isFinite(v)))) {
        throw new ArgumentError(`${where}: frequencies must be a non-empty [d][m] array of finite numbers (one row per input), but got ${describe(B)}.`);
      }
      if (B.every((r) => r.every((v) => v === 0))) throw new ArgumentError(`${where}: frequencies are all zero, so every feature would be constant (cos 0 = 1, sin 0 = 0); give non-zero frequencies.`);
      if (options.features !== undefined && options.features !== m) throw new ArgumentError(`${where}: features = ${describe(options.features)} but frequencies has ${m} columns.`);
      this.features = m;
      this.#given = B.map((r) => r.slice());
    } else {
      const m = options.features;
      if (typeof m !== "number" || !Number.isInteger(m) || m < 1) throw new ArgumentError(`${where}: features must be a positive integer (the number of frequencies; zero frequencies give no features), but got ${describe(m)}.`);
      if (typeof this.sigma !== "number" || !Number.isFinite(this.sigma) || !(this.sigma > 0)) throw new ArgumentError(`${where}: sigma must be a finite number > 0 (sigma = 0 makes every frequency zero), but got ${describe(options.sigma)}.`);
      this.features = m;
      this.#given = null;
    }
    if (options.inputShape) { this.build([1, ...options.inputShape.map((d) => d ?? 1)]); this.built = true; }
  }

  protected build(inputShape: readonly number[]): void {
    const d = inputShape[inputShape.length - 1];
    const where = `FourierFeatures '${this.name}'`;
    tidy(() => {
      let B: Tensor;
      if (this.#given) {
        if (this.#given.length !== d) throw new ShapeError(`${where}: frequencies has ${this.#given.length} rows but the input has ${d} columns; give one row per input column.`);
        B = fromFlat(this.#given.flat(), [d, this.features], this.dtype, where);
      } else B = new Generator(this.seed).normal([d, this.features], 0, this.sigma, this.dtype);
      this.frequencies = variable(B, this.trainable, `${this.name}/frequencies`);
    });
  }

  call(x: Tensor): Tensor {
    const B = this.frequencies!;
    if (x.rank !== 2 || x.shape[1] !== B.shape[0]) throw new ShapeError(`FourierFeatures '${this.name}': expected inputs of shape [N, ${B.shape[0]}], got ${fmtShape(x.shape)}.`);
    return tidy(() => {
      const z = mul(matMul(x, B), 2 * Math.PI);
      return concat([cos(z), sin(z)], 1);
    });
  }

  /** output columns: 2m */
  get outputWidth(): number { return 2 * this.features; }
  get weights(): Variable[] { return this.frequencies ? [this.frequencies] : []; }
}
