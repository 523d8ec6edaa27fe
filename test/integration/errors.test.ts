// Error classes and messages. Each class is thrown for its case, and its message names the op or layer, the
// argument, what was expected and what was given. After every error nothing has leaked and the library works.
import { describe, it, expect, beforeAll, afterEach } from "vitest";
import * as gt from "gradtape";
import { expectError, expectNoLeak, expectTensor, live } from "./helpers/check.js";

beforeAll(async () => { await gt.ready(); });

// After every test: plain ops and a gradient still work.
afterEach(() => {
  expectNoLeak("library still works", () => gt.tidy(() => {
    const x = gt.tensor([1, 2, 3]);
    const tape = new gt.GradientTape();
    const y = tape.record(() => { tape.watch(x); return x.square().add(1).sum(); });
    expectTensor("gradient", tape.gradient(y, x), [3], [2, 4, 6], { rtol: 0 });
    tape.dispose();
  }));
});

/** Runs fn (which must throw) inside tidy and checks that it leaves nothing behind. */
function fails(label: string, fn: () => void): void {
  expectNoLeak(label, () => gt.tidy(fn));
}

describe("the classes", () => {
  it("are exported, extend GradtapeError and Error, and carry their own name", () => {
    const classes = [gt.ShapeError, gt.DTypeError, gt.DisposedTensorError, gt.GradientError, gt.ArgumentError, gt.IndexError, gt.OutOfMemoryError];
    for (const C of classes) {
      const e = new C("m");
      expect(e).toBeInstanceOf(gt.GradtapeError);
      expect(e).toBeInstanceOf(Error);
      expect(e.name).toBe(C.name);
    }
    expect(new Set(classes.map((C) => C.name)).size).toBe(classes.length);
  });
});

