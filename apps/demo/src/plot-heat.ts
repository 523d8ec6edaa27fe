// The demo's heat map: a field on a grid with a colour bar (viridis, diverging RdBu or magma), a marker, and a
// pick callback for clicks and drags on the plot area.
import { CanvasView, niceTicks, fmtTick, verticalText, FONT, FONT_SMALL, AXIS, TEXT, type Range } from "./plot-base.js";

// ---------------------------------------------------------------------------------------------------------------
// colour maps

type Stop = [number, number, number];
const VIRIDIS: Stop[] = [
  [68, 1, 84], [72, 40, 120], [62, 74, 137], [49, 104, 142], [38, 130, 142],
  [31, 158, 137], [53, 183, 121], [109, 205, 89], [180, 222, 44], [253, 231, 37],
];
// ColorBrewer RdBu, reversed so that negative is blue
const RDBU: Stop[] = [
  [5, 48, 97], [33, 102, 172], [67, 147, 195], [146, 197, 222], [209, 229, 240], [247, 247, 247],
  [253, 219, 199], [244, 165, 130], [214, 96, 77], [178, 24, 43], [103, 0, 31],
];
const MAGMA: Stop[] = [
  [0, 0, 4], [28, 16, 68], [79, 18, 123], [129, 37, 129], [181, 54, 122],
  [229, 80, 100], [251, 135, 97], [254, 194, 135], [252, 253, 191],
];

export type ColorMap = "viridis" | "diverging" | "magma";
const MAPS: Record<ColorMap, Stop[]> = { viridis: VIRIDIS, diverging: RDBU, magma: MAGMA };

function colorAt(stops: Stop[], u: number): Stop {
  const s = Math.min(1, Math.max(0, Number.isFinite(u) ? u : 0)) * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(s));
  const f = s - i;
  const a = stops[i], b = stops[i + 1];
  return [a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f, a[2] + (b[2] - a[2]) * f];
}

// ---------------------------------------------------------------------------------------------------------------
// heat map

export interface HeatMapOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  colorMap?: ColorMap;
  aspect?: number;
  /** called with data coordinates when the plot area is clicked or dragged on */
  onPick?: (x: number, y: number) => void;
  /** width / height of the plot area (e.g. 1 for a square domain); default: fill the canvas */
  dataAspect?: number;
}

export interface HeatData {
  /** values[iy * nx + ix]; iy = 0 is the bottom row (smallest y) */
  values: ArrayLike<number>;
  nx: number;
  ny: number;
  xRange: Range;
  yRange: Range;
  /** colour range; default: data range, symmetric about 0 for the diverging map */
  vRange?: Range;
  /** label of the colour bar (the quantity and its unit) */
  unit?: string;
}

export class HeatMap extends CanvasView {
  data: HeatData | null = null;
  marker: [number, number] | null = null;
  #image: HTMLCanvasElement = document.createElement("canvas");
  #plot = { l: 0, t: 0, w: 1, h: 1 };

  constructor(host: HTMLElement, public options: HeatMapOptions) {
    super(host, options.aspect ?? 1.25, 200, 460);
    if (options.onPick) {
      const pick = (ev: PointerEvent) => {
        if (!this.data) return;
        const r = this.canvas.getBoundingClientRect();
        const px = ev.clientX - r.left, py = ev.clientY - r.top;
        const p = this.#plot;
        if (px < p.l || px > p.l + p.w || py < p.t || py > p.t + p.h) return;
        const d = this.data;
        const x = d.xRange[0] + ((px - p.l) / p.w) * (d.xRange[1] - d.xRange[0]);
        const y = d.yRange[0] + (1 - (py - p.t) / p.h) * (d.yRange[1] - d.yRange[0]);
        options.onPick!(x, y);
      };
      this.canvas.style.cursor = "crosshair";
      this.canvas.style.touchAction = "none";
      this.canvas.addEventListener("pointerdown", (ev) => { this.canvas.setPointerCapture(ev.pointerId); pick(ev); });
      this.canvas.addEventListener("pointermove", (ev) => { if (ev.buttons & 1) pick(ev); });
    }
  }

  set(data: HeatData | null, marker: [number, number] | null = this.marker): void {
    this.data = data;
    this.marker = marker;
    if (data) this.#render(data);
    this.requestDraw();
  }

  setMarker(marker: [number, number] | null): void { this.marker = marker; this.requestDraw(); }

