// The expression language and the derivation checker through the JS API: the shared
// corpus (tests/corpus/derivations.json), the records' shape, graphs built from
// expressions, and bad input: each a clear Error, the module usable afterwards.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createGradlab } from '../../web/gradlab.js';

const gl = await createGradlab({ expressions: true });  // these tests use the expression module
const corpus = JSON.parse(readFileSync(new URL('../corpus/derivations.json', import.meta.url), 'utf8'));
const S002 = { a: 2, b: -3, c: 10 };

// The module still answers correctly (called after every bad input).
function stillWorks() {
  const r = gl.checkDerivative({ f: '(a*b+c)^2', wrt: 'a', answer: '2*(a*b+c)*b', at: S002 });
  assert.equal(r.correct, true);
  assert.equal(r.expected, -24);
  assert.deepEqual(gl.evaluate('x*y', { x: 3, y: 4 }), { value: 12, gradient: { x: 4, y: 3 } });
}

// Asserts that fn throws an Error (or a subclass such as TypeError) whose message matches.
function throwsClearly(fn, message, ErrorClass = Error) {
  assert.throws(fn, (e) => {
    assert.ok(e instanceof ErrorClass, `expected ${ErrorClass.name}, got ${e?.constructor?.name}: ${e?.message}`);
    if (message instanceof RegExp) assert.match(e.message, message);
    else assert.equal(e.message, message);
    return true;
  });
  stillWorks();
}

test('the derivation corpus through gl.checkDerivative and gl.checkTableEntry', () => {
  let n = 0;
  for (const c of corpus.derivatives) {
    const q = { f: c.f, wrt: c.wrt, answer: c.answer, at: c.at };
    if (c.tolerance !== undefined) q.tolerance = c.tolerance;
    if (c.samples !== undefined) q.samples = c.samples;
    const r = gl.checkDerivative(q);
    const what = `${c.id}: ${r.kind}: ${r.feedback}`;
    assert.equal(r.correct, c.correct, what);
    assert.equal(r.kind, c.kind, what);
    if (c.node !== undefined) assert.equal(r.node, c.node, what);
    if (c.variable !== undefined) assert.equal(r.variable, c.variable, what);
    if (c.factor !== undefined) assert.ok(Math.abs(r.factor - c.factor) <= 1e-9 * Math.abs(c.factor), what);
    if (c.feedback !== undefined) assert.ok(r.feedback.includes(c.feedback), what);
    ++n;
  }
  let m = 0;
  for (const c of corpus.table) {
    const r = gl.checkTableEntry({ f: c.f, at: c.at, node: c.node, given: c.given, column: c.column });
    const what = `${c.id}: ${r.kind}: ${r.feedback}`;
    assert.equal(r.correct, c.correct, what);
    assert.equal(r.kind, c.kind, what);
    if (c.other !== undefined) assert.equal(r.other, c.other, what);
    ++m;
  }
  assert.ok(n >= 60 && m >= 20);
  console.log(`derivation corpus (JS): ${n} derivative cases and ${m} table cases checked`);
});

