// Comparisons: equal, notEqual, less, lessEqual, greater, greaterEqual. Not differentiable (recorded, so that a
// gradient that reaches only through one can say so). The API gets bool tensors (stored as 0/1 float32); backward
// rules get the same as a float32 0/1 mask (fmask) to multiply by. A replay gives back the dtype that was recorded.
import { Tensor, DType } from "../tensor";
import { Op } from "./codes";
import { def, Save } from "./table";
import { mapBinary } from "../kernels/binary";
import { mapBinary64 } from "../kernels/binary64";
import { binary } from "./factory";

@final class EqF { @inline v(a: v128, b: v128): v128 { return v128.and(f32x4.eq(a, b), f32x4.splat(1)); } @inline s(a: f32, b: f32): f32 { return a == b ? 1 : 0; } }
@final class NeF { @inline v(a: v128, b: v128): v128 { return v128.and(f32x4.ne(a, b), f32x4.splat(1)); } @inline s(a: f32, b: f32): f32 { return a != b ? 1 : 0; } }
@final class LtF { @inline v(a: v128, b: v128): v128 { return v128.and(f32x4.lt(a, b), f32x4.splat(1)); } @inline s(a: f32, b: f32): f32 { return a < b ? 1 : 0; } }
@final class LeF { @inline v(a: v128, b: v128): v128 { return v128.and(f32x4.le(a, b), f32x4.splat(1)); } @inline s(a: f32, b: f32): f32 { return a <= b ? 1 : 0; } }
@final class GtF { @inline v(a: v128, b: v128): v128 { return v128.and(f32x4.gt(a, b), f32x4.splat(1)); } @inline s(a: f32, b: f32): f32 { return a > b ? 1 : 0; } }
@final class GeF { @inline v(a: v128, b: v128): v128 { return v128.and(f32x4.ge(a, b), f32x4.splat(1)); } @inline s(a: f32, b: f32): f32 { return a >= b ? 1 : 0; } }
function eqKernel(a: usize, sa: i32, b: usize, sb: i32, o: usize, n: i32): void { mapBinary(changetype<EqF>(0), a, sa, b, sb, o, n); }
function neKernel(a: usize, sa: i32, b: usize, sb: i32, o: usize, n: i32): void { mapBinary(changetype<NeF>(0), a, sa, b, sb, o, n); }
function ltKernel(a: usize, sa: i32, b: usize, sb: i32, o: usize, n: i32): void { mapBinary(changetype<LtF>(0), a, sa, b, sb, o, n); }
function leKernel(a: usize, sa: i32, b: usize, sb: i32, o: usize, n: i32): void { mapBinary(changetype<LeF>(0), a, sa, b, sb, o, n); }
function gtKernel(a: usize, sa: i32, b: usize, sb: i32, o: usize, n: i32): void { mapBinary(changetype<GtF>(0), a, sa, b, sb, o, n); }
function geKernel(a: usize, sa: i32, b: usize, sb: i32, o: usize, n: i32): void { mapBinary(changetype<GeF>(0), a, sa, b, sb, o, n); }

