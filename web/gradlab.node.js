// gradlab for Node (the package's `node` export condition): the same API as gradlab.js,
// with the .wasm read from disk by fs (Node's fetch() cannot read file paths).
// Browser bundlers never see this file, so its node: imports stay out of their builds.
import { readFile } from 'node:fs/promises';
import { Gradlab } from './lib/engine.js';
import { loadEngineModule } from './lib/load.js';

export * from './gradlab.js';

/** Loads the engine (see gradlab.js); in Node, locateFile may answer a path, a file: URL or an http(s) URL. */
export async function createGradlab(createOptions) {
  return Gradlab._open(await loadEngineModule(createOptions, readFile));
}