test('checkDerivative: the record for the issue’s example', () => {
  const r = gl.checkDerivative({ f: '(a*b+c)^2', wrt: 'a', answer: '2*(a*b+c)*b', at: S002 });
  assert.equal(r.correct, true);
  assert.equal(r.kind, 'correct');
  assert.equal(r.expected, -24);
  assert.equal(r.given, -24);
  assert.equal(r.numericAnswer, false);
  assert.equal(r.feedback, 'Correct: your formula matches ∂f/∂a at the given point and at 5 random points near it.');
  assert.equal(r.points.length, 6);
  assert.deepEqual(r.points[0], { at: S002, expected: -24, given: -24, ok: true });
  for (const p of r.points) {
    assert.ok(Math.abs(p.expected - 2 * (p.at.a * p.at.b + p.at.c) * p.at.b) <= 1e-9 * Math.abs(p.expected));
    assert.equal(p.ok, true);
  }
  assert.equal('node' in r, false);
  assert.equal('factor' in r, false);

  const m = gl.checkDerivative({ f: '(a*b+c)^2', wrt: 'a', answer: '2*(a*b+c)', at: S002 });
  assert.equal(m.correct, false);
  assert.equal(m.kind, 'missing-chain-factor');
  assert.equal(m.node, '(a*b+c)');
  assert.equal(m.factor, -3);
  assert.equal(m.given, 8);
  assert.ok(m.points.some((p) => !p.ok));

  const w = gl.checkDerivative({ f: '(a*b+c)^2', wrt: 'a', answer: 16, at: S002 });
  assert.equal(w.kind, 'wrong-variable');
  assert.equal(w.variable, 'b');
  assert.equal(w.numericAnswer, true);
  assert.equal(w.points.length, 1);

  // Options: samples, seed (same seed, same points), tolerance.
  const s1 = gl.checkDerivative({ f: 'x^3', wrt: 'x', answer: '3*x^2', at: { x: 1.5 }, samples: 3, seed: 7 });
  const s2 = gl.checkDerivative({ f: 'x^3', wrt: 'x', answer: '3*x^2', at: { x: 1.5 }, samples: 3, seed: 7 });
  const s3 = gl.checkDerivative({ f: 'x^3', wrt: 'x', answer: '3*x^2', at: { x: 1.5 }, samples: 3, seed: 8 });
  assert.equal(s1.points.length, 4);
  assert.deepEqual(s1.points, s2.points);
  assert.notDeepEqual(s1.points[1].at, s3.points[1].at);
  assert.equal(gl.checkDerivative({ f: 'sigmoid(x)', wrt: 'x', answer: 0.1966, at: { x: 1 } }).kind, 'rounding');
  assert.equal(gl.checkDerivative({ f: 'sigmoid(x)', wrt: 'x', answer: 0.1966, at: { x: 1 }, tolerance: 1e-3 }).correct, true);
  // An answer that cannot be evaluated gives NaN, not null.
  const u = gl.checkDerivative({ f: '(a*b+c)^2', wrt: 'a', answer: 'b/(a+b+1)', at: S002 });
  assert.equal(u.kind, 'answer-undefined');
  assert.ok(Number.isNaN(u.given));
});

test('checkTableEntry: seed 002’s table cells by sub-expression, trace name and id', () => {
  const cells = { 'a*b': 8, 'a*b+c': 8, a: -24, b: 16, c: 8, v5: 8 };
  for (const [node, given] of Object.entries(cells)) {
    const r = gl.checkTableEntry({ f: '(a*b+c)^2', at: S002, node, given });
    assert.equal(r.correct, true, node);
  }
  const r = gl.checkTableEntry({ f: '(a*b+c)^2', at: S002, node: 'a', given: 8 });
  assert.deepEqual(r, {
    correct: false,
    kind: 'missing-chain-factor',
    feedback: 'That is ∂f/∂(a*b), the gradient arriving from a*b; multiply it by the local derivative ∂(a*b)/∂a = -3.',
    expected: -24,
    given: 8,
    node: 0,
    nodeText: 'a',
    other: 'a*b',
    factor: -3,
  });
  const v = gl.checkTableEntry({ f: '(a*b+c)^2', at: S002, node: 2, given: -6, column: 'value' });
  assert.equal(v.correct, true);
  assert.equal(v.nodeText, 'a*b');
  // Node ids are those of g.fromExpression(f) in a new graph.
  const g = gl.graph();
  const L = g.fromExpression('(a*b+c)^2', S002);
  L.backward();
  for (const n of g.nodes()) {
    if (!n.requiresGrad) continue;
    const cell = gl.checkTableEntry({ f: '(a*b+c)^2', at: S002, node: n.id, given: n.grad[0] });
    assert.equal(cell.correct, true, `node ${n.id}`);
    assert.equal(cell.node, n.id);
  }
  g.dispose();
});