// float64 lanes: a float64 0/1 mask (the factory narrows it for a bool result)
@final class EqD { @inline v(a: v128, b: v128): v128 { return v128.and(f64x2.eq(a, b), f64x2.splat(1)); } @inline s(a: f64, b: f64): f64 { return a == b ? 1 : 0; } }
@final class NeD { @inline v(a: v128, b: v128): v128 { return v128.and(f64x2.ne(a, b), f64x2.splat(1)); } @inline s(a: f64, b: f64): f64 { return a != b ? 1 : 0; } }
@final class LtD { @inline v(a: v128, b: v128): v128 { return v128.and(f64x2.lt(a, b), f64x2.splat(1)); } @inline s(a: f64, b: f64): f64 { return a < b ? 1 : 0; } }
@final class LeD { @inline v(a: v128, b: v128): v128 { return v128.and(f64x2.le(a, b), f64x2.splat(1)); } @inline s(a: f64, b: f64): f64 { return a <= b ? 1 : 0; } }
@final class GtD { @inline v(a: v128, b: v128): v128 { return v128.and(f64x2.gt(a, b), f64x2.splat(1)); } @inline s(a: f64, b: f64): f64 { return a > b ? 1 : 0; } }
@final class GeD { @inline v(a: v128, b: v128): v128 { return v128.and(f64x2.ge(a, b), f64x2.splat(1)); } @inline s(a: f64, b: f64): f64 { return a >= b ? 1 : 0; } }
function eqKernel64(a: usize, sa: i32, b: usize, sb: i32, o: usize, n: i32): void { mapBinary64(changetype<EqD>(0), a, sa, b, sb, o, n); }
function neKernel64(a: usize, sa: i32, b: usize, sb: i32, o: usize, n: i32): void { mapBinary64(changetype<NeD>(0), a, sa, b, sb, o, n); }
function ltKernel64(a: usize, sa: i32, b: usize, sb: i32, o: usize, n: i32): void { mapBinary64(changetype<LtD>(0), a, sa, b, sb, o, n); }
function leKernel64(a: usize, sa: i32, b: usize, sb: i32, o: usize, n: i32): void { mapBinary64(changetype<LeD>(0), a, sa, b, sb, o, n); }
function gtKernel64(a: usize, sa: i32, b: usize, sb: i32, o: usize, n: i32): void { mapBinary64(changetype<GtD>(0), a, sa, b, sb, o, n); }
function geKernel64(a: usize, sa: i32, b: usize, sb: i32, o: usize, n: i32): void { mapBinary64(changetype<GeD>(0), a, sa, b, sb, o, n); }

/** Comparison op as a bool tensor (the API's form). */
export function compare(op: i32, a: Tensor, b: Tensor): Tensor { return binary(op, a, b, DType.Bool); }
/** The same as a 0/1 mask of the operands' float dtype, for backward rules that multiply by it (still not differentiable). */
export function fmask(op: i32, a: Tensor, b: Tensor): Tensor { return binary(op, a, b, a.dtype == DType.Float64 ? DType.Float64 : DType.Float32); }

export function equal(a: Tensor, b: Tensor): Tensor { return compare(Op.Equal, a, b); }
export function notEqual(a: Tensor, b: Tensor): Tensor { return compare(Op.NotEqual, a, b); }
export function less(a: Tensor, b: Tensor): Tensor { return compare(Op.Less, a, b); }
export function lessEqual(a: Tensor, b: Tensor): Tensor { return compare(Op.LessEqual, a, b); }
export function greater(a: Tensor, b: Tensor): Tensor { return compare(Op.Greater, a, b); }
export function greaterEqual(a: Tensor, b: Tensor): Tensor { return compare(Op.GreaterEqual, a, b); }

function replayCompare(op: i32, x: StaticArray<Tensor>, ip: StaticArray<i32>, fp: StaticArray<f64>, dtype: i32, outShape: StaticArray<i32>): Tensor {
  return binary(op, x[0], x[1], dtype);
}
def(Op.Equal).binary(equal, eqKernel, Save.None).f64b(eqKernel64).replays(replayCompare).noGradient();
def(Op.NotEqual).binary(notEqual, neKernel, Save.None).f64b(neKernel64).replays(replayCompare).noGradient();
def(Op.Less).binary(less, ltKernel, Save.None).f64b(ltKernel64).replays(replayCompare).noGradient();
def(Op.LessEqual).binary(lessEqual, leKernel, Save.None).f64b(leKernel64).replays(replayCompare).noGradient();
def(Op.Greater).binary(greater, gtKernel, Save.None).f64b(gtKernel64).replays(replayCompare).noGradient();
def(Op.GreaterEqual).binary(greaterEqual, geKernel, Save.None).f64b(geKernel64).replays(replayCompare).noGradient();
