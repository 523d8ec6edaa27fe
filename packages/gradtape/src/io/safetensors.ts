// A model's weights in safetensors files: Dense layer i (counting Dense layers only, in order) is stored as
// "layers.i.kernel" [in, out] and "layers.i.bias" [out]; other names and PyTorch's [out, in] kernels through
// NamingOptions. The container itself (decoding, encoding) is safetensors-format.ts.
import { ArgumentError, ShapeError, describe, fmtShape } from "../errors.js";
import type { Layer } from "../nn/layer.js";
import type { Dense } from "../nn/dense.js";
import type { Sequential } from "../nn/model.js";
import type { ActivationName } from "../nn/activations.js";
import {
  WeightsFormatError, denseLayers, denseWeights, isActivationName, applyAssignments, checkAssignment, buildDenseStack,
  type Assignment,
} from "./layers.js";
import {
  decodeSafetensors, encodeSafetensors, entryToFloat32, entryToFloat64, fail, type DecodeOptions, type SafetensorsEntry, type SafetensorsFile, type TensorSource,
} from "./safetensors-format.js";

/** Metadata key under which the activations of the Dense layers are stored (a JSON array of names). */
export const ACTIVATIONS_KEY = "gradtape.activations";

/**
 * How a model's weights are named and laid out in a file. The default is gradtape's: "layers.<i>.kernel" [in, out]
 * and "layers.<i>.bias" [out], i counting Dense layers. Another framework's layout is one option away, e.g. a
 * PyTorch nn.Sequential(Linear, Tanh, Linear, Tanh, Linear) state_dict:
 *   { names: (i, kind) => `${2 * i}.${kind === "kernel" ? "weight" : "bias"}`, kernelLayout: "out,in" }
 */
export interface NamingOptions {
  /** the entry name of Dense layer i's kernel or bias */
  names?: (layer: number, kind: "kernel" | "bias") => string;
  /** "in,out" (gradtape, Keras, Flax; default) or "out,in" (PyTorch nn.Linear.weight): kernels are transposed */
  kernelLayout?: "in,out" | "out,in";
}

const defaultName = (i: number, kind: "kernel" | "bias"): string => `layers.${i}.${kind}`;

function naming(op: string, o: NamingOptions): { name: (i: number, kind: "kernel" | "bias") => string; transposed: boolean } {
  const layout = o.kernelLayout ?? "in,out";
  if (layout !== "in,out" && layout !== "out,in") throw new ArgumentError(`${op}: kernelLayout must be "in,out" or "out,in", but got ${describe(layout)}.`);
  const f = o.names ?? defaultName;
  if (typeof f !== "function") throw new ArgumentError(`${op}: names must be a function (layer, kind) => string.`);
  return {
    transposed: layout === "out,in",
    name: (i, kind) => {
      const n = f(i, kind);
      if (typeof n !== "string" || n.length === 0 || n === "__metadata__") throw new ArgumentError(`${op}: names(${i}, "${kind}") returned ${describe(n)}; expected a non-empty entry name.`);
      return n;
    },
  };
}

/** [rows, cols] row-major -> [cols, rows] */
function transpose<A extends Float32Array | Float64Array>(d: A, rows: number, cols: number): A {
  const out = (d instanceof Float64Array ? new Float64Array(d.length) : new Float32Array(d.length)) as A;
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = d[r * cols + c];
  return out;
}

/** The model's Dense weights as a safetensors file (names and kernel layout per `options`, see NamingOptions). */
export function saveSafetensors(model: Layer, options: NamingOptions & { metadata?: Record<string, string> } = {}): Uint8Array {
  const op = "saveSafetensors";
  const { name, transposed } = naming(op, options);
  const layers = denseLayers(op, model);
  const tensors = new Map<string, TensorSource>();
  const acts: (string | null)[] = [];
  const put = (n: string, t: TensorSource) => {
    if (tensors.has(n)) throw new ArgumentError(`${op}: two weights would both be named ${JSON.stringify(n)}; the names function must give distinct names.`);
    tensors.set(n, t);
  };
  layers.forEach((l, i) => {
    const { kernel, bias } = denseWeights(op, l);
    const [nin, nout] = kernel.shape;
    put(name(i, "kernel"), transposed ? { shape: [nout, nin], data: transpose(kernel.data(), nin, nout) } : kernel);
    if (bias) put(name(i, "bias"), bias);
    acts.push(typeof l.activation === "string" ? l.activation : null);
  });
  const meta: Record<string, string> = { format: "gradtape" };
  if (!options.names && !transposed) meta["gradtape.layout"] = "layers.<i>.kernel [in, out], layers.<i>.bias [out]";
  if (acts.every((a) => a !== null)) meta[ACTIVATIONS_KEY] = JSON.stringify(acts);
  return encodeSafetensors(tensors, { ...meta, ...(options.metadata ?? {}) });
}

