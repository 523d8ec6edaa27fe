// The demo's line plot: linear or log y axis, an optional right-hand axis, axis labels, ticks and a legend.
import { CanvasView, niceTicks, fmtTick, logTicks, fmtPow10, fitText, verticalText, FONT, FONT_SMALL, AXIS, GRID, TEXT, type Range } from "./plot-base.js";

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
