// The expression language and the derivation checker from JavaScript: argument
// checks, the text form of points, and JSON records turned into objects. The
// parsing, evaluation and checking all happen in C++ (src/expr, src/teaching):
// nothing here evaluates user text.
import { describe } from './data.js';

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

// Throws the module's last error; a syntax error carries its character position.
function fail(mod) {
  const error = new Error(mod.lastError());
  const position = mod.exprLastErrorPosition();
  if (position >= 0) error.position = position;
  throw error;
}
function record(mod, json) {
  if (!json) fail(mod);
  return JSON.parse(json);
}

function str(v, what, where) {
  if (typeof v !== 'string') throw new TypeError(`${where}: ${what} must be a string, got ${describe(v)}`);
  return v;
}

function checkKeys(options, known, where) {
  if (options === null || typeof options !== 'object' || Array.isArray(options))
    throw new TypeError(`${where}: expected an options object, got ${describe(options)}`);
  for (const k of Object.keys(options))
    if (!known.includes(k)) throw new TypeError(`${where}: unknown option '${k}' (known: ${known.join(', ')})`);
}

/**
 * The point { a: 2, b: -3 } as the text the engine reads ("a=2\nb=-3"). Values may be
 * Tensors (scalars) where `allowTensors` says so: they are returned in `bound`.
 */
export function pointText(at, where, { allowTensors = null } = {}) {
  if (at === undefined) at = {};
  if (at === null || typeof at !== 'object' || Array.isArray(at) || ArrayBuffer.isView(at))
    throw new TypeError(`${where}: at must be an object of variable values such as { a: 2, b: -3 }, got ${describe(at)}`);
  const lines = [];
  const bound = new Map();
  for (const [name, value] of Object.entries(at)) {
    if (!NAME.test(name))
      throw new TypeError(`${where}: at has the key ${JSON.stringify(name.length > 40 ? name.slice(0, 40) + '…' : name)}, which is not a variable name (letters, digits and _, not starting with a digit)`);
    if (allowTensors && value instanceof allowTensors) {
      bound.set(name, value);
      lines.push(`${name}=0`);  // lowering needs a number; the tensor replaces the leaf
      continue;
    }
    if (typeof value !== 'number')
      throw new TypeError(`${where}: at.${name} must be a number, got ${describe(value)}`);
    if (!Number.isFinite(value)) throw new RangeError(`${where}: at.${name} is ${value}; values must be finite numbers`);
    lines.push(`${name}=${String(value)}`);
  }
  return { text: lines.join('\n'), bound };
}

function tolerance(v, where) {
  if (v === undefined) return 1e-6;
  if (typeof v !== 'number' || !(v > 0 && v <= 0.5))
    throw new RangeError(`${where}: tolerance must be a relative tolerance in (0, 0.5], got ${describe(v)}`);
  return v;
}

/** gl.parse(source): the canonical form and the variables, or a thrown syntax error. */
export function parse(mod, source) {
  return record(mod, mod.exprParseJson(str(source, 'the expression', 'parse')));
}

/** gl.evaluate(source, at): { value, gradient: { name: ∂value/∂name } }. */
export function evaluate(mod, source, at) {
  str(source, 'the expression', 'evaluate');
  const r = record(mod, mod.exprEvaluateJson(source, pointText(at, 'evaluate').text));
  return { value: r.value, gradient: r.gradient };
}

/** gl.expression(source): parsed once, evaluated at any point. */
export function expression(mod, source) {
  const info = parse(mod, source);
  return {
    source: info.source,
    canonical: info.canonical,
    variables: info.variables,
    evaluate: (at) => evaluate(mod, info.source, at),
  };
}

const CHECK_KEYS = ['f', 'wrt', 'answer', 'at', 'tolerance', 'samples', 'seed'];
const FACTOR_KINDS = new Set(['constant-factor', 'rounding', 'missing-chain-factor', 'missing-outer-factor']);
const nan = (v) => (v === null ? NaN : v);

