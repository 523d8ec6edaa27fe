// ============================================================================================================
// THIN ADAPTER between the demo's training worker and gradtape's training API (optimizers, PINN problems with
// their reference solutions, weights I/O). The worker only sees `createSession()` and the `Session` interface
// below, so switching from this file's stand-ins to gradtape's own `optim`, `pinn` and `io` exports touches
// this file alone.
//
// STATUS: optimizers (optim.Adam, optim.LBFGS) and weights I/O (io.saveWeightsJSON, io.saveSafetensors) are
// gradtape's. The PINN toolkit (packages/gradtape/src/pinn) was still being built when this was written, so the
// four problems (their losses, written with GradientTape, and their reference solutions) are stand-ins here,
// marked FALLBACK.
// ============================================================================================================
import { nn, io, optim, tensor, tidy, keep, GradientTape, Generator, type Tensor } from "gradtape";
import type { Field, ProblemId, Range, TrainConfig } from "./protocol.js";

export interface StepResult {
  /** the loss of every optimizer step (Adam step or L-BFGS iteration) this call made, in order */
  losses: number[];
  /** the optimizer that made them */
  optimizer: "Adam" | "L-BFGS";
  /** set when L-BFGS stopped on a tolerance: nothing more to do */
  converged?: string;
}

export interface Session {
  readonly config: TrainConfig;
  readonly params: number;
  /** a line saying what does the work, shown under the maps */
  readonly backend: string;
  /** one Adam step, or up to a few L-BFGS iterations (after config.adamSteps Adam steps) */
  step(): StepResult;
  /** the network on the evaluation grid, with the error against the reference */
  evaluate(): { prediction: Field; error: Field; relL2: number };
  reference(): Field;
  /** the current loss, without an update */
  loss(): number;
  /** weights as { weights: { layers } } (the CLI's format), input scaling folded into the first layer */
  exportJSON(): string;
  exportSafetensors(): Uint8Array;
  dispose(): void;
}

// ------------------------------------------------------------------------------------------------------------
// FALLBACK: the problems (until gradtape's pinn toolkit is exported)

interface ProblemDef {
  axes: Range[];
  /** the residual at the collocation points; X is [n, d] and watched by `inner`/`outer` */
  residual(u: Tensor, d: Derivs): Tensor;
  /** initial/boundary points and their target values */
  conditions(n: number, rnd: () => number): { points: Float32Array; values: Float32Array };
  /** the evaluation grid and the reference values on it */
  grid(): { nx: number; ny: number; xs: Float64Array; ys: Float64Array; ref: Float32Array };
}

interface Derivs { ux: Tensor; ut: Tensor; uxx: Tensor; utt: Tensor }

const PI = Math.PI;
const linspace = (a: number, b: number, n: number) => Float64Array.from({ length: n }, (_, i) => (n === 1 ? a : a + ((b - a) * i) / (n - 1)));

function gridOf(xs: Float64Array, ys: Float64Array, f: (x: number, y: number) => number) {
  const ref = new Float32Array(xs.length * ys.length);
  for (let j = 0; j < ys.length; j++) for (let i = 0; i < xs.length; i++) ref[j * xs.length + i] = f(xs[i], ys[j]);
  return { nx: xs.length, ny: ys.length, xs, ys, ref };
}

/** points on t = 0 (initial condition) and on the two x boundaries, in proportion 1 : 1 */
function initialAndBoundary(n: number, rnd: () => number, [x0, x1]: Range, [t0, t1]: Range, u0: (x: number) => number) {
  const points = new Float32Array(2 * n), values = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    if (i < Math.ceil(n / 2)) { const x = x0 + (x1 - x0) * rnd(); points[2 * i] = x; points[2 * i + 1] = t0; values[i] = u0(x); }
    else { points[2 * i] = i % 2 ? x0 : x1; points[2 * i + 1] = t0 + (t1 - t0) * rnd(); values[i] = 0; }
  }
  return { points, values };
}

/**
 * The exact solution of Burgers' equation by the Cole-Hopf transformation, integrated in log space on a fine
 * trapezoidal grid (FALLBACK: gradtape's pinn toolkit has a Gauss-Hermite version accurate to ~1e-10).
 */
