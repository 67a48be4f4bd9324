// Compiled with tsc --noEmit: the hand-written .d.ts must describe real usage.
import {
  createGradlab, type Graph, type Tensor, type NodeRecord, type Model, type ModelJSON, type TrainResult,
  type ActivationStatsRecord,
} from '../../web/gradlab.js';

async function main(): Promise<number> {
  const gl = await createGradlab();
  const g: Graph = gl.graph({ dtype: 'f64' });
  const a: Tensor = g.scalar(2, 'a');
  const b = g.scalar(-3, 'b');
  const c = g.scalar(10, 'c');
  const L = a.mul(b).add(c).pow(2);
  L.backward();
  const grad: number = a.grad as number;
  const W = g.tensor([[1, 2], [3, 4]], 'W');
  const x = g.tensor(new Float64Array([1, 2]), [2], 'x');
  const y = W.matmul(x).relu().sum();
  y.backward();
  const nodes: NodeRecord[] = g.nodes();
  const check = g.gradcheck(y);
  // Seed 001 exercises 5–8: LoRA, attention, checkpointing, loss scaling.
  const A = g.tensor([[0.1, 0.2]], 'A');
  const B = g.tensor([[0.5], [0.3]], 'B');
  const lora: Tensor = x.loraLinear([[1, 0], [0, 1]], A, B, { alpha: 2, rank: 1 });
  const O: Tensor = W.attention(W, W, { causal: true });
  const modes = g.compareModes(O.sum());
  g.dispose();
  {
    using h = gl.graph({ dtype: 'f32' });  // the README's `using` form: disposed at the end of the block
    h.scalar(1).exp().backward();
  }
  const ck = gl.checkpointing({ depth: 16, width: 64, batch: 32, every: 4, seed: 1, dtype: 'f32' });
  const bytes: number = ck.withCheckpointing.peakActivationBytes - ck.withoutCheckpointing.peakActivationBytes;
  const same: boolean = ck.gradientsIdentical;
  const phase: 'forward' | 'backward' | 'recompute' = ck.withCheckpointing.timeline[0].phase;
  const sweep = gl.checkpointingSweep({ depth: 16, every: [1, 4, 16] });
  const best: number = sweep.bestMemoryEvery + sweep.runs[0].recomputeOverhead;
  const ls = gl.lossScaling({ format: 'bf16', scale: 1024 });
  const err: number | null = ls.scaled.relError;
  return grad + nodes.length + check.relError + lora.size + modes.forwardPasses + bytes + best +
    ls.unscaled.underflowShare + (err ?? 0) + (same ? 1 : 0) + phase.length;
}

async function training(): Promise<number> {
  const gl = await createGradlab();
  const data = gl.dataset('moons', { n: 200, noise: 0.1, seed: 1 });
  const model: Model<'f32'> = gl.mlp([2, 16, 16, 1], {
    activation: 'tanh', output: 'none', init: 'auto', seed: 0, dtype: 'f32', residual: false, layerNorm: [false, true, false],
  });
  const r: TrainResult<'f32'> = model.train({
    x: data.x, y: data.y, steps: 100, batchSize: 32, loss: 'bce', optimizer: 'adam', lr: 0.01,
    beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, clipNorm: 1,
    schedule: { type: 'warmupCosine', warmup: 10, total: 100, lrMin: 0 }, accumSteps: 1, sampling: 'random', seed: 0,
  });
  const losses: Float32Array = r.losses;
  const out: Float32Array = model.predict([[0, 1], [1, 0]]);
  const { accuracy } = model.evaluate({ x: data.x, y: data.y, loss: 'bce' });
  const params: Float32Array = model.params;
  const norms: number[] = model.layerGradNorms();
  const stats: ActivationStatsRecord[] = model.activationStats({ x: data.x });
  const json: ModelJSON = model.toJSON();
  const copy = gl.mlpFromJSON(JSON.stringify(json));
  copy.loadParams(json);
  copy.dispose();
  const controller = new AbortController();
  const long: TrainResult<'f32'> = await model.trainAsync({
    x: data.x, y: data.y, steps: 5000, chunkSteps: 500, signal: controller.signal,
    onProgress: (p) => { if (p.step >= p.steps / 2 && p.loss < 0.1) controller.abort(); },
  });
  const summary: string = JSON.stringify({ gl, graph: gl.graph().toJSON() });
  const f64 = gl.mlp([3, 4, 2], { dtype: 'f64', activations: ['gelu', 'none'] });
  const grads: Float64Array = f64.grads;
  f64[Symbol.dispose]();
  model.dispose();
  const C: Float32Array = gl.gemm(new Float32Array(6), new Float32Array(6), { m: 2, n: 2, k: 3, transB: false });
  return long.losses[0] + summary.length + losses[0] + out[0] + accuracy + params[0] + norms[0] + stats[0].deadFraction + grads.length + C[0] + r.step +
    gl.heapBytes + gl.heapUsedBytes;
}
void main;
void training;