describe("ShapeError", () => {
  it("broadcasting binary ops name the op, both arguments and both shapes", () => {
    fails("add", () => {
      const a = gt.zeros([2, 3]), b = gt.zeros([4]);
      expectError(() => gt.add(a, b), gt.ShapeError, ["add", "'a'", "[2, 3]", "'b'", "[4]", "broadcast"]);
      expectError(() => a.mul(b), gt.ShapeError, ["mul", "[2, 3]", "[4]"]);
      expectError(() => gt.where(gt.zeros([2, 3]).greater(0), a, b), gt.ShapeError, ["where", "[2, 3]", "[4]"]);
    });
  });

  it("matMul names both shapes and the inner dimensions", () => {
    fails("matMul", () => {
      expectError(() => gt.matMul(gt.zeros([2, 3]), gt.zeros([4, 5])), gt.ShapeError, ["matMul", "[2, 3]", "[4, 5]", "3", "4"]);
      expectError(() => gt.zeros([3]).matMul(gt.zeros([3, 1])), gt.ShapeError, ["matMul", "rank", "[3]"]);
    });
  });

  it("reshape, broadcastTo, concat, stack, squeeze and item name the op and the shapes", () => {
    fails("shape ops", () => {
      const x = gt.zeros([2, 3]);
      expectError(() => x.reshape([4]), gt.ShapeError, ["reshape", "[2, 3]", "[4]", "6", "4"]);
      expectError(() => x.reshape([-1, 4]), gt.ShapeError, ["reshape", "[2, 3]", "[-1, 4]"]);
      expectError(() => x.broadcastTo([3, 3]), gt.ShapeError, ["broadcastTo", "[2, 3]", "[3, 3]"]);
      expectError(() => gt.concat([x, gt.zeros([2, 4])], 0), gt.ShapeError, ["concat", "[2, 3]", "[2, 4]", "axis"]);
      expectError(() => gt.stack([x, gt.zeros([3, 2])]), gt.ShapeError, ["stack", "[2, 3]", "[3, 2]"]);
      expectError(() => x.squeeze(0), gt.ShapeError, ["squeeze", "axis 0", "[2, 3]", "2"]);
      expectError(() => x.item(), gt.ShapeError, ["item", "[2, 3]", "6"]);
    });
  });

  it("Flatten({ inputShape: [5, 1] }) on a [1, 2, 1] tensor names the layer and both shapes (Keras ignores it)", () => {
    fails("Flatten", () => {
      const flat = new gt.nn.Flatten({ inputShape: [5, 1], name: "flatten_in" });
      expectError(() => flat.apply(gt.zeros([1, 2, 1])), gt.ShapeError, ["Flatten", "flatten_in", "[5, 1]", "[1, 2, 1]"]);
      // the declared shape is checked on every call, not only the first
      const ok = new gt.nn.Flatten({ inputShape: [2, 1] });
      expectTensor("matching input", ok.apply(gt.tensor([[[1], [2]], [[3], [4]]])), [2, 2], [1, 2, 3, 4], { rtol: 0 });
      expectError(() => ok.apply(gt.zeros([1, 5, 1])), gt.ShapeError, ["Flatten", ok.name, "[2, 1]", "[1, 5, 1]"]);
    });
  });

  it("Dense with a declared inputShape checks it; a built Dense checks the last axis", () => {
    const d1 = new gt.nn.Dense({ units: 3, inputShape: [2], name: "dense_declared", seed: 1 });
    const d2 = new gt.nn.Dense({ units: 3, name: "dense_built", seed: 2 });
    gt.tidy(() => { d2.apply(gt.zeros([1, 2])); }); // builds its weights (kernel [2, 3]) outside the leak check
    fails("Dense", () => {
      expectError(() => d1.apply(gt.zeros([1, 3])), gt.ShapeError, ["Dense", "dense_declared", "[2]", "[1, 3]"]);
      expectError(() => d1.apply(gt.zeros([4, 2, 2])), gt.ShapeError, ["dense_declared", "[2]", "[4, 2, 2]"]);
      expect([...d1.apply(gt.zeros([4, 2])).shape]).toEqual([4, 3]);
      expect([...d2.apply(gt.zeros([1, 2])).shape]).toEqual([1, 3]);
      expectError(() => d2.apply(gt.zeros([1, 5])), gt.ShapeError, ["Dense", "dense_built", "2", "[1, 5]"]);
    });
    d1.dispose(); d2.dispose();
  });

  it("a subclassed Model's layers check their declared shapes inside call() (the original report's model)", () => {
    class Net extends gt.nn.Model {
      flatten = new gt.nn.Flatten({ inputShape: [5, 1], name: "net_flatten" });
      d1 = new gt.nn.Dense({ units: 28, activation: "sigmoid", seed: 3 });
      d2 = new gt.nn.Dense({ units: 1, activation: "sigmoid", seed: 4 });
      call(x: gt.Tensor): gt.Tensor { return gt.tidy(() => this.d2.apply(this.d1.apply(this.flatten.apply(x)))); }
    }
    const net = new Net();
    fails("Model", () => {
      expectError(() => net.apply(gt.zeros([1, 2, 1])), gt.ShapeError, ["net_flatten", "[5, 1]", "[1, 2, 1]"]);
      const seq = new gt.nn.Sequential([new gt.nn.Flatten({ inputShape: [5, 1], name: "seq_flatten" }), new gt.nn.Dense({ units: 1, seed: 5 })]);
      expectError(() => seq.apply(gt.zeros([1, 2, 1])), gt.ShapeError, ["seq_flatten", "[5, 1]", "[1, 2, 1]"]);
      seq.dispose();
    });
    net.dispose();
  });
});

describe("DTypeError", () => {
  it("names the op, the argument, the expected and the given dtype", () => {
    fails("dtype", () => {
      const x = gt.tensor([1, -2]);
      const mask = x.greater(0);
      expect(mask.dtype).toBe("bool");
      expectError(() => mask.add(x), gt.DTypeError, ["add", "'a'", "float32", "bool"]);
      expectError(() => gt.mul(x, mask), gt.DTypeError, ["mul", "'b'", "float32", "bool"]);
      expectError(() => gt.tensor([1, 2], [2], "int32").exp(), gt.DTypeError, ["exp", "'x'", "float32", "int32"]);
      expectError(() => gt.where(x, x, x), gt.DTypeError, ["where", "'condition'", "bool", "float32"]);
      expectError(() => x.gather(gt.tensor([0, 1])), gt.DTypeError, ["gather", "'indices'", "int32", "float32"]);
    });
  });
});

