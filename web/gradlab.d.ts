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
}

export declare function createGradlab(options?: CreateOptions): Promise<Gradlab>;
