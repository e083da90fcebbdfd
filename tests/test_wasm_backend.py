"""The wasm backend: its kernels at the ABI level and through the ops, against numpy float64 references."""
import numpy as np
import pytest

import webtensor as tf
from webtensor.ops import random_ops

if "wasm" not in tf.config.available_backends():
    pytest.skip("the wasm backend is not available (make wasm; pip install wasmtime)", allow_module_level=True)

from webtensor.backends.wasm.adapter import KernelTrap  # noqa: E402

RNG = np.random.default_rng(7)


@pytest.fixture(autouse=True)
def on_wasm():
    previous = tf.config.get_backend()
    tf.config.set_backend("wasm")
    yield
    tf.config.set_backend(previous)


def backend():
    from webtensor import backends
    return backends.get("wasm")


def on_wasm_backend(t):
    return t._backend.name == "wasm"


def rand(*shape):
    return RNG.standard_normal(shape).astype(np.float32)


# -- the ABI ---------------------------------------------------------------------------------------

def test_abi_alloc_write_call_read():
    adapter = backend().adapter
    a, b = rand(5, 7), rand(7, 3)
    pa, pb, pc = adapter.alloc(a.nbytes), adapter.alloc(b.nbytes), adapter.alloc(5 * 3 * 4)
    assert pa % 16 == 0 and pb % 16 == 0
    adapter.write(pa, a)
    adapter.write(pb, b)
    adapter.call("matmul_f32", pa, pb, pc, 1, 5, 3, 7, 0, 0, 0, 0)
    got = adapter.read(pc, 15, np.float32).reshape(5, 3)
    np.testing.assert_allclose(got, a.astype(np.float64) @ b, rtol=1e-5, atol=1e-6)
    for p, n in ((pa, a.nbytes), (pb, b.nbytes), (pc, 60)):
        adapter.free(p, n)


def test_abi_freed_blocks_are_reused():
    adapter = backend().adapter
    p = adapter.alloc(1000)
    adapter.free(p, 1000)
    assert adapter.alloc(1000) == p
    adapter.free(p, 1000)


def test_memory_grows_and_keeps_earlier_tensors():
    small = tf.constant(rand(3, 4))
    before = backend().adapter.memory_bytes()
    big = tf.ones([64, 1024, 1024])  # 256 MiB: more than the module has yet
    assert backend().adapter.memory_bytes() >= before + 256 * 1024 * 1024 - (64 << 20)
    assert float(tf.reduce_sum(big[0, 0]).numpy()) == 1024.0
    np.testing.assert_array_equal((small * 1.0).numpy(), small.numpy())
    info = tf.config.memory_info("wasm")
    assert info["current"] >= 256 * 1024 * 1024
    del big


def test_a_trap_names_the_export():
    with pytest.raises(KernelTrap, match="matmul_f32"):
        backend().adapter.call("matmul_f32", 2 ** 31 - 16, 0, 16, 1, 4096, 4096, 4096, 0, 0, 0, 0)


# -- matmul ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("m,k,n", [(1, 1, 1), (3, 5, 2), (4, 8, 8), (7, 13, 9), (33, 257, 17), (130, 300, 70),
                                   (64, 1, 64), (1, 512, 1), (257, 31, 520)])
@pytest.mark.parametrize("ta,tb", [(False, False), (True, False), (False, True), (True, True)])
def test_matmul_shapes_and_transposes(m, k, n, ta, tb):
    a = rand(k, m) if ta else rand(m, k)
    b = rand(n, k) if tb else rand(k, n)
    got = tf.matmul(a, b, transpose_a=ta, transpose_b=tb)
    assert on_wasm_backend(got)
    ref = (a.T if ta else a).astype(np.float64) @ (b.T if tb else b).astype(np.float64)
    np.testing.assert_allclose(got.numpy(), ref, rtol=1e-4, atol=1e-4 * np.sqrt(k))


