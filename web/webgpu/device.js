// WebGPU device for gradlab's GPU executor: adapter and device with the adapter's own
// limits, a pipeline cache, buffers checked against the limits, and device loss turned
// into a 'devicelost' event so the caller can go on on the CPU.
//
//   const gpu = await requestGpu();                 // navigator.gpu
//   const gpu = await requestGpu({ gpu: dawnGpu });  // Node: create() of the npm `webgpu` package
//   gpu.addEventListener('devicelost', (e) => ...);  // e.detail = { reason, message }

/** The limits gradlab asks for: as large as the adapter allows (the defaults are the spec minimums). */
export const REQUESTED_LIMITS = [
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupSizeY',
  'maxComputeWorkgroupsPerDimension',
  'maxStorageBuffersPerShaderStage',
];

// What every kernel of web/webgpu/kernels needs: 256 invocations (16×16 GEMM workgroups),
// 8 KiB of workgroup memory (two 16×64 f32 tiles), 6 storage buffers in one stage.
export const MIN_LIMITS = {
  maxComputeInvocationsPerWorkgroup: 256,
  maxComputeWorkgroupSizeX: 256,
  maxComputeWorkgroupStorageSize: 8192,
  maxStorageBuffersPerShaderStage: 6,
};

// GPUBufferUsage / GPUMapMode values from the WebGPU spec, so this module does not need
// the browser globals (Node's Dawn binding only installs them on request).
export const USAGE = { MAP_READ: 1, COPY_SRC: 4, COPY_DST: 8, UNIFORM: 64, STORAGE: 128 };
const MAP_READ_MODE = 1;

function describeValue(v) {
  if (v === null) return 'null';
  if (typeof v === 'object') return v.constructor?.name ?? 'an object';
  return `${typeof v} ${String(v)}`;
}

/** The GPU object to use: the injected one, else navigator.gpu; a clear Error when neither exists. */
function gpuObject(injected) {
  if (injected !== undefined) {
    if (injected === null || typeof injected.requestAdapter !== 'function')
      throw new TypeError(`requestGpu: gpu must be a GPU object with requestAdapter() (navigator.gpu, or create() of the npm 'webgpu' package in Node), got ${describeValue(injected)}`);
    return injected;
  }
  const nav = globalThis.navigator;
  if (!nav) throw new Error('WebGPU is not available: there is no navigator (in Node, pass { gpu: create([]) } from the npm package "webgpu")');
  if (!nav.gpu) throw new Error('WebGPU is not available: navigator.gpu is missing (this browser has no WebGPU, or the page is not a secure context)');
  return nav.gpu;
}

/**
 * Gets an adapter and a device. Options: `gpu` (a GPU object; default navigator.gpu),
 * `powerPreference` ('high-performance' default), `adapter` options passed through.
 * Throws an Error naming the cause when WebGPU or an adapter is missing, or when the
 * adapter falls short of what the kernels need.
 */
export async function requestGpu(options = {}) {
  if (options === null || typeof options !== 'object') throw new TypeError(`requestGpu: options must be an object, got ${describeValue(options)}`);
  const gpu = gpuObject(options.gpu);
  const adapter = await gpu.requestAdapter({ powerPreference: options.powerPreference ?? 'high-performance', ...(options.adapter ?? {}) });
  if (!adapter) throw new Error('WebGPU is present but no adapter was found (requestAdapter() returned null: GPU blocklisted, disabled, or no driver)');
  for (const [key, need] of Object.entries(MIN_LIMITS)) {
    if (adapter.limits[key] < need) throw new Error(`the WebGPU adapter's ${key} is ${adapter.limits[key]}, gradlab's kernels need at least ${need}`);
  }
  const requiredLimits = {};
  for (const key of REQUESTED_LIMITS) if (adapter.limits[key] !== undefined) requiredLimits[key] = adapter.limits[key];
  const device = await adapter.requestDevice({ requiredLimits, label: 'gradlab' });
  return new GpuContext(gpu, adapter, device);
}

/** A device with its pipeline cache; an EventTarget that fires 'devicelost' (detail: { reason, message }). */
export class GpuContext extends EventTarget {
  /** @internal use requestGpu() */
  constructor(gpu, adapter, device) {
    super();
    this.gpu = gpu;  // kept referenced: Dawn's Node binding crashes when its GPU object is collected
    this.adapter = adapter;
    this.device = device;
    this.limits = device.limits;
    this.lost = false;
    this.lostInfo = null;
    this._disposing = false;
    this._pipelines = new Map();
    this._dummies = new Map();
    this.adapterInfo = adapter.info ? { vendor: adapter.info.vendor, architecture: adapter.info.architecture, description: adapter.info.description } : {};
    // A CPU implementation of WebGPU (SwiftShader, or any fallback adapter): barriers are
    // expensive there, so the GEMM takes its barrier-free kernel (ops.js gemmKernelFor).
    this.cpuAdapter = adapter.info?.architecture === 'swiftshader' || adapter.info?.isFallbackAdapter === true || adapter.isFallbackAdapter === true;
    // WebGPU reports validation and out-of-memory errors asynchronously, not as throws:
    // keep the first one since the last readback, and read() throws it with its message.
    this._pendingError = null;
    device.addEventListener?.('uncapturederror', (e) => {
      this._pendingError ??= e.error?.message ?? String(e.error ?? e);
    });
    device.lost.then((info) => {
      this.lost = true;
      this.lostInfo = { reason: info?.reason ?? 'unknown', message: info?.message ?? '' };
      if (this._disposing) return;  // our own dispose(): not an event
      this.dispatchEvent(new CustomEvent('devicelost', { detail: this.lostInfo }));
    });
  }

