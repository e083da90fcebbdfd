"""TensorFlow semantics of the public op API: dtypes, errors and their messages, slicing, constructors.

Values are checked against numpy (or against what TensorFlow returns, written out), and error
messages against TensorFlow's text.
"""
import numpy as np
import pytest

import webtensor as tf
from webtensor.core.registry import OPS


def _np(t):
    return np.asarray(t.numpy())


# -- dtype inference -------------------------------------------------------------------------------------

@pytest.mark.parametrize("value, dtype", [
    ([1, 2], tf.int32),
    (7, tf.int32),
    ([1.0, 2.0], tf.float32),
    ([1, 2.5], tf.float32),
    (True, tf.bool),
    (np.array([1.0, 2.0]), tf.float64),
    (np.array([1, 2], np.int64), tf.int64),
    (np.float32(1.5), tf.float32),
    (2 ** 40, tf.int64),
    ([1, 2 ** 40], tf.int64),
])
def test_constant_dtype_inference(value, dtype):
    assert tf.constant(value).dtype == dtype


def test_constant_explicit_dtype_and_shape():
    t = tf.constant(3.0, shape=[2, 2])
    np.testing.assert_array_equal(_np(t), np.full((2, 2), 3.0, np.float32))
    assert tf.constant([1, 2], dtype=tf.float64).dtype == tf.float64
    with pytest.raises(TypeError, match="Cannot convert 300 to EagerTensor of dtype int8"):
        tf.constant(300, tf.int8)


# -- no implicit promotion ---------------------------------------------------------------------------------

def test_mixed_dtypes_raise_type_error_naming_both():
    with pytest.raises(TypeError) as info:
        tf.constant([1, 2]) + tf.constant([1.0, 2.0])
    assert "int32" in str(info.value) and "float32" in str(info.value)
    assert "[Op:add]" in str(info.value)


def test_mixed_dtypes_also_invalid_argument_error():
    with pytest.raises(tf.errors.InvalidArgumentError, match="float64.*float32|float32.*float64"):
        tf.matmul(tf.ones([2, 2]), tf.ones([2, 2], tf.float64))
    with pytest.raises(tf.errors.InvalidArgumentError, match="int32.*int64|int64.*int32"):
        tf.constant([1], tf.int64) * tf.constant([1])


def test_python_scalars_adapt_to_tensor_dtype():
    x = tf.constant([1, 2])
    assert (x + 1).dtype == tf.int32
    assert (2 * x).dtype == tf.int32
    y = tf.constant([1.0, 2.0])
    assert (y + 1).dtype == tf.float32      # the int 1 becomes a float32
    assert (y * np.float64(2.0)).dtype == tf.float32
    np.testing.assert_allclose(_np(3 - y), [2.0, 1.0])
    with pytest.raises(TypeError, match="Cannot convert 1.5 to EagerTensor of dtype int32"):
        x + 1.5
    with pytest.raises(TypeError, match="dtype bool"):
        tf.constant(True) + 1


def test_int_division_gives_float64():
    x, y = tf.constant([1, -7, 9]), tf.constant([2, 2, -4])
    out = x / y
    assert out.dtype == tf.float64
    np.testing.assert_array_equal(_np(out), [0.5, -3.5, -2.25])
    assert (1 / tf.constant([2, 4])).dtype == tf.float64
    assert tf.divide(tf.constant([3], tf.int16), 2).dtype == tf.float32


