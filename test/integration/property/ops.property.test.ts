// Property-based conformance (issue 14): every op on random shapes, broadcasts, axes and values against the float64
// reference in test/reference/ (values are float32-rounded before the reference sees them), and for the elementwise
// ops the gradient of sum(op(...)) against the reference's exact derivatives (dual numbers), summed back over the
// broadcast axes. Each case also checks that it leaves no tensor behind. Seeded (arbitraries.ts), so CI runs the
// same cases every time; the count of cases is printed by the last test.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import fc from "fast-check";
import * as gt from "gradtape";
import { nd, dual, scalar as S, type NDArray } from "../../reference/index.js";
import erf from "@stdlib/math-base-special-erf";
import { runs, shapeArb, broadcastPair, values, seedArb, toTensor, closeness, type Domain, ANY } from "./arbitraries.js";

const N = 25; // cases per property
let cases = 0, props = 0;
beforeAll(async () => { await gt.ready(); });

/** Runs one case: makes tensors inside tidy, checks, and asserts that nothing was left behind. */
function check(label: string, body: () => { ok: boolean; why: string }): void {
  const before = gt.memory().tensors;
  const r = gt.tidy(body);
  cases++;
  expect(gt.memory().tensors, `${label}: tensors left behind`).toBe(before);
  expect(r.ok, `${label}: ${r.why}`).toBe(true);
}
function prop<T>(arb: fc.Arbitrary<T>, f: (v: T) => void): void {
  props++;
  fc.assert(fc.property(arb, (v) => { f(v); }), runs(N));
}

const UNARY_DOMAIN: Partial<Record<S.UnaryName, Domain>> = {
  log: { lo: 0.1, hi: 3 }, sqrt: { lo: 0.1, hi: 3 }, reciprocal: { lo: -3, hi: 3, awayFromZero: 0.25 },
  abs: { lo: -3, hi: 3, awayFromZero: 0.01 }, relu: { lo: -3, hi: 3, awayFromZero: 0.01 },
};

describe("elementwise unary ops (value and gradient)", () => {
  for (const name of S.UNARY_NAMES) {
    it(name, () => {
      const dom = UNARY_DOMAIN[name] ?? ANY;
      prop(fc.tuple(shapeArb(0, 4), seedArb), ([shape, seed]) => {
        const a = values(shape, seed, dom);
        check(`${name} ${JSON.stringify(shape)} seed ${seed}`, () => {
          const x = toTensor(a);
          const fwd = closeness((gt as any)[name](x), nd.map(a, S.UNARY[name]), 1e-5, 1e-6);
          if (!fwd.ok) return fwd;
          const g = gt.grad((t: gt.Tensor) => (gt as any)[name](t))(x) as gt.Tensor;
          return closeness(g, nd.map(a, (v) => dual.unaryDerivatives(name, v)[1]), 1e-4, 1e-5);
        });
      });
    });
  }
});

// atan and erf: not in the reference's scalar table; values from Math.atan and @stdlib's float64 erf, derivatives
// 1 / (1 + x^2) and 2 / sqrt(pi) exp(-x^2) (closed forms).
const EXTRA_UNARY: Record<string, [(x: number) => number, (x: number) => number]> = {
  atan: [Math.atan, (x) => 1 / (1 + x * x)],
  erf: [erf, (x) => (2 / Math.sqrt(Math.PI)) * Math.exp(-x * x)],
};
describe("elementwise unary ops outside the reference table (value and gradient)", () => {
  for (const [name, [f, df]] of Object.entries(EXTRA_UNARY)) {
    it(name, () => {
      prop(fc.tuple(shapeArb(0, 4), seedArb), ([shape, seed]) => {
        const a = values(shape, seed);
        check(`${name} ${JSON.stringify(shape)} seed ${seed}`, () => {
          const x = toTensor(a);
          const fwd = closeness((gt as any)[name](x), nd.map(a, f), 1e-5, 1e-6);
          if (!fwd.ok) return fwd;
          return closeness(gt.grad((t: gt.Tensor) => (gt as any)[name](t))(x) as gt.Tensor, nd.map(a, df), 1e-4, 1e-5);
        });
      });
    });
  }
});

