// A page with no build step: the browser resolves 'gradlab' and '@dagrejs/dagre' through
// the page's import map, straight from node_modules.
import { runPage } from '../page.js';

runPage({ worker: () => new Worker(new URL('./worker.js', import.meta.url), { type: 'module' }) });