def test_floordiv_and_mod_follow_floor_semantics():
    a = np.array([-7, 7, -7, 7, 0, -1])
    b = np.array([2, -2, -2, 2, 3, 5])
    x, y = tf.constant(a), tf.constant(b)
    np.testing.assert_array_equal(_np(x // y), a // b)
    np.testing.assert_array_equal(_np(x % y), a % b)
    np.testing.assert_array_equal(_np(x % y), [1, -1, -1, 1, 0, 4])
    af, bf = a.astype(np.float32) + 0.5, b.astype(np.float32)
    np.testing.assert_allclose(_np(tf.constant(af) // tf.constant(bf)), np.floor_divide(af, bf))
    np.testing.assert_allclose(_np(tf.constant(af) % tf.constant(bf)), np.mod(af, bf))
    np.testing.assert_array_equal(_np(7 // tf.constant([2, -2])), [3, -4])
    with pytest.raises(tf.errors.InvalidArgumentError, match="Integer division by zero"):
        tf.constant(2) // 0


def test_integer_pow_and_negative_exponent():
    np.testing.assert_array_equal(_np(tf.constant([2, -3]) ** 3), [8, -27])
    with pytest.raises(tf.errors.InvalidArgumentError, match="negative integer powers"):
        tf.constant(2) ** -1


def test_argmax_argmin_default_int64_axis0():
    x = tf.constant([[3, 1, 4], [1, 5, 9]])
    out = tf.argmax(x)
    assert out.dtype == tf.int64
    np.testing.assert_array_equal(_np(out), [0, 1, 1])
    np.testing.assert_array_equal(_np(tf.argmin(x, axis=1)), [1, 0])
    assert tf.argmax(x, axis=1, output_type=tf.int32).dtype == tf.int32


# -- shape errors name the op and both shapes -----------------------------------------------------------------

def test_incompatible_shapes_message():
    with pytest.raises(tf.errors.InvalidArgumentError) as info:
        tf.ones([2, 3]) + tf.ones([4])
    assert str(info.value) == "Incompatible shapes: [2,3] vs. [4] [Op:add]"
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"Incompatible shapes: \[2\] vs. \[3\] \[Op:multiply\]"):
        tf.ones([2]) * tf.ones([3])


def test_matmul_size_mismatch_message():
    with pytest.raises(tf.errors.InvalidArgumentError) as info:
        tf.matmul(tf.ones([2, 3]), tf.ones([4, 5]))
    assert str(info.value) == "Matrix size-incompatible: In[0]: [2,3], In[1]: [4,5] [Op:MatMul]"
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"compatible batch dimensions: \[2,2,3\] vs. \[3,3,2\]"):
        tf.matmul(tf.ones([2, 2, 3]), tf.ones([3, 3, 2]))
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"rank 2.*\[3\] and \[3,2\]"):
        tf.matmul(tf.ones([3]), tf.ones([3, 2]))


def test_reshape_size_mismatch_message():
    with pytest.raises(tf.errors.InvalidArgumentError) as info:
        tf.reshape(tf.ones([2, 3]), [4])
    assert str(info.value) == ("Input to reshape is a tensor with 6 values, but the requested shape has 4 "
                               "[Op:Reshape]")
    with pytest.raises(tf.errors.InvalidArgumentError, match="requires a multiple of 4"):
        tf.reshape(tf.ones([2, 3]), [4, -1])
    np.testing.assert_array_equal(_np(tf.reshape(tf.range(6), [-1, 2])), np.arange(6).reshape(3, 2))


def test_concat_shape_mismatch_message():
    with pytest.raises(tf.errors.InvalidArgumentError) as info:
        tf.concat([tf.ones([2, 3]), tf.ones([2, 4])], 0)
    assert "Dimension 1 in both shapes must be equal: shape[0] = [2,3] vs. shape[1] = [2,4]" in str(info.value)


def test_axis_out_of_range():
    with pytest.raises(tf.errors.InvalidArgumentError, match="axis 3.*rank 3"):
        tf.reduce_sum(tf.ones([1, 2, 3]), axis=3)


# -- slicing ---------------------------------------------------------------------------------------------------

X = np.arange(2 * 3 * 4).reshape(2, 3, 4).astype(np.float32)
KEYS = [
    0, -1, (1, 2), (-1, -2, -3), slice(None), slice(1, None), slice(None, -1),
    (slice(None), slice(None, None, 2)), (slice(None), slice(None, None, -1)),
    (slice(None, None, -1), slice(2, 0, -1), slice(None, None, -2)),
    (slice(None), slice(-2, None), slice(3, 0, -2)),
    Ellipsis, (Ellipsis, 0), (0, Ellipsis), (Ellipsis, slice(1, 3)), (0, Ellipsis, -1),
    None, (None, 0), (slice(None), None, 1), (Ellipsis, None), (0, None, Ellipsis, None),
    (slice(5, 10),), (slice(-10, 1),), (slice(2, 1),), (1, slice(None), slice(None, None, 3)),
]


@pytest.mark.parametrize("key", KEYS, ids=[repr(k) for k in KEYS])
def test_getitem_matches_numpy(key):
    out = tf.constant(X)[key]
    expected = X[key]
    assert tuple(out.shape) == expected.shape
    np.testing.assert_array_equal(_np(out), expected)


def test_getitem_newaxis_constant_and_int_tensors():
    x = tf.constant(X)
    np.testing.assert_array_equal(_np(x[tf.newaxis, 1]), X[None, 1])
    np.testing.assert_array_equal(_np(x[tf.constant(1), tf.constant(-1, tf.int64)]), X[1, -1])
    np.testing.assert_array_equal(_np(x[:, tf.constant(1):tf.constant(3)]), X[:, 1:3])


def test_getitem_errors():
    x = tf.constant(X)
    with pytest.raises(tf.errors.InvalidArgumentError) as info:
        x[2]
    assert str(info.value).startswith("slice index 2 of dimension 0 out of bounds. [Op:StridedSlice]")
    with pytest.raises(tf.errors.InvalidArgumentError, match="slice index -5 of dimension 2 out of bounds"):
        x[0, 0, -5]
    with pytest.raises(tf.errors.InvalidArgumentError, match="Index out of range using input dim 3"):
        x[0, 0, 0, 0]
    with pytest.raises(TypeError, match="Only integers, slices"):
        x[1.0]
    with pytest.raises(TypeError, match="tf.gather or tf.boolean_mask"):
        x[[0, 1]]
    with pytest.raises(ValueError, match="Multiple ellipses"):
        x[..., ...]


def test_slice_and_strided_slice():
    x = tf.constant(X)
    np.testing.assert_array_equal(_np(tf.slice(x, [1, 0, 1], [1, -1, 2])), X[1:2, :, 1:3])
    out = tf.strided_slice(x, [0, 2, 0], [2, 0, 4], [1, -1, 2], shrink_axis_mask=1)
    np.testing.assert_array_equal(_np(out), X[0, 2:0:-1, 0:4:2])


# -- gather, boolean_mask, one_hot ----------------------------------------------------------------------------------

def test_gather_out_of_range_message():
    with pytest.raises(tf.errors.InvalidArgumentError) as info:
        tf.gather(tf.constant([10, 20, 30]), [0, 5])
    assert str(info.value) == "indices[1] = 5 is not in [0, 3) [Op:GatherV2]"
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"indices\[1,0\] = 3 is not in \[0, 3\)"):
        tf.gather(tf.constant([10, 20, 30]), [[0, 1], [3, 0]])
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"indices\[0\] = -1 is not in \[0, 3\)"):
        tf.gather(tf.constant([10, 20, 30]), [-1])
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"indices\[1\] = \[2, 0\] does not index into param"):
        tf.gather_nd(tf.constant([[1, 2], [3, 4]]), [[0, 0], [2, 0]])


