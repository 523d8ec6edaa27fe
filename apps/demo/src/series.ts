// Growing series of numbers for the trainer's plots, and their thinning for drawing.

/** A Float64Array that grows by doubling: the steps and values of a series, appended as they arrive. */
export class Growable {
  data = new Float64Array(1024);
  length = 0;
  push(v: number): void {
    if (this.length === this.data.length) { const d = new Float64Array(this.data.length * 2); d.set(this.data); this.data = d; }
    this.data[this.length++] = v;
  }
  clear(): void { this.length = 0; }
  view(): Float64Array { return this.data.subarray(0, this.length); }
}

/** At most `max` points of (xs, ys): every k-th, always with the last. */
export function decimate(xs: Float64Array, ys: Float64Array, max: number): { x: Float64Array; y: Float64Array } {
  if (xs.length <= max) return { x: xs, y: ys };
  const k = Math.ceil(xs.length / max);
  const n = Math.ceil(xs.length / k) + 1;
  const x = new Float64Array(n), y = new Float64Array(n);
  let j = 0;
  for (let i = 0; i < xs.length; i += k) { x[j] = xs[i]; y[j] = ys[i]; j++; }
  x[j] = xs[xs.length - 1]; y[j] = ys[ys.length - 1]; j++;
  return { x: x.subarray(0, j), y: y.subarray(0, j) };
}
