"""WebGPU movement, indexing, sorting and random programs against numpy (backends/webgpu/movement.py,
random_kernels.py): big and odd shapes, every storage dtype, empty tensors, >65535 workgroups."""
import numpy as np
import pytest

import webtensor as tf
from webtensor import dtypes
from webtensor.backends.base import HostValue
from webtensor.core.registry import OPS

pytestmark = pytest.mark.skipif("webgpu" not in tf.config.available_backends(), reason="no WebGPU adapter")

RNG = np.random.default_rng(7)


@pytest.fixture(autouse=True)
def webgpu():
    previous = tf.config.get_backend()
    tf.config.set_backend("webgpu")
    try:
        yield
    finally:
        tf.config.set_backend(previous)


def gpu():
    from webtensor.backends import _BACKENDS
    return _BACKENDS["webgpu"]


def on_gpu(t):
    """The numpy value of t, asserting that the op really ran on the GPU (no CPU fallback)."""
    assert t._backend is gpu(), f"{t} was computed on the CPU"
    return t.numpy()


def rand(shape, dtype=np.float32):
    if dtype == np.bool_:
        return RNG.random(shape) < 0.5
    if np.dtype(dtype).kind in "iu":
        return RNG.integers(0, 100, shape).astype(dtype)
    return RNG.standard_normal(shape).astype(dtype)


DTYPES = [np.float32, np.int32, np.uint32, np.bool_]


def run_program(name, inputs, params, host=None):
    """Runs a program directly: host inputs as numpy arrays, the others written to the GPU."""
    from webtensor.backends.webgpu import programs
    b = gpu()
    host = programs.HOST_INPUTS.get(name, ()) if host is None else host
    handles = [np.asarray(x) if i in host else b.write(np.asarray(x)) for i, x in enumerate(inputs)]
    op = OPS[name]
    avals = op.infer([HostValue(h) if isinstance(h, np.ndarray) else h for h in handles], params)
    out = programs.PROGRAMS[name](b, op, handles, params, avals)
    return tuple(b.read(o) for o in out) if isinstance(out, tuple) else b.read(out)


# -- strided copies ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("perm", [(0, 1, 2, 3), (3, 2, 1, 0), (0, 2, 1, 3), (1, 3, 0, 2), (2, 0, 3, 1)])
def test_transpose_rank4(dtype, perm):
    x = rand((3, 5, 7, 9), dtype)
    np.testing.assert_array_equal(on_gpu(tf.transpose(tf.constant(x), perm)), x.transpose(perm))


@pytest.mark.parametrize("tiled", [False, True])
@pytest.mark.parametrize("shape,perm", [((33, 47), (1, 0)), ((5, 17, 64), (0, 2, 1)), ((2, 3, 40, 50), (0, 1, 3, 2)),
                                        ((16, 16), (1, 0)), ((300, 2, 70), (2, 1, 0)), ((4, 3), (1, 0))])
def test_matrix_transposes(monkeypatch, tiled, shape, perm):
    from webtensor.backends.webgpu import movement
    monkeypatch.setattr(movement, "TILED_TRANSPOSE", tiled)
    x = rand(shape, np.int32)
    np.testing.assert_array_equal(on_gpu(tf.transpose(tf.constant(x), perm)), x.transpose(perm))


def test_transpose_high_rank_coalesces():
    x = rand((2, 3, 1, 2, 3, 2, 2, 1, 3, 2))  # rank 10: fits in 8 after merging and dropping axes
    perm = (1, 0, 2, 3, 4, 5, 6, 7, 9, 8)
    np.testing.assert_array_equal(on_gpu(tf.transpose(tf.constant(x), perm)), x.transpose(perm))
    perm = (9, 8, 7, 6, 5, 4, 3, 2, 1, 0)  # cannot merge: falls back to the CPU, still right
    np.testing.assert_array_equal(tf.transpose(tf.constant(x), perm).numpy(), x.transpose(perm))


def test_identity_layouts_are_aliases():
    t = tf.constant(rand((4, 6)))
    for out in (tf.transpose(t, [0, 1]), t[:2], t[:, :], tf.reshape(t, [24])[:10]):
        assert out._value.storage is t._value.storage


