// Plain-canvas plots for the demo: a line plot (linear or log y axis, optional right-hand axis) and a heat map
// with a colour bar. Both size themselves to their container, redraw on resize and at the device pixel ratio,
// and always draw axis labels, tick values and a legend.

export type Range = readonly [number, number];

const FONT = '12px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
const FONT_SMALL = '11px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
const AXIS = "#5b6477";
const GRID = "#e7eaf0";
const TEXT = "#1f2533";

// ---------------------------------------------------------------------------------------------------------------
// ticks and number formatting

/** About `count` round tick values covering [lo, hi] (at least 3 when count >= 2). */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [];
  if (hi < lo) [lo, hi] = [hi, lo];
  if (hi === lo) return [lo];
  for (let c = Math.max(1, count); c < count + 8; c++) {
    const t = ticksFor(lo, hi, c);
    if (t.length >= Math.min(3, count + 1)) return t;
  }
  return ticksFor(lo, hi, count + 8);
}

function ticksFor(lo: number, hi: number, count: number): number[] {
  const raw = (hi - lo) / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-9; v += step) out.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  return out;
}

/** Short tick label: 0.25, 1.5e-3, 12k ... */
export function fmtTick(v: number): string {
  if (v === 0) return "0";
  const a = Math.abs(v);
  if (a >= 1e4 || a < 1e-3) {
    const e = Math.floor(Math.log10(a));
    const m = v / 10 ** e;
    const ms = Number.isInteger(Math.round(m * 100) / 100) ? String(Math.round(m)) : (Math.round(m * 100) / 100).toString();
    return ms === "1" ? `1e${e}` : ms === "-1" ? `-1e${e}` : `${ms}e${e}`;
  }
  return String(Number(v.toPrecision(4)));
}

/** A number for people, with `digits` significant digits (scientific outside [1e-3, 1e5)). */
export function fmtNum(v: number, digits = 7): string {
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return "0";
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-3) return v.toExponential(digits - 1);
  return v.toPrecision(digits);
}

// ---------------------------------------------------------------------------------------------------------------
// canvas helper: a canvas that fills its container's width, keeps an aspect ratio and redraws on resize

export abstract class CanvasView {
  readonly canvas: HTMLCanvasElement;
  protected ctx: CanvasRenderingContext2D;
  protected w = 0;
  protected h = 0;
  #observer: ResizeObserver;
  #frame = 0;

  constructor(readonly host: HTMLElement, protected aspect: number, protected minHeight = 180, protected maxHeight = 520) {
    this.canvas = document.createElement("canvas");
    this.canvas.style.display = "block";
    this.canvas.style.width = "100%";
    host.appendChild(this.canvas);
    this.ctx = this.canvas.getContext("2d")!;
    this.#observer = new ResizeObserver(() => this.requestDraw());
    this.#observer.observe(host);
  }

  requestDraw(): void {
    if (this.#frame) return;
    this.#frame = requestAnimationFrame(() => { this.#frame = 0; this.drawNow(); });
  }

  drawNow(): void {
    const cssW = Math.max(200, this.host.clientWidth);
    const cssH = Math.round(Math.min(this.maxHeight, Math.max(this.minHeight, cssW / this.aspect)));
    const dpr = Math.min(3, window.devicePixelRatio || 1);
    if (this.canvas.width !== Math.round(cssW * dpr) || this.canvas.height !== Math.round(cssH * dpr)) {
      this.canvas.width = Math.round(cssW * dpr);
      this.canvas.height = Math.round(cssH * dpr);
      this.canvas.style.height = `${cssH}px`;
    }
    this.w = cssW;
    this.h = cssH;
    this.ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    this.ctx.clearRect(0, 0, cssW, cssH);
    this.draw();
  }

  protected abstract draw(): void;
}

// ---------------------------------------------------------------------------------------------------------------
// line plot

export interface Series {
  name: string;
  color: string;
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  axis?: "left" | "right";
  dash?: number[];
  width?: number;
}

export interface LinePlotOptions {
  xLabel: string;
  yLabel: string;
  y2Label?: string;
  logY?: boolean;
  xRange?: Range;
  /** fixed y range; otherwise fitted to the data with a margin */
  yRange?: Range;
  aspect?: number;
  /** message drawn when there is no data */
  empty?: string;
}

export class LinePlot extends CanvasView {
  series: Series[] = [];
  vline: number | null = null;

  constructor(host: HTMLElement, public options: LinePlotOptions) {
    super(host, options.aspect ?? 2, 200, 380);
  }

  set(series: Series[], vline: number | null = null): void {
    this.series = series;
    this.vline = vline;
    this.requestDraw();
  }

