// The explorer's network f(x, t) and its input derivatives, all computed by gradtape.
//
// The seed network is the one from the original report: Flatten(inputShape [2, 1]) -> Dense(28, sigmoid) ->
// Dense(1, sigmoid), fed tensors of shape [n, 2, 1]. "Random weights from a seed" means: one
// `new Generator(seed)` shared by the layers, glorot-uniform kernels and zero biases (Keras' defaults), drawn in
// layer order when the model is first applied. This is the recipe of `gradtape derivatives --seed N` (apps/cli
// seedModel), so seed N here shows the CLI's network; the e2e test rebuilds it in Node the same way.
import { nn, io, tensor, tidy, GradientTape, Generator, type Tensor } from "gradtape";

export const SEED_HIDDEN = 28;

export interface Network {
  model: nn.Sequential;
  /** "2 → 28 sigmoid → 1 sigmoid" */
  summary: string;
  params: number;
  /** where the weights came from: "seed 42" or a file name */
  source: string;
  /** the weights as the JSON text of `gradtape derivatives --json` (gradtape's io.saveWeightsJSON) */
  json(): string;
}

function wrap(model: nn.Sequential, source: string): Network {
  const dense = model.stack.filter((l): l is nn.Dense => l instanceof nn.Dense);
  const params = dense.reduce((s, l) => s + l.weights.reduce((a, w) => a + w.size, 0), 0);
  const summary = ["2", ...dense.map((l) => `${l.units} ${String(l.activation)}`)].join(" → ");
  return { model, summary, params, source, json: () => io.saveWeightsJSON(model, { space: 1 }) };
}

/** The seed network with seeded random weights (see the header comment for the recipe). */
export function seedNetwork(seed: number): Network {
  const g = new Generator(seed);
  const model = new nn.Sequential([
    new nn.Flatten({ inputShape: [2, 1] }),
    new nn.Dense({ units: SEED_HIDDEN, activation: "sigmoid", generator: g }),
    new nn.Dense({ units: 1, activation: "sigmoid", generator: g }),
  ]);
  tidy(() => { model.apply(tensor([[[0], [0]]])); });   // builds the layers: draws the weights
  return wrap(model, `seed ${seed}`);
}

/**
 * A network from a weights file: `{ "weights": { "layers": [...] } }` (the CLI's --json output; its "points" are
 * ignored) or a bare `{ "layers": [...] }`, any number of dense layers from the 2 inputs (x, t) to 1 output.
 * gradtape's io module validates and loads it; a missing activation means linear, as in the CLI. Throws an
 * error whose message names what is wrong.
 */
export function networkFromJSON(text: string, source: string): Network {
  const parsed = io.parseWeightsJSON(text.replace(/^\uFEFF/, ""));
  parsed.forEach((p, i) => {
    const want = i === 0 ? 2 : parsed[i - 1].nout;
    if (p.nin !== want) {
      throw new Error(i === 0
        ? `layers[0].kernel has ${p.nin} rows, but the network's inputs are the 2 values (x, t) (kernel is [in][out])`
        : `layers[${i}].kernel has ${p.nin} rows, but layer ${i - 1} has ${want} outputs; the layers do not chain`);
    }
  });
  const last = parsed[parsed.length - 1];
  if (last.nout !== 1) throw new Error(`the last layer has ${last.nout} outputs; the explorer needs a network with 1 output, f`);
  const model = new nn.Sequential([
    new nn.Flatten({ inputShape: [2, 1] }),
    ...parsed.map((p) => new nn.Dense({ units: p.nout, activation: (p.activation ?? "linear") as nn.ActivationName, useBias: p.bias !== null })),
  ]);
  try {
    tidy(() => { model.apply(tensor([[[0], [0]]])); });
    io.loadWeightsJSON(model, text.replace(/^\uFEFF/, ""));
  } catch (e) { model.dispose(); throw e; }
  return wrap(model, source);
}

export interface PointDerivatives {
  f: number; df_dx: number; df_dt: number;
  d2f_dx2: number; d2f_dxdt: number; d2f_dtdx: number; d2f_dt2: number;
}

