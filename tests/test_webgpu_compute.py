"""WebGPU reductions, scans, matmul, einsum, convolution and pooling programs against numpy.

Sizes are chosen to reach every kernel variant: multi-pass reductions, one workgroup per output
and one invocation per output, tiled and skinny matmuls, tiles cut by odd sizes, and more than
65535 workgroups. Each result must also live on the GPU (the program ran, no CPU fallback).
"""
import numpy as np
import pytest

import webtensor as tf
from webtensor.core.registry import bind

pytestmark = pytest.mark.skipif("webgpu" not in tf.config.available_backends(), reason="no WebGPU adapter")

RNG = np.random.default_rng(1234)


def normal(*shape):
    return RNG.standard_normal(shape).astype(np.float32)


def on_gpu(fn, *arrays):
    """fn(*tensors) run under /GPU:0; asserts the result is a GPU tensor and returns its value."""
    with tf.device("/GPU:0"):
        y = fn(*[tf.constant(a) for a in arrays])
    assert "GPU" in y.device, f"ran on {y.device}, expected the GPU"
    return y.numpy()


def on_cpu(fn, *arrays):
    with tf.device("/CPU:0"):
        return fn(*[tf.constant(a) for a in arrays]).numpy()


def close(got, want, rtol=1e-4, atol=1e-4):
    want = np.asarray(want)
    assert got.shape == want.shape, f"shape {got.shape} != {want.shape}"
    if want.dtype.kind in "biu":
        np.testing.assert_array_equal(got, want)
    else:
        np.testing.assert_allclose(got.astype(np.float64), want.astype(np.float64), rtol=rtol, atol=atol)


# -- reductions ------------------------------------------------------------------------------------

AXES = [None, 0, 1, 2, (0, 2), (1, 2), (0, 1, 2), ()]


@pytest.mark.parametrize("axis", AXES, ids=str)
@pytest.mark.parametrize("keepdims", [False, True])
def test_float_reductions_any_axes(axis, keepdims):
    x = normal(5, 6, 7)
    for name, ref in [("reduce_sum", np.sum), ("reduce_mean", np.mean), ("reduce_max", np.max),
                      ("reduce_min", np.min), ("reduce_prod", np.prod)]:
        got = on_gpu(lambda t: getattr(tf, name)(t, axis=axis, keepdims=keepdims), x)
        close(got, ref(x.astype(np.float64), axis=axis, keepdims=keepdims))


def test_int32_reductions_and_truncating_mean():
    x = RNG.integers(-100, 100, size=(9, 301)).astype(np.int32)
    close(on_gpu(lambda t: tf.reduce_sum(t, axis=1), x), x.sum(1).astype(np.int32))
    close(on_gpu(lambda t: tf.reduce_max(t, axis=0), x), x.max(0))
    close(on_gpu(lambda t: tf.reduce_min(t), x), x.min())
    mean = np.trunc(x.astype(np.int64).sum(1) / 301).astype(np.int32)  # TensorFlow truncates toward zero
    close(on_gpu(lambda t: tf.reduce_mean(t, axis=1), x), mean)
    small = RNG.integers(-3, 4, size=(4, 5)).astype(np.int32)
    close(on_gpu(lambda t: tf.reduce_prod(t, axis=1), small), small.prod(1).astype(np.int32))


def test_bool_reductions():
    b = RNG.random((6, 5000)) > 0.9995
    close(on_gpu(lambda t: tf.reduce_any(t, axis=1), b), b.any(1))
    close(on_gpu(lambda t: tf.reduce_all(tf.logical_not(t), axis=1), b), (~b).all(1))
    close(on_gpu(lambda t: tf.reduce_any(t, axis=0, keepdims=True), b[:, :7]), b[:, :7].any(0, keepdims=True))


def test_big_reductions_are_multi_pass():
    x = normal(3_000_001)
    close(on_gpu(tf.reduce_sum, x), x.astype(np.float64).sum(), rtol=1e-4, atol=0.05)
    close(on_gpu(tf.reduce_mean, x), x.astype(np.float64).mean(), atol=1e-6)
    close(on_gpu(tf.reduce_max, x), x.max())
    close(on_gpu(tf.reduce_min, x), x.min())
    ones = np.ones(2_500_000, np.int32)
    close(on_gpu(tf.reduce_sum, ones), np.int32(2_500_000))
    cols = normal(200_000, 3)  # few outputs, long strided reduction
    close(on_gpu(lambda t: tf.reduce_sum(t, axis=0), cols), cols.astype(np.float64).sum(0), atol=0.05)


