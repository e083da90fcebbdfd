"""Convolution and pooling programs (NHWC images, HWIO filters).

The three convolutions are implicit GEMMs on matmul.py's tiled kernel, with loaders that read
the patch matrix straight from the image (shaders/conv_window.wgsl):
  conv2d:                 out[N*OH*OW, COUT] = patches[N*OH*OW, KH*KW*C] @ w[KH*KW*C, COUT]
  conv2d_backprop_filter: dw[KH*KW*C, COUT]  = patches^T @ dy[N*OH*OW, COUT]
  conv2d_backprop_input:  dx[N*H*W, C]       = routed_dy[N*H*W, KH*KW*COUT] @ w^T (per tap)
Pooling runs one invocation per output (forward) or per input cell (gradients) with TensorFlow's
SAME/VALID windows and first-maximum tie rule, as the numpy kernels in ops/pool_ops.py.
"""
from ...ops._spatial import _geometry
from .matmul import ZERO, gemm
from .programs import Fallback, program, shader, size_of, source

F32, I32 = "f32", "i32"
# few outputs over a long contraction: a workgroup per output reduces it (filter gradients)
REDUCE_OUTPUTS = 4096
REDUCE_K = 4096


def _wgsl(h):
    from .backend import STORAGE_TYPES
    return STORAGE_TYPES[h._dtype][0]


def _conv_words(h, w, c, oh, ow, kh, kw, params, top, left, cout):
    (sh, sw), (dh, dw) = params["strides"], params["dilations"]
    return [h, w, c, oh, ow, kh, kw, sh, sw, dh, dw, top, left, cout]


_LOADERS = {  # name -> (load_a, load_b) bodies over conv_window.wgsl's helpers
    "conv2d": ("return window_value(i, k);", "return xb[k * u(21u) + j];"),
    "conv2d_backprop_filter": ("return window_value(k, i);", "return xb[k * u(21u) + j];"),
    "conv2d_backprop_input": ("return backprop_value(i, k);",
                              "return xb[((k / u(21u)) * u(10u) + j) * u(21u) + k % u(21u)];"),
}


def _loaders(name, t):
    load_a, load_b = _LOADERS[name]
    return (source("conv_window") + f"\nfn load_a(off: u32, i: u32, k: u32) -> {t} {{ {load_a} }}\n"
            f"fn load_b(off: u32, k: u32, j: u32) -> {t} {{ {load_b} }}\n")


def _conv_gemm(backend, name, t, a, b, out, m, n, k, words, a_rows_fast, b_k_fast):
    loaders = _loaders(name, t)
    if m * n < REDUCE_OUTPUTS and k >= REDUCE_K:
        fills = dict(LOADERS=loaders, T=t, ZERO=ZERO[t])
        total = m * n
        header = [m, n, k, 1, 1, total, 0]
        backend.dispatch(("matmul_reduce", name, t), lambda: shader("matmul_reduce", 3, **fills),
                         [a, b, out], header + words, total * 256)
        return out
    return gemm(backend, name, t, a, b, out, m, n, k, 1, words, loaders, a_rows_fast, b_k_fast)


@program("conv2d")
def _conv2d(backend, op, inputs, params, avals):
    x, w = inputs
    (shape, dtype), = avals
    t = _wgsl(x)
    n, h, wd, c = x.shape
    kh, kw, _, cout = w.shape
    (oh, top, _), (ow, left, _) = _geometry(h, wd, kh, kw, params, "conv2d")
    out = backend.output(shape, dtype)
    words = _conv_words(h, wd, c, oh, ow, kh, kw, params, top, left, cout)
    return _conv_gemm(backend, "conv2d", t, x, w, out, n * oh * ow, cout, kh * kw * c, words,
                      a_rows_fast=False, b_k_fast=False)


