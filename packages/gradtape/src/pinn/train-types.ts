// The options, progress reports and results of pinn.train (train.ts), and the points a run trains on.
import type { Tensor } from "../tensor.js";
import type { LBFGSOptions, LBFGSStopReason } from "../optim/lbfgs.js";
import type { SecondPhaseChoice, SecondPhaseOptimizer } from "./second-phase.js";
import type { LearningRate } from "../optim/optimizer.js";
import type { ActivationName } from "../nn/activations.js";
import type { PinnNetwork } from "./network.js";
import type { SamplerName } from "./sampling.js";
import type { NonFinite } from "./train-loop.js";
import type { CheckpointOptions } from "./train-resume.js";
import type { TrainCheckpoint } from "./checkpoint.js";
import type { ConditionTerm } from "./condition-terms.js";
import type { NetworkChoice } from "./architecture.js";
import type { ObservationTensors } from "./observations.js";
import type { BalancingScheme, BalancingOptions } from "./balancing.js";
import type { RemedyOptions, RemedyReport } from "./remedies.js";
import type { ThreadSwitch } from "./thread-governor.js";

export interface TrainOptions extends RemedyOptions {
  /** a network to train (its input count must match the domain), or how to make one */
  network?: PinnNetwork | ({ hidden?: number[]; activation?: ActivationName; seed?: number } & NetworkChoice);
  /** the float dtype of the network, the points and the loss: "float32" (default) or "float64" (slower; for accuracy below float32's floor) */
  dtype?: "float32" | "float64";
  /** map the domain box to [-1, 1] in the network (default true) */
  scaleInputs?: boolean;
  /** number of collocation points N_f (default: the problem's, else 10,000) */
  collocationPoints?: number;
  /** number of initial/boundary condition points N_u in all (default: the problem's, else 100) */
  conditionPoints?: number;
  /** how collocation and condition points are drawn (default: the problem's, else "lhs") */
  sampler?: SamplerName;
  /** seed of the points and of the initial weights (default 0) */
  seed?: number;
  /** Adam steps before L-BFGS (default: the problem's, else 1000) */
  adamSteps?: number;
  /** Adam's learning rate (default: the problem's, else 1e-3) */
  learningRate?: LearningRate;
  /** L-BFGS iterations (default: the problem's, else 5000) */
  lbfgsSteps?: number;
  /**
   * the optimizer after Adam: "auto" (default: "ssbroyden" for networks of at most 10,000 weights, else "lbfgs"),
   * "lbfgs", or a dense quasi-Newton method of optim.BFGS: "ssbfgs" (self-scaled BFGS), "ssbroyden" (self-scaled
   * Broyden), "bfgs"; those keep an n x n inverse Hessian (networks of at most optim.MAX_BFGS_PARAMETERS weights;
   * 36 MB at 3,000). lbfgsSteps and the lbfgs options apply to either. A resumed run keeps its checkpoint's.
   */
  optimizer?: SecondPhaseChoice;
  /** further L-BFGS options (history size, tolerances, line search; lossNoise defaults to 1e-4 here) */
  lbfgs?: Omit<LBFGSOptions, "maxIterations" | "maxEvaluations" | "onIteration">;
  /** stop (after the current step) once this many seconds have passed */
  timeLimit?: number;
  /** called after every step (at most every `progressInterval` ms); return false to stop */
  onProgress?: (p: TrainProgress) => void | boolean;
  /** minimum milliseconds between onProgress calls (default 0: every step) */
  progressInterval?: number;
  /** derivatives() method (default "nested-reverse") */
  derivativeMethod?: string;
  /** compile the loss and its gradient with jit() (default true): the same numbers, ~1.2x faster steps */
  jit?: boolean;
  /**
   * save checkpoints: { dir } writes DIR/checkpoint.safetensors (Node; replaced atomically), { onSave } hands each
   * checkpoint over (pinn.encodeCheckpoint makes its bytes); every N steps (`every`, default 0: only at the end)
   * and when the run stops (not after a divergence: the previous checkpoint is kept)
   */
  checkpoint?: CheckpointOptions;
  /**
   * continue a run from a checkpoint (a directory or file written by `checkpoint.dir`, or a decoded checkpoint):
   * give the same problem and options; the run then ends with the same weights, to the bit, as an uninterrupted
   * one. A checkpoint of another problem, network shape or points is refused with a CheckpointError naming the
   * difference.
   */
  resume?: string | TrainCheckpoint;
  /** loss balancing: "lr-annealing", "grad-norm" or "ntk", or { scheme, every, alpha, points } (pinn/balancing.ts;
   *  default: the problem's, else none; false: none) */
  balancing?: BalancingScheme | BalancingOptions | false;
  // adaptive (adaptive collocation: RAR, RAD, RAR-D) and causal (causal training) come from RemedyOptions
  /** steps between records of the loss terms' values (default: the balancing interval, else 100) */
  termInterval?: number;
  /** initial values of the problem's unknown parameters (default: the problem's params) */
  params?: Readonly<Record<string, number>>;
  /**
   * the discrepancy stop for observations that declare their noise (ObservationData.noise): true (default) ends
   * training once the loss (the sum of its terms) falls to the exact solution's, weight × noise² (stopReason
   * "discrepancy"; train-loop.ts says why); false trains on
   */
  stopAtNoise?: boolean;
  /**
   * kernel threads for this run (the same results with any count): "auto" (default) uses the threads the core was
   * started with (ready({ threads })) when the job is large enough and cores are spare (pinn/thread-choice.ts);
   * a number n uses n (the core must have been started with at least n)
   */
  threads?: number | "auto";
}

