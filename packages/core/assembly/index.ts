// The core's exports: the wasm module's whole interface. Only numbers cross: handles, counts, scalars; shapes, axes
// and handle lists go through the scratch arrays. Every export starts from a clean error state and returns 0 (or -1
// for counts) on failure, with the details in errors.ts.
//
// Layers (each file imports only from the layers above it in this list; CONTRIBUTING.md draws it):
//   memory, errors, tensor, idmap, rng        storage and handles
//   kernels/                                  loops over raw pointers (and the thread jobs)
//   ops/codes, ops/record, ops/table          op codes, recording, the op table
//   ops/ (families)                           each op: lane formula, forward, backward, replay, table entry
//   backprop, jacobian                        the reverse sweep over what tapes recorded
//   program, trace                            jit: traces and their replay
//   exports/, optim, index                    the module's interface
export { Op } from "./ops/codes";
export { opRules } from "./ops/table";
export { ErrorCode, UnconnectedReason } from "./errors";
export { DType } from "./tensor";
export { errorCode, errorOp, errorArg, errorDetail, errorDetailCount, clearError } from "./errors";
export { tapeCreate, tapePush, tapePop, tapePause, tapeWatch, tapeRelease, tapeNodeCount, tapeCount } from "./ops/record";
export { tapeGradient, tapeUnconnectedReason, lastBlockingOp } from "./backprop";
export { tapeJacobian, tapeBatchJacobian } from "./jacobian";
export { rngCreate, rngRelease } from "./rng";
export { setThreadCount, threadCount, runTask } from "./kernels/parallel";
export { relaxedSimd } from "./kernels/madd";
export * from "./optim";
export { programSteps, programLeaves, programOp, programCount, traceDepth } from "./trace";
export * from "./exports/profile";
export * from "./exports/tensors";
export * from "./exports/ops";
export { stdStrides, at } from "./tensor";
export { addDetail } from "./errors";
export * from "./exports/quasi-newton";
