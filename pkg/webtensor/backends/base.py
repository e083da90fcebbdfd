"""The backend protocol: write, read (the only sync point), run.

A backend holds tensor data as handles: any object with ``.shape`` (a tuple)
and ``.dtype`` (a numpy dtype). ``run`` executes one registered op on handles
and returns handles. Ops or dtypes a backend lacks fall back to the CPU
(numpy) backend with a transfer, as TensorFlow's soft device placement does.
"""
from .. import dtypes


class Backend:
    name = "abstract"
    device_type = "CPU"
    device_name = "/job:localhost/replica:0/task:0/device:CPU:0"

    def write(self, array):
        """Takes a numpy array and returns a handle holding a copy of its data."""
        raise NotImplementedError

    def read(self, handle):
        """Returns the handle's data as a numpy array, waiting for pending work."""
        raise NotImplementedError

    def run(self, op, handles, params):
        """Runs op on handles; returns a handle (or a tuple of handles for multi-output ops)."""
        raise NotImplementedError

    def supports(self, op, inputs):
        """Whether this backend has a kernel for op on these input tensors (their dtypes and ranks)."""
        raise NotImplementedError

    def host_input(self, op, index):
        """Whether this backend's kernel for op reads input `index` as a numpy array on the host."""
        return False

    def can_hold(self, dtype):
        """Whether tensors of this DType can live on this backend (others are placed on the CPU)."""
        return True

    def __repr__(self):
        return f"<backend {self.name} {self.device_name}>"


class HostValue:
    """What a shape rule sees of an input a kernel reads on the host (a numpy array)."""

    __slots__ = ("_value", "_shape", "_dtype", "shape", "dtype")

    def __init__(self, array):
        self._value = array
        self._shape = self.shape = array.shape
        self.dtype = array.dtype
        self._dtype = dtypes.from_numpy(array.dtype)

    def numpy(self):
        return self._value