test('parse, evaluate and expression', () => {
  assert.deepEqual(gl.parse(' ( a * b + c ) ^ 2 '), {
    source: ' ( a * b + c ) ^ 2 ',
    canonical: '(((a*b)+c)^2)',
    variables: ['a', 'b', 'c'],
    nodes: 7,
  });
  assert.equal(gl.parse('-x^2').canonical, '(-(x^2))');
  assert.equal(gl.parse('a^b^c').canonical, '(a^(b^c))');
  assert.equal(gl.parse('ln(x) − 2×y').canonical, '(log(x)-(2*y))');
  assert.deepEqual(gl.evaluate('(a*b+c)^2', S002), { value: 16, gradient: { a: -24, b: 16, c: 8 } });
  assert.deepEqual(gl.evaluate('2^10'), { value: 1024, gradient: {} });
  // Extra variables in the point are ignored.
  assert.deepEqual(gl.evaluate('x^2', { x: 3, unused: 1 }), { value: 9, gradient: { x: 6 } });
  const e = gl.expression('sigmoid(w*x + b)');
  assert.deepEqual(e.variables, ['w', 'x', 'b']);
  assert.equal(e.canonical, 'sigmoid(((w*x)+b))');
  const at = { w: 0.5, x: 2, b: -0.3 };
  const s = 1 / (1 + Math.exp(-0.7));
  const r = e.evaluate(at);
  assert.ok(Math.abs(r.value - s) < 1e-15);
  assert.ok(Math.abs(r.gradient.w - s * (1 - s) * 2) < 1e-15);
  // Values cross as text and read back exactly.
  assert.equal(gl.evaluate('x', { x: 0.1 + 0.2 }).value, 0.1 + 0.2);
  assert.equal(gl.evaluate('x', { x: 5e-324 }).value, 5e-324);
  assert.equal(gl.evaluate('x', { x: -1.7976931348623157e308 }).value, -1.7976931348623157e308);
});

test('g.fromExpression: a graph the teaching views work on', () => {
  const g = gl.graph();
  const L = g.fromExpression('(a*b+c)^2', S002);
  assert.equal(L.value, 16);
  const labels = g.nodes().filter((n) => n.op === 'leaf').map((n) => n.label);
  assert.deepEqual(labels, ['a', 'b', 'c']);
  L.backward();
  const grads = Object.fromEntries(g.nodes().filter((n) => n.op === 'leaf').map((n) => [n.label, n.grad[0]]));
  assert.deepEqual(grads, { a: -24, b: 16, c: 8 });
  // Seed 002's table from the trace.
  const sent = Object.fromEntries(g.trace(L).flatMap((s) => s.inputs.map((i) => [i.name, i.contribution[0]])));
  assert.equal(sent.a, -24);
  assert.equal(sent.b, 16);
  assert.equal(sent.c, 8);
  assert.ok(g.gradcheck(L).relError < 1e-7);
  assert.equal(g.tapeListing(L).forward[0].text, 'a (input)');
  g.dispose();

  // Numbers become labelled constants; x^y with a variable exponent is exp(y·log x).
  const h = gl.graph();
  const f = h.fromExpression('x^y + 3*x', { x: 2, y: 3 }, { labelOperations: true });
  assert.ok(Math.abs(f.value - 14) < 1e-12);
  f.backward();
  const byLabel = Object.fromEntries(h.nodes().map((n) => [n.label, n]));
  assert.equal(byLabel['3'].op, 'constant');
  assert.equal(byLabel['x^y + 3*x'].id, f.id);
  assert.ok(Math.abs(byLabel.x.grad[0] - (3 * 4 + 3)) < 1e-12);
  assert.ok(Math.abs(byLabel.y.grad[0] - 8 * Math.log(2)) < 1e-12);
  h.dispose();

  // Variables may be bound to scalar tensors of the same graph.
  const k = gl.graph();
  const w = k.scalar(0.5, 'w');
  const y = k.fromExpression('sigmoid(w*x)', { w, x: 2 });
  y.backward();
  const s = 1 / (1 + Math.exp(-1));
  assert.ok(Math.abs(w.grad - s * (1 - s) * 2) < 1e-15);
  assert.equal(k.nodes().filter((n) => n.label === 'w').length, 1);
  // f32 graphs work too.
  const f32 = gl.graph({ dtype: 'f32' });
  assert.ok(Math.abs(f32.fromExpression('x*x', { x: 1.5 }).value - 2.25) < 1e-6);
  throwsClearly(() => k.fromExpression('a+b', { a: f32.scalar(1) , b: 1 }), 'fromExpression: the tensor belongs to another graph');
  throwsClearly(() => k.fromExpression('a', { a: k.tensor([1, 2]) }), /fromExpression: at\.a is a tensor of shape \[2\]/);
  throwsClearly(() => k.fromExpression('a+', { a: 1 }), /^fromExpression: unexpected end of expression/);
  throwsClearly(() => k.fromExpression('a', {}, { labels: true }), /unknown option 'labels'/, TypeError);
  k.dispose();
  f32.dispose();
});

