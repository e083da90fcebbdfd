"""Shape ops: reshape, transpose, expand_dims, squeeze, broadcast_to, and the shape queries shape/size/rank."""
import numpy as np

from .. import dtypes, errors
from ..core.registry import bind, defop
from ..core.tensor import constant
from ..tensor_shape import TensorShape
from . import math_ops as m
from ._helpers import (broadcast_shapes, normalize_axes, run_time_shape, shape_arg, static_shape, static_value,
                       to_tensor)


def _fmt(shape):
    return "[" + ",".join("?" if d is None else str(d) for d in shape) + "]"


# -- reshape ---------------------------------------------------------------------------------------

def _reshape_infer(inputs, params):
    x = inputs[0]
    target = run_time_shape(inputs, params)
    if None in target:  # part of the shape comes from the graph at run time
        return [(tuple(None if d in (None, -1) else d for d in target), x._dtype)]
    known = [d for d in x._shape]
    if -1 in target:
        if None in known:
            return [(tuple(None if d == -1 else d for d in target), x._dtype)]
        n = int(np.prod(known, dtype=np.int64))
        rest = int(np.prod([d for d in target if d != -1], dtype=np.int64))
        if rest == 0 or n % rest:
            raise errors.InvalidArgumentError(
                None, "reshape", f"Input to reshape is a tensor with {n} values, but the requested shape requires a "
                f"multiple of {rest} [Op:Reshape]")
        return [(tuple(n // rest if d == -1 else d for d in target), x._dtype)]
    if None not in known:
        n = int(np.prod(known, dtype=np.int64))
        want = int(np.prod(target, dtype=np.int64))
        if n != want:
            raise errors.InvalidArgumentError(
                None, "reshape", f"Input to reshape is a tensor with {n} values, but the requested shape has {want} "
                "[Op:Reshape]")
    return [(tuple(target), x._dtype)]


def _reshape_grad(op, dy):
    x = op.inputs[0]
    if None in x._shape:
        return [bind("reshape_like", (dy, x))]
    return [reshape(dy, x._shape)]


def _reshape_kernel(x, *dims, shape):
    return x.reshape(tuple(int(d) for d in dims[0]) if dims else shape)


defop("reshape", _reshape_kernel, _reshape_infer, _reshape_grad)
defop("reshape_like", lambda x, like: np.reshape(x, like.shape),
      lambda inputs, params: [(inputs[1]._shape, inputs[0]._dtype)],
      lambda op, dy: [_reshape_grad(op, dy)[0], None])


def reshape(tensor, shape, name=None):
    """Gives tensor a new shape with the same elements; one dimension may be -1.

    >>> tf.reshape(tf.range(6), [2, -1]).shape
    TensorShape([2, 3])
    """
    x = to_tensor(tensor)
    target, dims = shape_arg(shape, "reshape")
    if dims is not None:
        return bind("reshape", (x, dims), {"shape": target})
    if target == x._shape:
        return x
    if -1 in target and target.count(-1) > 1:
        raise errors.InvalidArgumentError(None, "reshape", f"Only one input size may be -1, not both in {list(target)}"
                                          " [Op:Reshape]")
    if min(target, default=0) < -1:
        raise errors.InvalidArgumentError(None, "reshape", f"Size must be non-negative, got {list(target)} "
                                          "[Op:Reshape]")
    return bind("reshape", (x,), {"shape": target})


# -- transpose -------------------------------------------------------------------------------------

def _transpose_infer(inputs, params):
    x = inputs[0]
    perm = params["perm"]
    if sorted(perm) != list(range(len(x._shape))):
        raise errors.InvalidArgumentError(
            None, "transpose", f"transpose expects a vector of size {len(x._shape)}. But input(1) is a vector of size "
            f"{len(perm)} [Op:Transpose]" if len(perm) != len(x._shape) else
            f"{list(perm)} is not a permutation of 0..{len(x._shape) - 1} [Op:Transpose]")
    return [(tuple(x._shape[p] for p in perm), x._dtype)]


defop("transpose", lambda x, perm: np.transpose(x, perm), _transpose_infer,
      lambda op, dy: [transpose(dy, list(np.argsort(op.params["perm"])))])


def transpose(a, perm=None, conjugate=False, name=None):
    """Permutes axes (reverses them when perm is None).

    >>> tf.transpose(tf.ones([2, 3])).shape
    TensorShape([3, 2])
    """
    x = to_tensor(a)
    rank = len(x._shape)
    perm = tuple(range(rank - 1, -1, -1)) if perm is None else tuple(int(p) % max(rank, 1) if int(p) < 0 else int(p)
                                                                     for p in static_value(perm, "transpose", "perm"))
    if perm == tuple(range(rank)):
        return x
    return bind("transpose", (x,), {"perm": perm})


# -- expand_dims / squeeze -------------------------------------------------------------------------

def _expand_infer(inputs, params):
    s = list(inputs[0]._shape)
    s.insert(params["axis"], 1)
    return [(tuple(s), inputs[0]._dtype)]


def _squeeze_infer(inputs, params):
    x = inputs[0]
    for a in params["axis"]:
        if x._shape[a] not in (1, None):
            raise errors.InvalidArgumentError(
                None, "squeeze", f"Can not squeeze dim[{a}], expected a dimension of 1, got {x._shape[a]} "
                "[Op:Squeeze]")
    return [(tuple(d for i, d in enumerate(x._shape) if i not in params["axis"]), x._dtype)]


defop("expand_dims", lambda x, axis: np.expand_dims(x, axis), _expand_infer,
      lambda op, dy: [bind("squeeze", (dy,), {"axis": (op.params["axis"],)})])
defop("squeeze", lambda x, axis: np.squeeze(x, axis), _squeeze_infer,
      lambda op, dy: [_unsqueeze(dy, op.params["axis"])])


def _unsqueeze(dy, axes):
    for a in sorted(axes):
        dy = bind("expand_dims", (dy,), {"axis": a})
    return dy


def expand_dims(input, axis, name=None):  # noqa: A002
    """Inserts a dimension of size 1 at axis.

    >>> tf.expand_dims(tf.ones([3]), 0).shape
    TensorShape([1, 3])
    """
    x = to_tensor(input)
    rank = len(x._shape)
    a = int(static_value(axis, "expand_dims", "axis"))
    if not -rank - 1 <= a <= rank:
        raise errors.InvalidArgumentError(
            None, "expand_dims", f"Tried to expand dim index {a} for tensor with {rank} dimensions. [Op:ExpandDims]")
    return bind("expand_dims", (x,), {"axis": a % (rank + 1)})


def squeeze(input, axis=None, name=None):  # noqa: A002
    """Removes dimensions of size 1 (only those in axis, if given).

    >>> tf.squeeze(tf.ones([1, 3, 1])).shape
    TensorShape([3])
    """
    x = to_tensor(input)
    rank = len(x._shape)
    if axis is None:
        if None in x._shape:
            raise ValueError(f"squeeze: with unknown dimensions in {TensorShape(x._shape)}, pass `axis` explicitly")
        axes = tuple(i for i, d in enumerate(x._shape) if d == 1)
    else:
        axes = normalize_axes(axis, rank, "squeeze")
    if not axes:
        return x
    return bind("squeeze", (x,), {"axis": axes})


# -- broadcast_to ----------------------------------------------------------------------------------

def _broadcast_to_infer(inputs, params):
    x = inputs[0]
    target = run_time_shape(inputs, params)
    if None in target:  # part of the shape comes from the graph at run time
        return [(tuple(target), x._dtype)]
    try:
        out = broadcast_shapes(x._shape, target, "broadcast_to")
    except errors.InvalidArgumentError:
        out = None
    if out is None or tuple(out) != tuple(target):
        raise errors.InvalidArgumentError(
            None, "broadcast_to", f"Unable to broadcast tensor of shape {_fmt(x._shape)} to tensor of shape "
            f"{_fmt(target)} [Op:BroadcastTo]")
    return [(tuple(target), x._dtype)]


def _broadcast_to_kernel(x, *dims, shape):
    return np.broadcast_to(x, tuple(int(d) for d in dims[0]) if dims else shape)


defop("broadcast_to", _broadcast_to_kernel, _broadcast_to_infer,
      lambda op, dy: [m.sum_like(dy, op.inputs[0])])


def broadcast_to(input, shape, name=None):  # noqa: A002
    """Broadcasts a tensor to shape, numpy style.

    >>> tf.broadcast_to(tf.constant([1, 2]), [2, 2])
    """
    x = to_tensor(input)
    target, dims = shape_arg(shape, "broadcast_to")
    if dims is not None:
        return bind("broadcast_to", (x, dims), {"shape": target})
    if target == x._shape:
        return x
    return bind("broadcast_to", (x,), {"shape": target})


def broadcast_static_shape(shape_x, shape_y):
    return TensorShape(broadcast_shapes(tuple(TensorShape(shape_x).as_list()), tuple(TensorShape(shape_y).as_list()),
                                        "broadcast_static_shape"))



# -- shape queries ---------------------------------------------------------------------------------

defop("shape", lambda x, out_type: np.array(x.shape, dtype=out_type.as_numpy_dtype),
      lambda inputs, params: [((len(inputs[0]._shape),), params["out_type"])])
defop("size", lambda x, out_type: np.array(x.size, dtype=out_type.as_numpy_dtype),
      lambda inputs, params: [((), params["out_type"])])


def shape(input, out_type=dtypes.int32, name=None):  # noqa: A002
    """The dynamic shape of a tensor, as an int32 vector.

    >>> tf.shape(tf.ones([2, 3]))
    <tf.Tensor: shape=(2,), dtype=int32, numpy=array([2, 3], dtype=int32)>
    """
    x = to_tensor(input)
    out_type = dtypes.as_dtype(out_type)
    if None not in x._shape:
        return constant(np.array(x._shape, dtype=out_type.as_numpy_dtype))
    return bind("shape", (x,), {"out_type": out_type})


def size(input, out_type=dtypes.int32, name=None):  # noqa: A002
    """The number of elements of a tensor."""
    x = to_tensor(input)
    out_type = dtypes.as_dtype(out_type)
    if None not in x._shape:
        return constant(np.array(int(np.prod(x._shape, dtype=np.int64)), dtype=out_type.as_numpy_dtype))
    return bind("size", (x,), {"out_type": out_type})


def rank(input, name=None):  # noqa: A002
    """The number of dimensions of a tensor, as an int32 scalar."""
    return constant(len(to_tensor(input)._shape), dtype=dtypes.int32)


def shape_n(input, out_type=dtypes.int32, name=None):  # noqa: A002
    return [shape(x, out_type) for x in input]
