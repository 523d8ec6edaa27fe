// The PNG writer (src/png.ts, on node:zlib's deflate and crc32): chunk layout, CRCs against known values, and the
// pixels read back by inflating the image data.
import { describe, it, expect } from "vitest";
import { inflateSync } from "node:zlib";
import { encodePng, PNG_SIGNATURE } from "../src/png.js";

/** The chunks of a PNG: type, data, and the stored CRC. */
function chunks(png: Uint8Array): { type: string; data: Uint8Array; crc: number }[] {
  const dv = new DataView(png.buffer, png.byteOffset, png.byteLength);
  const out = [];
  for (let off = 8; off < png.length;) {
    const n = dv.getUint32(off);
    out.push({ type: String.fromCharCode(...png.subarray(off + 4, off + 8)), data: png.subarray(off + 8, off + 8 + n), crc: dv.getUint32(off + 8 + n) });
    off += 12 + n;
  }
  return out;
}

describe("encodePng", () => {
  it("writes the signature, IHDR, IDAT and IEND with their CRCs, and the pixels inflate back", () => {
    const rgb = Uint8Array.from({ length: 3 * 2 * 3 }, (_, i) => (i * 37) % 256);
    const png = encodePng(3, 2, rgb);
    expect(Array.from(png.subarray(0, 8))).toEqual(Array.from(PNG_SIGNATURE));
    const cs = chunks(png);
    expect(cs.map((c) => c.type)).toEqual(["IHDR", "IDAT", "IEND"]);
    // the CRC of an empty IEND chunk is the same in every PNG: AE 42 60 82
    expect(cs[2].crc).toBe(0xae426082);
    // IHDR: width 3, height 2, 8-bit truecolor; its CRC for exactly these 13 bytes, computed independently
    // (python3: zlib.crc32(b"IHDR" + bytes.fromhex("00000003000000020802000000")))
    expect(Array.from(cs[0].data)).toEqual([0, 0, 0, 3, 0, 0, 0, 2, 8, 2, 0, 0, 0]);
    expect(cs[0].crc).toBe(0x1216f14d);
    const raw = inflateSync(cs[1].data);
    expect(raw.length).toBe(2 * (1 + 9));
    expect(Array.from(raw.subarray(1, 10))).toEqual(Array.from(rgb.subarray(0, 9)));
    expect(Array.from(raw.subarray(11, 20))).toEqual(Array.from(rgb.subarray(9, 18)));
  });
});
