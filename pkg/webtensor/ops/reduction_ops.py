"""Reductions along axes (sum, mean, max, min, prod, any, all), arg-reductions and cumulative ops."""
import numpy as np

from .. import dtypes, errors
from ..core.registry import bind, defop
from . import math_ops as m
from ._helpers import BOOL, NUMERIC, check_dtype, normalize_axes, normalize_axis, to_tensor


def _reduced_shape(shape, axes, keepdims):
    if keepdims:
        return tuple(1 if i in axes else d for i, d in enumerate(shape))
    return tuple(d for i, d in enumerate(shape) if i not in axes)


def _reduce_infer(out_dtype=None):
    def infer(inputs, params):
        x = inputs[0]
        rank = len(x._shape)
        for a in params["axis"]:  # params may come from a saved graph, not only from the public function
            if not 0 <= a < max(rank, 1):
                raise errors.InvalidArgumentError(
                    None, None, f"Invalid reduction dimension {a} for input with {rank} dimensions.")
        return [(_reduced_shape(x._shape, params["axis"], params["keepdims"]), out_dtype or x._dtype)]
    return infer


def _keepdims(dy, op):
    """dy reshaped so it broadcasts against the reduction's input."""
    if op.params["keepdims"]:
        return dy
    from .array_ops import expand_dims
    for a in op.params["axis"]:
        dy = expand_dims(dy, a)
    return dy


def _sum_grad(op, dy):
    return [m.broadcast_like(_keepdims(dy, op), op.inputs[0])]


def _mean_grad(op, dy):
    x = op.inputs[0]
    g = m.broadcast_like(_keepdims(dy, op), x)
    counts = [x._shape[a] for a in op.params["axis"]]
    if all(c is not None for c in counts):
        n = int(np.prod(counts, dtype=np.int64))
        return [g / max(n, 1) if n else g]
    from .array_ops import size
    return [g / m.cast(m.divide(size(x), size(dy)), dy._dtype)]


def _extreme_grad(op, dy):
    x = op.inputs[0]
    y = m.broadcast_like(_keepdims(op.outputs[0], op), x)
    mask = m.cast(m.equal(x, y), dy._dtype)
    ties = m.broadcast_like(_keepdims(bind("reduce_sum", (mask,), op.params), op), x)
    return [mask * m.broadcast_like(_keepdims(dy, op), x) / ties]


def _prod_grad(op, dy):
    # d prod / d x_i = product of the other elements, from exclusive cumulative products on both
    # sides (correct when x holds zeros, unlike prod / x).
    x = op.inputs[0]
    axes = op.params["axis"]
    g = m.broadcast_like(_keepdims(dy, op), x)
    if not axes:
        return [g]
    if len(axes) == 1:  # no reshape needed, so unknown dims are fine
        a = axes[0]
        others = cumprod(x, axis=a, exclusive=True) * cumprod(x, axis=a, exclusive=True, reverse=True)
        return [others * g]
    from .array_ops import reshape, transpose
    rank = len(x._shape)
    keep = [i for i in range(rank) if i not in axes]
    perm = keep + list(axes)
    xt = transpose(x, perm)
    reduced = [x._shape[i] for i in axes]
    kept = [x._shape[i] for i in keep]
    if None not in reduced:
        flat = reshape(xt, [-1, int(np.prod(reduced, dtype=np.int64))])
    elif None not in kept:
        flat = reshape(xt, [int(np.prod(kept, dtype=np.int64)), -1])
    else:
        raise NotImplementedError("reduce_prod gradient over several axes needs the reduced or the kept dimensions "
                                  "to be known while tracing")
    left = cumprod(flat, axis=1, exclusive=True)
    right = cumprod(flat, axis=1, exclusive=True, reverse=True)
    others = bind("reshape_like", (left * right, xt))
    return [transpose(others, list(np.argsort(perm))) * g]


def _np_reduce(ufunc):
    # ufunc.reduce skips np.sum's Python wrapper (about 1.5 us per call); numpy may widen small
    # ints while accumulating, so the result is cast back to the input dtype.
    def kernel(x, axis, keepdims):
        return np.asarray(ufunc.reduce(x, axis=axis, keepdims=keepdims), dtype=x.dtype)
    return kernel


def _mean_kernel(x, axis, keepdims):
    if x.dtype.kind in "iu":  # TensorFlow's integer mean truncates
        s = np.sum(x, axis=axis, keepdims=keepdims, dtype=np.int64)
        n = int(np.prod([x.shape[a] for a in axis], dtype=np.int64)) if axis else 1
        return np.asarray(np.trunc(s / max(n, 1)), dtype=x.dtype)
    return np.asarray(np.mean(x, axis=axis, keepdims=keepdims), dtype=x.dtype)


