// Export for users who outgrow the page: a trained gl.mlp() as a standalone PyTorch script
// (architecture as an nn.Module, the exact weights, the training configuration, a loop that
// goes on training) or as an ONNX model (opset 13, primitive ops only).
//
//   import { toPyTorch, toONNX } from 'gradlab/export';
//   const script = toPyTorch(model, { x, y });     // text of a .py file
//   const bytes = toONNX(model);                   // Uint8Array of a .onnx file
//
// Both read model.toJSON(): a record (or its text) from mlpFromJSON's input works too.
import { describe } from './data.js';
import { migrateModelJSON, checkTraining, plainOptions, kindOf } from './migrate.js';

const ACTIVATIONS = new Set(['none', 'relu', 'leakyrelu', 'tanh', 'sigmoid', 'gelu', 'silu', 'softplus']);

// Size limits that keep one export call well under a second (a [2,2048,2048,1] model,
// 4.2 M parameters, takes about 0.2 s on an idle machine): the model's parameters, and the values (x and y
// together) a PyTorch script embeds.
export const MAX_EXPORT_PARAMS = 1 << 23;
export const MAX_EMBEDDED_VALUES = 1 << 22;
const MAX_ONNX_NAME = 256;
// The most steps a script's default run trains (train()'s own limit on steps).
const MAX_SCRIPT_STEPS = 2147483647;

function isTypedArray(v) {
  return ArrayBuffer.isView(v) && !(v instanceof DataView);
}
function isBigIntArray(v) {
  return v instanceof BigInt64Array || v instanceof BigUint64Array;
}
// A record's per-layer flags: absent, a boolean for every layer, or one boolean per layer.
function layerFlags(v, L, key, where) {
  if (v === undefined || v === false) return new Array(L).fill(false);
  if (v === true) return new Array(L).fill(true);
  if (!Array.isArray(v) || v.length !== L)
    throw new TypeError(`${where}: ${key} must be a boolean or an array of ${L} booleans (one per layer), got ${describe(v)}`);
  for (let l = 0; l < L; l++)
    if (typeof v[l] !== 'boolean') throw new TypeError(`${where}: ${key}[${l}] must be a boolean, got ${l in v ? describe(v[l]) : 'a hole'}`);
  return v;
}
function positiveFinite(v, key, where) {
  if (typeof v !== 'number') throw new TypeError(`${where}: ${key} must be a number, got ${describe(v)}`);
  if (!Number.isFinite(v) || v <= 0) throw new RangeError(`${where}: ${key} must be a positive finite number, got ${v}`);
  return v;
}

