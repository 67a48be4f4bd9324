// Hand-written types for the gradlab package (Emscripten 3.1.6 has no --emit-tsd).

export type DType = 'f32' | 'f64';
/** A number, a vector, or a matrix as nested arrays. */
export type NestedData = number | number[] | number[][];
export type TensorData = NestedData | Float32Array | Float64Array | Int32Array | Uint8Array;
export type Shape = [] | [number] | [number, number];

export interface CreateOptions {
  /** The engine's .wasm bytes (skips fetching). */
  wasmBinary?: ArrayBuffer | Uint8Array;
  /** Where to fetch `path` (e.g. 'gradlab_wasm.wasm') from. */
  locateFile?: (path: string, prefix: string) => string;
}

export interface OpInfo {
  code: number;
  name: string;
  symbol: string;
  arity: number;
  nAttr: number;
  /** The local derivative as text, e.g. "∂/∂a = b, ∂/∂b = a". */
  localDerivative: string;
}

export interface NodeRecord {
  id: number;
  op: string;
  symbol: string;
  localDerivative: string;
  label: string;
  shape: Shape;
  requiresGrad: boolean;
  /** Ids of the input nodes. */
  inputs: number[];
  attrs: number[];
  value: number[];
  grad: number[];
}

export interface LeafGradCheck {
  id: number;
  relError: number;
  backprop: number[];
  finiteDiff: number[];
}
export interface GradCheckResult {
  /** ‖∇bp − ∇fd‖ / (‖∇bp‖ + ‖∇fd‖) over all leaves (seed 001 appendix D). */
  relError: number;
  maxRelError: number;
  forwardPasses: number;
  leaves: LeafGradCheck[];
}

export interface TraceInput {
  id: number;
  name: string;
  /** A leaf: its gradient is a parameter gradient. */
  isLeaf: boolean;
  /** ∂node/∂input per element (elementwise ops and scalars), else null. */
  local: number[] | null;
  /** The gradient this step sends to the input. */
  contribution: number[];
  /** The input's accumulated gradient after this step. */
  gradAfter: number[];
}
export interface TraceStep {
  step: number;
  id: number;
  name: string;
  op: string;
  /** Local derivative with the input names filled in, e.g. "∂/∂a = b, ∂/∂b = a". */
  formula: string;
  value: number[];
  /** ∂L/∂node when the step runs. */
  incoming: number[];
  inputs: TraceInput[];
}
export interface ListingLine {
  id: number;
  text: string;
  value: number;
}
export interface NodeGradCheck {
  id: number;
  name: string;
  backprop: number[];
  finiteDiff: number[];
  relError: number;
}
export interface ModeComparison {
  /** One tangent pass per input element (n). */
  forwardPasses: number;
  /** One backward pass (1). */
  reversePasses: number;
  maxAbsDifference: number;
  leaves: { id: number; forward: number[]; reverse: number[] }[];
}

export interface LeafOptions {
  /** Default true for tensor()/scalar(). */
  requiresGrad?: boolean;
}

export declare class Tensor {
  readonly graph: Graph;
  readonly id: number;
  readonly shape: Shape;
  readonly size: number;
  label: string;
  /** The value of a scalar tensor (throws for larger tensors). */
  readonly value: number;
  /** A scalar's gradient as a number; otherwise a copy of the gradient array. */
  readonly grad: number | Float32Array | Float64Array;
  data(): Float32Array | Float64Array;
  gradArray(): Float32Array | Float64Array;
  toArray(): NestedData;
  /** Overwrites a leaf's values; call graph.forward() to recompute. */
  set(data: TensorData): this;
  /** Reverse-mode sweep; a non-scalar needs a seed gradient of its size. */
  backward(seed?: TensorData): this;

