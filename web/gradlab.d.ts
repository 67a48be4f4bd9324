// Hand-written types for the gradlab package (Emscripten 3.1.6 has no --emit-tsd).
//
// Every function checks its arguments before the engine sees them: a wrong type throws a
// TypeError, an out-of-range value a RangeError, and an engine error an Error, each
// naming the function, the argument and the (clipped) value. Integers must be integers
// (2.5, NaN, 2^32 are errors, never rounded or wrapped); names (dtype, activation,
// loss, optimizer, ...) are spelled exactly as listed here; an unknown option key is an
// error that lists the valid keys. The module keeps working after every error.

// Symbol.dispose is in TypeScript's lib only with esnext.disposable (or es2025+); declared
// here too, so a project with the default lib compiles. An identical declaration merges.
declare global {
  interface SymbolConstructor {
    readonly dispose: unique symbol;
  }
}

export type DType = 'f32' | 'f64';
/** A number, a vector, or a matrix as nested arrays. */
export type NestedData = number | number[] | number[][];
export type TensorData = NestedData | Float32Array | Float64Array | Int32Array | Uint8Array;
export type Shape = [] | [number] | [number, number];

/**
 * The engine's wasm modules: 'graph' (gradlab_wasm.wasm: graphs and the op table),
 * 'training' (gradlab_train.wasm: mlp, mlpFromJSON, gemm, dataset), 'experiments'
 * (gradlab_experiments.wasm: vanishingGradients, reinforceBernoulli, checkpointing,
 * checkpointingSweep, lossScaling) and 'expressions' (gradlab_expr.wasm: the expression
 * language and the derivation checker).
 */
export type ModuleName = 'graph' | 'training' | 'experiments' | 'expressions';

export interface CreateOptions {
  /**
   * The modules to load now (default all four). A lean page loads what it uses, e.g.
   * `{ modules: ['graph'] }`; `await gl.load('training')` brings another one later.
   * Not together with `expressions`.
   */
  modules?: ModuleName[];
  /** The graph module's .wasm bytes (gradlab_wasm.wasm; skips fetching it). */
  wasmBinary?: ArrayBuffer | Uint8Array;
  /** The training module's .wasm bytes (gradlab_train.wasm; skips fetching it). */
  trainWasmBinary?: ArrayBuffer | Uint8Array;
  /** The experiments module's .wasm bytes (gradlab_experiments.wasm; skips fetching it). */
  experimentsWasmBinary?: ArrayBuffer | Uint8Array;
  /** The expression module's .wasm bytes (gradlab_expr.wasm; skips fetching it). */
  exprWasmBinary?: ArrayBuffer | Uint8Array;
  /**
   * Load the expression module (the expression language and the derivation checker) now,
   * together with the engine. Default true; with false the page skips it until
   * `await gl.loadExpressions()`. Not together with `modules`.
   */
  expressions?: boolean;
  /**
   * Where to load `path` ('gradlab_wasm.wasm', 'gradlab_train.wasm',
   * 'gradlab_experiments.wasm' or 'gradlab_expr.wasm'; with backend 'auto' or 'wasm-threads',
   * 'gradlab_train_threads.mjs', '.wasm' and '.worker.js') from: a URL in the browser; in Node a file path, a file: URL or an http(s) URL.
   * May return a promise (awaited; a rejection fails the load with its message). `prefix`
   * is the folder of the default place.
   */
  locateFile?: (path: string, prefix: string) => string | URL | Promise<string | URL>;
  /**
   * Which training module runs models and gemm (docs/threads.md). 'auto' (default): the
   * threaded one (gradlab_train_threads) where SharedArrayBuffer is usable (Node, workers,
   * cross-origin-isolated pages) and 2+ cores exist, else the single-thread one; 'wasm': one
   * thread; 'wasm-threads': the threaded one or an Error that says why it cannot run here
   * (graphs, the experiments and expressions always run on one thread); 'webgpu': needs a WebGPU
   * adapter (else an Error that says why): every MLP model.trainAsync runs on the GPU
   * (docs/webgpu.md), model.train and the rest on the CPU as 'auto'. Under 'auto' a WebGPU
   * adapter (navigator.gpu or `gpu`) runs trainAsync steps of at least 2^20 multiply-adds
   * where a measurement (the first run of each shape) found it faster; a CPU implementation
   * of WebGPU (SwiftShader, a fallback adapter) never. gl.backend says what was chosen and why.
   */
  backend?: Backend;
  /** Threads of the threaded training module: an integer from 1 to the cores here (default: the cores, at most 4). */
  threads?: number;
  /**
   * The GPU object for backend 'webgpu' or 'auto' (default navigator.gpu): in Node,
   * create([]) of the npm package 'webgpu' (keep it referenced while the gl lives).
   */
  gpu?: GPULike;
  /** For tests only: { calibrateCpuAdapter: true } lets 'auto' measure a CPU implementation of WebGPU as if it were a GPU. */
  gpuTesting?: { calibrateCpuAdapter?: boolean };
}