@program("conv2d_backprop_filter")
def _conv2d_backprop_filter(backend, op, inputs, params, avals):
    x, dy = inputs
    (shape, dtype), = avals
    t = _wgsl(x)
    n, h, wd, c = x.shape
    kh, kw = params["filter_hw"]
    (oh, top, _), (ow, left, _) = _geometry(h, wd, kh, kw, params, "conv2d_backprop_filter")
    if tuple(dy.shape) != (n, oh, ow, dy.shape[3]):
        raise ValueError(f"out_backprop shape {dy.shape} does not match the conv2d output {(n, oh, ow)}")
    cout = dy.shape[3]
    out = backend.output(shape, dtype)
    words = _conv_words(h, wd, c, oh, ow, kh, kw, params, top, left, cout)
    return _conv_gemm(backend, "conv2d_backprop_filter", t, x, dy, out, kh * kw * c, cout, n * oh * ow, words,
                      a_rows_fast=True, b_k_fast=False)


@program("conv2d_backprop_input")
def _conv2d_backprop_input(backend, op, inputs, params, avals):
    dy, w = inputs
    (shape, dtype), = avals
    t = _wgsl(dy)
    n, oh, ow, cout = dy.shape
    kh, kw, c, _ = w.shape
    h, wd = params["input_hw"]
    (eh, top, _), (ew, left, _) = _geometry(h, wd, kh, kw, params, "conv2d_backprop_input")
    if (eh, ew) != (oh, ow):
        raise ValueError(f"out_backprop spatial size {(oh, ow)} != conv2d output size {(eh, ew)}")
    out = backend.output(shape, dtype)
    words = _conv_words(h, wd, c, oh, ow, kh, kw, params, top, left, cout)
    return _conv_gemm(backend, "conv2d_backprop_input", t, dy, w, out, n * h * wd, c, kh * kw * cout, words,
                      a_rows_fast=False, b_k_fast=True)


# -- pooling ---------------------------------------------------------------------------------------

_LOWEST = {F32: "bitcast<f32>(0xff800000u)", I32: "bitcast<i32>(0x80000000u)", "u32": "0u"}


def _pool_words(count, x_shape, params, op):
    n, h, w, c = x_shape
    kh, kw = params["ksize"]
    sh, sw = params["strides"]
    (oh, top, _), (ow, left, _) = _geometry(h, w, kh, kw, params, op)
    return [count, h, w, c, oh, ow, kh, kw, sh, sw, top, left], (n, oh, ow, c)


def _bindings(start, *decls):
    return "".join(f"@group(0) @binding({start + i}) var<storage, {access}> {name}: array<{t}>;\n"
                   for i, (access, name, t) in enumerate(decls))


_POOL_BODIES = {
    "max_pool2d": """var best = tap_value(n, oy, ox, c, 0u);
  for (var t = 1u; t < u(7u) * u(8u); t = t + 1u) { best = nan_max(best, tap_value(n, oy, ox, c, t)); }
  out[i] = best;""",
    "avg_pool2d": """var acc = 0.0;
  for (var t = 0u; t < u(7u) * u(8u); t = t + 1u) { acc = acc + tap_value(n, oy, ox, c, t); }
  out[i] = acc / window_count(oy, ox);""",
    "max_pool2d_argmax": "out[i] = i32(max_tap(n, oy, ox, c));",
    "max_pool2d_grad_grad": """let t = max_tap(n, oy, ox, c);
  let y = i32(oy * u(9u) + t / u(8u)) - i32(u(11u));
  let x = i32(ox * u(10u) + t % u(8u)) - i32(u(12u));
  var v = 0.0;
  if (y >= 0 && x >= 0 && y < i32(u(2u)) && x < i32(u(3u))) { v = g[((n * u(2u) + u32(y)) * u(3u) + u32(x)) * u(4u) + c]; }
  out[i] = v;""",
}


def _pool_pass(backend, kind, x, extra, out, words):
    """One pool.wgsl dispatch: x's windows (plus `extra` inputs) into out, one invocation per output."""
    t = _wgsl(x)
    out_t = "i32" if kind == "max_pool2d_argmax" else _wgsl(out)
    decls = [("read", "g", "f32")] if kind == "max_pool2d_grad_grad" else []
    bindings = _bindings(1, *decls, ("read_write", "out", out_t))
    fill = "0.0" if kind == "avg_pool2d" else _LOWEST[t]
    window = source("pool_window") + source("pool_geometry")
    fills = dict(BINDINGS=bindings, WINDOW=window, BODY=_POOL_BODIES[kind], T=t, LOWEST=fill,
                 FLOAT="true" if t == F32 else "false")
    backend.dispatch(("pool", kind, t), lambda: shader("pool", 2 + len(decls), **fills),
                     [x] + extra + [out], words, words[0])


