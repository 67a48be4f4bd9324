// Types for curve.js: <gradlab-curve>.

/** Splits "train loss, test loss" into names. */
export declare function parseSeriesList(text: string | null | undefined): string[];

export declare class GradlabCurve extends HTMLElement {
  static readonly observedAttributes: string[];
  /** Series names (attribute `series`, comma separated). */
  series: string[];
  /** Log-scaled y axis (attribute `log-scale`). */
  logScale: boolean;
  /** Least ms between two redraws (default 100). */
  redrawInterval: number;
  /** Points appended so far. */
  readonly length: number;
  /** A copy of the data. */
  readonly data: { x: number[]; series: Record<string, (number | null)[]> };
  /** One point per series at x = step: values in series order, or { name: value }. */
  append(step: number, values: ArrayLike<number | null> | Record<string, number | null>): void;
  /** With nodes or strings: Element.append. */
  append(...nodes: (Node | string)[]): void;
  /** Replaces all data. */
  setData(xs: ArrayLike<number>, ys: ArrayLike<number | null>[]): void;
  clear(): void;
  /** The text of the summary (latest value of every series). */
  summaryText(): string;
}

export interface GradlabCurveEventMap {
  'gradlab-scale': CustomEvent<{ logScale: boolean }>;
}

declare global {
  interface HTMLElementTagNameMap {
    'gradlab-curve': GradlabCurve;
  }
}

/** Registers <gradlab-curve> once (importing curve.js does it too). */
export declare function defineCurve(): void;
