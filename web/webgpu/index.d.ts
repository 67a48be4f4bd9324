// Types of gradlab's WebGPU executor (web/webgpu/index.js). The WebGPU objects are typed
// loosely (GpuDevice, GpuBuffer, ...) so the package needs no @webgpu/types dependency;
// they are the objects of navigator.gpu or of the npm `webgpu` package (Dawn) in Node.

/** A WebGPU GPU object: navigator.gpu, or create([]) of the npm `webgpu` package. */
export interface GpuLike {
  requestAdapter(options?: object): Promise<any>;
}
/** A GPUBuffer (only `size` and `destroy()` are used directly). */
export interface GpuBuffer {
  readonly size: number;
  destroy(): void;
}

export declare const REQUESTED_LIMITS: readonly string[];
export declare const MIN_LIMITS: Readonly<Record<string, number>>;

export interface RequestGpuOptions {
  /** The GPU object; default navigator.gpu. */
  gpu?: GpuLike;
  powerPreference?: 'high-performance' | 'low-power';
  /** Extra requestAdapter() options. */
  adapter?: object;
}
/**
 * An adapter and a device with the adapter's limits. Rejects with an Error naming the cause
 * when navigator.gpu is missing, no adapter is found, or the adapter is below MIN_LIMITS.
 */
export declare function requestGpu(options?: RequestGpuOptions): Promise<GpuContext>;

export interface DeviceLostDetail {
  reason: string;
  message: string;
}

/** A device, its pipeline cache and buffer helpers. Fires 'devicelost' (CustomEvent<DeviceLostDetail>). */
export declare class GpuContext extends EventTarget {
  private constructor();
  readonly gpu: GpuLike;
  readonly adapter: any;
  readonly device: any;
  readonly limits: Record<string, number>;
  readonly adapterInfo: { vendor?: string; architecture?: string; description?: string };
  /** True once the device is lost (or disposed). */
  readonly lost: boolean;
  readonly lostInfo: DeviceLostDetail | null;
  /** True on a CPU implementation (SwiftShader, fallback adapters): GEMMs avoid barriers. */
  readonly cpuAdapter: boolean;
  /** Number of compiled pipelines. */
  readonly pipelineCount: number;
  checkAlive(where: string): void;
  /** The pipeline for `key`, compiled from makeCode() the first time. */
  pipeline(key: string, makeCode: () => string): any;
  /** Throws a RangeError naming both numbers when `bytes` exceeds the device's binding or buffer limit. */
  checkSize(bytes: number, what: string): void;
  storage(bytes: number, label: string, data?: Float32Array | Int32Array | Uint32Array): GpuBuffer;
  uniform(data: ArrayBuffer | ArrayBufferView, label: string): GpuBuffer;
  dummy(slot: string): GpuBuffer;
  read(buffer: GpuBuffer, bytes: number, offset?: number): Promise<Float32Array>;
  read<T extends Float32Array | Int32Array | Uint32Array>(buffer: GpuBuffer, bytes: number, offset: number, Type: { new (b: ArrayBuffer): T }): Promise<T>;
  /** Destroys the device without firing 'devicelost'. */
  dispose(): void;
}

export type ActivationName = 'none' | 'relu' | 'leakyRelu' | 'tanh' | 'sigmoid' | 'gelu' | 'silu' | 'softplus';
export type LossName = 'mse' | 'crossEntropy' | 'bce';
export type OptimizerName = 'sgd' | 'momentum' | 'adam' | 'adamw';

export declare const ACTIVATIONS: Readonly<Record<ActivationName, number>>;
export declare function activationCode(name: string): number;
export declare const UNARY_OPS: Readonly<Record<'neg' | 'exp' | 'log' | 'sqrt' | 'abs' | 'square', number>>;
export declare const BINARY_OPS: Readonly<Record<'add' | 'sub' | 'mul' | 'div', number>>;
export declare const LOSSES: Readonly<Record<LossName, number>>;
export declare const OPTIMIZERS: Readonly<Record<OptimizerName, number>>;

