// v128 lane operations generic over the element type T (f32: f32x4 lanes, f64: f64x2 lanes), so that one kernel
// source serves both dtypes (kernels/chain.ts). `sizeof<T>() == 8` is a compile-time constant: each instantiation
// keeps one branch, and the code is the plain f32x4 or f64x2 instruction. The transcendental forms are the unfused
// kernels' own: float32 tanh and sigmoid from kernels/math.ts (vector and scalar forms); float64 tanh is vtanh64 on
// both lanes (its scalar form is lane 0 of vtanh64 on a splat, as ops/activations.ts TanhD), float64 sigmoid is
// sigmoid64 on each lane (as SigmoidD). So an instruction written with these gives the unfused op's bits.
import { vtanh, vsigmoid, stanh, ssigmoid } from "./math";
import { vtanh64, sigmoid64 } from "./math64";

/** Lanes per v128. */
// @ts-ignore: decorator
@inline export function lanes<T>(): i32 { return sizeof<T>() == 8 ? 2 : 4; }
/** log2 of the element size (byte offset = index << shift). */
// @ts-ignore: decorator
@inline export function shift<T>(): usize { return sizeof<T>() == 8 ? 3 : 2; }

// @ts-ignore: decorator
@inline export function vsplat<T>(x: T): v128 { if (sizeof<T>() == 8) return f64x2.splat(<f64>x); return f32x4.splat(<f32>x); }
// @ts-ignore: decorator
@inline export function vadd<T>(a: v128, b: v128): v128 { if (sizeof<T>() == 8) return f64x2.add(a, b); return f32x4.add(a, b); }
// @ts-ignore: decorator
@inline export function vsub<T>(a: v128, b: v128): v128 { if (sizeof<T>() == 8) return f64x2.sub(a, b); return f32x4.sub(a, b); }
// @ts-ignore: decorator
@inline export function vmul<T>(a: v128, b: v128): v128 { if (sizeof<T>() == 8) return f64x2.mul(a, b); return f32x4.mul(a, b); }
// @ts-ignore: decorator
@inline export function vdiv<T>(a: v128, b: v128): v128 { if (sizeof<T>() == 8) return f64x2.div(a, b); return f32x4.div(a, b); }
// @ts-ignore: decorator
@inline export function vneg<T>(a: v128): v128 { if (sizeof<T>() == 8) return f64x2.neg(a); return f32x4.neg(a); }

// @ts-ignore: decorator
@inline export function vtanhT<T>(x: v128): v128 { if (sizeof<T>() == 8) return vtanh64(x); return vtanh(x); }
// @ts-ignore: decorator
@inline export function vsigmoidT<T>(x: v128): v128 {
  if (sizeof<T>() == 8) {
    const r = f64x2.splat(sigmoid64(f64x2.extract_lane(x, 0)));
    return f64x2.replace_lane(r, 1, sigmoid64(f64x2.extract_lane(x, 1)));
  }
  return vsigmoid(x);
}
// @ts-ignore: decorator
@inline export function stanhT<T>(x: T): T {
  if (sizeof<T>() == 8) return <T>f64x2.extract_lane(vtanh64(f64x2.splat(<f64>x)), 0);
  return <T>stanh(<f32>x);
}
// @ts-ignore: decorator
@inline export function ssigmoidT<T>(x: T): T { if (sizeof<T>() == 8) return <T>sigmoid64(<f64>x); return <T>ssigmoid(<f32>x); }
