// A minimal float64 n-dimensional array: the reference that gradtape's float32 ops are checked against.
// Plain TypeScript, row-major, no views, no cleverness: every function builds a fresh array with the
// most obvious loop, so that it is easy to believe. Never imports gradtape.
//
// Semantics (NumPy / TensorFlow where they agree):
// - broadcasting: shapes are right-aligned; a dimension of 1 stretches; anything else must match;
// - NaN propagates through arithmetic, reductions (max/min too, as NumPy) and matmul;
// - comparisons return 0/1 (NaN compares false, except notEqual which is true);
// - negative axes count from the end wherever an axis is taken.

export type Shape = number[];
export interface NDArray {
  readonly shape: Shape;
  readonly data: Float64Array;
}
export type Nested = number | Nested[];

// ---------------------------------------------------------------- construction and shape helpers

export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Row-major strides (in elements). */
export function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i];
  }
  return s;
}

function checkShape(shape: readonly number[], what: string): void {
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) throw new Error(`${what}: bad dimension ${d} in shape [${shape}]`);
  }
}

export function ndarray(data: ArrayLike<number>, shape: readonly number[]): NDArray {
  checkShape(shape, "ndarray");
  const n = sizeOf(shape);
  if (data.length !== n) throw new Error(`ndarray: ${data.length} values do not fill shape [${shape}] (${n})`);
  return { shape: [...shape], data: Float64Array.from(data) };
}

export function scalar(v: number): NDArray {
  return { shape: [], data: Float64Array.of(v) };
}

export function full(shape: readonly number[], v: number): NDArray {
  checkShape(shape, "full");
  return { shape: [...shape], data: new Float64Array(sizeOf(shape)).fill(v) };
}

export function zeros(shape: readonly number[]): NDArray {
  return full(shape, 0);
}

export function fromNested(x: Nested): NDArray {
  const shape: number[] = [];
  let probe: Nested = x;
  while (Array.isArray(probe)) {
    shape.push(probe.length);
    if (probe.length === 0) break;
    probe = probe[0];
  }
  const out: number[] = [];
  const walk = (v: Nested, depth: number): void => {
    if (depth === shape.length) {
      if (typeof v !== "number") throw new Error(`fromNested: ragged array, expected a number at depth ${depth}`);
      out.push(v);
      return;
    }
    if (!Array.isArray(v) || v.length !== shape[depth]) {
      throw new Error(`fromNested: ragged array at depth ${depth}, expected length ${shape[depth]}`);
    }
    for (const e of v) walk(e, depth + 1);
  };
  walk(x, 0);
  return ndarray(out, shape);
}

export function toNested(a: NDArray): Nested {
  if (a.shape.length === 0) return a.data[0];
  const strides = stridesOf(a.shape);
  const build = (axis: number, offset: number): Nested => {
    const res: Nested[] = [];
    for (let i = 0; i < a.shape[axis]; i++) {
      const off = offset + i * strides[axis];
      res.push(axis === a.shape.length - 1 ? a.data[off] : build(axis + 1, off));
    }
    return res;
  };
  return build(0, 0);
}

export function toArray(a: NDArray): number[] {
  return Array.from(a.data);
}

export function clone(a: NDArray): NDArray {
  return { shape: [...a.shape], data: a.data.slice() };
}

/** Rounds every element to the nearest float32 (what gradtape will actually hold). */
export function roundF32(a: NDArray): NDArray {
  return map(a, Math.fround);
}