def test_many_outputs_exceed_65535_workgroups():
    x = normal(70_000, 300)  # one workgroup per output: 70,000 workgroups
    close(on_gpu(lambda t: tf.reduce_max(t, axis=1), x), x.max(1))
    close(on_gpu(lambda t: tf.reduce_sum(t, axis=1), x), x.astype(np.float64).sum(1), atol=1e-3)


def test_empty_reductions_give_identities():
    e = np.zeros((0, 3), np.float32)
    close(on_gpu(lambda t: tf.reduce_sum(t, axis=0), e), np.zeros(3))
    close(on_gpu(lambda t: tf.reduce_prod(t, axis=0), e), np.ones(3))
    close(on_gpu(lambda t: tf.reduce_max(t, axis=0), e), np.full(3, -np.inf, np.float32))
    close(on_gpu(lambda t: tf.reduce_min(t, axis=0), e), np.full(3, np.inf, np.float32))
    ei = np.zeros((3, 0), np.int32)
    close(on_gpu(lambda t: tf.reduce_max(t, axis=1), ei), np.full(3, np.iinfo(np.int32).min, np.int32))
    close(on_gpu(lambda t: tf.reduce_min(t, axis=1), ei), np.full(3, np.iinfo(np.int32).max, np.int32))
    close(on_gpu(lambda t: tf.reduce_all(t, axis=1), np.zeros((2, 0), bool)), np.ones(2, bool))
    assert on_gpu(lambda t: tf.reduce_sum(t, axis=1), np.zeros((0, 4), np.float32)).shape == (0,)


def test_max_propagates_nan():
    x = normal(4, 500)
    x[1, 250] = np.nan
    x[2, 3] = np.nan
    got = on_gpu(lambda t: tf.reduce_max(t, axis=1), x)
    assert np.isnan(got[1]) and np.isnan(got[2]) and not np.isnan(got[[0, 3]]).any()


def test_sum_like_undoes_broadcasting():
    from webtensor.ops import math_ops
    g = normal(4, 3, 1000)
    like = np.zeros((3, 1), np.float32)
    close(on_gpu(lambda a, b: math_ops.sum_like(a, b), g, like), g.astype(np.float64).sum(axis=(0, 2))[:, None],
          atol=1e-3)
    close(on_gpu(lambda a, b: math_ops.sum_like(a, b), g, np.zeros((), np.float32)), g.astype(np.float64).sum(),
          atol=1e-2)


# -- argmax / argmin -------------------------------------------------------------------------------

def test_argmax_argmin_big():
    x = normal(70_000, 7)
    close(on_gpu(lambda t: tf.argmax(t, axis=1, output_type=tf.int32), x), x.argmax(1).astype(np.int32))
    close(on_gpu(lambda t: tf.argmin(t, axis=0, output_type=tf.int32), x), x.argmin(0).astype(np.int32))
    y = normal(3, 5000, 2)
    close(on_gpu(lambda t: tf.argmax(t, axis=1, output_type=tf.int32), y), y.argmax(1).astype(np.int32))


def test_argmax_ties_nan_and_ints():
    x = np.array([[1, 3, 3, 0], [2, 2, 2, 2], [0, 1, 2, 3]], np.float32)
    close(on_gpu(lambda t: tf.argmax(t, axis=1, output_type=tf.int32), x), np.array([1, 0, 3], np.int32))
    long = np.zeros((2, 3000), np.float32)
    long[0, [700, 2900]] = 5.0  # tie across invocations: the first wins
    long[1, [10, 1500]] = np.nan  # the first NaN wins, as numpy
    close(on_gpu(lambda t: tf.argmax(t, axis=1, output_type=tf.int32), long), np.array([700, 10], np.int32))
    close(on_gpu(lambda t: tf.argmin(t, axis=1, output_type=tf.int32), long), np.array([0, 10], np.int32))
    xi = RNG.integers(-9, 9, size=(50, 400)).astype(np.int32)
    close(on_gpu(lambda t: tf.argmin(t, axis=1, output_type=tf.int32), xi), xi.argmin(1).astype(np.int32))


def test_argmax_int64_output_falls_back_to_cpu():
    x = normal(10, 4)
    with tf.device("/GPU:0"):
        y = tf.argmax(tf.constant(x), axis=1)
    assert y.dtype == tf.int64 and "CPU" in y.device
    close(y.numpy(), x.argmax(1))


