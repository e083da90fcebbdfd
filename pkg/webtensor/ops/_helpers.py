"""Argument conversion and shape rules shared by the op modules."""
import numpy as np

from .. import dtypes, errors
from ..core import tensor as _tensor
from ..core.state import state
from ..core.tensor import SymbolicTensor, Tensor, convert_to_tensor
from ..tensor_shape import TensorShape

_SCALAR_CACHE = {}
_SCALAR_TYPES = (int, float, bool)


def to_tensor(x, dtype=None):
    """Tensors pass through; variables are read; everything else is converted (with dtype if given)."""
    if type(x) is Tensor or type(x) is SymbolicTensor:
        return x
    return convert_to_tensor(x, dtype=dtype)


def operand(x, dtype, op):
    """Converts the non-tensor side of a binary op to the tensor side's dtype, as TensorFlow does."""
    if isinstance(x, Tensor):
        return x
    if hasattr(x, "_as_tensor"):
        return x._as_tensor()
    if type(x) in _SCALAR_TYPES:
        # constants live on a device: cache them per backend (device scope, else the default)
        backend = state.device.backend if state.device is not None else _tensor._DEFAULT
        key = (type(x), x, dtype, backend, getattr(backend, "generation", 0))  # a lost GPU loses them
        t = _SCALAR_CACHE.get(key)
        if t is None:
            t = _convert_operand(x, dtype, op)
            if len(_SCALAR_CACHE) < 4096:
                _SCALAR_CACHE[key] = t
        return t
    return _convert_operand(x, dtype, op)


def _convert_operand(x, dtype, op):
    try:
        return convert_to_tensor(x, dtype=dtype)
    except TypeError as e:
        raise TypeError(f"{e} (operand of {op})") from None


def binary_operands(x, y, op):
    """The two tensors of a binary op; raises TypeError naming both dtypes when they differ."""
    if not isinstance(x, Tensor) and hasattr(x, "_as_tensor"):
        x = x._as_tensor()
    if not isinstance(y, Tensor) and hasattr(y, "_as_tensor"):
        y = y._as_tensor()
    if isinstance(x, Tensor):
        if not isinstance(y, Tensor):
            y = operand(y, x._dtype, op)
    elif isinstance(y, Tensor):
        x = operand(x, y._dtype, op)
    else:
        x = to_tensor(x)
        y = operand(y, x._dtype, op)
    if x._dtype is not y._dtype:
        raise errors.DTypeMismatchError(
            None, op, f"Input 'y' of '{op}' Op has type {y._dtype.name} that does not match type "
            f"{x._dtype.name} of argument 'x'. [Op:{op}]")
    return x, y


def check_dtype(x, allowed, op):
    if x._dtype not in allowed:
        names = ", ".join(sorted(d.name for d in allowed))
        raise TypeError(f"Value for attr 'T' of {x._dtype.name} is not in the list of allowed values: {names}; "
                        f"while calling {op} [Op:{op}]")


def broadcast_shapes(a, b, op):
    """NumPy broadcasting of two static shapes (None = unknown); InvalidArgumentError if they clash."""
    if a == b:
        return a
    n = max(len(a), len(b))
    pa = (1,) * (n - len(a)) + tuple(a)
    pb = (1,) * (n - len(b)) + tuple(b)
    out = []
    for da, db in zip(pa, pb):
        if da == 1:
            out.append(db)
        elif db == 1 or da == db:
            out.append(da)
        elif da is None:
            out.append(db)
        elif db is None:
            out.append(da)
        else:
            raise errors.incompatible_shapes(op, a, b)
    return tuple(out)


def same_infer(inputs, params):
    x = inputs[0]
    return [(x._shape, x._dtype)]


def binary_infer(op, out_dtype=None):
    def infer(inputs, params):
        x, y = inputs
        shape = broadcast_shapes(x._shape, y._shape, op)
        return [(shape, out_dtype or x._dtype)]
    return infer


def normalize_axis(axis, rank, op):
    if not -rank <= axis < max(rank, 1):
        raise errors.InvalidArgumentError(
            None, op, f"{op}: axis {axis} is out of bounds for a tensor of rank {rank}; expected -{rank} <= axis "
            f"< {rank} [Op:{op}]")
    return axis % rank if rank else 0


