// Fused elementwise chains (a jit program's fusion pass: fusion.ts; the op side: ops/chain.ts). A chain is a short
// list of instructions over operands: its external inputs, a few registers and its output. It runs block by block
// (BLOCK elements, a multiple of 4): every instruction runs over the whole block before the next one, so each
// instruction is one tight SIMD loop, and the intermediates live in registers of one block (1 KiB each, in L1)
// instead of in full-size tensors: memory is passed over once per input and once for the output, where the
// unfused ops wrote and read every intermediate in full.
//
// Every instruction computes exactly the float32 operations of the op it stands for (its lane formula in the op's
// family file, and that formula's scalar tail), so a chain's result equals the unfused ops' bit for bit.
import { vtanh, vsigmoid, stanh, ssigmoid } from "./math";
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
/** How an operand's base pointer moves with the block: streaming (input or output), fixed (a tiled broadcast
 *  input, the same block every time), or a register (per task). */
export const enum Mode { Fixed = 0, Stream = 1, Reg = 2 }

// @ts-ignore: decorator
@inline function f1(k: i32, x: v128, a: v128, b: v128): v128 {
  switch (k) {
    case K.Neg: return f32x4.neg(x);
    case K.Square: return f32x4.mul(x, x);
    case K.Affine: return f32x4.add(f32x4.mul(x, a), b);
    case K.Tanh: return vtanh(x);
    default: return vsigmoid(x);
  }
}
// @ts-ignore: decorator
@inline function s1(k: i32, x: f32, a: f32, b: f32): f32 {
  switch (k) {
    case K.Neg: return -x;
    case K.Square: return x * x;
    case K.Affine: return x * a + b;
    case K.Tanh: return stanh(x);
    default: return ssigmoid(x);
  }
}
// @ts-ignore: decorator
@inline function f2(k: i32, x: v128, y: v128, one: v128): v128 {
  switch (k) {
    case K.Add: return f32x4.add(x, y);
    case K.Sub: return f32x4.sub(x, y);
    case K.Mul: return f32x4.mul(x, y);
    case K.Div: return f32x4.div(x, y);
    case K.TanhGrad: return f32x4.mul(x, f32x4.sub(one, f32x4.mul(y, y)));   // g (1 - y^2), as ops/fused.ts
    case K.AddTanh: return vtanh(f32x4.add(x, y));
    case K.AddSigmoid: return vsigmoid(f32x4.add(x, y));
    default: return f32x4.mul(x, f32x4.mul(y, f32x4.sub(one, y)));           // g y (1 - y)
  }
}
// @ts-ignore: decorator
@inline function s2(k: i32, x: f32, y: f32): f32 {
  switch (k) {
    case K.Add: return x + y;
    case K.Sub: return x - y;
    case K.Mul: return x * y;
    case K.Div: return x / y;
    case K.TanhGrad: return x * (<f32>1 - y * y);
    case K.AddTanh: return stanh(x + y);
    case K.AddSigmoid: return ssigmoid(x + y);
    default: return x * (y * (<f32>1 - y));
  }
}

// One loop per kind (k is a constant in each call below, so the switch folds away inside the loop).
// @ts-ignore: decorator
@inline function loop1(k: i32, d: usize, p: usize, n: i32, a: f32, b: f32): void {
  const va = f32x4.splat(a), vb = f32x4.splat(b);
  let i = 0;
  for (; i + 4 <= n; i += 4) { const o = <usize>i << 2; v128.store(d + o, f1(k, v128.load(p + o), va, vb)); }
  for (; i < n; i++) { const o = <usize>i << 2; store<f32>(d + o, s1(k, load<f32>(p + o), a, b)); }
}
// @ts-ignore: decorator
@inline function loop2(k: i32, d: usize, p: usize, q: usize, n: i32): void {
  const one = f32x4.splat(1);
  let i = 0;
  for (; i + 4 <= n; i += 4) { const o = <usize>i << 2; v128.store(d + o, f2(k, v128.load(p + o), v128.load(q + o), one)); }
  for (; i < n; i++) { const o = <usize>i << 2; store<f32>(d + o, s2(k, load<f32>(p + o), load<f32>(q + o))); }
}
/** ((a b) c) s, as ops/fused.ts mulMulKernel. */
function mulMulLoop(d: usize, p: usize, q: usize, r: usize, n: i32, s: f32): void {
  const vs = f32x4.splat(s);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(d + o, f32x4.mul(f32x4.mul(f32x4.mul(v128.load(p + o), v128.load(q + o)), v128.load(r + o)), vs));
  }
  for (; i < n; i++) { const o = <usize>i << 2; store<f32>(d + o, load<f32>(p + o) * load<f32>(q + o) * load<f32>(r + o) * s); }
}

