// Fusion of elementwise chains in jit programs (core fusion.ts): per fused pattern, the fused program must give the
// bits of the same program unfused (gt.jit(fn, { fuse: false })) and of the eager function, and agree with a float64
// reference within the dtype's rounding. Every case runs in float32 (f32x4 chains) and in float64 (f64x2 chains).
// Each case also checks that the pattern was fused (the step names of Jitted.profile()), so a pass that silently
// stops fusing fails here instead of only in the benchmarks. Sizes are chosen to end in a partial block (256
// elements) and a scalar tail (odd sizes: a tail in both lane counts); broadcast rows of periods that divide the
// block, that do not, and that are longer than it (each block reads its row at its own phase: ops/chain.ts).
import { describe, it, expect, beforeAll } from "vitest";
import * as gt from "gradtape";
import { expectClose, expectNoLeak, vals, type Tensor } from "./helpers/check.js";

beforeAll(async () => { await gt.ready(); });

/** A reproducible float32 array in [lo, hi). */
function uniform(n: number, lo: number, hi: number, seed: number): number[] {
  let a = seed >>> 0;
  return Array.from({ length: n }, () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.fround(lo + (hi - lo) * (((t ^ (t >>> 14)) >>> 0) / 4294967296));
  });
}

/** The fused steps of jitted's program for args (e.g. "Fused(Add+Tanh)"), from a profiled call. */
function fusedSteps(jitted: gt.Jitted<Tensor[], unknown>, args: Tensor[]): string[] {
  return jitted.profile(...args).map((s) => s.op).filter((op) => op.startsWith("Fused("));
}

/** Per dtype, the instruction kinds the fused programs of this file ran (checked to cover every kind at the end). */
const kindsRun = new Map<string, Set<string>>();

/** fn's value and the gradient of its sum with respect to its first argument, under a tape (watching that argument). */
function underTape(fn: (...xs: Tensor[]) => Tensor, args: Tensor[]): number[][] {
  return gt.tidy(() => {
    const tape = new gt.GradientTape();
    try {
      let y!: Tensor;
      const total = tape.record(() => { tape.watch(args[0]); y = fn(...args); return y.sum(); });
      return [vals(y), vals(tape.gradient(total, args[0]) as Tensor)];
    } finally { tape.dispose(); }
  });
}

/**
 * fn's result under jit (fused), under jit without fusion and eagerly: the same bits (tracing call and two replays),
 * and under a tape (the chain then runs op by op) the same value and gradient bits as fn under a tape; the fused
 * program has a step named `pattern` running the instruction kinds `kinds`; returns the values for the reference
 * check.
 */
function checkPattern(label: string, fn: (...xs: Tensor[]) => Tensor, args: Tensor[], pattern: string, kinds: string[]): number[] {
  return expectNoLeak(label, () => {
    const fused = gt.jit(fn), plain = gt.jit(fn, { fuse: false });
    const eager = gt.tidy(() => vals(fn(...args)));
    for (let call = 0; call < 3; call++) {
      expect(gt.tidy(() => vals(fused(...args))), `${label}: fused call ${call} vs eager bits`).toEqual(eager);
      expect(gt.tidy(() => vals(plain(...args))), `${label}: unfused call ${call} vs eager bits`).toEqual(eager);
    }
    expect(underTape(fused, args), `${label}: a tape around a fused replay vs around eager code`).toEqual(underTape(fn, args));
    const prof = fused.profile(...args).filter((s) => s.op.startsWith("Fused("));
    expect(prof.map((s) => s.op), `${label}: fused steps`).toContain(pattern);
    expect(prof.find((s) => s.op === pattern)!.kinds, `${label}: the instructions of ${pattern}`).toEqual(kinds);
    const dt = args[0].dtype;
    if (!kindsRun.has(dt)) kindsRun.set(dt, new Set());
    for (const s of prof) for (const k of s.kinds ?? []) kindsRun.get(dt)!.add(k);
    expect(fusedSteps(plain as gt.Jitted<Tensor[], unknown>, args), `${label}: { fuse: false } fuses nothing`).toEqual([]);
    fused.dispose(); plain.dispose();
    return eager;
  });
}

const DTYPES = ["float32", "float64"] as const;
type Dt = (typeof DTYPES)[number];
/** The reference tolerance of a case in dtype dt: float32's given (a few float32 roundings), or float64's. */
const tol = (dt: Dt, f32: { rtol: number; atol: number }) => dt === "float32" ? f32 : { rtol: 1e-13, atol: 1e-14 };
/** A constant as the dtype holds it (float32 programs multiply by the float32 rounding of a number). */
const held = (dt: Dt, v: number) => dt === "float32" ? Math.fround(v) : v;

