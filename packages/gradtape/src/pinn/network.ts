// The PINN network: an MLP (Dense layers, tanh by default) behind an optional fixed input scaling that maps the
// domain box onto [-1, 1]^d (as Raissi et al. do), which keeps tanh out of saturation whatever the box is.
// Derivatives are taken with respect to the unscaled inputs, so the scaling's chain rule is automatic.
//
// For weight files the scaling is folded into the first layer (W' = diag(s) W, b' = b + c W for x_s = s x + c):
// toSequential() gives a plain MLP on the raw inputs, the format `gradtape derivatives` reads.
import { Tensor, fromFlat } from "../tensor.js";
import { Model, Sequential } from "../nn/model.js";
import { Dense } from "../nn/dense.js";
import type { Layer } from "../nn/layer.js";
import type { ActivationName } from "../nn/activations.js";
import type { Initializer } from "../nn/initializers.js";
import { Generator } from "../random.js";
import { tidy, keep } from "../memory.js";
import { zeros, mul, add } from "../ops.js";
import { ArgumentError, describe } from "../errors.js";
import { buildDenseStack } from "../io/layers.js";

export interface NetworkOptions {
  /** input columns */
  inputs: number;
  /** output columns (default 1) */
  outputs?: number;
  /** hidden layer widths (default [20, 20, 20, 20]) */
  hidden?: number[];
  /** hidden activation (default "tanh"); the output layer is linear */
  activation?: ActivationName;
  /** weight initializer (default "glorotNormal", Raissi et al.'s Xavier initialization) */
  kernelInitializer?: Initializer;
  /** seed of the initial weights (default 0) */
  seed?: number;
  /** scale inputs from the box [lo, hi] to [-1, 1] (omit or null for no scaling) */
  scale?: { lo: readonly number[]; hi: readonly number[] } | null;
  name?: string;
  /** a body to use instead of the Dense stack (an embedding or another architecture: pinn/architecture.ts) */
  body?: Layer | null;
  /** the dtype of the weights, the input scaling and so of the points it takes (default "float32") */
  dtype?: "float32" | "float64";
}

export class PinnNetwork extends Model {
  readonly mlp: Sequential;
  readonly inputs: number;
  readonly outputs: number;
  readonly hidden: readonly number[];
  readonly activation: ActivationName;
  /** the box mapped to [-1, 1], or null */
  readonly scaling: { lo: readonly number[]; hi: readonly number[] } | null;
  #s: Tensor | null = null;
  #c: Tensor | null = null;

  constructor(options: NetworkOptions) {
    super({ name: options?.name ?? "pinn", dtype: options?.dtype });
    const dtype = this.dtype;
    const op = "PinnNetwork";
    const { inputs } = options;
    const outputs = options.outputs ?? 1;
    const hidden = options.hidden ?? [20, 20, 20, 20];
    if (!Number.isInteger(inputs) || inputs < 1) throw new ArgumentError(`${op}: inputs must be a positive integer, but got ${describe(inputs)}.`);
    if (!Number.isInteger(outputs) || outputs < 1) throw new ArgumentError(`${op}: outputs must be a positive integer, but got ${describe(outputs)}.`);
    if (!Array.isArray(hidden) || hidden.some((h) => !Number.isInteger(h) || h < 1)) throw new ArgumentError(`${op}: hidden must be an array of positive integers (layer widths), but got ${describe(hidden)}.`);
    this.inputs = inputs; this.outputs = outputs; this.hidden = hidden.slice();
    this.activation = options.activation ?? "tanh";
    const gen = new Generator(options.seed ?? 0);
    const init = options.kernelInitializer ?? "glorotNormal";
    const widths = [...hidden, outputs];
    this.mlp = options.body ? new Sequential([options.body], { name: `${this.name}/mlp` }) : new Sequential(widths.map((units, i) => new Dense({
      units, activation: i < hidden.length ? this.activation : "linear", kernelInitializer: init, generator: gen,
      ...(i === 0 ? { inputShape: [inputs] } : {}), name: `${this.name}/dense_${i}`, dtype,
    })), { name: `${this.name}/mlp` });
    tidy(() => { this.mlp.apply(zeros([1, inputs], dtype)); });
    this.scaling = null;
    if (options.scale) {
      const { lo, hi } = options.scale;
      if (lo.length !== inputs || hi.length !== inputs || lo.some((v, i) => !(Number.isFinite(v) && Number.isFinite(hi[i]) && hi[i] > v))) {
        throw new ArgumentError(`${op}: scale must give ${inputs} finite intervals lo < hi, but got lo ${describe(lo)}, hi ${describe(hi)}.`);
      }
      this.scaling = { lo: lo.slice(), hi: hi.slice() };
      const s = lo.map((l, i) => 2 / (hi[i] - l));
      const c = lo.map((l, i) => -1 - 2 * l / (hi[i] - l));
      this.#s = keep(fromFlat(s, [1, inputs], dtype, op));
      this.#c = keep(fromFlat(c, [1, inputs], dtype, op));
    }
  }