# -- cumsum / cumprod ------------------------------------------------------------------------------

def _cum_ref(fn, identity, x, axis, exclusive, reverse):
    x = np.flip(x, axis) if reverse else x
    out = fn(x, axis=axis)
    if exclusive:
        pad = np.full_like(np.take(out, [0], axis=axis), identity)
        out = np.concatenate([pad, np.delete(out, -1, axis=axis)], axis=axis)
    return np.flip(out, axis) if reverse else out


@pytest.mark.parametrize("exclusive", [False, True])
@pytest.mark.parametrize("reverse", [False, True])
def test_cumsum_cumprod(exclusive, reverse):
    for shape, axis in [((3, 5000), 1), ((4, 7, 5), 1), ((20_000, 3), 0), ((300, 2), 1)]:
        x = normal(*shape)
        got = on_gpu(lambda t: tf.cumsum(t, axis=axis, exclusive=exclusive, reverse=reverse), x)
        close(got, _cum_ref(np.cumsum, 0, x.astype(np.float64), axis, exclusive, reverse), atol=2e-3)
    p = RNG.uniform(0.9, 1.1, size=(5, 2000)).astype(np.float32)
    got = on_gpu(lambda t: tf.math.cumprod(t, axis=1, exclusive=exclusive, reverse=reverse), p)
    close(got, _cum_ref(np.cumprod, 1, p.astype(np.float64), 1, exclusive, reverse), rtol=1e-3)
    xi = RNG.integers(-5, 5, size=(6, 1500)).astype(np.int32)
    got = on_gpu(lambda t: tf.cumsum(t, axis=1, exclusive=exclusive, reverse=reverse), xi)
    close(got, _cum_ref(np.cumsum, 0, xi, 1, exclusive, reverse).astype(np.int32))


# -- matmul and einsum -----------------------------------------------------------------------------

@pytest.mark.parametrize("ta", [False, True])
@pytest.mark.parametrize("tb", [False, True])
def test_matmul_odd_sizes_and_transposes(ta, tb):
    a = normal(129, 257) if ta else normal(257, 129)
    b = normal(65, 129) if tb else normal(129, 65)
    want = (a.T if ta else a).astype(np.float64) @ (b.T if tb else b)
    close(on_gpu(lambda x, y: tf.matmul(x, y, transpose_a=ta, transpose_b=tb), a, b), want, rtol=1e-3, atol=1e-3)


def test_matmul_batched_broadcast():
    a, b = normal(2, 1, 70, 33), normal(3, 33, 81)
    close(on_gpu(tf.matmul, a, b), np.matmul(a.astype(np.float64), b), rtol=1e-3, atol=1e-3)
    a, b = normal(5, 40, 17), normal(17, 24)  # a matrix broadcast against a batch
    close(on_gpu(tf.matmul, a, b), np.matmul(a.astype(np.float64), b), rtol=1e-3, atol=1e-3)
    a, b = normal(4, 3, 5), normal(4, 6, 5)
    close(on_gpu(lambda x, y: tf.matmul(x, y, transpose_b=True), a, b),
          np.matmul(a.astype(np.float64), np.swapaxes(b, 1, 2)), rtol=1e-3, atol=1e-4)


def test_matmul_skinny_int_and_empty():
    m, v = normal(300, 2000), normal(2000, 1)
    close(on_gpu(tf.matmul, m, v), m.astype(np.float64) @ v, rtol=1e-3, atol=1e-3)
    row, mat = normal(1, 100), normal(100, 3000)
    close(on_gpu(tf.matmul, row, mat), row.astype(np.float64) @ mat, rtol=1e-3, atol=1e-3)
    ai = RNG.integers(-5, 5, size=(70, 30)).astype(np.int32)
    bi = RNG.integers(-5, 5, size=(30, 50)).astype(np.int32)
    close(on_gpu(tf.matmul, ai, bi), ai @ bi)
    close(on_gpu(tf.matmul, normal(4, 0), normal(0, 5)), np.zeros((4, 5)))


def _backend():
    return tf.config._backends.get("webgpu")


