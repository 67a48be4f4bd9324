// Kept for the loader (createGradlab in web/gradlab.js) and gradlab/csv, gradlab/export:
// the checks themselves live in check.js, the one module of validators (so a split bundle
// has no chunk of its own for them).
export { describe, optionsObject } from './check.js';
