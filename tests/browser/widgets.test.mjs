// <gradlab-graph>, <gradlab-trace> and <gradlab-quiz> in headless Chromium: values after
// each action, keyboard use, ARIA, hostile text, reduced motion, dark mode, 380 px screens.
// Screenshots go to $GRADLAB_SHOTS (default /tmp/gradlab-shots).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { launch, waitFor, deepFocus, SHOTS } from './helpers.mjs';

const PAGE = '/tests/browser/pages/widgets.html';

async function open(env, options = {}) {
  const { page, problems, context } = await env.newPage(options);
  await page.goto(env.srv.origin + PAGE);
  await page.waitForFunction(() => document.querySelector('#g1')?.dataset.state === 'ready' && document.querySelector('#q1')?.dataset.state === 'ready', null, { timeout: 15_000 });
  return { page, problems, context };
}

const nodeAttr = (page, name, attr, host = '#g1') => page.locator(`${host} [data-node="${name}"]`).first().getAttribute(attr);
const status = (page, host = '#g1') => page.locator(`${host} [data-role="status"]`).textContent();
const click = (page, action, host = '#g1') => page.locator(`${host} button[data-action="${action}"]`).click();

describe('widgets in Chromium', { timeout: 90_000 }, () => {
  let env;
  let page;
  let problems;
  before(async () => {
    mkdirSync(SHOTS, { recursive: true });
    env = await launch();
    ({ page, problems } = await open(env));
  });
  after(async () => {
    await env?.close();
  });

  it('<gradlab-graph expr values> builds the graph with no script: L = 16 from a = 2, b = −3, c = 10', async () => {
    assert.equal(await nodeAttr(page, 'L', 'data-value'), '16');
    assert.equal(await nodeAttr(page, 'a·b', 'data-value'), '-6');
    assert.equal(await nodeAttr(page, '(a·b+c)', 'data-value'), '4');
    assert.equal(await nodeAttr(page, 'a', 'data-grad'), '', 'no gradient before the backward pass');
    assert.equal(await status(page), 'Press Backward to run the backward pass, then step through it.');
    assert.equal(await page.locator('#t1 .empty').textContent(), 'Run the backward pass to fill in this table.');
  });

  it('disables its buttons, visibly, while the engine loads', async () => {
    const r = await page.evaluate(() => {
      const el = document.createElement('gradlab-graph');
      el.setAttribute('expr', 'x*y');
      el.setAttribute('values', 'x=3, y=4');
      document.body.appendChild(el);
      const buttons = [...el.shadowRoot.querySelectorAll('button')];
      const during = { state: el.dataset.state, busy: el.getAttribute('aria-busy'), disabled: buttons.filter((b) => b.disabled).length, all: buttons.length, status: el.shadowRoot.querySelector('.status').textContent, opacity: getComputedStyle(buttons[3]).opacity, border: getComputedStyle(buttons[3]).borderStyle };
      return el.ready.then(() => {
        const after = { state: el.dataset.state, value: el.shadowRoot.querySelector('[data-node="L"]').getAttribute('data-value'), run: el.shadowRoot.querySelector('[data-action="backward"]').disabled };
        el.remove();
        return { during, after };
      });
    });
    assert.deepEqual(
      { ...r.during, opacity: Number(r.during.opacity) },
      { state: 'loading', busy: 'true', disabled: r.during.all, all: 10, status: 'Loading the engine…', opacity: 0.4, border: 'dashed' },
    );
    assert.deepEqual(r.after, { state: 'ready', value: '12', run: false });
  });

  it('Backward shows −24, 16, 8; Accumulate adds a second pass (−48) and says why zeroGrad exists; Zero clears', async () => {
    await click(page, 'backward');
    assert.equal(await nodeAttr(page, 'a', 'data-grad'), '-24');
    assert.equal(await nodeAttr(page, 'b', 'data-grad'), '16');
    assert.equal(await nodeAttr(page, 'c', 'data-grad'), '8');
    assert.equal(await nodeAttr(page, 'L', 'data-grad'), '1');
    assert.equal(await page.locator('#g1').getAttribute('data-passes'), '1');
    // Without accumulate, a second Backward zeroes first: still −24.
    await click(page, 'backward');
    assert.equal(await nodeAttr(page, 'a', 'data-grad'), '-24');
    await click(page, 'accumulate');
    assert.equal(await page.locator('#g1 button[data-action="accumulate"]').getAttribute('aria-pressed'), 'true');
    await click(page, 'backward');
    assert.equal(await nodeAttr(page, 'a', 'data-grad'), '-48');
    assert.equal(await nodeAttr(page, 'c', 'data-grad'), '16');
    assert.equal(await nodeAttr(page, 'a·b', 'data-grad'), '8', 'inner nodes are recomputed, not summed');
    assert.match(await status(page), /Accumulated over 2 backward passes without zeroing: the inputs' gradients are 2× the true ones \(backward adds into them; inner nodes are recomputed each pass\)\. This is why training calls zeroGrad\(\) before each backward pass\./);
    // Stepping the accumulated pass: a holds the first pass's −24 until this pass sends it −24 more.
    await click(page, 'forward');
    assert.equal(await nodeAttr(page, 'a', 'data-grad'), '-24');
    await click(page, 'forward');
    await click(page, 'forward');
    assert.equal(await nodeAttr(page, 'a', 'data-grad'), '-48');
    await click(page, 'all');
    await click(page, 'zero');
    assert.equal(await nodeAttr(page, 'a', 'data-grad'), '');
    await click(page, 'backward');
    assert.equal(await nodeAttr(page, 'a', 'data-grad'), '-24', 'after Zero, one pass gives the true gradient again');
    await click(page, 'accumulate');
    assert.equal(await page.locator('#g1').getAttribute('accumulate'), null);
  });

  it('steps the backward pass; the trace table highlights the current row; gradlab-step has {phase, index, nodeId}', async () => {
    await page.evaluate(() => {
      window.__steps = [];
      document.querySelector('#g1').addEventListener('gradlab-step', (e) => window.__steps.push(e.detail));
    });
    await click(page, 'forward');
    assert.equal(await status(page), 'Step 1 of 3: L starts with ∂L∂L=1, sends 1×8=8 to (a·b+c).');
    assert.equal(await nodeAttr(page, '(a·b+c)', 'data-grad'), '8', 'the gradient shows the step it is sent');
    assert.equal(await nodeAttr(page, 'a·b', 'data-grad'), '');
    await click(page, 'forward');
    await click(page, 'forward');
    assert.equal(await status(page), 'Step 3 of 3: a·b receives ∂L∂(a·b)=8, sends 8×(−3)=−24 to a, 8×2=16 to b.');
    const steps = await page.evaluate(() => window.__steps);
    assert.deepEqual(steps.map((s) => [s.phase, s.index, s.nodeId, s.name]), [
      ['backward', 0, 5, 'L'],
      ['backward', 1, 4, '(a·b+c)'],
      ['backward', 2, 2, 'a·b'],
    ]);
    const rows = await page.evaluate(() => document.querySelector('#t1').rows);
    assert.deepEqual(rows.map((r) => [r.node, r.value, r.gradient]), [
      ['L', '16', '1'],
      ['(a·b+c)', '4', '8'],
      ['c', '10', '8'],
      ['a·b', '−6', '8'],
      ['a', '2', '−24'],
      ['b', '−3', '16'],
    ]);
    assert.deepEqual(rows.filter((r) => r.current).map((r) => r.node), ['a·b']);
    assert.equal(await page.locator('#t1 tr[aria-current="step"] th').textContent(), 'a·b');
    // The computation column is typeset: ∂L/∂(a·b) · ∂(a·b)/∂a = 8 × (−3), two real fractions.
    const comp = await page.locator('#t1 tr[data-node="a"] td.comp math').evaluate((m) => ({ label: m.getAttribute('aria-label'), fracs: m.querySelectorAll('mfrac').length, text: m.textContent }));
    assert.deepEqual(comp, { label: '∂L/∂a·b · ∂a·b/∂a', fracs: 2, text: '∂L∂(a·b)·∂(a·b)∂a=8×(−3)' });
    await click(page, 'back');
    const rows2 = await page.evaluate(() => document.querySelector('#t1').rows);
    assert.deepEqual(rows2.filter((r) => r.current).map((r) => r.node), ['(a·b+c)']);
    assert.deepEqual(rows2.filter((r) => r.pending).map((r) => r.node), ['a·b', 'a', 'b']);
    await click(page, 'all');
  });

  it('steps the forward pass: values appear left to right', async () => {
    await click(page, 'phase-forward');
    await click(page, 'forward');
    assert.equal(await page.locator('#g1').getAttribute('data-phase'), 'forward');
    assert.equal(await status(page), 'Forward step 1 of 3: a·b=2×(−3)=−6');
    assert.equal(await nodeAttr(page, 'a·b', 'data-value'), '-6');
    assert.equal(await nodeAttr(page, '(a·b+c)', 'data-value'), '', 'not computed yet');
    assert.match(await nodeAttr(page, '(a·b+c)', 'aria-label'), /^node \(a·b\+c\), value not computed yet/);
    assert.equal(await nodeAttr(page, 'a', 'data-grad'), '', 'no gradients during the forward pass');
    await click(page, 'forward');
    await click(page, 'forward');
    assert.equal(await status(page), 'Forward step 3 of 3: L=42=16');
    assert.equal(await page.locator('#g1 [data-role="status"] msup').count(), 1, 'the square is a real superscript');
    await click(page, 'phase-backward');
    assert.equal(await page.locator('#g1').getAttribute('data-step'), '-1');
  });

  it('is keyboard operable: one tab stop in the graph (none on the <svg>), arrows move, Enter steps', async () => {
    const svg = await page.locator('#g1 svg').evaluate((s) => ({ tabindex: s.getAttribute('tabindex'), focusable: s.getAttribute('focusable'), tabIndex: s.tabIndex }));
    assert.deepEqual(svg, { tabindex: '-1', focusable: 'false', tabIndex: -1 });
    await page.locator('#g1 input[data-input="c"]').focus();
    await page.keyboard.press('Tab');
    let f = await deepFocus(page);
    assert.equal(f.node, 'L', `Tab after the last input goes straight to the graph's node, got ${JSON.stringify(f)}`);
    assert.equal(f.label, 'node L, value 16, gradient 1, pow (x²) of (a·b+c)');
    await page.keyboard.press('Tab');
    f = await deepFocus(page);
    assert.equal(f.host, 'q1', `the next Tab leaves the graph (to the quiz input), got ${JSON.stringify(f)}`);
    await page.keyboard.press('Shift+Tab');
    assert.equal((await deepFocus(page)).node, 'L');
    await page.keyboard.press('ArrowLeft');
    assert.equal((await deepFocus(page)).node, '(a·b+c)');
    await page.keyboard.press('ArrowLeft');
    const third = (await deepFocus(page)).node;
    assert.ok(['a·b', 'c'].includes(third), `ArrowLeft from (a·b+c) reaches one of its inputs, got ${third}`);
    // Text under the graph follows the focused node while not stepping.
    assert.equal(await page.locator('#g1 [data-role="details"]').getAttribute('data-subject'), third);
    await page.keyboard.press('Enter');
    assert.equal(await page.locator('#g1').getAttribute('data-step'), '0', 'Enter starts stepping');
    await page.keyboard.press(' ');
    assert.equal(await page.locator('#g1').getAttribute('data-step'), '1', 'Space steps');
    // The details now follow the step, not the focus.
    assert.equal(await page.locator('#g1 [data-role="details"]').getAttribute('data-subject'), '(a·b+c)');
    await page.keyboard.press('Escape');
    assert.equal(await page.locator('#g1').getAttribute('data-step'), '-1');
    const toolbar = await page.locator('#g1 [role="toolbar"]').first().getAttribute('aria-label');
    assert.equal(toolbar, 'Step through the passes');
  });

  it('nudge text states the linear prediction and the re-evaluated value; a bad input dims the stale graph', async () => {
    await page.locator('#g1 [data-node="a"]').click();
    const details = await page.locator('#g1 [data-role="details"]').textContent();
    assert.match(details, /Nudge a by \+1 \(to 3\): the gradient predicts L ≈ 16 − 24 = −8 \(linear, change −24\); re-evaluated, L = 1 \(change −15\)\./);
    await page.locator('#g1 input[data-input="b"]').fill('');
    await waitFor(async () => (await page.locator('#g1').getAttribute('stale')) === '', 'stale attribute');
    assert.equal(await page.locator('#g1 input[data-input="b"]').getAttribute('aria-invalid'), 'true');
    assert.equal(await status(page), 'Enter a finite number for b: the values shown are stale.');
    assert.equal(await page.locator('#g1 [role="alert"]').count(), 1);
    const opacity = await page.locator('#g1 [data-node="a"] tspan.value').evaluate((t) => getComputedStyle(t).opacity);
    assert.equal(Number(opacity), 0.35);
    await page.locator('#g1 input[data-input="b"]').fill('-3');
    await waitFor(async () => (await page.locator('#g1').getAttribute('stale')) === null, 'stale cleared');
    await page.locator('#g1 input[data-input="a"]').fill('3');
    await waitFor(async () => (await nodeAttr(page, 'L', 'data-value')) === '1', 'L = 1 after a = 3');
    assert.equal(await nodeAttr(page, 'a', 'data-grad'), '-6');
    await page.locator('#g1 input[data-input="a"]').fill('2');
    await waitFor(async () => (await nodeAttr(page, 'L', 'data-value')) === '16', 'back to L = 16');
  });

  it('<gradlab-trace> blank cells are judged by checkTableEntry with the right kind', async () => {
    await page.evaluate(() => document.querySelector('#t1').setAttribute('blank', 'a:gradient, a*b:value'));
    const cell = page.locator('#t1 input[data-blank="0:gradient"]');
    assert.equal(await cell.getAttribute('aria-label'), 'gradient of a: fill in, then press Enter');
    assert.equal(await page.locator('#t1 input[data-blank="2:value"]').count(), 1, 'a*b:value names the a·b row');
    await cell.fill('24');
    await cell.press('Enter');
    const fb = page.locator('#t1 tr[data-node="a"] .fb');
    await waitFor(async () => (await fb.getAttribute('data-kind')) === 'sign-error', 'sign-error feedback');
    assert.match(await fb.textContent(), /^Sign error: Check the sign/);
    assert.equal(await cell.getAttribute('aria-invalid'), 'true');
    await cell.fill('−24');
    await cell.press('Enter');
    await waitFor(async () => (await fb.getAttribute('data-kind')) === 'correct', 'correct feedback');
    assert.equal(await fb.textContent(), 'Correct.');
    assert.equal(await cell.getAttribute('aria-invalid'), 'false');
    await cell.fill('abc');
    await cell.press('Enter');
    await waitFor(async () => (await fb.getAttribute('data-kind')) === 'not-a-number', 'not-a-number feedback');
    assert.equal(await fb.textContent(), 'Not a number: Type a number; “abc” is not one.');
  });

  it('<gradlab-quiz> judges right and wrong answers, names each kind, previews MathML, keeps ARIA in step', async () => {
    const q = page.locator('#q1');
    const input = q.locator('input');
    assert.equal(await input.getAttribute('aria-invalid'), 'false');
    assert.equal(await q.locator('label').textContent(), 'Your answer (a number or a formula)');
    assert.equal(await q.locator('[part="feedback"]').getAttribute('aria-live'), 'polite');
    const answer = async (text) => {
      await input.fill(text);
      await input.press('Enter');
      await waitFor(async () => (await page.evaluate(() => document.querySelector('#q1').result?.answer)) === text, `a verdict on ${text}`);
      return page.evaluate(() => document.querySelector('#q1').result);
    };
    const cases = [
      ['2*(a*b+c)*b', 'correct', 'Correct', true],
      ['-24', 'correct', 'Correct', true],
      ['2*(a*b+c)', 'missing-chain-factor', 'Missing chain-rule factor', false],
      ['24', 'sign-error', 'Sign error', false],
      ['2*(a*b+c)*a', 'wrong-variable', 'Derivative with respect to the wrong variable', false],
      ['(a*b+c)*b', 'constant-factor', 'Off by a constant factor', false],
      ['x', 'invalid-answer', 'Could not read the answer', false],
      ['2*(a*b+', 'invalid-answer', 'Could not read the answer', false],
    ];
    for (const [text, kind, title, correct] of cases) {
      const r = await answer(text);
      assert.deepEqual([r.kind, r.title, r.correct], [kind, title, correct], `answer ${text}`);
      assert.equal(await q.locator('[part="feedback"] .title').textContent(), title);
      assert.equal(await input.getAttribute('aria-invalid'), String(!correct), `aria-invalid after ${text}`);
    }
    // The parse error keeps the engine's caret under the position, in a monospace block.
    assert.equal(await q.locator('[part="feedback"] pre').textContent(), '  2*(a*b+\n         ^');
    assert.match(await q.locator('[part="feedback"]').textContent(), /at position 7/);
    // Live preview: a fraction and a power typeset as MathML.
    await input.fill('(a*b+c)^2/(2*x1)');
    const preview = await q.locator('[part="preview"] math').evaluate((m) => ({ fracs: m.querySelectorAll('mfrac').length, sups: m.querySelectorAll('msup').length, subs: m.querySelectorAll('msub').length }));
    assert.deepEqual(preview, { fracs: 1, sups: 1, subs: 1 });
    await input.fill('2*(a');
    assert.match(await q.locator('[part="preview"]').textContent(), /Not a complete formula yet \(unexpected end of expression: expected '\)' at position 4\)/);
    await input.fill('');
    const empty = await answer('');
    assert.equal(empty.kind, 'empty');
    // Table-entry mode takes a number only.
    const cell = await page.evaluate(async () => {
      const el = document.createElement('gradlab-quiz');
      el.setAttribute('f', '(a*b+c)^2');
      el.setAttribute('node', 'a*b');
      el.setAttribute('at', 'a=2, b=-3, c=10');
      document.body.appendChild(el);
      const out = [];
      for (const text of ['8', '-8', 'eight']) {
        el.answer = text;
        const r = await el.check();
        out.push([text, r.kind, r.correct]);
      }
      el.remove();
      return out;
    });
    assert.deepEqual(cell, [['8', 'correct', true], ['-8', 'sign-error', false], ['eight', 'not-a-number', false]]);
  });

  it('expands one neuron of a trained MLP into its scalar graph (w·x + b → activation), matching model.predict', async () => {
    const r = await page.evaluate(async () => {
      const { createGradlab } = await import('/web/gradlab.js');
      const gl = await createGradlab();
      const model = gl.mlp([2, 3, 1], { activation: 'tanh', seed: 1, dtype: 'f64' });
      const { x, y } = gl.dataset('moons', { n: 64, seed: 1 });
      model.train({ x, y, steps: 50, loss: 'mse', lr: 0.1 });
      const el = document.createElement('gradlab-graph');
      el.gradlab = gl;
      document.body.appendChild(el);
      const input = [0.5, -1];
      await el.expandNeuron(model, { layer: 2, unit: 0, x: input });
      const out = el.nodes;
      const root = out[out.length - 1];
      const predicted = model.predict([input])[0];
      await el.expandNeuron(model, { layer: 1, unit: 1, x: input });
      const hidden = el.nodes;
      const p = model.toJSON().params; // W1 [2, 3] then b1 [3]
      const z = p[0 * 3 + 1] * 0.5 + p[1 * 3 + 1] * -1 + p[6 + 1];
      let err = null;
      try {
        await el.expandNeuron(model, { layer: 3, unit: 0, x: input });
      } catch (e) {
        err = e.message;
      }
      el.remove();
      model.dispose();
      return {
        outLabels: out.map((n) => n.label),
        outValue: root.value[0],
        predicted,
        hiddenLabels: hidden.map((n) => n.label),
        a: hidden[hidden.length - 1].value[0],
        zGrad: hidden.find((n) => n.label === 'z').grad[0],
        tanhZ: Math.tanh(z),
        err,
      };
    });
    assert.deepEqual(r.outLabels, ['h1', 'w1', 'w1·h1', 'h2', 'w2', 'w2·h2', '', 'h3', 'w3', 'w3·h3', '', 'b', 'z']);
    assert.ok(Math.abs(r.outValue - r.predicted) < 1e-12, `output neuron z = ${r.outValue}, model.predict = ${r.predicted}`);
    assert.deepEqual(r.hiddenLabels, ['x1', 'w1', 'w1·x1', 'x2', 'w2', 'w2·x2', '', 'b', 'z', 'a']);
    assert.ok(Math.abs(r.a - r.tanhZ) < 1e-12, `hidden unit a = ${r.a}, tanh(w·x + b) = ${r.tanhZ}`);
    assert.ok(Math.abs(r.zGrad - (1 - r.a * r.a)) < 1e-12, `∂a/∂z = 1 − a² = ${1 - r.a * r.a}, got ${r.zGrad}`);
    assert.equal(r.err, 'gradlab-graph: expandNeuron layer must be an integer in 1..2, got 3');
  });

  it('renders hostile expressions and labels as text: no element is created', async () => {
    const r = await page.evaluate(async () => {
      const evil = '<img src=x onerror="window.__pwned=1">';
      const g = document.createElement('gradlab-graph');
      g.setAttribute('expr', '<script>window.__pwned=2</script>');
      document.body.appendChild(g);
      await g.ready.catch(() => {});
      const q = document.createElement('gradlab-quiz');
      q.setAttribute('f', evil);
      q.setAttribute('wrt', evil);
      q.setAttribute('label', evil);
      document.body.appendChild(q);
      q.answer = '<script>window.__pwned=3</script>';
      const verdict = await q.check();
      const { createGradlab } = await import('/web/gradlab.js');
      const gl = await createGradlab();
      const gg = gl.graph();
      const x = gg.scalar(2, evil);
      const y = x.mul(x);
      y.label = '<script>window.__pwned=4</script>';
      y.backward();
      const t = document.createElement('gradlab-trace');
      document.body.appendChild(t);
      t.setTrace(gg.trace(y), gg.nodes());
      const g2 = document.createElement('gradlab-graph');
      document.body.appendChild(g2);
      g2.setGraph(gg, { root: y });
      await new Promise((res) => setTimeout(res, 50));
      const count = (el) => el.shadowRoot.querySelectorAll('img, script').length;
      const out = {
        elements: count(g) + count(q) + count(t) + count(g2),
        graphStatus: g.shadowRoot.querySelector('.status').textContent,
        quizQuestion: q.shadowRoot.querySelector('.q').textContent,
        quizPreview: q.shadowRoot.querySelector('.preview').textContent,
        verdict: verdict.kind,
        traceRows: [...t.shadowRoot.querySelectorAll('tbody th')].map((th) => th.textContent),
        graphNames: [...g2.shadowRoot.querySelectorAll('.node tspan.name')].map((s) => s.textContent),
        pwned: window.__pwned ?? 0,
      };
      for (const el of [g, q, t, g2]) el.remove();
      gg.dispose();
      return out;
    });
    assert.equal(r.elements, 0, 'markup must not become elements');
    assert.equal(r.pwned, 0, 'no script ran');
    assert.match(r.graphStatus, /^<script>window\.__pwned=2<\/script>: /, r.graphStatus);
    assert.equal(r.quizQuestion, '<img src=x onerror="window.__pwned=1">');
    assert.match(r.quizPreview, /^Not a complete formula yet/);
    assert.equal(r.verdict, 'error', 'a malformed question is reported, not judged');
    assert.deepEqual(r.traceRows, ['<script>window.__pwned=4</script>', '<img src=x onerror="window.__pwned=1">']);
    assert.deepEqual(r.graphNames.sort(), ['<img src=x onerror="window.__pwned=1">', '<script>window.__pwned=4</script>'].sort());
  });

  it('logged no console or page errors', () => {
    assert.deepEqual(problems, []);
  });
});

describe('widgets: reduced motion, dark mode, 380 px screens', { timeout: 90_000 }, () => {
  let env;
  before(async () => {
    mkdirSync(SHOTS, { recursive: true });
    env = await launch();
  });
  after(async () => {
    await env?.close();
  });

  const transition = (page) =>
    page.evaluate(() => {
      const g = document.querySelector('#g1').shadowRoot;
      return { box: getComputedStyle(g.querySelector('.node .box')).transitionDuration, button: getComputedStyle(g.querySelector('button')).transitionDuration };
    });

  it('animates only without prefers-reduced-motion', async () => {
    const calm = await open(env, { reducedMotion: 'reduce' });
    assert.deepEqual(await transition(calm.page), { box: '0s', button: '0s' });
    await calm.context.close();
    const normal = await open(env, { reducedMotion: 'no-preference' });
    assert.deepEqual(await transition(normal.page), { box: '0.16s, 0.16s', button: '0.12s, 0.12s' });
    await normal.context.close();
  });

  for (const scheme of ['light', 'dark']) {
    it(`380 px wide, ${scheme}: colours, a fixed toolbar, the current node in view, fit to width`, async () => {
      // The dark run also asks for reduced motion: the current node then jumps into view at once.
      const motion = scheme === 'dark' ? 'reduce' : 'no-preference';
      const { page, context, problems } = await open(env, { viewport: { width: 380, height: 800 }, colorScheme: scheme, reducedMotion: motion, deviceScaleFactor: 2 });
      const colours = await page.evaluate(() => {
        const g = document.querySelector('#g1');
        const s = g.shadowRoot;
        return {
          fg: getComputedStyle(g).color,
          value: getComputedStyle(s.querySelector('.node tspan.value')).fill,
          box: getComputedStyle(s.querySelector('.node.op .box')).fill,
          quiz: getComputedStyle(document.querySelector('#q1').shadowRoot.querySelector('input')).backgroundColor,
        };
      });
      const want = scheme === 'dark'
        ? { fg: 'rgb(229, 231, 235)', value: 'rgb(96, 165, 250)', box: 'rgb(15, 23, 42)', quiz: 'rgb(15, 23, 42)' }
        : { fg: 'rgb(31, 41, 55)', value: 'rgb(29, 78, 216)', box: 'rgb(255, 255, 255)', quiz: 'rgb(255, 255, 255)' };
      assert.deepEqual(colours, want);

      await click(page, 'backward');
      const layout = () =>
        page.evaluate(() => {
          const s = document.querySelector('#g1').shadowRoot;
          const bars = [...s.querySelectorAll('.bar')].filter((b) => !b.hidden);
          const tops = bars.map((b) => new Set([...b.querySelectorAll('button')].map((x) => Math.round(x.getBoundingClientRect().top))).size);
          const canvas = s.querySelector('.canvas').getBoundingClientRect();
          const cur = s.querySelector('.node.current')?.getBoundingClientRect();
          return {
            barHeights: bars.map((b) => b.getBoundingClientRect().height),
            rowsPerBar: tops,
            canvasTop: Math.round(canvas.top + window.scrollY),
            current: cur ? { inView: cur.left >= canvas.left - 1 && cur.right <= canvas.right + 1 && cur.top >= 0 && cur.bottom <= innerHeight } : null,
          };
        });
      const seen = [];
      for (let i = 0; i < 3; i++) {
        await click(page, 'forward');
        if (motion === 'no-preference') await page.waitForTimeout(700); // let the smooth scroll finish
        seen.push(await layout());
      }
      for (const [i, l] of seen.entries()) {
        assert.deepEqual(l.barHeights, [36, 36], `toolbars keep their height at step ${i + 1}`);
        assert.deepEqual(l.rowsPerBar, [1, 1], `toolbar buttons never wrap (step ${i + 1})`);
        assert.equal(l.canvasTop, seen[0].canvasTop, `the graph does not jump at step ${i + 1}`);
        assert.equal(l.current.inView, true, `the current node is scrolled into view at step ${i + 1}`);
      }
      await page.screenshot({ path: join(SHOTS, `graph-380-${scheme}-step.png`), fullPage: true });

      // Fit: the whole graph, output node included, inside the width.
      await click(page, 'fit');
      const fit = await page.evaluate(() => {
        const s = document.querySelector('#g1').shadowRoot;
        const canvas = s.querySelector('.canvas').getBoundingClientRect();
        const root = s.querySelector('.node.root').getBoundingClientRect();
        return { svg: s.querySelector('svg').getBoundingClientRect().width, canvas: canvas.width, rootInside: root.right <= canvas.right + 0.5 && root.left >= canvas.left };
      });
      assert.ok(fit.svg <= fit.canvas + 0.5, `fitted svg ${fit.svg} px within ${fit.canvas} px`);
      assert.equal(fit.rootInside, true, 'the output node is not cut off');
      await page.locator('#q1 input').fill('2*(a*b+c)');
      await page.locator('#q1 input').press('Enter');
      await waitFor(async () => (await page.locator('#q1 [part="feedback"]').getAttribute('data-kind')) === 'missing-chain-factor', 'quiz verdict');
      await page.screenshot({ path: join(SHOTS, `widgets-380-${scheme}-fit.png`), fullPage: true });
      assert.deepEqual(problems, []);
      await context.close();
    });
  }
});
