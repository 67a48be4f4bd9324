// Export round trips: every activation and output kind, f32 and f64, LayerNorm and residual
// layers, each optimizer and schedule. The PyTorch script runs under /usr/bin/python3
// (torch) and the ONNX file under onnxruntime-web (wasm backend, in Node); both must give
// gradlab's model.predict outputs within 1e-5, and the script's parameters must be
// gradlab's bit for bit. The script's training loop must run and lower the loss.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import * as ort from 'onnxruntime-web';
import { createGradlab } from '../../web/gradlab.node.js';
import { toPyTorch, toONNX } from '../../web/lib/export.js';

const run = promisify(execFile);
const HERE = dirname(fileURLToPath(import.meta.url));
const PYTHON = '/usr/bin/python3';
ort.env.wasm.numThreads = 1;

const gl = await createGradlab();
const moons = gl.dataset('moons', { n: 96, noise: 0.1, seed: 5 });
const spiral3 = gl.dataset('spiral3', { n: 90, noise: 0.05, seed: 5 });
// Regression targets for multi-output models: two smooth functions of the moons points.
const targets = (x) => Float32Array.from({ length: (x.length / 2) * 2 }, (_, i) => {
  const p = x[2 * (i >> 1)], q = x[2 * (i >> 1) + 1];
  return i % 2 ? Math.sin(p) * q : 0.5 * p - q * q;
});
const POINTS = [[0, 0], [1, -0.5], [-1, 0.75], [0.5, 0.25], [2, 1.5], [-1.5, -2]];

// name → [sizes, mlp options, train options]
const ACTS = ['none', 'relu', 'leakyRelu', 'tanh', 'sigmoid', 'gelu', 'silu', 'softplus'];
const OPTIMIZERS = [
  { optimizer: 'sgd', lr: 0.05 },
  { optimizer: 'momentum', lr: 0.02, momentum: 0.8, schedule: { type: 'step', stepSize: 10, gamma: 0.5 } },
  { optimizer: 'adam', lr: 0.01, clipNorm: 1 },
  { optimizer: 'adamw', lr: 0.01, weightDecay: 0.05, schedule: { type: 'warmupCosine', warmup: 5, total: 200, lrMin: 0.001 } },
];
const CASES = {};
ACTS.forEach((act, i) => {
  CASES[`hidden_${act}`] = [[2, 6, 5, 2], { activation: act, seed: 10 + i, leakySlope: 0.1 },
    { y: 'regression', loss: 'mse', sampling: i % 2 ? 'epoch' : 'random', accumSteps: 1 + (i % 2), ...OPTIMIZERS[i % 4] }];
});
Object.assign(CASES, {
  output_sigmoid_mse: [[2, 8, 1], { activation: 'tanh', output: 'sigmoid', seed: 3 }, { y: 'labels', loss: 'mse', optimizer: 'adam', lr: 0.02 }],
  output_logit_bce: [[2, 8, 1], { activation: 'relu', seed: 4 }, { y: 'labels', loss: 'bce', optimizer: 'adam', lr: 0.02 }],
  output_classes_ce: [[2, 8, 3], { activation: 'gelu', seed: 5 }, { y: 'classes', loss: 'crossEntropy', optimizer: 'adam', lr: 0.02 }],
  output_tanh_f64: [[2, 5, 2], { activation: 'silu', output: 'tanh', dtype: 'f64', seed: 6 }, { y: 'regression', loss: 'mse', optimizer: 'momentum', lr: 0.05 }],
  layernorm_residual: [[2, 6, 6, 6, 1], { activations: ['gelu', 'tanh', 'softplus', 'none'].slice(0, 4), layerNorm: true, residual: true, seed: 7, lnEps: 1e-4 },
    { y: 'labels', loss: 'bce', optimizer: 'adamw', lr: 0.01 }],
  untrained_f64: [[2, 3, 1], { activation: 'leakyRelu', dtype: 'f64', seed: 8 }, null],
  half_mse_f64: [[2, 5, 2], { activation: 'tanh', dtype: 'f64', seed: 9 }, { y: 'regression', loss: 'halfMse', optimizer: 'sgd', lr: 0.1 }],
});

