// web/serve.mjs: MIME types, the CSP header, no way out of the repository root.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { readFile } from 'node:fs/promises';
import { startServer, contentSecurityPolicy, inlineScriptHashes } from '../../web/serve.mjs';

// A raw GET that keeps the path as written (fetch() would normalise "..").
function rawGet(port, path) {
  return new Promise((ok, fail) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'GET' }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => ok({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', fail);
    req.end();
  });
}

describe('web/serve.mjs', () => {
  let srv;
  before(async () => {
    srv = await startServer({ port: 0 });
  });
  after(async () => {
    await srv?.close();
  });

  it('starts on 127.0.0.1 with a random port and reports the demo URL', () => {
    assert.match(srv.url, /^http:\/\/127\.0\.0\.1:\d+\/web\/demo\/$/);
    assert.ok(srv.port > 0, 'port 0 should pick a free port');
  });

  it('serves the demo page with a strict Content-Security-Policy', async () => {
    const res = await fetch(srv.url);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type'), /^text\/html/);
    const csp = res.headers.get('content-security-policy') ?? '';
    assert.match(csp, /script-src 'self' 'wasm-unsafe-eval'/, `CSP should allow only self + wasm: ${csp}`);
    assert.ok(!csp.includes("'unsafe-eval'"), `CSP must not allow 'unsafe-eval': ${csp}`);
    assert.ok(!csp.includes("'unsafe-inline'"), `CSP must not allow 'unsafe-inline': ${csp}`);
    const html = await res.text();
    for (const h of inlineScriptHashes(html)) assert.ok(csp.includes(h), `the inline import map's hash ${h} should be in the CSP`);
    assert.equal(csp, contentSecurityPolicy(html));
  });

  it('sends correct MIME types', async () => {
    const cases = [
      ['/web/dist/gradlab_wasm.wasm', /^application\/wasm$/],
      ['/web/dist/gradlab_wasm.mjs', /^text\/javascript/],
      ['/web/gradlab.js', /^text\/javascript/],
      ['/web/demo/style.css', /^text\/css/],
      ['/web/demo/favicon.svg', /^image\/svg\+xml/],
      ['/node_modules/@dagrejs/dagre/dist/dagre.esm.js', /^text\/javascript/],
      ['/package.json', /^application\/json/],
    ];
    for (const [path, type] of cases) {
      const res = await fetch(srv.origin + path);
      assert.equal(res.status, 200, `${path} should be served`);
      assert.match(res.headers.get('content-type') ?? '', type, `${path} has the wrong Content-Type`);
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
      await res.arrayBuffer();
    }
    const wasm = await fetch(srv.origin + '/web/dist/gradlab_wasm.wasm');
    const bytes = new Uint8Array(await wasm.arrayBuffer());
    const onDisk = await readFile(new URL('../../web/dist/gradlab_wasm.wasm', import.meta.url));
    assert.equal(bytes.length, onDisk.length, 'the wasm should arrive whole');
  });

  it('redirects a directory without a slash and never lists directories', async () => {
    const r = await rawGet(srv.port, '/web/demo');
    assert.equal(r.status, 301);
    assert.equal(r.headers.location, '/web/demo/');
    const list = await rawGet(srv.port, '/web/');
    assert.equal(list.status, 404, 'directories without index.html are not listed');
  });

  it('refuses paths outside the repository, hidden files and other methods', async () => {
    for (const path of ['/../../../../etc/passwd', '/web/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd', '/%2e%2e%2f%2e%2e%2fetc%2fpasswd', '/web/..%2f..%2f..%2fetc/passwd']) {
      const r = await rawGet(srv.port, path);
      assert.ok(r.status === 403 || r.status === 404, `${path} must be refused, got ${r.status}`);
      assert.ok(!r.body.includes('root:'), `${path} leaked a file outside the root`);
    }
    assert.equal((await rawGet(srv.port, '/.git/config')).status, 404, 'dot-files are hidden');
    assert.equal((await rawGet(srv.port, '/web/%00.js')).status, 400);
    assert.equal((await rawGet(srv.port, '/%E0%A4%A')).status, 400, 'a malformed escape is a 400');
    const post = await fetch(srv.origin + '/web/gradlab.js', { method: 'POST', body: 'x' });
    assert.equal(post.status, 405);
    await post.text();
  });

  it('reports a clear error for a bad port', async () => {
    await assert.rejects(() => startServer({ port: 'abc' }), /port must be an integer/);
  });
});
