// a*b + c on f32x4 lanes, the multiply-add of the hot loops. The core is built twice from the same sources
// (scripts/build.mjs): core.wasm with SIMD only, where this is f32x4.mul then f32x4.add (two roundings), and
// core-relaxed.wasm with relaxed SIMD enabled, where ASC_FEATURE_RELAXED_SIMD (a compile-time constant set by
// asc's `--enable relaxed-simd`) turns it into f32x4.relaxed_madd, and the other branch is never compiled.
// relaxed_madd is either fused (one rounding: x64 with FMA3, arm64) or the two roundings, as the engine chooses;
// an engine keeps its choice, so every instance on one machine (the main thread and the workers) gets the same
// bits. Either way each product-sum is within one float32 rounding of the unfused result, so the error bounds of
// float32 summation (about K ulp of sum |a b| for a K-term dot product) hold for both builds.
// @ts-ignore: decorator
@inline export function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(c, f32x4.mul(a, b));
}

/** 1 in core-relaxed.wasm, 0 in core.wasm: which build is running (the loader and gradtape's backendInfo()). */
export function relaxedSimd(): i32 { return ASC_FEATURE_RELAXED_SIMD ? 1 : 0; }

/** a*b + c on f64x2 lanes: f64x2.relaxed_madd in core-relaxed.wasm, else a multiply then an add (as madd). */
// @ts-ignore: decorator
@inline export function madd64(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f64x2.relaxed_madd(a, b, c);
  return f64x2.add(c, f64x2.mul(a, b));
}
