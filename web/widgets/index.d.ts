// Types for gradlab/widgets (web/widgets/index.js): every element, registered on import.
export { GraphView } from './graph-view.js';
export { TraceTable } from './trace-table.js';
export { QuizElement, FEEDBACK_TITLES } from './quiz.js';
export declare function loadGradlab(): Promise<import('../gradlab.js').Gradlab>;
export * from './playground.js';
export * from './curve.js';
export * from './optimizers.js';
export * from './schedule.js';
export * from './depth.js';
