// Shape arithmetic and the shared shape and strides arrays of tensor records (tensor.ts re-exports what the rest of
// the core uses). Records never write their shape or strides, so one array serves every record of that shape.
import { filled } from "./arrays";

export function sizeOf(shape: StaticArray<i32>): i32 {
  let n = 1;
  for (let i = 0; i < shape.length; i++) n *= unchecked(shape[i]);
  return n;
}

export function stdStrides(shape: StaticArray<i32>): StaticArray<i32> {
  const r = shape.length;
  const s = filled<i32>(r); // (every element written below)
  let acc = 1;
  for (let i = r - 1; i >= 0; i--) { unchecked(s[i] = acc); acc *= unchecked(shape[i]); }
  return s;
}

// The strides of new contiguous tensors: tensors of the same shape share one strides array (records never write
// to their strides), found in a small direct-mapped cache keyed by the shape's contents.
const strideKeys = new StaticArray<StaticArray<i32> | null>(16);
const strideVals = new StaticArray<StaticArray<i32>>(16);
let lastKey: StaticArray<i32> | null = null;
let lastStrides: StaticArray<i32> = new StaticArray<i32>(0);
const NO_AXES = new StaticArray<i32>(0);
const UNIT = new StaticArray<i32>(1);
UNIT[0] = 1;
/** The row-major strides of `shape`, shared (the caller must not write them). Ranks 0-2 without hashing the shape:
 *  constants, and [n, 1] from the pair cache (as a call, the hashed path was ~100 instructions, ~5k per eager
 *  TF-style evaluation). */
@inline export function sharedStrides(shape: StaticArray<i32>): StaticArray<i32> {
  const r = shape.length;
  if (r == 2) return shape2(unchecked(shape[1]), 1);
  if (r == 1) return UNIT;
  if (r == 0) return NO_AXES;
  return stridesOfRank3Up(shape);
}
function stridesOfRank3Up(shape: StaticArray<i32>): StaticArray<i32> {
  // the last shape asked for first, without hashing: an op's output usually has its input's shape
  const lk = lastKey;
  if (lk != null && sameShape(lk, shape)) return lastStrides;
  const r = hashedStrides(shape);
  lastKey = unchecked(strideKeys[lastSlot]); lastStrides = r;
  return r;
}
let lastSlot: i32 = 0;
function hashedStrides(shape: StaticArray<i32>): StaticArray<i32> {
  let h = shape.length;
  for (let i = 0; i < shape.length; i++) h = h * 31 + unchecked(shape[i]);
  h = (h ^ (h >>> 7)) & 15;
  lastSlot = h;
  const k = unchecked(strideKeys[h]);
  if (k != null && sameShape(k, shape)) return unchecked(strideVals[h]);
  const s = stdStrides(shape);
  unchecked(strideKeys[h] = shape.slice<StaticArray<i32>>(0));
  unchecked(strideVals[h] = s);
  return s;
}

// Shapes [m, n] (matmul outputs): one array per (m, n) in a small direct-mapped cache, as sharedStrides does for
// strides (records never write their shape), so that a matmul allocates no shape array in steady state.
// (64 slots: rank-2 strides [n, 1], view strides and shapes share it)
const pairKeys = new StaticArray<i64>(64);
const pairVals = new StaticArray<StaticArray<i32> | null>(64);
@inline export function shape2(m: i32, n: i32): StaticArray<i32> {
  const key = (<i64>m << 32) | <i64><u32>n;
  const h = ((m * 31 + n) ^ (m >>> 6)) & 63;
  const v = unchecked(pairVals[h]);
  if (v != null && unchecked(pairKeys[h]) == key) return v;
  return newPair(m, n, key, h);
}
function newPair(m: i32, n: i32, key: i64, h: i32): StaticArray<i32> {
  const s = filled<i32>(2);
  unchecked(s[0] = m); unchecked(s[1] = n);
  unchecked(pairKeys[h] = key); unchecked(pairVals[h] = s);
  return s;
}

export function sameShape(a: StaticArray<i32>, b: StaticArray<i32>): bool {
  if (a === b) return true;
  if (a.length != b.length) return false;
  for (let i = 0; i < a.length; i++) if (unchecked(a[i]) != unchecked(b[i])) return false;
  return true;
}

