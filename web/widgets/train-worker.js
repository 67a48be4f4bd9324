// The training worker: a module Web Worker that runs the gradlab engine off the main thread.
//
//   new Worker(new URL('./train-worker.js', import.meta.url), { type: 'module' })
//
// Use it through TrainingClient (training-client.js), which speaks the protocol below.
// Messages to the worker ({ id, type, ... }; every one with an id gets one reply with that id):
//   configure { config }   builds the data set and the model   → ready { info, data, progress }
//   update    { train }    new training options, same model      → ok
//   play / pause           starts / stops the chunked loop       → ok
//   step      { steps }    trains exactly `steps` steps           → progress (then ok)
//   reset                  same data, the model re-initialised   → progress (then ok)
//   export                 model.toJSON()                         → model { json }
//   vanishing { options }  gl.vanishingGradients(options)         → vanishing { result }
// From the worker, unasked: progress { step, trainLoss, testLoss, trainAccuracy, testAccuracy,
// stepsPerSecond, lr, gradNorm, layerGradNorms, deadShare, grid } while playing, at most
// every PROGRESS_MS, and on pause; error { id?, name, message } for any failure (the worker
// stays usable); playing { playing, reason? } when the loop stops by itself.
// Typed arrays (the data, the grid) travel as transferables.
//
// Training runs in chunks: model.train({ steps: k }) with k adapted so one call takes about
// CHUNK_MS, then (when due) metrics, then a zero-delay yield (a MessageChannel message) so
// pause and other requests are handled between chunks; every REST_EVERY chunks a rest of
// REST_MS instead.
import { createGradlab } from '../gradlab.js';

const CHUNK_MS = 16;
// While playing, progress (metrics, the grid) goes out at most this often: every message
// costs the page a redraw (heat map, numbers); 10 a second show the boundary moving.
const PROGRESS_MS = 100;
const REST_EVERY = 2;
const REST_MS = 6;
const MAX_STEPS_PER_CHUNK = 100000;

let gl = null;
let enginePromise = null;
function engine() {
  // The .wasm URLs written out here so that bundlers (Vite, webpack) see them, copy the files
  // and put their final (hashed) names in; unbundled they are the package's own web/dist files.
  // Training needs only the training module; the experiments module comes with the first
  // vanishing-gradients request.
  const urls = {
    'gradlab_train.wasm': new URL('../dist/gradlab_train.wasm', import.meta.url),
    'gradlab_experiments.wasm': new URL('../dist/gradlab_experiments.wasm', import.meta.url),
  };
  // The threaded training module's files (backend 'auto' on a cross-origin-isolated page)
  // lie next to the others (prefix: the folder of the package's web/dist).
  const locateFile = (file, prefix) => {
    if (file.startsWith('gradlab_train_threads.')) return prefix + file;
    if (!urls[file]) throw new Error(`train-worker: no URL for ${file}`);
    return urls[file];
  };
  enginePromise ??= createGradlab({ locateFile, modules: ['training'] }).then((g) => (gl = g));
  return enginePromise;
}

// ---- seeded data -------------------------------------------------------------------

