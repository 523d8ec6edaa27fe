// The plots of the report, as SVG: a heat map panel (a raster of the grid embedded as a PNG, with axes, a title
// and a colour bar with values; the vertical axis runs upward, cells outside the geometry are grey), and a line
// chart (linear or log y, several series with a legend). Scales and colour maps come from d3-scale and
// d3-scale-chromatic.
import { scaleLinear, scaleLog } from "d3-scale";
import { encodePng } from "../png.js";
import { el, text, axis, grid, colorBar, esc } from "./svg.js";

export type Rgb = [number, number, number];

/** "#rrggbb" or "rgb(r, g, b)" (what d3-scale-chromatic returns) as numbers. */
export function parseColor(c: string): Rgb {
  if (c.startsWith("#")) return [parseInt(c.slice(1, 3), 16), parseInt(c.slice(3, 5), 16), parseInt(c.slice(5, 7), 16)];
  const m = /rgb\((\d+),\s*(\d+),\s*(\d+)\)/.exec(c);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : [0, 0, 0];
}

export interface Axis { name: string; values: readonly number[] }

export interface HeatPanel {
  /** top-left corner and size of the plotting area */
  x: number; y: number; width: number; height: number;
  title: string;
  horizontal: Axis; vertical: Axis;
  /** the value at (horizontal index i, vertical index j); NaN where masked (outside the geometry) */
  value: (i: number, j: number) => number;
  domain: [number, number];
  /** colour of t in [0, 1] */
  color: (t: number) => string;
  colorLabel: string;
  id: string;
}

const MASK: Rgb = [225, 225, 225];

export function heatPanel(p: HeatPanel): string {
  const nh = p.horizontal.values.length, nv = p.vertical.values.length;
  const [d0, d1] = p.domain;
  const span = d1 - d0 || 1;
  const lut = Array.from({ length: 256 }, (_, k) => parseColor(p.color(k / 255)));
  const rgb = new Uint8Array(nh * nv * 3);
  for (let j = 0; j < nv; j++) {
    const row = nv - 1 - j; // the vertical axis runs upward
    for (let i = 0; i < nh; i++) {
      const v = p.value(i, j);
      const c = Number.isNaN(v) ? MASK : lut[Math.max(0, Math.min(255, Math.round(((v - d0) / span) * 255)))];
      rgb.set(c, (row * nh + i) * 3);
    }
  }
  const png = Buffer.from(encodePng(nh, nv, rgb)).toString("base64");
  const hv = p.horizontal.values, vv = p.vertical.values;
  const hs = scaleLinear().domain([hv[0], hv[nh - 1]]).range([p.x, p.x + p.width]);
  const vs = scaleLinear().domain([vv[0], vv[nv - 1]]).range([p.y + p.height, p.y]);
  const cs = scaleLinear().domain([d0, d1]);
  return [
    text(p.x + p.width / 2, p.y - 10, p.title, { anchor: "middle", size: 13, weight: "bold" }),
    el("image", { x: p.x, y: p.y, width: p.width, height: p.height, preserveAspectRatio: "none", href: `data:image/png;base64,${png}` }),
    el("rect", { x: p.x, y: p.y, width: p.width, height: p.height, fill: "none", stroke: "#333", "stroke-width": 0.6 }),
    axis(hs, "bottom", p.y + p.height, p.horizontal.name),
    axis(vs, "left", p.x, p.vertical.name),
    colorBar(`${p.id}-bar`, p.x + p.width + 14, p.y + 14, p.height - 14, cs, p.color, p.colorLabel),
  ].join("");
}

export interface Series { name: string; x: readonly number[]; y: readonly number[]; color: string; dash?: string; width?: number }

export interface LineChart {
  x: number; y: number; width: number; height: number;
  title: string; xLabel: string; yLabel: string;
  series: Series[];
  log?: boolean;
  /** vertical marker lines with a label, e.g. where L-BFGS starts */
  markers?: { at: number; label: string }[];
  /** fixed y range (default: the data's) */
  yDomain?: [number, number];
  /** draw the legend (default true) */
  legend?: boolean;
}

