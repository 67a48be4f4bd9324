// gl.optimizer (src/optim's Optimizer, the code model.train() runs) against torch.optim,
// step by step: the parameters and the state torch keeps (momentum_buffer; exp_avg,
// exp_avg_sq) after every one of 6 steps of given gradients, for SGD, momentum, Adam and
// AdamW with and without weight decay, in float64 (to 1e-13 relative: Adam's β^t and
// division order may differ in the last bit) and float32 (to 1e-6 relative + 1e-7: torch's
// f32 kernels may fuse a multiply-add, and a velocity near 0 keeps only absolute accuracy).
// Needs /usr/bin/python3 with torch (Debian's python3-torch; ORACLE_PYTHON overrides).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createGradlab } from '../../web/gradlab.js';

const PYTHON = process.env.ORACLE_PYTHON ?? '/usr/bin/python3';
const gl = await createGradlab();

const N = 6, STEPS = 6;
const init = Array.from({ length: N }, (_, i) => Math.sin(1.3 * i + 0.2) * 2);
// Gradients that change sign and scale from step to step (so the moments matter).
const grads = Array.from({ length: STEPS }, (_, t) => Array.from({ length: N }, (_, i) => Math.cos(0.7 * i * (t + 1) + t) * (t % 2 ? 0.3 : 1.5)));

const CASES = [
  { kind: 'sgd', lr: 0.1 },
  { kind: 'sgd', lr: 0.05, weightDecay: 0.1 },
  { kind: 'momentum', lr: 0.1, momentum: 0.9 },
  { kind: 'momentum', lr: 0.02, momentum: 0.5, weightDecay: 0.2 },
  { kind: 'adam', lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8 },
  { kind: 'adam', lr: 0.03, beta1: 0.8, beta2: 0.99, eps: 1e-6, weightDecay: 0.05 },
  { kind: 'adamw', lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.1 },
];

const SCRIPT = String.raw`
import json, sys, torch
spec = json.load(sys.stdin)
out = []
for dtype in (torch.float64, torch.float32):
    for c in spec["cases"]:
        p = torch.nn.Parameter(torch.tensor(spec["init"], dtype=torch.float64).to(dtype))
        wd = c.get("weightDecay", 0.0)
        if c["kind"] == "sgd":
            opt = torch.optim.SGD([p], lr=c["lr"], weight_decay=wd)
        elif c["kind"] == "momentum":
            opt = torch.optim.SGD([p], lr=c["lr"], momentum=c["momentum"], dampening=0.0, weight_decay=wd)
        elif c["kind"] == "adam":
            opt = torch.optim.Adam([p], lr=c["lr"], betas=(c["beta1"], c["beta2"]), eps=c["eps"], weight_decay=wd)
        else:
            opt = torch.optim.AdamW([p], lr=c["lr"], betas=(c["beta1"], c["beta2"]), eps=c["eps"], weight_decay=wd)
        steps = []
        for g in spec["grads"]:
            p.grad = torch.tensor(g, dtype=torch.float64).to(dtype)
            opt.step()
            st = opt.state[p]
            rec = {"params": p.detach().double().tolist()}
            if st.get("momentum_buffer") is not None: rec["velocity"] = st["momentum_buffer"].double().tolist()
            if "exp_avg" in st:
                rec["m"] = st["exp_avg"].double().tolist()
                rec["v"] = st["exp_avg_sq"].double().tolist()
            steps.append(rec)
        out.append(steps)
print(json.dumps(out))
`;

function torchSteps() {
  const r = spawnSync(PYTHON, ['-c', SCRIPT], { input: JSON.stringify({ cases: CASES, init, grads }), encoding: 'utf8', timeout: 120000 });
  if (r.status !== 0)
    throw new Error(`the PyTorch reference failed (${PYTHON}; it needs torch, e.g. Debian's python3-torch): ${r.stderr || r.error}`);
  return JSON.parse(r.stdout);
}

test('gl.optimizer matches torch.optim step by step: parameters, velocity, exp_avg, exp_avg_sq', () => {
  const ref = torchSteps();
  let compared = 0;
  ['f64', 'f32'].forEach((dtype, d) => {
    const rel = dtype === 'f64' ? 1e-13 : 1e-6;
    CASES.forEach((c, ci) => {
      const opt = gl.optimizer({ ...c, dtype }, init);
      grads.forEach((g, t) => {
        const s = opt.step(g);
        const want = ref[d * CASES.length + ci][t];
        const where = `${dtype} ${JSON.stringify(c)} step ${t + 1}`;
        for (const key of ['params', 'velocity', 'm', 'v']) {
          if (!want[key]) {
            assert.equal(s[key], undefined, `${where}: ${key} should not exist`);
            continue;
          }
          want[key].forEach((w, i) => {
            const got = s[key][i];
            assert.ok(Math.abs(got - w) <= rel * Math.max(Math.abs(w), 1e-30) + (dtype === 'f32' ? 1e-7 : 0),
              `${where}: ${key}[${i}] = ${got}, torch ${w}`);
            compared++;
          });
        }
        if (c.kind.startsWith('adam')) {
          // m̂ and v̂ are m, v over 1 − βᵗ (seed 003's formulas); βᵗ by ** here and by exact
          // repeated squaring in the engine may differ in the last bit, which 1 − βᵗ magnifies
          const bc1 = 1 - c.beta1 ** (t + 1), bc2 = 1 - c.beta2 ** (t + 1);
          s.m.forEach((m, i) => assert.ok(Math.abs(s.mHat[i] - m / bc1) <= 1e-12 * Math.abs(m / bc1) + 1e-300, `${where}: m̂[${i}]`));
          s.v.forEach((v, i) => assert.ok(Math.abs(s.vHat[i] - v / bc2) <= 1e-12 * Math.abs(v / bc2) + 1e-300, `${where}: v̂[${i}]`));
        }
      });
      opt.dispose();
    });
  });
  assert.equal(compared, 2 * STEPS * N * (2 + 2 * 2 + 3 * 3));
});