test('bad expressions: syntax errors name the position with a caret line', () => {
  assert.throws(
    () => gl.parse('(a+b))'),
    (e) => e instanceof Error && e.message === "parse: unexpected ')' at position 5\n  (a+b))\n       ^" && e.position === 5,
  );
  assert.throws(
    () => gl.checkDerivative({ f: '(a*b+c', wrt: 'a', answer: 1, at: S002 }),
    (e) => e.message.startsWith("checkDerivative: in the function f: unclosed '(' from position 0: missing ')' at position 6") && e.position === 6,
  );
  assert.throws(() => gl.evaluate('2x', { x: 1 }), (e) => e.position === 1 && /write 2\*x instead of 2x/.test(e.message));
  throwsClearly(() => gl.parse(''), 'parse: empty expression: type a formula such as 2*a*b');
  throwsClearly(() => gl.parse('a = b'), /unexpected character '=' \(write only the expression, without '='\)/);
  throwsClearly(() => gl.parse('sin x'), /'sin' is a function: write sin\(\.\.\.\)/);
  // Non-syntax errors carry no position.
  assert.throws(() => gl.evaluate('log(x)', { x: 0 }), (e) => e.position === undefined);
});

test('bad input: unknown variables and functions come with suggestions', () => {
  throwsClearly(() => gl.evaluate('(a*b+d)^2', S002), "evaluate: unknown variable 'd' in (a*b+d)^2: values were given for a, b, c");
  throwsClearly(() => gl.evaluate('ytreu - y', { ytrue: 1, y: 2 }), /unknown variable 'ytreu'.*values were given for y, ytrue \(did you mean ytrue\?\)/);
  throwsClearly(
    () => gl.parse('sigmod(x)'),
    /^parse: unknown function 'sigmod' \(did you mean sigmoid\?\); known functions: exp, log, ln, sqrt, abs, sin, cos, tanh, sigmoid, relu, gelu, gelu_tanh, gelu_exact, silu, softplus, erf, min, max, cosh, sinh, sech, Phi, phi; to multiply, write sigmod\*\(\.\.\.\) at position 0/,
  );
  throwsClearly(() => gl.checkDerivative({ f: 'a*b', wrt: 'z', answer: 1, at: { a: 1, b: 2 } }), /'z' \(the variable to differentiate by\) has no value/);
  // In the learner's answer an unknown variable is feedback, not an error.
  const r = gl.checkDerivative({ f: '(a*b+c)^2', wrt: 'a', answer: '2*(a*b+cc)*b', at: S002 });
  assert.equal(r.kind, 'invalid-answer');
  assert.equal(r.feedback, "Your answer uses 'cc', which is not a variable here (the variables are a, b, c).");
});

test('bad input: points where the function is undefined name the sub-expression and the point', () => {
  throwsClearly(() => gl.evaluate('log(a-b)', { a: 1, b: 1 }), 'evaluate: log(a-b) is undefined at a = 1, b = 1: log(0) = -inf');
  throwsClearly(() => gl.evaluate('1/(x-2) + 1', { x: 2 }), 'evaluate: 1/(x-2) is undefined at x = 2: division by zero: (x-2) = 0');
  throwsClearly(() => gl.evaluate('sqrt(x)', { x: -4 }), 'evaluate: sqrt(x) is undefined at x = -4: sqrt needs a non-negative argument, got -4');
  throwsClearly(
    () => gl.checkDerivative({ f: 'log(x)', wrt: 'x', answer: '1/x', at: { x: 0 } }),
    'checkDerivative: the function f = log(x) cannot be checked here: log(x) is undefined at x = 0: log(0) = -inf',
  );
  throwsClearly(
    () => gl.checkTableEntry({ f: 'x*log(x)', at: { x: 0 }, node: 'x', given: 1 }),
    /cannot be checked here: log\(x\) is undefined at x = 0/,
  );
});

