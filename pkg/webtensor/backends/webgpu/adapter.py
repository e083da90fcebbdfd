"""The thin device adapter under the WebGPU backend, here over wgpu-py.

The backend above speaks only these few coarse methods, so the browser adapter
(navigator.gpu through Pyodide) can implement the same ones with one bridge
call each: a dispatch writes its uniforms, finds or makes its bind group and
encodes itself in a single call.
"""
import numpy as np

STORAGE, UNIFORM = "storage", "uniform"


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
        self._encoder = None
        self._pass = None
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
        """A compute pipeline cached by a shape-agnostic key; source_fn() gives its WGSL."""
        p = self._pipelines.get(key)
        if p is None:
            module = self.device.create_shader_module(code=source_fn())
            p = self.device.create_compute_pipeline(layout="auto", compute={"module": module, "entry_point": "main"})
            self._pipelines[key] = p
        return p

    def dispatch(self, pipeline, buffers, grid):
        """Encodes one dispatch into the open compute pass (bind groups cached by buffers)."""
        key = (id(pipeline),) + tuple(buffers)
        bg = self._bind_groups.get(key)
        if bg is None:
            entries = [{"binding": i, "resource": {"buffer": b, "offset": 0, "size": b.size}}
                       for i, b in enumerate(buffers)]
            bg = self.device.create_bind_group(layout=pipeline.get_bind_group_layout(0), entries=entries)
            if len(self._bind_groups) > 4096:
                self._bind_groups.clear()
            self._bind_groups[key] = bg
        if self._pass is None:
            self._encoder = self.device.create_command_encoder()
            self._pass = self._encoder.begin_compute_pass()
        self._pass.set_pipeline(pipeline)
        self._pass.set_bind_group(0, bg)
        self._pass.dispatch_workgroups(*grid)
        self.pending += 1

    def flush(self):
        """Submits the open command encoder, if any."""
        if self._pass is None:
            return False
        self._pass.end()
        self.queue.submit([self._encoder.finish()])
        self._pass = self._encoder = None
        self.pending = 0
        return True

    def uniform_bytes(self, words):
        return np.asarray(words, dtype=np.uint32).tobytes()
