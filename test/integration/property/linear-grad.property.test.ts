// Gradients of the linear (and affine) ops (views, shape ops, sums, gather, pad, concat, broadcasting, matMul in one operand) on
// random shapes and arguments: for a linear map L, d/dx sum(w * L(x)) = L^T w, whose element i is
// sum(w * L_ref(e_i)) with the float64 reference L_ref and the unit array e_i. So the expected gradient comes from
// the reference's forward only (one evaluation per input element: the shapes are kept small), never from
// gradtape's backward rules. Seeded (arbitraries.ts).
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import fc from "fast-check";
import * as gt from "gradtape";
import { nd, type NDArray } from "../../reference/index.js";
import { runs, values, seedArb, toTensor, closeness } from "./arbitraries.js";

const N = 20;
let cases = 0;
beforeAll(async () => { await gt.ready(); });

const dim = fc.integer({ min: 1, max: 4 });
const shapeArb = (lo: number, hi: number) => fc.array(dim, { minLength: lo, maxLength: hi });

/** L^T w through the reference: element i is sum(w * (L(e_i) - L(0))) (L(0): the constant part of an affine L). */
function adjoint(L: (a: NDArray) => NDArray, shape: number[], w: NDArray): NDArray {
  const n = nd.sizeOf(shape);
  const out = new Float64Array(n);
  const y0 = L(nd.zeros(shape));
  for (let i = 0; i < n; i++) {
    const e = nd.zeros(shape);
    e.data[i] = 1;
    const y = L(e);
    let s = 0;
    for (let j = 0; j < y.data.length; j++) s += w.data[j] * (y.data[j] - y0.data[j]);
    out[i] = s;
  }
  return { shape: [...shape], data: out };
}

interface Case { label: string; shape: number[]; ref: (a: NDArray) => NDArray; op: (t: gt.Tensor) => gt.Tensor }
function checkCase(c: Case, seed: number): void {
  const x = values(c.shape, seed);
  const outShape = c.ref(x).shape;
  const w = values(outShape, seed + 1);
  const want = adjoint(c.ref, c.shape, w);
  const before = gt.memory().tensors;
  const r = gt.tidy(() => {
    const W = toTensor(w);
    const g = gt.grad((t: gt.Tensor) => gt.sum(gt.mul(W, c.op(t))))(toTensor(x)) as gt.Tensor;
    return closeness(g, want, 1e-5, 1e-5, true);
  });
  cases++;
  expect(gt.memory().tensors, `${c.label}: tensors left behind`).toBe(before);
  expect(r.ok, `${c.label}: ${r.why}`).toBe(true);
}
const prop = <T>(arb: fc.Arbitrary<T>, make: (v: T) => Case) =>
  fc.assert(fc.property(arb, seedArb, (v, seed) => { checkCase(make(v), seed); }), runs(N));

describe("gradients of linear ops equal the adjoint of the float64 reference", () => {
  it("reshape and transpose", () => prop(fc.tuple(shapeArb(1, 3), fc.nat()), ([s, k]) => {
    const perm = s.map((_, i) => i).sort((a, b) => ((a * 5 + k) % 7) - ((b * 5 + k) % 7));
    return { label: `transpose(reshape) ${JSON.stringify(s)} perm ${perm}`, shape: s,
      ref: (a) => nd.transpose(nd.reshape(nd.transpose(a, perm), [...perm.map((p) => s[p])].reverse()), undefined),
      op: (t) => gt.transpose(gt.reshape(gt.transpose(t, perm), [...perm.map((p) => s[p])].reverse())) };
  }));
  it("sum and mean over random axes", () => prop(shapeArb(1, 3).chain((s) => fc.tuple(fc.constant(s), fc.subarray(s.map((_, i) => i), { minLength: 1 }), fc.boolean(), fc.boolean())),
    ([s, axes, keep, mean]) => ({ label: `${mean ? "mean" : "sum"} ${JSON.stringify(s)} axes ${axes} keepDims ${keep}`, shape: s,
      ref: (a) => (mean ? nd.mean(a, axes, keep) : nd.sum(a, axes, keep)), op: (t) => (mean ? gt.mean(t, axes, keep) : gt.sum(t, axes, keep)) })));
  it("slice with strides, and index", () => prop(shapeArb(1, 3).chain((s) => fc.tuple(fc.constant(s),
    fc.tuple(...s.map((d) => fc.tuple(fc.integer({ min: 0, max: d - 1 }), fc.integer({ min: 1, max: 2 })))), fc.integer({ min: 0, max: s.length - 1 }))),
    ([s, spec, k]) => {
      const b = spec.map((p) => p[0]), st = spec.map((p) => p[1]);
      return { label: `slice ${JSON.stringify(s)} begin ${b} stride ${st}, index ${k}`, shape: s,
        ref: (a) => nd.index(nd.slice(a, b, undefined, st), 0),
        op: (t) => gt.index(gt.slice(t, b, undefined, st), 0) };
    }));
  it("pad, gather and broadcastTo", () => prop(shapeArb(1, 3).chain((s) => fc.tuple(fc.constant(s), fc.integer({ min: 0, max: 2 }),
    fc.array(fc.integer({ min: 0, max: s[0] - 1 }), { minLength: 1, maxLength: 5 }))),
    ([s, p, idx]) => ({ label: `broadcastTo(gather(pad)) ${JSON.stringify(s)} pad ${p} indices ${idx}`, shape: s,
      ref: (a) => nd.broadcastTo(nd.gather(nd.pad(a, s.map(() => [p, 1] as [number, number]), 0), idx, 0), [2, idx.length, ...s.slice(1).map((d) => d + p + 1)]),
      op: (t) => gt.broadcastTo(gt.gather(gt.pad(t, s.map(() => [p, 1] as [number, number]), 0), idx, 0), [2, idx.length, ...s.slice(1).map((d) => d + p + 1)]) })));
  it("concat with a constant neighbour and the input twice, expandDims and squeeze", () => prop(fc.tuple(shapeArb(1, 3), fc.nat(), seedArb), ([s, k, cs]) => {
    const ax = k % s.length;
    const other = values(s, cs);
    return { label: `squeeze(expandDims(concat)) ${JSON.stringify(s)} axis ${ax}`, shape: s,
      ref: (a) => nd.squeeze(nd.expandDims(nd.concat([other, a, a], ax), 0), 0),
      op: (t) => gt.tidy(() => { const o = toTensor(other); return gt.squeeze(gt.expandDims(gt.concat([o, t, t], ax), 0), 0); }) };
  }));
  it("matMul in either operand, with transposes", () => prop(fc.record({ m: dim, k: dim, n: dim, ta: fc.boolean(), tb: fc.boolean(), left: fc.boolean(), s: seedArb }),
    ({ m, k, n, ta, tb, left, s }) => {
      const aShape = ta ? [k, m] : [m, k], bShape = tb ? [n, k] : [k, n];
      const fixed = values(left ? bShape : aShape, s);
      return { label: `matMul ${left ? "d/dA" : "d/dB"} ${JSON.stringify(aShape)}${ta ? "T" : ""} x ${JSON.stringify(bShape)}${tb ? "T" : ""}`, shape: left ? aShape : bShape,
        ref: (x) => (left ? nd.matmul(x, fixed, ta, tb) : nd.matmul(fixed, x, ta, tb)),
        op: (t) => gt.tidy(() => { const f = toTensor(fixed); return left ? gt.matMul(t, f, ta, tb) : gt.matMul(f, t, ta, tb); }) };
    }));
});

afterAll(() => { console.log(`linear-op gradient properties: 6 properties, ${cases} cases`); });
