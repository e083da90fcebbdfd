"""Layout kernels: transpose, broadcast_to/like, tile and reverse, each one strided copy of its
input (copy_b32 / copy_b8), with the input's strides permuted, zeroed or negated."""
from ... import dtypes
from .programs import WIDTH, Fallback, broadcast_strides, collapse, contiguous_strides, kernel, layout_words

HELD = (dtypes.float32, dtypes.int32, dtypes.bool)


def strided_copy(backend, x, out, strides, offset=0):
    """out (contiguous) = x read with element `strides` from element `offset`."""
    if not out.size:
        return out
    shape, (strides,) = collapse(out.shape, strides)
    backend.set_params(layout_words(shape, [strides]))
    backend.call(f"copy_{WIDTH[x._dtype]}", x.ptr + offset * x.dtype.itemsize, out.ptr, len(shape))
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
    out = backend.output(shape, dtype)
    if out.size:
        shape_c, (strides_c,) = collapse(view_shape, view_strides)
        backend.set_params(layout_words(shape_c, [strides_c]))
        backend.call(f"copy_{WIDTH[x._dtype]}", x.ptr, out.ptr, len(shape_c))
    return out


@kernel("reverse", dtypes=HELD)
def _reverse(backend, op, inputs, params, avals):
    (x,), ((shape, dtype),) = inputs, avals
    axes = params["axis"]
    if not axes:
        return backend.alias(x, shape)
    strides = contiguous_strides(x.shape)
    offset = 0
    for a in axes:
        if x.shape[a] == 0:
            return backend.output(shape, dtype)
        offset += (x.shape[a] - 1) * strides[a]
        strides[a] = -strides[a]
    if len(set(axes)) != len(axes):
        raise Fallback("reverse with a repeated axis")
    return strided_copy(backend, x, backend.output(shape, dtype), strides, offset)