@pytest.mark.parametrize("sa,sb", [((3, 4, 5), (3, 5, 6)), ((2, 3, 4, 5), (5, 2)), ((4, 5), (3, 5, 2)),
                                   ((1, 4, 5), (3, 5, 2)), ((3, 4, 5), (1, 5, 2))])
def test_batched_matmul(sa, sb):
    a, b = rand(*sa), rand(*sb)
    got = tf.matmul(a, b)
    assert on_wasm_backend(got)
    np.testing.assert_allclose(got.numpy(), np.matmul(a.astype(np.float64), b), rtol=1e-5, atol=1e-5)


def test_matmul_with_an_empty_dimension():
    assert tf.matmul(rand(0, 3), rand(3, 4)).shape == (0, 4)
    np.testing.assert_array_equal(tf.matmul(rand(2, 0), rand(0, 4)).numpy(), np.zeros((2, 4)))


def test_matmul_shape_mismatch_raises():
    with pytest.raises(tf.errors.InvalidArgumentError, match="Matrix size-incompatible"):
        tf.matmul(rand(2, 3), rand(4, 5))


# -- conv and pooling ------------------------------------------------------------------------------

def conv_reference(x, w, strides, padding, dilations):
    with tf.device("/CPU:0"):
        tf.config.set_backend("numpy")
        try:
            return tf.nn.conv2d(x.astype(np.float64), w.astype(np.float64), strides, padding,
                                dilations=dilations).numpy()
        finally:
            tf.config.set_backend("wasm")


CONVS = [((2, 9, 9, 3), (3, 3, 3, 4), 1, "SAME", 1), ((1, 10, 7, 2), (3, 2, 2, 5), 2, "VALID", 1),
         ((2, 8, 8, 4), (1, 1, 4, 6), 1, "VALID", 1), ((1, 11, 11, 1), (3, 3, 1, 2), 1, "SAME", 2),
         ((3, 6, 6, 5), (5, 5, 5, 3), 3, "SAME", 1), ((1, 5, 5, 2), (2, 2, 2, 2), 1, [[0, 0], [1, 2], [0, 1], [0, 0]], 1)]


