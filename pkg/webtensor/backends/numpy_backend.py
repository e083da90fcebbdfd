"""The reference backend: handles are numpy arrays, kernels are the ops' numpy forms."""
import numpy as np

from .base import Backend


class NumpyBackend(Backend):
    name = "numpy"
    device_type = "CPU"
    device_name = "/job:localhost/replica:0/task:0/device:CPU:0"

    def write(self, array):
        # Handles are never written in place, so sharing a caller's array would let
        # them mutate our tensor afterwards: keep our own copy.
        return np.array(array, copy=True, order="C")

    def read(self, handle):
        return handle

    def run(self, op, handles, params):
        return op.kernel(*handles, **params)

    def supports(self, op, inputs):
        return op.kernel is not None


numpy_backend = NumpyBackend()
