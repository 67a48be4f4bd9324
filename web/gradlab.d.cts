// Types for require('gradlab') (web/gradlab.cjs): the ES module, loaded asynchronously.
type GradlabModule = typeof import('./gradlab.js', { with: { 'resolution-mode': 'import' } });

/** Loads the engine: same options and result as the ES module's createGradlab. */
export declare function createGradlab(
  options?: import('./gradlab.js', { with: { 'resolution-mode': 'import' } }).CreateOptions,
): Promise<import('./gradlab.js', { with: { 'resolution-mode': 'import' } }).Gradlab>;
/** The whole ES module (Graph, Model, ...), loaded once. */
export declare function load(): Promise<GradlabModule>;
