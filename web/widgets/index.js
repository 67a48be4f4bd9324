// Every gradlab widget: importing this module registers all the custom elements.
//   import 'gradlab/widgets';
//   <gradlab-graph expr="(a*b+c)^2" values="a=2, b=-3, c=10"></gradlab-graph>
export { GraphView } from './graph-view.js';
export { TraceTable } from './trace-table.js';
export { QuizElement, FEEDBACK_TITLES } from './quiz.js';
export { loadGradlab } from './engine.js';
export * from './playground.js';   // <gradlab-playground>
export * from './curve.js';        // <gradlab-curve>
export * from './optimizers.js';   // <gradlab-optimizers>
export * from './schedule.js';     // <gradlab-schedule>
export * from './depth.js';        // <gradlab-depth>
