// The exports of the ops. The elementwise ones dispatch through the op table (ops/table.ts): unaryOp and binaryOp
// call the eager form an op's family file registered, so adding an elementwise op adds nothing here. The others
// validate their arguments here, before any kernel runs, so bad input never traps.
import { Tensor, DType, MAX_RANK, get, release, sizeOf, scratchI32, readShape } from "../tensor";
import { fail, ErrorCode } from "../errors";
import { Op } from "../ops/codes";
import { ruleOf } from "../ops/table";
import { shapeError, dtypeError } from "../ops/factory";
import { affine } from "../ops/arith";
// (every family file is imported here, directly or through another: its table entries are made when it loads)
import "../ops/power";
import "../ops/activations";
import "../ops/unary";
import "../ops/compare";
import * as V from "../ops/view";
import { where } from "../ops/where";
import { mulMul, fusedScoped } from "../ops/fused";
import { matMul } from "../ops/matmul";
import { reduce } from "../ops/reduce";
import { concat } from "../ops/concat";
import { gather } from "../ops/gather";
import { pad } from "../ops/pad";
import { cast } from "../ops/cast";
import * as C from "../ops/creation";
import { rngHas } from "../rng";
import { traceAllows } from "../trace";
import { begin, done } from "./entry";

// ---- elementwise ----
export function unaryOp(op: i32, h: i32): i32 {
  begin();
  const x = get(h, op, 0); if (x == null) return 0;
  const r = ruleOf(op);
  if (r == null || r.eager1 == null) { fail(ErrorCode.BadArgument, op, -1, 0, op); return 0; }
  return done(r.eager1!(x));
}
export function affineOp(h: i32, a: f64, b: f64): i32 { begin(); const x = get(h, Op.Affine, 0); if (x == null) return 0; return done(affine(x, a, b)); }

/** Two-input elementwise ops (broadcasting), comparisons, and the fused derivatives TanhGrad, SigmoidGrad (for the
 *  Taylor jets of the TS side). */
export function binaryOp(op: i32, ha: i32, hb: i32): i32 {
  begin();
  const a = get(ha, op, 0); if (a == null) return 0;
  const b = get(hb, op, 1); if (b == null) return 0;
  const r = ruleOf(op);
  if (r == null || r.eager2 == null) { fail(ErrorCode.BadArgument, op, -1, 0, op); return 0; }
  return done(r.eager2!(a, b));
}

/** s a b c elementwise (ops/fused.ts; operands of different shapes broadcast through the unfused ops). */
export function mulMulOp(ha: i32, hb: i32, hc: i32, s: f64): i32 {
  begin();
  const a = get(ha, Op.MulMul, 0); if (a == null) return 0;
  const b = get(hb, Op.MulMul, 1); if (b == null) return 0;
  const c = get(hc, Op.MulMul, 2); if (c == null) return 0;
  return done(fusedScoped(Op.MulMul, a, b, c, s));
}

export function whereOp(hc: i32, ha: i32, hb: i32): i32 {
  begin();
  const c = get(hc, Op.Where, 0); if (c == null) return 0;
  const a = get(ha, Op.Where, 1); if (a == null) return 0;
  const b = get(hb, Op.Where, 2); if (b == null) return 0;
  if (c.dtype != DType.Bool) { dtypeError(Op.Where, 0, DType.Bool, c); return 0; }
  return done(where(c, a, b));
}

export function matMulOp(ha: i32, hb: i32, ta: bool, tb: bool): i32 {
  begin();
  const a = get(ha, Op.MatMul, 0); if (a == null) return 0;
  const b = get(hb, Op.MatMul, 1); if (b == null) return 0;
  return done(matMul(a, b, ta, tb));
}

