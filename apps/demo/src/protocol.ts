// Messages between the trainer page (main thread) and the training worker, and the static description of the
// problems (no gradtape import here: the main thread needs it before any worker exists).

export type ProblemId = "burgers" | "heat" | "poisson1d" | "poisson2d" | "poisson-lshape" | "laplace-disk" | "advection"
  | "burgers-inverse" | "burgers-inverse-noisy" | "helmholtz" | "wave" | "allen-cahn" | "kovasznay";
export type Range = [number, number];

export interface ProblemMeta {
  id: ProblemId;
  label: string;
  /** the equation, conditions and domain, as HTML */
  equationHtml: string;
  /** names and ranges of the inputs: [x, t] or [x, y] or [x] */
  axes: { name: string; range: Range }[];
  /** the unknown PDE coefficients an inverse problem identifies, as shown in the page (name -> HTML label) */
  coefficients?: Record<string, string>;
  /** sensible demo sizes (smaller than the published setups, so a run shows progress in seconds) */
  defaults: { layers: number; width: number; nf: number; nu: number; lr: number; adamSteps: number };
}

/** Raissi et al.'s inverse Burgers problem, from observations `data` (clean or noisy): lambda1 and lambda2 unknown. */
function inverseBurgers(id: ProblemId, label: string, data: string): ProblemMeta {
  return {
    id, label,
    equationHtml: "<i>u<sub>t</sub></i> + <b>λ<sub>1</sub></b> <i>u u<sub>x</sub></i> − <b>λ<sub>2</sub></b> <i>u<sub>xx</sub></i> = 0, λ<sub>1</sub>, λ<sub>2</sub> unknown<br>" +
      `2,000 observations of <i>u</i> ${data}, no initial or boundary condition` +
      "<span class=\"domain\">x ∈ [−1, 1], t ∈ [0, 1]; exact λ<sub>1</sub> = 1, λ<sub>2</sub> = 0.01/π (Raissi et al. 2019)</span>",
    axes: [{ name: "x", range: [-1, 1] }, { name: "t", range: [0, 1] }],
    coefficients: { lambda1: "λ<sub>1</sub>", lambda2: "λ<sub>2</sub>" },
    defaults: { layers: 6, width: 20, nf: 2000, nu: 100, lr: 0.005, adamSteps: 1000 },
  };
}

