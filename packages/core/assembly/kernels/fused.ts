// Fused elementwise kernels for derivative ops: contiguous operands of equal size, an f32x4 body and a scalar
// tail. Each computes exactly the float32 operations (in the same order) of the unfused composition it replaces.
import { lanes, shift, vsplat, vadd, vmul } from "./lanes";
import { Task, threadCount, jobArgs, parallelFor, elementChunk, tasks, chunkStart, chunkLength, MIN_ELEMENTS } from "./parallel";

/** A fused kernel: n results into o from up to three operands p, q, r and a scalar s. */
export type FusedKernel = (p: usize, q: usize, r: usize, s: f32, o: usize, n: i32) => void;

/** Which activation's derivative, written in terms of its output y: tanh' = 1 - y y, sigmoid' = y (1 - y). */
export const enum Act { Tanh = 0, Sigmoid = 1 }
// @ts-ignore: decorator
@inline function dv(act: Act, v: v128, one: v128): v128 {
  return act == Act.Tanh ? f32x4.sub(one, f32x4.mul(v, v)) : f32x4.mul(v, f32x4.sub(one, v));
}
// @ts-ignore: decorator
@inline function ds(act: Act, v: f32): f32 { return act == Act.Tanh ? <f32>1 - v * v : v * (<f32>1 - v); }

/** o = g f'(y) for f = tanh or sigmoid (act is a constant at every call site, so the choice folds away). */
// @ts-ignore: decorator
@inline export function actGradKernel(act: Act, g: usize, y: usize, o: usize, n: i32): void {
  const one = f32x4.splat(1);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const p = <usize>i << 2;
    v128.store(o + p, f32x4.mul(v128.load(g + p), dv(act, v128.load(y + p), one)));
  }
  for (; i < n; i++) {
    const p = <usize>i << 2;
    store<f32>(o + p, load<f32>(g + p) * ds(act, load<f32>(y + p)));
  }
}
/** o = g (1 - y^2): p = g, q = y (r and s unused). */
export function tanhGradKernel(p: usize, q: usize, r: usize, s: f32, o: usize, n: i32): void { actGradKernel(Act.Tanh, p, q, o, n); }
/** o = g y (1 - y): p = g, q = y (r and s unused). */
export function sigmoidGradKernel(p: usize, q: usize, r: usize, s: f32, o: usize, n: i32): void { actGradKernel(Act.Sigmoid, p, q, o, n); }

/** o = ((a b) c) s */
export function mulMulKernel(a: usize, b: usize, c: usize, s: f32, o: usize, n: i32): void {
  const vs = f32x4.splat(s);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const p = <usize>i << 2;
    v128.store(o + p, f32x4.mul(f32x4.mul(f32x4.mul(v128.load(a + p), v128.load(b + p)), v128.load(c + p)), vs));
  }
  for (; i < n; i++) {
    const p = <usize>i << 2;
    store<f32>(o + p, load<f32>(a + p) * load<f32>(b + p) * load<f32>(c + p) * s);
  }
}

/** o = ((a b) (c (-2) + 1)) s: mulMul(a, b, affine(c, -2, 1), s) in one pass, the same operations in the same order
 *  in float32 or float64 (sigmoid's second-derivative term G g (1 - 2y), ops/fused.ts sigmoidGradDy). */
// @ts-ignore: decorator
@inline function sigmoidGradDyT<T>(a: usize, b: usize, c: usize, s: T, o: usize, n: i32): void {
  const vs = vsplat<T>(s), m2 = vsplat<T>(<T>-2), one = vsplat<T>(<T>1), L = lanes<T>(), sh = shift<T>();
  let i = 0;
  for (; i + L <= n; i += L) {
    const p = <usize>i << sh;
    const cy = vadd<T>(vmul<T>(v128.load(c + p), m2), one);
    v128.store(o + p, vmul<T>(vmul<T>(vmul<T>(v128.load(a + p), v128.load(b + p)), cy), vs));
  }
  for (; i < n; i++) {
    const p = <usize>i << sh;
    store<T>(o + p, load<T>(a + p) * load<T>(b + p) * (load<T>(c + p) * <T>-2 + <T>1) * s);
  }
}
export function sigmoidGradDyKernel(a: usize, b: usize, c: usize, s: f32, o: usize, n: i32): void { sigmoidGradDyT<f32>(a, b, c, s, o, n); }
export function sigmoidGradDyKernel64(a: usize, b: usize, c: usize, s: f64, o: usize, n: i32): void { sigmoidGradDyT<f64>(a, b, c, s, o, n); }

