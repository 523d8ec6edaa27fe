// The PINN trainer page: a form, start/pause/resume/reset, the loss curve and the solution maps. All training
// happens in ./worker.ts (a module worker with its own gradtape core); this file only draws what it reports.
import { HeatMap, LinePlot, fmtNum } from "./plot.js";
import { PROBLEMS, type FromWorker, type ToWorker, type TrainConfig, type Field, type ProblemMeta } from "./protocol.js";
import { publishedSetup } from "./pinn-adapter.js";
import { Growable, decimate } from "./series.js";
import { CoefficientTrace } from "./coef-trace.js";

/** Why the quasi-Newton phase stopped, for people. */
const STOP_REASONS: Record<string, string> = {
  gradient: "gradient below tolerance",
  "loss-change": "the loss stopped changing",
  step: "the steps became negligible",
  "line-search-failed": "no further decrease at float32 precision",
  "max-iterations": "no further progress",
  "max-evaluations": "no further progress",
  "non-finite": "the loss or gradient is not finite",
  discrepancy: "the loss reached the data's noise level, the exact solution's loss (training further fits the noise)",
};

type State = "off" | "loading" | "idle" | "running" | "pausing" | "paused" | "converged" | "error";

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
export const MAX_PLOT_POINTS = 1500;

export function initTrainer(): { shown(): void } {
  let worker: Worker | null = null;
  let state: State = "off";
  let session: TrainConfig | null = null;
  let step = 0;
  let sessionId = 0;          // the id of the latest reset; messages about older sessions are dropped
  const lossSteps = new Growable(), losses = new Growable();
  const l2Steps = new Growable(), l2s = new Growable();

  const problemSel = $<HTMLSelectElement>("problem");
  for (const p of PROBLEMS) problemSel.add(new Option(p.label, p.id));
  const form = {
    layers: $<HTMLInputElement>("layers"), width: $<HTMLInputElement>("width"), activation: $<HTMLSelectElement>("activation"),
    nf: $<HTMLInputElement>("nf"), nu: $<HTMLInputElement>("nu"), lr: $<HTMLInputElement>("lr"), seed: $<HTMLInputElement>("train-seed"),
    optimizer: $<HTMLSelectElement>("optimizer"), adamSteps: $<HTMLInputElement>("adam-steps"), dtype: $<HTMLSelectElement>("dtype"),
  };
  const syncOptimizer = () => { form.adamSteps.disabled = form.optimizer.value !== "adam-lbfgs"; };
  form.optimizer.addEventListener("change", syncOptimizer);
  syncOptimizer();
  const btn = {
    start: $<HTMLButtonElement>("train-start"), pause: $<HTMLButtonElement>("train-pause"),
    resume: $<HTMLButtonElement>("train-resume"), reset: $<HTMLButtonElement>("train-reset"),
    json: $<HTMLButtonElement>("dl-json"), st: $<HTMLButtonElement>("dl-st"),
  };

  const lossPlot = new LinePlot($("loss-plot"), {
    xLabel: "step", yLabel: "loss, error (log scale)", logY: true, aspect: 2.4, empty: "press Start to train",
  });
  const coefs = new CoefficientTrace($("coef-card"), $("coef-stats"), $("coef-plot"));
  const mapOpts = (title: string, colorMap: "viridis" | "diverging" | "magma") => ({ title, xLabel: "x", yLabel: "t", colorMap, aspect: 1.35 });
  const mapPred = new HeatMap($("map-pred"), mapOpts("prediction u_θ", "diverging"));
  const mapRef = new HeatMap($("map-ref"), mapOpts("reference u", "diverging"));
  const mapErr = new HeatMap($("map-err"), mapOpts("|u_θ − u|", "magma"));
  let line1d: LinePlot | null = null;
  let err1d: LinePlot | null = null;
  let reference: Field | null = null;

  const meta = (): ProblemMeta => PROBLEMS.find((p) => p.id === problemSel.value)!;

  function readConfig(): TrainConfig | string {
    const int = (el: HTMLInputElement, lo: number, hi: number, what: string): number | string => {
      const v = Number(el.value);
      return Number.isInteger(v) && v >= lo && v <= hi ? v : `${what} must be an integer in [${lo}, ${hi}]`;
    };
    const layers = int(form.layers, 1, 10, "hidden layers"), width = int(form.width, 2, 128, "units per layer");
    const nf = int(form.nf, 16, 20000, "collocation points"), nu = int(form.nu, 2, 2000, "initial/boundary points");
    const seed = int(form.seed, 0, 2 ** 31 - 1, "seed");
    const opt = form.optimizer.value;
    const adamSteps = opt === "adam" ? -1 : opt === "lbfgs" ? 0 : int(form.adamSteps, 1, 1_000_000, "Adam steps before the quasi-Newton phase");
    const lr = Number(form.lr.value);
    for (const v of [layers, width, nf, nu, seed, adamSteps]) if (typeof v === "string") return v;
    if (!(lr > 0 && lr <= 0.5)) return "learning rate must be in (0, 0.5]";
    return {
      problem: meta().id, layers: layers as number, width: width as number, activation: form.activation.value,
      nf: nf as number, nu: nu as number, lr, adamSteps: adamSteps as number, seed: seed as number,
      dtype: form.dtype.value === "float64" ? "float64" : "float32",
    };
  }

  function showError(msg: string | null): void {
    const el = $("train-error");
    el.hidden = msg === null;
    el.textContent = msg ?? "";
  }

  function setState(s: State): void {
    state = s;
    const label: Record<State, string> = {
      off: "idle", loading: "preparing…", idle: step > 0 ? "stopped" : "ready", running: "training", pausing: "pausing…", paused: "paused",
      converged: "converged", error: "error",
    };
    $("train-status").textContent = label[s];
    $("train-status").title = "";
    btn.start.disabled = !(s === "idle" || s === "error" || s === "off" || s === "converged");
    btn.pause.disabled = s !== "running";
    btn.resume.disabled = s !== "paused";
    btn.reset.disabled = s === "loading";
    btn.json.disabled = btn.st.disabled = !(s === "idle" || s === "paused" || s === "running" || s === "pausing" || s === "converged") || session === null;
    document.body.dataset.trainState = s;
  }

  function post(m: ToWorker): void { worker!.postMessage(m); }

  function ensureWorker(): void {
    if (worker) return;
    worker = new Worker(new URL("./worker.ts", import.meta.url), { type: "module", name: "gradtape-trainer" });
    worker.onmessage = (e: MessageEvent<FromWorker>) => onMessage(e.data);
    worker.onerror = (e) => { showError(`the training worker failed: ${e.message || "unknown error"}`); setState("error"); };
    worker.onmessageerror = () => { showError("a message from the training worker could not be read"); };
  }

  function reset(): void {
    const cfg = readConfig();
    if (typeof cfg === "string") { showError(cfg); return; }
    showError(null);
    ensureWorker();
    step = 0;
    lossSteps.clear(); losses.clear(); l2Steps.clear(); l2s.clear();
    coefs.reset(null);
    $("train-step").textContent = "0";
    $("train-loss").textContent = "–";
    $("train-rate").textContent = "–";
    $("train-l2").textContent = "–";
    $("train-opt").textContent = "–";
    $("train-mem").textContent = "–";
    drawLoss();
    session = null;
    setState("loading");
    post({ type: "reset", id: ++sessionId, config: cfg });
  }

  function configChanged(): boolean {
    const cfg = readConfig();
    return typeof cfg === "string" || session === null || JSON.stringify(cfg) !== JSON.stringify(session);
  }

  function setupMaps(m: ProblemMeta): void {
    const oneD = m.axes.length === 1;
    for (const el of [$("map-pred"), $("map-ref"), $("map-err")]) el.hidden = oneD;
    if (oneD) {
      if (!line1d) {
        const box = document.createElement("div"); box.className = "plot"; box.dataset.testid = "line-1d";
        const box2 = document.createElement("div"); box2.className = "plot"; box2.dataset.testid = "err-1d";
        $("map-err").after(box, box2);
        line1d = new LinePlot(box, { xLabel: "x", yLabel: "u", aspect: 1.5 });
        err1d = new LinePlot(box2, { xLabel: "x", yLabel: "|u_θ − u|", aspect: 1.5 });
      }
      line1d.host.hidden = err1d!.host.hidden = false;
      $("maps-title").textContent = "Solution u(x)";
    } else {
      if (line1d) line1d.host.hidden = err1d!.host.hidden = true;
      const [ax, ay] = m.axes;
      for (const h of [mapPred, mapRef, mapErr]) { h.options.xLabel = ax.name; h.options.yLabel = ay.name; }
      $("maps-title").textContent = `Solution u(${ax.name}, ${ay.name}) on the reference grid`;
    }
  }

  function showFields(pred: Field, err: Field | null): void {
    const m = PROBLEMS.find((p) => p.id === session?.problem) ?? meta();
    if (m.axes.length === 1) {
      const xs = new Float64Array(pred.nx);
      for (let i = 0; i < pred.nx; i++) xs[i] = pred.xRange[0] + ((pred.xRange[1] - pred.xRange[0]) * i) / (pred.nx - 1);
      const series = [{ name: "prediction u_θ", color: "#3b5bdb", x: xs, y: pred.values }];
      if (reference) series.push({ name: "reference u", color: "#e8590c", x: xs, y: reference.values, dash: [6, 4] } as typeof series[0]);
      line1d!.options.xRange = pred.xRange;
      line1d!.set(series);
      if (err) err1d!.set([{ name: "|u_θ − u|", color: "#c2255c", x: xs, y: err.values }]);
      return;
    }
    // prediction and reference share one colour scale, so they can be compared by eye
    let a = 0;
    for (const f of [pred, reference]) if (f) for (let i = 0; i < f.values.length; i++) a = Math.max(a, Math.abs(f.values[i]));
    const vRange: [number, number] = [-(a || 1), a || 1];
    mapPred.set({ ...pred, vRange, unit: "u" });
    if (reference) mapRef.set({ ...reference, vRange, unit: "u" });
    if (err) mapErr.set({ ...err, vRange: [0, Math.max(1e-12, max(err.values))], unit: "|error|" });
  }

  function drawLoss(): void {
    const l = decimate(lossSteps.view(), losses.view(), MAX_PLOT_POINTS);
    const sw = session && session.adamSteps > 0 && step > session.adamSteps ? session.adamSteps + 0.5 : null;
    const a = session?.adamSteps ?? -1;
    lossPlot.options.xLabel = a === 0 ? "quasi-Newton iteration" : a < 0 ? "Adam step"
      : `Adam step, then quasi-Newton iteration (switch at ${a}${sw !== null ? ", dashed line" : ""})`;
    lossPlot.options.xRange = [0, Math.max(10, step)];
    lossPlot.set([
      { name: PROBLEMS.find((p) => p.id === session?.problem)?.coefficients ? "loss (residual + observations)" : "loss (residual + conditions)", color: "#3b5bdb", x: l.x, y: l.y, width: 1.6 },
      { name: "relative L2 error", color: "#e8590c", x: l2Steps.view(), y: l2s.view(), dash: [6, 3] },
    ], sw);
  }

  let lossDrawPending = false;
  function onMessage(m: FromWorker): void {
    if (m.id !== sessionId) return;
    switch (m.type) {
      case "ready": {
        session = m.config;
        reference = m.reference;
        setupMaps(PROBLEMS.find((p) => p.id === m.config.problem)!);
        $("train-params").textContent = String(m.params);
        coefs.reset(m.coefficients, PROBLEMS.find((p) => p.id === m.config.problem)!.coefficients);
        $("train-l2").textContent = fmtNum(m.relL2, 4);
        $("train-loss").textContent = fmtNum(m.loss, 5);
        $("train-loss").dataset.value = String(m.loss);
        l2Steps.push(0); l2s.push(m.relL2);
        lossSteps.push(0); losses.push(m.loss);
        showFields(m.prediction, m.error);
        drawLoss();
        $("maps-note").textContent = `Reference grid ${m.reference.nx}${m.reference.ny > 1 ? ` × ${m.reference.ny}` : ""} points` +
          `${m.reference.ny > 1 ? "; prediction and reference share one colour scale" : ""}. Computed by ${m.backend}.`;
        const wasStarting = state === "loading" && pendingRun;
        setState("idle");
        if (wasStarting) { pendingRun = false; run(); }
        break;
      }
      case "progress": {
        for (let i = 0; i < m.steps.length; i++) { lossSteps.push(m.steps[i]); losses.push(m.losses[i]); }
        step = m.step;
        $("train-step").textContent = String(m.step);
        const last = m.losses[m.losses.length - 1];
        if (last !== undefined) { $("train-loss").textContent = fmtNum(last, 5); $("train-loss").dataset.value = String(last); }
        $("train-rate").textContent = m.stepsPerSecond > 0 ? m.stepsPerSecond.toFixed(m.stepsPerSecond < 10 ? 1 : 0) : "–";
        $("train-opt").textContent = m.optimizer;
        coefs.add(m.step, m.coefficients);
        $("train-mem").textContent = `${(m.memory.bytes / 1024).toFixed(0)} KiB, ${m.memory.tensors} t.`;
        if (!lossDrawPending) { lossDrawPending = true; requestAnimationFrame(() => { lossDrawPending = false; drawLoss(); }); }
        break;
      }
      case "snapshot": {
        $("train-l2").textContent = fmtNum(m.relL2, 4);
        $("train-l2").dataset.value = String(m.relL2);
        l2Steps.push(m.step); l2s.push(m.relL2);
        showFields(m.prediction, m.error);
        break;
      }
      case "paused": {
        step = m.step;
        $("train-step").textContent = String(m.step);
        $("train-rate").textContent = "–";
        setState("paused");
        break;
      }
      case "exported": {
        const save = (data: BlobPart, type: string, name: string) => {
          const url = URL.createObjectURL(new Blob([data], { type }));
          const a = document.createElement("a");
          a.href = url; a.download = name;
          document.body.appendChild(a); a.click(); a.remove();
          setTimeout(() => URL.revokeObjectURL(url), 10_000);
        };
        if (exportWhat === "json") save(m.json, "application/json", `${m.name}.json`);
        else save(m.safetensors, "application/octet-stream", `${m.name}.safetensors`);
        break;
      }
      case "converged": {
        step = m.step;
        $("train-step").textContent = String(m.step);
        $("train-rate").textContent = "–";
        setState("converged");
        $("train-status").textContent = "converged";
        $("train-status").title = STOP_REASONS[m.reason] ?? m.reason;
        $("maps-note").textContent = `${$("train-opt").textContent} stopped at step ${m.step}: ${STOP_REASONS[m.reason] ?? m.reason}. ` + $("maps-note").textContent;
        break;
      }
      case "error": {
        showError(m.message);
        setState("error");
        break;
      }
    }
  }

  let pendingRun = false;
  function run(): void { post({ type: "run" }); setState("running"); }

  let exportWhat: "json" | "safetensors" = "json";
  btn.json.addEventListener("click", () => { exportWhat = "json"; post({ type: "export" }); });
  btn.st.addEventListener("click", () => { exportWhat = "safetensors"; post({ type: "export" }); });

  btn.start.addEventListener("click", () => {
    if (configChanged() || step > 0 || state === "error" || state === "converged") { pendingRun = true; reset(); return; }
    run();
  });
  btn.pause.addEventListener("click", () => { post({ type: "pause" }); setState("pausing"); });
  btn.resume.addEventListener("click", () => run());
  btn.reset.addEventListener("click", () => { pendingRun = false; reset(); });

  const fill = (c: Partial<TrainConfig>) => {
    if (c.layers !== undefined) form.layers.value = String(c.layers);
    if (c.width !== undefined) form.width.value = String(c.width);
    if (c.activation !== undefined) form.activation.value = c.activation;
    if (c.nf !== undefined) form.nf.value = String(c.nf);
    if (c.nu !== undefined) form.nu.value = String(c.nu);
    if (c.lr !== undefined) form.lr.value = String(c.lr);
    if (c.adamSteps !== undefined) form.adamSteps.value = String(c.adamSteps);
    if (c.dtype !== undefined) form.dtype.value = c.dtype;
  };
  $("preset-demo").addEventListener("click", () => fill({ ...meta().defaults, activation: "tanh" }));
  $("preset-published").addEventListener("click", () => { fill(publishedSetup(meta().id)); form.optimizer.value = "adam-lbfgs"; syncOptimizer(); });
  // an inverse problem has observations instead of initial/boundary conditions: its N_u input means nothing
  const showEquation = () => { $("equation").innerHTML = meta().equationHtml; form.nu.disabled = meta().coefficients !== undefined; };
  problemSel.addEventListener("change", () => {
    const d = meta().defaults;
    form.layers.value = String(d.layers); form.width.value = String(d.width);
    form.nf.value = String(d.nf); form.nu.value = String(d.nu); form.lr.value = String(d.lr);
    form.adamSteps.value = String(d.adamSteps);
    showEquation();
    if (state === "idle" || state === "error") reset();      // nothing trained yet worth keeping: show the new problem
  });
  {
    const d = meta().defaults;
    form.layers.value = String(d.layers); form.width.value = String(d.width);
    form.nf.value = String(d.nf); form.nu.value = String(d.nu); form.lr.value = String(d.lr);
    form.adamSteps.value = String(d.adamSteps);
  }
  showEquation();
  setState("off");

  return {
    shown: () => {
      if (!worker) reset();
      for (const p of [lossPlot, mapPred, mapRef, mapErr, line1d, err1d, coefs]) p?.requestDraw();
    },
  };
}

function max(a: ArrayLike<number>): number { let m = -Infinity; for (let i = 0; i < a.length; i++) if (a[i] > m) m = a[i]; return m; }
