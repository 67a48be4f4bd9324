// Compiled with tsc --noEmit (tests/types/tsconfig.json): the backend and threads options.
import { createGradlab, type Backend, type BackendInfo } from '../../web/gradlab.js';

export async function threads(): Promise<string> {
  const backend: Backend = 'auto';
  const gl = await createGradlab({ backend, threads: 2, expressions: false });
  const info: BackendInfo = gl.backend;
  const model = gl.mlp([784, 256, 10]);
  const step: BackendInfo = model.backendFor(128);
  // @ts-expect-error: not a backend
  await createGradlab({ backend: 'gpu' });
  model.dispose();
  return `${info.name} ${info.threads} ${step.name}: ${step.reason}`;
}