  call(x: Tensor): Tensor {
    if (!this.#s) return this.mlp.apply(x);
    return tidy(() => this.mlp.apply(add(mul(x, this.#s!), this.#c!)));
  }

  /**
   * The Taylor form gt.jet and pinn.derivatives run (jet/steps.ts): the input scaling x_s = s x + c, then the MLP.
   * c is computed as -1 - lo s here (float64, then rounded once to float32 by the engine).
   */
  jetForm(): { body: Layer; scale: number[]; shift: number[] } {
    if (!this.scaling) return { body: this.mlp, scale: new Array<number>(this.inputs).fill(1), shift: new Array<number>(this.inputs).fill(0) };
    const { lo, hi } = this.scaling;
    const scale = lo.map((l, j) => 2 / (hi[j] - l));
    return { body: this.mlp, scale, shift: lo.map((l, j) => -1 - l * scale[j]) };
  }

  /** The Dense layers, in order. */
  get dense(): Dense[] { return this.mlp.stack as Dense[]; }

  /** A plain MLP on the raw inputs with the same function (the scaling folded into the first layer); dispose it after use. */
  toSequential(): Sequential {
    const layers = this.dense;
    if (!layers.every((l) => l instanceof Dense)) throw new ArgumentError(`PinnNetwork.toSequential: '${this.name}' has an embedding or a non-MLP architecture, which a plain Dense stack cannot represent; save its weights with its own layers instead.`);
    const model = buildDenseStack(layers.map((l, i) => ({
      nin: i === 0 ? this.inputs : layers[i - 1].units, nout: l.units, bias: l.useBias, activation: l.activation as ActivationName,
    })), `${this.name}/raw`, this.dtype);   // a float64 network folds into a float64 MLP (its files are F64)
    const values: (Float32Array | Float64Array)[] = [];
    layers.forEach((l, i) => {
      let k = l.kernel!.data(), b = l.bias ? l.bias.data() : null;
      if (i === 0 && this.scaling) {
        const { lo, hi } = this.scaling;
        const nin = this.inputs, nout = l.units;
        const k2 = new Float32Array(k.length), b2 = new Float32Array(nout);
        for (let o = 0; o < nout; o++) {
          let acc = b ? b[o] : 0;
          for (let j = 0; j < nin; j++) {
            const s = 2 / (hi[j] - lo[j]), c = -1 - (2 * lo[j]) / (hi[j] - lo[j]);
            k2[j * nout + o] = s * k[j * nout + o];
            acc += c * k[j * nout + o];
          }
          b2[o] = acc;
        }
        k = k2;
        b = b2;
        if (!l.bias) throw new ArgumentError(`PinnNetwork.toSequential: the first layer has no bias, so the input scaling cannot be folded into it.`);
      }
      values.push(k);
      if (b) values.push(b);
    });
    const ws = model.weights;
    tidy(() => ws.forEach((w, i) => w.assign(fromFlat(values[i], w.shape, w.dtype, "toSequential"))));
    return model;
  }

  dispose(): void {
    super.dispose();
    this.#s?.dispose(); this.#c?.dispose();
  }
}

/** Whether a layer is a PinnNetwork. */
export function isPinnNetwork(l: Layer): l is PinnNetwork { return l instanceof PinnNetwork; }
