// The report's figures from a training run: prediction / reference / error maps on the reference grid (time on
// the horizontal axis for space-time problems; cells outside a non-box geometry masked), the loss history per
// term on a log scale, and for problems with one space variable and time, the solution at a few times against
// the reference. Each figure is one SVG document.
import { interpolateViridis, interpolateInferno, schemeTableau10 } from "d3-scale-chromatic";
import type { pinn } from "gradtape";
import { svgDocument } from "./svg.js";
import { heatPanel, lineChart, type Axis, type Series } from "./plots.js";

export interface Figure { file: string; title: string; caption: string; svg: string }

/**
 * A problem's optional membership test for a non-box domain: inside(point) with named coordinates. (A problem on
 * a pinn.geometry domain has NaN in its reference outside the geometry; those cells are masked as well.)
 */
type InsideTest = (p: Record<string, number>) => boolean;
export function insideTest(problem: pinn.Problem): InsideTest | null {
  const f = (problem as pinn.Problem & { inside?: unknown }).inside;
  return typeof f === "function" ? (f as InsideTest) : null;
}

function range(a: ArrayLike<number>, mask?: (i: number) => boolean): [number, number] {
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < a.length; i++) { if (mask && !mask(i)) continue; const v = a[i]; if (v < lo) lo = v; if (v > hi) hi = v; }
  return lo <= hi ? [lo, hi] : [0, 1];
}

/** Prediction, reference and absolute error on the reference grid. */
export function predictionFigure(problem: pinn.Problem, ev: pinn.Evaluation): Figure {
  const axes = ev.reference.axes;
  const out = problem.outputs[0] ?? "u";
  const err = Float64Array.from(ev.prediction, (v, i) => Math.abs(v - ev.reference.u[i]));
  const caption = `relative L2 error ${ev.relL2.toExponential(3)}, max |error| ${ev.maxError.toExponential(3)} on ${axes.map(([a, v]) => `${v.length} ${a}`).join(" x ")} points`;
  if (axes.length === 1) {
    const x = axes[0][1];
    const W = 900, H = 330;
    const body = lineChart({
      x: 70, y: 40, width: 380, height: 230, title: `${out}(${axes[0][0]}): network and reference`, xLabel: axes[0][0], yLabel: out,
      series: [
        { name: "reference", x, y: Array.from(ev.reference.u), color: "#222", width: 2.2 },
        { name: "network", x, y: Array.from(ev.prediction), color: "#d62728", dash: "6 4", width: 1.6 },
      ],
    }) + lineChart({
      x: 540, y: 40, width: 330, height: 230, title: "absolute error", xLabel: axes[0][0], yLabel: `|${out} - reference|`, log: true,
      series: [{ name: "|error|", x, y: Array.from(err), color: "#1f77b4" }],
    });
    return { file: "prediction.svg", title: "Prediction", caption, svg: svgDocument(W, H, body, `${problem.name}: prediction`) };
  }
  // reference axes are outermost first: u[a0][a1]; time (if any) goes on the horizontal axis, else a1 does
  const [[n0, v0], [n1, v1]] = axes;
  const timeFirst = n0 === "t";
  const horizontal: Axis = timeFirst ? { name: n0, values: v0 } : { name: n1, values: v1 };
  const vertical: Axis = timeFirst ? { name: n1, values: v1 } : { name: n0, values: v0 };
  const index = (i: number, j: number) => (timeFirst ? i * v1.length + j : j * v1.length + i);
  const inside = insideTest(problem);
  const ref = ev.reference.u;
  let outside = false;
  for (let k = 0; k < ref.length && !outside; k++) outside = Number.isNaN(ref[k]);
  const mask = inside || outside ? Uint8Array.from({ length: ev.prediction.length }, (_, k) => {
    const a = Math.floor(k / v1.length), b = k % v1.length;
    return !Number.isNaN(ref[k]) && (!inside || inside({ [n0]: v0[a], [n1]: v1[b] })) ? 1 : 0;
  }) : null;
  const keep = mask ? (k: number) => mask[k] === 1 : undefined;
  const at = (a: ArrayLike<number>) => (i: number, j: number) => { const k = index(i, j); return mask && !mask[k] ? NaN : a[k]; };
  const lo = Math.min(range(ev.prediction, keep)[0], range(ev.reference.u, keep)[0]);
  const hi = Math.max(range(ev.prediction, keep)[1], range(ev.reference.u, keep)[1]);
  const W = 1100, H = 340, pw = 240, ph = 240, gap = 115;
  const panel = (k: number, title: string, value: (i: number, j: number) => number, domain: [number, number], color: (t: number) => string, label: string) =>
    heatPanel({ x: 60 + k * (pw + gap), y: 45, width: pw, height: ph, title, horizontal, vertical, value, domain, color, colorLabel: label, id: `p${k}` });
  const body = panel(0, `network ${out}(${horizontal.name}, ${vertical.name})`, at(ev.prediction), [lo, hi], interpolateViridis, out) +
    panel(1, `reference ${out}`, at(ev.reference.u), [lo, hi], interpolateViridis, out) +
    panel(2, "absolute error", at(err), [0, range(err, keep)[1]], interpolateInferno, `|error|`);
  return { file: "prediction.svg", title: "Prediction, reference and error", caption, svg: svgDocument(W, H, body, `${problem.name}: prediction`) };
}

