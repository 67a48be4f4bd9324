// One-call teaching experiments of seed 001 that run whole networks inside the engine
// and come back as plain objects:
//   checkpointing / checkpointingSweep: gradient checkpointing (§7.2, exercise 5) with
//     measured peak activation bytes and recompute counts, gradients compared bit for bit;
//   lossScaling: fp16 / bf16 gradients with and without loss scaling (§7.4).
// Types are checked here (TypeError naming the value); ranges are checked in C++ and
// come back as an Error naming the value. Either way the module stays usable.
import { describe, optionsObject } from './data.js';

// Rejects a non-object and option names the experiment does not know (a typo such as
// `evry` would otherwise be ignored silently).
function optionsOf(options, where, known) {
  const o = optionsObject(options, where);
  for (const key of Object.keys(o))
    if (!known.includes(key))
      throw new TypeError(`${where}: unknown option '${key}' (known: ${known.join(', ')})`);
  return o;
}
function int(v, where, name) {
  if (!Number.isInteger(v)) throw new TypeError(`${where}: ${name} must be an integer, got ${describe(v)}`);
  return v;
}
function num(v, where, name) {
  if (typeof v !== 'number' || Number.isNaN(v))
    throw new TypeError(`${where}: ${name} must be a number, got ${describe(v)}`);
  return v;
}
function str(v, where, name) {
  if (typeof v !== 'string') throw new TypeError(`${where}: ${name} must be a string, got ${describe(v)}`);
  return v;
}

const CHECKPOINT_OPTIONS = ['depth', 'width', 'batch', 'every', 'steps', 'learningRate', 'seed', 'dtype'];

/**
 * The same MLP (depth tanh layers of width units, batch rows, MSE loss) trained for
 * `steps` SGD steps without checkpointing and with a checkpoint every `every` layers
 * (default round(√depth)). Returns both runs' measured peak activation bytes and op
 * counts, and whether gradients, losses and parameters are bit-identical.
 */
export function checkpointing(engine, options) {
  const where = 'checkpointing';
  const o = optionsOf(options, where, CHECKPOINT_OPTIONS);
  const depth = int(o.depth ?? 16, where, 'depth');
  const every = int(o.every ?? Math.max(1, Math.round(Math.sqrt(Math.max(depth, 1)))), where, 'every');
  return engine._json(
    engine._mod.checkpointingJson(depth, int(o.width ?? 64, where, 'width'), int(o.batch ?? 32, where, 'batch'), every,
      int(o.steps ?? 1, where, 'steps'), num(o.learningRate ?? 0.1, where, 'learningRate'),
      num(o.seed ?? 1, where, 'seed'), str(o.dtype ?? 'f32', where, 'dtype')),
  );
}

/**
 * Seed 001 exercise 5(e): one run per k in `every` (default 1..depth) next to the run
 * without checkpointing, with the k of least peak memory and of least memory × compute.
 */
export function checkpointingSweep(engine, options) {
  const where = 'checkpointingSweep';
  const o = optionsOf(options, where, CHECKPOINT_OPTIONS);
  let ks = '';
  if (o.every !== undefined) {
    if (!Array.isArray(o.every) || o.every.length === 0)
      throw new TypeError(`${where}: every must be a non-empty array of integers, got ${describe(o.every)}`);
    ks = o.every.map((k, i) => int(k, where, `every[${i}]`)).join(',');
  }
  return engine._json(
    engine._mod.checkpointingSweepJson(int(o.depth ?? 16, where, 'depth'), int(o.width ?? 64, where, 'width'),
      int(o.batch ?? 32, where, 'batch'), ks, int(o.steps ?? 1, where, 'steps'),
      num(o.learningRate ?? 0.1, where, 'learningRate'), num(o.seed ?? 1, where, 'seed'),
      str(o.dtype ?? 'f32', where, 'dtype')),
  );
}

/**
 * A linear layer near convergence in emulated fp16 or bf16 (values and gradients
 * rounded at every tensor, f32 master weights), differentiated from L and from
 * scale·L. Returns, for the weight gradient, the share of entries that underflow to 0,
 * that are subnormal, that overflow, and the relative error of the recovered ∇/scale.
 */
export function lossScaling(engine, options) {
  const where = 'lossScaling';
  const o = optionsOf(options, where, ['format', 'scale', 'batch', 'inputs', 'outputs', 'residual', 'seed']);
  return engine._json(
    engine._mod.lossScalingJson(str(o.format ?? 'fp16', where, 'format'), num(o.scale ?? 1024, where, 'scale'),
      int(o.batch ?? 64, where, 'batch'), int(o.inputs ?? 32, where, 'inputs'), int(o.outputs ?? 16, where, 'outputs'),
      num(o.residual ?? 1e-3, where, 'residual'), num(o.seed ?? 1, where, 'seed')),
  );
}