test('bad input: very long and deeply nested expressions', () => {
  throwsClearly(() => gl.parse('x+'.repeat(50000) + 'x'), 'parse: expression is 100001 characters long; the limit is 2000');
  throwsClearly(() => gl.parse('('.repeat(10000) + 'x' + ')'.repeat(10000)), 'parse: expression is 20001 characters long; the limit is 2000');
  throwsClearly(
    () => gl.parse('('.repeat(100) + 'x' + ')'.repeat(100)),
    /^parse: expression is nested too deeply: more than 64 levels of parentheses and function calls at position 64/,
  );
  throwsClearly(
    () => gl.parse('exp('.repeat(100) + 'x' + ')'.repeat(100)),
    /^parse: expression is nested too deeply/,
  );
  throwsClearly(() => gl.parse('x' + '+x'.repeat(600)), /^parse: expression is too large: more than 1000 numbers, variables and operations/);
  // An over-long answer is feedback to the learner, not an exception.
  const r = gl.checkDerivative({ f: '(a*b+c)^2', wrt: 'a', answer: 'a*'.repeat(5000) + 'a', at: S002 });
  assert.equal(r.kind, 'invalid-answer');
  assert.equal(r.feedback, 'Your answer could not be read: expression is 10001 characters long; the limit is 2000');
  stillWorks();
});

test('bad input: wrong argument types are TypeErrors that name the argument', () => {
  const ok = { f: '(a*b+c)^2', wrt: 'a', answer: '2*(a*b+c)*b', at: S002 };
  throwsClearly(() => gl.parse(42), 'parse: the expression must be a string, got number 42', TypeError);
  throwsClearly(() => gl.evaluate(null, {}), 'evaluate: the expression must be a string, got null', TypeError);
  throwsClearly(() => gl.evaluate('x', [1]), /evaluate: at must be an object of variable values such as \{ a: 2, b: -3 \}, got an array/, TypeError);
  throwsClearly(() => gl.evaluate('x', { x: '2' }), 'evaluate: at.x must be a number, got the string "2"', TypeError);
  throwsClearly(() => gl.evaluate('x', { x: NaN }), 'evaluate: at.x must be a finite number, got number NaN', RangeError);
  throwsClearly(() => gl.evaluate('x', { x: Infinity }), 'evaluate: at.x must be a finite number, got number Infinity', RangeError);
  throwsClearly(() => gl.evaluate('x', { 'x\ny': 1 }), /at has the key "x\\ny", which is not a variable name/, TypeError);
  throwsClearly(() => gl.checkDerivative(), /checkDerivative: expected an options object, got undefined/, TypeError);
  throwsClearly(() => gl.checkDerivative({ ...ok, tolerence: 1e-3 }), /unknown option 'tolerence' \(valid: f, wrt, answer, at, tolerance, samples, seed, definitions, anySubgradient\)/, TypeError);
  throwsClearly(() => gl.checkDerivative({ ...ok, f: undefined }), /checkDerivative: f \(the function\) must be a string, got undefined/, TypeError);
  throwsClearly(() => gl.checkDerivative({ ...ok, wrt: 3 }), /wrt \(the variable to differentiate by\) must be a string/, TypeError);
  throwsClearly(() => gl.checkDerivative({ ...ok, wrt: 'a b' }), /wrt must be a variable name/, TypeError);
  throwsClearly(() => gl.checkDerivative({ ...ok, answer: null }), /checkDerivative: answer is null; give a value/, TypeError);
  throwsClearly(() => gl.checkDerivative({ ...ok, answer: [1] }), /answer must be a number or a formula string/, TypeError);
  throwsClearly(() => gl.checkDerivative({ ...ok, tolerance: 0 }), /tolerance must be a relative tolerance in \(0, 0.5\]/, RangeError);
  throwsClearly(() => gl.checkDerivative({ ...ok, samples: 2.5 }), /samples must be an integer from 0 to 50/, RangeError);
  throwsClearly(() => gl.checkDerivative({ ...ok, samples: 51 }), /samples must be an integer from 0 to 50/, RangeError);
  throwsClearly(() => gl.checkDerivative({ ...ok, seed: -1 }), /seed must be a non-negative integer/, RangeError);
  throwsClearly(() => gl.checkDerivative({ ...ok, at: 'a=2' }), /at must be an object of variable values/, TypeError);
  const cell = { f: '(a*b+c)^2', at: S002, node: 'a', given: -24 };
  throwsClearly(() => gl.checkTableEntry({ ...cell, node: -1 }), /node \(a node id\) must be an integer from 0 to 2147483647, got number -1/, RangeError);
  throwsClearly(() => gl.checkTableEntry({ ...cell, node: true }), /node must be a variable, a sub-expression of f \('a\*b'\), a trace name \('v4'\) or a node id/, TypeError);
  throwsClearly(() => gl.checkTableEntry({ ...cell, node: 99 }), 'checkTableEntry: node id 99 does not exist (graph has 6 nodes)');
  throwsClearly(
    () => gl.checkTableEntry({ ...cell, node: 'a*c' }),
    "checkTableEntry: 'a*c' is not a part of (a*b+c)^2; its parts are a, b, a*b, c, a*b+c, (a*b+c)^2 (in any order of + and *), or a node name v1..v6",
  );
  throwsClearly(() => gl.checkTableEntry({ ...cell, node: 'v9' }), "checkTableEntry: node 'v9' does not exist (the graph has v1..v6)");
  throwsClearly(() => gl.checkTableEntry({ ...cell, given: '-24' }), 'checkTableEntry: given must be a number, got the string "-24"', TypeError);
  throwsClearly(() => gl.checkTableEntry({ ...cell, column: 'grad' }), /unknown column 'grad' \(valid: gradient or value\)/, RangeError);
  // A non-finite numeric answer is feedback about the answer.
  assert.equal(gl.checkDerivative({ ...ok, answer: NaN }).kind, 'invalid-answer');
  assert.equal(gl.checkTableEntry({ ...cell, given: Infinity }).kind, 'invalid-answer');
});