/** Sums a full-shape array back to `shape` (the gradient of a broadcast operand). */
function unbroadcast(full: NDArray, shape: readonly number[]): NDArray {
  const lead = full.shape.length - shape.length;
  const axes = full.shape.map((d, i) => i).filter((i) => i < lead || (shape[i - lead] === 1 && full.shape[i] !== 1));
  return nd.reshape(nd.sum(full, axes, true), shape);
}

const BINARY_DOMAIN: Partial<Record<S.BinaryName, [Domain, Domain]>> = {
  div: [ANY, { lo: -3, hi: 3, awayFromZero: 0.25 }],
  pow: [{ lo: 0.2, hi: 3 }, { lo: -2, hi: 2 }],
};

describe("elementwise binary ops with broadcasting (value and gradient)", () => {
  for (const name of S.BINARY_NAMES) {
    it(name, () => {
      const [da, db] = BINARY_DOMAIN[name] ?? [ANY, ANY];
      prop(fc.tuple(broadcastPair, seedArb, seedArb), ([p, sa, sb]) => {
        const a = values(p.a, sa, da), b = values(p.b, sb, db);
        check(`${name} ${JSON.stringify(p.a)} with ${JSON.stringify(p.b)}`, () => {
          const A = toTensor(a), B = toTensor(b);
          const want = nd.map2(a, b, S.BINARY[name]);
          const fwd = closeness((gt as any)[name](A, B), want, 1e-5, 1e-6);
          if (!fwd.ok) return fwd;
          if (name === "maximum" || name === "minimum") return fwd; // ties aside, covered by the ops suite
          const [ga, gb] = gt.grad((x: gt.Tensor, y: gt.Tensor) => (gt as any)[name](x, y))(A, B) as gt.Tensor[];
          const A2 = nd.broadcastTo(a, want.shape), B2 = nd.broadcastTo(b, want.shape);
          const partial = (k: 0 | 1) => nd.map2(A2, B2, (x, y) => dual.BINARY_JET[name](dual.variable(x, 0, 2), dual.variable(y, 1, 2)).g[k]);
          const r = closeness(ga, unbroadcast(partial(0), p.a), 1e-4, 1e-5, true);
          return r.ok ? closeness(gb, unbroadcast(partial(1), p.b), 1e-4, 1e-5, true) : r;
        });
      });
    });
  }
  for (const name of ["equal", "notEqual", "less", "lessEqual", "greater", "greaterEqual"] as const) {
    it(name, () => {
      prop(fc.tuple(broadcastPair, seedArb, seedArb, fc.boolean()), ([p, sa, sb, same]) => {
        // integers in [-2, 2], so that ties (where the comparisons differ) occur often
        const q = (s: number, sh: number[]) => nd.map(values(sh, s), (v) => Math.round(v * 0.7));
        const a = q(sa, p.a), b = same ? q(sa, p.b) : q(sb, p.b);
        check(`${name} ${JSON.stringify(p.a)} with ${JSON.stringify(p.b)}`, () =>
          closeness((gt as any)[name](toTensor(a), toTensor(b)), (nd as any)[name](a, b), 0, 0));
      });
    });
  }
  it("where", () => {
    prop(fc.tuple(broadcastPair, seedArb, seedArb, seedArb), ([p, sc, sa, sb]) => {
      const c = nd.map(values(p.out.slice(1), sc), (v) => (v > 0 ? 1 : 0)), a = values(p.a, sa), b = values(p.b, sb);
      check(`where ${JSON.stringify(p.out)}`, () => {
        const C = gt.tensor(Array.from(c.data), [...c.shape], "bool");
        return closeness(gt.where(C, toTensor(a), toTensor(b)), nd.where(c, a, b), 0, 0);
      });
    });
  });
});

/** A shape and a set of distinct axes of it (possibly none: undefined means all). */
const shapeAxes = shapeArb(1, 4).chain((shape) => fc.tuple(fc.constant(shape),
  fc.option(fc.uniqueArray(fc.integer({ min: -shape.length, max: shape.length - 1 }), { minLength: 1, maxLength: shape.length, selector: (a) => (a + shape.length) % shape.length }), { nil: undefined }),
  fc.boolean(), seedArb));

