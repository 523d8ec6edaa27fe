// Fused elementwise chains (a jit program's fusion pass: fusion.ts; the op side: ops/chain.ts). A chain is a short
// list of instructions over operands: its external inputs, a few registers and its output. It runs block by block
// (BLOCK elements, a multiple of 4): every instruction runs over the whole block before the next one, so each
// instruction is one tight SIMD loop, and the intermediates live in registers of one block (1 KiB each in float32,
// 2 KiB in float64, in L1) instead of in full-size tensors: memory is passed over once per input and once for the
// output, where the unfused ops wrote and read every intermediate in full.
//
// One source for both dtypes: every loop is generic over the element type T (f32 on f32x4 lanes, f64 on f64x2;
// kernels/lanes.ts), instantiated twice. Every instruction computes exactly the operations of the op it stands for
// in that dtype (its lane formula in the op's family file, and that formula's scalar tail), so a chain's result
// equals the unfused ops' bit for bit in float32 and in float64.
import { lanes, shift, vsplat, vadd, vsub, vmul, vdiv, vneg, vtanhT, vsigmoidT, stanhT, ssigmoidT } from "./lanes";
import { Task, threadCount, jobArgs, parallelFor, PER_THREAD, MIN_ELEMENTS, MIN_TRANSCENDENTAL } from "./parallel";

/** Instruction kinds (the op each one reproduces). */
export const enum K {
  Add = 0, Sub, Mul, Div, Neg, Square, Affine, Tanh, Sigmoid, TanhGrad, SigmoidGrad, MulMul,
  // pairs of ops as one instruction (fusion.ts makes them from a chain's tree): the first op's result stays in a
  // SIMD register instead of a block register, one store and one load fewer per 4 elements
  MulMulAddL, MulMulAddR, // ((a b) c) s + o, and o + ((a b) c) s (the add's operand order kept)
  AddTanhGrad, AddSigmoidGrad, // tanhGrad(x + z, y), sigmoidGrad(x + z, y)
  AddTanh, AddSigmoid,          // tanh(x + z), sigmoid(x + z)
  MulMulAddTanhGradL, MulMulAddTanhGradR, // ((a b) c) s + g (1 - y^2), and g (1 - y^2) + ((a b) c) s: three ops
}
/** Whether kind k is transcendental (threads pay off from fewer elements). */
export function heavyKind(k: i32): bool { return k == K.Tanh || k == K.Sigmoid || k == K.AddTanh || k == K.AddSigmoid; }

/** Words per instruction in a chain's code: kind, dst, src0 .. src4 (operand indices; -1 unused). */
// @ts-ignore: decorator
@inline export const WORDS = 7;
/** How an operand's base pointer moves with the block: streaming (input or output), or a register (per task). A
 *  negative mode -P is a broadcast row of period P: its tile holds the row repeated over P + block elements (fewer
 *  when the chain has fewer; ops/chain.ts), and block lo reads from tile + (lo mod P), whatever the block's phase. */
export const enum Mode { Stream = 1, Reg = 2 }

// @ts-ignore: decorator
@inline function f1<T>(k: i32, x: v128, a: v128, b: v128): v128 {
  switch (k) {
    case K.Neg: return vneg<T>(x);
    case K.Square: return vmul<T>(x, x);
    case K.Affine: return vadd<T>(vmul<T>(x, a), b);
    case K.Tanh: return vtanhT<T>(x);
    default: return vsigmoidT<T>(x);
  }
}
// @ts-ignore: decorator
@inline function s1<T>(k: i32, x: T, a: T, b: T): T {
  switch (k) {
    case K.Neg: return -x;
    case K.Square: return x * x;
    case K.Affine: return x * a + b;
    case K.Tanh: return stanhT<T>(x);
    default: return ssigmoidT<T>(x);
  }
}
// @ts-ignore: decorator
@inline function f2<T>(k: i32, x: v128, y: v128, one: v128): v128 {
  switch (k) {
    case K.Add: return vadd<T>(x, y);
    case K.Sub: return vsub<T>(x, y);
    case K.Mul: return vmul<T>(x, y);
    case K.Div: return vdiv<T>(x, y);
    case K.TanhGrad: return vmul<T>(x, vsub<T>(one, vmul<T>(y, y)));   // g (1 - y^2), as ops/fused.ts
    case K.AddTanh: return vtanhT<T>(vadd<T>(x, y));
    case K.AddSigmoid: return vsigmoidT<T>(vadd<T>(x, y));
    default: return vmul<T>(x, vmul<T>(y, vsub<T>(one, y)));           // g y (1 - y)
  }
}
// @ts-ignore: decorator
@inline function s2<T>(k: i32, x: T, y: T): T {
  switch (k) {
    case K.Add: return x + y;
    case K.Sub: return x - y;
    case K.Mul: return x * y;
    case K.Div: return x / y;
    case K.TanhGrad: return x * (<T>1 - y * y);
    case K.AddTanh: return stanhT<T>(x + y);
    case K.AddSigmoid: return ssigmoidT<T>(x + y);
    default: return x * (y * (<T>1 - y));
  }
}

