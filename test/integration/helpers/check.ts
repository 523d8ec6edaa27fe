// Small assertion helpers shared by the tape, views, unconnected, memory, errors, seed, transforms and nn suites.
// Expected values always come from test/reference/ (float64) or from closed-form float64 formulas, never from
// gradtape itself.
import { expect } from "vitest";
import * as gt from "gradtape";

export type Tensor = gt.Tensor;

/** The values of a tensor as float64 numbers (row-major). */
export function vals(t: Tensor | null | undefined, what = "tensor"): number[] {
  if (!(t instanceof gt.Tensor)) throw new Error(`${what}: expected a gradtape Tensor, got ${t === null ? "null" : typeof t}`);
  return Array.from(t.data(), Number);
}

/** Flattens nested number arrays. */
export function flat(x: unknown): number[] {
  if (typeof x === "number") return [x];
  if (Array.isArray(x)) return x.flatMap(flat);
  if (ArrayBuffer.isView(x)) return Array.from(x as unknown as ArrayLike<number>);
  throw new Error(`flat: not a number array: ${String(x)}`);
}

export function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

export interface Tol {
  /** relative tolerance */
  rtol: number;
  /** absolute tolerance added to the bound */
  atol?: number;
  /** norm-wise: the relative tolerance applies to max(|want_i|, max_j |want_j|) */
  normwise?: boolean;
}

/**
 * Element i passes when |got_i - want_i| <= rtol * mag_i + atol, mag_i = |want_i| (or, norm-wise, the largest
 * |want_j|). NaN must meet NaN. Lists every failing element with its error and bound.
 */
export function expectClose(label: string, got: ArrayLike<number>, want: ArrayLike<number>, tol: Tol): void {
  expect(got.length, `${label}: ${got.length} values, want ${want.length}`).toBe(want.length);
  const norm = tol.normwise ? maxAbs(want) : 0;
  const bad: string[] = [];
  for (let i = 0; i < want.length; i++) {
    const w = want[i], g = got[i];
    if (Number.isNaN(w)) { if (!Number.isNaN(g)) bad.push(`[${i}] got ${g}, want NaN`); continue; }
    if (!Number.isFinite(w)) { if (g !== w) bad.push(`[${i}] got ${g}, want ${w}`); continue; }
    const bound = tol.rtol * Math.max(Math.abs(w), norm) + (tol.atol ?? 0);
    const err = Math.abs(g - w);
    if (!(err <= bound)) bad.push(`[${i}] got ${g}, want ${w}, |err| ${err.toExponential(2)} > ${bound.toExponential(2)}`);
  }
  expect(bad, `${label}: ${bad.length} of ${want.length} out of tolerance (rtol ${tol.rtol}${tol.atol ? `, atol ${tol.atol}` : ""}${tol.normwise ? ", norm-wise" : ""})\n  ${bad.slice(0, 12).join("\n  ")}`).toEqual([]);
}

/** Shape and values of a tensor against a float64 expectation. */
export function expectTensor(label: string, t: Tensor | null | undefined, shape: readonly number[], want: ArrayLike<number>, tol: Tol): void {
  expect(t, `${label}: expected a tensor, got ${t === null ? "null" : typeof t}`).toBeInstanceOf(gt.Tensor);
  expect([...t!.shape], `${label}: shape`).toEqual([...shape]);
  expectClose(label, vals(t, label), want, tol);
}

/** Bit-exact float32 comparison (for pure data movement: views, slices of gradients). */
export function expectExact(label: string, got: ArrayLike<number>, want: ArrayLike<number>): void {
  expect(Array.from(got), label).toEqual(Array.from(want, (v) => Math.fround(v)));
}

type ErrorClass = new (...args: never[]) => Error;

/**
 * Runs fn, which must throw an instance of `cls` (and of gt.GradtapeError) whose message contains every string in
 * `parts` (case-sensitive) and matches every RegExp. Returns the error for further checks.
 */
export function expectError(fn: () => unknown, cls: ErrorClass, parts: (string | RegExp)[] = []): Error {
  let caught: unknown = undefined;
  let threw = false;
  try { fn(); } catch (e) { caught = e; threw = true; }
  expect(threw, `expected ${cls.name} to be thrown, but nothing was thrown`).toBe(true);
  const e = caught as Error;
  expect(e, `expected ${cls.name}, got ${(e as Error)?.name}: ${(e as Error)?.message}`).toBeInstanceOf(cls);
  expect(e, `${cls.name} should extend GradtapeError`).toBeInstanceOf(gt.GradtapeError);
  expect(e.name, "error.name should be the class name").toBe(e.constructor.name);
  for (const p of parts) {
    if (typeof p === "string") expect(e.message, `message should contain ${JSON.stringify(p)}`).toContain(p);
    else expect(e.message, `message should match ${p}`).toMatch(p);
  }
  return e;
}

/** memory() restricted to what must come back exactly: live tensors, their bytes, live tapes. */
export function live(): { tensors: number; bytes: number; tapes: number } {
  const m = gt.memory();
  return { tensors: m.tensors, bytes: m.bytes, tapes: m.tapes };
}

/** Runs fn and asserts that live tensors, bytes and tapes are the same afterwards. */
export function expectNoLeak<T>(label: string, fn: () => T): T {
  const before = live();
  const r = fn();
  expect(live(), `${label}: memory() after`).toEqual(before);
  return r;
}

/** Creates a float32 tensor from float64 numbers and returns it with the float32-rounded values. */
export function f32(values: number[]): number[] { return values.map((v) => Math.fround(v)); }