@pytest.mark.parametrize("dtype", DTYPES)
def test_strided_slice_negative_steps(dtype):
    x = rand((6, 7, 8, 5), dtype)
    t = tf.constant(x)
    for key in [np.s_[::-1, 1:6:2, ::-3, 2], np.s_[-1, None, 5:0:-2, ..., ::-1], np.s_[1:4, -2, None, 3::-1, 1:2],
                np.s_[..., -1], np.s_[::2, ::-1, 7:-9:-1]]:
        np.testing.assert_array_equal(on_gpu(t[key]), x[key])


def test_strided_slice_empty_and_grad():
    x = rand((5, 4))
    t = tf.constant(x)
    assert on_gpu(t[3:1]).shape == (0, 4)
    dy = rand((2, 4))
    spec = (slice(4, 0, -2), slice(None))
    from webtensor.core.registry import bind
    got = on_gpu(bind("strided_slice_grad", (tf.constant(dy), t), {"spec": spec}))
    want = np.zeros_like(x)
    want[4:0:-2] = dy
    np.testing.assert_array_equal(got, want)


def test_strided_slice_gradient_through_tape():
    x = tf.constant(rand((6, 5)))
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.reduce_sum(x[::-2, 1:4] * 3.0)
    want = np.zeros((6, 5), np.float32)
    want[::-2, 1:4] = 3.0
    np.testing.assert_array_equal(on_gpu(tape.gradient(y, x)), want)


@pytest.mark.parametrize("dtype", DTYPES)
def test_reverse(dtype):
    x = rand((4, 1, 6, 5), dtype)
    for axes in ([0], [2, 3], [0, 1, 2, 3], [-1]):
        np.testing.assert_array_equal(on_gpu(tf.reverse(tf.constant(x), axes)), np.flip(x, axes))


@pytest.mark.parametrize("dtype", DTYPES)
def test_broadcast(dtype):
    x = rand((3, 1, 5), dtype)
    np.testing.assert_array_equal(on_gpu(tf.broadcast_to(tf.constant(x), [2, 3, 4, 5])),
                                  np.broadcast_to(x, (2, 3, 4, 5)))
    from webtensor.core.registry import bind
    like = tf.constant(np.zeros((4, 3, 7, 5), np.float32))
    np.testing.assert_array_equal(on_gpu(bind("broadcast_like", (tf.constant(x), like))),
                                  np.broadcast_to(x, (4, 3, 7, 5)))


def test_broadcast_to_run_time_shape():
    f = tf.function(lambda x, n: tf.broadcast_to(x, tf.stack([n, 3])))
    got = f(tf.constant(np.array([1.0, 2.0, 3.0], np.float32)), tf.constant(4))
    np.testing.assert_array_equal(got.numpy(), np.broadcast_to(np.float32([1, 2, 3]), (4, 3)))


@pytest.mark.parametrize("dtype", DTYPES)
def test_tile(dtype):
    x = rand((3, 1, 5), dtype)
    for mult in ([2, 3, 1], [1, 1, 1], [1, 4, 3], [3, 1, 0]):
        np.testing.assert_array_equal(on_gpu(tf.tile(tf.constant(x), mult)), np.tile(x, mult))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("axis", [0, 1, 2, -1])
def test_concat_five_inputs(dtype, axis):
    shapes = [(3, 4, 5), (3, 4, 5), (3, 4, 5), (3, 4, 5), (3, 4, 5)]
    sizes = [1, 7, 0, 3, 2]
    xs = []
    for s, k in zip(shapes, sizes):
        s = list(s)
        s[axis] = k
        xs.append(rand(tuple(s), dtype))
    got = on_gpu(tf.concat([tf.constant(x) for x in xs], axis))
    np.testing.assert_array_equal(got, np.concatenate(xs, axis))


@pytest.mark.parametrize("dtype", DTYPES)
def test_split(dtype):
    x = rand((4, 9, 3), dtype)
    parts = tf.split(tf.constant(x), [2, 0, 4, 3], axis=1)
    for p, w in zip(parts, np.split(x, [2, 2, 6], axis=1)):
        np.testing.assert_array_equal(on_gpu(p), w)
    parts = tf.split(tf.constant(x), 2, axis=0)
    for p, w in zip(parts, np.split(x, 2, axis=0)):
        np.testing.assert_array_equal(on_gpu(p), w)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("mode", ["CONSTANT", "REFLECT", "SYMMETRIC"])
