// Limits on what a weights reader accepts (issue 14), shared by the JSON and safetensors readers so that the API
// and the CLI apply the same rules: a maximum input size, checked before anything is decoded (the caller can stop
// reading a file or a stream there: a reader of /dev/urandom used to read 1.1 GB before failing), and a maximum
// nesting depth for JSON text, checked by a linear scan before JSON.parse (10^6 nested arrays parse, but every
// recursive walk afterwards, error messages included, overflowed the stack with a raw RangeError).
import { ArgumentError, describe } from "../errors.js";
import { WeightsFormatError } from "./layers.js";

export interface ReadLimits {
  /** the largest input accepted, in bytes (default MAX_WEIGHTS_BYTES: 1 GiB) */
  maxBytes?: number;
  /** the deepest JSON nesting accepted (default MAX_JSON_DEPTH: 32; a weights file needs 6) */
  maxDepth?: number;
}

export const MAX_WEIGHTS_BYTES = 2 ** 30;
export const MAX_JSON_DEPTH = 32;

/** The limits in effect, checked (a bad limit is an ArgumentError, not a silent default). */
export function limitsOf(op: string, o: ReadLimits | undefined): Required<ReadLimits> {
  const maxBytes = o?.maxBytes ?? MAX_WEIGHTS_BYTES, maxDepth = o?.maxDepth ?? MAX_JSON_DEPTH;
  if (typeof maxBytes !== "number" || !(maxBytes >= 0)) throw new ArgumentError(`${op}: maxBytes must be a non-negative number, but got ${describe(maxBytes)}.`);
  if (!Number.isInteger(maxDepth) || maxDepth < 1) throw new ArgumentError(`${op}: maxDepth must be a positive integer, but got ${describe(maxDepth)}.`);
  return { maxBytes, maxDepth };
}

/** Refuses an input longer than the limit (bytes, or UTF-16 code units of a string: at most 3 UTF-8 bytes each). */
export function checkSize(op: string, length: number, limits: Required<ReadLimits>, what = "the input"): void {
  if (length > limits.maxBytes) {
    throw new WeightsFormatError(`${op}: ${what} is ${length.toLocaleString("en-US")} bytes, above the limit of ${limits.maxBytes.toLocaleString("en-US")} ` +
      `(maxBytes). A weights file is rarely that large: check it is the right file, or pass a larger maxBytes.`);
  }
}

/** Refuses JSON text nested deeper than the limit (brackets inside strings do not count). Linear, no recursion. */
export function checkDepth(op: string, text: string, limits: Required<ReadLimits>): void {
  let depth = 0, inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++;            // backslash: skip the escaped character
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 91 || c === 123) {  // [ {
      if (++depth > limits.maxDepth) {
        throw new WeightsFormatError(`${op}: the JSON is nested more than ${limits.maxDepth} levels deep (at character ${i}); ` +
          `a weights file needs 6. Not a weights file, or a corrupted one (raise maxDepth if it really is this deep).`);
      }
    } else if (c === 93 || c === 125) depth--;
  }
}
