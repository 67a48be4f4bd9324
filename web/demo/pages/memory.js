// The memory arithmetic of training: seed 001 §3.2, §7.1, §7.3, §9.4, App. H, seed 004's
// 70B model, seed 002's finite-difference times. Activations, parameters, gradients,
// optimizer state and the ZeRO shares are counted by the engine (gl.trainingMemory, exact
// BigInts); the Hessian and the times stay plain arithmetic. Last, the engine's measured
// activation memory of an MLP against its own count.
import { startTopic, num } from '../site.js';
import '../../widgets/quiz.js';

const GB = 1e9, TB = 1e12;
const DTYPE_OF_BYTES = { 2: 'f16', 4: 'f32', 8: 'f64' };

function render(gl, v, ui) {
  const { L, B, T, d, H, bytes } = v;
  const at = (...names) => ui.atSeed(...names);
  const s = (ok, text) => (ok ? text : null);
  const dtype = DTYPE_OF_BYTES[bytes];
  if (!dtype) throw new Error(`bytes per value must be 2 (f16), 4 (f32) or 8 (f64), got ${bytes}`);
  const whole = (x, name) => {
    if (!Number.isSafeInteger(x) || x < 1) throw new Error(`${name} must be a positive whole number, got ${x}`);
    return x;
  };
  const transformer = (layers, dModel, heads, seqLen, batch, extra = {}) =>
    gl.trainingMemory({ transformer: { layers, dModel, heads, seqLen, ...extra.shape }, batch, dtype: extra.dtype ?? dtype, ...extra.options });
  // §3.2 with its own sizes; §7.1 with the inputs (GPT-3 by default) at B and at B = 32.
  const s32 = transformer(96, 8192, 96, 4096, 32, { dtype: 'f16' });
  const mem = transformer(whole(L, 'L'), whole(d, 'd'), whole(H, 'H'), whole(T, 'T'), whole(B, 'B'));
  const mem32 = transformer(L, d, H, T, 32);
  const flash = transformer(1, 1, 1, 32768, 1, { dtype: 'f16' });  // one T×T matrix of scores
  const n = (big) => Number(big);
  ui.compare('acts', [
    { key: 'act32', label: '§3.2: 96 × 32 × 4096 × 8192 × 2 bytes (layer outputs)', seed: '200', unit: 'GB', engine: n(s32.parts.layerOutputBytes) / GB, digits: 4, rel: 0.05 },
    { key: 'act', label: `L·B·T·d·${bytes} bytes with the inputs above`, seed: null, verdict: 'info', unit: 'GB', engine: n(mem.parts.layerOutputBytes) / GB, digits: 4 },
    { key: 'scores', label: `§7.1: attention scores L·B·H·T²·${bytes} bytes (B = ${B})`, seed: s(at('L', 'T', 'H', 'bytes') && B === 512, '2.4'), unit: 'TB', engine: n(mem.parts.scoresBytes) / TB, digits: 4, rel: 0.05,
      correction: `96 × 512 × 96 × 2048² × 2 bytes = ${num(n(mem.parts.scoresBytes) / TB, 4)} TB, not 2.4 TB. 2.4 TB is the same product with B = 32 (${num(n(mem32.parts.scoresBytes) / TB, 3)} TB), the batch of §3.2's estimate: the seed changed B and kept the result.` },
    { key: 'qkv', label: '§7.1: QKV projections 6·L·B·T·d bytes', seed: null, verdict: 'info', unit: 'TB', engine: n(mem.parts.qkvBytes) / TB, digits: 4 },
    { key: 'mlp', label: '§7.1: MLP intermediate 8·L·B·T·d bytes', seed: null, verdict: 'info', unit: 'TB', engine: n(mem.parts.mlpBytes) / TB, digits: 4 },
    { key: 'actTotal', label: '§7.1: all of the table with the layer outputs (the seed computes no total)', seed: null, verdict: 'info', unit: 'TB', engine: n(mem.activationBytes) / TB, digits: 4 },
    { key: 'flash', label: '§7.3: one T×T matrix at T = 32,768, 2 bytes', seed: '2', unit: 'GB', engine: n(flash.parts.scoresBytes) / GB, digits: 4, rel: 0.1 },
  ], { engineHeader: 'Engine (gl.trainingMemory)' });
  const N = v.N * 1e9;
  if (!Number.isSafeInteger(N) || N < 1) throw new Error(`N must be a whole number of parameters, got ${v.N} billion`);
  const gpus = whole(v.gpus, 'GPUs');
  // Seed 004: FP16/BF16 parameters and gradients, Adam's two fp32 moments; with ZeRO's fp32
  // master weights, 16 bytes per parameter, sharded over the GPUs stage by stage.
  const model = (zeroStage) => transformer(80, 8192, 64, 4096, 1, { dtype: 'bf16', shape: { params: N }, options: { optimizer: 'adam', masterWeights: true, devices: gpus, zeroStage } });
  const z0 = model(0);
  const ratio = (stage) => n(z0.modelStateBytes) / n(model(stage).perDevice.modelStateBytes);
  ui.compare('model', [
    { key: 'params16', label: `004: parameters, ${num(v.N)}B × 2 bytes (FP16/BF16)`, seed: s(at('N'), '140'), unit: 'GB', engine: n(z0.paramBytes) / GB },
    { key: 'adam', label: '004: Adam state, 2 FP32 copies × 4 bytes', seed: s(at('N'), '560'), unit: 'GB', engine: n(z0.optimizerBytes) / GB },
    { key: 'state16', label: 'parameters + gradients + fp32 master + m + v (ZeRO\'s 16 bytes each)', seed: null, verdict: 'info', unit: 'GB', engine: n(z0.modelStateBytes) / GB },
    { key: 'zero3', label: `§9.4: ZeRO-3 over ${num(gpus)} GPUs, parameters per GPU`, seed: s(at('N', 'gpus'), '68e6'), engine: n(model(3).perDevice.paramBytes) / 2, rel: 0.01 },
    { key: 'zero1', label: `§9.4: ZeRO stage 1 (optimizer state sharded), N_d = ${num(gpus)}`, seed: s(at('gpus'), '4'), unit: '×', engine: ratio(1), tol: 0.1 },
    { key: 'zero2', label: 'ZeRO stage 2 (and gradients)', seed: s(at('gpus'), '8'), unit: '×', engine: ratio(2), tol: 0.1 },
    { key: 'zero3x', label: 'ZeRO stage 3 (and parameters) = N_d', seed: gpus, unit: '×', engine: ratio(3), rel: 1e-6 },
    { key: 'hessEntries', label: 'App. H: Hessian entries, N²', seed: s(at('N'), '1e22'), seedText: s(at('N'), '~10²²'), engine: N * N, logTol: 0.35 },
    { key: 'hessGB', label: 'App. H: 10²² FP32 values in GB', seed: '40e21', seedText: '40 × 10²¹ GB', unit: 'GB', engine: (1e22 * 4) / GB,
      correction: '10²² values × 4 bytes = 4 × 10²² bytes = 4 × 10¹³ GB (40 × 10¹² GB, 40 zettabytes). The seed writes 40 × 10²¹ GB: it converted to GB without dividing by 10⁹.' },
  ], { engineHeader: 'Engine; App. H: arithmetic' });
  // Seed 002: numerical gradients, one forward pass per parameter.
  const day = 86400, year = 365.25 * day;
  ui.compare('fd', [
    { key: 'gpt2', label: '002: GPT-2, 124M × 5 ms', seed: '7.2', unit: 'days', engine: (124e6 * 0.005) / day },
    { key: 'llama', label: '002: Llama-2 7B, 7B × 50 ms', seed: '11', unit: 'years', engine: (7e9 * 0.05) / year },
    { key: 'gpt3', label: '002: GPT-3, 175B × 500 ms', seed: '2800', unit: 'years', engine: (175e9 * 0.5) / year, tol: 50 },
    { key: 'passes', label: '001 A.2: finite differences, 2|θ| forward passes for GPT-3', seed: '350e9', engine: 2 * 175e9 },
  ], { engineHeader: 'Computed' });
  // The engine: measured activation memory of an MLP's tape against the formula, and the
  // training path's own memory (gl.mlp) counted by gl.trainingMemory.
  const depth = Math.round(v.mdepth), width = Math.round(v.mwidth), batch = Math.round(v.mbatch);
  if (!(depth >= 1 && depth <= 64 && width >= 1 && width <= 512 && batch >= 1 && batch <= 256)) throw new Error(`MLP: layers 1–64, width 1–512, batch 1–256 (got ${v.mdepth}, ${v.mwidth}, ${v.mbatch})`);
  const c = gl.checkpointing({ depth, width, batch, every: depth, seed: 1 });
  const run = c.withoutCheckpointing;
  const perLayer = run.forwardOps > 0 ? (run.forwardOps - 1) / depth : 0; // ops per layer (matmul, bias, tanh)
  const formula = depth * perLayer * batch * width * 4 + 4; // f32 values, plus the scalar loss
  const sizes = [width, ...Array(depth).fill(width)];
  const m = gl.mlp(sizes, { activation: 'tanh' });
  const nParams = m.numParams;
  m.dispose();
  const acc = gl.trainingMemory({ layers: sizes, activation: 'tanh', batch, optimizer: 'adam' });
  ui.compare('engine', [
    { key: 'measured', label: `measured peak activations: ${depth} layers × ${perLayer} values × ${batch} × ${width} × 4 bytes + the loss`, seed: formula, engine: run.peakActivationBytes, unit: 'bytes' },
    { key: 'trainParams', label: 'gl.trainingMemory: parameters of gl.mlp with these sizes', seed: nParams, engine: n(acc.params) },
    { key: 'trainState', label: 'parameters + gradients + Adam m, v (FP32): 16 bytes a parameter', seed: 16 * nParams, engine: n(acc.modelStateBytes), unit: 'bytes' },
    { key: 'trainActs', label: 'the training path keeps for backward: a per tanh layer, and 4 gradient buffers [batch, width]', seed: null, verdict: 'info', engine: n(acc.activationBytes + acc.scratchBytes), unit: 'bytes' },
    { key: 'trainFlops', label: 'backward FLOPs ÷ forward FLOPs of one step (seed: ≈ 2)', seed: '2', engine: n(acc.backwardFlops) / n(acc.forwardFlops), digits: 4, tol: 0.2 },
  ]);
}

startTopic({ render });