@unmanaged class FusedJob { kernel: usize; p: usize; q: usize; r: usize; o: usize; s: f32; n: i32; chunk: i32; }

function fusedTask(args: usize, t: i32): void {
  const j = changetype<FusedJob>(args);
  const off = <usize>chunkStart(t, j.chunk) << 2;
  changetype<FusedKernel>(j.kernel)(j.p + off, j.q + off, j.r + off, j.s, j.o + off, chunkLength(t, j.chunk, j.n));
}

/** A fused kernel over n elements into o, split across threads when large. */
export function fusedPar(kernel: FusedKernel, p: usize, q: usize, r: usize, o: usize, s: f32, n: i32): void {
  if (threadCount() == 1 || n < MIN_ELEMENTS) { kernel(p, q, r, s, o, n); return; }
  const j = jobArgs<FusedJob>();
  j.kernel = changetype<usize>(kernel); j.p = p; j.q = q; j.r = r; j.o = o; j.s = s; j.n = n; j.chunk = elementChunk(n);
  parallelFor(<Task>fusedTask, tasks(n, j.chunk));
}

// Row-broadcast operands (tensor.ts isRowBroadcast: a batchJacobian seed and its products). Such an operand of period
// P (its row's length) is read from a tile: the row repeated over P + TILE elements (P + n when n is smaller:
// tileLength), so that a block of TILE elements starting at element lo finds its values at tile + (lo mod P). The kernel then runs block by
// block with that operand's pointer held in the tile (in L1) instead of streaming M copies of the row from memory.
// Each element is computed by the same float32 operations as in fusedPar: same results, bit for bit.
export const TILE: i32 = 1024;

/** Writes the `period` elements at `row` (float64 if wide, else float32) over `len` elements at `dst`, repeated: the
 *  tiles of broadcast rows (here and in fused chains, ops/chain.ts). By doubling copies, not an element loop with a
 *  remainder per element (a division: ~5 us for a 1,052-element tile, more than a 16-point op). */
export function repeatRow(dst: usize, row: usize, period: i32, len: i32, wide: bool): void {
  const sh: usize = wide ? 3 : 2, total = <usize>len << sh;
  let have = <usize>min(period, len) << sh;
  memory.copy(dst, row, have);
  while (have < total) {
    const n = min(have, total - have);
    memory.copy(dst + have, dst, n);
    have += n;
  }
}

/** The elements of a tile for a row of `period` over n elements: the row's phase plus one block (or all of n). */
@inline export function tileLength(period: i32, block: i32, n: i32): i32 { return period + min(block, n); }


@unmanaged class TiledJob {
  kernel: usize; p: usize; q: usize; r: usize; o: usize; s: f32; n: i32; pp: i32; pq: i32; pr: i32; perTask: i32; blocks: i32;
}

/** Where block lo of an operand starts: a stream moves with the block, a tile (period > 0) takes its phase. */
@inline function blockAt(base: usize, period: i32, lo: i32): usize {
  return base + (<usize>(period == 0 ? lo : lo % period) << 2);
}

function tiledBlocks(j: TiledJob, b0: i32, b1: i32): void {
  const k = changetype<FusedKernel>(j.kernel);
  for (let b = b0; b < b1; b++) {
    const lo = b * TILE;
    k(blockAt(j.p, j.pp, lo), blockAt(j.q, j.pq, lo), blockAt(j.r, j.pr, lo), j.s, j.o + (<usize>lo << 2), min(TILE, j.n - lo));
  }
}
function tiledTask(args: usize, t: i32): void {
  const j = changetype<TiledJob>(args);
  tiledBlocks(j, t * j.perTask, min(j.blocks, (t + 1) * j.perTask));
}

/** fusedPar with operands p, q, r each a stream of n elements (period 0) or a tile (repeatRow, tileLength) of a row of the given
 *  period; split across threads when large, in whole blocks. */
export function fusedParTiled(kernel: FusedKernel, p: usize, pp: i32, q: usize, pq: i32, r: usize, pr: i32, o: usize, s: f32, n: i32): void {
  const j = jobArgs<TiledJob>();
  j.kernel = changetype<usize>(kernel); j.p = p; j.q = q; j.r = r; j.o = o; j.s = s; j.n = n;
  j.pp = pp; j.pq = pq; j.pr = pr; j.blocks = (n + TILE - 1) / TILE;
  const nt = threadCount() == 1 || n < MIN_ELEMENTS ? 1 : tasks(n, elementChunk(n));
  j.perTask = (j.blocks + nt - 1) / nt;
  parallelFor(<Task>tiledTask, (j.blocks + j.perTask - 1) / j.perTask);
}
