// Seeded random tensors. A Generator owns a core stream (xoshiro128**): the same seed gives the same numbers,
// bit for bit, on every machine. The module-level default generator is reseeded by setSeed().
import { core, writeScratch } from "./backend.js";
import { argError, checkShapeArg } from "./errors.js";
import { wrap, type Tensor } from "./tensor.js";

const genFinalizer = new FinalizationRegistry<number>((id) => { try { core().rngRelease(id); } catch { /* core gone */ } });

export class Generator {
  readonly id: number;
  constructor(readonly seed: number = 0) {
    if (!Number.isInteger(seed)) throw argError("Generator", "seed", "an integer", seed, "");
    this.id = core().rngCreate(seed >>> 0);
    genFinalizer.register(this, this.id);
  }
  uniform(shape: number[], min = 0, max = 1): Tensor {
    checkShapeArg("Generator.uniform", "shape", shape);
    writeScratch(shape);
    return wrap(core().randomUniformOp(shape.length, min, max, this.id), "randomUniform");
  }
  normal(shape: number[], mean = 0, stddev = 1): Tensor {
    checkShapeArg("Generator.normal", "shape", shape);
    writeScratch(shape);
    return wrap(core().randomNormalOp(shape.length, mean, stddev, this.id, false), "randomNormal");
  }
  /** normal, redrawn beyond two standard deviations (Keras' truncated normal) */
  truncatedNormal(shape: number[], mean = 0, stddev = 1): Tensor {
    checkShapeArg("Generator.truncatedNormal", "shape", shape);
    writeScratch(shape);
    return wrap(core().randomNormalOp(shape.length, mean, stddev, this.id, true), "truncatedNormal");
  }
}

let defaultGen: Generator | null = null;
function gen(seed?: number): Generator { if (seed !== undefined) return new Generator(seed); return (defaultGen ??= new Generator(0)); }

/** The default generator (seed 0 until setSeed): what random ops and layers without a seed draw from. */
export function defaultGenerator(): Generator { return gen(); }

/** Reseeds the default generator (used when no seed is passed). */
export function setSeed(seed: number): void { defaultGen = new Generator(seed); }

export function randomUniform(shape: number[], min = 0, max = 1, seed?: number): Tensor { return gen(seed).uniform(shape, min, max); }
export function randomNormal(shape: number[], mean = 0, stddev = 1, seed?: number): Tensor { return gen(seed).normal(shape, mean, stddev); }
export function truncatedNormal(shape: number[], mean = 0, stddev = 1, seed?: number): Tensor { return gen(seed).truncatedNormal(shape, mean, stddev); }
