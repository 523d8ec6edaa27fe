// Model (subclass it and write call(x)) and Sequential. A model's weights are those of the layers it holds as
// properties (or in arrays), in declaration order.
import type { Tensor } from "../tensor.js";
import { Variable } from "../variable.js";
import { tensor, type NestedArray } from "../tensor.js";
import { ArgumentError, ShapeError, fmtShape } from "../errors.js";
import { Layer, type LayerOptions } from "./layer.js";

export abstract class Model extends Layer {
  constructor(options: LayerOptions = {}) { super(options, "model"); }

  /** Layers held by this model, found in its own properties. */
  get layers(): Layer[] {
    const out: Layer[] = [];
    for (const v of Object.values(this)) {
      if (v instanceof Layer) out.push(v);
      else if (Array.isArray(v)) for (const x of v) if (x instanceof Layer) out.push(x);
    }
    return out;
  }

  get weights(): Variable[] { return this.layers.flatMap((l) => l.weights); }

  /** Copies of the weights as nested arrays, in `weights` order. */
  getWeights(): NestedArray[] { return this.weights.map((w) => w.array()); }

  /** Sets every weight, in `weights` order, checking count and shapes. */
  setWeights(values: (NestedArray | Tensor)[]): void {
    const ws = this.weights;
    if (values.length !== ws.length) {
      throw new ArgumentError(`${this.constructor.name} '${this.name}': setWeights got ${values.length} arrays but the model has ${ws.length} weights (${ws.map((w) => `${w.name} ${fmtShape(w.shape)}`).join(", ")}). Call the model once first so that its layers are built.`);
    }
    ws.forEach((w, i) => {
      const v = values[i];
      const t = typeof v === "object" && v !== null && "shape" in v && "dispose" in v ? (v as Tensor) : tensor(v as NestedArray);
      try {
        if (t.shape.join() !== w.shape.join()) throw new ShapeError(`setWeights: ${w.name} has shape ${fmtShape(w.shape)} but the value given has shape ${fmtShape(t.shape)}.`);
        w.assign(t);
      } finally { if (t !== v) t.dispose(); }
    });
  }
}

export class Sequential extends Model {
  readonly stack: Layer[];
  constructor(layers: Layer[] = [], options: LayerOptions = {}) {
    super(options);
    if (!Array.isArray(layers) || layers.some((l) => !(l instanceof Layer))) throw new ArgumentError("Sequential: expected an array of layers.");
    this.stack = layers.slice();
  }
  add(layer: Layer): void { this.stack.push(layer); }
  call(x: Tensor): Tensor {
    let y = x;
    for (const l of this.stack) {
      const next = l.apply(y);
      if (y !== x) y.dispose();
      y = next;
    }
    return y;
  }
}
