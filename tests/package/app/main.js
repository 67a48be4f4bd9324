// Vite and webpack entry: main thread, widget and a module worker.
import { runPage } from './page.js';

runPage({ worker: () => new Worker(new URL('./worker.js', import.meta.url), { type: 'module' }) });
