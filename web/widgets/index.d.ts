// Types for gradlab/widgets (web/widgets/index.js): every element, registered on import.
export { GraphView } from './graph-view.js';
export { TraceTable } from './trace-table.js';
export { QuizElement, FEEDBACK_TITLES } from './quiz.js';
export declare function loadGradlab(): Promise<import('../gradlab.js').Gradlab>;