  add(x: Tensor | number): Tensor;
  sub(x: Tensor | number): Tensor;
  mul(x: Tensor | number): Tensor;
  div(x: Tensor | number): Tensor;
  neg(): Tensor;
  pow(p: number): Tensor;
  exp(): Tensor;
  log(): Tensor;
  sqrt(): Tensor;
  abs(): Tensor;
  sin(): Tensor;
  cos(): Tensor;
  tanh(): Tensor;
  sigmoid(): Tensor;
  relu(): Tensor;
  leakyRelu(slope?: number): Tensor;
  /** GELU, tanh approximation; `{ exact: true }` for the erf form. */
  gelu(options?: { exact?: boolean }): Tensor;
  silu(): Tensor;
  softplus(): Tensor;
  matmul(x: Tensor): Tensor;
  transpose(): Tensor;
  reshape(shape: number[]): Tensor;
  sum(axis?: number): Tensor;
  mean(axis?: number): Tensor;
  softmax(): Tensor;
  logSoftmax(): Tensor;
  mse(target: Tensor | TensorData): Tensor;
  crossEntropy(labels: Tensor | number | number[] | Int32Array): Tensor;
  detach(): Tensor;
  layerNorm(eps?: number): Tensor;
  causalMask(): Tensor;
  embedding(ids: Tensor | number | number[] | Int32Array): Tensor;
  roundSte(): Tensor;
  castFp16(): Tensor;
  castBf16(): Tensor;
  /** softmax(Q·Kᵀ/√d)·V with this tensor as Q; each step a node of the graph. */
  attention(K: Tensor, V: Tensor, options?: { causal?: boolean }): Tensor;
  /**
   * LoRA linear with this tensor as x [n] or [N, n]: y = x·W0ᵀ + (α/r)·(x·Aᵀ)·Bᵀ.
   * W0 [m, n] is frozen (data becomes a constant, a grad-requiring Tensor is detached);
   * A [r, n] and B [m, r] get gradients. α defaults to r; `rank`, if given, must equal r.
   */
  loraLinear(W0: Tensor | TensorData, A: Tensor, B: Tensor, options?: { alpha?: number; rank?: number }): Tensor;
}

export declare class Graph {
  readonly dtype: DType;
  readonly size: number;
  scalar(value: number, label?: string, options?: LeafOptions): Tensor;
  tensor(data: TensorData, shape?: number[] | string, label?: string, options?: LeafOptions): Tensor;
  constant(data: TensorData, shape?: number[] | string, label?: string): Tensor;
  forward(): this;
  zeroGrad(): this;
  nodes(): NodeRecord[];
  node(id: number): NodeRecord;
  gradcheck(loss: Tensor): GradCheckResult;
  /** The backward pass step by step (seed 000's tables); starts from zero gradients. */
  trace(loss: Tensor): TraceStep[];
  /** The tape as a Wengert list (seed 001 appendix C.2). */
  tapeListing(loss: Tensor): { forward: ListingLine[]; backward: ListingLine[] };
  nodeGradcheck(loss: Tensor): NodeGradCheck[];
  compareModes(loss: Tensor): ModeComparison;
  dispose(): void;
  [Symbol.dispose](): void;
}

