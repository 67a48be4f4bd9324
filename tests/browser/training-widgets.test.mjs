// The training widgets in headless Chromium: <gradlab-playground>, <gradlab-curve>,
// <gradlab-optimizers>, <gradlab-schedule>, <gradlab-depth> on web/demo/widgets/training.html,
// served by web/serve.mjs (strict CSP).
// Checks: training two-moons to ≥ 95 % from the default element, the frame rate while the
// worker trains (requestAnimationFrame over 3 s), keyboard operation, accessible names on
// every control, hostile URL state, reduced motion, dark mode, and 380 px screenshots
// (written to $TRAINING_SHOTS, default /tmp/gradlab-training-shots/).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { startServer } from '../../web/serve.mjs';
import { waitFor as pollFor } from './helpers.mjs';

const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const ARGS = ['--no-sandbox', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const SHOTS = process.env.TRAINING_SHOTS ?? '/tmp/gradlab-training-shots';
const PAGE = '/web/demo/widgets/training.html';
// The display runs at 60 Hz; 55 leaves 5 frames a second (8 %) of headroom. On a machine so
// loaded that the idle page itself misses 60 fps (measured just before, same page, same 3 s),
// the bar is 92 % of that idle rate instead: the worker must not cost the page more than the
// headroom.
const MIN_FPS = 55;
const HEADROOM = 0.92;

// The shared poller, with a longer default: the worker first loads the engine.
const waitFor = (fn, what, timeout = 10000) => pollFor(fn, what, timeout);

function close2(actual, expected, what) {
  assert.ok(actual.length === expected.length && actual.every((v, i) => Math.abs(v - expected[i]) < 1e-9), `${what}: ${JSON.stringify(actual)} vs ${JSON.stringify(expected)}`);
}

/** requestAnimationFrame callbacks over 3 s (run in the page). */
function countFrames() {
  return new Promise((resolve) => {
    const times = [];
    const t0 = performance.now();
    const frame = (t) => {
      times.push(t);
      if (t - times[0] < 3000) requestAnimationFrame(frame);
      else {
        const gaps = times.slice(1).map((v, i) => v - times[i]);
        resolve({ frames: times.length - 1, seconds: (times.at(-1) - times[0]) / 1000, worstGapMs: Math.max(...gaps) });
      }
    };
    requestAnimationFrame(frame);
  });
}

/** Every button, input, select and textarea in the element's shadow tree without an accessible name. */
function unnamedControls(page, selector) {
  return page.evaluate((sel) => {
    const missing = [];
    const visit = (root, where) => {
      for (const c of root.querySelectorAll('button, input, select, textarea, canvas[tabindex]')) {
        const name = (c.getAttribute('aria-label') ?? '').trim() || (c.getAttribute('aria-labelledby') ? 'x' : '') ||
          (c.labels && [...c.labels].map((l) => l.textContent.trim()).join(' ')) || (c.tagName === 'BUTTON' ? c.textContent.trim() : '');
        if (!name) missing.push(`${where} ${c.tagName.toLowerCase()}${c.name ? `[name=${c.name}]` : ''}`);
      }
      for (const child of root.querySelectorAll('*')) if (child.shadowRoot) visit(child.shadowRoot, `${where} > ${child.tagName.toLowerCase()}`);
    };
    const host = document.querySelector(sel);
    visit(host.shadowRoot, sel);
    return missing;
  }, selector);
}

/** The focused element through shadow roots: { tag, label, host }. */
function deepFocus(page) {
  return page.evaluate(() => {
    let a = document.activeElement;
    let host = null;
    while (a?.shadowRoot?.activeElement) {
      host ??= a;  // the outermost host: nested widgets (curves in the playground) count as its own
      a = a.shadowRoot.activeElement;
    }
    return a ? { tag: a.tagName.toLowerCase(), label: a.getAttribute('aria-label') ?? a.textContent.trim(), host: host?.id ?? null } : null;
  });
}

describe('training widgets in Chromium', { timeout: 150_000 }, () => {
  let srv;
  let browser;
  const problems = [];

  async function openPage({ hash = '', width = 1200, height = 1000, colorScheme = 'light', reducedMotion = 'no-preference', ready = true } = {}) {
    const context = await browser.newContext({ viewport: { width, height }, colorScheme, reducedMotion });
    const page = await context.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()}`));
    await page.goto(srv.origin + PAGE + hash);
    if (ready) await waitFor(() => page.evaluate(() => document.querySelector('gradlab-playground')?.hasAttribute('data-ready')), 'the playground to be ready', 20000);
    return { page, context };
  }

  before(async () => {
    assert.ok(existsSync(CHROMIUM), `Chromium not found at ${CHROMIUM}: run scripts/setup.sh (Debian package "chromium") or set CHROMIUM`);
    mkdirSync(SHOTS, { recursive: true });
    srv = await startServer({ port: 0 });
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
  });
  after(async () => {
    await browser?.close();
    await srv?.close();
  });

  it('the default <gradlab-playground> trains two-moons to ≥ 95 % while the page keeps ≥ 55 fps', async () => {
    const { page, context } = await openPage();
    const before = await page.evaluate(() => {
      const pg = document.querySelector('gradlab-playground');
      return { state: pg.state, info: pg.info, playing: pg.playing };
    });
    assert.equal(before.state.dataset, 'moons');
    assert.deepEqual(before.info.sizes, [2, 8, 8, 1]);
    assert.equal(before.info.task.loss, 'bce');
    assert.equal(before.info.nTrain + before.info.nTest, 200);
    assert.equal(before.info.nTest, 60, '30 % of 200 points held out');
    assert.equal(before.playing, false);

    // Frames without and with the worker training, in pairs of 3 s windows (idle, then
    // training): requestAnimationFrame callbacks. Other processes on a shared test machine
    // take the CPU for seconds at a time, so up to five pairs run and the first pair whose
    // training window clears the bar (min(55, 92 % of its idle window)) passes.
    const play = page.locator('gradlab-playground').locator('button[part="play"]');
    const pairs = [];
    let passed = null;
    for (let w = 0; w < 5 && !passed; w++) {
      const idle = await page.evaluate(countFrames);
      if (w === 0) {
        // Play with the keyboard: focus the button, press Enter.
        await play.focus();
        await page.keyboard.press('Enter');
      } else await page.evaluate(() => document.querySelector('gradlab-playground').play());
      await waitFor(() => page.evaluate(() => document.querySelector('gradlab-playground').playing), 'training to start');
      const training = await page.evaluate(countFrames);
      const pair = { idle: idle.frames / idle.seconds, training: training.frames / training.seconds, seconds: training.seconds, worstGapMs: training.worstGapMs };
      pair.bar = Math.min(MIN_FPS, HEADROOM * pair.idle);
      pairs.push(pair);
      if (pair.training >= pair.bar) passed = pair;
      else await page.evaluate(() => document.querySelector('gradlab-playground').pause());
    }
    const fps = { steps: await page.evaluate(() => document.querySelector('gradlab-playground').progress.step) };
    console.log(`# frame rate (idle → while training, 3 s windows): ${pairs.map((p) => `${p.idle.toFixed(1)} → ${p.training.toFixed(1)} fps (worst gap ${p.worstGapMs.toFixed(1)} ms)`).join('; ')}; ${fps.steps} steps done`);
    const best = pairs.reduce((a, b) => (b.training - b.bar > a.training - a.bar ? b : a));
    assert.ok(passed, `the page ran at ${best.training.toFixed(1)} fps while training (need ≥ ${best.bar.toFixed(1)}; idle ${best.idle.toFixed(1)})`);
    assert.ok(passed.seconds >= 3, `measured over ${passed.seconds} s`);
    assert.ok(fps.steps > 100, `the worker trained only ${fps.steps} steps in 3 s`);

    const progress = await waitFor(async () => {
      const p = await page.evaluate(() => document.querySelector('gradlab-playground').progress);
      return p.trainAccuracy >= 0.95 ? p : null;
    }, 'train accuracy ≥ 95 %');
    assert.ok(progress.trainAccuracy >= 0.95, `train accuracy ${progress.trainAccuracy}`);
    assert.ok(progress.testAccuracy >= 0.9, `test accuracy ${progress.testAccuracy}`);
    assert.ok(progress.stepsPerSecond > 0, 'steps per second shown');
    assert.equal(progress.layerGradNorms.length, 3, 'one gradient norm per layer');
    const shown = await page.evaluate(() => {
      const root = document.querySelector('gradlab-playground').shadowRoot;
      return { acc: root.querySelector('[data-metric="mTrainAcc"]').textContent, rate: root.querySelector('[data-metric="mRate"]').textContent };
    });
    assert.match(shown.acc, /^(9[5-9]|100)\.\d %$/, `train accuracy shown as "${shown.acc}"`);
    assert.match(shown.rate, /^[\d,]+$/, `steps/s shown as "${shown.rate}"`);

    // Pause with the keyboard (the same button, now labelled Pause).
    await page.keyboard.press('Enter');
    await waitFor(() => page.evaluate(() => !document.querySelector('gradlab-playground').playing), 'training to pause');
    assert.equal(await play.getAttribute('aria-label'), 'Play');
    // pause() resolves when the worker has answered: every progress record it sent before
    // that has arrived (one port, in order), and no chunk runs after it.
    await page.evaluate(() => document.querySelector('gradlab-playground').pause());
    const stepNow = () => page.evaluate(() => document.querySelector('gradlab-playground').progress.step);
    const stepAtPause = await stepNow();
    await page.waitForTimeout(300);
    const later = await page.evaluate(() => ({ p: document.querySelector('gradlab-playground').progress, playing: document.querySelector('gradlab-playground').playing }));
    assert.equal(later.p.step, stepAtPause, `no steps while paused (worker says playing: ${later.p.playing}, element: ${later.playing}; pairs ${pairs.length})`);
    // Step trains exactly one step.
    await page.locator('gradlab-playground').locator('button[part="step"]').click();
    await waitFor(async () => (await stepNow()) > stepAtPause, 'one more step');
    const afterStep = await page.evaluate(() => ({ p: document.querySelector('gradlab-playground').progress, playing: document.querySelector('gradlab-playground').playing, focus: document.querySelector('gradlab-playground').shadowRoot.activeElement?.getAttribute('part') }));
    assert.equal(afterStep.p.step, stepAtPause + 1, `Step trained ${afterStep.p.step - stepAtPause} steps (worker playing: ${afterStep.p.playing}, element playing: ${afterStep.playing}, focus on ${afterStep.focus})`);

    // The exported model gives the same accuracy when loaded on the main thread.
    const exported = await page.evaluate(async () => {
      const pg = document.querySelector('gradlab-playground');
      const json = await pg.exportModel();
      const { createGradlab } = await import('/web/gradlab.js');
      const gl = await createGradlab();
      const model = gl.mlpFromJSON(json);
      const d = gl.dataset('moons', { n: 200, noise: 0.1, seed: 1 });
      const r = model.evaluate({ x: d.x, y: d.y, loss: 'bce' });
      return { sizes: json.sizes, format: json.format, accuracy: r.accuracy };
    });
    assert.equal(exported.format, 'gradlab-mlp');
    assert.deepEqual(exported.sizes, [2, 8, 8, 1]);
    assert.ok(exported.accuracy >= 0.95, `the exported model scores ${exported.accuracy} on all 200 points`);
    await context.close();
  });

  it('playground: every control has an accessible name; PyTorch and ONNX exports and registered exporters', async () => {
    const { page, context } = await openPage();
    assert.deepEqual(await unnamedControls(page, 'gradlab-playground'), []);
    const buttons = await page.evaluate(() => [...document.querySelector('gradlab-playground').shadowRoot.querySelectorAll('button[data-exporter]')].map((b) => b.textContent));
    assert.deepEqual(buttons, ['Export PyTorch script', 'Export ONNX']);
    // Registering an exporter adds its button.
    const added = await page.evaluate(() => {
      const Playground = customElements.get('gradlab-playground');
      Playground.registerExporter({ id: 'test', label: 'Export test format', fileName: 'm.txt', convert: (json) => `sizes ${json.sizes.join('-')}` });
      return [...document.querySelector('gradlab-playground').shadowRoot.querySelectorAll('button[data-exporter]')].map((b) => b.textContent);
    });
    assert.deepEqual(added, ['Export PyTorch script', 'Export ONNX', 'Export test format']);
    const exportWith = (id) => page.evaluate(async (id) => {
      const pg = document.querySelector('gradlab-playground');
      const seen = new Promise((res) => pg.addEventListener('gradlab-export', (e) => { e.preventDefault(); res(e.detail); }, { once: true }));
      pg.shadowRoot.querySelector(`button[data-exporter="${id}"]`).click();
      const d = await seen;
      const body = typeof d.body === 'string' ? d.body : Array.from(d.body.slice(0, 8));
      return { format: d.format, fileName: d.fileName, sizes: d.model.sizes, params: d.model.params.length, body, length: d.body.length };
    }, id);
    const test = await exportWith('test');
    assert.deepEqual({ ...test, length: undefined }, { format: 'test', fileName: 'm.txt', sizes: [2, 8, 8, 1], params: 2 * 8 + 8 + 8 * 8 + 8 + 8 + 1, body: 'sizes 2-8-8-1', length: undefined });
    const py = await exportWith('pytorch');
    assert.equal(py.fileName, 'gradlab_model.py');
    assert.match(py.body, /import torch/);
    assert.match(py.body, /nn\.Module/);
    const onnx = await exportWith('onnx');
    assert.equal(onnx.fileName, 'gradlab_model.onnx');
    assert.ok(onnx.length > 200, `ONNX file of ${onnx.length} bytes`);
    assert.equal(onnx.body[0], 0x08, 'an ONNX ModelProto starts with field 1 (ir_version) as a varint');

    // Attributes: a heading is text and keeps the trained model; new layers rebuild it.
    const attrs = await page.evaluate(async () => {
      const pg = document.querySelector('gradlab-playground');
      await pg.step(5);
      pg.setAttribute('heading', '<b>Moons</b> & more');
      const kept = { title: pg.shadowRoot.querySelector('[part="title"]').textContent, bold: pg.shadowRoot.querySelectorAll('b').length, step: pg.progress.step };
      pg.setAttribute('layers', '4,4,4');
      pg.setAttribute('activation', 'relu');
      await pg.whenReady();
      return { kept, sizes: pg.info.sizes, activations: pg.state.layers.map((l) => l.activation), step: pg.progress.step };
    });
    assert.deepEqual(attrs, { kept: { title: '<b>Moons</b> & more', bold: 0, step: 5 }, sizes: [2, 4, 4, 4, 1], activations: ['relu', 'relu', 'relu'], step: 0 });

    // Keyboard only: Tab walks through every control in order and reaches the run controls.
    await page.locator('gradlab-playground').locator('select[aria-label="Data set"]').focus();
    const visited = [];
    for (let i = 0; i < 40; i++) {
      await page.keyboard.press('Tab');
      const f = await deepFocus(page);
      if (!f || f.host !== 'playground') break;
      visited.push(f.label);
    }
    for (const label of ['Points', 'Neurons in hidden layer 1', 'Activation of hidden layer 3', 'Add a hidden layer', 'Learning rate', 'Schedule', 'Play', 'Train one step', 'Reset the weights', 'Export the trained model as JSON'])
      assert.ok(visited.includes(label), `Tab never reached "${label}" (visited: ${visited.join(' | ')})`);
    assert.ok(visited.some((l) => l.startsWith('Decision boundary of the Two moons data')), `the plot is a tab stop (visited: ${visited.join(' | ')})`);
    assert.deepEqual(await unnamedControls(page, 'gradlab-playground'), [], 'after the rebuild too');
    await context.close();
  });

  it('playground: hostile URL state renders as text, bad values get a visible message, round trip through JSON', async () => {
    const hostile = {
      title: '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">',
      dataset: 'spiral3',
      lr: '<script>alert(1)</script>',
      layers: [{ units: 12, activation: 'relu' }],
      optimizer: 'sgd',
      bogus: 1,
    };
    const hash = '#playground=' + encodeURIComponent(JSON.stringify(hostile));
    const { page, context } = await openPage({ hash });
    const seen = await page.evaluate(() => {
      const pg = document.querySelector('gradlab-playground');
      const root = pg.shadowRoot;
      return {
        title: root.querySelector('[part="title"]').textContent,
        elements: root.querySelectorAll('script, img').length,
        message: root.querySelector('[part="message"]').textContent,
        pwned: window.__pwned ?? 0,
        state: pg.state,
        info: pg.info,
      };
    });
    assert.equal(seen.title, hostile.title, 'the title is shown as text, exactly');
    assert.equal(seen.elements, 0, 'no script or img element from the state');
    assert.equal(seen.pwned, 0);
    assert.match(seen.message, /learning rate: "<script>alert\(1\)<\/script>" is not a number in \(0, 10\]; kept 0\.03/);
    assert.match(seen.message, /unknown setting "bogus" ignored/);
    assert.equal(seen.state.lr, 0.03);
    assert.equal(seen.state.dataset, 'spiral3');
    assert.equal(seen.state.optimizer, 'sgd');
    assert.equal(seen.info.task.loss, 'crossEntropy', 'spiral3 is trained with cross-entropy');
    assert.deepEqual(seen.info.sizes, [2, 12, 3]);

    // The state's JSON round trip: set it back, get the same object; the URL follows.
    const roundTrip = await page.evaluate(async () => {
      const pg = document.querySelector('gradlab-playground');
      const text = JSON.stringify(pg);
      const errors = pg.setState(JSON.parse(text));
      await new Promise((r) => setTimeout(r, 400));
      return { same: JSON.stringify(pg.state) === text, errors, hash: decodeURIComponent(location.hash) };
    });
    assert.equal(roundTrip.same, true);
    assert.deepEqual(roundTrip.errors, []);
    assert.ok(roundTrip.hash.includes('"dataset":"spiral3"'), `hash ${roundTrip.hash.slice(0, 80)}`);

    // A new hash (the back button, a pasted link) is followed.
    await page.evaluate(() => { location.hash = 'playground=' + encodeURIComponent(JSON.stringify({ dataset: 'circles', n: 120 })); });
    await waitFor(() => page.evaluate(() => document.querySelector('gradlab-playground').state.dataset === 'circles'), 'the playground to follow the hash');
    await page.evaluate(() => document.querySelector('gradlab-playground').whenReady());
    assert.equal(await page.evaluate(() => document.querySelector('gradlab-playground').info.nTrain + document.querySelector('gradlab-playground').info.nTest), 120);

    // Invalid typed value: a visible message, aria-invalid, the old value kept.
    const lr = page.locator('gradlab-playground').locator('input[aria-label="Learning rate"]');
    await lr.fill('-1');
    await lr.press('Enter');
    await lr.blur();
    const typed = await page.evaluate(() => {
      const root = document.querySelector('gradlab-playground').shadowRoot;
      return { message: root.querySelector('[part="message"]').textContent, lr: document.querySelector('gradlab-playground').state.lr };
    });
    assert.match(typed.message, /learning rate: -1 is not a number in \(0, 10\]/);
    assert.equal(await lr.getAttribute('aria-invalid'), 'true');
    assert.equal(typed.lr, 0.03);

    // Pasted CSV: a ragged row is named; a good CSV becomes the data set.
    const csvResult = await page.evaluate(async () => {
      const pg = document.querySelector('gradlab-playground');
      const root = pg.shadowRoot;
      pg.setState({ dataset: 'custom' });
      const area = root.querySelector('textarea[aria-label^="CSV"]');
      const use = root.querySelector('button[aria-label="Use the pasted CSV as the data set"]');
      area.value = 'x1,x2,label\n0.1,0.2,0\n0.3,0.4\n';
      use.click();
      const ragged = root.querySelector('[part="message"]').textContent;
      area.value = '0.1,0.2,0\n0.3,abc,1\n';
      use.click();
      const nonNumeric = root.querySelector('[part="message"]').textContent;
      area.value = 'x1,x2,label\n-1,-1,0\n-0.8,-1,0\n1,1,1\n0.9,1.1,1\n0.5,-0.5,2\n';
      use.click();
      await pg.whenReady();
      return { ragged, nonNumeric, state: pg.state, info: pg.info };
    });
    assert.equal(csvResult.ragged, 'CSV line 3: 2 values ("0.3,0.4"), expected 3 (x1, x2, label)');
    assert.equal(csvResult.nonNumeric, 'CSV line 2, column 2: "abc" is not a number');
    assert.equal(csvResult.state.points.length, 5);
    assert.equal(csvResult.info.task.classes, 3);
    assert.equal(csvResult.info.nTrain + csvResult.info.nTest, 5);
    await context.close();
  });

  it('worker: errors arrive as Errors naming the problem and the worker stays usable; blobs, regression and multiclass tasks', async () => {
    const { page, context } = await openPage();
    const r = await page.evaluate(async () => {
      const { TrainingClient } = await import('/web/widgets/training-client.js');
      const client = new TrainingClient();
      const base = {
        data: { dataset: 'moons', n: 100, noise: 0.1, seed: 3, testShare: 0.2 },
        model: { layers: [{ units: 6, activation: 'relu' }], seed: 3 },
        train: { optimizer: 'adam', lr: 0.05, batchSize: 16, weightDecay: 0, schedule: { type: 'constant' } },
      };
      const caught = async (promise) => {
        try {
          await promise;
          return 'no error';
        } catch (e) {
          return `${e instanceof Error ? e.constructor.name : typeof e}: ${e.message}`;
        }
      };
      const out = {};
      out.unknownSet = await caught(client.configure({ ...base, data: { ...base.data, dataset: 'mnist' } }));
      out.bceOnThree = await caught(client.configure({ ...base, data: { ...base.data, dataset: 'spiral3' }, train: { ...base.train, loss: 'bce' } }));
      out.badActivation = await caught(client.configure({ ...base, model: { layers: [{ units: 4, activation: 'swish' }], seed: 1 } }));
      out.stepBefore = await caught(client.step(0));
      const ok = await client.configure(base);
      out.info = ok.info;
      out.initial = { step: ok.progress.step, grid: ok.progress.grid.length, finiteLoss: Number.isFinite(ok.progress.trainLoss) };
      out.badStep = await caught(client.step(0));
      const progress = new Promise((res) => client.addEventListener('progress', (e) => e.detail.step === 5 && res(e.detail)));
      await client.step(5);
      out.afterStep = (await progress).step;
      out.deadShareLength = (await new Promise((res) => { client.addEventListener('progress', (e) => e.detail.step === 6 && res(e.detail)); client.step(1); })).deadShare.length;
      const blobs = await client.configure({ ...base, data: { ...base.data, dataset: 'blobs', classes: 4 } });
      out.blobs = { task: blobs.info.task, sizes: blobs.info.sizes, labels: [...new Set(blobs.data.trainY)].sort() };
      const reg = await client.configure({ ...base, data: { ...base.data, dataset: 'regression' } });
      out.regression = { task: reg.info.task, sizes: reg.info.sizes };
      // wait for the record of step 300 (the step call's own).
      const lossAfter = new Promise((res) => client.addEventListener('progress', (e) => e.detail.step === 300 && res(e.detail)));
      await client.step(300);
      const p = await lossAfter;
      out.regressionProgress = { trainLoss: p.trainLoss, accuracy: p.trainAccuracy, gridLength: p.grid.length };
      client.terminate();
      out.afterTerminate = await caught(client.play());
      return out;
    });
    assert.equal(r.unknownSet, 'Error: unknown data set "mnist" (expected moons, circles, xor, spiral, spiral3, blobs, regression or custom)');
    assert.equal(r.bceOnThree, 'Error: loss bce needs two classes, the data set has 3: use crossEntropy');
    assert.match(r.badActivation, /^RangeError: mlp: unknown activation 'swish' \(valid: none, relu, leakyRelu, tanh, sigmoid, gelu, silu, softplus\)$/);
    assert.equal(r.stepBefore, 'Error: step: no model yet (send configure first)');
    assert.equal(r.badStep, 'RangeError: step: steps must be an integer in 1..100000, got 0');
    assert.deepEqual(r.info.sizes, [2, 6, 1]);
    assert.deepEqual(r.initial, { step: 0, grid: 48 * 48, finiteLoss: true }, 'configure answers with the untrained state');
    assert.equal(r.afterStep, 5);
    assert.equal(r.deadShareLength, 1, 'a dead-ReLU share for the one hidden layer');
    assert.deepEqual(r.blobs, { task: { kind: 'classification', loss: 'crossEntropy', outputs: 4, classes: 4 }, sizes: [2, 6, 4], labels: [0, 1, 2, 3] });
    assert.deepEqual(r.regression, { task: { kind: 'regression', loss: 'mse', outputs: 1, classes: 0 }, sizes: [2, 6, 1] });
    assert.ok(r.regressionProgress.trainLoss < 0.3, `regression MSE after 300 steps: ${r.regressionProgress.trainLoss}`);
    assert.ok(Number.isNaN(r.regressionProgress.accuracy), 'no accuracy for regression (NaN)');
    assert.equal(r.regressionProgress.gridLength, 48 * 48);
    assert.equal(r.afterTerminate, 'Error: training client: play after terminate()');
    await context.close();
  });

  it('playground: points clicked in and added with the keyboard', async () => {
    const { page, context } = await openPage({ hash: '#playground=' + encodeURIComponent(JSON.stringify({ dataset: 'custom', testShare: 0 })), ready: false });
    const hint = await waitFor(() => page.evaluate(() => document.querySelector('gradlab-playground')?.shadowRoot.querySelector('[part="message"]').textContent), 'the empty-data message');
    assert.equal(hint, 'custom data: add at least one point (click on the plot) or paste CSV');
    const board = page.locator('gradlab-playground').locator('canvas[part="boundary"]');
    const box = await board.boundingBox();
    await board.click({ position: { x: box.width * 0.25, y: box.height * 0.25 } });
    await waitFor(() => page.evaluate(() => document.querySelector('gradlab-playground').state.points.length === 1), 'a clicked point');
    await board.focus();
    await page.keyboard.press('1');  // class 1
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('Enter');
    await waitFor(() => page.evaluate(() => document.querySelector('gradlab-playground').state.points.length === 2), 'a point added with Enter');
    const points = await page.evaluate(() => document.querySelector('gradlab-playground').state.points);
    assert.ok(points[0][0] < 0 && points[0][1] > 0, `the clicked point lies up-left: ${points[0]}`);
    assert.equal(points[0][2], 0);
    assert.equal(points[1][2], 1, 'key 1 picked class 1');
    await page.keyboard.press('Delete');
    await waitFor(() => page.evaluate(() => document.querySelector('gradlab-playground').state.points.length === 1), 'Delete removes the last point');
    await context.close();
  });

  it('playground at 380 px: controls stack; dark mode; reduced motion', async () => {
    const { page, context } = await openPage({ width: 380, height: 900, colorScheme: 'dark', reducedMotion: 'reduce' });
    const layout = await page.evaluate(() => {
      const pg = document.querySelector('gradlab-playground');
      const root = pg.shadowRoot;
      const controls = root.querySelector('[part="controls"]').getBoundingClientRect();
      const run = root.querySelector('[part="run"]').getBoundingClientRect();
      const bg = getComputedStyle(pg).backgroundColor;
      return { stacked: run.top >= controls.bottom - 1, hostWidth: pg.getBoundingClientRect().width, scrollWidth: document.documentElement.scrollWidth, bg, reduced: pg.hasAttribute('data-reduced-motion') };
    });
    assert.ok(layout.stacked, 'the run panel sits under the settings at 380 px');
    assert.ok(layout.scrollWidth <= 380, `no horizontal scrolling: the page is ${layout.scrollWidth} px wide`);
    const [r, g, b] = layout.bg.match(/\d+/g).map(Number);
    assert.ok((0.2126 * r + 0.7152 * g + 0.0722 * b) / 255 < 0.2, `dark background expected, got ${layout.bg}`);
    assert.equal(layout.reduced, true);
    // Reduced motion: while training, the plot and the numbers redraw at most twice a second.
    const redraws = await page.evaluate(async () => {
      const pg = document.querySelector('gradlab-playground');
      let n = 0;
      const draw = pg._drawBoard;
      pg._drawBoard = function () {
        n++;
        return draw.call(this);
      };
      await pg.play();
      await new Promise((r) => setTimeout(r, 2000));
      await pg.pause();
      pg._drawBoard = draw;
      return { n, steps: pg.progress.step };
    });
    assert.ok(redraws.steps > 1000, `it trained (${redraws.steps} steps)`);
    assert.ok(redraws.n >= 2 && redraws.n <= 6, `${redraws.n} redraws in 2 s of training with reduced motion (≤ 2 a second, plus the one on pause)`);
    await page.locator('gradlab-playground').screenshot({ path: `${SHOTS}/playground-380-dark.png` });
    await context.close();
  });

  it('<gradlab-curve>: append, summary text, log toggle by keyboard, errors name the problem', async () => {
    const { page, context } = await openPage();
    const r = await page.evaluate(async () => {
      const c = document.createElement('gradlab-curve');
      c.id = 'test-curve';
      c.setAttribute('series', 'train, <b>test</b>');
      c.setAttribute('label', 'Loss');
      document.body.appendChild(c);
      c.append(1, [0.5, 0.6]);
      c.append(2, { train: 0.25 });
      let wrongCount = null, unknown = null;
      try { c.append(3, [1]); } catch (e) { wrongCount = `${e.name}: ${e.message}`; }
      try { c.append(3, { nope: 1 }); } catch (e) { unknown = `${e.name}: ${e.message}`; }
      await new Promise((res) => setTimeout(res, 1200));
      const root = c.shadowRoot;
      return {
        summary: root.querySelector('[part="summary"]').textContent,
        bold: root.querySelectorAll('b').length,
        legend: root.querySelector('[part="legend"]').textContent,
        data: c.data,
        wrongCount,
        unknown,
        canvases: root.querySelectorAll('canvas').length,
      };
    });
    assert.equal(r.summary, 'step 2: train 0.25, <b>test</b> none.');
    assert.equal(r.bold, 0, 'series names are text');
    assert.equal(r.legend, 'train<b>test</b>');
    assert.deepEqual(r.data, { x: [1, 2], series: { train: [0.5, 0.25], '<b>test</b>': [0.6, null] } });
    assert.equal(r.wrongCount, 'RangeError: gradlab-curve: append got 1 values for 2 series (train, <b>test</b>)');
    assert.equal(r.unknown, 'RangeError: gradlab-curve: no series named "nope" (series: train, <b>test</b>)');
    assert.ok(r.canvases >= 1, 'uPlot drew into the shadow root');
    assert.deepEqual(await unnamedControls(page, '#test-curve'), []);
    const toggle = page.locator('#test-curve').locator('button[part="log-toggle"]');
    await toggle.focus();
    await page.keyboard.press('Space');
    assert.equal(await toggle.getAttribute('aria-pressed'), 'true');
    assert.equal(await page.evaluate(() => document.querySelector('#test-curve').logScale), true);
    await page.keyboard.press('Enter');
    assert.equal(await toggle.getAttribute('aria-pressed'), 'false');
    await context.close();
  });

  it('<gradlab-optimizers>: keyboard moves the start, replays animate, surfaces switch, bad attributes are text', async () => {
    const { page, context } = await openPage({ ready: false });
    const host = page.locator('#optimizers');
    assert.deepEqual(await unnamedControls(page, '#optimizers'), []);
    await waitFor(() => page.evaluate(() => Number(document.querySelector('#optimizers').getAttribute('data-frame')) === 300), 'the first animation to finish', 8000);
    await page.evaluate(() => document.querySelector('#optimizers').setAttribute('duration', '20000'));  // slow enough to see mid-way on a loaded machine
    const canvas = host.locator('canvas[part="surface"]');
    await canvas.focus();
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowDown');
    const moved = await page.evaluate(() => {
      const o = document.querySelector('#optimizers');
      return { start: o.start, frame: Number(o.getAttribute('data-frame')), first: o.paths.sgd[0] };
    });
    close2(moved.start, [-1.4, 2.4], 'start after → ↓ (steps of a 40th of the box)');
    assert.deepEqual(moved.first, moved.start, 'paths start at the new start');
    assert.ok(moved.frame < 300, `the replay animates (frame ${moved.frame} of 300)`);
    const row = await host.locator('tr[data-optimizer="adam"] td').allTextContents();
    assert.equal(row[0], '0.05');
    // The surface select by keyboard.
    await host.locator('select[aria-label="Surface"]').focus();
    await page.keyboard.press('ArrowDown');
    await waitFor(() => page.evaluate(() => document.querySelector('#optimizers').surface === 'elongated'), 'the elongated surface');
    const elongated = await page.evaluate(() => document.querySelector('#optimizers').paths.sgd.slice(0, 2));
    assert.deepEqual(elongated[0], [-2.8, 1.5]);
    close2(elongated[1], [-2.548, -1.2], 'first SGD step on ½(x² + 20y²) with η = 0.09');
    const hostile = await page.evaluate(() => {
      const o = document.querySelector('#optimizers');
      o.setAttribute('surface', '<img src=x onerror="window.__pwned = 3">');
      return { message: o.shadowRoot.querySelector('[part="message"]').textContent, imgs: o.shadowRoot.querySelectorAll('img').length, surface: o.surface, pwned: window.__pwned ?? 0 };
    });
    assert.equal(hostile.message, 'surface: "<img src=x onerror=\\"window.__pwned = 3\\">" is not one of rosenbrock, elongated, saddle; showing elongated');
    assert.equal(hostile.imgs, 0);
    assert.equal(hostile.surface, 'elongated');
    assert.equal(hostile.pwned, 0);
    await context.close();
  });

  it('<gradlab-schedule> and <gradlab-depth>: values, keyboard input, invalid settings, engine numbers', async () => {
    const { page, context } = await openPage({ ready: false });
    assert.deepEqual(await unnamedControls(page, '#schedule'), []);
    const values = await page.evaluate(() => {
      const s = document.querySelector('#schedule');
      const v = s.values();
      return { n: v.steps.length, cos: [v.warmupCosine[49], v.warmupCosine[99], v.warmupCosine[799]], step: [v.step[249], v.step[250]], curve: s.shadowRoot.querySelector('gradlab-curve').data.x.length };
    });
    assert.deepEqual(values, { n: 1000, cos: [0.05, 0.1, 0.001], step: [0.1, 0.05], curve: 1000 });
    const total = page.locator('#schedule').locator('input[aria-label="Total steps (cosine end)"]');
    await total.focus();
    await total.fill('50');
    await page.keyboard.press('Tab');
    const bad = await page.evaluate(() => ({ message: document.querySelector('#schedule').shadowRoot.querySelector('[part="message"]').textContent, total: document.querySelector('#schedule').settings.total }));
    assert.match(bad.message, /total steps \(50\) must be an integer above the warmup \(100\)/);
    assert.equal(bad.total, 800, 'the invalid value is not taken');
    await total.fill('400');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.querySelector('#schedule').settings.total), 400);

    await waitFor(() => page.evaluate(() => document.querySelector('#depth').series?.length === 4), 'the depth plot data from the worker', 15000);
    const depth = await page.evaluate(async () => {
      const d = document.querySelector('#depth');
      await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));  // the chart draws on a frame
      const { createGradlab } = await import('/web/gradlab.js');
      const gl = await createGradlab();
      const direct = gl.vanishingGradients({ depth: 20, width: 1, seed: 1 });
      const fromWorker = d.series;
      const cells = [...d.shadowRoot.querySelectorAll('tbody tr')].map((tr) => tr.textContent);
      const summary = d.shadowRoot.querySelector('gradlab-curve').shadowRoot.querySelector('[part="summary"]').textContent;
      d.setSeries([{ name: '<img src=x onerror="window.__pwned = 4">', gradNorms: [1, 0.1, 0.01] }]);
      return { direct: direct.map((r) => ({ name: r.name, gradNorms: r.gradNorms })), fromWorker, cells, summary, shown: d.shadowRoot.querySelector('tbody th').textContent, imgs: d.shadowRoot.querySelectorAll('img').length };
    });
    assert.deepEqual(depth.fromWorker, depth.direct, 'the worker computes what gl.vanishingGradients gives on the main thread');
    assert.equal(depth.cells.length, 4);
    assert.match(depth.summary, /^layer 20: sigmoid \(w = 0\.3\) 0\.07\d+, ReLU \(w = 0\.3\) 4\.05\d*×10⁻²¹/, `the chart summary: ${depth.summary}`);
    assert.match(depth.cells[0], /^sigmoid \(w = 0\.3\)/);
    assert.equal(depth.shown, '<img src=x onerror="window.__pwned = 4">');
    assert.equal(depth.imgs, 0);
    await context.close();
  });

  it('every widget at 380 px, light and dark: no overflow, dark colours, reduced motion (screenshots)', async () => {
    for (const colorScheme of ['light', 'dark']) {
      const { page, context } = await openPage({ width: 380, height: 800, colorScheme, reducedMotion: 'reduce' });
      await page.evaluate(() => document.querySelector('gradlab-playground').step(200));
      await waitFor(() => page.evaluate(() => document.querySelector('gradlab-playground').progress?.step >= 200), '200 steps');
      await waitFor(() => page.evaluate(() => document.querySelector('#depth').series?.length === 4), 'the depth data', 15000);
      const info = await page.evaluate(() => {
        const out = { scrollWidth: document.documentElement.scrollWidth };
        for (const id of ['playground', 'curve', 'optimizers', 'schedule', 'depth']) {
          const e = document.getElementById(id);
          out[id] = { width: e.getBoundingClientRect().width, bg: getComputedStyle(e).backgroundColor };
        }
        // Reduced motion: a replay shows the whole paths at once.
        const o = document.getElementById('optimizers');
        o.shadowRoot.querySelector('button[part="replay"]').click();
        out.frameAfterReplay = Number(o.getAttribute('data-frame'));
        out.steps = o.settings.steps;
        return out;
      });
      assert.ok(info.scrollWidth <= 380, `${colorScheme}: the page is ${info.scrollWidth} px wide at a 380 px viewport`);
      assert.equal(info.frameAfterReplay, info.steps, 'no animation with reduced motion');
      for (const id of ['playground', 'curve', 'optimizers', 'schedule', 'depth']) {
        assert.ok(info[id].width <= 380, `${id} is ${info[id].width} px wide`);
        const [r, g, b] = info[id].bg.match(/\d+/g).map(Number);
        const luminance = (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
        if (colorScheme === 'dark') assert.ok(luminance < 0.2, `${id}: dark background expected, got ${info[id].bg}`);
        else assert.ok(luminance > 0.8, `${id}: light background expected, got ${info[id].bg}`);
        await page.locator('#' + id).screenshot({ path: `${SHOTS}/${id}-380-${colorScheme}.png` });
      }
      await context.close();
    }
  });

  it('logged no console errors, page errors or failed requests', () => {
    assert.deepEqual(problems, []);
  });
});
