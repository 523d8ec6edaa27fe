// The modified MLP of Wang, Teng & Perdikaris (2021), "Understanding and mitigating gradient flow pathologies in
// physics-informed neural networks", eqs. (2.34)-(2.38): two encoders of the input,
//
//   U = s(X W_U + b_U),   V = s(X W_V + b_V),
//   H_1 = s(X W_1 + b_1),
//   Z_k = s(H_k W_{z,k} + b_{z,k}),   H_{k+1} = (1 - Z_k) * U + Z_k * V,   k = 1..L,
//   f(X) = H_{L+1} W + b,
//
// with s = tanh by default. `hidden` lists the L + 1 hidden widths (H_1 and the L gates; all equal, since U and V are
// mixed into every H_k): [50, 50, 50, 50] is the paper's 4 hidden layers of 50. The gates carry the input's
// encodings into every layer (like a residual connection), which the paper found more robust for stiff problems.
// (1 - Z) U + Z V is computed as U + Z (V - U): the same function, one multiply fewer.
//
// Built from Dense layers and add/sub/mul, so input derivatives of any order exist through GradientTapes; jet runs
// it on nested tapes (its Taylor sweep covers Sequential stacks of Dense layers only).
import type { Tensor } from "../tensor.js";
import { add, sub, mul, zeros } from "../ops.js";
import { tidy } from "../memory.js";
import { Generator } from "../random.js";
import { ArgumentError, ShapeError, describe, fmtShape } from "../errors.js";
import { Dense } from "./dense.js";
import { Model } from "./model.js";
import type { LayerOptions } from "./layer.js";
import type { Activation } from "./activations.js";
import type { Initializer } from "./initializers.js";

export interface ModifiedMLPOptions extends LayerOptions {
  /** widths of H_1 and of the L gate layers, all equal, at least two entries (L >= 1) */
  hidden: number[];
  /** output columns (default 1); the output layer is linear */
  outputs?: number;
  /** hidden activation s (default "tanh") */
  activation?: Activation;
  /** weight initializer (default "glorotNormal", the paper's Xavier initialization) */
  kernelInitializer?: Initializer;
  /** seed of the initial weights (default 0), or a generator to draw from */
  seed?: number;
  generator?: Generator;
}

export class ModifiedMLP extends Model {
  readonly hidden: readonly number[];
  readonly outputs: number;
  readonly encoderU: Dense;
  readonly encoderV: Dense;
  readonly first: Dense;
  readonly gates: Dense[];
  readonly head: Dense;

  constructor(options: ModifiedMLPOptions) {
    super({ name: options?.name ?? "modified_mlp", ...(options?.inputShape ? { inputShape: options.inputShape } : {}) });
    const where = `ModifiedMLP '${this.name}'`;
    if (options === null || typeof options !== "object") throw new ArgumentError(`${where}: expected options { hidden, outputs }, but got ${describe(options)}.`);
    const h = options.hidden;
    if (!Array.isArray(h) || h.length < 2 || h.some((w) => !Number.isInteger(w) || w < 1)) {
      throw new ArgumentError(`${where}: hidden must list at least two positive integer widths (H_1 and one gate layer), but got ${describe(h)}.`);
    }
    if (h.some((w) => w !== h[0])) throw new ArgumentError(`${where}: hidden widths must all be equal (U and V are mixed into every hidden layer), but got ${describe(h)}.`);
    const outputs = options.outputs ?? 1;
    if (!Number.isInteger(outputs) || outputs < 1) throw new ArgumentError(`${where}: outputs must be a positive integer, but got ${describe(options.outputs)}.`);
    this.hidden = h.slice(); this.outputs = outputs;
    const gen = options.generator ?? new Generator(options.seed ?? 0);
    const act = options.activation ?? "tanh";
    const init = options.kernelInitializer ?? "glorotNormal";
    const inputShape = options.inputShape ? { inputShape: options.inputShape } : {};
    const dense = (units: number, name: string, activation: Activation, first: boolean) =>
      new Dense({ units, activation, kernelInitializer: init, generator: gen, name: `${this.name}/${name}`, dtype: this.dtype, ...(first ? inputShape : {}) });
    this.encoderU = dense(h[0], "encoder_u", act, true);
    this.encoderV = dense(h[0], "encoder_v", act, true);
    this.first = dense(h[0], "dense_0", act, true);
    this.gates = h.slice(1).map((w, k) => dense(w, `gate_${k + 1}`, act, false));
    this.head = dense(outputs, "output", "linear", false);
    // with a known input width, build every layer now (weights exist right after construction, as for Dense)
    if (options.inputShape) { const d = options.inputShape[0] ?? 1; tidy(() => { this.apply(zeros([1, d], this.dtype)); }); }
  }

  call(x: Tensor): Tensor {
    if (x.rank !== 2) throw new ShapeError(`ModifiedMLP '${this.name}': expected inputs of shape [N, d], got ${fmtShape(x.shape)}.`);
    return tidy(() => {
      const U = this.encoderU.apply(x);
      const VmU = sub(this.encoderV.apply(x), U);
      let H = this.first.apply(x);
      for (const g of this.gates) H = add(U, mul(g.apply(H), VmU));
      return this.head.apply(H);
    });
  }
}