def _minmax_kernel(fn, identity_name):
    def kernel(x, axis, keepdims):
        if x.size == 0:
            info = np.finfo(x.dtype) if x.dtype.kind == "f" else np.iinfo(x.dtype) if x.dtype.kind in "iu" else None
            fill = (-np.inf if identity_name == "max" else np.inf) if x.dtype.kind == "f" else \
                (info.min if identity_name == "max" else info.max) if info is not None else identity_name == "min"
            shape = _reduced_shape(x.shape, axis, keepdims)
            return np.full(shape, fill, dtype=x.dtype)
        return np.asarray(fn.reduce(x, axis=axis, keepdims=keepdims), dtype=x.dtype)
    return kernel


# name: (numpy kernel, gradient, allowed dtypes, output dtype)
REDUCTIONS = {
    "reduce_sum": (_np_reduce(np.add), _sum_grad, NUMERIC, None),
    "reduce_mean": (_mean_kernel, _mean_grad, NUMERIC, None),
    "reduce_max": (_minmax_kernel(np.maximum, "max"), _extreme_grad, NUMERIC, None),
    "reduce_min": (_minmax_kernel(np.minimum, "min"), _extreme_grad, NUMERIC, None),
    "reduce_prod": (_np_reduce(np.multiply), _prod_grad, NUMERIC, None),
    "reduce_any": (_np_reduce(np.logical_or), None, BOOL, dtypes.bool),
    "reduce_all": (_np_reduce(np.logical_and), None, BOOL, dtypes.bool),
}


def _make_reduction(name, kernel, grad, allowed, out_dtype):
    defop(name, kernel, _reduce_infer(out_dtype), grad)

    def fn(input_tensor, axis=None, keepdims=False, name=None):
        x = to_tensor(input_tensor)
        if x._dtype not in allowed:
            check_dtype(x, allowed, op_name)
        axes = normalize_axes(axis, len(x._shape), op_name)
        return bind(op_name, (x,), {"axis": axes, "keepdims": bool(keepdims)})
    op_name = name
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = (f"{name.replace('reduce_', '').capitalize()} of elements across `axis` (all axes if None).\n\n"
                  f"    >>> tf.{name}(tf.constant([[1, 2], [3, 4]]), axis=0)\n    ")
    return fn


for _name, _row in REDUCTIONS.items():
    globals()[_name] = _make_reduction(_name, *_row)


def reduce_logsumexp(input_tensor, axis=None, keepdims=False, name=None):
    """log(sum(exp(x))) along axis, computed stably.

    >>> tf.reduce_logsumexp(tf.constant([0., 0.]))
    """
    from .array_ops import stop_gradient
    x = to_tensor(input_tensor)
    raw_max = reduce_max(x, axis=axis, keepdims=True)
    finite_max = stop_gradient(m.where(m.is_finite(raw_max), raw_max, m.zeros_like(raw_max)))
    out = m.log(reduce_sum(m.exp(x - finite_max), axis=axis, keepdims=True)) + finite_max
    if not keepdims:
        from .array_ops import squeeze
        axes = normalize_axes(axis, len(x._shape), "reduce_logsumexp")
        out = squeeze(out, axis=list(axes)) if axes else out
    return out


def reduce_variance(input_tensor, axis=None, keepdims=False, name=None):
    """The variance of elements along axis."""
    x = to_tensor(input_tensor)
    mean = reduce_mean(x, axis=axis, keepdims=True)
    return reduce_mean(m.square(x - mean), axis=axis, keepdims=keepdims)


def reduce_std(input_tensor, axis=None, keepdims=False, name=None):
    """The standard deviation of elements along axis."""
    return m.sqrt(reduce_variance(input_tensor, axis=axis, keepdims=keepdims))


def reduce_euclidean_norm(input_tensor, axis=None, keepdims=False, name=None):
    """sqrt(sum(x ** 2)) along axis."""
    x = to_tensor(input_tensor)
    return m.sqrt(reduce_sum(m.square(x), axis=axis, keepdims=keepdims))


def count_nonzero(input, axis=None, keepdims=False, dtype=dtypes.int64, name=None):  # noqa: A002
    """The number of non-zero elements along axis."""
    x = to_tensor(input)
    nz = m.not_equal(x, m.zeros_like(x))
    return reduce_sum(m.cast(nz, dtype), axis=axis, keepdims=keepdims)