/** o + ((a b) c) s or ((a b) c) s + o (left: the product first), as mulMul then add. */
// @ts-ignore: decorator
@inline function mulMulAddLoop(left: bool, d: usize, p: usize, q: usize, r: usize, w: usize, n: i32, s: f32): void {
  const vs = f32x4.splat(s);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const t = f32x4.mul(f32x4.mul(f32x4.mul(v128.load(p + o), v128.load(q + o)), v128.load(r + o)), vs);
    v128.store(d + o, left ? f32x4.add(t, v128.load(w + o)) : f32x4.add(v128.load(w + o), t));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const t = load<f32>(p + o) * load<f32>(q + o) * load<f32>(r + o) * s;
    store<f32>(d + o, left ? t + load<f32>(w + o) : load<f32>(w + o) + t);
  }
}
/** ((a b) c) s plus tanhGrad(g, y), in the add's operand order (left: the product first). */
// @ts-ignore: decorator
@inline function mulMulAddTanhGradLoop(left: bool, d: usize, p: usize, q: usize, r: usize, g: usize, y: usize, n: i32, s: f32): void {
  const vs = f32x4.splat(s), one = f32x4.splat(1);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const t = f32x4.mul(f32x4.mul(f32x4.mul(v128.load(p + o), v128.load(q + o)), v128.load(r + o)), vs);
    const yv = v128.load(y + o);
    const u = f32x4.mul(v128.load(g + o), f32x4.sub(one, f32x4.mul(yv, yv)));
    v128.store(d + o, left ? f32x4.add(t, u) : f32x4.add(u, t));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const t = load<f32>(p + o) * load<f32>(q + o) * load<f32>(r + o) * s;
    const yy = load<f32>(y + o);
    const u = load<f32>(g + o) * (<f32>1 - yy * yy);
    store<f32>(d + o, left ? t + u : u + t);
  }
}
/** f'(y) (x + z) for f = tanh or sigmoid, as add then tanhGrad / sigmoidGrad. */
// @ts-ignore: decorator
@inline function addGradLoop(k: i32, d: usize, p: usize, q: usize, r: usize, n: i32): void {
  const one = f32x4.splat(1);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(d + o, f2(k, f32x4.add(v128.load(p + o), v128.load(q + o)), v128.load(r + o), one));
  }
  for (; i < n; i++) { const o = <usize>i << 2; store<f32>(d + o, s2(k, load<f32>(p + o) + load<f32>(q + o), load<f32>(r + o))); }
}

/** Runs instruction kind k over n elements. */
function exec(k: i32, d: usize, p: usize, q: usize, r: usize, w: usize, v: usize, n: i32, a: f32, b: f32): void {
  switch (k) {
    case K.MulMulAddTanhGradL: mulMulAddTanhGradLoop(true, d, p, q, r, w, v, n, a); break;
    case K.MulMulAddTanhGradR: mulMulAddTanhGradLoop(false, d, p, q, r, w, v, n, a); break;
    case K.MulMulAddL: mulMulAddLoop(true, d, p, q, r, w, n, a); break;
    case K.MulMulAddR: mulMulAddLoop(false, d, p, q, r, w, n, a); break;
    case K.AddTanhGrad: addGradLoop(K.TanhGrad, d, p, q, r, n); break;
    case K.AddSigmoidGrad: addGradLoop(K.SigmoidGrad, d, p, q, r, n); break;
    case K.AddTanh: loop2(K.AddTanh, d, p, q, n); break;
    case K.AddSigmoid: loop2(K.AddSigmoid, d, p, q, n); break;
    case K.Add: loop2(K.Add, d, p, q, n); break;
    case K.Sub: loop2(K.Sub, d, p, q, n); break;
    case K.Mul: loop2(K.Mul, d, p, q, n); break;
    case K.Div: loop2(K.Div, d, p, q, n); break;
    case K.TanhGrad: loop2(K.TanhGrad, d, p, q, n); break;
    case K.SigmoidGrad: loop2(K.SigmoidGrad, d, p, q, n); break;
    case K.Neg: loop1(K.Neg, d, p, n, a, b); break;
    case K.Square: loop1(K.Square, d, p, n, a, b); break;
    case K.Affine: loop1(K.Affine, d, p, n, a, b); break;
    case K.Tanh: loop1(K.Tanh, d, p, n, a, b); break;
    case K.Sigmoid: loop1(K.Sigmoid, d, p, n, a, b); break;
    default: mulMulLoop(d, p, q, r, n, a);
  }
}

