"""Tensor constructors: zeros, ones, fill, range, linspace, eye."""
import numpy as np

from .. import dtypes, errors
from ..core.registry import bind, defop
from ..core.tensor import SymbolicTensor, Tensor, constant
from . import math_ops as m
from ._helpers import static_shape, static_value, to_tensor
from .shape_ops import _fmt, broadcast_to


# -- constructors ----------------------------------------------------------------------------------

def zeros(shape, dtype=dtypes.float32, name=None):
    """A tensor of zeros.

    >>> tf.zeros([2, 3]).shape
    TensorShape([2, 3])
    """
    dtype = dtypes.as_dtype(dtype)
    return broadcast_to(constant(np.zeros((), dtype.as_numpy_dtype)), shape)


def ones(shape, dtype=dtypes.float32, name=None):
    """A tensor of ones."""
    dtype = dtypes.as_dtype(dtype)
    return broadcast_to(constant(np.ones((), dtype.as_numpy_dtype)), shape)  # bool too


def fill(dims, value, name=None):
    """A tensor of shape dims filled with value.

    >>> tf.fill([2], 7)
    <tf.Tensor: shape=(2,), dtype=int32, numpy=array([7, 7], dtype=int32)>
    """
    v = to_tensor(value)
    if v._shape:
        raise errors.InvalidArgumentError(None, "fill", f"value must be a scalar, got shape {_fmt(v._shape)} [Op:Fill]")
    return broadcast_to(v, dims)


def _range_kernel(start, limit, delta, dtype):
    if delta == 0:
        raise errors.InvalidArgumentError(None, "range", "Requires delta != 0: 0 [Op:Range]")
    if (delta > 0 and start > limit) or (delta < 0 and start < limit):
        raise errors.InvalidArgumentError(
            None, "range", f"Requires start <= limit when delta > 0: {start}/{limit} [Op:Range]" if delta > 0 else
            f"Requires start >= limit when delta < 0: {start}/{limit} [Op:Range]")
    return np.arange(start, limit, delta).astype(dtype.as_numpy_dtype)


def _known_value(t):
    if isinstance(t, SymbolicTensor):
        return t._node.params["value"].numpy() if t._node.op.name == "constant" else None
    return t.numpy()


def _range_infer(inputs, params):
    vals = [_known_value(t) for t in inputs]
    if None in vals:
        return [((None,), params["dtype"])]
    start, limit, delta = vals
    return [((max(0, int(np.ceil((limit - start) / delta))) if delta else 0,), params["dtype"])]


defop("range", _range_kernel, _range_infer)


def range_(start, limit=None, delta=1, dtype=None, name="range"):
    """Numbers from start up to (not including) limit by delta, like Python's range.

    >>> tf.range(5)
    <tf.Tensor: shape=(5,), dtype=int32, numpy=array([0, 1, 2, 3, 4], dtype=int32)>
    """
    if limit is None:
        start, limit = 0, start
    if dtype is not None:
        # Python numbers go straight to dtype: tf.range(0., 1., .3, dtype=tf.float64) must not round via float32
        target = dtypes.as_dtype(dtype).as_numpy_dtype
        args = [to_tensor(v) if isinstance(v, Tensor) or hasattr(v, "_as_tensor") else
                constant(np.asarray(v).astype(target)) for v in (start, limit, delta)]
    else:
        args = [to_tensor(v) for v in (start, limit, delta)]
    if dtype is None:
        order = [dtypes.int32, dtypes.int64, dtypes.float32, dtypes.float64]
        dtype = max((a._dtype for a in args), key=lambda d: order.index(d) if d in order else 0)
    dtype = dtypes.as_dtype(dtype)
    args = [m.cast(a, dtype) for a in args]
    return bind("range", tuple(args), {"dtype": dtype})


def _linspace_kernel(start, stop, num):
    return np.linspace(start, stop, num).astype(start.dtype)


defop("linspace", _linspace_kernel,
      lambda inputs, params: [((params["num"],), inputs[0]._dtype)])


def linspace(start, stop, num, name=None, axis=0):
    """num evenly spaced values from start to stop inclusive (integers give float64, as TensorFlow).

    >>> tf.linspace(0., 1., 3)
    <tf.Tensor: shape=(3,), dtype=float32, numpy=array([0. , 0.5, 1. ], dtype=float32)>
    """
    a, b = to_tensor(start), to_tensor(stop)
    if a._shape or b._shape:
        raise NotImplementedError("linspace with non-scalar start/stop is not supported")
    target = a._dtype if a._dtype.is_floating else dtypes.float64
    a, b = m.cast(a, target), m.cast(b, target)
    if b._dtype is not target:
        b = m.cast(b, target)
    return bind("linspace", (a, b), {"num": int(static_value(num, "linspace", "num"))})


def eye(num_rows, num_columns=None, batch_shape=None, dtype=dtypes.float32, name=None):
    """An identity matrix (or a batch of them).

    >>> tf.eye(2)
    """
    dtype = dtypes.as_dtype(dtype)
    cols = num_rows if num_columns is None else num_columns
    mat = np.eye(int(num_rows), int(cols), dtype=dtype.as_numpy_dtype)
    t = constant(mat)
    if batch_shape is not None:
        t = broadcast_to(t, list(static_shape(batch_shape, "eye")) + [int(num_rows), int(cols)])
    return t
