// Float64 scalar functions, one per element-wise gradtape op. They are the reference values; the
// derivatives live in dual.ts. NaN in gives NaN out for every function (relu and maximum/minimum
// included: NumPy semantics, and what wasm's f32x4.max/min do).

export const neg = (x: number): number => -x;
export const abs = (x: number): number => Math.abs(x);
export const exp = (x: number): number => Math.exp(x);
export const log = (x: number): number => Math.log(x);
export const sqrt = (x: number): number => Math.sqrt(x);
export const square = (x: number): number => x * x;
export const reciprocal = (x: number): number => 1 / x;
export const sin = (x: number): number => Math.sin(x);
export const cos = (x: number): number => Math.cos(x);
export const tanh = (x: number): number => Math.tanh(x);

/** 1 / (1 + e^-x), evaluated without overflow on either side. */
export function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/** max(x, 0); NaN stays NaN. */
export const relu = (x: number): number => (x > 0 ? x : x === x ? 0 : NaN);

/** log(1 + e^x) = max(x, 0) + log1p(e^-|x|): no overflow for large x, full precision for very negative x. */
export function softplus(x: number): number {
  return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
}

export const add = (a: number, b: number): number => a + b;
export const sub = (a: number, b: number): number => a - b;
export const mul = (a: number, b: number): number => a * b;
export const div = (a: number, b: number): number => a / b;
export const pow = (a: number, b: number): number => Math.pow(a, b);
export const maximum = (a: number, b: number): number => Math.max(a, b);
export const minimum = (a: number, b: number): number => Math.min(a, b);

export const UNARY = {
  neg, abs, exp, log, sqrt, square, reciprocal, sin, cos, tanh, sigmoid, relu, softplus,
} as const;
export type UnaryName = keyof typeof UNARY;
export const UNARY_NAMES = Object.keys(UNARY) as UnaryName[];

export const BINARY = { add, sub, mul, div, pow, maximum, minimum } as const;
export type BinaryName = keyof typeof BINARY;
export const BINARY_NAMES = Object.keys(BINARY) as BinaryName[];
