// The layer base class. A declared inputShape is checked on every call (Keras ignores it in subclassed models):
// a mismatch throws a ShapeError naming the layer, the expected and the actual shape.
import { Tensor } from "../tensor.js";
import { Variable } from "../variable.js";
import { ShapeError, ArgumentError, fmtShape, type DType } from "../errors.js";

export interface LayerOptions {
  /** the shape of one example (without the batch axis); null entries accept any size */
  inputShape?: (number | null)[];
  name?: string;
  /** the dtype of the layer's weights and of the inputs it takes: "float32" (default) or "float64" */
  dtype?: "float32" | "float64";
}

const counters = new Map<string, number>();
function uniqueName(base: string): string {
  const n = counters.get(base) ?? 0;
  counters.set(base, n + 1);
  return n === 0 ? base : `${base}_${n}`;
}

export abstract class Layer {
  readonly name: string;
  readonly inputShape?: (number | null)[];
  /** The dtype of the weights (and so of the inputs: a float32 input to a float64 layer is a DTypeError naming the cast). */
  readonly dtype: "float32" | "float64";
  protected built = false;

  constructor(options: LayerOptions = {}, kind = "layer") {
    this.name = options.name ?? uniqueName(kind);
    const dt = options?.dtype ?? "float32";
    if (dt !== "float32" && dt !== "float64") {
      throw new ArgumentError(`${this.constructor.name} '${this.name}': dtype must be "float32" or "float64", got ${JSON.stringify(dt)}.`);
    }
    this.dtype = dt;
    if (options.inputShape !== undefined) {
      if (!Array.isArray(options.inputShape) || options.inputShape.some((d) => d !== null && (!Number.isInteger(d) || d < 0))) {
        throw new ArgumentError(`${this.constructor.name} '${this.name}': inputShape must be an array of non-negative integers (or null), got ${JSON.stringify(options.inputShape)}.`);
      }
      this.inputShape = options.inputShape.slice();
    }
  }

  /** Checks the declared inputShape, builds weights on first use, and runs call(). */
  apply(x: Tensor): Tensor {
    if (!(x instanceof Tensor)) throw new ArgumentError(`${this.constructor.name} '${this.name}': expected a Tensor input.`);
    this.checkInput(x);
    if (!this.built) { this.build(x.shape); this.built = true; }
    return this.call(x);
  }

  protected checkInput(x: Tensor): void {
    const want = this.inputShape;
    if (!want) return;
    const got = x.shape.slice(1);
    const ok = got.length === want.length && want.every((d, i) => d === null || d === got[i]);
    if (!ok) {
      throw new ShapeError(`${this.constructor.name} '${this.name}': declared inputShape ${fmtShape(want.map((d) => d ?? -1))} ` +
        `(inputs of shape [batch, ${want.map((d) => d ?? "any").join(", ")}]) but was called with a tensor of shape ${fmtShape(x.shape)}. ` +
        `Fix the declared inputShape or reshape the input.`);
    }
  }

  protected build(_inputShape: readonly number[]): void { /* layers without weights */ }
  abstract call(x: Tensor): Tensor;

  /** The layer's weights, in a fixed order (empty before the first call). */
  get weights(): Variable[] { return []; }
  get trainableWeights(): Variable[] { return this.weights.filter((w) => w.trainable); }

  dispose(): void { for (const w of this.weights) w.dispose(); }
}
