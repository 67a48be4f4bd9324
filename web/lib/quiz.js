// The expression language and the derivation checker from JavaScript: argument
// checks, points as two arrays (names, values), and JSON records turned into objects.
// The parsing, evaluation and checking all happen in C++ (src/expr, src/teaching):
// nothing here evaluates user text. That C++ is a second wasm module (gradlab_expr.wasm),
// loaded by gl.loadExpressions() (or createGradlab({ expressions: true })): pages without
// expressions never download it. Each function here takes the core module and finds the
// expression module on it.
import { boolean, describe, integer, isPlainObject, number, oneOf, options, seed, string, clip } from './check.js';
import { call, callJson, engineError } from './call.js';

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const MAX_VARIABLES = 10000;

/**
 * The point { a: 2, b: -3 } as { names, values } (each value read once). Values may be
 * scalar Tensors where `allowTensors` (the Tensor class) says so: they come back in
 * `bound`, and their current value stands in `values`.
 */
export function pointArg(at, where, allowTensors = null) {
  if (at === undefined) at = {};
  if (!isPlainObject(at))
    throw new TypeError(`${where}: at must be an object of variable values such as { a: 2, b: -3 }, got ${describe(at)}`);
  const entries = Object.entries(at);
  if (entries.length > MAX_VARIABLES)
    throw new RangeError(`${where}: at has ${entries.length} variables, above the limit of ${MAX_VARIABLES}`);
  const names = [];
  const values = [];
  const bound = new Map();
  for (const [name, value] of entries) {
    if (!NAME.test(name) || name.length > 200)
      throw new TypeError(`${where}: at has the key ${JSON.stringify(clip(name))}, which is not a variable name (letters, digits and _, not starting with a digit)`);
    names.push(name);
    if (allowTensors && value instanceof allowTensors) {
      bound.set(name, value);
      values.push(0);  // replaced by the tensor's value once it is checked
      continue;
    }
    values.push(number(value, `at.${name}`, where));
  }
  return { names, values, bound };
}

/** The expression module loaded for the core module `core`, or an Error that says how to load it. */
export function exprModule(core, where) {
  const mod = core.gradlabExpr;
  if (!mod)
    throw new Error(
      `${where}: the expression module (gradlab_expr.wasm) is not loaded yet: ` +
        'call `await gl.loadExpressions()` once first (this engine was created with createGradlab({ expressions: false }))',
    );
  return mod;
}

function tolerance(v, where) {
  if (v === undefined) return 1e-6;
  number(v, 'tolerance', where);
  if (!(v > 0 && v <= 0.5)) throw new RangeError(`${where}: tolerance must be a relative tolerance in (0, 0.5], got ${describe(v)}`);
  return v;
}
function expressionText(v, where, what = 'the expression') {
  return string(v, what, where);
}

/** gl.parse(source): the canonical form and the variables, or a thrown syntax error. */
export function parse(core, source) {
  const mod = exprModule(core, 'parse');
  expressionText(source, 'parse');
  return callJson(mod, 'parse', () => mod.exprParseJson(source), true);
}

/** gl.evaluate(source, at): { value, gradient: { name: ∂value/∂name } }. */
export function evaluate(core, source, at) {
  const where = 'evaluate';
  expressionText(source, where);
  const p = pointArg(at, where);
  const mod = exprModule(core, where);
  return callJson(mod, where, () => mod.exprEvaluateJson(source, p.names, p.values), true);
}

/** gl.expression(source): parsed once, evaluated at any point. */
export function expression(core, source) {
  const info = parse(core, source);
  return {
    source: info.source,
    canonical: info.canonical,
    variables: info.variables,
    evaluate: (at) => evaluate(core, info.source, at),
  };
}

const CHECK_KEYS = ['f', 'wrt', 'answer', 'at', 'tolerance', 'samples', 'seed', 'definitions', 'anySubgradient'];
const MAX_DEFINITIONS = 100;

// An identifier of the expression language, not inside a number ("2e5") or a longer name.
const IDENTIFIER = /(?<![A-Za-z0-9_.])[A-Za-z_][A-Za-z0-9_]*/g;

/**
 * A question's named intermediates ({ y: 'a*x + b' }) as a function that substitutes
 * each defined name, in parentheses, into a formula (y is not a variable: '2*(y - t)*x'
 * becomes '2*((a*x + b) - t)*x'). The engine parses each definition (a syntax error names
 * it); a definition may use the point's variables and other definitions. Errors for a
 * key that is not a name or has a value in the point, an unknown name, and a cycle.
 */
