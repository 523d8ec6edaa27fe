// N-d iteration shared by the strided kernels: walks every index of `shape` except the innermost axis, keeping up
// to three element offsets (for strides s0, s1, s2) in step. Kernels handle the innermost axis as a run so that its
// body can be SIMD. Adjacent axes that are contiguous in every operand are merged first (coalesce), so the common
// cases (same-shape, row broadcast, column broadcast) come down to one or two axes.
//
// No allocation per use: each caller owns one static iterator (kernels are not re-entrant: a kernel never starts
// another walk on the same iterator while iterating), fills its operand strides (in0..in2, through the helpers
// below or `start`), then calls `begin(shape)`.

const R: i32 = 9; // MAX_RANK + 1

export class NdIter {
  shape: StaticArray<i32> = new StaticArray<i32>(R);
  s0: StaticArray<i32> = new StaticArray<i32>(R);
  s1: StaticArray<i32> = new StaticArray<i32>(R);
  s2: StaticArray<i32> = new StaticArray<i32>(R);
  idx: StaticArray<i32> = new StaticArray<i32>(R);
  // the operands' strides per axis of the iteration shape, before coalescing
  in0: StaticArray<i32> = new StaticArray<i32>(R);
  in1: StaticArray<i32> = new StaticArray<i32>(R);
  in2: StaticArray<i32> = new StaticArray<i32>(R);
  rank: i32 = 0;
  o0: i32 = 0; o1: i32 = 0; o2: i32 = 0;
  done: bool = false;

  /** begin() with strides copied from three arrays (rank = shape.length). */
  @inline start(shape: StaticArray<i32>, s0: StaticArray<i32>, s1: StaticArray<i32>, s2: StaticArray<i32>): NdIter {
    const r = shape.length;
    for (let i = 0; i < r; i++) {
      unchecked(this.in0[i] = unchecked(s0[i])); unchecked(this.in1[i] = unchecked(s1[i])); unchecked(this.in2[i] = unchecked(s2[i]));
    }
    return this.begin(shape);
  }

  /** Coalesces `shape` with in0..in2 and positions the walk at the first run. */
  begin(shape: StaticArray<i32>): NdIter {
    // coalesce: merge axis i into i+1 when, for every operand, stride[i] == stride[i+1] * shape[i+1]
    const r = shape.length;
    const sh = this.shape, a = this.s0, b = this.s1, c = this.s2, i0 = this.in0, i1 = this.in1, i2 = this.in2;
    let n = 0;
    let empty = false;
    for (let i = 0; i < r; i++) {
      const d = unchecked(shape[i]);
      if (d == 0) empty = true;
      if (d == 1) continue; // size-1 axes never move an offset
      const x0 = unchecked(i0[i]), x1 = unchecked(i1[i]), x2 = unchecked(i2[i]);
      if (n > 0 && unchecked(a[n - 1]) == x0 * d && unchecked(b[n - 1]) == x1 * d && unchecked(c[n - 1]) == x2 * d) {
        unchecked(sh[n - 1] *= d); unchecked(a[n - 1] = x0); unchecked(b[n - 1] = x1); unchecked(c[n - 1] = x2);
      } else {
        unchecked(sh[n] = d); unchecked(a[n] = x0); unchecked(b[n] = x1); unchecked(c[n] = x2); n++;
      }
    }
    if (n == 0) { unchecked(sh[0] = 1); unchecked(a[0] = 1); unchecked(b[0] = 1); unchecked(c[0] = 1); n = 1; }
    for (let i = 0; i < n; i++) unchecked(this.idx[i] = 0);
    this.rank = n; this.o0 = 0; this.o1 = 0; this.o2 = 0; this.done = empty;
    return this;
  }

  @inline get inner(): i32 { return unchecked(this.shape[this.rank - 1]); }
  @inline get i0(): i32 { return unchecked(this.s0[this.rank - 1]); }
  @inline get i1(): i32 { return unchecked(this.s1[this.rank - 1]); }
  @inline get i2(): i32 { return unchecked(this.s2[this.rank - 1]); }

  /** Advances to the next run; sets done after the last one. */
  next(): void {
    const idx = this.idx, sh = this.shape, a = this.s0, b = this.s1, c = this.s2;
    for (let ax = this.rank - 2; ax >= 0; ax--) {
      const v = unchecked(idx[ax]) + 1;
      if (v < unchecked(sh[ax])) {
        unchecked(idx[ax] = v);
        this.o0 += unchecked(a[ax]); this.o1 += unchecked(b[ax]); this.o2 += unchecked(c[ax]);
        return;
      }
      unchecked(idx[ax] = 0);
      this.o0 -= unchecked(a[ax]) * (v - 1); this.o1 -= unchecked(b[ax]) * (v - 1); this.o2 -= unchecked(c[ax]) * (v - 1);
    }
    this.done = true;
  }
}

/** dst[0..r) <- row-major strides of shape */
export function stdInto(shape: StaticArray<i32>, dst: StaticArray<i32>): void {
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) { unchecked(dst[i] = acc); acc *= unchecked(shape[i]); }
}

/** dst[0..shape.length) <- strides of a tensor (tShape, tStrides) broadcast (right-aligned) to shape: 0 on broadcast axes */
export function broadcastInto(tShape: StaticArray<i32>, tStrides: StaticArray<i32>, shape: StaticArray<i32>, dst: StaticArray<i32>): void {
  const r = shape.length, off = r - tShape.length;
  for (let i = 0; i < off; i++) unchecked(dst[i] = 0);
  for (let i = off; i < r; i++) unchecked(dst[i] = unchecked(tShape[i - off]) == 1 ? 0 : unchecked(tStrides[i - off]));
}

/** dst[0..r) <- 0 */
export function zeroInto(r: i32, dst: StaticArray<i32>): void { for (let i = 0; i < r; i++) unchecked(dst[i] = 0); }

export const ZERO_STRIDES = new StaticArray<i32>(R);
