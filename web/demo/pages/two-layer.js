// Seed 001 App. A.1 (two-layer ReLU network, ½·MSE, finite-difference check of W¹₁₁),
// App. D (centred differences, the step size h, the 10⁻⁷ bar), exercise 3 (100 steps of
// gradient descent on ½·MSE: model.train with loss 'halfMse'), and seed 003's two-layer
// network (its manual backward, run in JS).
import { startTopic, num } from '../site.js';
import '../../widgets/quiz.js';

/** Seed 001 A.1's network in the engine: L = ½(w²·relu(W¹x) − y)². */
function buildA1(gl, v, dtype = 'f64', activation = 'relu') {
  const g = gl.graph({ dtype });
  const x = g.constant([[v.x1], [v.x2]], [2, 1], 'x');
  const W1 = g.tensor([[v.w11, v.w12], [v.w21, v.w22]], [2, 2], 'W1');
  const w2 = g.tensor([[v.v1, v.v2]], [1, 2], 'w2');
  const b2 = g.scalar(0, 'b2');
  const z1 = W1.matmul(x); z1.label = 'z1';
  const a1 = activation === 'tanh' ? z1.tanh() : z1.relu(); a1.label = 'a1';
  const yhat = w2.matmul(a1).reshape([]).add(b2); yhat.label = 'ŷ';
  const L = yhat.sub(v.y).pow(2).mul(0.5); L.label = 'L';
  return { g, W1, w2, b2, z1, a1, yhat, L };
}

/**
 * The same network on the training path: a 2-2-1 MLP (W stored [in, out], so W¹ transposed;
 * biases 0), one model.train step on ½·MSE. Returns the loss it reported (before its update)
 * and the gradient it computed.
 */
function trainA1(gl, v) {
  const m = gl.mlp([2, 2, 1], { activations: ['relu', 'none'], dtype: 'f64' });
  try {
    m.params.set([v.w11, v.w21, v.w12, v.w22, 0, 0, v.v1, v.v2, 0]);
    const r = m.train({ x: [[v.x1, v.x2]], y: [[v.y]], loss: 'halfMse', steps: 1, batchSize: 1, lr: 0.01 });
    return { loss: r.losses[0], grads: m.grads.slice() };
  } finally {
    m.dispose();
  }
}

/** L at W¹₁₁ = w, by one engine forward pass. */
function lossAt(net, v, w) {
  net.W1.set([[w, v.w12], [v.w21, v.w22]]);
  net.g.forward();
  return net.L.value;
}

