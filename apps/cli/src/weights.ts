// The weights file: parse and validate it, build the gradtape network it describes, and serialize a network back.
//
//   { "weights": { "layers": [ { "kernel": [[...]], "bias": [...], "activation": "sigmoid" }, ... ] } }
//
// (the bare { "layers": [...] } is accepted too). kernel is [in][out] (the layout of nn.Dense's kernel: y = x W + b),
// bias has one number per output, activation is one of ACTIVATIONS (default "linear"). The first layer takes the two
// inputs (x, t); each layer takes the previous layer's outputs; the last layer has one output, f. The network built
// is Flatten({ inputShape: [2, 1] }) followed by one nn.Dense per layer, so it takes inputs of shape [N, 2, 1].
//
// Every problem is a CliError (exit code 2) naming the source, the JSON path (layer index and field), what was
// expected and what was given.
import { readFile } from "node:fs/promises";
import { nn, zeros, tidy, Generator } from "gradtape";
import { CliError, describeValue, oneLine } from "./errors.js";
import { float32Number } from "./format.js";
import type { Io } from "./command.js";

export const ACTIVATIONS = ["linear", "sigmoid", "tanh", "relu", "sin", "softplus"] as const;
export type ActivationName = (typeof ACTIVATIONS)[number];

export interface DenseWeights {
  /** [in][out] */
  kernel: number[][];
  /** [out] */
  bias: number[];
  activation: ActivationName;
}
export interface Weights { layers: DenseWeights[] }

/** The shape of one example: the point (x, t) as a column, as in the original report. */
export const INPUT_SHAPE = [2, 1] as const;
const INPUTS = 2;
const LAYER_FIELDS = ["kernel", "bias", "activation"];
const F32_MAX = 3.4028234663852886e38;

// ---- parsing and validation ----

/** Parses the text of a weights file; `source` names it in messages (e.g. `weights file w.json`). */
export function parseWeights(text: string, source: string): Weights {
  let json: unknown;
  try {
    json = JSON.parse(text.replace(/^\uFEFF/, ""));
  } catch (e) {
    throw new CliError(`${source}: not valid JSON: ${jsonErrorMessage(e, text)}`);
  }
  return validateWeights(json, source);
}