// The model's record (architecture, params, training), checked field by field.
function recordOf(model, where) {
  let rec = model;
  if (typeof model === 'string') {
    try {
      rec = JSON.parse(model);
    } catch (e) {
      throw new Error(`${where}: not valid JSON text (${e.message})`);
    }
  } else if (model && typeof model.toJSON === 'function') {
    try {
      rec = model.toJSON();
    } catch (e) {
      throw new Error(`${where}: ${e.message}`);
    }
  }
  if (rec === null || typeof rec !== 'object' || rec.format !== 'gradlab-mlp')
    throw new TypeError(`${where}: expected a gradlab model (gl.mlp), its toJSON() record or its text, got ${kindOf(model)}`);
  rec = migrateModelJSON(rec, where);
  const { sizes, activations, params } = rec;
  if (sizes === undefined) throw new TypeError(`${where}: the record has no sizes (the layer widths, such as [2, 16, 1])`);
  if (!Array.isArray(sizes) || sizes.length < 2) throw new TypeError(`${where}: sizes must be an array of at least 2 layer widths, got ${describe(sizes)}`);
  for (let i = 0; i < sizes.length; i++)
    if (!Number.isInteger(sizes[i]) || sizes[i] < 1 || sizes[i] > MAX_EXPORT_PARAMS)
      throw new TypeError(`${where}: sizes[${i}] must be an integer in [1, ${MAX_EXPORT_PARAMS}], got ${i in sizes ? describe(sizes[i]) : 'a hole'}`);
  const L = sizes.length - 1;
  if (activations === undefined) throw new TypeError(`${where}: the record has no activations (one name per layer)`);
  if (!Array.isArray(activations) || activations.length !== L)
    throw new TypeError(`${where}: activations must be an array of ${L} names (one per layer), got ${describe(activations)}`);
  const acts = [];
  for (let l = 0; l < L; l++) {
    const a = activations[l];
    if (typeof a !== 'string') throw new TypeError(`${where}: activations[${l}] must be a name, got ${l in activations ? describe(a) : 'a hole'}`);
    if (!ACTIVATIONS.has(a.toLowerCase())) throw new Error(`${where}: activation '${a}' has no export (${[...ACTIVATIONS].join(', ')})`);
    acts.push(a.toLowerCase());
  }
  const dtype = rec.dtype ?? 'f32';
  if (dtype !== 'f32' && dtype !== 'f64') throw new TypeError(`${where}: dtype must be 'f32' or 'f64', got ${describe(rec.dtype)}`);
  const residual = layerFlags(rec.residual, L, 'residual', where);
  const layerNorm = layerFlags(rec.layerNorm, L, 'layerNorm', where);
  if (rec.leakySlope !== undefined) {
    if (typeof rec.leakySlope !== 'number') throw new TypeError(`${where}: leakySlope must be a number, got ${describe(rec.leakySlope)}`);
    if (!Number.isFinite(rec.leakySlope)) throw new RangeError(`${where}: leakySlope must be finite, got ${rec.leakySlope}`);
  }
  if (rec.lnEps !== undefined) positiveFinite(rec.lnEps, 'lnEps', where);
  // Parameter count first (in floating point: no overflow), so an absurd size is refused before any work.
  let need = 0;
  for (let l = 0; l < L; l++) need += (layerNorm[l] ? 2 * sizes[l] : 0) + sizes[l] * sizes[l + 1] + sizes[l + 1];
  if (need > MAX_EXPORT_PARAMS)
    throw new RangeError(`${where}: the model has ${need} parameters; an export holds at most ${MAX_EXPORT_PARAMS} (MAX_EXPORT_PARAMS)`);
  if (params === undefined) throw new TypeError(`${where}: the record has no params (the flat parameter values)`);
  if (!(Array.isArray(params) || (isTypedArray(params) && !isBigIntArray(params))))
    throw new TypeError(`${where}: params must be an array of numbers, got ${describe(params)}`);
  if (params.length !== need)
    throw new Error(`${where}: the record has ${params.length} params but its layers need ${need}`);
  for (let i = 0; i < params.length; i++) {
    const v = params[i];
    if (typeof v !== 'number' || !Number.isFinite(v))
      throw new TypeError(`${where}: params[${i}] is ${i in params ? describe(v) : 'a hole'}, not a finite number`);
  }
  if (residual.some((r, l) => r && sizes[l] !== sizes[l + 1]))
    throw new Error(`${where}: residual layer ${residual.findIndex((r, l) => r && sizes[l] !== sizes[l + 1])} maps ${sizes[residual.findIndex((r, l) => r && sizes[l] !== sizes[l + 1])]} to a different width`);
  const layers = [];
  let at = 0;
  for (let l = 0; l < L; l++) {
    const inW = sizes[l], outW = sizes[l + 1];
    const layer = { in: inW, out: outW, act: acts[l], residual: residual[l], layerNorm: layerNorm[l] };
    if (layer.layerNorm) {
      layer.gamma = [at, at + inW];
      layer.beta = [at + inW, at + 2 * inW];
      at += 2 * inW;
    }
    layer.W = [at, at + inW * outW];
    at += inW * outW;
    layer.b = [at, at + outW];
    at += outW;
    layers.push(layer);
  }
  return { rec, layers, f64: dtype === 'f64' };
}