/** One kernel launch with its bind group, re-encodable any number of times. */
export declare class Dispatch {
  readonly workgroups: [number, number, number];
  /** GEMM only: 'vec4' | 'scalar' (tiled), 'blocked vec4' | 'blocked scalar', or 'small'. */
  variant?: 'vec4' | 'scalar' | 'blocked vec4' | 'blocked scalar' | 'small';
  encode(pass: any): void;
  /** Frees the dispatch's own parameter buffer. */
  destroy(): void;
}
/** Encodes the dispatches in order into one compute pass and one submission. */
export declare function submit(ctx: GpuContext, dispatches: Dispatch[]): void;
export declare function upload(ctx: GpuContext, data: Float32Array | Int32Array | Uint32Array, label?: string): GpuBuffer;
export interface StepRecord {
  lr?: number;
  stepSize?: number;
  invSqrtBc2?: number;
  shrink?: number;
  slot?: number;
  batchOffset?: number;
  accumulate?: number;
}
export declare function stepUniform(ctx: GpuContext, record?: StepRecord): GpuBuffer;

export interface GemmOptions {
  A: GpuBuffer; B: GpuBuffer; C: GpuBuffer;
  M: number; N: number; K: number;
  offA?: number; offB?: number; offC?: number;
  transA?: boolean; transB?: boolean;
  bias?: GpuBuffer; offBias?: number;
  act?: ActivationName | string; slope?: number;
  Z?: GpuBuffer; offZ?: number;
  accumulate?: boolean; alpha?: number;
  kernel?: 'auto' | 'tiled' | 'blocked' | 'small';
}
/** C[M,N] = act(beta·C + alpha·op(A)·op(B) + bias); offsets and sizes in f32 elements. */
export declare function gemmDispatch(ctx: GpuContext, options: GemmOptions): Dispatch;
/** C = op(A)·op(B) for host Float32Arrays (upload, one dispatch, readback): the GPU twin of gl.gemm. */
export declare function gemm(ctx: GpuContext, A: Float32Array, B: Float32Array, options: { m: number; n: number; k: number; transA?: boolean; transB?: boolean }): Promise<Float32Array>;
export declare function gemmKernelFor(M: number, N: number, K: number, cpuAdapter?: boolean): 'tiled' | 'blocked' | 'small';
export declare function blockedVec4(M: number, N: number, K: number, offsets: number[]): boolean;
export declare function gemmVec4(M: number, N: number, K: number, transA: boolean, transB: boolean, offsets: number[]): boolean;
export declare function unaryDispatch(ctx: GpuContext, o: { x: GpuBuffer; y: GpuBuffer; n: number; op: string; offX?: number; offY?: number; alpha?: number; slope?: number }): Dispatch;
export declare function binaryDispatch(ctx: GpuContext, o: { a: GpuBuffer; b: GpuBuffer; c: GpuBuffer; n: number; op: 'add' | 'sub' | 'mul' | 'div'; offA?: number; offB?: number; offC?: number; alpha?: number }): Dispatch;
export declare function actGradDispatch(ctx: GpuContext, o: { dy: GpuBuffer; z: GpuBuffer; a: GpuBuffer; dz: GpuBuffer; n: number; act: ActivationName | string; slope?: number; offDy?: number; offZ?: number; offA?: number; offDz?: number }): Dispatch;
export declare function colSumDispatch(ctx: GpuContext, o: { X: GpuBuffer; out: GpuBuffer; R: number; N: number; offX?: number; offOut?: number; accumulate?: boolean }): Dispatch;
export declare function sumDispatch(ctx: GpuContext, o: { x: GpuBuffer; out: GpuBuffer; n: number; offX?: number; offOut?: number; mean?: boolean; squares?: boolean }): Dispatch;
export declare function lossDispatch(ctx: GpuContext, o: { kind: LossName | string; B: number; C: number; z: GpuBuffer; t: GpuBuffer; d: GpuBuffer; losses: GpuBuffer; step: GpuBuffer; offZ?: number; offT?: number; offD?: number; scale?: number; storeGrad?: boolean }): Dispatch;
export declare function optimDispatch(ctx: GpuContext, o: { kind: OptimizerName | string; n: number; w: GpuBuffer; g: GpuBuffer; m?: GpuBuffer; v?: GpuBuffer; step: GpuBuffer; momentum?: number; beta1?: number; beta2?: number; eps?: number; weightDecay?: number; clipNorm?: number; norm2?: GpuBuffer }): Dispatch;
export declare function gatherDispatch(ctx: GpuContext, o: { B: number; inW: number; outW: number; step: GpuBuffer; table: GpuBuffer; x: GpuBuffer; xb: GpuBuffer; y: GpuBuffer; yb: GpuBuffer }): Dispatch;

