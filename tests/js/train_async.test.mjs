// model.trainAsync(): long runs in chunks with the event loop running between them,
// progress reports, AbortSignal, and results bit-identical to one train() call.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createGradlab } from '../../web/gradlab.js';

const gl = await createGradlab();
const bytesOf = (a) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
const sameBits = (a, b, what) => {
  assert.equal(a.constructor, b.constructor, `${what}: types differ`);
  assert.equal(a.length, b.length, `${what}: lengths differ`);
  assert.ok(Buffer.compare(bytesOf(a), bytesOf(b)) === 0, `${what}: bits differ`);
};
const d = gl.dataset('spiral', { n: 200, noise: 0.1, seed: 3 });
const settings = {
  x: d.x, y: d.y, loss: 'bce', optimizer: 'adam', lr: 0.01, batchSize: 32, seed: 9,
  schedule: { type: 'warmupCosine', warmup: 50, total: 900, lrMin: 0.001 }, clipNorm: 2,
};

test('trainAsync gives the bits of one train() call, for f32 and f64 and any chunk size', async () => {
  for (const dtype of ['f32', 'f64']) {
    const one = gl.mlp([2, 16, 16, 1], { dtype, seed: 4 });
    const sync = one.train({ ...settings, steps: 1000 });
    for (const chunkSteps of [1000, 333, 64, undefined]) {
      const m = gl.mlp([2, 16, 16, 1], { dtype, seed: 4 });
      const r = await m.trainAsync({ ...settings, steps: 1000, chunkSteps });
      sameBits(r.losses, sync.losses, `${dtype} losses, chunk ${chunkSteps}`);
      sameBits(m.params.slice(), one.params.slice(), `${dtype} params, chunk ${chunkSteps}`);
      assert.equal(r.step, sync.step);
      assert.equal(r.lr, sync.lr);
      assert.equal(r.gradNorm, sync.gradNorm);
      assert.equal(r.loss, sync.loss);
      m.dispose();
    }
    one.dispose();
  }
});

test('trainAsync yields to the event loop between chunks and reports progress', async () => {
  const m = gl.mlp([2, 8, 1], { seed: 1 });
  const progress = [];
  let ticks = 0;
  const timer = setInterval(() => ticks++, 0);
  const r = await m.trainAsync({ ...settings, steps: 500, chunkSteps: 100, onProgress: (p) => progress.push(p) });
  clearInterval(timer);
  assert.deepEqual(progress.map((p) => p.step), [100, 200, 300, 400, 500]);
  assert.ok(progress.every((p) => p.steps === 500));
  assert.deepEqual(progress.map((p) => p.loss), [99, 199, 299, 399, 499].map((i) => r.losses[i]));
  assert.ok(ticks >= 2, `the event loop ran ${ticks} timer callbacks during training`);
  assert.equal(r.losses.length, 500);
  m.dispose();
});

test('an AbortSignal stops the run with an AbortError; the model keeps the steps done', async () => {
  const m = gl.mlp([2, 8, 1], { seed: 2 });
  const controller = new AbortController();
  let seen = 0;
  await assert.rejects(
    m.trainAsync({
      ...settings, steps: 1000, chunkSteps: 100,
      signal: controller.signal,
      onProgress: (p) => {
        seen = p.step;
        if (p.step === 300) controller.abort();
      },
    }),
    (e) => e instanceof Error && e.name === 'AbortError' && /aborted after 300 of 1000 steps/.test(e.message),
  );
  assert.equal(seen, 300);
  // The same model continues: 300 done + 700 more = the bits of 1000 in one go.
  const rest = await m.trainAsync({ ...settings, steps: 700 });
  const ref = gl.mlp([2, 8, 1], { seed: 2 });
  const all = ref.train({ ...settings, steps: 1000 });
  sameBits(rest.losses, all.losses.slice(300), 'losses after the abort');
  sameBits(m.params.slice(), ref.params.slice(), 'params after the abort');
  // An already aborted signal: nothing runs.
  const before = m.params.slice();
  await assert.rejects(m.trainAsync({ ...settings, steps: 10, signal: AbortSignal.abort() }), { name: 'AbortError' });
  sameBits(m.params.slice(), before, 'nothing trained');
  m.dispose();
  ref.dispose();
});

test('while trainAsync runs, train() is refused; disposing the model ends the run with an Error', async () => {
  const m = gl.mlp([2, 8, 1], { seed: 3 });
  const run = m.trainAsync({ ...settings, steps: 400, chunkSteps: 50 });
  assert.throws(() => m.train({ ...settings, steps: 1 }), /train: a trainAsync\(\) run of this model is in progress/);
  await assert.rejects(m.trainAsync({ ...settings, steps: 1 }), /trainAsync: a trainAsync\(\) run of this model is in progress/);
  await run;
  assert.equal(m.train({ ...settings, steps: 1 }).step, 401);
  const doomed = m.trainAsync({ ...settings, steps: 400, chunkSteps: 50, onProgress: (p) => p.step === 100 && m.dispose() });
  await assert.rejects(doomed, /trainAsync: this model has been disposed/);
  // An error in onProgress ends the run with that error.
  const m2 = gl.mlp([2, 8, 1], { seed: 3 });
  await assert.rejects(m2.trainAsync({ ...settings, steps: 100, chunkSteps: 10, onProgress: () => { throw new Error('stop here'); } }), /stop here/);
  assert.equal(m2.train({ ...settings, steps: 1 }).step, 11);
  m2.dispose();
});