/** gl.checkDerivative({ f, wrt, answer, at, tolerance?, samples?, seed? }) */
export function checkDerivative(mod, options) {
  const where = 'checkDerivative';
  checkKeys(options, CHECK_KEYS, where);
  const { f, wrt, answer, at, samples = 5, seed = 1 } = options;
  str(f, 'f (the function)', where);
  str(wrt, 'wrt (the variable to differentiate by)', where);
  if (!NAME.test(wrt)) throw new TypeError(`${where}: wrt must be a variable name, got ${describe(wrt)}`);
  const numeric = typeof answer === 'number';
  if (!numeric && typeof answer !== 'string')
    throw new TypeError(`${where}: answer must be a number or a formula string, got ${describe(answer)}`);
  if (!Number.isInteger(samples) || samples < 0 || samples > 50)
    throw new RangeError(`${where}: samples must be an integer from 0 to 50, got ${describe(samples)}`);
  if (!Number.isSafeInteger(seed) || seed < 0)
    throw new RangeError(`${where}: seed must be a non-negative integer, got ${describe(seed)}`);
  const point = pointText(at, where).text;
  const r = record(
    mod,
    mod.checkDerivativeJson(f, wrt, numeric ? '' : answer, numeric, numeric ? answer : 0, point,
      tolerance(options.tolerance, where), samples, seed),
  );
  const out = {
    correct: r.correct,
    kind: r.kind,
    feedback: r.feedback,
    expected: nan(r.expected),
    given: nan(r.given),
    numericAnswer: r.numericAnswer,
    points: r.points.map((p) => ({ at: p.at, expected: nan(p.expected), given: nan(p.given), ok: p.ok })),
  };
  if (r.node) out.node = r.node;
  if (r.variable) out.variable = r.variable;
  if (FACTOR_KINDS.has(r.kind) && r.factor !== null) out.factor = r.factor;
  return out;
}

const TABLE_KEYS = ['f', 'at', 'node', 'given', 'column', 'tolerance'];

/** gl.checkTableEntry({ f, at, node, given, column?, tolerance? }) */
export function checkTableEntry(mod, options) {
  const where = 'checkTableEntry';
  checkKeys(options, TABLE_KEYS, where);
  const { f, at, node, given, column = 'gradient' } = options;
  str(f, 'f (the function)', where);
  let ref = '', id = -1;
  if (typeof node === 'string') ref = node;
  else if (Number.isInteger(node) && node >= 0) id = node;
  else
    throw new TypeError(
      `${where}: node must be a variable, a sub-expression of f ('a*b'), a trace name ('v4') or a node id, got ${describe(node)}`,
    );
  if (typeof given !== 'number') throw new TypeError(`${where}: given must be a number, got ${describe(given)}`);
  if (column !== 'gradient' && column !== 'value')
    throw new TypeError(`${where}: column must be 'gradient' or 'value', got ${describe(column)}`);
  const r = record(
    mod,
    mod.checkTableEntryJson(f, pointText(at, where).text, ref, id, given, column === 'gradient' ? 0 : 1,
      tolerance(options.tolerance, where)),
  );
  const out = {
    correct: r.correct,
    kind: r.kind,
    feedback: r.feedback,
    expected: nan(r.expected),
    given: nan(r.given),
    node: r.node,
    nodeText: r.nodeText,
  };
  if (r.other) out.other = r.other;
  if (FACTOR_KINDS.has(r.kind) && r.factor !== null) out.factor = r.factor;
  return out;
}

/**
 * Lowers `source` into `graph` (used by Graph.fromExpression): one leaf per variable,
 * labelled with its name (or the scalar Tensor given for it in `at`), a constant per
 * number, an op node per operation. Returns the root's node id.
 */
export function lowerInto(graph, source, at, options = {}, TensorClass = null) {
  const where = 'fromExpression';
  str(source, 'the expression', where);
  checkKeys(options, ['labelOperations'], where);
  const mod = graph._mod;
  const { text, bound } = pointText(at, where, { allowTensors: TensorClass });
  for (const [name, t] of bound) {
    graph._own(t, where);
    if (t.size !== 1) throw new Error(`${where}: at.${name} is a tensor of shape ${JSON.stringify(t.shape)}; expressions work on scalars`);
  }
  const plan = record(mod, mod.exprLowerJson(source, text, !!options.labelOperations));
  const ids = new Array(plan.nodes.length);
  const h = graph._live();
  for (let i = 0; i < plan.nodes.length; ++i) {
    const n = plan.nodes[i];
    if (n.variable !== undefined) {
      const name = plan.variables[n.variable];
      ids[i] = bound.has(name) ? bound.get(name).id : graph.scalar(n.value, name).id;
    } else if (n.value !== undefined) {
      ids[i] = graph.constant(n.value, undefined, n.label).id;
    } else {
      const a = n.attrs;
      const id = h.apply(n.op, ids[n.inputs[0]] ?? -1, ids[n.inputs[1]] ?? -1, a.length, a[0] ?? 0, a[1] ?? 0, a[2] ?? 0);
      if (id < 0) graph._fail();
      if (n.label && !h.setLabel(id, n.label)) graph._fail();
      ids[i] = id;
    }
  }
  return ids[plan.root];
}
