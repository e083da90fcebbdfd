"""The WebGPU device adapter in the browser: navigator.gpu through Pyodide, in a Web Worker.

It has NativeAdapter's methods (see adapter.py) over a small JavaScript helper that the worker puts on
`globalThis.webtensorGPU` (web/src/webgpu_bridge.js). Buffers and pipelines live on the JS side and
are named by integer ids, so each operation crosses the Python/JS bridge once: a dispatch passes its
pipeline id, uniform slot, grid and buffer ids as plain numbers, and its uniform words go into a
Python staging array that `flush` uploads with one write from a view of its memory (no copy).

On a hardware adapter dispatches are submitted in small batches (SUBMIT_EVERY) while they are encoded,
so the GPU works on the first batches while Python encodes the next (a command reaches the GPU process
only at a submit). The backend still sees one pending run of up to RING_SLOTS dispatches until it
flushes, and each dispatch keeps its own uniform slot until then.

Reads are the sync point: `read` waits for `mapAsync` with `pyodide.ffi.run_sync` (JSPI), which works
in code run by `runPythonAsync` (every notebook cell); `read_async` is the awaitable form.
"""
import re
import struct
import sys

import numpy as np

from .adapter import RING_SLOTS, STORAGE, UNIFORM, UNIFORM_WORDS, TexturePool, _binding_kinds


# Dispatches per early submit on a hardware adapter, whose GPU works beside the CPU (tfjs-webgpu submits
# every 15; not measured here, where there is no GPU). A software adapter's "GPU" is the same CPU cores:
# in Chromium on SwiftShader (2 shared vCPUs, interleaved runs, median of 8) 1000 chained tiny adds took
# 48 us/op submitting only at the backend's flush and 55 us/op submitting every 32, the MLP step alike,
# so software adapters submit only when the backend flushes.
SUBMIT_EVERY = 32

_F32_BITS = re.compile(r"bitcast<f32>\(\s*(0x[0-9a-fA-F]+)u\s*\)")
_OPAQUE = "fn wt_bits_(b: u32) -> u32 { return b; }\n"


def _portable(code):
    """WGSL that Chrome's compiler (Tint) accepts: `bitcast<f32>(0xff800000u)` (-inf; likewise +inf and
    NaN) is a const-expression whose value f32 cannot represent, a shader-creation error there (naga
    allows it). Routing the bits through a function makes the bitcast a run-time one."""
    if _F32_BITS.search(code) is None:
        return code
    return _OPAQUE + _F32_BITS.sub(r"bitcast<f32>(wt_bits_(\1u))", code)


class JSTexture:
    """A 2-D rgba32float GPUTexture held by the JS helper (with its view): its id there and its size
    in texels. Ids share one space with buffers, so a dispatch passes either kind as a number."""

    __slots__ = ("id", "width", "height")

    def __init__(self, id, width, height):
        self.id = id
        self.width = width
        self.height = height

    def __repr__(self):
        return f"JSTexture(id={self.id}, {self.width}x{self.height})"


class JSBuffer:
    """A GPUBuffer held by the JS helper: its id there and its size in bytes."""

    __slots__ = ("id", "size")

    def __init__(self, id, size):
        self.id = id
        self.size = size

    def __repr__(self):
        return f"JSBuffer(id={self.id}, size={self.size})"


def _bridge():
    """The JS helper object, or None outside a Pyodide worker that loaded it."""
    if sys.platform != "emscripten":
        return None
    import js
    return getattr(js, "webtensorGPU", None)


