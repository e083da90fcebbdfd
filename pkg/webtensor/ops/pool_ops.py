"""Pooling: max_pool2d (+ grad, grad_grad) and avg_pool2d (+ grad) primitives; the 1-D and rank-generic
wrappers max_pool/avg_pool/max_pool1d/avg_pool1d. Each pooling primitive's gradient is another one."""
import numpy as np

from .. import errors
from ..core.registry import bind, defop
from . import array_ops as a
from . import math_ops as m
from ._helpers import FLOAT, NUMERIC, check_dtype, to_tensor
from ._spatial import (_check_format, _col2im, _compute_dtype, _fmt, _geometry, _hw, _pad_hw, _padding,
                       _spatial_pair, _width_value, _windows)


# -- pooling ---------------------------------------------------------------------------------------

def _pool_geometry(x_shape, params, op):
    kh, kw = params["ksize"]
    return _geometry(x_shape[1], x_shape[2], kh, kw, params, op)


def _pool_windows(x, params, fill, op):
    """(windows (N, OH, OW, KH, KW, C), padded shape, top, left) of an NHWC array."""
    (oh, top, bottom), (ow, left, right) = _pool_geometry(x.shape, params, op)
    xp = _pad_hw(x, top, bottom, left, right, fill)
    return _windows(xp, *params["ksize"], params["strides"], (1, 1), oh, ow), xp.shape, top, left


def _lowest(dtype):
    return -np.inf if dtype.kind == "f" else np.iinfo(dtype).min


def _max_pool2d_kernel(x, ksize, strides, padding):
    win, _, _, _ = _pool_windows(x, dict(ksize=ksize, strides=strides, padding=padding), _lowest(x.dtype),
                                 "max_pool2d")
    return win.max(axis=(3, 4))


