// Property: every public function given a random invalid argument (in one position, the others valid) throws a
// GradtapeError subclass whose message names the function, allocates nothing (memory() is unchanged: tensors and
// bytes), and leaves the library usable (an op afterwards gives the right answer). The invalid values are made
// for the kind of the position: wrong types, fractions, NaN, infinities, strings of digits, integers just past
// 2^31 and 2^32 (which used to wrap), negative sizes, repeated axes, float64, disposed tensors.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import fc from "fast-check";
import * as gt from "gradtape";
import { runs } from "./arbitraries.js";

const N = 40;
let cases = 0;
beforeAll(async () => { await gt.ready(); });

const DISPOSED = Symbol("a disposed tensor");
const junk = fc.constantFrom<unknown>(null, {}, [], "x", "3", true, () => 1, Symbol.for("s"));
const badInt = fc.oneof(junk, fc.constantFrom(NaN, Infinity, -Infinity, 2 ** 32, 2 ** 32 + 1, 2 ** 31, -(2 ** 31) - 1, 2 ** 53),
  fc.double({ min: -1e6, max: 1e6, noNaN: true }).filter((v) => !Number.isInteger(v)));
const badSize = fc.oneof(badInt, fc.integer({ min: -1000, max: -1 }));
const badShape = fc.oneof(junk.filter((v) => !Array.isArray(v)), fc.array(badSize, { minLength: 1, maxLength: 3 }),
  fc.constantFrom<unknown>([2 ** 31, 2], [65536, 65536], "6", [1, "2"]));
const badTensor = fc.oneof(junk, fc.constant(DISPOSED), fc.constant(undefined), fc.double());
const badTensorLike = fc.oneof(junk, fc.constant(DISPOSED), fc.constant(undefined));
const badBool = fc.constantFrom<unknown>(0, 1, "true", null, {}, []);
const badFn = fc.oneof(junk.filter((v) => typeof v !== "function"), fc.constant(undefined), fc.integer());
const badDType = fc.constantFrom<unknown>("float16", "int64", "Float64", "", 5, null, {});
const badNum = fc.oneof(junk.filter((v) => typeof v !== "number"));
const badFinite = fc.oneof(badNum, fc.constantFrom(NaN, Infinity, -Infinity));
const badSeed = fc.oneof(junk, fc.constantFrom(NaN, -1, 0.5, 2 ** 32, 2 ** 53, -(2 ** 31)));

type Slot = { bad: fc.Arbitrary<unknown> };
/** `names`: what the message must name, when not the function (the safetensors decoder names the format) */
interface Spec { name: string; call: (args: unknown[]) => unknown; good: () => unknown[]; slots: Slot[]; names?: RegExp }

let x: gt.Tensor, y: gt.Tensor, m: gt.Tensor;
const S = (bad: fc.Arbitrary<unknown>): Slot => ({ bad });
const f = (g: any, name: string) => (a: unknown[]) => g[name](...a);