test('checkDerivative: definitions let a question use the seed’s intermediate y = a*x + b', () => {
  const at = { a: 2, b: 1, x: 3, ytrue: 5 };
  const q = { f: '(a*x + b - ytrue)^2', wrt: 'a', at, definitions: { y: 'a*x + b' } };
  const r = gl.checkDerivative({ ...q, answer: '2*(y - ytrue)*x' });
  assert.equal(r.correct, true, r.feedback);
  assert.equal(r.expected, 12);
  assert.equal(r.given, 12);
  const m = gl.checkDerivative({ ...q, f: '(y - ytrue)^2', answer: '2*(y - ytrue)' });
  assert.equal(m.kind, 'missing-chain-factor');
  assert.equal(m.factor, 3);
  // The feedback quotes f's parts in the question's own names.
  assert.equal(m.feedback, 'You computed ∂f/∂(y - ytrue) (4 here) and stopped: the chain rule still needs ∂(y - ytrue)/∂a (3 here). ∂f/∂a = ∂f/∂(y - ytrue) · ∂(y - ytrue)/∂a.');
  assert.equal(m.node, '(y - ytrue)');
  // Without the definition, y is an unknown variable (feedback, not an Error).
  const u = gl.checkDerivative({ f: q.f, wrt: 'a', at, answer: '2*(y - ytrue)*x' });
  assert.equal(u.kind, 'invalid-answer');
  assert.equal(u.feedback, "Your answer uses 'y', which is not a variable here (the variables are a, b, x, ytrue).");
  // Bad definitions: TypeErrors for the shape, Errors from the engine for the content.
  throwsClearly(() => gl.checkDerivative({ ...q, answer: '1', definitions: 'y = a*x + b' }), /checkDerivative: definitions must be an object of named formulas such as \{ y: 'a\*x \+ b' \}, got the string/, TypeError);
  throwsClearly(() => gl.checkDerivative({ ...q, answer: '1', definitions: { y: 3 } }), 'checkDerivative: definitions.y (a formula) must be a string, got number 3', TypeError);
  throwsClearly(() => gl.checkDerivative({ ...q, answer: '1', definitions: { 'y-1': 'a' } }), /checkDerivative: definitions has the key "y-1", which is not a name/, TypeError);
  throwsClearly(() => gl.checkDerivative({ ...q, answer: '1', definitions: { y: 'a*x + q' } }), "checkDerivative: definitions: y = a*x + q uses 'q', which is neither a variable of the point nor a defined name");
  throwsClearly(() => gl.checkDerivative({ ...q, answer: '1', definitions: { y: 'z', z: 'y' } }), 'checkDerivative: definitions refer to each other in a cycle (y, z)');
  throwsClearly(() => gl.checkDerivative({ ...q, answer: '1', definitions: { r: 'y - ytrue', y: 'a*x + s', s: 'y*b' } }), 'checkDerivative: definitions refer to each other in a cycle (r, y, s)');
  throwsClearly(() => gl.checkDerivative({ ...q, answer: '1', definitions: { x: '2*a' } }), "checkDerivative: definitions: 'x' is defined (x = 2*a) and also has a value in the point; give one or the other");
  throwsClearly(() => gl.checkDerivative({ ...q, answer: '1', definitions: { exp: 'a' } }), "checkDerivative: definitions: 'exp' is a function or constant of the expression language, not a name to define");
  throwsClearly(() => gl.checkDerivative({ ...q, answer: '1', definitions: { y: 'a*x +' } }), /^checkDerivative: definitions: y = a\*x \+ does not parse: /);
  throwsClearly(() => gl.checkDerivative({ ...q, wrt: 'y', answer: '1' }), "checkDerivative: 'y' is a defined intermediate (y = a*x + b); differentiate by a variable of the point");
  // A definition may use another; 'toString' is not a definition of a plain object.
  assert.equal(gl.checkDerivative({ ...q, answer: '2*r*x', definitions: { r: 'y - ytrue', y: 'a*x + b' } }).correct, true);
  throwsClearly(() => gl.checkDerivative({ ...q, answer: '1', definitions: { y: 'toString*a' } }), /uses 'toString', which is neither a variable of the point nor a defined name/);
  // An answer that does not parse is fed back as typed (its position is the learner's).
  const bad = gl.checkDerivative({ ...q, answer: '2*(y - ytrue' });
  assert.equal(bad.kind, 'invalid-answer');
  assert.match(bad.feedback, /^Your answer could not be read: /);
  // The seed's f in the intermediate, too.
  assert.equal(gl.checkDerivative({ ...q, f: '(y - ytrue)^2', answer: '2*(y-ytrue)*x' }).correct, true);
});

