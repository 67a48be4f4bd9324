// Seed 001 §7.4: FP16 gradients underflow; loss scaling by S (2¹²–2¹⁶) moves them into
// range; BF16 has FP32's exponent range. The engine rounds a network's weight gradients to
// fp16/bf16 with and without scaling (gl.lossScaling) and reports what was lost.
import { startTopic, num } from '../site.js';
import '../../widgets/quiz.js';

const share = (x) => `${num(100 * x, 3)} %`;

function render(gl, v, ui) {
  const e = Math.round(v.e);
  if (!(e >= 0 && e <= 40)) throw new Error(`log₂ S must be a whole number from 0 to 40, got ${v.e}`);
  const r = gl.lossScaling({ format: 'fp16', scale: 2 ** e });
  const bf = gl.lossScaling({ format: 'bf16', scale: 1 });
  ui.compare('fp16', [
    { key: 'range', label: 'exact |∂L/∂W| range of this network', seed: null, verdict: 'info', engine: r.exactMaxAbs, engineText: `${num(r.exactMinAbs, 3)} … ${num(r.exactMaxAbs, 3)}` },
    { key: 'fp16Normal', label: 'FP16 smallest normal / subnormal', seed: null, verdict: 'info', engine: r.smallestNormal, engineText: `${num(r.smallestNormal, 3)} / ${num(r.smallestSubnormal, 3)}` },
    { key: 'underUnscaled', label: 'FP16, S = 1: gradients flushed to 0', seed: null, verdict: 'info', engine: r.unscaled.underflowShare, engineText: share(r.unscaled.underflowShare) },
    { key: 'errUnscaled', label: 'FP16, S = 1: relative error of ∇', seed: null, verdict: 'info', engine: r.unscaled.relError },
    { key: 'underScaled', label: `FP16, S = 2^${e}: flushed to 0`, seed: null, verdict: 'info', engine: r.scaled.underflowShare, engineText: share(r.scaled.underflowShare) },
    { key: 'overScaled', label: `FP16, S = 2^${e}: overflowed to ∞`, seed: null, verdict: 'info', engine: r.scaled.overflowShare, engineText: share(r.scaled.overflowShare) },
    { key: 'errScaled', label: `FP16, S = 2^${e}: relative error of ∇/S`, seed: null, verdict: 'info', engine: r.scaled.relError ?? NaN, engineText: r.scaled.relError === null ? 'overflow (inf)' : num(r.scaled.relError, 3) },
  ]);
  // The seed's claims, judged on the engine's numbers.
  const low = gl.lossScaling({ format: 'fp16', scale: 2 ** 12 });
  const high = gl.lossScaling({ format: 'fp16', scale: 2 ** 16 });
  const typicalWorks = low.scaled.underflowShare < r.unscaled.underflowShare / 10 && high.scaled.overflowShare === 0;
  ui.compare('claims', [
    { key: 'typical', label: 'S from 2¹² to 2¹⁶ rescues the small gradients (share flushed at 2¹², 2¹⁶)', seedText: 'typically 2¹²–2¹⁶', engine: low.scaled.underflowShare, engineText: `${share(low.scaled.underflowShare)}, ${share(high.scaled.underflowShare)}`, verdict: typicalWorks ? 'match' : 'differs' },
    { key: 'bf16Max', label: 'BF16 largest finite (8 exponent bits, as FP32: 3.40×10³⁸)', seed: '3.40e38', rel: 0.01, engine: bf.largestFinite },
    { key: 'bf16Under', label: 'BF16, S = 1: gradients flushed to 0', seed: '0', engine: bf.unscaled.underflowShare, engineText: share(bf.unscaled.underflowShare) },
    { key: 'bf16Err', label: 'BF16, S = 1: relative error (7 mantissa bits: ≈ 2⁻⁹ per entry)', seed: null, verdict: 'info', engine: bf.unscaled.relError },
  ]);
  const sweep = [];
  for (let k = 0; k <= 40; k += 2) sweep.push([k, gl.lossScaling({ format: 'fp16', scale: 2 ** k }).scaled]);
  ui.plot('sweep', {
    series: [
      { name: 'share flushed to 0', points: sweep.map(([k, s]) => [k, s.underflowShare]) },
      { name: 'share overflowed', points: sweep.map(([k, s]) => [k, s.overflowShare]) },
      { name: 'share subnormal', points: sweep.map(([k, s]) => [k, s.subnormalShare]) },
    ],
    xLabel: 'log₂ S', yLabel: 'share of gradient entries', title: 'FP16 gradients by loss scale',
  });
}

startTopic({ render });
