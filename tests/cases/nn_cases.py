"""Neural-network primitives: conv2d and its backprops, max/avg pooling and their gradients.

References are written independently with explicit loops over output positions and
filter taps (fine at these tiny sizes): padding is recomputed from TensorFlow's rules,
never taken from webtensor.
"""
import math

import numpy as np

from . import OpCase, rand


def _axis(size, k, stride, dilation, padding, axis):
    """(output size, padding before) of one spatial axis under TensorFlow's rules."""
    ek = (k - 1) * dilation + 1
    if padding == "VALID":
        return (size - ek) // stride + 1, 0
    if padding == "SAME":
        out = math.ceil(size / stride)
        return out, max((out - 1) * stride + ek - size, 0) // 2
    before, after = padding[1 + axis]
    return (size + before + after - ek) // stride + 1, before


def ref_conv2d(x, w, strides, padding, dilations=(1, 1)):
    n, h, wd, c = x.shape
    kh, kw, _, o = w.shape
    oh, top = _axis(h, kh, strides[0], dilations[0], padding, 0)
    ow, left = _axis(wd, kw, strides[1], dilations[1], padding, 1)
    out = np.zeros((n, oh, ow, o))
    for i in range(oh):
        for j in range(ow):
            for a in range(kh):
                for b in range(kw):
                    r = i * strides[0] - top + a * dilations[0]
                    q = j * strides[1] - left + b * dilations[1]
                    if 0 <= r < h and 0 <= q < wd:
                        out[:, i, j, :] += x[:, r, q, :] @ w[a, b]
    return out


def ref_conv2d_backprop_input(dy, w, input_hw, strides, padding, dilations=(1, 1)):
    kh, kw, c, _ = w.shape
    h, wd = input_hw
    _, top = _axis(h, kh, strides[0], dilations[0], padding, 0)
    _, left = _axis(wd, kw, strides[1], dilations[1], padding, 1)
    dx = np.zeros((dy.shape[0], h, wd, c))
    for i in range(dy.shape[1]):
        for j in range(dy.shape[2]):
            for a in range(kh):
                for b in range(kw):
                    r = i * strides[0] - top + a * dilations[0]
                    q = j * strides[1] - left + b * dilations[1]
                    if 0 <= r < h and 0 <= q < wd:
                        dx[:, r, q, :] += dy[:, i, j, :] @ w[a, b].T
    return dx


def ref_conv2d_backprop_filter(x, dy, filter_hw, strides, padding, dilations=(1, 1)):
    kh, kw = filter_hw
    _, h, wd, c = x.shape
    _, top = _axis(h, kh, strides[0], dilations[0], padding, 0)
    _, left = _axis(wd, kw, strides[1], dilations[1], padding, 1)
    dw = np.zeros((kh, kw, c, dy.shape[3]))
    for i in range(dy.shape[1]):
        for j in range(dy.shape[2]):
            for a in range(kh):
                for b in range(kw):
                    r = i * strides[0] - top + a * dilations[0]
                    q = j * strides[1] - left + b * dilations[1]
                    if 0 <= r < h and 0 <= q < wd:
                        dw[a, b] += x[:, r, q, :].T @ dy[:, i, j, :]
    return dw


def _pool_cells(h, wd, ksize, strides, padding):
    """For each output (i, j): the in-bounds input cells of its window, in row-major order."""
    oh, top = _axis(h, ksize[0], strides[0], 1, padding, 0)
    ow, left = _axis(wd, ksize[1], strides[1], 1, padding, 1)
    cells = {}
    for i in range(oh):
        for j in range(ow):
            cells[i, j] = [(i * strides[0] - top + a, j * strides[1] - left + b)
                           for a in range(ksize[0]) for b in range(ksize[1])
                           if 0 <= i * strides[0] - top + a < h and 0 <= j * strides[1] - left + b < wd]
    return oh, ow, cells


def ref_max_pool2d(x, ksize, strides, padding):
    n, h, wd, c = x.shape
    oh, ow, cells = _pool_cells(h, wd, ksize, strides, padding)
    out = np.zeros((n, oh, ow, c), x.dtype)
    for (i, j), cs in cells.items():
        out[:, i, j, :] = np.max([x[:, r, q, :] for r, q in cs], axis=0)
    return out


