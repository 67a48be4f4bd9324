// Shared set-up of the WebGPU tests: Dawn (npm `webgpu`) on SwiftShader, one device per
// test file, kept referenced until the file's after() hook destroys it.
import { create } from 'webgpu';
import { requestGpu } from '../../web/webgpu/device.js';

let dawn = null;  // Dawn crashes if this object is collected while its device lives

export async function dawnContext() {
  dawn ??= create([]);
  return requestGpu({ gpu: dawn });
}

export { relErr, rng } from './util.mjs';