def test_gather_values():
    p = np.arange(12).reshape(3, 4)
    np.testing.assert_array_equal(_np(tf.gather(tf.constant(p), [2, 0], axis=0)), p[[2, 0]])
    np.testing.assert_array_equal(_np(tf.gather(tf.constant(p), [[3], [1]], axis=1)), p[:, [[3], [1]]])
    np.testing.assert_array_equal(_np(tf.gather(tf.constant(p), [[0, 0], [3, 1], [2, 2]], batch_dims=1)),
                                  [[0, 0], [7, 5], [10, 10]])


def test_boolean_mask():
    x = tf.constant([[1, 2], [3, 4], [5, 6]])
    np.testing.assert_array_equal(_np(tf.boolean_mask(x, [True, False, True])), [[1, 2], [5, 6]])
    np.testing.assert_array_equal(_np(tf.boolean_mask(x, [False, True], axis=1)), [[2], [4], [6]])
    np.testing.assert_array_equal(_np(tf.boolean_mask(x, [[True, False], [False, True], [True, True]])), [1, 4, 5, 6])
    with pytest.raises(ValueError, match=r"Shapes \(3,\) and \(2,\) are incompatible"):
        tf.boolean_mask(tf.ones([3]), [True, False])


def test_one_hot():
    out = tf.one_hot([0, 2, -1, 3], 3)
    assert out.dtype == tf.float32
    np.testing.assert_array_equal(_np(out), [[1, 0, 0], [0, 0, 1], [0, 0, 0], [0, 0, 0]])
    out = tf.one_hot([1, 0], 3, on_value=5.0, off_value=-1.0, axis=0)
    np.testing.assert_array_equal(_np(out), [[-1, 5], [5, -1], [-1, -1]])
    assert tf.one_hot([1], 2, on_value=7, off_value=0).dtype == tf.int32
    out = tf.one_hot([[0, 1]], 2, axis=1, dtype=tf.float64)
    assert out.dtype == tf.float64 and tuple(out.shape) == (1, 2, 2)
    np.testing.assert_array_equal(_np(out), [[[1, 0], [0, 1]]])


# -- constructors -----------------------------------------------------------------------------------------------------

def test_range_variants():
    r = tf.range(5)
    assert r.dtype == tf.int32
    np.testing.assert_array_equal(_np(r), np.arange(5))
    np.testing.assert_array_equal(_np(tf.range(2, 11, 3)), [2, 5, 8])
    np.testing.assert_array_equal(_np(tf.range(5, 0, -2)), [5, 3, 1])
    np.testing.assert_array_equal(_np(tf.range(3, 3)), np.zeros(0))
    f = tf.range(0, 1, 0.25)
    assert f.dtype == tf.float32
    np.testing.assert_array_equal(_np(f), [0, 0.25, 0.5, 0.75])
    d = tf.range(0.0, 1.0, 0.3, dtype=tf.float64)
    assert d.dtype == tf.float64
    np.testing.assert_array_equal(_np(d), np.arange(0.0, 1.0, 0.3))
    assert tf.range(tf.constant(3, tf.int64)).dtype == tf.int64
    assert tf.range(1.5).dtype == tf.float32
    with pytest.raises(tf.errors.InvalidArgumentError, match="Requires delta != 0"):
        tf.range(0, 5, 0)
    with pytest.raises(tf.errors.InvalidArgumentError, match="Requires start <= limit when delta > 0: 5/0"):
        tf.range(5, 0, 1)