export interface CheckpointingOptions {
  /** Layers (default 16). */
  depth?: number;
  /** Units per layer (default 64). */
  width?: number;
  /** Rows per batch (default 32). */
  batch?: number;
  /** SGD steps (default 1). */
  steps?: number;
  learningRate?: number;
  seed?: number;
  /** Default 'f32'. */
  dtype?: DType;
}
export interface MemorySample {
  phase: 'forward' | 'backward' | 'recompute';
  /** The layer (1-based) of the op just run; 0 for the loss or a whole-segment step. */
  layer: number;
  /** Live activation storage on the tape after this step. */
  activationBytes: number;
}
export interface CheckpointRun {
  /** Layers per segment; null without checkpointing. */
  every: number | null;
  segments: number;
  /** Layer outputs stored during forward (segments − 1). */
  checkpoints: number;
  /** Measured: the most activation storage (node values and checkpoints) live at once. */
  peakActivationBytes: number;
  /** Ops run by a forward pass (3 per layer and the loss). */
  forwardOps: number;
  /** Ops run again during backward to rebuild dropped segments. */
  recomputedOps: number;
  backwardOps: number;
  seconds: number;
  /** Loss of every step. */
  losses: number[];
}
export interface CheckpointComparison {
  depth: number;
  width: number;
  batch: number;
  every: number;
  steps: number;
  dtype: DType;
  withoutCheckpointing: CheckpointRun & { timeline: MemorySample[] };
  withCheckpointing: CheckpointRun & { timeline: MemorySample[] };
  /** Gradients, losses and trained parameters equal bit for bit. */
  gradientsIdentical: boolean;
  maxAbsDifference: number;
}
export interface CheckpointSweepRun extends CheckpointRun {
  every: number;
  gradientsIdentical: boolean;
  /** recomputedOps / (forwardOps + backwardOps) of the run without checkpointing. */
  recomputeOverhead: number;
  /** peakActivationBytes × (forward + recomputed + backward ops). */
  memoryTimesCompute: number;
}
export interface CheckpointSweep {
  depth: number;
  width: number;
  batch: number;
  steps: number;
  dtype: DType;
  sqrtDepth: number;
  withoutCheckpointing: CheckpointRun;
  runs: CheckpointSweepRun[];
  /** The k with the smallest peak activation bytes. */
  bestMemoryEvery: number;
  /** The k with the smallest memory × compute (exercise 5(e)). */
  bestCostEvery: number;
}
export interface LowPrecisionGradients {
  /** Share of weight-gradient entries that are exactly 0 though the exact gradient is not. */
  underflowShare: number;
  /** Share held as subnormals of the format (fewer significant bits). */
  subnormalShare: number;
  /** Share that became ±inf or NaN. */
  overflowShare: number;
  /** ‖∇/scale − ∇exact‖ / ‖∇exact‖; null when an entry overflowed. */
  relError: number | null;
  /** Largest finite |∇| before unscaling. */
  maxAbsScaled: number;
}
export interface LossScalingResult {
  format: 'fp16' | 'bf16';
  scale: number;
  entries: number;
  smallestSubnormal: number;
  smallestNormal: number;
  largestFinite: number;
  exactMinAbs: number;
  exactMaxAbs: number;
  loss: number;
  /** Backward from L. */
  unscaled: LowPrecisionGradients;
  /** Backward from scale·L, then ÷ scale. */
  scaled: LowPrecisionGradients;
}

export declare class Gradlab {
  readonly ops: OpInfo[];
  readonly heapBytes: number;
  graph(options?: { dtype?: DType }): Graph;
  /** Seed 001 exercise 4: gradient norm per layer for four 20-layer networks. */
  vanishingGradients(options?: { depth?: number; width?: number; seed?: number }): {
    name: string;
    loss: number;
    gradNorms: number[];
    activationMean: number[];
    activationStd: number[];
  }[];
  /** Seed 001 exercise 8: the REINFORCE estimate of ∇θ E[z²], z ~ Bernoulli(σ(θ)). */
  reinforceBernoulli(options?: { theta?: number; samples?: number; seed?: number }): {
    estimate: number;
    stdError: number;
    exact: number;
    samples: number;
  };
  /** Seed 001 exercise 5: one MLP with and without checkpointing every `every` layers (default round(√depth)). */
  checkpointing(options?: CheckpointingOptions & { every?: number }): CheckpointComparison;
  /** Seed 001 exercise 5(e): every k in `every` (default 1..depth) next to no checkpointing. */
  checkpointingSweep(options?: CheckpointingOptions & { every?: number[] }): CheckpointSweep;
  /** Seed 001 §7.4: fp16/bf16 weight gradients without and with loss scaling. */
  lossScaling(options?: {
    format?: 'fp16' | 'bf16';
    scale?: number;
    batch?: number;
    inputs?: number;
    outputs?: number;
    residual?: number;
    seed?: number;
  }): LossScalingResult;
}

export declare function createGradlab(options?: CreateOptions): Promise<Gradlab>;
