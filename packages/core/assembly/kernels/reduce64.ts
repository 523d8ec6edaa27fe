// Float64 reductions of a contiguous input over a set of axes into a contiguous output (kernels/reduce.ts for
// float32, which it follows: the NdIter walks the input with output strides 0 on reduced axes). Sums accumulate in
// the output itself, in f64x2 lanes (two interleaved partial sums when a run folds into one element): plain
// float64 summation, error <= n 2^-53 sum |x| (float32 needed a float64 scratch for that; float64 has no wider type).
// Max and min pick an element (exact); NaN propagates.
import { NdIter } from "./iter";

const reduceIter64 = new NdIter();

@inline function scomb(max: bool, a: f64, b: f64): f64 {
  if (a != a || b != b) return NaN;
  return max ? (a > b ? a : b) : (a < b ? a : b);
}

/** Sum (sum = true) or, with sum false, max (max = true) or min reduction into dst (outSize doubles). */
export function reduceKernel64(sum: bool, max: bool, src: usize, dst: usize, shape: StaticArray<i32>, inStrides: StaticArray<i32>,
                               outStrides: StaticArray<i32>, outSize: i32): void {
  const id: f64 = sum ? 0 : (max ? -Infinity : Infinity);
  for (let i = 0; i < outSize; i++) store<f64>(dst + (<usize>i << 3), id);
  const it = reduceIter64.start(shape, inStrides, outStrides, outStrides);
  const n = it.inner, si = it.i0, so = it.i1;
  while (!it.done) {
    const a = src + (<usize>it.o0 << 3);
    const o = dst + (<usize>it.o1 << 3);
    if (so == 0) {
      // the whole run into one element
      let i = 0, s: f64;
      if (sum) {
        let acc = f64x2.splat(0);
        if (si == 1) for (; i + 2 <= n; i += 2) acc = f64x2.add(acc, v128.load(a + (<usize>i << 3)));
        s = f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1);
        for (; i < n; i++) s += load<f64>(a + (<usize>(i * si) << 3));
        store<f64>(o, load<f64>(o) + s);
      } else {
        let acc = f64x2.splat(id);
        if (si == 1) for (; i + 2 <= n; i += 2) acc = max ? f64x2.max(acc, v128.load(a + (<usize>i << 3))) : f64x2.min(acc, v128.load(a + (<usize>i << 3)));
        s = scomb(max, f64x2.extract_lane(acc, 0), f64x2.extract_lane(acc, 1));
        for (; i < n; i++) s = scomb(max, s, load<f64>(a + (<usize>(i * si) << 3)));
        store<f64>(o, scomb(max, load<f64>(o), s));
      }
    } else {
      let i = 0;
      if (si == 1 && so == 1) {
        for (; i + 2 <= n; i += 2) {
          const p = <usize>i << 3;
          const x = v128.load(a + p), y = v128.load(o + p);
          v128.store(o + p, sum ? f64x2.add(y, x) : (max ? f64x2.max(y, x) : f64x2.min(y, x)));
        }
      }
      for (; i < n; i++) {
        const po = o + (<usize>(i * so) << 3), x = load<f64>(a + (<usize>(i * si) << 3));
        store<f64>(po, sum ? load<f64>(po) + x : scomb(max, load<f64>(po), x));
      }
    }
    it.next();
  }
}
