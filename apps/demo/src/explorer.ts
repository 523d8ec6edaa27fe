// The derivative explorer: the seed network (seeded random weights, or a dropped weights JSON), sliders for
// (x, t), the values f, grad f and Hessian at the point, f and df/dx along x, and a heat map of any partial.
import { HeatMap, LinePlot, fmtNum, fmtTick, type Range } from "./plot.js";
import {
  seedNetwork, networkFromJSON, pointDerivatives, batchDerivatives,
  type Network, type FieldName, type Fields, type PointDerivatives,
} from "./explorer-network.js";

const GRID = 72;          // heat map resolution (GRID x GRID points, one batched computation)
const LINE_POINTS = 241;  // points of the line plot

const FIELD_LABEL: Record<FieldName, string> = {
  f: "f(x, t)", df_dx: "∂f/∂x", df_dt: "∂f/∂t", d2f_dx2: "∂²f/∂x²", d2f_dxdt: "∂²f/∂x∂t", d2f_dt2: "∂²f/∂t²",
};

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;

export function initExplorer(): { shown(): void } {
  let net: Network | null = null;
  let domain: Range = [-4, 4];
  let x = 0.5, t = 0.5;
  let field: FieldName = "f";
  let grid: Fields | null = null;
  let downloadUrl: string | null = null;

  const seedInput = $<HTMLInputElement>("seed");
  const xs = $<HTMLInputElement>("x-slider"), xi = $<HTMLInputElement>("x-input");
  const ts = $<HTMLInputElement>("t-slider"), ti = $<HTMLInputElement>("t-input");
  const domainSel = $<HTMLSelectElement>("domain");
  const errorEl = $("net-error");

  const line = new LinePlot($("line-plot"), { xLabel: "x", yLabel: "f", y2Label: "∂f/∂x", aspect: 2.1 });
  const heat = new HeatMap($("heat-plot"), {
    title: "f(x, t)", xLabel: "x", yLabel: "t", colorMap: "viridis", aspect: 1.3, dataAspect: 1,
    onPick: (px, pt) => { setPoint(px, pt); },
  });

  function showError(msg: string | null): void {
    errorEl.hidden = msg === null;
    errorEl.textContent = msg ?? "";
  }

  function setNetwork(n: Network): void {
    net?.model.dispose();
    net = n;
    $("net-summary").textContent = n.summary;
    $("net-params").textContent = `${n.params} weights`;
    const src = $("net-source");
    if (n.source.startsWith("seed ")) {
      src.textContent = `${n.source}: the network of `;
      const c = document.createElement("code");
      c.textContent = `gradtape derivatives --seed ${n.source.slice(5)}`;
      src.append(c);
    } else src.textContent = `from ${n.source}`;
    if (downloadUrl) URL.revokeObjectURL(downloadUrl);
    downloadUrl = URL.createObjectURL(new Blob([n.json()], { type: "application/json" }));
    const a = $<HTMLAnchorElement>("net-download");
    a.href = downloadUrl;
    a.download = n.source.startsWith("seed") ? `seed-network-${n.source.slice(5)}.json` : "network.json";
    recomputeGrid();
    recomputeLine();
    recomputePoint();
  }

  function configureSliders(): void {
    for (const el of [xs, ts, xi, ti]) { el.min = String(domain[0]); el.max = String(domain[1]); }
    const step = (domain[1] - domain[0]) / 1000;
    xs.step = ts.step = String(step);
  }

  function setPoint(nx: number, nt: number, fromInput = false): void {
    x = nx; t = nt;
    xs.value = String(x); ts.value = String(t);
    if (!fromInput) { xi.value = String(Number(x.toFixed(4))); ti.value = String(Number(t.toFixed(4))); }
    recomputePoint();
    recomputeLine();
  }

  function recomputePoint(): void {
    if (!net) return;
    const t0 = performance.now();
    const d: PointDerivatives = pointDerivatives(net.model, x, t);
    const ms = performance.now() - t0;
    $("at-x").textContent = String(Number(x.toFixed(4)));
    $("at-t").textContent = String(Number(t.toFixed(4)));
    for (const k of ["f", "df_dx", "df_dt", "d2f_dx2", "d2f_dxdt", "d2f_dtdx", "d2f_dt2"] as const) {
      const el = $(`val-${k}`);
      el.textContent = fmtNum(d[k], 7);
      el.dataset.value = String(d[k]);
    }
    $("point-time").textContent = `f, gradient and Hessian at this point: ${ms.toFixed(2)} ms (gt.jet: one forward Taylor sweep)`;
    heat.setMarker([x, t]);
  }

  function recomputeLine(): void {
    if (!net) return;
    const px = new Float32Array(LINE_POINTS), pt = new Float32Array(LINE_POINTS).fill(t);
    for (let i = 0; i < LINE_POINTS; i++) px[i] = domain[0] + ((domain[1] - domain[0]) * i) / (LINE_POINTS - 1);
    const d = batchDerivatives(net.model, px, pt, false);
    $("line-title").textContent = `f and ∂f/∂x along x, at t = ${Number(t.toFixed(4))}`;
    line.options.xRange = domain;
    line.set([
      { name: "f", color: "#3b5bdb", x: px, y: d.f },
      { name: "∂f/∂x (right axis)", color: "#e8590c", x: px, y: d.df_dx, axis: "right", dash: [6, 3] },
    ], x);
  }

  function recomputeGrid(): void {
    if (!net) return;
    const n = GRID * GRID;
    const gx = new Float32Array(n), gt = new Float32Array(n);
    for (let j = 0; j < GRID; j++) {
      for (let i = 0; i < GRID; i++) {
        gx[j * GRID + i] = domain[0] + ((domain[1] - domain[0]) * i) / (GRID - 1);
        gt[j * GRID + i] = domain[0] + ((domain[1] - domain[0]) * j) / (GRID - 1);
      }
    }
    const t0 = performance.now();
    grid = batchDerivatives(net.model, gx, gt, true) as Fields;
    const ms = performance.now() - t0;
    $("grid-time").textContent = `${GRID}×${GRID} = ${n} points, f and all first and second partials in one batched computation: ${ms.toFixed(0)} ms`;
    drawHeat();
  }

  function drawHeat(): void {
    if (!grid) return;
    heat.options.title = `${FIELD_LABEL[field]} over x, t ∈ [${fmtTick(domain[0])}, ${fmtTick(domain[1])}]`;
    heat.options.colorMap = field === "f" ? "viridis" : "diverging";
    heat.set({ values: grid[field], nx: GRID, ny: GRID, xRange: domain, yRange: domain, unit: FIELD_LABEL[field] }, [x, t]);
  }

  // ----- wiring
  const fromSeed = () => {
    const s = Number(seedInput.value);
    if (!Number.isInteger(s) || s < 0) { showError("the seed must be a non-negative integer"); return; }
    showError(null);
    setNetwork(seedNetwork(s));
  };
  seedInput.addEventListener("change", fromSeed);
  $("seed-random").addEventListener("click", () => { seedInput.value = String(Math.floor(Math.random() * 100000)); fromSeed(); });

  const loadFile = async (file: File) => {
    try {
      const n = networkFromJSON(await file.text(), file.name);
      showError(null);
      setNetwork(n);
    } catch (e) {
      showError(`${file.name}: ${(e as Error).message}`);
    }
  };
  const drop = $("drop");
  drop.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("over"); });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (e) => {
    e.preventDefault();
    drop.classList.remove("over");
    const f = e.dataTransfer?.files[0];
    if (f) void loadFile(f);
  });
  // a file dropped anywhere else on the explorer should not navigate away
  window.addEventListener("dragover", (e) => e.preventDefault());
  window.addEventListener("drop", (e) => e.preventDefault());
  const fileInput = $<HTMLInputElement>("weights-file");
  fileInput.addEventListener("change", () => { const f = fileInput.files?.[0]; if (f) void loadFile(f); fileInput.value = ""; });

  xs.addEventListener("input", () => setPoint(Number(xs.value), t));
  ts.addEventListener("input", () => setPoint(x, Number(ts.value)));
  const numInput = (el: HTMLInputElement, which: "x" | "t") => () => {
    const v = Number(el.value);
    if (el.value.trim() === "" || !Number.isFinite(v)) return;
    if (which === "x") setPoint(v, t, true); else setPoint(x, v, true);
  };
  xi.addEventListener("input", numInput(xi, "x"));
  ti.addEventListener("input", numInput(ti, "t"));
  xi.addEventListener("change", numInput(xi, "x"));
  ti.addEventListener("change", numInput(ti, "t"));

  domainSel.addEventListener("change", () => {
    const [a, b] = domainSel.value.split(",").map(Number);
    domain = [a, b];
    configureSliders();
    const clamp = (v: number) => Math.min(b, Math.max(a, v));
    x = clamp(x); t = clamp(t);
    recomputeGrid();
    setPoint(x, t);
  });

  for (const b of Array.from($("field-toggle").querySelectorAll<HTMLButtonElement>("button"))) {
    b.dataset.testid = `field-${b.dataset.field}`;
    b.addEventListener("click", () => {
      field = b.dataset.field as FieldName;
      for (const o of Array.from($("field-toggle").querySelectorAll("button"))) o.setAttribute("aria-pressed", String(o === b));
      drawHeat();
    });
  }

  // ----- start
  {
    const [a, b] = domainSel.value.split(",").map(Number);
    domain = [a, b];
  }
  configureSliders();
  x = 0.5; t = 0.5;
  xs.value = xi.value = String(x);
  ts.value = ti.value = String(t);
  fromSeed();
  document.body.dataset.explorerReady = "true";

  return { shown: () => { line.requestDraw(); heat.requestDraw(); } };
}
