// Weight initializers (Glorot & Bengio 2010; He et al. 2015), drawing from a seeded Generator so that a run is
// reproducible bit for bit. The normal variants use Keras' truncated normal (redrawn beyond 2 sd), whose standard
// deviation is divided by 0.87962566103423978 so that the truncated distribution keeps the intended variance.
import type { Tensor } from "../tensor.js";
import { Generator } from "../random.js";
import { zeros, ones } from "../ops.js";
import { ArgumentError } from "../errors.js";

export type InitializerName = "glorotUniform" | "glorotNormal" | "heUniform" | "heNormal" | "zeros" | "ones";
export type Initializer = InitializerName | ((shape: number[], gen: Generator) => Tensor);

const TRUNC = 0.87962566103423978;

function fans(shape: number[]): [number, number] {
  if (shape.length < 2) return [shape[0] ?? 1, shape[0] ?? 1];
  const receptive = shape.slice(0, -2).reduce((a, b) => a * b, 1);
  return [shape[shape.length - 2] * receptive, shape[shape.length - 1] * receptive];
}

/**
 * The initial weights of `shape` in `dtype`. float64 weights are the float32 draws widened exactly (random.ts), so
 * a float64 layer starts from the weights of the float32 layer with the same seed; a function initializer's result
 * is cast to dtype.
 */
export function initialize(init: Initializer, shape: number[], gen: Generator, dtype: "float32" | "float64" = "float32"): Tensor {
  if (typeof init === "function") { const t = init(shape, gen); return t.dtype === dtype ? t : t.cast(dtype); }
  const [fanIn, fanOut] = fans(shape);
  switch (init) {
    case "glorotUniform": { const l = Math.sqrt(6 / (fanIn + fanOut)); return gen.uniform(shape, -l, l, dtype); }
    case "glorotNormal": return gen.truncatedNormal(shape, 0, Math.sqrt(2 / (fanIn + fanOut)) / TRUNC, dtype);
    case "heUniform": { const l = Math.sqrt(6 / fanIn); return gen.uniform(shape, -l, l, dtype); }
    case "heNormal": return gen.truncatedNormal(shape, 0, Math.sqrt(2 / fanIn) / TRUNC, dtype);
    case "zeros": return zeros(shape, dtype);
    case "ones": return ones(shape, dtype);
    default: throw new ArgumentError(`initializer: unknown name ${JSON.stringify(init)}; use glorotUniform, glorotNormal, heUniform, heNormal, zeros or ones.`);
  }
}