def _ran_texture_kernel(fn):
    """Runs fn() and says whether it encoded a matmul_texture dispatch (counted through the adapter)."""
    adapter = _backend().adapter
    seen = []
    original = adapter.dispatch

    def spy(pipeline, buffers, words, grid):
        seen.append(pipeline is adapter._pipelines.get(("matmul_texture", 16)))
        return original(pipeline, buffers, words, grid)

    adapter.dispatch = spy
    try:
        fn()
    finally:
        del adapter.dispatch
    return any(seen)


@pytest.mark.parametrize("ta, tb", [(False, False), (True, False), (False, True), (True, True)])
def test_matmul_through_textures_odd_sizes(monkeypatch, ta, tb):
    """Software adapters pack A^T and B into rgba32float textures for products of 128 and more."""
    if not _backend().adapter.is_software:
        monkeypatch.setenv("WEBTENSOR_WEBGPU_MATMUL", "texture")
    a = normal(200, 131) if ta else normal(131, 200)
    b = normal(157, 200) if tb else normal(200, 157)
    want = (a.T if ta else a).astype(np.float64) @ (b.T if tb else b)
    got = []
    assert _ran_texture_kernel(lambda: got.append(
        on_gpu(lambda x, y: tf.matmul(x, y, transpose_a=ta, transpose_b=tb), a, b)))
    close(got[0], want, rtol=1e-3, atol=1e-3)


def test_matmul_texture_path_batched_small_and_repeated(monkeypatch):
    monkeypatch.setenv("WEBTENSOR_WEBGPU_MATMUL", "texture")
    cases = [(normal(2, 1, 70, 33), normal(3, 33, 81), False, False),   # broadcast batch axes
             (normal(5, 40, 17), normal(17, 24), False, False),          # a matrix against a batch
             (normal(4, 3, 5), normal(4, 6, 5), False, True),            # tiny, transposed
             (normal(17, 1), normal(1, 19), False, False),               # K = 1
             (normal(33, 20), normal(33, 20), True, False)]
    for _ in range(2):  # the second round reuses pooled textures
        for a, b, ta, tb in cases:
            want = np.matmul(np.swapaxes(a, -1, -2) if ta else a, np.swapaxes(b, -1, -2) if tb else b)
            got = on_gpu(lambda x, y: tf.matmul(x, y, transpose_a=ta, transpose_b=tb), a, b)
            close(got, want.astype(np.float64), rtol=1e-3, atol=1e-4)
    # int32 products never go through (float) textures, and stay exact
    ai = RNG.integers(-(1 << 12), 1 << 12, size=(40, 30)).astype(np.int32)
    bi = RNG.integers(-(1 << 12), 1 << 12, size=(30, 20)).astype(np.int32)
    close(on_gpu(tf.matmul, ai, bi), ai @ bi)


def test_matmul_texture_batches_in_chunks_under_the_height_limit(monkeypatch):
    """Batches whose stacked K rows exceed the texture height run in chunks of batches."""
    monkeypatch.setenv("WEBTENSOR_WEBGPU_MATMUL", "texture")
    monkeypatch.setattr(_backend().adapter, "max_texture_size", 64)
    a, b = normal(7, 1, 20, 17), normal(2, 17, 30)   # 14 batches of K = 17: chunks of 3
    got = []
    assert _ran_texture_kernel(lambda: got.append(on_gpu(tf.matmul, a, b)))
    close(got[0], np.matmul(a.astype(np.float64), b), rtol=1e-3, atol=1e-4)
    a, b = normal(20, 70), normal(70, 30)  # K above the limit: the buffer kernels
    assert not _ran_texture_kernel(lambda: got.append(on_gpu(tf.matmul, a, b)))
    close(got[1], a.astype(np.float64) @ b, rtol=1e-3, atol=1e-4)


def test_matmul_texture_chain_in_one_submit(monkeypatch):
    """Products queued back to back reuse the same pooled textures; each reads its own operands."""
    monkeypatch.setenv("WEBTENSOR_WEBGPU_MATMUL", "texture")
    xs = [normal(48, 48) / 7 for _ in range(4)]
    with tf.device("/GPU:0"):
        y = tf.constant(xs[0])
        for x in xs[1:]:
            y = tf.matmul(y, tf.constant(x))
        got = y.numpy()
    want = xs[0].astype(np.float64)
    for x in xs[1:]:
        want = want @ x
    close(got, want, rtol=1e-3, atol=1e-5)