/** What createGradlab's `gpu` option needs: navigator.gpu's requestAdapter(). */
export interface GPULike {
  requestAdapter(options?: { powerPreference?: 'low-power' | 'high-performance' }): Promise<unknown>;
}

/** One measurement of 'auto': GPU against CPU for a step shape (gl.backend.gpu.calibrations). */
export interface GpuCalibration {
  sizes: number[];
  batchSize: number;
  /** Forward multiply-adds of one batch: batchSize × Σ in·out. */
  macs: number;
  /** Warm steps timed on each side, and the time per step (NaN where measuring failed). */
  gpuMsPerStep: number;
  cpuMsPerStep: number;
  gpuSteps: number;
  cpuSteps: number;
  faster: 'webgpu' | 'cpu';
  /** Why measuring the GPU failed (then the CPU is used). */
  error?: string;
}

/** A WebGPU device loss during a trainAsync run (the CPU finished the steps). */
export interface GpuDeviceLoss {
  reason: string;
  message: string;
  /** The step the CPU started again from (the last weights read back from the GPU). */
  resumedFrom: number;
  /** Steps of the run done when the loss was noticed. */
  step: number;
}

/** gl.backend.gpu: the WebGPU adapter of backend 'webgpu' or 'auto' (absent where there is no WebGPU). */
export interface GpuInfo {
  /** 'vendor architecture' of the adapter; null when none could be had. */
  adapter: string | null;
  /** A CPU implementation of WebGPU (SwiftShader or a fallback adapter). */
  cpuAdapter: boolean;
  /** 'always' (backend 'webgpu'), 'measured' ('auto' with a GPU), 'never' (no usable adapter, or a CPU implementation under 'auto'). */
  use: 'always' | 'measured' | 'never';
  /** 'auto' considers the GPU for steps of at least this many multiply-adds (2^20). */
  floorMacs: number;
  reason: string;
  calibrations: GpuCalibration[];
  /** The last device loss, or null. */
  deviceLost: GpuDeviceLoss | null;
}

export type Backend = 'auto' | 'wasm' | 'wasm-threads' | 'webgpu';

/** What runs the work, and why (gl.backend, model.backendFor). */
export interface BackendInfo {
  name: 'wasm' | 'wasm-threads' | 'webgpu';
  threads: number;
  reason: string;
  /** gl.backend only, with backend 'webgpu' or 'auto' where a GPU object exists. */
  gpu?: GpuInfo;
}

