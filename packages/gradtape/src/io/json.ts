// The JSON weights format of the CLI (`gradtape derivatives --weights w.json`):
//   { "weights": { "layers": [ { "kernel": [[...]] /* [in][out] */, "bias": [...], "activation": "sigmoid" }, ... ] } }
// one entry per Dense layer, in order. A layer without bias omits "bias". Values are written as the shortest
// decimals that read back to the same float32, so a save/load round trip is exact. A float64 model's file says
// "dtype": "float64" beside "layers" and holds every double exactly (JSON numbers are doubles); it loads into a
// float64 model as it is, and into a float32 one rounded to nearest.
// No file system here (the library runs in browsers): strings and Uint8Arrays in and out.
import { ArgumentError, ShapeError, describe, fmtShape } from "../errors.js";
import type { Layer } from "../nn/layer.js";
import type { Dense } from "../nn/dense.js";
import type { Sequential } from "../nn/model.js";
import type { ActivationName } from "../nn/activations.js";
import { limitsOf, checkSize, checkDepth, type ReadLimits } from "./limits.js";
import {
  WeightsFormatError, denseLayers, denseWeights, activationName, isActivationName, applyAssignments, checkAssignment, buildDenseStack,
  type Assignment,
} from "./layers.js";

export interface DenseLayerJSON {
  /** [in][out] */
  kernel: number[][];
  /** [out]; absent for a layer without bias */
  bias?: number[];
  activation: string;
}
export interface WeightsJSON { weights: { layers: DenseLayerJSON[]; dtype?: "float64" } }

/**
 * The shortest decimal that reads back (through Math.fround) as the float32 nearest to v: 0.1f is 0.1, not
 * 0.10000000149011612. What the JSON weights hold, and what the CLI prints for float32 results (one rule for both).
 */
export function float32Decimal(v: number): number {
  const f = Math.fround(v);
  if (!Number.isFinite(f)) return f;
  for (let p = 1; p < 9; p++) {
    const s = Number(f.toPrecision(p));
    if (Math.fround(s) === f) return s;
  }
  return Number(f.toPrecision(9)); // 9 significant digits always identify a float32
}

function finite(op: string, name: string, d: Float32Array | Float64Array): void {
  for (let i = 0; i < d.length; i++) {
    if (!Number.isFinite(d[i])) throw new ArgumentError(`${op}: ${name} contains ${d[i]} at flat index ${i}; JSON cannot store non-finite numbers (use safetensors).`);
  }
}

/** The model's Dense weights as the CLI's JSON object. */
export function weightsToJSON(model: Layer): WeightsJSON {
  const op = "weightsToJSON";
  let f64 = false;
  const layers = denseLayers(op, model).map((l, i): DenseLayerJSON => {
    const { kernel, bias } = denseWeights(op, l);
    const [nin, nout] = kernel.shape;
    const k = kernel.data();
    if (kernel.dtype === "float64") f64 = true;
    const short = kernel.dtype === "float64" ? (v: number) => v : float32Decimal;
    finite(op, `layers[${i}].kernel (${l.name})`, k);
    const rows: number[][] = [];
    for (let r = 0; r < nin; r++) {
      const row = new Array<number>(nout);
      for (let c = 0; c < nout; c++) row[c] = short(k[r * nout + c]);
      rows.push(row);
    }
    const entry: DenseLayerJSON = { kernel: rows, activation: activationName(op, l) };
    if (bias) {
      const b = bias.data();
      finite(op, `layers[${i}].bias (${l.name})`, b);
      entry.bias = Array.from(b, short);
    }
    // key order as in the CLI's files: kernel, bias, activation
    return bias ? { kernel: entry.kernel, bias: entry.bias, activation: entry.activation } : entry;
  });
  return { weights: f64 ? { layers, dtype: "float64" } : { layers } };
}

/** The model's weights as JSON text (`space` indents it, as JSON.stringify). */
export function saveWeightsJSON(model: Layer, options: { space?: number | string } = {}): string {
  return JSON.stringify(weightsToJSON(model), null, options.space);
}

