"""The WebGPU backend: tensors in GPU buffers, ops as WGSL programs, work submitted lazily.

Costs measured on this machine kind shape it (ARCHITECTURE.md): encoding a
dispatch into an open pass is cheap, a submit is not, and a read waits for the
queue. So dispatches are recorded into one command encoder and submitted at a
read (or every MAX_PENDING dispatches); pipelines are cached by shape-agnostic
keys with shapes and strides in uniforms; buffers are pooled by size bucket and
a freed buffer returns to the pool only after the submit that last used it.
"""
import warnings

import numpy as np

from ... import dtypes, errors
from ..base import Backend, HostValue
from . import programs
from .adapter import STORAGE

MAX_PENDING = 256

# logical dtype -> (WGSL element type, numpy dtype stored in the buffer)
STORAGE_TYPES = {
    dtypes.float32: ("f32", np.float32),
    dtypes.int32: ("i32", np.int32),
    dtypes.uint32: ("u32", np.uint32),
    dtypes.bool: ("u32", np.uint32),
}


F16 = ("f16", np.float16)  # joins STORAGE_TYPES when the adapter has shader-f16


def f16_ops():
    """Ops with float16 programs (elementwise math in f32, matmul accumulating in f32, casts, views);
    other ops on float16 tensors run on the CPU (soft placement)."""
    global _F16_OPS
    if _F16_OPS is None:
        from . import elementwise
        _F16_OPS = frozenset(elementwise.UNARY) | frozenset(elementwise.BINARY) | frozenset(
            {"cast", "matmul", "zeros_like", "ones_like", "reshape", "reshape_like", "expand_dims", "squeeze",
             "identity", "stop_gradient"})
    return _F16_OPS


_F16_OPS = None


def _bucket(nbytes):
    """Pool size classes: powers of two up to 1 MiB, then 1 MiB steps."""
    nbytes = max(int(nbytes), 16)
    if nbytes <= 1 << 20:
        return 1 << (nbytes - 1).bit_length()
    return ((nbytes + (1 << 20) - 1) >> 20) << 20


class Storage:
    """A pooled GPU buffer; returns to the pool when no handle uses it any more."""

    __slots__ = ("buffer", "nbytes", "generation", "_backend", "__weakref__")

    def __init__(self, backend, buffer, nbytes):
        self.buffer = buffer
        self.nbytes = nbytes
        self.generation = backend.generation
        self._backend = backend

    def __del__(self):
        backend = self._backend
        if backend is not None and backend.generation == self.generation:
            backend._release(self.buffer, self.nbytes)


class GPUHandle:
    """A tensor's data on the GPU: a Storage plus the logical shape and dtype.

    `host` keeps a copy of small tensors written from the host (e.g. literal indices), so programs
    can validate them without reading the GPU back.
    """

    __slots__ = ("storage", "shape", "dtype", "_shape", "_dtype", "host")

    def __init__(self, storage, shape, dtype, host=None):
        self.host = host
        self.storage = storage
        self.shape = self._shape = tuple(shape)
        self._dtype = dtype
        self.dtype = np.dtype(dtype.as_numpy_dtype)

    @property
    def buffer(self):
        return self.storage.buffer

    @property
    def size(self):
        n = 1
        for d in self.shape:
            n *= d
        return n

    @property
    def wgsl_type(self):
        return STORAGE_TYPES[self._dtype][0]


HOST_COPY_BYTES = 65536