describe("DisposedTensorError", () => {
  it("names the op the user called and the argument", () => {
    fails("disposed", () => {
      const d = gt.tensor([1, 2]);
      d.dispose();
      expect(d.isDisposed).toBe(true);
      expectError(() => d.exp(), gt.DisposedTensorError, ["exp", "[2]", "disposed"]);
      expectError(() => d.add(1), gt.DisposedTensorError, [/^add\b/, "[2]", "disposed"]);
      expectError(() => d.mul(2), gt.DisposedTensorError, [/^mul\b/, "disposed"]);
      expectError(() => gt.sub(5, d), gt.DisposedTensorError, [/^sub\b/, "disposed"]);
      expectError(() => gt.add(gt.tensor([1, 2]), d), gt.DisposedTensorError, ["add", "b", "disposed"]);
      expectError(() => d.data(), gt.DisposedTensorError, ["data", "disposed"]);
      expectError(() => d.array(), gt.DisposedTensorError, ["disposed"]);
      const x = gt.tensor([1, 2]);
      const tape = new gt.GradientTape();
      expectError(() => tape.watch(d), gt.DisposedTensorError, ["watch", "disposed"]);
      const y = tape.record(() => { tape.watch(x); return x.square(); });
      expectError(() => tape.gradient(y, d), gt.DisposedTensorError, ["gradient", "source", "disposed"]);
      expectError(() => tape.gradient(y, { w: d }), gt.DisposedTensorError, ["gradient", "sources.w", "disposed"]);
      tape.dispose();
      d.dispose(); // disposing twice is harmless
    });
  });

  it("a disposed variable", () => {
    fails("variable", () => {
      const v = gt.variable([1, 2, 3], true, "my_weight");
      v.dispose();
      expectError(() => v.assign(gt.tensor([1, 1, 1])), gt.DisposedTensorError, ["assign", "my_weight", "disposed"]);
      expectError(() => v.square(), gt.DisposedTensorError, ["square", "disposed"]);
    });
  });
});

describe("GradientError", () => {
  it("second gradient, disposed tape, in-place update, unconnected source", () => {
    const v = gt.variable([1, 2]);
    fails("gradient errors", () => {
      const x = gt.tensor([3, 4]);
      const t1 = new gt.GradientTape();
      const y = t1.record(() => { t1.watch(x); return x.square(); });
      t1.gradient(y, x);
      expectError(() => t1.gradient(y, x), gt.GradientError, ["gradient", "persistent"]);
      t1.dispose();
      expectError(() => t1.gradient(y, x), gt.GradientError, ["gradient", "disposed"]);
      expectError(() => t1.record(() => 0), gt.GradientError, ["record", "disposed"]);
      const t2 = new gt.GradientTape();
      const z = t2.record(() => v.sin().mul(v).sum());
      v.assign([0, 0]);
      expectError(() => t2.gradient(z, v), gt.GradientError, ["gradient", "Mul", "modified in place"]);
      t2.dispose();
      const t3 = new gt.GradientTape();
      const w = t3.record(() => v.square().sum());
      expectError(() => t3.gradient(w, x, { unconnected: "error" }), gt.GradientError, ["gradient", "source", "[2]", "never watched"]);
      t3.dispose();
    });
    v.dispose();
  });
});

