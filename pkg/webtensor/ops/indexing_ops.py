"""Indexing ops: gather/gather_nd, scatter_nd and friends, unsorted_segment_sum, where_indices, boolean_mask,
one_hot."""
import numpy as np

from .. import dtypes, errors
from ..core.registry import bind, defop
from ..core.tensor import convert_to_tensor
from ..tensor_shape import TensorShape
from . import math_ops as m
from . import reduction_ops as r
from ._helpers import INTEGER, check_dtype, normalize_axis, static_shape, static_value, to_tensor
from .constructor_ops import range_
from .shape_ops import _fmt, expand_dims, reshape, shape, transpose


# -- gather / scatter ------------------------------------------------------------------------------

def _position(flat, shape):
    return ",".join(str(int(i)) for i in np.unravel_index(flat, shape)) if shape else ""


def _check_indices(indices, limit, op):
    """TensorFlow (on CPU) rejects indices outside [0, limit), negative ones included, naming the first."""
    bad = (indices < 0) | (indices >= limit)
    if bad.any():
        k = int(np.flatnonzero(bad)[0])
        raise errors.InvalidArgumentError(
            None, op, f"indices[{_position(k, indices.shape)}] = {int(indices.reshape(-1)[k])} is not in "
            f"[0, {limit}) [Op:{op}]")


def _check_index_rows(indices, shape, op):
    """Each row of the last axis of indices must address an element (or slice) of shape."""
    k = indices.shape[-1]
    bad = ((indices < 0) | (indices >= np.asarray(shape[:k], dtype=np.int64))).any(axis=-1)
    if bad.any():
        flat = int(np.flatnonzero(bad)[0])
        row = indices.reshape(-1, k)[flat]
        where = "param shape" if op == "GatherNd" else "shape"
        raise errors.InvalidArgumentError(
            None, op, f"indices[{_position(flat, bad.shape)}] = [{', '.join(str(int(v)) for v in row)}] does not "
            f"index into {where} {_fmt(shape)} [Op:{op}]")


def _gather_kernel(params, indices, axis, batch_dims):
    _check_indices(indices, params.shape[axis], "GatherV2")
    idx = indices.astype(np.intp, copy=False)  # numpy indexes with intp: int32 under wasm32 (Pyodide)
    if batch_dims == 0:
        return np.take(params, idx, axis=axis)
    # batched: loop over the flattened batch (params and indices share leading batch dims)
    bshape = params.shape[:batch_dims]
    p = params.reshape((-1,) + params.shape[batch_dims:])
    i = idx.reshape((-1,) + idx.shape[batch_dims:])
    out = np.stack([np.take(p[b], i[b], axis=axis - batch_dims) for b in range(p.shape[0])])
    return out.reshape(bshape + out.shape[1:])


def _gather_infer(inputs, params):
    p, i = inputs
    a, b = params["axis"], params["batch_dims"]
    for d in range(b):
        if p._shape[d] is not None and i._shape[d] is not None and p._shape[d] != i._shape[d]:
            raise errors.InvalidArgumentError(
                None, "gather", f"params.shape[{d}]: {p._shape[d]} should be equal to indices.shape[{d}]: "
                f"{i._shape[d]} (batch_dims = {b}); params shape {_fmt(p._shape)}, indices shape {_fmt(i._shape)} "
                "[Op:GatherV2]")
    shape = p._shape[:a] + i._shape[b:] + p._shape[a + 1:]
    return [(shape, p._dtype)]


def _gather_grad(op, dy):
    p, i = op.inputs
    return [bind("gather_grad", (dy, i, p), op.params), None]


def _gather_grad_kernel(dy, indices, like, axis, batch_dims):
    indices = indices.astype(np.intp, copy=False)
    out = np.zeros(like.shape, dtype=dy.dtype)
    if batch_dims == 0:
        moved = np.moveaxis(out, axis, 0)
        d = np.moveaxis(dy.reshape(like.shape[:axis] + indices.shape + like.shape[axis + 1:]),
                        list(range(axis, axis + indices.ndim)), list(range(indices.ndim)))
        np.add.at(moved, indices, d)
        return out
    for bi in np.ndindex(*like.shape[:batch_dims]):
        out[bi] = _gather_grad_kernel(dy[bi], indices[bi], like[bi], axis - batch_dims, 0)
    return out


defop("gather", _gather_kernel, _gather_infer, _gather_grad)
defop("gather_grad", _gather_grad_kernel, lambda inputs, params: [(inputs[2]._shape, inputs[0]._dtype)],
      lambda op, dy: [bind("gather", (dy, op.inputs[1]), op.params), None, None])