/** What ran a trainAsync run (TrainResult.backend). */
export interface RunBackend {
  name: 'wasm' | 'wasm-threads' | 'webgpu';
  threads: number;
  reason: string;
  /** GPU runs: the device loss the CPU finished after, or null. */
  deviceLost?: GpuDeviceLoss | null;
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
  /** false for an input shown only with { allInputs: true } (it needs no gradient). */
  requiresGrad: boolean;
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
export interface TraceOptions {
  /** Also show inputs that do not require a gradient (default false). */
  allInputs?: boolean;
}
export interface GradOptions {
  /** Record the gradient as nodes of the graph, so it can be differentiated again (default false). */
  createGraph?: boolean;
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

/** Variable values for an expression, e.g. { a: 2, b: -3, c: 10 }. */
export type Point = Record<string, number>;

export interface ParsedExpression {
  source: string;
  /** Fully parenthesised form: equal for expressions that parse to the same tree. */
  canonical: string;
  /** Variable names in order of first appearance. */
  variables: string[];
  /** Numbers, variables and operations in the syntax tree. */
  nodes: number;
}
export interface Evaluation {
  value: number;
  /** ∂value/∂variable for every variable of the expression. */
  gradient: Record<string, number>;
}
export interface Expression {
  source: string;
  canonical: string;
  variables: string[];
  evaluate(at: Point): Evaluation;
}
/** Thrown for bad expressions; `position` (a character index) for syntax errors. */
export interface ExpressionError extends Error {
  position?: number;
}

export type FeedbackKind =
  | 'correct'
  | 'rounding'
  | 'sign-error'
  | 'missing-chain-factor'
  | 'missing-outer-factor'
  | 'missing-fan-out'
  | 'wrong-variable'
  | 'wrong-local-derivative'
  | 'constant-factor'
  | 'value-not-gradient'
  | 'gradient-not-value'
  | 'answer-undefined'
  | 'invalid-answer'
  | 'power-rule-not-applied'
  | 'missing-product-term'
  | 'incorrect';

export interface DerivativeQuestion {
  /** The function, e.g. '(a*b+c)^2'. */
  f: string;
  /** The variable to differentiate by. */
  wrt: string;
  /** The learner's answer: a number or a formula such as '2*(a*b+c)*b'. */
  answer: number | string;
  /** A value for every variable of f (and of the answer). */
  at: Point;
  /** Relative tolerance, default 1e-6. */
  tolerance?: number;
  /** Random points near `at` a formula is also compared at (0..50, default 5). */
  samples?: number;
  /** Seed of the random points (default 1). */
  seed?: number;
  /**
   * Named intermediates, e.g. { y: 'a*x + b' }: f and the answer may use y, which stands for
   * its formula (not a free variable), so '2*(y - ytrue)*x' is graded. A definition may use
   * the point's variables and other definitions (no cycles).
   */
  definitions?: Record<string, string>;
  /**
   * At a kink (relu or abs exactly at 0 at `at`) accept any value of the subdifferential
   * (default true); false fixes the engine's convention (derivative 0 at the kink, as PyTorch).
   */
  anySubgradient?: boolean;
}
export interface TestedPoint {
  at: Point;
  /** ∂f/∂wrt there. */
  expected: number;
  /** The answer there (NaN where it is undefined). */
  given: number;
  ok: boolean;
}
export interface DerivativeCheck {
  correct: boolean;
  kind: FeedbackKind;
  /** One or two sentences for the learner. */
  feedback: string;
  /** ∂f/∂wrt at `at`. */
  expected: number;
  /** The answer at `at` (NaN when it could not be evaluated). */
  given: number;
  /** The answer has no variables: compared at `at` only. */
  numericAnswer: boolean;
  /** `at` first, then the random points. */
  points: TestedPoint[];
  /** The sub-expression the feedback is about, e.g. '(a*b+c)'. */
  node?: string;
  /** wrong-variable: the variable the answer differentiates by. */
  variable?: string;
  /**
   * constant-factor: answer/expected; rounding: given − expected; chain kinds: the missing factor at `at`;
   * missing-product-term: the missing term's part of ∂f/∂wrt at `at`.
   */
  factor?: number;
}
export interface TableEntryQuestion {
  f: string;
  at: Point;
  /**
   * A variable ('a'), a sub-expression of f ('a*b', or commuted 'b*a'), a label from
   * `definitions` ('d'), a trace name ('v4') or a node id of g.fromExpression(f) in a new graph.
   */
  node: string | number;
  /** The learner's value for the cell. */
  given: number;
  /** Default 'gradient'. */
  column?: 'gradient' | 'value';
  tolerance?: number;
  /** Node labels as named intermediates, e.g. { d: 'a*b', e: 'd + c' }: node 'd' is a*b; f may use them. */
  definitions?: Record<string, string>;
}
export interface TableEntryCheck {
  correct: boolean;
  kind: FeedbackKind;
  feedback: string;
  expected: number;
  given: number;
  /** The node's id (as in g.fromExpression(f) in a new graph). */
  node: number;
  /** The node's source text, e.g. 'a*b'. */
  nodeText: string;
  /** A node the feedback names (the consumer, the other node). */
  other?: string;
  factor?: number;
}

export interface LeafOptions {
  /** Default true for tensor()/scalar(). */
  requiresGrad?: boolean;
}

/** JSON.stringify(tensor): a small summary, never the values. */
export interface TensorSummary {
  kind: 'gradlab-tensor';
  id: number;
  dtype?: DType;
  /** The graph was disposed. */
  disposed?: true;
}
/** JSON.stringify(graph): a small summary. */
export interface GraphSummary {
  kind: 'gradlab-graph';
  dtype?: DType;
  size?: number;
  disposed?: true;
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
  toJSON(): TensorSummary;

