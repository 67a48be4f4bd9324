// Compiled with tsc --noEmit: the hand-written .d.ts must describe real usage.
import { createGradlab, type Graph, type Tensor, type NodeRecord } from '../../web/gradlab.js';

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
void main;
