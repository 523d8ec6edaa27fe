// The dense quasi-Newton optimizers' matrix work (gradtape's optim/bfgs.ts runs the method): a float64 inverse-Hessian
// approximation H, packed symmetric (kernels/symmetric.ts), its product with a vector and its Broyden-family update.
//
// H lives in a workspace tensor the TS side makes (so it is allocated, counted, reported when memory runs out and
// released like every tensor): a contiguous float32 tensor used as raw storage for 2 (P + 3 n) floats, i.e.
// P + 3 n doubles, P = n (n + 1) / 2: H packed, then three vectors A, B, C of n doubles each that the TS side fills
// and reads through a Float64Array view. The vectors' roles:
//   qnMultiply: C = H A
//   qnUpdate:   H <- alpha H + cuu u u' + cus (u s' + s u') + css s s' with u = C (H y, from qnMultiply) and s = B
// The Broyden-family update of the inverse Hessian with self-scaling factor tau and parameter phi (phi = 1 BFGS,
// phi = 0 DFP in this inverse form; Urbán, Stefanou & Pons, J. Comput. Phys. 2025, eq. for H_{k+1}):
//   H+ = (1/tau) [H - u u'/(y'u) + phi (y'u) v v'] + rho s s',  v = rho s - u/(y'u),  rho = 1/(y's)
// expands to the coefficients alpha = 1/tau, cuu = -(1 - phi)/(tau y'u), cus = -phi rho/tau,
// css = phi rho^2 (y'u)/tau + rho, which the TS side computes (O(n) dot products; only the O(n^2) passes are here).
import { Tensor, DType, get, isContiguous } from "../tensor";
import { fail, clearError, ErrorCode } from "../errors";
import { Op } from "../ops/codes";
import { dtypeError } from "../ops/factory";
import { packedRow, packedSymv, packedRank2, packedScaledIdentity } from "../kernels/symmetric";

/** The workspace for n parameters, checked (float32 storage of exactly 2 (P + 3 n) floats, contiguous); null on error. */
function workspace(h: i32, n: i32): Tensor | null {
  const w = get(h, Op.Assign, 0); if (w == null) return null;
  if (w.dtype != DType.Float32) { dtypeError(Op.Assign, 0, DType.Float32, w); return null; }
  if (!isContiguous(w)) { fail(ErrorCode.BadArgument, Op.Assign, 0, 2, 0); return null; }
  if (n < 1 || <i64>w.size != 2 * (packedRow(n, n) + 3 * <i64>n)) { fail(ErrorCode.BadArgument, Op.Assign, 1, 1, n); return null; }
  return w;
}

/** The address of vector k (0: A, 1: B, 2: C) of a workspace for n parameters. */
// @ts-ignore: decorator
@inline function vec(w: Tensor, n: i32, k: i32): usize { return w.ptr + (<usize>(packedRow(n, n) + <i64>k * n) << 3); }

/** C = H A. Returns 1, or 0 with the error recorded. */
export function qnMultiply(h: i32, n: i32): i32 {
  clearError();
  const w = workspace(h, n); if (w == null) return 0;
  packedSymv(w.ptr, vec(w, n, 0), vec(w, n, 2), n);
  w.buf.version++;
  return 1;
}

/** H <- alpha H + cuu C C' + cus (C B' + B C') + css B B'. Returns 1, or 0 with the error recorded. */
export function qnUpdate(h: i32, n: i32, alpha: f64, cuu: f64, cus: f64, css: f64): i32 {
  clearError();
  const w = workspace(h, n); if (w == null) return 0;
  packedRank2(w.ptr, vec(w, n, 2), vec(w, n, 1), n, alpha, cuu, cus, css);
  w.buf.version++;
  return 1;
}

/** H <- gamma I. Returns 1, or 0 with the error recorded. */
export function qnReset(h: i32, n: i32, gamma: f64): i32 {
  clearError();
  const w = workspace(h, n); if (w == null) return 0;
  packedScaledIdentity(w.ptr, n, gamma);
  w.buf.version++;
  return 1;
}