def gather(params, indices, validate_indices=None, axis=None, batch_dims=0, name=None):
    """Takes slices of params along axis at the given indices.

    >>> tf.gather(tf.constant([10, 20, 30]), [2, 0])
    <tf.Tensor: shape=(2,), dtype=int32, numpy=array([30, 10], dtype=int32)>
    """
    p = to_tensor(params)
    i = to_tensor(indices)
    check_dtype(i, INTEGER, "GatherV2")
    bd = int(batch_dims)
    if bd < 0:
        bd += len(i._shape)
    a = bd if axis is None else normalize_axis(int(static_value(axis, "gather", "axis")), len(p._shape), "GatherV2")
    if a < bd:
        raise ValueError(f"gather: batch_dims ({bd}) must be less than or equal to axis ({a})")
    params = {"axis": a, "batch_dims": bd}
    if bd:
        _gather_infer((p, i), params)  # the batched kernel would pair mismatched batches
    return bind("gather", (p, i), params)


def _gather_nd_kernel(params, indices):
    _check_index_rows(indices, params.shape, "GatherNd")
    return params[tuple(np.moveaxis(indices.astype(np.intp, copy=False), -1, 0))]


def _gather_nd_infer(inputs, params):
    p, i = inputs
    k = i._shape[-1]
    if k is None:
        raise ValueError("gather_nd: the last dimension of indices must be known")
    if k > len(p._shape):
        raise errors.InvalidArgumentError(
            None, "gather_nd", f"index innermost dimension length must be <= params rank; saw: {k} vs. "
            f"{len(p._shape)} [Op:GatherNd]")
    return [(i._shape[:-1] + p._shape[k:], p._dtype)]


def _scatter_nd_kernel(indices, updates, shape):
    out = np.zeros(shape, dtype=updates.dtype)
    _check_index_rows(indices, shape, "ScatterNd")
    np.add.at(out, tuple(np.moveaxis(indices.astype(np.intp, copy=False), -1, 0)), updates)
    return out


def _scatter_nd_like_kernel(indices, updates, like):
    return _scatter_nd_kernel(indices, updates, like.shape)


defop("gather_nd", _gather_nd_kernel, _gather_nd_infer,
      lambda op, dy: [bind("scatter_nd_like", (op.inputs[1], dy, op.inputs[0])), None])
def _check_updates(indices, updates, shape, op):
    k = indices._shape[-1]
    if k is None:
        return
    want = tuple(indices._shape[:-1]) + tuple(shape[k:])
    got = tuple(updates._shape)
    if len(want) != len(got) or any(w is not None and g is not None and w != g for w, g in zip(want, got)):
        raise errors.InvalidArgumentError(
            None, op, f"updates must have shape indices.shape[:-1] + shape[indices.shape[-1]:] = {_fmt(want)}, got "
            f"updates shape {_fmt(got)} (indices shape {_fmt(indices._shape)}, shape {_fmt(shape)}) [Op:{op}]")


def _scatter_nd_infer(inputs, params):
    _check_updates(inputs[0], inputs[1], params["shape"], "ScatterNd")
    return [(params["shape"], inputs[1]._dtype)]


def _scatter_nd_like_infer(inputs, params):
    _check_updates(inputs[0], inputs[1], inputs[2]._shape, "ScatterNd")
    return [(inputs[2]._shape, inputs[1]._dtype)]


defop("scatter_nd", _scatter_nd_kernel, _scatter_nd_infer,
      lambda op, dy: [None, gather_nd(dy, op.inputs[0])])
defop("scatter_nd_like", _scatter_nd_like_kernel, _scatter_nd_like_infer,
      lambda op, dy: [None, gather_nd(dy, op.inputs[0]), None])


def gather_nd(params, indices, batch_dims=0, name=None):
    """Gathers slices of params addressed by the last axis of indices.

    >>> tf.gather_nd(tf.constant([[1, 2], [3, 4]]), [[1, 0]])
    <tf.Tensor: shape=(1,), dtype=int32, numpy=array([3], dtype=int32)>
    """
    if batch_dims:
        raise NotImplementedError("gather_nd with batch_dims > 0 is not supported; reshape the batch into indices")
    p = to_tensor(params)
    i = to_tensor(indices)
    check_dtype(i, INTEGER, "GatherNd")
    return bind("gather_nd", (p, i))


