// Types for gradlab/widgets (web/widgets/index.js): every element, registered on import.
export { GraphView } from './graph-view.js';
export { TraceTable } from './trace-table.js';
export { QuizElement, FEEDBACK_TITLES } from './quiz.js';
/**
 * The engine instance the widgets share (created once), once `modules` (default graph,
 * training and experiments) are loaded; each module is downloaded when first asked for.
 */
export declare function loadGradlab(modules?: import('../gradlab.js').ModuleName[]): Promise<import('../gradlab.js').Gradlab>;
export * from './playground.js';
export * from './curve.js';
export * from './optimizers.js';
export * from './schedule.js';
export * from './depth.js';
