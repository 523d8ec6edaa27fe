// Dense: y = activation(x W + b), W of shape [in, units] (the [in][out] layout of the weights JSON), b [units].
// Inputs of rank > 2 are applied along the last axis.
import { Tensor } from "../tensor.js";
import { Variable, variable } from "../variable.js";
import { matMul, add, reshape } from "../ops.js";
import { tidy } from "../memory.js";
import { Generator, defaultGenerator as globalGenerator } from "../random.js";
import { ArgumentError, ShapeError, DisposedTensorError, fmtShape } from "../errors.js";
import { Layer, type LayerOptions } from "./layer.js";
import { activationFn, type Activation } from "./activations.js";
import { initialize, type Initializer } from "./initializers.js";

export interface DenseOptions extends LayerOptions {
  units: number;
  activation?: Activation;
  useBias?: boolean;
  kernelInitializer?: Initializer;
  biasInitializer?: Initializer;
  /** seed of this layer's initializer (default: the global generator, see setSeed) */
  seed?: number;
  generator?: Generator;
}

export class Dense extends Layer {
  readonly units: number;
  readonly activation: Activation;
  readonly useBias: boolean;
  kernel: Variable | null = null;
  bias: Variable | null = null;
  #act: ((x: Tensor) => Tensor) | null;
  #opts: DenseOptions;

  constructor(options: DenseOptions) {
    super(options, "dense");
    if (!Number.isInteger(options?.units) || options.units < 1) {
      throw new ArgumentError(`Dense '${this.name}': units must be a positive integer, got ${JSON.stringify(options?.units)}.`);
    }
    this.units = options.units;
    this.activation = options.activation ?? "linear";
    this.useBias = options.useBias ?? true;
    this.#act = activationFn(this.activation, `Dense '${this.name}'`);
    this.#opts = options;
    if (options.inputShape) { this.build([1, ...options.inputShape.map((d) => d ?? 1)]); this.built = true; }
  }

  protected build(inputShape: readonly number[]): void {
    if (inputShape.length === 0) {
      throw new ShapeError(`Dense '${this.name}': inputs must have rank >= 1 (the last axis holds the features), but got a scalar (shape []). ` +
        `Give points as [batch, features], e.g. reshape(x, [1, 1]).`);
    }
    const inDim = inputShape[inputShape.length - 1];
    const gen = this.#opts.generator ?? (this.#opts.seed !== undefined ? new Generator(this.#opts.seed) : undefined);
    const g = gen ?? defaultGenerator();
    tidy(() => {
      this.kernel = variable(initialize(this.#opts.kernelInitializer ?? "glorotUniform", [inDim, this.units], g, this.dtype), true, `${this.name}/kernel`);
      if (this.useBias) this.bias = variable(initialize(this.#opts.biasInitializer ?? "zeros", [this.units], g, this.dtype), true, `${this.name}/bias`);
    });
  }

  call(x: Tensor): Tensor {
    const k = this.kernel!;
    if (k.isDisposed || this.bias?.isDisposed) {
      throw new DisposedTensorError(`Dense '${this.name}': its weights were disposed (by dispose() of the layer or of a model holding it); ` +
        `a disposed layer cannot be called. Create a new layer, or load the weights into one.`);
    }
    if (x.shape[x.rank - 1] !== k.shape[0]) {
      throw new ShapeError(`Dense '${this.name}': expected inputs whose last axis is ${k.shape[0]}, got shape ${fmtShape(x.shape)}.`);
    }
    return tidy(() => {
      const flat = x.rank === 2 ? x : reshape(x, [-1, k.shape[0]]);
      let y = matMul(flat, k);
      if (this.bias) y = add(y, this.bias);
      if (this.#act) y = this.#act(y);
      return x.rank === 2 ? y : reshape(y, [...x.shape.slice(0, -1), this.units]);
    });
  }

  get weights(): Variable[] { return [this.kernel, this.bias].filter((w): w is Variable => w !== null); }
}

// Layers without a seed draw from the global generator (setSeed), so a run is reproducible by default; it was
// seeded from the clock, which made two runs of the same program differ and ignored setSeed.
let gen0: Generator | null = null;
function defaultGenerator(): Generator { return gen0 ?? globalGenerator(); }
/** Seeds a generator used by layers created without their own seed (instead of the global one, see setSeed). */
export function setLayerSeed(seed: number): void { gen0 = new Generator(seed); }
