"""Neural-network ops: softmax family, cross-entropies, conv2d, pooling, dropout, normalization.

Primitives (each with a numpy kernel, a shape rule and a gradient): conv2d and its two
backprops, max_pool2d (+ grad, grad_grad) and avg_pool2d (+ grad). Images are NHWC and
filters HWIO. Every conv primitive's gradient is another conv primitive, so derivatives
of any order work; the same holds for pooling. Everything else here is composite.

Kernels use im2col: a strided window view of the padded input, reshaped to a
[pixels, kh*kw*channels] matrix, then one matmul. Scatter-backs (col2im) loop over
the kh*kw filter taps, never over pixels.
"""
import numbers

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .. import dtypes, errors
from ..core.registry import bind, defop
from ..core.tensor import Tensor
from . import array_ops as a
from . import math_ops as m
from . import reduction_ops as r
from ._helpers import FLOAT, INTEGER, NUMERIC, broadcast_shapes, check_dtype, normalize_axes, static_value, to_tensor


# -- argument normalization ------------------------------------------------------------------------

def _fmt(shape):
    return "[" + ",".join("?" if d is None else str(d) for d in shape) + "]"


def _spatial_pair(value, name, op, default=1):
    """strides/dilations/ksize given as an int or a list of 1, 2 or 4 ints -> (height, width)."""
    if value is None:
        return (default, default)
    if isinstance(value, numbers.Integral):
        return (int(value), int(value))
    vals = [int(v) for v in value]
    if len(vals) == 1:
        pair = (vals[0], vals[0])
    elif len(vals) == 2:
        pair = tuple(vals)
    elif len(vals) == 4:
        if vals[0] != 1 or vals[3] != 1:
            raise errors.InvalidArgumentError(
                None, op, f"{op}: {name} {vals} is not supported in the batch and depth dimensions; expected "
                f"[1, h, w, 1] (NHWC) [Op:{op}]")
        pair = (vals[1], vals[2])
    else:
        raise ValueError(f"{op}: {name} must be an int or a list of 1, 2 or 4 ints, got {value!r}")
    if min(pair) < 1:
        raise ValueError(f"{op}: {name} must be positive, got {value!r}")
    return pair


def _check_format(data_format, op, expected="NHWC"):
    if data_format is None or data_format == expected:
        return
    if data_format in ("NCHW", "NCW", "NCDHW", "NC"):
        raise errors.UnimplementedError(
            None, op, f"{op}: data_format {data_format!r} is not supported; webtensor only implements "
            f"{expected!r} (channels last). Transpose the input first. [Op:{op}]")
    raise ValueError(f"{op}: data_format must be {expected!r}, got {data_format!r}")


def _padding(padding, op, explicit_allowed=True):
    """'SAME' / 'VALID' / [[0, 0], [top, bottom], [left, right], [0, 0]] -> (mode, explicit_paddings)."""
    if isinstance(padding, str):
        if padding in ("SAME", "VALID"):
            return padding, ()
    elif explicit_allowed and isinstance(padding, (list, tuple)) and len(padding) == 4:
        pads = tuple(tuple(int(p) for p in pair) for pair in padding)
        if any(len(p) != 2 for p in pads) or any(v < 0 for p in pads for v in p):
            raise ValueError(f"{op}: explicit paddings must be 4 pairs of non-negative ints, got {padding!r}")
        if pads[0] != (0, 0) or pads[3] != (0, 0):
            raise ValueError(f"{op}: explicit padding in the batch or channel dimension is not supported, got "
                             f"{padding!r}; expected [[0, 0], [top, bottom], [left, right], [0, 0]]")
        return "EXPLICIT", (pads[1], pads[2])
    expected = ('"SAME", "VALID" or an explicit list [[0, 0], [top, bottom], [left, right], [0, 0]]'
                if explicit_allowed else '"SAME" or "VALID"')
    raise ValueError(f"{op}: padding must be {expected}, got {padding!r}")


