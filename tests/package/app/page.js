// The page side: the engine on the main thread, the <gradlab-graph> widget on its graph
// (imported for its side effect: registering the element), and optionally a module worker.
import 'gradlab/widgets/graph-view';
import { compute, errorText } from './compute.js';

export async function runPage({ worker, createOptions } = {}) {
  const report = {};
  try {
    const { g, L, result } = await compute(createOptions);
    report.main = result;
    const view = document.createElement('gradlab-graph');
    document.body.append(view);
    report.widgetDefined = customElements.get('gradlab-graph') !== undefined;
    view.setGraph(g, { root: L, gradients: true });
    await new Promise((r) => requestAnimationFrame(() => r()));
    const labels = [...view.shadowRoot.querySelectorAll('[aria-label]')].map((el) => el.getAttribute('aria-label'));
    report.widgetNodeA = labels.find((t) => /^node a\b/.test(t)) ?? null;
  } catch (e) {
    report.error = errorText(e);
  }
  if (worker) {
    report.worker = await new Promise((resolve) => {
      const w = worker();
      w.onmessage = (ev) => resolve(ev.data.result ?? { error: ev.data.error });
      w.onerror = (ev) => resolve({ error: `worker error: ${ev.message}` });
    });
  }
  window.__gradlabReport = report;
}