def test_pad(dtype, mode):
    x = rand((3, 4, 5), dtype)
    pads = [[2, 1], [0, 3], [4, 4]]
    cv = {np.float32: 1.5, np.int32: -7, np.uint32: 9, np.bool_: True}[dtype]
    got = on_gpu(tf.pad(tf.constant(x), pads, mode=mode, constant_values=cv))
    want = np.pad(x, pads, mode="constant", constant_values=cv) if mode == "CONSTANT" else \
        np.pad(x, pads, mode=mode.lower())
    np.testing.assert_array_equal(got, want)


def test_pad_empty_input():
    got = on_gpu(tf.pad(tf.zeros([0, 3]), [[1, 2], [0, 0]], constant_values=2.0))
    np.testing.assert_array_equal(got, np.full((3, 3), 2.0, np.float32))


@pytest.mark.parametrize("mode", ["CONSTANT", "REFLECT", "SYMMETRIC"])
@pytest.mark.parametrize("dtype", [np.float32, np.int32])
def test_pad_grad(mode, dtype):
    from webtensor.core.registry import bind
    like = rand((3, 5, 4), dtype)
    pads = ((2, 2), (4, 3), (1, 0)) if mode == "REFLECT" else ((3, 2), (5, 4), (0, 1))
    if mode == "CONSTANT":
        pads = ((2, 2), (4, 3), (1, 0))
    dy = rand(tuple(d + lo + hi for d, (lo, hi) in zip(like.shape, pads)), dtype)
    got = on_gpu(bind("pad_grad", (tf.constant(dy), tf.constant(like)), {"paddings": pads, "mode": mode}))
    want = OPS["pad_grad"].kernel(dy, like, paddings=pads, mode=mode)
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-5)


def test_copy_beyond_65535_workgroups():
    n = 65535 * 256 + 1000  # one more workgroup than a grid row holds
    x = np.arange(n, dtype=np.int32)
    np.testing.assert_array_equal(on_gpu(tf.reverse(tf.constant(x), [0])), x[::-1])
    np.testing.assert_array_equal(on_gpu(tf.constant(x)[3::2]), x[3::2])


# -- gather / scatter ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
def test_gather_axes(dtype):
    x = rand((5, 6, 7), dtype)
    idx = RNG.integers(0, 6, (4, 3)).astype(np.int32)
    for axis in (0, 1, 2):
        i = idx % x.shape[axis]
        np.testing.assert_array_equal(on_gpu(tf.gather(tf.constant(x), tf.constant(i), axis=axis)),
                                      np.take(x, i, axis=axis))


def test_gather_batch_dims():
    x = rand((3, 4, 6, 5))
    idx = RNG.integers(0, 6, (3, 4, 7)).astype(np.int32)
    got = on_gpu(tf.gather(tf.constant(x), tf.constant(idx), axis=2, batch_dims=2))
    want = OPS["gather"].kernel(x, idx, axis=2, batch_dims=2)
    np.testing.assert_array_equal(got, want)
    idx1 = RNG.integers(0, 5, (3, 2, 2)).astype(np.int32)
    got = on_gpu(tf.gather(tf.constant(x), tf.constant(idx1), axis=3, batch_dims=1))
    np.testing.assert_array_equal(got, OPS["gather"].kernel(x, idx1, axis=3, batch_dims=1))


def test_gather_out_of_range():
    x = tf.constant(np.array([10, 20, 30], np.int32))
    with tf.device("/CPU:0"):
        bad = tf.constant(np.array([0, -1], np.int32))
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"indices\[1\] = -1 is not in \[0, 3\)"):
        tf.gather(x, bad)  # host indices are checked: the CPU kernel raises TensorFlow's error
    with tf.device("/CPU:0"):
        bad_nd = tf.constant(np.array([[0, 0], [2, 0]], np.int32))
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"does not index into param"):
        tf.gather_nd(tf.constant(np.ones((2, 2), np.float32)), bad_nd)
    # indices already on the GPU follow TensorFlow's GPU kernels: zeros for out-of-range indices
    on = tf.constant(np.array([2, 3, -1, 0], np.int32)) + 0  # computed on the GPU: no host copy
    np.testing.assert_array_equal(on_gpu(tf.gather(x, on)), [30, 0, 0, 10])


