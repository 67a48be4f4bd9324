// esbuild without the "gradlab/wasm" import: the .wasm is not emitted next to the bundle,
// and createGradlab must say which URL it tried and what to do.
import { createGradlab } from 'gradlab';

createGradlab().then(
  () => (window.__gradlabReport = { error: 'loaded, but no .wasm was emitted' }),
  (e) => (window.__gradlabReport = { message: e.message }),
);
