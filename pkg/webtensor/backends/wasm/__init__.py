"""The wasm backend: WebAssembly SIMD kernels (kernels_wasm/ -> kernels.wasm) through a module adapter.

Natively the adapter is the `wasmtime` package (adapter.py); in the browser it is the page's own
WebAssembly engine through Pyodide (browser.py). `create()` returns None when the module or an
engine is missing.
"""
import importlib.util
import sys

from .adapter import WASM_PATH


def available():
    """Whether kernels.wasm was built and an engine can run it here."""
    if not WASM_PATH.exists():
        return False
    if sys.platform == "emscripten":
        import js
        return hasattr(js, "WebAssembly")
    return importlib.util.find_spec("wasmtime") is not None


def create():
    """A WasmBackend on kernels.wasm (its module instantiated on first use), or None."""
    if not available():
        return None
    from . import elementwise, indexing, movement, nn, reduce  # noqa: F401  (register kernels)
    from .backend import WasmBackend
    if sys.platform == "emscripten":
        from .browser import BrowserAdapter as Adapter
    else:
        from .adapter import WasmtimeAdapter as Adapter
    return WasmBackend(Adapter)