describe("ArgumentError", () => {
  it("tensor() with a non-numeric, null or ragged value names the position and what it found", () => {
    fails("tensor()", () => {
      expectError(() => gt.tensor([[1, 2], [3, "x" as never]]), gt.ArgumentError, ["tensor", "[1][1]", '"x"', "string", "number"]);
      expectError(() => gt.tensor([1, null as never, 3]), gt.ArgumentError, ["tensor", "[1]", "null"]);
      expectError(() => gt.tensor([1, {} as never]), gt.ArgumentError, ["tensor", "[1]", "object"]);
      expectError(() => gt.tensor([[1, 2], [3]]), gt.ArgumentError, ["tensor", "[1]", "rectangular", "2", "1"]);
      expectError(() => gt.tensor([1, 2, 3], [2, 2]), gt.ArgumentError, ["tensor", "3 values", "[2, 2]", "4"]);
      expectError(() => gt.tensor([1, 2], [2], "float16" as never), gt.DTypeError, ["tensor", "dtype", "float16", "float64"]);
    });
  });

  it("bad shapes, axes and permutations say what was expected and show what was given", () => {
    fails("args", () => {
      const x = gt.zeros([2, 3]);
      expectError(() => x.reshape([2, -3]), gt.ArgumentError, ["reshape", "shape", "[2,-3]"]);
      expectError(() => x.transpose([0, 0]), gt.ArgumentError, ["transpose", "perm", "[0,0]", "permutation"]);
      expectError(() => x.transpose([1, 0, 2]), gt.ArgumentError, ["transpose", "perm", "[1,0,2]"]);
      expectError(() => x.sum(3), gt.ArgumentError, ["sum", "axis 3", "rank 2"]);
      expectError(() => x.mean(-3), gt.ArgumentError, ["mean", "axis -3", "rank 2"]);
      expectError(() => x.max(0.5), gt.ArgumentError, ["max", "axis", "0.5"]);
      expectError(() => x.expandDims(4), gt.ArgumentError, ["expandDims", "axis 4"]);
      expectError(() => gt.zeros([2, -1]), gt.ArgumentError, ["zeros", "shape", "[2,-1]"]);
      expectError(() => gt.range(0, 5, 0), gt.ArgumentError, ["range", "step", "0"]);
      expectError(() => gt.linspace(0, 1, -2), gt.ArgumentError, ["linspace", "num", "-2"]);
      expectError(() => x.index(0, 0, 0), gt.ArgumentError, ["index", "3", "rank 2", "[2, 3]"]);
      expectError(() => x.pad([[1, 1]]), gt.ArgumentError, ["pad", "paddings", "2 pairs"]);
    });
  });

  it("gradient(), nn layers and variables validate their arguments", () => {
    fails("api args", () => {
      const x = gt.tensor([1, 2]);
      const tape = new gt.GradientTape();
      const y = tape.record(() => { tape.watch(x); return x.square(); });
      expectError(() => tape.gradient(y, [x, 5 as never]), gt.ArgumentError, ["gradient", "sources[1]", "Tensor", "5"]);
      expectError(() => tape.gradient(y, "x" as never), gt.ArgumentError, ["gradient", "sources", '"x"']);
      expectError(() => tape.gradient(3 as never, x), gt.ArgumentError, ["gradient", "target", "3"]);
      expectError(() => tape.watch(gt.tensor([1], [1], "int32")), gt.ArgumentError, ["watch", "float32", "int32"]);
      tape.dispose();
      expectError(() => new gt.nn.Dense({ units: 0 }), gt.ArgumentError, ["Dense", "units", "positive integer", "0"]);
      expectError(() => new gt.nn.Dense({ units: 2, activation: "swish" as never }), gt.ArgumentError, ["Dense", "activation", '"swish"', "sigmoid"]);
      expectError(() => new gt.nn.Flatten({ inputShape: [2, -1] }), gt.ArgumentError, ["Flatten", "inputShape", "[2,-1]"]);
      expectError(() => gt.variable([true, false]), gt.ArgumentError, ["variable", "float32", "bool"]);
      expectError(() => gt.tidy(5 as never), gt.ArgumentError, ["tidy", "fn", "function", "5"]);
    });
  });
});

describe("IndexError", () => {
  it("index, slice and gather name the op, the index, the axis and its size", () => {
    fails("index", () => {
      const x = gt.zeros([3, 4]);
      expectError(() => x.index(5), gt.IndexError, ["index", "5", "axis 0", "size 3"]);
      expectError(() => x.index(0, -5), gt.IndexError, ["index", "-5", "axis 1", "size 4"]);
      expectError(() => x.slice([4, 0]), gt.IndexError, ["slice", "begin", "4", "axis 0", "size 3"]);
      expectError(() => x.slice([1, 1], [1, 4]), gt.IndexError, ["slice", "size", "4", "axis 1"]);
      expectError(() => x.gather([0, 3], 0), gt.IndexError, ["gather", "3", "axis 0", "size 3"]);
      expectError(() => x.gather([4], 1), gt.IndexError, ["gather", "4", "axis 1", "size 4"]);
    });
  });
});