/** Every k-th point (and the last) so that a long history stays a light SVG. */
function thin<T>(a: T[], max = 1500): T[] {
  if (a.length <= max) return a;
  const k = Math.ceil(a.length / max);
  return a.filter((_, i) => i % k === 0 || i === a.length - 1);
}

/** The loss and each of its terms over the steps, log scale, with the switch from Adam to L-BFGS marked. */
export function lossFigure(problem: pinn.Problem, r: Pick<pinn.TrainResult, "history" | "termNames" | "terms" | "adamSteps">): Figure {
  const idx = thin(r.history.map((_, i) => i));
  const x = idx.map((i) => r.history[i][0]);
  const series: Series[] = [{ name: "loss (total)", x, y: idx.map((i) => r.history[i][1]), color: "#111", width: 2 }];
  r.termNames.forEach((name, t) => series.push({ name, x, y: idx.map((i) => r.terms[i]?.[t] ?? NaN), color: schemeTableau10[t % 10], width: 1.3 }));
  const markers = r.adamSteps > 0 && r.history.length > r.adamSteps ? [{ at: r.adamSteps + 0.5, label: "L-BFGS" }] : [];
  const body = lineChart({ x: 80, y: 40, width: 640, height: 300, title: "Training loss per term", xLabel: "step", yLabel: "loss (log scale)", series, log: true, markers });
  const last = r.history.at(-1);
  const caption = last ? `final loss ${last[1].toExponential(3)} after ${last[0]} steps` : "no steps";
  return { file: "loss.svg", title: "Loss history", caption, svg: svgDocument(780, 390, body, `${problem.name}: loss`) };
}

/** For u(t, x): the network and the reference at four times. Null for other problems. */
export function slicesFigure(problem: pinn.Problem, ev: pinn.Evaluation): Figure | null {
  const axes = ev.reference.axes;
  if (axes.length !== 2 || axes[0][0] !== "t") return null;
  const [[, ts], [xn, xs]] = axes;
  const out = problem.outputs[0] ?? "u";
  const picks = [0, 0.25, 0.5, 0.75, 1].slice(1).map((f) => Math.round(f * (ts.length - 1)));
  const [lo, hi] = range(ev.reference.u);
  const pad = 0.08 * (hi - lo || 1);
  const w = 210, h = 180, gap = 65;
  const body = picks.map((k, n) => {
    const row = (a: ArrayLike<number>) => Array.from({ length: xs.length }, (_, j) => a[k * xs.length + j]);
    return lineChart({
      x: 60 + n * (w + gap), y: 40, width: w, height: h, title: `t = ${Number(ts[k].toPrecision(3))}`, xLabel: xn, yLabel: n === 0 ? out : "",
      yDomain: [lo - pad, hi + pad], legend: n === picks.length - 1,
      series: [
        { name: "reference", x: xs, y: row(ev.reference.u), color: "#222", width: 2.2 },
        { name: "network", x: xs, y: row(ev.prediction), color: "#d62728", dash: "5 3", width: 1.6 },
      ],
    });
  }).join("");
  return { file: "slices.svg", title: "Time slices", caption: `${out}(${xn}) at ${picks.length} times: reference (solid) and network (dashed)`, svg: svgDocument(60 + 4 * (w + gap), h + 100, body, `${problem.name}: time slices`) };
}