test('checkDerivative: the value for the derivative, the power rule, a product-rule term, subgradients at kinks', () => {
  const v = gl.checkDerivative({ f: 'x^3', wrt: 'x', answer: 'x^3', at: { x: 2 } });
  assert.equal(v.kind, 'value-not-gradient');
  assert.equal(v.feedback, 'Your answer is the function itself, f = x^3, not its derivative ∂f/∂x.');
  const p = gl.checkDerivative({ f: '(a*b+c)^2', wrt: 'a', answer: '(a*b+c)^2*b', at: S002 });
  assert.equal(p.kind, 'power-rule-not-applied');
  assert.equal(p.node, '(a*b+c)^2');
  const m = gl.checkDerivative({ f: 'exp(x)*(x+1)', wrt: 'x', answer: 'exp(x)', at: { x: 0.5 } });
  assert.equal(m.kind, 'missing-product-term');
  assert.equal(m.feedback, 'The product rule needs both terms: ∂(exp(x)*(x+1))/∂x = ∂exp(x)/∂x·(x+1) + exp(x)·∂(x+1)/∂x. Your answer has only exp(x)·∂(x+1)/∂x and misses ∂exp(x)/∂x·(x+1) (2.47308 here).');
  assert.ok(Math.abs(m.factor - Math.exp(0.5) * 1.5) < 1e-12);
  const kink = { f: 'relu(x)', wrt: 'x', at: { x: 0 }, answer: 1 };
  const any = gl.checkDerivative(kink);
  assert.equal(any.correct, true);
  assert.equal(any.feedback, 'Correct: f has a kink here (relu(x) at x = 0), where any value from 0 to 1 is a subgradient of ∂f/∂x; the engine uses 0.');
  const fixed = gl.checkDerivative({ ...kink, anySubgradient: false });
  assert.equal(fixed.correct, false);
  assert.equal(fixed.kind, 'incorrect');
  assert.match(fixed.feedback, /fixes the convention that relu and abs have derivative 0 at 0 \(as PyTorch\), so the answer is 0\.$/);
  assert.equal(gl.checkDerivative({ ...kink, answer: 0, anySubgradient: false }).correct, true);
  throwsClearly(() => gl.checkDerivative({ ...kink, anySubgradient: 'yes' }), 'checkDerivative: anySubgradient must be true or false, got the string "yes"', TypeError);
});

