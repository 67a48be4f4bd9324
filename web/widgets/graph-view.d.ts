// Types for <gradlab-graph> (web/widgets/graph-view.js).
import type { Gradlab, Graph, Tensor, NodeRecord, TraceStep, Model } from '../gradlab.js';

export interface GradlabStepDetail {
  /** The pass being stepped. */
  phase: 'forward' | 'backward';
  /** The step shown; -1 when not stepping (everything shown). */
  index: number;
  /** The node of this step (null when index is -1). */
  nodeId: number | null;
  /** Its display name. */
  name: string | null;
}
export interface GradlabSelectDetail {
  nodeId: number;
  name: string;
  node: NodeRecord;
}
export interface GradlabChangeDetail {
  reason: 'build' | 'set' | 'backward' | 'zero' | 'values' | 'neuron';
  gradients: boolean;
  /** Backward passes accumulated into the shown gradients. */
  passes: number;
}
export interface GradlabErrorDetail {
  message: string;
}

export interface GraphViewEventMap extends HTMLElementEventMap {
  'gradlab-step': CustomEvent<GradlabStepDetail>;
  'gradlab-select': CustomEvent<GradlabSelectDetail>;
  'gradlab-change': CustomEvent<GradlabChangeDetail>;
  'gradlab-error': CustomEvent<GradlabErrorDetail>;
}

export declare class GraphView extends HTMLElement {
  /** The engine; default: one shared createGradlab() instance, loaded on demand. */
  gradlab: Gradlab | null;
  /** Shows a live graph; gradients default to whether backward() ran. */
  setGraph(graph: Graph, options?: { root?: Tensor | number; gradients?: boolean }): void;
  /** Plain node records (no live graph behind them). */
  nodes: NodeRecord[];
  /** A backward trace for plain node records. */
  trace: TraceStep[] | null;
  readonly gradients: boolean;
  readonly passes: number;
  phase: 'forward' | 'backward';
  readonly order: number[];
  step: number;
  readonly playing: boolean;
  readonly graph: Graph | null;
  readonly root: Tensor | null;
  /** The status line as text. */
  readonly statusText: string;
  /** Resolves when the graph of the expr attribute is shown; rejects when it could not be built. */
  readonly ready: Promise<this>;
  stepForward(): void;
  stepBack(): void;
  replay(): void;
  showAll(): void;
  /** Backward pass; accumulate (default: the accumulate attribute) skips zeroing first. */
  backward(options?: { accumulate?: boolean }): void;
  zeroGrad(): void;
  /** Sets inputs by label ({ a: 3 } or "a=3") and recomputes. */
  setValues(values: Record<string, number> | string): void;
  focusNode(which: string | number): boolean;
  /** One neuron of an MLP as its scalar graph: layer 1-based, unit 0-based, x one input row. */
  expandNeuron(model: Model, options: { layer: number; unit: number; x: ArrayLike<number> }): Promise<this>;
  addEventListener<K extends keyof GraphViewEventMap>(type: K, listener: (this: GraphView, ev: GraphViewEventMap[K]) => unknown, options?: boolean | AddEventListenerOptions): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | AddEventListenerOptions): void;
  removeEventListener<K extends keyof GraphViewEventMap>(type: K, listener: (this: GraphView, ev: GraphViewEventMap[K]) => unknown, options?: boolean | EventListenerOptions): void;
  removeEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | EventListenerOptions): void;
}

export declare function nodeName(n: Pick<NodeRecord, 'id' | 'label'>): string;
export declare function opText(n: Pick<NodeRecord, 'op' | 'symbol' | 'attrs'>): string;
export declare function parseFormula(formula: string): { name: string; expr: string }[];

declare global {
  interface HTMLElementTagNameMap {
    'gradlab-graph': GraphView;
  }
}
