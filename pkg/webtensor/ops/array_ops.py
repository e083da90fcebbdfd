"""Shape and indexing ops: reshape, transpose, concat/split, gather/scatter, slicing, constructors."""
import builtins
import numbers

import numpy as np

from .. import dtypes, errors
from ..core.registry import bind, defop
from ..core.tensor import SymbolicTensor, Tensor, constant, convert_to_tensor
from ..tensor_shape import TensorShape
from . import math_ops as m
from ._helpers import (INTEGER, NUMERIC, broadcast_shapes, check_dtype, normalize_axes, normalize_axis,
                       static_shape, static_value, to_tensor)


def _fmt(shape):
    return "[" + ",".join("?" if d is None else str(d) for d in shape) + "]"


# -- reshape ---------------------------------------------------------------------------------------

def _reshape_infer(inputs, params):
    x = inputs[0]
    target = params["shape"]
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


defop("reshape", lambda x, shape: np.reshape(x, shape), _reshape_infer, _reshape_grad)
defop("reshape_like", lambda x, like: np.reshape(x, like.shape),
      lambda inputs, params: [(inputs[1]._shape, inputs[0]._dtype)],
      lambda op, dy: [_reshape_grad(op, dy)[0], None])


def reshape(tensor, shape, name=None):
    """Gives tensor a new shape with the same elements; one dimension may be -1.

    >>> tf.reshape(tf.range(6), [2, -1]).shape
    TensorShape([2, 3])
    """
    x = to_tensor(tensor)
    target = static_shape(shape, "reshape")
    if target == x._shape:
        return x
    if sum(1 for d in target if d == -1) > 1:
        raise errors.InvalidArgumentError(None, "reshape", f"Only one input size may be -1, not both in {list(target)}"
                                          " [Op:Reshape]")
    if any(d < -1 for d in target):
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


# -- concat / split / stack / unstack --------------------------------------------------------------

def _concat_infer(inputs, params):
    a = params["axis"]
    first = inputs[0]
    rank = len(first._shape)
    total = 0
    for k, t in enumerate(inputs):  # (not inputs.index(t): == on tensors is elementwise)
        if len(t._shape) != rank:
            raise errors.InvalidArgumentError(
                None, "concat", f"ConcatOp : Ranks of all input tensors should match: shape[0] = {_fmt(first._shape)} "
                f"vs. shape[{k}] = {_fmt(t._shape)} [Op:ConcatV2]")
        for i, (d0, d) in enumerate(zip(first._shape, t._shape)):
            if i != a and d0 is not None and d is not None and d0 != d:
                raise errors.InvalidArgumentError(
                    None, "concat", f"ConcatOp : Dimension {i} in both shapes must be equal: shape[0] = "
                    f"{_fmt(first._shape)} vs. shape[{k}] = {_fmt(t._shape)} [Op:ConcatV2]")
        total = None if total is None or t._shape[a] is None else total + t._shape[a]
        if t._dtype is not first._dtype:
            raise errors.DTypeMismatchError(None, "concat", f"ConcatOp: all inputs must have the same dtype, got "
                                            f"{first._dtype.name} and {t._dtype.name} [Op:ConcatV2]")
    shape = list(first._shape)
    shape[a] = total
    return [(tuple(shape), first._dtype)]


def _concat_grad(op, dy):
    a = op.params["axis"]
    sizes = [t._shape[a] for t in op.inputs]
    if None not in sizes:
        return list(split(dy, sizes, axis=a))
    if sizes.count(None) > 1:
        raise NotImplementedError("concat gradient needs all but one size along the concat axis to be known while "
                                  "tracing")
    # one unknown size: slice each piece by its offset from the start (before it) or the end (after it)
    u = sizes.index(None)
    grads = []
    for i in range(len(sizes)):
        if i < u:
            start = sum(sizes[:i])
            part = builtins.slice(start, start + sizes[i])
        elif i > u:
            end = sum(sizes[i:])
            stop = -end + sizes[i]
            part = builtins.slice(0, 0) if sizes[i] == 0 else builtins.slice(-end, stop if stop else None)
        else:
            tail = sum(sizes[u + 1:])
            part = builtins.slice(sum(sizes[:u]), -tail if tail else None)
        grads.append(dy[(builtins.slice(None),) * a + (part,)])
    return grads


