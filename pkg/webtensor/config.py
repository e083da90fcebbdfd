"""tf.config: devices and backends.

>>> tf.config.list_physical_devices("CPU")
[PhysicalDevice(name='/physical_device:CPU:0', device_type='CPU')]
"""
import collections
import types

from . import backends as _backends
from .core.function import functions_run_eagerly, run_functions_eagerly  # noqa: F401

PhysicalDevice = collections.namedtuple("PhysicalDevice", ["name", "device_type"])
LogicalDevice = collections.namedtuple("LogicalDevice", ["name", "device_type"])


def list_physical_devices(device_type=None):
    """The devices webtensor can place ops on (the CPU, plus a GPU when a WebGPU adapter is usable)."""
    found = []
    counts = {}
    for name in _backends.available():
        backend = _backends.get(name)
        kind = backend.device_type
        if device_type is not None and kind != device_type.upper():
            continue
        if kind == "CPU" and counts.get("CPU"):
            continue
        index = counts.get(kind, 0)
        counts[kind] = index + 1
        found.append(PhysicalDevice(f"/physical_device:{kind}:{index}", kind))
    return found


def get_device_details(device):
    """Details of a PhysicalDevice: for a GPU, the WebGPU adapter's name, backend and whether it is software.

    >>> tf.config.experimental.get_device_details(tf.config.list_physical_devices("GPU")[0])
    {'device_name': 'llvmpipe (LLVM 15.0.6, 256 bits)', 'backend': 'Vulkan', 'is_software': True, ...}
    """
    if device.device_type == "CPU":
        return {"device_name": "CPU", "backend": "numpy", "is_software": False}
    adapter = _backends.get("webgpu").adapter
    return {"device_name": adapter.name, "backend": adapter.backend_type, "is_software": adapter.is_software,
            "shader_f16": adapter.has_f16, "max_storage_buffer_binding_size": adapter.max_binding_size}


def list_logical_devices(device_type=None):
    return [LogicalDevice(d.name.replace("/physical_device:", "/device:"), d.device_type)
            for d in list_physical_devices(device_type)]


def set_backend(name):
    """Chooses the backend new tensors and ops use by default: 'numpy' (and others when available).

    The WEBTENSOR_BACKEND environment variable sets it at import time.
    """
    _backends.set_default(name)


def get_backend():
    """The name of the default backend."""
    return _backends.default().name


def available_backends():
    return _backends.available()


def memory_info(device=None):
    """Bytes in use and bytes held by the default (or named) backend's pool, when it keeps one."""
    backend = _backends.default() if device is None else _backends.get(device)
    info = getattr(backend, "memory_info", None)
    return info() if info is not None else {"current": 0, "peak": 0, "pool": 0}


def get_dispatch_count(device=None):
    """GPU dispatches queued so far on the default (or named) backend; 0 on backends without dispatches.

    Take the difference around a step to count its kernels:

    >>> before = tf.config.experimental.get_dispatch_count()
    >>> _ = train_step(x, y)
    >>> tf.config.experimental.get_dispatch_count() - before
    """
    backend = _backends.default() if device is None else _backends.get(device)
    return getattr(backend, "dispatch_count", 0)


def _set_memory_growth(device, enable):
    """Accepted for compatibility; webtensor backends allocate on demand."""


def _get_memory_info(device):
    return memory_info()


experimental = types.SimpleNamespace(
    get_device_details=get_device_details,
    set_memory_growth=_set_memory_growth,
    get_memory_info=_get_memory_info,
    list_physical_devices=list_physical_devices,
    list_logical_devices=list_logical_devices,
    get_dispatch_count=get_dispatch_count,
)


def _set_optimizer_options(options):
    """tf.config.optimizer.set_experimental_options: {"remapping": False} turns off the fusion of
    elementwise chains in compiled tf.function plans (it applies to plans built afterwards)."""
    from .core import compiled
    compiled.options.update({k: bool(v) for k, v in dict(options).items()})


def _get_optimizer_options():
    from .core import compiled
    return dict(compiled.options)


optimizer = types.SimpleNamespace(
    set_experimental_options=_set_optimizer_options,
    get_experimental_options=_get_optimizer_options,
)
