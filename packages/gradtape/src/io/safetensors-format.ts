// The safetensors container (https://github.com/huggingface/safetensors), the format PyTorch, JAX/Flax and Hugging
// Face tools read and write: decoding (hostile input: every length and offset checked), encoding, and converting
// an entry to float32. What a model's weights are called in a file is safetensors.ts.
//   8 bytes   N, the header length, unsigned 64-bit little-endian
//   N bytes   a UTF-8 JSON object { "<name>": { "dtype": "F32", "shape": [...], "data_offsets": [begin, end] }, ...,
//             "__metadata__": { "<key>": "<string>" } (optional) }, padded with spaces
//   the data  every tensor's bytes, little-endian and row-major, at [begin, end) relative to the data's start; the
//             ranges tile the whole buffer (no overlap, no hole)
//
// Decoding treats its input as hostile: every length and offset is checked against the bytes actually present
// before anything is read or allocated, so a truncated or crafted file gives a WeightsFormatError naming the
// entry and the problem, never a crash, a hang or a huge allocation.
//
import { Tensor } from "../tensor.js";
import { ArgumentError, DTypeError, ShapeError, describe, fmtShape } from "../errors.js";
import { WeightsFormatError } from "./layers.js";
import { limitsOf, checkSize, checkDepth, type ReadLimits } from "./limits.js";

/** Bytes per element of each safetensors dtype. */
export const SAFETENSORS_DTYPES: Readonly<Record<string, number>> = Object.freeze({
  F64: 8, F32: 4, F16: 2, BF16: 2, F8_E4M3: 1, F8_E5M2: 1,
  I64: 8, I32: 4, I16: 2, I8: 1, U64: 8, U32: 4, U16: 2, U8: 1, BOOL: 1,
});

/** The default limit on the header length (the reference implementation's limit: 100 MB). */
export const MAX_HEADER_BYTES = 100_000_000;
const MAX_RANK = 64;

export interface SafetensorsEntry {
  dtype: string;
  shape: number[];
  /** the tensor's raw little-endian bytes: a view into the decoded input (copy it to keep it past the input) */
  bytes: Uint8Array;
}

export interface SafetensorsFile {
  /** the tensors, in the order of their data */
  tensors: Map<string, SafetensorsEntry>;
  metadata: Record<string, string> | null;
}

export interface DecodeOptions extends ReadLimits {
  /** reject headers longer than this many bytes (default MAX_HEADER_BYTES) */
  maxHeaderBytes?: number;
}

