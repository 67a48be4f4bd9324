// One-call teaching experiments of seed 001 that run whole networks inside the engine
// and come back as plain objects:
//   vanishingGradients: gradient norm per layer of four deep networks (exercise 4);
//   reinforceBernoulli: the REINFORCE estimator against the exact gradient (exercise 8);
//   checkpointing / checkpointingSweep: gradient checkpointing (§7.2, exercise 5) with
//     measured peak activation bytes and recompute counts, gradients compared bit for bit;
//   lossScaling: fp16 / bf16 gradients with and without loss scaling (§7.4).
// Types and int32 ranges are checked here (web/lib/check.js); the experiments' own
// limits are checked in C++ and come back as an Error naming the value.
import { INT32_MAX, array, boolean, describe, integer as checkedInteger, isPlainObject, number, oneOf, options, seed } from './check.js';

// Any int32 passes here (so nothing wraps in Embind); the engine checks each
// experiment's own range and names the value.
const integer = (v, name, where) => checkedInteger(v, name, where, -INT32_MAX);
import { callJson } from './call.js';

const DTYPES = ['f32', 'f64'];

export function vanishingGradients(engine, opts) {
  const where = 'vanishingGradients';
  const o = options(opts, where, ['depth', 'width', 'seed'], '{ depth: 20 }');
  const depth = integer(o.depth ?? 20, 'depth', where);
  const width = integer(o.width ?? 1, 'width', where);
  const s = seed(o.seed ?? 1, where);
  const mod = engine._experimentsMod;
  return callJson(mod, where, () => mod.vanishingGradientsJson(depth, width, s));
}

/**
 * REINFORCE for z ~ Bernoulli(σ(θ)), L = z²: the mean of (L − b)·∂log p(z)/∂θ over
 * `samples` draws (seeded), its standard error and the exact σ(θ)(1 − σ(θ)). The baseline
 * b (default 0, §8.3) leaves the mean unbiased and changes the variance.
 */
export function reinforceBernoulli(engine, opts) {
  const where = 'reinforceBernoulli';
  const o = options(opts, where, ['theta', 'samples', 'seed', 'baseline'], '{ theta: 0.5, samples: 10000 }');
  const theta = number(o.theta ?? 0, 'theta', where);
  const samples = integer(o.samples ?? 10000, 'samples', where);
  const s = seed(o.seed ?? 1, where);
  const baseline = number(o.baseline ?? 0, 'baseline', where);
  const mod = engine._experimentsMod;
  return callJson(mod, where, () => mod.reinforceBernoulliJson(theta, samples, s, baseline));
}

const CHECKPOINT_OPTIONS = ['depth', 'width', 'batch', 'every', 'steps', 'learningRate', 'seed', 'dtype'];

function checkpointArgs(mod, o, where) {
  return {
    depth: integer(o.depth ?? 16, 'depth', where),
    width: integer(o.width ?? 64, 'width', where),
    batch: integer(o.batch ?? 32, 'batch', where),
    steps: integer(o.steps ?? 1, 'steps', where),
    learningRate: number(o.learningRate ?? 0.1, 'learningRate', where),
    seed: seed(o.seed ?? 1, where),
    dtype: mod.DType[oneOf(o.dtype ?? 'f32', 'dtype', where, DTYPES)],
    every: 1,
    everyList: [],
  };
}

/**
 * The same MLP (depth tanh layers of width units, batch rows, MSE loss) trained for
 * `steps` SGD steps without checkpointing and with a checkpoint every `every` layers
 * (default round(√depth)). Returns both runs' measured peak activation bytes and op
 * counts, and whether gradients, losses and parameters are bit-identical.
 */
export function checkpointing(engine, opts) {
  const where = 'checkpointing';
  const mod = engine._experimentsMod;
  const o = options(opts, where, CHECKPOINT_OPTIONS, '{ depth: 16, every: 4 }');
  const args = checkpointArgs(mod, o, where);
  args.every = integer(o.every ?? Math.max(1, Math.round(Math.sqrt(args.depth))), 'every', where);
  return callJson(mod, where, () => mod.checkpointingJson(args));
}

/**
 * Seed 001 exercise 5(e): one run per k in `every` (default 1..depth) next to the run
 * without checkpointing, with the k of least peak memory and of least memory × compute.
 */
export function checkpointingSweep(engine, opts) {
  const where = 'checkpointingSweep';
  const mod = engine._experimentsMod;
  const o = options(opts, where, CHECKPOINT_OPTIONS, '{ depth: 16, every: [1, 4, 16] }');
  const args = checkpointArgs(mod, o, where);
  if (o.every !== undefined) {
    if (!Array.isArray(o.every) || o.every.length === 0)
      throw new TypeError(`${where}: every must be a non-empty array of integers, got ${describe(o.every)}`);
    const ks = array(o.every, 'every', where, 4096);
    args.everyList = ks.map((k, i) => integer(k, `every[${i}]`, where));
  }
  return callJson(mod, where, () => mod.checkpointingSweepJson(args));
}

