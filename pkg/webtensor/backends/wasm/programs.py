"""The op -> kernel table of the wasm backend, and the shape helpers kernel builders share.

A builder has the signature `build(backend, op, handles, params, avals) -> handle(s)`: it makes
the output handles, writes shapes into the parameter block and calls the exports named
`<op>_<dtype>` (kernels_wasm/README.md). It raises `Fallback` when these particular params have
no kernel; the registry then runs the op on the CPU.
"""
import functools

from ... import dtypes

MAX_RANK = 8

KERNELS = {}
_ACCEPTS = {}
HOST_INPUTS = {}  # op name -> input positions a builder reads on the host as numpy arrays
SUFFIX = {dtypes.float32: "f32", dtypes.int32: "i32", dtypes.bool: "bool"}
WIDTH = {dtypes.float32: "b32", dtypes.int32: "b32", dtypes.bool: "b8"}  # kernels that only move bits


class Fallback(Exception):
    """This op (with these inputs/params) has no wasm kernel: run it on the CPU backend instead."""


def kernel(*names, dtypes=None, accepts=None, host_inputs=()):
    """Registers a builder for op names; `dtypes` (of input 0) or `accepts(inputs)` narrow what it takes."""
    def deco(fn):
        for n in names:
            KERNELS[n] = fn
            if dtypes is not None or accepts is not None:
                _ACCEPTS[n] = _checker(dtypes, accepts)
            if host_inputs:
                HOST_INPUTS[n] = frozenset(host_inputs)
        return fn
    return deco


def _checker(allowed, accepts):
    def check(inputs):
        if allowed is not None and inputs[0]._dtype not in allowed:
            return False
        return accepts is None or accepts(inputs)
    return check


def accepts(name, inputs):
    check = _ACCEPTS.get(name)
    return True if check is None else check(inputs)


def size_of(shape):
    n = 1
    for d in shape:
        n *= d
    return n


def contiguous_strides(shape):
    strides = [0] * len(shape)
    s = 1
    for i in range(len(shape) - 1, -1, -1):
        strides[i] = s
        s *= shape[i]
    return strides


def broadcast_strides(shape, out_shape):
    """Element strides of a contiguous tensor of `shape` read as if broadcast to out_shape."""
    full = [1] * (len(out_shape) - len(shape)) + list(shape)
    strides = contiguous_strides(full)
    return [0 if d == 1 and o != 1 else s for d, s, o in zip(full, strides, out_shape)]


def collapse(shape, *strides_list):
    """Merges adjacent axes that every operand walks contiguously; drops size-1 axes.

    Returns (shape, [strides per operand]) of rank >= 1 describing the same element order.
    """
    dims = [(d, [s[i] for s in strides_list]) for i, d in enumerate(shape) if d != 1]
    if not dims:
        return [1], [[0] for _ in strides_list]
    out_shape, out_strides = [dims[0][0]], [[s] for s in dims[0][1]]
    for d, ss in dims[1:]:
        if all(prev[-1] == s * d for prev, s in zip(out_strides, ss)):
            out_shape[-1] *= d
            for prev, s in zip(out_strides, ss):
                prev[-1] = s
        else:
            out_shape.append(d)
            for prev, s in zip(out_strides, ss):
                prev.append(s)
    if len(out_shape) > MAX_RANK:
        raise Fallback(f"rank {len(out_shape)} is above the wasm kernels' maximum rank {MAX_RANK}")
    return out_shape, out_strides


def layout_words(shape, strides_list):
    """The parameter block of a broadcast kernel: shape in words 0..7, operand k's strides at 8(k+1)."""
    words = [0] * (8 * (1 + len(strides_list)))
    words[:len(shape)] = shape
    for k, strides in enumerate(strides_list):
        words[8 * (k + 1):8 * (k + 1) + len(strides)] = strides
    return words


@functools.lru_cache(maxsize=4096)
def broadcast_layout(out_shape, *shapes):
    """(rank, parameter words) of a broadcast kernel reading `shapes` into a contiguous out_shape."""
    dims, strides = collapse(out_shape, *[broadcast_strides(s, out_shape) for s in shapes])
    return len(dims), layout_words(dims, strides)
