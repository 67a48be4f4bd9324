// The main-thread side of the training worker (train-worker.js).
//
//   const client = new TrainingClient();
//   client.addEventListener('progress', (e) => draw(e.detail));
//   await client.configure({ data, model, train, gridSize });
//   client.play();  ...  client.pause();
//   const json = await client.exportModel();
//   client.terminate();
//
// Every request returns a Promise that settles with the worker's reply; a failure in the
// worker rejects it with an Error of the same name and message (and an 'error' event is
// dispatched for failures that no request waits for, such as a chunk that throws while
// playing). Events: 'progress' (detail: the progress record), 'playing' (detail:
// { playing, reason? }), 'error' (detail: Error).

const ERROR_TYPES = { TypeError, RangeError, SyntaxError, Error };

export class TrainingClient extends EventTarget {
  /** @param {{ workerUrl?: string | URL }} [options] another worker URL (tests, bundlers with their own worker handling) */
  constructor(options = {}) {
    super();
    // Written out in full on purpose: Vite and webpack bundle a worker only when they see
    // new Worker(new URL('...', import.meta.url), { type: 'module' }) literally.
    this._worker = options.workerUrl
      ? new Worker(options.workerUrl, { type: 'module' })
      : new Worker(new URL('./train-worker.js', import.meta.url), { type: 'module' });
    this._nextId = 1;
    this._pending = new Map();
    this._terminated = false;
    this._worker.onmessage = (event) => this._receive(event.data);
    // A worker that fails to load (a 404, a syntax error) gets an ErrorEvent without a reply.
    this._worker.onerror = (event) => {
      event.preventDefault?.();
      const err = new Error(`training worker failed: ${event.message || 'it could not be loaded'}`);
      this._failAll(err);
    };
  }

  _receive(msg) {
    if (msg.type === 'error') {
      const Type = ERROR_TYPES[msg.name] ?? Error;
      const err = new Type(msg.message);
      if (!(msg.name in ERROR_TYPES)) err.name = msg.name;
      const waiting = msg.id !== undefined && this._pending.get(msg.id);
      if (waiting) {
        this._pending.delete(msg.id);
        waiting.reject(err);
      } else this.dispatchEvent(new CustomEvent('error', { detail: err }));
      return;
    }
    if (msg.type === 'progress') {
      this.dispatchEvent(new CustomEvent('progress', { detail: msg }));
      return;
    }
    if (msg.type === 'playing') {
      this.dispatchEvent(new CustomEvent('playing', { detail: { playing: msg.playing, reason: msg.reason } }));
      return;
    }
    const waiting = this._pending.get(msg.id);
    if (waiting) {
      this._pending.delete(msg.id);
      waiting.resolve(msg);
    }
  }

  _failAll(err) {
    const pending = [...this._pending.values()];
    this._pending.clear();
    for (const p of pending) p.reject(err);
    this.dispatchEvent(new CustomEvent('error', { detail: err }));
  }

  _request(type, payload = {}) {
    if (this._terminated) return Promise.reject(new Error(`training client: ${type} after terminate()`));
    const id = this._nextId++;
    return new Promise((resolve, reject) => {
      this._pending.set(id, { resolve, reject });
      this._worker.postMessage({ id, type, ...payload });
    });
  }

  /**
   * Builds the data set and the model. config: { data: { dataset, n, noise, seed, testShare,
   * classes?, points? }, model: { layers: [{ units, activation }], seed }, train: { loss?,
   * optimizer, lr, batchSize, weightDecay, schedule }, gridSize? }.
   * Resolves to { info, data, progress }: the split data as Float32Arrays for drawing and
   * the untrained model's progress record (step 0).
   */
  async configure(config) {
    const reply = await this._request('configure', { config });
    return { info: reply.info, data: reply.data, progress: reply.progress };
  }
  /** New training options for the same model (learning rate, optimizer, ...). */
  update(train) {
    return this._request('update', { train });
  }
  play() {
    return this._request('play');
  }
  pause() {
    return this._request('pause');
  }
  /** Trains exactly `steps` steps (default 1); a 'progress' event follows. */
  step(steps = 1) {
    return this._request('step', { steps });
  }
  /** Re-initialises the model (same seed, same data). */
  reset() {
    return this._request('reset');
  }
  /** The trained model as model.toJSON() gives it. */
  async exportModel() {
    return (await this._request('export')).json;
  }
  /** gl.vanishingGradients(options), computed in the worker. */
  async vanishingGradients(options = {}) {
    return (await this._request('vanishing', { options })).result;
  }
  /** Ends the worker; pending requests reject. */
  terminate() {
    if (this._terminated) return;
    this._terminated = true;
    this._worker.terminate();
    const pending = [...this._pending.values()];
    this._pending.clear();
    for (const p of pending) p.reject(new Error('training client terminated'));
  }
}