export interface LoadSafetensorsOptions extends DecodeOptions, NamingOptions {
  /** reject entries the model has no place for (default true) */
  strict?: boolean;
  /** convert F64, F16 and BF16 entries to float32 instead of rejecting them (default false) */
  convert?: boolean;
}

function activationsOf(file: SafetensorsFile): string[] | null {
  const raw = file.metadata?.[ACTIVATIONS_KEY];
  if (raw === undefined) return null;
  let a: unknown;
  try { a = JSON.parse(raw); } catch { return fail(`__metadata__["${ACTIVATIONS_KEY}"] is not a JSON array of activation names.`); }
  if (!Array.isArray(a) || !a.every(isActivationName)) fail(`__metadata__["${ACTIVATIONS_KEY}"] must be a JSON array of activation names, but it is ${raw.slice(0, 80)}.`);
  return a as string[];
}

function plan(op: string, layers: Dense[], file: SafetensorsFile, options: LoadSafetensorsOptions): Assignment[] {
  const { name, transposed } = naming(op, options);
  const out: Assignment[] = [];
  const used = new Set<string>();
  const acts = activationsOf(file);
  if (acts !== null && acts.length !== layers.length) {
    throw new WeightsFormatError(`${op}: the file describes ${acts.length} Dense layers (metadata ${ACTIVATIONS_KEY}) but the model has ${layers.length}.`);
  }
  const take = (n: string, layer: Dense): SafetensorsEntry => {
    const e = file.tensors.get(n);
    if (e === undefined) {
      const names = [...file.tensors.keys()];
      throw new WeightsFormatError(`${op}: the file has no entry ${JSON.stringify(n)} for layer '${layer.name}' (it has ${names.length > 12 ? names.slice(0, 12).join(", ") + ", ..." : names.join(", ") || "no tensors"}).`);
    }
    used.add(n);
    return e;
  };
  layers.forEach((l, i) => {
    const { kernel, bias } = denseWeights(op, l);
    for (const [what, target] of [["kernel", kernel], ["bias", bias]] as const) {
      const n = name(i, what);
      if (target === null) {
        if (file.tensors.has(n)) throw new WeightsFormatError(`${op}: the file has ${JSON.stringify(n)}, but layer '${l.name}' was made with useBias: false.`);
        continue;
      }
      const e = take(n, l);
      const flip = what === "kernel" && transposed;
      if (flip && e.shape.length !== 2) throw new ShapeError(`${op}: entry ${JSON.stringify(n)} has shape ${fmtShape(e.shape)}, but a kernel [out, in] must be a matrix.`);
      const a: Assignment = { target, shape: flip ? [e.shape[1], e.shape[0]] : e.shape, data: new Float32Array(0), entry: `entry ${JSON.stringify(n)}${flip ? " (transposed from [out, in])" : ""}` };
      checkAssignment(op, a, l, what);
      const d = target.dtype === "float64" ? entryToFloat64(n, e, options) : entryToFloat32(n, e, options);
      a.data = flip ? transpose(d, e.shape[0], e.shape[1]) : d;
      out.push(a);
    }
    if (acts !== null && typeof l.activation === "string" && acts[i] !== l.activation) {
      throw new WeightsFormatError(`${op}: the file's layer ${i} uses activation "${acts[i]}" (metadata ${ACTIVATIONS_KEY}), but layer '${l.name}' uses "${l.activation}".`);
    }
  });
  if (options.strict ?? true) {
    const extra = [...file.tensors.keys()].filter((k) => !used.has(k));
    if (extra.length > 0) {
      throw new WeightsFormatError(`${op}: the file has entries the model has no place for: ${extra.slice(0, 12).map((k) => JSON.stringify(k)).join(", ")}${extra.length > 12 ? ", ..." : ""}. ` +
        `Pass { strict: false } to ignore them.`);
    }
  }
  return out;
}