for (const dt of DTYPES) {
const T = (v: number[], shape?: number[]) => gt.tensor(v, shape, dt);

describe(`jit fusion (${dt}): each fused pattern equals the unfused program bit for bit and the float64 reference`, () => {
  it("bias add + tanh (a [w] row broadcast over [n, w]; periods 20, 5, 37 and 300, longer than a block)", () => {
    for (const [n, w] of [[1003, 20], [1003, 5], [3, 5], [211, 37], [101, 300]]) {
      const a = uniform(n * w, -3, 3, 1 + w), b = uniform(w, -1, 1, 2 + w);
      const A = T(a, [n, w]), B = T(b, [w]);
      const got = checkPattern(`add+tanh [${n}, ${w}]`, (x) => x.add(B).tanh(), [A], "Fused(Add+Tanh)", ["AddTanh"]);
      expectClose(`add+tanh [${n}, ${w}] vs float64`, got, a.map((v, i) => Math.tanh(v + b[i % w])), tol(dt, { rtol: 2e-6, atol: 1e-7 }));
      gt.dispose([A, B]);
    }
  });

  it("bias add + sigmoid", () => {
    const n = 1001, w = 28;
    const a = uniform(n * w, -6, 6, 3), b = uniform(w, -1, 1, 4);
    const A = T(a, [n, w]), B = T(b, [1, w]);
    const got = checkPattern("add+sigmoid", (x) => x.add(B).sigmoid(), [A], "Fused(Add+Sigmoid)", ["AddSigmoid"]);
    expectClose("add+sigmoid vs float64", got, a.map((v, i) => 1 / (1 + Math.exp(-(v + b[i % w])))), tol(dt, { rtol: 2e-6, atol: 1e-7 }));
    gt.dispose([A, B]);
  });

  it("tanh and sigmoid of an input (no add before them), times a broadcast row", () => {
    const n = 333, w = 7;
    const a = uniform(n * w, -8, 8, 17), b = uniform(w, -2, 2, 18);
    const A = T(a, [n, w]), B = T(b, [w]);
    for (const act of ["tanh", "sigmoid"] as const) {
      const f = act === "tanh" ? Math.tanh : (v: number) => 1 / (1 + Math.exp(-v));
      const got = checkPattern(`${act} * row`, (x) => x[act]().mul(B).sub(B), [A], act === "tanh" ? "Fused(Tanh+Mul+Sub)" : "Fused(Sigmoid+Mul+Sub)",
        [act === "tanh" ? "Tanh" : "Sigmoid", "Mul", "Sub"]);
      expectClose(`${act} * row vs float64`, got, a.map((v, i) => f(v) * b[i % w] - b[i % w]), tol(dt, { rtol: 2e-6, atol: 1e-6 }));
    }
    gt.dispose([A, B]);
  });

  it("arithmetic: sub, div, neg, square, mul by a number (affine), add", () => {
    const n = 2051;
    const a = uniform(n, -2, 2, 5), b = uniform(n, -2, 2, 6), c = uniform(n, 0.5, 2, 7);
    const [A, B, C] = [a, b, c].map((v) => T(v));
    const fn = (x: Tensor, y: Tensor, z: Tensor) => gt.neg(x.sub(y).div(z)).square().mul(0.75).add(x);
    const got = checkPattern("arithmetic", fn, [A, B, C], "Fused(Sub+Div+Neg+Square+Affine+Add)", ["Sub", "Div", "Neg", "Square", "Affine", "Add"]);
    expectClose("arithmetic vs float64", got, a.map((x, i) => 0.75 * ((x - b[i]) / c[i]) ** 2 + x), tol(dt, { rtol: 1e-6, atol: 1e-6 }));
    gt.dispose([A, B, C]);
  });

  it("broadcast rows and a scalar in sub, mul and div; affine constants as the dtype holds them", () => {
    const n = 201, w = 3;
    const a = uniform(n * w, -2, 2, 19), r = uniform(w, 0.5, 2, 20), s = uniform(1, 0.5, 2, 21);
    const A = T(a, [n, w]), R = T(r, [1, w]), S = T(s, []);
    const fn = (x: Tensor) => R.sub(x).mul(R).div(S).mul(0.1).add(0.3).div(R);
    const got = checkPattern("rows", fn, [A], "Fused(Sub+Mul+Div+Affine+Affine+Div)", ["Sub", "Mul", "Div", "Affine", "Affine", "Div"]);
    const want = a.map((v, i) => ((r[i % w] - v) * r[i % w] / s[0] * held(dt, 0.1) + held(dt, 0.3)) / r[i % w]);
    expectClose("rows vs float64", got, want, tol(dt, { rtol: 2e-6, atol: 1e-6 }));
    gt.dispose([A, R, S]);
  });

  it("tanh's first and second derivatives (tanhGrad, mulMul, and the adds of the sweep)", () => {
    const n = 1037;
    const x = uniform(n, -3, 3, 8);
    const X = T(x);
    // d2/dx2 tanh(x) * x + x^2: the backward rules' tanhGrad and mulMul with their adds
    const second = (z: Tensor) => {
      const d2 = gt.grad((v: Tensor) => (gt.grad((u: Tensor) => u.tanh().sum())(v) as Tensor).sum())(z) as Tensor;
      return d2.mul(z).add(z.square());
    };
    const got = checkPattern("tanh''", second, [X], "Fused(MulMul+TanhGrad+Mul+Square+Add)", ["MulMul", "TanhGrad", "Mul", "Square", "Add"]);
    const want = x.map((v) => { const t = Math.tanh(v); return -2 * t * (1 - t * t) * v + v * v; });
    expectClose("tanh'' vs float64", got, want, tol(dt, { rtol: 1e-5, atol: 2e-6 }));
    X.dispose();
  });

  it("sigmoid's derivatives (sigmoidGrad, affine, mulMul)", () => {
    const n = 517;
    const x = uniform(n, -5, 5, 9);
    const X = T(x);
    const second = (z: Tensor) => gt.grad((v: Tensor) => (gt.grad((u: Tensor) => u.sigmoid().sum())(v) as Tensor).mul(v).sum())(z) as Tensor;
    const got = checkPattern("sigmoid", second, [X], "Fused(SigmoidGrad+Mul+Mul+Affine+MulMul+SigmoidGrad+Add)",
      ["SigmoidGrad", "Mul", "Mul", "Affine", "MulMul", "SigmoidGrad", "Add"]);
    // d/dx (x s'(x)) = s'(x) + x s''(x)
    const want = x.map((v) => { const s = 1 / (1 + Math.exp(-v)), d1 = s * (1 - s); return d1 + v * d1 * (1 - 2 * s); });
    expectClose("sigmoid vs float64", got, want, tol(dt, { rtol: 1e-5, atol: 2e-6 }));
    X.dispose();
  });

  it("a sum of cotangents into tanhGrad and sigmoidGrad (the add paired with the derivative in one instruction)", () => {
    const n = 1030;
    const x = uniform(n, -4, 4, 14), a = uniform(n, -1, 1, 15), b = uniform(n, -1, 1, 16);
    const [X, A, B] = [x, a, b].map((v) => T(v));
    for (const act of ["tanh", "sigmoid"] as const) {
      // d/dx sum(s(x) a + s(x) b) = s'(x) (a + b): the two paths' cotangents are added, then go through s'
      const fn = (z: Tensor, p: Tensor, q: Tensor) => gt.grad((v: Tensor) => { const u = v[act](); return u.mul(p).add(u.mul(q)).sum(); })(z) as Tensor;
      const got = checkPattern(`${act}Grad of a sum`, fn, [X, A, B], act === "tanh" ? "Fused(Tanh+Mul+Mul+Add+TanhGrad)" : "Fused(Sigmoid+Mul+Mul+Add+SigmoidGrad)",
        act === "tanh" ? ["Tanh", "Mul", "Mul", "AddTanhGrad"] : ["Sigmoid", "Mul", "Mul", "AddSigmoidGrad"]);
      const d1 = (v: number) => { if (act === "tanh") { const t = Math.tanh(v); return 1 - t * t; } const s = 1 / (1 + Math.exp(-v)); return s * (1 - s); };
      expectClose(`${act}Grad of a sum vs float64`, got, x.map((v, i) => d1(v) * (a[i] + b[i])), tol(dt, { rtol: 1e-5, atol: 1e-6 }));
    }
    gt.dispose([X, A, B]);
  });

  it("mulMul + add and mulMul + tanhGrad + add as one instruction, with the add's operands in either order", () => {
    const n = 1001;
    const x = uniform(n, -3, 3, 22), p = uniform(n, -1, 1, 23), q = uniform(n, -1, 1, 24);
    const [X, P, Q] = [x, p, q].map((v) => T(v));
    // F(v) = sum(p tanh'(v)) + sum(q phi(h)), h = tanh(v) and tanh'(v) = tanhGrad(1, h) from one inner tape (one h), phi
    // = identity or tanh. dF/dv sums the cotangents of h: mulMul (tanhGrad's d/dy) plus q (or tanhGrad(q, phi(h)));
    // the order of that add follows the order the tape recorded the two uses of h (phi's before or after tanh').
    for (const [early, act] of [[true, false], [false, false], [true, true], [false, true]] as const) {
      const fn = (z: Tensor, pp: Tensor, qq: Tensor) => gt.grad((v: Tensor) => {
        const t = new gt.GradientTape({ watchAccessedVariables: false });
        let h!: Tensor, b!: Tensor;
        try {
          const s = t.record(() => { t.watch(v); h = v.tanh(); return h.sum(); });
          if (early) b = (act ? h.tanh() : h).mul(qq).sum();
          const d = t.gradient(s, v) as Tensor;
          if (!early) b = (act ? h.tanh() : h).mul(qq).sum();
          return d.mul(pp).sum().add(b);
        } finally { t.dispose(); }
      })(z) as Tensor;
      const side = early ? "L" : "R", label = `mulMul + ${act ? "tanhGrad + " : ""}add (${side})`;
      const got = act
        ? checkPattern(label, fn, [X, P, Q], early ? "Fused(Tanh+Mul+MulMul+Mul+TanhGrad+Add+TanhGrad)" : "Fused(Tanh+Mul+Mul+TanhGrad+MulMul+Add+TanhGrad)",
          ["Tanh", "Mul", "Mul", `MulMulAddTanhGrad${side}`, "TanhGrad"])
        : checkPattern(label, fn, [X, P, Q], early ? "Fused(Mul+MulMul+Mul+Add+TanhGrad)" : "Fused(Mul+Mul+MulMul+Add+TanhGrad)",
          ["Mul", "Mul", `MulMulAdd${side}`, "TanhGrad"]);
      // dF/dv = p tanh''(v) + q phi'(h) tanh'(v), tanh'' = -2 t (1 - t^2)
      const want = x.map((v, i) => {
        const t = Math.tanh(v), d1 = 1 - t * t, ph = act ? 1 - Math.tanh(t) ** 2 : 1;
        return p[i] * -2 * t * d1 + q[i] * ph * d1;
      });
      expectClose(`${label} vs float64`, got, want, tol(dt, { rtol: 1e-5, atol: 2e-6 }));
    }
    gt.dispose([X, P, Q]);
  });

  it("Burgers' residual and loss arithmetic on column views (u_t + u u_x - nu u_xx, squared): non-contiguous inputs", () => {
    const n = 999, nu = 0.01 / Math.PI;
    const u = uniform(n, -1, 1, 10), g = uniform(2 * n, -2, 2, 11), h = uniform(2 * n, -5, 5, 12);
    const U = T(u, [n, 1]), G = T(g, [n, 2]), H = T(h, [n, 2]);
    const fn = (uu: Tensor, gg: Tensor, hh: Tensor) => {
      const ux = gg.slice([0, 0], [-1, 1]), ut = gg.slice([0, 1], [-1, 1]), uxx = hh.slice([0, 0], [-1, 1]);
      return ut.add(uu.mul(ux)).sub(uxx.mul(nu)).square();
    };
    const got = checkPattern("residual", fn, [U, G, H], "Fused(Mul+Add+Affine+Sub+Square)", ["Mul", "Add", "Affine", "Sub", "Square"]);
    const want = u.map((v, i) => (g[2 * i + 1] + v * g[2 * i] - held(dt, nu) * h[2 * i]) ** 2);
    expectClose("residual vs float64", got, want, tol(dt, { rtol: 1e-5, atol: 1e-6 }));
    gt.dispose([U, G, H]);
  });
});

describe(`jit fusion in a PINN step (${dt})`, () => {
  it("a tanh network's Burgers loss and weight gradient: fused = unfused bits, chains formed, memory flat", () => {
    const sizes = [2, 20, 20, 20, 1];
    const init = (shape: number[], r: number, seed: number) => gt.tidy(() => gt.randomUniform(shape, -r, r, seed).cast(dt));
    const vars = sizes.slice(1).flatMap((n, i) => [gt.variable(init([sizes[i], n], 0.6, 31 + i)), gt.variable(init([n], 0.1, 41 + i))]);
    const net = (X: Tensor) => {
      let h = X;
      for (let l = 0; l < vars.length / 2; l++) { h = h.matMul(vars[2 * l]).add(vars[2 * l + 1]); if (2 * l + 2 < vars.length) h = h.tanh(); }
      return h;
    };
    const X = init([1001, 2], 1, 6);
    const lossAndGrads = (x: Tensor): Tensor[] => {
      const wt = new gt.GradientTape(), t2 = new gt.GradientTape({ watchAccessedVariables: false }), t1 = new gt.GradientTape({ watchAccessedVariables: false });
      try {
        const loss = wt.record(() => {
          let u!: Tensor, ux!: Tensor, ut!: Tensor;
          t2.record(() => {
            t2.watch(x);
            u = t1.record(() => { t1.watch(x); return net(x); });
            const g = t1.gradient(u, x)!;
            ux = g.slice([0, 0], [-1, 1]); ut = g.slice([0, 1], [-1, 1]);
          });
          const uxx = t2.gradient(ux, x)!.slice([0, 0], [-1, 1]);
          return ut.add(u.mul(ux)).sub(uxx.mul(0.01 / Math.PI)).square().mean();
        });
        return [loss, ...(wt.gradient(loss, vars) as Tensor[])];
      } finally { wt.dispose(); t2.dispose(); t1.dispose(); }
    };
    const read = (ts: Tensor[]) => ts.map((t) => vals(t));
    const eager = gt.tidy(() => read(lossAndGrads(X)));
    const fused = gt.jit(lossAndGrads), plain = gt.jit(lossAndGrads, { fuse: false });
    expect(gt.tidy(() => read(fused(X))), "tracing call").toEqual(eager);
    expect(gt.tidy(() => read(plain(X))), "unfused tracing call").toEqual(eager);
    // (the first replays keep their small outputs' records for the next ones: memory is flat from then on)
    expect(gt.tidy(() => read(fused(X))), "first fused replay").toEqual(eager);
    expect(gt.tidy(() => read(plain(X))), "first unfused replay").toEqual(eager);
    const m0 = gt.memory();
    for (let i = 0; i < 3; i++) {
      expect(gt.tidy(() => read(fused(X))), `fused replay ${i}`).toEqual(eager);
      expect(gt.tidy(() => read(plain(X))), `unfused replay ${i}`).toEqual(eager);
    }
    const m1 = gt.memory();
    expect([m1.tensors, m1.bytes, m1.programs]).toEqual([m0.tensors, m0.bytes, m0.programs]);
    const [pf] = fused.programs(), [pp] = plain.programs();
    expect(pf.ops, "fused steps replace several steps each").toBeLessThan(pp.ops - 20);
    const steps = fusedSteps(fused as gt.Jitted<Tensor[], unknown>, [X]);
    expect(steps, "the forward layers' bias add and tanh").toContain("Fused(Add+Tanh)");
    expect(steps.some((s) => s.includes("TanhGrad")), "the sweeps' tanhGrad chains").toBe(true);
    // pairs of ops run as one instruction: mulMul + add (+ tanhGrad), add + tanhGrad, add + tanh
    const prof = fused.profile(X);
    const three = prof.filter((s) => s.op === "Fused(MulMul+TanhGrad+Add)");
    expect(three.length, "mulMul + tanhGrad summed in the sweeps").toBeGreaterThan(0);
    for (const s of three) expect(s.instructions, `${s.op} as one instruction`).toBe(1);
    for (const s of prof.filter((x) => x.op === "Fused(Add+Tanh)")) expect(s.instructions, "add + tanh as one instruction").toBe(1);
    const long = prof.filter((s) => s.op.startsWith("Fused(") && s.op.split("+").length >= 7);
    expect(long.length).toBeGreaterThan(0);
    for (const s of long) expect(s.instructions!, `${s.op}: fewer instructions than ops`).toBeLessThan(s.op.split("+").length);
    // a tape around a replay records the unfused ops: the same bits as a tape around the eager function
    const w = vars[0];
    const viaTape = (f: (x: Tensor) => Tensor[]) => gt.tidy(() => {
      const tape = new gt.GradientTape();
      try { const l = tape.record(() => f(X)[0]); return vals(tape.gradient(l, w) as Tensor); } finally { tape.dispose(); }
    });
    expect(viaTape(fused), "gradient of the loss through a fused replay").toEqual(viaTape(lossAndGrads));
    fused.dispose(); plain.dispose();
    gt.dispose([...vars, X]);
  });

  it("Taylor jets of a tanh network under jit (pinn.train's program): loss and weight gradient, fused = unfused = eager bits", () => {
    const gen = new gt.Generator(7);
    const model = new gt.nn.Sequential([
      new gt.nn.Dense({ units: 20, activation: "tanh", generator: gen, inputShape: [2], dtype: dt }),
      new gt.nn.Dense({ units: 20, activation: "tanh", generator: gen, dtype: dt }),
      new gt.nn.Dense({ units: 1, generator: gen, dtype: dt }),
    ]);
    gt.tidy(() => { model.apply(gt.zeros([1, 2], dt)); });
    const X = gt.tidy(() => gt.randomUniform([777, 2], -1, 1, 8).cast(dt));
    const vars = model.trainableWeights;
    const lossAndGrads = (x: Tensor): Tensor[] => {
      const tape = new gt.GradientTape();
      try {
        const loss = tape.record(() => {
          const j = gt.jet(model, x, { derivatives: ["u", "u_x", "u_t", "u_xx"], vars: ["x", "t"], method: "taylor" }) as Record<string, Tensor>;
          return j.u_t.add(j.u.mul(j.u_x)).sub(j.u_xx.mul(0.01 / Math.PI)).square().mean();
        });
        return [loss, ...(tape.gradient(loss, vars) as Tensor[])];
      } finally { tape.dispose(); }
    };
    const read = (ts: Tensor[]) => ts.map((t) => vals(t));
    const eager = gt.tidy(() => read(lossAndGrads(X)));
    const fused = gt.jit(lossAndGrads), plain = gt.jit(lossAndGrads, { fuse: false });
    for (let call = 0; call < 3; call++) {
      expect(gt.tidy(() => read(fused(X))), `fused call ${call}`).toEqual(eager);
      expect(gt.tidy(() => read(plain(X))), `unfused call ${call}`).toEqual(eager);
    }
    const prof = fused.profile(X).filter((s) => s.op.startsWith("Fused("));
    expect(prof.map((s) => s.op), "the layers' bias add and tanh").toContain("Fused(Add+Tanh)");
    expect(prof.length, "chains in the jet program").toBeGreaterThan(5);
    fused.dispose(); plain.dispose();
    model.dispose(); X.dispose();
  });

  it("the cases above ran every instruction kind of a chain", () => {
    const all = ["Add", "Sub", "Mul", "Div", "Neg", "Square", "Affine", "Tanh", "Sigmoid", "TanhGrad", "SigmoidGrad", "MulMul",
      "MulMulAddL", "MulMulAddR", "AddTanhGrad", "AddSigmoidGrad", "AddTanh", "AddSigmoid", "MulMulAddTanhGradL", "MulMulAddTanhGradR"];
    expect([...(kindsRun.get(dt) ?? [])].sort(), "(run the whole file: this sums the cases above)").toEqual(all.sort());
  });
});
}

describe("jit fusion: options and profile", () => {
  it("a fuse option that is not a boolean is an ArgumentError", () => {
    expect(() => gt.jit((x: Tensor) => x, { fuse: "no" as unknown as boolean })).toThrow(gt.ArgumentError);
    expect(() => gt.jit((x: Tensor) => x, { fuse: "no" as unknown as boolean })).toThrow(/fuse must be true or false/);
  });

  it("profile() lists every step of a call once, with times, and leaves nothing behind", () => {
    expectNoLeak("profile", () => {
      const B = gt.tensor([0.5, -0.25, 1]);
      const f = gt.jit((x: Tensor) => x.matMul(gt.ones([3, 3])).add(B).tanh().sum());
      const X = gt.tensor(uniform(300, -1, 1, 13), [100, 3]);
      const steps = f.profile(X);
      const [p] = f.programs();
      expect(steps.length).toBe(p.ops);
      expect(steps.map((s) => s.op)).toEqual(["MatMul", "Fused(Add+Tanh)", "Sum"]);
      expect(steps.map((s) => s.elements)).toEqual([300, 300, 1]);
      for (const s of steps) expect(s.us).toBeGreaterThanOrEqual(0);
      f.dispose();
      gt.dispose([B, X]);
    });
  });
});