def ref_avg_pool2d(x, ksize, strides, padding):
    n, h, wd, c = x.shape
    oh, ow, cells = _pool_cells(h, wd, ksize, strides, padding)
    out = np.zeros((n, oh, ow, c))
    for (i, j), cs in cells.items():
        out[:, i, j, :] = np.mean([x[:, r, q, :] for r, q in cs], axis=0)
    return out


def _argmax_cells(x, ksize, strides, padding):
    """{(n, i, j, ch): (r, q)} the first maximum (row-major) of every window."""
    n, h, wd, c = x.shape
    _, _, cells = _pool_cells(h, wd, ksize, strides, padding)
    best = {}
    for (i, j), cs in cells.items():
        for b in range(n):
            for ch in range(c):
                top = None
                for r, q in cs:
                    if top is None or x[b, r, q, ch] > x[b, top[0], top[1], ch]:
                        top = (r, q)
                best[b, i, j, ch] = top
    return best


def ref_max_pool2d_grad(x, dy, ksize, strides, padding):
    dx = np.zeros(x.shape)
    for (b, i, j, ch), (r, q) in _argmax_cells(x, ksize, strides, padding).items():
        dx[b, r, q, ch] += dy[b, i, j, ch]
    return dx


def ref_max_pool2d_grad_grad(x, g, ksize, strides, padding):
    oh, ow, _ = _pool_cells(x.shape[1], x.shape[2], ksize, strides, padding)
    out = np.zeros((x.shape[0], oh, ow, x.shape[3]))
    for (b, i, j, ch), (r, q) in _argmax_cells(x, ksize, strides, padding).items():
        out[b, i, j, ch] = g[b, r, q, ch]
    return out


def ref_avg_pool2d_grad(dy, input_hw, ksize, strides, padding):
    h, wd = input_hw
    _, _, cells = _pool_cells(h, wd, ksize, strides, padding)
    dx = np.zeros((dy.shape[0], h, wd, dy.shape[3]))
    for (i, j), cs in cells.items():
        for r, q in cs:
            dx[:, r, q, :] += dy[:, i, j, :] / len(cs)
    return dx


# -- case builders ---------------------------------------------------------------------------------

def _bind(name, params):
    def fn(tf, *xs):
        from webtensor.core.registry import bind
        return bind(name, tuple(xs), params)
    return fn


def _conv_params(strides, padding, dilations):
    if isinstance(padding, str):
        mode, explicit = padding, ()
    else:
        mode, explicit = "EXPLICIT", (tuple(padding[1]), tuple(padding[2]))
    return {"strides": tuple(strides), "padding": mode, "explicit_paddings": explicit,
            "dilations": tuple(dilations)}


def _out_hw(h, wd, kh, kw, strides, padding, dilations):
    return (_axis(h, kh, strides[0], dilations[0], padding, 0)[0],
            _axis(wd, kw, strides[1], dilations[1], padding, 1)[0])


EXPLICIT = [[0, 0], [1, 2], [0, 1], [0, 0]]
# (case suffix, input shape, filter shape, strides, padding, dilations)
CONV_CONFIGS = [
    ("same_s1", (2, 5, 5, 3), (3, 3, 3, 2), (1, 1), "SAME", (1, 1)),
    ("valid_s2", (2, 5, 5, 3), (3, 3, 3, 2), (2, 2), "VALID", (1, 1)),
    ("same_s2_asym", (2, 6, 5, 2), (2, 3, 2, 3), (2, 2), "SAME", (1, 1)),
    ("same_dilated", (2, 5, 5, 2), (2, 2, 2, 2), (1, 1), "SAME", (2, 2)),
    ("valid_dilated", (1, 6, 5, 2), (2, 2, 2, 3), (1, 2), "VALID", (2, 1)),
    ("explicit", (2, 5, 4, 2), (3, 2, 2, 2), (2, 1), EXPLICIT, (1, 1)),
]


