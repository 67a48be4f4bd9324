#!/usr/bin/env node
// Side-by-side benchmark, one Node process: gradlab vs @tensorflow/tfjs + tfjs-backend-wasm vs
// @jax-js/jax (wasm). Prints GEMM GFLOP/s, MLP training steps/s and per-call overhead, each the
// median of several runs with the libraries interleaved run by run, our/peer ratios and the
// pass/fail of the design bars. See docs/benchmarks.md.
//
//   npm run bench                          full run (about 3-6 minutes on 2 vCPUs)
//   node bench/run.mjs --quick             smoke test: n = 64 and 512, 3 runs, short blocks
//   node bench/run.mjs --only gemm         or view, mlp, overhead (comma-separated for several)
//   node bench/run.mjs --only view --view-sizes 1024   the transpose-view rows (graph API vs gl.gemm)
//   node bench/run.mjs --markdown          print the tables as Markdown (for docs/benchmarks.md)
//   node bench/run.mjs --from bench/results/latest.json --markdown   re-render without measuring
//   node bench/run.mjs --clock cpu         rates per second of process CPU time instead of wall time
//   node bench/run.mjs --runs 7 --sizes 256,512
//   node bench/run.mjs --gradlab ../other/web/gradlab.js   gradlab from another build (labelled gradlab*)
//   node bench/run.mjs --threads 2         gradlab's threaded engine on 2 threads (default: 1, single-thread engine)
// Progress goes to stderr; the tables go to stdout; the results go to bench/results/latest.json.
import os from 'node:os';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { median } from './common.mjs';
import { LIBS, VARIANTS, benchGemm, benchMlp, benchOverhead, benchView, cpuShares } from './suite.mjs';

const USAGE = 'usage: node bench/run.mjs [--quick] [--only gemm|view|mlp|overhead[,...]] [--markdown] [--clock wall|cpu] [--runs N] [--sizes 64,128,...] [--view-sizes 512,1024] [--from FILE] [--out FILE] [--gradlab MODULE] [--threads N]';
const SECTIONS = ['overhead', 'gemm', 'view', 'mlp'];
const PEERS = ['tfjs-wasm', 'jax-js'];
const BARS = { gemm: 1.2, tiny: 25, mnist: 1.8, view: 0.95 };

class UsageError extends Error {}

function parseArgs(argv) {
  const o = { viewSizes: null, quick: false, only: SECTIONS, markdown: false, clock: 'wall', runs: null, sizes: null, from: null, out: 'bench/results/latest.json', gradlabModule: null, threads: 1 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => {
      if (i + 1 >= argv.length) throw new UsageError(`${a} needs a value\n${USAGE}`);
      return argv[++i];
    };
    if (a === '--quick') o.quick = true;
    else if (a === '--markdown') o.markdown = true;
    else if (a === '--only') {
      o.only = val().split(',');
      for (const s of o.only) if (!SECTIONS.includes(s)) throw new UsageError(`--only: unknown section "${s}" (${SECTIONS.join(', ')})`);
    } else if (a === '--runs') {
      o.runs = Number(val());
      if (!Number.isInteger(o.runs) || o.runs < 3) throw new UsageError('--runs must be an integer ≥ 3 (each figure is a median of at least 3 runs)');
    } else if (a === '--sizes') {
      o.sizes = val().split(',').map(Number);
      if (o.sizes.some((n) => !Number.isInteger(n) || n < 1)) throw new UsageError('--sizes: positive integers, comma-separated');
    } else if (a === '--view-sizes') {
      o.viewSizes = val().split(',').map(Number);
      if (o.viewSizes.some((n) => !Number.isInteger(n) || n < 1)) throw new UsageError('--view-sizes: positive integers, comma-separated');
    } else if (a === '--clock') {
      o.clock = val();
      if (o.clock !== 'wall' && o.clock !== 'cpu') throw new UsageError('--clock must be wall or cpu');
    } else if (a === '--from') o.from = val();
    else if (a === '--out') o.out = val();
    else if (a === '--gradlab') o.gradlabModule = val();
    else if (a === '--threads') {
      o.threads = Number(val());
      if (!Number.isInteger(o.threads) || o.threads < 1) throw new UsageError('--threads must be a positive integer (gradlab\'s threaded engine; 1 = the single-thread one)');
    }
    else if (a === '-h' || a === '--help') { console.log(USAGE); process.exit(0); }
    else throw new UsageError(`unknown option ${a}\n${USAGE}`);
  }
  return o;
}