def scatter_nd(indices, updates, shape, name=None):
    """A zero tensor of `shape` with updates added at indices (duplicates accumulate).

    >>> tf.scatter_nd([[1], [3]], [9, 10], [5])
    """
    i = to_tensor(indices)
    u = to_tensor(updates)
    check_dtype(i, INTEGER, "ScatterNd")
    params = {"shape": static_shape(shape, "scatter_nd")}
    _scatter_nd_infer((i, u), params)  # np.add.at would broadcast updates of the wrong shape
    return bind("scatter_nd", (i, u), params)


def tensor_scatter_nd_add(tensor, indices, updates, name=None):
    """tensor with updates added at indices."""
    t = to_tensor(tensor)
    i, u = to_tensor(indices), to_tensor(updates, t._dtype)
    _scatter_nd_like_infer((i, u, t), {})
    return m.add(t, bind("scatter_nd_like", (i, u, t)))


def tensor_scatter_nd_update(tensor, indices, updates, name=None):
    """tensor with the elements (or slices) at indices replaced by updates; of repeated indices the last one wins.

    >>> tf.tensor_scatter_nd_update(tf.zeros([4]), [[1], [3], [1]], [5., 6., 7.])
    <tf.Tensor: shape=(4,), dtype=float32, numpy=array([0., 7., 0., 6.], dtype=float32)>
    """
    t = to_tensor(tensor)
    i = to_tensor(indices)
    check_dtype(i, INTEGER, "TensorScatterUpdate")
    u = to_tensor(updates, t._dtype)
    _scatter_nd_like_infer((i, u, t), {})
    keep = _last_occurrences(i)
    for _ in range(len(u._shape) - len(keep._shape)):
        keep = expand_dims(keep, -1)
    kept = m.where(keep, u, m.zeros_like(u))   # scatter_nd_like adds: only the kept update reaches each cell
    hits = bind("scatter_nd_like", (i, m.cast(m.ones_like(u), dtypes.int32), t))
    return m.where(m.greater(hits, m.zeros_like(hits)), bind("scatter_nd_like", (i, kept, t)), t)


def _last_occurrences(indices):
    """A bool tensor of shape indices.shape[:-1]: True where no later index row repeats this one.

    The rows are sorted lexicographically by stable argsorts, one per column from the last, so
    equal rows end up adjacent in their original order: a row is the last of its kind when the
    next sorted row differs (or it is the final one).
    """
    k = indices._shape[-1]
    if k is None:
        raise ValueError("tensor_scatter_nd_update: the last dimension of indices must be known")
    rows = reshape(indices, [-1, k])
    order = bind("argsort", (rows[:, k - 1],), {"axis": 0, "descending": False})  # (sort_ops imports this module)
    for c in range(k - 2, -1, -1):
        order = gather(order, bind("argsort", (gather(rows[:, c], order),), {"axis": 0, "descending": False}))
    sorted_rows = gather(rows, order)
    n = shape(rows)[0]
    position = range_(n)
    following = gather(sorted_rows, m.minimum(position + 1, n - 1))
    last = m.logical_or(m.logical_not(r.reduce_all(m.equal(sorted_rows, following), axis=-1)),
                        m.equal(position, n - 1))
    inverse = bind("argsort", (order,), {"axis": 0, "descending": False})
    return bind("reshape_like", (gather(last, inverse), indices[..., 0]))


def _segment_kernel(data, segment_ids, num_segments):
    # As in TensorFlow, negative ids drop their row; ids >= num_segments are an error.
    bad = segment_ids >= num_segments
    if bad.any():
        k = int(np.flatnonzero(bad)[0])
        raise errors.InvalidArgumentError(
            None, "UnsortedSegmentSum", f"segment_ids[{_position(k, segment_ids.shape)}] = "
            f"{int(segment_ids.reshape(-1)[k])} is out of range [0, {num_segments}) [Op:UnsortedSegmentSum]")
    out = np.zeros((num_segments,) + data.shape[segment_ids.ndim:], dtype=data.dtype)
    keep = segment_ids >= 0
    np.add.at(out, segment_ids[keep].astype(np.intp, copy=False), data[keep])
    return out


def _segment_grad(op, dy):
    # rows with a negative id were dropped: their gradient is zero (gather would reject the id)
    ids = op.inputs[1]
    keep = m.greater_equal(ids, m.zeros_like(ids))
    picked = gather(dy, m.where(keep, ids, m.zeros_like(ids)))
    mask = keep
    for _ in range(len(picked._shape) - len(ids._shape)):
        mask = expand_dims(mask, -1)
    return [m.where(mask, picked, m.zeros_like(picked)), None]