export const fail = (msg: string): never => { throw new WeightsFormatError(`safetensors: ${msg}`); };

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** Parses and validates a safetensors file. The entries' bytes are views into `bytes` (no copy). */
export function decodeSafetensors(bytes: Uint8Array | ArrayBuffer, options: DecodeOptions = {}): SafetensorsFile {
  const buf = bytes instanceof ArrayBuffer ? new Uint8Array(bytes) : bytes;
  if (!(buf instanceof Uint8Array)) throw new ArgumentError(`decodeSafetensors: expected a Uint8Array (the file's bytes), but got ${describe(bytes)}.`);
  const limits = limitsOf("decodeSafetensors", options);
  checkSize("decodeSafetensors", buf.length, limits, "the file");
  const limit = options.maxHeaderBytes ?? MAX_HEADER_BYTES;
  if (buf.length < 8) fail(`the file is truncated: ${buf.length} bytes, but it must start with an 8-byte header length.`);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const lo = view.getUint32(0, true), hi = view.getUint32(4, true);
  const n = hi * 2 ** 32 + lo;
  if (n > limit) fail(`the header length ${n} is larger than the limit of ${limit} bytes: not a safetensors file, or a corrupted one.`);
  if (n < 2) fail(`the header length is ${n}; the header must be a JSON object.`);
  if (8 + n > buf.length) fail(`the file is truncated: the header says ${n} bytes but only ${buf.length - 8} follow the length.`);

  let text: string;
  try { text = new TextDecoder("utf-8", { fatal: true }).decode(buf.subarray(8, 8 + n)); }
  catch { return fail(`the header is not valid UTF-8.`); }
  if (text[0] !== "{") fail(`the header must be a JSON object starting with "{", but it starts with ${JSON.stringify(text.slice(0, 16))}.`);
  checkDepth("decodeSafetensors", text, limits);
  let header: unknown;
  try { header = JSON.parse(text); }
  catch (e) { return fail(`the header is not valid JSON (${(e as Error).message}).`); }
  if (!isPlainObject(header)) return fail(`the header must be a JSON object.`);

  const dataStart = 8 + n;
  const dataLength = buf.length - dataStart;
  let metadata: Record<string, string> | null = null;
  const ranges: { name: string; begin: number; end: number; dtype: string; shape: number[] }[] = [];
  for (const [name, info] of Object.entries(header)) {
    const where = `entry ${JSON.stringify(name)}`;
    if (name === "__metadata__") {
      if (!isPlainObject(info)) fail(`__metadata__ must be an object of strings, but it is ${describe(info)}.`);
      for (const [k, v] of Object.entries(info as Record<string, unknown>)) {
        if (typeof v !== "string") fail(`__metadata__[${JSON.stringify(k)}] must be a string, but it is ${describe(v)}.`);
      }
      metadata = { ...(info as Record<string, string>) };
      continue;
    }
    if (!isPlainObject(info)) fail(`${where} must be an object with dtype, shape and data_offsets, but it is ${describe(info)}.`);
    const { dtype, shape, data_offsets: offsets } = info as Record<string, unknown>;
    if (typeof dtype !== "string") return fail(`${where}: dtype must be a string, but it is ${describe(dtype)}.`);
    const size = SAFETENSORS_DTYPES[dtype];
    if (!Object.prototype.hasOwnProperty.call(SAFETENSORS_DTYPES, dtype)) fail(`${where}: unknown dtype ${JSON.stringify(dtype)} (known: ${Object.keys(SAFETENSORS_DTYPES).join(", ")}).`);
    if (!Array.isArray(shape) || shape.length > MAX_RANK) fail(`${where}: shape must be an array of at most ${MAX_RANK} dimensions, but it is ${describe(shape)}.`);
    for (const d of shape as unknown[]) {
      if (typeof d !== "number" || !Number.isSafeInteger(d) || d < 0) fail(`${where}: shape ${JSON.stringify(shape)} must hold non-negative integers.`);
    }
    // the element count, exact up to 2^53 (beyond, no file can hold it: Infinity)
    let count = (shape as number[]).includes(0) ? 0 : 1;
    for (const d of shape as number[]) if (count > 0 && (count *= d) * size > Number.MAX_SAFE_INTEGER) { count = Infinity; break; }
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => typeof o === "number" && Number.isSafeInteger(o) && o >= 0)) {
      return fail(`${where}: data_offsets must be [begin, end] with non-negative integers, but it is ${describe(offsets)}.`);
    }
    const [begin, end] = offsets as number[];
    if (begin > end) fail(`${where}: data_offsets [${begin}, ${end}] end before they begin.`);
    if (end > dataLength) fail(`${where}: data_offsets [${begin}, ${end}] run past the end of the data (${dataLength} bytes): the file is truncated or the offsets are wrong.`);
    if (count * size !== end - begin) {
      fail(`${where}: shape ${fmtShape(shape as number[])} of ${dtype} needs ${count === Infinity ? "more bytes than the file has" : `${count * size} bytes`}, but data_offsets [${begin}, ${end}] hold ${end - begin}.`);
    }
    ranges.push({ name, begin, end, dtype, shape: (shape as number[]).slice() });
  }
  // the ranges must tile [0, dataLength) exactly
  ranges.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let at = 0;
  let last = "";
  for (const r of ranges) {
    if (r.begin < at) fail(`entries ${JSON.stringify(last)} and ${JSON.stringify(r.name)} overlap (${JSON.stringify(r.name)} begins at byte ${r.begin}, before ${at}).`);
    if (r.begin > at) fail(`there is a hole in the data: no entry covers bytes [${at}, ${r.begin}) (before ${JSON.stringify(r.name)}).`);
    at = r.end;
    last = r.name;
  }
  if (at !== dataLength) fail(`the data has ${dataLength - at} bytes after the last tensor that no entry covers (bytes [${at}, ${dataLength})).`);

  const tensors = new Map<string, SafetensorsEntry>();
  for (const r of ranges) tensors.set(r.name, { dtype: r.dtype, shape: r.shape, bytes: buf.subarray(dataStart + r.begin, dataStart + r.end) });
  return { tensors, metadata };
}

const LITTLE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function f16(h: number): number {
  const s = h & 0x8000 ? -1 : 1, e = (h >> 10) & 0x1f, m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

/**
 * An entry's values as float32. F32 is read as is; with `convert`, F64, F16 and BF16 are converted (F64 rounds
 * to nearest). Any other dtype is a DTypeError naming the entry.
 */
export function entryToFloat32(name: string, entry: SafetensorsEntry, options: { convert?: boolean } = {}): Float32Array {
  const { dtype, bytes } = entry;
  const n = bytes.length / (SAFETENSORS_DTYPES[dtype] ?? 1);
  if (dtype === "F32") {
    // a copy made with the Uint8Array constructor: Node Buffers override slice() to return a view of their pool
    if (LITTLE) return new Float32Array(new Uint8Array(bytes).buffer);
    const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = v.getFloat32(4 * i, true);
    return out;
  }
  if (options.convert && (dtype === "F64" || dtype === "F16" || dtype === "BF16")) {
    const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), out = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      out[i] = dtype === "F64" ? v.getFloat64(8 * i, true)
        : dtype === "F16" ? f16(v.getUint16(2 * i, true))
        : new Float32Array(new Uint32Array([v.getUint16(2 * i, true) << 16]).buffer)[0];
    }
    return out;
  }
  throw new DTypeError(`safetensors: entry ${JSON.stringify(name)} is ${dtype}, but gradtape loads F32` +
    `${dtype === "F64" || dtype === "F16" || dtype === "BF16" ? " (pass { convert: true } to convert it, or save it as float32)" : ""}.`);
}

