// The WebGPU executor in headless Chromium (SwiftShader adapter): tests/webgpu/page.html runs
// the kernel checks against the CPU, a GPU training run against model.train, and both
// fallbacks (navigator.gpu missing, device destroyed mid-run). Screenshot: /tmp/webgpu-page.png.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { startServer } from '../../web/serve.mjs';

const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const ARGS = ['--no-sandbox', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--enable-unsafe-webgpu'];
const SCREENSHOT = process.env.WEBGPU_SCREENSHOT ?? '/tmp/webgpu-page.png';

describe('WebGPU executor in Chromium', { timeout: 150_000 }, () => {
  let srv, context, page, userDataDir;
  const problems = [];

  before(async () => {
    assert.ok(existsSync(CHROMIUM), `Chromium not found at ${CHROMIUM}: run scripts/setup.sh or set CHROMIUM`);
    srv = await startServer({ port: 0 });
    userDataDir = await mkdtemp(join(tmpdir(), 'gradlab-webgpu-'));
    context = await chromium.launchPersistentContext(userDataDir, { executablePath: CHROMIUM, headless: true, args: ARGS, viewport: { width: 1000, height: 900 } });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
    page.on('console', (msg) => {
      if (msg.type() === 'error') problems.push(`console: ${msg.text()}`);
    });
    await page.goto(`${srv.origin}/tests/webgpu/page.html`, { waitUntil: 'load' });
    await page.waitForSelector('body[data-state="ready"]', { timeout: 20_000 });
  });
  after(async () => {
    await context?.close();
    await srv?.close();
    if (userDataDir) await rm(userDataDir, { recursive: true, force: true });
  });

  it('kernels match the CPU, training follows model.train, and both fallbacks finish on the CPU', { timeout: 140_000 }, async () => {
    const r = await page.evaluate(() => window.runWebgpuChecks());
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    console.log(JSON.stringify({ adapter: r.adapter, cases: r.cases, worst: r.worst, mlp: r.mlp, noGpu: r.noGpu, deviceLoss: r.deviceLoss, auto: r.auto }));
    assert.ok(r.cases >= 100, `${r.cases} kernel cases ran`);
    for (const [name, err] of Object.entries(r.maxErr)) assert.ok(err <= 1e-4, `${name}: max normwise relative error ${err}`);
    assert.equal(r.gatherWrong, 0);
    assert.equal(r.mlp.backend, 'webgpu');
    assert.ok(r.mlp.maxRelDeviation <= 1e-3, `GPU loss curve deviates by ${r.mlp.maxRelDeviation}`);
    assert.ok(r.mlp.last < 0.2 * r.mlp.first);
    assert.equal(r.noGpu.backend, 'cpu');
    assert.match(r.noGpu.reason, /navigator\.gpu is missing/);
    assert.ok(r.noGpu.sameAsCpu, 'the CPU fallback gives model.train\'s losses');
    assert.deepEqual(
      { events: r.deviceLoss.events, reason: r.deviceLoss.reason, resumedFrom: r.deviceLoss.resumedFrom, backend: r.deviceLoss.backend, steps: r.deviceLoss.steps, finite: r.deviceLoss.finite },
      { events: 1, reason: 'destroyed', resumedFrom: 50, backend: 'cpu', steps: 200, finite: true },
    );
    assert.ok(r.deviceLoss.last < r.deviceLoss.first);
    // createGradlab's GPU choice on navigator.gpu (SwiftShader).
    assert.deepEqual({ glGpu: r.auto.glGpu, gl: r.auto.gl, gpuRun: r.auto.gpuRun, cpuRun: r.auto.cpuRun, steps: r.auto.steps }, {
      glGpu: { name: 'webgpu', use: 'always', cpuAdapter: true }, gl: { use: 'never', cpuAdapter: true }, gpuRun: 'webgpu', cpuRun: 'wasm', steps: 200,
    });
    assert.match(r.auto.cpuReason, /^2-16-16-1 at batch 128: on the CPU: 38912 multiply-adds per step, below the floor of 1048576/);
    assert.ok(r.auto.maxRelDeviation <= 1e-3, `trainAsync on the GPU deviates by ${r.auto.maxRelDeviation}`);
    assert.ok(r.auto.paramDiff <= 1e-3, `weights written back differ by ${r.auto.paramDiff}`);
    assert.deepEqual(problems, [], 'no page errors or console errors (the device loss included)');
  });
});
