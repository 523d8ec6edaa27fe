// Op conformance suite: every gradtape op, table-driven, against the independent float64 reference
// in test/reference/ (never against gradtape itself).
//
// For each row (an op) and each case (input shapes and parameters) it checks:
//   1. forward: shape, dtype and values against the reference evaluated at the same float32 inputs;
//      the function form (gt.exp(x), gt.add(a, b), gt.matMul(...)) must equal the method form bit for bit;
//   2. first derivative: the gradient of L = sum(op(x) * w), w fixed random weights, against central
//      finite differences of the float64 reference's L;
//   3. second derivative: nested tapes, the gradient of <grad L, v> (the gradient contracted with
//      fixed random v), i.e. the Hessian-vector product H v, against the mixed second difference of
//      the reference's L along v (fd.hessianVector);
//   4. no leak: gt.memory().tensors is the same after the case (everything runs under gt.tidy) and
//      after the whole row;
//   5. jit: 1-3 compiled by gt.jit give the same bits as eager, traced and replayed.
// Inputs are drawn from a seeded PRNG (per row and case name), rounded to float32 first, and kept
// inside each op's domain and >= 0.1 away from kinks (abs/relu at 0, ties of max/min), so that the
// finite differences (steps 1e-5 and 1e-4) never straddle a kink.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import * as gt from "gradtape";
import { nd, fd, Rng, type NDArray } from "../../reference/index.js";
import { expectClose, fn, maxAbs, method, readTensor, tidyRun, toTensor, setTableDtype, tableDtype, type Operand, type Tensor } from "../op-check.js";
import { TOL, TOL64, fmt, type Arg, type Case, type Row } from "./types.js";

// ------------------------------------------------------------------------------------------ the harness

/** Reference arrays for each argument (numbers become scalars, "same" the array it aliases). */
function refArgs(args: Arg[]): NDArray[] {
  const out: NDArray[] = [];
  for (const a of args) {
    if (a.t === "num") out.push(nd.scalar(a.v));
    else if (a.t === "same") out.push(out[a.of]);
    else out.push(a.a);
  }
  return out;
}

/** gradtape operands for each argument. Call inside gt.tidy. */
function operands(args: Arg[]): Operand[] {
  const out: Operand[] = [];
  for (const a of args) {
    if (a.t === "f32") out.push(toTensor(a.a));
    else if (a.t === "num") out.push(a.v);
    else if (a.t === "i32") out.push(gt.tensor(Array.from(a.a.data), [...a.a.shape], "int32"));
    else if (a.t === "bool") out.push(method(toTensor(a.a), "greater", 0.5));
    else out.push(out[a.of]);
  }
  return out;
}

/** Indices of the differentiated arguments. */
const diffIndices = (args: Arg[]): number[] => args.flatMap((a, i) => (a.t === "f32" && a.diff ? [i] : []));

/** The reference loss L(z) = sum(ref(args with z substituted) * w), z = the packed differentiated inputs. */
function referenceLoss(row: Row, c: Case, args: Arg[], w: NDArray): { L: (z: Float64Array) => number; z0: Float64Array; shapes: number[][] } {
  const base = refArgs(args);
  const di = diffIndices(args);
  const shapes = di.map((i) => base[i].shape);
  const L = (z: Float64Array): number => {
    const parts = nd.unpack(z, shapes);
    const xs: NDArray[] = [];
    args.forEach((a, i) => {
      const k = di.indexOf(i);
      xs.push(k >= 0 ? parts[k] : a.t === "same" ? xs[a.of] : base[i]);
    });
    return nd.dot(row.ref(xs, c.p), w);
  };
  return { L, z0: nd.pack(di.map((i) => base[i])), shapes };
}

/** sum |w_i y_i|: the size of the terms of L, for the finite differences' rounding bound. */
function lossScale(y: NDArray, w: NDArray): number {
  let s = 0;
  for (let i = 0; i < y.data.length; i++) s += Math.abs(w.data[i] * y.data[i]);
  return s;
}

