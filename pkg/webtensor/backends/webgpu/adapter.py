"""The thin device adapter under the WebGPU backend, here over wgpu-py.

The backend above speaks only these few coarse methods, so the browser adapter
(navigator.gpu through Pyodide) can implement the same ones with one bridge
call each: a dispatch writes its uniforms, finds or makes its bind group and
encodes itself in a single call.
"""
import re

import numpy as np

STORAGE, UNIFORM = "storage", "uniform"
UNIFORM_WORDS = 64                 # u32 words of one dispatch's uniform block (programs.UNIFORM_WORDS)
UNIFORM_SLOT = UNIFORM_WORDS * 4   # bytes; also WebGPU's minUniformBufferOffsetAlignment (256)
RING_SLOTS = 256                   # dispatches per submit (the backend flushes at MAX_PENDING)
TEXTURE_POOL_BYTES = 256 << 20     # free textures kept for reuse, in bytes (least recently freed go first)


class TexturePool:
    """Free 2-D rgba32float textures by (width, height), shared by both adapters.

    Textures are only ever written by dispatches (never from the host), and dispatches run in the
    order they are encoded, so a texture may be reused as soon as its last dispatch is encoded.
    Evicted textures are dropped, not destroyed: a pending dispatch may still use them, and the
    runtime frees them once nothing refers to them.
    """

    def __init__(self, create, forget):
        self._create = create
        self._forget = forget
        self._free = {}     # (width, height) -> [textures], in insertion (= release) order
        self.bytes = 0

    def acquire(self, width, height):
        free = self._free.get((width, height))
        if free:
            self.bytes -= width * height * 16
            return free.pop()
        return self._create(width, height)

    def release(self, texture):
        key = (texture.width, texture.height)
        self._free.setdefault(key, []).append(texture)
        self._free[key] = self._free.pop(key)  # most recently used size last
        self.bytes += texture.width * texture.height * 16
        while self.bytes > TEXTURE_POOL_BYTES:
            oldest = next(iter(self._free))
            dropped = self._free[oldest].pop(0)
            if not self._free[oldest]:
                del self._free[oldest]
            self.bytes -= dropped.width * dropped.height * 16
            self._forget(dropped)


class Texture:
    """A 2-D rgba32float texture and its view (bound as texture_2d<f32> or a write-only storage texture)."""

    __slots__ = ("texture", "view", "width", "height", "__weakref__")

    def __init__(self, texture, view, width, height):
        self.texture = texture
        self.view = view
        self.width = width
        self.height = height


