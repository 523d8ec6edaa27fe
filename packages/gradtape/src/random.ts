// Seeded random tensors. A Generator owns a core stream (xoshiro128**): the same seed gives the same numbers,
// bit for bit, on every machine. The module-level default generator is reseeded by setSeed().
import { core, writeScratch } from "./backend.js";
import { ArgumentError, DTYPES, type DType } from "./errors.js";
import * as check from "./check.js";
import { wrap, type Tensor } from "./tensor.js";

const genFinalizer = new FinalizationRegistry<number>((id) => { try { core().rngRelease(id); } catch { /* core gone */ } });

export class Generator {
  readonly id: number;
  constructor(readonly seed: number = 0) {
    // seeds are 32-bit: a larger one would wrap onto another seed's stream (2^32 + 1 gave the numbers of 1)
    check.int("Generator", "seed", seed, 0, 2 ** 32 - 1);
    this.id = core().rngCreate(seed >>> 0);
    genFinalizer.register(this, this.id);
  }
  /** float64 draws are the float32 draws, widened exactly (a float64 network starts where its float32 twin does). */
  uniform(shape: number[], min = 0, max = 1, dtype: DType = "float32"): Tensor {
    args("randomUniform", shape, min, max, "min", "max"); check.dtype("randomUniform", "dtype", dtype);
    if (!(min <= max)) throw new ArgumentError(`randomUniform: min (${min}) must not be above max (${max}).`);
    writeScratch(shape);
    return wrap(core().randomUniformOp(shape.length, min, max, this.id, DTYPES.indexOf(dtype)), "randomUniform");
  }
  normal(shape: number[], mean = 0, stddev = 1, dtype: DType = "float32"): Tensor {
    args("randomNormal", shape, mean, stddev, "mean", "stddev"); check.dtype("randomNormal", "dtype", dtype);
    writeScratch(shape);
    return wrap(core().randomNormalOp(shape.length, mean, stddev, this.id, false, DTYPES.indexOf(dtype)), "randomNormal");
  }
  /** normal, redrawn beyond two standard deviations (Keras' truncated normal) */
  truncatedNormal(shape: number[], mean = 0, stddev = 1, dtype: DType = "float32"): Tensor {
    args("truncatedNormal", shape, mean, stddev, "mean", "stddev"); check.dtype("truncatedNormal", "dtype", dtype);
    writeScratch(shape);
    return wrap(core().randomNormalOp(shape.length, mean, stddev, this.id, true, DTYPES.indexOf(dtype)), "truncatedNormal");
  }
}

function args(op: string, shape: unknown, a: unknown, b: unknown, an: string, bn: string): void {
  check.shape(op, "shape", shape); check.num(op, an, a, true); check.num(op, bn, b, true);
  if (bn === "stddev" && (b as number) < 0) throw new ArgumentError(`${op}: stddev must be >= 0, but got ${b}.`);
}

let defaultGen: Generator | null = null;
function gen(seed?: number, op = "Generator"): Generator {
  if (seed !== undefined) { check.int(op, "seed", seed, 0, 2 ** 32 - 1); return new Generator(seed); }
  return (defaultGen ??= new Generator(0));
}

/** The default generator (seed 0 until setSeed): what random ops and layers without a seed draw from. */
export function defaultGenerator(): Generator { return gen(); }

/** Reseeds the default generator (used when no seed is passed). */
export function setSeed(seed: number): void { defaultGen = new Generator(seed); }

export function randomUniform(shape: number[], min = 0, max = 1, seed?: number): Tensor { return gen(seed, "randomUniform").uniform(shape, min, max); }
export function randomNormal(shape: number[], mean = 0, stddev = 1, seed?: number): Tensor { return gen(seed, "randomNormal").normal(shape, mean, stddev); }
export function truncatedNormal(shape: number[], mean = 0, stddev = 1, seed?: number): Tensor { return gen(seed, "truncatedNormal").truncatedNormal(shape, mean, stddev); }
