"""The module adapter: the few things the wasm backend needs from a WebAssembly engine.

The backend code is the same natively and in the browser; only the adapter differs. Natively it
is the `wasmtime` package (`WasmtimeAdapter`); in the browser it will be `WebAssembly.instantiate`
through Pyodide, with the same methods. The adapter holds one instance of kernels.wasm and offers:

* `call(name, *args)`: run an export with i32/f32 arguments, returning its result;
* `alloc(nbytes)` / `free(ptr, nbytes)`: the module's own allocator (wt_alloc / wt_free);
* `write(ptr, array)` / `read(ptr, count, dtype)`: copy data in and out of linear memory;
* `fill_zero(ptr, nbytes)`: clear a block;
* `set_params(words)`: fill the parameter block that shapes and strides travel in.
"""
import atexit
import ctypes
import hashlib
import os
import pathlib
import threading

import numpy as np

WASM_PATH = pathlib.Path(__file__).resolve().parent / "kernels.wasm"
PARAM_WORDS = 256  # WT_PARAM_WORDS in kernels_wasm/wt.h


class KernelTrap(RuntimeError):
    """A kernel trapped (out of memory inside a kernel, or a bug): the message names the export."""


class ModuleCalls:
    """What every module adapter builds on its own `call(name, *args)`: the allocator's exports."""

    def alloc(self, nbytes):
        ptr = self.call("wt_alloc", max(int(nbytes), 1)) & 0xFFFFFFFF  # i32 results are signed
        if not ptr:
            raise MemoryError(f"the wasm module could not allocate {int(nbytes)} bytes (its memory is limited to 4 GiB)")
        return ptr

    def free(self, ptr, nbytes):
        if not self.closed:
            self.call("wt_free", ptr, max(int(nbytes), 1))

    def close(self):
        """Stops using the engine (at interpreter exit): later frees do nothing."""
        self.closed = True

    def bytes_in_use(self):
        return self.call("wt_bytes_in_use") & 0xFFFFFFFF


class WasmtimeAdapter(ModuleCalls):
    """kernels.wasm instantiated by wasmtime; memory moves through numpy views over linear memory."""

    name = "wasmtime"

    def __init__(self, path=WASM_PATH):
        import wasmtime
        self._wasmtime = wasmtime
        config = wasmtime.Config()
        try:  # a base address that never moves lets the parameter block keep one numpy view
            config.memory_may_move = False
            self._stable_base = True
        except AttributeError:
            self._stable_base = False
        self.engine = wasmtime.Engine(config)
        self.store = wasmtime.Store(self.engine)
        module = _load_module(wasmtime, self.engine, pathlib.Path(path))
        self.instance = wasmtime.Instance(self.store, module, [])
        exports = self.instance.exports(self.store)
        self.memory = exports["memory"]
        self._funcs = {e.name: exports[e.name] for e in module.exports if e.name != "memory"}
        self._calls = {}        # export name -> a callable made on first use (see _fast_call)
        # One store runs one call at a time. ctypes releases the GIL during a call, so another thread
        # (or a tensor freed by the garbage collector there) must wait; re-entrant for frees that a
        # collection triggers on this thread between calls.
        self.lock = threading.RLock()
        # At exit the engine may be torn down before the last tensors: their frees must not call it.
        self.closed = False
        atexit.register(self.close)
        self._bytes = None      # a numpy uint8 view of the whole linear memory, rebuilt after growth
        self._mapped = (0, 0)   # (address, length) the view was made for
        self._params = int(self.call("wt_params"))
        self._param_view = self._view()[self._params:self._params + 4 * PARAM_WORDS].view(np.int32)

    @classmethod
    def request(cls):
        return cls() if WASM_PATH.exists() else None

    def has(self, name):
        return name in self._funcs

    def call(self, name, *args):
        fn = self._calls.get(name)
        if fn is None:
            fn = self._calls[name] = _fast_call(self, name) or self._checked_call(name)
        with self.lock:
            return fn(*args)

    def _checked_call(self, name):
        func, store, trap = self._funcs[name], self.store, self._wasmtime.Trap

        def call(*args):
            try:
                return func(store, *args)
            except trap as e:
                raise KernelTrap(f"wasm kernel {name} trapped: {str(e).splitlines()[0]}") from e
        return call

    def memory_bytes(self):
        return self.memory.data_len(self.store)

    def _view(self):
        length = self.memory.data_len(self.store)
        if length != self._mapped[1]:  # memory grew (the base may move on some engines): map it again
            address = ctypes.addressof(self.memory.data_ptr(self.store).contents)
            self._bytes = np.ctypeslib.as_array((ctypes.c_ubyte * length).from_address(address))
            self._mapped = (address, length)
        return self._bytes

    def write(self, ptr, array):
        raw = np.ascontiguousarray(array).reshape(-1).view(np.uint8)
        self._view()[ptr:ptr + raw.size] = raw

    def read(self, ptr, count, dtype):
        dtype = np.dtype(dtype)
        return self._view()[ptr:ptr + count * dtype.itemsize].view(dtype).copy()

    def fill_zero(self, ptr, nbytes):
        self._view()[ptr:ptr + nbytes] = 0

    def set_params(self, words):
        if len(words) > PARAM_WORDS:
            raise ValueError(f"{len(words)} parameter words exceed the block's {PARAM_WORDS}")
        if self._stable_base:
            self._param_view[:len(words)] = words
        else:
            self._view()[self._params:self._params + 4 * len(words)].view(np.int32)[:] = words


