// N-d iteration shared by the strided kernels: walks every index of `shape` except the innermost axis, keeping up
// to three element offsets (for strides s0, s1, s2) in step. Kernels handle the innermost axis as a run so that its
// body can be SIMD. Adjacent axes that are contiguous in every operand are merged first (coalesce), so the common
// cases (same-shape, row broadcast, column broadcast) come down to one or two axes.

export class NdIter {
  shape: StaticArray<i32>;
  s0: StaticArray<i32>;
  s1: StaticArray<i32>;
  s2: StaticArray<i32>;
  rank: i32;
  idx: StaticArray<i32>;
  o0: i32 = 0; o1: i32 = 0; o2: i32 = 0;
  done: bool = false;

  constructor(shape: StaticArray<i32>, s0: StaticArray<i32>, s1: StaticArray<i32>, s2: StaticArray<i32>) {
    // coalesce: merge axis i into i+1 when, for every operand, stride[i] == stride[i+1] * shape[i+1]
    const r = shape.length;
    const sh = new StaticArray<i32>(r > 0 ? r : 1);
    const a = new StaticArray<i32>(r > 0 ? r : 1);
    const b = new StaticArray<i32>(r > 0 ? r : 1);
    const c = new StaticArray<i32>(r > 0 ? r : 1);
    let n = 0;
    if (r == 0) { sh[0] = 1; a[0] = 1; b[0] = 1; c[0] = 1; n = 1; }
    for (let i = 0; i < r; i++) {
      const d = shape[i];
      if (d == 1) continue; // size-1 axes never move an offset
      if (n > 0 && a[n - 1] == s0[i] * d && b[n - 1] == s1[i] * d && c[n - 1] == s2[i] * d) {
        sh[n - 1] *= d; a[n - 1] = s0[i]; b[n - 1] = s1[i]; c[n - 1] = s2[i];
      } else {
        sh[n] = d; a[n] = s0[i]; b[n] = s1[i]; c[n] = s2[i]; n++;
      }
    }
    if (n == 0) { sh[0] = 1; a[0] = 1; b[0] = 1; c[0] = 1; n = 1; }
    this.shape = sh; this.s0 = a; this.s1 = b; this.s2 = c; this.rank = n;
    this.idx = new StaticArray<i32>(n);
    for (let i = 0; i < r; i++) if (shape[i] == 0) this.done = true;
  }

  @inline get inner(): i32 { return this.shape[this.rank - 1]; }
  @inline get i0(): i32 { return this.s0[this.rank - 1]; }
  @inline get i1(): i32 { return this.s1[this.rank - 1]; }
  @inline get i2(): i32 { return this.s2[this.rank - 1]; }

  /** Advances to the next run; sets done after the last one. */
  next(): void {
    for (let ax = this.rank - 2; ax >= 0; ax--) {
      const v = this.idx[ax] + 1;
      if (v < this.shape[ax]) {
        this.idx[ax] = v;
        this.o0 += this.s0[ax]; this.o1 += this.s1[ax]; this.o2 += this.s2[ax];
        return;
      }
      this.idx[ax] = 0;
      this.o0 -= this.s0[ax] * (v - 1); this.o1 -= this.s1[ax] * (v - 1); this.o2 -= this.s2[ax] * (v - 1);
    }
    this.done = true;
  }
}

export const ZERO_STRIDES = new StaticArray<i32>(8);