/** mulberry32: a small seeded generator of uniform numbers in [0, 1). */
export function seededRandom(seed) {
  let a = (seed >>> 0) + 0x6d2b79f5;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
function gaussian(rand) {
  const u = 1 - rand();  // (0, 1]: log(u) is finite
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

/**
 * Gaussian blobs: `classes` centres on the unit circle (class j at angle 2πj/classes),
 * points N(centre, σ²I) with σ = 0.15 + noise, classes in turn.
 */
export function makeBlobs(n, classes, noise, seed) {
  const rand = seededRandom(seed);
  const x = new Float32Array(n * 2);
  const y = new Float32Array(n);
  const sigma = 0.15 + noise;
  for (let i = 0; i < n; i++) {
    const j = i % classes;
    const angle = (2 * Math.PI * j) / classes;
    x[2 * i] = Math.cos(angle) + sigma * gaussian(rand);
    x[2 * i + 1] = Math.sin(angle) + sigma * gaussian(rand);
    y[i] = j;
  }
  return { x, y, n, classes };
}

/** Regression: x uniform in [−1, 1]², y = sin(2·x₁) + 0.5·cos(3·x₂) + noise·ε, ε ~ N(0, 1). */
export function makeRegression(n, noise, seed) {
  const rand = seededRandom(seed);
  const x = new Float32Array(n * 2);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const a = 2 * rand() - 1;
    const b = 2 * rand() - 1;
    x[2 * i] = a;
    x[2 * i + 1] = b;
    y[i] = Math.sin(2 * a) + 0.5 * Math.cos(3 * b) + noise * gaussian(rand);
  }
  return { x, y, n, classes: 0 };
}

const ENGINE_SETS = new Set(['moons', 'circles', 'xor', 'spiral', 'spiral3']);

function rawData(spec) {
  const { dataset, n, noise, seed } = spec;
  if (ENGINE_SETS.has(dataset)) {
    const d = gl.dataset(dataset, { n, noise, seed });
    return { x: d.x, y: d.y, n: d.n, classes: d.classes };
  }
  if (dataset === 'blobs') return makeBlobs(n, spec.classes ?? 3, noise, seed);
  if (dataset === 'regression') return makeRegression(n, noise, seed);
  if (dataset === 'custom') {
    const points = spec.points;
    if (!Array.isArray(points) || points.length === 0) throw new Error('custom data: add at least one point (click on the plot) or paste CSV');
    const m = points.length;
    const x = new Float32Array(m * 2);
    const y = new Float32Array(m);
    points.forEach((p, i) => {
      x[2 * i] = p[0];
      x[2 * i + 1] = p[1];
      y[i] = p[2];
    });
    return { x, y, n: m, classes: spec.classes };
  }
  throw new Error(`unknown data set ${JSON.stringify(dataset)} (expected moons, circles, xor, spiral, spiral3, blobs, regression or custom)`);
}

/** Splits rows into train and test with a seeded shuffle; testShare of them (rounded) go to test. */
function split(d, testShare, seed) {
  const order = Array.from({ length: d.n }, (_, i) => i);
  const rand = seededRandom(seed ^ 0x5bd1e995);
  for (let i = d.n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  const nTest = Math.min(d.n - 1, Math.round(d.n * testShare));
  const pick = (rows) => {
    const x = new Float32Array(rows.length * 2);
    const y = new Float32Array(rows.length);
    rows.forEach((r, i) => {
      x[2 * i] = d.x[2 * r];
      x[2 * i + 1] = d.x[2 * r + 1];
      y[i] = d.y[r];
    });
    return { x, y, n: rows.length };
  };
  return { train: pick(order.slice(nTest)), test: pick(order.slice(0, nTest)) };
}

/** Targets in the layout the loss wants: labels [n] (crossEntropy, binary), one-hot [n·k] (mse, k > 2). */
function targetsFor(y, task) {
  if (task.loss === 'mse' && task.classes > 2) {
    const t = new Float32Array(y.length * task.classes);
    y.forEach((c, i) => (t[i * task.classes + c] = 1));
    return t;
  }
  return y;
}

/** The output width, output activation and loss for a data set and a requested loss. */
export function taskFor(classes, loss) {
  if (classes === 0) {
    if (loss && loss !== 'mse') throw new Error(`loss ${JSON.stringify(loss)} does not fit a regression data set: use mse`);
    return { kind: 'regression', loss: 'mse', outputs: 1, classes: 0 };
  }
  const chosen = loss || (classes > 2 ? 'crossEntropy' : 'bce');
  if (chosen === 'bce') {
    if (classes > 2) throw new Error(`loss bce needs two classes, the data set has ${classes}: use crossEntropy`);
    return { kind: 'classification', loss: 'bce', outputs: 1, classes };
  }
  if (chosen === 'crossEntropy') return { kind: 'classification', loss: 'crossEntropy', outputs: Math.max(classes, 2), classes };
  if (chosen === 'mse') return { kind: 'classification', loss: 'mse', outputs: classes > 2 ? classes : 1, classes };
  throw new Error(`unknown loss ${JSON.stringify(loss)} (expected bce, crossEntropy or mse)`);
}

// ---- the session -------------------------------------------------------------------

const session = {
  model: null,
  config: null,
  task: null,
  train: null,   // { x, y } in the loss's layout
  test: null,
  gridX: null,
  grid: null,    // { size, x0, x1, y0, y1 }
  trainOptions: null,
  playing: false,
  stepsPerChunk: 16,
  postedAt: 0,
  chunks: 0,
  step: 0,
  rate: { t0: 0, steps0: 0, value: 0 },
};

function buildModel() {
  const { layers, seed } = session.config.model;
  session.model?.dispose();
  session.model = null;
  const sizes = [2, ...layers.map((l) => l.units), session.task.outputs];
  const activations = [...layers.map((l) => l.activation), 'none'];
  session.model = gl.mlp(sizes, { activations, seed });
  session.step = 0;
  session.stepsPerChunk = 16;
  session.rate = { t0: performance.now(), steps0: 0, value: 0 };
}

function gridFor(d, size) {
  let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
  for (let i = 0; i < d.n; i++) {
    x0 = Math.min(x0, d.x[2 * i]);
    x1 = Math.max(x1, d.x[2 * i]);
    y0 = Math.min(y0, d.x[2 * i + 1]);
    y1 = Math.max(y1, d.x[2 * i + 1]);
  }
  // Square, padded, and never smaller than [−1, 1]² (click-in data starts with one point).
  const cx = (x0 + x1) / 2, cy = (y0 + y1) / 2;
  const half = Math.max((x1 - x0) / 2, (y1 - y0) / 2, 1) * 1.15;
  const g = { size, x0: cx - half, x1: cx + half, y0: cy - half, y1: cy + half };
  const xs = new Float32Array(size * size * 2);
  for (let r = 0; r < size; r++)
    for (let c = 0; c < size; c++) {
      const k = r * size + c;
      xs[2 * k] = g.x0 + ((c + 0.5) / size) * (g.x1 - g.x0);
      xs[2 * k + 1] = g.y1 - ((r + 0.5) / size) * (g.y1 - g.y0);  // row 0 at the top
    }
  return { grid: g, xs };
}

function configure(config) {
  session.playing = false;
  const d = rawData(config.data);
  const task = taskFor(d.classes, config.train.loss);
  const parts = split(d, config.data.testShare, config.data.seed);
  if (parts.train.n < 1) throw new Error('no training points: lower the test share or add points');
  session.config = config;
  session.task = task;
  session.train = { x: parts.train.x, y: targetsFor(parts.train.y, task), labels: parts.train.y, n: parts.train.n };
  session.test = { x: parts.test.x, y: targetsFor(parts.test.y, task), labels: parts.test.y, n: parts.test.n };
  const { grid, xs } = gridFor(d, config.gridSize ?? 48);
  session.grid = grid;
  session.gridX = xs;
  session.trainOptions = config.train;
  buildModel();
  return {
    info: {
      task,
      sizes: session.model.sizes,
      numParams: session.model.numParams,
      nTrain: parts.train.n,
      nTest: parts.test.n,
      batchSize: Math.min(config.train.batchSize, parts.train.n),
      grid,
      // What runs the steps (the meter's Engine): a toy MLP stays on one thread, and below
      // the GPU floor (docs/webgpu.md) where a WebGPU adapter exists; the reason says both.
      backend: session.model.backendFor(Math.min(config.train.batchSize, parts.train.n)),
    },
    // Copies for drawing; the worker keeps its own.
    data: { trainX: parts.train.x.slice(), trainY: parts.train.y.slice(), testX: parts.test.x.slice(), testY: parts.test.y.slice() },
  };
}

function trainArgs(steps) {
  const t = session.trainOptions;
  const args = {
    x: session.train.x,
    y: session.train.y,
    steps,
    batchSize: Math.min(t.batchSize, session.train.n),
    loss: session.task.loss,
    optimizer: t.optimizer,
    lr: t.lr,
    weightDecay: t.weightDecay,
    schedule: t.schedule,
    seed: session.config.data.seed,
  };
  return args;
}

function runSteps(steps) {
  const r = session.model.train(trainArgs(steps));
  session.step = r.step;
  return r;
}

function sigmoid(z) {
  return 1 / (1 + Math.exp(-z));
}

/** The grid as drawing values: P(class 1) (binary), softmax rows [size²·k] (multiclass), raw outputs (regression). */
function gridValues() {
  const out = session.model.predict(session.gridX);
  const task = session.task;
  const cells = session.grid.size * session.grid.size;
  if (task.kind === 'regression') return Float32Array.from(out);
  if (task.outputs === 1) {
    const v = new Float32Array(cells);
    for (let i = 0; i < cells; i++) v[i] = task.loss === 'bce' ? sigmoid(out[i]) : Math.min(1, Math.max(0, out[i]));
    return v;
  }
  // mse on one-hot targets: the raw scores per class (the drawing takes the argmax).
  if (task.loss !== 'crossEntropy') return Float32Array.from(out);
  const k = task.outputs;
  const v = new Float32Array(cells * k);
  for (let i = 0; i < cells; i++) {
    let max = -Infinity;
    for (let c = 0; c < k; c++) max = Math.max(max, out[i * k + c]);
    let s = 0;
    for (let c = 0; c < k; c++) s += (v[i * k + c] = Math.exp(out[i * k + c] - max));
    for (let c = 0; c < k; c++) v[i * k + c] /= s;
  }
  return v;
}

function metrics(last) {
  const m = session.model;
  const loss = session.task.loss;
  const tr = m.evaluate({ x: session.train.x, y: session.train.y, loss });
  const te = session.test.n > 0 ? m.evaluate({ x: session.test.x, y: session.test.y, loss }) : { loss: NaN, accuracy: NaN };
  const now = performance.now();
  const rate = session.rate;
  if (now - rate.t0 >= 500) {
    rate.value = ((session.step - rate.steps0) * 1000) / (now - rate.t0);
    rate.t0 = now;
    rate.steps0 = session.step;
  }
  let deadShare = [];
  const reluFamily = new Set(['relu', 'leakyRelu']);
  const layers = session.config.model.layers;
  if (layers.some((l) => reluFamily.has(l.activation))) {
    const stats = m.activationStats({ x: session.train.x });
    deadShare = stats.slice(0, layers.length).map((s) => (reluFamily.has(s.activation) ? s.deadFraction : null));
  } else deadShare = layers.map(() => null);
  const classification = session.task.kind === 'classification';
  return {
    type: 'progress',
    step: session.step,
    trainLoss: tr.loss,
    testLoss: te.loss,
    trainAccuracy: classification ? tr.accuracy : NaN,
    testAccuracy: classification ? te.accuracy : NaN,
    stepsPerSecond: session.playing ? rate.value : 0,  // single steps have no rate worth showing
    lr: last ? last.lr : NaN,
    gradNorm: last ? last.gradNorm : NaN,
    layerGradNorms: session.step > 0 ? m.layerGradNorms() : layers.map(() => 0).concat(0),
    deadShare,
    playing: session.playing,
    grid: gridValues(),
  };
}

function postProgress(last) {
  const p = metrics(last);
  self.postMessage(p, [p.grid.buffer]);
}

// A zero-delay yield: setTimeout(0) is clamped to ≥ 4 ms after a few nested calls.
// Made on first use: an open port would keep a Node process that imports this module alive.
let tick = null;
function scheduleChunk() {
  // Every few chunks the worker rests REST_MS: on a two-core machine the page's own threads
  // (main, compositor, raster) need part of the core this loop would otherwise hold.
  if (++session.chunks % REST_EVERY === 0) {
    setTimeout(chunk, REST_MS);
    return;
  }
  if (!tick) {
    tick = new MessageChannel();
    tick.port1.onmessage = () => chunk();
  }
  tick.port2.postMessage(0);
}

function chunk() {
  if (!session.playing || !session.model) return;
  try {
    const t0 = performance.now();
    const r = runSteps(session.stepsPerChunk);
    const ms = performance.now() - t0;
    // Aim the next chunk at CHUNK_MS, changing by at most 2× per chunk.
    const factor = Math.min(2, Math.max(0.5, CHUNK_MS / Math.max(ms, 0.05)));
    session.stepsPerChunk = Math.max(1, Math.min(MAX_STEPS_PER_CHUNK, Math.round(session.stepsPerChunk * factor)));
    const now = performance.now();
    if (now - session.postedAt >= PROGRESS_MS || !Number.isFinite(r.loss)) {
      session.postedAt = now;
      postProgress(r);
    }
    if (!Number.isFinite(r.loss)) {
      session.playing = false;
      self.postMessage({ type: 'playing', playing: false, reason: `training stopped at step ${r.step}: the loss is ${r.loss} (lower the learning rate)` });
      return;
    }
  } catch (err) {
    session.playing = false;
    self.postMessage({ type: 'playing', playing: false });
    reportError(err);
    return;
  }
  scheduleChunk();
}

function reportError(err, id) {
  self.postMessage({ type: 'error', id, name: err?.name ?? 'Error', message: err?.message ?? String(err) });
}

function needModel(what) {
  if (!session.model) throw new Error(`${what}: no model yet (send configure first)`);
}

async function handle(msg) {
  if (msg === null || typeof msg !== 'object' || typeof msg.type !== 'string')
    throw new TypeError(`train-worker: a message must be an object with a type, got ${JSON.stringify(msg)}`);
  await engine();
  switch (msg.type) {
    case 'configure': {
      const { info, data } = configure(msg.config);
      // The untrained state comes with the reply, so the page has it the moment it is ready.
      const progress = metrics(null);
      self.postMessage({ type: 'ready', id: msg.id, info, data, progress }, [data.trainX.buffer, data.trainY.buffer, data.testX.buffer, data.testY.buffer, progress.grid.buffer]);
      return;
    }
    case 'update':
      needModel('update');
      session.trainOptions = { ...session.trainOptions, ...msg.train };
      trainArgs(0);
      break;
    case 'play':
      needModel('play');
      if (!session.playing) {
        session.playing = true;
        session.rate = { t0: performance.now(), steps0: session.step, value: session.rate.value };
        scheduleChunk();
      }
      break;
    case 'pause':
      // Chunks post progress at most every PROGRESS_MS: the steps since the last post are
      // reported now, so the page shows the state training stopped in.
      if (session.playing) {
        session.playing = false;
        postProgress(null);
      }
      break;
    case 'step': {
      needModel('step');
      const steps = msg.steps ?? 1;
      if (!Number.isInteger(steps) || steps < 1 || steps > MAX_STEPS_PER_CHUNK)
        throw new RangeError(`step: steps must be an integer in 1..${MAX_STEPS_PER_CHUNK}, got ${JSON.stringify(steps)}`);
      const r = runSteps(steps);
      postProgress(r);
      break;
    }
    case 'reset':
      needModel('reset');
      session.playing = false;
      buildModel();
      postProgress(null);
      break;
    case 'export':
      needModel('export');
      self.postMessage({ type: 'model', id: msg.id, json: session.model.toJSON() });
      return;
    case 'vanishing':
      await gl.load('experiments');
      self.postMessage({ type: 'vanishing', id: msg.id, result: gl.vanishingGradients(msg.options ?? {}) });
      return;
    default:
      throw new Error(`train-worker: unknown message type ${JSON.stringify(msg.type)} (expected configure, update, play, pause, step, reset, export, vanishing)`);
  }
  if (msg.id !== undefined) self.postMessage({ type: 'ok', id: msg.id });
}

// Requests run one at a time, in order (configure must finish before play).
let queue = Promise.resolve();
if (typeof self !== 'undefined' && typeof WorkerGlobalScope !== 'undefined' && self instanceof WorkerGlobalScope) {
  self.onmessage = (event) => {
    const msg = event.data;
    queue = queue.then(() => handle(msg)).catch((err) => reportError(err, msg?.id));
  };
}