def test_linspace():
    out = tf.linspace(0, 10, 3)
    assert out.dtype == tf.float64
    np.testing.assert_array_equal(_np(out), [0.0, 5.0, 10.0])
    out = tf.linspace(-1.0, 1.0, 5)
    assert out.dtype == tf.float32
    np.testing.assert_allclose(_np(out), np.linspace(-1, 1, 5))
    np.testing.assert_array_equal(_np(tf.linspace(2.0, 3.0, 1)), [2.0])


def test_zeros_ones_fill_eye():
    z = tf.zeros([2, 3])
    assert z.dtype == tf.float32
    np.testing.assert_array_equal(_np(z), np.zeros((2, 3)))
    np.testing.assert_array_equal(_np(tf.zeros((2,), tf.int32)), [0, 0])
    assert tf.zeros([]).shape == ()
    np.testing.assert_array_equal(_np(tf.ones([2], tf.bool)), [True, True])
    np.testing.assert_array_equal(_np(tf.ones(tf.constant([2, 1]), tf.int64)), [[1], [1]])
    f = tf.fill([2, 2], 7)
    assert f.dtype == tf.int32
    np.testing.assert_array_equal(_np(f), [[7, 7], [7, 7]])
    np.testing.assert_array_equal(_np(tf.fill([3], 2.5)), [2.5, 2.5, 2.5])
    np.testing.assert_array_equal(_np(tf.eye(2, 3, dtype=tf.int32)), [[1, 0, 0], [0, 1, 0]])
    np.testing.assert_array_equal(_np(tf.eye(2, batch_shape=[3])), np.broadcast_to(np.eye(2), (3, 2, 2)))
    np.testing.assert_array_equal(_np(tf.zeros_like(tf.constant([[1.5, 2.0]]))), [[0.0, 0.0]])
    assert tf.ones_like(tf.constant([1, 2])).dtype == tf.int32


# -- composites -----------------------------------------------------------------------------------------------------

def test_clip_by_value():
    np.testing.assert_array_equal(_np(tf.clip_by_value(tf.constant([-2.0, 0.5, 3.0]), 0.0, 1.0)), [0.0, 0.5, 1.0])
    out = tf.clip_by_value(tf.constant([-2, 0, 3]), 0, 1)
    assert out.dtype == tf.int32
    np.testing.assert_array_equal(_np(out), [0, 0, 1])
    out = tf.clip_by_value(tf.constant([[1.0, 5.0], [3.0, -1.0]]), [0.0, 2.0], [2.0, 4.0])
    np.testing.assert_array_equal(_np(out), [[1.0, 4.0], [2.0, 2.0]])


def test_tensordot_int_and_list_axes():
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(2, 3, 4)), rng.normal(size=(3, 4, 5))
    np.testing.assert_allclose(_np(tf.tensordot(a, b, 2)), np.tensordot(a, b, 2), rtol=1e-12)
    c = rng.normal(size=(4, 6))
    np.testing.assert_allclose(_np(tf.tensordot(a, c, [[2], [0]])), np.tensordot(a, c, [[2], [0]]), rtol=1e-12)
    np.testing.assert_allclose(_np(tf.tensordot(a, b, [[1, 2], [0, 1]])), np.tensordot(a, b, [[1, 2], [0, 1]]),
                               rtol=1e-12)
    v, w = rng.normal(size=3), rng.normal(size=2)
    np.testing.assert_allclose(_np(tf.tensordot(v, w, 0)), np.outer(v, w), rtol=1e-12)
    with pytest.raises(tf.errors.InvalidArgumentError, match="dimension 1 of a"):
        tf.tensordot(tf.ones([2, 3]), tf.ones([4, 4]), 1)


def test_reduce_logsumexp_is_stable():
    out = tf.reduce_logsumexp(tf.constant([1000.0, 1000.0]))
    np.testing.assert_allclose(out.numpy(), 1000 + np.log(2), rtol=1e-6)
    out = tf.reduce_logsumexp(tf.constant([[1e4, 1e4 - 1], [-1e4, -1e4]]), axis=1)
    assert np.all(np.isfinite(_np(out)))
    np.testing.assert_allclose(_np(out), [1e4 + np.log1p(np.exp(-1)), -1e4 + np.log(2)], rtol=1e-6)
    out = tf.reduce_logsumexp(tf.constant([[1.0, 2.0]], tf.float64), axis=1, keepdims=True)
    np.testing.assert_allclose(_np(out), [[np.log(np.exp(1) + np.exp(2))]], rtol=1e-12)
    assert tf.reduce_logsumexp(tf.constant([-np.inf, -np.inf])).numpy() == -np.inf
    x = tf.constant([1000.0, 1000.0], tf.float64)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.reduce_logsumexp(x)
    np.testing.assert_allclose(_np(tape.gradient(y, x)), [0.5, 0.5])