describe("OutOfMemoryError", () => {
  it("a request past what the wasm memory can hold is an error with the requested size, not a trap, and nothing is allocated", () => {
    const before = gt.memory();
    // 40000 x 40000 float32 = 6.4e9 bytes: within the element limit, beyond a 32-bit address space
    expectError(() => gt.zeros([40000, 40000]), gt.OutOfMemoryError, ["zeros", "6400000000 bytes"]);
    expectError(() => gt.ones([2 ** 31 - 1]), gt.OutOfMemoryError, ["ones", "8589934588 bytes"]);
    expectError(() => gt.randomUniform([40000, 40000], 0, 1, 1), gt.OutOfMemoryError, ["6400000000 bytes"]);
    const after = gt.memory();
    expect({ tensors: after.tensors, bytes: after.bytes }).toEqual({ tensors: before.tensors, bytes: before.bytes });
    expect(after.wasmBytes, "the failed requests must not grow the wasm memory").toBe(before.wasmBytes);
  });
});

describe("the element limit (2^31 - 1: the core's element indices are 32-bit)", () => {
  it("shapes beyond it are an ArgumentError naming the op and the shape, not a wrapped negative size", () => {
    const before = gt.memory();
    const x = gt.tensor([1]);
    const limit = ["2,147,483,647 (2^31 - 1)", "smaller shape"];
    expectError(() => gt.zeros([2 ** 31, 1]), gt.ArgumentError, ["zeros", "[2147483648, 1]", ...limit]);
    expectError(() => gt.ones([3e9]), gt.ArgumentError, ["ones", "3,000,000,000 elements", ...limit]);
    expectError(() => gt.fill([2 ** 31 + 5], 1), gt.ArgumentError, ["fill", ...limit]);
    expectError(() => gt.zeros([50000, 50000]), gt.ArgumentError, ["zeros", "2,500,000,000 elements"]);
    expectError(() => x.broadcastTo([2 ** 20, 2 ** 20, 4]), gt.ArgumentError, ["broadcastTo", "[1048576, 1048576, 4]", ...limit]);
    expectError(() => gt.randomUniform([50000, 50000], 0, 1, 1), gt.ArgumentError, ["randomUniform", ...limit]);
    expectError(() => gt.tensor(new Float32Array(0), [2 ** 31, 0]), gt.ArgumentError, ["tensor", "[2147483648, 0]"]);
    // nothing was made, and the library still works
    x.dispose();
    const after = gt.memory();
    expect({ tensors: after.tensors, bytes: after.bytes }).toEqual({ tensors: before.tensors, bytes: before.bytes });
    const y = gt.ones([2, 3]);
    expect(Array.from(y.sum(1).dataSync())).toEqual([3, 3]);
    y.dispose();
  });
});

describe("after errors", () => {
  it("an error thrown in the middle of a tidy() frees what the tidy made", () => {
    const before = live();
    for (let i = 0; i < 3; i++) {
      expectError(() => gt.tidy(() => {
        const a = gt.tensor([1, 2, 3]).exp();
        const b = a.mul(a).sum(0, true);
        return a.add(b).add(gt.zeros([2]));
      }), gt.ShapeError, ["add", "[3]", "[2]"]);
    }
    expect(live()).toEqual(before);
  });

  it("an error inside record() under tidy leaves no tape state or tensors behind once the tape is disposed", () => {
    const before = live();
    const tape = new gt.GradientTape({ persistent: true });
    expectError(() => gt.tidy(() => tape.record(() => {
      const x = gt.tensor([1, 2, 3]);
      tape.watch(x);
      return x.sin().mul(gt.ones([4]));
    })), gt.ShapeError, ["mul", "[3]", "[4]"]);
    tape.dispose();
    expect(live()).toEqual(before);
  });
});