/**
 * A linear layer near convergence in emulated fp16 or bf16 (values and gradients
 * rounded at every tensor, f32 master weights), differentiated from L and from
 * scale·L. Returns, for the weight gradient, the share of entries that underflow to 0,
 * that are subnormal, that overflow, and the relative error of the recovered ∇/scale.
 */
export function lossScaling(engine, opts) {
  const where = 'lossScaling';
  const mod = engine._experimentsMod;
  const o = options(opts, where, ['format', 'scale', 'batch', 'inputs', 'outputs', 'residual', 'seed'], "{ format: 'bf16' }");
  const args = {
    format: oneOf(o.format ?? 'fp16', 'format', where, ['fp16', 'bf16']),
    scale: number(o.scale ?? 1024, 'scale', where),
    batch: integer(o.batch ?? 64, 'batch', where),
    inputs: integer(o.inputs ?? 32, 'inputs', where),
    outputs: integer(o.outputs ?? 16, 'outputs', where),
    residual: number(o.residual ?? 1e-3, 'residual', where),
    seed: seed(o.seed ?? 1, where),
  };
  return callJson(mod, where, () => mod.lossScalingJson(args));
}

const MEMORY_OPTIONS = ['layers', 'activation', 'activations', 'residual', 'layerNorm', 'leakySlope', 'transformer', 'batch', 'dtype',
  'optimizer', 'stateDtype', 'masterWeights', 'checkpointing', 'devices', 'zeroStage'];
const TRANSFORMER_OPTIONS = ['layers', 'dModel', 'heads', 'seqLen', 'ffn', 'vocab', 'params'];
const STORAGE = ['f64', 'f32', 'f16', 'bf16'];
const ACTIVATION_NAMES = ['none', 'relu', 'leakyRelu', 'tanh', 'sigmoid', 'gelu', 'silu', 'softplus'];
// A count that may be large: a safe integer (a Number holds it exactly) from `min`.
const count = (v, name, where, min = 1) => checkedInteger(v, name, where, min, Number.MAX_SAFE_INTEGER);
// Every size the engine counts comes back as decimal text: BigInts here, exact past 2^53.
function bigints(record) {
  const out = {};
  for (const [k, v] of Object.entries(record))
    out[k] = typeof v === 'string' && /^[0-9]+$/.test(v) ? BigInt(v) : Array.isArray(v) ? v.map(bigints) : isPlainObject(v) ? bigints(v) : v;
  return out;
}

/**
 * Memory and FLOPs of one training step, counted exactly by the engine (src/teaching/
 * accounting.h): parameters, gradients, optimizer state, activations kept for backward
 * per layer, FLOPs of forward, backward and the checkpointing recompute, and the share per
 * device under ZeRO. Either `layers` (an MLP as gl.mlp builds it: [in, h1, ..., out], with
 * activation(s), residual, layerNorm) or `transformer` ({ layers, dModel, heads, seqLen,
 * ffn, vocab, params }: seed 001 §7.1's table). Every size and count is a BigInt.
 */
