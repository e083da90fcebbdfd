"""The wasm backend: WebAssembly SIMD kernels (kernels_wasm/ -> kernels.wasm) through a module adapter.

Natively the adapter is the `wasmtime` package; in the browser it will be WebAssembly.instantiate
through Pyodide. `create()` returns None when the module or an engine is missing.
"""
import importlib.util
import sys

from .adapter import WASM_PATH


def available():
    """Whether kernels.wasm was built and an engine can run it here."""
    if not WASM_PATH.exists():
        return False
    if sys.platform == "emscripten":
        return False  # the browser adapter (WebAssembly.instantiate through js) is not written yet
    return importlib.util.find_spec("wasmtime") is not None


def create():
    """A WasmBackend on kernels.wasm, or None."""
    if not available():
        return None
    from . import elementwise, indexing, movement, nn, reduce  # noqa: F401  (register kernels)
    from .adapter import WasmtimeAdapter
    from .backend import WasmBackend
    return WasmBackend(WasmtimeAdapter)
