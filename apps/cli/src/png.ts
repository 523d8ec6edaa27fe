// A tiny PNG writer (8-bit RGB, on node:zlib: deflate, and crc32, Node >= 20.15) and the pictures
// `gradtape pinn --out` draws: prediction | reference | error, side by side, as heat maps for 2-D problems and as
// line plots for 1-D ones, each panel with a color bar.
import { deflateSync, crc32 } from "node:zlib";

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  dv.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

export const PNG_SIGNATURE = Uint8Array.of(137, 80, 78, 71, 13, 10, 26, 10);

/** Encodes an RGB image (rgb: width * height * 3 bytes, rows top to bottom) as PNG bytes. */
export function encodePng(width: number, height: number, rgb: Uint8Array): Uint8Array {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1 || rgb.length !== width * height * 3) {
    throw new RangeError(`encodePng: ${rgb.length} bytes do not make a ${width} x ${height} RGB image`);
  }
  const ihdr = new Uint8Array(13);
  const dv = new DataView(ihdr.buffer);
  dv.setUint32(0, width); dv.setUint32(4, height);
  ihdr[8] = 8; ihdr[9] = 2; ihdr[10] = 0; ihdr[11] = 0; ihdr[12] = 0; // 8-bit, truecolor, deflate, adaptive filters, no interlace
  const raw = new Uint8Array(height * (1 + width * 3));
  for (let y = 0; y < height; y++) {
    raw[y * (1 + width * 3)] = 0; // filter: none
    raw.set(rgb.subarray(y * width * 3, (y + 1) * width * 3), y * (1 + width * 3) + 1);
  }
  const idat = new Uint8Array(deflateSync(raw, { level: 9 }));
  const parts = [PNG_SIGNATURE, chunk("IHDR", ihdr), chunk("IDAT", idat), chunk("IEND", new Uint8Array(0))];
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let off = 0;
  for (const p of parts) { out.set(p, off); off += p.length; }
  return out;
}

type RGB = [number, number, number];

// viridis at 9 evenly spaced stops
const VIRIDIS: RGB[] = [
  [68, 1, 84], [71, 44, 122], [59, 81, 139], [44, 113, 142], [33, 144, 141], [39, 173, 129], [92, 200, 99], [170, 220, 50], [253, 231, 37],
];
// inferno at 9 evenly spaced stops (for errors)
const INFERNO: RGB[] = [
  [0, 0, 4], [31, 12, 72], [85, 15, 109], [136, 34, 106], [186, 54, 85], [227, 89, 51], [249, 140, 10], [249, 201, 50], [252, 255, 164],
];

function colormap(stops: RGB[], v: number): RGB {
  const x = Math.min(1, Math.max(0, Number.isFinite(v) ? v : 0)) * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(x)), f = x - i;
  const a = stops[i], b = stops[i + 1];
  return [Math.round(a[0] + f * (b[0] - a[0])), Math.round(a[1] + f * (b[1] - a[1])), Math.round(a[2] + f * (b[2] - a[2]))];
}

class Canvas {
  readonly rgb: Uint8Array;
  constructor(readonly width: number, readonly height: number) { this.rgb = new Uint8Array(width * height * 3).fill(255); }
  set(x: number, y: number, c: RGB): void {
    if (x < 0 || y < 0 || x >= this.width || y >= this.height) return;
    const k = (y * this.width + x) * 3;
    this.rgb[k] = c[0]; this.rgb[k + 1] = c[1]; this.rgb[k + 2] = c[2];
  }
  line(x0: number, y0: number, x1: number, y1: number, c: RGB): void {
    x0 = Math.round(x0); y0 = Math.round(y0); x1 = Math.round(x1); y1 = Math.round(y1);
    const dx = Math.abs(x1 - x0), dy = -Math.abs(y1 - y0), sx = x0 < x1 ? 1 : -1, sy = y0 < y1 ? 1 : -1;
    let err = dx + dy;
    for (;;) {
      this.set(x0, y0, c);
      if (x0 === x1 && y0 === y1) break;
      const e2 = 2 * err;
      if (e2 >= dy) { err += dy; x0 += sx; }
      if (e2 <= dx) { err += dx; y0 += sy; }
    }
  }
  rect(x0: number, y0: number, w: number, h: number, c: RGB): void {
    this.line(x0, y0, x0 + w - 1, y0, c); this.line(x0, y0 + h - 1, x0 + w - 1, y0 + h - 1, c);
    this.line(x0, y0, x0, y0 + h - 1, c); this.line(x0 + w - 1, y0, x0 + w - 1, y0 + h - 1, c);
  }
}

