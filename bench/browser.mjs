#!/usr/bin/env node
// The side-by-side benchmark in headless Chromium: bench/browser/page.html, served from
// 127.0.0.1 with COOP/COEP headers (crossOriginIsolated, so SharedArrayBuffer and wasm
// threads work), runs the cases of bench/suite.mjs with gradlab, tfjs-wasm (its threaded SIMD
// binary, setThreadsCount(N)) and jax-js (wasm with its worker pool of N) once per thread
// count, one fresh page each. jax-js on WebGPU is checked for correctness only (SwiftShader
// here: a CPU implementation, so no timing). See docs/benchmarks.md.
//
//   node bench/browser.mjs                      threads 1 and 2, GEMM 512/1024/2048, the MLPs
//   node bench/browser.mjs --quick              smoke run: n = 64, 3 short runs (under a minute)
//   node bench/browser.mjs --threads 1,2 --only gemm,mlp --sizes 512,1024 --runs 3 --markdown
//   node bench/browser.mjs --from bench/results/browser.json --markdown
// Progress goes to stderr, the tables to stdout, the results to bench/results/browser.json.
import http from 'node:http';
import { createReadStream, existsSync, mkdirSync, readFileSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { LIBS, VARIANTS } from './suite.mjs';
import { median } from './common.mjs';

// The single-thread engine the 2-thread page runs beside the threaded one (bench/browser/page.mjs).
const SAME_PAGE_ONE_THREAD = 'gradlab 1t (same page)';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
// The flags of tests/browser/helpers.mjs: as root, no sandbox; no network chatter.
const ARGS = ['--no-sandbox', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--enable-unsafe-webgpu'];
const USAGE = 'usage: node bench/browser.mjs [--quick] [--threads 1,2] [--only gemm,mlp,overhead] [--sizes 512,1024,2048] [--runs N] [--no-webgpu] [--markdown] [--from FILE] [--out FILE]';
const SECTIONS = ['overhead', 'gemm', 'mlp'];
const PEERS = ['tfjs-wasm', 'jax-js'];
const BARS = { threadsSelf: 1.7, threadsPeer: 1.8, tiny: 25 };
const MIME = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.json': 'application/json', '.wasm': 'application/wasm', '.css': 'text/css', '.map': 'application/json' };

class UsageError extends Error {}
const log = (...a) => console.error(...a);

function parseArgs(argv) {
  const o = { quick: false, threads: [1, 2], only: SECTIONS, sizes: null, runs: null, webgpu: true, markdown: false, from: null, out: 'bench/results/browser.json' };
  const ints = (v, what) => {
    const xs = v.split(',').map(Number);
    if (xs.some((n) => !Number.isInteger(n) || n < 1)) throw new UsageError(`${what}: positive integers, comma-separated`);
    return xs;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => {
      if (i + 1 >= argv.length) throw new UsageError(`${a} needs a value\n${USAGE}`);
      return argv[++i];
    };
    if (a === '--quick') o.quick = true;
    else if (a === '--threads') o.threads = ints(val(), '--threads');
    else if (a === '--only') {
      o.only = val().split(',');
      for (const s of o.only) if (!SECTIONS.includes(s)) throw new UsageError(`--only: unknown section "${s}" (${SECTIONS.join(', ')})`);
    } else if (a === '--sizes') o.sizes = ints(val(), '--sizes');
    else if (a === '--runs') {
      o.runs = Number(val());
      if (!Number.isInteger(o.runs) || o.runs < 3) throw new UsageError('--runs must be an integer ≥ 3');
    } else if (a === '--no-webgpu') o.webgpu = false;
    else if (a === '--markdown') o.markdown = true;
    else if (a === '--from') o.from = val();
    else if (a === '--out') o.out = val();
    else if (a === '-h' || a === '--help') { console.log(USAGE); process.exit(0); }
    else throw new UsageError(`unknown option ${a}\n${USAGE}`);
  }
  return o;
}

/** A static server for the repository with the headers that make a page cross-origin isolated. */
export function startServer() {
  // node_modules may be a symlink to another checkout (git worktrees): serve its real files.
  const nm = join(ROOT, 'node_modules');
  const nmReal = existsSync(nm) ? realpathSync(nm) : nm;
  const server = http.createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    if (path === '/favicon.ico') { res.writeHead(204).end(); return; }
    const rel = normalize(path).replace(/^[/\\]+/, '');
    if (rel.split(sep).includes('..')) { res.writeHead(403).end('forbidden'); return; }
    const file = rel.startsWith(`node_modules${sep}`) ? join(nmReal, rel.slice('node_modules/'.length)) : join(ROOT, rel);
    let st;
    try { st = statSync(file); } catch { res.writeHead(404).end('not found'); return; }
    if (!st.isFile()) { res.writeHead(404).end('not found'); return; }
    res.writeHead(200, {
      'Content-Type': MIME[extname(file)] ?? 'application/octet-stream',
      'Content-Length': st.size,
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Embedder-Policy': 'require-corp',
      'Cross-Origin-Resource-Policy': 'same-origin',
      'Cache-Control': 'no-store',
    });
    createReadStream(file).pipe(res);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ origin: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((r) => server.close(r)) })));
}

