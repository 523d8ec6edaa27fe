// The seed network from the original report, evaluated independently in float64:
//   input [1, 2, 1] -> Flatten -> (x, t) -> Dense(28, sigmoid) -> Dense(1, sigmoid) -> f
// and its input derivatives f, df/dx, df/dt, d2f/dx2, d2f/dxdt, d2f/dtdx, d2f/dt2, computed exactly
// with second-order jets (dual.ts). Weights use the CLI's JSON format: kernel [in][out], bias [out].

import * as D from "./dual.js";
import { Jet } from "./dual.js";
import { Rng } from "./rng.js";
import * as S from "./scalar.js";

export const ACTIVATIONS = ["linear", "sigmoid", "tanh", "relu", "sin", "softplus"] as const;
export type Activation = (typeof ACTIVATIONS)[number];

export interface DenseLayerWeights {
  kernel: number[][]; // [in][out]
  bias: number[]; // [out]
  activation: string; // one of ACTIVATIONS
}
export interface Weights {
  layers: DenseLayerWeights[];
}

export interface SeedDerivatives {
  f: number;
  df_dx: number;
  df_dt: number;
  d2f_dx2: number;
  d2f_dxdt: number;
  d2f_dtdx: number;
  d2f_dt2: number;
}

/** The seed network's shape: 2 inputs, 28 sigmoid units, 1 sigmoid output. */
export const SEED_INPUT_SHAPE = [1, 2, 1] as const;
export const SEED_HIDDEN_UNITS = 28;

const JET_ACT: Record<Activation, (a: Jet) => Jet> = {
  linear: (a) => a,
  sigmoid: D.sigmoid,
  tanh: D.tanh,
  relu: D.relu,
  sin: D.sin,
  softplus: D.softplus,
};
const F64_ACT: Record<Activation, (x: number) => number> = {
  linear: (x) => x,
  sigmoid: S.sigmoid,
  tanh: S.tanh,
  relu: S.relu,
  sin: S.sin,
  softplus: S.softplus,
};

/** A network: the weights-file object `{ layers }`, or its `layers` array alone. */
export type Network = Weights | readonly DenseLayerWeights[];
const layersOf = (net: Network): readonly DenseLayerWeights[] => (Array.isArray(net) ? net : (net as Weights).layers);

function activationOf(name: string, layer: number): Activation {
  if (!(ACTIVATIONS as readonly string[]).includes(name)) {
    throw new Error(`layer ${layer}: unknown activation "${name}" (expected one of ${ACTIVATIONS.join(", ")})`);
  }
  return name as Activation;
}

/** Checks that the layers chain (kernel [in][out], bias [out]) from `inputs` inputs; returns the output width. */
export function validateWeights(net: Network, inputs: number): number {
  const layers = net ? layersOf(net) : undefined;
  if (!Array.isArray(layers) || layers.length === 0) throw new Error("weights: no layers");
  let width = inputs;
  layers.forEach((L, l) => {
    activationOf(L.activation, l);
    if (!Array.isArray(L.kernel) || L.kernel.length !== width) {
      throw new Error(`layer ${l}: kernel has ${L.kernel?.length} rows, expected ${width} (its input width)`);
    }
    const out = L.bias.length;
    for (const row of L.kernel) {
      if (!Array.isArray(row) || row.length !== out) throw new Error(`layer ${l}: kernel row length ${row?.length}, expected ${out} (bias length)`);
      for (const v of row) if (typeof v !== "number" || !Number.isFinite(v)) throw new Error(`layer ${l}: non-finite kernel value ${v}`);
    }
    for (const v of L.bias) if (typeof v !== "number" || !Number.isFinite(v)) throw new Error(`layer ${l}: non-finite bias value ${v}`);
    width = out;
  });
  return width;
}

/** Plain float64 forward pass (no derivatives): the function that finite differences are taken of. */
export function mlpForward(net: Network, point: readonly number[]): number[] {
  validateWeights(net, point.length);
  let h = [...point];
  layersOf(net).forEach((L, l) => {
    const act = F64_ACT[activationOf(L.activation, l)];
    h = L.bias.map((b, j) => {
      let z = b;
      for (let i = 0; i < h.length; i++) z += h[i] * L.kernel[i][j];
      return act(z);
    });
  });
  return h;
}

/**
 * Forward pass in second-order jets with respect to the input point: one Jet per output, carrying
 * the value, the gradient and the Hessian with respect to point[0..n-1]. Exact (no step size).
 */
export function mlpJet(net: Network, point: readonly number[]): Jet[] {
  validateWeights(net, point.length);
  let h: Jet[] = D.variables([...point]);
  layersOf(net).forEach((L, l) => {
    const act = JET_ACT[activationOf(L.activation, l)];
    h = L.bias.map((b, j) => act(D.affine(h, h.map((_, i) => L.kernel[i][j]), b)));
  });
  return h;
}

/** f and all first and second partials of the seed network (or any 2-input, 1-output MLP) at (x, t). */
export function seedForward(net: Network, x: number, t: number): SeedDerivatives {
  const out = mlpJet(net, [x, t]);
  if (out.length !== 1) throw new Error(`seedForward: the network has ${out.length} outputs, expected 1`);
  const f = out[0];
  return {
    f: f.v,
    df_dx: f.g[0],
    df_dt: f.g[1],
    d2f_dx2: f.hess(0, 0),
    d2f_dxdt: f.hess(0, 1),
    d2f_dtdx: f.hess(1, 0),
    d2f_dt2: f.hess(1, 1),
  };
}

/**
 * Random weights for a dense network (Glorot-uniform kernels, small random biases), seeded.
 * Defaults give the seed network: 2 -> 28 sigmoid -> 1 sigmoid.
 */
export function randomWeights(
  seed: number | string,
  sizes: readonly number[] = [2, SEED_HIDDEN_UNITS, 1],
  activations: readonly string[] = ["sigmoid", "sigmoid"],
): Weights {
  if (activations.length !== sizes.length - 1) throw new Error(`randomWeights: ${activations.length} activations for ${sizes.length - 1} layers`);
  const rng = new Rng(seed);
  const layers: DenseLayerWeights[] = [];
  for (let l = 0; l + 1 < sizes.length; l++) {
    const [fanIn, fanOut] = [sizes[l], sizes[l + 1]];
    const lim = Math.sqrt(6 / (fanIn + fanOut));
    layers.push({
      kernel: Array.from({ length: fanIn }, () => Array.from({ length: fanOut }, () => rng.uniform(-lim, lim))),
      bias: Array.from({ length: fanOut }, () => rng.uniform(-0.1, 0.1)),
      activation: activations[l],
    });
  }
  return { layers };
}
