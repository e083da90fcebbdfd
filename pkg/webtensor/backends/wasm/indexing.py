"""gather (batch_dims 0), its gradient and unsorted_segment_sum (scatter-adds), and the random ops on
the Philox stream of ops/random_ops.py (kernels_wasm/random.c draws the same bits)."""
import numpy as np

from ... import dtypes
from .programs import Fallback, kernel, size_of

F32, I32, BOOL = dtypes.float32, dtypes.int32, dtypes.bool
INDEX = (dtypes.int32,)  # int64 indices live on the CPU (the wasm backend holds no int64 tensors)


def _check(status, op, cpu_check):
    """A kernel found an index out of range: the CPU kernel raises TensorFlow's error for it."""
    if status >= 0:
        cpu_check()
        raise AssertionError(f"{op}: the wasm kernel rejected an index the CPU kernel accepts")


@kernel("gather", dtypes=(F32, I32, BOOL), accepts=lambda inputs: inputs[1]._dtype in INDEX)
def _gather(backend, op, inputs, params, avals):
    p, idx = inputs
    (shape, dtype), = avals
    axis = params["axis"]
    if params["batch_dims"]:
        raise Fallback("gather with batch_dims")
    out = backend.output(shape, dtype)
    outer, inner = size_of(p.shape[:axis]), size_of(p.shape[axis + 1:])
    m = idx.size
    if outer * inner * m:
        status = backend.call("gather", p.ptr, idx.ptr, out.ptr, outer, p.shape[axis], inner * p.dtype.itemsize, m, 0)
        _check(status, "gather", lambda: op.kernel(backend.read(p), backend.read(idx), **params))
    return out


@kernel("gather_grad", dtypes=(F32,), accepts=lambda inputs: inputs[1]._dtype in INDEX)
def _gather_grad(backend, op, inputs, params, avals):
    dy, idx, like = inputs
    (shape, dtype), = avals
    axis = params["axis"]
    if params["batch_dims"]:
        raise Fallback("gather_grad with batch_dims")
    out = backend.output(shape, dtype)
    if out.size:
        outer, inner = size_of(shape[:axis]), size_of(shape[axis + 1:])
        status = backend.call("gather_grad_f32", dy.ptr, idx.ptr, out.ptr, outer, shape[axis], inner, idx.size, 0)
        _check(status, "gather_grad", lambda: op.kernel(backend.read(dy), backend.read(idx), backend.read(like),
                                                        **params))
    return out


@kernel("unsorted_segment_sum", dtypes=(F32, I32), accepts=lambda inputs: inputs[1]._dtype in INDEX)
def _segment_sum(backend, op, inputs, params, avals):
    data, ids = inputs
    (shape, dtype), = avals
    out = backend.output(shape, dtype)
    if out.size:
        m, inner = ids.size, size_of(data.shape[len(ids.shape):])
        status = backend.call(f"unsorted_segment_sum_{'f32' if dtype is F32 else 'i32'}", data.ptr, ids.ptr, out.ptr,
                              m, inner, params["num_segments"], 0)
        _check(status, "unsorted_segment_sum", lambda: op.kernel(backend.read(data), backend.read(ids), **params))
    return out


# -- random -------------------------------------------------------------------------------------------

def _random(backend, op, inputs, params, avals):
    (shape, dtype), = avals
    if dtype not in (F32, I32) or None in params["shape"]:
        raise Fallback(f"{op.name} of {dtype.name} or with a run-time shape")
    state = np.ascontiguousarray(inputs[0], dtype=np.int64)
    if state.shape != (3,):
        raise Fallback(f"a Philox state of shape {list(state.shape)}")
    out = backend.output(shape, dtype)
    n = out.size
    if not n:
        return out
    block = backend.scratch(24 + 4 * (n + 1))  # the state, then (normals) room for n rounded up to even words
    backend.adapter.write(block.ptr, state)
    name = f"{op.name}_{'f32' if dtype is F32 else 'i32'}"
    if op.name == "random_normal":
        backend.call(name, block.ptr, out.ptr, n, block.ptr + 24)
    elif op.name == "random_uniform_int":
        lo, hi = int(inputs[1]), int(inputs[2])
        if lo >= hi:
            raise Fallback("minval >= maxval (the CPU kernel raises the error)")
        backend.call(name, block.ptr, out.ptr, n, lo, hi)
    else:
        backend.call(name, block.ptr, out.ptr, n)
    return out


for _name in ("random_uniform", "random_normal", "random_truncated_normal", "random_uniform_full_int"):
    kernel(_name, host_inputs=(0, 1))(_random)
kernel("random_uniform_int", host_inputs=(0, 1, 2, 3))(_random)
