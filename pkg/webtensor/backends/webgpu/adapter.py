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
                                         "max-compute-workgroups-per-dimension") if k in limits}
        device = adapter.request_device_sync(required_features=features, required_limits=wanted)
        return cls(adapter, device)

    # -- memory ------------------------------------------------------------------------------------

    def create_buffer(self, nbytes, kind=STORAGE):
        return self.device.create_buffer(size=max(int(nbytes), 4), usage=self._usage[kind])

    def destroy_buffer(self, buffer):
        self._bind_groups = {k: v for k, v in self._bind_groups.items() if buffer not in k[1:]}
        buffer.destroy()

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
                buffer = ({"type": "uniform", "has_dynamic_offset": True} if kind == "uniform"
                          else {"type": usage[kind]})
                layout_entries.append({"binding": binding, "visibility": self._wgpu.ShaderStage.COMPUTE,
                                       "buffer": buffer})
            group_layout = self.device.create_bind_group_layout(entries=layout_entries)
            module = self.device.create_shader_module(code=code)
            pipeline = self.device.create_compute_pipeline(
                layout=self.device.create_pipeline_layout(bind_group_layouts=[group_layout]),
                compute={"module": module, "entry_point": "main"})
            entry = self._pipelines[key] = (pipeline, group_layout)
        return entry

    def dispatch(self, pipeline, buffers, uniform_words, grid):
        """Encodes one dispatch into the open compute pass.

        `buffers` bind in order from 0; the uniform words bind after them, at this dispatch's slot of
        the uniform ring. Bind groups are cached by (layout, buffers): the ring is the same object for
        every dispatch, so a loop over the same tensors reuses its bind groups.
        """
        pipe, layout = pipeline
        key = (id(layout),) + tuple(buffers)
        bg = self._bind_groups.get(key)
        if bg is None:
            entries = [{"binding": i, "resource": {"buffer": b, "offset": 0, "size": b.size}}
                       for i, b in enumerate(buffers)]
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


def _binding_kinds(code):
    """{binding: "uniform" | "read" | "read_write"} from a WGSL module's group-0 declarations."""
    kinds = {}
    for binding, space, access in _BINDING.findall(code):
        kinds[int(binding)] = "uniform" if space == "uniform" else (access or "read")
    return kinds