/**
 * Loads a safetensors file into a model whose Dense layers are built. Every entry is checked (presence, dtype,
 * shape; with strict, no unknown entries; the activations when the file records them) before anything is written.
 */
export function loadSafetensors(model: Layer, bytes: Uint8Array | ArrayBuffer, options: LoadSafetensorsOptions = {}): void {
  const op = "loadSafetensors";
  const layers = denseLayers(op, model);
  const file = decodeSafetensors(bytes, options);
  applyAssignments(op, plan(op, layers, file, options));
}

/**
 * Builds a Sequential of Dense layers from a safetensors file whose layer i has a kernel entry (default
 * "layers.<i>.kernel") and optionally a bias entry. The activations come from `options.activations` or from the
 * file's metadata (files saved by gradtape).
 */
export function modelFromSafetensors(bytes: Uint8Array | ArrayBuffer, options: LoadSafetensorsOptions & { activations?: ActivationName[]; name?: string; dtype?: "float32" | "float64" } = {}): Sequential {
  const op = "modelFromSafetensors";
  const { name, transposed } = naming(op, options);
  const file = decodeSafetensors(bytes, options);
  let count = 0;
  while (count < file.tensors.size && file.tensors.has(name(count, "kernel"))) count++;
  if (count === 0) throw new WeightsFormatError(`${op}: the file has no entry ${JSON.stringify(name(0, "kernel"))}; expected one kernel (and optionally one bias) entry per Dense layer.`);
  const acts = (options.activations as string[] | undefined) ?? activationsOf(file);
  if (acts === null) throw new ArgumentError(`${op}: the file does not record the activations; pass them, e.g. { activations: ["tanh", "tanh", "linear"] }.`);
  if (acts.length !== count || !acts.every(isActivationName)) {
    throw new ArgumentError(`${op}: expected ${count} activation names (one per layer), but got ${JSON.stringify(acts)}.`);
  }
  const specs: { nin: number; nout: number; bias: boolean; activation: ActivationName }[] = [];
  for (let i = 0; i < count; i++) {
    const kn = name(i, "kernel");
    const k = file.tensors.get(kn)!;
    if (k.shape.length !== 2 || k.shape[0] === 0 || k.shape[1] === 0) {
      throw new ShapeError(`${op}: entry ${JSON.stringify(kn)} must be a non-empty matrix ${transposed ? "[out, in]" : "[in, out]"}, but its shape is ${fmtShape(k.shape)}.`);
    }
    const [nin, nout] = transposed ? [k.shape[1], k.shape[0]] : k.shape;
    if (i > 0 && nin !== specs[i - 1].nout) {
      throw new ShapeError(`${op}: entry ${JSON.stringify(kn)} takes ${nin} inputs, but layer ${i - 1} has ${specs[i - 1].nout} outputs; the layers do not chain.`);
    }
    specs.push({ nin, nout, bias: file.tensors.has(name(i, "bias")), activation: acts[i] as ActivationName });
  }
  // the model's dtype: options.dtype, else float64 when the first kernel is stored as F64
  const dtype = options.dtype ?? (file.tensors.get(name(0, "kernel"))!.dtype === "F64" ? "float64" : "float32");
  const model = buildDenseStack(specs, options.name, dtype);
  // a file that does not fit fails here: the new model's weights are released now, not left to the finalizers
  try { applyAssignments(op, plan(op, model.stack as Dense[], file, options)); } catch (e) { model.dispose(); throw e; }
  return model;
}

/** The entry names saveSafetensors gives a model's weights, in order. */
export function safetensorsNames(model: Layer, options: NamingOptions = {}): string[] {
  const { name } = naming("safetensorsNames", options);
  return denseLayers("safetensorsNames", model).flatMap((l, i) => (l.bias ? [name(i, "kernel"), name(i, "bias")] : [name(i, "kernel")]));
}
