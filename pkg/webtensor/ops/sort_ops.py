"""Sorting: top_k, sort and argsort."""
import collections

import numpy as np

from .. import dtypes, errors
from ..core.registry import bind, defop
from . import math_ops as m
from ._helpers import NUMERIC, check_dtype, normalize_axis, to_tensor
from .array_ops import stack
from .constructor_ops import range_
from .indexing_ops import gather, one_hot
from .shape_ops import broadcast_to, expand_dims, reshape, transpose


# -- sorting ---------------------------------------------------------------------------------------

def _descending_order(x, axis):
    """Indices that sort x in descending order along axis, ties in index order (TensorFlow's top_k rule).

    Negating x would wrap unsigned ints and the signed minimum and fails for bool: instead sort the
    reversed array ascending (stable), then reverse the order and map positions back.
    """
    n = x.shape[axis]
    return np.flip(n - 1 - np.argsort(np.flip(x, axis), axis=axis, kind="stable"), axis)


def _topk_kernel(x, k, sorted):  # noqa: A002
    idx = _descending_order(x, -1)[..., :k]
    return np.take_along_axis(x, idx, axis=-1), idx.astype(np.int32)


def _topk_infer(inputs, params):
    x = inputs[0]
    k = params["k"]
    if x._shape[-1] is not None and x._shape[-1] < k:
        raise errors.InvalidArgumentError(
            None, "top_k", f"input must have at least k columns. Had {x._shape[-1]}, needed {k} [Op:TopKV2]")
    shape = x._shape[:-1] + (k,)
    return [(shape, x._dtype), (shape, dtypes.int32)]


def _topk_grad(op, dvalues, dindices):
    x = op.inputs[0]
    idx = op.outputs[1]
    if None in x._shape:
        if x._shape[-1] is None:
            raise NotImplementedError("top_k gradient needs the size of the last axis to be known while tracing")
        # unknown leading dims: each of the k values adds its gradient at its index of the last axis
        from .reduction_ops import reduce_sum
        hot = one_hot(idx, x._shape[-1], dtype=dvalues._dtype)
        return [reduce_sum(hot * expand_dims(dvalues, -1), axis=-2)]
    flat_x = reshape(x, [-1, x._shape[-1]])
    rows = x._shape[:-1]
    n = int(np.prod(rows, dtype=np.int64))
    k = op.params["k"]
    row_ids = m.cast(reshape(broadcast_to(reshape(range_(n), [n, 1]), [n, k]), [-1]), dtypes.int32)
    coords = stack([row_ids, reshape(idx, [-1])], axis=1)
    g = bind("scatter_nd_like", (coords, reshape(dvalues, [-1]), flat_x))
    return [reshape(g, x._shape)]


defop("top_k", _topk_kernel, _topk_infer, _topk_grad, num_outputs=2)


def top_k(input, k=1, sorted=True, index_type=dtypes.int32, name=None):  # noqa: A002
    """The k largest entries of the last axis and their indices.

    >>> tf.math.top_k(tf.constant([1, 3, 2]), k=2).values
    """
    import collections
    x = to_tensor(input)
    check_dtype(x, NUMERIC, "TopKV2")
    params = {"k": int(k), "sorted": bool(sorted)}
    if params["k"] < 0:
        raise errors.InvalidArgumentError(None, "top_k", f"Need k >= 0, got {params['k']} [Op:TopKV2]")
    _topk_infer((x,), params)  # numpy would return fewer than k values
    values, indices = bind("top_k", (x,), params)
    TopKV2 = collections.namedtuple("TopKV2", ["values", "indices"])
    return TopKV2(values, indices)


def sort(values, axis=-1, direction="ASCENDING", name=None):
    """Sorts along axis (ASCENDING or DESCENDING)."""
    x = to_tensor(values)
    a = normalize_axis(axis, len(x._shape), "sort")
    idx = argsort(x, axis=a, direction=direction)
    return gather(x, idx, axis=a, batch_dims=a)


def _argsort_kernel(x, axis, descending):
    idx = _descending_order(x, axis) if descending else np.argsort(x, axis=axis, kind="stable")
    return idx.astype(np.int32)


defop("argsort", _argsort_kernel, lambda inputs, params: [(inputs[0]._shape, dtypes.int32)])


def argsort(values, axis=-1, direction="ASCENDING", stable=False, name=None):
    """The indices that sort values along axis."""
    x = to_tensor(values)
    if direction not in ("ASCENDING", "DESCENDING"):
        raise ValueError(f"direction must be ASCENDING or DESCENDING, got {direction!r}")
    a = normalize_axis(axis, len(x._shape), "argsort")
    if a != len(x._shape) - 1:
        perm = [i for i in range(len(x._shape)) if i != a] + [a]
        inv = list(np.argsort(perm))
        return transpose(argsort(transpose(x, perm), -1, direction), inv)
    return bind("argsort", (x,), {"axis": a, "descending": direction == "DESCENDING"})
