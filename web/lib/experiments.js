// One-call teaching experiments of seed 001 that run whole networks inside the engine
// and come back as plain objects:
//   vanishingGradients: gradient norm per layer of four deep networks (exercise 4);
//   reinforceBernoulli: the REINFORCE estimator against the exact gradient (exercise 8);
//   checkpointing / checkpointingSweep: gradient checkpointing (§7.2, exercise 5) with
//     measured peak activation bytes and recompute counts, gradients compared bit for bit;
//   lossScaling: fp16 / bf16 gradients with and without loss scaling (§7.4).
// Types and int32 ranges are checked here (web/lib/check.js); the experiments' own
// limits are checked in C++ and come back as an Error naming the value.
import { INT32_MAX, array, describe, integer as checkedInteger, number, oneOf, options, seed } from './check.js';

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

export function reinforceBernoulli(engine, opts) {
  const where = 'reinforceBernoulli';
  const o = options(opts, where, ['theta', 'samples', 'seed'], '{ theta: 0.5, samples: 10000 }');
  const theta = number(o.theta ?? 0, 'theta', where);
  const samples = integer(o.samples ?? 10000, 'samples', where);
  const s = seed(o.seed ?? 1, where);
  const mod = engine._experimentsMod;
  return callJson(mod, where, () => mod.reinforceBernoulliJson(theta, samples, s));
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
