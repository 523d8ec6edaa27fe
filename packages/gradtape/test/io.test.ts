// Weights I/O: the CLI's JSON format and safetensors. Files are also built here byte by byte from the format's
// definition (independently of the encoder), and every kind of malformed or hostile file must give a clear error.
import { describe, it, expect, beforeAll } from "vitest";
import * as gt from "gradtape";

beforeAll(async () => { await gt.ready(); });

function net(seed: number, acts: gt.nn.ActivationName[] = ["tanh", "sigmoid", "linear"], widths = [3, 5, 4, 2]) {
  const m = new gt.nn.Sequential(acts.map((a, i) => new gt.nn.Dense({
    units: widths[i + 1], activation: a, seed: seed + i, ...(i === 0 ? { inputShape: [widths[0]] } : {}), biasInitializer: "glorotUniform",
  })));
  gt.tidy(() => { m.apply(gt.zeros([1, widths[0]])); }); // builds every layer
  return m;
}
function weightsOf(m: gt.nn.Model): Float32Array[] { return m.weights.map((w) => w.data()); }
function sameBits(a: Float32Array[], b: Float32Array[]) {
  expect(a.length).toBe(b.length);
  a.forEach((x, i) => expect(Array.from(new Uint32Array(x.buffer))).toEqual(Array.from(new Uint32Array(b[i].buffer))));
}

/** A safetensors file from its parts, written from the format's definition. */
function file(header: unknown, data: Uint8Array = new Uint8Array(0), headerLength?: bigint): Uint8Array {
  const json = new TextEncoder().encode(typeof header === "string" ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, headerLength ?? BigInt(json.length), true);
  out.set(json, 8); out.set(data, 8 + json.length);
  return out;
}
const f32bytes = (xs: number[]) => new Uint8Array(new Float32Array(xs).buffer);