/**
 * f and its first and second partials at one point, the way the original report wanted them: nested tapes, the
 * inner gradient with respect to the [1, 2, 1] input, and the outer tape's jacobian of that gradient.
 */
export function pointDerivatives(model: nn.Sequential, x: number, t: number): PointDerivatives {
  return tidy(() => {
    const inp = tensor([[[x], [t]]]);
    const outer = new GradientTape();
    const inner = new GradientTape();
    try {
      let f!: Tensor;
      const g = outer.record(() => {
        outer.watch(inp);
        f = inner.record(() => { inner.watch(inp); return model.apply(inp); });
        return inner.gradient(f, inp)!;            // [1, 2, 1]: df/dx, df/dt
      });
      const H = outer.jacobian(g, inp)!;           // [1, 2, 1, 1, 2, 1]: H[i][j] = d(df/d in_i)/d in_j
      const gd = g.data(), hd = H.data();
      return { f: f.item(), df_dx: gd[0], df_dt: gd[1], d2f_dx2: hd[0], d2f_dxdt: hd[1], d2f_dtdx: hd[2], d2f_dt2: hd[3] };
    } finally { inner.dispose(); outer.dispose(); }
  });
}

export type FieldName = "f" | "df_dx" | "df_dt" | "d2f_dx2" | "d2f_dxdt" | "d2f_dt2";
export type Fields = Record<FieldName, Float32Array>;

/**
 * f and all first and second partials at many points in one batched computation: the inner gradient of sum(f)
 * gives every point's gradient (the points are independent), and two outer gradients with one-hot output
 * gradients give the rows of every point's Hessian.
 */
export function batchDerivatives(model: nn.Sequential, xs: ArrayLike<number>, ts: ArrayLike<number>, secondOrder = true): Partial<Fields> & { f: Float32Array; df_dx: Float32Array; df_dt: Float32Array } {
  const n = xs.length;
  const flat = new Float32Array(2 * n);
  for (let i = 0; i < n; i++) { flat[2 * i] = xs[i]; flat[2 * i + 1] = ts[i]; }
  return tidy(() => {
    const inp = tensor(flat, [n, 2, 1]);
    const outer = new GradientTape({ persistent: true });
    const inner = new GradientTape();
    try {
      let f!: Tensor;
      const g = outer.record(() => {
        outer.watch(inp);
        f = inner.record(() => { inner.watch(inp); return model.apply(inp); });
        return inner.gradient(f, inp)!;            // [n, 2, 1]
      });
      const gd = g.data();
      const df_dx = new Float32Array(n), df_dt = new Float32Array(n);
      for (let i = 0; i < n; i++) { df_dx[i] = gd[2 * i]; df_dt[i] = gd[2 * i + 1]; }
      const out = { f: f.data(), df_dx, df_dt } as Partial<Fields> & { f: Float32Array; df_dx: Float32Array; df_dt: Float32Array };
      if (secondOrder) {
        const ex = new Float32Array(2 * n), et = new Float32Array(2 * n);
        for (let i = 0; i < n; i++) { ex[2 * i] = 1; et[2 * i + 1] = 1; }
        const hx = outer.gradient(g, inp, { outputGradients: tensor(ex, [n, 2, 1]) })!.data();   // [f_xx, f_xt] per point
        const ht = outer.gradient(g, inp, { outputGradients: tensor(et, [n, 2, 1]) })!.data();   // [f_tx, f_tt]
        const d2f_dx2 = new Float32Array(n), d2f_dxdt = new Float32Array(n), d2f_dt2 = new Float32Array(n);
        for (let i = 0; i < n; i++) { d2f_dx2[i] = hx[2 * i]; d2f_dxdt[i] = hx[2 * i + 1]; d2f_dt2[i] = ht[2 * i + 1]; }
        Object.assign(out, { d2f_dx2, d2f_dxdt, d2f_dt2 });
      }
      return out;
    } finally { inner.dispose(); outer.dispose(); }
  });
}