def test_conv2d_through_textures(monkeypatch):
    """The convolutions' implicit-im2col loaders pack into textures too."""
    monkeypatch.setenv("WEBTENSOR_WEBGPU_MATMUL", "texture")
    for case in [((2, 10, 9, 3), (3, 2, 3, 17), (2, 3), "SAME", 1), ((1, 12, 12, 2), (3, 3, 2, 18), 1, "SAME", 2)]:
        test_conv2d_and_backprops(*case)


def test_texture_pool_reuses_and_evicts(monkeypatch):
    from webtensor.backends.webgpu import adapter as adapter_mod
    made, dropped = [], []

    class Tex:
        def __init__(self, w, h):
            self.width, self.height = w, h

    pool = adapter_mod.TexturePool(lambda w, h: made.append(Tex(w, h)) or made[-1], dropped.append)
    t1 = pool.acquire(4, 8)
    pool.release(t1)
    assert pool.acquire(4, 8) is t1 and len(made) == 1
    monkeypatch.setattr(adapter_mod, "TEXTURE_POOL_BYTES", 2 * 4 * 8 * 16)
    t2, t3 = pool.acquire(4, 8), pool.acquire(4, 8)
    for t in (t1, t2, t3):
        pool.release(t)
    assert dropped == [t1] and pool.bytes == 2 * 4 * 8 * 16


def test_binding_kinds_parses_textures():
    from webtensor.backends.webgpu.adapter import _binding_kinds
    code = ("@group(0) @binding(0) var ta: texture_2d<f32>;\n"
            "@group(0) @binding(1) var<storage, read> xb: array<f32>;\n"
            "@group(0) @binding(2) var packed: texture_storage_2d<rgba32float, write>;\n"
            "@group(0) @binding(3) var<uniform> params: Params;\n")
    assert _binding_kinds(code) == {0: "texture", 1: "read", 2: "storage_texture", 3: "uniform"}


@pytest.mark.parametrize("eq, shapes", [
    ("ij,jk->ik", [(17, 9), (9, 5)]),
    ("bij,bjk->bik", [(1, 3, 4), (5, 4, 2)]),
    ("ii->", [(6, 6)]),
    ("ii->i", [(5, 5)]),
    ("ijk->kji", [(2, 3, 4)]),
    ("ij,jk,kl->il", [(3, 4), (4, 5), (5, 6)]),
    ("i,j->ij", [(7,), (3,)]),
    ("bhqd,bhkd->bhqk", [(2, 3, 5, 4), (2, 3, 6, 4)]),
])
def test_einsum_index_loops(eq, shapes):
    xs = [normal(*s) for s in shapes]
    want = np.einsum(eq, *[x.astype(np.float64) for x in xs])
    close(on_gpu(lambda *ts: tf.einsum(eq, *ts), *xs), want, rtol=1e-4, atol=1e-4)


# -- convolution -----------------------------------------------------------------------------------

CONVS = [  # input shape, filter shape, strides, padding, dilations
    ((2, 9, 11, 3), (3, 3, 3, 20), 2, "SAME", 1),
    ((1, 8, 8, 4), (2, 3, 4, 5), 1, "VALID", 1),
    ((2, 10, 9, 3), (3, 2, 3, 17), (2, 3), "SAME", 1),
    ((1, 12, 12, 2), (3, 3, 2, 18), 1, "SAME", 2),
    ((2, 7, 7, 3), (3, 3, 3, 4), 1, [[0, 0], [1, 2], [2, 0], [0, 0]], 1),
    ((4, 40, 40, 3), (3, 3, 3, 8), 1, "SAME", 1),  # long contraction for the filter gradient
    ((2, 20, 20, 16), (3, 3, 16, 70), 1, "SAME", 1),  # several 64x64 tiles
]