  #range(axis: "left" | "right"): Range | null {
    let lo = Infinity, hi = -Infinity;
    for (const s of this.series) {
      if ((s.axis ?? "left") !== axis) continue;
      for (let i = 0; i < s.y.length; i++) {
        const v = s.y[i];
        if (!Number.isFinite(v) || (this.options.logY && v <= 0)) continue;
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
    }
    if (lo > hi) return null;
    if (this.options.logY) {
      const a = Math.floor(Math.log10(lo)), b = Math.ceil(Math.log10(hi));
      return [10 ** a, 10 ** (b === a ? a + 1 : b)];
    }
    if (hi === lo) { const d = Math.abs(hi) * 0.1 || 1; return [lo - d, hi + d]; }
    const pad = (hi - lo) * 0.06;
    return [lo - pad, hi + pad];
  }

  protected draw(): void {
    const { ctx, w, h } = this;
    const o = this.options;
    const hasRight = this.series.some((s) => s.axis === "right");
    // legend layout first: items flow left to right and wrap, and the plot starts below them
    ctx.font = FONT;
    const legend: { s: Series; x: number; y: number }[] = [];
    {
      let lx = 62, ly = 14;
      for (const s of this.series) {
        const iw = 26 + ctx.measureText(s.name).width;
        if (lx + iw > w - 8 && lx > 62) { lx = 62; ly += 18; }
        legend.push({ s, x: lx, y: ly });
        lx += iw + 18;
      }
    }
    const legendBottom = legend.length ? legend[legend.length - 1].y + 10 : 0;
    const m = { l: 62, r: hasRight ? 62 : 16, t: Math.max(30, legendBottom + 8), b: 44 };
    const pw = w - m.l - m.r, ph = h - m.t - m.b;

    let xr: Range | null = o.xRange ?? null;
    if (!xr) {
      let lo = Infinity, hi = -Infinity;
      for (const s of this.series) for (let i = 0; i < s.x.length; i++) { lo = Math.min(lo, s.x[i]); hi = Math.max(hi, s.x[i]); }
      xr = lo < hi ? [lo, hi] : lo === hi && Number.isFinite(lo) ? [lo - 1, lo + 1] : [0, 1];
    }
    const yl = o.yRange ?? this.#range("left") ?? (o.logY ? [1e-3, 1] as Range : [0, 1] as Range);
    const yr = hasRight ? this.#range("right") ?? [0, 1] as Range : null;

    const X = (v: number) => m.l + ((v - xr![0]) / (xr![1] - xr![0])) * pw;
    const Yof = (r: Range) => (v: number) => {
      if (o.logY) return m.t + ph - ((Math.log10(v) - Math.log10(r[0])) / (Math.log10(r[1]) - Math.log10(r[0]))) * ph;
      return m.t + ph - ((v - r[0]) / (r[1] - r[0])) * ph;
    };
    const YL = Yof(yl);
    const YR = yr ? Yof(yr) : YL;

    // grid and ticks
    ctx.font = FONT_SMALL;
    ctx.lineWidth = 1;
    const xt = niceTicks(xr[0], xr[1], Math.max(3, Math.floor(pw / 80)));
    ctx.fillStyle = AXIS;
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    for (const v of xt) {
      const px = Math.round(X(v)) + 0.5;
      ctx.strokeStyle = GRID;
      ctx.beginPath(); ctx.moveTo(px, m.t); ctx.lineTo(px, m.t + ph); ctx.stroke();
      ctx.fillText(fmtTick(v), px, m.t + ph + 5);
    }
    const ylTicks = o.logY ? logTicks(yl) : niceTicks(yl[0], yl[1], Math.max(3, Math.floor(ph / 45)));
    ctx.textAlign = "right";
    ctx.textBaseline = "middle";
    for (const v of ylTicks) {
      const py = Math.round(YL(v)) + 0.5;
      ctx.strokeStyle = GRID;
      ctx.beginPath(); ctx.moveTo(m.l, py); ctx.lineTo(m.l + pw, py); ctx.stroke();
      ctx.fillStyle = AXIS;
      ctx.fillText(o.logY ? fmtPow10(v) : fmtTick(v), m.l - 6, py);
    }
    if (yr) {
      ctx.textAlign = "left";
      for (const v of niceTicks(yr[0], yr[1], Math.max(3, Math.floor(ph / 45)))) {
        ctx.fillStyle = this.series.find((s) => s.axis === "right")?.color ?? AXIS;
        ctx.fillText(fmtTick(v), m.l + pw + 6, YR(v));
      }
    }
    ctx.strokeStyle = AXIS;
    ctx.strokeRect(m.l + 0.5, m.t + 0.5, pw, ph);

    // axis labels
    ctx.font = FONT;
    ctx.fillStyle = TEXT;
    ctx.textAlign = "center";
    ctx.textBaseline = "bottom";
    fitText(ctx, o.xLabel, m.l + pw / 2, h - 4, w);
    verticalText(ctx, o.yLabel, 13, m.t + ph / 2, this.series.find((s) => (s.axis ?? "left") === "left" && hasRight)?.color ?? TEXT);
    if (yr && o.y2Label) verticalText(ctx, o.y2Label, w - 10, m.t + ph / 2, this.series.find((s) => s.axis === "right")?.color ?? TEXT);

    // data
    ctx.save();
    ctx.beginPath(); ctx.rect(m.l, m.t, pw, ph); ctx.clip();
    if (this.vline !== null) {
      ctx.strokeStyle = "#9aa3b5";
      ctx.setLineDash([4, 4]);
      ctx.beginPath(); ctx.moveTo(X(this.vline), m.t); ctx.lineTo(X(this.vline), m.t + ph); ctx.stroke();
      ctx.setLineDash([]);
    }
    for (const s of this.series) {
      const Y = s.axis === "right" ? YR : YL;
      ctx.strokeStyle = s.color;
      ctx.lineWidth = s.width ?? 2;
      ctx.setLineDash(s.dash ?? []);
      ctx.beginPath();
      let pen = false;
      for (let i = 0; i < s.x.length; i++) {
        const v = s.y[i];
        if (!Number.isFinite(v) || (o.logY && v <= 0)) { pen = false; continue; }
        const px = X(s.x[i]), py = Y(v);
        if (pen) ctx.lineTo(px, py); else { ctx.moveTo(px, py); pen = true; }
      }
      ctx.stroke();
    }
    ctx.setLineDash([]);
    ctx.restore();

    if (this.series.every((s) => s.x.length === 0) && o.empty) {
      ctx.font = FONT;
      ctx.fillStyle = "#8a93a6";
      ctx.textAlign = "center";
      ctx.textBaseline = "middle";
      ctx.fillText(o.empty, m.l + pw / 2, m.t + ph / 2);
    }

    // legend
    ctx.font = FONT;
    ctx.textBaseline = "middle";
    ctx.textAlign = "left";
    for (const { s, x: lx, y: ly } of legend) {
      ctx.strokeStyle = s.color;
      ctx.lineWidth = 2.5;
      ctx.setLineDash(s.dash ?? []);
      ctx.beginPath(); ctx.moveTo(lx, ly); ctx.lineTo(lx + 20, ly); ctx.stroke();
      ctx.setLineDash([]);
      ctx.fillStyle = TEXT;
      ctx.fillText(s.name, lx + 26, ly);
    }
  }
}

function logTicks(r: Range): number[] {
  const a = Math.round(Math.log10(r[0])), b = Math.round(Math.log10(r[1]));
  const every = Math.max(1, Math.ceil((b - a) / 7));
  const out: number[] = [];
  for (let e = a; e <= b; e += every) out.push(10 ** e);
  return out;
}

function fmtPow10(v: number): string {
  const e = Math.round(Math.log10(v));
  if (e === 0) return "1";
  if (e === 1) return "10";
  return `1e${e}`;
}

/**
 * Text centred at x if it fits inside [0, width] there; otherwise centred in the canvas, shrunk (down to 9 px)
 * and, if still too wide, cut with an ellipsis.
 */
function fitText(ctx: CanvasRenderingContext2D, text: string, x: number, y: number, width: number): void {
  if (ctx.measureText(text).width <= 2 * Math.min(x, width - x) - 8) { ctx.fillText(text, x, y); return; }
  x = width / 2;
  const maxWidth = width - 8;
  const base = ctx.font;
  for (let px = 12; px >= 9 && ctx.measureText(text).width > maxWidth; px--) ctx.font = base.replace(/\d+px/, `${px}px`);
  let t = text;
  while (t.length > 3 && ctx.measureText(t).width > maxWidth) t = t.slice(0, -2) + "…";
  ctx.fillText(t, x, y);
  ctx.font = base;
}

function verticalText(ctx: CanvasRenderingContext2D, text: string, x: number, y: number, color: string): void {
  if (text.length <= 2) {   // a symbol such as "t" or "u" reads better upright
    ctx.save();
    ctx.fillStyle = color;
    ctx.textAlign = "center";
    ctx.textBaseline = "middle";
    ctx.font = 'italic 14px Georgia, "Times New Roman", serif';
    ctx.fillText(text, x, y);
    ctx.restore();
    return;
  }
  ctx.save();
  ctx.translate(x, y);
  ctx.rotate(-Math.PI / 2);
  ctx.fillStyle = color;
  ctx.textAlign = "center";
  ctx.textBaseline = "middle";
  ctx.fillText(text, 0, 0);
  ctx.restore();
}

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