export interface TrainProgress {
  /** "lbfgs" is the phase after Adam, whichever optimizer runs it (`optimizer`) */
  phase: "adam" | "lbfgs";
  /** the optimizer of the phase after Adam ("auto" resolved), as in the result */
  optimizer: SecondPhaseOptimizer;
  /** steps done in all (Adam steps + L-BFGS iterations) */
  step: number;
  /** steps planned in all */
  steps: number;
  /** steps done and planned in this phase */
  phaseStep: number;
  phaseSteps: number;
  /** the loss at this step */
  loss: number;
  /** recent speed (this phase) */
  stepsPerSecond: number;
  /** estimated seconds left (bounded by the time limit) */
  eta: number;
  /** seconds since training started */
  elapsed: number;
  /** the unknown parameters' current values (inverse problems only) */
  params?: Record<string, number>;
  /** loss-and-gradient evaluations so far (one per Adam step, L-BFGS's line searches included) */
  evaluations: number;
  /** of them, those L-BFGS's line searches made (every trial point, the accepted ones included) */
  lineSearchEvaluations: number;
  /** the kernel threads this run uses now */
  threads: number;
  /** each loss term's value at the latest record (every termInterval steps), and the balancing weights */
  terms?: Record<string, number>;
  weights?: Record<string, number>;
  /** adaptive collocation (resamples, points now) and causal training (smallest causal weight, eps): remedies.ts */
  adaptive?: RemedyReport["adaptive"];
  causal?: RemedyReport["causal"];
}

/** "discrepancy": the loss fell to the exact solution's, given the observations' declared noise (TrainOptions.stopAtNoise) */
export type TrainStopReason = "done" | "time-limit" | "callback" | "non-finite" | "discrepancy" | LBFGSStopReason;

export interface TrainResult {
  network: PinnNetwork;
  /** the optimizer of the phase after Adam ("auto" resolved) */
  optimizer: SecondPhaseOptimizer;
  adamSteps: number;
  lbfgsSteps: number;
  /** loss evaluations by L-BFGS (its line searches included) */
  lbfgsEvaluations: number;
  /** loss-and-gradient evaluations in all: adamSteps + lbfgsEvaluations (over all sessions of a resumed run) */
  evaluations: number;
  /**
   * of lbfgsEvaluations, those its line searches made (every trial point, the accepted ones included; the rest are
   * one per L-BFGS call, at its starting point): lineSearchEvaluations - lbfgsSteps is the searches' extra cost
   */
  lineSearchEvaluations: number;
  /**
   * the kernel threads the run used (at its end), and why (thread-choice.ts: "given: 2", "auto: 2 cores, load 0.31,
   * ..."; with "auto", the changes made during the run follow: "...; then 2 from step 180 (others' CPU use 0.05)")
   */
  threads: number;
  threadChoice: string;
  /** with "auto": each change of the thread count during the run (thread-governor.ts), at most 100 */
  threadSwitches?: ThreadSwitch[];
  steps: number;
  finalLoss: number;
  seconds: number;
  stopReason: TrainStopReason;
  /** the loss after every step: [step, loss] pairs (over all sessions of a resumed run) */
  history: [number, number][];
  /** the names of the loss terms, and their values after every step (parallel to history) */
  termNames: string[];
  terms: number[][];
  /** where the run went non-finite (stopReason "non-finite"): the weights are the last finite ones */
  nonFinite: NonFinite | null;
  /** inverse problems: the parameters' final values, and each one's value after every step as [step, value] pairs */
  params?: Record<string, number>;
  paramHistory?: Record<string, [number, number][]>;
  /** each loss term's value every termInterval steps (and at the end): [step, value] pairs */
  termHistory: Record<string, [number, number][]>;
  /** with balancing: the final weights, and each weight after every update */
  lossWeights?: Record<string, number>;
  weightHistory?: Record<string, [number, number][]>;
  /** adaptive collocation: resamples done and the final number of collocation points */
  adaptive?: { resamples: number; points: number };
  /** causal training: the final smallest weight and eps, and [step, min weight, eps] at every weight update */
  causal?: { minWeight: number; eps: number; weights: number[]; history: [number, number, number][] };
  /** the last checkpoint file written (checkpoint.dir), or null */
  checkpointFile: string | null;
  /** the first failure to write a checkpoint file (training went on; the previous checkpoint file is unchanged) */
  checkpointError: Error | null;
}

/** The points a training run uses (float32 tensors, kept until dispose()). */
export interface TrainingData {
  /** collocation points [N_f, d] and their columns ([N_f, 1] each, by variable name) */
  collocation: Tensor;
  columns: Record<string, Tensor>;
  /** condition points grouped by prescribed quantity: inputs [n, d], values [n, 1], weights [n, 1] or null */
  groups: { quantity: string; points: Tensor; values: Tensor; weights: Tensor | null }[];
  /** Neumann, Robin, periodic and operator conditions' points and data */
  terms: ConditionTerm[];
  /** N_u, the total number of condition points */
  conditionCount: number;
  /** the observations of an inverse problem, or null */
  observations: ObservationTensors | null;
  dispose(): void;
}

