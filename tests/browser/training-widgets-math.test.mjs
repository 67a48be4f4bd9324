// The numbers behind the training widgets, in Node (no browser): the optimizer paths of
// <gradlab-optimizers> and the schedules of <gradlab-schedule> against the engine's own
// model.train, against hand-computed steps; the playground's state checks, CSV parser and
// URL hash; the worker's generated data sets.
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { createGradlab } from '../../web/gradlab.js';
import { SURFACES, optimizerPath } from '../../web/widgets/optimizers.js';
import { scheduleLr, scheduleProblems } from '../../web/widgets/schedule.js';
import { DEFAULT_STATE, normalizeState, parseCsv, stateFromHash, hashWithState } from '../../web/widgets/playground.js';
import { makeBlobs, makeRegression, seededRandom, taskFor } from '../../web/widgets/train-worker.js';
import { checkSeries } from '../../web/widgets/depth.js';

function close(actual, expected, rel, what) {
  const tol = rel * Math.max(1, Math.abs(expected));
  assert.ok(Math.abs(actual - expected) <= tol, `${what}: ${actual} vs ${expected} (tolerance ${tol})`);
}

describe('optimizer paths (gradlab-optimizers)', () => {
  let gl;
  before(async () => {
    gl = await createGradlab();
  });

  // y ≈ w·x + b fitted with MSE over 4 points: the loss over (w, b) is a 2-D quadratic surface,
  // and a [1, 1] linear model in f64 trains on exactly that surface with the engine's optimizer.
  const xs = [-1, 0.5, 2, 3];
  const ys = [1, 0, 2, 5];
  const regression = {
    f: (w, b) => xs.reduce((s, x, i) => s + (w * x + b - ys[i]) ** 2, 0) / xs.length,
    grad: (w, b) => {
      let gw = 0, gb = 0;
      xs.forEach((x, i) => {
        const r = w * x + b - ys[i];
        gw += (2 / xs.length) * r * x;
        gb += (2 / xs.length) * r;
      });
      return [gw, gb];
    },
  };

  for (const [kind, options] of [
    ['sgd', { lr: 0.05 }],
    ['momentum', { lr: 0.02, momentum: 0.9 }],
    ['adam', { lr: 0.1 }],
  ]) {
    it(`${kind}: 25 steps equal model.train's (f64, full batch) to 1e-12`, () => {
      const start = [-0.5, 1.5];
      const path = optimizerPath(kind, regression, start, { ...options, steps: 25 });
      const model = gl.mlp([1, 1], { activations: ['none'], dtype: 'f64' });
      try {
        model.params.set(start);
        assert.deepEqual(Array.from(model.predict([2])), [2 * start[0] + start[1]], 'params are [w, b]');
        for (let t = 1; t <= 25; t++) {
          model.train({ x: xs, y: ys, steps: 1, batchSize: xs.length, sampling: 'epoch', loss: 'mse', optimizer: kind, lr: options.lr, momentum: options.momentum ?? 0.9 });
          const [w, b] = model.params;
          close(w, path[t][0], 1e-12, `${kind} w after step ${t}`);
          close(b, path[t][1], 1e-12, `${kind} b after step ${t}`);
        }
      } finally {
        model.dispose();
      }
    });
  }

  it('matches steps computed by hand on the elongated bowl ½(x² + 20y²)', () => {
    const s = SURFACES.elongated;
    assert.deepEqual(s.grad(-2.8, 1.5), [-2.8, 30]);
    const sgd = optimizerPath('sgd', s, [-2.8, 1.5], { lr: 0.09, steps: 1 });
    close(sgd[1][0], -2.548, 1e-15, 'sgd x');   // −2.8 − 0.09·(−2.8)
    close(sgd[1][1], -1.2, 1e-15, 'sgd y');     // 1.5 − 0.09·30
    const mom = optimizerPath('momentum', s, [-2.8, 1.5], { lr: 0.02, momentum: 0.9, steps: 2 });
    close(mom[1][0], -2.744, 1e-15, 'momentum x1');
    close(mom[1][1], 0.9, 1e-15, 'momentum y1');
    // v2 = 0.9·(−2.8, 30) + (−2.744, 18) = (−5.264, 45); w2 = w1 − 0.02·v2
    close(mom[2][0], -2.63872, 1e-14, 'momentum x2');
    close(mom[2][1], 0, 1e-14, 'momentum y2');
    // Adam's first step is lr·g/(|g| + ε): lr along each axis against the gradient.
    const adam = optimizerPath('adam', s, [-2.8, 1.5], { lr: 0.1, steps: 1 });
    close(adam[1][0], -2.7, 1e-9, 'adam x');
    close(adam[1][1], 1.4, 1e-9, 'adam y');
  });

  it('surfaces: Rosenbrock gradient by hand, minima where stated', () => {
    const r = SURFACES.rosenbrock;
    assert.deepEqual(r.grad(-1.5, 2.5), [10, 5]);  // −2·2.5 − 40·(−1.5)·0.25, 20·0.25
    assert.ok(r.grad(1, 1).every((v) => v === 0), 'zero gradient at (1, 1)');
    for (const [name, s] of Object.entries(SURFACES)) {
      assert.equal(s.f(...s.minimum.at), s.minimum.value, `${name} minimum value`);
      const g = s.grad(...s.minimum.at);
      assert.ok(Math.hypot(...g) < 1e-12, `${name} gradient at the minimum: ${g}`);
      // The gradient matches central differences at the start.
      const [x, y] = s.start;
      const h = 1e-6;
      close(s.grad(x, y)[0], (s.f(x + h, y) - s.f(x - h, y)) / (2 * h), 1e-6, `${name} ∂f/∂x`);
      close(s.grad(x, y)[1], (s.f(x, y + h) - s.f(x, y - h)) / (2 * h), 1e-6, `${name} ∂f/∂y`);
    }
    // The default settings reach the valley floor with Adam and momentum on Rosenbrock.
    const adam = optimizerPath('adam', r, r.start, { lr: r.settings.adam, steps: r.settings.steps });
    assert.ok(r.f(...adam.at(-1)) < 1e-3, `Adam ends at f = ${r.f(...adam.at(-1))}`);
  });

  it('rejects bad settings with errors naming the value', () => {
    const s = SURFACES.elongated;
    assert.throws(() => optimizerPath('rmsprop', s, [0, 0], { lr: 0.1, steps: 1 }), /kind must be one of sgd, momentum, adam, got "rmsprop"/);
    assert.throws(() => optimizerPath('sgd', s, [0, 0], { lr: -1, steps: 1 }), /lr must be a positive number, got -1/);
    assert.throws(() => optimizerPath('sgd', s, [0, 0], { lr: 0.1, steps: 1.5 }), /steps must be an integer/);
    assert.throws(() => optimizerPath('momentum', s, [0, 0], { lr: 0.1, steps: 1, momentum: 1 }), /momentum must be in \[0, 1\), got 1/);
    const wild = optimizerPath('sgd', s, [1, 1], { lr: 0.5, steps: 100 });  // 1 − 0.5·20 = −9 per step in y
    assert.ok(wild.diverged > 0 && wild.diverged < 100, `divergence is reported (step ${wild.diverged})`);
  });
});

