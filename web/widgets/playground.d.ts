// Types for playground.js: <gradlab-playground>.
import type { ActivationName, ModelJSON, OptimizerName } from '../gradlab.js';
import type { TrainingInfo, TrainingProgress, TrainingDatasetName } from './training-client.js';

export type PlaygroundLoss = 'auto' | 'bce' | 'crossEntropy' | 'mse';

export interface PlaygroundState {
  /** Shown as the heading, as text. */
  title: string;
  dataset: TrainingDatasetName;
  /** 10..2000 */
  n: number;
  /** 0..1 */
  noise: number;
  seed: number;
  /** 0..0.9 */
  testShare: number;
  /** blobs: 2..8 classes. */
  classes: number;
  /** custom: [x1, x2, label] rows (clicked in or from CSV). */
  points: [number, number, number][];
  pointsTask: 'classification' | 'regression';
  /** Hidden layers: 1..6 of 1..64 units. */
  layers: { units: number; activation: ActivationName }[];
  loss: PlaygroundLoss;
  optimizer: OptimizerName;
  /** (0, 10] */
  lr: number;
  /** 1..512 (at most the training points). */
  batchSize: number;
  /** L2 (weight decay), 0..1. */
  weightDecay: number;
  schedule: { type: 'constant' | 'step' | 'warmupCosine'; warmup: number; total: number; lrMin: number; stepSize: number; gamma: number };
}

export interface PlaygroundExporter {
  id: string;
  /** The button's text and accessible name, e.g. 'Export PyTorch script'. */
  label: string;
  fileName: string;
  mimeType?: string;
  /** data: the training split (x, y) when one is loaded; PyTorch and ONNX exporters are registered by default. */
  convert(model: ModelJSON, state: PlaygroundState, data: { x: Float32Array | Float64Array | number[]; y: Float32Array | Float64Array | number[] } | null): string | Blob | Uint8Array | Promise<string | Blob | Uint8Array>;
}

export declare const DATASETS: TrainingDatasetName[];
export declare const ACTIVATIONS: ActivationName[];
export declare const OPTIMIZERS: OptimizerName[];
export declare const LOSSES: PlaygroundLoss[];
export declare const SCHEDULES: ('constant' | 'step' | 'warmupCosine')[];
export declare const DEFAULT_STATE: Readonly<PlaygroundState>;

/** Checks state from outside; bad values keep their defaults and are listed in `errors`. */
export declare function normalizeState(input: unknown): { state: PlaygroundState; errors: string[] };
/** Parses "x1,x2,label" rows; throws an Error naming the line for ragged or non-numeric rows. */
export declare function parseCsv(text: string): { points: [number, number, number][]; pointsTask: 'classification' | 'regression' };
export declare function stateFromHash(hash: string, key: string): { value: unknown } | { error: string } | null;
export declare function hashWithState(hash: string, key: string, state: PlaygroundState): string;

export declare class GradlabPlayground extends HTMLElement {
  static readonly observedAttributes: string[];
  /** Adds an export format; its button appears in every playground (the PyTorch/ONNX hook). */
  static registerExporter(exporter: PlaygroundExporter): void;
  static readonly exporters: PlaygroundExporter[];
  /** A copy; setting it checks every value (problems are shown in the element). */
  state: PlaygroundState;
  /** Sets the state; returns the problems found. */
  setState(state: unknown): string[];
  toJSON(): PlaygroundState;
  readonly playing: boolean;
  readonly progress: Omit<TrainingProgress, 'grid'> | null;
  readonly info: TrainingInfo | null;
  whenReady(): Promise<void>;
  play(): Promise<void>;
  pause(): Promise<void>;
  step(steps?: number): Promise<void>;
  reset(): Promise<void>;
  exportModel(): Promise<ModelJSON>;
}

export interface GradlabPlaygroundEventMap {
  'gradlab-ready': CustomEvent<{ info: TrainingInfo }>;
  'gradlab-progress': CustomEvent<Omit<TrainingProgress, 'grid'>>;
  'gradlab-state': CustomEvent<{ state: PlaygroundState }>;
  'gradlab-invalid': CustomEvent<{ messages: string[] }>;
  'gradlab-play': CustomEvent<void>;
  'gradlab-pause': CustomEvent<void>;
  'gradlab-export': CustomEvent<{ format: string; model: ModelJSON; fileName: string; body: string | Blob | Uint8Array }>;
  'gradlab-error': CustomEvent<{ error: Error }>;
}

declare global {
  interface HTMLElementTagNameMap {
    'gradlab-playground': GradlabPlayground;
  }
}