  /** Throws when the device is gone (each entry point checks this first). */
  checkAlive(where) {
    if (this.lost) throw new Error(`${where}: the WebGPU device was lost (${this.lostInfo.reason}: ${this.lostInfo.message}); use the CPU path or request a new device`);
  }

  /**
   * The compute pipeline for `key`, compiled once: `makeCode()` gives the WGSL (entry point `main`).
   * A WGSL or validation error surfaces at the next read() as an Error with the compiler's message.
   */
  pipeline(key, makeCode) {
    let p = this._pipelines.get(key);
    if (p) return p;
    this.checkAlive('pipeline');
    const code = makeCode();
    const module = this.device.createShaderModule({ code, label: key });
    p = this.device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' }, label: key });
    p.code = code;
    this._pipelines.set(key, p);
    return p;
  }

  /** Number of compiled pipelines (the cache works: the same kernel compiles once). */
  get pipelineCount() {
    return this._pipelines.size;
  }

  /** Throws unless `bytes` fits one storage binding and one buffer of this device; names both numbers. */
  checkSize(bytes, what) {
    const maxBind = this.limits.maxStorageBufferBindingSize;
    const maxBuf = this.limits.maxBufferSize;
    if (!Number.isSafeInteger(bytes) || bytes < 0) throw new RangeError(`${what}: buffer size must be a non-negative integer number of bytes, got ${bytes}`);
    if (bytes > maxBind) throw new RangeError(`${what}: ${bytes} bytes exceed this device's maxStorageBufferBindingSize of ${maxBind} bytes`);
    if (bytes > maxBuf) throw new RangeError(`${what}: ${bytes} bytes exceed this device's maxBufferSize of ${maxBuf} bytes`);
  }

  /**
   * A storage buffer of at least `bytes` (rounded up to 16 so vec4 views are legal),
   * filled from `data` (a typed array) when given.
   */
  storage(bytes, label, data) {
    this.checkSize(bytes, label);
    this.checkAlive(label);
    const size = Math.max(16, Math.ceil(bytes / 16) * 16);
    const buf = this.device.createBuffer({ size, usage: USAGE.STORAGE | USAGE.COPY_SRC | USAGE.COPY_DST, label });
    if (data) this.device.queue.writeBuffer(buf, 0, data.buffer, data.byteOffset, data.byteLength);
    return buf;
  }

  /** A uniform buffer holding `data` (an ArrayBuffer or typed array of at most 256 bytes per record). */
  uniform(data, label) {
    const bytes = data.byteLength;
    const buf = this.device.createBuffer({ size: Math.max(16, Math.ceil(bytes / 16) * 16), usage: USAGE.UNIFORM | USAGE.COPY_DST, label });
    this.device.queue.writeBuffer(buf, 0, data instanceof ArrayBuffer ? data : data.buffer, data instanceof ArrayBuffer ? 0 : data.byteOffset, bytes);
    return buf;
  }

  /** A 16-byte storage buffer standing in for an unused binding; `slot` keeps read and write dummies apart. */
  dummy(slot) {
    let b = this._dummies.get(slot);
    if (!b) {
      b = this.device.createBuffer({ size: 16, usage: USAGE.STORAGE, label: `gradlab dummy ${slot}` });
      this._dummies.set(slot, b);
    }
    return b;
  }

  /** Copies `bytes` from `buffer` (at `offset`) back to the CPU: a Float32Array (or the given constructor). */
  async read(buffer, bytes, offset = 0, Type = Float32Array) {
    this.checkAlive('read');
    const size = Math.max(4, Math.ceil(bytes / 4) * 4);
    if (!Number.isInteger(offset) || offset < 0 || offset % 4 !== 0 || offset + size > buffer.size)
      throw new RangeError(`read: bytes [${offset}, ${offset + size}) do not lie in the buffer's ${buffer.size} bytes (offset must be a multiple of 4)`);
    const staging = this.device.createBuffer({ size, usage: USAGE.MAP_READ | USAGE.COPY_DST, label: 'gradlab readback' });
    const enc = this.device.createCommandEncoder();
    enc.copyBufferToBuffer(buffer, offset, staging, 0, size);
    this.device.queue.submit([enc.finish()]);
    try {
      await staging.mapAsync(MAP_READ_MODE);
    } catch (e) {
      staging.destroy();
      throw new Error(`read: mapping the readback buffer failed${this.lost ? ' (the device was lost)' : ''}: ${e.message}`);
    }
    const out = new Type(staging.getMappedRange().slice(0, bytes));
    staging.unmap();
    staging.destroy();
    this.throwPendingError('read');
    return out;
  }

  /** Throws (once) the first WebGPU error reported since the last call, naming `where`. */
  throwPendingError(where) {
    const msg = this._pendingError;
    if (msg === null) return;
    this._pendingError = null;
    throw new Error(`${where}: WebGPU reported an error: ${msg}`);
  }

  /** Destroys the device without firing 'devicelost'. */
  dispose() {
    this._disposing = true;
    this._pipelines.clear();
    this.device.destroy();
  }
}
