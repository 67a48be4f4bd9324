// The demo site in headless Chromium: every topic page of web/demo/ is visited and must
// (1) load the engine with no console error or CSP violation, (2) show the seed's key
// numbers as the engine computes them (rows of the seed-versus-engine tables: the engine's
// value, and 'match' or, where the seed is wrong, 'corrected'), (3) judge a right and a
// wrong quiz answer, (4) recompute when an input is reached with Tab and changed from the
// keyboard, and (5) fit a 380 px wide screen without sideways page scrolling.
// Screenshots (desktop and 380 px) of a few pages go to $GRADLAB_SHOTS/site-*.png.
// SITE_ONLY=id,id runs only those pages.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { launch, waitFor, SHOTS } from './helpers.mjs';
import { TOPICS } from '../../web/demo/topics.js';
import { PAGES } from './site-pages.mjs';

const NARROW = 380;
// SITE_ONLY=graph,lora runs only those pages (while working on them).
const ONLY = process.env.SITE_ONLY ? new Set(process.env.SITE_ONLY.split(',')) : null;

describe('demo site in Chromium', { timeout: 240_000 }, () => {
  let env;
  let desk;
  let narrow;
  const violations = [];

  before(async () => {
    env = await launch();
    desk = await env.newPage({ viewport: { width: 1100, height: 900 } });
    narrow = await env.newPage({ viewport: { width: NARROW, height: 800 }, isMobile: true, hasTouch: true });
    for (const p of [desk, narrow]) {
      await p.context.addInitScript(() => {
        document.addEventListener('securitypolicyviolation', (e) => console.error(`CSP: ${e.violatedDirective} blocked ${e.blockedURI || '(inline)'}`));
      });
      p.page.on('response', (res) => {
        if (res.status() >= 400) violations.push(`${res.url()}: HTTP ${res.status()}`);
      });
    }
    mkdirSync(SHOTS, { recursive: true });
  });

  after(async () => {
    await env?.close();
  });

  async function open(target, topic) {
    target.problems.length = 0;
    await target.page.goto(`${env.srv.url}${topic.href}`, { waitUntil: 'load' });
    await target.page.waitForSelector('body[data-state="ready"]', { timeout: 30_000 }).catch(async () => {
      const alert = await target.page.locator('#errors').textContent().catch(() => '');
      throw new Error(`${topic.href} did not become ready; alert: ${alert || '(none)'}; problems: ${target.problems.join(' | ') || '(none)'}`);
    });
  }

  it('the index links every topic page, in the order of topics.js', async () => {
    await desk.page.goto(env.srv.url, { waitUntil: 'load' });
    const links = await desk.page.$$eval('#topics a', (as) => as.map((a) => a.getAttribute('href')));
    assert.deepEqual(links, TOPICS.map((t) => t.href));
    if (!ONLY) assert.deepEqual(Object.keys(PAGES).sort(), TOPICS.map((t) => t.id).sort(), 'the test has a spec for every topic');
    const width = await desk.page.evaluate(() => document.scrollingElement.scrollWidth);
    assert.ok(width <= 1100);
    await narrow.page.goto(env.srv.url, { waitUntil: 'load' });
    const narrowWidth = await narrow.page.evaluate(() => document.scrollingElement.scrollWidth);
    assert.ok(narrowWidth <= NARROW + 2, `index is ${narrowWidth} px wide at ${NARROW} px`);
    assert.deepEqual([...desk.problems, ...narrow.problems], [], 'index: console errors');
  });

  for (const topic of TOPICS.filter((t) => !ONLY || ONLY.has(t.id))) {
    const spec = PAGES[topic.id];
    it(`${topic.href}: seed numbers from the engine, quiz, keyboard, 380 px`, async () => {
      const { page, problems } = desk;
      await open(desk, topic);

      if (spec.click) await page.click(spec.click);
      // (2) the key numbers: the engine's value in the row, and its verdict.
      const rows = await page.$$eval('tr[data-key]', (trs) => trs.map((tr) => ({ key: tr.dataset.key, status: tr.dataset.status, engine: Number(tr.dataset.engine), text: tr.textContent })));
      const byKey = new Map(rows.map((r) => [r.key, r]));
      for (const [key, want] of Object.entries(spec.rows)) {
        const row = byKey.get(key);
        assert.ok(row, `${topic.href}: row "${key}" is shown (rows: ${[...byKey.keys()].join(', ')})`);
        const [value, status, tol = 1e-9] = want;
        assert.ok(Math.abs(row.engine - value) <= tol * Math.max(1, Math.abs(value)), `${topic.href} ${key}: engine ${row.engine}, expected ${value}`);
        assert.equal(row.status, status, `${topic.href} ${key}: ${row.text}`);
      }
      const unexplained = rows.filter((r) => r.status === 'differs');
      assert.deepEqual(unexplained.map((r) => r.text), [], `${topic.href}: a seed number differs from the engine with no correction`);
      for (const key of spec.corrections ?? []) {
        const note = await page.locator(`ul.corrections li[data-key="${key}"]`).textContent();
        assert.ok(note.length > 40, `${topic.href}: correction for ${key} says why`);
      }
      if (spec.text) for (const t of spec.text) assert.ok((await page.locator('main').textContent()).includes(t), `${topic.href}: shows "${t}"`);

      // (3) each quiz (#quiz, then the page's moreQuizzes): a right and a wrong answer.
      for (const [id, [right, wrong]] of [['quiz', spec.quiz], ...Object.entries(spec.moreQuizzes ?? {})]) {
        const quiz = page.locator(`gradlab-quiz#${id}`);
        await quiz.scrollIntoViewIfNeeded();
        const quizInput = page.locator(`gradlab-quiz#${id} input`);
        for (const [answer, correct] of [[right, true], [wrong, false]]) {
          await quizInput.fill(answer);
          await quizInput.press('Enter');
          const result = await waitFor(() => page.evaluate(([q, a]) => {
            const r = document.querySelector(`gradlab-quiz#${q}`).result;
            return r && r.answer === a ? { correct: r.correct, kind: r.kind } : null;
          }, [id, answer]), `quiz ${id}: verdict for "${answer}"`, 10_000);
          assert.equal(result.correct, correct, `${topic.href}: quiz ${id}: answer "${answer}" judged ${result.kind}`);
        }
      }

      // (4) keyboard: Tab from the top to the input, type a new value, numbers update.
      const { input: inputName, value: newValue, row: watch, text: watchText } = spec.keyboard;
      await page.evaluate(() => window.scrollTo(0, 0));
      await page.locator('body').focus();
      let reached = false;
      for (let i = 0; i < 25 && !reached; i++) {
        await page.keyboard.press('Tab');
        reached = await page.evaluate((n) => (document.activeElement?.dataset?.input ?? document.activeElement?.name) === n, inputName);
      }
      assert.ok(reached, `${topic.href}: Tab reaches input ${inputName}`);
      await page.keyboard.press('Control+A');
      await page.keyboard.type(String(newValue));
      if (watch) {
        const [key, expected, tol = 1e-9] = watch;
        await waitFor(async () => {
          const v = await page.$eval(`tr[data-key="${key}"]`, (tr) => Number(tr.dataset.engine));
          return Math.abs(v - expected) <= tol * Math.max(1, Math.abs(expected));
        }, `${topic.href}: ${key} → ${expected} after ${inputName} = ${newValue}`, 10_000);
        assert.equal(await page.$eval(`tr[data-key="${key}"]`, (tr) => tr.dataset.status), spec.keyboard.status ?? 'n/a', 'the seed column steps aside once the inputs differ (formula rows keep judging)');
      }
      if (watchText) {
        const [selector, text] = watchText;
        await waitFor(async () => (await page.locator(selector).textContent()).includes(text), `${topic.href}: "${text}" in ${selector} after ${inputName} = ${newValue}`, 10_000);
      }
      assert.deepEqual(problems, [], `${topic.href}: console errors`);

      // (5) 380 px: no sideways page scrolling.
      await open(narrow, topic);
      const width = await narrow.page.evaluate(() => document.scrollingElement.scrollWidth);
      assert.ok(width <= NARROW + 2, `${topic.href}: page is ${width} px wide at ${NARROW} px`);
      assert.deepEqual(narrow.problems, [], `${topic.href}: console errors at ${NARROW} px`);
      if (spec.shot) {
        await page.evaluate(() => window.scrollTo(0, 0));
        await page.screenshot({ path: join(SHOTS, `site-${topic.id}-desktop.png`), fullPage: true });
        await narrow.page.screenshot({ path: join(SHOTS, `site-${topic.id}-380.png`), fullPage: true });
      }
    });
  }

  it('no request failed', () => {
    assert.deepEqual(violations, []);
  });
});
