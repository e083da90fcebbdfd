"""The module adapter in the browser: kernels.wasm instantiated by WebAssembly in Pyodide's worker.

It has WasmtimeAdapter's methods (adapter.py), so the backend code is the same. The module is
compiled synchronously (allowed in a Web Worker, where Pyodide runs); exports are called as
JavaScript functions (numbers in, a number out); data crosses between Pyodide's memory and the
module's with one typed-array copy each way (`assign` / `assign_to`), never per element.
"""
import threading

import numpy as np

from .adapter import PARAM_WORDS, WASM_PATH, KernelTrap, ModuleCalls


class BrowserAdapter(ModuleCalls):
    """kernels.wasm under the browser's WebAssembly engine, reached through Pyodide's `js` module."""

    name = "webassembly"

    def __init__(self, path=WASM_PATH):
        import js
        from pyodide.ffi import JsException, to_js
        self._js = js
        self._error = JsException
        module = js.WebAssembly.Module.new(to_js(path.read_bytes()))
        self.instance = js.WebAssembly.Instance.new(module, js.Object.new())
        self.exports = self.instance.exports
        self.memory = self.exports.memory
        self._calls = {}
        self.lock = threading.RLock()  # the backend holds it around a kernel (threads are rare here)
        self.closed = False
        self._params = self.call("wt_params") & 0xFFFFFFFF
        self._param_host = np.zeros(PARAM_WORDS, np.int32)
        self._param_view = None  # an Int32Array over the block, made again after the memory grows

    @classmethod
    def request(cls):
        return cls() if WASM_PATH.exists() else None

    def has(self, name):
        return hasattr(self.exports, name)

    def call(self, name, *args):
        fn = self._calls.get(name)
        if fn is None:
            fn = self._calls[name] = getattr(self.exports, name)
        try:
            return fn(*args)
        except self._error as e:  # a trap arrives as a WebAssembly.RuntimeError
            raise KernelTrap(f"wasm kernel {name} trapped: {e}") from e

    def memory_bytes(self):
        return int(self.memory.buffer.byteLength)

    def _bytes(self, ptr, nbytes):
        # memory.buffer is read afresh: growing the memory detaches the previous ArrayBuffer
        return self._js.Uint8Array.new(self.memory.buffer, ptr, nbytes)

    def write(self, ptr, array):
        raw = np.ascontiguousarray(array).reshape(-1).view(np.uint8)
        if raw.size:
            self._bytes(ptr, raw.size).assign(raw)

    def read(self, ptr, count, dtype):
        out = np.empty(count, dtype)
        if out.nbytes:
            self._bytes(ptr, out.nbytes).assign_to(out.view(np.uint8))
        return out

    def fill_zero(self, ptr, nbytes):
        if nbytes:
            self._bytes(ptr, nbytes).fill(0)

    def set_params(self, words):
        host = self._param_host
        host[:len(words)] = words
        try:
            self._param_view.assign(host)
        except Exception:  # none yet, or detached by a memory growth (its length is then 0)
            self._param_view = self._js.Int32Array.new(self.memory.buffer, self._params, PARAM_WORDS)
            self._param_view.assign(host)