def _segment_infer(inputs, params):
    data, ids = inputs
    head = data._shape[:len(ids._shape)]
    if len(head) < len(ids._shape) or any(a is not None and b is not None and a != b for a, b in zip(head, ids._shape)):
        raise errors.InvalidArgumentError(
            None, "unsorted_segment_sum", f"data.shape = {_fmt(data._shape)} does not start with segment_ids.shape = "
            f"{_fmt(ids._shape)} [Op:UnsortedSegmentSum]")
    return [((params["num_segments"],) + data._shape[len(ids._shape):], data._dtype)]


defop("unsorted_segment_sum", _segment_kernel, _segment_infer, _segment_grad)


def unsorted_segment_sum(data, segment_ids, num_segments, name=None):
    """Sums the rows of data that share a segment id.

    >>> tf.math.unsorted_segment_sum(tf.constant([1, 2, 3]), [0, 1, 0], 2)
    """
    d = to_tensor(data)
    s = to_tensor(segment_ids)
    check_dtype(s, INTEGER, "UnsortedSegmentSum")
    return bind("unsorted_segment_sum", (d, s), {"num_segments": int(static_value(num_segments, "segment_sum",
                                                                                   "num_segments"))})


# -- where (indices), boolean_mask, one_hot ---------------------------------------------------------

defop("where_indices", lambda c: np.argwhere(c).astype(np.int64),
      lambda inputs, params: [((None, len(inputs[0]._shape)), dtypes.int64)])


def where_indices(condition):
    """The coordinates of True elements, as int64 [n, rank]."""
    c = to_tensor(condition)
    if c._dtype is not dtypes.bool:
        c = m.not_equal(c, m.zeros_like(c))
    return bind("where_indices", (c,))


def boolean_mask(tensor, mask, axis=None, name="boolean_mask"):
    """The elements (or slices) of tensor where mask is True.

    >>> tf.boolean_mask(tf.constant([1, 2, 3]), [True, False, True])
    <tf.Tensor: shape=(2,), dtype=int32, numpy=array([1, 3], dtype=int32)>
    """
    t = to_tensor(tensor)
    mk = to_tensor(mask)
    if mk._dtype is not dtypes.bool:
        raise TypeError(f"boolean_mask: mask must be a bool tensor, got {mk._dtype.name}")
    a = 0 if axis is None else normalize_axis(axis, len(t._shape), "boolean_mask")
    k = len(mk._shape)
    if k == 0:
        raise ValueError("boolean_mask: mask cannot be a scalar")
    inner = t._shape[a:a + k]
    if all(d is not None for d in inner) and any(dm is not None and dm != d for dm, d in zip(mk._shape, inner)):
        raise ValueError(f"Shapes {TensorShape(inner)} and {TensorShape(mk._shape)} are incompatible")
    if a:
        perm = list(range(a, len(t._shape))) + list(range(a))
        picked = gather_nd(transpose(t, perm), where_indices(mk))
        back = list(range(len(picked._shape) - a, len(picked._shape))) + list(range(len(picked._shape) - a))
        return transpose(picked, back)
    return gather_nd(t, where_indices(mk))


def one_hot(indices, depth, on_value=None, off_value=None, axis=None, dtype=None, name=None):
    """One-hot vectors of length depth at indices (out-of-range indices give all off_value).

    >>> tf.one_hot([0, 2], 3)
    <tf.Tensor: shape=(2, 3), dtype=float32, numpy=...>
    """
    i = to_tensor(indices)
    check_dtype(i, INTEGER, "OneHot")
    depth = int(static_value(depth, "one_hot", "depth"))
    if depth < 0:
        raise errors.InvalidArgumentError(None, "one_hot", f"depth must be non-negative, got: {depth} [Op:OneHot]")
    if dtype is None:
        dtype = (to_tensor(on_value)._dtype if on_value is not None else
                 to_tensor(off_value)._dtype if off_value is not None else dtypes.float32)
    dtype = dtypes.as_dtype(dtype)
    on = convert_to_tensor(1 if on_value is None else on_value, dtype=dtype)
    off = convert_to_tensor(0 if off_value is None else off_value, dtype=dtype)
    classes = range_(0, depth, dtype=i._dtype)
    hot = m.equal(expand_dims(i, -1), classes)
    out = m.where(hot, on, off)
    rank = len(out._shape)
    if axis is not None and axis != -1 and axis != rank - 1:
        a = axis % rank
        perm = list(range(rank - 1))
        perm.insert(a, rank - 1)
        out = transpose(out, perm)
    return out
