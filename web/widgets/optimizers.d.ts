// Types for optimizers.js: <gradlab-optimizers> and the optimizer paths.

export type OptimizerKind = 'sgd' | 'momentum' | 'adam';
export type SurfaceName = 'rosenbrock' | 'elongated' | 'saddle';

export interface Surface2D {
  f(x: number, y: number): number;
  grad(x: number, y: number): [number, number];
}
export interface NamedSurface extends Surface2D {
  label: string;
  box: { x0: number; x1: number; y0: number; y1: number };
  start: [number, number];
  minimum: { at: [number, number]; value: number };
  settings: OptimizersSettings;
}
export interface OptimizersSettings {
  steps: number;
  /** SGD learning rate. */
  sgd: number;
  /** Momentum learning rate. */
  momentum: number;
  /** Momentum β. */
  beta: number;
  /** Adam learning rate. */
  adam: number;
}

export declare const SURFACES: Record<SurfaceName, NamedSurface>;
export declare const OPTIMIZER_KINDS: OptimizerKind[];

/** The engine's update rules in double precision; `diverged` is the step at which it left the plane. */
export declare function optimizerPath(
  kind: OptimizerKind,
  surface: Surface2D,
  start: [number, number],
  options: { lr: number; steps: number; momentum?: number; beta1?: number; beta2?: number; eps?: number },
): [number, number][] & { diverged?: number };

export declare class GradlabOptimizers extends HTMLElement {
  static readonly observedAttributes: string[];
  /** Attribute `surface`. */
  surface: SurfaceName;
  start: [number, number];
  readonly settings: OptimizersSettings;
  readonly paths: Record<OptimizerKind, [number, number][]> | null;
  /** Steps drawn so far (all once the animation ends). */
  readonly shownSteps: number;
}

export interface GradlabOptimizersEventMap {
  'gradlab-paths': CustomEvent<{ paths: Record<OptimizerKind, [number, number][]> }>;
}

declare global {
  interface HTMLElementTagNameMap {
    'gradlab-optimizers': GradlabOptimizers;
  }
}
