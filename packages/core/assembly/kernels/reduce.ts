// Reductions of a contiguous input over a set of axes into a contiguous output (reduced axes have size 1 there).
// The NdIter walks the input with output strides that are 0 on reduced axes; the innermost run is either reduced
// into one output element (SIMD horizontal accumulation) or combined lane-wise into an output run (SIMD).
// Sums accumulate in float64 (a scratch buffer of one float64 per output element) and are rounded to float32 once:
// the result is the correctly rounded sum up to ~n * 2^-53 relative error, so a loss such as mean(r^2) over 10,000
// points is reproducible to float32 resolution instead of carrying ~n * 2^-24 of summation noise. That noise used
// to be the floor of L-BFGS in PINN training: its line search compares losses that differ by less than it.
// The scratch is the caller's (ops/reduce.ts allocates it and reports OutOfMemory like any output).
// Max and min work in float32 (exact: they only pick an element).
import { NdIter } from "./iter";

@inline function vcomb(max: bool, a: v128, b: v128): v128 { return max ? f32x4.max(a, b) : f32x4.min(a, b); }
@inline function scomb(max: bool, a: f32, b: f32): f32 {
  if (a != a || b != b) return NaN;
  return max ? (a > b ? a : b) : (a < b ? a : b);
}

const reduceIter = new NdIter();

/** Max (max = true) or min reduction into dst (outSize floats). */
export function extremumKernel(max: bool, src: usize, dst: usize, shape: StaticArray<i32>, inStrides: StaticArray<i32>,
                               outStrides: StaticArray<i32>, outSize: i32): void {
  const id: f32 = max ? -Infinity : Infinity;
  for (let i = 0; i < outSize; i++) store<f32>(dst + (<usize>i << 2), id);
  const it = reduceIter.start(shape, inStrides, outStrides, outStrides);
  const n = it.inner, si = it.i0, so = it.i1;
  while (!it.done) {
    const a = src + (<usize>it.o0 << 2);
    const o = dst + (<usize>it.o1 << 2);
    if (so == 0) {
      // whole run into one element
      let acc = f32x4.splat(id);
      let i = 0;
      if (si == 1) for (; i + 4 <= n; i += 4) acc = vcomb(max, acc, v128.load(a + (<usize>i << 2)));
      let s = scomb(max, scomb(max, f32x4.extract_lane(acc, 0), f32x4.extract_lane(acc, 1)),
                       scomb(max, f32x4.extract_lane(acc, 2), f32x4.extract_lane(acc, 3)));
      for (; i < n; i++) s = scomb(max, s, load<f32>(a + (<usize>(i * si) << 2)));
      store<f32>(o, scomb(max, load<f32>(o), s));
    } else {
      let i = 0;
      if (si == 1 && so == 1) {
        for (; i + 4 <= n; i += 4) {
          const p = <usize>i << 2;
          v128.store(o + p, vcomb(max, v128.load(o + p), v128.load(a + p)));
        }
      }
      for (; i < n; i++) {
        const po = o + (<usize>(i * so) << 2);
        store<f32>(po, scomb(max, load<f32>(po), load<f32>(a + (<usize>(i * si) << 2))));
      }
    }
    it.next();
  }
}

/** f64x2 of lanes 2 and 3 of a f32x4 */
@inline function promoteHigh(v: v128): v128 {
  return f64x2.promote_low_f32x4(i8x16.shuffle(v, v, 8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7));
}

/** Sum reduction accumulated in float64 scratch `acc` (outSize doubles, 16-byte aligned), rounded into dst at the end. */
export function sumKernel(src: usize, dst: usize, acc: usize, shape: StaticArray<i32>, inStrides: StaticArray<i32>,
                     outStrides: StaticArray<i32>, outSize: i32): void {
  memory.fill(acc, 0, <usize>outSize << 3);
  const it = reduceIter.start(shape, inStrides, outStrides, outStrides);
  const n = it.inner, si = it.i0, so = it.i1;
  while (!it.done) {
    const a = src + (<usize>it.o0 << 2);
    const o = acc + (<usize>it.o1 << 3);
    if (so == 0) {
      // whole run into one element: two f64x2 partial sums (lanes 0,1 and 2,3)
      let lo = f64x2.splat(0), hi = f64x2.splat(0);
      let i = 0;
      if (si == 1) for (; i + 4 <= n; i += 4) {
        const v = v128.load(a + (<usize>i << 2));
        lo = f64x2.add(lo, f64x2.promote_low_f32x4(v));
        hi = f64x2.add(hi, promoteHigh(v));
      }
      const both = f64x2.add(lo, hi);
      let s = f64x2.extract_lane(both, 0) + f64x2.extract_lane(both, 1);
      for (; i < n; i++) s += <f64>load<f32>(a + (<usize>(i * si) << 2));
      store<f64>(o, load<f64>(o) + s);
    } else {
      let i = 0;
      if (si == 1 && so == 1) {
        for (; i + 4 <= n; i += 4) {
          const v = v128.load(a + (<usize>i << 2));
          const p = o + (<usize>i << 3);
          v128.store(p, f64x2.add(v128.load(p), f64x2.promote_low_f32x4(v)));
          v128.store(p + 16, f64x2.add(v128.load(p + 16), promoteHigh(v)));
        }
      }
      for (; i < n; i++) {
        const po = o + (<usize>(i * so) << 3);
        store<f64>(po, load<f64>(po) + <f64>load<f32>(a + (<usize>(i * si) << 2)));
      }
    }
    it.next();
  }
  // round once; f64 -> f32 keeps NaN and turns out-of-range sums into +-Infinity, as float32 accumulation would
  let i = 0;
  for (; i + 4 <= outSize; i += 4) {
    const p = acc + (<usize>i << 3);
    const l = f32x4.demote_f64x2_zero(v128.load(p));
    const h = f32x4.demote_f64x2_zero(v128.load(p + 16));
    v128.store(dst + (<usize>i << 2), i8x16.shuffle(l, h, 0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23));
  }
  for (; i < outSize; i++) store<f32>(dst + (<usize>i << 2), <f32>load<f64>(acc + (<usize>i << 3)));
}
