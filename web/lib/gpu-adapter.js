// backend 'webgpu' (web/lib/backend.js): loaded by web/lib/load.js only when it is asked for.

/** The WebGPU adapter's name, or an Error that says why there is none. */
export async function webgpuAdapter() {
  const gpu = globalThis.navigator?.gpu;
  const where = "createGradlab: backend 'webgpu'";
  if (!gpu) throw new Error(`${where} needs WebGPU, and navigator.gpu is undefined here (in Node: gradlab/webgpu's requestGpu with the npm package webgpu)`);
  const adapter = await gpu.requestAdapter().catch((e) => {
    throw new Error(`${where}: requestAdapter() failed: ${e?.message ?? e}`);
  });
  if (!adapter) throw new Error(`${where}: navigator.gpu.requestAdapter() found no adapter`);
  const info = adapter.info ?? {};
  return [info.vendor, info.architecture].filter(Boolean).join(' ') || 'found';
}

/** gl.backend for backend 'webgpu': the adapter, and the CPU engine that runs everything else. */
export function webgpuBackend(adapter, { module, threads, reason }) {
  return { name: 'webgpu', threads, reason: `WebGPU adapter ${adapter}: MLP training on the GPU through createMlpTrainer (gradlab/webgpu); graphs and model.train on the CPU (${module}; ${reason})` };
}