export function trainingMemory(engine, opts) {
  const where = 'trainingMemory';
  const o = options(opts, where, MEMORY_OPTIONS, "{ layers: [2, 16, 1], batch: 32 }");
  if ((o.layers === undefined) === (o.transformer === undefined))
    throw new TypeError(`${where}: give either layers (an MLP's sizes, such as [2, 16, 1]) or transformer ({ layers, dModel, heads, seqLen }), not ${o.layers === undefined ? 'neither' : 'both'}`);
  const args = {
    model: o.transformer === undefined ? 'mlp' : 'transformer',
    sizes: [], activations: [], residual: [], layerNorm: [], leakySlope: number(o.leakySlope ?? 0.01, 'leakySlope', where),
    layers: 0, dModel: 0, heads: 0, seqLen: 0, ffn: 0, vocab: 0, params: '0',
    batch: count(o.batch ?? 1, 'batch', where),
    dtype: oneOf(o.dtype ?? 'f32', 'dtype', where, STORAGE),
    optimizer: oneOf(o.optimizer ?? 'adam', 'optimizer', where, ['sgd', 'momentum', 'adam', 'adamw']),
    stateDtype: oneOf(o.stateDtype ?? 'f32', 'stateDtype', where, STORAGE),
    masterWeights: boolean(o.masterWeights ?? false, 'masterWeights', where),
    checkpointEvery: 0,
    devices: count(o.devices ?? 1, 'devices', where),
    zeroStage: checkedInteger(o.zeroStage ?? 0, 'zeroStage', where, 0, 3),
  };
  let depth;
  if (o.transformer !== undefined) {
    if (o.activation !== undefined || o.activations !== undefined || o.residual !== undefined || o.layerNorm !== undefined)
      throw new TypeError(`${where}: activation, activations, residual and layerNorm describe an MLP (layers), not a transformer`);
    const t = options(o.transformer, `${where}: transformer`, TRANSFORMER_OPTIONS, '{ layers: 96, dModel: 12288, heads: 96, seqLen: 2048 }');
    for (const key of ['layers', 'dModel', 'heads', 'seqLen'])
      if (t[key] === undefined) throw new TypeError(`${where}: transformer.${key} is required`);
    args.layers = depth = checkedInteger(t.layers, 'transformer.layers', where, 1, 4096);
    args.dModel = count(t.dModel, 'transformer.dModel', where);
    args.heads = count(t.heads, 'transformer.heads', where);
    args.seqLen = count(t.seqLen, 'transformer.seqLen', where);
    args.ffn = count(t.ffn ?? 0, 'transformer.ffn', where, 0);
    args.vocab = count(t.vocab ?? 0, 'transformer.vocab', where, 0);
    if (t.params !== undefined) {
      const p = t.params;
      if (typeof p === 'bigint' ? p < 1n || p >= 10n ** 38n : typeof p !== 'number' || !Number.isSafeInteger(p) || p < 1)
        throw new RangeError(`${where}: transformer.params must be a positive integer (a Number up to 2^53 − 1 or a BigInt below 10^38), got ${describe(p)}`);
      args.params = String(p);
    }
  } else {
    if (!Array.isArray(o.layers)) throw new TypeError(`${where}: layers must be an array of widths such as [2, 16, 1], got ${describe(o.layers)}`);
    args.sizes = array(o.layers, 'layers', where, 4097).map((s, i) => count(s, `layers[${i}]`, where));
    if (args.sizes.length < 2) throw new RangeError(`${where}: layers needs at least 2 widths (input and output), got ${args.sizes.length}`);
    depth = args.sizes.length - 1;
    const name = (a, what) => oneOf(a, what, where, ACTIVATION_NAMES);
    if (o.activations !== undefined) {
      if (o.activation !== undefined) throw new TypeError(`${where}: give activation or activations, not both`);
      args.activations = array(o.activations, 'activations', where, 4096).map((a, i) => name(a, `activations[${i}]`));
      if (args.activations.length !== depth)
        throw new RangeError(`${where}: ${depth} layers need ${depth} activations, got ${args.activations.length}`);
    } else {
      const hidden = name(o.activation ?? 'tanh', 'activation');
      args.activations = Array.from({ length: depth }, (_, l) => (l === depth - 1 ? 'none' : hidden));
    }
    const flags = (v, what) => {
      if (v === undefined || v === false) return [];
      if (v === true) return Array.from({ length: depth }, (_, l) => what === 'residual' ? args.sizes[l] === args.sizes[l + 1] : l > 0);
      const f = array(v, what, where, 4096).map((b, i) => boolean(b, `${what}[${i}]`, where));
      if (f.length !== depth) throw new RangeError(`${where}: ${what} needs one flag per layer (${depth}), got ${f.length}`);
      return f;
    };
    args.residual = flags(o.residual, 'residual');
    args.layerNorm = flags(o.layerNorm, 'layerNorm');
  }
  const k = o.checkpointing ?? false;
  if (k === true) args.checkpointEvery = Math.max(1, Math.round(Math.sqrt(depth)));
  else if (k !== false) args.checkpointEvery = checkedInteger(k, 'checkpointing (every k layers; false or 0 for none)', where, 0, depth);
  const mod = engine._experimentsMod;
  const a = args;
  const numbers = [a.batch, a.checkpointEvery, a.devices, a.zeroStage, a.masterWeights ? 1 : 0, a.leakySlope, a.layers, a.dModel, a.heads, a.seqLen, a.ffn, a.vocab];
  const r = bigints(callJson(mod, where, () => mod.trainingMemoryJson(a.model, a.dtype, a.optimizer, a.stateDtype, a.params, numbers,
    a.sizes, a.activations, a.residual.map(Number), a.layerNorm.map(Number))));
  return {
    model: args.model, dtype: args.dtype, optimizer: args.optimizer, batch: args.batch,
    checkpointEvery: args.checkpointEvery === 0 ? null : args.checkpointEvery,
    ...r,
    perDevice: { devices: args.devices, zeroStage: args.zeroStage, ...r.perDevice },
  };
}