function jsonErrorMessage(e: unknown, text: string): string {
  let msg = e instanceof Error ? e.message : String(e);
  // V8 quotes the whole input in some messages ("Unexpected token 'x', "{ ... }" is not valid JSON"): drop the quote
  msg = msg.replace(/, ".*" is not valid JSON$/s, "");
  const m = /at position (\d+)/.exec(msg);
  const end = /end of JSON input/.test(msg);
  if (m || end) {
    const pos = m ? Number(m[1]) : text.length;
    const before = text.slice(0, pos).split("\n");
    msg += ` (line ${before.length}, column ${before[before.length - 1].length + 1})`;
  }
  if (text.trim() === "") msg = "the file is empty";
  return oneLine(msg, 200);
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Checks an already-parsed JSON value and returns the weights it holds. */
export function validateWeights(json: unknown, source: string): Weights {
  const fail = (path: string, msg: string): never => { throw new CliError(`${source}: ${path ? `${path}: ` : ""}${msg}`); };
  if (!isObject(json)) {
    fail("", `expected a JSON object {"weights": {"layers": [...]}} (or {"layers": [...]}), got ${describeValue(json)}`);
  }
  const root = json as Record<string, unknown>;
  let layersJson: unknown;
  let base: string;
  if ("weights" in root) {
    if (!isObject(root.weights)) fail("weights", `expected an object {"layers": [...]}, got ${describeValue(root.weights)}`);
    layersJson = (root.weights as Record<string, unknown>).layers;
    base = "weights.layers";
  } else if ("layers" in root) {
    layersJson = root.layers;
    base = "layers";
  } else {
    const keys = Object.keys(root);
    return fail("", `expected a "weights" (or "layers") field, got ${keys.length ? `only ${keys.map((k) => JSON.stringify(k)).join(", ")}` : "an empty object"}`);
  }
  if (!Array.isArray(layersJson) || layersJson.length === 0) {
    fail(base, `expected a non-empty array of dense layers {"kernel", "bias", "activation"}, got ${describeValue(layersJson)}`);
  }
  const layers: DenseWeights[] = [];
  const arr = layersJson as unknown[];
  let inputs = INPUTS;
  arr.forEach((layerJson, i) => {
    const at = `${base}[${i}]`;
    const feeding = i === 0 ? "the 2 inputs x and t" : `the ${inputs} outputs of layer ${i - 1}`;
    if (!isObject(layerJson)) fail(at, `expected an object {"kernel", "bias", "activation"}, got ${describeValue(layerJson)}`);
    const L = layerJson as Record<string, unknown>;
    for (const k of Object.keys(L)) {
      if (!LAYER_FIELDS.includes(k)) fail(at, `unknown field ${JSON.stringify(k)}; a layer has the fields ${LAYER_FIELDS.join(", ")}`);
    }
    // kernel: [inputs][units]
    if (!("kernel" in L)) fail(at, `missing field "kernel" (an array of ${plural(inputs, "row")}, one per input: ${feeding})`);
    const K = L.kernel;
    if (!Array.isArray(K)) fail(`${at}.kernel`, `expected an array of ${plural(inputs, "row")} (one per input: ${feeding}), got ${describeValue(K)}`);
    const rows = K as unknown[];
    if (rows.length !== inputs) {
      fail(`${at}.kernel`, `expected ${plural(inputs, "row")} (one per input: ${feeding}; the kernel is [in][out]), got ${rows.length}`);
    }
    let units = -1;
    const kernel = rows.map((row, r) => {
      if (!Array.isArray(row)) fail(`${at}.kernel[${r}]`, `expected an array of numbers (one per unit), got ${describeValue(row)}`);
      const rowArr = row as unknown[];
      if (r === 0) {
        if (rowArr.length === 0) fail(`${at}.kernel[0]`, "expected at least one number (one per unit), got an empty array");
        units = rowArr.length;
      } else if (rowArr.length !== units) {
        fail(`${at}.kernel[${r}]`, `expected ${plural(units, "number")} (as many as kernel[0], one per unit), got ${rowArr.length}`);
      }
      return rowArr.map((v, c) => number(v, `${at}.kernel[${r}][${c}]`, fail));
    });
    // bias: [units]
    if (!("bias" in L)) fail(at, `missing field "bias" (an array of ${plural(units, "number")}, one per unit)`);
    if (!Array.isArray(L.bias)) fail(`${at}.bias`, `expected an array of ${plural(units, "number")} (one per unit), got ${describeValue(L.bias)}`);
    const biasArr = L.bias as unknown[];
    if (biasArr.length !== units) {
      fail(`${at}.bias`, `expected ${plural(units, "number")} (one per unit; the kernel has ${plural(units, "column")}), got ${biasArr.length}`);
    }
    const bias = biasArr.map((v, c) => number(v, `${at}.bias[${c}]`, fail));
    // activation
    const act = L.activation ?? "linear";
    if (typeof act !== "string" || !(ACTIVATIONS as readonly string[]).includes(act)) {
      fail(`${at}.activation`, `expected one of ${ACTIVATIONS.map((a) => JSON.stringify(a)).join(", ")}, got ${describeValue(act)}`);
    }
    layers.push({ kernel, bias, activation: act as ActivationName });
    inputs = units;
  });
  if (inputs !== 1) {
    fail(`${base}[${arr.length - 1}]`, `the last layer gives f, so it must have 1 unit (kernel [in][1], bias [1]), got ${inputs} units`);
  }
  return { layers };
}

function number(v: unknown, path: string, fail: (path: string, msg: string) => never): number {
  if (typeof v !== "number" || !Number.isFinite(v)) return fail(path, `expected a number, got ${describeValue(v)}`);
  if (Math.abs(v) > F32_MAX) return fail(path, `${v} is outside the float32 range (|v| <= ${F32_MAX.toExponential(6)})`);
  return v;
}

/** Reads and validates a weights file; `-` reads standard input. */
export async function readWeights(path: string, io: Io): Promise<Weights> {
  const source = path === "-" ? "weights on standard input" : `weights file ${path}`;
  let text: string;
  try {
    text = path === "-" ? await io.readStdin() : await readFile(path, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException)?.code;
    const why = code === "ENOENT" ? "no such file"
      : code === "EISDIR" ? "it is a directory, not a file"
      : code === "EACCES" || code === "EPERM" ? "permission denied"
      : oneLine(e instanceof Error ? e.message : String(e), 200);
    throw new CliError(`${source}: cannot read it: ${why}`);
  }
  return parseWeights(text, source);
}

// ---- networks ----

/** The network a weights file describes: Flatten({ inputShape: [2, 1] }) then one nn.Dense per layer. */
export function buildModel(w: Weights): nn.Sequential {
  const layers: nn.Layer[] = [new nn.Flatten({ inputShape: [...INPUT_SHAPE], name: "flatten" })];
  const model = new nn.Sequential(layers, { name: "network" });
  try {
    w.layers.forEach((l, i) => {
      // a declared inputShape builds the layer at once (and is checked on every call)
      const d = new nn.Dense({
        units: l.bias.length, activation: l.activation, inputShape: [l.kernel.length], kernelInitializer: "zeros", name: `dense_${i}`,
      });
      model.add(d);
      d.kernel!.assign(l.kernel);
      d.bias!.assign(l.bias);
    });
  } catch (e) {
    model.dispose();
    throw e;
  }
  return model;
}

/**
 * The network of the original report, Flatten(inputShape [2, 1]) -> Dense(28, sigmoid) -> Dense(1, sigmoid), with
 * Keras' default initializers (Glorot-uniform kernels, zero biases) drawn from a generator seeded with `seed`.
 */
export function seedModel(seed: number): nn.Sequential {
  const gen = new Generator(seed);
  const model = new nn.Sequential([
    new nn.Flatten({ inputShape: [...INPUT_SHAPE], name: "flatten" }),
    new nn.Dense({ units: 28, activation: "sigmoid", generator: gen, name: "dense_0" }),
    new nn.Dense({ units: 1, activation: "sigmoid", generator: gen, name: "dense_1" }),
  ], { name: "seed_network" });
  // Dense layers build (draw their weights, in layer order) on their first call
  tidy(() => { model.apply(zeros([1, ...INPUT_SHAPE])); });
  return model;
}

/** Reads a network's weights back (float32 values as numbers). */
export function weightsOf(model: nn.Sequential): Weights {
  const layers: DenseWeights[] = [];
  for (const l of model.stack) {
    if (l instanceof nn.Flatten) continue;
    if (!(l instanceof nn.Dense) || !l.kernel || typeof l.activation !== "string" || !(ACTIVATIONS as readonly string[]).includes(l.activation)) {
      throw new Error(`weightsOf: layer '${l.name}' cannot be written to a weights file (only built nn.Dense layers with a named activation)`);
    }
    const kernel = l.kernel.array() as number[][];
    const bias = l.bias ? (l.bias.array() as number[]) : new Array<number>(l.units).fill(0);
    layers.push({ kernel, bias, activation: l.activation as ActivationName });
  }
  return { layers };
}

/** The JSON form of weights, every number the shortest decimal of its float32 value (exact round trip). */
export function weightsToJson(w: Weights): Weights {
  return {
    layers: w.layers.map((l) => ({
      kernel: l.kernel.map((row) => row.map(float32Number)),
      bias: l.bias.map(float32Number),
      activation: l.activation,
    })),
  };
}

/** Flatten([2, 1]) -> Dense(28, sigmoid) -> Dense(1, sigmoid) */
export function describeNetwork(w: Weights): string {
  return [`Flatten([${INPUT_SHAPE.join(", ")}])`, ...w.layers.map((l) => `Dense(${l.bias.length}, ${l.activation})`)].join(" -> ");
}
