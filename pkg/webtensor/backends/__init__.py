"""Backend registry and device placement (`tf.device`, `set_backend`, WEBTENSOR_BACKEND)."""
import os

from ..core import tensor as _tensor
from .numpy_backend import numpy_backend

_BACKENDS = {"numpy": numpy_backend}
_probed = False


class Device:
    """A placement target: a backend plus its TensorFlow-style device name."""

    __slots__ = ("backend", "name")

    def __init__(self, backend):
        self.backend = backend
        self.name = backend.device_name


def _ensure_runtime_dir():
    """The Vulkan loader complains on stderr when XDG_RUNTIME_DIR is unset (headless machines, CI):
    give it a private directory, as a login session would."""
    if os.environ.get("XDG_RUNTIME_DIR") or not hasattr(os, "getuid"):
        return
    import tempfile
    path = os.path.join(tempfile.gettempdir(), f"webtensor-runtime-{os.getuid()}")
    try:
        os.makedirs(path, mode=0o700, exist_ok=True)
    except OSError:
        return
    os.environ["XDG_RUNTIME_DIR"] = path


def _probe():
    """Looks once for the wasm module and a WebGPU adapter (wgpu-py natively); registers the backends found."""
    global _probed
    if _probed:
        return
    _probed = True
    if not os.environ.get("WEBTENSOR_NO_WASM"):
        _probe_wasm()
    if os.environ.get("WEBTENSOR_NO_WEBGPU"):
        return
    import importlib.util
    import sys
    if sys.platform != "emscripten":  # in the browser the adapter is navigator.gpu, not wgpu-py
        if importlib.util.find_spec("wgpu") is None:
            return
        _ensure_runtime_dir()
    from . import webgpu
    try:
        backend = webgpu.create()
    except Exception as e:  # a broken driver must not break import
        import warnings
        warnings.warn(f"webtensor: WebGPU is unavailable ({type(e).__name__}: {e}); using the CPU.")
        return
    if backend is not None:
        _BACKENDS["webgpu"] = backend


def _probe_wasm():
    """Registers the wasm backend when kernels.wasm is built and an engine can run it (wasmtime natively)."""
    from . import wasm
    try:
        backend = wasm.create()
    except Exception as e:  # a broken engine must not break import
        import warnings
        warnings.warn(f"webtensor: the wasm backend is unavailable ({type(e).__name__}: {e}).")
        return
    if backend is not None:
        _BACKENDS["wasm"] = backend


def get(name):
    if name not in _BACKENDS:
        _probe()
    try:
        return _BACKENDS[name]
    except KeyError:
        raise ValueError(f"Unknown backend {name!r}; available: {available()}") from None


def available():
    _probe()
    return sorted(_BACKENDS)


def default():
    return _tensor._DEFAULT


def set_default(name):
    _tensor._DEFAULT = get(name)


def for_device_string(spec):
    """Maps '/GPU:0', 'cpu:0', '/job:localhost/.../device:CPU:0' to a backend."""
    text = spec.upper()
    if "GPU" in text:
        _probe()
        for name in ("webgpu",):
            if name in _BACKENDS:
                return _BACKENDS[name]
        return None  # soft placement: no GPU, keep the default
    if "CPU" in text:
        return numpy_backend
    raise ValueError(f"Unknown device specification {spec!r}: expected e.g. '/CPU:0' or '/GPU:0'")


def _choose_default():
    """WEBTENSOR_BACKEND if set; else webgpu on a hardware adapter; else numpy (software adapters such
    as lavapipe or SwiftShader are slower than numpy, so they are used only when asked for)."""
    wanted = os.environ.get("WEBTENSOR_BACKEND")
    if wanted:
        set_default(wanted)
        return
    _probe()
    gpu = _BACKENDS.get("webgpu")
    if gpu is not None and not gpu.adapter.is_software:
        _tensor._DEFAULT = gpu


_tensor._DEFAULT = _tensor._CPU = numpy_backend
_choose_default()


class device:
    """Places ops created inside on a device: ``with tf.device("/CPU:0"): ...``.

    A device with no backend here (e.g. '/GPU:0' without a usable adapter) keeps the
    current placement, as TensorFlow's soft placement does.
    """

    def __init__(self, device_name):
        from ..core.state import state
        self._state = state
        self._name = device_name
        self._saved = None
        backend = None if device_name is None else for_device_string(device_name)
        self._device = Device(backend) if backend is not None else None

    def __enter__(self):
        self._saved = self._state.device
        if self._device is not None:
            self._state.device = self._device
        elif self._name is None:
            self._state.device = None
        return self

    def __exit__(self, *exc):
        self._state.device = self._saved
        return False
