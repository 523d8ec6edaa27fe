// An independent float64 reference for the CLI tests: a dense network f(x, t) evaluated in second-order forward mode.
// A Jet carries a value, its gradient (d/dx, d/dt) and its Hessian with respect to the two inputs; each operation
// applies the chain rule exactly, so the derivatives are exact up to float64 rounding. No gradtape code is used.
//
//   linear combination  z = sum_i w_i a_i + b:   g = sum w_i g_i,   H = sum w_i H_i
//   activation          y = phi(z):              g = phi'(z) g_z,   H = phi'(z) H_z + phi''(z) g_z g_z^T

export interface Jet { v: number; g: [number, number]; h: [[number, number], [number, number]] }

export interface RefLayer { kernel: number[][]; bias: number[]; activation?: string }

type Phi = (z: number) => [number, number, number]; // value, first, second derivative

const sigmoid = (z: number) => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z)));

export const PHI: Record<string, Phi> = {
  linear: () => [NaN, 1, 0],
  sigmoid: (z) => { const s = sigmoid(z); return [s, s * (1 - s), s * (1 - s) * (1 - 2 * s)]; },
  tanh: (z) => { const y = Math.tanh(z); return [y, 1 - y * y, -2 * y * (1 - y * y)]; },
  relu: (z) => (z > 0 ? [z, 1, 0] : [0, 0, 0]),
  sin: (z) => [Math.sin(z), Math.cos(z), -Math.sin(z)],
  softplus: (z) => { const s = sigmoid(z); return [Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z))), s, s * (1 - s)]; },
};

function activate(a: Jet, name: string): Jet {
  if (name === "linear") return a;
  const phi = PHI[name];
  if (!phi) throw new Error(`reference: unknown activation ${name}`);
  const [v, d1, d2] = phi(a.v);
  const g: [number, number] = [d1 * a.g[0], d1 * a.g[1]];
  const h = [0, 1].map((i) => [0, 1].map((j) => d1 * a.h[i][j] + d2 * a.g[i] * a.g[j])) as Jet["h"];
  return { v, g, h };
}

/** f and its input derivatives at (x, t), in float64. */
export function referenceDerivatives(layers: readonly RefLayer[], x: number, t: number) {
  let acts: Jet[] = [
    { v: x, g: [1, 0], h: [[0, 0], [0, 0]] },
    { v: t, g: [0, 1], h: [[0, 0], [0, 0]] },
  ];
  for (const layer of layers) {
    const units = layer.bias.length;
    const next: Jet[] = [];
    for (let j = 0; j < units; j++) {
      const z: Jet = { v: layer.bias[j], g: [0, 0], h: [[0, 0], [0, 0]] };
      acts.forEach((a, i) => {
        const w = layer.kernel[i][j];
        z.v += w * a.v;
        for (let p = 0; p < 2; p++) {
          z.g[p] += w * a.g[p];
          for (let q = 0; q < 2; q++) z.h[p][q] += w * a.h[p][q];
        }
      });
      next.push(activate(z, layer.activation ?? "linear"));
    }
    acts = next;
  }
  const f = acts[0];
  return {
    f: f.v, df_dx: f.g[0], df_dt: f.g[1],
    d2f_dx2: f.h[0][0], d2f_dxdt: f.h[1][0], d2f_dtdx: f.h[0][1], d2f_dt2: f.h[1][1],
  };
}

export const QUANTITIES = ["f", "df_dx", "df_dt", "d2f_dx2", "d2f_dxdt", "d2f_dtdx", "d2f_dt2"] as const;
export type Quantity = (typeof QUANTITIES)[number];

/** A small seeded PRNG (mulberry32) for test weights and points, independent of gradtape's generator. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let r = Math.imul(a ^ (a >>> 15), 1 | a);
    r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
    return ((r ^ (r >>> 14)) >>> 0) / 4294967296;
  };
}

/** Random dense layers of the given widths (first 2 inputs, last 1 output) with values in [-scale, scale]. */
export function randomLayers(widths: readonly number[], activations: readonly string[], seed: number, scale = 1): RefLayer[] {
  const r = prng(seed);
  const u = () => Math.fround((2 * r() - 1) * scale); // float32 values, so the file holds exactly what gradtape uses
  const layers: RefLayer[] = [];
  for (let l = 0; l + 1 < widths.length; l++) {
    layers.push({
      kernel: Array.from({ length: widths[l] }, () => Array.from({ length: widths[l + 1] }, u)),
      bias: Array.from({ length: widths[l + 1] }, u),
      activation: activations[l],
    });
  }
  return layers;
}