@pytest.mark.parametrize("dtype", [np.float32, np.int32])
def test_gather_nd(dtype):
    x = rand((4, 5, 6), dtype)
    for k in (1, 2, 3):
        idx = np.stack([RNG.integers(0, d, (3, 7)) for d in x.shape[:k]], -1).astype(np.int32)
        np.testing.assert_array_equal(on_gpu(tf.gather_nd(tf.constant(x), tf.constant(idx))),
                                      OPS["gather_nd"].kernel(x, idx))


def _embedding_grad(vocab, dim, n, dtype=np.float32):
    from webtensor.core.registry import bind
    idx = RNG.integers(0, vocab, (n,)).astype(np.int32)
    idx[: n // 2] = idx[0]  # many repeats of one row
    dy = rand((n, dim), dtype)
    like = np.zeros((vocab, dim), dtype)
    got = on_gpu(bind("gather_grad", (tf.constant(dy), tf.constant(idx), tf.constant(like)),
                      {"axis": 0, "batch_dims": 0}))
    return got, OPS["gather_grad"].kernel(dy, idx, like, axis=0, batch_dims=0)


def test_gather_grad_embedding_owner_is_exact():
    got, want = _embedding_grad(300, 1024, 500)  # many columns: OWNER, numpy's summation order
    np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("dtype", [np.float32, np.int32])
def test_gather_grad_embedding_atomic(dtype):
    got, want = _embedding_grad(40, 8, 5000, dtype)  # many tuples, few columns: atomics
    if dtype == np.int32:
        np.testing.assert_array_equal(got, want)
    else:
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-3)


def test_gather_grad_batch_dims_through_tape():
    x = tf.constant(rand((3, 6, 4)))
    idx = tf.constant(RNG.integers(0, 6, (3, 9)).astype(np.int32))
    w = rand((3, 9, 4))
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.reduce_sum(tf.gather(x, idx, axis=1, batch_dims=1) * w)
    want = OPS["gather_grad"].kernel(w, idx.numpy(), x.numpy(), axis=1, batch_dims=1)
    np.testing.assert_allclose(on_gpu(tape.gradient(y, x)), want, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("dtype", [np.float32, np.int32, np.uint32])
@pytest.mark.parametrize("n", [10, 3000])
def test_scatter_nd_duplicates(dtype, n):
    shape = (6, 7, 3)
    idx = np.stack([RNG.integers(0, 6, n), RNG.integers(0, 7, n)], -1).astype(np.int32)
    upd = rand((n, 3), dtype)
    got = on_gpu(tf.scatter_nd(tf.constant(idx), tf.constant(upd), shape))
    want = OPS["scatter_nd"].kernel(idx, upd, shape=shape)
    if dtype == np.float32:
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-4)
    else:
        np.testing.assert_array_equal(got, want)


def test_scatter_nd_like_bool_and_update():
    t = tf.constant(np.zeros(5, np.bool_))
    got = tf.tensor_scatter_nd_update(t, [[1], [3], [1]], [True, False, True])
    np.testing.assert_array_equal(got.numpy(), [False, True, False, False, False])
    got = tf.tensor_scatter_nd_update(tf.zeros([4]), [[1], [3], [1]], [5., 6., 7.])
    np.testing.assert_array_equal(got.numpy(), [0, 7, 0, 6])


def test_scatter_out_of_range_on_gpu_is_dropped():
    idx = tf.constant(np.array([[1], [9], [-2], [1]], np.int32)) + 0  # computed on the GPU: no host copy
    got = on_gpu(tf.scatter_nd(idx, tf.constant(np.array([1., 2., 3., 4.], np.float32)), [4]))
    np.testing.assert_array_equal(got, [0, 5, 0, 0])


@pytest.mark.parametrize("n", [20, 4000])
def test_unsorted_segment_sum(n):
    data = rand((n, 3, 2))
    ids = RNG.integers(-2, 9, (n,)).astype(np.int32)  # negative ids drop their row
    got = on_gpu(tf.math.unsorted_segment_sum(tf.constant(data), tf.constant(ids), 9))
    np.testing.assert_allclose(got, OPS["unsorted_segment_sum"].kernel(data, ids, num_segments=9), rtol=1e-5,
                               atol=1e-4)
    ints = RNG.integers(-50, 50, (n, 2)).astype(np.int32)
    got = on_gpu(tf.math.unsorted_segment_sum(tf.constant(ints), tf.constant(ids), 9))
    np.testing.assert_array_equal(got, OPS["unsorted_segment_sum"].kernel(ints, ids, num_segments=9))