@pytest.mark.parametrize("xs,ws,stride,padding,dilation", CONVS)
def test_conv2d_and_its_gradients(xs, ws, stride, padding, dilation):
    x, w = rand(*xs), rand(*ws)
    got = tf.nn.conv2d(x, w, stride, padding, dilations=dilation)
    assert on_wasm_backend(got)
    np.testing.assert_allclose(got.numpy(), conv_reference(x, w, stride, padding, dilation), rtol=1e-4, atol=1e-4)
    dy = rand(*got.shape)
    xt, wt = tf.Variable(x), tf.Variable(w)
    with tf.GradientTape() as tape:
        y = tf.nn.conv2d(xt, wt, stride, padding, dilations=dilation)
        loss = tf.reduce_sum(y * dy)
    dx, dw = tape.gradient(loss, [xt, wt])
    assert on_wasm_backend(dx) and on_wasm_backend(dw)
    # references: the numpy backend's kernels in float64
    tf.config.set_backend("numpy")
    try:
        x64, w64 = tf.Variable(x.astype(np.float64)), tf.Variable(w.astype(np.float64))
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(tf.nn.conv2d(x64, w64, stride, padding, dilations=dilation) * dy.astype(np.float64))
        rx, rw = tape.gradient(loss, [x64, w64])
    finally:
        tf.config.set_backend("wasm")
    np.testing.assert_allclose(dx.numpy(), rx.numpy(), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(dw.numpy(), rw.numpy(), rtol=1e-4, atol=1e-3)


@pytest.mark.parametrize("pool", ["max_pool2d", "avg_pool2d"])
@pytest.mark.parametrize("ksize,strides,padding", [(2, 2, "VALID"), (3, 2, "SAME"), (3, 1, "SAME"), ((2, 3), (1, 2), "VALID")])
def test_pooling_and_gradients(pool, ksize, strides, padding):
    x = rand(2, 7, 6, 5)
    fn = getattr(tf.nn, pool)
    xv = tf.Variable(x)
    with tf.GradientTape() as tape:
        y = fn(xv, ksize, strides, padding)
        loss = tf.reduce_sum(y * np.arange(y.shape.num_elements(), dtype=np.float32).reshape(y.shape))
    dx = tape.gradient(loss, xv)
    assert on_wasm_backend(y) and on_wasm_backend(dx)
    tf.config.set_backend("numpy")
    try:
        xr = tf.Variable(x)
        with tf.GradientTape() as tape:
            yr = fn(xr, ksize, strides, padding)
            lr = tf.reduce_sum(yr * np.arange(yr.shape.num_elements(), dtype=np.float32).reshape(yr.shape))
        dxr = tape.gradient(lr, xr)
    finally:
        tf.config.set_backend("wasm")
    np.testing.assert_allclose(y.numpy(), yr.numpy(), rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(dx.numpy(), dxr.numpy(), rtol=1e-5, atol=1e-5)


def test_max_pool_propagates_nan():
    x = np.zeros((1, 2, 2, 5), np.float32)
    x[0, 1, 1, 4] = np.nan
    x[0, 0, 1, 0] = np.nan
    got = tf.nn.max_pool2d(x, 2, 2, "VALID").numpy()
    assert np.isnan(got[0, 0, 0, 0]) and np.isnan(got[0, 0, 0, 4]) and got[0, 0, 0, 1] == 0


# -- elementwise with broadcasting -----------------------------------------------------------------

@pytest.mark.parametrize("sa,sb", [((3, 4), (3, 4)), ((3, 4), (4,)), ((3, 1), (1, 4)), ((), (2, 3)),
                                   ((2, 1, 3, 1), (1, 4, 1, 5)), ((5, 1, 7), (5, 6, 1)), ((1,), (1,)),
                                   ((2, 3, 4, 5, 6), (3, 1, 5, 1)), ((0, 3), (3,))])
@pytest.mark.parametrize("op", ["add", "subtract", "multiply", "div", "maximum", "minimum", "pow", "less"])
def test_binary_broadcasting(sa, sb, op):
    a, b = rand(*sa), rand(*sb)
    if op == "pow":
        a = np.abs(a) + 0.5
    got = getattr(tf.math, op)(a, b)
    assert on_wasm_backend(got)
    ref = getattr(np, {"subtract": "subtract", "div": "divide", "pow": "power"}.get(op, op))(a.astype(np.float64), b)
    np.testing.assert_allclose(got.numpy(), ref, rtol=1e-5, atol=1e-6)


def test_int32_arithmetic_wraps_and_compares():
    a = np.array([2 ** 31 - 1, -5, 7], np.int32)
    b = np.array([1, 3, -7], np.int32)
    assert on_wasm_backend(tf.add(a, b))
    np.testing.assert_array_equal(tf.add(a, b).numpy(), a + b)
    np.testing.assert_array_equal(tf.multiply(a, b).numpy(), a * b)
    np.testing.assert_array_equal(tf.less(a, b).numpy(), a < b)


def test_where_and_casts_broadcast():
    c = np.array([[True], [False]])
    x, y = rand(2, 3), rand(3)
    got = tf.where(c, x, y)
    assert on_wasm_backend(got)
    np.testing.assert_array_equal(got.numpy(), np.where(c, x, y))
    v = np.array([1.7, -1.7, 0.0, 3.0], np.float32)
    np.testing.assert_array_equal(tf.cast(v, tf.int32).numpy(), v.astype(np.int32))
    np.testing.assert_array_equal(tf.cast(v, tf.bool).numpy(), v.astype(bool))


def test_layout_ops_are_strided_copies():
    x = rand(2, 3, 4)
    np.testing.assert_array_equal(tf.transpose(x, [2, 0, 1]).numpy(), x.transpose(2, 0, 1))
    np.testing.assert_array_equal(tf.reverse(x, [0, 2]).numpy(), x[::-1, :, ::-1])
    np.testing.assert_array_equal(tf.tile(x, [2, 1, 3]).numpy(), np.tile(x, [2, 1, 3]))
    np.testing.assert_array_equal(tf.broadcast_to(x[:, :1], [2, 3, 4]).numpy(), np.broadcast_to(x[:, :1], (2, 3, 4)))


# -- reductions ------------------------------------------------------------------------------------

@pytest.mark.parametrize("axis", [None, 0, 1, 2, 3, (0, 2), (1, 3), (0, 1, 3), (-1,)])
@pytest.mark.parametrize("op", ["reduce_sum", "reduce_mean", "reduce_max", "reduce_min", "reduce_prod"])
def test_reductions_over_axes(op, axis):
    x = rand(3, 4, 5, 6) * 0.5 + (1.0 if op == "reduce_prod" else 0.0)
    got = getattr(tf, op)(x, axis=axis, keepdims=axis == 1)
    assert on_wasm_backend(got)
    ref = getattr(np, {"reduce_sum": "sum", "reduce_mean": "mean", "reduce_max": "max", "reduce_min": "min",
                       "reduce_prod": "prod"}[op])(x.astype(np.float64), axis=axis, keepdims=axis == 1)
    np.testing.assert_allclose(got.numpy(), ref, rtol=1e-5, atol=1e-6)


def test_long_sums_stay_accurate():
    x = np.full(1 << 20, 0.1, np.float32)
    np.testing.assert_allclose(tf.reduce_sum(x).numpy(), x.astype(np.float64).sum(), rtol=1e-6)


# -- gather / scatter-add ----------------------------------------------------------------------------

def test_gather_and_its_gradient():
    p = rand(5, 4, 3)
    idx = np.array([[4, 0], [1, 1]], np.int32)
    got = tf.gather(p, idx, axis=0)
    assert on_wasm_backend(got)
    np.testing.assert_array_equal(got.numpy(), np.take(p, idx, axis=0))
    np.testing.assert_array_equal(tf.gather(p, [2, 0, 3], axis=1).numpy(), np.take(p, [2, 0, 3], axis=1))
    pv = tf.Variable(p)
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(tf.gather(pv, idx, axis=0) * 2.0)
    g = tf.convert_to_tensor(tape.gradient(loss, pv))
    ref = np.zeros_like(p)
    np.add.at(ref, idx.reshape(-1), 2.0)
    np.testing.assert_allclose(g.numpy(), ref)


def test_gather_out_of_range_raises_tensorflows_error():
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"indices\[1\] = 9 is not in \[0, 5\)"):
        tf.gather(rand(5, 2), np.array([0, 9], np.int32))


def test_unsorted_segment_sum_drops_negative_ids():
    data = rand(6, 3)
    ids = np.array([2, 0, -1, 2, 1, 0], np.int32)
    got = tf.math.unsorted_segment_sum(data, ids, 4)
    assert on_wasm_backend(got)
    ref = np.zeros((4, 3))
    for row, s in zip(data, ids):
        if s >= 0:
            ref[s] += row
    np.testing.assert_allclose(got.numpy(), ref, rtol=1e-6, atol=1e-6)
    with pytest.raises(tf.errors.InvalidArgumentError, match="out of range"):
        tf.math.unsorted_segment_sum(data, np.array([0, 0, 0, 0, 0, 4], np.int32), 4)


# -- random: bit-identical to the numpy Philox kernels --------------------------------------------------

STATES = [np.array(s, np.int64) for s in ([0, 0, 0], [-1, -1, -1], [-2, 9, 77], [12345, -6789, 2 ** 62],
                                          [-3, 0, 5])]


@pytest.mark.parametrize("state", STATES, ids=lambda s: str(s.tolist()))
@pytest.mark.parametrize("op,dtype,extra", [("random_uniform", tf.float32, ()), ("random_normal", tf.float32, ()),
                                            ("random_truncated_normal", tf.float32, ()),
                                            ("random_uniform_full_int", tf.int32, ()),
                                            ("random_uniform_int", tf.int32, (-7, 1000))])
@pytest.mark.parametrize("shape", [(1,), (7,), (4, 5), (1001,)])
def test_random_matches_the_numpy_kernels_bit_for_bit(state, op, dtype, extra, shape):
    from webtensor.core.registry import OPS
    kernel = OPS[op].kernel
    args = [np.array(v, dtype.as_numpy_dtype) for v in extra]
    expected = kernel(state, *args, shape=shape, dtype=dtype)
    wasm = backend()
    tf_op = OPS[op]
    handle = wasm.run(tf_op, [state] + args, {"shape": shape, "dtype": dtype})
    got = wasm.read(handle)
    assert got.dtype == expected.dtype
    np.testing.assert_array_equal(got.view(np.uint32), expected.view(np.uint32))


def test_seeded_random_ops_agree_with_the_numpy_backend():
    tf.random.set_seed(5)
    a = tf.random.normal([3, 5], seed=2)
    assert on_wasm_backend(a)
    tf.config.set_backend("numpy")
    try:
        tf.random.set_seed(5)
        b = tf.random.normal([3, 5], seed=2)
    finally:
        tf.config.set_backend("wasm")
    np.testing.assert_array_equal(a.numpy(), b.numpy())
    assert random_ops.num_blocks("random_normal", (3, 5), tf.float32) == 4


# -- soft placement ----------------------------------------------------------------------------------

def test_unsupported_dtypes_and_ops_run_on_the_cpu():
    x = tf.constant(np.arange(6.0).reshape(2, 3))  # float64: not held by wasm
    assert x._backend.name == "numpy"
    np.testing.assert_allclose(tf.exp(x).numpy(), np.exp(np.arange(6.0).reshape(2, 3)))
    y = tf.constant(rand(4))
    np.testing.assert_array_equal(tf.argsort(y).numpy(), np.argsort(y, kind="stable"))  # no wasm kernel
    with pytest.raises(tf.errors.InvalidArgumentError, match="division by zero"):
        tf.math.floordiv(tf.constant([1, 2]), tf.constant([1, 0]))


def test_slices_concat_split_and_pad_are_strided_copies():
    x = rand(4, 5, 6)
    for spec in [(slice(1, 3), 2), (Ellipsis, slice(None, None, -2)), (None, 3, slice(4, 0, -1), slice(None, None, 3)),
                 (slice(None), slice(5, 9))]:
        got = x_t = tf.constant(x)[spec]
        assert on_wasm_backend(got) and x_t.shape == x[spec].shape
        np.testing.assert_array_equal(got.numpy(), x[spec])
    y = rand(4, 2, 6)
    cat = tf.concat([x, y, x], axis=1)
    assert on_wasm_backend(cat)
    np.testing.assert_array_equal(cat.numpy(), np.concatenate([x, y, x], axis=1))
    parts = tf.split(cat, [5, 2, 5], axis=1)
    for p, e in zip(parts, (x, y, x)):
        assert on_wasm_backend(p)
        np.testing.assert_array_equal(p.numpy(), e)
    padded = tf.pad(x, [[1, 0], [0, 2], [3, 1]])
    assert on_wasm_backend(padded)
    np.testing.assert_array_equal(padded.numpy(), np.pad(x, [[1, 0], [0, 2], [3, 1]]))
    xv = tf.Variable(x)
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(tf.pad(xv, [[1, 0], [0, 2], [3, 1]])[1:, ::2] * 3.0)
    grad = tape.gradient(loss, xv)
    expected = np.zeros_like(x)
    expected[:, ::2] = 3.0
    np.testing.assert_array_equal(grad.numpy(), expected)


@pytest.mark.parametrize("spec", [1, -1, (0, 2), (Ellipsis, 1), (None, -2), (slice(None), -1, None)])
def test_slices_with_integer_indices(spec):
    x = rand(3, 4)
    got = tf.constant(x)[spec]
    assert on_wasm_backend(got)
    np.testing.assert_array_equal(got.numpy(), x[spec])