def normalize_axes(axis, rank, op):
    """None -> all axes; an int or list -> a sorted tuple of non-negative axes."""
    if axis is None:
        return tuple(range(rank))
    if isinstance(axis, Tensor) or hasattr(axis, "_as_tensor"):
        axis = static_value(axis, op, "axis")
        axis = axis.tolist()
    if isinstance(axis, (list, tuple)):
        axes = tuple(sorted({normalize_axis(int(a), rank, op) for a in axis}))
    else:
        axes = (normalize_axis(int(axis), rank, op),)
    return axes


def static_value(x, op, what):
    """The numpy value of an argument that must be known before the op runs (a shape, an axis...)."""
    if isinstance(x, SymbolicTensor):
        node = x._node
        if node.op.name == "constant":
            return node.params["value"].numpy()
        if node.op.name == "shape" and all(d is not None for d in node.inputs[0]._shape):
            return np.array(node.inputs[0]._shape, dtype=x._dtype.as_numpy_dtype)
        raise ValueError(f"{op}: `{what}` must be known while tf.function traces, but it was computed in the graph "
                         f"({x.name}). Pass a Python value or a tensor whose value does not depend on the "
                         "function's inputs.")
    if isinstance(x, Tensor) or hasattr(x, "_as_tensor"):
        return convert_to_tensor(x).numpy()
    return x


def static_shape(shape, op):
    """A shape argument (list, tuple, TensorShape, tensor) as a tuple of ints."""
    if type(shape) is tuple or type(shape) is list:
        if all(type(d) is int for d in shape):  # the common case, kept cheap
            return tuple(shape)
        return tuple(int(static_value(d, op, "shape")) for d in shape)
    if isinstance(shape, TensorShape):
        return tuple(shape.as_list())
    value = np.asarray(static_value(shape, op, "shape"))
    if value.ndim > 1:
        raise ValueError(f"{op}: shape must be a vector, got a tensor of rank {value.ndim}")
    return tuple(int(d) for d in value.reshape(-1))


def shape_arg(shape, op):
    """A shape argument as (static shape, None), or, when part of it is only known when the graph runs
    (e.g. tf.shape(x) of a tensor with a None batch dimension, while tracing), as (partial shape with
    None for the unknown entries, an int32 vector tensor of the whole shape)."""
    try:
        return static_shape(shape, op), None
    except ValueError:
        if not (isinstance(shape, SymbolicTensor) or (isinstance(shape, (list, tuple))
                                                      and any(isinstance(d, SymbolicTensor) for d in shape))):
            raise
    from ..ops import array_ops, math_ops
    if isinstance(shape, SymbolicTensor):
        if len(shape._shape) != 1 or shape._shape[0] is None:
            raise ValueError(f"{op}: a shape tensor must be a vector of known length, got shape {shape.shape}")
        return (None,) * shape._shape[0], math_ops.cast(shape, dtypes.int32)
    partial, parts = [], []
    for d in shape:
        if isinstance(d, SymbolicTensor):
            if d._shape not in ((), (1,)):
                raise ValueError(f"{op}: shape entries must be scalars, got a tensor of shape {d.shape}")
            partial.append(None)
            parts.append(math_ops.cast(array_ops.reshape(d, [1]), dtypes.int32))
        else:
            v = int(static_value(d, op, "shape"))
            partial.append(v)
            parts.append(convert_to_tensor([v], dtype=dtypes.int32))
    return tuple(partial), array_ops.concat(parts, 0)


def run_time_shape(inputs, params):
    """The target shape of a reshape/broadcast_to node: from its dims input when that value is known
    (eager tensors, host arrays), else the partial shape in params (None = unknown while tracing)."""
    if len(inputs) < 2:
        return params["shape"]
    dims = inputs[1]
    if isinstance(dims, np.ndarray):
        return tuple(int(d) for d in dims)
    if isinstance(dims, Tensor) and not isinstance(dims, SymbolicTensor):
        return tuple(int(d) for d in dims.numpy())
    if isinstance(dims, SymbolicTensor) and dims._node.op.name == "constant":
        return tuple(int(d) for d in dims._node.params["value"].numpy())
    return params["shape"]


def default_backend():
    return _tensor._DEFAULT


FLOAT = dtypes.FLOATS
NUMERIC = dtypes.NUMERIC
SIGNED = dtypes.FLOATS | dtypes.SIGNED_INTS
INTEGER = dtypes.INTS
BOOL = frozenset((dtypes.bool,))
ALL = frozenset(dtypes.ALL)