defop("concat", lambda *xs, axis: np.concatenate(xs, axis=axis), _concat_infer, _concat_grad)


def concat(values, axis, name="concat"):
    """Joins tensors along an existing axis.

    >>> tf.concat([tf.ones([1, 2]), tf.zeros([1, 2])], axis=0).shape
    TensorShape([2, 2])
    """
    xs = [to_tensor(v) for v in values]
    if not xs:
        raise ValueError("concat needs at least one tensor")
    if len(xs) == 1:
        return xs[0]
    a = normalize_axis(int(static_value(axis, "concat", "axis")), len(xs[0]._shape), "concat")
    params = {"axis": a}
    if any(x._dtype is not xs[0]._dtype for x in xs):
        _concat_infer(tuple(xs), params)  # numpy would silently upcast mixed dtypes
    return bind("concat", tuple(xs), params)


def _split_kernel(x, sizes, axis):
    cuts = np.cumsum(sizes)[:-1]
    return tuple(np.split(x, cuts, axis=axis))


def _split_infer(inputs, params):
    x = inputs[0]
    a, sizes = params["axis"], params["sizes"]
    if x._shape[a] is not None and sum(sizes) != x._shape[a]:
        raise errors.InvalidArgumentError(
            None, "split", f"Determined shape must either match input shape along split_dim exactly if fully "
            f"specified, or be less than the size of the input along split_dim if not fully specified.  Got: "
            f"{sum(sizes)} vs. {x._shape[a]} [Op:SplitV]")
    out = []
    for s in sizes:
        shape = list(x._shape)
        shape[a] = s
        out.append((tuple(shape), x._dtype))
    return out


defop("split", _split_kernel, _split_infer, lambda op, *dys: [concat(list(dys), op.params["axis"])],
      num_outputs=lambda params: len(params["sizes"]))