const unary = ["neg", "abs", "exp", "log", "sqrt", "square", "reciprocal", "sin", "cos", "tanh", "sigmoid", "relu", "softplus", "sign", "atan", "erf"];
const binary = ["add", "sub", "mul", "div", "pow", "maximum", "minimum", "equal", "notEqual", "less", "lessEqual", "greater", "greaterEqual"];
const SPECS: Spec[] = [
  ...unary.map((n) => ({ name: n, call: f(gt, n), good: () => [x], slots: [S(badTensor)] })),
  ...binary.map((n) => ({ name: n, call: f(gt, n), good: () => [x, y], slots: [S(badTensorLike), S(badTensorLike)] })),
  { name: "affine", call: f(gt, "affine"), good: () => [x, 2, 1], slots: [S(badTensor), S(badNum), S(badNum)] },
  { name: "where", call: f(gt, "where"), good: () => [m, x, y], slots: [S(badTensor), S(badTensorLike), S(badTensorLike)] },
  { name: "matMul", call: f(gt, "matMul"), good: () => [x, y, false, true], slots: [S(badTensor), S(badTensor), S(badBool), S(badBool)] },
  ...["sum", "mean", "max", "min"].map((n) => ({ name: n, call: f(gt, n), good: () => [x, 1, false],
    slots: [S(badTensor), S(fc.oneof(badInt, fc.constantFrom(2, -3, [0, 0], [1, -1], [0, 2]))), S(badBool)] })),
  { name: "reshape", call: f(gt, "reshape"), good: () => [x, [3, 2]], slots: [S(badTensor), S(fc.oneof(badShape, fc.constantFrom([4, 2], [-1, -1], [7])))] },
  { name: "transpose", call: f(gt, "transpose"), good: () => [x, [1, 0]], slots: [S(badTensor), S(fc.oneof(badShape, fc.constantFrom([0, 0], [0], [0, 1, 2], "ab")))] },
  { name: "expandDims", call: f(gt, "expandDims"), good: () => [x, 1], slots: [S(badTensor), S(fc.oneof(badInt, fc.constantFrom(3, -4)))] },
  { name: "squeeze", call: f(gt, "squeeze"), good: () => [gt.reshape(x, [1, 2, 3]), 0], slots: [S(badTensor), S(fc.oneof(badInt, fc.constantFrom(1, 3, [0, 0])))] },
  { name: "broadcastTo", call: f(gt, "broadcastTo"), good: () => [x, [4, 2, 3]], slots: [S(badTensor), S(fc.oneof(badShape, fc.constantFrom([3, 3], [2])))] },
  { name: "slice", call: f(gt, "slice"), good: () => [x, [0, 1], [1, 2], [1, 1]],
    slots: [S(badTensor), S(fc.oneof(badInt, fc.constantFrom([2 ** 32, 0], [0, 0, 0], [5, 0]))), S(fc.oneof(badInt, fc.constantFrom([3, 1], [-2, 1]))), S(fc.oneof(badInt, fc.constantFrom([0, 1])))] },
  { name: "index", call: (a) => gt.index(a[0] as gt.Tensor, ...(a.slice(1) as number[])), good: () => [x, 1, 0], slots: [S(badTensor), S(fc.oneof(badInt, fc.constantFrom(2, -3))), S(fc.oneof(badInt, fc.constantFrom(3, -4)))] },
  { name: "gather", call: f(gt, "gather"), good: () => [x, [1, 0, 1], 1],
    slots: [S(badTensor), S(fc.oneof(fc.constantFrom<unknown>([2 ** 32], [0.5], ["1"], null, 3, [2 ** 24 + 1]), fc.constant(DISPOSED))), S(fc.oneof(badInt, fc.constantFrom(2, -3)))] },
  { name: "pad", call: f(gt, "pad"), good: () => [x, [[0, 1], [1, 0]], 0],
    slots: [S(badTensor), S(fc.oneof(junk, fc.constantFrom<unknown>([[2 ** 32, 0], [0, 0]], [[-1, 0], [0, 0]], [[0, 0]], [[0.5, 0], [0, 0]], [[0, 0, 0], [0, 0]]))), S(badNum)] },
  { name: "concat", call: f(gt, "concat"), good: () => [[x, x], 1],
    slots: [S(fc.oneof(junk, fc.constantFrom<unknown>([5], [null], "ab", Array.from({ length: 1100 }, () => 0)))), S(fc.oneof(badInt, fc.constantFrom(2, -3)))] },
  { name: "stack", call: f(gt, "stack"), good: () => [[x, x], 0], slots: [S(fc.oneof(junk, fc.constantFrom<unknown>([5], [null], "ab"))), S(fc.oneof(badInt, fc.constantFrom(3, -4)))] },
  ...["zeros", "ones"].map((n) => ({ name: n, call: f(gt, n), good: () => [[2, 3], "float32"], slots: [S(badShape), S(badDType)] })),
  { name: "fill", call: f(gt, "fill"), good: () => [[2, 3], 1.5, "float32"], slots: [S(badShape), S(badNum), S(badDType)] },
  ...["zerosLike", "onesLike"].map((n) => ({ name: n, call: f(gt, n), good: () => [x], slots: [S(badTensor)] })),
  { name: "eye", call: f(gt, "eye"), good: () => [3, 2, "float64"], slots: [S(badSize), S(badSize), S(badDType)] },
  { name: "cast", call: f(gt, "cast"), good: () => [x, "float64"], slots: [S(badTensor), S(badDType)] },
  { name: "range", call: f(gt, "range"), good: () => [0, 5, 1, "float32"], slots: [S(badFinite), S(badFinite), S(fc.oneof(badFinite, fc.constant(0))), S(badDType)] },
  { name: "linspace", call: f(gt, "linspace"), good: () => [0, 1, 5, "float64"], slots: [S(badFinite), S(badFinite), S(badSize), S(badDType)] },
  { name: "tensor", call: f(gt, "tensor"), good: () => [[1, 2, 3], [3], "float32"],
    slots: [S(fc.constantFrom<unknown>(null, "abc", [[1], [1, 2]], [1, "2"], {}, undefined)), S(fc.oneof(badShape, fc.constantFrom([4], [2, 2]))), S(badDType)] },
  { name: "tensor (int32 values)", call: f(gt, "tensor"), good: () => [[1, 2], [2], "int32"], slots: [S(fc.constantFrom<unknown>([16777217, 0], [0.5, 1], [2 ** 32, 0]))] },
  { name: "scalar", call: f(gt, "scalar"), good: () => [1, "float32"], slots: [S(fc.constantFrom<unknown>("1", null, {}, [1, 2])), S(badDType)] },
  { name: "variable", call: f(gt, "variable"), good: () => [[1, 2]], slots: [S(fc.oneof(fc.constantFrom<unknown>(null, "abc", [[1], [1, 2]], [true]), fc.constant(DISPOSED)))] },
  { name: "tidy", call: f(gt, "tidy"), good: () => [() => 1], slots: [S(badFn)] },
  ...["grad", "valueAndGrad", "hessian"].map((n) => ({ name: n, call: f(gt, n), good: () => [(t: gt.Tensor) => t], slots: [S(badFn)] })),
  { name: "vjp", call: f(gt, "vjp"), good: () => [(t: gt.Tensor) => t, [x], x], slots: [S(badFn), S(fc.constantFrom<unknown>(5, [5], null, "x")), S(badTensor)] },
  { name: "jvp", call: f(gt, "jvp"), good: () => [(t: gt.Tensor) => t, [x], [x]], slots: [S(badFn), S(fc.constantFrom<unknown>(5, [5], null)), S(fc.constantFrom<unknown>(5, [5], null, [x, x]))] },
  { name: "GradientTape", call: (a) => new gt.GradientTape(a[0] as never).dispose(), good: () => [{}], slots: [S(fc.constantFrom<unknown>(5, "p", { persistent: 1 }, { watchAccessedVariables: "no" }))] },
  { name: "record", call: (a) => { const t = new gt.GradientTape(); try { return t.record(a[0] as never); } finally { t.dispose(); } }, good: () => [() => 1], slots: [S(badFn)] },
  { name: "watch", call: (a) => { const t = new gt.GradientTape(); try { return t.watch(a[0] as never); } finally { t.dispose(); } }, good: () => [x], slots: [S(fc.oneof(junk.filter((v) => typeof v !== "object" || v === null), fc.constant(DISPOSED), fc.constant(5)))] },
  ...["jacobian", "batchJacobian"].map((n) => ({ name: n, call: (a: unknown[]) => { const t = new gt.GradientTape(); try { return (t as any)[n](...a); } finally { t.dispose(); } },
    good: () => [x, x, {}], slots: [S(badTensor), S(badTensor), S(fc.constantFrom<unknown>(null, 5, "zero", { unconnected: "maybe" }, { unconnected: 1 }))] })),
  { name: "gradient", call: (a) => { const t = new gt.GradientTape(); try { return t.gradient(a[0] as never, a[1] as never, a[2] as never); } finally { t.dispose(); } },
    good: () => [x, x, {}], slots: [S(badTensor), S(fc.constantFrom<unknown>(5, null, "x", [5])), S(fc.constantFrom<unknown>(5, "none", { unconnected: "maybe" }, { outputGradients: 5 }))] },
  ...["randomUniform", "randomNormal", "truncatedNormal"].map((n) => ({ name: n, call: f(gt, n), good: () => [[2, 2], 0, 1, 3],
    slots: [S(badShape), S(badFinite), S(badFinite), S(badSeed)] })),
  { name: "Generator", call: (a) => new gt.Generator(a[0] as number), good: () => [1], slots: [S(badSeed)] },
  { name: "setMemoryLimit", call: f(gt, "setMemoryLimit"), good: () => [Infinity], slots: [S(fc.constantFrom<unknown>(-1, NaN, "1e9", null, {}))] },
  // weights I/O: hostile inputs and limits
  { name: "parseWeightsJSON", call: (a) => gt.io.parseWeightsJSON(a[0] as never, "parseWeightsJSON", a[1] as never), good: () => [WEIGHTS, {}],
    slots: [S(fc.constantFrom<unknown>(null, 5, "{", "[]", '{"weights":{"layers":[{"kernel":[[1e999]],"activation":"linear"}]}}', "[".repeat(200000) + "]".repeat(200000), new Uint8Array([0xff, 0xfe]))),
      S(fc.constantFrom<unknown>({ maxBytes: 3 }, { maxDepth: 2 }, { maxBytes: -1 }, { maxDepth: 0.5 }))] },
  { name: "modelFromWeightsJSON", call: (a) => gt.io.modelFromWeightsJSON(a[0] as never), good: () => [WEIGHTS],
    slots: [S(fc.constantFrom<unknown>(null, "x", '{"weights":{"layers":[]}}', '{"weights":{"layers":[{"kernel":[[1]],"activation":"swish"}]}}'))] },
  { name: "decodeSafetensors", names: /^(decodeSafetensors|safetensors): /, call: (a) => gt.io.decodeSafetensors(a[0] as never, a[1] as never), good: () => [gt.io.encodeSafetensors({ a: { shape: [1], data: [1] } }), {}],
    slots: [S(fc.oneof(fc.constantFrom<unknown>(null, "x", 5), fc.uint8Array({ maxLength: 64 }))), S(fc.constantFrom<unknown>({ maxBytes: 4 }, { maxBytes: -1 }))] },
  { name: "Dense", call: (a) => new gt.nn.Dense(a[0] as never), good: () => [{ units: 2 }], slots: [S(fc.constantFrom<unknown>({ units: 0 }, { units: 2.5 }, { units: "2" }, { units: 2, activation: "swish" }, { units: 2, inputShape: [-1] }))] },
  { name: "Adam", call: (a) => new gt.optim.Adam(a[0] as never), good: () => [{ learningRate: 0.1 }], slots: [S(fc.constantFrom<unknown>({ learningRate: -1 }, { learningRate: "0.1" }, { learningRate: NaN }))] },
];
const WEIGHTS = '{"weights":{"layers":[{"kernel":[[1,2]],"bias":[0,0],"activation":"tanh"}]}}';

