// The explorer's network f(x, t) and its input derivatives, all computed by gradtape: the weights file is read by
// gradtape's io, the derivatives by gt.jet (the library's one input-derivative engine, as `gradtape derivatives`).
//
// The seed network is the one from the original report: Flatten(inputShape [2, 1]) -> Dense(28, sigmoid) ->
// Dense(1, sigmoid), fed tensors of shape [n, 2, 1]. "Random weights from a seed" means: one
// `new Generator(seed)` shared by the layers, glorot-uniform kernels and zero biases (Keras' defaults), drawn in
// layer order when the model is first applied. This is the recipe of `gradtape derivatives --seed N` (apps/cli
// seedModel), so seed N here shows the CLI's network; the e2e test rebuilds it in Node the same way.
import { nn, io, tensor, tidy, jet, Generator } from "gradtape";

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
 * gradtape's io validates and builds it (io.modelFromWeightsJSON: the library's rules); the explorer checks the
 * 2 inputs and 1 output. Throws an error whose message names what is wrong.
 */
export function networkFromJSON(text: string, source: string): Network {
  const dense = io.modelFromWeightsJSON(text);
  const layers = dense.stack as nn.Dense[];
  const nin = layers[0].kernel!.shape[0], last = layers[layers.length - 1];
  const problem = nin !== 2 ? `layers[0].kernel has ${nin} rows, but the network's inputs are the 2 values (x, t) (kernel is [in][out])`
    : last.units !== 1 ? `the last layer has ${last.units} outputs; the explorer needs a network with 1 output, f` : null;
  if (problem) { dense.dispose(); throw new Error(problem); }
  return wrap(new nn.Sequential([new nn.Flatten({ inputShape: [2, 1] }), ...layers]), source);
}

export interface PointDerivatives {
  f: number; df_dx: number; df_dt: number;
  d2f_dx2: number; d2f_dxdt: number; d2f_dtdx: number; d2f_dt2: number;
}

const FIRST = ["u", "u_x", "u_t"] as const;
const SECOND = ["u", "u_x", "u_t", "u_xx", "u_xt", "u_tt"] as const;

/** gt.jet at the points (x_i, t_i), fed as the report's [n, 2, 1] inputs; each name's values as a Float32Array (a float64
 * model's, from a float64 weights file, rounded: the page draws float32). */
function jetAt(model: nn.Sequential, xs: ArrayLike<number>, ts: ArrayLike<number>, names: readonly string[]): Float32Array[] {
  const n = xs.length;
  const flat = new Float32Array(2 * n);
  for (let i = 0; i < n; i++) { flat[2 * i] = xs[i]; flat[2 * i + 1] = ts[i]; }
  return tidy(() => {
    const r = jet(model, tensor(flat, [n, 2, 1]), { derivatives: names, vars: ["x", "t"] });
    return names.map((k) => { const d = r[k].data(); return d instanceof Float32Array ? d : Float32Array.from(d); });
  });
}

/** f and its first and second partials at one point (d2f_dxdt and d2f_dtdx are the one mixed partial). */
export function pointDerivatives(model: nn.Sequential, x: number, t: number): PointDerivatives {
  const [f, fx, ft, fxx, fxt, ftt] = jetAt(model, [x], [t], SECOND).map((a) => a[0]);
  return { f, df_dx: fx, df_dt: ft, d2f_dx2: fxx, d2f_dxdt: fxt, d2f_dtdx: fxt, d2f_dt2: ftt };
}

export type FieldName = "f" | "df_dx" | "df_dt" | "d2f_dx2" | "d2f_dxdt" | "d2f_dt2";
export type Fields = Record<FieldName, Float32Array>;

/** f and its first (and, with secondOrder, second) partials at many points in one batched call of gt.jet. */
export function batchDerivatives(model: nn.Sequential, xs: ArrayLike<number>, ts: ArrayLike<number>, secondOrder = true): Partial<Fields> & { f: Float32Array; df_dx: Float32Array; df_dt: Float32Array } {
  const [f, df_dx, df_dt, d2f_dx2, d2f_dxdt, d2f_dt2] = jetAt(model, xs, ts, secondOrder ? SECOND : FIRST);
  return secondOrder ? { f, df_dx, df_dt, d2f_dx2, d2f_dxdt, d2f_dt2 } : { f, df_dx, df_dt };
}
