// report.html: one self-contained page (no external files, scripts or fonts): the run's summary, its settings,
// and every figure inline as SVG.
import { esc } from "./svg.js";
import type { Figure } from "./figures.js";

export interface ReportInput {
  problem: string;
  description: string;
  /** headline numbers, e.g. relative L2 error, steps, times */
  summary: [string, string][];
  /** the options the run used */
  settings: [string, string][];
  figures: Figure[];
  /** files written beside the report */
  files: string[];
  generated: string;
}

const table = (rows: [string, string][]) => `<table>${rows.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`).join("")}</table>`;

export function reportHtml(r: ReportInput): string {
  const figs = r.figures.map((f) => `<figure><h2>${esc(f.title)}</h2>${f.svg.replace(/^<\?xml[^>]*>/, "")}<figcaption>${esc(f.caption)}</figcaption></figure>`).join("\n");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>gradtape pinn ${esc(r.problem)}</title>
<style>
body { font-family: "DejaVu Sans", Helvetica, Arial, sans-serif; margin: 24px 32px; color: #222; max-width: 1120px; }
h1 { font-size: 22px; margin-bottom: 4px; } h2 { font-size: 16px; margin: 18px 0 6px; }
.lede { color: #555; margin-top: 0; }
.cols { display: flex; gap: 40px; flex-wrap: wrap; }
table { border-collapse: collapse; font-size: 13px; } th { text-align: left; font-weight: 600; padding: 3px 14px 3px 0; color: #444; }
td { padding: 3px 0; font-variant-numeric: tabular-nums; }
figure { margin: 10px 0 24px; } figcaption { font-size: 13px; color: #555; } svg { max-width: 100%; height: auto; }
footer { color: #777; font-size: 12px; margin-top: 24px; }
</style></head><body>
<h1>PINN run: ${esc(r.problem)}</h1>
<p class="lede">${esc(r.description)}</p>
<div class="cols"><div><h2>Result</h2>${table(r.summary)}</div><div><h2>Settings</h2>${table(r.settings)}</div></div>
${figs}
<footer>Files beside this report: ${r.files.map(esc).join(", ")}. Written by gradtape ${esc(r.generated)}.</footer>
</body></html>
`;
}