function burgersExact(x: number, t: number, nu = 0.01 / PI): number {
  if (t <= 0) return -Math.sin(PI * x);
  const s = Math.sqrt(4 * nu * t);
  const L = 12 * s * Math.sqrt(1 + 1 / (2 * PI * nu) / 8), n = 800;
  const h = (eta: number) => -Math.cos(PI * (x - eta)) / (2 * PI * nu) - (eta * eta) / (s * s);
  let hmax = -Infinity;
  for (let i = 0; i <= n; i++) hmax = Math.max(hmax, h(-L + (2 * L * i) / n));
  let num = 0, den = 0;
  for (let i = 0; i <= n; i++) {
    const eta = -L + (2 * L * i) / n;
    const w = Math.exp(h(eta) - hmax) * (i === 0 || i === n ? 0.5 : 1);
    num += Math.sin(PI * (x - eta)) * w;
    den += w;
  }
  return -num / den;
}

const FALLBACK_PROBLEMS: Record<ProblemId, ProblemDef> = {
  burgers: {
    axes: [[-1, 1], [0, 1]],
    residual: (u, d) => d.ut.add(u.mul(d.ux)).sub(d.uxx.mul(0.01 / PI)),
    conditions: (n, rnd) => initialAndBoundary(n, rnd, [-1, 1], [0, 1], (x) => -Math.sin(PI * x)),
    grid: () => gridOf(linspace(-1, 1, 256), linspace(0, 0.99, 100), (x, t) => burgersExact(x, t)),
  },
  heat: {
    axes: [[0, 1], [0, 1]],
    residual: (_u, d) => d.ut.sub(d.uxx.mul(0.4)),
    conditions: (n, rnd) => initialAndBoundary(n, rnd, [0, 1], [0, 1], (x) => Math.sin(PI * x)),
    grid: () => gridOf(linspace(0, 1, 101), linspace(0, 1, 101), (x, t) => Math.exp(-0.4 * PI * PI * t) * Math.sin(PI * x)),
  },
  poisson1d: {
    axes: [[-1, 1]],
    // -u'' = pi^2 sin(pi x)
    residual: (_u, d) => d.uxx.neg().sub(d.ut /* = pi^2 sin(pi x), passed as the source term */),
    conditions: (n) => {
      const points = new Float32Array(n), values = new Float32Array(n);
      for (let i = 0; i < n; i++) points[i] = i % 2 ? 1 : -1;
      return { points, values };
    },
    grid: () => gridOf(linspace(-1, 1, 401), Float64Array.of(0), (x) => Math.sin(PI * x)),
  },
  poisson2d: {
    axes: [[0, 1], [0, 1]],
    // -(u_xx + u_yy) = 2 pi^2 sin(pi x) sin(pi y); the source term arrives in ut (see sourceTerm)
    residual: (_u, d) => d.uxx.add(d.utt).neg().sub(d.ut),
    conditions: (n, rnd) => {
      const points = new Float32Array(2 * n), values = new Float32Array(n);
      for (let i = 0; i < n; i++) {
        const s = rnd(), side = i % 4;
        points[2 * i] = side === 0 ? 0 : side === 1 ? 1 : s;
        points[2 * i + 1] = side === 2 ? 0 : side === 3 ? 1 : s;
      }
      return { points, values };
    },
    grid: () => gridOf(linspace(0, 1, 101), linspace(0, 1, 101), (x, y) => Math.sin(PI * x) * Math.sin(PI * y)),
  },
};

/** Poisson's source terms, handed to the residual in place of u_t (which those problems do not have). */
function sourceTerm(id: ProblemId, X: Float32Array, n: number): Float32Array | null {
  if (id === "poisson1d") return Float32Array.from({ length: n }, (_, i) => PI * PI * Math.sin(PI * X[i]));
  if (id === "poisson2d") return Float32Array.from({ length: n }, (_, i) => 2 * PI * PI * Math.sin(PI * X[2 * i]) * Math.sin(PI * X[2 * i + 1]));
  return null;
}