// Little-endian bytes of the parameters at the model's precision (exact: float32 values
// stay float32 bit for bit).
function paramBytes(values, f64) {
  const arr = f64 ? Float64Array.from(values) : Float32Array.from(values);
  return new Uint8Array(arr.buffer);
}
// ASCII codes of the high and low hex digit of every byte value.
const HEX_HI = new Uint8Array(256), HEX_LO = new Uint8Array(256);
for (let b = 0; b < 256; b++) {
  const digit = (d) => (d < 10 ? 48 + d : 87 + d);
  HEX_HI[b] = digit(b >> 4);
  HEX_LO[b] = digit(b & 15);
}
const ASCII = new TextDecoder('utf-8');  // the fast path for pure ASCII in Node and browsers
// A Python bytes literal from hex, wrapped at 96 characters a line. Written as ASCII codes
// into one buffer and decoded once: 16 MB of weights take a fraction of a second (string
// concatenation took seconds).
function pyHex(bytes, indent) {
  if (!bytes.length) return 'bytes()';
  const perLine = 48;  // bytes, 96 hex digits
  const pre = Uint8Array.from(indent + '"', (c) => c.charCodeAt(0));
  const n = bytes.length;
  const out = new Uint8Array(Math.ceil(n / perLine) * (pre.length + 2) + 2 * n);
  let k = 0;
  for (let i = 0; i < n; i += perLine) {
    for (let p = 0; p < pre.length; p++) out[k++] = pre[p];
    const end = i + perLine < n ? i + perLine : n;
    for (let j = i; j < end; j++) {
      const b = bytes[j];
      out[k++] = HEX_HI[b];
      out[k++] = HEX_LO[b];
    }
    out[k++] = 34;  // the closing quote
    out[k++] = 10;  // newline
  }
  return `bytes.fromhex(\n${ASCII.decode(out.subarray(0, k - 1))}\n${indent.slice(4)})`;
}
// A Python float literal that reads back as the same double.
function pyFloat(v, what = 'a setting') {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`toPyTorch: ${what} is ${describe(v)}, not a finite number`);
  const s = String(v);
  return /[.e]/.test(s) ? s : `${s}.0`;
}

// Flattens x or y (typed array, flat or nested rows) into a Float64Array, checking widths,
// holes and finiteness (the engine's rules for training data).
function flatData(data, width, what) {
  const where = 'toPyTorch';
  if (isBigIntArray(data)) throw new TypeError(`${where}: ${what} is a ${data.constructor.name}; give a Float32Array, Float64Array or an array of numbers`);
  if (isTypedArray(data)) {
    if (data.length > MAX_EMBEDDED_VALUES)
      throw new RangeError(`${where}: ${what} has ${data.length} values; a script embeds at most ${MAX_EMBEDDED_VALUES} (MAX_EMBEDDED_VALUES, x and y together)`);
    const out = Float64Array.from(data);
    for (let i = 0; i < out.length; i++)
      if (!Number.isFinite(out[i])) throw new TypeError(`${where}: ${what}[${i}] is ${out[i]}, not a finite number`);
    return out;
  }
  if (!Array.isArray(data)) throw new TypeError(`${where}: ${what} must be a typed array or an array of rows, got ${describe(data)}`);
  if (data.length > MAX_EMBEDDED_VALUES)
    throw new RangeError(`${where}: ${what} has ${data.length} entries; a script embeds at most ${MAX_EMBEDDED_VALUES} values (MAX_EMBEDDED_VALUES, x and y together)`);
  const out = [];
  const value = (v, label) => {
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new TypeError(`${where}: ${label} is ${describe(v)}, not a finite number`);
    out.push(v);
  };
  for (let i = 0; i < data.length; i++) {
    if (!(i in data)) throw new TypeError(`${where}: ${what}[${i}] is a hole (a missing entry)`);
    const row = data[i];
    if (Array.isArray(row)) {
      if (width !== null && row.length !== width) throw new RangeError(`${where}: ${what}[${i}] has ${row.length} values, expected ${width}`);
      for (let j = 0; j < row.length; j++) {
        if (!(j in row)) throw new TypeError(`${where}: ${what}[${i}][${j}] is a hole (a missing entry)`);
        value(row[j], `${what}[${i}][${j}]`);
      }
      if (out.length > MAX_EMBEDDED_VALUES)
        throw new RangeError(`${where}: ${what} has more than ${MAX_EMBEDDED_VALUES} values; a script embeds at most ${MAX_EMBEDDED_VALUES} (MAX_EMBEDDED_VALUES, x and y together)`);
    } else value(row, `${what}[${i}]`);
  }
  return Float64Array.from(out);
}

const DEFAULT_TRAINING = {
  loss: 'mse', optimizer: 'sgd', lr: 0.1, momentum: 0.9, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, clipNorm: 0,
  schedule: { type: 'constant', warmup: 0, total: 0, lrMin: 0, stepSize: 1, gamma: 0.1 }, batchSize: 32, accumSteps: 1,
  sampling: 'random', seed: 0, steps: 0,
};