/** Runs the page once per thread count; returns the combined results. */
async function measure(opts) {
  const cfg = opts.quick
    ? { runs: 3, sizes: [64], warmSeconds: 0.03, gemmSeconds: 0.1, overheadSeconds: 0.1, mlpSeconds: 0.2, chunkSeconds: 0.03, slowCallSeconds: 1, verifySteps: { tiny: 100, mnist: 5 } }
    : { runs: 5, sizes: [512, 1024, 2048], warmSeconds: 0.1, gemmSeconds: 0.25, overheadSeconds: 0.25, mlpSeconds: 0.5, chunkSeconds: 0.05, slowCallSeconds: 3, skipCallSeconds: 10, verifySteps: { tiny: 300, mnist: 20 } };
  if (opts.runs) cfg.runs = opts.runs;
  if (opts.sizes) cfg.sizes = opts.sizes;
  cfg.only = opts.only;
  cfg.quick = opts.quick;
  const t0 = performance.now();
  const R = {
    command: ['node bench/browser.mjs', ...process.argv.slice(2)].join(' '),
    config: cfg,
    machine: { cpu: os.cpus()[0]?.model?.trim() ?? 'unknown', cores: os.cpus().length, date: new Date().toISOString(), loadavgStart: os.loadavg().map((x) => +x.toFixed(2)) },
    pages: [],
  };
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM} (set CHROMIUM)`);
  const srv = await startServer();
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
  R.machine.browser = `Chromium ${browser.version()}`;
  try {
    for (const [k, threads] of opts.threads.entries()) {
      const context = await browser.newContext();
      // jax-js sizes its worker pool from navigator.hardwareConcurrency.
      // (page.mjs raises it while tfjs starts: see loadTfjs there.)
      await context.addInitScript((n) => Object.defineProperty(Navigator.prototype, 'hardwareConcurrency', { get: () => globalThis.__benchCores ?? n }), threads);
      const page = await context.newPage();
      const errors = [];
      page.on('console', (m) => (m.type() === 'error' ? errors.push(m.text()) : log(m.text())));
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(`${srv.origin}/bench/browser/page.html?threads=${threads}`);
      await page.waitForFunction(() => window.benchReady === true || undefined, null, { timeout: 60_000 }).catch(() => {
        throw new Error(`the benchmark page did not load: ${errors.join('; ') || 'no error message'}`);
      });
      const isolated = await page.evaluate(() => globalThis.crossOriginIsolated);
      if (!isolated) throw new Error('the page is not cross-origin isolated (COOP/COEP headers missing): no SharedArrayBuffer, no threads');
      const r = await page.evaluate((c) => window.runBench(c), { ...cfg, webgpu: opts.webgpu && k === 0 });
      r.consoleErrors = errors;
      R.pages.push(r);
      await context.close();
    }
  } finally {
    await browser.close();
    await srv.close();
  }
  R.machine.loadavgEnd = os.loadavg().map((x) => +x.toFixed(2));
  R.elapsedSeconds = (performance.now() - t0) / 1e3;
  return R;
}

// ---------- tables ----------

function fmt(x) {
  if (!Number.isFinite(x)) return 'n/a';
  const a = Math.abs(x);
  return a >= 1000 ? Math.round(x).toLocaleString('en-US') : a >= 100 ? x.toFixed(0) : a >= 10 ? x.toFixed(1) : a >= 1 ? x.toFixed(2) : x.toPrecision(2);
}
const ratio = (x) => (Number.isFinite(x) ? `${x >= 10 ? x.toFixed(0) : x.toFixed(2)}×` : '–');
const val = (c, key) => (c && !c.na && Number.isFinite(c[key]) ? c[key] : NaN);
const mark = (c) => (c?.via === 'graph' ? '†' : '') + (c?.single ? '¹' : '');

function cellText(c, key) {
  if (c?.skipped) return 'skipped²';
  return c?.na ? 'n/a' : fmt(val(c, key)) + mark(c);
}

/** Columns: each library at each thread count. */
function columns(R) {
  const cols = [];
  for (const l of LIBS) for (const p of R.pages) cols.push({ lib: l, page: p, head: `${l} ${p.threads}t` });
  return cols;
}

function find(page, section, pred) {
  return page[section]?.find(pred);
}

function bars(R) {
  const out = [];
  const row = (p, id) => find(p, 'mlp', (r) => r.id === id);
  const one = R.pages.find((p) => p.threads === 1), two = R.pages.find((p) => p.threads === 2);
  const mnist = (p, lib) => (p ? val(row(p, 'mnist-sgd')?.results[lib], 'stepsPerSec') : NaN);
  const ours2 = mnist(two, 'gradlab'), ours1 = mnist(one, 'gradlab');
  out.push({ bar: `784-256-256-10 b128 SGD: gradlab 2 threads ≥ ${BARS.threadsSelf}× gradlab 1 thread (the two pages)`, need: BARS.threadsSelf, ours: ours2, peer: ours1, peerName: 'gradlab 1t', ratio: ours2 / ours1, why: two?.libs.gradlab.error });
  // The same ratio from the 2-thread page alone: its threaded and single-thread engines ran
  // run by run, so each pair shares the machine's state of that moment; the median of the
  // pairs' ratios (their spread in `spread`).
  const paired = (() => {
    const r = two && row(two, 'mnist-sgd');
    const a = r?.results.gradlab?.runs, b = r?.results[SAME_PAGE_ONE_THREAD]?.runs;
    if (!a?.length || a.length !== b?.length) return null;
    const ratios = a.map((x, i) => x / b[i]).sort((p, q) => p - q);
    return { ours: median(a), peer: median(b), ratio: median(ratios), spread: [ratios[0], ratios.at(-1)] };
  })();
  if (paired)
    out.push({ bar: `784-256-256-10 b128 SGD: gradlab 2 threads ≥ ${BARS.threadsSelf}× gradlab 1 thread, interleaved in the 2-thread page (median of ${two.mlp.find((r) => r.id === 'mnist-sgd').results.gradlab.runs.length} paired runs; their range ${paired.spread.map((x) => x.toFixed(2)).join('–')}×)`, need: BARS.threadsSelf, ours: paired.ours, peer: paired.peer, peerName: SAME_PAGE_ONE_THREAD, ratio: paired.ratio });
  const peers2 = PEERS.map((l) => [l, mnist(two, l)]).filter(([, x]) => Number.isFinite(x));
  const best2 = peers2.length === PEERS.length ? peers2.reduce((a, b) => (b[1] > a[1] ? b : a)) : [null, NaN];
  out.push({ bar: `784-256-256-10 b128 SGD: gradlab 2 threads ≥ ${BARS.threadsPeer}× the faster peer on 2 threads`, need: BARS.threadsPeer, ours: ours2, peer: best2[1], peerName: best2[0] && `${best2[0]} 2t`, ratio: ours2 / best2[1], why: two?.libs.gradlab.error });
  // The tiny model: gradlab on one thread against every peer at every thread count.
  const tinyOurs = one ? val(row(one, 'tiny-sgd')?.results.gradlab, 'stepsPerSec') : NaN;
  const tinyPeers = R.pages.flatMap((p) => PEERS.map((l) => [`${l} ${p.threads}t`, val(row(p, 'tiny-sgd')?.results[l], 'stepsPerSec')])).filter(([, x]) => Number.isFinite(x));
  const tinyBest = tinyPeers.length ? tinyPeers.reduce((a, b) => (b[1] > a[1] ? b : a)) : [null, NaN];
  out.push({ bar: `2-16-16-1 b32 SGD: gradlab 1 thread ≥ ${BARS.tiny}× the fastest peer at any thread count`, need: BARS.tiny, ours: tinyOurs, peer: tinyBest[1], peerName: tinyBest[0], ratio: tinyOurs / tinyBest[1] });
  for (const b of out) b.status = Number.isFinite(b.ratio) ? (b.ratio >= b.need ? 'PASS' : 'FAIL') : 'n/a';
  return out;
}

function tables(R) {
  const T = [];
  const cols = columns(R);
  const pages = R.pages;
  const gemmKeys = [];
  for (const p of pages) for (const r of p.gemm ?? []) if (!gemmKeys.some((k) => k.n === r.n && k.variant === r.variant)) gemmKeys.push({ n: r.n, variant: r.variant, label: r.label });
  if (gemmKeys.length) {
    T.push({
      title: 'Chromium, GEMM n×n f32, GFLOP/s (higher is better); Nt = N threads',
      head: ['n', 'op', ...cols.map((c) => c.head)],
      rows: gemmKeys.map((k) => [String(k.n), k.label, ...cols.map((c) => cellText(find(c.page, 'gemm', (r) => r.n === k.n && r.variant === k.variant)?.results[c.lib], 'gflops'))]),
      foot: [
        pages.some((p) => p.gemm?.some((r) => r.results.gradlab?.via === 'graph')) ? '† gradlab through the graph API (gl.gemm refuses more than 2³¹ multiply-adds per call).' : '',
        ((c) => (c ? `¹ the first call took over ${c.slowCallSeconds} s: the rate of one more timed call, not a median.` : ''))(pages.flatMap((p) => (p.gemm ?? []).flatMap((r) => Object.values(r.results))).find((c) => c?.single)),
        pages.some((p) => p.gemm?.some((r) => Object.values(r.results).some((c) => c?.skipped))) ? `² not run: one call would take over ${R.config.skipCallSeconds} s, judged from the rate at the previous size.` : '',
      ].filter(Boolean).join(' '),
    });
  }
  const mlpKeys = [];
  for (const p of pages) for (const r of p.mlp ?? []) if (!mlpKeys.some((k) => k.id === r.id)) mlpKeys.push({ id: r.id, label: r.label });
  if (mlpKeys.length) {
    T.push({
      title: 'Chromium, MLP training steps/s (forward + backward + update on one fixed batch; higher is better)',
      head: ['model, batch, optimizer', ...cols.map((c) => c.head)],
      textCols: 1,
      rows: mlpKeys.map((k) => [k.label, ...cols.map((c) => cellText(find(c.page, 'mlp', (r) => r.id === k.id)?.results[c.lib], 'stepsPerSec'))]),
    });
  }
  if (pages.some((p) => p.overhead)) {
    T.push({
      title: 'Chromium, per-call overhead of a scalar add read back to JavaScript, µs (lower is better)',
      head: ['', ...cols.map((c) => c.head)],
      textCols: 1,
      rows: [['µs/call', ...cols.map((c) => cellText(c.page.overhead?.results[c.lib], 'us'))]],
    });
  }
  const b = bars(R);
  T.push({
    title: 'Thread bars (ratios of medians from this run)',
    textCols: 1,
    head: ['bar', 'gradlab', 'reference', 'ratio', 'result'],
    rows: b.map((x) => [x.bar, fmt(x.ours), x.peerName ? `${fmt(x.peer)} (${x.peerName})` : 'n/a', ratio(x.ratio), x.status === 'n/a' && x.why ? 'n/a (gradlab 2 threads did not load: see above)' : x.status]),
  });
  return T;
}

function notes(R) {
  const lines = [];
  for (const p of R.pages)
    for (const l of LIBS) {
      const lib = p.libs[l];
      lines.push(`- ${l}, ${p.threads} thread${p.threads === 1 ? '' : 's'}: ${lib.error ? `n/a: ${lib.error}` : `${lib.version}; ${lib.details}`}`);
    }
  const w = R.pages.find((p) => p.jaxWebgpu)?.jaxWebgpu;
  if (w) {
    lines.push(w.na
      ? `- jax-js WebGPU: ${w.na}`
      : `- jax-js WebGPU (correctness only, adapter ${w.adapter}): GEMM n=${w.n} worst relative error ${VARIANTS.map((v) => `${v.label} ${w.errors[v.id].toExponential(1)}`).join(', ')} (bar 1e-4: ${VARIANTS.every((v) => w.errors[v.id] < 1e-4) ? 'all correct' : 'WRONG'})`);
  }
  for (const p of R.pages) {
    const bad = [];
    for (const r of p.mlp ?? []) for (const l of LIBS) if (r.results[l] && !r.results[l].na && !r.results[l].trains) bad.push(`${l} ${r.label}`);
    for (const s of ['gemm', 'mlp']) for (const r of p[s] ?? []) for (const l of LIBS) if (r.results[l]?.na && !r.results[l].na.startsWith('n/a')) bad.push(`${l} ${r.label ?? ''} ${r.n ?? ''}: ${r.results[l].na}`);
    if (bad.length) lines.push(`- ${p.threads} threads: PROBLEMS: ${bad.join('; ')}`);
    if (p.consoleErrors?.length) lines.push(`- ${p.threads} threads: console errors: ${p.consoleErrors.slice(0, 3).join(' | ')}`);
  }
  return lines;
}

function render(R, markdown) {
  const m = R.machine;
  const head = [
    `Measured ${m.date.slice(0, 10)} with \`${R.command}\` in ${m.browser} (headless, crossOriginIsolated ${R.pages.every((p) => p.crossOriginIsolated)}).`,
    '',
    `- Machine: ${m.cpu}, ${m.cores} logical CPUs; load average ${m.loadavgStart.join('/')} at start, ${m.loadavgEnd?.join('/') ?? '?'} at end; total time ${Math.round(R.elapsedSeconds)} s.`,
    `- Each figure: median of ${R.config.runs} runs, libraries interleaved run by run within a page; one page per thread count; wall-clock rates.`,
    ...notes(R),
  ];
  const out = [...head];
  for (const t of tables(R)) {
    if (markdown) {
      const esc = (s) => String(s).replace(/\|/g, '\\|');
      out.push('', `**${t.title}**`, '', `| ${t.head.map(esc).join(' | ')} |`, `|${t.head.map((_, j) => (j < (t.textCols ?? 2) ? ' --- ' : ' ---: ')).join('|')}|`);
      for (const r of t.rows) out.push(`| ${r.map(esc).join(' | ')} |`);
      if (t.foot) out.push('', t.foot);
    } else {
      const all = [t.head, ...t.rows];
      const w = t.head.map((_, j) => Math.max(...all.map((r) => [...(r[j] ?? '')].length)));
      const line = (r) => r.map((c, j) => (j < (t.textCols ?? 2) ? c.padEnd(w[j]) : c.padStart(w[j]))).join('  ');
      out.push('', t.title, line(t.head), w.map((x) => '-'.repeat(x)).join('  '), ...t.rows.map(line));
      if (t.foot) out.push(t.foot);
    }
  }
  return out.join('\n');
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  let R;
  if (opts.from) R = JSON.parse(readFileSync(opts.from, 'utf8'));
  else {
    R = await measure(opts);
    if (opts.out) {
      mkdirSync(new URL('.', new URL(opts.out, `file://${process.cwd()}/`)), { recursive: true });
      writeFileSync(opts.out, JSON.stringify(R, null, 1) + '\n');
      log(`wrote ${opts.out} (${R.elapsedSeconds.toFixed(0)} s)`);
    }
  }
  R.bars = bars(R);
  console.log(render(R, opts.markdown));
}

if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url))
  main().catch((e) => {
    console.error(e instanceof UsageError ? e.message : e?.stack ?? e);
    process.exit(e instanceof UsageError ? 2 : 1);
  });

export { bars, render };