// One loop per kind (k is a constant in each call below, so the switch folds away inside the loop). L lanes per
// v128, element i at byte offset i << S; the scalar tail (L - 1 elements at most) is the unfused kernels' tail.
// @ts-ignore: decorator
@inline function loop1<T>(k: i32, d: usize, p: usize, n: i32, a: T, b: T): void {
  const va = vsplat<T>(a), vb = vsplat<T>(b);
  let i = 0;
  for (; i + lanes<T>() <= n; i += lanes<T>()) { const o = <usize>i << shift<T>(); v128.store(d + o, f1<T>(k, v128.load(p + o), va, vb)); }
  for (; i < n; i++) { const o = <usize>i << shift<T>(); store<T>(d + o, s1<T>(k, load<T>(p + o), a, b)); }
}
// @ts-ignore: decorator
@inline function loop2<T>(k: i32, d: usize, p: usize, q: usize, n: i32): void {
  const one = vsplat<T>(<T>1);
  let i = 0;
  for (; i + lanes<T>() <= n; i += lanes<T>()) { const o = <usize>i << shift<T>(); v128.store(d + o, f2<T>(k, v128.load(p + o), v128.load(q + o), one)); }
  for (; i < n; i++) { const o = <usize>i << shift<T>(); store<T>(d + o, s2<T>(k, load<T>(p + o), load<T>(q + o))); }
}
/** ((a b) c) s, as ops/fused.ts mulMulKernel (kernels/fused64.ts mulMulKernel64). */
function mulMulLoop<T>(d: usize, p: usize, q: usize, r: usize, n: i32, s: T): void {
  const vs = vsplat<T>(s);
  let i = 0;
  for (; i + lanes<T>() <= n; i += lanes<T>()) {
    const o = <usize>i << shift<T>();
    v128.store(d + o, vmul<T>(vmul<T>(vmul<T>(v128.load(p + o), v128.load(q + o)), v128.load(r + o)), vs));
  }
  for (; i < n; i++) { const o = <usize>i << shift<T>(); store<T>(d + o, load<T>(p + o) * load<T>(q + o) * load<T>(r + o) * s); }
}