describe('export: PyTorch script and ONNX', { timeout: 240_000 }, () => {
  let dir;
  const models = {};
  const expected = {};
  let torchReport;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gradlab-export-'));
    const cases = [];
    for (const [name, [sizes, mlpOptions, trainOptions]] of Object.entries(CASES)) {
      const model = gl.mlp(sizes, mlpOptions);
      let data = null;
      if (trainOptions) {
        const { y: kind, ...rest } = trainOptions;
        const d = kind === 'classes' ? spiral3 : moons;
        const y = kind === 'regression' ? targets(d.x) : d.y;
        model.train({ x: d.x, y, steps: 40, batchSize: 16, seed: 3, ...rest });
        data = { x: d.x, y };
      }
      models[name] = model;
      expected[name] = Array.from(model.predict(POINTS));
      const script = join(dir, `${name}.py`);
      writeFileSync(script, toPyTorch(model, data ? { ...data, steps: 30 } : {}));
      cases.push({ name, script, points: POINTS, trainSteps: data ? 60 : 0 });
    }
    writeFileSync(join(dir, 'cases.json'), JSON.stringify(cases));
    const { stdout } = await run(PYTHON, [join(HERE, 'driver.py'), join(dir, 'cases.json')], { maxBuffer: 1 << 26 });
    torchReport = JSON.parse(stdout);
  });
  after(() => {
    for (const m of Object.values(models)) m.dispose();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const close = (got, want, where) => {
    assert.equal(got.length, want.length, `${where}: output count`);
    for (let i = 0; i < want.length; i++)
      assert.ok(Math.abs(got[i] - want[i]) <= 1e-5, `${where}: output ${i} is ${got[i]}, gradlab's is ${want[i]} (|Δ| = ${Math.abs(got[i] - want[i])})`);
  };

  for (const name of Object.keys(CASES)) {
    it(`${name}: the PyTorch script's outputs and exact parameters`, () => {
      const r = torchReport[name];
      close(r.outputs, expected[name], `torch ${name}`);
      const f64 = models[name].dtype === 'f64';
      const mine = Buffer.from((f64 ? Float64Array : Float32Array).from(models[name].params).buffer).toString('hex');
      assert.equal(r.paramsHex, mine, `${name}: parameters differ from gradlab's bits`);
    });

    it(`${name}: the ONNX model under onnxruntime-web`, async () => {
      // float32 by default (what every runtime runs); f64 models also as float64 below.
      const f64 = false;
      const session = await ort.InferenceSession.create(toONNX(models[name]));
      const input = new ort.Tensor(f64 ? 'float64' : 'float32', (f64 ? Float64Array : Float32Array).from(POINTS.flat()), [POINTS.length, 2]);
      const out = await session.run({ x: input });
      assert.deepEqual(out.y.dims, [POINTS.length, models[name].outputDim]);
      close(Array.from(out.y.data), expected[name], `onnx ${name}`);
      await session.release();
    });
  }

  it('dtype f64: a float64 ONNX model (ops onnxruntime has double kernels for)', async () => {
    const model = models.output_tanh_f64;  // silu = x·σ(x), tanh output
    const bytes = toONNX(model, { dtype: 'f64' });
    // Graph optimizations off: onnxruntime would fuse x·σ(x) into its float-only QuickGelu.
    const session = await ort.InferenceSession.create(bytes, { graphOptimizationLevel: 'disabled' });
    const out = await session.run({ x: new ort.Tensor('float64', Float64Array.from(POINTS.flat()), [POINTS.length, 2]) });
    assert.equal(out.y.type, 'float64');
    const want = expected.output_tanh_f64;
    for (let i = 0; i < want.length; i++) assert.ok(Math.abs(out.y.data[i] - want[i]) <= 1e-12, `f64 output ${i}: ${out.y.data[i]} vs ${want[i]}`);
    await session.release();
    assert.throws(() => toONNX(model, { dtype: 'f16' }), /toONNX: dtype must be 'f32' or 'f64', got string "f16"|toONNX: dtype must be 'f32' or 'f64'/);
  });

  it('the training settings travel into the script and its loop goes on training', () => {
    const r = torchReport.hidden_relu;  // momentum, step schedule, epoch sampling, accumulation 2
    assert.equal(r.training.optimizer, 'momentum');
    assert.equal(r.training.momentum, 0.8);
    assert.deepEqual([r.training.schedule.type, r.training.schedule.stepSize, r.training.schedule.gamma], ['step', 10, 0.5]);
    assert.deepEqual([r.training.sampling, r.training.accumSteps, r.training.batchSize, r.training.steps], ['epoch', 2, 16, 40]);
    const c = torchReport.hidden_tanh.training;  // adamw with warmup + cosine
    assert.deepEqual([c.optimizer, c.weightDecay, c.schedule.type, c.schedule.warmup, c.schedule.total, c.schedule.lrMin], ['adamw', 0.05, 'warmupcosine', 5, 200, 0.001]);
    assert.equal(torchReport.half_mse_f64.training.loss, 'halfmse');  // ½·MSE: 0.5 * mse_loss in the script
    for (const name of ['output_logit_bce', 'output_classes_ce', 'layernorm_residual', 'hidden_gelu', 'half_mse_f64']) {
      const { losses } = torchReport[name];
      assert.equal(losses.length, 60, `${name}: 60 steps`);
      assert.ok(losses.every(Number.isFinite), `${name}: finite losses`);
      const head = losses.slice(0, 10).reduce((a, b) => a + b) / 10, tail = losses.slice(-10).reduce((a, b) => a + b) / 10;
      assert.ok(tail < head, `${name}: the loss should fall while training goes on (${head} → ${tail})`);
    }
  });

  it('the script runs standalone: python3 model.py trains, "predict" reads JSON rows', async () => {
    const script = join(dir, 'output_logit_bce.py');
    const { stdout } = await run(PYTHON, [script, 'train', '25']);
    const r = JSON.parse(stdout);
    assert.equal(r.steps, 25);
    assert.ok(Number.isFinite(r.first_loss) && Number.isFinite(r.last_loss));
    const child = execFile(PYTHON, [script, 'predict']);
    child.stdin.end(JSON.stringify(POINTS));
    const out = await new Promise((resolve, reject) => {
      let text = '';
      child.stdout.on('data', (c) => (text += c));
      child.on('close', (code) => (code === 0 ? resolve(JSON.parse(text)) : reject(new Error(`exit ${code}`))));
    });
    close(out.flat(), expected.output_logit_bce, 'predict CLI');
  });

  it('bad input: clear errors', () => {
    assert.throws(() => toPyTorch({}), /toPyTorch: expected a gradlab model \(gl\.mlp\), its toJSON\(\) record or its text/);
    assert.throws(() => toONNX('{"format":'), /toONNX: not valid JSON text/);
    assert.throws(() => toPyTorch(models.output_logit_bce, { x: moons.x }), /toPyTorch: give both x and y/);
    assert.throws(() => toPyTorch(models.output_logit_bce, { x: [[1, 2], [3]], y: [0, 1] }), /toPyTorch: x\[1\] has 1 values, expected 2/);
    assert.throws(() => toPyTorch(models.output_logit_bce, { x: [[1, 2]], y: [0, 1] }), /toPyTorch: y has 2 values but 1 samples need 1/);
    assert.throws(() => toPyTorch(models.output_logit_bce, { steps: -1 }), { name: 'RangeError', message: 'toPyTorch: steps must be an integer in [0, 2147483647], got -1' });
    assert.throws(() => toPyTorch(models.output_logit_bce, { stpes: 1 }), /unknown option 'stpes'/);
    const rec = models.output_logit_bce.toJSON();
    assert.throws(() => toONNX({ ...rec, params: rec.params.slice(1) }), /toONNX: the record has \d+ params but its layers need \d+/);
    assert.throws(() => toONNX({ ...rec, version: 9 }), /version 9 was written by a newer gradlab/);
  });
});