const log = (...a) => console.error(...a);

function machine() {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model?.trim() ?? 'unknown',
    cores: cpus.length,
    node: process.version,
    v8: process.versions.v8,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    memoryGiB: +(os.totalmem() / 2 ** 30).toFixed(1),
    date: new Date().toISOString(),
    loadavgStart: os.loadavg().map((x) => +x.toFixed(2)),
  };
}

async function loadLibs(opts) {
  const loaders = {
    gradlab: async () => (await import('./gradlab.mjs')).load({ module: opts.gradlabModule, threads: opts.threads }),
    'tfjs-wasm': async () => (await import('./peers/tfjs.mjs')).load(),
    'jax-js': async () => (await import('./peers/jax.mjs')).load(),
  };
  const libs = {};
  for (const name of LIBS) {
    try {
      libs[name] = await loaders[name]();
      log(`loaded ${name}: ${libs[name].version}; ${libs[name].details}`);
    } catch (e) {
      libs[name] = { name, error: String(e?.message ?? e).split('\n')[0] };
      log(`could not load ${name}: ${libs[name].error}`);
    }
  }
  return libs;
}

// ---------- ratios and bars ----------

// Figures are medians of wall-clock rates (default) or, with --clock cpu, of rates per second of
// this process's CPU time (steadier when other load starves the process).
let clockSuffix = '';
const fig = (cell, key) => (cell && Number.isFinite(cell[key + clockSuffix]) ? cell[key + clockSuffix] : NaN);

function bars(results) {
  const out = [];
  const g512 = results.gemm?.filter((r) => r.n === 512) ?? [];
  const tfAB = fig(g512.find((r) => r.variant === 'ab')?.results['tfjs-wasm'], 'gflops');
  for (const v of VARIANTS) {
    const ours = fig(g512.find((r) => r.variant === v.id)?.results.gradlab, 'gflops');
    out.push({ bar: `GEMM n=512 ${v.label} ≥ ${BARS.gemm}× tfjs-wasm A·B`, need: BARS.gemm, ratio: ours / tfAB, ours, peer: tfAB, peerName: 'tfjs-wasm A·B' });
  }
  for (const [id, need] of [['tiny-sgd', BARS.tiny], ['mnist-sgd', BARS.mnist]]) {
    const row = results.mlp?.find((r) => r.id === id);
    const ours = fig(row?.results.gradlab, 'stepsPerSec');
    const peers = PEERS.map((p) => [p, fig(row?.results[p], 'stepsPerSec')]).filter(([, x]) => Number.isFinite(x));
    // The faster peer; with a peer missing the bar is not decided.
    const best = peers.length === PEERS.length ? peers.reduce((a, b) => (b[1] > a[1] ? b : a)) : [null, NaN];
    out.push({ bar: `${row?.label ?? id} ≥ ${need}× the faster peer`, need, ratio: ours / best[1], ours, peer: best[1], peerName: best[0] });
  }
  for (const r of results.view?.rows ?? []) {
    const ours = fig(r.results['graph view'], 'gflops'), ref = fig(r.results['gl.gemm'], 'gflops');
    const flag = r.variant === 'atb' ? 'transA' : 'transB';
    out.push({ bar: `n=${r.n} graph ${r.variant === 'atb' ? 'a.transpose().matmul(b)' : 'a.matmul(b.transpose())'} ≥ ${BARS.view}× gl.gemm ${flag}`, need: BARS.view, ratio: ours / ref, ours, peer: ref, peerName: `gl.gemm ${flag}` });
  }
  for (const b of out) b.status = Number.isFinite(b.ratio) ? (b.ratio >= b.need ? 'PASS' : 'FAIL') : 'n/a';
  return out;
}

// ---------- rendering ----------