  #vrange(d: HeatData): Range {
    if (d.vRange) return d.vRange;
    let lo = Infinity, hi = -Infinity;
    for (let i = 0; i < d.values.length; i++) { const v = d.values[i]; if (Number.isFinite(v)) { if (v < lo) lo = v; if (v > hi) hi = v; } }
    if (lo > hi) return [0, 1];
    if ((this.options.colorMap ?? "viridis") === "diverging") { const a = Math.max(Math.abs(lo), Math.abs(hi)) || 1; return [-a, a]; }
    if (lo === hi) return [lo - 0.5, hi + 0.5];
    return [lo, hi];
  }

  #render(d: HeatData): void {
    const img = this.#image;
    img.width = d.nx;
    img.height = d.ny;
    const c = img.getContext("2d")!;
    const id = c.createImageData(d.nx, d.ny);
    const [lo, hi] = this.#vrange(d);
    const stops = MAPS[this.options.colorMap ?? "viridis"];
    for (let iy = 0; iy < d.ny; iy++) {
      for (let ix = 0; ix < d.nx; ix++) {
        const v = d.values[iy * d.nx + ix];
        const [r, g, b] = colorAt(stops, (v - lo) / (hi - lo));
        const k = ((d.ny - 1 - iy) * d.nx + ix) * 4;
        id.data[k] = r; id.data[k + 1] = g; id.data[k + 2] = b; id.data[k + 3] = Number.isFinite(v) ? 255 : 0;
      }
    }
    c.putImageData(id, 0, 0);
  }

  protected draw(): void {
    const { ctx, w, h } = this;
    const o = this.options;
    const m = { l: 52, r: 74, t: 28, b: 42 };
    let pw = w - m.l - m.r;
    const ph = h - m.t - m.b;
    if (o.dataAspect && pw > ph * o.dataAspect) { const nw = ph * o.dataAspect; m.l += (pw - nw) / 2; pw = nw; }
    this.#plot = { l: m.l, t: m.t, w: pw, h: ph };

    ctx.font = FONT;
    ctx.fillStyle = TEXT;
    ctx.textAlign = "left";
    ctx.textBaseline = "middle";
    ctx.fillText(o.title, m.l, 13);

    const d = this.data;
    if (!d) {
      ctx.fillStyle = "#f3f5f9";
      ctx.fillRect(m.l, m.t, pw, ph);
      ctx.fillStyle = "#8a93a6";
      ctx.textAlign = "center";
      ctx.fillText("no data yet", m.l + pw / 2, m.t + ph / 2);
      return;
    }
    ctx.imageSmoothingEnabled = d.nx < pw / 2;
    ctx.drawImage(this.#image, m.l, m.t, pw, ph);
    ctx.strokeStyle = AXIS;
    ctx.lineWidth = 1;
    ctx.strokeRect(m.l + 0.5, m.t + 0.5, pw, ph);

    // ticks
    ctx.font = FONT_SMALL;
    ctx.fillStyle = AXIS;
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    const X = (v: number) => m.l + ((v - d.xRange[0]) / (d.xRange[1] - d.xRange[0])) * pw;
    const Y = (v: number) => m.t + ph - ((v - d.yRange[0]) / (d.yRange[1] - d.yRange[0])) * ph;
    for (const v of niceTicks(d.xRange[0], d.xRange[1], Math.max(2, Math.floor(pw / 70)))) {
      ctx.beginPath(); ctx.moveTo(X(v), m.t + ph); ctx.lineTo(X(v), m.t + ph + 4); ctx.strokeStyle = AXIS; ctx.stroke();
      ctx.fillText(fmtTick(v), X(v), m.t + ph + 6);
    }
    ctx.textAlign = "right";
    ctx.textBaseline = "middle";
    for (const v of niceTicks(d.yRange[0], d.yRange[1], Math.max(2, Math.floor(ph / 50)))) {
      ctx.beginPath(); ctx.moveTo(m.l - 4, Y(v)); ctx.lineTo(m.l, Y(v)); ctx.stroke();
      ctx.fillText(fmtTick(v), m.l - 6, Y(v));
    }
    ctx.font = FONT;
    ctx.fillStyle = TEXT;
    ctx.textAlign = "center";
    ctx.textBaseline = "bottom";
    ctx.fillText(o.xLabel, m.l + pw / 2, h - 4);
    verticalText(ctx, o.yLabel, m.l - 40, m.t + ph / 2, TEXT);

    // marker
    if (this.marker) {
      const [mx, my] = this.marker;
      const px = X(mx), py = Y(my);
      ctx.lineWidth = 2;
      ctx.strokeStyle = "#fff";
      ctx.beginPath(); ctx.arc(px, py, 6, 0, 2 * Math.PI); ctx.stroke();
      ctx.lineWidth = 1;
      ctx.strokeStyle = "#111";
      ctx.beginPath(); ctx.arc(px, py, 7.5, 0, 2 * Math.PI); ctx.stroke();
    }

    // colour bar
    const [lo, hi] = this.#vrange(d);
    const stops = MAPS[o.colorMap ?? "viridis"];
    const bx = m.l + pw + 14, bw = 12;
    const grad = ctx.createLinearGradient(0, m.t + ph, 0, m.t);
    for (let i = 0; i <= 20; i++) { const [r, g, b] = colorAt(stops, i / 20); grad.addColorStop(i / 20, `rgb(${r | 0},${g | 0},${b | 0})`); }
    ctx.fillStyle = grad;
    ctx.fillRect(bx, m.t, bw, ph);
    ctx.strokeStyle = AXIS;
    ctx.strokeRect(bx + 0.5, m.t + 0.5, bw, ph);
    ctx.font = FONT_SMALL;
    ctx.fillStyle = AXIS;
    ctx.textAlign = "left";
    ctx.textBaseline = "middle";
    for (const v of niceTicks(lo, hi, Math.max(2, Math.floor(ph / 45)))) {
      const py = m.t + ph - ((v - lo) / (hi - lo)) * ph;
      ctx.fillText(fmtTick(v), bx + bw + 4, py);
    }
    if (d.unit) {
      ctx.font = FONT_SMALL;
      ctx.fillStyle = TEXT;
      ctx.textAlign = "left";
      ctx.fillText(d.unit, bx, 13);
    }
  }
}