describe("reductions over random axes", () => {
  for (const name of ["sum", "mean", "max", "min"] as const) {
    it(name, () => {
      prop(shapeAxes, ([shape, axes, keep, seed]) => {
        const a = values(shape, seed);
        check(`${name} ${JSON.stringify(shape)} axes ${JSON.stringify(axes)} keepDims ${keep}`, () =>
          closeness((gt as any)[name](toTensor(a), axes, keep), (nd as any)[name](a, axes, keep), 1e-5, 1e-6, true));
      });
    });
  }
});

describe("matMul", () => {
  it("random sizes and transposes, with batch dimensions that broadcast", () => {
    const arb = fc.record({ m: fc.integer({ min: 1, max: 9 }), k: fc.integer({ min: 1, max: 40 }), n: fc.integer({ min: 1, max: 9 }),
      ta: fc.boolean(), tb: fc.boolean(), batch: fc.constantFrom<[number[], number[]]>([[], []], [[2], [2]], [[3], [1]], [[2, 1], [3]]), sa: seedArb, sb: seedArb });
    prop(arb, ({ m, k, n, ta, tb, batch, sa, sb }) => {
      const a = values([...batch[0], ...(ta ? [k, m] : [m, k])], sa), b = values([...batch[1], ...(tb ? [n, k] : [k, n])], sb);
      check(`matMul ${JSON.stringify(a.shape)}${ta ? "T" : ""} x ${JSON.stringify(b.shape)}${tb ? "T" : ""}`, () =>
        closeness(gt.matMul(toTensor(a), toTensor(b), ta, tb), nd.matmul(a, b, ta, tb), 1e-5, 1e-5, true));
    });
  });
});

