// The benchmark cases, shared by the Node run (bench/run.mjs) and the browser page
// (bench/browser/page.mjs): each library adapter (bench/gradlab.mjs, bench/peers/*.mjs) is
// timed on the same data, the libraries interleaved run by run. Browser-safe (no Node imports).
import { MLP_CASES, checkGemm, lossFromOutput, median, mlpProblem, timeCalls, uniform } from './common.mjs';

export const LIBS = ['gradlab', 'tfjs-wasm', 'jax-js'];
export const VARIANTS = [
  { id: 'ab', label: 'A·B' },
  { id: 'atb', label: 'Aᵀ·B' },
  { id: 'abt', label: 'A·Bᵀ' },
];
// Progress lines: stderr under Node; the browser page sends them to console.log.
export const progress = { log: (...a) => console.error(...a) };
const log = (...a) => progress.log(...a);

// Which libraries can run a section, and why the others cannot.
// LIBS first, then any extra engine a page adds (bench/browser/page.mjs: gradlab's single
// thread beside its threaded engine, for a same-page ratio), in the sections it does not mark missing.
function usable(libs, section) {
  const ok = [], na = {};
  for (const name of [...LIBS, ...Object.keys(libs).filter((n) => !LIBS.includes(n))]) {
    const lib = libs[name];
    if (lib.error) na[name] = `n/a (failed to load: ${lib.error})`;
    else if (lib.missing?.[section]) na[name] = lib.missing[section];
    else ok.push(name);
  }
  return { ok, na };
}

// CPU time / wall time of every timed block (a starvation indicator on this shared machine).
export const cpuShares = [];

// Run r visits the libraries starting at a different one each time.
const rotate = (list, r) => list.map((_, i) => list[(i + r) % list.length]);

export async function benchOverhead(libs, cfg) {
  const { ok, na } = usable(libs, 'overhead');
  const res = { what: 'scalar add with the result read back to a JavaScript number', results: {} };
  for (const [name, why] of Object.entries(na)) res.results[name] = { na: why };
  const inst = {};
  for (const name of ok) {
    try {
      inst[name] = libs[name].overhead();
      await timeCalls(inst[name].call, cfg.warmSeconds); // warm up (kernel compilation)
      res.results[name] = { runsUs: [], runsUsCpu: [] };
    } catch (e) {
      res.results[name] = { na: `n/a (error: ${e.message})` };
      delete inst[name];
    }
  }
  const names = Object.keys(inst);
  for (let r = 0; r < cfg.runs; r++)
    for (const name of rotate(names, r)) {
      const t = await timeCalls(inst[name].call, cfg.overheadSeconds);
      res.results[name].runsUs.push(t.perCall * 1e6);
      res.results[name].runsUsCpu.push(t.perCallCpu * 1e6);
      cpuShares.push(t.cpuShare);
    }
  for (const name of names) {
    res.results[name].us = median(res.results[name].runsUs);
    res.results[name].usCpu = median(res.results[name].runsUsCpu);
    inst[name].dispose();
    log(`overhead ${name}: ${res.results[name].us.toFixed(2)} µs/call`);
  }
  return res;
}

// Times each n×n GEMM cell of `inst` (its own call per library or path) in turn, rotating
// the order run by run, into row.results[name] (GFLOP/s by wall and CPU clock, medians),
// then disposes them. Returns the cell names.
async function timeGemmCells(inst, row, n, cfg) {
  const names = Object.keys(inst);
  const flop = 2 * n ** 3;
  for (let r = 0; r < cfg.runs; r++)
    for (const name of rotate(names, r)) {
      const t = await timeCalls(inst[name].call, cfg.gemmSeconds);
      row.results[name].runs.push(flop / t.perCall / 1e9);
      row.results[name].runsCpu.push(flop / t.perCallCpu / 1e9);
      cpuShares.push(t.cpuShare);
    }
  for (const name of names) {
    row.results[name].gflops = median(row.results[name].runs);
    row.results[name].gflopsCpu = median(row.results[name].runsCpu);
    inst[name].dispose();
  }
  return names;
}

