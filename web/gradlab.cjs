// CommonJS entry: require('gradlab') in Node. The engine is an ES module, so everything
// comes asynchronously: `const { createGradlab } = require('gradlab'); const gl = await createGradlab();`
// or `const gradlab = await require('gradlab').load();` for the whole ES module namespace.
'use strict';

let namespace = null;
/** The ES module gradlab (all its exports), loaded once. */
function load() {
  namespace ??= import('./gradlab.node.js');
  return namespace;
}

/** Loads the engine: same options and result as the ES module's createGradlab. */
async function createGradlab(options) {
  return (await load()).createGradlab(options);
}

module.exports = { createGradlab, load };