function pyActivation(act, slope) {
  switch (act) {
    case 'none': return 'nn.Identity()';
    case 'relu': return 'nn.ReLU()';
    case 'leakyrelu': return `nn.LeakyReLU(${pyFloat(slope)})`;
    case 'tanh': return 'nn.Tanh()';
    case 'sigmoid': return 'nn.Sigmoid()';
    case 'gelu': return 'nn.GELU(approximate="tanh")';
    case 'silu': return 'nn.SiLU()';
    case 'softplus': return 'nn.Softplus()';
  }
  throw new Error(`toPyTorch: activation '${act}' has no export`);
}

/**
 * A standalone PyTorch script for the model: `python3 model.py` continues training on the
 * embedded data (when `x` and `y` are given) with the model's last training settings;
 * `python3 model.py predict < rows.json` prints the outputs for JSON rows.
 * Options: x, y (training data to embed), steps (how many steps the script trains, 1000),
 * training (settings that replace the model's own: any train() option names).
 */
export function toPyTorch(model, options) {
  const where = 'toPyTorch';
  const o = plainOptions(options, ['x', 'y', 'steps', 'training'], where);
  const { rec, layers, f64 } = recordOf(model, where);
  const saved = rec.training === null ? {} : checkTraining(rec.training, where);
  const given = o.training === undefined ? {} : checkTraining(o.training, where, 'options.training', { scheduleName: true });
  const t = { ...DEFAULT_TRAINING, ...saved, ...given };
  t.schedule = { ...DEFAULT_TRAINING.schedule, ...saved.schedule, ...given.schedule };
  const steps = o.steps === undefined ? 1000 : o.steps;
  if (typeof steps !== 'number') throw new TypeError(`${where}: steps must be an integer, got ${describe(steps)}`);
  if (!Number.isInteger(steps) || steps < 0 || steps > MAX_SCRIPT_STEPS)
    throw new RangeError(`${where}: steps must be an integer in [0, ${MAX_SCRIPT_STEPS}], got ${steps}`);
  const lossKind = { mse: 'mse', halfMse: 'halfmse', crossEntropy: 'ce', bce: 'bce' }[t.loss];
  const optimizer = t.optimizer;
  const schedule = t.schedule.type.toLowerCase();
  // What train() checks across settings, on the merged result.
  if (schedule === 'warmupcosine' && !(t.schedule.total > t.schedule.warmup))
    throw new RangeError(`${where}: a warmupCosine schedule needs total (${t.schedule.total}) above warmup (${t.schedule.warmup})`);
  if (schedule === 'warmupcosine' && t.schedule.lrMin > t.lr) throw new RangeError(`${where}: schedule.lrMin ${t.schedule.lrMin} is above lr ${t.lr}`);

  const inDim = rec.sizes[0], outDim = rec.sizes.at(-1);
  let data = null;
  if (o.x !== undefined || o.y !== undefined) {
    if (o.x === undefined || o.y === undefined) throw new TypeError(`${where}: give both x and y to embed training data`);
    const x = flatData(o.x, inDim, 'x');
    if (x.length % inDim) throw new RangeError(`${where}: x has ${x.length} values, not a multiple of the input width ${inDim}`);
    const n = x.length / inDim;
    const y = flatData(o.y, lossKind === 'ce' ? null : outDim, 'y');
    if (x.length + y.length > MAX_EMBEDDED_VALUES)
      throw new RangeError(`${where}: x and y hold ${x.length + y.length} values together; a script embeds at most ${MAX_EMBEDDED_VALUES} (MAX_EMBEDDED_VALUES)`);
    const yWidth = lossKind === 'ce' ? 1 : outDim;
    if (y.length !== n * yWidth)
      throw new RangeError(`${where}: y has ${y.length} values but ${n} samples need ${n * yWidth} (${lossKind === 'ce' ? 'one class label each' : `${outDim} targets each`})`);
    data = { x, y, n, yWidth };
  }

  const dtype = f64 ? 'torch.float64' : 'torch.float32';
  const slope = rec.leakySlope ?? 0.01;
  const lnEps = rec.lnEps ?? 1e-5;
  const ind = '    ';
  const layerLines = layers.map((L) =>
    `${ind}${ind}Layer(${L.in}, ${L.out}, ${pyActivation(L.act, slope)}, residual=${L.residual ? 'True' : 'False'}, layer_norm=${L.layerNorm ? 'True' : 'False'}, eps=${pyFloat(lnEps)}),`);
  const dataBlock = data
    ? `X = torch.frombuffer(bytearray(${pyHex(paramBytes(data.x, true), ind)}), dtype=torch.float64).to(DTYPE).reshape(${data.n}, ${inDim})
Y = torch.frombuffer(bytearray(${pyHex(paramBytes(data.y, true), ind)}), dtype=torch.float64)${lossKind === 'ce' ? '.long()' : `.to(DTYPE).reshape(${data.n}, ${outDim})`}`
    : `X = None  # no data was embedded: set X [n, ${inDim}] and Y (${lossKind === 'ce' ? '[n] class labels' : `[n, ${outDim}] targets`}) here
Y = None`;
  // ½·MSE (seed 001's loss) has no torch.nn class: half of MSELoss, the same mean over all values.
  const lossLine = { mse: 'nn.MSELoss()', halfmse: 'lambda out, target: 0.5 * nn.functional.mse_loss(out, target)', bce: 'nn.BCEWithLogitsLoss()', ce: 'nn.CrossEntropyLoss()' }[lossKind];
  const wd = pyFloat(t.weightDecay);
  const optLine = {
    sgd: `torch.optim.SGD(model.parameters(), lr=${pyFloat(t.lr)}, weight_decay=${wd})`,
    momentum: `torch.optim.SGD(model.parameters(), lr=${pyFloat(t.lr)}, momentum=${pyFloat(t.momentum)}, dampening=0.0, weight_decay=${wd})`,
    adam: `torch.optim.Adam(model.parameters(), lr=${pyFloat(t.lr)}, betas=(${pyFloat(t.beta1)}, ${pyFloat(t.beta2)}), eps=${pyFloat(t.eps)}, weight_decay=${wd})`,
    adamw: `torch.optim.AdamW(model.parameters(), lr=${pyFloat(t.lr)}, betas=(${pyFloat(t.beta1)}, ${pyFloat(t.beta2)}), eps=${pyFloat(t.eps)}, weight_decay=${wd})`,
  }[optimizer];
  const s = t.schedule;
  const factor = {
    constant: 'return 1.0',
    step: `return ${pyFloat(s.gamma)} ** ((t - 1) // ${s.stepSize})`,
    warmupcosine: `if t < ${Math.trunc(s.warmup)}:
        return t / ${Math.trunc(s.warmup)}
    if t <= ${Math.trunc(s.total)}:
        return (${pyFloat(s.lrMin)} + 0.5 * (${pyFloat(t.lr)} - ${pyFloat(s.lrMin)}) * (1 + math.cos(math.pi * (t - ${Math.trunc(s.warmup)}) / (${Math.trunc(s.total)} - ${Math.trunc(s.warmup)})))) / ${pyFloat(t.lr)}
    return ${pyFloat(s.lrMin)} / ${pyFloat(t.lr)}`,
  };
  factor.cosine = factor.warmupcosine;

  return `#!/usr/bin/env python3
# A gradlab model exported for PyTorch: the architecture, its trained weights (exact
# ${f64 ? 'float64' : 'float32'} bytes), the training settings and a loop that goes on training.
#   python3 this.py                    trains ${steps} more steps on the embedded data, prints the losses
#   python3 this.py train 500          the same for 500 steps
#   python3 this.py predict < x.json   prints model(x) for JSON rows [[...], ...]
# Layer l: h = LayerNorm(x) if layer_norm else x; a = act(h W + b); y = x + a if residual else a.
# Outputs are logits (gradlab's predict): the loss applies the sigmoid or softmax.
# The optimizer's moments start fresh (gradlab's are not exported); the step counter
# (for the schedule) continues from the ${t.steps} step${t.steps === 1 ? '' : 's'} gradlab took.
import json
import math
import sys

import torch
from torch import nn

DTYPE = ${dtype}
SIZES = ${JSON.stringify(rec.sizes)}
TRAINING = ${JSON.stringify({ ...t, loss: lossKind, optimizer, schedule: { ...s, type: schedule } }).replace(/\btrue\b/g, 'True').replace(/\bfalse\b/g, 'False').replace(/\bnull\b/g, 'None')}


class Layer(nn.Module):
    def __init__(self, n_in, n_out, act, residual=False, layer_norm=False, eps=1e-5):
        super().__init__()
        self.norm = nn.LayerNorm(n_in, eps=eps) if layer_norm else None
        self.linear = nn.Linear(n_in, n_out)
        self.act = act
        self.residual = residual

    def forward(self, x):
        h = self.norm(x) if self.norm is not None else x
        a = self.act(self.linear(h))
        return x + a if self.residual else a


class GradlabMLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = nn.Sequential(
${layerLines.join('\n')}
        )

    def forward(self, x):
        return self.layers(x)


# gradlab's flat parameter buffer, layer after layer: [γ, β] if LayerNorm, W [in, out] row-major, b.
PARAMS = ${pyHex(paramBytes(rec.params, f64), ind)}


def load_params(model):
    flat = torch.frombuffer(bytearray(PARAMS), dtype=DTYPE)
    at = 0

    def take(n):
        nonlocal at
        part = flat[at:at + n]
        at += n
        return part

    with torch.no_grad():
        for layer in model.layers:
            n_in, n_out = layer.linear.in_features, layer.linear.out_features
            if layer.norm is not None:
                layer.norm.weight.copy_(take(n_in))
                layer.norm.bias.copy_(take(n_in))
            layer.linear.weight.copy_(take(n_in * n_out).reshape(n_in, n_out).t())
            layer.linear.bias.copy_(take(n_out))
    assert at == flat.numel(), (at, flat.numel())


${dataBlock}


def lr_factor(t):
    # gradlab's schedule at update t = 1, 2, ... (a multiple of the peak lr).
    ${factor[schedule]}


def train(model, x, y, steps):
    loss_fn = ${lossLine}
    opt = ${optLine}
    first = TRAINING["steps"]
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda k: lr_factor(first + k + 1))
    gen = torch.Generator().manual_seed(TRAINING["seed"])
    n, batch, accum = x.shape[0], TRAINING["batchSize"], TRAINING["accumSteps"]
    order, pos = torch.randperm(n, generator=gen), 0
    losses = []
    for _ in range(steps):
        opt.zero_grad()
        total = 0.0
        for _ in range(accum):
            if TRAINING["sampling"] == "random":
                idx = torch.randint(0, n, (batch,), generator=gen)
            else:
                if pos + batch > n:
                    order, pos = torch.randperm(n, generator=gen), 0
                idx = order[pos:pos + batch]
                pos += batch
            loss = loss_fn(model(x[idx]), y[idx])
            (loss / accum).backward()
            total += loss.item() / accum
        if TRAINING["clipNorm"] > 0:
            nn.utils.clip_grad_norm_(model.parameters(), TRAINING["clipNorm"])
        opt.step()
        sched.step()
        losses.append(total)
    return losses


def build():
    model = GradlabMLP().to(DTYPE)
    load_params(model)
    return model


if __name__ == "__main__":
    torch.manual_seed(0)
    model = build()
    if len(sys.argv) > 1 and sys.argv[1] == "predict":
        rows = torch.tensor(json.load(sys.stdin), dtype=DTYPE).reshape(-1, SIZES[0])
        with torch.no_grad():
            print(json.dumps(model(rows).tolist()))
    else:
        steps = int(sys.argv[2]) if len(sys.argv) > 2 and sys.argv[1] == "train" else ${steps}
        if X is None:
            sys.exit("no training data in this script: set X and Y")
        losses = train(model, X, Y, steps)
        print(json.dumps({"steps": steps, "first_loss": losses[0] if losses else None, "last_loss": losses[-1] if losses else None}))
`;
}