def _fast_call(adapter, name):
    """A direct call through wasmtime's unchecked C entry point, or None where it is not available.

    wasmtime-py's Func.__call__ checks and converts every argument (about 15 us a call, more than
    most kernels take); export signatures here are fixed, so the argument buffer is built once and
    each call only stores its i32/f32 values into it (about 2 us).
    """
    try:
        from wasmtime import _ffi as ffi
        from wasmtime._error import WasmtimeError
        from wasmtime._trap import Trap
        func = adapter._funcs[name]
        ty = func.type(adapter.store)
        kinds = [str(t) for t in ty.params]
        results = [str(t) for t in ty.results]
        if any(k not in ("i32", "f32") for k in kinds + results) or len(results) > 1:
            return None
        buf = (ffi.wasmtime_val_raw_t * max(len(kinds), len(results), 1))()
        context, ref = adapter.store._context(), ctypes.byref(func._func)
        call_unchecked = ffi.wasmtime_func_call_unchecked
        trap_type = ctypes.POINTER(ffi.wasm_trap_t)
    except (ImportError, AttributeError, TypeError):
        return None
    setters = [(i, k == "f32") for i, k in enumerate(kinds)]
    returns = results[0] if results else None
    size = len(buf)

    def call(*args):
        for (i, is_float), value in zip(setters, args):
            if is_float:
                buf[i].f32 = value
            else:
                buf[i].i32 = value
        trap = trap_type()
        error = call_unchecked(context, ref, buf, size, ctypes.byref(trap))
        if error or trap:
            problem = WasmtimeError._from_ptr(error) if error else Trap._from_ptr(trap)
            raise KernelTrap(f"wasm kernel {name} trapped: {str(problem).splitlines()[0]}")
        if returns == "i32":
            return buf[0].i32
        if returns == "f32":
            return buf[0].f32
        return None
    return call


def _cache_dir():
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return pathlib.Path(base) / "webtensor"


def _load_module(wasmtime, engine, path):
    """Compiles kernels.wasm, or loads the machine code compiled for it before.

    Compiling takes seconds (Cranelift, all exports); the result is kept in ~/.cache/webtensor under
    a name holding the module's hash and the engine's version, so a rebuilt module or another
    wasmtime compiles afresh. Any problem with the cache just means compiling.
    """
    data = path.read_bytes()
    version = getattr(wasmtime, "__version__", None) or _wasmtime_version()
    cached = _cache_dir() / f"kernels-{hashlib.sha256(data).hexdigest()[:20]}-wasmtime-{version}.cwasm"
    if cached.exists():
        try:
            return wasmtime.Module.deserialize_file(engine, str(cached))
        except Exception:
            pass
    module = wasmtime.Module(engine, data)
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        tmp = cached.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(module.serialize())
        os.replace(tmp, cached)
    except OSError:
        pass
    return module


def _wasmtime_version():
    from importlib import metadata
    try:
        return metadata.version("wasmtime")
    except metadata.PackageNotFoundError:
        return "unknown"