def test_reduce_mean_on_ints_truncates():
    assert tf.reduce_mean(tf.constant([1, 2])).numpy() == 1
    assert tf.reduce_mean(tf.constant([-1, -2])).numpy() == -1   # toward zero, not floor
    np.testing.assert_array_equal(_np(tf.reduce_mean(tf.constant([[1, 2], [4, 7]]), axis=1)), [1, 5])
    assert tf.reduce_mean(tf.constant([1, 2])).dtype == tf.int32


def test_stop_gradient_blocks_gradient():
    x = tf.constant(2.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.stop_gradient(x) * x
    assert tape.gradient(y, x).numpy() == 2.0


def test_shape_and_size_inside_tf_function():
    @tf.function(input_signature=[tf.TensorSpec([None, 3], tf.float32)])
    def f(x):
        return tf.shape(x), tf.size(x)

    shape, size = f(tf.ones([4, 3]))
    np.testing.assert_array_equal(_np(shape), [4, 3])
    assert size.numpy() == 12
    assert {"shape", "size"} <= set(OPS)


# -- second-order gradients: nested tapes vs finite differences of the first derivative ---------------------------

def _first_derivative(f, x, v):
    """sum(v * d/dx sum(f(x))), computed with one tape."""
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.reduce_sum(f(x))
    return tf.reduce_sum(v * tape.gradient(y, x))


def _second_derivative(f, x, v):
    with tf.GradientTape() as outer:
        outer.watch(x)
        h = _first_derivative(f, x, v)
    return outer.gradient(h, x)


def _w(*shape, seed=3):
    return tf.constant(np.random.default_rng(seed).uniform(0.5, 1.5, size=shape))


SECOND_ORDER = {
    "exp": (lambda x: tf.exp(x) * _w(3, 4), (3, 4)),
    "tanh": (lambda x: tf.tanh(x) * _w(3, 4), (3, 4)),
    "matmul": (lambda x: tf.matmul(x, x, transpose_b=True) * _w(3, 3), (3, 4)),
    "matmul_batched": (lambda x: tf.matmul(x, x) * _w(2, 3, 3), (2, 3, 3)),
    "gather": (lambda x: tf.square(tf.gather(x, [2, 0, 2], axis=1)) * _w(3, 3), (3, 4)),
    "gather_nd": (lambda x: tf.square(tf.gather_nd(x, [[1, 0], [2, 3], [1, 0]])) * _w(3), (3, 4)),
    "strided_slice": (lambda x: x[::-2, 1:] ** 3 * _w(2, 3), (3, 4)),
    "pad_constant": (lambda x: tf.square(tf.pad(x, [[1, 0], [2, 1]])) * _w(4, 7), (3, 4)),
    "pad_reflect": (lambda x: tf.square(tf.pad(x, [[1, 1], [2, 2]], mode="REFLECT")) * _w(5, 8), (3, 4)),
    "pad_symmetric": (lambda x: tf.square(tf.pad(x, [[1, 2], [0, 3]], mode="SYMMETRIC")) * _w(6, 7), (3, 4)),
    "reduce_max": (lambda x: tf.square(tf.reduce_max(x, axis=1)) * _w(3), (3, 4)),
    "reduce_sum_keepdims": (lambda x: tf.square(tf.reduce_sum(x, axis=0, keepdims=True)) * _w(1, 4), (3, 4)),
    "broadcast_add": (lambda x: tf.square(x + tf.reshape(x[:, :1], [3, 1])) * _w(3, 4), (3, 4)),
    "reduce_prod": (lambda x: tf.reduce_prod(x + 2.0, axis=1) * _w(3), (3, 4)),
    "cumprod": (lambda x: tf.math.cumprod(x + 2.0, axis=1) * _w(3, 4), (3, 4)),
    "top_k": (lambda x: tf.square(tf.math.top_k(x, k=2).values) * _w(3, 2), (3, 4)),
    "reshape": (lambda x: tf.square(tf.reshape(x, [2, 6])) * _w(2, 6), (3, 4)),
    "einsum": (lambda x: tf.einsum("ij,kj->ik", x, x) * _w(3, 3), (3, 4)),
}


@pytest.mark.parametrize("name", list(SECOND_ORDER))
def test_second_order_gradient(name):
    f, shape = SECOND_ORDER[name]
    rng = np.random.default_rng(11)
    x0 = rng.uniform(-1, 1, size=shape)
    v = tf.constant(rng.uniform(0.5, 1.5, size=shape))
    analytic = _second_derivative(f, tf.constant(x0), v)
    assert analytic is not None, f"{name}: no second derivative"
    numeric = np.zeros(shape)
    eps = 1e-6
    for k in range(x0.size):
        plus, minus = x0.copy(), x0.copy()
        plus.reshape(-1)[k] += eps
        minus.reshape(-1)[k] -= eps
        numeric.reshape(-1)[k] = (_first_derivative(f, tf.constant(plus), v).numpy() -
                                  _first_derivative(f, tf.constant(minus), v).numpy()) / (2 * eps)
    np.testing.assert_allclose(_np(analytic), numeric, rtol=1e-5, atol=1e-7)


# -- gradients inside tf.function with an unknown batch dimension ------------------------------------------------

UNKNOWN_BATCH = {
    "broadcast_slice_add": lambda x: x + x[:1],           # equal static shapes (None, 4) that differ at run time
    "broadcast_slice_mul": lambda x: x * x[1:2],
    "where_broadcast": lambda x: tf.where(x > 0, x[:1], x),
    "maximum_broadcast": lambda x: tf.maximum(x, x[2:3]),
    "reduce_mean": lambda x: tf.reduce_mean(x, axis=0) * x,
    "reduce_prod_axis": lambda x: tf.reduce_prod(x + 2.0, axis=0),
    "reduce_prod_all": lambda x: tf.reduce_prod(x + 2.0),
    "tile": lambda x: tf.tile(x, [2, 3]),
    "concat_known_axis": lambda x: tf.concat([x, x * 2.0], 1),
    "concat_one_unknown": lambda x: tf.concat([tf.ones([2, 4], tf.float64), x * 3.0, tf.ones([1, 4], tf.float64)], 0),
    "top_k": lambda x: tf.math.top_k(x, 2).values,
    "reshape": lambda x: tf.reshape(x, [-1, 2]),
    "pad_reflect": lambda x: tf.pad(x, [[1, 1], [0, 2]], "REFLECT"),
    "gather": lambda x: tf.gather(x, [0, 2]),
    "cumprod": lambda x: tf.math.cumprod(x + 2.0, axis=0, exclusive=True),
}


@pytest.mark.parametrize("name", list(UNKNOWN_BATCH))
def test_gradient_in_function_with_unknown_batch(name):
    f = UNKNOWN_BATCH[name]

    def value_and_grad(x):
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = tf.reduce_sum(tf.square(f(x)))
        return y, tape.gradient(y, x)

    x = tf.constant(np.random.default_rng(4).uniform(-1, 1, size=(3, 4)))
    traced = tf.function(value_and_grad, input_signature=[tf.TensorSpec([None, 4], tf.float64)])
    y, g = traced(x)
    y_eager, g_eager = value_and_grad(x)
    np.testing.assert_allclose(y.numpy(), y_eager.numpy(), rtol=1e-12)
    np.testing.assert_allclose(_np(g), _np(g_eager), rtol=1e-12, atol=1e-14)


# -- invalid arguments numpy would accept silently ----------------------------------------------------------------

INVALID = {
    "concat_mixed_dtypes": (lambda: tf.concat([tf.ones([1], tf.int32), tf.ones([1])], 0),
                            "all inputs must have the same dtype, got int32 and float32"),
    "split_sizes_sum": (lambda: tf.split(tf.ones([2, 3]), [1, 1], axis=1), "Got: 2 vs. 3"),
    "split_uneven": (lambda: tf.split(tf.ones([5]), 2), "evenly divide the split dimension"),
    "tile_multiples_length": (lambda: tf.tile(tf.ones([2, 3]), [2]),
                              "multiples argument to be a vector of length 2 but got length 1"),
    "pad_reflect_too_wide": (lambda: tf.pad(tf.ones([2, 3]), [[2, 0], [0, 0]], "REFLECT"),
                             "no greater than the dimension size"),
    "pad_negative": (lambda: tf.pad(tf.ones([2]), [[-1, 0]]), "Paddings must be non-negative"),
    "top_k_too_large": (lambda: tf.math.top_k(tf.ones([2, 3]), 4), "at least k columns. Had 3, needed 4"),
    "scatter_nd_updates_shape": (lambda: tf.scatter_nd([[1], [3]], tf.ones([2]), [5, 4]),
                                 r"updates must have shape .* = \[2,4\], got updates shape \[2\]"),
    "scatter_nd_out_of_range": (lambda: tf.scatter_nd([[1], [5]], [1, 2], [4]),
                                r"indices\[1\] = \[5\] does not index into shape \[4\]"),
    "tensor_scatter_updates_shape": (lambda: tf.tensor_scatter_nd_update(tf.ones([3, 2]), [[0]], tf.zeros([1])),
                                     r"= \[1,2\], got updates shape \[1\]"),
    "segment_ids_shape": (lambda: tf.math.unsorted_segment_sum(tf.ones([3, 2]), [0, 1], 2),
                          r"data.shape = \[3,2\] does not start with segment_ids.shape = \[2\]"),
    "segment_id_too_large": (lambda: tf.math.unsorted_segment_sum([1, 2], [0, 3], 2),
                             r"segment_ids\[1\] = 3 is out of range \[0, 2\)"),
    "gather_batch_mismatch": (lambda: tf.gather(tf.ones([2, 3]), tf.zeros([3, 1], tf.int32), batch_dims=1),
                              r"params.shape\[0\]: 2 should be equal to indices.shape\[0\]: 3"),
    "one_hot_negative_depth": (lambda: tf.one_hot([0], -1), "depth must be non-negative"),
    "squeeze_not_one": (lambda: tf.squeeze(tf.ones([2, 3]), 0), r"Can not squeeze dim\[0\]"),
    "broadcast_to": (lambda: tf.broadcast_to(tf.ones([2, 3]), [3, 3]),
                     r"Unable to broadcast tensor of shape \[2,3\] to tensor of shape \[3,3\]"),
    "transpose_perm": (lambda: tf.transpose(tf.ones([2, 3]), [0, 0]), "not a permutation"),
    "expand_dims_axis": (lambda: tf.expand_dims(tf.ones([2, 3]), 3), "Tried to expand dim index 3"),
    "einsum_sizes": (lambda: tf.einsum("ij,jk->ik", tf.ones([2, 3]), tf.ones([4, 5])),
                     "axis 'j' has size 3 in one operand and 4 in another"),
}


@pytest.mark.parametrize("name", list(INVALID))
def test_invalid_arguments_raise(name):
    fn, message = INVALID[name]
    with pytest.raises(tf.errors.InvalidArgumentError, match=message):
        fn()


def test_unsorted_segment_sum_drops_negative_ids():
    out = tf.math.unsorted_segment_sum(tf.constant([1.0, 2.0, 4.0]), [0, -1, 0], 2)
    np.testing.assert_array_equal(_np(out), [5.0, 0.0])


def test_einsum_repeated_index_forward_only():
    x = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    assert tf.einsum("ii->", x).numpy() == 5.0
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.einsum("ii->", x)
    with pytest.raises(NotImplementedError, match="repeated index in 'ii'"):
        tape.gradient(y, x)
    with pytest.raises(ValueError, match="ellipsis"):
        tf.einsum("...ij->...ji", x)


# -- sorting in descending order -------------------------------------------------------------------------

def _descending_reference(values):
    """Stable descending order by Python's sort (exact for every dtype: Python ints do not wrap)."""
    return sorted(range(len(values)), key=lambda i: (-values[i].item(), i))


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.uint32, np.uint64, np.int8, np.int16, np.int32, np.int64,
                                   np.float32, np.float64, np.bool_])
