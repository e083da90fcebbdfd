// The JavaScript half of webtensor's browser device adapter (pkg/webtensor/backends/webgpu/browser.py).
//
// Python crosses into JS once per operation: buffers, pipelines and bind groups live here and are
// named by small integer ids, so a dispatch is a single call `dispatch(pipe, slot, gx, gy, gz, ...ids)`
// with plain numbers. Each dispatch's uniform words sit in a Python-side staging array (slot `slot`
// of UNIFORM_WORDS u32 words); `flush(staging, first, end)` uploads slots first..end-1 with one
// writeBuffer from a view of that array (getBuffer(), no copy) and submits the open pass. Python
// flushes every few dispatches, so the GPU process starts on them while later ones are encoded.
// Reads return promises; Python waits on them with pyodide.ffi.run_sync (JSPI) or awaits them.
//
// Exposed as globalThis.webtensorGPU, so Python reaches it as `js.webtensorGPU`.

const UNIFORM_WORDS = 64; // must match adapter.UNIFORM_WORDS
const UNIFORM_SLOT = UNIFORM_WORDS * 4; // bytes, also minUniformBufferOffsetAlignment
const RING_SLOTS = 256;
const BIND_GROUP_CACHE = 4096;

class Bridge {
  constructor() {
    this.device = null;
    this.info = null;
    this.buffers = new Map(); // id -> GPUBuffer
    this.textures = new Map(); // id -> GPUTextureView of a 2-D rgba32float texture (ids shared with buffers)
    this.pipelines = new Map(); // id -> {pipeline, layout}
    this.bindGroups = new Map(); // "pipe:ids" -> GPUBindGroup
    this.groupsOf = new Map(); // buffer id -> Set of bind group keys using it
    this.nextId = 1;
    this.encoder = null;
    this.pass = null;
    this.lastPipe = -1;
    this.ring = null;
    this.staging = []; // free MAP_READ buffers, reused by size
    this.errors = [];
    this.lost = null;
  }

  // Requests an adapter and a device; resolves to a plain description of them, or null when this
  // browser (or this worker) has no WebGPU adapter. After a device loss it starts over on a new device
  // (the ids of the old one's buffers and pipelines are forgotten).
  async init(powerPreference = "high-performance") {
    if (this.device && !this.lost) return this.info;
    if (this.device) this._forget();
    const gpu = globalThis.navigator && navigator.gpu;
    if (!gpu) return null;
    const adapter = await gpu.requestAdapter({ powerPreference });
    if (!adapter) return null;
    const wanted = {};
    for (const k of ["maxStorageBufferBindingSize", "maxBufferSize", "maxComputeWorkgroupsPerDimension"]) {
      wanted[k] = adapter.limits[k];
    }
    const features = adapter.features.has("shader-f16") ? ["shader-f16"] : [];
    const device = await adapter.requestDevice({ requiredLimits: wanted, requiredFeatures: features });
    device.addEventListener("uncapturederror", (e) => {
      if (this.errors.length < 16) this.errors.push(String(e.error && e.error.message ? e.error.message : e.error));
    });
    device.lost.then((info) => {
      if (this.device === device) this.lost = `WebGPU device lost (${info.reason}): ${info.message}`;
    });
    const ai = adapter.info || {};
    const name = ai.description || ai.device || [ai.vendor, ai.architecture].filter(Boolean).join(" ") || "unknown";
    const fallback = !!(ai.isFallbackAdapter || adapter.isFallbackAdapter);
    const software = fallback || /swiftshader|llvmpipe|lavapipe|software|warp/i.test(
      [ai.vendor, ai.architecture, ai.device, ai.description].join(" "));
    this.device = device;
    this.ring = device.createBuffer({
      size: RING_SLOTS * UNIFORM_SLOT,
      usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
    });
    this.info = {
      name,
      vendor: ai.vendor || "",
      architecture: ai.architecture || "",
      isSoftware: software,
      maxStorageBufferBindingSize: device.limits.maxStorageBufferBindingSize,
      maxBufferSize: device.limits.maxBufferSize,
      maxComputeWorkgroupsPerDimension: device.limits.maxComputeWorkgroupsPerDimension,
      maxTextureDimension2D: device.limits.maxTextureDimension2D,
      hasF16: device.features.has("shader-f16"),
    };
    return this.info;
  }