/** o + ((a b) c) s or ((a b) c) s + o (left: the product first), as mulMul then add. */
// @ts-ignore: decorator
@inline function mulMulAddLoop<T>(left: bool, d: usize, p: usize, q: usize, r: usize, w: usize, n: i32, s: T): void {
  const vs = vsplat<T>(s);
  let i = 0;
  for (; i + lanes<T>() <= n; i += lanes<T>()) {
    const o = <usize>i << shift<T>();
    const t = vmul<T>(vmul<T>(vmul<T>(v128.load(p + o), v128.load(q + o)), v128.load(r + o)), vs);
    v128.store(d + o, left ? vadd<T>(t, v128.load(w + o)) : vadd<T>(v128.load(w + o), t));
  }
  for (; i < n; i++) {
    const o = <usize>i << shift<T>();
    const t = load<T>(p + o) * load<T>(q + o) * load<T>(r + o) * s;
    store<T>(d + o, left ? t + load<T>(w + o) : load<T>(w + o) + t);
  }
}
/** ((a b) c) s plus tanhGrad(g, y), in the add's operand order (left: the product first). */
// @ts-ignore: decorator
@inline function mulMulAddTanhGradLoop<T>(left: bool, d: usize, p: usize, q: usize, r: usize, g: usize, y: usize, n: i32, s: T): void {
  const vs = vsplat<T>(s), one = vsplat<T>(<T>1);
  let i = 0;
  for (; i + lanes<T>() <= n; i += lanes<T>()) {
    const o = <usize>i << shift<T>();
    const t = vmul<T>(vmul<T>(vmul<T>(v128.load(p + o), v128.load(q + o)), v128.load(r + o)), vs);
    const yv = v128.load(y + o);
    const u = vmul<T>(v128.load(g + o), vsub<T>(one, vmul<T>(yv, yv)));
    v128.store(d + o, left ? vadd<T>(t, u) : vadd<T>(u, t));
  }
  for (; i < n; i++) {
    const o = <usize>i << shift<T>();
    const t = load<T>(p + o) * load<T>(q + o) * load<T>(r + o) * s;
    const yy = load<T>(y + o);
    const u = load<T>(g + o) * (<T>1 - yy * yy);
    store<T>(d + o, left ? t + u : u + t);
  }
}
/** f'(y) (x + z) for f = tanh or sigmoid, as add then tanhGrad / sigmoidGrad. */
// @ts-ignore: decorator
@inline function addGradLoop<T>(k: i32, d: usize, p: usize, q: usize, r: usize, n: i32): void {
  const one = vsplat<T>(<T>1);
  let i = 0;
  for (; i + lanes<T>() <= n; i += lanes<T>()) {
    const o = <usize>i << shift<T>();
    v128.store(d + o, f2<T>(k, vadd<T>(v128.load(p + o), v128.load(q + o)), v128.load(r + o), one));
  }
  for (; i < n; i++) { const o = <usize>i << shift<T>(); store<T>(d + o, s2<T>(k, load<T>(p + o) + load<T>(q + o), load<T>(r + o))); }
}

/** Runs instruction kind k over n elements. */
function exec<T>(k: i32, d: usize, p: usize, q: usize, r: usize, w: usize, v: usize, n: i32, a: T, b: T): void {
  switch (k) {
    case K.MulMulAddTanhGradL: mulMulAddTanhGradLoop<T>(true, d, p, q, r, w, v, n, a); break;
    case K.MulMulAddTanhGradR: mulMulAddTanhGradLoop<T>(false, d, p, q, r, w, v, n, a); break;
    case K.MulMulAddL: mulMulAddLoop<T>(true, d, p, q, r, w, n, a); break;
    case K.MulMulAddR: mulMulAddLoop<T>(false, d, p, q, r, w, n, a); break;
    case K.AddTanhGrad: addGradLoop<T>(K.TanhGrad, d, p, q, r, n); break;
    case K.AddSigmoidGrad: addGradLoop<T>(K.SigmoidGrad, d, p, q, r, n); break;
    case K.AddTanh: loop2<T>(K.AddTanh, d, p, q, n); break;
    case K.AddSigmoid: loop2<T>(K.AddSigmoid, d, p, q, n); break;
    case K.Add: loop2<T>(K.Add, d, p, q, n); break;
    case K.Sub: loop2<T>(K.Sub, d, p, q, n); break;
    case K.Mul: loop2<T>(K.Mul, d, p, q, n); break;
    case K.Div: loop2<T>(K.Div, d, p, q, n); break;
    case K.TanhGrad: loop2<T>(K.TanhGrad, d, p, q, n); break;
    case K.SigmoidGrad: loop2<T>(K.SigmoidGrad, d, p, q, n); break;
    case K.Neg: loop1<T>(K.Neg, d, p, n, a, b); break;
    case K.Square: loop1<T>(K.Square, d, p, n, a, b); break;
    case K.Affine: loop1<T>(K.Affine, d, p, n, a, b); break;
    case K.Tanh: loop1<T>(K.Tanh, d, p, n, a, b); break;
    case K.Sigmoid: loop1<T>(K.Sigmoid, d, p, n, a, b); break;
    default: mulMulLoop<T>(d, p, q, r, n, a);
  }
}

// @ts-ignore: decorator
@inline function operand(bases: usize, modes: usize, i: i32, off: usize, regShift: usize, lo: i32, sh: usize): usize {
  const m = load<i32>(modes + (<usize>i << 2));
  const b = load<usize>(bases + (<usize>i << 2));
  if (m == Mode.Stream) return b + off;
  return m == Mode.Reg ? b + regShift : b + (<usize>(lo % -m) << sh);
}