// The expression language and the derivation checker (issue 4 items 3 and 4).
import type { DerivativeCheck, TableEntryCheck, FeedbackKind, ExpressionError, Evaluation } from '../../web/gradlab.js';
import type { OptimizerState, TrainingMemory, LossName } from '../../web/gradlab.js';

async function quiz(): Promise<number> {
  const gl = await createGradlab();
  const r: DerivativeCheck = gl.checkDerivative({
    f: '(a*b+c)^2',
    wrt: 'a',
    answer: '2*(a*b+c)*b',
    at: { a: 2, b: -3, c: 10 },
    tolerance: 1e-6,
    samples: 5,
    seed: 1,
  });
  const kind: FeedbackKind = r.kind;
  const numeric: DerivativeCheck = gl.checkDerivative({ f: 'x^2', wrt: 'x', answer: 6, at: { x: 3 } });
  const firstPoint: number = r.points[0].at.a + r.points[0].expected + r.points[0].given;
  const missing: string | undefined = r.node ?? r.variable;
  const cell: TableEntryCheck = gl.checkTableEntry({ f: '(a*b+c)^2', at: { a: 2, b: -3, c: 10 }, node: 'a*b', given: 8 });
  const byId: TableEntryCheck = gl.checkTableEntry({ f: 'x*x', at: { x: 1 }, node: 0, given: 2, column: 'value' });
  const ev: Evaluation = gl.evaluate('x*y', { x: 3, y: 4 });
  const parsed = gl.parse('-x^2');
  const e = gl.expression('sigmoid(w*x+b)');
  const g = gl.graph();
  const w = g.scalar(0.5, 'w');
  const root: Tensor = g.fromExpression('sigmoid(w*x)', { w, x: 2 }, { labelOperations: true });
  root.backward();
  g.trace(root);
  try {
    gl.parse('(a+b))');
  } catch (err) {
    const position: number | undefined = (err as ExpressionError).position;
    void position;
  }
  g.dispose();
  return (
    Number(kind === 'correct') + numeric.expected + firstPoint + (missing?.length ?? 0) + cell.node + byId.expected +
    ev.gradient.x + parsed.variables.length + e.evaluate({ w: 1, x: 2, b: 0 }).value
  );
}
void quiz;

// gl.optimizer, gl.trainingMemory, the halfMse loss, REINFORCE's baseline and checkpointing FLOPs.
async function trainingTeaching(): Promise<number> {
  const gl = await createGradlab();
  const opt = gl.optimizer({ kind: 'adam', lr: 0.01 }, [1.0]);
  const s: OptimizerState = opt.step([0.4]);
  const mHat: number = s.mHat?.[0] ?? 0;
  const p: Float64Array = opt.params;
  opt.dispose();
  const f32 = gl.optimizer({ kind: 'momentum', dtype: 'f32' }, new Float32Array([1]));
  const v: Float32Array | undefined = f32.step([0.5]).velocity;
  f32.dispose();
  const mem: TrainingMemory = gl.trainingMemory({ transformer: { layers: 2, dModel: 8, heads: 2, seqLen: 4, params: 10n }, dtype: 'f16' });
  const bytes: bigint = mem.paramBytes + (mem.parts?.scoresBytes ?? 0n) + mem.perDevice.modelStateBytes;
  const m = gl.mlp([2, 1], { activation: 'tanh', output: 'none' });
  const loss: LossName = 'halfMse';
  m.train({ x: [[1, 2]], y: [[1]], loss });
  m.dispose();
  const r = gl.reinforceBernoulli({ baseline: 0.5 });
  const c = gl.checkpointing({ depth: 4 });
  return mHat + p[0] + (v?.[0] ?? 0) + Number(bytes) + r.baseline + c.withCheckpointing.recomputedFlops;
}
void trainingTeaching;