def _conv_direct(x, w, strides, padding, dilations):
    """conv2d by explicit loops over the window (independent of the im2col kernels)."""
    n, h, wd, c = x.shape
    kh, kw, _, cout = w.shape
    sh, sw = (strides, strides) if isinstance(strides, int) else strides
    d = dilations
    ekh, ekw = (kh - 1) * d + 1, (kw - 1) * d + 1
    if padding == "SAME":
        oh, ow = -(-h // sh), -(-wd // sw)
        top = max((oh - 1) * sh + ekh - h, 0) // 2
        left = max((ow - 1) * sw + ekw - wd, 0) // 2
    elif padding == "VALID":
        top = left = 0
        oh, ow = (h - ekh) // sh + 1, (wd - ekw) // sw + 1
    else:
        top, left = padding[1][0], padding[2][0]
        oh = (h + sum(padding[1]) - ekh) // sh + 1
        ow = (wd + sum(padding[2]) - ekw) // sw + 1
    out = np.zeros((n, oh, ow, cout))
    for i in range(kh):
        for j in range(kw):
            for oy in range(oh):
                y = oy * sh + i * d - top
                if not 0 <= y < h:
                    continue
                for ox in range(ow):
                    xx = ox * sw + j * d - left
                    if 0 <= xx < wd:
                        out[:, oy, ox] += x[:, y, xx].astype(np.float64) @ w[i, j]
    return out


@pytest.mark.parametrize("shape, fshape, strides, padding, dil", CONVS)
def test_conv2d_and_backprops(shape, fshape, strides, padding, dil):
    x, w = normal(*shape), normal(*fshape)

    def conv(a, b):
        return tf.nn.conv2d(a, b, strides, padding, dilations=dil)

    close(on_gpu(conv, x, w), _conv_direct(x, w, strides, padding, dil), rtol=1e-3, atol=1e-3)
    dy = normal(*on_cpu(conv, x, w).shape)

    def grads(a, b, g):
        with tf.GradientTape() as tape:
            tape.watch([a, b])
            y = conv(a, b)
        return tape.gradient(y, [a, b], output_gradients=g)

    with tf.device("/GPU:0"):
        gx, gw = grads(tf.constant(x), tf.constant(w), tf.constant(dy))
    assert "GPU" in gx.device and "GPU" in gw.device
    with tf.device("/CPU:0"):
        cx, cw = grads(tf.constant(x), tf.constant(w), tf.constant(dy))
    close(gx.numpy(), cx.numpy(), rtol=1e-3, atol=1e-3)
    close(gw.numpy(), cw.numpy(), rtol=1e-3, atol=2e-3)


# -- pooling ---------------------------------------------------------------------------------------

POOLS = [  # input shape, ksize, strides, padding
    ((2, 9, 11, 3), 3, 2, "SAME"),
    ((1, 8, 8, 2), 2, 2, "VALID"),
    ((2, 7, 10, 3), (3, 2), (1, 2), "SAME"),
    ((1, 5, 5, 1), 3, 1, "SAME"),
    ((3, 33, 31, 5), 3, 2, "VALID"),
]


def _pool_params(ksize, strides, padding):
    pair = (lambda v: (v, v) if isinstance(v, int) else tuple(v))
    return {"ksize": pair(ksize), "strides": pair(strides), "padding": padding}


@pytest.mark.parametrize("shape, ksize, strides, padding", POOLS)
def test_pooling_and_gradients_match_numpy_kernels(shape, ksize, strides, padding):
    x = normal(*shape)
    x[0, 0, :3, 0] = 5.0  # a tie inside a window: the first maximum wins
    x = np.round(x, 1)    # more ties
    p = _pool_params(ksize, strides, padding)
    cases = [
        (lambda t: tf.nn.max_pool2d(t, ksize, strides, padding), [x]),
        (lambda t: tf.nn.avg_pool2d(t, ksize, strides, padding), [x]),
        (lambda t: tf.nn.max_pool2d(t, ksize, strides, padding), [np.round(x * 3).astype(np.int32)]),
    ]
    pooled = on_cpu(cases[0][0], x).shape
    dy = normal(*pooled)
    cases += [
        (lambda a, g: bind("max_pool2d_grad", (a, g), p), [x, dy]),
        (lambda a, g: bind("max_pool2d_grad_grad", (a, g), p), [x, normal(*shape)]),
        (lambda g: bind("avg_pool2d_grad", (g,), {"input_hw": shape[1:3], **p}), [dy]),
    ]
    for fn, args in cases:
        close(on_gpu(fn, *args), on_cpu(fn, *args), rtol=1e-5, atol=1e-5)


def test_avg_pool_same_counts_real_cells_only():
    x = np.ones((1, 5, 5, 1), np.float32)
    close(on_gpu(lambda t: tf.nn.avg_pool2d(t, 3, 2, "SAME"), x), np.ones((1, 3, 3, 1)))
    y = np.arange(16, dtype=np.float32).reshape(1, 4, 4, 1)
    close(on_gpu(lambda t: tf.nn.max_pool2d(t, 2, 2, "VALID"), y)[0, :, :, 0], [[5, 7], [13, 15]])
