// Prepended (--extern-pre-js) to the ES-module loader. Emscripten 3.1.6's loader uses
// `require` and `__dirname` when it runs under Node; in an ES module those do not exist,
// so they are recreated here. In browsers and workers this does nothing.
const __gradlabIsNode =
  typeof process === 'object' && typeof process.versions === 'object' && typeof process.versions.node === 'string';
const require = __gradlabIsNode
  ? (await import(/* webpackIgnore: true */ /* @vite-ignore */ 'node:module')).createRequire(import.meta.url)
  : undefined;
const __dirname = __gradlabIsNode ? require('node:path').dirname(require('node:url').fileURLToPath(import.meta.url)) : '';
