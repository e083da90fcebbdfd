"""The wasm backend: tensors in the linear memory of kernels.wasm, ops as its C exports.

A tensor's data is a block from the module's allocator (`Storage`, freed when the last handle
using it goes away); handles add a shape and dtype, so reshapes share storage. Each op runs as
one or a few export calls with shapes in the parameter block (kernels_wasm/README.md). Ops or
dtypes without a kernel run on the CPU backend (soft placement), through `supports`, or by
raising `Fallback` from a kernel builder when only the parameters rule it out.
"""
import numpy as np

from ... import dtypes
from ..base import Backend, HostValue
from . import programs
from .programs import Fallback

HELD = (dtypes.float32, dtypes.int32, dtypes.bool)


POOL_BYTES = 64 << 20  # freed blocks kept for reuse by size, so a training step's tensors skip the allocator


class BlockPool:
    """Blocks of the module's memory by exact size: a freed block waits here for the next request of
    its size (training steps repeat their shapes), saving two engine calls per tensor; beyond
    POOL_BYTES, blocks go back to the module's allocator."""

    def __init__(self, adapter):
        self.adapter = adapter
        self.free = {}
        self.pooled = 0

    def take(self, nbytes):
        blocks = self.free.get(nbytes)
        if blocks:
            self.pooled -= nbytes
            return blocks.pop()
        try:
            return self.adapter.alloc(nbytes)
        except MemoryError:
            self.trim()
            return self.adapter.alloc(nbytes)

    def give(self, ptr, nbytes):
        if self.pooled + nbytes <= POOL_BYTES:
            self.free.setdefault(nbytes, []).append(ptr)
            self.pooled += nbytes
        else:
            self.adapter.free(ptr, nbytes)

    def trim(self):
        """Returns every pooled block to the module's allocator."""
        for nbytes, blocks in self.free.items():
            for ptr in blocks:
                self.adapter.free(ptr, nbytes)
        self.free.clear()
        self.pooled = 0


class Storage:
    """A block of the module's memory; returns to the pool when no handle uses it any more."""

    __slots__ = ("ptr", "nbytes", "_pool", "__weakref__")

    def __init__(self, pool, nbytes):
        self.nbytes = nbytes
        self.ptr = pool.take(nbytes)
        self._pool = pool

    def __del__(self):
        pool = self._pool
        if pool is not None and not pool.adapter.closed:
            self._pool = None
            try:
                pool.give(self.ptr, self.nbytes)
            except Exception:  # interpreter shutdown: the module may already be gone
                pass


class WasmHandle:
    """A tensor in wasm memory: a Storage, a shape and a dtype (row-major, contiguous)."""

    __slots__ = ("storage", "shape", "dtype", "_shape", "_dtype")

    def __init__(self, storage, shape, dtype):
        self.storage = storage
        self.shape = self._shape = tuple(shape)
        self._dtype = dtype
        self.dtype = np.dtype(dtype.as_numpy_dtype)

    @property
    def ptr(self):
        return self.storage.ptr

    @property
    def size(self):
        return programs.size_of(self.shape)


class WasmBackend(Backend):
    """Runs ops as WebAssembly SIMD kernels (kernels_wasm/) through a module adapter."""

    name = "wasm"
    device_type = "CPU"
    device_name = "/job:localhost/replica:0/task:0/device:CPU:0"

    def __init__(self, make_adapter):
        self._make_adapter = make_adapter
        self._adapter = None
        self.peak_bytes = 0

    @property
    def adapter(self):
        """The module adapter, instantiated on first use (compiling the module can take seconds)."""
        if self._adapter is None:
            self._adapter = self._make_adapter()
            self.pool = BlockPool(self._adapter)
        return self._adapter

    # -- memory ------------------------------------------------------------------------------------

    def output(self, shape, dtype):
        """A new handle for a kernel to write."""
        shape = tuple(int(d) for d in shape)
        nbytes = programs.size_of(shape) * np.dtype(dtype.as_numpy_dtype).itemsize
        self.adapter  # noqa: B018  (instantiates the module and its pool on first use)
        return WasmHandle(Storage(self.pool, nbytes), shape, dtype)

    def alias(self, handle, shape, dtype=None):
        """A handle sharing handle's storage under another shape (reshape, squeeze, identity...)."""
        return WasmHandle(handle.storage, shape, dtype or handle._dtype)

    def scratch(self, nbytes):
        """A temporary block (freed when the returned Storage is dropped)."""
        self.adapter  # noqa: B018
        return Storage(self.pool, nbytes)

    def memory_info(self):
        current = self.adapter.bytes_in_use() - self.pool.pooled
        self.peak_bytes = max(self.peak_bytes, current)
        return {"current": current, "peak": self.peak_bytes, "pool": self.pool.pooled}

    # -- the backend protocol ----------------------------------------------------------------------

    def write(self, array):
        array = np.asarray(array)
        handle = self.output(array.shape, dtypes.from_numpy(array.dtype))
        if array.size:
            self.adapter.write(handle.ptr, array)
        return handle

    def read(self, handle):
        return self.adapter.read(handle.ptr, handle.size, handle.dtype).reshape(handle.shape)

    def can_hold(self, dtype):
        return dtype in HELD

    def supports(self, op, inputs):
        if op.name not in programs.KERNELS:
            return False
        host = programs.HOST_INPUTS.get(op.name, ())
        for i, t in enumerate(inputs):
            if i not in host and t._dtype not in HELD:
                return False
        return programs.accepts(op.name, inputs)

    def host_input(self, op, index):
        return index in programs.HOST_INPUTS.get(op.name, ())

    def run(self, op, handles, params):
        avals = op.infer([HostValue(h) if isinstance(h, np.ndarray) else h for h in handles], params)
        for _, dtype in avals:
            if dtype not in HELD:
                raise Fallback(f"{op.name} produces {dtype.name}")
        with self.adapter.lock:  # a kernel's parameter block and its calls belong together
            return programs.KERNELS[op.name](self, op, handles, params, avals)

    # -- used by kernels ---------------------------------------------------------------------------

    def call(self, name, *args):
        return self.adapter.call(name, *args)

    def set_params(self, words):
        self.adapter.set_params(words)