describe('learning-rate schedules (gradlab-schedule)', () => {
  let gl;
  before(async () => {
    gl = await createGradlab();
  });

  for (const schedule of [
    { type: 'constant' },
    { type: 'step', stepSize: 7, gamma: 0.5 },
    { type: 'warmupCosine', warmup: 10, total: 50, lrMin: 0.01 },
  ]) {
    it(`${schedule.type}: η(t) equals the engine's lr at every step 1..60`, () => {
      const model = gl.mlp([1, 1], { activations: ['none'], dtype: 'f64' });
      try {
        for (let t = 1; t <= 60; t++) {
          const r = model.train({ x: [0, 1], y: [0, 1], steps: 1, batchSize: 2, loss: 'mse', optimizer: 'sgd', lr: 0.2, schedule });
          assert.equal(r.step, t);
          close(r.lr, scheduleLr(schedule, 0.2, t), 1e-12, `${schedule.type} at step ${t}`);
        }
      } finally {
        model.dispose();
      }
    });
  }

  it('hand-computed points and the checks the engine makes', () => {
    const cos = { type: 'warmupCosine', warmup: 100, total: 800, lrMin: 0.001 };
    assert.equal(scheduleLr(cos, 0.1, 50), 0.05);           // warmup: 0.1·50/100
    assert.equal(scheduleLr(cos, 0.1, 100), 0.1);           // the peak
    close(scheduleLr(cos, 0.1, 450), 0.0505, 1e-15, 'half way: lrMin + ½(η − lrMin)');
    assert.equal(scheduleLr(cos, 0.1, 800), 0.001);
    assert.equal(scheduleLr({ type: 'step', stepSize: 250, gamma: 0.5 }, 0.1, 250), 0.1);
    assert.equal(scheduleLr({ type: 'step', stepSize: 250, gamma: 0.5 }, 0.1, 251), 0.05);
    const base = { lr: 0.1, steps: 100, warmup: 10, total: 50, lrMin: 0, stepSize: 5, gamma: 0.5 };
    assert.deepEqual(scheduleProblems(base), []);
    assert.deepEqual(scheduleProblems({ ...base, total: 10 }), ['total steps (10) must be an integer above the warmup (10)']);
    assert.deepEqual(scheduleProblems({ ...base, lrMin: 0.2 }), ['lrMin must be in [0, lr] = [0, 0.1], got 0.2']);
    assert.throws(() => scheduleLr({ type: 'cyclic' }, 0.1, 1), /type must be one of constant, step, warmupCosine, got "cyclic"/);
  });
});

