// ============================================================================================================
// THIN ADAPTER between the demo's training worker and gradtape's training API. The worker only sees
// createSession() and the Session interface below; everything gradtape-specific about training is here.
//
// It uses gradtape's PINN toolkit step by step instead of pinn.train() (which runs a whole training in one
// synchronous call): the page must be able to pause, resume and look at the network between any two steps.
//   problem      pinn.getProblem(id)          the built-in problems with their exact/reference solutions
//   network      pinn.makeNetwork(...)        MLP with the domain mapped to [-1, 1]^d
//   points       pinn.trainingData(...)       Latin hypercube collocation points, condition points on the faces
//   loss         pinn.pinnLoss(...)           mean residual² + condition errors, input derivatives batched
//   optimizers   optim.Adam, then the quasi-Newton method pinn.train picks and builds (pinn.checkSecondPhase
//                "auto", pinn.makeSecondPhase): SSBroyden (optim.BFGS, a dense float64 inverse Hessian) up to
//                pinn.AUTO_DENSE_PARAMETERS weights, else optim.LBFGS; restarted on float32 stalls, as pinn.train does; the loss and its
//                gradient compiled with jit (minimize({ jit: true })), as pinn.train does
//   coefficients pinn.makeParamVariables(...) an inverse problem's unknown PDE coefficients, trained with the weights
//                                            (pinnLoss reads them; pinn.readParams gives their values)
//   evaluation   pinn.evaluate(net, problem)  prediction on the reference grid, relative L2 error
//   weights      net.toSequential() + io.saveWeightsJSON / io.saveSafetensors (input scaling folded in)
// ============================================================================================================
import { io, optim, pinn, type nn } from "gradtape";
import type { Coefficients, Field, OptimizerName, ProblemId, TrainConfig } from "./protocol.js";

export interface StepResult {
  /** the loss of every optimizer step (Adam step or quasi-Newton iteration) this call made, in order */
  losses: number[];
  /** the optimizer that made them */
  optimizer: OptimizerName;
  /** set when training cannot make progress any more (the quasi-Newton phase stopped on a tolerance, repeatedly) */
  converged?: string;
}

export interface Session {
  readonly config: TrainConfig;
  readonly params: number;
  /** a line saying what does the work, shown under the maps */
  readonly backend: string;
  /** one Adam step, or a few quasi-Newton iterations (after config.adamSteps Adam steps) */
  step(): StepResult;
  /** the network on the reference grid, with the error against the reference */
  evaluate(): { prediction: Field; error: Field; relL2: number };
  reference(): Field;
  /** an inverse problem's unknown coefficients now (null for a problem without any) */
  coefficients(): Coefficients | null;
  /** the current loss, without an update */
  loss(): number;
  /** weights as { weights: { layers } } (the CLI's format), input scaling folded into the first layer */
  exportJSON(): string;
  exportSafetensors(): Uint8Array;
  dispose(): void;
}

/** The published setup of a built-in problem (Raissi et al. for Burgers), for the "published setup" button. */
export function publishedSetup(id: ProblemId): Partial<TrainConfig> {
  const d = pinn.getProblem(id).defaults;
  return {
    layers: d.hidden?.length, width: d.hidden?.[0], activation: d.activation, nf: d.collocationPoints, nu: d.conditionPoints,
    lr: typeof d.learningRate === "number" ? d.learningRate : undefined, adamSteps: d.adamSteps, dtype: d.dtype ?? "float32",
  };
}

const QN_PER_CALL = 4;   // quasi-Newton iterations per step() call: keeps one call well under the pause latency

