"""Joining and repeating ops: concat/split/stack/unstack, tile/pad/reverse, identity and stop_gradient.

This module is also TensorFlow's `array_ops` namespace: it re-exports the shape ops,
constructors, indexing and slicing ops that live in their own modules (core/ and the
other op modules reach them as `array_ops.<name>`). The sort ops (top_k, sort, argsort)
live in sort_ops.py, which imports this module, so they are not re-exported here.
"""
import builtins
import numbers

import numpy as np

from .. import errors
from ..core.registry import bind, defop
from ..core.tensor import Tensor, convert_to_tensor
from ..tensor_shape import TensorShape
from ._helpers import normalize_axes, normalize_axis, static_shape, static_value, to_tensor
from .constructor_ops import eye, fill, linspace, ones, range_, zeros  # noqa: F401 - re-exported
from .indexing_ops import (boolean_mask, gather, gather_nd, one_hot, scatter_nd,  # noqa: F401 - re-exported
                           tensor_scatter_nd_add, tensor_scatter_nd_update, unsorted_segment_sum, where_indices)
from .shape_ops import (_fmt, broadcast_static_shape, broadcast_to, expand_dims, rank,  # noqa: F401 - re-exported
                        reshape, shape, shape_n, size, squeeze, transpose)
from .slice_ops import getitem, slice, strided_slice  # noqa: F401,A004 - re-exported


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


# -- tile / pad / reverse --------------------------------------------------------------------------

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


def repeat(input, repeats, axis=None, name=None):  # noqa: A002
    """Repeats each element `repeats` times along axis (flattening first when axis is None).

    >>> tf.repeat(tf.constant([1, 2]), 2)
    <tf.Tensor: shape=(4,), dtype=int32, numpy=array([1, 1, 2, 2], dtype=int32)>
    """
    x = to_tensor(input)
    if axis is None:
        x = reshape(x, [-1])
        axis = 0
    a = normalize_axis(int(axis), len(x._shape), "repeat")
    counts = np.asarray(static_value(repeats, "repeat", "repeats")).astype(np.int64)
    if (counts < 0).any():
        raise ValueError(f"repeat: repeats must be non-negative, got {counts.tolist()}")
    if counts.ndim == 0 or counts.size == 1:
        n = int(counts.reshape(-1)[0])
        expanded = tile(expand_dims(x, a + 1), [1] * (a + 1) + [n] + [1] * (len(x._shape) - a - 1))
        shape = [-1 if d is None else d for d in x._shape]
        shape[a] = -1 if x._shape[a] is None else x._shape[a] * n
        return reshape(expanded, shape)
    if x._shape[a] is not None and counts.size != x._shape[a]:
        raise errors.InvalidArgumentError(
            None, "repeat", f"repeats has {counts.size} entries but axis {a} has size {x._shape[a]} [Op:repeat]")
    return gather(x, np.repeat(np.arange(counts.size), counts).astype(np.int32), axis=a)


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


# -- identity / stop_gradient ----------------------------------------------------------------------

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
