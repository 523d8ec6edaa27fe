// The trainer's "unknown coefficients" card for inverse problems: each coefficient's value now (with the exact value
// and the error where the problem knows it) and a trace of each over the steps. The trace plots value / exact, so
// coefficients of very different sizes (Burgers' λ1 = 1 and λ2 = 0.01/π) share one axis and converge to the dashed
// line at 1; without an exact value it plots the raw values.
import { LinePlot, fmtNum } from "./plot.js";
import type { Series } from "./plot-line.js";
import type { Coefficients } from "./protocol.js";
import { Growable, decimate } from "./series.js";

const COLORS = ["#2b8a3e", "#862e9c", "#e67700", "#1864ab"];
const MAX_POINTS = 1500;

/** A relative error as a percentage with two significant digits (or none past the point from 10% on): 0.013%, 2.5%, 100%. */
const pct = (r: number): string => { const p = 100 * r; return `${p >= 10 ? p.toFixed(0) : p.toPrecision(2)}%`; };

export class CoefficientTrace {
  readonly #card: HTMLElement;
  readonly #stats: HTMLElement;
  readonly #plot: LinePlot;
  #exact: Record<string, number> | null = null;
  #labels: Record<string, string> = {};
  #steps = new Growable();
  #values = new Map<string, Growable>();
  #pending = false;

  constructor(card: HTMLElement, stats: HTMLElement, plotHost: HTMLElement) {
    this.#card = card;
    this.#stats = stats;
    this.#plot = new LinePlot(plotHost, { xLabel: "step", yLabel: "value / exact value", aspect: 2.4, empty: "press Start to train" });
  }

  /** A new session: shows the card for an inverse problem (coefficients given), hides it otherwise. */
  reset(c: Coefficients | null, labels: Record<string, string> = {}): void {
    this.#card.hidden = c === null;
    this.#steps.clear();
    this.#values.clear();
    this.#stats.replaceChildren();
    if (c === null) return;
    this.#exact = c.exact;
    this.#labels = labels;
    this.#plot.options.yLabel = c.exact ? "value / exact value (exact = 1, dashed)" : "value";
    for (const name of Object.keys(c.values)) {
      this.#values.set(name, new Growable());
      const row = document.createElement("div");
      const label = document.createElement("span"); label.className = "stat-label"; label.style.textTransform = "none"; label.innerHTML = labels[name] ?? name;
      const value = document.createElement("span"); value.className = "stat"; value.dataset.testid = `coef-${name}`;
      row.append(label, value);
      this.#stats.append(row);
    }
    this.add(0, c.values);
  }

  /** The coefficients' values at a step. */
  add(step: number, values: Record<string, number> | null): void {
    if (values === null || this.#values.size === 0) return;
    this.#steps.push(step);
    for (const [name, g] of this.#values) {
      const v = values[name];
      const exact = this.#exact?.[name];
      g.push(exact ? v / exact : v);
      const el = this.#stats.querySelector<HTMLElement>(`[data-testid="coef-${name}"]`);
      if (el) {
        el.dataset.value = String(v);
        el.textContent = exact !== undefined
          ? `${fmtNum(v, 5)} (exact ${fmtNum(exact, 5)}, error ${pct(Math.abs(v - exact) / Math.abs(exact))})`
          : fmtNum(v, 5);
      }
    }
    if (!this.#pending) { this.#pending = true; requestAnimationFrame(() => { this.#pending = false; this.draw(step); }); }
  }

  draw(step: number): void {
    if (this.#values.size === 0) return;
    const steps = this.#steps.view();
    const series: Series[] = [...this.#values].map(([name, g], i) => {
      const d = decimate(steps, g.view(), MAX_POINTS);
      return { name: (this.#labels[name] ?? name).replace(/<[^>]+>/g, ""), color: COLORS[i % COLORS.length], x: d.x, y: d.y, width: 1.6 };
    });
    if (this.#exact && steps.length > 0) series.push({ name: "exact", color: "#868e96", x: [0, Math.max(10, step)], y: [1, 1], dash: [6, 4] });
    this.#plot.options.xRange = [0, Math.max(10, step)];
    this.#plot.set(series);
  }

  requestDraw(): void { this.#plot.requestDraw(); }
}