const MARGIN = 12, GAP = 16, BAR = 10;

/**
 * Prediction | reference | |error| for a 2-D grid: values row-major [rows][cols] (rows = the slow axis, e.g. t or y,
 * drawn bottom to top; cols = x, left to right). Prediction and reference share one color scale (viridis), the
 * error has its own (inferno, 0 to its maximum).
 */
export function heatmapTriptych(rows: number, cols: number, pred: ArrayLike<number>, ref: ArrayLike<number>): Uint8Array {
  const sx = Math.max(1, Math.round(256 / cols)), sy = Math.max(1, Math.round(200 / rows));
  const pw = cols * sx, ph = rows * sy;
  const W = 2 * MARGIN + 3 * pw + 2 * GAP, H = 2 * MARGIN + ph + 4 + BAR;
  const cv = new Canvas(W, H);
  let lo = Infinity, hi = -Infinity, emax = 0;
  for (let i = 0; i < ref.length; i++) {
    lo = Math.min(lo, ref[i], pred[i]); hi = Math.max(hi, ref[i], pred[i]);
    emax = Math.max(emax, Math.abs(pred[i] - ref[i]));
  }
  const span = hi > lo ? hi - lo : 1;
  const panels: [(k: number) => number, RGB[]][] = [
    [(k) => (pred[k] - lo) / span, VIRIDIS], [(k) => (ref[k] - lo) / span, VIRIDIS],
    [(k) => (emax > 0 ? Math.abs(pred[k] - ref[k]) / emax : 0), INFERNO],
  ];
  panels.forEach(([val, map], p) => {
    const x0 = MARGIN + p * (pw + GAP), y0 = MARGIN;
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        const color = colormap(map, val(r * cols + c));
        for (let dy = 0; dy < sy; dy++) for (let dx = 0; dx < sx; dx++) cv.set(x0 + c * sx + dx, y0 + (rows - 1 - r) * sy + dy, color);
      }
    }
    for (let x = 0; x < pw; x++) for (let b = 0; b < BAR; b++) cv.set(x0 + x, y0 + ph + 4 + b, colormap(map, x / (pw - 1 || 1)));
  });
  return encodePng(W, H, cv.rgb);
}

/** Prediction | reference | |error| for a 1-D grid, as line plots (prediction orange over reference blue). */
export function lineTriptych(pred: ArrayLike<number>, ref: ArrayLike<number>): Uint8Array {
  const n = ref.length;
  const pw = 256, ph = 200;
  const W = 2 * MARGIN + 3 * pw + 2 * GAP, H = 2 * MARGIN + ph;
  const cv = new Canvas(W, H);
  let lo = Infinity, hi = -Infinity, emax = 0;
  for (let i = 0; i < n; i++) {
    lo = Math.min(lo, ref[i], pred[i]); hi = Math.max(hi, ref[i], pred[i]);
    emax = Math.max(emax, Math.abs(pred[i] - ref[i]));
  }
  const span = hi > lo ? hi - lo : 1;
  const grey: RGB = [160, 160, 160], blue: RGB = [31, 119, 180], orange: RGB = [255, 127, 14], red: RGB = [200, 30, 30];
  const plot = (p: number, series: [(i: number) => number, RGB][], y: (v: number) => number) => {
    const x0 = MARGIN + p * (pw + GAP), y0 = MARGIN;
    cv.rect(x0, y0, pw, ph, grey);
    for (const [f, color] of series) {
      for (let i = 1; i < n; i++) {
        const xa = x0 + 2 + ((i - 1) / (n - 1)) * (pw - 5), xb = x0 + 2 + (i / (n - 1)) * (pw - 5);
        cv.line(xa, y0 + 2 + (1 - y(f(i - 1))) * (ph - 5), xb, y0 + 2 + (1 - y(f(i))) * (ph - 5), color);
      }
    }
  };
  const scaled = (v: number) => (v - lo) / span;
  plot(0, [[(i) => ref[i], blue], [(i) => pred[i], orange]], scaled);
  plot(1, [[(i) => ref[i], blue]], scaled);
  plot(2, [[(i) => Math.abs(pred[i] - ref[i]), red]], (v) => (emax > 0 ? v / emax : 0));
  return encodePng(W, H, cv.rgb);
}
