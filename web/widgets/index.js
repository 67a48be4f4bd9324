// Every gradlab widget: importing this module registers all the custom elements.
//   import 'gradlab/widgets';
export { GraphView } from './graph-view.js';
