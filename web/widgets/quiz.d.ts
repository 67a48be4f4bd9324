// Types for <gradlab-quiz> (web/widgets/quiz.js).
import type { Gradlab, FeedbackKind, Point } from '../gradlab.js';

export type QuizKind = FeedbackKind | 'not-a-number' | 'empty' | 'error';
export declare const FEEDBACK_TITLES: Readonly<Record<FeedbackKind | 'not-a-number' | 'empty', string>>;

export interface QuizResult {
  correct: boolean;
  kind: QuizKind;
  /** The kind in words ('Missing chain-rule factor'). */
  title: string;
  /** The checker's explanation. */
  feedback: string;
  given?: number;
  expected?: number;
  /** The text that was judged. */
  answer: string;
}
export interface QuizAnswerDetail {
  correct: boolean;
  kind: QuizKind;
  title: string;
  feedback: string;
  given?: number;
  answer: string;
}
export interface QuizEventMap extends HTMLElementEventMap {
  'gradlab-answer': CustomEvent<QuizAnswerDetail>;
}

export declare class QuizElement extends HTMLElement {
  gradlab: Gradlab | null;
  f: string;
  wrt: string;
  at: Point;
  /** Set for a table-entry question (checkTableEntry); null for a derivative question. */
  node: string | null;
  /** Named intermediates from the `definitions` attribute ("y = a*x + b; r = y - t"); undefined without it. */
  readonly definitions: Record<string, string> | undefined;
  answer: string;
  readonly result: QuizResult | null;
  check(): Promise<QuizResult>;
  addEventListener<K extends keyof QuizEventMap>(type: K, listener: (this: QuizElement, ev: QuizEventMap[K]) => unknown, options?: boolean | AddEventListenerOptions): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | AddEventListenerOptions): void;
}

declare global {
  interface HTMLElementTagNameMap {
    'gradlab-quiz': QuizElement;
  }
}