export async function benchGemm(libs, cfg) {
  const { ok, na } = usable(libs, 'gemm');
  const rows = [];
  const lastRate = {}; // `${lib} ${variant}` -> GFLOP/s at the previous size
  for (const n of cfg.sizes) {
    const A = uniform(n * n, 1000 + n), B = uniform(n * n, 2000 + n);
    for (const v of VARIANTS) {
      const row = { n, variant: v.id, label: v.label, results: {} };
      for (const [name, why] of Object.entries(na)) row.results[name] = { na: why };
      const inst = {};
      for (const name of ok) {
        // cfg.skipCallSeconds: leave out a cell whose one call would take longer, judged from
        // the rate at the previous size (tfjs's Aᵀ·B at 2048 would take a minute a call).
        const predicted = 2 * n ** 3 / ((lastRate[`${name} ${v.id}`] ?? Infinity) * 1e9);
        if (predicted > (cfg.skipCallSeconds ?? Infinity)) {
          row.results[name] = { na: `n/a (skipped: about ${Math.round(predicted)} s a call, from its rate at the previous size)`, skipped: true };
          continue;
        }
        try {
          const it = libs[name].gemm(n, v.id, A, B);
          const first = await timeCalls(it.call, 0); // first call compiles / allocates
          const err = checkGemm(n, v.id, A, B, it.result());
          if (!(err < 1e-4)) {
            row.results[name] = { na: `WRONG RESULT (relative error ${err.toExponential(1)})` };
            it.dispose();
            continue;
          }
          const cell = { runs: [], runsCpu: [], maxRelErr: err, ...(it.via ? { via: it.via } : {}) };
          if (first.perCall > cfg.slowCallSeconds) {
            // Minutes for a full median (tfjs's Aᵀ·B at n = 2048): the rate of one more call.
            const t = await timeCalls(it.call, 0);
            Object.assign(cell, { gflops: 2 * n ** 3 / t.perCall / 1e9, gflopsCpu: 2 * n ** 3 / t.perCallCpu / 1e9, single: true, firstCallSeconds: first.perCall, slowCallSeconds: cfg.slowCallSeconds });
            it.dispose();
            row.results[name] = cell;
            continue;
          }
          await timeCalls(it.call, cfg.warmSeconds);
          inst[name] = it;
          row.results[name] = cell;
        } catch (e) {
          row.results[name] = { na: `n/a (error: ${e.message})` };
        }
      }
      const names = await timeGemmCells(inst, row, n, cfg);
      for (const [name, c] of Object.entries(row.results)) if (Number.isFinite(c.gflops)) lastRate[`${name} ${v.id}`] = c.gflops;
      log(`gemm n=${n} ${v.label}: ${names.map((k) => `${k} ${row.results[k].gflops.toFixed(2)}`).join(', ')} GFLOP/s`);
      rows.push(row);
    }
  }
  return rows;
}