function definitionsArg(mod, v, names, where) {
  if (v === undefined) return null;
  if (!isPlainObject(v))
    throw new TypeError(`${where}: definitions must be an object of named formulas such as { y: 'a*x + b' }, got ${describe(v)}`);
  const entries = Object.entries(v);
  if (entries.length > MAX_DEFINITIONS)
    throw new RangeError(`${where}: definitions has ${entries.length} entries, above the limit of ${MAX_DEFINITIONS}`);
  const uses = new Map();
  for (const [name, text] of entries) {
    if (!NAME.test(name) || name.length > 200)
      throw new TypeError(`${where}: definitions has the key ${JSON.stringify(clip(name))}, which is not a name (letters, digits and _, not starting with a digit)`);
    string(text, `definitions.${name} (a formula)`, where);
    if (names.includes(name))
      throw new Error(`${where}: definitions: '${name}' is defined (${name} = ${clip(text)}) and also has a value in the point; give one or the other`);
    let own;
    try {
      own = callJson(mod, where, () => mod.exprParseJson(name)).variables[0];
    } catch {
      own = undefined;
    }
    if (own !== name)
      throw new Error(`${where}: definitions: '${name}' is a function or constant of the expression language, not a name to define`);
    let info;
    try {
      info = callJson(mod, where, () => mod.exprParseJson(text), true);
    } catch (e) {
      throw engineError(where, `definitions: ${name} = ${clip(text)} does not parse: ${e.message.replace(`${where}: `, '')}`, e);
    }
    for (const u of info.variables)
      if (!names.includes(u) && !Object.hasOwn(v, u))
        throw new Error(`${where}: definitions: ${name} = ${clip(text)} uses '${u}', which is neither a variable of the point nor a defined name`);
    uses.set(name, info.variables.filter((u) => Object.hasOwn(v, u)));
  }
  // Expand those whose names are expanded, until none is left; no progress: a cycle.
  const expanded = new Map();
  const substitute = (text) => text.replace(IDENTIFIER, (id) => (expanded.has(id) ? `(${expanded.get(id)})` : id));
  while (expanded.size < uses.size) {
    const before = expanded.size;
    for (const [name, used] of uses)
      if (!expanded.has(name) && used.every((u) => expanded.has(u))) expanded.set(name, substitute(v[name]));
    if (expanded.size === before) {
      const cycle = [...uses.keys()].filter((n) => !expanded.has(n));
      throw new Error(`${where}: definitions refer to each other in a cycle (${cycle.join(', ')})`);
    }
  }
  return substitute;
}

const FACTOR_KINDS = new Set(['constant-factor', 'rounding', 'missing-chain-factor', 'missing-outer-factor', 'missing-product-term']);
const nan = (v) => (v === null ? NaN : v);

function question(v, where, keys) {
  // Required; any object goes on to options(), which names a non-plain one and its keys.
  if (typeof v !== 'object' || v === null) throw new TypeError(`${where}: expected an options object, got ${describe(v)}`);
  return options(v, where, keys);
}

/**
 * The learner's answer with the definitions substituted; an answer that does not parse
 * is passed as typed, so its feedback points at the learner's own text.
 */
function expandAnswer(mod, expand, answer) {
  try {
    callJson(mod, 'checkDerivative', () => mod.exprParseJson(answer));
  } catch {
    return answer;
  }
  return expand(answer);
}

/** gl.checkDerivative({ f, wrt, answer, at, tolerance?, samples?, seed?, definitions?, anySubgradient? }) */
export function checkDerivative(core, q) {
  const where = 'checkDerivative';
  const mod = exprModule(core, where);
  const o = question(q, where, CHECK_KEYS);
  const f = expressionText(o.f, where, 'f (the function)');
  const wrt = string(o.wrt, 'wrt (the variable to differentiate by)', where);
  if (!NAME.test(wrt)) throw new TypeError(`${where}: wrt must be a variable name, got ${describe(wrt)}`);
  const numeric = typeof o.answer === 'number';
  if (!numeric && typeof o.answer !== 'string')
    throw new TypeError(`${where}: answer must be a number or a formula string, got ${describe(o.answer)}`);
  // a non-finite numeric answer is feedback about the answer ('invalid-answer'), not an error
  const samples = o.samples === undefined ? 5 : integer(o.samples, 'samples', where, 0, 50);
  const s = o.seed === undefined ? 1 : seed(o.seed, where);
  const p = pointArg(o.at, where);
  const tol = tolerance(o.tolerance, where);
  const expand = definitionsArg(mod, o.definitions, p.names, where);
  if (expand && Object.hasOwn(o.definitions, wrt))
    throw new Error(`${where}: '${wrt}' is a defined intermediate (${wrt} = ${clip(o.definitions[wrt])}); differentiate by a variable of the point`);
  const anySubgradient = o.anySubgradient === undefined ? true : boolean(o.anySubgradient, 'anySubgradient', where);
  const r = callJson(mod, where, () =>
    mod.checkDerivativeJson({
      f: expand ? expand(f) : f,
      wrt,
      answer: numeric ? '' : expand ? expandAnswer(mod, expand, o.answer) : o.answer,
      answerIsNumber: numeric,
      answerValue: numeric ? o.answer : 0,
      atNames: p.names,
      atValues: p.values,
      tolerance: tol,
      samples,
      seed: s,
      anySubgradient,
    }), true);
  const out = {
    correct: r.correct,
    kind: r.kind,
    feedback: r.feedback,
    expected: nan(r.expected),
    given: nan(r.given),
    numericAnswer: r.numericAnswer,
    points: r.points.map((pt) => ({ at: pt.at, expected: nan(pt.expected), given: nan(pt.given), ok: pt.ok })),
  };
  if (r.node) out.node = r.node;
  if (r.variable) out.variable = r.variable;
  if (FACTOR_KINDS.has(r.kind) && r.factor !== null) out.factor = r.factor;
  return out;
}

