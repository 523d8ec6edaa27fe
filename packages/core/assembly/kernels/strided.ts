// Strided copy (gather a view into contiguous storage) and its adjoint, strided accumulate (scatter-add a
// contiguous tensor into a view's positions). Stride-0 axes in the scatter sum every contributing element, which
// is exactly the reduction that broadcasting needs in reverse.
import { NdIter, stdInto, zeroInto } from "./iter";

const gatherIter = new NdIter(), scatterIter = new NdIter();

/** dst (contiguous, shape) <- src[offset + sum idx*strides] */
export function gatherStrided(src: usize, shape: StaticArray<i32>, strides: StaticArray<i32>, dst: usize): void {
  const it = gatherIter;
  for (let i = 0; i < shape.length; i++) unchecked(it.in0[i] = unchecked(strides[i]));
  stdInto(shape, it.in1); zeroInto(shape.length, it.in2); it.begin(shape);
  const n = it.inner, si = it.i0;
  while (!it.done) {
    const a = src + (<usize>it.o0 << 2);
    const o = dst + (<usize>it.o1 << 2);
    if (si == 1) memory.copy(o, a, <usize>n << 2);
    else if (si == 0) { const v = load<f32>(a); for (let i = 0; i < n; i++) store<f32>(o + (<usize>i << 2), v); }
    else for (let i = 0; i < n; i++) store<f32>(o + (<usize>i << 2), load<f32>(a + (<usize>(i * si) << 2)));
    it.next();
  }
}

/** dst[offset + sum idx*strides] += src (contiguous, shape); with acc false, = instead of += (no overlaps) */
export function scatterStrided(src: usize, shape: StaticArray<i32>, strides: StaticArray<i32>, dst: usize, acc: bool): void {
  if (acc && shape.length == 2 && unchecked(strides[0]) == 0 && unchecked(strides[1]) == 1) {
    columnSums(src, unchecked(shape[0]), unchecked(shape[1]), dst);
    return;
  }
  const it = scatterIter;
  for (let i = 0; i < shape.length; i++) unchecked(it.in0[i] = unchecked(strides[i]));
  stdInto(shape, it.in1); zeroInto(shape.length, it.in2); it.begin(shape);
  const n = it.inner, sd = it.i0;
  while (!it.done) {
    const d = dst + (<usize>it.o0 << 2);
    const s = src + (<usize>it.o1 << 2);
    let i = 0;
    if (!acc) {
      if (sd == 1) memory.copy(d, s, <usize>n << 2);
      else for (; i < n; i++) store<f32>(d + (<usize>(i * sd) << 2), load<f32>(s + (<usize>i << 2)));
    } else if (sd == 1) {
      for (; i + 4 <= n; i += 4) { const p = <usize>i << 2; v128.store(d + p, f32x4.add(v128.load(d + p), v128.load(s + p))); }
      for (; i < n; i++) { const p = <usize>i << 2; store<f32>(d + p, load<f32>(d + p) + load<f32>(s + p)); }
    } else if (sd == 0) {
      let acc = f32x4.splat(0);
      for (; i + 4 <= n; i += 4) acc = f32x4.add(acc, v128.load(s + (<usize>i << 2)));
      let t = (f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1)) + (f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3));
      for (; i < n; i++) t += load<f32>(s + (<usize>i << 2));
      store<f32>(d, load<f32>(d) + t);
    } else {
      for (; i < n; i++) { const p = d + (<usize>(i * sd) << 2); store<f32>(p, load<f32>(p) + load<f32>(s + (<usize>i << 2))); }
    }
    it.next();
  }
}

/**
 * dst[j] += sum over rows r of src[r w + j]: every row onto one row (a broadcast row's gradient: a bias). Each
 * column is added in row order, as the general loop above adds it (the same bits), but four columns stay in a
 * register across all rows instead of an iterator step and a load and store of dst per row (a [10,000, 20]
 * bias gradient, eager: 144 -> 43 us median, of which ~35 us in this loop).
 */
function columnSums(src: usize, rows: i32, w: i32, dst: usize): void {
  const rb = <usize>w << 2;
  let c = 0;
  for (; c + 4 <= w; c += 4) {
    const o = <usize>c << 2;
    let v = v128.load(dst + o);
    let p = src + o;
    for (let r = 0; r < rows; r++) { v = f32x4.add(v, v128.load(p)); p += rb; }
    v128.store(dst + o, v);
  }
  for (; c < w; c++) {
    const o = <usize>c << 2;
    let t = load<f32>(dst + o);
    let p = src + o;
    for (let r = 0; r < rows; r++) { t += load<f32>(p); p += rb; }
    store<f32>(dst + o, t);
  }
}

export function fillKernel(dst: usize, n: i32, v: f32): void {
  const vv = f32x4.splat(v);
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(dst + (<usize>i << 2), vv);
  for (; i < n; i++) store<f32>(dst + (<usize>i << 2), v);
}
