// gt.jit on the threaded core: a replay splits its large kernels across threads as eager code does, so a jitted
// PINN loss and weight gradient (10,000 points: every elementwise op and matmul is split) must give the bits of the
// same function run eagerly on the same threads, keep memory flat, and leave no program behind; in float32 and in
// float64 (whose fused chains split across threads from half as many elements). (The threaded core gives the
// single-threaded bits too: packages/core/test/threads.test.ts.)
import { describe, it, expect, beforeAll } from "vitest";
import * as gt from "gradtape";

beforeAll(async () => { await gt.ready({ threads: 2 }); });

describe("jit on 2 threads", () => {
  it.each(["float32", "float64"] as const)("a PINN loss and its weight gradient (%s): replays equal eager bits, memory stays flat", (dt) => {
    expect(gt.backendInfo().threads, "this file needs the threaded core (SharedArrayBuffer and worker_threads)").toBe(2);
    const sizes = [2, 20, 20, 20, 1];
    const init = (shape: number[], r: number, seed: number) => gt.tidy(() => gt.randomUniform(shape, -r, r, seed).cast(dt));
    const vars = sizes.slice(1).flatMap((n, i) => [gt.variable(init([sizes[i], n], 0.6, 11 + i)), gt.variable(init([n], 0.1, 21 + i))]);
    const net = (X: gt.Tensor) => {
      let h = X;
      for (let l = 0; l < vars.length / 2; l++) { h = h.matMul(vars[2 * l]).add(vars[2 * l + 1]); if (2 * l + 2 < vars.length) h = h.tanh(); }
      return h;
    };
    const X = init([10000, 2], 1, 5);
    // Burgers: loss = mean((u_t + u u_x - nu u_xx)^2), input derivatives by nested tapes, then the weight gradient
    const lossAndGrads = (): gt.Tensor[] => {
      const wt = new gt.GradientTape(), t2 = new gt.GradientTape({ watchAccessedVariables: false }), t1 = new gt.GradientTape({ watchAccessedVariables: false });
      try {
        const loss = wt.record(() => {
          let u!: gt.Tensor, ux!: gt.Tensor, ut!: gt.Tensor;
          t2.record(() => {
            t2.watch(X);
            u = t1.record(() => { t1.watch(X); return net(X); });
            const g = t1.gradient(u, X)!;
            ux = g.slice([0, 0], [-1, 1]); ut = g.slice([0, 1], [-1, 1]);
          });
          const uxx = t2.gradient(ux, X)!.slice([0, 0], [-1, 1]);
          return ut.add(u.mul(ux)).sub(uxx.mul(0.01 / Math.PI)).square().mean();
        });
        return [loss, ...(wt.gradient(loss, vars) as gt.Tensor[])];
      } finally { wt.dispose(); t2.dispose(); t1.dispose(); }
    };
    const read = (ts: gt.Tensor[]) => ts.map((t) => Array.from(t.data()));
    const eager = gt.tidy(() => read(lossAndGrads()));
    const jitted = gt.jit(lossAndGrads);
    expect(jitted.profile().some((s) => s.op.startsWith("Fused(")), "fused chains in the program").toBe(true);
    const traced = gt.tidy(() => read(jitted()));
    expect(traced, "the tracing call").toEqual(eager);
    expect(gt.tidy(() => read(jitted())), "the first replay (it keeps its small intermediates' records)").toEqual(eager);
    const m0 = gt.memory();
    for (let i = 0; i < 5; i++) expect(gt.tidy(() => read(jitted())), `replay ${i}`).toEqual(eager);
    const m1 = gt.memory();
    expect([m1.tensors, m1.bytes, m1.programs]).toEqual([m0.tensors, m0.bytes, m0.programs]);
    // a weight update between calls is seen by the next replay, which again equals eager code
    vars[0].assign(vars[0].mul(1.01));
    const eager2 = gt.tidy(() => read(lossAndGrads()));
    expect(eager2[0], "the update changed the loss").not.toEqual(eager[0]);
    expect(gt.tidy(() => read(jitted())), "replay after the update").toEqual(eager2);
    jitted.dispose();
    expect(gt.memory().programs).toBe(0);
    gt.dispose([...vars, X]);
  });

  // batchJacobian seeds a rank-2 target with row broadcasts (tensor.ts isRowBroadcast): their products stay one row,
  // and the fused derivative ops and chains read them from tiles, split across threads in whole blocks
  it.each(["float32", "float64"] as const)("the seed batch's Hessian (%s, 10,000 points): row-broadcast seeds give dense seeds' bits, jit = eager", (dt) => {
    const W1 = gt.keep(gt.randomUniform([2, 28], -1, 1, 3).cast(dt)), b1 = gt.keep(gt.randomUniform([28], -0.1, 0.1, 4).cast(dt));
    const W2 = gt.keep(gt.randomUniform([28, 1], -1, 1, 5).cast(dt)), b2 = gt.keep(gt.randomUniform([1], -0.1, 0.1, 6).cast(dt));
    const f = (X: gt.Tensor) => X.matMul(W1).add(b1).sigmoid().matMul(W2).add(b2).sigmoid();
    const X = gt.keep(gt.randomUniform([10000, 2], -2, 2, 7).cast(dt));
    const hessian = (dense: boolean) => (x: gt.Tensor): gt.Tensor[] => {
      const outer = new gt.GradientTape({ persistent: true }), inner = new gt.GradientTape();
      try {
        const g = outer.record(() => { outer.watch(x); return inner.record(() => { inner.watch(x); return inner.gradient(f(x), x)!; }); });
        if (!dense) return [g, outer.batchJacobian(g, x)!];
        const oneHot = (i: number) => gt.tensor(Array.from({ length: 20000 }, (_, e) => (e % 2 === i ? 1 : 0)), [10000, 2], dt);
        const cols = [0, 1].map((i) => outer.gradient(g, x, { outputGradients: oneHot(i) })!);
        return [g, gt.stack(cols, 1)];
      } finally { inner.dispose(); outer.dispose(); }
    };
    const read = (ts: gt.Tensor[]) => ts.map((t) => Array.from(t.data()));
    const same = (got: number[][], want: number[][], label: string) => {
      const g = got.flat(), w = want.flat();
      expect(g.length, label).toBe(w.length);
      const i = g.findIndex((v, k) => !Object.is(v, w[k]));
      expect(i < 0 ? "same" : `element ${i} differs`, label).toBe("same");
    };
    const want = gt.tidy(() => read(hessian(true)(X)));
    same(gt.tidy(() => read(hessian(false)(X))), want, "eager batchJacobian");
    const jitted = gt.jit(hessian(false));
    for (let i = 0; i < 3; i++) same(gt.tidy(() => read(jitted(X))), want, `jit call ${i}`);
    jitted.dispose();
    gt.dispose([W1, b1, W2, b2, X]);
  });
});