// ---- reductions: axes in scratchI32[0..nAxes) (may be negative); nAxes = -1 reduces all ----
function axisFlags(op: i32, x: Tensor, nAxes: i32): StaticArray<i32> | null {
  const r = x.shape.length;
  const flags = new StaticArray<i32>(r);
  if (nAxes < 0) { for (let i = 0; i < r; i++) flags[i] = 1; return flags; }
  for (let k = 0; k < nAxes; k++) {
    let a = scratchI32[k];
    if (a < -r || a >= r) { fail(ErrorCode.BadAxis, op, 1, a, r); return null; }
    if (a < 0) a += r;
    flags[a] = 1;
  }
  return flags;
}
export function reduceOp(op: i32, h: i32, nAxes: i32, keep: bool): i32 {
  begin();
  const x = get(h, op, 0); if (x == null) return 0;
  const flags = axisFlags(op, x, nAxes); if (flags == null) return 0;
  if (op == Op.Mean) {
    let count = 1;
    for (let i = 0; i < flags.length; i++) if (flags[i]) count *= x.shape[i];
    const s = reduce(Op.Sum, x, flags, keep);
    const y = affine(s, 1.0 / <f64>count, 0);
    release(s);
    return done(y);
  }
  if (op != Op.Sum && op != Op.Max && op != Op.Min) { fail(ErrorCode.BadArgument, op, -1, 0, op); return 0; }
  if ((op == Op.Max || op == Op.Min) && x.size == 0) { fail(ErrorCode.BadArgument, op, 0, 3, 0); return 0; }
  return done(reduce(op, x, flags, keep));
}

// ---- views ----
/** shape in scratchI32[0..rank); the element count must match */
export function reshapeOp(h: i32, rank: i32): i32 {
  begin();
  const x = get(h, Op.Reshape, 0); if (x == null) return 0;
  if (rank > MAX_RANK) { fail(ErrorCode.RankTooHigh, Op.Reshape, 1, rank, MAX_RANK); return 0; }
  const shape = readShape(0, rank);
  if (sizeOf(shape) != x.size) { shapeError(Op.Reshape, x.shape, shape, 1); return 0; }
  return done(V.reshape(x, shape));
}
/** perm in scratchI32[0..rank) */
export function transposeOp(h: i32): i32 {
  begin();
  const x = get(h, Op.Transpose, 0); if (x == null) return 0;
  const r = x.shape.length;
  const perm = readShape(0, r);
  const seen = new StaticArray<i32>(r);
  for (let i = 0; i < r; i++) {
    const p = perm[i];
    if (p < 0 || p >= r || seen[p]) { fail(ErrorCode.BadAxis, Op.Transpose, 1, p, r); return 0; }
    seen[p] = 1;
  }
  return done(V.transpose(x, perm));
}
export function broadcastToOp(h: i32, rank: i32): i32 {
  begin();
  const x = get(h, Op.BroadcastTo, 0); if (x == null) return 0;
  return done(V.broadcastTo(x, readShape(0, rank)));
}
/** begin, size, step in scratchI32 [0..r), [r..2r), [2r..3r); size -1 means "to the end" */
export function sliceOp(h: i32): i32 {
  begin();
  const x = get(h, Op.Slice, 0); if (x == null) return 0;
  const r = x.shape.length, sc = scratchI32;
  // begin, size and step are read (and size resolved) in place in the scratch: no arrays per slice
  if (3 * r > sc.length) unreachable(); // (r <= MAX_RANK: one range check, unchecked reads below)
  for (let i = 0; i < r; i++) {
    const d = unchecked(x.shape[i]), bi = unchecked(sc[i]), sti = unchecked(sc[2 * r + i]);
    let si = unchecked(sc[r + i]);
    if (sti == 0) { fail(ErrorCode.BadArgument, Op.Slice, 3, i, 0); return 0; }
    if (bi < 0 || bi > d || (bi == d && d > 0 && si != 0)) { fail(ErrorCode.BadIndex, Op.Slice, 1, bi, d, i); return 0; }
    if (si < 0) { si = sti > 0 ? (d - bi + sti - 1) / sti : bi / (-sti) + 1; unchecked(sc[r + i] = si); }
    const last = bi + (si - 1) * sti;
    if (si > 0 && (last < 0 || last >= d)) { fail(ErrorCode.BadIndex, Op.Slice, 2, si, d, i); return 0; }
  }
  return done(V.sliceScratch(x, sc, 0));
}
/** indices in scratchI32[0..k) (may be negative) */
export function indexOp(h: i32, k: i32): i32 {
  begin();
  const x = get(h, Op.Index, 0); if (x == null) return 0;
  if (k > x.shape.length) { fail(ErrorCode.BadArgument, Op.Index, 1, k, x.shape.length); return 0; }
  const idx = readShape(0, k);
  for (let i = 0; i < k; i++) {
    const d = x.shape[i];
    let v = idx[i];
    if (v < -d || v >= d) { fail(ErrorCode.BadIndex, Op.Index, 1, v, d, i); return 0; }
    if (v < 0) idx[i] = v + d;
  }
  return done(V.index(x, idx));
}
export function copyOp(h: i32): i32 { begin(); const x = get(h, Op.Copy, 0); if (x == null) return 0; return done(V.copy(x)); }

