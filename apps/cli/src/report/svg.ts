// SVG written directly, as strings: an element helper that escapes, axes with ticks from d3-scale (linear or log),
// and a vertical colour bar with labelled values. Every plot of the report is built from these.
import type { ScaleLinear, ScaleLogarithmic } from "d3-scale";

export const FONT = `font-family="DejaVu Sans, Helvetica, Arial, sans-serif"`;

export function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** <tag a="..."...>children</tag>; attribute values are escaped, children are SVG already. */
export function el(tag: string, attrs: Record<string, string | number | undefined>, ...children: string[]): string {
  const a = Object.entries(attrs).filter(([, v]) => v !== undefined).map(([k, v]) => ` ${k}="${esc(typeof v === "number" ? fmt(v) : String(v))}"`).join("");
  return children.length ? `<${tag}${a}>${children.join("")}</${tag}>` : `<${tag}${a}/>`;
}

/** Coordinates with at most 2 decimals (smaller files, no visible difference). */
const fmt = (v: number) => (Number.isInteger(v) ? String(v) : v.toFixed(2).replace(/\.?0+$/, ""));

export function text(x: number, y: number, s: string, opts: { anchor?: "start" | "middle" | "end"; size?: number; rotate?: boolean; weight?: string; baseline?: string } = {}): string {
  return el("text", {
    x, y, "font-size": opts.size ?? 11, "text-anchor": opts.anchor ?? "start", "font-weight": opts.weight,
    "dominant-baseline": opts.baseline, transform: opts.rotate ? `rotate(-90 ${fmt(x)} ${fmt(y)})` : undefined,
  }, esc(s));
}

export function svgDocument(width: number, height: number, body: string, title: string): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ${FONT}>` +
    `<title>${esc(title)}</title><rect width="100%" height="100%" fill="white"/>${body}</svg>\n`;
}

type Scale = ScaleLinear<number, number> | ScaleLogarithmic<number, number>;

/** A bottom axis at y (ticks below) or a left axis at x (ticks to the left), with its label. */
export function axis(scale: Scale, side: "bottom" | "left", at: number, label: string, count = 5): string {
  const [r0, r1] = scale.range();
  const ticks = scale.ticks(count);
  const log = "base" in scale;
  // a log scale gives ticks at 1..9 x 10^k; label only the powers of ten (and keep the rest as short marks)
  const labelled = log ? ticks.filter((t) => Math.abs(Math.log10(t) - Math.round(Math.log10(t))) < 1e-9) : ticks;
  const f = log ? (t: number) => `1e${Math.round(Math.log10(t))}` : scale.tickFormat(count);
  const parts: string[] = [];
  if (side === "bottom") {
    parts.push(el("line", { x1: r0, x2: r1, y1: at, y2: at, stroke: "#333" }));
    for (const t of ticks) {
      const x = scale(t), major = labelled.includes(t);
      parts.push(el("line", { x1: x, x2: x, y1: at, y2: at + (major ? 5 : 3), stroke: "#333" }));
      if (major) parts.push(text(x, at + 16, f(t), { anchor: "middle", size: 10 }));
    }
    parts.push(text((r0 + r1) / 2, at + 32, label, { anchor: "middle", size: 12 }));
  } else {
    parts.push(el("line", { x1: at, x2: at, y1: r0, y2: r1, stroke: "#333" }));
    for (const t of ticks) {
      const y = scale(t), major = labelled.includes(t);
      parts.push(el("line", { x1: at - (major ? 5 : 3), x2: at, y1: y, y2: y, stroke: "#333" }));
      if (major) parts.push(text(at - 7, y + 3.5, f(t), { anchor: "end", size: 10 }));
    }
    parts.push(text(at - 40, (r0 + r1) / 2, label, { anchor: "middle", size: 12, rotate: true }));
  }
  return parts.join("");
}

/** Faint grid lines at the ticks of a scale, across [from, to] of the other axis. */
export function grid(scale: Scale, direction: "vertical" | "horizontal", from: number, to: number, count = 5): string {
  // on a log scale, lines at the powers of ten only (the minor ticks would crowd the plot)
  const ticks = "base" in scale ? scale.ticks(count).filter((t) => Math.abs(Math.log10(t) - Math.round(Math.log10(t))) < 1e-9) : scale.ticks(count);
  return ticks.map((t) => {
    const v = scale(t);
    return direction === "vertical" ? el("line", { x1: v, x2: v, y1: from, y2: to, stroke: "#e4e4e4" }) : el("line", { y1: v, y2: v, x1: from, x2: to, stroke: "#e4e4e4" });
  }).join("");
}

/** A vertical colour bar at (x, y) of the given height: a gradient of `color` over `scale`'s domain, with labelled ticks. */
export function colorBar(id: string, x: number, y: number, height: number, scale: ScaleLinear<number, number>, color: (t: number) => string, label: string): string {
  const stops = Array.from({ length: 17 }, (_, i) => el("stop", { offset: `${(i / 16) * 100}%`, "stop-color": color(1 - i / 16) })).join("");
  const w = 12;
  const parts = [
    el("defs", {}, el("linearGradient", { id, x1: 0, y1: 0, x2: 0, y2: 1 }, stops)),
    el("rect", { x, y, width: w, height, fill: `url(#${id})`, stroke: "#333", "stroke-width": 0.5 }),
  ];
  const [d0, d1] = scale.domain();
  const s = scale.copy().range([y + height, y]);
  // small or large values read better in exponent form (0.0012 -> 1.2e-3)
  const big = Math.max(Math.abs(d0), Math.abs(d1));
  const f = big > 0 && (big < 0.01 || big >= 1e4) ? (t: number) => (t === 0 ? "0" : t.toExponential(1).replace("e-", "e-").replace("e+", "e")) : scale.tickFormat(5);
  for (const t of s.ticks(5)) {
    if (t < Math.min(d0, d1) || t > Math.max(d0, d1)) continue;
    parts.push(el("line", { x1: x + w, x2: x + w + 4, y1: s(t), y2: s(t), stroke: "#333" }));
    parts.push(text(x + w + 6, s(t) + 3.5, f(t), { size: 10 }));
  }
  parts.push(text(x + w / 2, y - 8, label, { anchor: "middle", size: 11 }));
  return parts.join("");
}