// ---- ONNX -------------------------------------------------------------------------
// A small protobuf writer for the few ONNX messages needed (onnx.proto3 field numbers).
// Bytes go into a growing Uint8Array (doubling), so megabytes of weights are copied once
// with set() instead of pushed one number at a time.
class Proto {
  constructor() {
    this.buf = new Uint8Array(64);
    this.length = 0;
  }
  get bytes() {
    return this.buf.subarray(0, this.length);
  }
  reserve(n) {
    if (this.length + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.length + n) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.bytes);
    this.buf = grown;
  }
  byte(b) {
    this.reserve(1);
    this.buf[this.length++] = b;
  }
  varint(v) {
    let n = BigInt.asUintN(64, BigInt(v));
    do {
      let b = Number(n & 0x7fn);
      n >>= 7n;
      if (n) b |= 0x80;
      this.byte(b);
    } while (n);
    return this;
  }
  tag(field, wire) {
    return this.varint((field << 3) | wire);
  }
  int(field, v) {
    return this.tag(field, 0).varint(v);
  }
  raw(field, bytes) {
    this.tag(field, 2).varint(bytes.length);
    this.reserve(bytes.length);
    this.buf.set(bytes, this.length);
    this.length += bytes.length;
    return this;
  }
  str(field, s) {
    return this.raw(field, new TextEncoder().encode(s));
  }
  msg(field, proto) {
    return this.raw(field, proto.bytes);
  }
  float(field, v) {
    this.tag(field, 5);
    return this.rawBytes(new Uint8Array(new Float32Array([v]).buffer));
  }
  rawBytes(bytes) {
    this.reserve(bytes.length);
    this.buf.set(bytes, this.length);
    this.length += bytes.length;
    return this;
  }
}

