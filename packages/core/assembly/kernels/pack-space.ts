// The packing space of the matmul kernels (float32: matmul.ts, float64: matmul64.ts): one block grown on demand from
// the tensor allocator and kept between calls, shared by both (a product runs to its end before the next starts,
// threads included, so they never need it at once).
import { alloc, free } from "../memory";

let pack: usize = 0;
let packBytes: usize = 0;
let lastWant: u64 = 0;

/** Bytes of packing space the last matmul asked for: what an out-of-memory error reports (ops/matmul.ts). */
export function packRequested(): f64 { return <f64>lastWant; }

/** At least `want` bytes of packing space, or 0 when they cannot be allocated (or exceed one 2 GiB block). */
export function packSpace(want: u64): usize {
  lastWant = want;
  if (want > (<u64>1 << 31)) return 0; // a 32-bit byte count would wrap
  const bytes = <usize>want;
  if (bytes <= packBytes) return pack;
  if (pack != 0) free(pack, packBytes);
  pack = alloc(bytes);
  packBytes = pack != 0 ? bytes : 0;
  return pack;
}