/** The same as UTF-8 bytes (to write to a file or download). */
export function encodeWeightsJSON(model: Layer, options: { space?: number | string } = {}): Uint8Array {
  return new TextEncoder().encode(saveWeightsJSON(model, options));
}

/** A validated, parsed layer: kernel as [in][out] values (as written: doubles; a float32 model rounds them on loading). */
interface ParsedLayer { nin: number; nout: number; kernel: Float64Array; bias: Float64Array | null; activation: string | null; dtype: "float32" | "float64" }

function numbers(op: string, where: string, v: unknown, n: number, out: Float64Array, off: number, f64: boolean): void {
  if (!Array.isArray(v)) throw new WeightsFormatError(`${op}: ${where} must be an array of numbers, but it is ${describe(v)}.`);
  if (v.length !== n) throw new WeightsFormatError(`${op}: ${where} has ${v.length} values, expected ${n}.`);
  for (let i = 0; i < n; i++) {
    const x = v[i];
    if (typeof x !== "number" || !Number.isFinite(x)) throw new WeightsFormatError(`${op}: ${where}[${i}] must be a finite number, but it is ${describe(x)}.`);
    if (!f64 && !Number.isFinite(Math.fround(x))) throw new WeightsFormatError(`${op}: ${where}[${i}] is ${x}, outside the float32 range (|v| < 3.4028235e38).`);
    out[off + i] = x;
  }
}

/** Parses and validates the JSON (text, UTF-8 bytes or an object): every layer rectangular, numeric, finite. */
export function parseWeightsJSON(source: string | Uint8Array | object, op = "parseWeightsJSON", options: ReadLimits = {}): ParsedLayer[] {
  const limits = limitsOf(op, options);
  let obj: unknown = source;
  if (source instanceof Uint8Array) {
    checkSize(op, source.byteLength, limits);
    try { obj = new TextDecoder("utf-8", { fatal: true }).decode(source); } catch { throw new WeightsFormatError(`${op}: the bytes are not valid UTF-8 text.`); }
  }
  if (typeof obj === "string") {
    checkSize(op, obj.length, limits);
    checkDepth(op, obj, limits);
    try { obj = JSON.parse(obj); } catch (e) { throw new WeightsFormatError(`${op}: not valid JSON (${(e as Error).message}).`); }
  }
  if (obj === null || typeof obj !== "object" || Array.isArray(obj)) {
    throw new WeightsFormatError(`${op}: expected an object { "weights": { "layers": [...] } }, but got ${describe(obj)}.`);
  }
  const o = obj as Record<string, unknown>;
  const w = (o.weights !== undefined ? o.weights : o) as Record<string, unknown> | null;
  const prefix = o.weights !== undefined ? "weights.layers" : "layers";
  if (w === null || typeof w !== "object" || !Array.isArray(w.layers)) {
    throw new WeightsFormatError(`${op}: expected { "weights": { "layers": [...] } }; ${o.weights !== undefined ? '"weights" has no "layers" array' : 'there is no "weights" key'}.`);
  }
  if (w.layers.length === 0) throw new WeightsFormatError(`${op}: ${prefix} is empty.`);
  if (w.dtype !== undefined && w.dtype !== "float32" && w.dtype !== "float64") {
    throw new WeightsFormatError(`${op}: "dtype" must be "float32" or "float64", but it is ${describe(w.dtype)}.`);
  }
  const dtype = w.dtype === "float64" ? "float64" : "float32", f64 = dtype === "float64";
  return w.layers.map((L: unknown, i: number): ParsedLayer => {
    const where = `${prefix}[${i}]`;
    if (L === null || typeof L !== "object" || Array.isArray(L)) throw new WeightsFormatError(`${op}: ${where} must be an object with kernel, bias and activation, but it is ${describe(L)}.`);
    const l = L as Record<string, unknown>;
    const k = l.kernel;
    if (!Array.isArray(k) || k.length === 0 || !Array.isArray(k[0])) {
      throw new WeightsFormatError(`${op}: ${where}.kernel must be a non-empty array of rows ([in][out]), but it is ${describe(k)}.`);
    }
    const nin = k.length, nout = (k[0] as unknown[]).length;
    if (nout === 0) throw new WeightsFormatError(`${op}: ${where}.kernel[0] is empty.`);
    const kernel = new Float64Array(nin * nout);
    for (let r = 0; r < nin; r++) numbers(op, `${where}.kernel[${r}]`, k[r], nout, kernel, r * nout, f64);
    let bias: Float64Array | null = null;
    if (l.bias !== undefined && l.bias !== null) { bias = new Float64Array(nout); numbers(op, `${where}.bias`, l.bias, nout, bias, 0, f64); }
    let activation: string | null = null;
    if (l.activation !== undefined) {
      if (!isActivationName(l.activation)) throw new WeightsFormatError(`${op}: ${where}.activation ${describe(l.activation)} is not a known activation.`);
      activation = l.activation as string;
    }
    return { nin, nout, kernel, bias, activation, dtype };
  });
}

