// Optimizers over lists of Variables: SGD (momentum, Nesterov), Adam, AdamW, L-BFGS, dense BFGS (SSBFGS, SSBroyden);
// learning-rate schedules.
export { Optimizer, releaseCompiled, type LossFn, type LossWithTerms, type LearningRate, type VariableState, type MinimizeOptions } from "./optimizer.js";
export { SGD, type SGDOptions } from "./sgd.js";
export { Adam, type AdamOptions } from "./adam.js";
export { AdamW, type AdamWOptions } from "./adamw.js";
export { LBFGS, cubicMinimizer, type LBFGSOptions, type LBFGSResult, type LBFGSIteration, type LBFGSStopReason } from "./lbfgs.js";
export { BFGS, MAX_BFGS_PARAMETERS, updateParameters, type BFGSOptions, type BFGSResult, type BFGSUpdate } from "./bfgs.js";
export {
  exponentialDecay, stepDecay, cosineDecay, piecewiseConstant, type LearningRateSchedule,
  type ExponentialDecayOptions, type StepDecayOptions, type CosineDecayOptions, type PiecewiseConstantOptions,
} from "./schedules.js";
export * as schedules from "./schedules.js";
export type { OptimizerState, LBFGSState, LBFGSRunState, LBFGSPending, BFGSState } from "./state.js";