const TABLE_KEYS = ['f', 'at', 'node', 'given', 'column', 'tolerance', 'definitions'];

/** gl.checkTableEntry({ f, at, node, given, column?, tolerance?, definitions? }) */
export function checkTableEntry(core, q) {
  const where = 'checkTableEntry';
  const mod = exprModule(core, where);
  const o = question(q, where, TABLE_KEYS);
  const f = expressionText(o.f, where, 'f (the function)');
  let ref = '';
  let id = -1;
  if (typeof o.node === 'string') ref = o.node;
  else if (typeof o.node === 'number') id = integer(o.node, 'node (a node id)', where);
  else
    throw new TypeError(
      `${where}: node must be a variable, a sub-expression of f ('a*b'), a trace name ('v4') or a node id, got ${describe(o.node)}`,
    );
  // a non-finite given value is feedback ('invalid-answer'), not an error
  if (typeof o.given !== 'number') throw new TypeError(`${where}: given must be a number, got ${describe(o.given)}`);
  const given = o.given;
  const column = oneOf(o.column ?? 'gradient', 'column', where, ['gradient', 'value']);
  const p = pointArg(o.at, where);
  const tol = tolerance(o.tolerance, where);
  const expand = definitionsArg(mod, o.definitions, p.names, where);
  const r = callJson(mod, where, () =>
    mod.checkTableEntryJson({
      f: expand ? expand(f) : f,
      atNames: p.names,
      atValues: p.values,
      node: expand ? expand(ref) : ref,
      nodeId: id,
      given,
      column: mod.TableColumn[column],
      tolerance: tol,
    }), true);
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
 * Lowers `source` into `graph` (used by Graph.fromExpression, which removes the nodes
 * again if this fails): one leaf per variable, labelled with its name (or the scalar
 * Tensor given for it in `at`), a constant per number, an op node per operation. The
 * expression is evaluated at the point first, as gl.evaluate does, so both accept and
 * reject the same points. Returns the root's node id.
 */
export function lowerInto(graph, source, at, opts, TensorClass) {
  const where = 'fromExpression';
  expressionText(source, where);
  const o = options(opts, where, ['labelOperations'], '{ labelOperations: true }');
  const labelOperations = o.labelOperations === undefined ? false : boolean(o.labelOperations, 'labelOperations', where);
  const mod = exprModule(graph._mod, where);
  const p = pointArg(at, where, TensorClass);
  for (const [name, t] of p.bound) {
    graph._own(t, where);
    if (t.size !== 1) throw new Error(`${where}: at.${name} is a tensor of shape ${JSON.stringify(t.shape)}; expressions work on scalars`);
    p.values[p.names.indexOf(name)] = t.value;
  }
  const plan = callJson(mod, where, () => mod.exprLowerJson(source, p.names, p.values, labelOperations), true);
  const ids = new Array(plan.nodes.length);
  for (let i = 0; i < plan.nodes.length; ++i) {
    const n = plan.nodes[i];
    if (n.variable !== undefined) {
      const name = plan.variables[n.variable];
      ids[i] = p.bound.has(name) ? p.bound.get(name).id : graph.scalar(n.value, name).id;
    } else if (n.value !== undefined) {
      ids[i] = graph.constant(n.value, undefined, n.label).id;
    } else {
      const a = n.attrs;
      const args = { op: n.op, in0: ids[n.inputs[0]] ?? -1, in1: ids[n.inputs[1]] ?? -1, nAttr: a.length, attrs: [a[0] ?? 0, a[1] ?? 0, a[2] ?? 0] };
      const id = graph._call(where, (h) => h.apply(args));
      if (n.label) graph._call(where, (h) => h.setLabel(id, n.label));
      ids[i] = id;
    }
  }
  return ids[plan.root];
}