  _forget() {
    this.buffers.clear();
    this.textures.clear();
    this.pipelines.clear();
    this.bindGroups.clear();
    this.groupsOf.clear();
    this.staging = [];
    this.encoder = this.pass = null;
    this.lastPipe = -1;
    this.errors = [];
    this.device = null;
    this.lost = null;
  }

  // -- memory -------------------------------------------------------------------------------------

  createBuffer(nbytes, uniform) {
    const usage = uniform
      ? GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST
      : GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
    const size = Math.max(4, Math.ceil(nbytes / 4) * 4);
    const id = this.nextId++;
    this.buffers.set(id, this.device.createBuffer({ size, usage }));
    return id;
  }

  destroyBuffer(id) {
    this._forgetGroups(id);
    const b = this.buffers.get(id);
    this.buffers.delete(id);
    if (b) b.destroy();
  }

  // A width x height rgba32float texture that compute passes write (as a storage texture) and read
  // (textureLoad); only its view is kept. Returns its id.
  createTexture(width, height) {
    const texture = this.device.createTexture({
      size: [width, height, 1],
      format: "rgba32float",
      usage: GPUTextureUsage.TEXTURE_BINDING | GPUTextureUsage.STORAGE_BINDING | GPUTextureUsage.COPY_DST,
    });
    const id = this.nextId++;
    this.textures.set(id, texture.createView());
    return id;
  }

  // Drops a texture without destroying it (pending work may still use it; the browser frees it later).
  forgetTexture(id) {
    this._forgetGroups(id);
    this.textures.delete(id);
  }

  _forgetGroups(id) {
    const keys = this.groupsOf.get(id);
    if (keys) {
      for (const k of keys) this.bindGroups.delete(k);
      this.groupsOf.delete(id);
    }
  }

  // data: a PyProxy of a bytes-like object (viewed in place), or a typed array / ArrayBuffer.
  write(id, data, offset = 0) {
    const buffer = this.buffers.get(id);
    if (data && typeof data.getBuffer === "function") {
      const view = data.getBuffer("u8");
      try {
        this._writeBytes(buffer, offset, view.data);
      } finally {
        view.release();
      }
    } else {
      this._writeBytes(buffer, offset, data instanceof ArrayBuffer ? new Uint8Array(data) : data);
    }
  }

  _writeBytes(buffer, offset, bytes) {
    const n = bytes.byteLength;
    if (n % 4 === 0) {
      this.device.queue.writeBuffer(buffer, offset, bytes.buffer, bytes.byteOffset, n);
    } else { // writeBuffer wants a multiple of 4 bytes
      const padded = new Uint8Array(Math.ceil(n / 4) * 4);
      padded.set(bytes);
      this.device.queue.writeBuffer(buffer, offset, padded);
    }
  }

  // -- programs -----------------------------------------------------------------------------------

  // kinds: the bindings in order, comma separated: "read", "read_write", "uniform" (dynamic offset),
  // "texture" (texture_2d<f32>, unfilterable) or "storage_texture" (rgba32float, write-only).
  pipeline(code, kinds) {
    const access = { read: "read-only-storage", read_write: "storage" };
    const entries = kinds.split(",").map((kind, binding) => {
      const entry = { binding, visibility: GPUShaderStage.COMPUTE };
      if (kind === "texture") entry.texture = { sampleType: "unfilterable-float", viewDimension: "2d" };
      else if (kind === "storage_texture") {
        entry.storageTexture = { access: "write-only", format: "rgba32float", viewDimension: "2d" };
      } else entry.buffer = kind === "uniform" ? { type: "uniform", hasDynamicOffset: true } : { type: access[kind] };
      return entry;
    });
    const layout = this.device.createBindGroupLayout({ entries });
    const module = this.device.createShaderModule({ code });
    const pipeline = this.device.createComputePipeline({
      layout: this.device.createPipelineLayout({ bindGroupLayouts: [layout] }),
      compute: { module, entryPoint: "main" },
    });
    const id = this.nextId++;
    this.pipelines.set(id, { pipeline, layout });
    module.getCompilationInfo().then((info) => {
      for (const m of info.messages) {
        if (m.type === "error" && this.errors.length < 16) this.errors.push(`WGSL: ${m.message} (line ${m.lineNum})`);
      }
    });
    return id;
  }