class NativeAdapter:
    """WebGPU through wgpu-py (Vulkan, Metal or D3D12; lavapipe where there is no GPU)."""

    def __init__(self, adapter, device):
        import wgpu
        self._wgpu = wgpu
        self.adapter = adapter
        self.device = device
        self.queue = device.queue
        info = adapter.info
        self.name = info.get("device") or info.get("description") or "unknown"
        self.backend_type = info.get("backend_type", "")
        self.is_software = info.get("adapter_type", "").upper() == "CPU" or "llvmpipe" in self.name.lower() \
            or "swiftshader" in self.name.lower()
        limits = device.limits
        self.max_binding_size = int(limits["max-storage-buffer-binding-size"])
        self.max_buffer_size = int(limits["max-buffer-size"])
        self.max_workgroups = int(limits["max-compute-workgroups-per-dimension"])
        self.has_f16 = "shader-f16" in device.features
        self.max_texture_size = int(limits.get("max-texture-dimension-2d", 8192))
        self.textures = TexturePool(self._create_texture, self._forget)
        usage = wgpu.BufferUsage
        self._usage = {STORAGE: usage.STORAGE | usage.COPY_SRC | usage.COPY_DST,
                       UNIFORM: usage.UNIFORM | usage.COPY_DST}
        self._pipelines = {}
        self._bind_groups = {}
        self._ring = device.create_buffer(size=RING_SLOTS * UNIFORM_SLOT, usage=usage.UNIFORM | usage.COPY_DST)
        self._staging = np.zeros(RING_SLOTS * UNIFORM_WORDS, dtype=np.uint32)
        self._encoder = None
        self._pass = None
        self._last_pipeline = None
        self.pending = 0  # dispatches encoded since the last submit

    @classmethod
    def request(cls):
        """The best adapter wgpu-py finds, or None when there is none (or no wgpu)."""
        try:
            import wgpu
        except ImportError:
            return None
        try:
            adapter = wgpu.gpu.request_adapter_sync(power_preference="high-performance")
        except Exception:  # no Vulkan/Metal/D3D12 driver at all
            return None
        if adapter is None:
            return None
        features = [f for f in ("shader-f16",) if f in adapter.features]
        limits = adapter.limits
        wanted = {k: limits[k] for k in ("max-storage-buffer-binding-size", "max-buffer-size",
                                         "max-compute-workgroups-per-dimension", "max-texture-dimension-2d")
                  if k in limits}
        device = adapter.request_device_sync(required_features=features, required_limits=wanted)
        return cls(adapter, device)

    # -- memory ------------------------------------------------------------------------------------

    def create_buffer(self, nbytes, kind=STORAGE):
        return self.device.create_buffer(size=max(int(nbytes), 4), usage=self._usage[kind])

    def destroy_buffer(self, buffer):
        self._forget(buffer)
        buffer.destroy()

    def _forget(self, resource):
        """Drops the cached bind groups that use a buffer or texture."""
        self._bind_groups = {k: v for k, v in self._bind_groups.items() if resource not in k[1:]}

    def _create_texture(self, width, height):
        usage = self._wgpu.TextureUsage
        texture = self.device.create_texture(
            size=(int(width), int(height), 1), format="rgba32float", dimension="2d",
            usage=usage.TEXTURE_BINDING | usage.STORAGE_BINDING | usage.COPY_DST)
        return Texture(texture, texture.create_view(), int(width), int(height))

    def acquire_texture(self, width, height):
        """A width x height rgba32float texture (texels of 4 floats) that dispatches may write and read.

        It comes from the pool when one of that size is free; `release_texture` gives it back.
        """
        return self.textures.acquire(int(width), int(height))

    def release_texture(self, texture):
        """Returns a texture to the pool once the dispatches that use it are encoded."""
        self.textures.release(texture)

    def write(self, buffer, data, offset=0):
        """Queues a write of bytes-like data; it lands before any later submitted work."""
        self.queue.write_buffer(buffer, offset, data)

    def read(self, buffer, nbytes):
        """Submits pending work, waits, and returns the first nbytes of buffer (the sync point)."""
        self.flush()
        return self.queue.read_buffer(buffer, 0, max(int(nbytes), 4))

    # -- programs ----------------------------------------------------------------------------------

    def pipeline(self, key, source_fn):
        """A compute pipeline cached by a shape-agnostic key; source_fn() gives its WGSL.

        The bind group layout is explicit, read from the shader's declarations (so a binding the
        shader never reads is kept, unlike layout="auto"), with the uniform block bound at a dynamic
        offset into one ring buffer shared by every dispatch of a submit.
        """
        entry = self._pipelines.get(key)
        if entry is None:
            code = source_fn()
            kinds = _binding_kinds(code)
            usage = {"read": "read-only-storage", "read_write": "storage"}
            layout_entries = []
            for binding, kind in sorted(kinds.items()):
                entry = {"binding": binding, "visibility": self._wgpu.ShaderStage.COMPUTE}
                if kind == "texture":
                    entry["texture"] = {"sample_type": "unfilterable-float", "view_dimension": "2d"}
                elif kind == "storage_texture":
                    entry["storage_texture"] = {"access": "write-only", "format": "rgba32float",
                                                "view_dimension": "2d"}
                else:
                    entry["buffer"] = ({"type": "uniform", "has_dynamic_offset": True} if kind == "uniform"
                                       else {"type": usage[kind]})
                layout_entries.append(entry)
            group_layout = self.device.create_bind_group_layout(entries=layout_entries)
            module = self.device.create_shader_module(code=code)
            pipeline = self.device.create_compute_pipeline(
                layout=self.device.create_pipeline_layout(bind_group_layouts=[group_layout]),
                compute={"module": module, "entry_point": "main"})
            entry = self._pipelines[key] = (pipeline, group_layout)
        return entry

    def dispatch(self, pipeline, buffers, uniform_words, grid):
        """Encodes one dispatch into the open compute pass.

        `buffers` (buffers, or Textures for texture bindings) bind in order from 0; the uniform words
        bind after them, at this dispatch's slot of the uniform ring. Bind groups are cached by (layout, buffers): the ring is the same object for
        every dispatch, so a loop over the same tensors reuses its bind groups.
        """
        pipe, layout = pipeline
        key = (id(layout),) + tuple(buffers)
        bg = self._bind_groups.get(key)
        if bg is None:
            entries = [{"binding": i, "resource": b.view if type(b) is Texture else
                        {"buffer": b, "offset": 0, "size": b.size}} for i, b in enumerate(buffers)]
            entries.append({"binding": len(buffers),
                            "resource": {"buffer": self._ring, "offset": 0, "size": UNIFORM_SLOT}})
            bg = self.device.create_bind_group(layout=layout, entries=entries)
            if len(self._bind_groups) > 4096:
                self._bind_groups.clear()
            self._bind_groups[key] = bg
        slot = self.pending
        if slot >= RING_SLOTS:
            raise RuntimeError("uniform ring full: flush() before encoding more dispatches")
        self._staging[slot * UNIFORM_WORDS:slot * UNIFORM_WORDS + len(uniform_words)] = uniform_words
        if self._pass is None:
            self._encoder = self.device.create_command_encoder()
            self._pass = self._encoder.begin_compute_pass()
            self._last_pipeline = None
        if pipe is not self._last_pipeline:  # loops of one op keep their pipeline bound
            self._pass.set_pipeline(pipe)
            self._last_pipeline = pipe
        self._pass.set_bind_group(0, bg, [slot * UNIFORM_SLOT])
        self._pass.dispatch_workgroups(*grid)
        self.pending += 1

    def flush(self):
        """Uploads the pending dispatches' uniforms in one write and submits the open encoder, if any."""
        if self._pass is None:
            return False
        self._pass.end()
        used = self.pending * UNIFORM_WORDS
        self.queue.write_buffer(self._ring, 0, self._staging[:used].tobytes())
        self.queue.submit([self._encoder.finish()])
        self._pass = self._encoder = None
        self.pending = 0
        return True


_BINDING = re.compile(r"@binding\((\d+)\)\s*var<\s*(uniform|storage)\s*(?:,\s*(read_write|read)\s*)?>")
_TEXTURE = re.compile(r"@binding\((\d+)\)\s*var\s+\w+\s*:\s*(texture_2d<\s*f32\s*>|texture_storage_2d<)")


def _binding_kinds(code):
    """{binding: "uniform" | "read" | "read_write" | "texture" | "storage_texture"} from a WGSL module's
    group-0 declarations (textures: `texture_2d<f32>`, read with textureLoad; storage textures:
    `texture_storage_2d<rgba32float, write>`)."""
    kinds = {}
    for binding, space, access in _BINDING.findall(code):
        kinds[int(binding)] = "uniform" if space == "uniform" else (access or "read")
    for binding, kind in _TEXTURE.findall(code):
        kinds[int(binding)] = "texture" if kind.startswith("texture_2d") else "storage_texture"
    return kinds