// @ts-ignore: decorator
@inline function operand(bases: usize, modes: usize, i: i32, off: usize, regShift: usize): usize {
  const m = load<i32>(modes + (<usize>i << 2));
  const b = load<usize>(bases + (<usize>i << 2));
  return m == Mode.Stream ? b + off : (m == Mode.Reg ? b + regShift : b);
}

/**
 * Blocks [b0, b1) of a chain over n elements: code (WORDS i32 per instruction), consts (2 f32 per instruction),
 * bases and modes (per operand), regShift added to every register's base (each task has its own registers).
 */
export function chainBlocks(code: usize, consts: usize, nInstr: i32, bases: usize, modes: usize, regShift: usize,
                            block: i32, b0: i32, b1: i32, n: i32): void {
  for (let blk = b0; blk < b1; blk++) {
    const lo = blk * block;
    const len = min(block, n - lo);
    const off = <usize>lo << 2;
    for (let j = 0; j < nInstr; j++) {
      const c = code + (<usize>(j * WORDS) << 2);
      const k = load<i32>(c);
      const d = operand(bases, modes, load<i32>(c, 4), off, regShift);
      const p = operand(bases, modes, load<i32>(c, 8), off, regShift);
      const s1i = load<i32>(c, 12), s2i = load<i32>(c, 16), s3i = load<i32>(c, 20), s4i = load<i32>(c, 24);
      const q = s1i >= 0 ? operand(bases, modes, s1i, off, regShift) : 0;
      const r = s2i >= 0 ? operand(bases, modes, s2i, off, regShift) : 0;
      const w = s3i >= 0 ? operand(bases, modes, s3i, off, regShift) : 0;
      const v = s4i >= 0 ? operand(bases, modes, s4i, off, regShift) : 0;
      const cf = consts + (<usize>(j << 1) << 2);
      exec(k, d, p, q, r, w, v, len, load<f32>(cf), load<f32>(cf, 4));
    }
  }
}

@unmanaged class ChainJob {
  code: usize; consts: usize; nInstr: i32; bases: usize; modes: usize; regBytes: i32; block: i32; blocks: i32;
  perTask: i32; n: i32;
}

function chainTask(args: usize, t: i32): void {
  const j = changetype<ChainJob>(args);
  const b0 = t * j.perTask, b1 = min(j.blocks, b0 + j.perTask);
  chainBlocks(j.code, j.consts, j.nInstr, j.bases, j.modes, <usize>t * <usize>j.regBytes, j.block, b0, b1, j.n);
}

/** The number of tasks (each with its own registers) a chain over n elements is split into. */
export function chainTasks(n: i32, block: i32, heavy: bool): i32 {
  const blocks = (n + block - 1) / block;
  const least = heavy ? MIN_TRANSCENDENTAL : MIN_ELEMENTS;
  if (threadCount() == 1 || n < least) return 1;
  return min(blocks, threadCount() * PER_THREAD);
}

/** Runs a chain over n elements as `tasks` tasks (chainTasks); task t's registers are at regBytes * t past the first. */
export function chainPar(code: usize, consts: usize, nInstr: i32, bases: usize, modes: usize, regBytes: i32, block: i32,
                         n: i32, tasks: i32): void {
  const blocks = (n + block - 1) / block;
  if (tasks <= 1) { chainBlocks(code, consts, nInstr, bases, modes, 0, block, 0, blocks, n); return; }
  const j = jobArgs<ChainJob>();
  j.code = code; j.consts = consts; j.nInstr = nInstr; j.bases = bases; j.modes = modes; j.regBytes = regBytes;
  j.block = block; j.blocks = blocks; j.perTask = (blocks + tasks - 1) / tasks; j.n = n;
  parallelFor(<Task>chainTask, (blocks + j.perTask - 1) / j.perTask);
}
