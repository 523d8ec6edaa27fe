// Choosing the PINN network's body by name: an input embedding (random Fourier features, or an exact periodic
// embedding of some variables) in front of the hidden layers, and the hidden layers as a plain MLP or as Wang, Teng &
// Perdikaris' modified MLP (nn/fourier-features.ts, nn/periodic.ts, nn/modified-mlp.ts). pinn.train's `network`
// option and a problem's `defaults` take the same two fields:
//
//   pinn.train(problem, { network: { hidden: [50, 50, 50, 50], architecture: "modified-mlp",
//                                    embedding: { type: "fourier", features: 64, sigma: 1 } } });
//   defaults: { embedding: { type: "periodic", periods: { x: 2 } } }      // u(x + 2, t) = u(x, t) exactly
//
// The body sees the inputs after PinnNetwork's box-to-[-1, 1] scaling x_s = s x + c, so a period P of a variable
// becomes P s in the scaled coordinate (the phase shift c is harmless: the function stays P-periodic in x).
import { Sequential } from "../nn/model.js";
import { Dense } from "../nn/dense.js";
import type { Layer } from "../nn/layer.js";
import { FourierFeatures } from "../nn/fourier-features.js";
import { PeriodicEmbedding } from "../nn/periodic.js";
import { ModifiedMLP } from "../nn/modified-mlp.js";
import type { ActivationName } from "../nn/activations.js";
import { Generator } from "../random.js";
import { ArgumentError, describe } from "../errors.js";

export type ArchitectureName = "mlp" | "modified-mlp";
export const ARCHITECTURES: readonly ArchitectureName[] = ["mlp", "modified-mlp"];

export type EmbeddingSpec =
  | { type: "fourier"; features: number; sigma?: number; trainable?: boolean; seed?: number }
  | { type: "periodic"; periods: Readonly<Record<string, number>>; harmonics?: number };

/** The network fields pinn.train's `network` option and a problem's defaults share. */
export interface NetworkChoice {
  /** "mlp" (default) or "modified-mlp" (Wang, Teng & Perdikaris 2021) */
  architecture?: ArchitectureName;
  /** an input embedding in front of the hidden layers (default none) */
  embedding?: EmbeddingSpec | null;
}

export interface BodyOptions {
  vars: readonly string[];
  outputs: number;
  hidden: readonly number[];
  activation: ActivationName;
  seed: number;
  /** the input scaling x_s = s x + c applied before the body, or null */
  scaling: { lo: readonly number[]; hi: readonly number[] } | null;
  architecture?: ArchitectureName;
  embedding?: EmbeddingSpec | null;
  name: string;
  /** the dtype of every layer (default "float32") */
  dtype?: "float32" | "float64";
}

/** The embedding layer for a spec (or null for none); `where` names the caller in errors. */
export function makeEmbedding(spec: EmbeddingSpec | null | undefined, o: Pick<BodyOptions, "vars" | "scaling" | "seed" | "name" | "dtype">, where: string): FourierFeatures | PeriodicEmbedding | null {
  if (spec === undefined || spec === null) return null;
  if (typeof spec !== "object") throw new ArgumentError(`${where}: embedding must be { type: "fourier", features, sigma } or { type: "periodic", periods: { var: period } }, but got ${describe(spec)}.`);
  const inputShape = [o.vars.length];
  if (spec.type === "fourier") {
    return new FourierFeatures({ features: spec.features, sigma: spec.sigma, trainable: spec.trainable, seed: spec.seed ?? o.seed + 7919, inputShape, name: `${o.name}/fourier`, dtype: o.dtype });
  }
  if (spec.type === "periodic") {
    const periods = spec.periods;
    if (periods === null || typeof periods !== "object") throw new ArgumentError(`${where}: embedding.periods must map variables to periods, e.g. { x: 2 }, but got ${describe(periods)}.`);
    for (const k of Object.keys(periods)) if (!o.vars.includes(k)) throw new ArgumentError(`${where}: embedding.periods names '${k}', which is not a variable (${o.vars.join(", ")}).`);
    const cols = o.vars.map((v, j) => {
      if (!(v in periods)) return null;
      const p = periods[v];
      if (typeof p !== "number" || !Number.isFinite(p) || !(p > 0)) throw new ArgumentError(`${where}: embedding.periods.${v} must be a finite number > 0, but got ${describe(p)}.`);
      return o.scaling ? (p * 2) / (o.scaling.hi[j] - o.scaling.lo[j]) : p;
    });
    return new PeriodicEmbedding({ periods: cols, harmonics: spec.harmonics, inputShape, name: `${o.name}/periodic`, dtype: o.dtype });
  }
  throw new ArgumentError(`${where}: embedding.type must be "fourier" or "periodic", but got ${describe((spec as { type?: unknown }).type)}.`);
}

/**
 * The network body for these options, or null when it is the plain MLP with no embedding (PinnNetwork's own
 * Dense stack, which jet's Taylor sweep can run).
 */
export function makeBody(o: BodyOptions, where = "pinn.train"): Layer | null {
  const arch = o.architecture ?? "mlp";
  if (!ARCHITECTURES.includes(arch)) throw new ArgumentError(`${where}: architecture must be one of ${ARCHITECTURES.join(", ")}, but got ${describe(o.architecture)}.`);
  const emb = makeEmbedding(o.embedding, o, where);
  if (!emb && arch === "mlp") return null;
  const width = emb ? emb.outputWidth : o.vars.length;
  const gen = new Generator(o.seed);
  let core: Layer;
  if (arch === "modified-mlp") {
    core = new ModifiedMLP({ hidden: o.hidden.slice(), outputs: o.outputs, activation: o.activation, generator: gen, inputShape: [width], name: `${o.name}/modified_mlp`, dtype: o.dtype });
  } else {
    const widths = [...o.hidden, o.outputs];
    core = new Sequential(widths.map((units, i) => new Dense({
      units, activation: i < o.hidden.length ? o.activation : "linear", kernelInitializer: "glorotNormal", generator: gen,
      ...(i === 0 ? { inputShape: [width] } : {}), name: `${o.name}/dense_${i}`, dtype: o.dtype,
    })), { name: `${o.name}/hidden` });
  }
  return emb ? new Sequential([emb, core], { name: `${o.name}/body` }) : core;
}
