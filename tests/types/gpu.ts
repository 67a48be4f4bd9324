// Compiled with tsc --noEmit (tests/types/tsconfig.json): the GPU options of createGradlab,
// gl.backend.gpu and trainAsync's result.backend.
import { createGradlab, type GPULike, type GpuInfo, type RunBackend } from '../../web/gradlab.js';

export async function gpu(dawn: GPULike): Promise<string> {
  const gl = await createGradlab({ backend: 'auto', gpu: dawn, gpuTesting: { calibrateCpuAdapter: true }, expressions: false });
  const info: GpuInfo | undefined = gl.backend.gpu;
  const model = gl.mlp([8, 128, 8]);
  const r = await model.trainAsync({ x: new Float32Array(64 * 8), y: new Float32Array(64 * 8), batchSize: 64, steps: 3 });
  const ran: RunBackend | undefined = r.backend;
  // @ts-expect-error: gpuTesting has one key
  await createGradlab({ gpu: dawn, gpuTesting: { calibrate: true } });
  // @ts-expect-error: a GPU object has requestAdapter()
  await createGradlab({ gpu: {} });
  model.dispose();
  const c = info?.calibrations[0];
  return `${info?.adapter} ${info?.cpuAdapter} ${info?.use} ${c ? c.gpuMsPerStep / c.cpuMsPerStep : NaN} ${ran?.name} ${ran?.deviceLost?.resumedFrom}`;
}