describe("JSON weights (the CLI's format)", () => {
  it("writes { weights: { layers: [{ kernel [in][out], bias, activation }] } }", () => {
    const m = net(1);
    const j = gt.io.weightsToJSON(m);
    expect(Object.keys(j)).toEqual(["weights"]);
    expect(j.weights.layers.map((l) => l.activation)).toEqual(["tanh", "sigmoid", "linear"]);
    expect(Object.keys(j.weights.layers[0])).toEqual(["kernel", "bias", "activation"]);
    const k = (m.stack[0] as gt.nn.Dense).kernel!;
    expect(j.weights.layers[0].kernel.length).toBe(3);
    expect(j.weights.layers[0].kernel[0].length).toBe(5);
    expect(Math.fround(j.weights.layers[0].kernel[1][2])).toBe(k.data()[1 * 5 + 2]);
    m.dispose();
  });
  it("round trips exactly (text and bytes), and builds an equivalent model", () => {
    const m = net(2);
    const text = gt.io.saveWeightsJSON(m);
    const m2 = net(99);
    gt.io.loadWeightsJSON(m2, text);
    sameBits(weightsOf(m2), weightsOf(m));
    const m3 = gt.io.modelFromWeightsJSON(gt.io.encodeWeightsJSON(m, { space: 2 }));
    sameBits(weightsOf(m3), weightsOf(m));
    const x = gt.tensor([[0.1, -0.2, 0.3], [1, 2, -3]]);
    expect(Array.from(m3.apply(x).data())).toEqual(Array.from(m.apply(x).data()));
    // shortest decimals: a value like 0.1f is written as 0.1
    const d = new gt.nn.Dense({ units: 1, inputShape: [1], kernelInitializer: () => gt.tensor([[0.1]]) });
    expect(gt.io.saveWeightsJSON(d)).toBe('{"weights":{"layers":[{"kernel":[[0.1]],"bias":[0],"activation":"linear"}]}}');
    gt.dispose([x]); m.dispose(); m2.dispose(); m3.dispose(); d.dispose();
  });
  it("reads the seed network's layout (2 -> 28 sigmoid -> 1 sigmoid) and accepts { layers } without the wrapper", () => {
    const layers = [
      { kernel: [Array.from({ length: 28 }, (_, i) => i / 28), Array.from({ length: 28 }, (_, i) => -(i + 1) / 28)], bias: new Array(28).fill(0.5), activation: "sigmoid" },
      { kernel: Array.from({ length: 28 }, (_, i) => [Math.cos(i)]), bias: [0.1], activation: "sigmoid" },
    ];
    const m = gt.io.modelFromWeightsJSON({ weights: { layers } });
    const m2 = gt.io.modelFromWeightsJSON(JSON.stringify({ layers }));
    expect(m.weights.map((w) => w.shape)).toEqual([[2, 28], [28], [28, 1], [1]]);
    sameBits(weightsOf(m), weightsOf(m2));
    m.dispose(); m2.dispose();
  });
  it("says which entry is wrong", () => {
    const m = net(3);
    const good = gt.io.weightsToJSON(m);
    const edit = (f: (j: gt.io.WeightsJSON) => void) => { const j = JSON.parse(JSON.stringify(good)); f(j); return j; };
    const load = (src: unknown) => () => gt.io.loadWeightsJSON(m, src as string);
    const before = weightsOf(m);
    expect(load("{ not json")).toThrow(/not valid JSON/);
    expect(load("[1, 2]")).toThrow(/expected an object/);
    expect(load({ weights: {} })).toThrow(/"weights" has no "layers" array/);
    expect(load(edit((j) => j.weights.layers.pop()))).toThrow(/file has 2 layers but the model has 3 Dense layers/);
    expect(load(edit((j) => j.weights.layers[1].kernel.pop()))).toThrow(/weights.layers\[1\].kernel has shape \[4, 4\], but layer .* has a kernel of shape \[5, 4\]/);
    expect(load(edit((j) => { j.weights.layers[2].kernel[1] = [1]; }))).toThrow(/weights.layers\[2\].kernel\[1\] has 1 values, expected 2/);
    expect(load(edit((j) => { (j.weights.layers[0].kernel[0] as unknown[])[3] = "x"; }))).toThrow(/weights.layers\[0\].kernel\[0\]\[3\] must be a finite number, but it is "x"/);
    expect(load(edit((j) => { j.weights.layers[0].bias = [1, 2]; }))).toThrow(/weights.layers\[0\].bias has 2 values, expected 5/);
    expect(load(edit((j) => { delete j.weights.layers[0].bias; }))).toThrow(/weights.layers\[0\] has no bias/);
    expect(load(edit((j) => { j.weights.layers[1].activation = "relu"; }))).toThrow(/weights.layers\[1\].activation is "relu", but layer .* uses "sigmoid"/);
    expect(load(edit((j) => { j.weights.layers[1].activation = "swish"; }))).toThrow(/not a known activation/);
    expect(load(new Uint8Array([0xff, 0xfe]))).toThrow(/not valid UTF-8/);
    sameBits(weightsOf(m), before); // nothing was written by a failed load
    expect(() => gt.io.modelFromWeightsJSON(edit((j) => { j.weights.layers[1].kernel = j.weights.layers[1].kernel.slice(0, 3); }))).toThrow(/do not chain/);
    const custom = new gt.nn.Dense({ units: 2, inputShape: [2], activation: (x) => x.square() });
    expect(() => gt.io.weightsToJSON(custom)).toThrow(/custom activation function/);
    m.dispose(); custom.dispose();
  });
});

