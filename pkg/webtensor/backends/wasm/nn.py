"""matmul (batched, transposes), conv2d and its two gradients, and pooling: float32 kernels over
kernels_wasm/matmul.c, conv.c and pool.c. Geometry (output sizes, padding) comes from the ops' own
shape rules, so every backend agrees on it."""
from ... import dtypes
from ...ops._spatial import _geometry
from .programs import Fallback, kernel, size_of

F32 = (dtypes.float32,)


def _same_dtype(inputs):
    return inputs[1]._dtype is inputs[0]._dtype


@kernel("matmul", dtypes=F32, accepts=_same_dtype)
def _matmul(backend, op, inputs, params, avals):
    a, b = inputs
    (shape, dtype), = avals
    ta, tb = bool(params["transpose_a"]), bool(params["transpose_b"])
    m, n = shape[-2], shape[-1]
    k = a.shape[-2] if ta else a.shape[-1]
    out = backend.output(shape, dtype)
    if not out.size:
        return out
    batch_a, batch_b = size_of(a.shape[:-2]), size_of(b.shape[:-2])
    batch = size_of(shape[:-2])
    if batch_b == 1 and not ta:  # b shared by every batch: fold a's batch into its rows (one large gemm)
        backend.call("matmul_f32", a.ptr, b.ptr, out.ptr, 1, batch * m, n, k, 0, int(tb), 0, 0)
        return out
    if batch_a == batch_b == batch and a.shape[:-2] == b.shape[:-2]:
        stride_a, stride_b = m * k, k * n
    elif batch_a == 1 and batch_b == batch:
        stride_a, stride_b = 0, k * n
    elif batch_b == 1 and batch_a == batch:
        stride_a, stride_b = m * k, 0
    else:
        raise Fallback(f"matmul with batch shapes {a.shape[:-2]} and {b.shape[:-2]} broadcast on both sides")
    backend.call("matmul_f32", a.ptr, b.ptr, out.ptr, batch, m, n, k, int(ta), int(tb), stride_a, stride_b)
    return out


def _conv_words(x_shape, w_shape, params, op):
    n, h, w, c = x_shape
    kh, kw, _, co = w_shape
    (oh, top, _), (ow, left, _) = _geometry(h, w, kh, kw, params, op)
    (sh, sw), (dh, dw) = params["strides"], params["dilations"]
    return [n, h, w, c, kh, kw, co, oh, ow, sh, sw, dh, dw, top, left]


def _conv_call(backend, export, words, args):
    backend.set_params(words)
    if backend.call(export, *args) < 0:
        raise MemoryError(f"{export}: the wasm module could not allocate its column buffer")


@kernel("conv2d", dtypes=F32, accepts=_same_dtype)
def _conv2d(backend, op, inputs, params, avals):
    x, w = inputs
    (shape, dtype), = avals
    out = backend.output(shape, dtype)
    if out.size:
        _conv_call(backend, "conv2d_f32", _conv_words(x.shape, w.shape, params, op.name), (x.ptr, w.ptr, out.ptr))
    return out


@kernel("conv2d_backprop_input", dtypes=F32, accepts=_same_dtype)
def _conv2d_backprop_input(backend, op, inputs, params, avals):
    dy, w = inputs
    (shape, dtype), = avals
    out = backend.output(shape, dtype)
    if out.size:
        words = _conv_words(shape, w.shape, params, op.name)
        if tuple(dy.shape[1:3]) != tuple(words[7:9]):
            raise Fallback("out_backprop size mismatch (the CPU kernel raises the error)")
        _conv_call(backend, "conv2d_backprop_input_f32", words, (dy.ptr, w.ptr, out.ptr))
    return out


@kernel("conv2d_backprop_filter", dtypes=F32, accepts=_same_dtype)
def _conv2d_backprop_filter(backend, op, inputs, params, avals):
    x, dy = inputs
    (shape, dtype), = avals
    out = backend.output(shape, dtype)
    if out.size:
        words = _conv_words(x.shape, shape, params, op.name)
        if tuple(dy.shape[:3]) != (words[0], words[7], words[8]):
            raise Fallback("out_backprop size mismatch (the CPU kernel raises the error)")
        _conv_call(backend, "conv2d_backprop_filter_f32", words, (x.ptr, dy.ptr, out.ptr))
    return out


def _pool_words(x_shape, params, op):
    n, h, w, c = x_shape
    kh, kw = params["ksize"]
    (oh, top, _), (ow, left, _) = _geometry(h, w, kh, kw, params, op)
    sh, sw = params["strides"]
    return [n, h, w, c, kh, kw, oh, ow, sh, sw, top, left]


def _pool(export, input_of_geometry):
    def build(backend, op, inputs, params, avals):
        (shape, dtype), = avals
        out = backend.output(shape, dtype)
        if out.size:
            backend.set_params(_pool_words(input_of_geometry(inputs, shape, params), params, op.name))
            backend.call(export, *[h.ptr for h in inputs], out.ptr)
        return out
    return build


def _input_shape(inputs, shape, params):
    return inputs[0].shape


def _grad_shape(inputs, shape, params):
    return tuple(shape)


kernel("max_pool2d", dtypes=F32)(_pool("max_pool2d_f32", _input_shape))
kernel("max_pool2d_grad", dtypes=F32, accepts=_same_dtype)(_pool("max_pool2d_grad_f32", _input_shape))
kernel("max_pool2d_grad_grad", dtypes=F32, accepts=_same_dtype)(_pool("max_pool2d_grad_grad_f32", _input_shape))
kernel("avg_pool2d", dtypes=F32)(_pool("avg_pool2d_f32", _input_shape))
kernel("avg_pool2d_grad", dtypes=F32)(_pool("avg_pool2d_grad_f32", _grad_shape))