function materialise(v: unknown): unknown {
  if (v !== DISPOSED) return v;
  const t = gt.tensor([[1, 2, 3], [4, 5, 6]]);
  t.dispose();
  return t;
}

describe("every public function refuses invalid arguments with a named error and no side effects", () => {
  beforeAll(() => {
    x = gt.keep(gt.tensor([[1, 2, 3], [4, 5, 6]]));
    y = gt.keep(gt.tensor([[0.5, -1, 2], [1, 1, 1]]));
    m = gt.keep(gt.tensor([[1, 0, 1], [0, 1, 0]], [2, 3], "bool"));
  });
  afterAll(() => { x.dispose(); y.dispose(); m.dispose(); });

  for (const spec of SPECS) {
    it(spec.name, () => {
      const arb = fc.integer({ min: 0, max: spec.slots.length - 1 }).chain((i) => fc.tuple(fc.constant(i), spec.slots[i].bad));
      fc.assert(fc.property(arb, ([i, bad]) => {
        const args = spec.good();
        const made = args.filter((a) => a instanceof gt.Tensor && a !== x && a !== y && a !== m) as gt.Tensor[];
        args[i] = materialise(bad);
        const before = gt.memory();
        let err: unknown = null;
        try { const r = spec.call(args); gt.dispose(r); } catch (e) { err = e; }
        cases++;
        const label = `${spec.name} with argument ${i} = ${fc.stringify(bad)}`;
        expect(err, `${label}: no error`).not.toBe(null);
        expect(err, `${label}: ${String(err)}`).toBeInstanceOf(gt.GradtapeError);
        expect((err as Error).message, label).toMatch(spec.names ?? new RegExp(`\\b${spec.name.split(" ")[0]}\\b`));
        const after = gt.memory();
        expect([after.tensors, after.bytes], `${label}: memory changed`).toEqual([before.tensors, before.bytes]);
        for (const t of made) t.dispose();
        const z = gt.add(x, 1);
        expect(Array.from(z.data())).toEqual([2, 3, 4, 5, 6, 7]);
        z.dispose();
      }), runs(N));
    });
  }
  afterAll(() => { console.log(`invalid-argument properties: ${SPECS.length} functions, ${cases} invalid calls`); });
});