  add(x: Tensor | number): Tensor;
  sub(x: Tensor | number): Tensor;
  mul(x: Tensor | number): Tensor;
  div(x: Tensor | number): Tensor;
  /** Elementwise min / max (broadcasting); at a tie each input gets half the gradient, as PyTorch. */
  minimum(x: Tensor | number): Tensor;
  maximum(x: Tensor | number): Tensor;
  neg(): Tensor;
  pow(p: number): Tensor;
  exp(): Tensor;
  log(): Tensor;
  sqrt(): Tensor;
  abs(): Tensor;
  sin(): Tensor;
  cos(): Tensor;
  /** The error function: erf(x) = 2/√π ∫₀ˣ exp(−t²) dt. */
  erf(): Tensor;
  tanh(): Tensor;
  sigmoid(): Tensor;
  relu(): Tensor;
  leakyRelu(slope?: number): Tensor;
  /** GELU, tanh approximation; `{ exact: true }` for the erf form. */
  gelu(options?: { exact?: boolean }): Tensor;
  silu(): Tensor;
  softplus(): Tensor;
  /** 1 where x > 0, else 0 (ReLU's derivative); its gradient is 0. */
  heaviside(): Tensor;
  matmul(x: Tensor): Tensor;
  transpose(): Tensor;
  reshape(shape: number[]): Tensor;
  /** Sum of all values, or over one axis (-1 = the last, as in PyTorch). */
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
  /** Every node; at most 10,000 nodes and 2^20 values (a RangeError above: use node(id)). */
  nodes(): NodeRecord[];
  node(id: number): NodeRecord;
  /** Centred differences (seed 001 App. D); step h defaults to 1e-5 (f64) or 1e-3 (f32), must be finite and > 0. */
  gradcheck(loss: Tensor, options?: { step?: number }): GradCheckResult;
  /**
   * The backward pass step by step (seed 000's tables), from zero gradients; every .grad is
   * as it was afterwards. allInputs: also inputs that need no gradient (requiresGrad: false).
   */
  trace(loss: Tensor, options?: TraceOptions): TraceStep[];
  /** The tape as a Wengert list (seed 001 appendix C.2), named by labels (vK for unlabelled nodes). */
  tapeListing(loss: Tensor, options?: TraceOptions): { forward: ListingLine[]; backward: ListingLine[] };
  /**
   * ∂output/∂inputs like torch.autograd.grad (the .grad buffers are untouched). createGraph:
   * the gradient as new nodes that can be differentiated again; else constants of its value.
   */
  grad(output: Tensor, inputs: Tensor, options?: GradOptions): Tensor;
  grad(output: Tensor, inputs: Tensor[], options?: GradOptions): Tensor[];
  /** H·v by Pearlmutter's trick (seed 001 B.2): two reverse passes as nodes, no n×n matrix. */
  hvp(output: Tensor, params: Tensor, v: Tensor | TensorData): Tensor;
  hvp(output: Tensor, params: Tensor[], v: Array<Tensor | TensorData>): Tensor[];
  /** Bounded: a graph whose finite-difference passes would take more than about 2 s throws an Error naming the estimate. */
  nodeGradcheck(loss: Tensor): NodeGradCheck[];
  /** Bounded like nodeGradcheck (forward mode costs one pass per leaf value). */
  compareModes(loss: Tensor): ModeComparison;
  /**
   * An expression lowered into this graph; returns the root. Variables become scalar
   * leaves labelled with their names, or use the scalar Tensors given in `at`.
   */
  fromExpression(source: string, at: Record<string, number | Tensor>, options?: { labelOperations?: boolean }): Tensor;
  toJSON(): GraphSummary;
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
  /** FLOPs of a step's forward pass: 2·m·n·k per matmul, one per element per arithmetic step elsewhere. */
  forwardFlops: number;
  /** FLOPs run again during backward (the recompute). */
  recomputedFlops: number;
  /** FLOPs of the backward kernels run (∂W and ∂h per matmul: about 2× forward, measured). */
  backwardFlops: number;
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
  /** recomputedFlops / (forwardFlops + backwardFlops) of the run without checkpointing. */
  recomputeOverheadFlops: number;
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

// ---- the training path: gl.mlp(), model.train(), gl.gemm(), gl.dataset() ----------

export type ActivationName = 'none' | 'relu' | 'leakyRelu' | 'sigmoid' | 'tanh' | 'gelu' | 'silu' | 'softplus';
export type InitName = 'auto' | 'xavierUniform' | 'xavierNormal' | 'heUniform' | 'heNormal' | 'gpt2';
/** 'halfMse' is ½·MSE (seed 001's loss: gradient ŷ − y); 'mse' is mean((ŷ − y)²). */
export type LossName = 'mse' | 'halfMse' | 'crossEntropy' | 'bce';
export type OptimizerName = 'sgd' | 'momentum' | 'adam' | 'adamw';
/** The typed array a model of dtype D reads and returns. */
export type FloatArrayFor<D extends DType> = D extends 'f64' ? Float64Array : Float32Array;
/** Row-major values [n·width], or nested rows [[..], ..]. */
export type DataRows = Float32Array | Float64Array | Int32Array | Uint8Array | number[] | number[][];

export interface MlpOptions<D extends DType = 'f32'> {
  /** Hidden layers' activation (default 'tanh'). */
  activation?: ActivationName;
  /** The last layer's activation (default 'none': logits). */
  output?: ActivationName;
  /** One activation per layer (overrides activation and output). */
  activations?: ActivationName[];
  /** Default 'auto': He normal for the ReLU family, GELU, SiLU, softplus; Xavier uniform otherwise. */
  init?: InitName;
  seed?: number;
  /** Default 'f32'. */
  dtype?: D;
  /** y = x + act(xW + b). true: every layer whose input and output widths agree. */
  residual?: boolean | boolean[];
  /** LayerNorm on each layer's input. true: every layer but the first. */
  layerNorm?: boolean | boolean[];
  /** LeakyReLU's negative slope, from 0 to 1 (default 0.01). */
  leakySlope?: number;
  /** LayerNorm's ε, above 0 and at most 1 (default 1e-5). */
  lnEps?: number;
}

export interface ScheduleOptions {
  type: 'constant' | 'step' | 'warmupCosine';
  /** warmupCosine: steps of linear warmup. */
  warmup?: number;
  /** warmupCosine: the step at which η reaches lrMin (> warmup). */
  total?: number;
  /** warmupCosine: the final η (default 0). */
  lrMin?: number;
  /** step: multiply η by gamma every stepSize steps. */
  stepSize?: number;
  gamma?: number;
}

export interface TrainOptions {
  /** Inputs [n·in] row-major or nested rows; n = x.length / in. */
  x: DataRows;
  /** Targets [n·out] (mse, bce) or integer class labels [n] (crossEntropy). */
  y: DataRows;
  /** Optimizer steps in this call (default 1). */
  steps?: number;
  /** Default 32; must not exceed n. */
  batchSize?: number;
  /** Default 'mse'. */
  loss?: LossName;
  /** Default 'sgd'. The optimizer state persists across calls while the kind is unchanged. */
  optimizer?: OptimizerName;
  /** Peak learning rate, from 0 to 1000 (default 0.1 for sgd and momentum, 0.001 for adam and adamw). */
  lr?: number;
  /** Default 0.9. */
  momentum?: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
  /** Default 0 (0.01 for adamw, decoupled). */
  weightDecay?: number;
  /** Global gradient-norm clip; 0 = off (default). */
  clipNorm?: number;
  schedule?: ScheduleOptions | ScheduleOptions['type'];
  /** Micro-batches per optimizer step (default 1). */
  accumSteps?: number;
  /** 'random' (with replacement, default) or 'epoch' (shuffled passes). */
  sampling?: 'random' | 'epoch';
  /** Minibatch sampling seed (default 0). */
  seed?: number;
}

export interface TrainProgress {
  /** Steps done so far in this trainAsync() call. */
  step: number;
  /** Steps asked for. */
  steps: number;
  /** The loss of the last step done. */
  loss: number;
}

export interface TrainAsyncOptions extends TrainOptions {
  /** Up to 10,000,000 (the losses of every step are kept). */
  steps?: number;
  /** Called after each chunk; an exception thrown here ends the run with that exception. */
  onProgress?: (progress: TrainProgress) => void;
  /** Aborting ends the run with a DOMException named 'AbortError'; the steps done stay done. */
  signal?: AbortSignal;
  /** Steps per synchronous chunk (default: about 2^27 multiply-adds, at most 10,000). */
  chunkSteps?: number;
}

export interface TrainResult<D extends DType = 'f32'> {
  /** Per-step mean loss over the step's batch, before its update. */
  losses: FloatArrayFor<D>;
  /** Total optimizer steps done by this model's optimizer. */
  step: number;
  /** The learning rate of the last step. */
  lr: number;
  /** ‖∂L/∂θ‖₂ of the last step, before clipping. */
  gradNorm: number;
  /** The last step's loss (NaN for steps: 0). */
  loss: number;
  /** trainAsync only: what ran the steps and why (the GPU or the CPU engine; docs/webgpu.md). */
  backend?: RunBackend;
}

export interface ActivationStatsRecord {
  layer: number;
  activation: ActivationName;
  /** Over all n·out values of a = act(z) (population statistics). */
  mean: number;
  std: number;
  /** ReLU family: share of units with a ≤ 0 on every sample of the batch; else 0. */
  deadFraction: number;
  /** ReLU family: share of values a ≤ 0; else 0. */
  inactiveFraction: number;
}

/** The settings of a model's last train() call, and the steps taken. */
export interface TrainingRecord {
  loss: string;
  optimizer: string;
  lr: number;
  momentum: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  clipNorm: number;
  schedule: { type: string; warmup: number; total: number; lrMin: number; stepSize: number; gamma: number };
  batchSize: number;
  accumSteps: number;
  sampling: string;
  seed: number;
  steps: number;
}

/** model.toJSON() of gradlab 0.1.0 (no training record); still loads. */
export type ModelJSONV1 = Omit<ModelJSON, 'version' | 'training'> & { version: 1 };

export interface ModelJSON {
  format: 'gradlab-mlp';
  /** 2 since the training record; version 1 records load too (migrated). */
  version: 2;
  dtype: DType;
  sizes: number[];
  /** The hidden activation when all hidden layers share one, else null. */
  activation: ActivationName | null;
  output: ActivationName;
  activations: ActivationName[];
  residual: boolean[];
  layerNorm: boolean[];
  leakySlope: number;
  lnEps: number;
  init: InitName;
  seed: number;
  params: number[];
  /** The last train() settings, null for a model never trained. */
  training: TrainingRecord | null;
}

export declare class Model<D extends DType = DType> {
  readonly dtype: D;
  readonly sizes: number[];
  readonly inputDim: number;
  readonly outputDim: number;
  readonly numParams: number;
  /**
   * Flat parameters: a guarded live view of the wasm heap (writes change the model). It
   * follows the buffer when the wasm memory grows, and every access throws once the model
   * is disposed (it is a Proxy over the current heap view: ArrayBuffer.isView() is false
   * for it, and .buffer, which would reach the whole heap, throws; use params.slice() for a plain copy).
   */
  readonly params: FloatArrayFor<D>;
  /** Flat gradients of the last step (after clipping): a guarded live view, as params. */
  readonly grads: FloatArrayFor<D>;
  /**
   * Trains `steps` steps in one call into wasm. x and y are uploaded only when the pair
   * differs from the last (by identity and length): pass new arrays after editing them.
   * Bounded: at most 1,000,000 steps and 2^34 multiply-adds (steps × batchSize ×
   * accumSteps × numParams) per call; longer runs throw a RangeError that points to trainAsync().
   */
  train(options: TrainOptions): TrainResult<D>;
  /**
   * train() for long runs: chunks of `chunkSteps` steps with the event loop running between
   * them, onProgress after each, stopped by `signal`. Bit-identical to one train() call of
   * the same steps. While it runs, train() and trainAsync() on this model throw.
   */
  trainAsync(options: TrainAsyncOptions): Promise<TrainResult<D>>;
  /** Outputs [n·out] for x [n·in]. */
  predict(x: DataRows): FloatArrayFor<D>;
  /** Mean loss and accuracy (loss defaults to the last one trained with, else 'mse'). */
  evaluate(options: { x: DataRows; y: DataRows; loss?: LossName }): { loss: number; accuracy: number };
  /** ‖∂L/∂θ‖₂ per layer, from the last step's gradient. */
  layerGradNorms(): number[];
  activationStats(options: { x: DataRows }): ActivationStatsRecord[];
  /** The architecture and parameters (a disposed model gives { format, disposed: true }). */
  toJSON(): ModelJSON;
  /** Loads toJSON() output (object or text) into this model; validated. */
  loadParams(json: ModelJSON | ModelJSONV1 | string | Model): this;
  /** The settings of the last train() call and the steps taken; null before training. */
  readonly training: TrainingRecord | null;
  /**
   * What runs a training step of this model at `batchSize` (default 32): the threaded training module
   * splits a product over its threads only when it is large enough to repay the hand-over;
   * 'webgpu' where trainAsync would run on the GPU (the reason says what decided it).
   */
  backendFor(batchSize?: number): BackendInfo;
  dispose(): void;
  [Symbol.dispose](): void;
}

export interface GemmOptions {
  m: number;
  n: number;
  k: number;
  /** A is [k, m] and op(A) = Aᵀ. */
  transA?: boolean;
  /** B is [n, k] and op(B) = Bᵀ. */
  transB?: boolean;
  /** Receives C (length m·n). */
  out?: Float32Array;
}

export interface Dataset {
  /** [n·2] row-major. */
  x: Float32Array;
  /** [n] class labels 0, 1, ... (bce targets or crossEntropy labels). */
  y: Float32Array;
  n: number;
  inputDim: number;
  classes: number;
}

/** Bytes, values and FLOPs are exact BigInts (counted in 128 bits by the engine). */
export interface TrainingMemoryLayer {
  params: bigint;
  /** Values the layer keeps for backward (an MLP: z when its activation needs it, a, y when residual, LayerNorm's x̂, mean, 1/σ). */
  activationValues: bigint;
  activationBytes: bigint;
  /** Its output (what a checkpoint keeps). */
  outputValues: bigint;
  forwardFlops: bigint;
  backwardFlops: bigint;
  /** Transformer blocks: seed 001 §7.1's parts of activationValues. */
  qkv?: bigint;
  scores?: bigint;
  mlp?: bigint;
  layerNorm?: bigint;
}
export interface TrainingMemory {
  model: 'mlp' | 'transformer';
  dtype: 'f64' | 'f32' | 'f16' | 'bf16';
  optimizer: OptimizerName;
  batch: number;
  /** k of checkpointing every k layers; null without. */
  checkpointEvery: number | null;
  bytesPerValue: number;
  params: bigint;
  paramBytes: bigint;
  gradBytes: bigint;
  /** Optimizer moments (momentum 1, Adam 2 per parameter) × stateDtype's bytes. */
  optimizerBytes: bigint;
  /** fp32 master weights (masterWeights: true). */
  masterBytes: bigint;
  modelStateBytes: bigint;
  /** Everything kept for backward, without checkpointing. */
  activationBytes: bigint;
  /** With checkpointing: the checkpoints plus the largest segment. */
  peakActivationBytes: bigint;
  /** An MLP's four gradient buffers [batch, widest layer]. */
  scratchBytes: bigint;
  totalBytes: bigint;
  forwardFlops: bigint;
  backwardFlops: bigint;
  /** The forward FLOPs of every segment but the last. */
  recomputeFlops: bigint;
  segments: number;
  checkpoints: number;
  /** ZeRO: stage 1 shards the optimizer state (and master weights), 2 the gradients too, 3 the parameters too. */
  perDevice: { devices: number; zeroStage: number; paramBytes: bigint; gradBytes: bigint; optimizerBytes: bigint; modelStateBytes: bigint; totalBytes: bigint };
  layers: TrainingMemoryLayer[];
  /** Transformers: §7.1's rows and §3.2's layer outputs over all layers, in bytes. */
  parts?: { qkvBytes: bigint; scoresBytes: bigint; mlpBytes: bigint; layerNormBytes: bigint; layerOutputBytes: bigint };
}
export interface TrainingMemoryOptions {
  /** An MLP's widths [in, h1, ..., out], as gl.mlp takes them. */
  layers?: number[];
  activation?: ActivationName;
  activations?: ActivationName[];
  residual?: boolean | boolean[];
  layerNorm?: boolean | boolean[];
  leakySlope?: number;
  /** A transformer (seed 001 §7.1): params defaults to layers·(4d² + 2·d·ffn) + vocab·d. */
  transformer?: { layers: number; dModel: number; heads: number; seqLen: number; ffn?: number; vocab?: number; params?: number | bigint };
  /** Default 1. */
  batch?: number;
  /** Parameters, gradients and activations; default 'f32'. */
  dtype?: 'f64' | 'f32' | 'f16' | 'bf16';
  /** Default 'adam'. */
  optimizer?: OptimizerName;
  /** The optimizer moments' type; default 'f32'. */
  stateDtype?: 'f64' | 'f32' | 'f16' | 'bf16';
  masterWeights?: boolean;
  /** Every k layers, or true for round(√layers); default false (0 is off too). */
  checkpointing?: number | boolean;
  devices?: number;
  zeroStage?: 0 | 1 | 2 | 3;
}
export interface OptimizerOptions<D extends DType = 'f64'> {
  /** Default 'sgd'. */
  kind?: OptimizerName;
  /** Default 0.1 (sgd, momentum), 0.001 (adam, adamw). */
  lr?: number;
  momentum?: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
  /** Coupled L2 (sgd, momentum, adam) or decoupled (adamw, default 0.01). */
  weightDecay?: number;
  clipNorm?: number;
  schedule?: TrainOptions['schedule'];
  /** Default 'f64' (exact worked examples); 'f32' is the training path's type. */
  dtype?: D;
}
export interface OptimizerState<D extends DType = 'f64'> {
  kind: OptimizerName;
  /** Updates made. */
  step: number;
  /** η of the last update (0 before the first). */
  lr: number;
  params: FloatArrayFor<D>;
  /** momentum: v ← β·v + g. */
  velocity?: FloatArrayFor<D>;
  /** adam, adamw: m ← β1·m + (1 − β1)·g. */
  m?: FloatArrayFor<D>;
  /** adam, adamw: v ← β2·v + (1 − β2)·g². */
  v?: FloatArrayFor<D>;
  /** m / (1 − β1ᵗ), in double. */
  mHat?: Float64Array;
  /** v / (1 − β2ᵗ), in double. */
  vHat?: Float64Array;
  biasCorrection1?: number;
  biasCorrection2?: number;
  /** ‖g‖ before clipping (when clipNorm is set). */
  gradNorm?: number;
}
/** The engine's optimizer (the code model.train() runs), stepped with given gradients. */
export declare class Optimizer<D extends DType = 'f64'> {
  readonly kind: OptimizerName;
  readonly dtype: D;
  /** A copy of the parameters. */
  readonly params: FloatArrayFor<D>;
  /** One update with one gradient value per parameter; returns state() after it. */
  step(grads: DataRows): OptimizerState<D>;
  state(): OptimizerState<D>;
  /** Zeroes the moments and the step count; the parameters stay. */
  reset(): this;
  dispose(): void;
  [Symbol.dispose](): void;
}

export declare class Gradlab {
  /** The op table (needs the graph module). */
  readonly ops: OpInfo[];
  /** The wasm memory size in bytes of the graph, training and experiments modules (grows, never shrinks). */
  readonly heapBytes: number;
  /** Bytes in live malloc'd blocks of the graph, training and experiments modules' heaps. */
  readonly heapUsedBytes: number;
  /** What runs training (the training module createGradlab chose by its { backend, threads } options) and why; before the training module loads, the planned one. */
  readonly backend: BackendInfo;
  /** A small summary (JSON.stringify(gl) does not walk the engine). */
  toJSON(): { kind: 'gradlab'; modules: ModuleName[]; ops: number; heapBytes: number };
  /** The loaded wasm modules. */
  readonly modules: ModuleName[];
  /**
   * Loads the named modules that are not loaded yet (each once; a failed load can be
   * retried). Until then their methods throw an Error that names the module to load.
   */
  load(...modules: ModuleName[]): Promise<this>;
  graph(options?: { dtype?: DType }): Graph;
  /**
   * Loads the expression module (a second .wasm) once; parse, evaluate, expression,
   * checkDerivative, checkTableEntry and Graph.fromExpression throw until it is loaded.
   * Resolves to this engine; a failed load can be retried.
   */
  loadExpressions(): Promise<this>;
  /** Whether the expression module is loaded. */
  readonly expressionsLoaded: boolean;
  /** Parses an expression; a syntax error throws an ExpressionError with `position`. */
  parse(source: string): ParsedExpression;
  /** Value and gradient of an expression at a point. */
  evaluate(source: string, at: Point): Evaluation;
  expression(source: string): Expression;
  /** Checks a learner's derivative (number or formula) and names the likely mistake. */
  checkDerivative(question: DerivativeQuestion): DerivativeCheck;
  /** Checks one cell of a backward-pass table ("fill in the table"). */
  checkTableEntry(question: TableEntryQuestion): TableEntryCheck;
  /** An MLP on the fast training path, e.g. gl.mlp([2, 16, 16, 1], { activation: 'tanh' }). */
  mlp<D extends DType = 'f32'>(sizes: number[], options?: MlpOptions<D>): Model<D>;
  /** A model from toJSON() output (object or JSON text, version 1 or 2) or a live model; validated (unknown keys are errors). */
  mlpFromJSON(json: ModelJSON | ModelJSONV1 | string | Model): Model;
  /** C = op(A)·op(B), [m, n] row-major, f32, with the SIMD GEMM kernel; m·n·k ≤ 2^31. Nested rows must have the operand's shape. */
  gemm(A: Float32Array | Float64Array | number[] | number[][], B: Float32Array | Float64Array | number[] | number[][], options: GemmOptions): Float32Array;
  /** A seeded toy data set of n ≤ 2^21 points. */
  dataset(name: 'moons' | 'circles' | 'xor' | 'spiral' | 'spiral3', options?: { n?: number; noise?: number; seed?: number }): Dataset;
  /** Seed 001 exercise 4: gradient norm per layer for four 20-layer networks. */
  vanishingGradients(options?: { depth?: number; width?: number; seed?: number }): {
    name: string;
    loss: number;
    gradNorms: number[];
    activationMean: number[];
    activationStd: number[];
  }[];
  /**
   * Seed 001 exercise 8: the REINFORCE estimate of ∇θ E[z²], z ~ Bernoulli(σ(θ)), as the mean of
   * (z² − baseline)·∂log p(z)/∂θ (§8.3; baseline default 0); samples 2..200,000 per call.
   */
  reinforceBernoulli(options?: { theta?: number; samples?: number; seed?: number; baseline?: number }): {
    estimate: number;
    stdError: number;
    exact: number;
    samples: number;
    baseline: number;
  };
  /** Memory and FLOPs of one training step, counted exactly (seed 001 §3.2, §7.1, §9.4; seed 004). */
  trainingMemory(options: TrainingMemoryOptions): TrainingMemory;
  /** One optimizer over a parameter vector, stepped with given gradients, its state readable (seed 003). */
  optimizer<D extends DType = 'f64'>(options: OptimizerOptions<D>, params: DataRows): Optimizer<D>;
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
