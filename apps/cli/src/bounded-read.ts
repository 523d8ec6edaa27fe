// Reading an input the CLI parses whole (a weights file, standard input) without trusting its size: the bytes are
// read as a stream and the read stops as soon as they pass the limit, so `--weights /dev/urandom` (an endless
// character device) or a multi-gigabyte file fails at once with a named error instead of filling memory first. The
// limit is the library's (io.MAX_WEIGHTS_BYTES), so the API and the CLI refuse the same inputs.
import { createReadStream } from "node:fs";
import { io } from "gradtape";
import { CliError } from "./errors.js";

/** How many leading bytes `onHead` sees before the rest is read (enough for a safetensors length and its "{"). */
export const HEAD_BYTES = 16;

/**
 * Reads a byte stream up to `limit` bytes; one byte more is a CliError naming the source and the limit. `onHead`, if
 * given, sees the first HEAD_BYTES bytes (or all, if fewer) as soon as they arrive and may throw to stop the read: a
 * file that is not weights at all (random bytes) is refused after its first chunk, not after the limit.
 */
export async function readBounded(stream: AsyncIterable<Uint8Array | string>, source: string, limit = io.MAX_WEIGHTS_BYTES,
  onHead?: (head: Uint8Array) => void): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  let total = 0, headSeen = onHead === undefined;
  const stop = (): void => { (stream as { destroy?: () => void }).destroy?.(); };
  for await (const chunk of stream) {
    const b = typeof chunk === "string" ? Buffer.from(chunk) : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    total += b.length;
    if (total > limit) {
      stop();
      throw new CliError(`${source}: more than ${limit.toLocaleString("en-US")} bytes (the weights size limit); ` +
        "a weights file is far smaller: check the path (a device such as /dev/urandom never ends)");
    }
    chunks.push(b);
    if (!headSeen && total >= HEAD_BYTES) {
      headSeen = true;
      try { onHead!(Buffer.concat(chunks, total).subarray(0, HEAD_BYTES)); } catch (e) { stop(); throw e; }
    }
  }
  if (!headSeen) onHead!(Buffer.concat(chunks, total));
  return Buffer.concat(chunks, total);
}

/** A file's bytes, read with the bound above (errors from opening or reading are the caller's to word). */
export function readFileBounded(path: string, source: string, limit?: number, onHead?: (head: Uint8Array) => void): Promise<Uint8Array> {
  return readBounded(createReadStream(path), source, limit, onHead);
}
