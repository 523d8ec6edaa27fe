// Row broadcasts: a [M, N] view whose rows all share one row (strides [0, 1]), as gt.broadcastTo of a [1, N] row
// makes and as batchJacobian seeds a rank-2 target. A product with one is computed as one row and stays a row
// broadcast; the fused derivative ops (tanhGrad, sigmoidGrad, mulMul) and jit's fused chains read such an operand
// from a tile of its row instead of M copies. None of this may change a result: every case here compares bits
// with the same computation on a dense copy of the operand (or a dense seed), and the Hessians with the float64
// reference (second-order jets, test/reference/seed-network.ts mlpJet).
import { describe, it, expect, beforeAll } from "vitest";
import * as gt from "gradtape";
import { randomWeights, mlpJet, type Weights } from "../reference/index.js";
import { expectClose, expectNoLeak } from "./helpers/check.js";

beforeAll(async () => { await gt.ready(); });

type DT = "float32" | "float64";
const bits = (t: gt.Tensor) => Array.from(t.data());
/** got and want (arrays of numbers, or lists of them) are the same bits; a failure names the first difference
 *  (toEqual's diff of thousands of numbers takes minutes to print) */
function sameBits(label: string, got: number[] | number[][], want: number[] | number[][]): void {
  const g = got.flat(), w = want.flat();
  expect(g.length, `${label}: length`).toBe(w.length);
  const i = g.findIndex((v, k) => !Object.is(v, w[k]));
  expect(i < 0 ? "same" : `element ${i}: ${g[i]} where ${w[i]}`, label).toBe("same");
}
/** deterministic points in [-2, 2]^2, float32-representable */
const pts = (B: number) => Array.from({ length: B }, (_, i) => [Math.fround(Math.sin(1.7 * i + 0.3) * 2), Math.fround(Math.cos(0.9 * i + 1.1) * 2)]);

function upload(w: Weights, dt: DT) {
  return w.layers.map((L) => ({
    W: gt.keep(gt.tensor(L.kernel, undefined, dt)), b: gt.keep(gt.tensor(L.bias, undefined, dt)), act: L.activation,
  }));
}
function net(layers: ReturnType<typeof upload>) {
  return (X: gt.Tensor) => {
    let h = X;
    for (const L of layers) { h = h.matMul(L.W).add(L.b); h = L.act === "tanh" ? h.tanh() : h.sigmoid(); }
    return h;
  };
}

/** u, g = du/dX and H = dg/dX [B, 2, 2] by nested tapes; `dense` takes H's two columns with dense one-hot seeds
 *  (outer.gradient with outputGradients) instead of batchJacobian's row-broadcast seeds. */
function derivatives(f: (X: gt.Tensor) => gt.Tensor, dense: boolean) {
  return (X: gt.Tensor): gt.Tensor[] => {
    const outer = new gt.GradientTape({ persistent: true }), inner = new gt.GradientTape();
    try {
      let u!: gt.Tensor;
      const g = outer.record(() => {
        outer.watch(X);
        u = inner.record(() => { inner.watch(X); return f(X); });
        return inner.gradient(u, X)!;
      });
      if (!dense) return [u, g, outer.batchJacobian(g, X)!];
      const B = X.shape[0], cols = [0, 1].map((i) => {
        const seed = gt.tensor(Array.from({ length: B }, () => [i === 0 ? 1 : 0, i === 1 ? 1 : 0]), [B, 2], X.dtype);
        return outer.gradient(g, X, { outputGradients: seed })!;   // [B, 2]: d g[:, i] / d X
      });
      return [u, g, gt.stack(cols, 1)];                             // [B, 2, 2]: H[b, i, :]
    } finally { inner.dispose(); outer.dispose(); }
  };
}

const NETS: [string, Weights][] = [
  ["2 -> 28 sigmoid -> 1 sigmoid (the seed network)", randomWeights("row-broadcast seed")],
  ["2 -> 20 tanh -> 12 tanh -> 1 tanh", randomWeights("row-broadcast tanh", [2, 20, 12, 1], ["tanh", "tanh", "tanh"])],
];

describe("batchJacobian with row-broadcast seeds", () => {
  for (const [name, w] of NETS) {
    for (const dt of ["float32", "float64"] as const) {
      it.each([2, 37, 1500])(`${name}, ${dt}, %i points: the dense seeds' bits, the float64 reference, jit = eager`, (B) => {
        const layers = upload(w, dt), f = net(layers);
        const P = pts(B);
        expectNoLeak("batchJacobian", () => gt.tidy(() => {
          const X = gt.tensor(P, [B, 2], dt);
          const [u, g, H] = derivatives(f, false)(X);
          const [u2, g2, H2] = derivatives(f, true)(X);
          expect(H.shape).toEqual([B, 2, 2]);
          sameBits("u", bits(u), bits(u2));
          sameBits("g", bits(g), bits(g2));
          sameBits("batchJacobian = dense one-hot seeds", bits(H), bits(H2));
          // the float64 reference: relative to each point's largest Hessian entry (float32's floor ~2e-6 of it)
          const Hv = bits(H), tol = dt === "float32" ? 2e-5 : 1e-11;
          P.forEach((p, b) => {
            const ref = mlpJet(w, p)[0];
            const want = [ref.hess(0, 0), ref.hess(0, 1), ref.hess(1, 0), ref.hess(1, 1)];
            expectClose(`H at point ${b}`, Hv.slice(4 * b, 4 * b + 4), want, { rtol: tol, normwise: true });
          });
          // under jit: the products of the seeds are row broadcasts in the program too (fused chains read them)
          const jitted = gt.jit(derivatives(f, false));
          for (let k = 0; k < 3; k++) sameBits(`jit call ${k}`, jitted(X).map(bits), [u, g, H].map(bits));
          jitted.dispose();
        }));
        for (const L of layers) { L.W.dispose(); L.b.dispose(); }
      });
    }
  }
});