export function shapesEqual(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** Normalises an axis in [-rank, rank) to [0, rank). */
export function normAxis(axis: number, rank: number, what = "axis"): number {
  if (!Number.isInteger(axis) || axis < -rank || axis >= rank) {
    throw new Error(`${what} ${axis} is out of range for rank ${rank}`);
  }
  return axis < 0 ? axis + rank : axis;
}

function normAxes(axis: number | readonly number[] | undefined, rank: number): number[] {
  if (axis === undefined) return Array.from({ length: rank }, (_, i) => i);
  const list = typeof axis === "number" ? [axis] : [...axis];
  const out = list.map((a) => normAxis(a, rank));
  if (new Set(out).size !== out.length) throw new Error(`repeated axis in [${list}]`);
  return out.sort((p, q) => p - q);
}

function unravel(flat: number, shape: readonly number[], out: number[]): void {
  for (let i = shape.length - 1; i >= 0; i--) {
    const d = shape[i];
    out[i] = flat % d;
    flat = Math.floor(flat / d);
  }
}

/** Concatenates the data of several arrays into one vector (for finite differences). */
export function pack(arrays: readonly NDArray[]): Float64Array {
  const out = new Float64Array(arrays.reduce((n, a) => n + a.data.length, 0));
  let o = 0;
  for (const a of arrays) {
    out.set(a.data, o);
    o += a.data.length;
  }
  return out;
}

/** The inverse of pack. */
export function unpack(z: ArrayLike<number>, shapes: readonly (readonly number[])[]): NDArray[] {
  const out: NDArray[] = [];
  let o = 0;
  for (const s of shapes) {
    const n = sizeOf(s);
    out.push(ndarray(Array.prototype.slice.call(z, o, o + n) as number[], s));
    o += n;
  }
  if (o !== z.length) throw new Error(`unpack: ${z.length} values for shapes totalling ${o}`);
  return out;
}

// ---------------------------------------------------------------- broadcasting and element-wise maps

export function broadcastShapes(...shapes: (readonly number[])[]): Shape {
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  const out = new Array<number>(rank).fill(1);
  for (const s of shapes) {
    for (let i = 0; i < s.length; i++) {
      const o = rank - s.length + i;
      const d = s[i];
      if (d === out[o] || d === 1) continue;
      if (out[o] === 1) out[o] = d;
      else throw new Error(`shapes ${shapes.map((x) => `[${x}]`).join(", ")} do not broadcast (axis ${o}: ${out[o]} vs ${d})`);
    }
  }
  return out;
}

/** For every flat index of `to`, the flat index of the element of `from` that broadcasts onto it. */
function broadcastIndex(from: readonly number[], to: readonly number[]): Int32Array {
  const n = sizeOf(to);
  const idx = new Int32Array(n);
  const fs = stridesOf(from);
  const lead = to.length - from.length;
  const mi = new Array<number>(to.length).fill(0);
  for (let f = 0; f < n; f++) {
    unravel(f, to, mi);
    let off = 0;
    for (let i = 0; i < from.length; i++) if (from[i] !== 1) off += mi[lead + i] * fs[i];
    idx[f] = off;
  }
  return idx;
}

export function broadcastTo(a: NDArray, shape: readonly number[]): NDArray {
  const target = broadcastShapes(a.shape, shape);
  if (!shapesEqual(target, shape)) throw new Error(`broadcastTo: [${a.shape}] cannot be broadcast to [${shape}]`);
  const idx = broadcastIndex(a.shape, shape);
  const data = new Float64Array(idx.length);
  for (let i = 0; i < idx.length; i++) data[i] = a.data[idx[i]];
  return { shape: [...shape], data };
}

export function map(a: NDArray, f: (x: number) => number): NDArray {
  const data = new Float64Array(a.data.length);
  for (let i = 0; i < data.length; i++) data[i] = f(a.data[i]);
  return { shape: [...a.shape], data };
}

/** Binary element-wise map with NumPy broadcasting. */
export function map2(a: NDArray, b: NDArray, f: (x: number, y: number) => number): NDArray {
  const shape = broadcastShapes(a.shape, b.shape);
  const ia = broadcastIndex(a.shape, shape);
  const ib = broadcastIndex(b.shape, shape);
  const data = new Float64Array(ia.length);
  for (let i = 0; i < data.length; i++) data[i] = f(a.data[ia[i]], b.data[ib[i]]);
  return { shape, data };
}

/** Ternary element-wise map with broadcasting of all three. */
export function map3(a: NDArray, b: NDArray, c: NDArray, f: (x: number, y: number, z: number) => number): NDArray {
  const shape = broadcastShapes(a.shape, b.shape, c.shape);
  const ia = broadcastIndex(a.shape, shape);
  const ib = broadcastIndex(b.shape, shape);
  const ic = broadcastIndex(c.shape, shape);
  const data = new Float64Array(ia.length);
  for (let i = 0; i < data.length; i++) data[i] = f(a.data[ia[i]], b.data[ib[i]], c.data[ic[i]]);
  return { shape, data };
}

/** where(cond, a, b): a where cond is non-zero, else b; all three broadcast. */
export function where(cond: NDArray, a: NDArray, b: NDArray): NDArray {
  return map3(cond, a, b, (c, x, y) => (c !== 0 ? x : y));
}

export const equal = (a: NDArray, b: NDArray): NDArray => map2(a, b, (x, y) => (x === y ? 1 : 0));
export const notEqual = (a: NDArray, b: NDArray): NDArray => map2(a, b, (x, y) => (x !== y ? 1 : 0));
export const less = (a: NDArray, b: NDArray): NDArray => map2(a, b, (x, y) => (x < y ? 1 : 0));
export const lessEqual = (a: NDArray, b: NDArray): NDArray => map2(a, b, (x, y) => (x <= y ? 1 : 0));
export const greater = (a: NDArray, b: NDArray): NDArray => map2(a, b, (x, y) => (x > y ? 1 : 0));
export const greaterEqual = (a: NDArray, b: NDArray): NDArray => map2(a, b, (x, y) => (x >= y ? 1 : 0));

/** Sum of a elementwise-times b (same shape): the scalar loss sum(op(x) * w) used by the tests. */
export function dot(a: NDArray, b: NDArray): number {
  if (!shapesEqual(a.shape, b.shape)) throw new Error(`dot: shapes [${a.shape}] and [${b.shape}] differ`);
  let s = 0;
  for (let i = 0; i < a.data.length; i++) s += a.data[i] * b.data[i];
  return s;
}

// ---------------------------------------------------------------- reductions

/**
 * Generic reduction over `axis` (undefined = all axes; [] = none). `step` folds one value into the
 * accumulator, `finish(acc, count)` turns the accumulator into the result.
 */
export function reduce(
  a: NDArray,
  axis: number | readonly number[] | undefined,
  keepDims: boolean,
  init: number,
  step: (acc: number, x: number) => number,
  finish: (acc: number, count: number) => number = (acc) => acc,
): NDArray {
  const rank = a.shape.length;
  const axes = normAxes(axis, rank);
  const reduced = new Array<boolean>(rank).fill(false);
  for (const ax of axes) reduced[ax] = true;
  const keptShape = a.shape.map((d, i) => (reduced[i] ? 1 : d));
  const outShape = keepDims ? keptShape : a.shape.filter((_, i) => !reduced[i]);
  const ks = stridesOf(keptShape);
  const nOut = sizeOf(keptShape);
  const acc = new Float64Array(nOut).fill(init);
  const mi = new Array<number>(rank).fill(0);
  for (let f = 0; f < a.data.length; f++) {
    unravel(f, a.shape, mi);
    let o = 0;
    for (let i = 0; i < rank; i++) if (!reduced[i]) o += mi[i] * ks[i];
    acc[o] = step(acc[o], a.data[f]);
  }
  const count = nOut === 0 ? 0 : a.data.length / nOut;
  for (let i = 0; i < nOut; i++) acc[i] = finish(acc[i], count);
  return { shape: outShape, data: acc };
}

type AxisArg = number | readonly number[] | undefined;
export const sum = (a: NDArray, axis?: AxisArg, keepDims = false): NDArray =>
  reduce(a, axis, keepDims, 0, (s, x) => s + x);
export const mean = (a: NDArray, axis?: AxisArg, keepDims = false): NDArray =>
  reduce(a, axis, keepDims, 0, (s, x) => s + x, (s, n) => s / n);
// Math.max/Math.min propagate NaN, which is the NumPy (and wasm f32x4.max/min) behaviour.
export const max = (a: NDArray, axis?: AxisArg, keepDims = false): NDArray =>
  reduce(a, axis, keepDims, -Infinity, (m, x) => Math.max(m, x));
export const min = (a: NDArray, axis?: AxisArg, keepDims = false): NDArray =>
  reduce(a, axis, keepDims, Infinity, (m, x) => Math.min(m, x));

// ---------------------------------------------------------------- matmul

/**
 * Matrix product over the last two axes, with broadcast batch dimensions (NumPy matmul / tf.matMul).
 * Both operands must have rank >= 2. transposeA/transposeB transpose the last two axes first.
 */
export function matmul(a: NDArray, b: NDArray, transposeA = false, transposeB = false): NDArray {
  if (a.shape.length < 2 || b.shape.length < 2) {
    throw new Error(`matmul: both operands need rank >= 2, got [${a.shape}] and [${b.shape}]`);
  }
  const ra = a.shape.length;
  const rb = b.shape.length;
  const [ar, ac] = [a.shape[ra - 2], a.shape[ra - 1]];
  const [br, bc] = [b.shape[rb - 2], b.shape[rb - 1]];
  const m = transposeA ? ac : ar;
  const k = transposeA ? ar : ac;
  const k2 = transposeB ? bc : br;
  const n = transposeB ? br : bc;
  if (k !== k2) throw new Error(`matmul: inner dimensions differ (${k} vs ${k2}) for [${a.shape}] x [${b.shape}]`);
  const batchA = a.shape.slice(0, -2);
  const batchB = b.shape.slice(0, -2);
  const batch = broadcastShapes(batchA, batchB);
  const ia = broadcastIndex(batchA, batch);
  const ib = broadcastIndex(batchB, batch);
  const nb = ia.length;
  const out = new Float64Array(nb * m * n);
  for (let p = 0; p < nb; p++) {
    const offA = ia[p] * ar * ac;
    const offB = ib[p] * br * bc;
    const offC = p * m * n;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let q = 0; q < k; q++) {
          const av = transposeA ? a.data[offA + q * ac + i] : a.data[offA + i * ac + q];
          const bv = transposeB ? b.data[offB + j * bc + q] : b.data[offB + q * bc + j];
          s += av * bv;
        }
        out[offC + i * n + j] = s;
      }
    }
  }
  return { shape: [...batch, m, n], data: out };
}