class WebGPUBackend(Backend):
    """Runs ops as WGSL compute shaders through a device adapter (wgpu-py natively)."""

    name = "webgpu"
    device_type = "GPU"
    device_name = "/job:localhost/replica:0/task:0/device:GPU:0"

    def __init__(self, adapter):
        self.adapter = adapter
        self.generation = 0       # bumped when the device is lost and replaced
        self.dispatch_count = 0   # dispatches queued since start (tf.config.experimental.get_dispatch_count)
        # A compiled plan replaying a step asks for the buffers that step's outputs had last time (in
        # allocation order), so the same bind groups are found in the adapter's cache; `allocated` collects
        # what output() hands out meanwhile. Both are None outside plans.
        self.preferred = None
        self.allocated = None
        if getattr(adapter, "has_f16", False):
            STORAGE_TYPES[dtypes.float16] = F16
        self._reset_state()

    def _reset_state(self):
        self._pool = {}           # bucket size -> [free buffers]
        # Every buffer stays reachable from here, so the garbage collector never finalizes one
        # (freeing its GPU memory) while a dying Storage is handing it back to the pool.
        self._buffers = {}
        # Buffers freed while unsubmitted dispatches may still use them: a later dispatch may write
        # them (dispatches run in encoding order), but a host upload may not (queue writes land
        # before the pending work runs), so they join the main pool only after the submit.
        self._in_flight = {}      # bucket -> [buffers]
        self.bytes_in_use = 0
        self.bytes_pooled = 0
        self.peak_bytes = 0
        self._warned = getattr(self, "_warned", set())

    # -- device loss -------------------------------------------------------------------------------

    @staticmethod
    def _is_device_loss(error):
        text = str(error).lower()
        return "device is lost" in text or "device lost" in text or "device was lost" in text

    def _recover(self, error):
        """Replaces a lost device; returns the error to raise for the operation that found out."""
        self.generation += 1
        self._reset_state()
        replacement = type(self.adapter).request()  # the same kind: wgpu-py natively, navigator.gpu in a page
        if replacement is not None:
            self.adapter = replacement
        lines = [line.strip() for line in str(error).splitlines() if line.strip()]
        cause = next((line for line in lines if "lost" in line.lower()), lines[0] if lines else type(error).__name__)
        return errors.UnavailableError(
            None, None, f"The WebGPU device ({self.adapter.name}) was lost ({cause}). "
            "Tensors that were on it are gone; the device has been re-initialised for the next op.")

    def _guarded(self, fn, *args):
        try:
            return fn(*args)
        except errors.OpError:
            raise
        except Exception as e:
            if self._is_device_loss(e):
                raise self._recover(e) from e
            raise

    def _check_alive(self, handle):
        if handle.storage.generation != self.generation:
            raise errors.UnavailableError(
                None, None, f"This tensor (shape {list(handle.shape)}) was on a WebGPU device that was lost; "
                "recompute it.")

    # -- memory ------------------------------------------------------------------------------------

    def _alloc(self, shape, dtype, for_dispatch=False):
        n = 1
        for d in shape:
            n *= d
        nbytes = n * 4
        if nbytes > self.adapter.max_binding_size:
            raise errors.ResourceExhaustedError(
                None, None, f"A tensor of shape {list(shape)} ({nbytes} bytes) exceeds this WebGPU adapter's "
                f"maxStorageBufferBindingSize ({self.adapter.max_binding_size} bytes).")
        bucket = _bucket(nbytes)
        recent = self._in_flight.get(bucket) if for_dispatch else None
        free = self._pool.get(bucket)
        buffer = self._preferred_buffer(bucket, recent, free) if self.preferred else None
        if buffer is not None:
            pass
        elif recent:
            buffer = recent.pop()
        elif free:
            buffer = free.pop()
            self.bytes_pooled -= bucket
        else:
            try:
                buffer = self.adapter.create_buffer(bucket, STORAGE)
            except Exception as e:  # the device refused: give back what the pool holds and retry once
                if self._is_device_loss(e):
                    raise self._recover(e) from e
                self.trim()
                try:
                    buffer = self.adapter.create_buffer(bucket, STORAGE)
                except Exception:
                    raise errors.ResourceExhaustedError(
                        None, None, f"OOM when allocating a tensor of shape {list(shape)} ({bucket} bytes) on "
                        f"{self.adapter.name}: {e}") from e
            self._buffers[id(buffer)] = buffer
        self.bytes_in_use += bucket
        self.peak_bytes = max(self.peak_bytes, self.bytes_in_use)
        if self.allocated is not None and for_dispatch:
            self.allocated.append(buffer)
        return GPUHandle(Storage(self, buffer, bucket), shape, dtype)

    def _preferred_buffer(self, bucket, recent, free):
        """The next preferred buffer when it is free in this bucket (taken out of its free list), else None."""
        buffer = self.preferred.pop()
        if recent and buffer in recent:
            recent.remove(buffer)
            return buffer
        if free and buffer in free:
            free.remove(buffer)
            self.bytes_pooled -= bucket
            return buffer
        return None

    def _release(self, buffer, bucket):
        self.bytes_in_use -= bucket
        if self.adapter.pending:
            self._in_flight.setdefault(bucket, []).append(buffer)
        else:
            self._pool.setdefault(bucket, []).append(buffer)
            self.bytes_pooled += bucket

    def _submitted(self):
        for bucket, buffers in self._in_flight.items():
            self._pool.setdefault(bucket, []).extend(buffers)
            self.bytes_pooled += bucket * len(buffers)
        self._in_flight.clear()

    def trim(self):
        """Destroys every pooled (unused) buffer."""
        self.flush()
        for buffers in self._pool.values():
            for b in buffers:
                self._buffers.pop(id(b), None)
                self.adapter.destroy_buffer(b)
        self._pool.clear()
        self.bytes_pooled = 0

    def memory_info(self):
        return {"current": self.bytes_in_use, "peak": self.peak_bytes, "pool": self.bytes_pooled}

    # -- the backend protocol ----------------------------------------------------------------------

    def write(self, array):
        array = np.asarray(array)
        dtype = dtypes.from_numpy(array.dtype)
        handle = self._alloc(array.shape, dtype)
        data = np.ascontiguousarray(array, dtype=STORAGE_TYPES[dtype][1])
        if data.size:
            raw = data.tobytes()
            if len(raw) % 4:  # float16: writes are whole 4-byte words
                raw += bytes(4 - len(raw) % 4)
            self._guarded(self.adapter.write, handle.buffer, raw)
        if array.nbytes <= HOST_COPY_BYTES:
            handle.host = np.array(array, copy=True)
        return handle

    def read(self, handle):
        self._check_alive(handle)
        self.flush()
        raw = self._guarded(self.adapter.read, handle.buffer, max(handle.size * 4, 4))
        arr = np.frombuffer(raw, dtype=STORAGE_TYPES[handle._dtype][1], count=handle.size)
        return arr.astype(handle.dtype).reshape(handle.shape)

    def flush(self):
        if self._guarded(self.adapter.flush):
            self._submitted()

    def can_hold(self, dtype):
        if dtype in STORAGE_TYPES:
            return True
        self._warn_placement(None, dtype)
        return False

    def supports(self, op, inputs):
        if op.name not in programs.PROGRAMS:
            if (programs.env_flag("WEBTENSOR_WEBGPU_STRICT") and op.name not in programs.CPU_ONLY
                    and all(t._dtype in STORAGE_TYPES for t in inputs)):
                raise NotImplementedError(f"WebGPU has no program for {op.name} (WEBTENSOR_WEBGPU_STRICT is set)")
            return False
        host = programs.HOST_INPUTS.get(op.name, ())
        for i, t in enumerate(inputs):
            if i not in host and t._dtype not in STORAGE_TYPES:
                self._warn_placement(op, t._dtype)
                return False
            if t._dtype is dtypes.float16 and op.name not in f16_ops():
                return False
        return programs.accepts(op.name, inputs)

    def host_input(self, op, index):
        """Whether input `index` of op is read on the host (it stays a numpy array)."""
        return index in programs.HOST_INPUTS.get(op.name, ())

    def _warn_placement(self, op, dtype):
        if dtype not in self._warned:
            self._warned.add(dtype)
            warnings.warn(f"WebGPU holds no {dtype.name} tensors here; they and the ops on them are placed on "
                          "the CPU (soft placement).", stacklevel=4)

    def run(self, op, handles, params):
        avals = op.infer([HostValue(h) if isinstance(h, np.ndarray) else h for h in handles], params)
        for _, dtype in avals:
            if dtype not in STORAGE_TYPES:
                raise programs.Fallback(f"{op.name} produces {dtype.name}")
            if dtype is dtypes.float16 and op.name not in f16_ops():
                raise programs.Fallback(f"{op.name} has no float16 program")
        return programs.PROGRAMS[op.name](self, op, handles, params, avals)

    # -- used by programs --------------------------------------------------------------------------

    def output(self, shape, dtype):
        """A new tensor a dispatch will write (it may reuse a buffer freed since the last submit)."""
        return self._alloc(tuple(shape), dtype, for_dispatch=True)

    def alias(self, handle, shape, dtype=None):
        """A handle sharing handle's storage under another shape (reshape, squeeze, identity...)."""
        return GPUHandle(handle.storage, shape, dtype or handle._dtype)

    def dispatch(self, key, source_fn, buffers, uniforms, threads):
        """Queues one dispatch of `threads` invocations (split across grid dimensions as needed)."""
        generation = self.generation
        raw = []
        for b in buffers:
            if type(b) is GPUHandle:
                storage = b.storage
                if storage.generation != generation:
                    self._check_alive(b)
                raw.append(storage.buffer)
            else:
                raw.append(b)
        try:
            self._dispatch(key, source_fn, raw, uniforms, threads)
        except errors.OpError:
            raise
        except Exception as e:
            if self._is_device_loss(e):
                raise self._recover(e) from e
            raise

    def _dispatch(self, key, source_fn, buffers, uniforms, threads):
        adapter = self.adapter
        pipeline = adapter.pipeline(key, source_fn)
        groups = -(-int(threads) // programs.WORKGROUP) or 1
        limit = adapter.max_workgroups
        if groups <= limit:
            gx, gy = groups, 1
        else:
            gx = limit
            gy = -(-groups // gx)
            if gy > limit:
                raise errors.ResourceExhaustedError(
                    None, None, f"{key[0]}: {threads} invocations exceed the adapter's workgroup limits")
        # a plain list: the adapter copies it into its uniform staging array in one numpy assignment
        words = [gx * programs.WORKGROUP]
        words += uniforms
        adapter.dispatch(pipeline, buffers, words, (gx, gy, 1))
        self.dispatch_count += 1
        if adapter.pending >= MAX_PENDING:
            self.flush()
