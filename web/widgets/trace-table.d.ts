// Types for <gradlab-trace> (web/widgets/trace-table.js).
import type { NodeRecord, TraceStep, FeedbackKind } from '../gradlab.js';
import type { GraphView } from './graph-view.js';

export interface BlankCell {
  /** A label ('a'), a sub-expression of f ('a*b'), a trace name ('v4') or a node id. */
  node: string;
  column: 'gradient' | 'value';
}
export interface TraceRow {
  node: string;
  value: string;
  gradient: string;
  current: boolean;
  pending: boolean;
}
export interface TraceAnswerDetail {
  node: string;
  column: 'gradient' | 'value';
  correct: boolean;
  kind: FeedbackKind | 'not-a-number' | 'error';
  title: string;
  feedback: string;
}
export interface TraceTableEventMap extends HTMLElementEventMap {
  'gradlab-answer': CustomEvent<TraceAnswerDetail>;
}

export declare class TraceTable extends HTMLElement {
  /** The linked graph element (the `for` attribute sets it by id). */
  graph: GraphView | null;
  /** Shows a trace without a graph element. */
  setTrace(trace: TraceStep[], nodes: NodeRecord[]): void;
  blank: BlankCell[];
  readonly rows: TraceRow[];
  addEventListener<K extends keyof TraceTableEventMap>(type: K, listener: (this: TraceTable, ev: TraceTableEventMap[K]) => unknown, options?: boolean | AddEventListenerOptions): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | AddEventListenerOptions): void;
}

declare global {
  interface HTMLElementTagNameMap {
    'gradlab-trace': TraceTable;
  }
}
