// Types for depth.js: <gradlab-depth>.

export interface DepthSeries {
  name: string;
  /** One norm per layer, first layer first. */
  gradNorms: ArrayLike<number>;
}

export declare function checkSeries(series: DepthSeries[]): { name: string; gradNorms: number[] }[];

export declare class GradlabDepth extends HTMLElement {
  static readonly observedAttributes: string[];
  readonly series: { name: string; gradNorms: number[] }[] | null;
  /** Plots your own norms (e.g. model.layerGradNorms()); the element stops computing its own. */
  setSeries(series: DepthSeries[]): void;
}

export interface GradlabDepthEventMap {
  'gradlab-ready': CustomEvent<{ series: { name: string; gradNorms: number[] }[] }>;
}

declare global {
  interface HTMLElementTagNameMap {
    'gradlab-depth': GradlabDepth;
  }
}