def test_descending_sort_is_exact_and_stable_for_every_dtype(dtype):
    if dtype is np.bool_:
        x = np.array([False, True, False, True, True])
    else:
        info = np.iinfo(dtype) if np.issubdtype(dtype, np.integer) else np.finfo(dtype)
        x = np.array([0, info.max, 3, info.min, 0, 3, info.min, info.max], dtype)
    order = _descending_reference(x)
    np.testing.assert_array_equal(_np(tf.argsort(x, direction="DESCENDING")), order)
    if dtype is not np.bool_:
        np.testing.assert_array_equal(_np(tf.sort(x, direction="DESCENDING")), x[order])
        top = tf.math.top_k(x, k=4)
        np.testing.assert_array_equal(_np(top.indices), order[:4])
        np.testing.assert_array_equal(_np(top.values), x[order[:4]])
    columns = np.stack([x, x[::-1]], axis=1)   # along axis 0, column by column
    expected = np.stack([_descending_reference(columns[:, j]) for j in range(2)], axis=1)
    np.testing.assert_array_equal(_np(tf.argsort(columns, axis=0, direction="DESCENDING")), expected)


# -- tensor_scatter_nd_update: repeated indices --------------------------------------------------------

def _sequential_update(tensor, indices, updates):
    out = tensor.copy()
    k = indices.shape[-1]
    for row, update in zip(indices.reshape(-1, k), updates.reshape((-1,) + out.shape[k:])):
        out[tuple(row)] = update   # one row at a time: the last write to a cell wins
    return out


