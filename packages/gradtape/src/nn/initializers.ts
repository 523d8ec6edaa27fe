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

export function initialize(init: Initializer, shape: number[], gen: Generator): Tensor {
  if (typeof init === "function") return init(shape, gen);
  const [fanIn, fanOut] = fans(shape);
  switch (init) {
    case "glorotUniform": { const l = Math.sqrt(6 / (fanIn + fanOut)); return gen.uniform(shape, -l, l); }
    case "glorotNormal": return gen.truncatedNormal(shape, 0, Math.sqrt(2 / (fanIn + fanOut)) / TRUNC);
    case "heUniform": { const l = Math.sqrt(6 / fanIn); return gen.uniform(shape, -l, l); }
    case "heNormal": return gen.truncatedNormal(shape, 0, Math.sqrt(2 / fanIn) / TRUNC);
    case "zeros": return zeros(shape);
    case "ones": return ones(shape);
    default: throw new ArgumentError(`initializer: unknown name ${JSON.stringify(init)}; use glorotUniform, glorotNormal, heUniform, heNormal, zeros or ones.`);
  }
}