/** An entry's values for a float64 variable: F64 exactly, F32 widened exactly (F16 and BF16 with `convert`). */
export function entryToFloat64(name: string, entry: SafetensorsEntry, options: { convert?: boolean } = {}): Float64Array {
  const { dtype, bytes } = entry;
  if (dtype === "F64") {
    const n = bytes.length / 8;
    if (LITTLE) return new Float64Array(new Uint8Array(bytes).buffer);
    const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = v.getFloat64(8 * i, true);
    return out;
  }
  return Float64Array.from(entryToFloat32(name, entry, dtype === "F32" ? {} : options));
}

/** Something to write: a float32 or float64 Tensor (F32 or F64), or a shape with its values in row-major order (a Float64Array is written as F64, anything else as F32). */
export type TensorSource = Tensor | { shape: readonly number[]; data: ArrayLike<number> };

/** Encodes tensors (in the given order; F32, or F64 from Float64Array data) and optional string metadata as a safetensors file. */
export function encodeSafetensors(tensors: Record<string, TensorSource> | Map<string, TensorSource>, metadata?: Record<string, string>): Uint8Array {
  const op = "encodeSafetensors";
  const items = tensors instanceof Map ? [...tensors.entries()] : Object.entries(tensors ?? {});
  const header: Record<string, unknown> = {};
  if (metadata !== undefined) {
    if (!isPlainObject(metadata)) throw new ArgumentError(`${op}: metadata must be an object of strings.`);
    for (const [k, v] of Object.entries(metadata)) if (typeof v !== "string") throw new ArgumentError(`${op}: metadata[${JSON.stringify(k)}] must be a string, but it is ${describe(v)}.`);
    header.__metadata__ = { ...metadata };
  }
  const parts: (Float32Array | Float64Array)[] = [];
  let offset = 0;
  for (const [name, t] of items) {
    if (typeof name !== "string" || name.length === 0 || name === "__metadata__") throw new ArgumentError(`${op}: invalid tensor name ${JSON.stringify(name)}.`);
    let shape: number[], data: Float32Array | Float64Array;
    if (t instanceof Tensor) {
      if (t.dtype !== "float32" && t.dtype !== "float64") throw new DTypeError(`${op}: ${JSON.stringify(name)} is ${t.dtype}; only float32 (F32) and float64 (F64) tensors are written.`);
      shape = t.shape.slice(); data = t.data();
    } else if (t && Array.isArray(t.shape) && t.data && typeof t.data.length === "number") {
      shape = t.shape.slice();
      if (shape.some((d) => !Number.isSafeInteger(d) || d < 0)) throw new ArgumentError(`${op}: ${JSON.stringify(name)} has an invalid shape ${JSON.stringify(shape)}.`);
      const count = shape.reduce((a, b) => a * b, 1);
      if (count !== t.data.length) throw new ShapeError(`${op}: ${JSON.stringify(name)} has shape ${fmtShape(shape)} (${count} values) but ${t.data.length} values were given.`);
      data = t.data instanceof Float32Array || t.data instanceof Float64Array ? t.data : Float32Array.from(t.data);
    } else throw new ArgumentError(`${op}: ${JSON.stringify(name)} must be a Tensor or { shape, data }, but it is ${describe(t)}.`);
    header[name] = { dtype: data instanceof Float64Array ? "F64" : "F32", shape, data_offsets: [offset, offset + data.byteLength] };
    offset += data.byteLength;
    parts.push(data);
  }
  let json = JSON.stringify(header);
  const enc = new TextEncoder();
  let hb = enc.encode(json);
  const pad = (8 - (hb.length % 8)) % 8; // align the data to 8 bytes, as the reference writer does
  if (pad > 0) { json += " ".repeat(pad); hb = enc.encode(json); }
  const out = new Uint8Array(8 + hb.length + offset);
  const view = new DataView(out.buffer);
  view.setUint32(0, hb.length, true);
  view.setUint32(4, 0, true);
  out.set(hb, 8);
  let at = 8 + hb.length;
  for (const d of parts) {
    if (LITTLE) out.set(new Uint8Array(d.buffer, d.byteOffset, d.byteLength), at);
    else for (let i = 0; i < d.length; i++) { if (d instanceof Float64Array) view.setFloat64(at + 8 * i, d[i], true); else view.setFloat32(at + 4 * i, d[i], true); }
    at += d.byteLength;
  }
  return out;
}