/** mulberry32: a small seeded generator for the point sets */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// ------------------------------------------------------------------------------------------------------------
// the session

export function createSession(config: TrainConfig): Session {
  const P = FALLBACK_PROBLEMS[config.problem];
  const d = P.axes.length;
  const rnd = rng(config.seed * 2654435761 + 1);

  // inputs are scaled to [-1, 1] inside the model's loss and evaluation: x_s = (x - c) / h
  const center = P.axes.map(([a, b]) => (a + b) / 2), half = P.axes.map(([a, b]) => (b - a) / 2);

  // the network: d inputs -> layers x width (activation) -> 1 (linear)
  const gen = new Generator(config.seed);
  const layers: nn.Dense[] = [];
  for (let i = 0; i < config.layers; i++) layers.push(new nn.Dense({ units: config.width, activation: config.activation as nn.ActivationName, generator: gen, kernelInitializer: "glorotNormal" }));
  layers.push(new nn.Dense({ units: 1, generator: gen, kernelInitializer: "glorotNormal" }));
  const model = new nn.Sequential(layers);
  const scaleT = keep(tensor(half.map((h) => 1 / h), [1, d]));
  const centerT = keep(tensor(center, [1, d]));
  const net = (X: Tensor): Tensor => model.apply(X.sub(centerT).mul(scaleT));
  tidy(() => { net(tensor(new Float32Array(d), [1, d])); });
  const vars = model.trainableWeights;
  const params = vars.reduce((s, v) => s + v.size, 0);

  // collocation points (uniform in the domain) and initial/boundary points
  const nf = config.nf;
  const Xf = new Float32Array(nf * d);
  for (let i = 0; i < nf; i++) for (let k = 0; k < d; k++) Xf[i * d + k] = P.axes[k][0] + (P.axes[k][1] - P.axes[k][0]) * rnd();
  const cond = P.conditions(config.nu, rnd);
  const XfT = keep(tensor(Xf, [nf, d]));
  const XbT = keep(tensor(cond.points, [config.nu, d]));
  const ubT = keep(tensor(cond.values, [config.nu, 1]));
  const src = sourceTerm(config.problem, Xf, nf);
  const srcT = src ? keep(tensor(src, [nf, 1])) : null;
  const onehots = Array.from({ length: d }, (_, k) => {
    const e = new Float32Array(nf * d);
    for (let i = 0; i < nf; i++) e[i * d + k] = 1;
    return keep(tensor(e, [nf, d]));
  });

  const lossFn = (): Tensor => {
    const outer = new GradientTape({ persistent: true });
    const inner = new GradientTape();
    try {
      let u!: Tensor;
      const g = outer.record(() => {
        outer.watch(XfT);
        u = inner.record(() => { inner.watch(XfT); return net(XfT); });
        return inner.gradient(u, XfT)!;                         // [nf, d]: u_x (, u_t)
      });
      const col = (t: Tensor, k: number) => t.slice([0, k], [nf, 1]);
      const h0 = outer.gradient(g, XfT, { outputGradients: onehots[0] })!;   // [u_xx, u_xt]
      const h1 = d > 1 && config.problem === "poisson2d" ? outer.gradient(g, XfT, { outputGradients: onehots[1] })! : null;
      const D: Derivs = {
        ux: col(g, 0), uxx: col(h0, 0),
        ut: srcT ?? col(g, 1),
        utt: h1 ? col(h1, 1) : col(h0, 0),
      };
      const r = P.residual(u, D);
      const ub = net(XbT);
      return r.square().mean().add(ub.sub(ubT).square().mean());
    } finally { inner.dispose(); outer.dispose(); }
  };

  // Adam for config.adamSteps steps, then L-BFGS (the usual PINN recipe); adamSteps < 0 means Adam only
  const adam = new optim.Adam({ learningRate: config.lr });
  let lbfgs: optim.LBFGS | null = null;
  let adamDone = 0;
  const LBFGS_PER_CALL = 4;   // iterations per step() call: keeps one call well under the worker's pause latency
  const grid = P.grid();
  const gridPts = new Float32Array(grid.nx * grid.ny * d);
  for (let j = 0; j < grid.ny; j++) for (let i = 0; i < grid.nx; i++) {
    const k = j * grid.nx + i;
    gridPts[k * d] = grid.xs[i];
    if (d > 1) gridPts[k * d + 1] = grid.ys[j];
  }
  const gridT = keep(tensor(gridPts, [grid.nx * grid.ny, d]));
  const field = (values: Float32Array): Field => ({
    nx: grid.nx, ny: grid.ny, xRange: [grid.xs[0], grid.xs[grid.nx - 1]],
    yRange: [grid.ys[0], grid.ys[grid.ny - 1]], values,
  });

  /**
   * The trained network as a plain stack of Dense layers on the raw inputs: the input scaling is folded into the
   * first layer (W' = W / h per input row, b' = b - sum_k c_k W'_k), so the files need no extra convention and a
   * 2-input network loads straight into the derivative explorer or `gradtape derivatives --weights`.
   */
  const exportModel = (): nn.Sequential => {
    const out = new nn.Sequential(layers.map((L, i) => new nn.Dense({
      units: L.units, activation: L.activation as nn.ActivationName, inputShape: [L.kernel!.shape[0]], kernelInitializer: "zeros",
    })));
    tidy(() => {
      out.stack.forEach((D, i) => {
        const k = layers[i].kernel!.array() as number[][], b = layers[i].bias!.array() as number[];
        if (i === 0) {
          const k0 = k.map((row, r) => row.map((w) => w / half[r]));
          const b0 = b.map((bj, j) => bj - k0.reduce((s, row, r) => s + center[r] * row[j], 0));
          (D as nn.Dense).kernel!.assign(k0); (D as nn.Dense).bias!.assign(b0);
        } else { (D as nn.Dense).kernel!.assign(k); (D as nn.Dense).bias!.assign(b); }
      });
    });
    return out;
  };
  const withExport = <T>(f: (m: nn.Sequential) => T): T => { const m = exportModel(); try { return f(m); } finally { m.dispose(); } };

  return {
    config,
    params,
    backend: "gradtape in a Web Worker: optim.Adam then optim.LBFGS; problems and references from the demo's stand-ins (apps/demo/src/pinn-adapter.ts)",
    step: () => {
      if (config.adamSteps < 0 || adamDone < config.adamSteps) {
        adamDone++;
        return { losses: [adam.minimize(lossFn, vars)], optimizer: "Adam" };
      }
      const losses: number[] = [];
      lbfgs ??= new optim.LBFGS({ maxIterations: LBFGS_PER_CALL, maxEvaluations: 3 * LBFGS_PER_CALL + 1, historySize: 50 });
      lbfgs.onIteration = (it) => { losses.push(it.loss); };
      const final = lbfgs.minimize(lossFn, vars);
      const r = lbfgs.result!;
      if (losses.length === 0) losses.push(final);
      return { losses, optimizer: "L-BFGS", converged: r.converged || r.reason === "line-search-failed" ? r.reason : undefined };
    },
    loss: () => tidy(() => lossFn().item()),
    reference: () => field(grid.ref),
    evaluate: () => {
      const pred = tidy(() => net(gridT).data());
      const err = new Float32Array(pred.length);
      let num = 0, den = 0;
      for (let i = 0; i < pred.length; i++) {
        const e = pred[i] - grid.ref[i];
        err[i] = Math.abs(e);
        num += e * e; den += grid.ref[i] * grid.ref[i];
      }
      return { prediction: field(pred), error: field(err), relL2: Math.sqrt(num / den) };
    },
    exportJSON: () => withExport((m) => io.saveWeightsJSON(m)),
    exportSafetensors: () => withExport((m) => io.saveSafetensors(m, { metadata: { "gradtape.problem": config.problem, "gradtape.inputs": P.axes.length === 1 ? "x" : config.problem === "poisson2d" ? "x,y" : "x,t" } })),
    dispose: () => {
      adam.dispose();
      model.dispose();
      for (const t of [scaleT, centerT, XfT, XbT, ubT, srcT, gridT, ...onehots]) t?.dispose();
    },
  };
}
