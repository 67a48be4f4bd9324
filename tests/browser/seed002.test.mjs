// Seed 002 walkthrough in headless Chromium: L = (a·b + c)² with a = 2, b = −3, c = 10.
// Serves the repo with web/serve.mjs (strict CSP), drives web/demo/graph.html with playwright-core
// and Debian's Chromium, and checks every number of the seed, live recomputation,
// keyboard access, the backward step-through, and that nothing hit the console or the CSP.
// Screenshots: /tmp/seed002.png (all gradients) and /tmp/seed002-step.png (mid step-through).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, waitFor } from './helpers.mjs';

const SCREENSHOT = process.env.SEED002_SCREENSHOT ?? '/tmp/seed002.png';
const MINUS = '\u2212';

// The seed's table, exactly (values for a = 2, b = −3, c = 10).
const SEED_TABLE = [
  ['dL/dL', 'By definition', '1'],
  ['dL/de', 'd(e²)/de = 2e = 2×4', '8'],
  ['dL/dd', 'dL/de × de/dd = 8 × 1', '8'],
  ['dL/dc', 'dL/de × de/dc = 8 × 1', '8'],
  ['dL/da', 'dL/dd × dd/da = 8 × b = 8 × (−3)', '−24'],
  ['dL/db', 'dL/dd × dd/db = 8 × a = 8 × 2', '16'],
];
// a = 3: d = −9, e = 1, L = 1; dL/de = 2, dL/da = 2·1·(−3) = −6, dL/db = 2·1·3 = 6.
const TABLE_A3 = [
  ['dL/dL', 'By definition', '1'],
  ['dL/de', 'd(e²)/de = 2e = 2×1', '2'],
  ['dL/dd', 'dL/de × de/dd = 2 × 1', '2'],
  ['dL/dc', 'dL/de × de/dc = 2 × 1', '2'],
  ['dL/da', 'dL/dd × dd/da = 2 × b = 2 × (−3)', '−6'],
  ['dL/db', 'dL/dd × dd/db = 2 × a = 2 × 3', '6'],
];

