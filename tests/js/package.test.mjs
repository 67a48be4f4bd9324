// The packed npm tarball installs into an empty folder and works from there
// (what a demo-site developer gets from `npm install gradlab`).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

test('npm pack → install in an empty folder → import gradlab and run seed 002', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gradlab-pkg-'));
  try {
    execFileSync('npm', ['pack', '--silent', '--pack-destination', dir], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    const tarball = readdirSync(dir).find((f) => f.endsWith('.tgz'));
    assert.ok(tarball, 'npm pack produced a tarball');
    const app = join(dir, 'app');
    execFileSync('mkdir', ['-p', app]);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', join(dir, tarball)], {
      cwd: app,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    writeFileSync(
      join(app, 'main.mjs'),
      `import { createGradlab } from 'gradlab';
       const gl = await createGradlab();
       const g = gl.graph();
       const a = g.scalar(2, 'a'), b = g.scalar(-3, 'b'), c = g.scalar(10, 'c');
       const L = a.mul(b).add(c).pow(2);
       L.backward();
       console.log(JSON.stringify([L.value, a.grad, b.grad, c.grad]));`,
    );
    const out = execFileSync('node', ['main.mjs'], { cwd: app, encoding: 'utf8' });
    assert.deepEqual(JSON.parse(out.trim()), [16, -24, 16, 8]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