def test_host_indices_are_validated_and_uploaded():
    """int64 indices (which live on the CPU) may reach the programs as numpy arrays."""
    from webtensor.backends.webgpu import programs
    x = rand((5, 4))
    idx = np.array([[4, 0], [1, 1]], np.int64)
    got = run_program("gather", [x, idx], {"axis": 0, "batch_dims": 0}, host=(1,))
    np.testing.assert_array_equal(got, np.take(x, idx, axis=0))
    with pytest.raises(programs.Fallback):
        run_program("gather", [x, np.array([5], np.int64)], {"axis": 0, "batch_dims": 0}, host=(1,))
    ids = np.array([2, -1, 2, 0], np.int64)
    data = rand((4, 3))
    got = run_program("unsorted_segment_sum", [data, ids], {"num_segments": 3}, host=(1,))
    np.testing.assert_allclose(got, OPS["unsorted_segment_sum"].kernel(data, ids, num_segments=3), rtol=1e-6)
    got = run_program("scatter_nd", [np.array([[1], [1]], np.int64), rand((2, 4))], {"shape": (3, 4)}, host=(0,))
    assert got.shape == (3, 4)


def test_empty_gathers_and_scatters():
    x = tf.constant(rand((4, 3)))
    assert on_gpu(tf.gather(x, tf.constant(np.zeros((0,), np.int32)))).shape == (0, 3)
    got = on_gpu(tf.scatter_nd(tf.constant(np.zeros((0, 1), np.int32)), tf.constant(np.zeros((0, 3), np.float32)),
                               [4, 3]))
    np.testing.assert_array_equal(got, np.zeros((4, 3)))


# -- sorting -----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", [np.float32, np.int32, np.uint32])
@pytest.mark.parametrize("descending", [False, True])
def test_argsort_1000_rows_with_ties(dtype, descending):
    x = RNG.integers(0, 20, (1000, 77)).astype(dtype)  # many ties: stable order required
    got = on_gpu(tf.argsort(tf.constant(x), direction="DESCENDING" if descending else "ASCENDING"))
    np.testing.assert_array_equal(got, OPS["argsort"].kernel(x, axis=1, descending=descending))


def test_argsort_float_specials_and_axis0():
    x = np.array([[0.0, -0.0, np.nan, -np.inf, 1.0, np.inf, -1.0, 0.0, np.nan, -0.0]], np.float32)
    for descending in (False, True):
        got = on_gpu(tf.argsort(tf.constant(x), direction="DESCENDING" if descending else "ASCENDING"))
        np.testing.assert_array_equal(got, OPS["argsort"].kernel(x, axis=1, descending=descending))
    y = rand((37, 5, 3))
    got = on_gpu(tf.argsort(tf.constant(y), axis=0))
    np.testing.assert_array_equal(got, OPS["argsort"].kernel(y, axis=0, descending=False))


@pytest.mark.parametrize("n", [1, 2, 255, 256, 1000, 2048])
def test_sort_row_lengths(n):
    x = RNG.standard_normal((3, n)).astype(np.float32)
    x[:, ::3] = 0.5
    got = on_gpu(tf.sort(tf.constant(x)))
    np.testing.assert_array_equal(got, np.sort(x, axis=-1))


def test_sort_longer_rows_fall_back():
    x = RNG.standard_normal((2, 3000)).astype(np.float32)
    np.testing.assert_array_equal(tf.argsort(tf.constant(x)).numpy(), np.argsort(x, axis=-1, kind="stable"))


@pytest.mark.parametrize("dtype", [np.float32, np.int32, np.uint32])
def test_top_k(dtype):
    x = RNG.integers(0, 30, (1000, 3, 50)).astype(dtype)
    values, indices = tf.math.top_k(tf.constant(x), k=7)
    want_v, want_i = OPS["top_k"].kernel(x, k=7, sorted=True)
    np.testing.assert_array_equal(on_gpu(values), want_v)
    np.testing.assert_array_equal(on_gpu(indices), want_i)
    values, indices = tf.math.top_k(tf.constant(x), k=0)
    assert on_gpu(values).shape == (1000, 3, 0)


