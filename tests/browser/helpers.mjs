// Shared set-up of the browser tests: the local server, Chromium, console capture.
import { existsSync, lstatSync, realpathSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, extname } from 'node:path';
import { chromium } from 'playwright-core';
import { startServer, REPO_ROOT, MIME_TYPES } from '../../web/serve.mjs';

export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
export const ARGS = [
  '--no-sandbox',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--enable-unsafe-webgpu',
];
export const SHOTS = process.env.GRADLAB_SHOTS ?? '/tmp/gradlab-shots';

/**
 * Starts the server and Chromium. In a git worktree whose node_modules is a symlink to
 * another checkout, the server (rightly) refuses files behind it; there the browser gets
 * those files from disk through a route instead, so the same pages load.
 */
export async function launch() {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: run scripts/setup.sh (Debian package "chromium") or set CHROMIUM`);
  const srv = await startServer({ port: 0 });
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
  const nm = join(REPO_ROOT, 'node_modules');
  const linked = existsSync(nm) && lstatSync(nm).isSymbolicLink();
  async function newPage(options = {}) {
    const context = await browser.newContext({ viewport: { width: 1000, height: 900 }, deviceScaleFactor: 1, ...options });
    if (linked) {
      const real = realpathSync(nm);
      await context.route(`${srv.origin}/node_modules/**`, async (route) => {
        const rel = decodeURIComponent(new URL(route.request().url()).pathname).slice('/node_modules/'.length);
        if (rel.split('/').includes('..')) return route.fulfill({ status: 403, body: 'forbidden' });
        try {
          const body = await readFile(join(real, rel));
          return route.fulfill({ status: 200, body, contentType: MIME_TYPES[extname(rel)] ?? 'application/octet-stream' });
        } catch {
          return route.fulfill({ status: 404, body: 'not found' });
        }
      });
    }
    const page = await context.newPage();
    const problems = [];
    page.on('console', (msg) => {
      if (msg.type() === 'error') problems.push(`console: ${msg.text()}${msg.location()?.url ? ` (${msg.location().url})` : ""}`);
    });
    page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
    return { context, page, problems };
  }
  return {
    srv,
    browser,
    newPage,
    async close() {
      await browser.close();
      await srv.close();
    },
  };
}

export async function waitFor(fn, what, timeout = 5000) {
  const t0 = Date.now();
  let last;
  for (;;) {
    try {
      last = await fn();
      if (last) return last;
    } catch (err) {
      last = err;
    }
    if (Date.now() - t0 > timeout) throw new Error(`timed out after ${timeout} ms waiting for ${what} (last: ${last?.message ?? JSON.stringify(last)})`);
    await new Promise((r) => setTimeout(r, 40));
  }
}

/** The focused element, through shadow roots. */
export function deepFocus(page) {
  return page.evaluate(() => {
    let el = document.activeElement;
    while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
    return el ? { node: el.getAttribute('data-node'), label: el.getAttribute('aria-label'), tag: el.tagName.toLowerCase(), action: el.getAttribute('data-action'), host: el.getRootNode()?.host?.id ?? null } : null;
  });
}