function fmt(x, digits) {
  if (!Number.isFinite(x)) return 'n/a';
  if (digits !== undefined) return x.toFixed(digits);
  const a = Math.abs(x);
  return a >= 1000 ? Math.round(x).toLocaleString('en-US') : a >= 100 ? x.toFixed(0) : a >= 10 ? x.toFixed(1) : a >= 1 ? x.toFixed(2) : x.toPrecision(2);
}
const ratio = (x) => (Number.isFinite(x) ? `${x >= 10 ? x.toFixed(0) : x.toFixed(2)}×` : '–');
const cellOf = (c, key) => (c?.na ? (c.na.startsWith('n/a') ? 'n/a' : c.na) : fmt(fig(c, key)));
const mark = (c) => (c?.via === 'graph' ? '†' : '') + (c?.single ? '¹' : '');
function gemmFootnotes(rows) {
  const cells = rows.flatMap((r) => Object.values(r.results));
  const notes = [];
  if (cells.some((c) => c?.via === 'graph')) notes.push('† gradlab through the graph API (a.matmul(b) with transpose views, g.forward() + c.data()): gl.gemm refuses more than 2³¹ multiply-adds per call.');
  const single = cells.find((c) => c?.single);
  if (single) notes.push(`¹ the first call took over ${single.slowCallSeconds} s: the rate of one more timed call, not a median.`);
  return notes.join(' ');
}

function tables(R) {
  const T = [];
  const libHead = LIBS.map((l) => (l === 'gradlab' && R.gradlabModule ? 'gradlab*' : l));
  if (R.overhead) {
    const res = R.overhead.results;
    const ours = fig(res.gradlab, 'us');
    T.push({
      title: `Per-call overhead: ${R.overhead.what} (µs per call, lower is better; speedup = peer µs / gradlab µs)`,
      head: ['', ...libHead, 'speedup vs tfjs-wasm', 'speedup vs jax-js'],
      textCols: 1,
      rows: [['µs/call', ...LIBS.map((l) => cellOf(res[l], 'us')), ...PEERS.map((p) => ratio(fig(res[p], 'us') / ours))]],
    });
  }
  if (R.gemm?.length) {
    T.push({
      title: 'GEMM, n×n·n×n f32, GFLOP/s = 2n³/time (higher is better)',
      head: ['n', 'op', ...libHead, 'gradlab/tfjs-wasm', 'gradlab/jax-js'],
      rows: R.gemm.map((r) => {
        const ours = fig(r.results.gradlab, 'gflops');
        return [String(r.n), r.label, ...LIBS.map((l) => cellOf(r.results[l], 'gflops') + mark(r.results[l])), ...PEERS.map((p) => ratio(ours / fig(r.results[p], 'gflops')))];
      }),
      foot: gemmFootnotes(R.gemm),
    });
  }
  if (R.view?.rows?.length) {
    T.push({
      title: 'Transpose as a view: graph API matmul of a transpose node vs gl.gemm with the flag, f32 GFLOP/s (higher is better)',
      head: ['n', 'op', 'gl.gemm flag', 'graph view', 'graph copy path', 'view/gl.gemm', 'view/copy', 'same bits'],
      rows: R.view.rows.map((r) => {
        const g = (k) => fig(r.results[k], 'gflops');
        return [String(r.n), `${r.label} (${r.variant === 'atb' ? 'a.transpose().matmul(b)' : 'a.matmul(b.transpose())'})`, fmt(g('gl.gemm')), fmt(g('graph view')), fmt(g('graph copy')),
          ratio(g('graph view') / g('gl.gemm')), ratio(g('graph view') / g('graph copy')), r.bitIdentical ? 'yes' : 'NO'];
      }),
      foot: 'gl.gemm: A and B copied in, C out, per call. Graph: leaves a, b set once; each call g.forward() then c.data(). Copy path: the same graph with the transpose also read by a second op (neg), so its value is computed on every forward, as before transpose views.',
    });
  }
  if (R.mlp?.length) {
    T.push({
      title: 'MLP training, steps/s (one step = forward + backward + update on one fixed batch; higher is better)',
      head: ['model, batch, optimizer', 'lr', ...libHead, 'gradlab/tfjs-wasm', 'gradlab/jax-js'],
      rows: R.mlp.map((r) => {
        const ours = fig(r.results.gradlab, 'stepsPerSec');
        return [r.label, String(r.lr), ...LIBS.map((l) => cellOf(r.results[l], 'stepsPerSec')), ...PEERS.map((p) => ratio(ours / fig(r.results[p], 'stepsPerSec')))];
      }),
    });
    const rows = [];
    for (const r of R.mlp)
      for (const l of LIBS) {
        const c = r.results[l];
        if (!c || c.na) continue;
        rows.push([r.label, libHead[LIBS.indexOf(l)], fmt(c.lossInit, 4), fmt(c.lossVerify, 4) + ` (${r.verifySteps})`,
          `${fmt(c.lossEnd, 4)} (${Math.round(c.steps).toLocaleString('en-US')})`, c.trains ? 'yes' : 'NO', String(c.chunk)]);
      }
    T.push({
      title: 'MLP losses (computed in JavaScript from each library\'s own predictions; steps trained so far in parentheses)',
      head: ['model', 'library', 'loss at init', 'after warm-up', 'at end', 'trains', 'steps/chunk'],
      rows,
    });
  }
  if (R.bars?.length) {
    T.push({
      title: 'Design bars (ratios of medians from this run)',
      textCols: 1,
      head: ['bar', 'gradlab', 'peer', 'ratio', 'result', R.clock === 'cpu' ? 'ratio, wall clock' : 'ratio, CPU clock'],
      rows: R.bars.map((b) => [b.bar, fmt(b.ours), b.peerName ? `${fmt(b.peer)} (${b.peerName})` : 'n/a', ratio(b.ratio), b.status, ratio(b.ratioOtherClock)]),
    });
  }
  return T;
}