export function createSession(config: TrainConfig): Session {
  const problem = pinn.getProblem(config.problem);
  const net = pinn.makeNetwork(problem, {
    network: { hidden: new Array<number>(config.layers).fill(config.width), activation: config.activation as nn.ActivationName, seed: config.seed },
    seed: config.seed, dtype: config.dtype,
  });
  const data = pinn.trainingData(problem, { collocationPoints: config.nf, conditionPoints: config.nu, seed: config.seed, dtype: config.dtype });
  // an inverse problem's coefficients (pinn/params.ts): trainable scalars the residual reads by name; a positive one
  // is trained as its logarithm, as pinn.train does
  const positive = problem.positiveParams;
  const coefVars = pinn.makeParamVariables(problem.name, problem.params, undefined, positive, config.dtype);
  const hasCoefs = Object.keys(coefVars).length > 0;
  const lossFn = pinn.pinnLoss(problem, net, data, { params: coefVars, positive });
  const vars = [...net.trainableWeights, ...Object.values(coefVars)];
  const params = net.trainableWeights.reduce((s, v) => s + v.size, 0);

  // the reference grid: axes outermost first, so axes[0] is the vertical axis of the maps (t or y), axes[1] the
  // horizontal one (x); a 1-D problem has one axis
  const ref = problem.reference();
  const [outer, inner] = ref.axes.length === 2 ? ref.axes : [null, ref.axes[0]];
  const nx = inner![1].length, ny = outer ? outer[1].length : 1;
  const field = (values: ArrayLike<number>): Field => ({
    nx, ny, xRange: [inner![1][0], inner![1][nx - 1]], yRange: outer ? [outer[1][0], outer[1][ny - 1]] : [0, 0],
    values: Float32Array.from(values),
  });

  const adam = new optim.Adam({ learningRate: config.lr });
  // the phase after Adam: pinn.train's own choice ("auto") and construction (its history size and loss noise), so the
  // page trains as the library does (README: SSBroyden reaches Raissi's Burgers error in under 800 evaluations where
  // L-BFGS took 6,000-11,000)
  const secondPhase = pinn.checkSecondPhase("demo", "auto", vars.reduce((s, v) => s + v.size, 0));
  const second: OptimizerName = secondPhase === "lbfgs" ? "L-BFGS" : "SSBroyden";
  let lbfgs: optim.LBFGS | optim.BFGS | null = null;
  let adamDone = 0, fruitless = 0, lastLoss = NaN;
  // noisy observations that declare their noise stop where the loss falls to the exact solution's (pinn.train's
  // discrepancy stop, train-loop.ts): past it the network fits the noise
  const noiseFloor = pinn.discrepancyLevel(data.observations);
  const atNoise = (loss: number) => noiseFloor !== null && loss <= noiseFloor;

  const lbfgsStep = (): StepResult => {
    const losses: number[] = [];
    lbfgs ??= pinn.makeSecondPhase(secondPhase, undefined, QN_PER_CALL, 3 * QN_PER_CALL + 1, config.dtype);
    lbfgs.onIteration = (it) => { losses.push(it.loss); return !atNoise(it.loss); };
    const before = lastLoss;
    const loss = lbfgs.minimize(lossFn, vars, { jit: true });
    const r = lbfgs.result!;
    lastLoss = loss;
    let converged: string | undefined;
    if (atNoise(loss)) converged = "discrepancy";
    else if (r.reason === "gradient" || r.reason === "non-finite") converged = r.reason;
    else if (r.reason === "max-iterations" || r.reason === "max-evaluations") {
      if (r.iterations === 0 && ++fruitless >= 3) converged = r.reason;
      else if (r.iterations > 0) fruitless = 0;
    } else {
      // loss-change, step, line-search-failed: float32 noise often stops it early; restart it from steepest
      // descent (as pinn.train does) unless restarts keep gaining nothing
      fruitless = Number.isFinite(before) && !(loss < before * (1 - 1e-7)) ? fruitless + 1 : 0;
      if (fruitless >= 3) converged = r.reason; else lbfgs.reset();
    }
    return { losses, optimizer: second, converged };
  };

  const withExport = <T>(f: (m: nn.Sequential) => T): T => {
    const m = net.toSequential();
    try { return f(m); } finally { m.dispose(); }
  };

  return {
    config,
    params,
    backend: `gradtape in a Web Worker: pinn.getProblem / makeNetwork / trainingData / pinnLoss, optim.Adam then ${second === "SSBroyden" ? "optim.BFGS (SSBroyden)" : "optim.LBFGS"} (loss and gradient compiled with jit), pinn.evaluate`,
    step: () => {
      if (config.adamSteps < 0 || adamDone < config.adamSteps) {
        adamDone++;
        lastLoss = adam.minimize(lossFn, vars, { jit: true });
        return { losses: [lastLoss], optimizer: "Adam", ...(atNoise(lastLoss) ? { converged: "discrepancy" } : {}) };
      }
      return lbfgsStep();
    },
    coefficients: () => (hasCoefs ? { values: pinn.readParams(coefVars, positive), exact: problem.exactParams ? { ...problem.exactParams } : null } : null),
    loss: () => { const t = lossFn(); try { return t.item(); } finally { t.dispose(); } },
    reference: () => field(ref.u),
    evaluate: () => {
      const ev = pinn.evaluate(net, problem);
      const err = new Float32Array(ev.prediction.length);
      for (let i = 0; i < err.length; i++) err[i] = Math.abs(ev.prediction[i] - ref.u[i]);
      return { prediction: field(ev.prediction), error: field(err), relL2: ev.relL2 };
    },
    exportJSON: () => withExport((m) => io.saveWeightsJSON(m)),
    exportSafetensors: () => withExport((m) => io.saveSafetensors(m, {
      metadata: { "gradtape.problem": problem.name, "gradtape.inputs": problem.vars.join(",") },
    })),
    dispose: () => {
      optim.releaseCompiled(lossFn);
      adam.dispose();
      lbfgs?.reset();
      if (lbfgs instanceof optim.BFGS) lbfgs.dispose();     // its inverse Hessian lives in the core
      data.dispose();
      net.dispose();
      for (const v of Object.values(coefVars)) v.dispose();
    },
  };
}