// ---------------------------------------------------------------- shape ops

/** reshape; one dimension may be -1 (inferred). */
export function reshape(a: NDArray, shape: readonly number[]): NDArray {
  const s = [...shape];
  const inferred = s.indexOf(-1);
  if (inferred !== s.lastIndexOf(-1)) throw new Error(`reshape: more than one -1 in [${shape}]`);
  if (inferred >= 0) {
    const rest = sizeOf(s.filter((_, i) => i !== inferred));
    if (rest === 0 || a.data.length % rest !== 0) throw new Error(`reshape: cannot infer -1 in [${shape}] for size ${a.data.length}`);
    s[inferred] = a.data.length / rest;
  }
  checkShape(s, "reshape");
  if (sizeOf(s) !== a.data.length) throw new Error(`reshape: [${a.shape}] (${a.data.length}) cannot become [${shape}]`);
  return { shape: s, data: a.data.slice() };
}

/** transpose(perm): output axis i is input axis perm[i]; default reverses the axes. */
export function transpose(a: NDArray, perm?: readonly number[]): NDArray {
  const rank = a.shape.length;
  const p = perm ? perm.map((ax) => normAxis(ax, rank, "transpose perm")) : Array.from({ length: rank }, (_, i) => rank - 1 - i);
  if (p.length !== rank || new Set(p).size !== rank) throw new Error(`transpose: [${perm}] is not a permutation of rank ${rank}`);
  const outShape = p.map((ax) => a.shape[ax]);
  const is = stridesOf(a.shape);
  const data = new Float64Array(a.data.length);
  const mi = new Array<number>(rank).fill(0);
  for (let f = 0; f < data.length; f++) {
    unravel(f, outShape, mi);
    let off = 0;
    for (let i = 0; i < rank; i++) off += mi[i] * is[p[i]];
    data[f] = a.data[off];
  }
  return { shape: outShape, data };
}