/** The minimal model surface the trainer uses: gl.mlp(...)'s Model. */
export interface MlpModelLike {
  readonly params: Float32Array | Float64Array;
  toJSON(): object;
  loadParams(json: object | string): unknown;
  train(options: object): { losses: Float32Array | Float64Array };
}

export type ScheduleSpec =
  | string
  | { type: 'constant' | 'step' | 'warmupCosine' | string; warmup?: number; total?: number; lrMin?: number; stepSize?: number; gamma?: number };

export interface MlpTrainerOptions {
  /** A GpuContext (shared), or a GPU object; default navigator.gpu. */
  gpu?: GpuContext | GpuLike;
  x: Float32Array | Float64Array | number[];
  /** Targets [n·out], or class labels [n] for crossEntropy. */
  y: Float32Array | Float64Array | Int32Array | number[];
  loss?: LossName | string;
  optimizer?: OptimizerName | string;
  lr?: number;
  momentum?: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
  weightDecay?: number;
  clipNorm?: number;
  schedule?: ScheduleSpec;
  batchSize?: number;
  accumSteps?: number;
  sampling?: 'random' | 'epoch';
  seed?: number;
  /** Steps per queue submission and per loss readback (default 100). */
  readbackEvery?: number;
  /** Read the weights back every this many steps, for a device loss (default 0: only getParams()). */
  syncEvery?: number;
  /** Train on the CPU when WebGPU is unavailable (default true); false rejects instead. */
  fallback?: boolean;
  /** The GEMM kernel of every product (default 'auto': by shape and adapter). */
  gemmKernel?: 'auto' | 'tiled' | 'blocked' | 'small';
}

export interface DeviceLostEventDetail extends DeviceLostDetail {
  /** The step whose synced weights the CPU run resumed from. */
  resumedFrom: number;
}

/** Fires 'devicelost' (CustomEvent<DeviceLostEventDetail>) when it falls back to the CPU mid-run. */
export declare class MlpTrainer extends EventTarget {
  private constructor();
  readonly backend: 'webgpu' | 'cpu';
  /** Why the backend is the CPU ('' on the GPU). */
  readonly reason: string;
  /** Optimizer steps done. */
  readonly step: number;
  train(options: { steps: number; onChunk?: (chunk: { step: number; losses: Float32Array }) => void | Promise<void> }): Promise<{ losses: Float32Array; step: number; backend: 'webgpu' | 'cpu' }>;
  getParams(): Promise<Float32Array>;
  /** ‖∂L/∂θ‖₂ of the last step's gradient, before clipping (read back from the GPU). */
  gradNorm(): Promise<number>;
  syncToModel(): Promise<MlpModelLike>;
  retryGpu(options?: { gpu?: GpuContext | GpuLike }): Promise<boolean>;
  dispose(): void;
}
/** A GPU trainer for the model (f32, no LayerNorm or residual layers). */
export declare function createMlpTrainer(model: MlpModelLike, options: MlpTrainerOptions): Promise<MlpTrainer>;
export declare function scheduleLr(schedule: { type: string; warmup: number; total: number; lrMin: number; stepSize: number; gamma: number }, lrMax: number, t: number): number;
export declare function ipow(beta: number, t: number): number;

/** The engine's RNG (xoshiro128** seeded by SplitMix64), bit for bit. */
export declare class Rng {
  constructor(seed?: number);
  reseed(seed: number): void;
  nextU32(): number;
  below(n: number): number;
  shuffle(idx: Int32Array | Uint32Array | number[]): void;
}
/** The CPU trainer's minibatch order. */
export declare class BatchSampler {
  constructor(n: number, batchSize: number, sampling: 'random' | 'epoch', seed: number);
  next(out: Uint32Array | Int32Array, at: number): void;
}
