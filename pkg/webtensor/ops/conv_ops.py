"""Convolution: conv2d and its two backprops (primitives); conv1d, conv2d_transpose, depthwise_conv2d,
separable_conv2d and convolution (composites).

Filters are HWIO. Every conv primitive's gradient is another conv primitive, so
derivatives of any order work. Kernels use im2col: a strided window view of the
padded input, reshaped to a [pixels, kh*kw*channels] matrix, then one matmul.
Scatter-backs (col2im) loop over the kh*kw filter taps, never over pixels.
"""
import numpy as np

from .. import errors
from ..core.registry import bind, defop
from . import array_ops as a
from ._helpers import FLOAT, check_dtype, static_value, to_tensor
from ._spatial import (_check_format, _col2im, _compute_dtype, _fmt, _geometry, _hw, _im2col, _padding,
                       _spatial_pair, _width_value)


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


__all__ = ["conv1d", "conv2d", "conv2d_transpose", "convolution", "depthwise_conv2d", "separable_conv2d"]