describe("shape ops and views", () => {
  it("reshape, transpose, expandDims, squeeze, broadcastTo", () => {
    prop(fc.tuple(shapeArb(0, 4), seedArb, fc.nat()), ([shape, seed, pick]) => {
      const a = values(shape, seed);
      const r = shape.length;
      const perm = shape.map((_, i) => i).sort((i, j) => ((i * 7 + pick) % 5) - ((j * 7 + pick) % 5));
      const ax = r === 0 ? 0 : pick % (r + 1);
      check(`shape ops on ${JSON.stringify(shape)} (perm ${perm})`, () => {
        const x = toTensor(a);
        for (const [got, want] of [
          [gt.reshape(x, [...shape].reverse()), nd.reshape(a, [...shape].reverse())],
          [gt.transpose(x, perm), nd.transpose(a, perm)],
          [gt.expandDims(x, ax), nd.expandDims(a, ax)],
          [gt.squeeze(x), nd.squeeze(a)],
          [gt.broadcastTo(x, [2, ...shape]), nd.broadcastTo(a, [2, ...shape])],
        ] as [gt.Tensor, NDArray][]) { const c = closeness(got, want, 0, 0); if (!c.ok) return c; }
        return { ok: true, why: "" };
      });
    });
  });
  it("slice with random begin, size and stride", () => {
    const arb = shapeArb(1, 4).chain((shape) => fc.tuple(fc.constant(shape),
      fc.tuple(...shape.map((d) => fc.tuple(fc.integer({ min: 0, max: d - 1 }), fc.integer({ min: 1, max: 3 }), fc.boolean()))), seedArb));
    prop(arb, ([shape, spec, seed]) => {
      const a = values(shape, seed);
      const begin = spec.map((s) => s[0]), stride = spec.map((s) => s[1]);
      const size = spec.map((s, i) => (s[2] ? -1 : Math.max(0, Math.ceil((shape[i] - s[0]) / s[1]) - 1)));
      check(`slice ${JSON.stringify(shape)} begin ${begin} size ${size} stride ${stride}`, () =>
        closeness(gt.slice(toTensor(a), begin, size, stride), nd.slice(a, begin, size, stride), 0, 0));
    });
  });
  it("index with negative and positive indices", () => {
    const arb = shapeArb(1, 4).chain((shape) => fc.tuple(fc.constant(shape),
      fc.tuple(...shape.map((d) => fc.integer({ min: -d, max: d - 1 }))).chain((ix) => fc.tuple(fc.constant(ix), fc.integer({ min: 0, max: ix.length }))), seedArb));
    prop(arb, ([shape, [ix, n], seed]) => {
      const a = values(shape, seed);
      check(`index ${JSON.stringify(shape)} at ${ix.slice(0, n)}`, () => closeness(gt.index(toTensor(a), ...ix.slice(0, n)), nd.index(a, ...ix.slice(0, n)), 0, 0));
    });
  });
  it("concat and stack of 1 to 5 tensors along a random axis", () => {
    const arb = shapeArb(1, 4).chain((shape) => fc.tuple(fc.constant(shape), fc.integer({ min: 0, max: shape.length - 1 }),
      fc.array(fc.tuple(fc.integer({ min: 0, max: 4 }), seedArb), { minLength: 1, maxLength: 5 })));
    prop(arb, ([shape, axis, parts]) => {
      const arrays = parts.map(([d, s]) => values(shape.map((x, i) => (i === axis ? d : x)), s));
      const same = parts.map(([, s]) => values(shape, s));
      check(`concat ${arrays.map((x) => JSON.stringify(x.shape))} axis ${axis}`, () => {
        const c = closeness(gt.concat(arrays.map(toTensor), axis), nd.concat(arrays, axis), 0, 0);
        return c.ok ? closeness(gt.stack(same.map(toTensor), axis), nd.stack(same, axis), 0, 0) : c;
      });
    });
  });
  it("gather with repeated indices along a random axis", () => {
    const arb = shapeArb(1, 3).chain((shape) => fc.integer({ min: 0, max: shape.length - 1 }).chain((axis) => fc.tuple(fc.constant(shape),
      fc.constant(axis), fc.array(fc.integer({ min: 0, max: shape[axis] - 1 }), { maxLength: 7 }), seedArb)));
    prop(arb, ([shape, axis, idx, seed]) => {
      const a = values(shape, seed);
      check(`gather ${JSON.stringify(shape)} ${JSON.stringify(idx)} axis ${axis}`, () => closeness(gt.gather(toTensor(a), idx, axis), nd.gather(a, idx, axis), 0, 0));
    });
  });
  it("pad with random paddings and value", () => {
    const arb = shapeArb(0, 4).chain((shape) => fc.tuple(fc.constant(shape),
      fc.tuple(...shape.map(() => fc.tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 2 })))), fc.integer({ min: -3, max: 3 }), seedArb));
    prop(arb, ([shape, paddings, v, seed]) => {
      const a = values(shape, seed);
      check(`pad ${JSON.stringify(shape)} ${JSON.stringify(paddings)}`, () => closeness(gt.pad(toTensor(a), paddings as [number, number][], v), nd.pad(a, paddings, v), 0, 0));
    });
  });
});

describe("dtypes: values are converted by the documented rules (check.ts)", () => {
  it("float32 rounds to nearest, int32 stores integers up to 2^24 exactly, bool stores 0/1 (nonzero is true)", () => {
    const arb = fc.tuple(shapeArb(0, 3), fc.constantFrom("float32", "int32", "bool"), seedArb);
    prop(arb, ([shape, dtype, seed]) => {
      const n = shape.reduce((a, b) => a * b, 1);
      const raw = values(shape, seed, { lo: -1, hi: 1 }).data;
      // int32: integers spread over the whole exact range; bool: integers in [-2, 2] (0, 1 and others)
      const v = Array.from(raw, (x) => (dtype === "int32" ? Math.round(x * 2 ** 24) : dtype === "bool" ? Math.round(x * 2) : x * 1e3 + 1 / 3));
      const want = v.map((x) => (dtype === "bool" ? (x !== 0 ? 1 : 0) : Math.fround(x)));
      check(`${dtype} ${JSON.stringify(shape)}`, () => {
        const t = gt.tensor(v, shape, dtype);
        const d = Array.from(t.data());
        const bad = d.findIndex((x, i) => x !== want[i]);
        return t.dtype === dtype && d.length === n && bad < 0 ? { ok: true, why: "" } : { ok: false, why: `element ${bad}: ${v[bad]} stored as ${d[bad]}, want ${want[bad]}` };
      });
    });
  });
});

afterAll(() => { console.log(`op properties: ${props} properties x ${N} runs = ${cases} cases checked against the float64 reference`); });
