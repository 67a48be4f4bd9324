// A module worker that runs the engine off the main thread.
import { compute, errorText } from './compute.js';

compute().then(
  ({ result }) => postMessage({ result }),
  (e) => postMessage({ error: errorText(e) }),
);
