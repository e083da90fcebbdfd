"""Layout kernels: transpose, broadcast_to/like, tile, reverse, strided_slice (+ grad), concat, split
and pad (+ grad), each one or a few strided copies (copy_b32 / copy_b8): the source read with its
strides permuted, zeroed or negated, the destination written at an offset with its own strides."""
import numpy as np

from ... import dtypes
from .programs import WIDTH, Fallback, broadcast_strides, collapse, contiguous_strides, kernel, layout_words

HELD = (dtypes.float32, dtypes.int32, dtypes.bool)


def strided_copy(backend, x, out, strides, offset=0, shape=None, out_strides=None, out_offset=0):
    """Copies the region `shape` (default: out's) of x, read with element `strides` from element
    `offset`, into out written with `out_strides` (default: contiguous) from `out_offset`."""
    shape = out.shape if shape is None else tuple(shape)
    if 0 in shape:
        return out
    if out_strides is None:
        out_strides = contiguous_strides(shape)
    dims, (src, dst) = collapse(shape, strides, out_strides)
    backend.set_params(layout_words(dims, [src, dst]))
    size = x.dtype.itemsize
    backend.call(f"copy_{WIDTH[x._dtype]}", x.ptr + offset * size, out.ptr + out_offset * size, len(dims))
    return out


@kernel("transpose", dtypes=HELD)
def _transpose(backend, op, inputs, params, avals):
    (x,), ((shape, dtype),) = inputs, avals
    strides = contiguous_strides(x.shape)
    return strided_copy(backend, x, backend.output(shape, dtype), [strides[p] for p in params["perm"]])


def _broadcast(backend, op, inputs, params, avals):
    (shape, dtype), = avals
    if None in shape:
        shape = tuple(int(d) for d in inputs[1])
    x = inputs[0]
    if tuple(shape) == x.shape:
        return backend.alias(x, shape)
    return strided_copy(backend, x, backend.output(shape, dtype), broadcast_strides(x.shape, shape))


kernel("broadcast_to", dtypes=HELD, host_inputs=(1,))(_broadcast)
kernel("broadcast_like", dtypes=HELD)(_broadcast)


@kernel("tile", dtypes=HELD)
def _tile(backend, op, inputs, params, avals):
    # x of shape (d0, d1, ...) read as (1, d0, 1, d1, ...) broadcast to (m0, d0, m1, d1, ...)
    (x,), ((shape, dtype),) = inputs, avals
    strides = contiguous_strides(x.shape)
    view_shape, view_strides = [], []
    for d, s, m in zip(x.shape, strides, params["multiples"]):
        view_shape += [int(m), d]
        view_strides += [0, s]
    return strided_copy(backend, x, backend.output(shape, dtype), view_strides, shape=view_shape)


@kernel("reverse", dtypes=HELD)
def _reverse(backend, op, inputs, params, avals):
    (x,), ((shape, dtype),) = inputs, avals
    axes = params["axis"]
    if not axes:
        return backend.alias(x, shape)
    if len(set(axes)) != len(axes):
        raise Fallback("reverse with a repeated axis")
    strides = contiguous_strides(x.shape)
    offset = 0
    for a in axes:
        offset += max(x.shape[a] - 1, 0) * strides[a]
        strides[a] = -strides[a]
    return strided_copy(backend, x, backend.output(shape, dtype), strides, offset)


def _slice_geometry(shape, spec):
    """(element offset, shape, element strides) of x[spec] for a contiguous x of `shape`.

    numpy works the geometry out on a stand-in array with one-byte elements whose byte strides are
    our element strides; the stand-in's memory is never read.
    """
    # A trailing axis of size 1, always taken whole, keeps the result a view (an int index alone
    # would give a numpy scalar, a copy).
    stand_in = np.lib.stride_tricks.as_strided(np.zeros(1, np.uint8), shape=tuple(shape) + (1,),
                                                strides=contiguous_strides(shape) + [0])
    view = stand_in[(spec if isinstance(spec, tuple) else (spec,)) + (slice(None),)]
    offset = view.__array_interface__["data"][0] - stand_in.__array_interface__["data"][0]
    return offset, view.shape[:-1], view.strides[:-1]


@kernel("strided_slice", dtypes=HELD)
def _strided_slice(backend, op, inputs, params, avals):
    (x,), ((shape, dtype),) = inputs, avals
    offset, view_shape, strides = _slice_geometry(x.shape, params["spec"])
    if tuple(view_shape) != tuple(shape):
        raise Fallback("strided_slice geometry differs from its shape rule")
    return strided_copy(backend, x, backend.output(shape, dtype), strides, offset)


def _zeros(backend, shape, dtype):
    out = backend.output(shape, dtype)
    if out.size:
        backend.adapter.fill_zero(out.ptr, out.size * out.dtype.itemsize)
    return out


@kernel("strided_slice_grad", dtypes=HELD)
def _strided_slice_grad(backend, op, inputs, params, avals):
    dy, like = inputs
    (shape, dtype), = avals
    offset, view_shape, strides = _slice_geometry(tuple(shape), params["spec"])
    if tuple(view_shape) != dy.shape:
        raise Fallback("strided_slice_grad geometry differs from dy")
    out = _zeros(backend, shape, dtype)
    return strided_copy(backend, dy, out, contiguous_strides(dy.shape), 0, dy.shape, strides, offset)


@kernel("concat", accepts=lambda inputs: all(t._dtype in HELD and t._dtype is inputs[0]._dtype for t in inputs))
def _concat(backend, op, inputs, params, avals):
    (shape, dtype), = avals
    axis = params["axis"]
    out = backend.output(shape, dtype)
    out_strides = contiguous_strides(shape)
    start = 0
    for x in inputs:
        strided_copy(backend, x, out, contiguous_strides(x.shape), 0, x.shape, out_strides, start * out_strides[axis])
        start += x.shape[axis]
    return out


@kernel("split", dtypes=HELD)
def _split(backend, op, inputs, params, avals):
    (x,) = inputs
    axis = params["axis"]
    strides = contiguous_strides(x.shape)
    outs, start = [], 0
    for shape, dtype in avals:
        outs.append(strided_copy(backend, x, backend.output(shape, dtype), strides, start * strides[axis]))
        start += shape[axis]
    return tuple(outs)


@kernel("pad", dtypes=HELD)
def _pad(backend, op, inputs, params, avals):
    (x,), ((shape, dtype),) = inputs, avals
    if params["mode"] != "CONSTANT" or np.asarray(params["constant_values"]).item() != 0:
        raise Fallback("pad other than with zeros")
    out = _zeros(backend, shape, dtype)
    out_strides = contiguous_strides(shape)
    offset = sum(int(lo) * s for (lo, _), s in zip(params["paddings"], out_strides))
    return strided_copy(backend, x, out, contiguous_strides(x.shape), 0, x.shape, out_strides, offset)


@kernel("pad_grad", dtypes=HELD)
def _pad_grad(backend, op, inputs, params, avals):
    dy, like = inputs
    (shape, dtype), = avals
    if params["mode"] != "CONSTANT":
        raise Fallback("the gradient of a mirror pad")
    strides = contiguous_strides(dy.shape)
    offset = sum(int(lo) * s for (lo, _), s in zip(params["paddings"], strides))
    return strided_copy(backend, dy, backend.output(shape, dtype), strides, offset)
