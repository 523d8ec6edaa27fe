import { describe, it, expect } from "vitest";
import { loadCore } from "../loader.js";

// The threaded core (core-mt.wasm on a shared memory, a worker thread) must give the same bits as the
// single-threaded core for every kernel it splits: matmul row blocks in all layouts, transcendental and plain
// unary kernels, binary kernels (one run, and rows of a broadcast), and the fused derivative kernels (through a
// gradient). The sizes are above the split thresholds of kernels/parallel.ts.
/** The gradient (a tensor handle) of sum(op(x)) with respect to x, through the raw core's tape. */
function unaryGradient(c: any, op: number, x: number): number {
  const t = c.tapeCreate(false, true);
  c.tapePush(t); c.tapeWatch(t, x);
  const y = c.unaryOp(op, x);
  c.tapePop(t);
  new Int32Array(c.memory.buffer, c.scratchI32Ptr(), 1)[0] = x;
  expect(c.tapeGradient(t, y, 1, 0, 0)).toBe(1);
  const g = new Int32Array(c.memory.buffer, c.scratchI32Ptr(), 1)[0];
  c.tensorRelease(y); c.tapeRelease(t);
  return g;
}

describe("threaded core", async () => {
  const one = await loadCore();
  const two = await loadCore(undefined, { threads: 2 });

  type Core = typeof one;
  const make = (c: Core, shape: number[], f: (i: number) => number): number => {
    new Int32Array(c.memory.buffer, c.scratchI32Ptr(), 1024).set(shape);
    const h = c.tensorNew(shape.length, 0);
    const n = shape.reduce((p, d) => p * d, 1);
    const v = new Float32Array(c.memory.buffer, c.tensorDataPtr(h), n);
    for (let i = 0; i < n; i++) v[i] = f(i);
    return h;
  };
  const bits = (c: Core, h: number): Uint32Array => {
    expect(h).not.toBe(0);
    new Int32Array(c.memory.buffer, c.scratchI32Ptr(), 1024);
    const r = c.tensorShape(h);
    const shape = Array.from(new Int32Array(c.memory.buffer, c.scratchI32Ptr(), r));
    const n = shape.reduce((p, d) => p * d, 1);
    const out = new Uint32Array(c.memory.buffer, c.tensorDataPtr(h), n).slice();
    c.tensorRelease(h);
    return out;
  };
  /** Runs f on both cores with the same inputs and expects identical bits. */
  function same(what: string, shapes: number[][], f: (c: Core, hs: number[]) => number): void {
    const run = (c: Core) => {
      const hs = shapes.map((s, k) => make(c, s, (i) => Math.sin(i * 0.37 + k) * (1 + (i % 5))));
      const out = bits(c, f(c, hs));
      for (const h of hs) c.tensorRelease(h);
      return out;
    };
    const a = run(one), b = run(two);
    expect(b.length, what).toBe(a.length);
    let diff = 0;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) diff++;
    expect(diff, `${what}: elements that differ`).toBe(0);
  }

  it("runs on 2 threads where SharedArrayBuffer exists, 1 otherwise", () => {
    expect(one.threadCount()).toBe(1);
    expect(two.threadCount()).toBe(typeof SharedArrayBuffer === "function" ? 2 : 1);
  });

  it("matmul: the same bits in every layout", () => {
    for (const [M, K, N] of [[10000, 20, 20], [3001, 300, 13], [1024, 64, 64], [20, 3000, 20], [20, 10000, 20], [10001, 28, 2], [10001, 2, 28], [10001, 1, 28], [9999, 31, 4], [10003, 28, 1], [40001, 28, 1], [2, 10000, 20]]) {
      for (const ta of [false, true]) for (const tb of [false, true]) {
        same(`${M}x${K}x${N} ${ta} ${tb}`, [ta ? [K, M] : [M, K], tb ? [N, K] : [K, N]], (c, [a, b]) => c.matMulOp(a, b, ta, tb));
      }
    }
  });

  it("unary and binary kernels: the same bits", () => {
    const Op = one.Op;
    for (const op of [Op.Tanh, Op.Exp, Op.Sigmoid, Op.Sin, Op.Neg, Op.Square]) same(`unary ${Op[op]}`, [[600001]], (c, [x]) => c.unaryOp(op, x));
    same("affine", [[700003]], (c, [x]) => c.affineOp(x, 0.5, -2));
    for (const op of [Op.Add, Op.Mul, Op.Div, Op.Maximum]) same(`binary ${Op[op]}`, [[600001], [600001]], (c, [a, b]) => c.binaryOp(op, a, b));
    same("row broadcast (bias add)", [[30001, 20], [20]], (c, [a, b]) => c.binaryOp(Op.Add, a, b));
    same("column broadcast", [[30001, 20], [30001, 1]], (c, [a, b]) => c.binaryOp(Op.Mul, a, b));
    same("scalar broadcast", [[600001], [1]], (c, [a, b]) => c.binaryOp(Op.Sub, a, b));
  });

  it("fused derivative kernels (through gradients of tanh and sigmoid): the same bits", () => {
    const Op = one.Op;
    for (const op of [Op.Tanh, Op.Sigmoid]) {
      same(`d ${Op[op]}`, [[600001]], (c, [x]) => unaryGradient(c, op, x));
    }
  });
  it("PINN-sized elementwise ops ([10000, 20], split above 64k elements): the same bits", () => {
    const Op = one.Op;
    for (const op of [Op.Add, Op.Mul, Op.Sub]) same(`binary ${Op[op]} [10000,20]`, [[10000, 20], [10000, 20]], (c, [a, b]) => c.binaryOp(op, a, b));
    same("bias add [10000,20] + [20]", [[10000, 20], [20]], (c, [a, b]) => c.binaryOp(Op.Add, a, b));
    same("bias add under the threshold [3000,20] + [20]", [[3000, 20], [20]], (c, [a, b]) => c.binaryOp(Op.Add, a, b));
    same("square [10000,20]", [[10000, 20]], (c, [x]) => c.unaryOp(Op.Square, x));
    same("d tanh [10000,20]", [[10000, 20]], (c, [x]) => unaryGradient(c, Op.Tanh, x));
  });

  it("idle workers sleep (bounded spin) and wake up for the next job", async () => {
    if (two.threadCount() < 2) return;
    const Op = one.Op;
    same("before sleeping", [[10000, 20], [10000, 20]], (c, [a, b]) => c.binaryOp(Op.Mul, a, b));
    // workers spin at most SPIN_MS (0.2 ms) after a job: over 300 ms idle the process must use almost no CPU
    await new Promise((r) => setTimeout(r, 20));
    const c0 = process.cpuUsage();
    await new Promise((r) => setTimeout(r, 300));
    const c1 = process.cpuUsage(c0);
    expect((c1.user + c1.system) / 1000, "ms of CPU over 300 ms idle").toBeLessThan(60);
    // the sleeping workers are woken by the next job (a missed wake-up would hang here, or time out the test)
    same("after sleeping", [[10000, 20], [10000, 20]], (c, [a, b]) => c.binaryOp(Op.Mul, a, b));
  });
});
