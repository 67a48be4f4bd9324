#!/usr/bin/env node
// A small dependency-free static server for the gradlab demo site.
//
//   node web/serve.mjs [port]          (or PORT=8080 node web/serve.mjs; port 0 = random)
//   import { startServer } from './web/serve.mjs';
//   const { url, close } = await startServer({ port: 0 });
//
// Serves the repository root on 127.0.0.1 only. Paths never leave the root (symlinks
// included), dot-files are hidden, directories serve index.html and are never listed.
// HTML pages get a strict Content-Security-Policy: scripts only from this origin plus the
// sha256 hashes of the page's own inline scripts (the import map), 'wasm-unsafe-eval' for
// WebAssembly, and no 'unsafe-eval' or 'unsafe-inline', which proves the engine and the
// widgets are CSP-safe. Every file also carries COOP same-origin and COEP require-corp, so
// pages are cross-origin isolated and the engine loads its threaded build.
import { createServer } from 'node:http';
import { createHash } from 'node:crypto';
import { readFile, realpath, stat } from 'node:fs/promises';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = resolve(HERE, '..');
export const DEFAULT_PORT = 5173;
export const DEMO_PATH = '/web/demo/';

export const MIME_TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.cjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/plain; charset=utf-8',
  '.ts': 'text/plain; charset=utf-8',
  '.wgsl': 'text/plain; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
  '.woff2': 'font/woff2',
};

/** sha256 CSP sources for the inline <script> elements (no src) of an HTML page. */
export function inlineScriptHashes(html) {
  const hashes = [];
  for (const m of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script\s*>/gi)) {
    if (/\bsrc\s*=/i.test(m[1])) continue;
    hashes.push(`'sha256-${createHash('sha256').update(m[2], 'utf8').digest('base64')}'`);
  }
  return hashes;
}

/** The Content-Security-Policy sent with an HTML page. */
export function contentSecurityPolicy(html = '') {
  const scripts = ["'self'", "'wasm-unsafe-eval'", ...inlineScriptHashes(html)];
  return [
    "default-src 'self'",
    `script-src ${scripts.join(' ')}`,
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "worker-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** The headers that make a page cross-origin isolated (SharedArrayBuffer, the threaded engine). */
export const CROSS_ORIGIN_ISOLATION = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

function send(res, status, body, headers = {}) {
  const buf = Buffer.from(body, 'utf8');
  res.writeHead(status, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': buf.length,
    'X-Content-Type-Options': 'nosniff',
    ...headers,
  });
  res.end(res.req.method === 'HEAD' ? undefined : buf);
}

function isInside(root, p) {
  return p === root || p.startsWith(root.endsWith(sep) ? root : root + sep);
}

function makeHandler(root, realRoot, log) {
  return async (req, res) => {
    try {
      if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'method not allowed\n', { Allow: 'GET, HEAD' });
      let pathname;
      try {
        pathname = decodeURIComponent(new URL(req.url, 'http://127.0.0.1').pathname);
      } catch {
        return send(res, 400, 'bad request: malformed URL\n');
      }
      if (pathname.includes('\0') || pathname.includes('\\')) return send(res, 400, 'bad request\n');
      // Hidden files and folders (.git, .env, ...) are never served.
      if (pathname.split('/').some((seg) => seg.startsWith('.') && seg.length > 0)) return send(res, 404, 'not found\n');
      const target = resolve(root, '.' + pathname);
      if (!isInside(root, target)) return send(res, 403, 'forbidden\n');

      let file = target;
      let info;
      try {
        info = await stat(file);
      } catch {
        return send(res, 404, `not found: ${pathname}\n`);
      }
      if (info.isDirectory()) {
        if (!pathname.endsWith('/')) {
          const u = new URL(req.url, 'http://127.0.0.1');
          return send(res, 301, 'moved\n', { Location: pathname + '/' + u.search });
        }
        file = join(target, 'index.html');
        try {
          info = await stat(file);
        } catch {
          return send(res, 404, `not found: ${pathname} (no index.html; directories are not listed)\n`);
        }
      }
      if (!info.isFile()) return send(res, 404, 'not found\n');
      // Symlinks must not lead out of the root either.
      const real = await realpath(file);
      if (!isInside(realRoot, real)) return send(res, 403, 'forbidden\n');

      const ext = extname(file).toLowerCase();
      const body = await readFile(file);
      const headers = {
        'Content-Type': MIME_TYPES[ext] ?? 'application/octet-stream',
        'Content-Length': body.length,
        'Cache-Control': 'no-cache',
        'X-Content-Type-Options': 'nosniff',
        'Referrer-Policy': 'no-referrer',
        'Cross-Origin-Resource-Policy': 'same-origin',
        // Cross-origin isolation: SharedArrayBuffer, so the engine runs on its threads
        // (docs/threads.md). Everything the site loads is same-origin (vendored), which
        // require-corp allows.
        ...CROSS_ORIGIN_ISOLATION,
      };
      if (ext === '.html') headers['Content-Security-Policy'] = contentSecurityPolicy(body.toString('utf8'));
      res.writeHead(200, headers);
      res.end(req.method === 'HEAD' ? undefined : body);
      log?.(`${req.method} ${pathname} 200`);
    } catch (err) {
      if (!res.headersSent) send(res, 500, `server error: ${err.message}\n`);
      else res.destroy();
    }
  };
}

/**
 * Starts the server on 127.0.0.1. port 0 picks a free port.
 * Resolves to { url, origin, port, server, close } where url is the demo page.
 */
export async function startServer({ port = DEFAULT_PORT, host = '127.0.0.1', root = REPO_ROOT, log = null } = {}) {
  const p = Number(port);
  if (!Number.isInteger(p) || p < 0 || p > 65535) throw new RangeError(`startServer: port must be an integer in 0..65535, got ${port}`);
  const absRoot = resolve(root);
  const realRoot = await realpath(absRoot);
  const server = createServer(makeHandler(absRoot, realRoot, log));
  await new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(p, host, () => {
      server.off('error', fail);
      ok();
    });
  });
  const actual = server.address().port;
  const origin = `http://${host}:${actual}`;
  return {
    url: origin + DEMO_PATH,
    origin,
    port: actual,
    server,
    close: () =>
      new Promise((ok) => {
        server.close(() => ok());
        server.closeAllConnections?.();
      }),
  };
}

const isMain = process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href;
if (isMain) {
  const arg = process.argv[2] ?? process.env.PORT ?? String(DEFAULT_PORT);
  try {
    const { url, close } = await startServer({ port: arg });
    console.log(`gradlab demo: ${url}`);
    const stop = () => close().then(() => process.exit(0));
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  } catch (err) {
    console.error(`serve: ${err.code === 'EADDRINUSE' ? `port ${arg} is in use; try another, or 0 for a random one` : err.message}`);
    process.exit(1);
  }
}
