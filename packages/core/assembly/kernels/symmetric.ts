// Packed symmetric float64 matrices for the dense quasi-Newton optimizers (BFGS and its self-scaled variants,
// exports/quasi-newton.ts): the product y = H x and the symmetric rank-two update of H.
//
// Storage: the upper triangle by rows, row i holding H[i][i], H[i][i+1], ..., H[i][n-1] (n - i values) right after
// row i-1, so n (n + 1) / 2 doubles in all and H[i][j] (i <= j) at packedRow(i, n) + (j - i). Each element exists
// once, so H stays exactly symmetric whatever the rounding. Both kernels walk every row left to right with f64x2
// lanes (unaligned v128 loads: a row starts at any double), then a scalar tail; the lane sums are added in a fixed
// order, so results do not depend on the build (no relaxed fused multiply-add here) or on where a row starts.

/** The index (in doubles) of H[i][i] in the packed upper triangle of an n x n matrix. */
// @ts-ignore: decorator
@inline export function packedRow(i: i64, n: i64): i64 { return i * n - ((i * (i - 1)) >> 1); }

/**
 * out = H x for the packed symmetric H (n x n); x and out are n doubles and must not overlap H. One pass over H:
 * row i gives out[i] its terms H[i][j] x[j] (j >= i, a dot product) and adds H[i][j] x[i] to out[j] (j > i, the
 * lower triangle's contribution by symmetry). out[i] is complete once row i is done, since later rows only add to
 * columns beyond their own row.
 */
export function packedSymv(H: usize, x: usize, out: usize, n: i32): void {
  memory.fill(out, 0, <usize>n << 3);
  for (let i = 0; i < n; i++) {
    const row = H + (<usize>packedRow(i, n) << 3) - (<usize>i << 3); // so that H[i][j] is at row + 8 j
    const xi = load<f64>(x + (<usize>i << 3));
    const vxi = f64x2.splat(xi);
    let acc = f64x2.splat(0);
    let j = i + 1;
    for (; j + 2 <= n; j += 2) {
      const o = <usize>j << 3;
      const h = v128.load(row + o);
      acc = f64x2.add(acc, f64x2.mul(h, v128.load(x + o)));
      v128.store(out + o, f64x2.add(v128.load(out + o), f64x2.mul(h, vxi)));
    }
    let tail = 0.0;
    for (; j < n; j++) {
      const o = <usize>j << 3;
      const h = load<f64>(row + o);
      tail += h * load<f64>(x + o);
      store<f64>(out + o, load<f64>(out + o) + h * xi);
    }
    const o = <usize>i << 3;
    const diag = load<f64>(row + o) * xi;
    store<f64>(out + o, load<f64>(out + o) + (diag + ((f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1)) + tail)));
  }
}

/**
 * H <- alpha H + cuu u u' + cus (u s' + s u') + css s s' for the packed symmetric H, in place (u, s: n doubles).
 * Every member of the Broyden family, self-scaled or not, has this form in terms of u = H y and s (see
 * exports/quasi-newton.ts for the coefficients). Per row i the added terms are a_i u[j] + b_i s[j] with
 * a_i = cuu u[i] + cus s[i] and b_i = cus u[i] + css s[i].
 */
export function packedRank2(H: usize, u: usize, s: usize, n: i32, alpha: f64, cuu: f64, cus: f64, css: f64): void {
  const va = f64x2.splat(alpha);
  for (let i = 0; i < n; i++) {
    const row = H + (<usize>packedRow(i, n) << 3) - (<usize>i << 3);
    const ui = load<f64>(u + (<usize>i << 3)), si = load<f64>(s + (<usize>i << 3));
    const ai = cuu * ui + cus * si, bi = cus * ui + css * si;
    const vai = f64x2.splat(ai), vbi = f64x2.splat(bi);
    let j = i;
    for (; j + 2 <= n; j += 2) {
      const o = <usize>j << 3;
      const h = f64x2.mul(va, v128.load(row + o));
      const add = f64x2.add(f64x2.mul(vai, v128.load(u + o)), f64x2.mul(vbi, v128.load(s + o)));
      v128.store(row + o, f64x2.add(h, add));
    }
    for (; j < n; j++) {
      const o = <usize>j << 3;
      store<f64>(row + o, alpha * load<f64>(row + o) + (ai * load<f64>(u + o) + bi * load<f64>(s + o)));
    }
  }
}

/** H <- gamma I (packed, n x n). */
export function packedScaledIdentity(H: usize, n: i32, gamma: f64): void {
  memory.fill(H, 0, <usize>(packedRow(n, n)) << 3);
  for (let i = 0; i < n; i++) store<f64>(H + (<usize>packedRow(i, n) << 3), gamma);
}
