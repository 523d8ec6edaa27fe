// What `gradtape pinn --out DIR` writes after training: the weights (JSON, safetensors), the prediction grid, the
// report's plots (SVG) and report.html. Written through writeFilesSafely: if DIR cannot be written after all, the
// same files go to a temporary directory, so a finished run is never lost.
import { io as wio, type pinn } from "gradtape";
import { float32Number } from "./format.js";
import { writeFilesSafely } from "./out-dir.js";
import { predictionFigure, lossFigure, slicesFigure, type Figure } from "./report/figures.js";
import { reportHtml } from "./report/html.js";

export interface RunFacts {
  problem: pinn.Problem;
  result: pinn.TrainResult;
  /** null when the problem has no solution to compare with */
  ev: pinn.Evaluation | null;
  settings: [string, string][];
  summary: [string, string][];
}

function predictionJson(ev: pinn.Evaluation): string {
  const axes = ev.reference.axes;
  const pred: Record<string, unknown> = {};
  // x first, then the slow axis (t or y), then u[slow][x]
  for (const [a, v] of [...axes].reverse()) pred[a] = v;
  // the predictions are float32 values: written as the shortest decimals that read back to them
  if (axes.length === 1) pred.u = Array.from(ev.prediction, float32Number);
  else {
    const [rows, cols] = [axes[0][1].length, axes[1][1].length];
    pred.u = Array.from({ length: rows }, (_, r) => Array.from(ev.prediction.subarray(r * cols, (r + 1) * cols), float32Number));
  }
  return JSON.stringify(pred);
}

export function figuresOf(f: RunFacts): Figure[] {
  const figs: Figure[] = [];
  if (f.ev) {
    figs.push(predictionFigure(f.problem, f.ev));
    const slices = slicesFigure(f.problem, f.ev);
    if (slices) figs.push(slices);
  }
  if (f.result.history.length > 0) figs.push(lossFigure(f.problem, f.result));
  return figs;
}

/** Writes every output file; returns where they went and the names, with the write error if DIR failed. */
export function writeOutputs(dir: string, f: RunFacts): { dir: string; files: string[]; error: Error | null } {
  const raw = f.result.network.toSequential();
  let files: [string, string | Uint8Array][];
  try {
    files = [["weights.json", wio.saveWeightsJSON(raw)], ["weights.safetensors", wio.saveSafetensors(raw)]];
  } finally { raw.dispose(); }
  if (f.ev) files.push(["prediction.json", predictionJson(f.ev)]);
  const figs = figuresOf(f);
  for (const g of figs) files.push([g.file, g.svg]);
  const names = [...files.map(([n]) => n), "report.html"];
  files.push(["report.html", reportHtml({
    problem: f.problem.name, description: f.problem.description, summary: f.summary, settings: f.settings, figures: figs,
    files: names.filter((n) => n !== "report.html"), generated: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
  })]);
  const r = writeFilesSafely(dir, files);
  return { dir: r.dir, files: names, error: r.error };
}