// ---- joins, gather, pad ----
/** handles in scratchI32[0..n) */
export function concatOp(n: i32, axis: i32): i32 {
  begin();
  if (n < 1) { fail(ErrorCode.BadArgument, Op.Concat, 0, 0, n); return 0; }
  const xs = new StaticArray<Tensor>(n);
  if (n > scratchI32.length) { fail(ErrorCode.BadArgument, Op.Concat, 0, 0, n); return 0; }
  for (let i = 0; i < n; i++) { const t = get(unchecked(scratchI32[i]), Op.Concat, i); if (t == null) return 0; unchecked(xs[i] = t); }
  const x0 = unchecked(xs[0]), r = x0.shape.length;
  if (axis < -r || axis >= r) { fail(ErrorCode.BadAxis, Op.Concat, -1, axis, r); return 0; }
  if (axis < 0) axis += r;
  for (let i = 1; i < n; i++) {
    const t = unchecked(xs[i]);
    if (t.dtype != x0.dtype) { dtypeError(Op.Concat, i, x0.dtype, t); return 0; }
    let ok = t.shape.length == r;
    for (let d = 0; ok && d < r; d++) ok = d == axis || unchecked(t.shape[d]) == unchecked(x0.shape[d]);
    if (!ok) { shapeError(Op.Concat, x0.shape, t.shape, i); return 0; }
  }
  return done(concat(xs, axis));
}
export function gatherOp(hx: i32, hi: i32, axis: i32): i32 {
  begin();
  const x = get(hx, Op.Gather, 0); if (x == null) return 0;
  const idx = get(hi, Op.Gather, 1); if (idx == null) return 0;
  const r = x.shape.length;
  if (axis < -r || axis >= r) { fail(ErrorCode.BadAxis, Op.Gather, 2, axis, r); return 0; }
  if (axis < 0) axis += r;
  return done(gather(x, idx, axis));
}
/** paddings in scratchI32[0..2*rank) as before, after per axis */
export function padOp(h: i32, value: f64): i32 {
  begin();
  const x = get(h, Op.Pad, 0); if (x == null) return 0;
  const pads = readShape(0, 2 * x.shape.length);
  for (let i = 0; i < pads.length; i++) if (pads[i] < 0) { fail(ErrorCode.BadArgument, Op.Pad, 1, i, pads[i]); return 0; }
  return done(pad(x, pads, x.dtype == DType.Float64 ? value : <f64><f32>value));
}

/** cast(x, dtype): 0 float32, 1 int32, 2 bool, 3 float64 (ops/cast.ts). */
export function castOp(h: i32, dtype: i32): i32 { begin(); const x = get(h, Op.Cast, 0); if (x == null) return 0; return done(cast(x, dtype)); }

// ---- creation ----
export function fillOp(rank: i32, value: f64, dtype: i32): i32 { begin(); return done(C.full(readShape(0, rank), value, dtype)); }
export function eyeOp(n: i32, m: i32, dtype: i32): i32 { begin(); return done(C.eye(n, m, dtype)); }
export function rangeOp(start: f64, stop: f64, step: f64, dtype: i32): i32 {
  begin();
  if (step == 0) { fail(ErrorCode.BadArgument, Op.Range, 2, 0, 0); return 0; }
  return done(C.range(start, stop, step, dtype));
}
export function linspaceOp(a: f64, b: f64, n: i32, dtype: i32): i32 {
  begin();
  if (n < 0) { fail(ErrorCode.BadArgument, Op.Linspace, 2, 0, n); return 0; }
  return done(C.linspace(a, b, n, dtype));
}
export function randomUniformOp(rank: i32, lo: f64, hi: f64, gen: i32, dtype: i32): i32 {
  begin();
  if (!rngHas(gen)) { fail(ErrorCode.BadArgument, Op.RandomUniform, 3, 0, gen); return 0; }
  if (!traceAllows(2, Op.RandomUniform)) return 0;
  return done(C.randomUniform(readShape(0, rank), <f32>lo, <f32>hi, gen, dtype));
}
export function randomNormalOp(rank: i32, mean: f64, std: f64, gen: i32, truncated: bool, dtype: i32): i32 {
  begin();
  if (!rngHas(gen)) { fail(ErrorCode.BadArgument, Op.RandomNormal, 3, 0, gen); return 0; }
  if (!traceAllows(2, Op.RandomNormal)) return 0;
  return done(C.randomNormal(readShape(0, rank), mean, std, gen, truncated, dtype));
}