export async function benchMlp(libs, cfg) {
  const { ok, na } = usable(libs, 'mlp');
  const problems = {};
  const rows = [];
  for (const kase of MLP_CASES) {
    const problem = (problems[kase.problem] ??= mlpProblem(kase.problem));
    const verifySteps = cfg.verifySteps[kase.problem];
    const row = { id: kase.id, label: kase.label, optimizer: kase.optimizer, lr: kase.lr, verifySteps, results: {} };
    for (const [name, why] of Object.entries(na)) row.results[name] = { na: why };
    const inst = {};
    for (const name of ok) {
      const lib = libs[name];
      try {
        const it = lib.mlp(problem, kase);
        const r = { lossInit: lossFromOutput(problem, await it.output()) };
        // Verification doubles as warm-up (jit compilation, heap growth).
        await it.run(verifySteps);
        r.lossVerify = lossFromOutput(problem, await it.output());
        r.trains = Number.isFinite(r.lossVerify) && r.lossVerify < r.lossInit * 0.95;
        // Steps per timed chunk: about chunkSeconds each, so the forcing/readback at the end of a
        // chunk is negligible and a block holds several chunks.
        let k = 1, t = 0, calibrated = 0;
        const timeChunk = async (steps) => {
          const t0 = performance.now();
          await it.run(steps);
          calibrated += steps;
          return (performance.now() - t0) / 1e3;
        };
        while ((t = await timeChunk(k)) < 0.02 && k < 1 << 20) k *= 4;
        // Other load only ever makes a chunk slower: take the fastest of three.
        t = Math.min(t, await timeChunk(k), await timeChunk(k));
        r.chunk = Math.max(1, Math.round((k * cfg.chunkSeconds) / t));
        r.steps = verifySteps + calibrated;
        r.runs = [];
        r.runsCpu = [];
        r.tensorsBefore = lib.tensorsLive?.();
        inst[name] = it;
        row.results[name] = r;
        if (!r.trains) log(`WARNING: ${name} ${kase.label}: loss ${r.lossInit} -> ${r.lossVerify} after ${verifySteps} steps: not training`);
      } catch (e) {
        row.results[name] = { na: `n/a (error: ${e.message})` };
      }
    }
    const names = Object.keys(inst);
    for (let rr = 0; rr < cfg.runs; rr++)
      for (const name of rotate(names, rr)) {
        const res = row.results[name];
        let chunks = 0;
        const t = await timeCalls(() => { chunks++; return inst[name].run(res.chunk); }, cfg.mlpSeconds);
        res.runs.push(res.chunk / t.perCall);
        res.runsCpu.push(res.chunk / t.perCallCpu);
        cpuShares.push(t.cpuShare);
        res.steps += chunks * res.chunk;
      }
    for (const name of names) {
      const res = row.results[name];
      res.stepsPerSec = median(res.runs);
      res.stepsPerSecCpu = median(res.runsCpu);
      res.lossEnd = lossFromOutput(problems[kase.problem], await inst[name].output());
      if (inst[name].reportedLoss) res.lossReported = inst[name].reportedLoss();
      const after = libs[name].tensorsLive?.();
      if (after !== undefined) res.tensorLeak = after - res.tensorsBefore;
      delete res.tensorsBefore;
      inst[name].dispose();
    }
    log(`mlp ${kase.label}: ${names.map((k) => `${k} ${row.results[k].stepsPerSec.toFixed(1)}`).join(', ')} steps/s`);
    rows.push(row);
  }
  return rows;
}


/**
 * Transpose as a view: gradlab's graph API `a.transpose().matmul(b)` (and `a.matmul(b.transpose())`)
 * against gl.gemm with transA (transB) on the same matrices, interleaved run by run, plus the
 * copy path (the same graph with the transpose also read by a second op, so its value is
 * computed every forward). Each call: g.forward() and C copied out; gl.gemm copies A and B
 * in and C out.
 */
export async function benchView(libs, cfg) {
  const lib = libs.gradlab;
  if (lib.error || lib.missing?.view) return { na: lib.error ? `n/a (failed to load: ${lib.error})` : lib.missing.view, rows: [] };
  const rows = [];
  for (const n of cfg.viewSizes) {
    const A = uniform(n * n, 1000 + n), B = uniform(n * n, 2000 + n);
    for (const v of VARIANTS.filter((x) => x.id !== 'ab')) {
      const row = { n, variant: v.id, label: v.label, results: {} };
      const inst = {
        'gl.gemm': lib.gemm(n, v.id, A, B),
        'graph view': lib.graphMatmul(n, v.id, A, B),
        'graph copy': lib.graphMatmul(n, v.id, A, B, { pinned: true }),
      };
      for (const [name, it] of Object.entries(inst)) {
        await timeCalls(it.call, 0);
        const err = checkGemm(n, v.id, A, B, it.result());
        if (!(err < 1e-4)) throw new Error(`transpose view: ${name} n=${n} ${v.label} has relative error ${err}`);
        await timeCalls(it.call, cfg.warmSeconds);
        row.results[name] = { runs: [], runsCpu: [], maxRelErr: err };
      }
      // The view and gl.gemm give the same bits (the GEMM's reproducibility contract).
      const same = inst['graph view'].result().every((x, i) => Object.is(x, inst['gl.gemm'].result()[i]));
      row.bitIdentical = same;
      const names = await timeGemmCells(inst, row, n, cfg);
      log(`view n=${n} ${v.label}: ${names.map((k) => `${k} ${row.results[k].gflops.toFixed(2)}`).join(', ')} GFLOP/s`);
      rows.push(row);
    }
  }
  return { rows };
}