def test_top_k_gradient():
    x = tf.constant(rand((4, 9)))
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.reduce_sum(tf.math.top_k(x, k=3).values * 2.0)
    xn = x.numpy()
    want = np.zeros_like(xn)
    np.put_along_axis(want, np.argsort(-xn, axis=-1, kind="stable")[:, :3], 2.0, axis=-1)
    np.testing.assert_array_equal(on_gpu(tape.gradient(y, x)), want)


# -- sequences ----------------------------------------------------------------------------------------------------

def test_linspace():
    for num in (0, 1, 2, 7, 1000):
        got = on_gpu(tf.linspace(tf.constant(-2.5), tf.constant(4.0), num))
        np.testing.assert_allclose(got, np.linspace(-2.5, 4.0, num), rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("args", [(0, 10, 1), (5, -7, -3), (3, 3, 1), (-100, 100000, 7)])
def test_range_program(args):
    got = run_program("range", [np.array(a, np.int32) for a in args], {"dtype": dtypes.int32})
    np.testing.assert_array_equal(got, np.arange(*args, dtype=np.int32))
    fargs = [np.array(a * 0.25, np.float32) for a in args]
    got = run_program("range", fargs, {"dtype": dtypes.float32})
    np.testing.assert_allclose(got, OPS["range"].kernel(*fargs, dtype=dtypes.float32), rtol=1e-6, atol=1e-5)


# -- random ------------------------------------------------------------------------------------------------------

STATES = [np.array([0, 5, 1234], np.int64), np.array([-3, -1, -(2 ** 62) + 7], np.int64)]  # the second carries


def _random(name, state, shape, dtype, extra=()):
    params = {"shape": shape, "dtype": dtype}
    got = run_program(name, [state] + list(extra), params)
    want = OPS[name].kernel(state, *extra, **params)
    return got, want


@pytest.mark.parametrize("state", STATES)
def test_random_uniform_bit_identical_1e6(state):
    got, want = _random("random_uniform", state, (1000, 1000), dtypes.float32)
    np.testing.assert_array_equal(got, want)
    got, want = _random("random_uniform", state, (7, 3), dtypes.float32)  # a partial last block
    np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("dtype", [dtypes.int32, dtypes.uint32])
def test_random_ints_bit_identical(state, dtype):
    got, want = _random("random_uniform_full_int", state, (1001, 3), dtype)
    np.testing.assert_array_equal(got, want)
    np_dtype = dtype.as_numpy_dtype
    for lo, hi in [(-7 if dtype is dtypes.int32 else 7, 100), (0, 1), (np.iinfo(np_dtype).min, np.iinfo(np_dtype).max)]:
        got, want = _random("random_uniform_int", state, (999,), dtype,
                            [np.array(lo, np_dtype), np.array(hi, np_dtype)])
        np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("name", ["random_normal", "random_truncated_normal"])
def test_random_normals(state, name):
    for shape in [(1000, 1000), (5,), (0,)]:
        got, want = _random(name, state, shape, dtypes.float32)
        np.testing.assert_allclose(got, want, rtol=2e-6, atol=2e-6)


def test_random_run_time_shape_and_bad_bounds():
    from webtensor.backends.webgpu import programs
    params = {"shape": (None, 3), "dtype": dtypes.float32}
    dims = np.array([5, 3], np.int64)
    got = run_program("random_normal", [STATES[1], dims], params)
    np.testing.assert_allclose(got, OPS["random_normal"].kernel(STATES[1], dims, **params), rtol=2e-6, atol=2e-6)
    with pytest.raises(programs.Fallback):  # the CPU kernel raises TensorFlow's error
        run_program("random_uniform_int", [STATES[0], np.array(5, np.int32), np.array(5, np.int32)],
                    {"shape": (2,), "dtype": dtypes.int32})


def test_random_other_dtypes_fall_back():
    from webtensor.backends.webgpu import programs
    with pytest.raises(programs.Fallback):
        _random("random_uniform", STATES[0], (3,), dtypes.float64)
