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
  /** constant-factor: answer/expected; rounding: given − expected; chain kinds: the missing factor at `at`. */
  factor?: number;
}
export interface TableEntryQuestion {
  f: string;
  at: Point;
  /** A variable ('a'), a sub-expression of f ('a*b'), a trace name ('v4') or a node id of g.fromExpression(f) in a new graph. */
  node: string | number;
  /** The learner's value for the cell. */
  given: number;
  /** Default 'gradient'. */
  column?: 'gradient' | 'value';
  tolerance?: number;
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
  /**
   * An expression lowered into this graph; returns the root. Variables become scalar
   * leaves labelled with their names, or use the scalar Tensors given in `at`.
   */
  fromExpression(source: string, at: Record<string, number | Tensor>, options?: { labelOperations?: boolean }): Tensor;
  dispose(): void;
  [Symbol.dispose](): void;
}

export declare class Gradlab {
  readonly ops: OpInfo[];
  readonly heapBytes: number;
  graph(options?: { dtype?: DType }): Graph;
  /** Parses an expression; a syntax error throws an ExpressionError with `position`. */
  parse(source: string): ParsedExpression;
  /** Value and gradient of an expression at a point. */
  evaluate(source: string, at: Point): Evaluation;
  expression(source: string): Expression;
  /** Checks a learner's derivative (number or formula) and names the likely mistake. */
  checkDerivative(question: DerivativeQuestion): DerivativeCheck;
  /** Checks one cell of a backward-pass table ("fill in the table"). */
  checkTableEntry(question: TableEntryQuestion): TableEntryCheck;
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