def _axis_geometry(size, k, stride, dilation, padding, explicit, axis, op):
    """(output size, pad before, pad after) of one spatial axis; size None -> unknown output."""
    ek = (k - 1) * dilation + 1
    if size is None:
        return None, None, None
    if padding == "SAME":
        out = -(-size // stride)
        total = max((out - 1) * stride + ek - size, 0)
        return out, total // 2, total - total // 2
    before, after = explicit[axis] if padding == "EXPLICIT" else (0, 0)
    span = size + before + after - ek
    if span < 0:
        raise errors.InvalidArgumentError(
            None, op, f"{op}: computed output size would be negative: {span // stride + 1} [input_size: {size}, "
            f"effective_filter_size: {ek}, stride: {stride}] [Op:{op}]")
    return span // stride + 1, before, after


def _geometry(h, w, kh, kw, params, op):
    """((out_h, top, bottom), (out_w, left, right)) for conv or pool params."""
    sh, sw = params["strides"]
    dh, dw = params.get("dilations", (1, 1))
    pad, explicit = params["padding"], params.get("explicit_paddings", ())
    return (_axis_geometry(h, kh, sh, dh, pad, explicit, 0, op),
            _axis_geometry(w, kw, sw, dw, pad, explicit, 1, op))


# -- numpy helpers ---------------------------------------------------------------------------------

def _compute_dtype(x):
    # numpy has no fast float16 matmul: compute half precision in float32
    return np.float32 if x.dtype == np.float16 else x.dtype


def _pad_hw(x, top, bottom, left, right, value=0):
    if top or bottom or left or right:
        return np.pad(x, ((0, 0), (top, bottom), (left, right), (0, 0)), constant_values=value)
    return x


def _windows(xp, kh, kw, strides, dilations, oh, ow):
    """(N, OH, OW, KH, KW, C) strided view of the windows of a padded NHWC array."""
    (sh, sw), (dh, dw) = strides, dilations
    view = sliding_window_view(xp, ((kh - 1) * dh + 1, (kw - 1) * dw + 1), axis=(1, 2))
    view = view[:, :(oh - 1) * sh + 1:sh, :(ow - 1) * sw + 1:sw, :, ::dh, ::dw]
    return view.transpose(0, 1, 2, 4, 5, 3)


def _col2im(cols, hp, wp, strides, dilations):
    """Adds cols (N, OH, OW, KH, KW, C) back onto a zero (N, hp, wp, C) image: the adjoint of _windows."""
    n, oh, ow, kh, kw, c = cols.shape
    (sh, sw), (dh, dw) = strides, dilations
    out = np.zeros((n, hp, wp, c), cols.dtype)
    for i in range(kh):
        for j in range(kw):
            out[:, i * dh:i * dh + (oh - 1) * sh + 1:sh, j * dw:j * dw + (ow - 1) * sw + 1:sw] += cols[:, :, :, i, j]
    return out


def _im2col(x, kh, kw, params):
    """The [N*OH*OW, KH*KW*C] patch matrix of x, and the output geometry."""
    n, h, w, c = x.shape
    (oh, top, bottom), (ow, left, right) = _geometry(h, w, kh, kw, params, "conv2d")
    xp = _pad_hw(x.astype(_compute_dtype(x), copy=False), top, bottom, left, right)
    cols = _windows(xp, kh, kw, params["strides"], params["dilations"], oh, ow).reshape(n * oh * ow, kh * kw * c)
    return cols, oh, ow


# -- conv2d and its two backprops ------------------------------------------------------------------

def _conv2d_kernel(x, w, **params):
    kh, kw, cin, cout = w.shape
    if x.shape[3] != cin:
        raise ValueError(f"input depth {x.shape[3]} != filter in_channels {cin}")
    cols, oh, ow = _im2col(x, kh, kw, params)
    out = cols @ w.astype(cols.dtype, copy=False).reshape(kh * kw * cin, cout)
    return out.reshape(x.shape[0], oh, ow, cout).astype(x.dtype, copy=False)


def _conv2d_backprop_input_kernel(dy, w, input_hw, **params):
    n, oh, ow, cout = dy.shape
    kh, kw, cin, _ = w.shape
    h, wd = input_hw
    (eh, top, bottom), (ew, left, right) = _geometry(h, wd, kh, kw, params, "conv2d_backprop_input")
    if (eh, ew) != (oh, ow):
        raise ValueError(f"out_backprop spatial size {(oh, ow)} != conv2d output size {(eh, ew)}")
    ct = _compute_dtype(dy)
    cols = dy.astype(ct, copy=False).reshape(-1, cout) @ w.astype(ct, copy=False).reshape(-1, cout).T
    (sh, sw), (dh, dw) = params["strides"], params["dilations"]
    hp = max(h + top + bottom, (oh - 1) * sh + (kh - 1) * dh + 1)
    wp = max(wd + left + right, (ow - 1) * sw + (kw - 1) * dw + 1)
    dxp = _col2im(cols.reshape(n, oh, ow, kh, kw, cin), hp, wp, params["strides"], params["dilations"])
    return np.ascontiguousarray(dxp[:, top:top + h, left:left + wd]).astype(dy.dtype, copy=False)


def _conv2d_backprop_filter_kernel(x, dy, filter_hw, **params):
    kh, kw = filter_hw
    cols, oh, ow = _im2col(x, kh, kw, params)
    if dy.shape[1:3] != (oh, ow) or dy.shape[0] != x.shape[0]:
        raise ValueError(f"out_backprop shape {dy.shape} does not match the conv2d output {(x.shape[0], oh, ow)}")
    dw = cols.T @ dy.astype(cols.dtype, copy=False).reshape(-1, dy.shape[3])
    return dw.reshape(kh, kw, x.shape[3], dy.shape[3]).astype(x.dtype, copy=False)


def _check_conv(x, w, op="conv2d"):
    """Ranks, dtypes and channels of a conv2d call; raises TensorFlow's errors."""
    if len(x._shape) != 4 or len(w._shape) != 4:
        raise ValueError(f"{op}: input must be rank 4 (NHWC) and filters rank 4 ([height, width, in_channels, "
                         f"out_channels]); got input shape {_fmt(x._shape)} and filter shape {_fmt(w._shape)}")
    check_dtype(x, FLOAT, op)
    if x._dtype is not w._dtype:
        raise TypeError(f"{op}: input and filters must have the same dtype, got {x._dtype.name} and "
                        f"{w._dtype.name}")
    c, cin = x._shape[3], w._shape[2]
    if c is not None and cin is not None and c != cin:
        raise errors.InvalidArgumentError(
            None, op, f"{op}: input depth must equal the filter's in_channels: input shape {_fmt(x._shape)} has "
            f"{c} channels but filter shape {_fmt(w._shape)} ([height, width, in_channels, out_channels]) "
            f"expects {cin} [Op:Conv2D]")


def _conv2d_infer(inputs, params):
    x, w = inputs
    _check_conv(x, w)
    (oh, _, _), (ow, _, _) = _geometry(x._shape[1], x._shape[2], w._shape[0], w._shape[1], params, "conv2d")
    return [((x._shape[0], oh, ow, w._shape[3]), x._dtype)]


def _conv2d_backprop_input_infer(inputs, params):
    dy, w = inputs
    kh, kw, cin, cout = w._shape
    (oh, _, _), (ow, _, _) = _geometry(*params["input_hw"], kh, kw, params, "conv2d_backprop_input")
    for got, want in ((dy._shape[1], oh), (dy._shape[2], ow), (dy._shape[3], cout)):
        if got is not None and want is not None and got != want:
            raise errors.InvalidArgumentError(
                None, "conv2d_backprop_input", f"conv2d_backprop_input: out_backprop shape {_fmt(dy._shape)} does "
                f"not match the conv2d output [?,{oh},{ow},{cout}] of input size {list(params['input_hw'])} and "
                f"filter shape {_fmt(w._shape)} [Op:Conv2DBackpropInput]")
    return [((dy._shape[0],) + tuple(params["input_hw"]) + (cin,), dy._dtype)]


def _conv2d_backprop_filter_infer(inputs, params):
    x, dy = inputs
    return [(tuple(params["filter_hw"]) + (x._shape[3], dy._shape[3]), x._dtype)]


def _conv_params(params):
    return {k: params[k] for k in ("strides", "padding", "explicit_paddings", "dilations")}


def _hw(t, what):
    hw = tuple(t._shape[1:3])
    if None in hw:
        raise ValueError(f"the gradient of conv2d needs the {what}'s height and width while tracing, got shape "
                         f"{_fmt(t._shape)}; give tf.function an input_signature with static spatial dims")
    return hw


def _conv2d_grad(op, dy):
    x, w = op.inputs
    p = _conv_params(op.params)
    return [bind("conv2d_backprop_input", (dy, w), {"input_hw": _hw(x, "input"), **p}),
            bind("conv2d_backprop_filter", (x, dy), {"filter_hw": tuple(w._shape[:2]), **p})]


def _conv2d_backprop_input_grad(op, g):
    dy, w = op.inputs
    p = _conv_params(op.params)
    return [bind("conv2d", (g, w), p),
            bind("conv2d_backprop_filter", (g, dy), {"filter_hw": tuple(w._shape[:2]), **p})]


def _conv2d_backprop_filter_grad(op, g):
    x, dy = op.inputs
    p = _conv_params(op.params)
    return [bind("conv2d_backprop_input", (dy, g), {"input_hw": _hw(x, "input"), **p}),
            bind("conv2d", (x, g), p)]


defop("conv2d", _conv2d_kernel, _conv2d_infer, _conv2d_grad)
defop("conv2d_backprop_input", _conv2d_backprop_input_kernel, _conv2d_backprop_input_infer,
      _conv2d_backprop_input_grad)
defop("conv2d_backprop_filter", _conv2d_backprop_filter_kernel, _conv2d_backprop_filter_infer,
      _conv2d_backprop_filter_grad)


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


# -- public convolution ----------------------------------------------------------------------------

def conv2d(input, filters, strides, padding, data_format="NHWC", dilations=None, name=None):  # noqa: A002
    """2-D convolution of NHWC `input` with HWIO `filters` ([height, width, in_channels, out_channels]).

    >>> x = tf.ones([1, 5, 5, 1])
    >>> tf.nn.conv2d(x, tf.ones([3, 3, 1, 2]), strides=1, padding="VALID").shape
    TensorShape([1, 3, 3, 2])
    """
    x = to_tensor(input)
    w = to_tensor(filters, dtype=x._dtype)
    _check_format(data_format, "conv2d")
    _check_conv(x, w)
    mode, explicit = _padding(padding, "conv2d")
    params = {"strides": _spatial_pair(strides, "strides", "conv2d"), "padding": mode,
              "explicit_paddings": explicit, "dilations": _spatial_pair(dilations, "dilations", "conv2d")}
    _geometry(x._shape[1], x._shape[2], w._shape[0], w._shape[1], params, "conv2d")
    return bind("conv2d", (x, w), params)


def conv1d(input, filters, stride, padding, data_format="NWC", dilations=None, name=None):  # noqa: A002
    """1-D convolution of [batch, width, in_channels] input with [width, in_channels, out_channels] filters.

    >>> tf.nn.conv1d(tf.ones([1, 6, 2]), tf.ones([3, 2, 4]), stride=1, padding="SAME").shape
    TensorShape([1, 6, 4])
    """
    _check_format(data_format, "conv1d", "NWC")
    x = to_tensor(input)
    w = to_tensor(filters, dtype=x._dtype)
    if len(x._shape) != 3 or len(w._shape) != 3:
        raise ValueError(f"conv1d: input must be rank 3 (NWC) and filters rank 3 ([width, in_channels, "
                         f"out_channels]); got {_fmt(x._shape)} and {_fmt(w._shape)}")
    stride = _width_value(stride, "stride", "conv1d")
    dilation = _width_value(dilations, "dilations", "conv1d")
    if not isinstance(padding, str):
        if len(padding) != 3:
            raise ValueError(f"conv1d: padding must be 'SAME', 'VALID' or [[0, 0], [left, right], [0, 0]], "
                             f"got {padding!r}")
        padding = [list(padding[0]), [0, 0], list(padding[1]), list(padding[2])]
    y = conv2d(a.expand_dims(x, 1), a.expand_dims(w, 0), [1, stride], padding, dilations=[1, dilation])
    return a.squeeze(y, [1])


def _width_value(value, name, op):
    """A 1-D stride/dilation/ksize: an int or a list of 1 or 3 ints (NWC: the middle one) -> int."""
    if value is None:
        return 1
    if isinstance(value, numbers.Integral):
        return int(value)
    vals = [int(v) for v in value]
    if len(vals) == 1:
        return vals[0]
    if len(vals) == 3 and vals[0] == 1 and vals[2] == 1:
        return vals[1]
    raise ValueError(f"{op}: {name} must be an int or a list of 1 or 3 ints ([1, w, 1]), got {value!r}")


def _output_hwc(output_shape, op):
    dims = list(output_shape) if isinstance(output_shape, (list, tuple)) else \
        list(np.asarray(static_value(output_shape, op, "output_shape")).reshape(-1))
    if len(dims) != 4:
        raise ValueError(f"{op}: output_shape must have 4 elements (NHWC), got {output_shape!r}")
    return tuple(int(static_value(d, op, "output_shape")) for d in dims[1:])


def conv2d_transpose(input, filters, output_shape, strides, padding="SAME", data_format="NHWC",  # noqa: A002
                     dilations=None, name=None):
    """The transpose (gradient) of conv2d; filters are [height, width, output_channels, in_channels].

    >>> tf.nn.conv2d_transpose(tf.ones([1, 3, 3, 4]), tf.ones([3, 3, 2, 4]), [1, 6, 6, 2], strides=2).shape
    TensorShape([1, 6, 6, 2])
    """
    x = to_tensor(input)
    w = to_tensor(filters, dtype=x._dtype)
    _check_format(data_format, "conv2d_transpose")
    if len(x._shape) != 4 or len(w._shape) != 4:
        raise ValueError(f"conv2d_transpose: input and filters must be rank 4, got {_fmt(x._shape)} and "
                         f"{_fmt(w._shape)}")
    check_dtype(x, FLOAT, "conv2d_transpose")
    h, wd, c = _output_hwc(output_shape, "conv2d_transpose")
    if w._shape[2] is not None and w._shape[2] != c:
        raise ValueError(f"conv2d_transpose: output_shape has {c} channels but filter shape {_fmt(w._shape)} "
                         f"([height, width, output_channels, in_channels]) has {w._shape[2]}")
    if x._shape[3] is not None and w._shape[3] is not None and x._shape[3] != w._shape[3]:
        raise ValueError(f"conv2d_transpose: input shape {_fmt(x._shape)} has {x._shape[3]} channels but filter "
                         f"shape {_fmt(w._shape)} expects in_channels={w._shape[3]}")
    mode, explicit = _padding(padding, "conv2d_transpose")
    params = {"input_hw": (h, wd), "strides": _spatial_pair(strides, "strides", "conv2d_transpose"),
              "padding": mode, "explicit_paddings": explicit,
              "dilations": _spatial_pair(dilations, "dilations", "conv2d_transpose")}
    _conv2d_backprop_input_infer((x, w), params)
    return bind("conv2d_backprop_input", (x, w), params)


def depthwise_conv2d(input, filter, strides, padding, data_format=None, dilations=None, name=None):  # noqa: A002
    """Convolves each input channel with its own filters ([height, width, in_channels, multiplier]).

    >>> tf.nn.depthwise_conv2d(tf.ones([1, 4, 4, 2]), tf.ones([3, 3, 2, 1]), [1, 1, 1, 1], "SAME").shape
    TensorShape([1, 4, 4, 2])
    """
    x = to_tensor(input)
    w = to_tensor(filter, dtype=x._dtype)
    if len(w._shape) != 4 or None in w._shape:
        raise ValueError(f"depthwise_conv2d: filter must be rank 4 with a known shape, got {_fmt(w._shape)}")
    kh, kw, cin, mult = w._shape
    # NOTE: a block-diagonal full filter (output channel c * mult + j reads input channel c only).
    full = a.reshape(a.expand_dims(w, 3) * a.reshape(a.eye(cin, dtype=x._dtype), [cin, cin, 1]),
                     [kh, kw, cin, cin * mult])
    return conv2d(x, full, strides, padding, data_format=data_format or "NHWC", dilations=dilations)


def separable_conv2d(input, depthwise_filter, pointwise_filter, strides, padding, data_format=None,  # noqa: A002
                     dilations=None, name=None):
    """A depthwise convolution followed by a 1x1 (pointwise) convolution.

    >>> tf.nn.separable_conv2d(tf.ones([1, 4, 4, 2]), tf.ones([3, 3, 2, 1]), tf.ones([1, 1, 2, 5]),
    ...                        [1, 1, 1, 1], "SAME").shape
    TensorShape([1, 4, 4, 5])
    """
    y = depthwise_conv2d(input, depthwise_filter, strides, padding, data_format, dilations)
    return conv2d(y, pointwise_filter, 1, "VALID", data_format=data_format or "NHWC")


def convolution(input, filters, strides=None, padding="VALID", data_format=None, dilations=None,  # noqa: A002
                name=None):
    """conv1d or conv2d, chosen by the input's rank (3 or 4).

    >>> tf.nn.convolution(tf.ones([1, 5, 5, 1]), tf.ones([2, 2, 1, 1])).shape
    TensorShape([1, 4, 4, 1])
    """
    x = to_tensor(input)
    if len(x._shape) == 3:
        return conv1d(x, filters, 1 if strides is None else strides, padding, data_format or "NWC", dilations)
    if len(x._shape) == 4:
        return conv2d(x, filters, 1 if strides is None else strides, padding, data_format or "NHWC", dilations)
    raise errors.UnimplementedError(None, "convolution", f"convolution: only 1-D and 2-D convolutions are "
                                    f"implemented; got input shape {_fmt(x._shape)}")


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


# -- softmax and cross-entropies (composite) -------------------------------------------------------

def _float_input(x, op):
    x = to_tensor(x)
    check_dtype(x, FLOAT, op)
    return x


def _shifted(x, axis):
    """x minus its (constant) max along axis: softmax is shift-invariant, and this keeps exp finite."""
    return x - a.stop_gradient(r.reduce_max(x, axis=axis, keepdims=True))


def softmax(logits, axis=None, name=None):
    """exp(logits) / sum(exp(logits)) along axis (default: the last).

    >>> tf.nn.softmax(tf.constant([1., 1., 2.]))
    <tf.Tensor: shape=(3,), dtype=float32, numpy=array([0.21194156, 0.21194156, 0.5761169 ], dtype=float32)>
    """
    x = _float_input(logits, "softmax")
    axis = -1 if axis is None else axis
    e = m.exp(_shifted(x, axis))
    return e / r.reduce_sum(e, axis=axis, keepdims=True)


def log_softmax(logits, axis=None, name=None):
    """logits - log(sum(exp(logits))) along axis, computed stably.

    >>> tf.nn.log_softmax(tf.constant([0., 0.]))
    <tf.Tensor: shape=(2,), dtype=float32, numpy=array([-0.6931472, -0.6931472], dtype=float32)>
    """
    x = _float_input(logits, "log_softmax")
    axis = -1 if axis is None else axis
    z = _shifted(x, axis)
    return z - m.log(r.reduce_sum(m.exp(z), axis=axis, keepdims=True))


def softmax_cross_entropy_with_logits(labels, logits, axis=-1, name=None):
    """-sum(labels * log_softmax(logits)) along axis; labels are probability distributions.

    >>> tf.nn.softmax_cross_entropy_with_logits(labels=[[0., 1.]], logits=[[0., 0.]])
    <tf.Tensor: shape=(1,), dtype=float32, numpy=array([0.6931472], dtype=float32)>
    """
    z = _float_input(logits, "softmax_cross_entropy_with_logits")
    y = to_tensor(labels, dtype=z._dtype)
    if y._dtype is not z._dtype:
        raise TypeError(f"softmax_cross_entropy_with_logits: labels ({y._dtype.name}) and logits "
                        f"({z._dtype.name}) must have the same dtype")
    try:
        broadcast_shapes(y._shape, z._shape, "softmax_cross_entropy_with_logits")
    except errors.InvalidArgumentError:
        raise errors.InvalidArgumentError(
            None, "SoftmaxCrossEntropyWithLogits", f"logits and labels must be broadcastable: logits_size="
            f"{_fmt(z._shape)} labels_size={_fmt(y._shape)} [Op:SoftmaxCrossEntropyWithLogits]") from None
    return m.negative(r.reduce_sum(y * log_softmax(z, axis), axis=axis))


def _check_label_range(labels, num_classes):
    if type(labels) is not Tensor or num_classes is None:  # symbolic: out-of-range labels give NaN
        return
    values = labels.numpy()
    bad = values[(values < 0) | (values >= num_classes)]
    if bad.size:
        shown = " ".join(str(v) for v in values.reshape(-1)[:32])
        raise errors.InvalidArgumentError(
            None, "SparseSoftmaxCrossEntropyWithLogits", f"Received a label value of {bad.reshape(-1)[0]} which "
            f"is outside the valid range of [0, {num_classes}).  Label values: {shown} "
            "[Op:SparseSoftmaxCrossEntropyWithLogits]")


def sparse_softmax_cross_entropy_with_logits(labels, logits, name=None):
    """Softmax cross-entropy where labels are class indices (int32/int64) of shape logits.shape[:-1].

    >>> tf.nn.sparse_softmax_cross_entropy_with_logits(labels=[1], logits=[[0., 0.]])
    <tf.Tensor: shape=(1,), dtype=float32, numpy=array([0.6931472], dtype=float32)>
    """
    op = "sparse_softmax_cross_entropy_with_logits"
    z = _float_input(logits, op)
    y = to_tensor(labels)
    check_dtype(y, frozenset((dtypes.int32, dtypes.int64)), op)
    if not z._shape:
        raise ValueError(f"Logits cannot be scalars - received shape {_fmt(z._shape)}.")
    if len(y._shape) != len(z._shape) - 1:
        raise ValueError(f"Rank mismatch: Rank of labels (received {len(y._shape)}) should equal rank of logits "
                         f"minus 1 (received {len(z._shape)}).")
    if any(p is not None and q is not None and p != q for p, q in zip(y._shape, z._shape[:-1])):
        raise ValueError(f"Shape mismatch: The shape of labels (received {_fmt(y._shape)}) should equal the shape "
                         f"of logits except for the last dimension (received {_fmt(z._shape)}).")
    num_classes = z._shape[-1]
    if num_classes is None:
        raise ValueError(f"{op}: the number of classes (last dim of logits {_fmt(z._shape)}) must be known")
    _check_label_range(y, num_classes)
    hot = m.equal(a.expand_dims(y, -1), a.range_(0, num_classes, dtype=y._dtype))
    picked = r.reduce_sum(m.where(hot, log_softmax(z), m.zeros_like(z)), axis=-1)
    valid = m.logical_and(m.greater_equal(y, 0), m.less(y, num_classes))
    return m.where(valid, m.negative(picked), m.zeros_like(picked) + float("nan"))


def _sigmoid_terms(z):
    """(relu(z), -|z|) written with where, so the gradient at z == 0 is TensorFlow's sigmoid(0) - labels."""
    cond = m.greater_equal(z, m.zeros_like(z))
    return m.where(cond, z, m.zeros_like(z)), m.where(cond, m.negative(z), z)


def _same_shape(y, z, op):
    if len(y._shape) != len(z._shape) or any(p is not None and q is not None and p != q
                                             for p, q in zip(y._shape, z._shape)):
        raise ValueError(f"{op}: logits and labels must have the same shape, received ({_fmt(z._shape)} vs "
                         f"{_fmt(y._shape)}).")


def sigmoid_cross_entropy_with_logits(labels=None, logits=None, name=None):
    """Elementwise max(x, 0) - x * z + log(1 + exp(-|x|)) for logits x and labels z in [0, 1].

    >>> tf.nn.sigmoid_cross_entropy_with_logits(labels=[1., 0.], logits=[0., 0.])
    <tf.Tensor: shape=(2,), dtype=float32, numpy=array([0.6931472, 0.6931472], dtype=float32)>
    """
    if labels is None or logits is None:
        raise ValueError("sigmoid_cross_entropy_with_logits: both labels and logits must be given")
    z = _float_input(logits, "sigmoid_cross_entropy_with_logits")
    y = to_tensor(labels, dtype=z._dtype)
    _same_shape(y, z, "sigmoid_cross_entropy_with_logits")
    relu_z, neg_abs = _sigmoid_terms(z)
    return relu_z - z * y + m.log1p(m.exp(neg_abs))


def weighted_cross_entropy_with_logits(labels, logits, pos_weight, name=None):
    """Sigmoid cross-entropy with the positive term weighted by pos_weight.

    >>> tf.nn.weighted_cross_entropy_with_logits(labels=[1.], logits=[0.], pos_weight=2.)
    <tf.Tensor: shape=(1,), dtype=float32, numpy=array([1.3862944], dtype=float32)>
    """
    z = _float_input(logits, "weighted_cross_entropy_with_logits")
    y = to_tensor(labels, dtype=z._dtype)
    _same_shape(y, z, "weighted_cross_entropy_with_logits")
    log_weight = 1 + (pos_weight - 1) * y
    relu_z, neg_abs = _sigmoid_terms(z)
    softplus_neg = m.log1p(m.exp(neg_abs)) + (relu_z - z)  # log(1 + exp(-z)), stably
    return (1 - y) * z + log_weight * softplus_neg


def compute_average_loss(per_example_loss, sample_weight=None, global_batch_size=None):
    """sum(per_example_loss * sample_weight) / global_batch_size (default: the batch size).

    >>> tf.nn.compute_average_loss(tf.constant([1., 3.]))
    <tf.Tensor: shape=(), dtype=float32, numpy=2.0>
    """
    loss = _float_input(per_example_loss, "compute_average_loss")
    if sample_weight is not None:
        loss = loss * sample_weight
    total = r.reduce_sum(loss)
    if global_batch_size is None:
        n = loss._shape[0] if loss._shape else 1
        if n is None:
            return total / m.cast(a.shape(loss)[0], loss._dtype)
        global_batch_size = n
    return total / global_batch_size


def scale_regularization_loss(regularization_loss):
    """The regularization loss scaled for one replica (a single replica here: unchanged).

    >>> tf.nn.scale_regularization_loss(tf.constant(2.))
    <tf.Tensor: shape=(), dtype=float32, numpy=2.0>
    """
    return r.reduce_sum(to_tensor(regularization_loss))


# -- normalization and related (composite) ---------------------------------------------------------

def bias_add(value, bias, data_format=None, name=None):
    """Adds the 1-D bias along the channel axis (last, or 1 for "NC..." formats).

    >>> tf.nn.bias_add(tf.zeros([2, 3]), [1., 2., 3.])[0]
    <tf.Tensor: shape=(3,), dtype=float32, numpy=array([1., 2., 3.], dtype=float32)>
    """
    x = to_tensor(value)
    b = to_tensor(bias, dtype=x._dtype)
    if b._dtype is not x._dtype:
        raise TypeError(f"bias_add: value ({x._dtype.name}) and bias ({b._dtype.name}) must have the same dtype")
    rank = len(x._shape)
    if len(b._shape) != 1:
        raise ValueError(f"bias_add: Shape must be rank 1 but is rank {len(b._shape)} for bias {_fmt(b._shape)}")
    if rank < 2:
        raise ValueError(f"bias_add: Shape must be at least rank 2 but is rank {rank} for value {_fmt(x._shape)}")
    channels_first = data_format is not None and data_format.startswith("NC")
    c = x._shape[1] if channels_first else x._shape[-1]
    if c is not None and b._shape[0] is not None and c != b._shape[0]:
        raise errors.InvalidArgumentError(
            None, "BiasAdd", "Must provide as many biases as the channel dimension of the input tensor: "
            f"{_fmt(b._shape)} vs. {_fmt(x._shape)} [Op:BiasAdd]")
    if channels_first:
        b = a.reshape(b, [-1] + [1] * (rank - 2))
    return x + b


def moments(x, axes, shift=None, keepdims=False, name=None):
    """(mean, variance) of x over axes.

    >>> mean, var = tf.nn.moments(tf.constant([1., 2., 3., 4.]), axes=[0])
    >>> float(mean), float(var)
    (2.5, 1.25)
    """
    x = _float_input(x, "moments")
    y = m.cast(x, dtypes.float32) if x._dtype is dtypes.float16 else x
    axes = list(normalize_axes(axes, len(x._shape), "moments"))
    mean = r.reduce_mean(y, axis=axes, keepdims=True)
    variance = r.reduce_mean(m.squared_difference(y, a.stop_gradient(mean)), axis=axes, keepdims=True)
    if not keepdims:
        mean, variance = a.squeeze(mean, axes), a.squeeze(variance, axes)
    return m.cast(mean, x._dtype), m.cast(variance, x._dtype)


def batch_normalization(x, mean, variance, offset, scale, variance_epsilon, name=None):
    """(x - mean) * scale / sqrt(variance + variance_epsilon) + offset (offset, scale may be None).

    >>> tf.nn.batch_normalization(tf.constant([1., 3.]), 2., 1., None, None, 0.)
    <tf.Tensor: shape=(2,), dtype=float32, numpy=array([-1.,  1.], dtype=float32)>
    """
    x = _float_input(x, "batch_normalization")
    inv = m.rsqrt(to_tensor(variance, dtype=x._dtype) + variance_epsilon)
    if scale is not None:
        inv = inv * scale
    shift = m.negative(mean * inv) if offset is None else offset - mean * inv
    return x * m.cast(inv, x._dtype) + m.cast(shift, x._dtype)


def fused_batch_norm(x, scale, offset, mean=None, variance=None, epsilon=0.001, data_format="NHWC",
                     is_training=True, name=None, exponential_avg_factor=1.0):
    """Batch normalization of NHWC x over N, H, W: returns (y, batch_mean, batch_variance).

    In training the returned variance is the unbiased (n / (n - 1)) batch variance, as TensorFlow's.

    >>> y, m, v = tf.nn.fused_batch_norm(tf.ones([2, 2, 2, 3]), tf.ones([3]), tf.zeros([3]))
    """
    _check_format(data_format, "fused_batch_norm")
    x = _float_input(x, "fused_batch_norm")
    if len(x._shape) != 4:
        raise ValueError(f"fused_batch_norm: x must be rank 4 (NHWC), got shape {_fmt(x._shape)}")
    epsilon = max(float(epsilon), 1.001e-5)
    if not is_training:
        if mean is None or variance is None:
            raise ValueError("fused_batch_norm: mean and variance are required when is_training=False")
        y = batch_normalization(x, mean, variance, offset, scale, epsilon)
        return y, to_tensor(mean), to_tensor(variance)
    batch_mean, batch_var = moments(x, [0, 1, 2])
    y = batch_normalization(x, batch_mean, batch_var, offset, scale, epsilon)
    count = m.cast(a.size(x), batch_var._dtype) / float(x._shape[3])
    unbiased = batch_var * count / m.maximum(count - 1, m.ones_like(count))
    if exponential_avg_factor != 1.0 and mean is not None and variance is not None:
        f = exponential_avg_factor
        batch_mean = (1 - f) * to_tensor(mean) + f * batch_mean
        unbiased = (1 - f) * to_tensor(variance) + f * unbiased
    return y, batch_mean, unbiased


def l2_loss(t, name=None):
    """sum(t ** 2) / 2.

    >>> tf.nn.l2_loss(tf.constant([1., 2.]))
    <tf.Tensor: shape=(), dtype=float32, numpy=2.5>
    """
    t = _float_input(t, "l2_loss")
    return r.reduce_sum(m.square(t)) / 2


def l2_normalize(x, axis=None, epsilon=1e-12, name=None, dim=None):
    """x / sqrt(max(sum(x ** 2, axis), epsilon)).

    >>> tf.nn.l2_normalize(tf.constant([3., 4.]))
    <tf.Tensor: shape=(2,), dtype=float32, numpy=array([0.6, 0.8], dtype=float32)>
    """
    x = _float_input(x, "l2_normalize")
    axis = dim if axis is None else axis
    square_sum = r.reduce_sum(m.square(x), axis=axis, keepdims=True)
    return x * m.rsqrt(m.maximum(square_sum, epsilon))


def embedding_lookup(params, ids, max_norm=None, name=None):
    """Rows of params (a tensor, or a list of shards split with the "div" strategy) at ids.

    >>> tf.nn.embedding_lookup(tf.constant([[0., 1.], [2., 3.]]), [1, 1])
    <tf.Tensor: shape=(2, 2), dtype=float32, numpy=array([[2., 3.], [2., 3.]], dtype=float32)>
    """
    if isinstance(params, (list, tuple)):
        if not params:
            raise ValueError("embedding_lookup: params must not be empty")
        # "div" sharding keeps ids in shard order, so the shards concatenated are the full table.
        table = to_tensor(params[0]) if len(params) == 1 else a.concat([to_tensor(p) for p in params], 0)
    else:
        table = to_tensor(params)
    rows = a.gather(table, ids)
    if max_norm is not None:
        axes = list(range(len(to_tensor(ids)._shape), len(rows._shape)))
        norm = m.sqrt(r.reduce_sum(m.square(rows), axis=axes, keepdims=True))
        rows = rows * m.minimum(m.ones_like(norm), max_norm / m.maximum(norm, 1e-30 * m.ones_like(norm)))
    return rows


def in_top_k(targets, predictions, k, name=None):
    """Whether predictions[i, targets[i]] is among the k largest of row i (ties count as in).

    >>> tf.nn.in_top_k(targets=[1, 0], predictions=[[0.1, 0.9], [0.8, 0.2]], k=1)
    <tf.Tensor: shape=(2,), dtype=bool, numpy=array([ True,  True])>
    """
    p = _float_input(predictions, "in_top_k")
    t = to_tensor(targets)
    check_dtype(t, INTEGER, "in_top_k")
    if len(p._shape) != 2 or len(t._shape) != 1:
        raise ValueError(f"in_top_k: predictions must be rank 2 and targets rank 1, got {_fmt(p._shape)} and "
                         f"{_fmt(t._shape)}")
    num_classes = p._shape[1]
    hot = m.equal(a.expand_dims(t, -1), a.range_(0, num_classes, dtype=t._dtype))
    target = r.reduce_sum(m.where(hot, p, m.zeros_like(p)), axis=1, keepdims=True)
    above = r.reduce_sum(m.cast(m.greater(p, target), dtypes.int32), axis=1)
    finite = r.reduce_all(m.is_finite(p), axis=1)
    in_range = m.logical_and(m.greater_equal(t, 0), m.less(t, num_classes))
    return m.logical_and(m.logical_and(m.less(above, int(k)), finite), in_range)


def dropout(x, rate, noise_shape=None, seed=None, name=None):
    """Zeroes elements with probability rate and scales the rest by 1 / (1 - rate).

    >>> tf.nn.dropout(tf.ones([2, 2]), rate=0.5, seed=1)  # elements are 0. or 2.
    """
    x = to_tensor(x)
    if not x._dtype.is_floating:
        raise ValueError(f"dropout: x must be a floating point tensor as it will be scaled, got {x._dtype.name}")
    if isinstance(rate, numbers.Real) and not isinstance(rate, bool):
        if not 0 <= rate < 1:
            raise ValueError(f"dropout: rate must be a scalar tensor or a float in the range [0, 1), got {rate}")
        if rate == 0:
            return x
        scale = 1.0 / (1.0 - rate)
    else:
        rate = m.cast(to_tensor(rate), x._dtype)
        scale = 1 / (1 - rate)
    from .random_ops import uniform
    shape = _noise_shape(x, noise_shape)
    keep = m.greater_equal(uniform(shape, dtype=x._dtype, seed=seed), rate)
    return x * scale * m.cast(keep, x._dtype)


def _noise_shape(x, noise_shape):
    if noise_shape is None:
        return list(x._shape) if None not in x._shape else a.shape(x)
    if isinstance(noise_shape, (list, tuple)) and len(noise_shape) == len(x._shape):
        dims = [x._shape[i] if d is None else d for i, d in enumerate(noise_shape)]
        if None not in dims:
            return [int(static_value(d, "dropout", "noise_shape")) for d in dims]
        return a.stack([a.shape(x)[i] if d is None else d for i, d in enumerate(dims)])
    return noise_shape


__all__ = ["avg_pool", "avg_pool1d", "avg_pool2d", "batch_normalization", "bias_add", "compute_average_loss",
           "conv1d", "conv2d", "conv2d_transpose", "convolution", "depthwise_conv2d", "dropout",
           "embedding_lookup", "fused_batch_norm", "in_top_k", "l2_loss", "l2_normalize", "log_softmax",
           "max_pool", "max_pool1d", "max_pool2d", "moments", "scale_regularization_loss", "separable_conv2d",
           "sigmoid_cross_entropy_with_logits", "softmax", "softmax_cross_entropy_with_logits",
           "sparse_softmax_cross_entropy_with_logits", "weighted_cross_entropy_with_logits"]
