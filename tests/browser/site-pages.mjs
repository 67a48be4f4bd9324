// What tests/browser/site.test.mjs checks on each topic page.
//   rows:       data-key → [engine value, 'match' | 'corrected', relative tolerance]
//   corrections: rows whose correction note must be shown
//   quiz:       [a right answer, a wrong answer]
//   moreQuizzes: { element id: [a right answer, a wrong answer] } for a page's other quizzes
//   keyboard:   { input, value, row: [key, new engine value, tol] | text: [selector, text] }
//   click:      a button to press first
//   text:       strings the page must show
//   shot:       take desktop and 380 px screenshots
export const PAGES = {
  graph: {
    click: '#backward',
    rows: {},
    text: ['−24', '16', 'e = d + c'],
    quiz: ['2*e*a', '2*e'],  // the walkthrough's e = d + c is a definition of the quiz
    keyboard: { input: 'a', value: 3, text: ['#grad-rows', '−6'] },
    shot: true,
  },
  'chain-rule': {
    rows: { y: [5, 'match'], dydx: [4, 'match'], dzdy: [3, 'match'], dzdx: [12, 'match'], L: [25, 'match'], dLds: [10, 'match'], dLda: [10, 'match'], dLdb: [10, 'match'] },
    quiz: ['6*x', '2*x'],
    keyboard: { input: 'x', value: 3, row: ['dzdx', 18] },
  },
  residuals: {
    // x = 2, y_true = 3, a = 0.5, b = 0: y = 1, ∂L/∂a = 2(1 − 3)·2 = −8, ∂L/∂b = −4.
    // Two layers: y₁ = 1.1, y₂ = 1.45, r = −3.1; ∂L/∂a₂ = −3.1·1.1 = −3.41 (the seed's ·x gives −6.2).
    rows: { dLda: [-8, 'match'], dLdb: [-4, 'match'], aNew: [0.58, 'match'], bNew: [0.04, 'match'], geluPrime: [1.0829640838457826, 'match', 1e-9], dLda2: [-3.41, 'corrected'], dLdb2: [-3.1, 'match'], dLda1: [-9.3, 'match'], dLdb1: [-4.65, 'match'] },
    corrections: ['dLda2'],
    // The seed's notation: y is a definition of the quiz (y = a*x + b).
    quiz: ['2*(y - ytrue)*x', '2*(y - ytrue)'],
    keyboard: { input: 'x', value: 1, row: ['dLda2', -2.76], status: 'corrected' },
    shot: true,
  },
  'two-layer': {
    rows: {
      z1_1: [0.7, 'match'], yhat: [0.76, 'match'], L: [0.0288, 'match'], Ltrain: [0.0288, 'match', 1e-12], dW11train: [-0.096, 'match', 1e-12], dyhat: [-0.24, 'match'], dw2_1: [-0.168, 'match'], dw2_2: [-0.192, 'match'],
      da1_2: [-0.144, 'match'], dW11: [-0.096, 'match'], dW12: [-0.192, 'match'], dW21: [-0.144, 'match'], dW22: [-0.288, 'match'],
      Lplus: [0.028799040008, 'corrected'], Lminus: [0.028800960008, 'corrected'], fdGrad: [-0.096, 'match', 1e-7],
      loss003: [0.001849, 'match'], db2_003: [-0.086, 'match'], ex3dec: [1, 'match'],
    },
    corrections: ['Lplus', 'Lminus'],
    quiz: ['-0.096', '-0.24'],
    keyboard: { input: 'w11', value: 0.6, row: ['dW11', 0.4 * (0.4 * 0.8 + 0.6 * 0.8 - 1)] },
    shot: true,
  },
  modes: {
    rows: {
      dfdx: [15.685911746183226, 'match'], fwdPasses: [6, 'match'], revPasses: [1, 'match'], modeDiff: [0, 'match', 1e-12],
      ex1fg_t0: [3.2418138352088386, 'match'], J11: [0, 'match'], J12: [1, 'match'], J21: [0, 'match'], J22: [3, 'match'],
      // §8.4 (x = 1.5; x = (1, 0)) and B.2 (n = 6): double backward and H·v.
      fprime: [3.5 * Math.exp(1.5), 'match', 1e-12], fsecond: [4.5 * Math.exp(1.5), 'match', 1e-12],
      g2_1: [-0.5142281479716209, 'match', 1e-12], g2_2: [-0.08523281552815898, 'match', 1e-12],
      hvpHand: [0, 'match', 1e-12], hvpFd: [0, 'match', 1e-8], hvpSweeps: [2, 'match'], hvpLargest: [6, 'match'],
    },
    quiz: ['(x+2)*exp(x)', 'exp(x)'],
    keyboard: { input: 'n', value: 40, row: ['fwdPasses', 40], status: 'match' },
  },
  activations: {
    rows: { sigmoidMax: [0.25, 'match'], tanhMax: [1, 'match'], chain: [0.25 ** 20, 'match', 1e-9], geluZero: [0, 'corrected', 1e-9], siluZero: [0, 'corrected', 1e-9], gelu: [0.8674, 'match', 1e-3], silu: [0.7399, 'match', 1e-3] },
    corrections: ['geluZero', 'siluZero'],
    quiz: ['sigmoid(z)*(1-sigmoid(z))', 'sigmoid(z)'],
    // The exact GELU's derivative with Φ and φ, and seed 000's tanh′ = sech².
    moreQuizzes: { 'quiz-gelu-exact': ['Phi(x) + x*phi(x)', 'Phi(x)'], 'quiz-tanh': ['sech(x)^2', '1-x^2'] },
    keyboard: { input: 'L', value: 3, row: ['chain', 0.25 ** 3] },
  },
  depth: {
    rows: { xavierNormal: [0.0625, 'match', 0.03], xavierUniform: [0.1083, 'match', 0.01], heNormal: [0.0884, 'match', 0.03], gpt2: [0.02, 'match', 0.03], gpt2res: [0.02 / Math.sqrt(10), 'match', 0.04], direction: [0, 'match', 1e-9] },
    quiz: ['0.0625', '0.0884'],
    // Clipping above τ: the clipped value is ±τ, its slope 0 (the factor alone misses the product rule).
    moreQuizzes: { 'quiz-clip': ['0', 'min(1, tau/abs(g))'] },
    keyboard: { input: 'depth', value: 8, text: ['main', 'Layer 8'] },
  },
  optimizers: {
    rows: { sgdW: [1.96, 'match'], vel1: [0.5, 'match'], mom1: [0.95, 'match'], vel2: [0.15, 'match', 1e-12], mom2: [0.935, 'match'], m1: [0.04, 'match', 1e-12], v1: [0.00016, 'match', 1e-12],
      mhat1: [0.4, 'match', 1e-12], vhat1: [0.16, 'match', 1e-12], adam1: [0.99, 'match', 1e-8], m2: [0.016, 'match', 1e-12], v2: [0.00019984, 'match', 1e-12],
      mhat2: [0.016 / 0.19, 'match', 1e-12], vhat2: [0.00019984 / (1 - 0.999 ** 2), 'match', 1e-9], adam2: [0.98734, 'match', 1e-5], lr50: [1.5e-4, 'match'], lr100: [3e-4, 'match'], lr550: [1.65e-4, 'match'] },
    quiz: ['1.96', '2.04'],
    keyboard: { input: 'sw', value: 3, row: ['sgdW', 2.96] },
    shot: true,
  },
  checkpointing: {
    // depth 10, k = 3: 27 of 31 forward ops recomputed; 31 backward ops. FLOPs (width 64, batch 32):
    // forward 2,668,545, backward 5,089,280, recomputed 2,396,160.
    rows: { q32checkpoints: [5, 'match'], q32identical: [1, 'match'], identical: [1, 'match'], overheadOps: [100 * 27 / 62, 'corrected'], bwdRatio: [5089280 / 2668545, 'match', 1e-9],
      overheadFull: [100 * 2668545 / 7757825, 'match', 1e-9], overheadFlops: [100 * 2396160 / 7757825, 'match', 1e-9], peakOn: [98304, 'info'], peakOff: [245764, 'info'] },
    corrections: ['overheadOps'],
    quiz: ['12', '36'],
    keyboard: { input: 'every', value: 5, row: ['recomputed', 15], status: 'info' },
  },
  precision: {
    rows: { typical: [0.016, 'match', 0.05], bf16Max: [3.3895313892515355e38, 'match', 1e-6], bf16Under: [0, 'match'], underUnscaled: [0.533203125, 'info', 1e-6] },
    quiz: ['0.00004096', '0.00000001'],
    keyboard: { input: 'e', value: 0, row: ['underScaled', 0.533203125, 1e-6], status: 'info' },
  },
  lora: {
    rows: { Abar: [0, 'match', 1e-12], Bbar: [0, 'match', 1e-12], xbar: [0, 'match', 1e-12], frozen: [1, 'match'], big: [16777216, 'match'], bigLora: [131072, 'match'], ratio: [128, 'match'] },
    quiz: ['16384', '1048576'],
    keyboard: { input: 'r', value: 3, row: ['lora', 42], status: 'info' },
  },
  discrete: {
    rows: { exact: [0.25, 'match'], mean20: [0.25, 'match', 0.02], bestSe: [0, 'match', 1e-12], what: [1, 'match'], steL: [1, 'match'], steGrad: [-2, 'match'], steNew: [1.5, 'match'], qatLoss: [0.0524, 'info', 0.01], ptqLoss: [0.0571, 'info', 0.01] },
    quiz: ['0.25', '0.5'],
    keyboard: { input: 'theta', value: 1, row: ['exact', 0.19661193324148185, 1e-12], status: 'match' },
  },
  accumulation: {
    rows: { gpt3G: [6, 'info'], accDiff: [0, 'match', 1e-12], rawRatio: [4, 'match', 1e-9] },
    quiz: ['1/G', 'G'],
    keyboard: { input: 'G', value: 2, row: ['rawRatio', 2, 1e-9], status: 'match' },
  },
  transformer: {
    rows: { ceLoss: [0.4170300162778335, 'match'], ce0: [-0.3409988611140321, 'match'], lnFormula: [0, 'match', 1e-9], lnZero: [0, 'corrected', 1e-9], embRows: [3, 'match'], embSum: [0, 'match', 1e-12], V: [0, 'match', 1e-12], Q: [0, 'match', 1e-12], K: [0, 'match', 1e-12], Qc: [0, 'match', 1e-12], resGrad: [0.5721806069594111, 'match'], highway: [0.5721806069594111, 'corrected'] },
    corrections: ['lnZero', 'seed004', 'highway'],
    quiz: ['1+w*(1-tanh(w*x)^2)', '1'],
    keyboard: { input: 'z1', value: 0, row: ['ceLoss', 1.5734900090706256], status: 'match' },
    shot: true,
  },
  memory: {
    rows: {
      act32: [96 * 32 * 4096 * 8192 * 2 / 1e9, 'match'], scores: [96 * 512 * 96 * 2048 ** 2 * 2 / 1e12, 'corrected'], flash: [32768 ** 2 * 2 / 1e9, 'match'], params16: [140, 'match'], adam: [560, 'match'],
      zero3: [70e9 / 1024, 'match'], zero1: [16 / (4 + 12 / 1024), 'match'], zero2: [16 / (2 + 14 / 1024), 'match'], zero3x: [1024, 'match'], hessEntries: [4.9e21, 'match'], hessGB: [4e13, 'corrected'], gpt2: [124e6 * 0.005 / 86400, 'match'], llama: [7e9 * 0.05 / 31557600, 'match'],
      gpt3: [175e9 * 0.5 / 31557600, 'match'], passes: [350e9, 'match'], measured: [245764, 'match'], trainParams: [10 * (64 * 64 + 64), 'match'], trainState: [16 * 10 * (64 * 64 + 64), 'match'],
    },
    corrections: ['scores', 'hessGB'],
    quiz: ['14', '7'],
    keyboard: { input: 'B', value: 32, row: ['scores', 96 * 32 * 96 * 2048 ** 2 * 2 / 1e12] },
    shot: true,
  },
};
