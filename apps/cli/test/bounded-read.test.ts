// The CLI reads a weights input as a stream and stops at the size limit: an endless input (/dev/urandom, a pipe
// that never closes) fails at once with a named error instead of being read into memory first.
import { describe, it, expect } from "vitest";
import { readBounded, readFileBounded } from "../src/bounded-read.js";
import { CliError } from "../src/errors.js";

/** An endless byte stream that counts how much of it was read. */
function endless(chunk = 4096): AsyncIterable<Uint8Array> & { read: number } {
  const s = {
    read: 0,
    async *[Symbol.asyncIterator]() { for (;;) { s.read += chunk; yield new Uint8Array(chunk).fill(7); } },
  };
  return s;
}

describe("bounded reading of weights inputs", () => {
  it("an endless stream stops one chunk past the limit with a CliError naming the source and the limit", async () => {
    const s = endless();
    const err = await readBounded(s, "weights on standard input", 100_000).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CliError);
    expect(String((err as Error).message)).toMatch(/weights on standard input: more than 100,000 bytes/);
    expect(s.read).toBeLessThanOrEqual(100_000 + 4096);
  });

  it("an input within the limit comes back whole, bytes and strings alike", async () => {
    async function* parts() { yield new Uint8Array([1, 2, 3]); yield "ab"; }
    expect([...(await readBounded(parts(), "x", 5))]).toEqual([1, 2, 3, 97, 98]);
    await expect(readBounded(parts(), "x", 4)).rejects.toBeInstanceOf(CliError);
  });

  it("/dev/zero (an endless device) is refused after reading no more than the limit", async () => {
    await expect(readFileBounded("/dev/zero", "weights file /dev/zero", 1 << 20)).rejects.toThrow(/weights file \/dev\/zero: more than 1,048,576 bytes/);
  });
});

describe("the CLI's --weights on an endless device", () => {
  it("/dev/urandom is refused from its first bytes, not after the size limit", async () => {
    const { runCliAsync } = await import("./helpers.js");
    const t0 = Date.now();
    const r = await runCliAsync(["derivatives", "--weights", "/dev/urandom"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/weights file \/dev\/urandom: neither JSON weights nor safetensors/);
    expect(Date.now() - t0).toBeLessThan(20_000); // the process's start-up on a loaded machine; reading 1 GiB took longer
  });
});
