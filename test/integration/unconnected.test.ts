// unconnected: 'none' (default, TensorFlow's None -> null), 'zero' (zeros of the source's shape) and 'error' (a
// GradientError naming the source by position or key and shape, and saying why): never watched; made after the
// forward pass and not a view; reached only through a non-differentiable op; the target does not depend on it.
// Also for jacobian / batchJacobian, and the library state after such an error.
import { describe, it, expect, beforeAll } from "vitest";
import * as gt from "gradtape";
import { expectError, expectNoLeak, expectTensor, live, type Tensor } from "./helpers/check.js";

beforeAll(async () => { await gt.ready(); });

const WHY = {
  neverWatched: "never watched",
  afterForward: "created after the forward pass",
  nonDiff: "non-differentiable op",
  notUsed: "does not depend on it",
};

interface Scenario {
  name: string;
  why: string;
  /** extra text the error must contain (e.g. the blocking op) */
  extra?: (string | RegExp)[];
  /** builds a persistent tape, a target and the unconnected source, plus a connected source with its gradient */
  build(): { tape: gt.GradientTape; target: Tensor; source: Tensor; connected: Tensor; connectedGrad: number[] };
}

const SCENARIOS: Scenario[] = [
  {
    name: "a tensor that was never watched",
    why: WHY.neverWatched,
    build() {
      const x = gt.tensor([1, 2, 3]), w = gt.tensor([[0.5, 1], [2, 3], [4, 5]]);
      const tape = new gt.GradientTape({ persistent: true });
      const target = tape.record(() => { tape.watch(x); return x.reshape([1, 3]).matMul(w).sum(); });
      return { tape, target, source: w, connected: x, connectedGrad: [1.5, 5, 9] };
    },
  },
  {
    name: "a view of a tensor that was never watched",
    why: WHY.neverWatched,
    build() {
      const x = gt.tensor([1, 2, 3]), w = gt.tensor([[0.5, 1], [2, 3], [4, 5]]);
      const tape = new gt.GradientTape({ persistent: true });
      const target = tape.record(() => { tape.watch(x); return x.reshape([1, 3]).matMul(w).sum(); });
      return { tape, target, source: w.index(1), connected: x, connectedGrad: [1.5, 5, 9] };
    },
  },
  {
    name: "a copy made after the forward pass (not a view)",
    why: WHY.afterForward,
    build() {
      const x = gt.tensor([1, 2, 3]);
      const tape = new gt.GradientTape({ persistent: true });
      const target = tape.record(() => { tape.watch(x); return x.square().sum(); });
      return { tape, target, source: x.mul(1), connected: x, connectedGrad: [2, 4, 6] };
    },
  },
  {
    name: "a tensor computed from the input after the forward pass, inside record()",
    why: WHY.afterForward,
    build() {
      const x = gt.tensor([1, 2, 3]);
      const tape = new gt.GradientTape({ persistent: true });
      let late!: Tensor;
      const target = tape.record(() => {
        tape.watch(x);
        const t = x.square().sum();
        late = x.add(1); // recorded, but after the target
        return t;
      });
      return { tape, target, source: late, connected: x, connectedGrad: [2, 4, 6] };
    },
  },
  {
    name: "a tensor reaching the target only through a comparison (the where condition)",
    why: WHY.nonDiff,
    extra: [/Greater/],
    build() {
      const x = gt.tensor([1, -2, 3]), a = gt.tensor([10, 20, 30]);
      const tape = new gt.GradientTape({ persistent: true });
      const target = tape.record(() => {
        tape.watch([x, a]);
        return gt.where(x.greater(0), a, gt.zeros([3])).sum();
      });
      return { tape, target, source: x, connected: a, connectedGrad: [1, 0, 1] };
    },
  },
  {
    name: "a tensor reaching the target only through sign()",
    why: WHY.nonDiff,
    extra: [/Sign/],
    build() {
      const x = gt.tensor([1, -2, 3]), a = gt.tensor([2, 2, 2]);
      const tape = new gt.GradientTape({ persistent: true });
      const target = tape.record(() => { tape.watch([x, a]); return x.sign().mul(a).sum(); });
      return { tape, target, source: x, connected: a, connectedGrad: [1, -1, 1] };
    },
  },
  {
    name: "a watched tensor the target does not depend on",
    why: WHY.notUsed,
    build() {
      const x = gt.tensor([1, 2, 3]), unused = gt.tensor([[7, 8]]);
      const tape = new gt.GradientTape({ persistent: true });
      const target = tape.record(() => { tape.watch([x, unused]); unused.exp(); return x.square().sum(); });
      return { tape, target, source: unused, connected: x, connectedGrad: [2, 4, 6] };
    },
  },
];

const fmt = (s: readonly number[]) => `[${s.join(", ")}]`;

