// The network of `--weights FILE`, read by gradtape's own io (one format, one set of rules: the library's
// io/json.ts and io/safetensors.ts; this file only finds the bytes, tells the two formats apart and adds the
// command's own requirement on the network: 2 inputs (x, t) and 1 output f).
//
//   JSON         {"weights": {"layers": [{"kernel": [[...]], "bias": [...], "activation": "sigmoid"}, ...]}} or the bare
//                {"layers": [...]}: what --json prints and io.saveWeightsJSON writes
//   safetensors  what `gradtape pinn --out` and io.saveSafetensors write ("layers.<i>.kernel" [in, out],
//                "layers.<i>.bias", the activations in the metadata)
//
// The format is told by the first bytes (safetensors: an 8-byte little-endian header length that fits the file,
// then '{'; JSON: '{' after optional whitespace), else by the extension; neither is a one-line error that says so.
// The network built is Flatten({ inputShape: [2, 1] }) then the file's Dense layers, so it takes inputs [N, 2, 1]
// like the seed network. Every problem is a CliError (exit code 2) that names the source.
import { readFileBounded } from "./bounded-read.js";
import { extname } from "node:path";
import { nn, io, zeros, tidy, Generator, GradtapeError } from "gradtape";
import { CliError, oneLine } from "./errors.js";
import type { Io } from "./command.js";

/** The shape of one example: the point (x, t) as a column, as in the original report. */
export const INPUT_SHAPE = [2, 1] as const;

export type WeightsFormat = "json" | "safetensors";

/** The u64 little-endian header length a safetensors file starts with (b has at least 8 bytes). */
const headerLength = (b: Uint8Array): bigint => new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0, true);

/** safetensors: u64 little-endian header length N with 8 + N within the file, and the header starting with '{'. */
function looksLikeSafetensors(b: Uint8Array): boolean {
  if (b.length < 10 || b[8] !== 0x7b) return false;
  const n = headerLength(b);
  return n >= 2n && n <= BigInt(b.length - 8);
}

const isSpace = (v: number): boolean => v === 0x20 || v === 0x09 || v === 0x0a || v === 0x0d;
/** The index of the first byte after an optional byte order mark and whitespace, from `from`. */
function skipSpace(b: Uint8Array, from = 0): number {
  let i = from === 0 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf ? 3 : from;
  while (i < b.length && isSpace(b[i])) i++;
  return i;
}

/** Whether the bytes are JSON text: '{' or '[' after an optional byte order mark and whitespace. */
function looksLikeJson(b: Uint8Array): boolean {
  const i = skipSpace(b);
  return b[i] === 0x7b || b[i] === 0x5b;
}

/** The format of a weights file, by its first bytes, then by its extension; a CliError for neither. */
export function weightsFormat(bytes: Uint8Array, path: string, source: string): WeightsFormat {
  if (bytes.length === 0) throw new CliError(`${source}: the file is empty; expected JSON weights or safetensors`);
  if (looksLikeSafetensors(bytes)) return "safetensors";
  if (looksLikeJson(bytes)) return "json";
  const ext = extname(path).toLowerCase();
  if (ext === ".safetensors") return "safetensors";
  if (ext === ".json") return "json";
  throw notWeights(bytes, source);
}

/** The error for bytes that are neither format, naming their first bytes. */
function notWeights(bytes: Uint8Array, source: string): CliError {
  const head = Array.from(bytes.subarray(0, 8), (v) => v.toString(16).padStart(2, "0")).join(" ");
  return new CliError(`${source}: neither JSON weights nor safetensors (it starts with the bytes ${head}); give a JSON file as ` +
    `"gradtape derivatives --json" prints or a .safetensors file as "gradtape pinn --out" writes`);
}

/**
 * The check on a weights input's first bytes, before the rest is read: a plausible safetensors header length followed
 * by "{", the start of a JSON object, or an extension that names one of the two; anything else (random bytes,
 * /dev/urandom) is refused at once with weightsFormat's message instead of after reading up to the size limit.
 */
function headCheck(path: string, source: string): (head: Uint8Array) => void {
  return (head) => {
    if (head.every(isSpace)) return;
    if (head.length >= 9 && head[8] === 0x7b && plausibleHeaderLength(head)) return;
    // a named format is judged whole, with that format's own message ("not valid JSON" for a broken .json file)
    const ext = extname(path).toLowerCase();
    if (ext === ".json" || ext === ".safetensors") return;
    if (looksLikeJson(head) && jsonObjectStart(head)) return;
    throw notWeights(head, source);
  };
}

/**
 * The most header bytes a safetensors file can declare (the format's reference reader refuses more than 100 MB): 8
 * random bytes declare more with probability 1 - 5e-12, so a device of random bytes is refused at its first bytes
 * (with only the '{' at byte 8 checked, 1 time in 256 it was read to the size limit).
 */
const MAX_SAFETENSORS_HEADER = 100_000_000n;
function plausibleHeaderLength(head: Uint8Array): boolean {
  const n = headerLength(head);
  return n >= 2n && n <= MAX_SAFETENSORS_HEADER;
}

/**
 * Whether JSON text that starts with '{' or '[' (looksLikeJson) goes on as weights can: after the bracket and any
 * whitespace, a key's '"' (or '}' / ']' / '{' / '[', which the parser then judges), or the head ends first. Random
 * bytes pass looksLikeJson about 1 time in 130 (a bracket first, after any whitespace); this leaves 1 in about 6,000.
 */
function jsonObjectStart(head: Uint8Array): boolean {
  const i = skipSpace(head, skipSpace(head) + 1); // past the '{' or '[' and the whitespace after it
  return i >= head.length || head[i] === 0x22 || head[i] === 0x7d || head[i] === 0x5d || head[i] === 0x7b || head[i] === 0x5b;
}