function renderText(R) {
  const lines = [`gradlab side-by-side benchmark, ${R.machine.date}`, machineLine(R)];
  for (const l of LIBS) lines.push(`  ${l}: ${libLine(R.libs[l])}`);
  lines.push(`each figure: median of ${R.config.runs} runs, libraries interleaved run by run${R.config.quick ? ' (--quick)' : ''}; ${clockText(R)}`);
  for (const t of tables(R)) {
    const all = [t.head, ...t.rows];
    const w = t.head.map((_, j) => Math.max(...all.map((r) => [...(r[j] ?? '')].length)));
    const line = (r) => r.map((c, j) => (j < (t.textCols ?? 2) ? c.padEnd(w[j]) : c.padStart(w[j]))).join('  ');
    lines.push('', t.title, line(t.head), w.map((x) => '-'.repeat(x)).join('  '), ...t.rows.map(line));
    if (t.foot) lines.push(t.foot);
  }
  lines.push('', notesLine(R));
  return lines.join('\n');
}

function renderMarkdown(R) {
  const lines = [`Measured ${R.machine.date.slice(0, 10)} with \`${R.command}\`.`, '', `- Machine: ${machineLine(R)}`];
  for (const l of LIBS) lines.push(`- ${l}: ${libLine(R.libs[l])}`);
  lines.push(`- Each figure: median of ${R.config.runs} runs, libraries interleaved run by run${R.config.quick ? ' (`--quick`)' : ''}; ${clockText(R)}; total time ${Math.round(R.elapsedSeconds)} s.`);
  const esc = (s) => String(s).replace(/\|/g, '\\|');
  for (const t of tables(R)) {
    lines.push('', `**${t.title}**`, '', `| ${t.head.map(esc).join(' | ')} |`, `|${t.head.map((_, j) => (j < (t.textCols ?? 2) ? ' --- ' : ' ---: ')).join('|')}|`);
    for (const r of t.rows) lines.push(`| ${r.map(esc).join(' | ')} |`);
    if (t.foot) lines.push('', t.foot);
  }
  lines.push('', notesLine(R));
  return lines.join('\n');
}

function clockText(R) {
  return R.clock === 'cpu' ? 'rates per second of process CPU time (--clock cpu)' : 'rates per second of wall-clock time';
}
function machineLine(R) {
  const m = R.machine;
  const share = R.cpuShare ? `; CPU time / wall time in timed blocks: median ${Math.round(R.cpuShare.median * 100)}%, 10th percentile ${Math.round(R.cpuShare.p10 * 100)}%` : '';
  return `${m.cpu}, ${m.cores} logical CPUs, ${m.memoryGiB} GiB, ${m.os}, Node ${m.node} (V8 ${m.v8}); load average ${m.loadavgStart.join('/')} at start, ${m.loadavgEnd?.join('/') ?? '?'} at end${share}`;
}
function libLine(lib) {
  return lib.error ? `failed to load: ${lib.error}` : `${lib.version}; ${lib.details}`;
}
function notesLine(R) {
  const notes = [];
  if (R.cpuShare && R.cpuShare.median < 0.9)
    notes.push(`NOISY: this process got only ${Math.round(R.cpuShare.median * 100)}% of a CPU in the median timed block (10th percentile ${Math.round(R.cpuShare.p10 * 100)}%): other load competed for the CPUs and absolute figures are low; ratios are fairer, as the libraries were interleaved.`);
  if (R.gradlabModule) notes.push(`gradlab* was loaded from ${R.gradlabModule}, not from this checkout.`);
  const leaks = (R.mlp ?? []).flatMap((r) => LIBS.filter((l) => r.results[l]?.tensorLeak > 0).map((l) => `${l} ${r.label} leaked ${r.results[l].tensorLeak} tensors`));
  if (leaks.length) notes.push(`Leaks: ${leaks.join('; ')}.`);
  const notTraining = (R.mlp ?? []).flatMap((r) => LIBS.filter((l) => r.results[l] && !r.results[l].na && !r.results[l].trains).map((l) => `${l} ${r.label}`));
  if (notTraining.length) notes.push(`NOT TRAINING (loss did not fall by 5% in the warm-up): ${notTraining.join('; ')}.`);
  if (R.mlp?.length && !notTraining.length && !leaks.length) notes.push('Every library measured trained (its loss fell during the warm-up); no tensor leaks seen.');
  return notes.length ? `Notes: ${notes.join(' ')}` : '';
}