function render(gl, v, ui) {
  const seed = ui.atSeed('x1', 'x2', 'w11', 'w12', 'w21', 'w22', 'v1', 'v2', 'y');
  const s = (text) => (seed ? text : null);
  const net = buildA1(gl, v);
  try {
    net.L.backward();
    const z1 = net.z1.data();
    const a1 = net.a1.data();
    const dW1 = net.W1.gradArray();
    const dw2 = net.w2.gradArray();
    // ∂L/∂a¹ and δ¹ are intermediate gradients: read them from the engine's node records.
    const rec = Object.fromEntries(net.g.nodes().map((n) => [n.label, n]));
    const da1 = rec.a1.grad;
    const dz1 = rec.z1.grad;
    const trained = trainA1(gl, v);
    ui.compare('forward', [
      { key: 'z1_1', label: 'z¹₁', seed: s('0.7'), engine: z1[0] },
      { key: 'z1_2', label: 'z¹₂', seed: s('0.8'), engine: z1[1] },
      { key: 'a1_1', label: 'a¹₁ = relu(z¹₁)', seed: s('0.7'), engine: a1[0] },
      { key: 'yhat', label: 'ŷ = w²·a¹', seed: s('0.76'), engine: net.yhat.value },
      { key: 'L', label: 'L = ½(ŷ − 1)²', seed: s('0.0288'), engine: net.L.value },
      { key: 'Ltrain', label: 'L reported by model.train (loss \'halfMse\')', seed: s('0.0288'), engine: trained.loss },
    ]);
    ui.compare('backward', [
      { key: 'dyhat', label: '∂L/∂ŷ = ŷ − y', seed: s('-0.24'), engine: rec['ŷ'].grad[0] },
      { key: 'dw2_1', label: '∂L/∂w²₁', seed: s('-0.168'), engine: dw2[0] },
      { key: 'dw2_2', label: '∂L/∂w²₂', seed: s('-0.192'), engine: dw2[1] },
      { key: 'db2', label: '∂L/∂b²', seed: s('-0.24'), engine: net.b2.grad },
      { key: 'da1_1', label: '∂L/∂a¹₁', seed: s('-0.096'), engine: da1[0] },
      { key: 'da1_2', label: '∂L/∂a¹₂', seed: s('-0.144'), engine: da1[1] },
      { key: 'd1_1', label: 'δ¹₁ (through ReLU)', seed: s('-0.096'), engine: dz1[0] },
      { key: 'd1_2', label: 'δ¹₂', seed: s('-0.144'), engine: dz1[1] },
      { key: 'dW11', label: '∂L/∂W¹₁₁', seed: s('-0.096'), engine: dW1[0] },
      { key: 'dW12', label: '∂L/∂W¹₁₂', seed: s('-0.192'), engine: dW1[1] },
      { key: 'dW21', label: '∂L/∂W¹₂₁', seed: s('-0.144'), engine: dW1[2] },
      { key: 'dW22', label: '∂L/∂W¹₂₂', seed: s('-0.288'), engine: dW1[3] },
      { key: 'dW11train', label: '∂L/∂W¹₁₁ computed by model.train', seed: s('-0.096'), engine: trained.grads[0] },
    ]);
    // The finite-difference check of W¹₁₁ with h = 10⁻⁵ (two engine forward passes).
    const h = 1e-5;
    const check = net.g.gradcheck(net.L, { step: h });
    const Lp = lossAt(net, v, v.w11 + h);
    const Lm = lossAt(net, v, v.w11 - h);
    lossAt(net, v, v.w11);
    ui.compare('fd', [
      { key: 'Lplus', label: 'L(W¹₁₁ + h), h = 10⁻⁵', seed: s('0.02880960'), engine: Lp, engineText: Lp.toFixed(12),
        correction: `L(0.50001) = ½(0.239996)² = ${Lp.toFixed(12)}, not 0.02880960: the seed's value is below L = 0.0288 by about 10⁻⁶, which a step of 10⁻⁵ along a slope of −0.096 cannot do (the change is ≈ −0.96×10⁻⁶, so L(0.50001) ≈ 0.0288 − 0.00000096). Only the seed's difference is right.` },
      { key: 'Lminus', label: 'L(W¹₁₁ − h)', seed: s('0.02881152'), engine: Lm, engineText: Lm.toFixed(12),
        correction: `L(0.49999) = ½(0.240004)² = ${Lm.toFixed(12)}, not 0.02881152 (same slip: both printed values are shifted by +1.92×10⁻⁶ − 0.96×10⁻⁶ ≈ 10⁻⁶ above the true ones; their difference, −1.92×10⁻⁶, is correct).` },
      { key: 'fdGrad', label: '(L(+h) − L(−h)) / 2h', seed: s('-0.096'), engine: (Lp - Lm) / (2 * h), tol: 1e-9 },
      { key: 'relErr', label: 'relative error, all leaves (App. D bar: < 10⁻⁷)', seed: null, engine: check.relError, engineText: `${num(check.relError, 3)} (${check.relError < 1e-7 ? 'passes' : 'fails'})` },
    ]);
    // App. D: the step size h. The engine's gradcheck at each h (its { step } option), f64
    // and f32: App. D's ratio ‖∇bp − ∇fd‖ / (‖∇bp‖ + ‖∇fd‖) over every leaf.
    const hs = [];
    for (let e = -1; e >= -11; e -= 0.5) hs.push(10 ** e);
    const series = [];
    const best = {};
    for (const dtype of ['f64', 'f32']) {
      const n2 = buildA1(gl, v, dtype, 'tanh');
      try {
        const pts = hs.map((hh) => {
          const err = n2.g.gradcheck(n2.L, { step: hh }).relError;
          return [Math.log10(hh), err === 0 ? 1e-17 : err];
        });
        best[dtype] = 10 ** pts.reduce((m, p) => (p[1] < m[1] ? p : m))[0];
        series.push({ name: `${dtype}: gradcheck relative error`, points: pts });
      } finally {
        n2.g.dispose();
      }
    }
    ui.plot('hsweep', { series, logY: true, xLabel: 'log₁₀ h', yLabel: 'relative error', title: 'gradcheck(L, { step: h }): App. D’s relative error by step size' });
    ui.compare('hbest', [
      { key: 'hbest64', label: 'best h, f64 (seed: ≈ ε^⅓ ≈ 10⁻⁵)', seed: '1e-5', engine: best.f64, logTol: 1.01 },
      { key: 'hbest32', label: 'best h, f32 (seed: 10⁻³)', seed: '1e-3', engine: best.f32, logTol: 1.01 },
    ]);
  } finally {
    net.g.dispose();
  }

  // Seed 003's network: the seed's manual backward (numpy in the seed, plain JS here).
  {
    const x = [1, 2], y = 1, W1 = [[0.1, 0.2], [0.3, 0.4]], b1 = [0.01, 0.02], w2 = [0.5, 0.6], b2 = 0.03;
    const z1 = W1.map((r, i) => r[0] * x[0] + r[1] * x[1] + b1[i]);
    const hh = z1.map((z) => Math.max(0, z));
    const z2 = w2[0] * hh[0] + w2[1] * hh[1] + b2;
    const dz2 = 2 * (z2 - y);
    const dh = w2.map((w) => w * dz2);
    const dz1 = dh.map((d, i) => (z1[i] > 0 ? d : 0));
    const g = gl.graph({ dtype: 'f64' });
    const X = g.constant([[1], [2]], [2, 1], 'x');
    const tW1 = g.tensor(W1, [2, 2], 'W1');
    const tb1 = g.tensor([[0.01], [0.02]], [2, 1], 'b1');
    const tw2 = g.tensor([[0.5, 0.6]], [1, 2], 'w2');
    const tb2 = g.scalar(0.03, 'b2');
    const L = tw2.matmul(tW1.matmul(X).add(tb1).relu()).reshape([]).add(tb2).sub(y).pow(2);
    L.backward();
    const gW1 = tW1.gradArray(), gb1 = tb1.gradArray(), gw2 = tw2.gradArray();
    ui.compare('net003', [
      { key: 'loss003', label: 'loss (z₂ − y)²', seed: (z2 - y) ** 2, engine: L.value, rel: 1e-12 },
      { key: 'dw2_003a', label: 'd_w2[0]', seed: dz2 * hh[0], engine: gw2[0], rel: 1e-12 },
      { key: 'dw2_003b', label: 'd_w2[1]', seed: dz2 * hh[1], engine: gw2[1], rel: 1e-12 },
      { key: 'db2_003', label: 'd_b2', seed: dz2, engine: tb2.grad, rel: 1e-12 },
      { key: 'dW1_003', label: 'd_w1 (row 1)', seed: dz1[0] * x[0], engine: gW1[0], rel: 1e-12, engineText: `${num(gW1[0])}, ${num(gW1[1])}` },
      { key: 'dW1_003b', label: 'd_w1 (row 2)', seed: dz1[1] * x[0], engine: gW1[2], rel: 1e-12, engineText: `${num(gW1[2])}, ${num(gW1[3])}` },
      { key: 'db1_003', label: 'd_b1', seed: dz1[0], engine: gb1[0], rel: 1e-12, engineText: `${num(gb1[0])}, ${num(gb1[1])}` },
    ]);
    g.dispose();
  }

  // Exercise 3(d): 100 steps of gradient descent, lr 0.01, on ½·MSE.
  {
    const model = gl.mlp([2, 3, 1], { activation: 'relu', dtype: 'f64', seed: 3 });
    try {
      // ½·MSE on the training path: the seed's loss and learning rate as they are.
      const r = model.train({ x: [[v.x1, v.x2]], y: [[v.y]], loss: 'halfMse', steps: 100, batchSize: 1, lr: 0.01, optimizer: 'sgd' });
      const curve = Array.from(r.losses, (l, i) => [i + 1, l]);
      ui.plot('ex3', { series: [{ name: '½(ŷ − y)² before each step', points: curve }], logY: true, xLabel: 'step', yLabel: 'loss', title: 'Exercise 3: 100 gradient-descent steps' });
      ui.compare('ex3rows', [
        { key: 'ex3first', label: 'loss before step 1 (½·MSE)', seed: null, engine: curve[0][1] },
        { key: 'ex3last', label: 'loss before step 100', seed: null, engine: curve[99][1] },
        { key: 'ex3dec', label: 'loss decreased (1 = yes)', seed: '1', engine: curve[99][1] < curve[0][1] ? 1 : 0 },
      ]);
    } finally {
      model.dispose();
    }
  }
}

startTopic({ render });