  // Encodes one dispatch into the open compute pass; buffer (or texture) ids bind in order from 0,
  // the uniform ring after them at this dispatch's slot.
  dispatch(pipeId, slot, gx, gy, gz, ...ids) {
    const key = pipeId + ":" + ids.join(",");
    let group = this.bindGroups.get(key);
    const p = this.pipelines.get(pipeId);
    if (group === undefined) {
      const entries = ids.map((id, binding) => ({
        binding,
        resource: this.textures.has(id) ? this.textures.get(id) : { buffer: this.buffers.get(id) },
      }));
      entries.push({ binding: ids.length, resource: { buffer: this.ring, offset: 0, size: UNIFORM_SLOT } });
      group = this.device.createBindGroup({ layout: p.layout, entries });
      if (this.bindGroups.size >= BIND_GROUP_CACHE) {
        this.bindGroups.clear();
        this.groupsOf.clear();
      }
      this.bindGroups.set(key, group);
      for (const id of ids) {
        let s = this.groupsOf.get(id);
        if (!s) this.groupsOf.set(id, (s = new Set()));
        s.add(key);
      }
    }
    if (this.pass === null) {
      this.encoder = this.device.createCommandEncoder();
      this.pass = this.encoder.beginComputePass();
      this.lastPipe = -1;
    }
    if (pipeId !== this.lastPipe) {
      this.pass.setPipeline(p.pipeline);
      this.lastPipe = pipeId;
    }
    this.pass.setBindGroup(0, group, [slot * UNIFORM_SLOT]);
    this.pass.dispatchWorkgroups(gx, gy, gz);
  }

  // Uploads uniform slots first..end-1 from `staging` (a PyProxy of a uint32 numpy array, viewed in
  // place) to the same slots of the ring, and submits the open pass. Returns whether anything was
  // submitted. Slots are not reused before Python's flush() ends a run, and queue writes land after
  // the work submitted before them, so each dispatch reads its own words.
  flush(staging, first, end) {
    if (this.pass === null) return false;
    this.pass.end();
    if (end > first) {
      const view = staging.getBuffer("u32");
      try {
        const data = view.data;
        this.device.queue.writeBuffer(this.ring, first * UNIFORM_SLOT, data.buffer,
          data.byteOffset + first * UNIFORM_SLOT, (end - first) * UNIFORM_SLOT);
      } finally {
        view.release();
      }
    }
    this.device.queue.submit([this.encoder.finish()]);
    this.pass = this.encoder = null;
    return true;
  }

  // Copies the first nbytes of buffer `id` into a mappable buffer, submits, and resolves to a
  // Uint8Array of them once the GPU is done (the caller flushed its pending dispatches first).
  async read(id, nbytes) {
    if (this.lost) throw new Error(this.lost);
    if (this.pass !== null) throw new Error("webtensorGPU.read: flush() the open pass first");
    const size = Math.max(4, Math.ceil(nbytes / 4) * 4);
    let i = this.staging.findIndex((b) => b.size >= size && b.size <= 2 * size);
    const stage = i >= 0 ? this.staging.splice(i, 1)[0]
      : this.device.createBuffer({ size, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    const encoder = this.device.createCommandEncoder();
    encoder.copyBufferToBuffer(this.buffers.get(id), 0, stage, 0, size);
    this.device.queue.submit([encoder.finish()]);
    try {
      await stage.mapAsync(GPUMapMode.READ, 0, size);
    } catch (e) {
      // The device's `lost` promise may settle just after mapAsync's rejection: give it a turn.
      if (!this.lost) await new Promise((resolve) => setTimeout(resolve, 0));
      if (this.lost) throw new Error(this.lost);
      throw new Error(`WebGPU readback failed: ${e.message}${this._errorText()}`);
    }
    const out = new Uint8Array(nbytes);
    out.set(new Uint8Array(stage.getMappedRange(0, size), 0, nbytes));
    stage.unmap();
    if (this.staging.length < 8) this.staging.push(stage);
    else stage.destroy();
    if (this.errors.length) throw new Error(`WebGPU validation error${this._errorText()}`);
    return out;
  }

  _errorText() {
    if (!this.errors.length) return "";
    const text = ": " + this.errors.join("; ");
    this.errors = [];
    return text;
  }

  takeErrors() {
    const e = this.errors;
    this.errors = [];
    return e.join("\n");
  }
}

globalThis.webtensorGPU = new Bridge();
export default globalThis.webtensorGPU;
