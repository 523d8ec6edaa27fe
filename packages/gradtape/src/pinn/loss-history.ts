// The loss history of a run, [step, loss, ...terms] per step, in fixed-size Float64Array chunks: about 8 bytes per
// number of the JS heap, where an array or a typed array per step costs ~100-280 B (test/soak/train-soak.mjs
// measures the heap of a 4,000-step pinn.train).
const CHUNK_ROWS = 1024;

export class LossHistory {
  #chunks: Float64Array[] = [];
  #rows = 0;
  /** numbers per row: 2 + the number of terms (fixed by the first row, or given) */
  width = 0;

  constructor(flat?: Float64Array, width?: number) {
    if (flat && width) { this.width = width; for (let i = 0; i < flat.length / width; i++) this.push(flat.subarray(i * width, (i + 1) * width)); }
  }

  get length(): number { return this.#rows; }

  /** Appends a row (step, loss, terms...), cut or padded (NaN) to the width. */
  push(row: ArrayLike<number>): void {
    if (this.width === 0) this.width = row.length;
    const k = this.#rows % CHUNK_ROWS;
    if (k === 0) this.#chunks.push(new Float64Array(CHUNK_ROWS * this.width));
    const c = this.#chunks[this.#chunks.length - 1], off = k * this.width;
    for (let j = 0; j < this.width; j++) c[off + j] = j < row.length ? row[j] : NaN;
    this.#rows++;
  }

  /** All rows, row-major, in one array of length rows x width. */
  flat(): Float64Array {
    const out = new Float64Array(this.#rows * this.width);
    this.#chunks.forEach((c, i) => { const n = Math.min(CHUNK_ROWS, this.#rows - i * CHUNK_ROWS) * this.width; out.set(c.subarray(0, n), i * CHUNK_ROWS * this.width); });
    return out;
  }

  /** Row i as [step, loss, ...terms]. */
  row(i: number): Float64Array {
    const c = this.#chunks[Math.floor(i / CHUNK_ROWS)], off = (i % CHUNK_ROWS) * this.width;
    return c.subarray(off, off + this.width);
  }
}