describe.each(SCENARIOS)("unconnected source: $name", (sc) => {
  it("'none' (the default) gives null", () => {
    expectNoLeak(sc.name, () => gt.tidy(() => {
      const { tape, target, source, connected, connectedGrad } = sc.build();
      expect(tape.gradient(target, source)).toBeNull();
      expect(tape.gradient(target, source, { unconnected: "none" })).toBeNull();
      const [g, u] = tape.gradient(target, [connected, source]);
      expectTensor("the connected source", g, connected.shape, connectedGrad, { rtol: 1e-6 });
      expect(u).toBeNull();
      tape.dispose();
    }));
  });

  it("'zero' gives zeros of the source's shape", () => {
    expectNoLeak(sc.name, () => gt.tidy(() => {
      const { tape, target, source, connected, connectedGrad } = sc.build();
      const z = tape.gradient(target, source, { unconnected: "zero" });
      expectTensor("zeros", z, source.shape, new Array(source.size).fill(0), { rtol: 0 });
      expect(z!.dtype).toBe("float32");
      const { c, s } = tape.gradient(target, { c: connected, s: source }, { unconnected: "zero" });
      expectTensor("the connected source", c, connected.shape, connectedGrad, { rtol: 1e-6 });
      expectTensor("zeros in an object", s, source.shape, new Array(source.size).fill(0), { rtol: 0 });
      tape.dispose();
    }));
  });

  it("'error' names the source (position or key) and its shape and says why", () => {
    expectNoLeak(sc.name, () => gt.tidy(() => {
      const { tape, target, source, connected } = sc.build();
      const shape = fmt(source.shape);
      expectError(() => tape.gradient(target, source, { unconnected: "error" }), gt.GradientError,
        ["gradient", shape, "unconnected", sc.why, ...(sc.extra ?? [])]);
      expectError(() => tape.gradient(target, [connected, source], { unconnected: "error" }), gt.GradientError,
        ["sources[1]", shape, sc.why, ...(sc.extra ?? [])]);
      expectError(() => tape.gradient(target, { kernel: source, bias: connected }, { unconnected: "error" }), gt.GradientError,
        [/\bkernel\b/, shape, sc.why]);
      expectError(() => tape.jacobian(target, source, { unconnected: "error" }), gt.GradientError, ["jacobian", shape, sc.why]);
      tape.dispose();
    }));
  });
});

describe("unconnected: other cases", () => {
  it("'error' does not fire for a connected source, even one whose gradient is zero", () => {
    expectNoLeak("connected zero", () => gt.tidy(() => {
      const x = gt.tensor([-1, -2, 3]);
      const tape = new gt.GradientTape();
      const y = tape.record(() => { tape.watch(x); return x.relu().sum(); });
      expectTensor("relu'", tape.gradient(y, x, { unconnected: "error" }), [3], [0, 0, 1], { rtol: 0 });
      tape.dispose();
    }));
  });

  it("where(x > 0, x, 0) is connected through its value input", () => {
    expectNoLeak("where value", () => gt.tidy(() => {
      const x = gt.tensor([1.5, -2, 3, -0.5, 2]);
      const tape = new gt.GradientTape();
      const y = tape.record(() => { tape.watch(x); return gt.where(x.greater(0), x.square(), 0).sum(); });
      expectTensor("mask * 2x", tape.gradient(y, x, { unconnected: "error" }), [5], [3, 0, 6, 0, 4], { rtol: 0 });
      tape.dispose();
    }));
  });

  it("jacobian and batchJacobian: 'none' gives null, 'zero' zeros of shape target + source, 'error' a GradientError", () => {
    expectNoLeak("jacobian modes", () => gt.tidy(() => {
      const X = gt.tensor([[1, 2], [3, 4], [5, 6]]), W = gt.tensor([[1, 1], [2, 2], [3, 3]]);
      const tape = new gt.GradientTape({ persistent: true });
      const Y = tape.record(() => { tape.watch(X); return X.square(); });
      expect(tape.jacobian(Y, W)).toBeNull();
      expectTensor("jacobian zeros", tape.jacobian(Y, W, { unconnected: "zero" }), [3, 2, 3, 2], new Array(36).fill(0), { rtol: 0 });
      expectError(() => tape.jacobian(Y, W, { unconnected: "error" }), gt.GradientError, ["jacobian", "[3, 2]", WHY.neverWatched]);
      expect(tape.batchJacobian(Y, W)).toBeNull();
      expectTensor("batchJacobian zeros", tape.batchJacobian(Y, W, { unconnected: "zero" }), [3, 2, 2], new Array(12).fill(0), { rtol: 0 });
      expectError(() => tape.batchJacobian(Y, W, { unconnected: "error" }), gt.GradientError, ["batchJacobian", "[3, 2]", WHY.neverWatched]);
      // and the connected one still works on the same tape
      expectTensor("batchJacobian", tape.batchJacobian(Y, X), [3, 2, 2], [2, 0, 0, 4, 6, 0, 0, 8, 10, 0, 0, 12], { rtol: 0 });
      tape.dispose();
    }));
  });

  it("an invalid mode is an ArgumentError naming the allowed values", () => {
    expectNoLeak("bad mode", () => gt.tidy(() => {
      const x = gt.tensor([1]);
      const tape = new gt.GradientTape();
      const y = tape.record(() => { tape.watch(x); return x.square(); });
      expectError(() => tape.gradient(y, x, { unconnected: "zeros" as never }), gt.ArgumentError, ["unconnected", "'none'", "'zero'", "'error'", '"zeros"']);
      tape.dispose();
    }));
  });

  it("after an 'error' on a non-persistent tape, nothing leaks, the tape can still be used, and the library works", () => {
    const before = live();
    gt.tidy(() => {
      const x = gt.tensor([1, 2, 3]), w = gt.tensor([4, 5, 6]);
      const tape = new gt.GradientTape();
      const y = tape.record(() => { tape.watch(x); return x.exp().sum(); });
      const mid = live();
      // the first source is connected (its gradient was computed before the second failed): it must not leak
      expectError(() => tape.gradient(y, [x, w], { unconnected: "error" }), gt.GradientError, ["sources[1]", "[3]", WHY.neverWatched]);
      expect(live(), "nothing was left behind by the failed call").toEqual(mid);
      const g = tape.gradient(y, [x, w]);
      expectTensor("retry", g[0], [3], [1, 2, 3].map(Math.exp), { rtol: 1e-6 });
      expect(g[1]).toBeNull();
      tape.dispose();
    });
    expect(live()).toEqual(before);
  });
});