def _argmax_flat(x, params):
    """Flat index, into the padded input, of the first maximum of every window (TensorFlow's tie rule)."""
    win, (n, hp, wp, c), top, left = _pool_windows(x, params, _lowest(x.dtype), "max_pool2d")
    _, oh, ow, kh, kw, _ = win.shape
    best = win[:, :, :, 0, 0]
    tap_index = np.zeros(best.shape, np.int32)
    for t in range(1, kh * kw):  # a loop over window taps; strict > keeps the first maximum (row-major)
        tap = win[:, :, :, t // kw, t % kw]
        tap_index = np.where(tap > best, np.int32(t), tap_index)
        best = np.maximum(best, tap)
    di, dj = np.divmod(tap_index, kw)
    sh, sw = params["strides"]
    rows = np.arange(oh).reshape(1, oh, 1, 1) * sh + di
    cols = np.arange(ow).reshape(1, 1, ow, 1) * sw + dj
    flat = ((np.arange(n).reshape(n, 1, 1, 1) * hp + rows) * wp + cols) * c + np.arange(c)
    return flat, (n, hp, wp, c), top, left


def _max_pool2d_grad_kernel(x, dy, **params):
    flat, (n, hp, wp, c), top, left = _argmax_flat(x, params)
    (kh, kw), (sh, sw) = params["ksize"], params["strides"]
    if sh >= kh and sw >= kw:  # windows do not overlap: every input cell receives at most one gradient
        dxp = np.zeros((n, hp, wp, c), dy.dtype)
        dxp.reshape(-1)[flat.reshape(-1)] = dy.reshape(-1)
    else:
        dxp = np.bincount(flat.reshape(-1), weights=dy.reshape(-1), minlength=n * hp * wp * c)
        dxp = dxp.reshape(n, hp, wp, c)
    return np.ascontiguousarray(dxp[:, top:top + x.shape[1], left:left + x.shape[2]]).astype(dy.dtype, copy=False)


def _max_pool2d_grad_grad_kernel(x, g, **params):
    flat, padded_shape, top, left = _argmax_flat(x, params)
    gp = np.zeros(padded_shape, g.dtype)
    gp[:, top:top + x.shape[1], left:left + x.shape[2]] = g
    return gp.reshape(-1)[flat]


def _avg_counts(h, w, params):
    """(1, OH, OW, 1): how many real (unpadded) cells each window covers."""
    ones = np.ones((1, h, w, 1), np.float64)
    win, _, _, _ = _pool_windows(ones, params, 0.0, "avg_pool2d")
    return win.sum(axis=(3, 4))


def _avg_pool2d_kernel(x, ksize, strides, padding):
    params = dict(ksize=ksize, strides=strides, padding=padding)
    win, _, _, _ = _pool_windows(x.astype(_compute_dtype(x), copy=False), params, 0, "avg_pool2d")
    return (win.sum(axis=(3, 4)) / _avg_counts(x.shape[1], x.shape[2], params)).astype(x.dtype, copy=False)


def _avg_pool2d_grad_kernel(dy, input_hw, **params):
    h, w = input_hw
    (oh, top, bottom), (ow, left, right) = _pool_geometry((None, h, w, None), params, "avg_pool2d_grad")
    if dy.shape[1:3] != (oh, ow):
        raise ValueError(f"gradient spatial size {dy.shape[1:3]} != avg_pool2d output size {(oh, ow)}")
    kh, kw = params["ksize"]
    scaled = dy.astype(_compute_dtype(dy), copy=False) / _avg_counts(h, w, params)
    cols = np.broadcast_to(scaled[:, :, :, None, None, :], dy.shape[:3] + (kh, kw, dy.shape[3]))
    dxp = _col2im(cols.astype(scaled.dtype, copy=False), h + top + bottom, w + left + right, params["strides"], (1, 1))
    return np.ascontiguousarray(dxp[:, top:top + h, left:left + w]).astype(dy.dtype, copy=False)


def _pool_infer(op):
    def infer(inputs, params):
        x = inputs[0]
        (oh, _, _), (ow, _, _) = _pool_geometry(x._shape, params, op)
        return [((x._shape[0], oh, ow, x._shape[3]), x._dtype)]
    return infer


def _pool_params(params):
    return {k: params[k] for k in ("ksize", "strides", "padding")}


defop("max_pool2d", _max_pool2d_kernel, _pool_infer("max_pool2d"),
      lambda op, dy: [bind("max_pool2d_grad", (op.inputs[0], dy), op.params)])
# max_pool2d_grad is linear in dy and piecewise constant in x: its gradients route through the same argmax.
def _max_pool2d_grad_infer(inputs, params):
    x, dy = inputs
    expected = _pool_infer("max_pool2d")((x,), params)[0][0]
    if len(dy._shape) != 4 or any(p is not None and q is not None and p != q for p, q in zip(dy._shape, expected)):
        raise errors.InvalidArgumentError(
            None, "max_pool2d_grad", f"max_pool2d_grad: gradient shape {_fmt(dy._shape)} does not match the pooled "
            f"output {_fmt(expected)} of input {_fmt(x._shape)} [Op:MaxPoolGrad]")
    return [(x._shape, dy._dtype)]


defop("max_pool2d_grad", _max_pool2d_grad_kernel, _max_pool2d_grad_infer,
      lambda op, g: [m.zeros_like(op.inputs[0]), bind("max_pool2d_grad_grad", (op.inputs[0], g), op.params)])
defop("max_pool2d_grad_grad", _max_pool2d_grad_grad_kernel, _pool_infer("max_pool2d_grad_grad"),
      lambda op, g: [m.zeros_like(op.inputs[0]), bind("max_pool2d_grad", (op.inputs[0], g), op.params)])
defop("avg_pool2d", _avg_pool2d_kernel, _pool_infer("avg_pool2d"),
      lambda op, dy: [bind("avg_pool2d_grad", (dy,), {"input_hw": _hw(op.inputs[0], "input"), **op.params})])
defop("avg_pool2d_grad", _avg_pool2d_grad_kernel,
      lambda inputs, params: [((inputs[0]._shape[0],) + tuple(params["input_hw"]) + (inputs[0]._shape[3],),
                               inputs[0]._dtype)],
      lambda op, g: [bind("avg_pool2d", (g,), _pool_params(op.params))])


# -- public pooling --------------------------------------------------------------------------------

def _pool(op, x, ksize, strides, padding, data_format, allowed):
    x = to_tensor(x)
    _check_format(data_format, op)
    if len(x._shape) != 4:
        raise ValueError(f"{op}: input must be rank 4 (NHWC), got shape {_fmt(x._shape)}")
    check_dtype(x, allowed, op)
    mode, _ = _padding(padding, op, explicit_allowed=False)
    params = {"ksize": _spatial_pair(ksize, "ksize", op), "strides": _spatial_pair(strides, "strides", op),
              "padding": mode}
    _pool_geometry(x._shape, params, op)
    return bind(op, (x,), params)


def max_pool2d(input, ksize, strides, padding, data_format="NHWC", name=None):  # noqa: A002
    """The maximum of each ksize window of NHWC input (SAME padding ignores padded cells).

    >>> tf.nn.max_pool2d(tf.reshape(tf.range(16.), [1, 4, 4, 1]), 2, 2, "VALID")[0, :, :, 0]
    <tf.Tensor: shape=(2, 2), dtype=float32, numpy=array([[ 5.,  7.], [13., 15.]], dtype=float32)>
    """
    return _pool("max_pool2d", input, ksize, strides, padding, data_format, NUMERIC)


def avg_pool2d(input, ksize, strides, padding, data_format="NHWC", name=None):  # noqa: A002
    """The mean of each ksize window of NHWC input (SAME padding averages over real cells only).

    >>> tf.nn.avg_pool2d(tf.reshape(tf.range(16.), [1, 4, 4, 1]), 2, 2, "VALID")[0, :, :, 0]
    <tf.Tensor: shape=(2, 2), dtype=float32, numpy=array([[ 2.5,  4.5], [10.5, 12.5]], dtype=float32)>
    """
    return _pool("avg_pool2d", input, ksize, strides, padding, data_format, FLOAT)


def _pool1d(fn, x, ksize, strides, padding, data_format):
    _check_format(data_format, fn.__name__, "NWC")
    x = to_tensor(x)
    k = _width_value(ksize, "ksize", fn.__name__)
    s = _width_value(strides, "strides", fn.__name__)
    return a.squeeze(fn(a.expand_dims(x, 1), [1, k], [1, s], padding), [1])


def max_pool1d(input, ksize, strides, padding, data_format="NWC", name=None):  # noqa: A002
    """Max pooling over the width of [batch, width, channels] input.

    >>> tf.nn.max_pool1d(tf.constant([[[1.], [3.], [2.], [0.]]]), 2, 2, "VALID")[0, :, 0]
    <tf.Tensor: shape=(2,), dtype=float32, numpy=array([3., 2.], dtype=float32)>
    """
    return _pool1d(max_pool2d, input, ksize, strides, padding, data_format)


def avg_pool1d(input, ksize, strides, padding, data_format="NWC", name=None):  # noqa: A002
    """Average pooling over the width of [batch, width, channels] input.

    >>> tf.nn.avg_pool1d(tf.constant([[[1.], [3.], [2.], [0.]]]), 2, 2, "VALID")[0, :, 0]
    <tf.Tensor: shape=(2,), dtype=float32, numpy=array([2., 1.], dtype=float32)>
    """
    return _pool1d(avg_pool2d, input, ksize, strides, padding, data_format)


def max_pool(input, ksize, strides, padding, data_format=None, name=None):  # noqa: A002
    """Max pooling of rank-3 (NWC) or rank-4 (NHWC) input.

    >>> tf.nn.max_pool(tf.ones([1, 4, 4, 3]), ksize=2, strides=2, padding="SAME").shape
    TensorShape([1, 2, 2, 3])
    """
    rank = len(to_tensor(input)._shape)
    if rank == 3:
        return max_pool1d(input, ksize, strides, padding, data_format or "NWC")
    return max_pool2d(input, ksize, strides, padding, data_format or "NHWC")


def avg_pool(input, ksize, strides, padding, data_format=None, name=None):  # noqa: A002
    """Average pooling of rank-3 (NWC) or rank-4 (NHWC) input.

    >>> tf.nn.avg_pool(tf.ones([1, 4, 4, 3]), ksize=2, strides=2, padding="VALID").shape
    TensorShape([1, 2, 2, 3])
    """
    rank = len(to_tensor(input)._shape)
    if rank == 3:
        return avg_pool1d(input, ksize, strides, padding, data_format or "NWC")
    return avg_pool2d(input, ksize, strides, padding, data_format or "NHWC")


__all__ = ["avg_pool", "avg_pool1d", "avg_pool2d", "max_pool", "max_pool1d", "max_pool2d"]
