"""Argument normalization and window geometry shared by the conv and pool ops (NHWC images).

`_geometry` gives each spatial axis's output size and padding; `_windows` is a strided
view of the padded input's windows, `_col2im` its adjoint (adds windows back onto an image).
"""
import numbers

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .. import errors


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


def _hw(t, what):
    hw = tuple(t._shape[1:3])
    if None in hw:
        raise ValueError(f"the gradient of conv2d needs the {what}'s height and width while tracing, got shape "
                         f"{_fmt(t._shape)}; give tf.function an input_signature with static spatial dims")
    return hw


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
