// The PINN toolkit: batched input derivatives, collocation sampling, problem statements, training (Adam then
// L-BFGS) with progress callbacks, evaluation against a reference, and built-in problems with their exact or
// reference solutions.
export {
  derivatives, parseDerivative, registerDerivativeMethod, derivativeMethods, nestedReverse, taylor as taylorMethod, auto as autoMethod,
  type Net, type DerivativesOptions, type DerivativeSpec, type DerivativeMethod,
} from "./derivatives.js";
export {
  sample, samplePoints, sampleUnit, uniformUnit, latinHypercubeUnit, sobolUnit, haltonUnit, linspace, boxBounds, Rng,
  SAMPLERS, SOBOL_MAX_DIM, type Box, type SamplerName, type SampleOptions,
} from "./sampling.js";
export {
  defineProblem, gridPoints, referenceFromExact, conditionPoints, splitConditionPoints,
  type Problem, type ProblemSpec, type ConditionSpec, type Condition, type Reference, type Point, type ProblemDefaults,
} from "./problem.js";
export { isTermCondition, type ConditionKind } from "./conditions.js";
export { conditionTerms, termLoss, type ConditionTerm } from "./condition-terms.js";
export { parsePointCSV, type PointCSVOptions } from "./point-data.js";
export { constrain, problemNetwork, type OutputTransform } from "./transform.js";
export { PinnNetwork, type NetworkOptions } from "./network.js";
export {
  train, trainingData, pinnLoss, lossTermNames, makeNetwork,
  type TrainOptions, type TrainProgress, type TrainResult, type TrainStopReason, type TrainingData,
} from "./train.js";
export type { NonFinite } from "./train-loop.js";
export { SECOND_PHASE_OPTIMIZERS, AUTO_DENSE_PARAMETERS, checkSecondPhase, makeSecondPhase, type SecondPhaseOptimizer, type SecondPhaseChoice } from "./second-phase.js";
export type { CheckpointOptions } from "./train-resume.js";
export { encodeCheckpoint, decodeCheckpoint, crc32, CheckpointError, type TrainCheckpoint } from "./checkpoint.js";
export { saveCheckpoint, loadCheckpoint, writeFileAtomic, checkpointPath, CHECKPOINT_FILE } from "./checkpoint-file.js";
export { chooseThreads, machineLoad, spareCores, stepWork, advanceOwnShare, MIN_THREAD_WORK, AUTO_MAX_THREADS, type MachineLoad, type ThreadChoice } from "./thread-choice.js";
export { ThreadGovernor, cpuSample, othersUse, REVIEW_SECONDS, type CpuSample, type ThreadSwitch } from "./thread-governor.js";
export type { EvaluationCounts } from "./train-loop.js";
export { evaluate, predict, relativeL2, type Evaluation } from "./evaluate.js";
export { gaussHermite, type Quadrature } from "./quadrature.js";
export * as problems from "./problems/index.js";
export { getProblem } from "./problems/index.js";
export { makeBody, makeEmbedding, ARCHITECTURES, type ArchitectureName, type EmbeddingSpec, type NetworkChoice } from "./architecture.js";
export { checkParams, makeParamVariables, readParams, residualArguments } from "./params.js";
export { checkObservations, drawObservations, discrepancyLevel, type ObservationData, type ObservationSpec, type Observations } from "./observations.js";
export { lossTerms, sumTerms, termValues, type TermData, type TermOptions } from "./terms.js";
export { LossBalancer, BALANCING_SCHEMES, type BalancingScheme, type BalancingOptions } from "./balancing.js";
export {
  AdaptiveSampler, AdaptiveSamplingError, ADAPTIVE_METHODS, adaptiveSettings, radDensity, weightedSampleWithoutReplacement, topIndices,
  type AdaptiveMethod, type AdaptiveOptions, type AdaptiveSettings, type AdaptiveState,
} from "./adaptive-sampling.js";
export { CausalWeights, CausalTrainingError, causalSettings, causalWeightsOf, sliceIndex, type CausalOptions, type CausalSettings, type CausalState } from "./causal.js";
export { ntkTraces } from "./ntk.js";
export { pointResiduals, residualMagnitudes } from "./residuals.js";
export type { RemedyOptions, RemedyReport, RemedyState } from "./remedies.js";
export * as geometry from "./geometry/index.js";