/** expandDims(axis), axis in [-(rank+1), rank]. */
export function expandDims(a: NDArray, axis: number): NDArray {
  const ax = normAxis(axis, a.shape.length + 1, "expandDims axis");
  const s = [...a.shape];
  s.splice(ax, 0, 1);
  return { shape: s, data: a.data.slice() };
}

/** squeeze(axis?): removes the given size-1 axes, or every size-1 axis. */
export function squeeze(a: NDArray, axis?: number | readonly number[]): NDArray {
  const rank = a.shape.length;
  let drop: number[];
  if (axis === undefined) drop = a.shape.flatMap((d, i) => (d === 1 ? [i] : []));
  else {
    drop = normAxes(axis, rank);
    for (const ax of drop) if (a.shape[ax] !== 1) throw new Error(`squeeze: axis ${ax} of [${a.shape}] has size ${a.shape[ax]}, not 1`);
  }
  return { shape: a.shape.filter((_, i) => !drop.includes(i)), data: a.data.slice() };
}

/**
 * slice(begin, size, stride): along each axis take `size` elements begin, begin+stride, ...
 * Missing trailing axes are taken whole. size -1 means "as many as fit". stride defaults to 1 and
 * may be negative (then size -1 walks down to index 0).
 */
export function slice(
  a: NDArray,
  begin: number | readonly number[],
  size?: number | readonly number[],
  stride?: number | readonly number[],
): NDArray {
  const rank = a.shape.length;
  const bs = typeof begin === "number" ? [begin] : [...begin];
  const ss = size === undefined ? [] : typeof size === "number" ? [size] : [...size];
  const st = stride === undefined ? [] : typeof stride === "number" ? [stride] : [...stride];
  if (bs.length > rank || ss.length > rank || st.length > rank) throw new Error(`slice: more axes than rank ${rank}`);
  const b: number[] = [];
  const n: number[] = [];
  const s: number[] = [];
  for (let i = 0; i < rank; i++) {
    const dim = a.shape[i];
    const bi = bs[i] ?? 0;
    const si = st[i] ?? 1;
    if (!Number.isInteger(si) || si === 0) throw new Error(`slice: bad stride ${si} on axis ${i}`);
    if (!Number.isInteger(bi) || bi < 0 || (bi >= dim && dim > 0)) throw new Error(`slice: begin ${bi} out of range on axis ${i} (size ${dim})`);
    let ni = ss[i] ?? -1;
    if (ni === -1) ni = si > 0 ? Math.ceil((dim - bi) / si) : Math.floor(bi / -si) + 1;
    if (!Number.isInteger(ni) || ni < 0) throw new Error(`slice: bad size ${ni} on axis ${i}`);
    const last = bi + (ni - 1) * si;
    if (ni > 0 && (last < 0 || last >= dim)) throw new Error(`slice: axis ${i} reads index ${last}, outside size ${dim}`);
    b.push(bi);
    n.push(ni);
    s.push(si);
  }
  const is = stridesOf(a.shape);
  const data = new Float64Array(sizeOf(n));
  const mi = new Array<number>(rank).fill(0);
  for (let f = 0; f < data.length; f++) {
    unravel(f, n, mi);
    let off = 0;
    for (let i = 0; i < rank; i++) off += (b[i] + mi[i] * s[i]) * is[i];
    data[f] = a.data[off];
  }
  return { shape: n, data };
}