test('GELU: gelu and gelu_tanh are the tanh form, gelu_exact is x·Φ(x)', () => {
  const x = 0.7;
  const Phi = 0.758036347776927;  // Φ(0.7)
  const phi = Math.exp(-x * x / 2) / Math.sqrt(2 * Math.PI);
  const exact = gl.evaluate('gelu_exact(x)', { x });
  assert.ok(Math.abs(exact.value - x * Phi) < 1e-12, `${exact.value}`);
  assert.ok(Math.abs(exact.gradient.x - (Phi + x * phi)) < 1e-12, `${exact.gradient.x}`);
  const tanhForm = gl.evaluate('gelu_tanh(x)', { x });
  assert.deepEqual(gl.evaluate('gelu(x)', { x }), tanhForm);
  assert.ok(Math.abs(tanhForm.value - exact.value) > 1e-5 && Math.abs(tanhForm.value - exact.value) < 1e-3);
  const r = gl.checkDerivative({ f: 'gelu_exact(x)', wrt: 'x', answer: 'gelu_exact(x)', at: { x } });
  assert.equal(r.kind, 'value-not-gradient');
});

test('checkTableEntry: node labels (definitions) and commuted forms', () => {
  const labels = { d: 'a*b', e: 'd + c' };
  for (const [node, given] of Object.entries({ d: 8, e: 8, 'b*a': 8, 'c + d': 8, 'c+b*a': 8 })) {
    const r = gl.checkTableEntry({ f: '(a*b+c)^2', at: S002, node, given, definitions: labels });
    assert.equal(r.correct, true, `${node}: ${r.feedback}`);
  }
  const d = gl.checkTableEntry({ f: '(a*b+c)^2', at: S002, node: 'd', given: -6, column: 'value', definitions: labels });
  assert.equal(d.correct, true);
  assert.equal(d.node, 2);
  assert.equal(d.nodeText, 'a*b');
  // With f written in the labels, the cell's text uses them too.
  const e = gl.checkTableEntry({ f: 'e^2', at: S002, node: 'b*a', given: 8, definitions: labels });
  assert.equal(e.correct, true);
  assert.equal(e.nodeText, 'd');
  assert.equal(e.feedback, 'Correct: ∂f/∂d = 8.');
  throwsClearly(() => gl.checkTableEntry({ f: '(a*b+c)^2', at: S002, node: 'd', given: 8, definitions: [] }), /checkTableEntry: definitions must be an object of named formulas/, TypeError);
});

test('many checks do not grow the heap', () => {
  stillWorks();
  const before = gl.heapBytes;
  for (let i = 0; i < 2000; ++i) {
    gl.checkDerivative({ f: 'sigmoid(w*x+b)', wrt: 'w', answer: 'x*sigmoid(w*x+b)', at: { w: 0.5, x: 2, b: -0.3 }, seed: i });
    try {
      gl.evaluate('log(x)', { x: 0 });
    } catch {
      /* expected */
    }
  }
  assert.equal(gl.heapBytes, before);
});