describe("safetensors", () => {
  it("writes the format byte for byte: u64 LE header length, JSON header padded to 8, F32 LE data", () => {
    const bytes = gt.io.encodeSafetensors({ a: { shape: [2], data: [1, -2] }, "b.c": { shape: [1, 1], data: [0.5] } }, { k: "v" });
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect((8 + n) % 8).toBe(0);
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
    expect(header).toEqual({
      __metadata__: { k: "v" },
      a: { dtype: "F32", shape: [2], data_offsets: [0, 8] },
      "b.c": { dtype: "F32", shape: [1, 1], data_offsets: [8, 12] },
    });
    expect(Array.from(new Float32Array(bytes.slice(8 + n).buffer))).toEqual([1, -2, 0.5]);
  });
  it("reads a file built from the definition (unpadded header, F32/F64/F16/BF16/I32 entries)", () => {
    const data = new Uint8Array(4 * 3 + 8 * 2 + 2 * 2 + 2 + 4);
    const dv = new DataView(data.buffer);
    [1.5, -2, 3.25].forEach((v, i) => dv.setFloat32(4 * i, v, true));
    dv.setFloat64(12, 0.1, true); dv.setFloat64(20, -1e-3, true);
    dv.setUint16(28, 0x3c00, true); dv.setUint16(30, 0xc000, true); // F16 1, -2
    dv.setUint16(32, 0x3fc0, true);                                  // BF16 1.5
    dv.setInt32(34, 7, true);
    const bytes = file({
      w: { dtype: "F32", shape: [3], data_offsets: [0, 12] },
      d: { dtype: "F64", shape: [2, 1], data_offsets: [12, 28] },
      h: { dtype: "F16", shape: [2], data_offsets: [28, 32] },
      b: { dtype: "BF16", shape: [], data_offsets: [32, 34] },
      i: { dtype: "I32", shape: [1], data_offsets: [34, 38] },
    }, data);
    const f = gt.io.decodeSafetensors(bytes);
    expect([...f.tensors.keys()]).toEqual(["w", "d", "h", "b", "i"]);
    expect(f.metadata).toBeNull();
    expect(Array.from(gt.io.entryToFloat32("w", f.tensors.get("w")!))).toEqual([1.5, -2, 3.25]);
    expect(() => gt.io.entryToFloat32("d", f.tensors.get("d")!)).toThrow(/entry "d" is F64, but gradtape loads F32 \(pass \{ convert: true \}/);
    expect(Array.from(gt.io.entryToFloat32("d", f.tensors.get("d")!, { convert: true }))).toEqual([Math.fround(0.1), Math.fround(-1e-3)]);
    expect(Array.from(gt.io.entryToFloat32("h", f.tensors.get("h")!, { convert: true }))).toEqual([1, -2]);
    expect(Array.from(gt.io.entryToFloat32("b", f.tensors.get("b")!, { convert: true }))).toEqual([1.5]);
    expect(() => gt.io.entryToFloat32("i", f.tensors.get("i")!, { convert: true })).toThrow(/entry "i" is I32, but gradtape loads F32\.$/);
  });
  it("reads from a Node Buffer that is a view into a larger pool (offset and Buffer.slice semantics)", () => {
    const m = net(12);
    const bytes = gt.io.saveSafetensors(m);
    const pooled = Buffer.concat([Buffer.from("garbage-prefix-"), Buffer.from(bytes), Buffer.from("suffix")]);
    const view = pooled.subarray(15, 15 + bytes.length);
    expect(view.byteOffset).toBeGreaterThan(0);
    sameBits(weightsOf(gt.io.modelFromSafetensors(view)), weightsOf(m));
    const m2 = net(13);
    gt.io.loadSafetensors(m2, view);
    sameBits(weightsOf(m2), weightsOf(m));
    m.dispose(); m2.dispose();
  });
  it("round trips a model exactly, with names layers.<i>.kernel / .bias and the activations in the metadata", () => {
    const m = net(5);
    const bytes = gt.io.saveSafetensors(m, { metadata: { note: "hi" } });
    const f = gt.io.decodeSafetensors(bytes);
    expect([...f.tensors.keys()]).toEqual(["layers.0.kernel", "layers.0.bias", "layers.1.kernel", "layers.1.bias", "layers.2.kernel", "layers.2.bias"]);
    expect(gt.io.safetensorsNames(m)).toEqual([...f.tensors.keys()]);
    expect(f.tensors.get("layers.1.kernel")!.shape).toEqual([5, 4]);
    expect(f.metadata!.note).toBe("hi");
    expect(JSON.parse(f.metadata![gt.io.ACTIVATIONS_KEY])).toEqual(["tanh", "sigmoid", "linear"]);
    const m2 = net(77);
    gt.io.loadSafetensors(m2, bytes);
    sameBits(weightsOf(m2), weightsOf(m));
    const m3 = gt.io.modelFromSafetensors(bytes.slice().buffer);
    sameBits(weightsOf(m3), weightsOf(m));
    // a file from elsewhere without metadata needs the activations
    const bare = gt.io.encodeSafetensors(Object.fromEntries([...f.tensors].map(([k, e]) => [k, { shape: e.shape, data: gt.io.entryToFloat32(k, e) }])));
    expect(() => gt.io.modelFromSafetensors(bare)).toThrow(/does not record the activations/);
    sameBits(weightsOf(gt.io.modelFromSafetensors(bare, { activations: ["tanh", "sigmoid", "linear"] })), weightsOf(m));
    m.dispose(); m2.dispose(); m3.dispose();
  });
  it("writes and reads a PyTorch nn.Sequential state_dict layout (names '0.weight', kernels [out, in])", () => {
    const m = net(9);
    const torch = { names: (i: number, k: "kernel" | "bias") => `${2 * i}.${k === "kernel" ? "weight" : "bias"}`, kernelLayout: "out,in" as const };
    const bytes = gt.io.saveSafetensors(m, torch);
    const f = gt.io.decodeSafetensors(bytes);
    expect([...f.tensors.keys()]).toEqual(["0.weight", "0.bias", "2.weight", "2.bias", "4.weight", "4.bias"]);
    expect(f.tensors.get("2.weight")!.shape).toEqual([4, 5]);
    // W[o][i] in the file is kernel[i][o] in the model
    const k = (m.stack[1] as gt.nn.Dense).kernel!.data(), w = gt.io.entryToFloat32("2.weight", f.tensors.get("2.weight")!);
    expect(w[3 * 5 + 1]).toBe(k[1 * 4 + 3]);
    const m2 = net(10);
    gt.io.loadSafetensors(m2, bytes, torch);
    sameBits(weightsOf(m2), weightsOf(m));
    sameBits(weightsOf(gt.io.modelFromSafetensors(bytes, torch)), weightsOf(m));
    expect(() => gt.io.loadSafetensors(m2, bytes)).toThrow(/no entry "layers.0.kernel"/);
    expect(() => gt.io.saveSafetensors(m, { names: () => "w" })).toThrow(/both be named "w"/);
    m.dispose(); m2.dispose();
  });
  it("loading checks names, shapes, dtypes and extras, and says which entry is wrong", () => {
    const m = net(6);
    const before = weightsOf(m);
    const entries = (over: Record<string, { shape: number[]; data: number[] } | undefined>) => {
      const base: Record<string, { shape: number[]; data: number[] }> = {};
      m.weights.forEach((w, i) => { base[gt.io.safetensorsNames(m)[i]] = { shape: w.shape.slice(), data: Array.from(w.data()) }; });
      for (const [k, v] of Object.entries(over)) { if (v === undefined) delete base[k]; else base[k] = v; }
      return gt.io.encodeSafetensors(base);
    };
    expect(() => gt.io.loadSafetensors(m, entries({ "layers.1.bias": undefined }))).toThrow(/no entry "layers.1.bias" for layer/);
    expect(() => gt.io.loadSafetensors(m, entries({ "layers.2.kernel": { shape: [2, 4], data: new Array(8).fill(0) } })))
      .toThrow(/entry "layers.2.kernel" has shape \[2, 4\], but layer .* has a kernel of shape \[4, 2\]/);
    expect(() => gt.io.loadSafetensors(m, entries({ "layers.3.kernel": { shape: [1], data: [0] } }))).toThrow(/entries the model has no place for: "layers.3.kernel"/);
    gt.io.loadSafetensors(m, entries({ extra: { shape: [1], data: [0] } }), { strict: false });
    const f64file = file({ "layers.0.kernel": { dtype: "F64", shape: [3, 5], data_offsets: [0, 120] } }, new Uint8Array(120));
    expect(() => gt.io.loadSafetensors(m, f64file, { strict: false })).toThrow(/entry "layers.0.kernel" is F64, but gradtape loads F32/);
    sameBits(weightsOf(m), before);
    const other = gt.io.saveSafetensors(net(1, ["tanh", "tanh", "linear"]));
    expect(() => gt.io.loadSafetensors(m, other)).toThrow(/layer 1 uses activation "tanh" .* uses "sigmoid"/);
    m.dispose();
  });

  describe("rejects malformed and hostile files with a clear error", () => {
    const ok = { a: { dtype: "F32", shape: [2], data_offsets: [0, 8] } };
    const cases: [string, () => Uint8Array, RegExp][] = [
      ["empty", () => new Uint8Array(0), /truncated: 0 bytes/],
      ["shorter than the length field", () => new Uint8Array(5), /truncated: 5 bytes/],
      ["a header length of 2^63", () => file(ok, f32bytes([1, 2]), 2n ** 63n), /header length .* is larger than the limit/],
      ["a header length of 1 TB", () => file(ok, f32bytes([1, 2]), 10n ** 12n), /header length 1000000000000 is larger than the limit/],
      ["a header longer than the file", () => file(ok, new Uint8Array(0), 4000n), /truncated: the header says 4000 bytes but only/],
      ["truncated data", () => file(ok, f32bytes([1])), /data_offsets \[0, 8\] run past the end of the data \(4 bytes\)/],
      ["bad JSON", () => file('{"a": {"dtype": "F32",', new Uint8Array(0)), /not valid JSON/],
      ["a header that is not an object", () => file("[1, 2, 3]"), /must be a JSON object starting with "\{"/],
      ["a header that is not UTF-8", () => { const b = file('{"a":1}'); b[9] = 0xff; return b; }, /not valid UTF-8/],
      ["an entry that is not an object", () => file({ a: 5 }), /entry "a" must be an object with dtype/],
      ["an unknown dtype", () => file({ a: { dtype: "F33", shape: [2], data_offsets: [0, 8] } }, f32bytes([1, 2])), /entry "a": unknown dtype "F33"/],
      ["a missing dtype", () => file({ a: { shape: [2], data_offsets: [0, 8] } }, f32bytes([1, 2])), /entry "a": dtype must be a string/],
      ["a negative dimension", () => file({ a: { dtype: "F32", shape: [-2], data_offsets: [0, 8] } }, f32bytes([1, 2])), /shape \[-2\] must hold non-negative integers/],
      ["a fractional dimension", () => file({ a: { dtype: "F32", shape: [1.5], data_offsets: [0, 8] } }, f32bytes([1, 2])), /must hold non-negative integers/],
      ["a shape that does not match the bytes", () => file({ a: { dtype: "F32", shape: [3], data_offsets: [0, 8] } }, f32bytes([1, 2])), /shape \[3\] of F32 needs 12 bytes, but data_offsets \[0, 8\] hold 8/],
      ["a huge shape", () => file({ a: { dtype: "F32", shape: [2 ** 40, 2 ** 40, 2 ** 40], data_offsets: [0, 8] } }, f32bytes([1, 2])), /needs more bytes than the file has/],
      ["a huge shape times zero", () => file({ a: { dtype: "F32", shape: [2 ** 52, 2 ** 52, 0], data_offsets: [0, 0] }, b: { dtype: "F32", shape: [2], data_offsets: [0, 8] } }, f32bytes([1, 2])), null as unknown as RegExp],
      ["offsets out of range", () => file({ a: { dtype: "F32", shape: [2], data_offsets: [1e15, 1e15 + 8] } }, f32bytes([1, 2])), /run past the end of the data/],
      ["offsets ending before they begin", () => file({ a: { dtype: "F32", shape: [0], data_offsets: [8, 0] } }, f32bytes([1, 2])), /end before they begin/],
      ["non-integer offsets", () => file({ a: { dtype: "F32", shape: [2], data_offsets: [0, "8"] } }, f32bytes([1, 2])), /data_offsets must be \[begin, end\]/],
      ["three offsets", () => file({ a: { dtype: "F32", shape: [2], data_offsets: [0, 8, 16] } }, f32bytes([1, 2])), /data_offsets must be \[begin, end\]/],
      ["overlapping entries", () => file({ a: { dtype: "F32", shape: [2], data_offsets: [0, 8] }, b: { dtype: "F32", shape: [2], data_offsets: [4, 12] } }, f32bytes([1, 2, 3])),
        /entries "a" and "b" overlap/],
      ["two entries on the same bytes", () => file({ a: { dtype: "F32", shape: [2], data_offsets: [0, 8] }, b: { dtype: "F32", shape: [2], data_offsets: [0, 8] } }, f32bytes([1, 2])),
        /overlap/],
      ["a hole", () => file({ a: { dtype: "F32", shape: [1], data_offsets: [0, 4] }, b: { dtype: "F32", shape: [1], data_offsets: [8, 12] } }, f32bytes([1, 2, 3])),
        /hole in the data: no entry covers bytes \[4, 8\)/],
      ["trailing bytes", () => file(ok, f32bytes([1, 2, 3])), /4 bytes after the last tensor/],
      ["metadata that is not strings", () => file({ ...ok, __metadata__: { a: 1 } }, f32bytes([1, 2])), /__metadata__\["a"\] must be a string/],
    ];
    for (const [name, make, re] of cases) {
      it(name, () => {
        if (re === null) { expect(gt.io.decodeSafetensors(make()).tensors.get("a")!.bytes.length).toBe(0); return; }
        let err: unknown;
        try { gt.io.decodeSafetensors(make()); } catch (e) { err = e; }
        expect(err).toBeInstanceOf(gt.io.WeightsFormatError);
        expect((err as Error).message).toMatch(re);
        expect((err as Error).message).toMatch(/^safetensors: /);
      });
    }
    it("never crashes or hangs on random corruption of a valid file", () => {
      const m = net(8);
      const good = gt.io.saveSafetensors(m);
      let s = 12345;
      const rnd = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32);
      const t0 = Date.now();
      for (let trial = 0; trial < 400; trial++) {
        const b = trial % 3 === 0 ? good.slice(0, Math.floor(rnd() * good.length)) : good.slice();
        if (trial % 3 !== 0) for (let k = 0; k < 1 + Math.floor(rnd() * 4); k++) b[Math.floor(rnd() * Math.min(b.length, 400))] = Math.floor(rnd() * 256);
        try { gt.io.loadSafetensors(m, b); } catch (e) { expect(e).toBeInstanceOf(gt.GradtapeError); }
      }
      expect(Date.now() - t0).toBeLessThan(10_000);
      m.dispose();
    });
  });
});
