// Workers do not inherit the page's import map: this one imports gradlab by URL.
import { createGradlab } from '../node_modules/gradlab/web/gradlab.js';

createGradlab({ expressions: true }).then(
  (gl) => {
    const g = gl.graph();
    const a = g.scalar(2, 'a'), b = g.scalar(-3, 'b'), c = g.scalar(10, 'c');
    const L = a.mul(b).add(c).pow(2);
    L.backward();
    // The expression module, loaded together with the core here ({ expressions: true }).
    const e = gl.evaluate('(a*b+c)^2', { a: 2, b: -3, c: 10 });
    postMessage({ result: { L: L.value, aGrad: a.grad, bGrad: b.grad, cGrad: c.grad, exprValue: e.value, exprGradA: e.gradient.a } });
  },
  (e) => postMessage({ error: `${e.name}: ${e.message}` }),
);