def _conv_cases():
    cases = []
    for suffix, xs, ws, strides, padding, dilations in CONV_CONFIGS:
        x, w = rand(*xs, seed=1), rand(*ws, seed=2)
        dy = rand(xs[0], *_out_hw(xs[1], xs[2], ws[0], ws[1], strides, padding, dilations), ws[3], seed=3)

        def conv(tf, x, w, strides=strides, padding=padding, dilations=dilations):
            return tf.nn.conv2d(x, w, strides=list(strides), padding=padding, dilations=list(dilations))

        def transpose(tf, dy, w, xs=xs, strides=strides, padding=padding, dilations=dilations):
            return tf.nn.conv2d_transpose(dy, w, list(xs), strides=list(strides), padding=padding,
                                          dilations=list(dilations))
        p = _conv_params(strides, padding, dilations)
        cases += [
            OpCase("conv2d", conv, [x, w],
                   lambda x, w, s=strides, p=padding, d=dilations: ref_conv2d(x, w, s, p, d),
                   name=f"conv2d_{suffix}", rtol=1e-4),
            OpCase("conv2d_backprop_input", transpose, [dy, w],
                   lambda dy, w, hw=xs[1:3], s=strides, p=padding, d=dilations:
                   ref_conv2d_backprop_input(dy, w, hw, s, p, d),
                   name=f"conv2d_backprop_input_{suffix}", rtol=1e-4),
            OpCase("conv2d_backprop_filter", _bind("conv2d_backprop_filter", {"filter_hw": ws[:2], **p}), [x, dy],
                   lambda x, dy, hw=ws[:2], s=strides, p=padding, d=dilations:
                   ref_conv2d_backprop_filter(x, dy, hw, s, p, d),
                   name=f"conv2d_backprop_filter_{suffix}", rtol=1e-4),
        ]
    return cases


# (case suffix, input shape, ksize, strides, padding)
POOL_CONFIGS = [
    ("same_k3_s2", (2, 5, 5, 2), (3, 3), (2, 2), "SAME"),
    ("valid_k2_s2", (2, 5, 5, 2), (2, 2), (2, 2), "VALID"),
    ("same_k2_s1", (1, 4, 5, 3), (2, 2), (1, 1), "SAME"),
    ("same_k3x2_s1x2", (2, 4, 5, 1), (3, 2), (1, 2), "SAME"),
]


def _pool_cases():
    cases = []
    for suffix, xs, ksize, strides, padding in POOL_CONFIGS:
        x = rand(*xs, seed=4)
        oh, ow = _out_hw(xs[1], xs[2], ksize[0], ksize[1], strides, padding, (1, 1))
        dy = rand(xs[0], oh, ow, xs[3], seed=5)
        g = rand(*xs, seed=6)
        p = {"ksize": ksize, "strides": strides, "padding": padding}
        kw = dict(ksize=list(ksize), strides=list(strides), padding=padding)

        cases += [
            OpCase("max_pool2d", lambda tf, x, kw=kw: tf.nn.max_pool2d(x, **kw), [x],
                   lambda x, k=ksize, s=strides, p=padding: ref_max_pool2d(x, k, s, p), name=f"max_pool2d_{suffix}"),
            OpCase("avg_pool2d", lambda tf, x, kw=kw: tf.nn.avg_pool2d(x, **kw), [x],
                   lambda x, k=ksize, s=strides, p=padding: ref_avg_pool2d(x, k, s, p), name=f"avg_pool2d_{suffix}"),
            OpCase("max_pool2d_grad", _bind("max_pool2d_grad", p), [x, dy],
                   lambda x, dy, k=ksize, s=strides, p=padding: ref_max_pool2d_grad(x, dy, k, s, p),
                   name=f"max_pool2d_grad_{suffix}"),
            OpCase("max_pool2d_grad_grad", _bind("max_pool2d_grad_grad", p), [x, g],
                   lambda x, g, k=ksize, s=strides, p=padding: ref_max_pool2d_grad_grad(x, g, k, s, p),
                   name=f"max_pool2d_grad_grad_{suffix}"),
            OpCase("avg_pool2d_grad", _bind("avg_pool2d_grad", {"input_hw": xs[1:3], **p}), [dy],
                   lambda dy, hw=xs[1:3], k=ksize, s=strides, p=padding: ref_avg_pool2d_grad(dy, hw, k, s, p),
                   name=f"avg_pool2d_grad_{suffix}"),
        ]
    return cases


CASES = _conv_cases() + _pool_cases() + [
    # max pool on integers: padded cells must not win even when every value is negative
    OpCase("max_pool2d", lambda tf, x: tf.nn.max_pool2d(x, 3, 2, "SAME"),
           [np.arange(-50, 0, dtype=np.int32).reshape(2, 5, 5, 1)],
           lambda x: ref_max_pool2d(x, (3, 3), (2, 2), "SAME"), name="max_pool2d_int32_negative", grad=False),
]
