// The training widgets' demo page: registers the elements (each module defines its own).
import '../../widgets/playground.js';
import '../../widgets/curve.js';
import '../../widgets/optimizers.js';
import '../../widgets/schedule.js';
import '../../widgets/depth.js';

// A live demo for <gradlab-curve>: a noisy decaying loss and a rising accuracy.
const curve = document.querySelector('#curve');
if (curve) {
  let step = 0;
  const tick = () => {
    step += 10;
    const loss = 0.7 * Math.exp(-step / 800) + 0.02 * (1 + Math.sin(step / 37));
    curve.append(step, [loss, 1 - loss]);
    if (step < 3000) setTimeout(tick, 50);
  };
  tick();
}