/**
 * Loads JSON weights into a model whose Dense layers are built. Checks the layer count, every shape, the bias
 * presence and the activation names before writing anything, and says which entry does not fit.
 */
export function loadWeightsJSON(model: Layer, source: string | Uint8Array | object, options: ReadLimits = {}): void {
  const op = "loadWeightsJSON";
  const layers = denseLayers(op, model);
  loadParsed(op, layers, parseWeightsJSON(source, op, options));
}

function loadParsed(op: string, layers: Dense[], parsed: ParsedLayer[]): void {
  if (parsed.length !== layers.length) {
    throw new WeightsFormatError(`${op}: the file has ${parsed.length} layers but the model has ${layers.length} Dense layers (${layers.map((l) => l.name).join(", ")}).`);
  }
  const plan: Assignment[] = [];
  layers.forEach((l, i) => {
    const p = parsed[i];
    const { kernel, bias } = denseWeights(op, l);
    const where = `weights.layers[${i}]`;
    const a: Assignment = { target: kernel, shape: [p.nin, p.nout], data: p.kernel, entry: `${where}.kernel` };
    checkAssignment(op, a, l, "kernel");
    plan.push(a);
    if (bias && !p.bias) throw new WeightsFormatError(`${op}: ${where} has no bias, but layer '${l.name}' uses one.`);
    if (!bias && p.bias) throw new WeightsFormatError(`${op}: ${where} has a bias, but layer '${l.name}' was made with useBias: false.`);
    if (bias && p.bias) plan.push({ target: bias, shape: [p.nout], data: p.bias, entry: `${where}.bias` });
    if (p.activation !== null && typeof l.activation === "string" && p.activation !== l.activation) {
      throw new WeightsFormatError(`${op}: ${where}.activation is "${p.activation}", but layer '${l.name}' uses "${l.activation}".`);
    }
  });
  applyAssignments(op, plan);
}

/** Builds a Sequential of Dense layers (with the file's activations) holding the file's weights, in the file's dtype
 *  (float64 when it says so) unless options.dtype is given. */
export function modelFromWeightsJSON(source: string | Uint8Array | object, options: { name?: string; dtype?: "float32" | "float64" } & ReadLimits = {}): Sequential {
  const op = "modelFromWeightsJSON";
  const parsed = parseWeightsJSON(source, op, options);
  parsed.forEach((p, i) => {
    if (p.activation === null) throw new WeightsFormatError(`${op}: weights.layers[${i}] has no activation; it is needed to build the model.`);
    if (i > 0 && p.nin !== parsed[i - 1].nout) {
      throw new ShapeError(`${op}: weights.layers[${i}].kernel has ${p.nin} rows, but layer ${i - 1} has ${parsed[i - 1].nout} outputs ${fmtShape([parsed[i - 1].nin, parsed[i - 1].nout])}; the layers do not chain.`);
    }
  });
  const model = buildDenseStack(parsed.map((p) => ({ nin: p.nin, nout: p.nout, bias: p.bias !== null, activation: p.activation as ActivationName })), options.name,
    options.dtype ?? parsed[0].dtype);
  try { loadParsed(op, model.stack as Dense[], parsed); } catch (e) { model.dispose(); throw e; }
  return model;
}