describe('playground state, CSV and URL hash', () => {
  it('keeps defaults for bad values and names each problem', () => {
    const { state, errors } = normalizeState({ lr: '<script>x</script>', layers: [{ units: 0, activation: 'relu' }], dataset: 'mnist', schedule: { type: 'warmupCosine', warmup: 10, total: 5 }, extra: true });
    assert.equal(state.lr, DEFAULT_STATE.lr);
    assert.deepEqual(state.layers, DEFAULT_STATE.layers);
    assert.equal(state.dataset, 'moons');
    assert.equal(state.schedule.total, 11);
    assert.deepEqual(errors, [
      'unknown setting "extra" ignored',
      'data set: "mnist" is not one of moons, circles, xor, spiral, spiral3, blobs, regression, custom; kept moons',
      'layers: layer 1 is {"units":0,"activation":"relu"}, expected { units: 1..64, activation: one of tanh, relu, leakyRelu, sigmoid, gelu, silu, softplus, none }; kept the default layers',
      'learning rate: "<script>x</script>" is not a number in (0, 10]; kept 0.03',
      'schedule: total 5 must exceed warmup 10; total set to 11',
    ]);
    assert.deepEqual(normalizeState('nope').errors, ['state must be an object, got "nope"']);
    const good = { ...structuredClone(DEFAULT_STATE), dataset: 'blobs', classes: 4, loss: 'crossEntropy', layers: [{ units: 5, activation: 'gelu' }] };
    assert.deepEqual(normalizeState(good), { state: good, errors: [] });
  });

  it('parses CSV and names ragged and non-numeric rows', () => {
    assert.deepEqual(parseCsv('x1,x2,label\n0.5, -1, 1\n\n# note\n2;3;0\n'), { points: [[0.5, -1, 1], [2, 3, 0]], pointsTask: 'classification' });
    assert.equal(parseCsv('1 2 0.25\n3 4 -1.5').pointsTask, 'regression');
    assert.throws(() => parseCsv('1,2,0\n1,2\n'), { message: 'CSV line 2: 2 values ("1,2"), expected 3 (x1, x2, label)' });
    assert.throws(() => parseCsv('1,2,0\n1,2,3,4\n'), { message: 'CSV line 2: 4 values ("1,2,3,4"), expected 3 (x1, x2, label)' });
    assert.throws(() => parseCsv('1,2,0\n1,x,1\n'), { message: 'CSV line 2, column 2: "x" is not a number' });
    assert.throws(() => parseCsv('a,b\n'), { message: 'CSV line 1: the header has 2 columns, expected 3 (x1, x2, label)' });
    assert.throws(() => parseCsv('\n\n'), { message: 'CSV: no data rows (expected lines of x1, x2, label)' });
  });

  it('round-trips the state through the URL hash, keeping other entries', () => {
    const state = { ...structuredClone(DEFAULT_STATE), title: 'a & b = <c>#?' };
    const hash = hashWithState('#other=1', 'pg', state);
    assert.ok(hash.startsWith('#other=1&pg='));
    assert.deepEqual(stateFromHash(hash, 'pg').value, state);
    assert.equal(stateFromHash(hash, 'missing'), null);
    assert.match(stateFromHash('#pg=%7Bnot', 'pg').error, /not valid JSON/);
    assert.match(stateFromHash('#pg=%E0%A4%A', 'pg').error, /not valid percent-encoding/);
  });
});

