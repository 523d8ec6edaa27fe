// The shared parts of the demo's canvas plots (plot-line.ts, plot-heat.ts): tick values, number formats for
// axes and read-outs, text helpers, and CanvasView, a canvas that fills its container and redraws on resize.

export type Range = readonly [number, number];

export const FONT = '12px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
export const FONT_SMALL = '11px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
export const AXIS = "#5b6477";
export const GRID = "#e7eaf0";
export const TEXT = "#1f2533";

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
// text helpers

export function logTicks(r: Range): number[] {
  const a = Math.round(Math.log10(r[0])), b = Math.round(Math.log10(r[1]));
  const every = Math.max(1, Math.ceil((b - a) / 7));
  const out: number[] = [];
  for (let e = a; e <= b; e += every) out.push(10 ** e);
  return out;
}

export function fmtPow10(v: number): string {
  const e = Math.round(Math.log10(v));
  if (e === 0) return "1";
  if (e === 1) return "10";
  return `1e${e}`;
}

/**
 * Text centred at x if it fits inside [0, width] there; otherwise centred in the canvas, shrunk (down to 9 px)
 * and, if still too wide, cut with an ellipsis.
 */
export function fitText(ctx: CanvasRenderingContext2D, text: string, x: number, y: number, width: number): void {
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

export function verticalText(ctx: CanvasRenderingContext2D, text: string, x: number, y: number, color: string): void {
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