export const PROBLEMS: ProblemMeta[] = [
  {
    id: "burgers", label: "Burgers",
    equationHtml: "<i>u<sub>t</sub></i> + <i>u u<sub>x</sub></i> − (0.01/π) <i>u<sub>xx</sub></i> = 0<br>" +
      "<i>u</i>(0, <i>x</i>) = −sin(π<i>x</i>), <i>u</i>(<i>t</i>, ±1) = 0" +
      "<span class=\"domain\">x ∈ [−1, 1], t ∈ [0, 1]; reference: exact Cole–Hopf solution by Gauss–Hermite quadrature</span>",
    axes: [{ name: "x", range: [-1, 1] }, { name: "t", range: [0, 1] }],
    defaults: { layers: 4, width: 20, nf: 2000, nu: 100, lr: 0.005, adamSteps: 1000 },
  },
  {
    id: "heat", label: "Heat",
    equationHtml: "<i>u<sub>t</sub></i> = 0.4 <i>u<sub>xx</sub></i><br><i>u</i>(0, <i>x</i>) = sin(π<i>x</i>), <i>u</i>(<i>t</i>, 0) = <i>u</i>(<i>t</i>, 1) = 0" +
      "<span class=\"domain\">x ∈ [0, 1], t ∈ [0, 1]; exact: e<sup>−0.4π²t</sup> sin(πx)</span>",
    axes: [{ name: "x", range: [0, 1] }, { name: "t", range: [0, 1] }],
    defaults: { layers: 3, width: 20, nf: 1000, nu: 100, lr: 0.005, adamSteps: 500 },
  },
  {
    id: "poisson1d", label: "Poisson 1-D",
    equationHtml: "−<i>u</i>″ = π² sin(π<i>x</i>), <i>u</i>(±1) = 0<span class=\"domain\">x ∈ [−1, 1]; exact: sin(πx)</span>",
    axes: [{ name: "x", range: [-1, 1] }],
    defaults: { layers: 2, width: 20, nf: 200, nu: 2, lr: 0.005, adamSteps: 300 },
  },
  {
    id: "poisson2d", label: "Poisson 2-D",
    equationHtml: "−Δ<i>u</i> = 2π² sin(π<i>x</i>) sin(π<i>y</i>), <i>u</i> = 0 on the boundary" +
      "<span class=\"domain\">(x, y) ∈ [0, 1]²; exact: sin(πx) sin(πy)</span>",
    axes: [{ name: "x", range: [0, 1] }, { name: "y", range: [0, 1] }],
    defaults: { layers: 3, width: 20, nf: 1000, nu: 200, lr: 0.005, adamSteps: 500 },
  },
  {
    id: "poisson-lshape", label: "Poisson L-shape",
    equationHtml: "−Δ<i>u</i> = 1, <i>u</i> = 0 on the boundary" +
      "<span class=\"domain\">L-shape [−1, 1]² minus (0, 1]²; reference: finite differences (800² cells)</span>",
    axes: [{ name: "x", range: [-1, 1] }, { name: "y", range: [-1, 1] }],
    defaults: { layers: 3, width: 20, nf: 1200, nu: 120, lr: 0.005, adamSteps: 500 },
  },
  {
    id: "laplace-disk", label: "Laplace disk (Robin)",
    equationHtml: "Δ<i>u</i> = 0, <i>u</i> + ∂<i>u</i>/∂<i>n</i> = <i>g</i> on the circle" +
      "<span class=\"domain\">unit disk; exact: e<sup>x</sup> cos y</span>",
    axes: [{ name: "x", range: [-1, 1] }, { name: "y", range: [-1, 1] }],
    defaults: { layers: 3, width: 20, nf: 1000, nu: 200, lr: 0.005, adamSteps: 500 },
  },
  {
    id: "advection", label: "Advection (periodic)",
    equationHtml: "<i>u<sub>t</sub></i> + <i>u<sub>x</sub></i> = 0, <i>u</i>(0, <i>x</i>) = sin(2π<i>x</i>), <i>u</i>(<i>t</i>, 0) = <i>u</i>(<i>t</i>, 1)" +
      "<span class=\"domain\">x ∈ [0, 1] periodic, t ∈ [0, 1]; exact: sin(2π(x − t))</span>",
    axes: [{ name: "x", range: [0, 1] }, { name: "t", range: [0, 1] }],
    defaults: { layers: 4, width: 20, nf: 2000, nu: 200, lr: 0.005, adamSteps: 500 },
  },
  inverseBurgers("burgers-inverse", "Burgers, inverse (λ₁, λ₂ unknown)", "(Cole–Hopf, clean)"),
  inverseBurgers("burgers-inverse-noisy", "Burgers, inverse, 1% noise", "with 1% Gaussian noise"),
  {
    id: "helmholtz", label: "Helmholtz (a₂ = 4)",
    equationHtml: "<i>u<sub>xx</sub></i> + <i>u<sub>yy</sub></i> + <i>u</i> = <i>q</i>(<i>x</i>, <i>y</i>), <i>u</i> = exact on the boundary" +
      "<span class=\"domain\">(x, y) ∈ [−1, 1]²; exact: sin(πx) sin(4πy) (Wang, Teng &amp; Perdikaris 2021)</span>",
    axes: [{ name: "x", range: [-1, 1] }, { name: "y", range: [-1, 1] }],
    defaults: { layers: 4, width: 50, nf: 4000, nu: 400, lr: 0.001, adamSteps: 2000 },
  },
  {
    id: "wave", label: "Wave 1-D",
    equationHtml: "<i>u<sub>tt</sub></i> = 4 <i>u<sub>xx</sub></i>, <i>u</i>(0, <i>x</i>) and <i>u<sub>t</sub></i>(0, <i>x</i>) = 0 given, <i>u</i>(<i>t</i>, 0) = <i>u</i>(<i>t</i>, 1) = 0" +
      "<span class=\"domain\">x ∈ [0, 1], t ∈ [0, 1]; exact: sin(πx) cos(2πt) + ½ sin(4πx) cos(8πt)</span>",
    axes: [{ name: "x", range: [0, 1] }, { name: "t", range: [0, 1] }],
    defaults: { layers: 4, width: 50, nf: 4000, nu: 600, lr: 0.001, adamSteps: 2000 },
  },
  {
    id: "allen-cahn", label: "Allen–Cahn",
    equationHtml: "<i>u<sub>t</sub></i> − 10<sup>−4</sup> <i>u<sub>xx</sub></i> + 5<i>u</i>³ − 5<i>u</i> = 0, <i>u</i>(0, <i>x</i>) = <i>x</i>² cos(π<i>x</i>), periodic in <i>x</i>" +
      "<span class=\"domain\">x ∈ [−1, 1], t ∈ [0, 1]; reference: Fourier / ETDRK4 solver (2,048 modes)</span>",
    axes: [{ name: "x", range: [-1, 1] }, { name: "t", range: [0, 1] }],
    defaults: { layers: 3, width: 32, nf: 8000, nu: 800, lr: 0.001, adamSteps: 2000 },
  },
  {
    id: "kovasznay", label: "Kovasznay flow (u shown)",
    equationHtml: "steady Navier–Stokes, Re = 20: (<b>u</b>·∇)<b>u</b> + ∇<i>p</i> = Δ<b>u</b>/Re, ∇·<b>u</b> = 0; outputs <i>u</i>, <i>v</i>, <i>p</i>" +
      "<span class=\"domain\">(x, y) ∈ [−0.5, 1] × [−0.5, 1.5]; exact: Kovasznay (1948); the maps show u</span>",
    axes: [{ name: "x", range: [-0.5, 1] }, { name: "y", range: [-0.5, 1.5] }],
    defaults: { layers: 4, width: 50, nf: 2601, nu: 400, lr: 0.001, adamSteps: 2000 },
  },
];