describe('seed 002 walkthrough in Chromium', { timeout: 120_000 }, () => {
  let env;
  let context;
  let page;
  let response;
  const consoleErrors = [];
  const pageErrors = [];
  const failedRequests = [];

  before(async () => {
    env = await launch();
    ({ context, page } = await env.newPage({ viewport: { width: 1280, height: 900 } }));
    await context.addInitScript(() => {
      window.__cspViolations = [];
      document.addEventListener('securitypolicyviolation', (e) => {
        window.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI || '(inline)'} at ${e.sourceFile}:${e.lineNumber}`);
      });
    });
    page.on('console', (msg) => {
      if (msg.type() === 'error' || /Content[- ]Security[- ]Policy/i.test(msg.text())) consoleErrors.push(`${msg.type()}: ${msg.text()}`);
    });
    page.on('pageerror', (err) => pageErrors.push(err.message));
    page.on('requestfailed', (req) => failedRequests.push(`${req.url()}: ${req.failure()?.errorText}`));
    page.on('response', (res) => {
      if (res.status() >= 400) failedRequests.push(`${res.url()}: HTTP ${res.status()}`);
    });
    response = await page.goto(env.srv.url + 'graph.html', { waitUntil: 'load' });
    await page
      .waitForSelector('body[data-state="ready"]', { timeout: 20_000 })
      .catch(async () => {
        const state = await page.evaluate(() => document.body.dataset.state);
        const alert = await page.locator('#errors').textContent();
        throw new Error(
          `the demo did not become ready (state ${state}); alert: ${alert || '(none)'}; console: ${consoleErrors.join(' | ') || '(none)'}; page errors: ${pageErrors.join(' | ') || '(none)'}; failed requests: ${failedRequests.join(' | ') || '(none)'}`,
        );
      });
  });

  after(async () => {
    await env?.close();
  });

  const graph = () => page.locator('gradlab-graph#graph');
  const nodeLoc = (name) => page.locator(`gradlab-graph#graph [data-node="${name}"]`);

  async function node(name) {
    const loc = nodeLoc(name);
    assert.equal(await loc.count(), 1, `expected exactly one graph node "${name}"`);
    return {
      value: await loc.getAttribute('data-value'),
      grad: await loc.getAttribute('data-grad'),
      valueText: await loc.locator('tspan.value').textContent(),
      gradText: (await loc.locator('text.grad').count()) ? await loc.locator('text.grad').textContent() : null,
      aria: await loc.getAttribute('aria-label'),
      cls: await loc.getAttribute('class'),
    };
  }

  async function tableRows() {
    return page.$$eval('#grad-rows tr[data-row]', (trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent.trim())));
  }

  async function forwardLines() {
    return page.$$eval('#forward li', (lis) => lis.map((li) => li.textContent.trim()));
  }

  async function checkValues(expected, where) {
    for (const [name, v] of Object.entries(expected)) {
      const n = await node(name);
      assert.equal(Number(n.value), v, `${where}: value of ${name} (data-value)`);
      assert.equal(n.valueText, String(v).replace('-', MINUS), `${where}: value of ${name} as shown on the node`);
    }
  }

  async function checkGrads(expected, where) {
    for (const [name, gr] of Object.entries(expected)) {
      const n = await node(name);
      assert.notEqual(n.grad, '', `${where}: node ${name} shows no gradient`);
      assert.equal(Number(n.grad), gr, `${where}: gradient of ${name} (data-grad)`);
      const shown = `∂L/∂${name} = ${String(gr).replace('-', MINUS)}`;
      assert.equal(n.gradText, shown, `${where}: gradient text on node ${name}`);
    }
  }

  async function deepFocus() {
    return page.evaluate(() => {
      let el = document.activeElement;
      while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
      return el ? { node: el.getAttribute('data-node'), label: el.getAttribute('aria-label'), tag: el.tagName, id: el.id } : null;
    });
  }

  it('is served with a strict CSP (no unsafe-eval) and loads the engine under it', async () => {
    const csp = response.headers()['content-security-policy'] ?? '';
    assert.match(csp, /script-src 'self' 'wasm-unsafe-eval'/, `CSP header: ${csp}`);
    assert.ok(!csp.includes("'unsafe-eval'") && !csp.includes("'unsafe-inline'"), `CSP must stay strict: ${csp}`);
    const engine = await page.locator('#engine-info').textContent();
    assert.match(engine, /engine ready/, `footer should say the engine loaded, got "${engine}"`);
  });

  it('shows the forward values: a = 2, b = −3, c = 10, d = −6, e = 4, L = 16', async () => {
    await checkValues({ a: 2, b: -3, c: 10, d: -6, e: 4, L: 16 }, 'seed inputs');
    assert.deepEqual(await forwardLines(), ['d = a × b = 2 × (−3) = −6', 'e = d + c = −6 + 10 = 4', 'L = e² = 4² = 16']);
    // Buttons of the graph were disabled while the engine loaded; now the stepper works.
    assert.equal(await graph().getAttribute('data-state'), 'ready');
    for (const name of ['a', 'b', 'c', 'd', 'e', 'L'])
      assert.equal((await node(name)).grad, '', `before Backward, node ${name} should show no gradient`);
    const placeholder = await page.locator('#grad-rows').textContent();
    assert.match(placeholder, /Press Backward/, 'the table waits for Backward');
  });

  it('Backward shows every gradient and the local derivatives on the edges', async () => {
    await page.click('#backward');
    await waitFor(async () => (await node('a')).grad !== '', 'gradients after Backward');
    await checkGrads({ a: -24, b: 16, c: 8, d: 8, e: 8, L: 1 }, 'after Backward');
    const a = await node('a');
    assert.equal(a.gradText, '∂L/∂a = −24');
    const locals = await page.$$eval('gradlab-graph#graph [data-local]', (els) => els.map((e) => e.getAttribute('data-local')));
    for (const want of ['∂e/∂d = 1', '∂e/∂c = 1', '∂d/∂a = b = −3', '∂d/∂b = a = 2', '∂L/∂e = 2·e = 8'])
      assert.ok(locals.includes(want), `edge label "${want}" missing; edges show: ${locals.join(' | ')}`);
    // The label is typeset MathML (a real fraction), read out as its plain text.
    const edgeMath = await page.$$eval('gradlab-graph#graph', ([host]) =>
      [...host.shadowRoot.querySelectorAll('.edge-label math')].map((m) => ({ label: m.getAttribute('aria-label'), fracs: m.querySelectorAll('mfrac').length, text: m.textContent })),
    );
    const da = edgeMath.find((e) => e.label === '∂d/∂a = b = −3');
    assert.ok(da, `edge math: ${JSON.stringify(edgeMath)}`);
    assert.equal(da.fracs, 1, 'the derivative is an <mfrac>');
    assert.equal(da.text, '∂d∂a=b=−3');
  });

  it("shows the seed's gradient table, computed by the engine", async () => {
    assert.deepEqual(await tableRows(), SEED_TABLE);
    const head = await page.$$eval('#grad-table thead th', (ths) => ths.map((t) => t.textContent.trim()));
    assert.deepEqual(head, ['Gradient', 'Computation', 'Value']);
    // The nudge text states the linear prediction and the value re-evaluation gives (a = 3 → L = 1).
    assert.match(
      await page.locator('#key-result').textContent(),
      /^Nudge a by \+1 and the gradient predicts L ≈ 16 − 24 = −8 \(change −24, to first order\); re-evaluated, L = 1 \(change −15\); nudge c by \+1 and the gradient predicts L ≈ 16 \+ 8 = 24 \(change \+8, to first order\); re-evaluated, L = 25 \(change \+9\)\./,
    );
  });

  it('takes a screenshot of the page', async () => {
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
  });

  it('recomputes live when an input changes (a = 3 → L = 1, ∂L/∂a = −6)', async () => {
    await page.fill('#input-a', '3');
    await waitFor(async () => Number((await node('L')).value) === 1, 'L to become 1 after a = 3');
    await checkValues({ a: 3, b: -3, c: 10, d: -9, e: 1, L: 1 }, 'a = 3');
    await checkGrads({ a: -6, b: 6, c: 2, d: 2, e: 2, L: 1 }, 'a = 3');
    assert.deepEqual(await forwardLines(), ['d = a × b = 3 × (−3) = −9', 'e = d + c = −9 + 10 = 1', 'L = e² = 1² = 1']);
    assert.deepEqual(await tableRows(), TABLE_A3);
    assert.equal(await page.locator('#errors').textContent(), '', 'no error for a valid input');
  });

  it('shows a bad input in the alert region, as text', async () => {
    await page.fill('#input-b', '');
    const alert = page.locator('#errors[role="alert"]');
    await waitFor(async () => (await alert.textContent()).length > 0, 'an alert for an empty input');
    assert.match(await alert.textContent(), /Enter a finite number for b/);
    assert.equal(await page.getAttribute('#input-b', 'aria-invalid'), 'true');
    // The graph's numbers are stale now: dimmed, and said so to screen readers.
    assert.equal(await graph().getAttribute('stale'), '');
    const dim = await page.$eval('gradlab-graph#graph', (host) => getComputedStyle(host.shadowRoot.querySelector('[data-node="a"] tspan.value')).opacity);
    assert.equal(Number(dim), 0.35, 'stale values are dimmed');
    assert.match(await nodeLoc('a').getAttribute('aria-label'), /, stale$/);
    await page.fill('#input-b', '-3');
    await waitFor(async () => (await alert.textContent()) === '', 'the alert to clear');
    assert.equal(await graph().getAttribute('stale'), null, 'no longer stale');
    await checkGrads({ a: -6 }, 'after fixing b');
  });

  it('is keyboard navigable: Tab reaches a node, arrows move, aria-labels read value and gradient', async () => {
    await page.focus('#reset');
    let f = null;
    for (let i = 0; i < 12 && !f?.node; i++) {
      await page.keyboard.press('Tab');
      f = await deepFocus();
    }
    assert.ok(f?.node, `Tab from the inputs never reached a graph node (focus ended on ${JSON.stringify(f)})`);
    assert.match(f.label, /^node \S+, value \S+, gradient \S+/, `aria-label of the first node: "${f.label}"`);
    assert.equal(f.node, 'L', 'the graph tab stop starts at the loss');
    assert.match(f.label, /^node L, value 1, gradient 1\b/);

    // Walk left from L and search the input column for a.
    const seen = new Map([[f.node, f.label]]);
    const press = async (key) => {
      await page.keyboard.press(key);
      const now = await deepFocus();
      assert.ok(now?.node, `after ${key} focus left the graph: ${JSON.stringify(now)}`);
      seen.set(now.node, now.label);
      return now;
    };
    const afterLeft = await press('ArrowLeft');
    assert.equal(afterLeft.node, 'e', 'ArrowLeft from L goes to its input e');
    for (let i = 0; i < 3; i++) await press('ArrowLeft');
    for (let i = 0; i < 3 && !seen.has('a'); i++) await press('ArrowUp');
    for (let i = 0; i < 4 && !seen.has('a'); i++) await press('ArrowDown');
    assert.ok(seen.has('a'), `arrow keys never reached node a; visited ${[...seen.keys()].join(', ')}`);
    assert.ok(seen.size >= 4, `arrow keys should visit several nodes, visited ${[...seen.keys()].join(', ')}`);
    assert.match(seen.get('a'), /^node a, value 3, gradient −6(,|$)/, `aria-label of a: "${seen.get('a')}"`);
    assert.match(seen.get('d'), /^node d, value −9, gradient 2(,|$)/, `aria-label of d: "${seen.get('d')}"`);

    await nodeLoc('a').click();
    const details = await graph().locator('[data-role="details"]').textContent();
    assert.match(details, /^a is an input \(scalar\), value 3\./, `details panel after clicking a: "${details}"`);
    // a = 3 → 4: d = −12, e = −2, L = 4; the gradient −6 predicts 1 − 6 = −5.
    assert.match(details, /Nudge a by \+1 \(to 4\): the gradient predicts L ≈ 1 − 6 = −5 \(linear, change −6\); re-evaluated, L = 4 \(change \+3\)\./, details);
    assert.match(await nodeLoc('a').getAttribute('class'), /selected/);
  });

  it('steps through the backward pass: L, e, d, each gradient shown the step it is sent', async () => {
    const host = graph();
    const order = [];
    const status = () => host.locator('[data-role="status"]').textContent();
    await host.locator('button[data-action="forward"]').click();
    // a = 3: e = 1, ∂L/∂e = 2; d and c get 2; a gets 2·(−3) = −6, b gets 2·3 = 6.
    const incoming = { L: '1', e: '2', d: '2' };
    for (let i = 0; i < 3; i++) {
      assert.equal(Number(await host.getAttribute('data-step')), i, `after ${i + 1} presses of Step forward`);
      const name = await host.getAttribute('data-step-node');
      order.push(name);
      const cur = await node(name);
      assert.match(cur.cls, /\bcurrent\b/, `node ${name} should be highlighted at step ${i + 1}`);
      assert.match(cur.aria, /being processed/);
      assert.equal(await host.locator('[data-role="incoming"]').textContent(), `incoming ${incoming[name]}`);
      // The text under the graph follows the step, not the focus.
      assert.equal(await host.locator('[data-role="details"]').getAttribute('data-subject'), name);
      if (i < 2) await host.locator('button[data-action="forward"]').click();
    }
    assert.deepEqual(order, ['L', 'e', 'd']);
    assert.ok(await host.locator('button[data-action="forward"]').isDisabled(), 'Step forward is disabled at the last step');
    // At d's step, d sends to a and b, and both show their gradients at once.
    assert.equal(await status(), 'Step 3 of 3: d receives ∂L∂d=2, sends 2×(−3)=−6 to a, 2×3=6 to b.');
    assert.equal((await node('a')).grad, '-6');
    assert.equal((await node('b')).grad, '6');
    const hot = await page.$$eval('gradlab-graph#graph', ([h]) => [...h.shadowRoot.querySelectorAll('.edge.hot .edge-label')].map((e) => e.getAttribute('data-local')).sort());
    assert.deepEqual(hot, ['∂d/∂a = b = −3', '∂d/∂b = a = 3'], 'edges out of d are highlighted');
    await page.screenshot({ path: SCREENSHOT.replace(/\.png$/, '-step.png'), fullPage: true });

    await host.locator('button[data-action="back"]').click();
    assert.equal(await host.getAttribute('data-step'), '1', 'Step back goes one step back');
    assert.equal(await host.getAttribute('data-step-node'), 'e');
    assert.equal(await status(), 'Step 2 of 3: e receives ∂L∂e=2, sends 2×1=2 to d, 2×1=2 to c.');
    // e sent to d and c at this step: they show 2 now; a and b wait for d's step.
    assert.equal((await node('d')).grad, '2');
    assert.equal((await node('c')).grad, '2');
    assert.equal((await node('a')).grad, '');
    assert.equal((await node('a')).gradText, '∂L/∂a = ?');

    // Keys on a node: ] or Enter forward, [ back, Esc shows everything.
    await nodeLoc('L').focus();
    await page.keyboard.press(']');
    assert.equal(await host.getAttribute('data-step'), '2', '] steps forward');
    await page.keyboard.press('[');
    await page.keyboard.press('[');
    assert.equal(await host.getAttribute('data-step'), '0', '[ steps back');
    await page.keyboard.press('Enter');
    assert.equal(await host.getAttribute('data-step'), '1', 'Enter steps forward');
    assert.ok((await deepFocus())?.node, 'focus stays in the graph while stepping with keys');

    await page.evaluate(() => document.querySelector('gradlab-graph#graph').setAttribute('replay-delay', '60'));
    await host.locator('button[data-action="replay"]').click();
    assert.equal(await host.getAttribute('data-step-node'), 'L', 'Replay starts at L');
    await waitFor(async () => (await host.getAttribute('data-step')) === '2', 'replay to reach the last step');
    await waitFor(async () => !(await page.evaluate(() => document.querySelector('gradlab-graph#graph').playing)), 'replay to stop');

    await nodeLoc('L').focus();
    await page.keyboard.press('Escape');
    assert.equal(await host.getAttribute('data-step'), '-1', 'Esc leaves the step-through');
    await checkGrads({ a: -6, b: 6, c: 2, d: 2, e: 2, L: 1 }, 'after Show all');
  });

  it('Accumulate: Backward without zeroing doubles every gradient and says why zeroGrad exists', async () => {
    await page.check('#accumulate');
    await page.click('#backward');
    await waitFor(async () => (await node('a')).grad === '-12', 'a second pass to add −6 to −6');
    // Leaves add up; inner nodes are recomputed by each pass (as in PyTorch).
    await checkGrads({ a: -12, b: 12, c: 4, d: 2, e: 2, L: 1 }, 'after two passes');
    assert.equal(await graph().getAttribute('data-passes'), '2');
    assert.equal(
      await page.locator('#status').textContent(),
      'L = 1. Gradients after 2 backward passes without zeroing: ∂L/∂a = −12, ∂L/∂b = 12, ∂L/∂c = 4 (∂L/∂a is 2 × the true −6). backward() adds into the gradients (+=), so they pile up; that is why training calls Zero gradients (zeroGrad) before every backward pass.',
    );
    await page.click('#backward');
    await waitFor(async () => (await node('a')).grad === '-18', 'a third pass');
    // The seed table stays the one-pass table.
    assert.deepEqual((await tableRows())[4], ['dL/da', 'dL/dd × dd/da = 2 × b = 2 × (−3)', '−6']);
    await page.click('#zero-grad');
    await waitFor(async () => (await node('a')).grad === '', 'Zero gradients to clear them');
    await page.click('#backward');
    await waitFor(async () => (await node('a')).grad === '-6', 'one pass after zeroing');
    await page.click('#backward');
    await waitFor(async () => (await node('a')).grad === '-12', 'accumulating again');
    await page.uncheck('#accumulate');
    await page.click('#backward');
    await waitFor(async () => (await node('a')).grad === '-6', 'without accumulate, Backward zeroes first');
    assert.match(await page.locator('#status').textContent(), /^L = 1\. Gradients from one backward pass: ∂L\/∂a = −6, ∂L\/∂b = 6, ∂L\/∂c = 2\.$/);
  });

  it('renders user strings as text, never HTML', async () => {
    const result = await page.evaluate(async () => {
      const { createGradlab } = await import('/web/gradlab.js');
      const gl = await createGradlab();
      const g = gl.graph();
      const evil = '<img src=x onerror="window.__pwned=1">';
      const x = g.scalar(1, evil);
      const y = x.mul(2);
      y.label = '<b>y</b>';
      y.backward();
      const view = document.createElement('gradlab-graph');
      document.body.appendChild(view);
      view.setGraph(g, { root: y });
      await new Promise((r) => setTimeout(r, 50));
      const out = {
        imgs: view.shadowRoot.querySelectorAll('img, b').length,
        names: [...view.shadowRoot.querySelectorAll('[data-node]')].map((n) => n.querySelector('tspan.name').textContent),
        pwned: window.__pwned ?? 0,
      };
      view.remove();
      g.dispose();
      return out;
    });
    assert.equal(result.imgs, 0, 'markup in labels must not become elements');
    assert.equal(result.pwned, 0);
    assert.ok(result.names.includes('<img src=x onerror="window.__pwned=1">'), `labels shown as text: ${result.names.join(' | ')}`);
  });

  it('logged no console errors, page errors, failed requests or CSP violations', async () => {
    const csp = await page.evaluate(() => window.__cspViolations);
    assert.deepEqual(csp, [], `CSP violations: ${csp.join(' | ')}`);
    assert.deepEqual(consoleErrors, [], `console errors: ${consoleErrors.join(' | ')}`);
    assert.deepEqual(pageErrors, [], `page errors: ${pageErrors.join(' | ')}`);
    assert.deepEqual(failedRequests, [], `failed requests: ${failedRequests.join(' | ')}`);
  });

  it('really enforces the CSP (an injected inline script is blocked and reported)', async () => {
    // Proves the empty violation list above means something. Runs last: it violates on purpose.
    const blocked = await page.evaluate(async () => {
      const s = document.createElement('script');
      s.textContent = 'window.__inlineRan = true';
      document.body.appendChild(s);
      await new Promise((r) => setTimeout(r, 100));
      return { ran: window.__inlineRan === true, violations: window.__cspViolations.slice() };
    });
    assert.equal(blocked.ran, false, 'an inline script ran: the CSP is not enforced');
    assert.ok(blocked.violations.some((v) => v.startsWith('script-src')), `expected a script-src violation, got ${blocked.violations.join(' | ')}`);
  });
});
