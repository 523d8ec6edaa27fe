// gradtape: automatic differentiation for TypeScript on a WebAssembly SIMD core.
export { ready, isReady, backendInfo, startedThreads, useThreads, type ReadyOptions, type CoreSource, type BackendInfo } from "./backend.js";
export { Tensor, tensor, scalar, type TensorLike, type NestedArray } from "./tensor.js";
export * from "./ops.js";
export { Variable, variable } from "./variable.js";
export { GradientTape, type GradientOptions, type TapeOptions, type Unconnected, type Sources, type GradientsOf, type GradientOf } from "./tape.js";
export { grad, valueAndGrad, vjp, jvp, hessian } from "./transforms.js";
export { jit, type Jitted, type JitOptions } from "./jit.js";
export { tidy, keep, dispose, memory, resetPeakMemory, setMemoryLimit, type MemoryInfo } from "./memory.js";
export { Generator, setSeed, randomUniform, randomNormal, truncatedNormal } from "./random.js";
export {
  GradtapeError, ShapeError, DTypeError, DisposedTensorError, GradientError, IndexError, ArgumentError, OutOfMemoryError, TraceError,
  type DType,
} from "./errors.js";
export * as nn from "./nn/index.js";
export * as optim from "./optim/index.js";
export * as losses from "./losses.js";
export * as io from "./io/index.js";
export * as pinn from "./pinn/index.js";
export { jet, jetMethod, type JetOptions, type JetResult, type JetMethod } from "./jet/index.js";
