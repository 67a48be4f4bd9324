// gradlab/lean: createGradlab and Gradlab (web/lean.js); the classes are typed in gradlab.d.ts.
export { createGradlab, Gradlab } from './gradlab.js';