class BrowserAdapter:
    """WebGPU through the page's navigator.gpu (Pyodide in a Web Worker)."""

    def __init__(self, bridge, info):
        self._js = bridge
        self.device = bridge.device  # the GPUDevice (a JS proxy); the helper records its loss
        self.info = info
        self.name = str(info["name"])
        self.backend_type = "WebGPU (browser)"
        self.is_software = bool(info["isSoftware"])
        self.max_binding_size = int(info["maxStorageBufferBindingSize"])
        self.max_buffer_size = int(info["maxBufferSize"])
        self.max_workgroups = int(info["maxComputeWorkgroupsPerDimension"])
        self.has_f16 = bool(info["hasF16"])
        self.max_texture_size = int(info.get("maxTextureDimension2D", 0) or 0)
        self.textures = TexturePool(self._create_texture, self._forget)
        self._pipelines = {}
        self._staging = np.zeros(RING_SLOTS * UNIFORM_WORDS, dtype=np.uint32)
        self._bytes = memoryview(self._staging).cast("B")
        self._packers = {}  # word count -> struct.Struct: pack_into is ~4x numpy's slice assignment in Pyodide
        # Bound JS methods, looked up once: attribute lookups through the proxy cost a bridge crossing.
        self._create = bridge.createBuffer
        self._destroy = bridge.destroyBuffer
        self._write = bridge.write
        self._dispatch = bridge.dispatch
        self._flush = bridge.flush
        self._read = bridge.read
        self.pending = 0  # dispatches encoded since the last flush (each holds uniform slot `pending`)
        self._submitted = 0  # of those, how many went out in early submits
        self.submit_every = RING_SLOTS if self.is_software else SUBMIT_EVERY

    @classmethod
    def request(cls):
        """The page's WebGPU adapter, or None when there is none (no navigator.gpu, no adapter).

        Waits for the adapter synchronously (JSPI), so it must run inside `runPythonAsync`; elsewhere
        use `await BrowserAdapter.request_async()`.
        """
        bridge = _bridge()
        if bridge is None:
            return None
        from pyodide.ffi import run_sync
        try:
            info = run_sync(bridge.init())
        except RuntimeError as e:  # no JSPI here (called from runPython, not runPythonAsync)
            import warnings
            warnings.warn(f"webtensor: cannot wait for the WebGPU adapter synchronously here ({e}); "
                          "use `await BrowserAdapter.request_async()`.")
            return None
        return cls._from_info(bridge, info)

    @classmethod
    async def request_async(cls):
        """Awaitable form of request()."""
        bridge = _bridge()
        if bridge is None:
            return None
        return cls._from_info(bridge, await bridge.init())

    @classmethod
    def _from_info(cls, bridge, info):
        if info is None:
            return None
        return cls(bridge, info.to_py())

    # -- memory ------------------------------------------------------------------------------------

    def create_buffer(self, nbytes, kind=STORAGE):
        size = max(int(nbytes), 4)
        return JSBuffer(self._create(size, kind == UNIFORM), size)

    def destroy_buffer(self, buffer):
        self._destroy(buffer.id)

    def _create_texture(self, width, height):
        return JSTexture(self._js.createTexture(int(width), int(height)), int(width), int(height))

    def _forget(self, texture):
        self._js.forgetTexture(texture.id)

    def acquire_texture(self, width, height):
        """A width x height rgba32float texture for dispatches to write and read (pooled by size)."""
        return self.textures.acquire(int(width), int(height))

    def release_texture(self, texture):
        """Returns a texture to the pool once the dispatches that use it are encoded."""
        self.textures.release(texture)

    def write(self, buffer, data, offset=0):
        """Queues a write of bytes-like data; it lands before any later submitted work."""
        self._write(buffer.id, data if isinstance(data, (bytes, bytearray)) else bytes(memoryview(data)),
                    int(offset))

    def read(self, buffer, nbytes):
        """Submits pending work, waits (JSPI), and returns the first nbytes of buffer (the sync point)."""
        from pyodide.ffi import run_sync
        self.flush()
        return self._check_lost(lambda: run_sync(self._read(buffer.id, max(int(nbytes), 4)))).to_bytes()

    async def read_async(self, buffer, nbytes):
        """Awaitable read: submits pending work and resolves to the first nbytes of buffer."""
        self.flush()
        data = await self._read(buffer.id, max(int(nbytes), 4))
        return data.to_bytes()

    def _check_lost(self, fn):
        try:
            return fn()
        except Exception as e:
            lost = self._js.lost
            if lost:
                raise RuntimeError(str(lost)) from e
            raise

    # -- programs ----------------------------------------------------------------------------------

    def pipeline(self, key, source_fn):
        """A compute pipeline cached by a shape-agnostic key; source_fn() gives its WGSL.

        The bind group layout is explicit, read from the shader's declarations, with the uniform block
        at a dynamic offset into the helper's ring (as NativeAdapter does).
        """
        entry = self._pipelines.get(key)
        if entry is None:
            code = _portable(source_fn())
            kinds = _binding_kinds(code)
            if sorted(kinds) != list(range(len(kinds))):
                raise ValueError(f"WGSL for {key!r}: bindings {sorted(kinds)} are not numbered 0..{len(kinds) - 1}")
            pipe = self._js.pipeline(code, ",".join(kinds[i] for i in range(len(kinds))))
            entry = self._pipelines[key] = (pipe, pipe)
        return entry

    def dispatch(self, pipeline, buffers, uniform_words, grid):
        """Encodes one dispatch: one call into JS with numbers only (uniforms go to the staging array)."""
        slot = self.pending
        if slot >= RING_SLOTS:
            raise RuntimeError("uniform ring full: flush() before encoding more dispatches")
        n = len(uniform_words)
        packer = self._packers.get(n)
        if packer is None:
            packer = self._packers[n] = struct.Struct(f"<{n}I")
        try:
            packer.pack_into(self._bytes, slot * UNIFORM_WORDS * 4, *uniform_words)
        except struct.error:  # not all Python ints in range (e.g. numpy floats): let numpy convert
            start = slot * UNIFORM_WORDS
            self._staging[start:start + n] = uniform_words
        gx, gy, gz = grid
        self._dispatch(pipeline[0], slot, gx, gy, gz, *[b.id for b in buffers])
        self.pending = slot + 1
        if self.pending - self._submitted >= self.submit_every:
            self._submit()

    def _submit(self):
        """Uploads the uniforms of the dispatches encoded since the last submit and submits them."""
        first, self._submitted = self._submitted, self.pending
        self._flush(self._staging, first, self.pending)

    def flush(self):
        """Submits what is still unsubmitted; True when anything was encoded since the last flush (the
        backend then knows that buffers freed meanwhile are no longer used by pending work)."""
        if not self.pending:
            return False
        if self.pending > self._submitted:
            self._submit()
        self.pending = self._submitted = 0
        return True
