// The memory arithmetic of training: seed 001 §3.2, §7.1, §7.3, §9.4, App. H, seed 004's
// 70B model, seed 002's finite-difference times; and the engine's measured activation
// memory of an MLP against the same formula (values per layer × batch × width × bytes).
import { startTopic, num } from '../site.js';
import '../../widgets/quiz.js';

const GB = 1e9, TB = 1e12;

function render(gl, v, ui) {
  const { L, B, T, d, H, bytes } = v;
  const at = (...names) => ui.atSeed(...names);
  const s = (ok, text) => (ok ? text : null);
  const act = L * B * T * d * bytes;
  const scores = L * B * H * T * T * bytes;
  const scores32 = L * 32 * H * T * T * bytes;
  ui.compare('acts', [
    { key: 'act32', label: '§3.2: 96 × 32 × 4096 × 8192 × 2 bytes', seed: '200', unit: 'GB', engine: (96 * 32 * 4096 * 8192 * 2) / GB, digits: 4, rel: 0.05 },
    { key: 'act', label: `L·B·T·d·${bytes} bytes with the inputs above`, seed: null, verdict: 'info', unit: 'GB', engine: act / GB, digits: 4 },
    { key: 'scores', label: `§7.1: attention scores L·B·H·T²·2 bytes (B = ${B})`, seed: s(at('L', 'T', 'H', 'bytes') && B === 512, '2.4'), unit: 'TB', engine: scores / TB, digits: 4, rel: 0.05,
      correction: `96 × 512 × 96 × 2048² × 2 bytes = ${num(scores / TB, 4)} TB, not 2.4 TB. 2.4 TB is the same product with B = 32 (${num(scores32 / TB, 3)} TB), the batch of §3.2's estimate: the seed changed B and kept the result.` },
    { key: 'qkv', label: '§7.1: QKV projections 6·L·B·T·d bytes', seed: null, verdict: 'info', unit: 'TB', engine: (6 * L * B * T * d) / TB, digits: 4 },
    { key: 'mlp', label: '§7.1: MLP intermediate 8·L·B·T·d bytes', seed: null, verdict: 'info', unit: 'TB', engine: (8 * L * B * T * d) / TB, digits: 4 },
    { key: 'flash', label: '§7.3: one T×T matrix at T = 32,768, 2 bytes', seed: '2', unit: 'GB', engine: (32768 ** 2 * 2) / GB, digits: 4, rel: 0.1 },
  ], { engineHeader: 'Computed' });
  const N = v.N * 1e9;
  ui.compare('model', [
    { key: 'params16', label: `004: parameters, ${num(v.N)}B × 2 bytes (FP16/BF16)`, seed: s(at('N'), '140'), unit: 'GB', engine: (N * 2) / GB },
    { key: 'adam', label: '004: Adam state, 2 FP32 copies × 4 bytes', seed: s(at('N'), '560'), unit: 'GB', engine: (N * 2 * 4) / GB },
    { key: 'zero3', label: `§9.4: ZeRO-3 over ${num(v.gpus)} GPUs, parameters per GPU`, seed: s(at('N', 'gpus'), '68e6'), engine: N / v.gpus, rel: 0.01 },
    // ZeRO's accounting for mixed-precision Adam: 2Ψ (fp16 params) + 2Ψ (fp16 grads) + 12Ψ
    // (fp32 params, m, v) = 16 bytes per parameter; stage 1 shards the 12Ψ, stage 2 also the
    // gradients, stage 3 everything.
    { key: 'zero1', label: `§9.4: ZeRO stage 1, 16 / (4 + 12/N_d), N_d = ${num(v.gpus)}`, seed: s(at('gpus'), '4'), unit: '×', engine: 16 / (4 + 12 / v.gpus), tol: 0.1 },
    { key: 'zero2', label: 'ZeRO stage 2, 16 / (2 + 14/N_d)', seed: s(at('gpus'), '8'), unit: '×', engine: 16 / (2 + 14 / v.gpus), tol: 0.1 },
    { key: 'zero3x', label: 'ZeRO stage 3, 16 / (16/N_d) = N_d', seed: v.gpus, unit: '×', engine: 16 / (16 / v.gpus), rel: 1e-12 },
    { key: 'hessEntries', label: 'App. H: Hessian entries, N²', seed: s(at('N'), '1e22'), seedText: s(at('N'), '~10²²'), engine: N * N, logTol: 0.35 },
    { key: 'hessGB', label: 'App. H: 10²² FP32 values in GB', seed: '40e21', seedText: '40 × 10²¹ GB', unit: 'GB', engine: (1e22 * 4) / GB,
      correction: '10²² values × 4 bytes = 4 × 10²² bytes = 4 × 10¹³ GB (40 × 10¹² GB, 40 zettabytes). The seed writes 40 × 10²¹ GB: it converted to GB without dividing by 10⁹.' },
  ], { engineHeader: 'Computed' });
  // Seed 002: numerical gradients, one forward pass per parameter.
  const day = 86400, year = 365.25 * day;
  ui.compare('fd', [
    { key: 'gpt2', label: '002: GPT-2, 124M × 5 ms', seed: '7.2', unit: 'days', engine: (124e6 * 0.005) / day },
    { key: 'llama', label: '002: Llama-2 7B, 7B × 50 ms', seed: '11', unit: 'years', engine: (7e9 * 0.05) / year },
    { key: 'gpt3', label: '002: GPT-3, 175B × 500 ms', seed: '2800', unit: 'years', engine: (175e9 * 0.5) / year, tol: 50 },
    { key: 'passes', label: '001 A.2: finite differences, 2|θ| forward passes for GPT-3', seed: '350e9', engine: 2 * 175e9 },
  ], { engineHeader: 'Computed' });
  // The engine: measured activation memory of an MLP against the formula.
  const depth = Math.round(v.mdepth), width = Math.round(v.mwidth), batch = Math.round(v.mbatch);
  if (!(depth >= 1 && depth <= 64 && width >= 1 && width <= 512 && batch >= 1 && batch <= 256)) throw new Error(`MLP: layers 1–64, width 1–512, batch 1–256 (got ${v.mdepth}, ${v.mwidth}, ${v.mbatch})`);
  const c = gl.checkpointing({ depth, width, batch, every: depth, seed: 1 });
  const run = c.withoutCheckpointing;
  const perLayer = run.forwardOps > 0 ? (run.forwardOps - 1) / depth : 0; // ops per layer (matmul, bias, tanh)
  const formula = depth * perLayer * batch * width * 4 + 4; // f32 values, plus the scalar loss
  const m = gl.mlp([width, ...Array(depth).fill(width)], { activation: 'tanh' });
  const nParams = m.numParams;
  m.dispose();
  ui.compare('engine', [
    { key: 'measured', label: `measured peak activations: ${depth} layers × ${perLayer} values × ${batch} × ${width} × 4 bytes + the loss`, seed: formula, engine: run.peakActivationBytes, unit: 'bytes' },
    { key: 'trainState', label: `parameters + gradients + Adam m, v (FP32): 16 bytes × ${num(nParams)} parameters`, seed: null, verdict: 'info', engine: 16 * nParams, unit: 'bytes' },
  ]);
}

startTopic({ render });
