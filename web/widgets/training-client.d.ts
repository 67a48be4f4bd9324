// Types for training-client.js: the main-thread side of the training worker (train-worker.js).
import type { ActivationName, LossName, ModelJSON, OptimizerName, ScheduleOptions } from '../gradlab.js';

export type TrainingDatasetName = 'moons' | 'circles' | 'xor' | 'spiral' | 'spiral3' | 'blobs' | 'regression' | 'custom';

export interface TrainingConfig {
  data: {
    dataset: TrainingDatasetName;
    /** Points to generate (engine sets, blobs, regression). */
    n: number;
    noise: number;
    /** Seeds the data, the train/test split and the minibatch sampling. */
    seed: number;
    /** Share of the points held out for testing, 0..0.9. */
    testShare: number;
    /** blobs: the number of classes; custom: classes of the points (0 = regression). */
    classes?: number;
    /** custom: rows [x1, x2, label]. */
    points?: [number, number, number][];
  };
  model: { layers: { units: number; activation: ActivationName }[]; seed: number };
  train: {
    /** Default: bce for two classes, crossEntropy for more, mse for regression. */
    loss?: LossName;
    optimizer: OptimizerName;
    lr: number;
    batchSize: number;
    weightDecay: number;
    schedule: ScheduleOptions;
  };
  /** Side of the decision-boundary grid (default 48; the playground uses 64). */
  gridSize?: number;
}

export interface TrainingTask {
  kind: 'classification' | 'regression';
  loss: LossName;
  outputs: number;
  /** 0 for regression. */
  classes: number;
}

export interface TrainingInfo {
  task: TrainingTask;
  sizes: number[];
  numParams: number;
  nTrain: number;
  nTest: number;
  /** The batch size used: at most nTrain. */
  batchSize: number;
  /** The input-plane square the grid covers; row 0 of the grid is at y1 (the top). */
  grid: { size: number; x0: number; x1: number; y0: number; y1: number };
  /** What runs the training steps (model.backendFor at this batch size): shown as the meter's Engine. */
  backend: { name: 'wasm' | 'wasm-threads' | 'webgpu'; threads: number; reason: string };
}

export interface TrainingData {
  trainX: Float32Array;
  trainY: Float32Array;
  testX: Float32Array;
  testY: Float32Array;
}

export interface TrainingProgress {
  type: 'progress';
  step: number;
  trainLoss: number;
  /** NaN without test points. */
  testLoss: number;
  /** NaN for regression. */
  trainAccuracy: number;
  testAccuracy: number;
  stepsPerSecond: number;
  /** The learning rate of the last step (NaN before the first). */
  lr: number;
  gradNorm: number;
  /** ‖∂L/∂θ‖ per layer (hidden layers, then the output layer). */
  layerGradNorms: number[];
  /** Per hidden layer: share of dead ReLU units, null for other activations. */
  deadShare: (number | null)[];
  playing: boolean;
  /**
   * size² values: P(class 1) (one output), softmax rows [size²·k] (crossEntropy), raw
   * scores [size²·k] (mse, k > 2) or raw outputs (regression).
   */
  grid: Float32Array;
}

export interface VanishingGradientsResult {
  name: string;
  loss: number;
  gradNorms: number[];
  activationMean: number[];
  activationStd: number[];
}

export interface TrainingClientEventMap {
  progress: CustomEvent<TrainingProgress>;
  playing: CustomEvent<{ playing: boolean; reason?: string }>;
  error: CustomEvent<Error>;
}

export declare class TrainingClient extends EventTarget {
  constructor(options?: { workerUrl?: string | URL });
  configure(config: TrainingConfig): Promise<{ info: TrainingInfo; data: TrainingData; progress: TrainingProgress }>;
  update(train: Partial<TrainingConfig['train']>): Promise<unknown>;
  play(): Promise<unknown>;
  pause(): Promise<unknown>;
  step(steps?: number): Promise<unknown>;
  reset(): Promise<unknown>;
  exportModel(): Promise<ModelJSON>;
  vanishingGradients(options?: { depth?: number; width?: number; seed?: number }): Promise<VanishingGradientsResult[]>;
  terminate(): void;
  addEventListener<K extends keyof TrainingClientEventMap>(type: K, listener: (event: TrainingClientEventMap[K]) => void, options?: boolean | AddEventListenerOptions): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | AddEventListenerOptions): void;
}