@pytest.mark.parametrize("tensor, indices, updates", [
    (np.zeros(5, np.float32), [[1], [3], [1], [1]], np.array([5, 6, 7, 8], np.float32)),
    (np.arange(6, dtype=np.int32).reshape(2, 3), [[0, 1], [1, 2], [0, 1]], np.array([10, 20, 30], np.int32)),
    (np.zeros((3, 2), np.float64), [[2], [0], [2]], np.arange(6.0).reshape(3, 2)),
    (np.zeros((2, 2), np.int64), [[[1, 0], [1, 0]], [[0, 1], [1, 0]]], np.array([[1, 2], [3, 4]], np.int64)),
    (np.array([False, True, True]), [[0], [2], [0], [2]], np.array([True, False, False, True])),
    (np.ones(3, np.float32), np.zeros((0, 1), np.int32), np.zeros(0, np.float32)),
])
def test_tensor_scatter_nd_update_writes_the_last_of_repeated_indices(tensor, indices, updates):
    indices = np.asarray(indices, np.int32)
    out = tf.tensor_scatter_nd_update(tensor, indices, updates)
    assert out.dtype == tf.as_dtype(tensor.dtype)
    np.testing.assert_array_equal(_np(out), _sequential_update(tensor, indices, updates))


def test_tensor_scatter_nd_update_gradient_and_unknown_shapes():
    x = tf.Variable([1.0, 2.0, 3.0, 4.0])
    u = tf.Variable([10.0, 20.0, 30.0])
    with tf.GradientTape() as tape:
        y = tf.reduce_sum(tf.tensor_scatter_nd_update(x, [[1], [3], [1]], u) * tf.constant([1.0, 2.0, 3.0, 4.0]))
    dx, du = tape.gradient(y, [x, u])
    np.testing.assert_array_equal(_np(dx), [1.0, 0.0, 3.0, 0.0])
    np.testing.assert_array_equal(_np(du), [0.0, 4.0, 2.0])   # the overwritten update gets no gradient

    f = tf.function(lambda t, i, u: tf.tensor_scatter_nd_update(t, i, u), input_signature=[
        tf.TensorSpec([None], tf.float32), tf.TensorSpec([None, 1], tf.int32), tf.TensorSpec([None], tf.float32)])
    np.testing.assert_array_equal(_np(f(tf.zeros([5]), tf.constant([[4], [0], [4]]), tf.constant([1.0, 2.0, 3.0]))),
                                  [2.0, 0.0, 0.0, 0.0, 3.0])
    np.testing.assert_array_equal(_np(f(tf.ones([2]), tf.zeros([0, 1], tf.int32), tf.zeros([0]))), [1.0, 1.0])


