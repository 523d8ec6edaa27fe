// Flatten: [batch, ...] -> [batch, prod(...)], a view (no copy). Checks its declared inputShape on every call.
import type { Tensor } from "../tensor.js";
import { reshape } from "../ops.js";
import { Layer, type LayerOptions } from "./layer.js";

export class Flatten extends Layer {
  constructor(options: LayerOptions = {}) { super(options, "flatten"); }
  call(x: Tensor): Tensor { return reshape(x, [x.rank === 0 ? 1 : x.shape[0], -1]); }
}