/** Integer indexing on the leading axes: index(a, i, j) drops those axes. Negative indices wrap. */
export function index(a: NDArray, ...idx: number[]): NDArray {
  if (idx.length > a.shape.length) throw new Error(`index: ${idx.length} indices for rank ${a.shape.length}`);
  const begin = idx.map((v, i) => normAxis(v, a.shape[i], `index ${v} on axis ${i}`));
  const sizes = a.shape.map((d, i) => (i < idx.length ? 1 : d));
  const s = slice(a, begin, sizes);
  return { shape: a.shape.slice(idx.length), data: s.data };
}

export function concat(arrays: readonly NDArray[], axis: number): NDArray {
  if (arrays.length === 0) throw new Error("concat: no arrays");
  const rank = arrays[0].shape.length;
  if (rank === 0) throw new Error("concat: cannot concatenate scalars (use stack)");
  const ax = normAxis(axis, rank, "concat axis");
  for (const x of arrays) {
    if (x.shape.length !== rank || x.shape.some((d, i) => i !== ax && d !== arrays[0].shape[i])) {
      throw new Error(`concat: shapes ${arrays.map((y) => `[${y.shape}]`).join(", ")} differ off axis ${ax}`);
    }
  }
  const outShape = [...arrays[0].shape];
  outShape[ax] = arrays.reduce((t, x) => t + x.shape[ax], 0);
  const outer = sizeOf(outShape.slice(0, ax));
  const inner = sizeOf(outShape.slice(ax + 1));
  const data = new Float64Array(sizeOf(outShape));
  let o = 0;
  for (let p = 0; p < outer; p++) {
    for (const x of arrays) {
      const chunk = x.shape[ax] * inner;
      data.set(x.data.subarray(p * chunk, (p + 1) * chunk), o);
      o += chunk;
    }
  }
  return { shape: outShape, data };
}

