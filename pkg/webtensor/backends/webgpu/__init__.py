"""The WebGPU backend: WGSL kernels (shaders/) dispatched through a thin device adapter.

Natively the adapter is wgpu-py (lavapipe where there is no GPU); in the browser it is
navigator.gpu through Pyodide. `create()` returns None when no adapter can be had.
"""


def create():
    """A WebGPUBackend on the best adapter: navigator.gpu under Pyodide, wgpu-py natively; or None."""
    import sys
    if sys.platform == "emscripten":
        from .browser import BrowserAdapter as Adapter
    else:
        from .adapter import NativeAdapter as Adapter
    adapter = Adapter.request()
    if adapter is None:
        return None
    from . import conv, elementwise, matmul, movement, random_kernels, reduce  # noqa: F401  (register programs)
    from .backend import WebGPUBackend
    return WebGPUBackend(adapter)
