// The teaching side of the training path: seed 003's optimizer steps with the engine's
// own state (gl.optimizer: velocity; m, v, m̂, v̂), ½·MSE on model.train (seed 001 App.
// A.1's L = 0.0288), and the errors of both. PyTorch step-by-step comparisons of the same
// optimizers are in tests/oracle/optimizer.test.mjs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createGradlab } from '../../web/gradlab.js';

const gl = await createGradlab();

function throwsWith(fn, ...parts) {
  assert.throws(fn, (e) => {
    assert.ok(e instanceof Error, `not an Error: ${e}`);
    for (const p of parts) assert.ok(e.message.includes(p), `message "${e.message}" lacks "${p}"`);
    return true;
  });
}
const close = (a, b, tol, what) => assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} vs ${b} (tolerance ${tol})`);

test('seed 003: one SGD update, w = 2.0, η = 0.1, g = 0.4 → 1.96', () => {
  const opt = gl.optimizer({ kind: 'sgd', lr: 0.1 }, [2.0]);
  const s = opt.step([0.4]);
  assert.equal(s.kind, 'sgd');
  assert.equal(s.step, 1);
  assert.equal(s.lr, 0.1);
  assert.ok(s.params instanceof Float64Array);
  assert.equal(s.params[0], 2.0 - 0.1 * 0.4);  // the f64 update, to the bit
  close(s.params[0], 1.96, 1e-15, 'w');
  assert.equal(s.velocity, undefined);
  assert.equal(s.m, undefined);
  opt.dispose();
});

test('seed 003: two momentum steps with the engine\'s velocity: v₁ = 0.5, w₁ = 0.95; v₂ = 0.15, w₂ = 0.935', () => {
  const opt = gl.optimizer({ kind: 'momentum', lr: 0.1, momentum: 0.9 }, [1.0]);
  const s1 = opt.step([0.5]);
  assert.equal(s1.velocity[0], 0.5);
  close(s1.params[0], 0.95, 1e-15, 'w₁');
  const s2 = opt.step([-0.3]);
  close(s2.velocity[0], 0.15, 1e-15, 'v₂');
  close(s2.params[0], 0.935, 1e-15, 'w₂');
  assert.equal(s2.step, 2);
  // The state is read, not kept: a copy, and state() says the same as step() did.
  s2.velocity[0] = 99;
  assert.equal(opt.state().velocity[0], 0.9 * 0.5 + -0.3);
  // reset() zeroes the velocity and the count, the weight stays
  const r = opt.reset().state();
  assert.deepEqual([r.step, r.velocity[0], r.params[0]], [0, 0, s2.params[0]]);
  opt.dispose();
});

test('seed 003: two Adam steps with m, v, m̂, v̂ from the engine', () => {
  const opt = gl.optimizer({ kind: 'adam', lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8 }, [1.0]);
  const s1 = opt.step([0.4]);
  close(s1.m[0], 0.04, 1e-16, 'm₁');
  close(s1.v[0], 0.00016, 1e-18, 'v₁');  // 0.001 × 0.16 in doubles: 1.8e-19 above
  close(s1.mHat[0], 0.4, 1e-15, 'm̂₁');
  close(s1.vHat[0], 0.16, 1e-15, 'v̂₁');
  close(s1.biasCorrection1, 0.1, 1e-16, '1 − β1');
  close(s1.biasCorrection2, 0.001, 1e-16, '1 − β2');
  close(s1.params[0], 1 - 0.01 * 0.4 / (0.4 + 1e-8), 1e-15, 'w after t = 1');  // 0.99 + 2.5e-10: ε's share
  assert.equal(s1.params[0].toFixed(8), '0.99000000');
  const s2 = opt.step([-0.2]);
  close(s2.m[0], 0.016, 1e-16, 'm₂');
  close(s2.v[0], 0.00019984, 1e-18, 'v₂');
  close(s2.mHat[0], 0.016 / 0.19, 1e-15, 'm̂₂');
  assert.equal(s2.mHat[0].toFixed(5), '0.08421');
  close(s2.vHat[0], 0.00019984 / (1 - 0.999 ** 2), 1e-15, 'v̂₂');
  assert.equal(s2.vHat[0].toFixed(5), '0.09997');
  assert.equal(s2.params[0].toFixed(4), '0.9873');
  // w₂ = w₁ − η·m̂₂/(√v̂₂ + ε), from the engine's own m̂, v̂
  close(s2.params[0], s1.params[0] - 0.01 * s2.mHat[0] / (Math.sqrt(s2.vHat[0]) + 1e-8), 1e-15, 'w₂');
  opt.dispose();
});

test('gl.optimizer: f32, several parameters, AdamW decay, clipping and a schedule', () => {
  // f32: the training path's type; the seed's SGD step rounds to f32's 1.96
  const f = gl.optimizer({ kind: 'sgd', lr: 0.1, dtype: 'f32' }, new Float32Array([2]));
  const sf = f.step([0.4]);
  assert.ok(sf.params instanceof Float32Array);
  assert.equal(sf.params[0], Math.fround(Math.fround(2) - Math.fround(Math.fround(0.1) * Math.fround(0.4))));
  assert.equal(f.dtype, 'f32');
  f.dispose();
  // AdamW: w ← w(1 − ηλ) first, then Adam's step (whose first step is η·sign(g) up to ε)
  const w = gl.optimizer({ kind: 'adamw', lr: 0.1, weightDecay: 0.5 }, [1, -2, 3]);
  const sw = w.step([1, 1, -1]);
  const expect = [1 * 0.95 - 0.1, -2 * 0.95 - 0.1, 3 * 0.95 + 0.1];
  sw.params.forEach((p, i) => close(p, expect[i], 1e-8, `adamw[${i}]`));
  assert.deepEqual(Array.from(sw.mHat), [1, 1, -1]);
  w.dispose();
  // clipping: ‖(3, 4)‖ = 5 scaled to 1 before the step; the norm before clipping is reported
  const c = gl.optimizer({ kind: 'sgd', lr: 1, clipNorm: 1 }, [0, 0]);
  const sc = c.step([3, 4]);
  assert.equal(sc.gradNorm, 5);
  close(sc.params[0], -0.6, 1e-15, 'clipped x');
  close(sc.params[1], -0.8, 1e-15, 'clipped y');
  c.dispose();
  // the schedule of model.train: warmup 4 of 10, η(1) = η/4
  const s = gl.optimizer({ kind: 'sgd', lr: 0.4, schedule: { type: 'warmupCosine', warmup: 4, total: 10 } }, [0]);
  assert.equal(s.step([1]).lr, 0.1);
  assert.equal(s.step([1]).lr, 0.2);
  s.dispose();
});

test('gl.optimizer: every bad input is a clear Error and the engine stays usable', () => {
  throwsWith(() => gl.optimizer({ kind: 'adam', learningRate: 0.1 }, [1]), "unknown option 'learningRate'", 'valid: kind, lr');
  throwsWith(() => gl.optimizer({ kind: 'rmsprop' }, [1]), "unknown optimizer 'rmsprop'", 'sgd, momentum, adam, adamw');
  throwsWith(() => gl.optimizer({ kind: 'sgd' }), 'initial parameters are required');
  throwsWith(() => gl.optimizer({ kind: 'sgd' }, []), 'empty array');
  throwsWith(() => gl.optimizer({ kind: 'sgd' }, [1, NaN]), 'params[1]', 'finite');
  throwsWith(() => gl.optimizer({ kind: 'momentum', momentum: 1 }, [1]), 'momentum must be in [0, 1), got 1');
  throwsWith(() => gl.optimizer({ kind: 'adam', beta2: -0.1 }, [1]), 'beta2 must be in [0, 1)');
  throwsWith(() => gl.optimizer({ kind: 'adam', eps: 0 }, [1]), 'eps must be positive');
  throwsWith(() => gl.optimizer({ kind: 'sgd', lr: -1 }, [1]), 'lr (the learning rate) must be from 0 to 1000');
  throwsWith(() => gl.optimizer({ kind: 'sgd', dtype: 'f16' }, [1]), "unknown dtype 'f16'");
  throwsWith(() => gl.optimizer({ kind: 'sgd', schedule: { type: 'warmupCosine', warmup: 5, total: 5 } }, [1]), 'total steps (5) must exceed warmup steps (5)');
  throwsWith(() => gl.optimizer({ kind: 'sgd' }, new Float64Array(2 ** 24 + 1)), 'params', 'above the limit of 16777216');
  const opt = gl.optimizer({ kind: 'sgd', lr: 0.5 }, [1, 2]);
  throwsWith(() => opt.step([1]), 'optimizer.step: grads has 1 values, the optimizer holds 2 parameters');
  throwsWith(() => opt.step([1, Infinity]), 'grads[1]', 'finite');
  throwsWith(() => opt.step(), 'the gradient is required');
  // nothing changed by the failed steps
  assert.deepEqual(Array.from(opt.state().params), [1, 2]);
  assert.equal(opt.state().step, 0);
  assert.deepEqual(Array.from(opt.step([[2], [2]]).params), [0, 1]);  // nested rows are values too
  opt.dispose();
  opt.dispose();  // twice is fine
  throwsWith(() => opt.step([1, 1]), 'disposed');
  throwsWith(() => opt.state(), 'disposed');
  throwsWith(() => opt.params, 'disposed');
  const again = gl.optimizer({ kind: 'sgd', lr: 0.1 }, [2]);
  assert.equal(again.step([0.4]).params[0], 2 - 0.1 * 0.4);
  again.dispose();
});

// Seed 001 App. A.1: x = (1, 2), W¹ = [[0.5, 0.1], [0.2, 0.3]], w² = (0.4, 0.6), y = 1,
// ReLU hidden layer, L = ½(ŷ − y)². The MLP stores W [in, out] (W¹ transposed), then b.
function a1Model() {
  const m = gl.mlp([2, 2, 1], { activations: ['relu', 'none'], dtype: 'f64' });
  m.params.set([0.5, 0.2, 0.1, 0.3, 0, 0, 0.4, 0.6, 0]);
  return m;
}

test('seed 001 App. A.1: model.train with loss halfMse reports L = 0.0288 and the seed\'s gradients', () => {
  const m = a1Model();
  const r = m.train({ x: [[1, 2]], y: [[1]], loss: 'halfMse', steps: 1, batchSize: 1, lr: 0.1 });
  close(r.losses[0], 0.0288, 1e-15, 'L');
  const g = m.grads.slice();
  const seed = { 'W¹₁₁': [0, -0.096], 'W¹₂₁': [1, -0.144], 'W¹₁₂': [2, -0.192], 'W¹₂₂': [3, -0.288], 'w²₁': [6, -0.168], 'w²₂': [7, -0.192], 'b²': [8, -0.24] };
  for (const [name, [i, v]] of Object.entries(seed)) close(g[i], v, 1e-15, `∂L/∂${name}`);
  // the step was w − 0.1·g with the ½·MSE gradient (not twice it, as 'mse' would give)
  close(m.params[0], 0.5 + 0.0096, 1e-15, 'W¹₁₁ after the step');
  assert.equal(m.training.loss, 'halfMse');
  // evaluate() uses the loss trained with: ½(ŷ − 1)² at the new weights
  const out = m.predict([[1, 2]])[0];
  close(m.evaluate({ x: [[1, 2]], y: [[1]] }).loss, 0.5 * (out - 1) ** 2, 1e-15, 'evaluate');
  m.dispose();
});

test('halfMse is half of mse, with half the gradient, in f32 and f64, and survives toJSON', () => {
  for (const dtype of ['f32', 'f64']) {
    const a = gl.mlp([3, 4, 2], { activation: 'tanh', dtype, seed: 5 });
    const b = gl.mlp([3, 4, 2], { activation: 'tanh', dtype, seed: 5 });
    const x = [[0.1, -0.4, 0.9], [1.2, 0.3, -0.7], [-0.5, 0.8, 0.2]];
    const y = [[0.5, -1], [0.2, 0.4], [1, 0]];
    const ra = a.train({ x, y, loss: 'mse', steps: 1, batchSize: 3, sampling: 'epoch', lr: 0.1 });
    const rb = b.train({ x, y, loss: 'halfMse', steps: 1, batchSize: 3, sampling: 'epoch', lr: 0.2 });
    const tol = dtype === 'f64' ? 1e-15 : 1e-7;
    close(rb.losses[0], ra.losses[0] / 2, tol * Math.abs(ra.losses[0]), `${dtype} loss`);
    const ga = a.grads.slice(), gb = b.grads.slice();
    ga.forEach((v, i) => close(gb[i], v / 2, tol * (1 + Math.abs(v)), `${dtype} grad[${i}]`));
    // lr 0.2 on ½·MSE is the same step as lr 0.1 on MSE (exactly: ×2 and ÷2 are exact)
    const pa = a.params.slice(), pb = b.params.slice();
    pa.forEach((v, i) => assert.equal(pb[i], v, `${dtype} param[${i}]`));
    const copy = gl.mlpFromJSON(JSON.stringify(b));
    assert.equal(copy.training.loss, 'halfMse');
    copy.dispose();
    a.dispose();
    b.dispose();
  }
});

test('loss names: halfMse next to mse, crossEntropy, bce; a wrong one is named', () => {
  const m = gl.mlp([1, 1], { activations: ['none'] });
  throwsWith(() => m.train({ x: [1], y: [1], loss: 'half-mse' }), "unknown loss 'half-mse'", 'mse, halfMse, crossEntropy, bce');
  throwsWith(() => m.evaluate({ x: [1], y: [1], loss: 'halfmse' }), "unknown loss 'halfmse'");
  assert.equal(m.train({ x: [1], y: [3], loss: 'halfMse', batchSize: 1, lr: 0.5 }).losses.length, 1);
  m.dispose();
});

test('trainingMemory: seed 001 §3.2 (≈ 200 GB), §7.1 (39.6 TB at B = 512; the seed\'s 2.4 TB is B = 32), exactly', () => {
  const a = gl.trainingMemory({ transformer: { layers: 96, dModel: 8192, heads: 96, seqLen: 4096 }, batch: 32, dtype: 'f16' });
  assert.equal(a.parts.layerOutputBytes, 96n * 32n * 4096n * 8192n * 2n);
  assert.equal(a.parts.layerOutputBytes, 206158430208n);
  const gpt3 = (batch) => gl.trainingMemory({ transformer: { layers: 96, dModel: 12288, heads: 96, seqLen: 2048 }, batch, dtype: 'f16' });
  const big = gpt3(512), small = gpt3(32);
  assert.equal(big.parts.scoresBytes, 39582418599936n);
  assert.equal(small.parts.scoresBytes, 2473901162496n);
  assert.equal(big.parts.qkvBytes, 6n * 96n * 512n * 2048n * 12288n);
  assert.equal(big.parts.mlpBytes, 8n * 96n * 512n * 2048n * 12288n);
  assert.equal(big.parts.layerNormBytes, 2n * 2n * 96n * 512n * 2048n * 2n);
  assert.equal(big.layers.length, 96);
  assert.equal(big.layers[0].scores, 512n * 96n * 2048n * 2048n);
  // 12·L·d² parameters; FLOPs 2·N·B·T + 4·L·B·T²·d forward, twice that back, exact
  const N = 96n * 12n * 12288n * 12288n;
  assert.equal(big.params, N);
  assert.equal(big.forwardFlops, 2n * N * 512n * 2048n + 4n * 96n * 512n * 2048n * 2048n * 12288n);
  assert.equal(big.backwardFlops, 2n * big.forwardFlops);
  assert.ok(big.forwardFlops > 2n ** 53n);  // no longer exact as a Number
});

test('trainingMemory: seed 004\'s 70B model (140 GB, 560 GB) and §9.4\'s ZeRO over 1024 GPUs', () => {
  const t = { layers: 80, dModel: 8192, heads: 64, seqLen: 4096, params: 70_000_000_000 };
  const m = gl.trainingMemory({ transformer: t, dtype: 'bf16', optimizer: 'adam', masterWeights: true });
  assert.equal(m.paramBytes, 140_000_000_000n);
  assert.equal(m.optimizerBytes, 560_000_000_000n);
  assert.equal(m.masterBytes, 280_000_000_000n);
  assert.equal(m.modelStateBytes, 16n * 70_000_000_000n);  // ZeRO's 16 bytes per parameter
  const z3 = gl.trainingMemory({ transformer: t, dtype: 'bf16', masterWeights: true, devices: 1024, zeroStage: 3 });
  assert.equal(z3.perDevice.paramBytes / 2n, 68359375n);  // 70B / 1024 ≈ 68M parameters per GPU
  assert.deepEqual([z3.perDevice.devices, z3.perDevice.zeroStage], [1024, 3]);
  const ratio = (stage) => {
    const r = gl.trainingMemory({ transformer: t, dtype: 'bf16', masterWeights: true, devices: 1024, zeroStage: stage });
    return Number(r.modelStateBytes) / Number(r.perDevice.modelStateBytes);
  };
  close(ratio(1), 16 / (4 + 12 / 1024), 1e-9, 'ZeRO-1');
  close(ratio(2), 16 / (2 + 14 / 1024), 1e-9, 'ZeRO-2');
  close(ratio(3), 1024, 1e-9, 'ZeRO-3');
  // a BigInt parameter count past 2^53 stays exact
  const huge = gl.trainingMemory({ transformer: { ...t, params: 2n ** 60n + 1n }, dtype: 'f32', optimizer: 'sgd' });
  assert.equal(huge.paramBytes, 4n * (2n ** 60n + 1n));
  assert.equal(huge.optimizerBytes, 0n);
});

test('trainingMemory of an MLP: per layer, the model\'s parameter count, checkpointing, and the errors', () => {
  const model = gl.mlp([784, 256, 256, 10], { activation: 'relu' });
  const r = gl.trainingMemory({ layers: [784, 256, 256, 10], activation: 'relu', batch: 128, optimizer: 'adam' });
  assert.equal(r.params, BigInt(model.numParams));
  assert.equal(r.paramBytes, 4n * r.params);
  assert.equal(r.gradBytes, r.paramBytes);
  assert.equal(r.optimizerBytes, 8n * r.params);
  // relu's backward reads its output: a per layer (no z); the gradient scratch is 4 × B × 784
  assert.deepEqual(r.layers.map((l) => l.activationValues), [128n * 256n, 128n * 256n, 128n * 10n]);
  assert.equal(r.scratchBytes, 4n * 128n * 784n * 4n);
  assert.equal(r.layers[0].forwardFlops, 2n * 128n * 784n * 256n + 2n * 128n * 256n);
  assert.equal(r.layers[0].backwardFlops, 2n * 128n * 784n * 256n + 5n * 128n * 256n);  // no ∂x of the data
  assert.equal(r.layers[1].backwardFlops, 4n * 128n * 256n * 256n + 5n * 128n * 256n);
  assert.equal(r.totalBytes, r.modelStateBytes + r.activationBytes + r.scratchBytes);
  model.dispose();
  // gelu keeps z too; checkpointing every 2 of 4 layers keeps one checkpoint and one segment
  const g = gl.trainingMemory({ layers: [8, 8, 8, 8, 8], activation: 'gelu', batch: 4, checkpointing: 2, optimizer: 'sgd' });
  assert.equal(g.layers[0].activationValues, 2n * 4n * 8n);
  assert.deepEqual([g.segments, g.checkpoints, g.checkpointEvery], [2, 1, 2]);
  // the checkpoint (layer 2's output) + the larger segment, layers 1–2 (gelu: z and a each)
  assert.equal(g.peakActivationBytes, (4n * 8n + 2n * (2n * 4n * 8n)) * 4n);
  assert.equal(g.activationBytes, (3n * (2n * 4n * 8n) + 4n * 8n) * 4n);
  assert.equal(g.recomputeFlops, g.layers[0].forwardFlops + g.layers[1].forwardFlops);
  assert.equal(g.optimizerBytes, 0n);
  throwsWith(() => gl.trainingMemory({ layers: [2, 1], batchSize: 3 }), "unknown option 'batchSize'", 'valid: layers, activation');
  throwsWith(() => gl.trainingMemory({ batch: 2 }), 'give either layers');
  throwsWith(() => gl.trainingMemory({ layers: [2, 1], transformer: {} }), 'not both');
  throwsWith(() => gl.trainingMemory({ layers: [2, 0, 1] }), 'layers[1] must be an integer from 1');
  throwsWith(() => gl.trainingMemory({ layers: [2, 1], dtype: 'f8' }), "unknown dtype 'f8'", 'f64, f32, f16, bf16');
  throwsWith(() => gl.trainingMemory({ layers: [2, 1], checkpointing: 2 }), 'checkpointing (every k layers; false or 0 for none) must be an integer from 0 to 1');
  assert.equal(gl.trainingMemory({ layers: [2, 1], checkpointing: 0 }).checkpointEvery, null);
  const t = gl.trainingMemory({ transformer: { layers: 32, dModel: 64, heads: 4, seqLen: 16 }, checkpointing: true });
  assert.deepEqual([t.checkpointEvery, t.segments, t.checkpoints], [6, 6, 5]);  // round(√32) = 6
  assert.equal(t.peakActivationBytes, (5n * t.layers[0].outputValues + 6n * t.layers[0].activationValues) * 4n);
  throwsWith(() => gl.trainingMemory({ layers: [2, 2, 1], activations: ['relu'] }), '2 layers need 2 activations, got 1');
  throwsWith(() => gl.trainingMemory({ layers: [2, 3, 1], residual: [true, false] }), 'layer 0 is residual but maps 2 to 3');
  throwsWith(() => gl.trainingMemory({ transformer: { layers: 2, dModel: 8, heads: 2 } }), 'transformer.seqLen is required');
  throwsWith(() => gl.trainingMemory({ transformer: { layers: 2, dModel: 8, heads: 2, seqLen: 4, params: 1.5 } }), 'transformer.params must be a positive integer');
  throwsWith(() => gl.trainingMemory({ transformer: { layers: 2, dModel: 2 ** 52, heads: 2 ** 52, seqLen: 2 ** 52 }, batch: 2 ** 52 }), 'exceeds 2^127');
  throwsWith(() => gl.trainingMemory({ layers: [2, 1], zeroStage: 4 }), 'zeroStage must be an integer from 0 to 3');
  assert.equal(gl.trainingMemory({ layers: [2, 1], batch: 1, optimizer: 'sgd' }).params, 3n);  // still usable
});

test('no leaks: 300 optimizers made, stepped, failed and disposed, 300 accounting calls; the heap is where it was', () => {
  const round = () => {
    const o = gl.optimizer({ kind: 'adamw', lr: 0.01 }, new Float64Array(64).fill(1));
    o.step(new Float64Array(64).fill(0.5));
    assert.throws(() => o.step([1]));
    o.dispose();
    gl.trainingMemory({ transformer: { layers: 8, dModel: 64, heads: 4, seqLen: 32 }, batch: 4, checkpointing: 2 });
    gl.trainingMemory({ layers: [4, 16, 16, 2], activation: 'gelu', batch: 8 });
    assert.throws(() => gl.trainingMemory({ layers: [4, 2], dtype: 'f8' }));
  };
  for (let i = 0; i < 20; i++) round();  // warm-up: the allocator's first growth
  const before = gl.heapUsedBytes;
  for (let i = 0; i < 300; i++) round();
  assert.equal(gl.heapUsedBytes, before);
});