export interface TrainConfig {
  problem: ProblemId;
  layers: number;
  width: number;
  activation: string;
  nf: number;
  nu: number;
  lr: number;
  /** Adam steps before switching to the quasi-Newton method; -1 = Adam only, 0 = quasi-Newton from the start */
  adamSteps: number;
  seed: number;
  /** the arithmetic of the network, points and loss: "float32" (default, about 2x faster) or "float64" */
  dtype?: "float32" | "float64";
}

/** The optimizer making a step: Adam, then the quasi-Newton method pinn.train's optimizer "auto" picks. */
export type OptimizerName = "Adam" | "SSBroyden" | "L-BFGS";

/** An inverse problem's unknown coefficients: their values now, and the exact ones where the problem knows them. */
export interface Coefficients { values: Record<string, number>; exact: Record<string, number> | null }

/** The solution on the evaluation grid: values[iy * nx + ix] (for 1-D problems ny = 1). */
export interface Field { nx: number; ny: number; xRange: Range; yRange: Range; values: Float32Array }

// main -> worker. Every session gets an id from the page (in "reset"); the worker tags what it sends about a
// session with that id, so the page can drop messages about a session it has already reset away.
export type ToWorker =
  | { type: "reset"; id: number; config: TrainConfig }
  | { type: "run" }
  | { type: "pause" }
  | { type: "export" };

// worker -> main
export type FromWorker = { id: number } & (
  | { type: "ready"; config: TrainConfig; params: number; reference: Field; prediction: Field; error: Field; relL2: number; loss: number; backend: string; coefficients: Coefficients | null }
  | { type: "progress"; step: number; steps: Float64Array; losses: Float64Array; stepsPerSecond: number; optimizer: OptimizerName; memory: { tensors: number; bytes: number }; coefficients: Record<string, number> | null }
  | { type: "converged"; step: number; reason: string }
  | { type: "snapshot"; step: number; prediction: Field; error: Field; relL2: number }
  | { type: "paused"; step: number }
  | { type: "exported"; json: string; safetensors: ArrayBuffer; name: string }
  | { type: "error"; message: string });