def test_repeat_matches_numpy():
    x = np.array([[1, 2], [3, 4]], np.int32)
    np.testing.assert_array_equal(tf.repeat(tf.constant(x), 2).numpy(), np.repeat(x, 2))
    np.testing.assert_array_equal(tf.repeat(tf.constant(x), 3, axis=1).numpy(), np.repeat(x, 3, axis=1))
    np.testing.assert_array_equal(tf.repeat(tf.constant(x), [1, 2], axis=0).numpy(), np.repeat(x, [1, 2], axis=0))
    with pytest.raises(tf.errors.InvalidArgumentError, match="repeats has 3 entries"):
        tf.repeat(tf.constant(x), [1, 2, 3], axis=0)


def test_shapes_known_at_run_time_inside_tf_function():
    @tf.function(input_signature=[tf.TensorSpec([None, 3], tf.float32), tf.TensorSpec([3, None], tf.float32)])
    def f(a, b):
        zeros = tf.zeros(tf.shape(a))
        flat = tf.reshape(a, [tf.shape(a)[0], -1, 1])
        filled = tf.fill([tf.shape(a)[0], 2], 7.0)
        return zeros + a, flat, filled, tf.tensordot(a, b, 1)

    graph_outputs = f.get_concrete_function().graph.outputs
    assert [list(o.shape) for o in graph_outputs] == [[None, 3], [None, None, 1], [None, 2], [None, None]]
    z, flat, filled, dot = f(tf.ones([2, 3]), tf.ones([3, 4]))
    np.testing.assert_array_equal(z.numpy(), np.ones([2, 3]))
    assert flat.shape == (2, 3, 1) and dot.shape == (2, 4)
    np.testing.assert_array_equal(filled.numpy(), np.full([2, 2], 7.0))
    np.testing.assert_array_equal(dot.numpy(), np.full([2, 4], 3.0))
    x = tf.Variable(np.arange(12, dtype=np.float32).reshape(4, 3))
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(f(x, tf.ones([3, 2]))[1] * 2.0)
    np.testing.assert_array_equal(tape.gradient(loss, x).numpy(), np.full([4, 3], 2.0))