def split(value, num_or_size_splits, axis=0, num=None, name="split"):
    """Splits a tensor into pieces along axis: a count of equal pieces, or a list of sizes.

    >>> [t.shape for t in tf.split(tf.ones([4, 2]), 2)]
    [TensorShape([2, 2]), TensorShape([2, 2])]
    """
    x = to_tensor(value)
    a = normalize_axis(int(static_value(axis, "split", "axis")), len(x._shape), "split")
    dim = x._shape[a]
    n = static_value(num_or_size_splits, "split", "num_or_size_splits")
    if isinstance(n, (numbers.Integral, np.integer)) or (isinstance(n, np.ndarray) and n.ndim == 0):
        n = int(n)
        if dim is None:
            raise ValueError("split: the split axis must have a known size to split into equal pieces")
        if n <= 0 or dim % n:
            raise errors.InvalidArgumentError(
                None, "split", f"Number of ways to split should evenly divide the split dimension, but got "
                f"split_dim {a} (size = {dim}) and num_split {n} [Op:Split]")
        sizes = (dim // n,) * n
    else:
        sizes = [int(s) for s in np.asarray(n).reshape(-1)]
        if sizes.count(-1) > 1:
            raise ValueError("split: at most one size may be -1")
        if -1 in sizes:
            if dim is None:
                raise ValueError("split: a -1 size needs the split axis size to be known")
            sizes[sizes.index(-1)] = dim - (sum(sizes) + 1)
        sizes = tuple(sizes)
    params = {"sizes": sizes, "axis": a}
    _split_infer((x,), params)  # numpy splits at the cuts whatever their sum
    out = bind("split", (x,), params)
    return list(out) if isinstance(out, tuple) else [out]


def stack(values, axis=0, name="stack"):
    """Stacks tensors of the same shape along a new axis.

    >>> tf.stack([tf.ones([2]), tf.zeros([2])], axis=1).shape
    TensorShape([2, 2])
    """
    xs = [to_tensor(v) if isinstance(v, Tensor) or hasattr(v, "_as_tensor") else convert_to_tensor(v)
          for v in values]
    if not xs:
        raise ValueError("stack needs at least one tensor")
    for i, t in enumerate(xs[1:], 1):
        if t._dtype is not xs[0]._dtype:
            xs[i] = convert_to_tensor(values[i], dtype=xs[0]._dtype) if not isinstance(values[i], Tensor) else t
        if xs[i]._shape != xs[0]._shape and None not in xs[i]._shape and None not in xs[0]._shape:
            raise errors.InvalidArgumentError(
                None, "stack", f"Shapes of all inputs must match: values[0].shape = {_fmt(xs[0]._shape)} != "
                f"values[{i}].shape = {_fmt(xs[i]._shape)} [Op:Pack]")
    rank = len(xs[0]._shape) + 1
    if not -rank <= axis < rank:
        raise ValueError(f"stack: axis = {axis} not in [{-rank}, {rank})")
    a = axis % rank
    return concat([bind("expand_dims", (t,), {"axis": a}) for t in xs], a) if len(xs) > 1 else \
        bind("expand_dims", (xs[0],), {"axis": a})


def unstack(value, num=None, axis=0, name="unstack"):
    """Splits a tensor into a list of tensors along axis, removing it.

    >>> len(tf.unstack(tf.ones([3, 2])))
    3
    """
    x = to_tensor(value)
    a = normalize_axis(axis, len(x._shape), "unstack")
    n = x._shape[a] if num is None else num
    if n is None:
        raise ValueError(f"Cannot infer argument `num` from shape {TensorShape(x._shape)}")
    if n == 0:
        return []
    parts = split(x, n, axis=a) if n > 1 else [x]
    return [bind("squeeze", (p,), {"axis": (a,)}) for p in parts]


# -- tile / pad / reverse / broadcast_to -----------------------------------------------------------

def _tile_infer(inputs, params):
    x = inputs[0]
    mult = params["multiples"]
    if len(mult) != len(x._shape):
        raise errors.InvalidArgumentError(
            None, "tile", f"Expected multiples argument to be a vector of length {len(x._shape)} but got length "
            f"{len(mult)} [Op:Tile]")
    return [(tuple(None if d is None else d * k for d, k in zip(x._shape, mult)), x._dtype)]


def _tile_grad(op, dy):
    x = op.inputs[0]
    mult = op.params["multiples"]
    if sum(1 for d in x._shape if d is None) > 1:
        raise NotImplementedError("tile gradient needs all but one input dimension to be known while tracing")
    split_shape = []
    for k, d in zip(mult, x._shape):
        split_shape += [k, -1 if d is None else d]  # one unknown dim: reshape infers it
    from .reduction_ops import reduce_sum
    return [reduce_sum(reshape(dy, split_shape), axis=list(range(0, 2 * len(mult), 2)))]


defop("tile", lambda x, multiples: np.tile(x, multiples), _tile_infer, _tile_grad)


def tile(input, multiples, name=None):  # noqa: A002
    """Repeats the tensor multiples[i] times along axis i.

    >>> tf.tile(tf.constant([[1, 2]]), [2, 1])
    """
    x = to_tensor(input)
    params = {"multiples": static_shape(multiples, "tile")}
    _tile_infer((x,), params)  # np.tile accepts any number of multiples
    return bind("tile", (x,), params)


def _pad_kernel(x, paddings, mode, constant_values):
    if mode == "CONSTANT":
        return np.pad(x, paddings, mode="constant", constant_values=np.asarray(constant_values, x.dtype))
    return np.pad(x, paddings, mode="reflect" if mode == "REFLECT" else "symmetric")


def _pad_infer(inputs, params):
    x = inputs[0]
    pads = params["paddings"]
    if len(pads) != len(x._shape):
        raise errors.InvalidArgumentError(
            None, "pad", f"The first dimension of paddings must be the rank of inputs[{len(pads)},2], "
            f"{_fmt(x._shape)} [Op:PadV2]")
    mode = params["mode"]
    for (lo, hi), d in zip(pads, x._shape):
        limit = None if d is None else d - (1 if mode == "REFLECT" else 0)
        if mode != "CONSTANT" and limit is not None and (lo > limit or hi > limit):
            raise errors.InvalidArgumentError(
                None, "pad", f"paddings must be no greater than the dimension size: {lo}, {hi} greater than {limit} "
                "[Op:MirrorPad]")
    return [(tuple(None if d is None else d + lo + hi for (lo, hi), d in zip(pads, x._shape)), x._dtype)]


def _pad_grad_kernel(dy, like, paddings, mode):
    if mode == "CONSTANT":
        idx = tuple(builtins.slice(lo, lo + d) for (lo, _), d in zip(paddings, like.shape))
        return np.ascontiguousarray(dy[idx])
    # mirror modes: pad an index map the same way, then add every padded cell back to its source
    index = np.arange(like.size).reshape(like.shape)
    padded = np.pad(index, paddings, mode="reflect" if mode == "REFLECT" else "symmetric")
    out = np.zeros(like.size, dtype=dy.dtype)
    np.add.at(out, padded.reshape(-1), dy.reshape(-1))
    return out.reshape(like.shape)


defop("pad", _pad_kernel, _pad_infer,
      lambda op, dy: [bind("pad_grad", (dy, op.inputs[0]), {"paddings": op.params["paddings"],
                                                             "mode": op.params["mode"]})])
defop("pad_grad", _pad_grad_kernel, lambda inputs, params: [(inputs[1]._shape, inputs[0]._dtype)],
      lambda op, dy: [bind("pad", (dy,), {"paddings": op.params["paddings"], "mode": op.params["mode"],
                                          "constant_values": 0}), None])


def pad(tensor, paddings, mode="CONSTANT", constant_values=0, name=None):
    """Pads each axis i with paddings[i] = [before, after]; mode CONSTANT, REFLECT or SYMMETRIC.

    >>> tf.pad(tf.ones([2, 2]), [[1, 1], [0, 0]]).shape
    TensorShape([4, 2])
    """
    x = to_tensor(tensor)
    mode = mode.upper()
    if mode not in ("CONSTANT", "REFLECT", "SYMMETRIC"):
        raise ValueError(f"pad: mode must be CONSTANT, REFLECT or SYMMETRIC, got {mode!r}")
    pads = np.asarray(static_value(paddings, "pad", "paddings")).astype(np.int64)
    if pads.ndim != 2 or pads.shape[1] != 2:
        raise ValueError(f"pad: paddings must have shape [rank, 2], got {list(pads.shape)}")
    if (pads < 0).any():
        raise errors.InvalidArgumentError(None, "pad", f"Paddings must be non-negative: {pads.tolist()} [Op:Pad]")
    pads = tuple((int(lo), int(hi)) for lo, hi in pads)
    cv = float(constant_values) if x._dtype.is_floating else int(constant_values)
    params = {"paddings": pads, "mode": mode, "constant_values": cv}
    _pad_infer((x,), params)  # numpy pads mirror modes wider than the input by repeating
    return bind("pad", (x,), params)


defop("reverse", lambda x, axis: np.ascontiguousarray(np.flip(x, axis)) if axis else x,
      lambda inputs, params: [(inputs[0]._shape, inputs[0]._dtype)],
      lambda op, dy: [bind("reverse", (dy,), op.params)])


def reverse(tensor, axis, name=None):
    """Reverses the order of elements along the given axes.

    >>> tf.reverse(tf.constant([1, 2, 3]), [0])
    """
    x = to_tensor(tensor)
    return bind("reverse", (x,), {"axis": normalize_axes(axis, len(x._shape), "reverse")})


def _broadcast_to_infer(inputs, params):
    x = inputs[0]
    target = params["shape"]
    try:
        out = broadcast_shapes(x._shape, target, "broadcast_to")
    except errors.InvalidArgumentError:
        out = None
    if out is None or tuple(out) != tuple(target):
        raise errors.InvalidArgumentError(
            None, "broadcast_to", f"Unable to broadcast tensor of shape {_fmt(x._shape)} to tensor of shape "
            f"{_fmt(target)} [Op:BroadcastTo]")
    return [(tuple(target), x._dtype)]


defop("broadcast_to", lambda x, shape: np.broadcast_to(x, shape), _broadcast_to_infer,
      lambda op, dy: [m.sum_like(dy, op.inputs[0])])


def broadcast_to(input, shape, name=None):  # noqa: A002
    """Broadcasts a tensor to shape, numpy style.

    >>> tf.broadcast_to(tf.constant([1, 2]), [2, 2])
    """
    x = to_tensor(input)
    target = static_shape(shape, "broadcast_to")
    if target == x._shape:
        return x
    return bind("broadcast_to", (x,), {"shape": target})


def broadcast_static_shape(shape_x, shape_y):
    return TensorShape(broadcast_shapes(tuple(TensorShape(shape_x).as_list()), tuple(TensorShape(shape_y).as_list()),
                                        "broadcast_static_shape"))


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
    idx = indices
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
    return params[tuple(np.moveaxis(indices, -1, 0))]


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
    np.add.at(out, tuple(np.moveaxis(indices, -1, 0)), updates)
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
    """tensor with the elements at indices replaced by updates."""
    t = to_tensor(tensor)
    i = to_tensor(indices)
    u = to_tensor(updates, t._dtype)
    _scatter_nd_like_infer((i, u, t), {})
    mask = bind("scatter_nd_like", (i, m.ones_like(u), t))
    return m.where(m.greater(mask, m.zeros_like(mask)), bind("scatter_nd_like", (i, u, t)), t)


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
    np.add.at(out, segment_ids[keep], data[keep])
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


# -- constructors ----------------------------------------------------------------------------------

def zeros(shape, dtype=dtypes.float32, name=None):
    """A tensor of zeros.

    >>> tf.zeros([2, 3]).shape
    TensorShape([2, 3])
    """
    dtype = dtypes.as_dtype(dtype)
    return broadcast_to(constant(np.zeros((), dtype.as_numpy_dtype)), static_shape(shape, "zeros"))


def ones(shape, dtype=dtypes.float32, name=None):
    """A tensor of ones."""
    dtype = dtypes.as_dtype(dtype)
    return broadcast_to(constant(np.ones((), dtype.as_numpy_dtype)), static_shape(shape, "ones"))  # bool too


def fill(dims, value, name=None):
    """A tensor of shape dims filled with value.

    >>> tf.fill([2], 7)
    <tf.Tensor: shape=(2,), dtype=int32, numpy=array([7, 7], dtype=int32)>
    """
    v = to_tensor(value)
    if v._shape:
        raise errors.InvalidArgumentError(None, "fill", f"value must be a scalar, got shape {_fmt(v._shape)} [Op:Fill]")
    return broadcast_to(v, static_shape(dims, "fill"))


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


defop("identity", lambda x: x, lambda inputs, params: [(inputs[0]._shape, inputs[0]._dtype)],
      lambda op, dy: [dy])
defop("stop_gradient", lambda x: x, lambda inputs, params: [(inputs[0]._shape, inputs[0]._dtype)])


def identity(input, name=None):  # noqa: A002
    """Returns a tensor with the same value (a new node in graphs)."""
    return bind("identity", (to_tensor(input),))


def stop_gradient(input, name=None):  # noqa: A002
    """The same value, but gradients do not flow through it.

    >>> x = tf.Variable(2.0)
    >>> with tf.GradientTape() as t: y = tf.stop_gradient(x) * x
    >>> t.gradient(y, x)
    <tf.Tensor: shape=(), dtype=float32, numpy=2.0>
    """
    return bind("stop_gradient", (to_tensor(input),))


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


# -- slicing ---------------------------------------------------------------------------------------

def _slice_infer(inputs, params):
    x = inputs[0]
    return [(_sliced_shape(x._shape, params["spec"]), x._dtype)]


def _sliced_shape(shape, spec):
    out = []
    dim = 0
    for s in spec:
        if s is None:
            out.append(1)
        elif isinstance(s, int):
            d = shape[dim]
            if d is not None and not -d <= s < d:
                raise errors.InvalidArgumentError(
                    None, "strided_slice", f"slice index {s} of dimension {dim} out of bounds. [Op:StridedSlice] "
                    f"name: strided_slice/")
            dim += 1
        else:
            d = shape[dim]
            out.append(None if d is None else len(range(*s.indices(d))))
            dim += 1
    return tuple(out) + tuple(shape[dim:])


def _slice_kernel(x, spec):
    return x[spec]


def _slice_grad(op, dy):
    return [bind("strided_slice_grad", (dy, op.inputs[0]), op.params)]


def _slice_grad_kernel(dy, like, spec):
    out = np.zeros(like.shape, dtype=dy.dtype)
    out[spec] = dy
    return out


defop("strided_slice", _slice_kernel, _slice_infer, _slice_grad)
defop("strided_slice_grad", _slice_grad_kernel, lambda inputs, params: [(inputs[1]._shape, inputs[0]._dtype)],
      lambda op, dy: [bind("strided_slice", (dy,), op.params), None])


def _normalize_index(key, shape, op="strided_slice"):
    """A tuple of ints, slices (with int bounds) and None, with the ellipsis expanded."""
    if not isinstance(key, tuple):
        key = (key,)
    items = []
    for k in key:
        if isinstance(k, (Tensor,)) or hasattr(k, "_as_tensor"):
            t = to_tensor(k)
            if t._shape != ():
                raise TypeError(f"Only integers, slices (`:`), ellipsis (`...`), tf.newaxis (`None`) and scalar "
                                f"tf.int32/tf.int64 tensors are valid indices, got a tensor of shape {t.shape}")
            k = int(static_value(t, op, "index"))
        elif isinstance(k, builtins.slice):
            k = builtins.slice(*(None if v is None else int(static_value(v, op, "slice bound")) for v in
                        (k.start, k.stop, k.step)))
            if k.step == 0:
                raise ValueError("slice step cannot be zero")
        elif isinstance(k, (bool, np.bool_)):
            raise TypeError("Only integers, slices, ellipsis, tf.newaxis and scalar int tensors are valid indices, "
                            f"got {k!r}")
        elif isinstance(k, (numbers.Integral, np.integer)):
            k = int(k)
        elif k is not None and k is not Ellipsis:
            raise TypeError(f"Only integers, slices (`:`), ellipsis (`...`), tf.newaxis (`None`) and scalar "
                            f"tf.int32/tf.int64 tensors are valid indices, got {k!r}")
        items.append(k)
    if sum(1 for k in items if k is Ellipsis) > 1:
        raise ValueError("Multiple ellipses in slice spec not allowed")
    consumed = sum(1 for k in items if k is not None and k is not Ellipsis)
    if consumed > len(shape):
        raise errors.InvalidArgumentError(
            None, op, f"Index out of range using input dim {len(shape)}; input has only {len(shape)} dims "
            "[Op:StridedSlice]")
    if Ellipsis in items:
        i = items.index(Ellipsis)
        items[i:i + 1] = [builtins.slice(None)] * (len(shape) - consumed)
    return tuple(items)


def getitem(tensor, key):
    """TensorFlow slicing: ints, slices with steps and negatives, `...` and tf.newaxis."""
    x = to_tensor(tensor)
    if isinstance(key, (list, np.ndarray)) or (isinstance(key, Tensor) and key._dtype is dtypes.bool):
        raise TypeError("Only integers, slices (`:`), ellipsis (`...`), tf.newaxis (`None`) and scalar "
                        "tf.int32/tf.int64 tensors are valid indices; use tf.gather or tf.boolean_mask for lists "
                        "and masks")
    spec = _normalize_index(key, x._shape)
    if all(isinstance(s, builtins.slice) and s == builtins.slice(None) for s in spec):
        return x
    return bind("strided_slice", (x,), {"spec": spec})


def slice(input_, begin, size, name=None):  # noqa: A001 - TensorFlow's public name
    """Extracts a slice of `size` starting at `begin` (size -1 takes the rest).

    >>> tf.slice(tf.constant([1, 2, 3, 4]), [1], [2])
    <tf.Tensor: shape=(2,), dtype=int32, numpy=array([2, 3], dtype=int32)>
    """
    x = to_tensor(input_)
    b = [int(v) for v in np.asarray(static_value(begin, "slice", "begin")).reshape(-1)]
    s = [int(v) for v in np.asarray(static_value(size, "slice", "size")).reshape(-1)]
    if len(b) != len(x._shape) or len(s) != len(x._shape):
        raise errors.InvalidArgumentError(
            None, "slice", f"Expected begin and size arguments to be 1-D tensors of size {len(x._shape)}, but got "
            f"shapes [{len(b)}] and [{len(s)}] instead. [Op:Slice]")
    spec = tuple(builtins.slice(bi, None if si == -1 else bi + si) for bi, si in zip(b, s))
    for bi, si, d in zip(b, s, x._shape):
        if d is not None and (bi < 0 or (si != -1 and bi + si > d)):
            raise errors.InvalidArgumentError(
                None, "slice", f"Expected begin[i] in [0, {d}] and size[i] in [0, {d} - begin[i]], got begin {b} "
                f"and size {s} [Op:Slice]")
    return bind("strided_slice", (x,), {"spec": spec})


def strided_slice(input_, begin, end, strides=None, begin_mask=0, end_mask=0, ellipsis_mask=0,
                  new_axis_mask=0, shrink_axis_mask=0, var=None, name=None):
    """TensorFlow's strided_slice with its bit masks, mapped onto Python slicing."""
    x = to_tensor(input_)
    b = [int(v) for v in np.asarray(static_value(begin, "strided_slice", "begin")).reshape(-1)]
    e = [int(v) for v in np.asarray(static_value(end, "strided_slice", "end")).reshape(-1)]
    st = [1] * len(b) if strides is None else \
        [int(v) for v in np.asarray(static_value(strides, "strided_slice", "strides")).reshape(-1)]
    key = []
    for i in range(len(b)):
        bit = 1 << i
        if ellipsis_mask & bit:
            key.append(Ellipsis)
        elif new_axis_mask & bit:
            key.append(None)
        elif shrink_axis_mask & bit:
            key.append(b[i])
        else:
            key.append(builtins.slice(None if begin_mask & bit else b[i], None if end_mask & bit else e[i], st[i]))
    return getitem(x, tuple(key))


# -- sorting ---------------------------------------------------------------------------------------

def _topk_kernel(x, k, sorted):  # noqa: A002
    idx = np.argsort(-x, axis=-1, kind="stable")[..., :k]
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
    idx = np.argsort(-x if descending else x, axis=axis, kind="stable")
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


