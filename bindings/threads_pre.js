// Prepended to the threaded engine's loader (gradlab_add_wasm_variant in CMakeLists.txt).
// The Worker class that hosts each pthread: web/lib/load.js passes Node's worker_threads
// behind a Web Worker face as Module.gradlabWorker; browsers and workers use their own.
var Worker = Module['gradlabWorker'] || globalThis.Worker;
