// pow(a, b) with NumPy broadcasting. No SIMD formula: each lane is computed in float64 and rounded once.
import { Tensor } from "../tensor";
import { Node } from "./record";
import { Op } from "./codes";
import { def, Save } from "./table";
import { mapBinary } from "../kernels/binary";
import { mapBinary64 } from "../kernels/binary64";
import { binary } from "./factory";
import { unbroadcast } from "./view";
import { mul, affine } from "./arith";
import { fmask } from "./compare";
import { log } from "./unary";
import { where } from "./where";
import { scalar, onesLike } from "./creation";

@final class PowF {
  @inline v(a: v128, b: v128): v128 {
    let r = f32x4.splat(this.s(f32x4.extract_lane(a, 0), f32x4.extract_lane(b, 0)));
    r = f32x4.replace_lane(r, 1, this.s(f32x4.extract_lane(a, 1), f32x4.extract_lane(b, 1)));
    r = f32x4.replace_lane(r, 2, this.s(f32x4.extract_lane(a, 2), f32x4.extract_lane(b, 2)));
    return f32x4.replace_lane(r, 3, this.s(f32x4.extract_lane(a, 3), f32x4.extract_lane(b, 3)));
  }
  @inline s(a: f32, b: f32): f32 { return <f32>Math.pow(<f64>a, <f64>b); }
}
@final class PowD {
  @inline v(a: v128, b: v128): v128 {
    const r = f64x2.splat(Math.pow(f64x2.extract_lane(a, 0), f64x2.extract_lane(b, 0)));
    return f64x2.replace_lane(r, 1, Math.pow(f64x2.extract_lane(a, 1), f64x2.extract_lane(b, 1)));
  }
  @inline s(a: f64, b: f64): f64 { return Math.pow(a, b); }
}
function powKernel64(a: usize, sa: i32, b: usize, sb: i32, o: usize, n: i32): void { mapBinary64(changetype<PowD>(0), a, sa, b, sb, o, n); }
function powKernel(a: usize, sa: i32, b: usize, sb: i32, o: usize, n: i32): void { mapBinary(changetype<PowF>(0), a, sa, b, sb, o, n); }

export function pow(a: Tensor, b: Tensor): Tensor { return binary(Op.Pow, a, b); }
// d(a^b) = b a^(b-1) da + a^b log(a) db; log(a) is taken as 0 where a <= 0 (TensorFlow's convention), so an
// integer power of a negative base has a finite gradient in a.
function powBackward(n: Node, g: Tensor): void {
  const a = n.savedAt(0), b = n.savedAt(1);
  if (n.needs(0)) n.grad(0, unbroadcast(mul(g, mul(b, pow(a, affine(b, 1, -1)))), n.inShape(0)));
  if (n.needs(1)) {
    const zero = scalar(0, a.dtype);
    const pos = fmask(Op.Greater, a, zero);
    const safe = where(pos, a, onesLike(a));   // log(1) = 0 where a <= 0
    n.grad(1, unbroadcast(mul(g, mul(pow(a, b), log(safe))), n.inShape(1)));
  }
}
def(Op.Pow).binary(pow, powKernel, Save.Both).f64b(powKernel64).backwards(powBackward);
