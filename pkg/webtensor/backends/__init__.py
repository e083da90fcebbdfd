"""Backend registry and device placement (`tf.device`, `set_backend`, WEBTENSOR_BACKEND)."""
import os

from ..core import tensor as _tensor
from .numpy_backend import numpy_backend

_BACKENDS = {"numpy": numpy_backend}


class Device:
    """A placement target: a backend plus its TensorFlow-style device name."""

    __slots__ = ("backend", "name")

    def __init__(self, backend):
        self.backend = backend
        self.name = backend.device_name


def get(name):
    try:
        return _BACKENDS[name]
    except KeyError:
        raise ValueError(f"Unknown backend {name!r}; available: {sorted(_BACKENDS)}") from None


def available():
    return sorted(_BACKENDS)


def default():
    return _tensor._DEFAULT


def set_default(name):
    _tensor._DEFAULT = get(name)


def for_device_string(spec):
    """Maps '/GPU:0', 'cpu:0', '/job:localhost/.../device:CPU:0' to a backend."""
    text = spec.upper()
    if "GPU" in text:
        for name in ("webgpu",):
            if name in _BACKENDS:
                return _BACKENDS[name]
        return None  # soft placement: no GPU, keep the default
    if "CPU" in text:
        return numpy_backend
    raise ValueError(f"Unknown device specification {spec!r}: expected e.g. '/CPU:0' or '/GPU:0'")


_tensor._DEFAULT = numpy_backend
_env = os.environ.get("WEBTENSOR_BACKEND")
if _env:
    set_default(_env)
