// Saved models load across package versions: fixtures/model-v1.json was written by
// gradlab 0.1.0 (commit a621cb7, JSON version 1, no training record) together with its
// predictions; today's gradlab reads it (migrating to version 2) and predicts the same.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createGradlab } from '../../web/gradlab.node.js';
import { toPyTorch } from '../../web/lib/export.js';

const gl = await createGradlab();
const v1Text = readFileSync(new URL('./fixtures/model-v1.json', import.meta.url), 'utf8');
const v1 = JSON.parse(v1Text);
const { points, outputs } = JSON.parse(readFileSync(new URL('./fixtures/model-v1.predict.json', import.meta.url), 'utf8'));

test('the v1 fixture is what gradlab 0.1.0 wrote (no training record)', () => {
  assert.equal(v1.version, 1);
  assert.equal('training' in v1, false);
  assert.deepEqual(v1.sizes, [2, 4, 4, 1]);
});

test('a version 1 record loads (text and object), predicts as when it was saved, and saves as version 2', () => {
  for (const input of [v1Text, v1]) {
    const model = gl.mlpFromJSON(input);
    const got = model.predict(points);
    for (let i = 0; i < outputs.length; i++) assert.ok(Math.abs(got[i] - outputs[i]) <= 1e-6, `output ${i}: ${got[i]} vs saved ${outputs[i]}`);
    const saved = model.toJSON();
    assert.equal(saved.version, 2);
    assert.equal(saved.training, null);
    assert.deepEqual(saved.params, v1.params);
    assert.deepEqual([saved.residual, saved.layerNorm, saved.activations], [v1.residual, v1.layerNorm, v1.activations]);
    model.dispose();
  }
  const fresh = gl.mlp([2, 4, 4, 1], { activation: 'tanh', residual: true, layerNorm: true, seed: 99 });
  fresh.loadParams(v1);
  assert.deepEqual(Array.from(fresh.params), v1.params);
  fresh.dispose();
});

test('version 2 keeps the training record through save and load', () => {
  const model = gl.mlpFromJSON(v1);
  assert.equal(model.training, null);
  const { x, y } = gl.dataset('moons', { n: 32, seed: 1 });
  model.train({ x, y, steps: 7, batchSize: 8, loss: 'bce', optimizer: 'adamw', lr: 0.005, schedule: { type: 'step', stepSize: 3, gamma: 0.5 } });
  const t = model.training;
  assert.deepEqual([t.loss, t.optimizer, t.lr, t.weightDecay, t.batchSize, t.steps, t.schedule.type, t.schedule.stepSize], ['bce', 'adamw', 0.005, 0.01, 8, 7, 'step', 3]);
  const again = gl.mlpFromJSON(JSON.stringify(model));
  assert.deepEqual(again.training, t);
  assert.equal(again.toJSON().version, 2);
  model.dispose();
  again.dispose();
});

test('an unknown, missing or newer version is refused by name; a v1 record exports', () => {
  assert.throws(() => gl.mlpFromJSON({ ...v1, version: 3 }), { message: 'mlpFromJSON: version 3 was written by a newer gradlab; this one reads versions 1..2' });
  const { version, ...noVersion } = v1;
  assert.equal(version, 1);
  assert.throws(() => gl.mlpFromJSON(noVersion), { message: 'mlpFromJSON: the version field is missing (every gradlab-mlp record has one, from version 1 on)' });
  assert.throws(() => gl.mlpFromJSON({ ...v1, version: '1' }), /mlpFromJSON: version the string "1" is not a gradlab-mlp version/);
  assert.throws(() => gl.mlpFromJSON({ ...v1, version: 2, training: [1] }), /mlpFromJSON: training must be null or an object of train\(\) settings/);
  const script = toPyTorch(v1);
  assert.match(script, /^SIZES = \[2,4,4,1\]$/m);
  assert.match(script, /Layer\(4, 4, nn\.Tanh\(\), residual=True, layer_norm=True, eps=0\.00001\)/);
});