describe('generated data sets and tasks (train-worker)', () => {
  it('blobs: seeded, classes in turn, each class around its centre on the unit circle', () => {
    const a = makeBlobs(300, 3, 0.1, 7);
    const b = makeBlobs(300, 3, 0.1, 7);
    assert.deepEqual(a, b, 'same seed, same data');
    assert.notDeepEqual(makeBlobs(300, 3, 0.1, 8).x, a.x);
    for (let j = 0; j < 3; j++) {
      let sx = 0, sy = 0, n = 0;
      for (let i = 0; i < 300; i++) if (a.y[i] === j) {
        sx += a.x[2 * i];
        sy += a.x[2 * i + 1];
        n++;
      }
      assert.equal(n, 100);
      // σ = 0.25: the mean of 100 points lies within 4σ/√100 = 0.1 of the centre.
      assert.ok(Math.hypot(sx / n - Math.cos((2 * Math.PI * j) / 3), sy / n - Math.sin((2 * Math.PI * j) / 3)) < 0.1, `class ${j} centre`);
    }
  });

  it('regression: y = sin(2x₁) + 0.5cos(3x₂) exactly without noise', () => {
    const d = makeRegression(50, 0, 3);
    assert.equal(d.classes, 0);
    for (let i = 0; i < 50; i++) {
      const [x1, x2] = [d.x[2 * i], d.x[2 * i + 1]];
      assert.ok(x1 >= -1 && x1 <= 1 && x2 >= -1 && x2 <= 1);
      close(d.y[i], Math.sin(2 * x1) + 0.5 * Math.cos(3 * x2), 1e-6, `y[${i}]`);
    }
    const r = seededRandom(1);
    const u = Array.from({ length: 1000 }, r);
    assert.ok(u.every((v) => v >= 0 && v < 1));
    close(u.reduce((s, v) => s + v, 0) / 1000, 0.5, 0.05, 'uniform mean');
  });

  it('picks the loss and the output width from the classes', () => {
    assert.deepEqual(taskFor(2), { kind: 'classification', loss: 'bce', outputs: 1, classes: 2 });
    assert.deepEqual(taskFor(3), { kind: 'classification', loss: 'crossEntropy', outputs: 3, classes: 3 });
    assert.deepEqual(taskFor(2, 'crossEntropy'), { kind: 'classification', loss: 'crossEntropy', outputs: 2, classes: 2 });
    assert.deepEqual(taskFor(4, 'mse'), { kind: 'classification', loss: 'mse', outputs: 4, classes: 4 });
    assert.deepEqual(taskFor(0), { kind: 'regression', loss: 'mse', outputs: 1, classes: 0 });
    assert.throws(() => taskFor(3, 'bce'), /loss bce needs two classes, the data set has 3: use crossEntropy/);
    assert.throws(() => taskFor(0, 'bce'), /loss "bce" does not fit a regression data set: use mse/);
  });

  it('gradlab-depth series checks', () => {
    assert.deepEqual(checkSeries([{ name: ' a ', gradNorms: Float64Array.of(1, 0.5) }]), [{ name: 'a', gradNorms: [1, 0.5] }]);
    assert.throws(() => checkSeries([{ name: 'a', gradNorms: [1, 2] }, { name: 'b', gradNorms: [1] }]), /b has 1 layers, a has 2/);
    assert.throws(() => checkSeries([{ name: 'a', gradNorms: [1, -2] }]), /layer 2: -2 is not a norm/);
    assert.throws(() => checkSeries([]), /non-empty array/);
  });
});