// ---------- main ----------

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  let R;
  if (opts.from) {
    R = JSON.parse(readFileSync(opts.from, 'utf8'));
  } else {
    const t0 = performance.now();
    const cfg = opts.quick
      ? { runs: 3, sizes: [64, 512], viewSizes: [512], warmSeconds: 0.03, gemmSeconds: 0.1, overheadSeconds: 0.1, mlpSeconds: 0.2, chunkSeconds: 0.03, slowCallSeconds: 1, verifySteps: { tiny: 100, mnist: 10 } }
      : { runs: 5, sizes: [64, 128, 256, 512, 1024, 2048], viewSizes: [512, 1024], warmSeconds: 0.1, gemmSeconds: 0.25, overheadSeconds: 0.25, mlpSeconds: 0.5, chunkSeconds: 0.05, slowCallSeconds: 3, verifySteps: { tiny: 300, mnist: 20 } };
    if (opts.runs) cfg.runs = opts.runs;
    if (opts.sizes) cfg.sizes = opts.sizes;
    if (opts.viewSizes) cfg.viewSizes = opts.viewSizes;
    cfg.quick = opts.quick;
    cfg.only = opts.only;
    R = { command: ['node bench/run.mjs', ...process.argv.slice(2)].join(' '), machine: machine(), config: cfg, gradlabModule: opts.gradlabModule };
    const libs = await loadLibs(opts);
    R.libs = Object.fromEntries(LIBS.map((l) => [l, libs[l].error ? { error: libs[l].error } : { version: libs[l].version, details: libs[l].details, singleThread: libs[l].singleThread }]));
    for (const l of LIBS) if (libs[l].singleThread === false) log(`WARNING: ${l} may use more than one thread`);
    if (opts.only.includes('overhead')) R.overhead = await benchOverhead(libs, cfg);
    if (opts.only.includes('gemm')) R.gemm = await benchGemm(libs, cfg);
    if (opts.only.includes('view')) R.view = await benchView(libs, cfg);
    if (opts.only.includes('mlp')) R.mlp = await benchMlp(libs, cfg);
    R.machine.loadavgEnd = os.loadavg().map((x) => +x.toFixed(2));
    R.elapsedSeconds = (performance.now() - t0) / 1e3;
    const sorted = [...cpuShares].sort((a, b) => a - b);
    R.cpuShare = { median: median(cpuShares), min: sorted[0], p10: sorted[Math.floor(sorted.length / 10)] };
    if (opts.out) mkdirSync(new URL('.', new URL(opts.out, `file://${process.cwd()}/`)), { recursive: true });
  }
  R.clock = opts.clock;
  clockSuffix = opts.clock === 'cpu' ? 'Cpu' : '';
  R.bars = bars(R);
  // The same bars under the other clock, as a cross-check of noise.
  clockSuffix = opts.clock === 'cpu' ? '' : 'Cpu';
  const other = bars(R);
  clockSuffix = opts.clock === 'cpu' ? 'Cpu' : '';
  R.bars.forEach((b, i) => { b.ratioOtherClock = other[i].ratio; });
  if (!opts.from && opts.out) {
    writeFileSync(opts.out, JSON.stringify(R, null, 1) + '\n');
    log(`wrote ${opts.out} (${R.elapsedSeconds.toFixed(0)} s)`);
  }
  console.log(opts.markdown ? renderMarkdown(R) : renderText(R));
}

main().then(
  () => process.exit(0), // tfjs/jax keep handles open
  (e) => {
    console.error(e instanceof UsageError ? e.message : e?.stack ?? e);
    process.exit(e instanceof UsageError ? 2 : 1);
  },
);