export function stack(arrays: readonly NDArray[], axis = 0): NDArray {
  if (arrays.length === 0) throw new Error("stack: no arrays");
  const rank = arrays[0].shape.length;
  for (const x of arrays) if (!shapesEqual(x.shape, arrays[0].shape)) throw new Error(`stack: shapes differ`);
  const ax = normAxis(axis, rank + 1, "stack axis");
  return concat(arrays.map((x) => expandDims(x, ax)), ax);
}

/**
 * gather(a, indices, axis): output shape a.shape[:axis] + indices.shape + a.shape[axis+1:]
 * (tf.gather with batchDims 0). Indices must be integers in [0, size); repeats are allowed.
 */
export function gather(a: NDArray, indices: NDArray | readonly number[], axis = 0): NDArray {
  const ind = Array.isArray(indices) ? ndarray(indices as number[], [indices.length]) : (indices as NDArray);
  const ax = normAxis(axis, a.shape.length, "gather axis");
  const dim = a.shape[ax];
  for (const v of ind.data) if (!Number.isInteger(v) || v < 0 || v >= dim) throw new Error(`gather: index ${v} out of range [0, ${dim})`);
  const outer = sizeOf(a.shape.slice(0, ax));
  const inner = sizeOf(a.shape.slice(ax + 1));
  const outShape = [...a.shape.slice(0, ax), ...ind.shape, ...a.shape.slice(ax + 1)];
  const data = new Float64Array(sizeOf(outShape));
  let o = 0;
  for (let p = 0; p < outer; p++) {
    for (const v of ind.data) {
      const src = (p * dim + v) * inner;
      data.set(a.data.subarray(src, src + inner), o);
      o += inner;
    }
  }
  return { shape: outShape, data };
}

/** pad(paddings, value): paddings[i] = [before, after] for every axis. */
export function pad(a: NDArray, paddings: readonly (readonly [number, number])[], value = 0): NDArray {
  const rank = a.shape.length;
  if (paddings.length !== rank) throw new Error(`pad: ${paddings.length} paddings for rank ${rank}`);
  for (const [lo, hi] of paddings) if (!(Number.isInteger(lo) && Number.isInteger(hi) && lo >= 0 && hi >= 0)) throw new Error(`pad: bad padding [${lo}, ${hi}]`);
  const outShape = a.shape.map((d, i) => d + paddings[i][0] + paddings[i][1]);
  const out = full(outShape, value);
  const os = stridesOf(outShape);
  const mi = new Array<number>(rank).fill(0);
  for (let f = 0; f < a.data.length; f++) {
    unravel(f, a.shape, mi);
    let off = 0;
    for (let i = 0; i < rank; i++) off += (mi[i] + paddings[i][0]) * os[i];
    out.data[off] = a.data[f];
  }
  return out;
}

/** Formats a flat index of `shape` as a multi-index, e.g. "[1,0,2]" (for error messages). */
export function formatIndex(flat: number, shape: readonly number[]): string {
  const mi = new Array<number>(shape.length).fill(0);
  unravel(flat, shape, mi);
  return `[${mi.join(",")}]`;
}