/** A library error about the file as one line naming the source (the library's own op name dropped). */
function fileError(e: unknown, source: string): never {
  if (e instanceof CliError) throw e;
  if (e instanceof GradtapeError) throw new CliError(`${source}: ${oneLine(e.message.replace(/^[A-Za-z]+: /, ""), 300)}`);
  throw e;
}

/** The activation names of a safetensors file, when the file does not record them (`--activations`). */
export type ActivationList = readonly string[] | undefined;

/** The safetensors model, with the activations from the file's metadata or from --activations. */
function fromSafetensors(bytes: Uint8Array, source: string, activations: ActivationList, dtype?: Dtype): nn.Sequential {
  // an explicit --dtype float32 rounds F64 entries to nearest; without --dtype the file's dtype is the network's
  const dt = dtype === undefined ? {} : { dtype, convert: true };
  if (activations) return io.modelFromSafetensors(bytes, { activations: activations as nn.ActivationName[], ...dt });
  if (io.decodeSafetensors(bytes).metadata?.[io.ACTIVATIONS_KEY] === undefined) {
    throw new CliError(`${source}: the safetensors file does not record its activations (gradtape's io.saveSafetensors does); ` +
      `name them, one per layer, with --activations, e.g. --activations tanh,tanh,linear`);
  }
  return io.modelFromSafetensors(bytes, dt);
}

/** The network's float dtype (--dtype): without it, a weights file's own (float64 for F64 or "dtype": "float64"). */
export type Dtype = "float32" | "float64";

/**
 * The Dense layers of a file as the CLI's network (Flatten([2, 1]) first), checked for 2 inputs and 1 output.
 * `activations` names the layers' activations of a safetensors file that does not record them.
 */
export function parseWeights(bytes: Uint8Array, path: string, source: string, activations?: ActivationList, dtype?: Dtype): nn.Sequential {
  const format = weightsFormat(bytes, path, source);
  if (activations && format === "json") throw new CliError(`--activations is for safetensors files; ${source} is JSON, whose layers name their activations`);
  let dense: nn.Sequential;
  try {
    dense = format === "json" ? io.modelFromWeightsJSON(bytes, dtype === undefined ? {} : { dtype }) : fromSafetensors(bytes, source, activations, dtype);
  } catch (e) {
    fileError(e, source);
  }
  const layers = dense.stack as nn.Dense[];
  const where = format === "json" ? "weights.layers" : "layers";
  const nin = layers[0].kernel!.shape[0], last = layers[layers.length - 1];
  const fail = (msg: string): never => { dense.dispose(); throw new CliError(`${source}: ${msg}`); };
  if (nin !== 2) fail(`${where}[0].kernel has ${nin} rows, but the network's inputs are the 2 values x and t (the kernel is [in][out])`);
  if (last.units !== 1) fail(`${where}[${layers.length - 1}] has ${last.units} units, but the last layer gives f, so it must have 1 unit`);
  return new nn.Sequential([new nn.Flatten({ inputShape: [...INPUT_SHAPE], name: "flatten" }), ...layers], { name: "network" });
}

/** Reads and parses a weights file; `-` reads standard input. */
export async function readWeights(path: string, cio: Io, activations?: ActivationList, dtype?: Dtype): Promise<nn.Sequential> {
  const source = path === "-" ? "weights on standard input" : `weights file ${path}`;
  let bytes: Uint8Array;
  try {
    const raw = path === "-" ? await cio.readStdin() : await readFileBounded(path, source, undefined, headCheck(path, source));
    bytes = typeof raw === "string" ? new TextEncoder().encode(raw) : raw;
  } catch (e) {
    if (e instanceof CliError) throw e;
    const code = (e as NodeJS.ErrnoException)?.code;
    const why = code === "ENOENT" ? "no such file"
      : code === "EISDIR" ? "it is a directory, not a file"
      : code === "EACCES" || code === "EPERM" ? "permission denied"
      : oneLine(e instanceof Error ? e.message : String(e), 200);
    throw new CliError(`${source}: cannot read it: ${why}`);
  }
  return parseWeights(bytes, path === "-" ? "" : path, source, activations, dtype);
}

/**
 * The network of the original report, Flatten(inputShape [2, 1]) -> Dense(28, sigmoid) -> Dense(1, sigmoid), with
 * Keras' default initializers (Glorot-uniform kernels, zero biases) drawn from a generator seeded with `seed`.
 */
export function seedModel(seed: number, dtype: Dtype = "float32"): nn.Sequential {
  const gen = new Generator(seed);
  const model = new nn.Sequential([
    new nn.Flatten({ inputShape: [...INPUT_SHAPE], name: "flatten" }),
    new nn.Dense({ units: 28, activation: "sigmoid", generator: gen, name: "dense_0", dtype }),
    new nn.Dense({ units: 1, activation: "sigmoid", generator: gen, name: "dense_1", dtype }),
  ], { name: "seed_network" });
  // Dense layers build (draw their weights, in layer order) on their first call (float64: the float32 draws, widened)
  tidy(() => { model.apply(zeros([1, ...INPUT_SHAPE], dtype)); });
  return model;
}

/** Flatten([2, 1]) -> Dense(28, sigmoid) -> Dense(1, sigmoid) */
export function describeNetwork(model: nn.Sequential): string {
  return model.stack.map((l) => (l instanceof nn.Flatten ? `Flatten([${INPUT_SHAPE.join(", ")}])`
    : l instanceof nn.Dense ? `Dense(${l.units}, ${typeof l.activation === "string" ? l.activation : "custom"})` : l.constructor.name)).join(" -> ");
}