@program("max_pool2d", "avg_pool2d")
def _pool(backend, op, inputs, params, avals):
    (x,) = inputs
    (shape, dtype), = avals
    if op.name == "avg_pool2d" and _wgsl(x) != F32:
        raise Fallback(f"avg_pool2d on {x._dtype.name}")
    out = backend.output(shape, dtype)
    count = size_of(shape)
    if count:
        words, _ = _pool_words(count, x.shape, params, op.name)
        _pool_pass(backend, op.name, x, [], out, words)
    return out


@program("max_pool2d_grad_grad")
def _max_pool2d_grad_grad(backend, op, inputs, params, avals):
    x, g = inputs
    (shape, dtype), = avals
    if _wgsl(g) != F32:
        raise Fallback(f"max_pool2d_grad_grad with a {g._dtype.name} gradient")
    out = backend.output(shape, dtype)
    count = size_of(shape)
    if count:
        words, _ = _pool_words(count, x.shape, params, op.name)
        _pool_pass(backend, op.name, x, [g], out, words)
    return out


_GRAD_ACCUMULATE = {
    "max_pool2d_grad": """let t = u32(taps[o]);
      if (u32(oy) * u(9u) + t / u(8u) == p.y + u(11u) && u32(ox) * u(10u) + t % u(8u) == p.z + u(12u)) {
        acc = acc + dy[o];
      }""",
    "avg_pool2d_grad": "acc = acc + dy[o] / window_count(u32(oy), u32(ox));",
}


def _grad_pass(backend, kind, sources, out, words):
    decls = ([("read", "taps", "i32")] if kind == "max_pool2d_grad" else []) + [("read", "dy", "f32")]
    bindings = _bindings(0, *decls, ("read_write", "out", "f32"))
    fills = dict(BINDINGS=bindings, WINDOW=source("pool_geometry"), ACCUMULATE=_GRAD_ACCUMULATE[kind])
    backend.dispatch(("pool_grad", kind), lambda: shader("pool_grad", len(decls) + 1, **fills),
                     sources + [out], words, words[0])


@program("max_pool2d_grad")
def _max_pool2d_grad(backend, op, inputs, params, avals):
    x, dy = inputs
    (shape, dtype), = avals
    if _wgsl(dy) != F32:
        raise Fallback(f"max_pool2d_grad with a {dy._dtype.name} gradient")
    out = backend.output(shape, dtype)
    count = size_of(shape)
    words, pooled = _pool_words(size_of(dy.shape), x.shape, params, op.name)
    if tuple(dy.shape) != pooled:
        raise ValueError(f"max_pool2d_grad: gradient shape {list(dy.shape)} != pooled shape {list(pooled)}")
    if count == 0:
        return out
    from ... import dtypes
    taps = backend.output(pooled, dtypes.int32)
    if words[0]:
        _pool_pass(backend, "max_pool2d_argmax", x, [], taps, words)
    _grad_pass(backend, "max_pool2d_grad", [taps, dy], out, [count] + words[1:])
    return out


@program("avg_pool2d_grad")
def _avg_pool2d_grad(backend, op, inputs, params, avals):
    (dy,) = inputs
    (shape, dtype), = avals
    if _wgsl(dy) != F32:
        raise Fallback(f"avg_pool2d_grad on {dy._dtype.name}")
    out = backend.output(shape, dtype)
    count = size_of(shape)
    if count == 0:
        return out
    words, pooled = _pool_words(count, shape, params, op.name)
    if tuple(dy.shape) != pooled:
        raise ValueError(f"gradient spatial size {tuple(dy.shape[1:3])} != avg_pool2d output size {pooled[1:3]}")
    _grad_pass(backend, "avg_pool2d_grad", [dy], out, words)
    return out