/**
 * Blocks [b0, b1) of a chain over n elements of type T: code (WORDS i32 per instruction), consts (2 f64 per
 * instruction, rounded to T), bases and modes (per operand), regShift added to every register's base (each task
 * has its own registers).
 */
function chainBlocks<T>(code: usize, consts: usize, nInstr: i32, bases: usize, modes: usize, regShift: usize,
                        block: i32, b0: i32, b1: i32, n: i32): void {
  for (let blk = b0; blk < b1; blk++) {
    const lo = blk * block;
    const len = min(block, n - lo);
    const sh = <usize>shift<T>(), off = <usize>lo << sh;
    for (let j = 0; j < nInstr; j++) {
      const c = code + (<usize>(j * WORDS) << 2);
      const k = load<i32>(c);
      const d = operand(bases, modes, load<i32>(c, 4), off, regShift, lo, sh);
      const p = operand(bases, modes, load<i32>(c, 8), off, regShift, lo, sh);
      const s1i = load<i32>(c, 12), s2i = load<i32>(c, 16), s3i = load<i32>(c, 20), s4i = load<i32>(c, 24);
      const q = s1i >= 0 ? operand(bases, modes, s1i, off, regShift, lo, sh) : 0;
      const r = s2i >= 0 ? operand(bases, modes, s2i, off, regShift, lo, sh) : 0;
      const w = s3i >= 0 ? operand(bases, modes, s3i, off, regShift, lo, sh) : 0;
      const v = s4i >= 0 ? operand(bases, modes, s4i, off, regShift, lo, sh) : 0;
      const cf = consts + (<usize>(j << 1) << 3);
      exec<T>(k, d, p, q, r, w, v, len, <T>load<f64>(cf), <T>load<f64>(cf, 8));
    }
  }
}

@unmanaged class ChainJob {
  code: usize; consts: usize; nInstr: i32; bases: usize; modes: usize; regBytes: i32; block: i32; blocks: i32;
  perTask: i32; n: i32; wide: bool;
}

function chainTask(args: usize, t: i32): void {
  const j = changetype<ChainJob>(args);
  const b0 = t * j.perTask, b1 = min(j.blocks, b0 + j.perTask), shiftT = <usize>t * <usize>j.regBytes;
  if (j.wide) chainBlocks<f64>(j.code, j.consts, j.nInstr, j.bases, j.modes, shiftT, j.block, b0, b1, j.n);
  else chainBlocks<f32>(j.code, j.consts, j.nInstr, j.bases, j.modes, shiftT, j.block, b0, b1, j.n);
}

/** The number of tasks (each with its own registers) a chain over n elements is split into (wide: float64, whose
 *  elements cost about twice as much: split from half as many, as the unfused float64 kernels do). */
export function chainTasks(n: i32, block: i32, heavy: bool, wide: bool): i32 {
  const blocks = (n + block - 1) / block;
  const least = (heavy ? MIN_TRANSCENDENTAL : MIN_ELEMENTS) >> (wide ? 1 : 0);
  if (threadCount() == 1 || n < least) return 1;
  return min(blocks, threadCount() * PER_THREAD);
}

/** Runs a chain over n elements (float64 if wide, else float32) as `tasks` tasks (chainTasks); task t's registers
 *  are at regBytes * t past the first. */
export function chainPar(code: usize, consts: usize, nInstr: i32, bases: usize, modes: usize, regBytes: i32, block: i32,
                         n: i32, tasks: i32, wide: bool): void {
  const blocks = (n + block - 1) / block;
  if (tasks <= 1) {
    if (wide) chainBlocks<f64>(code, consts, nInstr, bases, modes, 0, block, 0, blocks, n);
    else chainBlocks<f32>(code, consts, nInstr, bases, modes, 0, block, 0, blocks, n);
    return;
  }
  const j = jobArgs<ChainJob>();
  j.code = code; j.consts = consts; j.nInstr = nInstr; j.bases = bases; j.modes = modes; j.regBytes = regBytes;
  j.block = block; j.blocks = blocks; j.perTask = (blocks + tasks - 1) / tasks; j.n = n; j.wide = wide;
  parallelFor(<Task>chainTask, (blocks + j.perTask - 1) / j.perTask);
}