describe("ops on a row broadcast (gt.broadcastTo) give a dense copy's bits", () => {
  const row = (N: number, dt: DT, s = 0.37) => gt.tensor(Array.from({ length: N }, (_, j) => Math.fround(Math.sin(s * (j + 1)))), [1, N], dt);
  const full = (M: number, N: number, dt: DT, s = 0.11) =>
    gt.tensor(Array.from({ length: M * N }, (_, e) => Math.fround(0.8 * Math.cos(s * e + 0.2))), [M, N], dt);

  it.each([[2, 1, 1], [5, 3, 7], [37, 28, 20], [3000, 33, 5], [4000, 2, 28], [3, 4, 0], [3, 0, 4]])("matMul(broadcastTo(a, [%i, %i]), W [K, %i])", (M, K, N) => {
    for (const dt of ["float32", "float64"] as const) {
      expectNoLeak("matMul", () => gt.tidy(() => {
        const a = gt.broadcastTo(row(K, dt), [M, K]), W = full(K, N, dt, 0.3);
        const y = a.matMul(W), want = a.add(gt.zeros([M, K], dt)).matMul(W); // (add: a dense copy of a)
        expect(y.shape).toEqual([M, N]);
        sameBits(dt, bits(y), bits(want));
        const v = bits(y);
        for (let r = 1; r < M; r++) sameBits(`row ${r}`, v.slice(r * N, r * N + N), v.slice(0, N));
        // its gradient with respect to the row (a sum over the broadcast rows) and to W: the dense copy's
        const tape = new gt.GradientTape({ persistent: true }), r0 = row(K, dt);
        const G = full(M, N, dt, 0.05);
        const [ya, yd] = tape.record(() => {
          tape.watch([r0, W]);
          const ab = gt.broadcastTo(r0, [M, K]);
          return [ab.matMul(W), ab.add(gt.zeros([M, K], dt)).matMul(W)];
        });
        const [ga, gw] = tape.gradient(ya, [r0, W], { outputGradients: G }) as gt.Tensor[];
        const [da, dw] = tape.gradient(yd, [r0, W], { outputGradients: G }) as gt.Tensor[];
        tape.dispose();
        sameBits("d/d row", bits(ga), bits(da));
        sameBits("d/d W", bits(gw), bits(dw));
      }));
    }
  });

  // tanh's and sigmoid's backward rules are the fused tanhGrad / sigmoidGrad, and their own backward rules mulMul: a
  // row-broadcast cotangent reaches all three (first and second order), eager and in jit's fused chains
  it.each([["tanh", 3, 5], ["sigmoid", 37, 28], ["tanh", 3000, 33], ["sigmoid", 2500, 28]] as const)(
    "%s's first and second derivative with a row-broadcast cotangent, %i x %i", (act, M, N) => {
      for (const dt of ["float32", "float64"] as const) {
        expectNoLeak(act, () => gt.tidy(() => {
          const Z = full(M, N, dt), V = full(M, N, dt, 0.07);
          const go = (dense: boolean) => (Z: gt.Tensor, r: gt.Tensor) => {
            const seed = dense ? gt.broadcastTo(r, [M, N]).add(gt.zeros([M, N], dt)) : gt.broadcastTo(r, [M, N]);
            const outer = new gt.GradientTape(), inner = new gt.GradientTape();
            try {
              const dz = outer.record(() => {
                outer.watch(Z);
                const y = inner.record(() => { inner.watch(Z); return act === "tanh" ? Z.tanh() : Z.sigmoid(); });
                return inner.gradient(y, Z, { outputGradients: seed })!;  // tanhGrad / sigmoidGrad(seed, y)
              });
              // second order: mulMul(seed, ...) and the activation grad again, with V as the outer cotangent
              return [dz, outer.gradient(dz, Z, { outputGradients: V })!];
            } finally { inner.dispose(); outer.dispose(); }
          };
          const r = row(N, dt);
          const want = go(true)(Z, r).map(bits);
          sameBits(`${dt} eager`, go(false)(Z, r).map(bits), want);
          const jitted = gt.jit(go(false));
          for (let k = 0; k < 2; k++) sameBits(`${dt} jit call ${k}`, jitted(Z, r).map(bits), want);
          jitted.dispose();
        }));
      }
    });
});