/** gradient(s) of target w.r.t. sources: the single-tensor form for one source, the array form otherwise. */
function gradients(tape: gt.GradientTape, target: Tensor, sources: Tensor[], options?: { unconnected: "zero" }): (Tensor | null)[] {
  // called through a loose signature so that this file does not depend on the exact overloads
  const t = tape as unknown as { gradient(target: Tensor, sources: unknown, options?: unknown): unknown };
  const call = (src: unknown): unknown => (options ? t.gradient(target, src, options) : t.gradient(target, src));
  if (sources.length === 1) return [call(sources[0]) as Tensor | null];
  const g = call(sources);
  if (!Array.isArray(g)) throw new Error(`tape.gradient(target, [${sources.length} sources]) should return an array, got ${typeof g}`);
  return g as (Tensor | null)[];
}

function runCase(row: Row, c: Case): void {
  const label = `${row.op} ${c.name}`;
  const rng = new Rng(`${row.op}/${c.name}`);
  const args = c.args(rng);
  const xs = refArgs(args);
  const want = row.ref(xs, c.p);
  const f64 = tableDtype === "float64";
  const tol = f64 ? TOL64[row.kind] : TOL[row.kind];
  const before = gt.memory().tensors;
  const jitted: { what: string; f: (ops: Operand[]) => Tensor | (Tensor | null)[] }[] = [{ what: "forward", f: (ops) => row.call(ops, c.p) }];

  // 1. forward (and the function form, when the op has one)
  const fwd = tidyRun(() => {
    const ops = operands(args);
    const y = readTensor(row.call(ops, c.p), `${label}: forward result`);
    const yFn = row.fnForm ? readTensor(row.fnForm(ops, c.p), `${label}: function-form result`) : null;
    return { y, yFn };
  });
  expect(fwd.y.dtype, `${label}: dtype`).toBe(row.kind === "predicate" ? "bool" : tableDtype);
  const scale = row.absScale ? row.ref(xs.map((x) => nd.map(x, Math.abs)), c.p).data : undefined;
  expectClose(`${label}: forward`, fwd.y, want, { rtol: tol.fwd, atol: c.fwdAtol ?? tol.fwdAtol, scale });
  if (fwd.yFn) {
    expectClose(`${label}: function form gt.${row.op}(...) vs method form`, fwd.yFn, nd.ndarray(fwd.y.data, fwd.y.shape), { rtol: 0 });
  }

  if (row.differentiable && !c.forwardOnly) {
    const di = diffIndices(args);
    expect(di.length, `${label}: test setup has no differentiable input`).toBeGreaterThan(0);
    const w = nd.roundF32(rng.array(want.shape, (r) => r.signedMagnitude(0.5, 1.5)));
    const { L, z0, shapes } = referenceLoss(row, c, args, w);
    const Ls = lossScale(want, w);

    // 2. first derivative: gradient of sum(op(x) * w)
    // (as functions of the operands, so that check 5 can run the very same computation under gt.jit)
    const grad1 = (ops: Operand[]): (Tensor | null)[] => {
      const sources = di.map((i) => ops[i] as Tensor);
      const wt = toTensor(w);
      const tape = new gt.GradientTape();
      const y = tape.record(() => {
        for (const s of sources) tape.watch(s);
        return row.call(ops, c.p).mul(wt).sum();
      });
      return gradients(tape, y, sources);
    };
    const g1 = tidyRun(() => grad1(operands(args)).map((g, k) =>
      readTensor(g, `${label}: gradient w.r.t. input ${di[k]} (it is connected: expected a tensor of shape ${fmt(shapes[k])})`),
    ));
    jitted.push({ what: "first derivative", f: grad1 });
    const gRef = nd.unpack(f64 ? fd.gradientRidders(L, z0) : fd.gradient(L, z0), shapes);
    const fd1 = f64 ? 1e-14 * Ls : fd.roundingScale(1, Ls);
    gRef.forEach((gr, k) => {
      expect(g1[k].dtype, `${label}: gradient dtype`).toBe(tableDtype);
      expectClose(`${label}: d/d(input ${di[k]}) of sum(op * w)`, g1[k], gr, { rtol: tol.d1, atol: fd1, floor: Math.max(maxAbs(gr.data), maxAbs(w.data)) });
    });

    // 3. second derivative: nested tapes, gradient of <grad, v>  (= H v)
    if (!c.noSecond) {
      const v = shapes.map((s) => nd.roundF32(rng.array(s, (r) => r.signedMagnitude(0.5, 1.5))));
      const grad2 = (ops: Operand[]): (Tensor | null)[] => {
        const sources = di.map((i) => ops[i] as Tensor);
        const wt = toTensor(w);
        const vt = v.map(toTensor);
        const outer = new gt.GradientTape();
        let target: Tensor | null = null;
        outer.record(() => {
          for (const s of sources) outer.watch(s);
          const inner = new gt.GradientTape();
          const y = inner.record(() => {
            for (const s of sources) inner.watch(s);
            return row.call(ops, c.p).mul(wt).sum();
          });
          gradients(inner, y, sources).forEach((g, k) => {
            if (!g) throw new Error(`${label}: inner gradient w.r.t. input ${di[k]} is null under an outer tape`);
            const term = g.mul(vt[k]).sum();
            target = target ? target.add(term) : term;
          });
        });
        if (!target) throw new Error(`${label}: no second-order target was built`);
        // linear ops have gradients that do not depend on x: unconnected, hence 'zero'
        return gradients(outer, target, sources, { unconnected: "zero" });
      };
      const g2 = tidyRun(() => grad2(operands(args)).map((g, k) =>
        readTensor(g, `${label}: second-order gradient w.r.t. input ${di[k]} (with unconnected: 'zero')`),
      ));
      jitted.push({ what: "second derivative", f: grad2 });
      const hvRef = nd.unpack(f64 ? fd.hessianVectorRidders(L, z0, nd.pack(v)) : fd.hessianVector(L, z0, nd.pack(v)), shapes);
      const fd2 = f64 ? 1e-11 * Ls : fd.roundingScale(2, Ls);
      hvRef.forEach((hr, k) => {
        const floor = Math.max(maxAbs(hr.data), maxAbs(w.data) * Math.max(...v.map((vk) => maxAbs(vk.data))));
        expectClose(`${label}: Hessian-vector product w.r.t. input ${di[k]} (nested tapes)`, g2[k], hr, { rtol: tol.d2, atol: fd2, floor });
      });
    }
  }

  // 5. jit: the same computations compiled by gt.jit give the same bits on the traced call and on a replay (with
  // new operand tensors of the same shapes), and the compiled programs release everything they held
  for (const { what, f } of jitted) {
    const read = (r: Tensor | (Tensor | null)[]) => (Array.isArray(r) ? r : [r]).map((t, k) => (t === null ? null : readTensor(t, `${label}: ${what} ${k}`)));
    const eager = tidyRun(() => read(f(operands(args))));
    const J = gt.jit((...ops: Operand[]) => f(ops));
    try {
      for (const call of ["traced", "replayed"]) {
        const got = tidyRun(() => read(J(...operands(args))));
        got.forEach((g, k) => {
          const e = eager[k];
          expect(g === null, `${label}: jit ${what} ${k} null-ness (${call} call)`).toBe(e === null);
          if (g === null || e === null) return;
          expect(g.shape, `${label}: jit ${what} ${k} shape (${call} call)`).toEqual(e.shape);
          expect(g.dtype, `${label}: jit ${what} ${k} dtype (${call} call)`).toBe(e.dtype);
          expect(Array.from(g.data), `${label}: jit ${what} ${k} values (${call} call) must equal eager bit for bit`).toEqual(Array.from(e.data));
        });
      }
      expect(J.traceCount, `${label}: jit ${what}: the second call must replay, not trace again`).toBe(1);
    } finally { J.dispose(); }
  }

  expect(gt.memory().tensors, `${label}: live tensors after the case (before: ${before}) - a leak`).toBe(before);
  expect(gt.memory().programs, `${label}: compiled programs left alive`).toBe(0);
}