export function lineChart(c: LineChart): string {
  const xs = c.series.flatMap((s) => s.x), ys = c.series.flatMap((s) => s.y).filter((v) => Number.isFinite(v) && (!c.log || v > 0));
  const xmin = Math.min(...xs), xmax = Math.max(...xs);
  let [ymin, ymax] = c.yDomain ?? [Math.min(...ys), Math.max(...ys)];
  if (!(ymax > ymin)) { const d = c.log ? ymin * 0.5 : Math.abs(ymin) * 0.1 || 1; ymin -= d; ymax += d; }
  const hs = scaleLinear().domain([xmin, xmax === xmin ? xmin + 1 : xmax]).range([c.x, c.x + c.width]);
  const vs = (c.log ? scaleLog().domain([ymin, ymax]).nice() : scaleLinear().domain([ymin, ymax]).nice()).range([c.y + c.height, c.y]);
  const clip = `clip-${c.title.replace(/[^a-z0-9]/gi, "")}-${Math.round(c.x)}-${Math.round(c.y)}`;
  const paths = c.series.map((s) => {
    let d = "", pen = false;
    for (let i = 0; i < s.x.length; i++) {
      const v = s.y[i];
      if (!Number.isFinite(v) || (c.log && v <= 0)) { pen = false; continue; }
      d += `${pen ? "L" : "M"}${hs(s.x[i]).toFixed(1)},${vs(v).toFixed(1)}`;
      pen = true;
    }
    return el("path", { d, fill: "none", stroke: s.color, "stroke-width": s.width ?? 1.4, "stroke-dasharray": s.dash, "clip-path": `url(#${clip})` });
  });
  // the legend goes in the corner of the plot that covers the fewest data points
  const lw = 152, lh = 15 * c.series.length + 4;
  const corners: [number, number][] = [[c.x + c.width - lw - 4, c.y + 2], [c.x + 4, c.y + 2], [c.x + c.width - lw - 4, c.y + c.height - lh - 2], [c.x + 4, c.y + c.height - lh - 2]];
  const covered = corners.map(([x0, y0]) => {
    let n = 0;
    for (const s of c.series) for (let i = 0; i < s.x.length; i++) {
      const v = s.y[i];
      if (!Number.isFinite(v) || (c.log && v <= 0)) continue;
      const px = hs(s.x[i]), py = vs(v);
      if (px >= x0 && px <= x0 + lw && py >= y0 && py <= y0 + lh) n++;
    }
    return n;
  });
  const [bx, by] = corners[covered.indexOf(Math.min(...covered))];
  const legend = c.legend === false ? [] : c.series.map((s, i) => {
    const ly = by + 8 + i * 15, lx = bx + 6;
    return el("line", { x1: lx, x2: lx + 22, y1: ly, y2: ly, stroke: s.color, "stroke-width": 2, "stroke-dasharray": s.dash }) + text(lx + 27, ly + 4, s.name, { size: 10.5 });
  });
  const markers = (c.markers ?? []).map((m) => {
    const x = hs(m.at);
    return el("line", { x1: x, x2: x, y1: c.y, y2: c.y + c.height, stroke: "#888", "stroke-dasharray": "4 3" }) + text(x + 4, c.y + c.height - 6, m.label, { size: 10 });
  });
  return [
    el("defs", {}, el("clipPath", { id: clip }, el("rect", { x: c.x, y: c.y, width: c.width, height: c.height }))),
    text(c.x + c.width / 2, c.y - 10, c.title, { anchor: "middle", size: 13, weight: "bold" }),
    grid(hs, "vertical", c.y, c.y + c.height), grid(vs, "horizontal", c.x, c.x + c.width),
    el("rect", { x: c.x, y: c.y, width: c.width, height: c.height, fill: "none", stroke: "#333", "stroke-width": 0.6 }),
    ...paths, ...markers,
    c.legend === false ? "" : el("rect", { x: bx, y: by, width: lw, height: lh, fill: "white", "fill-opacity": 0.85, stroke: "#ccc" }),
    ...legend,
    axis(hs, "bottom", c.y + c.height, c.xLabel),
    axis(vs, "left", c.x, c.yLabel),
  ].join("");
}

export { esc };
