// The float64 strided copy, strided accumulate and fill (kernels/strided.ts for 4-byte elements), and the
// dispatchers by element size that the ops call: `gatherAny(dtype, ...)` runs the float32 loop for 4-byte dtypes,
// unchanged, and the float64 loop for Float64.
import { NdIter, stdInto, zeroInto } from "./iter";
import { gatherStrided, scatterStrided, fillKernel } from "./strided";

const gatherIter = new NdIter(), scatterIter = new NdIter();
const F64: i32 = 3; // DType.Float64 (kernels import nothing from the tensor layer)

/** dst (contiguous doubles, shape) <- src[offset + sum idx*strides] */
export function gatherStrided64(src: usize, shape: StaticArray<i32>, strides: StaticArray<i32>, dst: usize): void {
  const it = gatherIter;
  for (let i = 0; i < shape.length; i++) unchecked(it.in0[i] = unchecked(strides[i]));
  stdInto(shape, it.in1); zeroInto(shape.length, it.in2); it.begin(shape);
  const n = it.inner, si = it.i0;
  while (!it.done) {
    const a = src + (<usize>it.o0 << 3);
    const o = dst + (<usize>it.o1 << 3);
    if (si == 1) memory.copy(o, a, <usize>n << 3);
    else if (si == 0) { const v = load<f64>(a); for (let i = 0; i < n; i++) store<f64>(o + (<usize>i << 3), v); }
    else for (let i = 0; i < n; i++) store<f64>(o + (<usize>i << 3), load<f64>(a + (<usize>(i * si) << 3)));
    it.next();
  }
}

/** dst[offset + sum idx*strides] += src (contiguous doubles, shape); with acc false, = instead of += (no overlaps) */
export function scatterStrided64(src: usize, shape: StaticArray<i32>, strides: StaticArray<i32>, dst: usize, acc: bool): void {
  const it = scatterIter;
  for (let i = 0; i < shape.length; i++) unchecked(it.in0[i] = unchecked(strides[i]));
  stdInto(shape, it.in1); zeroInto(shape.length, it.in2); it.begin(shape);
  const n = it.inner, sd = it.i0;
  while (!it.done) {
    const d = dst + (<usize>it.o0 << 3);
    const s = src + (<usize>it.o1 << 3);
    let i = 0;
    if (!acc) {
      if (sd == 1) memory.copy(d, s, <usize>n << 3);
      else for (; i < n; i++) store<f64>(d + (<usize>(i * sd) << 3), load<f64>(s + (<usize>i << 3)));
    } else if (sd == 1) {
      for (; i + 2 <= n; i += 2) { const p = <usize>i << 3; v128.store(d + p, f64x2.add(v128.load(d + p), v128.load(s + p))); }
      for (; i < n; i++) { const p = <usize>i << 3; store<f64>(d + p, load<f64>(d + p) + load<f64>(s + p)); }
    } else if (sd == 0) {
      let acc = f64x2.splat(0);
      for (; i + 2 <= n; i += 2) acc = f64x2.add(acc, v128.load(s + (<usize>i << 3)));
      let t = f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1);
      for (; i < n; i++) t += load<f64>(s + (<usize>i << 3));
      store<f64>(d, load<f64>(d) + t);
    } else {
      for (; i < n; i++) { const p = d + (<usize>(i * sd) << 3); store<f64>(p, load<f64>(p) + load<f64>(s + (<usize>i << 3))); }
    }
    it.next();
  }
}

export function fillKernel64(dst: usize, n: i32, v: f64): void {
  const vv = f64x2.splat(v);
  let i = 0;
  for (; i + 2 <= n; i += 2) v128.store(dst + (<usize>i << 3), vv);
  if (i < n) store<f64>(dst + (<usize>i << 3), v);
}

/** gatherStrided for a tensor of `dtype`. */
export function gatherAny(dtype: i32, src: usize, shape: StaticArray<i32>, strides: StaticArray<i32>, dst: usize): void {
  if (dtype == F64) gatherStrided64(src, shape, strides, dst); else gatherStrided(src, shape, strides, dst);
}
/** scatterStrided for a tensor of `dtype`. */
export function scatterAny(dtype: i32, src: usize, shape: StaticArray<i32>, strides: StaticArray<i32>, dst: usize, acc: bool): void {
  if (dtype == F64) scatterStrided64(src, shape, strides, dst, acc); else scatterStrided(src, shape, strides, dst, acc);
}
/** fillKernel for a tensor of `dtype` (v rounded to float32 for the 4-byte dtypes, as before). */
export function fillAny(dtype: i32, dst: usize, n: i32, v: f64): void {
  if (dtype == F64) fillKernel64(dst, n, v); else fillKernel(dst, n, <f32>v);
}
/** Converts n contiguous elements between float32 (4-byte dtypes) and float64 storage. */
export function convertKernel(fromF64: bool, src: usize, dst: usize, n: i32): void {
  let i = 0;
  if (fromF64) {
    for (; i + 2 <= n; i += 2) {
      const v = f32x4.demote_f64x2_zero(v128.load(src + (<usize>i << 3)));
      v128.store64_lane(dst + (<usize>i << 2), v, 0);
    }
    for (; i < n; i++) store<f32>(dst + (<usize>i << 2), <f32>load<f64>(src + (<usize>i << 3)));
  } else {
    for (; i + 2 <= n; i += 2) v128.store(dst + (<usize>i << 3), f64x2.promote_low_f32x4(v128.load64_zero(src + (<usize>i << 2))));
    for (; i < n; i++) store<f64>(dst + (<usize>i << 3), <f64>load<f32>(src + (<usize>i << 2)));
  }
}