/**
 * The suite of a list of rows: every case of every row, plus the per-row checks; with dtype "float64", the same
 * cases on float64 tensors (the same float32-representable inputs) under float64 tolerances (types.ts TOL64), in a
 * describe block of its own.
 */
export function describeRows(rows: Row[], dtype: "float32" | "float64" = "float32"): void {
  if (dtype === "float64") {
    describe("float64", () => {
      beforeAll(() => setTableDtype("float64"));
      afterAll(() => setTableDtype("float32"));
      describeRows(rows);
    });
    return;
  }
  beforeAll(async () => {
    await gt.ready();
  });
  for (const row of rows) {
    describe(`op ${row.op} (${row.kind})`, () => {
      let start = 0;
      beforeAll(() => {
        start = gt.memory().tensors;
      });
      for (const c of row.cases) it(c.name, () => runCase(row, c));

      if (row.kind === "predicate") {
        it("is not differentiable: a gradient reached only through it is null", () => {
          const before = gt.memory().tensors;
          const g = tidyRun(() => {
            const a = gt.tensor([0.3, -1, 2, 0.5], [4]);
            const b = gt.tensor([0.3, 1, -2, 0], [4]);
            const tape = new gt.GradientTape();
            const y = tape.record(() => {
              tape.watch(a);
              const cond = row.call([a, b], undefined);
              return fn("where", cond, gt.tensor([1, 2, 3, 4], [4]), gt.tensor([5, 6, 7, 8], [4])).sum();
            });
            const grad = tape.gradient(y, a) as Tensor | null;
            return grad === null ? null : `a Tensor of shape [${Array.from(grad.shape)}]`;
          });
          expect(g, `${row.op}: gradient reached only through a comparison should be null (unconnected: 'none')`).toBeNull();
          expect(gt.memory().tensors, `${row.op}: leak`).toBe(before);
        });
      }

      if (row.op === "where") {
        it("the condition is not differentiable; both branches are", () => {
          const before = gt.memory().tensors;
          const [gc, ga, gb] = tidyRun(() => {
            const src = gt.tensor([0.9, 0.1, 0.7, 0.2], [4]);
            const a = gt.tensor([1, 2, 3, 4], [4]);
            const b = gt.tensor([5, 6, 7, 8], [4]);
            const tape = new gt.GradientTape();
            const y = tape.record(() => {
              tape.watch(src);
              tape.watch(a);
              tape.watch(b);
              return fn("where", method(src, "greater", 0.5), a, b).mul(gt.tensor([1, 10, 100, 1000], [4])).sum();
            });
            const gs = tape.gradient(y, [src, a, b]) as unknown as (Tensor | null)[];
            return gs.map((g, k) => (g === null ? null : readTensor(g, `where gradient ${k}`).data));
          });
          expect(gc, "gradient w.r.t. the tensor the condition was computed from").toBeNull();
          expect(ga && Array.from(ga), "gradient w.r.t. a").toEqual([1, 0, 100, 0]);
          expect(gb && Array.from(gb), "gradient w.r.t. b").toEqual([0, 10, 0, 1000]);
          expect(gt.memory().tensors, "where: leak").toBe(before);
        });
      }

      it("leaves no live tensors after the row", () => {
        expect(gt.memory().tensors, `${row.op}: live tensors at the end of the row vs its start`).toBe(start);
      });
    });
  }
}
