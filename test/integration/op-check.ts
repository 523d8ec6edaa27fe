// Helpers for the op conformance suite (ops.test.ts): moving values between gradtape tensors and
// float64 reference arrays, calling ops by name with a clear error when one is missing, and
// comparing with tolerances so that a failure says which element, by how much, against what bound.
import { expect } from "vitest";
import * as gt from "gradtape";
import { nd, type NDArray } from "../reference/index.js";

export type Tensor = gt.Tensor;
export type Operand = Tensor | number;

/** What was read back from a gradtape tensor. */
export interface Read {
  shape: number[];
  dtype: string;
  data: Float64Array;
}

/** The float dtype the op table runs in (float32, or float64 for its second pass: harness.ts describeRows). */
export let tableDtype: "float32" | "float64" = "float32";
export function setTableDtype(d: "float32" | "float64"): void { tableDtype = d; }

/** A tensor of the table's dtype holding exactly the (already float32-rounded) values of `a`. */
export function toTensor(a: NDArray): Tensor {
  return tableDtype === "float32" ? gt.tensor(Array.from(a.data), [...a.shape]) : gt.tensor(Array.from(a.data), [...a.shape], "float64");
}

/** Reads shape, dtype and values (bool/int data are converted with Number). `what` names it in errors. */
export function readTensor(t: unknown, what: string): Read {
  if (t === null || t === undefined || typeof t !== "object") {
    throw new Error(`${what}: expected a gradtape Tensor, got ${t === null ? "null" : typeof t}`);
  }
  const tensor = t as Tensor;
  const raw = tensor.data() as unknown;
  if (raw && typeof (raw as { then?: unknown }).then === "function") {
    throw new Error(`${what}: Tensor.data() returned a Promise; the suite relies on a synchronous copy`);
  }
  const values = Array.from(raw as ArrayLike<number | boolean>, Number);
  const shape = Array.from(tensor.shape as ArrayLike<number>);
  if (values.length !== nd.sizeOf(shape)) {
    throw new Error(`${what}: data() has ${values.length} values but shape is [${shape}]`);
  }
  return { shape, dtype: String(tensor.dtype), data: Float64Array.from(values) };
}

/** t[name](...args), failing with a message that names the missing method. */
export function method(t: Operand, name: string, ...args: unknown[]): Tensor {
  const f = (t as unknown as Record<string, unknown>)[name];
  if (typeof f !== "function") throw new Error(`gradtape Tensor has no method ${name}() (the op table expects x.${name}(...))`);
  return (f as (...a: unknown[]) => Tensor).apply(t, args);
}

/** gt[name](...args), failing with a message that names the missing export. */
export function fn(name: string, ...args: unknown[]): Tensor {
  const f = (gt as unknown as Record<string, unknown>)[name];
  if (typeof f !== "function") throw new Error(`gradtape exports no function ${name}() (the op table expects gt.${name}(...))`);
  return (f as (...a: unknown[]) => Tensor)(...args);
}

export interface Tolerance {
  /** relative tolerance */
  rtol: number;
  /** absolute floor added to the bound */
  atol?: number;
  /** per-element magnitude the relative tolerance applies to, when larger than |want| (e.g. sum of |terms|) */
  scale?: ArrayLike<number>;
  /** a magnitude applied to every element (norm-wise comparison), when larger than |want_i| */
  floor?: number;
}

/**
 * Asserts shape and values: element i passes when |got - want| <= rtol * max(|want_i|, scale_i, floor) + atol.
 * NaN must meet NaN and +-Infinity must match exactly. rtol = atol = 0 demands bit-exact float32 equality
 * (the reference values were computed from float32 inputs, so pure data movement reproduces them exactly).
 */
export function expectClose(label: string, got: Read, want: NDArray, tol: Tolerance): void {
  expect(got.shape, `${label}: shape [${got.shape}] should be [${want.shape}]`).toEqual(want.shape);
  const bad: string[] = [];
  const atol = tol.atol ?? 0;
  for (let i = 0; i < want.data.length; i++) {
    const w = want.data[i];
    const g = got.data[i];
    const where = `${label}${want.shape.length ? " at " + nd.formatIndex(i, want.shape) : ""}`;
    if (Number.isNaN(w)) {
      if (!Number.isNaN(g)) bad.push(`${where}: got ${g}, want NaN`);
      continue;
    }
    if (!Number.isFinite(w) || !Number.isFinite(g)) {
      if (g !== w) bad.push(`${where}: got ${g}, want ${w}`);
      continue;
    }
    const mag = Math.max(Math.abs(w), tol.scale ? Math.abs(tol.scale[i]) : 0, tol.floor ?? 0);
    const bound = tol.rtol * mag + atol;
    const err = Math.abs(g - w);
    if (!(err <= bound)) {
      bad.push(`${where}: got ${g}, want ${w}, |err| ${err.toExponential(3)} > bound ${bound.toExponential(3)} (rel err ${(err / Math.max(Math.abs(w), 1e-300)).toExponential(2)})`);
    }
  }
  const head = `${label}: ${bad.length} of ${want.data.length} elements out of tolerance (rtol ${tol.rtol}, atol ${atol}${tol.floor ? `, norm-wise floor ${tol.floor.toExponential(2)}` : ""})`;
  expect(bad, `${head}\n  ${bad.slice(0, 10).join("\n  ")}${bad.length > 10 ? `\n  ... ${bad.length - 10} more` : ""}`).toEqual([]);
}

export function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) if (Number.isFinite(a[i])) m = Math.max(m, Math.abs(a[i]));
  return m;
}

/** Runs fn inside gt.tidy and hands back what fn stored, so nothing returned from tidy needs to be a tensor. */
export function tidyRun<T>(fn: () => T): T {
  let out: { v: T } | undefined;
  gt.tidy(() => {
    out = { v: fn() };
  });
  if (!out) throw new Error("gt.tidy did not run its callback");
  return out.v;
}