const ONNX_FLOAT = 1, ONNX_DOUBLE = 11, ONNX_INT64 = 7;

function tensorProto(name, dims, values, elemType) {
  const p = new Proto();
  for (const d of dims) p.int(1, d);
  p.int(2, elemType);
  p.str(8, name);
  const arr = elemType === ONNX_DOUBLE ? new Float64Array(values) : elemType === ONNX_INT64 ? new BigInt64Array(values.map(BigInt)) : new Float32Array(values);
  p.raw(9, new Uint8Array(arr.buffer));
  return p;
}
function valueInfo(name, elemType, dims) {
  const shape = new Proto();
  for (const d of dims) shape.msg(1, typeof d === 'string' ? new Proto().str(2, d) : new Proto().int(1, d));
  const tensorType = new Proto().int(1, elemType).msg(2, shape);
  return new Proto().str(1, name).msg(2, new Proto().msg(1, tensorType));
}
function attribute(name, value) {
  const p = new Proto().str(1, name);
  if (Array.isArray(value)) {
    for (const v of value) p.int(8, v);
    return p.int(20, 7);  // INTS
  }
  if (Number.isInteger(value) && typeof value === 'number' && name !== 'alpha') return p.int(3, value).int(20, 2);  // INT
  return p.float(2, value).int(20, 1);  // FLOAT
}

