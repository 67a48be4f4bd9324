// Seed 001 exercise 5 and §7.2 (gradient checkpointing: memory, recompute, the +33 %),
// seed 002's "~30 % extra compute" and its 32-layer question, on the engine's measured runs
// (ops and the FLOPs of every op the engine ran: backward ≈ 2× forward is counted, not assumed).
import { startTopic, num } from '../site.js';
import '../../widgets/quiz.js';

const pct = (x) => 100 * x;

function render(gl, v, ui) {
  const depth = Math.round(v.depth), every = Math.round(v.every);
  if (!(depth >= 2 && depth <= 64)) throw new Error(`depth must be a whole number from 2 to 64, got ${v.depth}`);
  if (!(every >= 1 && every <= depth)) throw new Error(`k must be a whole number from 1 to depth = ${depth}, got ${v.every}`);
  const c = gl.checkpointing({ depth, every, width: 64, batch: 32, seed: 1 });
  const off = c.withoutCheckpointing, on = c.withCheckpointing;
  const seedRun = ui.atSeed('depth', 'every');
  // Overheads: by op count, and by the FLOPs the engine counted for each op it ran.
  const byOps = on.recomputedOps / (off.forwardOps + off.backwardOps);
  const byFlops = on.recomputedFlops / (off.forwardFlops + off.backwardFlops);
  const backwardRatio = off.backwardFlops / off.forwardFlops;
  const fullRecompute = off.forwardFlops / (off.forwardFlops + off.backwardFlops);
  ui.compare('run', [
    { key: 'peakOff', label: 'peak activation memory, no checkpointing', seed: null, verdict: 'info', engine: off.peakActivationBytes, unit: 'bytes' },
    { key: 'peakOn', label: `peak activation memory, checkpoint every ${every}`, seed: null, verdict: 'info', engine: on.peakActivationBytes, unit: 'bytes' },
    { key: 'saving', label: 'memory saved', seed: null, verdict: 'info', engine: 1 - on.peakActivationBytes / off.peakActivationBytes, engineText: `${num(pct(1 - on.peakActivationBytes / off.peakActivationBytes), 3)} %` },
    { key: 'identical', label: '(c) gradients identical, bit for bit (1 = yes)', seed: '1', engine: c.gradientsIdentical ? 1 : 0 },
    { key: 'recomputed', label: 'ops recomputed during backward', seed: null, verdict: 'info', engine: on.recomputedOps, engineText: `${on.recomputedOps} of ${off.forwardOps}` },
    { key: 'overheadOps', label: '(d) measured overhead: recomputed ops / ops of a step', seed: seedRun ? '33' : null, unit: '%', engine: pct(byOps), digits: 3, tol: 1,
      correction: `+33 % is one full extra forward pass priced at a third of a step, which assumes backward ≈ 2× forward. Counted in ops, as the engine runs them (one backward op per forward op here), recomputing ${on.recomputedOps} of ${off.forwardOps} forward ops costs ${num(pct(byOps), 3)} %. In the FLOPs the engine counted (its backward is ${num(backwardRatio, 3)}× its forward) it is ${num(pct(byFlops), 3)} %: less than 33 % because the last segment is never recomputed.` },
    { key: 'bwdRatio', label: 'backward FLOPs ÷ forward FLOPs, counted by the engine (seed: ≈ 2)', seed: '2', engine: backwardRatio, digits: 4, tol: 0.15 },
    { key: 'overheadFull', label: 'one whole forward again, in this run\'s FLOPs (the seed: 1/3)', seed: '33', unit: '%', engine: pct(fullRecompute), digits: 3, tol: 2 },
    { key: 'overheadFlops', label: 'this run: recomputed FLOPs / FLOPs of a step (seed 002: "~30 %")', seed: seedRun ? '30' : null, unit: '%', engine: pct(byFlops), digits: 3, tol: 5 },
  ]);
  ui.plot('timeline', {
    series: [
      { name: 'no checkpointing', points: off.timeline.map((s, i) => [i, s.activationBytes]) },
      { name: `checkpoint every ${every}`, points: on.timeline.map((s, i) => [i, s.activationBytes]) },
    ],
    xLabel: 'op of the step (forward, then backward)', yLabel: 'live activation bytes', title: 'Activation memory through one training step',
  });
  // (e) the sweep over k.
  const sweep = gl.checkpointingSweep({ depth, width: 64, batch: 32, seed: 1 });
  ui.plot('sweep', {
    series: [
      { name: 'peak activation bytes ÷ no-checkpoint peak', points: sweep.runs.map((r) => [r.every, r.peakActivationBytes / sweep.withoutCheckpointing.peakActivationBytes]) },
      { name: 'recompute overhead (ops)', points: sweep.runs.map((r) => [r.every, r.recomputeOverhead]) },
      { name: 'recompute overhead (FLOPs)', points: sweep.runs.map((r) => [r.every, r.recomputeOverheadFlops]) },
    ],
    xLabel: 'k (layers per segment)', yLabel: 'fraction', title: 'Memory and recompute by segment length',
  });
  // Seed 002's question: 32 layers, √32 ≈ 5.66, so a checkpoint every 6 layers.
  const q = gl.checkpointing({ depth: 32, every: 6, width: 64, batch: 32, seed: 1 });
  ui.compare('q32', [
    { key: 'q32checkpoints', label: '002: 32 layers, a checkpoint every ⌈√32⌉ = 6: checkpoints stored', seed: '5', engine: q.withCheckpointing.checkpoints },
    { key: 'q32memory', label: 'peak activation memory, ÷ without checkpointing', seed: null, verdict: 'info', engine: q.withCheckpointing.peakActivationBytes / q.withoutCheckpointing.peakActivationBytes, digits: 3 },
    { key: 'q32identical', label: 'gradients identical (1 = yes)', seed: '1', engine: q.gradientsIdentical ? 1 : 0 },
  ]);
  ui.compare('best', [
    { key: 'bestMem', label: 'k with the least memory (seed: k = √L)', seedText: `√${depth} = ${num(Math.sqrt(depth), 3)}`, seed: null, verdict: 'info', engine: sweep.bestMemoryEvery },
    { key: 'bestCost', label: '(e) k with the least memory × compute', seed: null, verdict: 'info', engine: sweep.bestCostEvery },
  ]);
}

startTopic({ render });
