// Reductions of a contiguous input over a set of axes into a contiguous output (reduced axes have size 1 there).
// The NdIter walks the input with output strides that are 0 on reduced axes; the innermost run is either reduced
// into one output element (SIMD horizontal accumulation) or combined lane-wise into an output run (SIMD).
// Sums accumulate in float32 with 4 partial lanes (pairwise over lanes), error ~ n * eps / 4 in the worst case.
import { NdIter } from "./iter";

export enum RK { Sum, Max, Min }

@inline function vcomb(k: i32, a: v128, b: v128): v128 {
  return k == RK.Sum ? f32x4.add(a, b) : (k == RK.Max ? f32x4.max(a, b) : f32x4.min(a, b));
}
@inline function scomb(k: i32, a: f32, b: f32): f32 {
  if (a != a || b != b) return NaN;
  return k == RK.Sum ? a + b : (k == RK.Max ? (a > b ? a : b) : (a < b ? a : b));
}
export function identity(k: i32): f32 { return k == RK.Sum ? 0 : (k == RK.Max ? -Infinity : Infinity); }

const reduceIter = new NdIter();

export function reduceKernel(k: i32, src: usize, dst: usize, shape: StaticArray<i32>, inStrides: StaticArray<i32>,
                             outStrides: StaticArray<i32>, outSize: i32): void {
  const id = identity(k);
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
      if (si == 1) for (; i + 4 <= n; i += 4) acc = vcomb(k, acc, v128.load(a + (<usize>i << 2)));
      let s = scomb(k, scomb(k, f32x4.extract_lane(acc, 0), f32x4.extract_lane(acc, 1)),
                       scomb(k, f32x4.extract_lane(acc, 2), f32x4.extract_lane(acc, 3)));
      for (; i < n; i++) s = scomb(k, s, load<f32>(a + (<usize>(i * si) << 2)));
      store<f32>(o, scomb(k, load<f32>(o), s));
    } else {
      let i = 0;
      if (si == 1 && so == 1) {
        for (; i + 4 <= n; i += 4) {
          const p = <usize>i << 2;
          v128.store(o + p, vcomb(k, v128.load(o + p), v128.load(a + p)));
        }
      }
      for (; i < n; i++) {
        const po = o + (<usize>(i * so) << 2);
        store<f32>(po, scomb(k, load<f32>(po), load<f32>(a + (<usize>(i * si) << 2))));
      }
    }
    it.next();
  }
}
