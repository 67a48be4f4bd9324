// gradlab's WebGPU executor: the device, the dispatch builders of the WGSL kernels, and the
// GPU MLP trainer. Importing it has no side effects and needs no GPU; nothing touches
// navigator.gpu until requestGpu() or createMlpTrainer() is called.
export { requestGpu, GpuContext, REQUESTED_LIMITS, MIN_LIMITS } from './device.js';
export { createMlpTrainer, MlpTrainer, scheduleLr, ipow } from './mlp-trainer.js';
export {
  Dispatch, submit, upload, gemm, stepUniform, gemmDispatch, gemmKernelFor, gemmVec4, blockedVec4, unaryDispatch, binaryDispatch,
  actGradDispatch, colSumDispatch, sumDispatch, lossDispatch, optimDispatch, gatherDispatch,
} from './ops.js';
export { ACTIVATIONS, activationCode } from './kernels/activation.js';
export { UNARY_OPS, BINARY_OPS } from './kernels/elementwise.js';
export { LOSSES } from './kernels/loss.js';
export { OPTIMIZERS } from './kernels/optim.js';
export { Rng, BatchSampler } from './sampler.js';
