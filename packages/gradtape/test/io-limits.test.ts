// Weights readers with limits (issue 14): a maximum input size and a maximum JSON nesting depth, both configurable,
// checked before anything is decoded; non-finite JSON weights refused; a model built from a file that does not fit
// releases its weights at once.
import { describe, it, expect, beforeAll } from "vitest";
import * as gt from "gradtape";

beforeAll(async () => { await gt.ready(); });

const oneLayer = (k: unknown) => JSON.stringify({ weights: { layers: [{ kernel: k, bias: [0], activation: "linear" }] } });

describe("weights readers' limits", () => {
  it("10^6-deep JSON nesting is a named WeightsFormatError, not a stack overflow", () => {
    const deep = "[".repeat(1e6) + "]".repeat(1e6);
    for (const f of [() => gt.io.parseWeightsJSON(deep), () => gt.io.modelFromWeightsJSON(deep), () => gt.io.parseWeightsJSON(new TextEncoder().encode(`{"weights":${deep}}`))]) {
      expect(f).toThrow(gt.io.WeightsFormatError);
      expect(f).toThrow(/nested more than 32 levels deep/);
    }
    // brackets inside strings do not count; the limit is configurable
    expect(() => gt.io.parseWeightsJSON(JSON.stringify({ weights: { layers: [{ kernel: [[1]], activation: "linear", note: "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[" }] } }))).not.toThrow();
    expect(() => gt.io.parseWeightsJSON(oneLayer([[1]]), "p", { maxDepth: 5 })).toThrow(/nested more than 5 levels/);
    expect(() => gt.io.parseWeightsJSON(oneLayer([[1]]), "p", { maxDepth: 6 })).not.toThrow();
  });

  it("an input above maxBytes is refused before it is decoded (JSON text and bytes, safetensors)", () => {
    const text = oneLayer([[1]]);
    expect(() => gt.io.parseWeightsJSON(text, "p", { maxBytes: 10 })).toThrow(/is \d+ bytes, above the limit of 10 \(maxBytes\)/);
    expect(() => gt.io.parseWeightsJSON(new TextEncoder().encode(text), "p", { maxBytes: 10 })).toThrow(gt.io.WeightsFormatError);
    const st = gt.io.encodeSafetensors({ a: { shape: [2], data: [1, 2] } });
    expect(() => gt.io.decodeSafetensors(st, { maxBytes: st.length - 1 })).toThrow(/the file is \d+ bytes, above the limit/);
    expect(gt.io.decodeSafetensors(st, { maxBytes: st.length }).tensors.get("a")!.shape).toEqual([2]);
    expect(() => gt.io.decodeSafetensors(st, { maxBytes: -1 })).toThrow(gt.ArgumentError);
    expect(gt.io.MAX_WEIGHTS_BYTES).toBe(2 ** 30);
  });

  it("a deeply nested safetensors header is refused by the same rule", () => {
    const header = new TextEncoder().encode(`{"a":${"[".repeat(100)}${"]".repeat(100)}}`);
    const f = new Uint8Array(8 + header.length);
    new DataView(f.buffer).setUint32(0, header.length, true);
    f.set(header, 8);
    expect(() => gt.io.decodeSafetensors(f)).toThrow(/nested more than 32 levels/);
  });

  it("non-finite JSON weights are refused (1e999 reads as Infinity)", () => {
    expect(() => gt.io.parseWeightsJSON(oneLayer([[1]]).replace("[[1]]", "[[1e999]]"))).toThrow(/kernel\[0\]\[0\] must be a finite number, but it is Infinity/);
    expect(() => gt.io.parseWeightsJSON({ weights: { layers: [{ kernel: [[NaN]], activation: "linear" }] } })).toThrow(/must be a finite number, but it is NaN/);
  });

  it("a model built from a file that does not fit releases its weights at once", () => {
    const before = gt.memory().tensors;
    // layer 1's activation does not match the file's metadata: found after the model was built
    const m = new gt.nn.Sequential([new gt.nn.Dense({ units: 2, activation: "tanh", inputShape: [1], seed: 1 }), new gt.nn.Dense({ units: 1, seed: 2 })]);
    gt.tidy(() => { m.apply(gt.zeros([1, 1])); });
    const bytes = gt.io.saveSafetensors(m);
    m.dispose();
    expect(gt.memory().tensors).toBe(before);
    expect(() => gt.io.modelFromSafetensors(bytes, { strict: true, names: (i, k) => (i === 1 && k === "bias" ? "missing" : `layers.${i}.${k}`) })).toThrow(gt.io.WeightsFormatError);
    expect(gt.memory().tensors).toBe(before);
  });
});