/**
 * The model as an ONNX file (opset 13): input "x" [N, in], output "y" [N, out] (logits,
 * as predict()). Linear layers are Gemm; LayerNorm, GELU (tanh form) and SiLU are written
 * with primitive ops. Options: dtype 'f32' (default: what every runtime runs; an f64
 * model's weights are rounded) or 'f64' (exact for f64 models; runtimes lack double
 * kernels for some ops, onnxruntime's LeakyRelu among them), name (the graph's name).
 */
export function toONNX(model, options) {
  const where = 'toONNX';
  const o = plainOptions(options, ['name', 'dtype'], where);
  const { rec, layers } = recordOf(model, where);
  const dtype = o.dtype === undefined ? 'f32' : o.dtype;
  const graphName = o.name === undefined ? 'gradlab_mlp' : o.name;
  if (typeof graphName !== 'string') throw new TypeError(`${where}: name must be a string, got ${describe(graphName)}`);
  if (graphName.length < 1 || graphName.length > MAX_ONNX_NAME)
    throw new RangeError(`${where}: name must have 1 to ${MAX_ONNX_NAME} characters, got ${graphName.length}`);
  if (dtype !== 'f32' && dtype !== 'f64') throw new TypeError(`${where}: dtype must be 'f32' or 'f64', got ${describe(dtype)}`);
  const f64 = dtype === 'f64';
  const elem = f64 ? ONNX_DOUBLE : ONNX_FLOAT;
  const graph = new Proto();
  const nodes = [];
  const inits = [];
  let counter = 0;
  const fresh = (base) => `${base}_${counter++}`;
  const node = (op, inputs, attrs = {}) => {
    const out = fresh(op.toLowerCase());
    nodes.push({ op, inputs, outputs: [out], attrs });
    return out;
  };
  const constant = (name, dims, values) => {
    inits.push(tensorProto(name, dims, values, elem));
    return name;
  };
  const slope = rec.leakySlope ?? 0.01;
  // Scalar constants, written once and only when an op uses them.
  const made = new Set();
  const scalar = (name, value) => {
    if (!made.has(name)) constant(name, [], [value]);
    made.add(name);
    return name;
  };
  const c = {
    get half() { return scalar('c_half', 0.5); },
    get one() { return scalar('c_one', 1); },
    get geluC() { return scalar('c_gelu_sqrt_2_over_pi', 0.7978845608028654); },
    get geluA() { return scalar('c_gelu_0_044715', 0.044715); },
    get eps() { return scalar('c_ln_eps', rec.lnEps ?? 1e-5); },
  };
  const activation = (act, z) => {
    switch (act) {
      case 'none': return z;
      case 'relu': return node('Relu', [z]);
      case 'leakyrelu': return node('LeakyRelu', [z], { alpha: slope });
      case 'tanh': return node('Tanh', [z]);
      case 'sigmoid': return node('Sigmoid', [z]);
      case 'softplus': return node('Softplus', [z]);
      case 'silu': return node('Mul', [z, node('Sigmoid', [z])]);
      case 'gelu': {
        // ½ z (1 + tanh(√(2/π) (z + 0.044715 z³)))
        const z3 = node('Mul', [node('Mul', [z, z]), z]);
        const inner = node('Mul', [c.geluC, node('Add', [z, node('Mul', [c.geluA, z3])])]);
        return node('Mul', [node('Mul', [c.half, z]), node('Add', [c.one, node('Tanh', [inner])])]);
      }
    }
    throw new Error(`${where}: activation '${act}' has no export`);
  };
  let x = 'x';
  layers.forEach((L, l) => {
    const P = rec.params;
    let h = x;
    if (L.layerNorm) {
      const gamma = constant(`layer${l}_ln_gamma`, [L.in], P.slice(...L.gamma));
      const beta = constant(`layer${l}_ln_beta`, [L.in], P.slice(...L.beta));
      const mean = node('ReduceMean', [x], { axes: [-1], keepdims: 1 });
      const d = node('Sub', [x, mean]);
      const variance = node('ReduceMean', [node('Mul', [d, d])], { axes: [-1], keepdims: 1 });
      const normed = node('Div', [d, node('Sqrt', [node('Add', [variance, c.eps])])]);
      h = node('Add', [node('Mul', [normed, gamma]), beta]);
    }
    const W = constant(`layer${l}_W`, [L.in, L.out], P.slice(...L.W));
    const b = constant(`layer${l}_b`, [L.out], P.slice(...L.b));
    const a = activation(L.act, node('Gemm', [h, W, b]));
    x = L.residual ? node('Add', [x, a]) : a;
  });
  // The last value gets the graph's output name.
  if (x === 'x') x = node('Identity', ['x']);
  const last = nodes.at(-1);
  last.outputs = ['y'];
  for (const n of nodes) n.inputs = n.inputs.map((i) => (i === x ? 'y' : i));

  for (const n of nodes) {
    const p = new Proto();
    for (const i of n.inputs) p.str(1, i);
    for (const out of n.outputs) p.str(2, out);
    p.str(3, n.outputs[0]);
    p.str(4, n.op);
    for (const [k, v] of Object.entries(n.attrs)) p.msg(5, attribute(k, v));
    graph.msg(1, p);
  }
  graph.str(2, graphName);
  for (const t of inits) graph.msg(5, t);
  graph.msg(11, valueInfo('x', elem, ['N', rec.sizes[0]]));
  graph.msg(12, valueInfo('y', elem, ['N', rec.sizes.at(-1)]));
  const m = new Proto()
    .int(1, 7)  // IR version 7 goes with opset 13
    .str(2, 'gradlab')
    .str(3, '0.1.0')
    .msg(7, graph)
    .msg(8, new Proto().str(1, '').int(2, 13));
  return m.bytes.slice();
}