def norm(tensor, ord="euclidean", axis=None, keepdims=False, name=None):  # noqa: A002
    """Vector norms: 'euclidean'/2, 1, or np.inf along axis (all elements when None)."""
    x = to_tensor(tensor)
    if ord in ("euclidean", 2, 2.0, "fro"):
        return reduce_euclidean_norm(x, axis=axis, keepdims=keepdims)
    if ord in (1, 1.0):
        return reduce_sum(m.abs(x), axis=axis, keepdims=keepdims)
    if ord == np.inf:
        return reduce_max(m.abs(x), axis=axis, keepdims=keepdims)
    raise ValueError(f"norm: ord must be 'euclidean', 1, 2 or np.inf, got {ord!r}")


# -- arg reductions --------------------------------------------------------------------------------

def _arg_infer(inputs, params):
    x = inputs[0]
    a = params["axis"]
    return [(tuple(d for i, d in enumerate(x._shape) if i != a), params["output_type"])]


def _arg_kernel(fn):
    def kernel(x, axis, output_type):
        if x.shape[axis] == 0:
            raise ValueError(f"Reduction axis {axis} is empty in shape {list(x.shape)}")
        return np.asarray(fn(x, axis=axis), dtype=output_type.as_numpy_dtype)
    return kernel


defop("argmax", _arg_kernel(np.argmax), _arg_infer)
defop("argmin", _arg_kernel(np.argmin), _arg_infer)


def _make_arg(op_name):
    def fn(input, axis=None, output_type=dtypes.int64, name=None):  # noqa: A002
        x = to_tensor(input)
        check_dtype(x, NUMERIC, op_name)
        a = normalize_axis(0 if axis is None else int(axis), len(x._shape), op_name)
        return bind(op_name, (x,), {"axis": a, "output_type": dtypes.as_dtype(output_type)})
    fn.__name__ = fn.__qualname__ = op_name
    fn.__doc__ = (f"The index of the {op_name[3:]}imum along axis (0 if None), as int64 by default.\n\n"
                  f"    >>> tf.math.{op_name}(tf.constant([1, 5, 3]))\n    ")
    return fn


argmax = _make_arg("argmax")
argmin = _make_arg("argmin")


# -- cumulative ops --------------------------------------------------------------------------------

def _cum_kernel(fn, identity):
    def kernel(x, axis, exclusive, reverse):
        if reverse:
            x = np.flip(x, axis)
        out = fn(x, axis=axis, dtype=x.dtype)
        if exclusive:
            pad = np.full_like(np.take(out, [0], axis=axis), identity)
            out = np.concatenate([pad, np.delete(out, -1, axis=axis)], axis=axis) if x.shape[axis] else out
        if reverse:
            out = np.flip(out, axis)
        return np.ascontiguousarray(out)
    return kernel


def _cumsum_grad(op, dy):
    p = op.params
    return [cumsum(dy, axis=p["axis"], exclusive=p["exclusive"], reverse=not p["reverse"])]


def _cumprod_grad(op, dy):
    # TensorFlow's rule: reverse-cumsum(dy * y) / x (inputs are assumed non-zero)
    x, y = op.inputs[0], op.outputs[0]
    p = op.params
    return [cumsum(dy * y, axis=p["axis"], exclusive=p["exclusive"], reverse=not p["reverse"]) / x]


def _cum_infer(inputs, params):
    return [(inputs[0]._shape, inputs[0]._dtype)]


defop("cumsum", _cum_kernel(np.cumsum, 0), _cum_infer, _cumsum_grad)
defop("cumprod", _cum_kernel(np.cumprod, 1), _cum_infer, _cumprod_grad)


def cumsum(x, axis=0, exclusive=False, reverse=False, name=None):
    """Cumulative sum along axis.

    >>> tf.cumsum(tf.constant([1, 2, 3]))
    <tf.Tensor: shape=(3,), dtype=int32, numpy=array([1, 3, 6], dtype=int32)>
    """
    x = to_tensor(x)
    check_dtype(x, NUMERIC, "cumsum")
    a = normalize_axis(int(axis), len(x._shape), "cumsum")
    return bind("cumsum", (x,), {"axis": a, "exclusive": bool(exclusive), "reverse": bool(reverse)})


def cumprod(x, axis=0, exclusive=False, reverse=False, name=None):
    """Cumulative product along axis."""
    x = to_tensor(x)
    check_dtype(x, NUMERIC, "cumprod")
    a = normalize_axis(int(axis), len(x._shape), "cumprod")
    return bind("cumprod", (x,), {"axis": a, "exclusive": bool(exclusive), "reverse": bool(reverse)})


