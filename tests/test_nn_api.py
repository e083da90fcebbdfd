"""tf.nn through its public API: composites against numpy formulas, errors, tracing, training."""
import numpy as np
import pytest

import webtensor as tf
from cases.nn_cases import ref_avg_pool2d, ref_conv2d, ref_max_pool2d
from webtensor import errors

RNG = np.random.default_rng(0)


def _np_log_softmax(x, axis=-1):
    z = x - x.max(axis=axis, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=axis, keepdims=True))


def _np_softmax(x, axis=-1):
    return np.exp(_np_log_softmax(x, axis))


def _grad(fn, *xs):
    xs = [tf.constant(x) for x in xs]
    with tf.GradientTape() as tape:
        tape.watch(xs)
        y = fn(*xs)
    return [g.numpy() for g in tape.gradient(y, xs)]


# -- softmax and cross-entropies -------------------------------------------------------------------

def test_softmax_rows_sum_to_one_and_match_numpy():
    x = RNG.normal(size=(4, 5)) * 3
    got = tf.nn.softmax(tf.constant(x)).numpy()
    np.testing.assert_allclose(got.sum(axis=-1), np.ones(4), rtol=1e-12)
    np.testing.assert_allclose(got, _np_softmax(x), rtol=1e-12)
    np.testing.assert_allclose(tf.nn.softmax(tf.constant(x), axis=0).numpy(), _np_softmax(x, 0), rtol=1e-12)


def test_softmax_and_log_softmax_are_stable_for_large_logits():
    x = tf.constant([[1000., 0., -1000.]])
    np.testing.assert_allclose(tf.nn.softmax(x).numpy(), [[1., 0., 0.]], atol=1e-30)
    np.testing.assert_allclose(tf.nn.log_softmax(x).numpy(), [[0., -1000., -2000.]], rtol=1e-6)
    assert tf.nn.softmax(x).dtype == tf.float32


def test_log_softmax_matches_numpy():
    x = RNG.normal(size=(3, 4))
    np.testing.assert_allclose(tf.nn.log_softmax(tf.constant(x)).numpy(), _np_log_softmax(x), rtol=1e-12)


def test_softmax_rejects_integer_logits():
    with pytest.raises(TypeError, match="int32"):
        tf.nn.softmax(tf.constant([1, 2]))


def test_softmax_cross_entropy_value_and_gradient():
    logits = RNG.normal(size=(3, 4))
    labels = _np_softmax(RNG.normal(size=(3, 4)))
    got = tf.nn.softmax_cross_entropy_with_logits(labels=tf.constant(labels), logits=tf.constant(logits))
    np.testing.assert_allclose(got.numpy(), -(labels * _np_log_softmax(logits)).sum(-1), rtol=1e-12)
    dlabels, dlogits = _grad(lambda y, z: tf.reduce_sum(tf.nn.softmax_cross_entropy_with_logits(y, z)),
                             labels, logits)
    np.testing.assert_allclose(dlogits, _np_softmax(logits) - labels, atol=1e-12)
    np.testing.assert_allclose(dlabels, -_np_log_softmax(logits), atol=1e-12)


def test_softmax_cross_entropy_axis_and_shape_error():
    logits = RNG.normal(size=(4, 3))
    labels = _np_softmax(RNG.normal(size=(4, 3)), 0)
    got = tf.nn.softmax_cross_entropy_with_logits(tf.constant(labels), tf.constant(logits), axis=0)
    np.testing.assert_allclose(got.numpy(), -(labels * _np_log_softmax(logits, 0)).sum(0), rtol=1e-12)
    with pytest.raises(errors.InvalidArgumentError, match=r"logits_size=\[2,3\] labels_size=\[2,4\]"):
        tf.nn.softmax_cross_entropy_with_logits(tf.zeros([2, 4]), tf.zeros([2, 3]))


def test_sparse_softmax_cross_entropy_value_and_gradient():
    logits = RNG.normal(size=(4, 5))
    labels = np.array([0, 4, 2, 2], np.int32)
    got = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=tf.constant(labels), logits=tf.constant(logits))
    assert got.dtype == tf.float64 and got.shape == (4,)
    np.testing.assert_allclose(got.numpy(), -_np_log_softmax(logits)[np.arange(4), labels], rtol=1e-12)
    z = tf.constant(logits)
    with tf.GradientTape() as tape:
        tape.watch(z)
        loss = tf.reduce_sum(tf.nn.sparse_softmax_cross_entropy_with_logits(labels, z))
    np.testing.assert_allclose(tape.gradient(loss, z).numpy(), _np_softmax(logits) - np.eye(5)[labels], atol=1e-12)


def test_sparse_softmax_cross_entropy_ignores_minus_inf_logits_of_other_classes():
    got = tf.nn.sparse_softmax_cross_entropy_with_logits([0], tf.constant([[0., -np.inf]]))
    np.testing.assert_allclose(got.numpy(), [0.])


def test_sparse_softmax_cross_entropy_out_of_range_label_raises():
    with pytest.raises(errors.InvalidArgumentError, match=r"label value of 5 .*valid range of \[0, 3\)"):
        tf.nn.sparse_softmax_cross_entropy_with_logits(tf.constant([0, 5]), tf.zeros([2, 3]))
    with pytest.raises(errors.InvalidArgumentError, match="label value of -1"):
        tf.nn.sparse_softmax_cross_entropy_with_logits(tf.constant([-1, 0]), tf.zeros([2, 3]))


def test_sparse_softmax_cross_entropy_out_of_range_in_graph_is_nan():
    f = tf.function(lambda y, z: tf.nn.sparse_softmax_cross_entropy_with_logits(y, z))
    got = f(tf.constant([1, 7]), tf.zeros([2, 3])).numpy()
    np.testing.assert_allclose(got[0], np.log(3.), rtol=1e-6)
    assert np.isnan(got[1])


def test_sparse_softmax_cross_entropy_rank_and_dtype_errors():
    with pytest.raises(ValueError, match="Rank mismatch"):
        tf.nn.sparse_softmax_cross_entropy_with_logits(tf.constant([[0]]), tf.zeros([1, 3]))
    with pytest.raises(ValueError, match="Shape mismatch"):
        tf.nn.sparse_softmax_cross_entropy_with_logits(tf.constant([0, 1, 2]), tf.zeros([2, 3]))
    with pytest.raises(TypeError, match="float32"):
        tf.nn.sparse_softmax_cross_entropy_with_logits(tf.constant([0.]), tf.zeros([1, 3]))


def test_sigmoid_cross_entropy_matches_formula_and_is_stable():
    x = np.array([-200., -3., -0.5, 0., 0.5, 3., 200.])
    z = np.array([0., 1., 0.3, 1., 0., 0.7, 1.])
    got = tf.nn.sigmoid_cross_entropy_with_logits(labels=tf.constant(z), logits=tf.constant(x)).numpy()
    expected = np.logaddexp(0, x) - x * z  # log(1 + e^x) - x z
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)
    assert got[-1] < 1e-80  # no cancellation: log(1 + e^-200)
    (dx,) = _grad(lambda t: tf.reduce_sum(tf.nn.sigmoid_cross_entropy_with_logits(labels=z, logits=t)), x)
    np.testing.assert_allclose(dx, 1 / (1 + np.exp(-x)) - z, atol=1e-12)  # includes x == 0: 0.5 - z


def test_sigmoid_cross_entropy_shape_error():
    with pytest.raises(ValueError, match="same shape"):
        tf.nn.sigmoid_cross_entropy_with_logits(labels=tf.zeros([3]), logits=tf.zeros([2]))


def test_weighted_cross_entropy_matches_formula():
    x = np.array([-20., -1., 0., 0.5, 20.])
    z = np.array([1., 0., 1., 0.4, 0.])
    q = 3.0
    got = tf.nn.weighted_cross_entropy_with_logits(tf.constant(z), tf.constant(x), q).numpy()
    sig = 1 / (1 + np.exp(-x))
    np.testing.assert_allclose(got, q * z * np.logaddexp(0, -x) + (1 - z) * np.logaddexp(0, x), rtol=1e-12)
    (dx,) = _grad(lambda t: tf.reduce_sum(tf.nn.weighted_cross_entropy_with_logits(z, t, q)), x)
    np.testing.assert_allclose(dx, -(q * z * (1 - sig) - (1 - z) * sig), atol=1e-12)


def test_compute_average_loss():
    assert float(tf.nn.compute_average_loss(tf.constant([1., 3.]))) == 2.0
    assert float(tf.nn.compute_average_loss(tf.constant([1., 3.]), global_batch_size=4)) == 1.0


# -- normalization and friends ---------------------------------------------------------------------

def test_bias_add_and_errors():
    x = RNG.normal(size=(2, 3, 4))
    b = RNG.normal(size=4)
    np.testing.assert_allclose(tf.nn.bias_add(tf.constant(x), tf.constant(b)).numpy(), x + b)
    bc = RNG.normal(size=3)
    np.testing.assert_allclose(tf.nn.bias_add(tf.constant(x), tf.constant(bc), data_format="NCW").numpy(),
                               x + bc[:, None])
    with pytest.raises(errors.InvalidArgumentError, match=r"\[3\] vs. \[2,3,4\]"):
        tf.nn.bias_add(tf.constant(x), tf.constant(bc))
    db, = _grad(lambda t: tf.reduce_sum(tf.nn.bias_add(tf.constant(x), t) * 2), b)
    np.testing.assert_allclose(db, np.full(4, 12.))


def test_moments_match_numpy():
    x = RNG.normal(size=(3, 4, 5))
    mean, var = tf.nn.moments(tf.constant(x), axes=[0, 2])
    np.testing.assert_allclose(mean.numpy(), x.mean(axis=(0, 2)), rtol=1e-12)
    np.testing.assert_allclose(var.numpy(), x.var(axis=(0, 2)), rtol=1e-12)
    mean, var = tf.nn.moments(tf.constant(x), axes=[1], keepdims=True)
    assert mean.shape == (3, 1, 5) and var.shape == (3, 1, 5)
    np.testing.assert_allclose(var.numpy(), x.var(axis=1, keepdims=True), rtol=1e-12)


def test_moments_gradient_of_variance():
    x = RNG.normal(size=(6,))
    (dx,) = _grad(lambda t: tf.nn.moments(t, axes=[0])[1], x)
    np.testing.assert_allclose(dx, 2 * (x - x.mean()) / 6, atol=1e-12)


def test_batch_normalization_matches_formula():
    x = RNG.normal(size=(4, 3))
    mean, var = x.mean(0), x.var(0)
    offset, scale = RNG.normal(size=3), RNG.normal(size=3)
    got = tf.nn.batch_normalization(tf.constant(x), mean, var, offset, scale, 1e-3).numpy()
    np.testing.assert_allclose(got, (x - mean) / np.sqrt(var + 1e-3) * scale + offset, rtol=1e-10)
    got = tf.nn.batch_normalization(tf.constant(x), mean, var, None, None, 1e-3).numpy()
    np.testing.assert_allclose(got, (x - mean) / np.sqrt(var + 1e-3), rtol=1e-10)


def test_fused_batch_norm_training_and_inference():
    x = RNG.normal(size=(2, 3, 3, 4))
    scale, offset = RNG.normal(size=4), RNG.normal(size=4)
    y, mean, var = tf.nn.fused_batch_norm(tf.constant(x), scale, offset, epsilon=1e-3)
    m, v = x.mean((0, 1, 2)), x.var((0, 1, 2))
    np.testing.assert_allclose(y.numpy(), (x - m) / np.sqrt(v + 1e-3) * scale + offset, rtol=1e-10)
    np.testing.assert_allclose(mean.numpy(), m, rtol=1e-12)
    np.testing.assert_allclose(var.numpy(), v * 18 / 17, rtol=1e-12)
    y, _, _ = tf.nn.fused_batch_norm(tf.constant(x), scale, offset, m, v, epsilon=1e-3, is_training=False)
    np.testing.assert_allclose(y.numpy(), (x - m) / np.sqrt(v + 1e-3) * scale + offset, rtol=1e-10)


def test_l2_loss_and_l2_normalize():
    x = RNG.normal(size=(3, 4))
    np.testing.assert_allclose(tf.nn.l2_loss(tf.constant(x)).numpy(), (x ** 2).sum() / 2, rtol=1e-12)
    got = tf.nn.l2_normalize(tf.constant(x), axis=1).numpy()
    np.testing.assert_allclose(got, x / np.linalg.norm(x, axis=1, keepdims=True), rtol=1e-12)
    np.testing.assert_allclose(tf.nn.l2_normalize(tf.zeros([3])).numpy(), np.zeros(3))


def test_embedding_lookup():
    table = RNG.normal(size=(5, 3))
    ids = np.array([[4, 0], [1, 1]])
    np.testing.assert_allclose(tf.nn.embedding_lookup(tf.constant(table), ids).numpy(), table[ids])
    shards = [tf.constant(table[:3]), tf.constant(table[3:])]  # "div" sharding of 5 ids over 2 shards
    np.testing.assert_allclose(tf.nn.embedding_lookup(shards, ids).numpy(), table[ids])
    got = tf.nn.embedding_lookup(tf.constant(table * 10), ids, max_norm=1.0).numpy()
    np.testing.assert_allclose(np.linalg.norm(got, axis=-1), np.ones((2, 2)), rtol=1e-12)
    (dt,) = _grad(lambda t: tf.reduce_sum(tf.nn.embedding_lookup(t, ids)), table)
    np.testing.assert_allclose(dt, np.bincount(ids.ravel(), minlength=5)[:, None] * np.ones((5, 3)))


def test_in_top_k():
    pred = tf.constant([[0.1, 0.5, 0.4], [0.3, 0.3, 0.4], [np.nan, 0.1, 0.2]])
    np.testing.assert_array_equal(tf.nn.in_top_k([2, 0, 2], pred, 1).numpy(), [False, False, False])
    np.testing.assert_array_equal(tf.nn.in_top_k([2, 0, 2], pred, 2).numpy(), [True, True, False])
    np.testing.assert_array_equal(tf.nn.in_top_k([1, 1, 1], pred, 2).numpy(), [True, True, False])


def test_activations_and_top_k_are_exported():
    x = tf.constant([-2., 0.5, 7.])
    np.testing.assert_allclose(tf.nn.relu(x).numpy(), [0., 0.5, 7.])
    np.testing.assert_allclose(tf.nn.relu6(x).numpy(), [0., 0.5, 6.])
    np.testing.assert_allclose(tf.nn.leaky_relu(x, alpha=0.1).numpy(), [-0.2, 0.5, 7.])
    np.testing.assert_allclose(tf.nn.sigmoid(x).numpy(), 1 / (1 + np.exp([2., -0.5, -7.])), rtol=1e-6)
    for name in ("elu", "selu", "gelu", "softplus", "softsign", "silu", "swish", "tanh", "log_sigmoid"):
        assert getattr(tf.nn, name)(x).shape == (3,)
    assert tf.nn.top_k(x, k=2).values.numpy().tolist() == [7., 0.5]


# -- convolution and pooling through the public API ------------------------------------------------

def test_conv2d_matches_reference_and_accepts_int_and_4_element_strides():
    x, w = RNG.normal(size=(2, 7, 6, 3)), RNG.normal(size=(3, 2, 3, 4))
    got = tf.nn.conv2d(tf.constant(x), tf.constant(w), strides=[1, 2, 2, 1], padding="SAME").numpy()
    np.testing.assert_allclose(got, ref_conv2d(x, w, (2, 2), "SAME"), rtol=1e-10)
    got = tf.nn.conv2d(tf.constant(x), tf.constant(w), strides=1, padding="VALID", dilations=2).numpy()
    np.testing.assert_allclose(got, ref_conv2d(x, w, (1, 1), "VALID", (2, 2)), rtol=1e-10)


def test_conv2d_float16_and_float32_dtypes():
    x, w = RNG.normal(size=(1, 5, 5, 2)), RNG.normal(size=(3, 3, 2, 2))
    for dtype, rtol in ((np.float16, 2e-2), (np.float32, 1e-5)):
        got = tf.nn.conv2d(tf.constant(x.astype(dtype)), tf.constant(w.astype(dtype)), 1, "SAME")
        assert got.dtype == tf.as_dtype(dtype)
        np.testing.assert_allclose(got.numpy(), ref_conv2d(x, w, (1, 1), "SAME"), rtol=rtol, atol=rtol)


def test_conv1d_matches_conv2d_reference():
    x, w = RNG.normal(size=(2, 9, 3)), RNG.normal(size=(3, 3, 4))
    got = tf.nn.conv1d(tf.constant(x), tf.constant(w), stride=2, padding="SAME").numpy()
    expected = ref_conv2d(x[:, None], w[None], (1, 2), "SAME")[:, 0]
    np.testing.assert_allclose(got, expected, rtol=1e-10)


def test_conv2d_transpose_is_the_adjoint_of_conv2d():
    x, w = RNG.normal(size=(2, 6, 5, 3)), RNG.normal(size=(3, 3, 3, 4))
    y = RNG.normal(size=(2, 3, 3, 4))
    conv = tf.nn.conv2d(tf.constant(x), tf.constant(w), 2, "SAME").numpy()
    back = tf.nn.conv2d_transpose(tf.constant(y), tf.constant(w), [2, 6, 5, 3], 2, "SAME").numpy()
    assert back.shape == (2, 6, 5, 3)
    np.testing.assert_allclose((conv * y).sum(), (x * back).sum(), rtol=1e-10)
    with pytest.raises(errors.InvalidArgumentError, match="out_backprop"):
        tf.nn.conv2d_transpose(tf.constant(y), tf.constant(w), [2, 9, 9, 3], 2, "SAME")


def test_depthwise_and_separable_conv2d():
    x, w = RNG.normal(size=(1, 5, 5, 2)), RNG.normal(size=(3, 3, 2, 2))
    got = tf.nn.depthwise_conv2d(tf.constant(x), tf.constant(w), [1, 1, 1, 1], "SAME").numpy()
    expected = np.concatenate([ref_conv2d(x[..., c:c + 1], w[:, :, c:c + 1, :], (1, 1), "SAME")
                               for c in range(2)], axis=-1)
    np.testing.assert_allclose(got, expected, rtol=1e-10)
    pw = RNG.normal(size=(1, 1, 4, 3))
    got = tf.nn.separable_conv2d(tf.constant(x), tf.constant(w), tf.constant(pw), [1, 1, 1, 1], "SAME").numpy()
    np.testing.assert_allclose(got, expected @ pw[0, 0], rtol=1e-10)


def test_pool_aliases_and_1d_pools():
    x = RNG.normal(size=(2, 5, 5, 3))
    np.testing.assert_allclose(tf.nn.max_pool(tf.constant(x), 3, 2, "SAME").numpy(),
                               ref_max_pool2d(x, (3, 3), (2, 2), "SAME"))
    np.testing.assert_allclose(tf.nn.avg_pool(tf.constant(x), [1, 2, 2, 1], [1, 1, 1, 1], "SAME").numpy(),
                               ref_avg_pool2d(x, (2, 2), (1, 1), "SAME"), rtol=1e-12)
    x1 = RNG.normal(size=(2, 7, 3))
    np.testing.assert_allclose(tf.nn.max_pool1d(tf.constant(x1), 3, 2, "SAME").numpy(),
                               ref_max_pool2d(x1[:, None], (1, 3), (1, 2), "SAME")[:, 0])
    np.testing.assert_allclose(tf.nn.avg_pool(tf.constant(x1), 2, 2, "VALID").numpy(),
                               ref_avg_pool2d(x1[:, None], (1, 2), (1, 2), "VALID")[:, 0], rtol=1e-12)


def test_avg_pool_same_divides_by_valid_cells():
    got = tf.nn.avg_pool2d(tf.ones([1, 3, 3, 1]), 2, 2, "SAME").numpy()
    np.testing.assert_allclose(got, np.ones((1, 2, 2, 1)))


def test_max_pool_gradient_goes_to_the_first_maximum_of_a_tie():
    x = tf.constant(np.ones((1, 2, 4, 1)))
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.reduce_sum(tf.nn.max_pool2d(x, 2, 2, "VALID"))
    np.testing.assert_array_equal(tape.gradient(y, x).numpy()[0, :, :, 0], [[1, 0, 1, 0], [0, 0, 0, 0]])


# -- errors ----------------------------------------------------------------------------------------

def test_bad_padding_string_is_named():
    x, w = tf.zeros([1, 5, 5, 1]), tf.zeros([3, 3, 1, 1])
    with pytest.raises(ValueError, match=r"padding must be .*SAME.*VALID.*got 'FULL'"):
        tf.nn.conv2d(x, w, 1, "FULL")
    with pytest.raises(ValueError, match="got 'same'"):
        tf.nn.max_pool2d(x, 2, 2, "same")
    with pytest.raises(ValueError, match="batch or channel"):
        tf.nn.conv2d(x, w, 1, [[1, 1], [0, 0], [0, 0], [0, 0]])


def test_channel_mismatch_names_both_shapes():
    with pytest.raises(errors.InvalidArgumentError, match=r"\[2,5,5,3\].*\[3,3,2,4\]"):
        tf.nn.conv2d(tf.zeros([2, 5, 5, 3]), tf.zeros([3, 3, 2, 4]), 1, "SAME")


def test_conv2d_argument_errors():
    x, w = tf.zeros([1, 5, 5, 1]), tf.zeros([3, 3, 1, 1])
    with pytest.raises(errors.UnimplementedError, match="NHWC"):
        tf.nn.conv2d(x, w, 1, "SAME", data_format="NCHW")
    with pytest.raises(errors.InvalidArgumentError, match="batch and depth"):
        tf.nn.conv2d(x, w, [2, 1, 1, 1], "SAME")
    with pytest.raises(errors.InvalidArgumentError, match="negative"):
        tf.nn.conv2d(tf.zeros([1, 2, 2, 1]), w, 1, "VALID")
    with pytest.raises(ValueError, match="rank 4"):
        tf.nn.conv2d(tf.zeros([5, 5, 1]), w, 1, "SAME")
    with pytest.raises(TypeError, match="int32"):
        tf.nn.conv2d(tf.zeros([1, 5, 5, 1], tf.int32), tf.zeros([3, 3, 1, 1], tf.int32), 1, "SAME")


def test_dropout_rate_validation():
    with pytest.raises(ValueError, match=r"\[0, 1\)"):
        tf.nn.dropout(tf.ones([3]), rate=1.0)
    with pytest.raises(ValueError, match="floating"):
        tf.nn.dropout(tf.constant([1, 2]), rate=0.5)
    x = tf.constant([1., 2.])
    assert tf.nn.dropout(x, rate=0.0) is x


# -- dropout (any uniform source) ------------------------------------------------------------------

def _needs_uniform():
    from webtensor.ops import random_ops
    if not hasattr(random_ops, "uniform") or not hasattr(tf.random, "set_seed"):
        pytest.skip("webtensor.ops.random_ops.uniform / tf.random.set_seed are not written yet")


def test_dropout_keeps_scaled_values_and_zeros_the_rest():
    _needs_uniform()
    x = RNG.uniform(1, 2, size=(20, 30)).astype(np.float32)
    got = tf.nn.dropout(tf.constant(x), rate=0.25, seed=3).numpy()
    kept = got != 0
    np.testing.assert_allclose(got[kept], x[kept] / 0.75, rtol=1e-6)
    assert 0 < kept.sum() < x.size


def test_dropout_noise_shape_broadcasts_the_mask():
    _needs_uniform()
    got = tf.nn.dropout(tf.ones([4, 6]), rate=0.5, noise_shape=[4, 1], seed=1).numpy()
    assert all(len(set(row)) == 1 for row in got.tolist())
    assert set(np.unique(got)) <= {0.0, 2.0}


def test_dropout_is_reproducible_under_set_seed():
    _needs_uniform()
    x = tf.ones([8, 8])
    tf.random.set_seed(5)
    a = tf.nn.dropout(x, rate=0.5, seed=2).numpy()
    tf.random.set_seed(5)
    b = tf.nn.dropout(x, rate=0.5, seed=2).numpy()
    np.testing.assert_array_equal(a, b)


def test_dropout_gradient_is_the_mask_times_scale():
    _needs_uniform()
    x = tf.constant(np.ones((5, 5), np.float32))
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.nn.dropout(x, rate=0.5, seed=7)
        total = tf.reduce_sum(y)
    g = tape.gradient(total, x).numpy()
    np.testing.assert_allclose(g, y.numpy())  # x is ones: y is exactly mask * 2


# -- tracing, higher derivatives, training ---------------------------------------------------------

def test_conv2d_in_tf_function_with_unknown_batch():
    w = tf.constant(RNG.normal(size=(3, 3, 1, 2)).astype(np.float32))

    @tf.function(input_signature=[tf.TensorSpec([None, 8, 8, 1])])
    def f(x):
        y = tf.nn.conv2d(x, w, strides=2, padding="SAME")
        assert y.shape.as_list() == [None, 4, 4, 2]
        return tf.nn.max_pool2d(tf.nn.relu(y), 2, 2, "VALID")

    for n in (1, 3):
        x = RNG.normal(size=(n, 8, 8, 1)).astype(np.float32)
        expected = ref_max_pool2d(np.maximum(ref_conv2d(x, w.numpy(), (2, 2), "SAME"), 0), (2, 2), (2, 2), "VALID")
        np.testing.assert_allclose(f(tf.constant(x)).numpy(), expected, rtol=1e-5, atol=1e-6)


def test_gradients_inside_tf_function_with_unknown_batch():
    w = tf.Variable(RNG.normal(size=(3, 3, 1, 2)))

    @tf.function(input_signature=[tf.TensorSpec([None, 6, 6, 1], tf.float64)])
    def grads(x):
        with tf.GradientTape() as tape:
            y = tf.nn.avg_pool2d(tf.nn.conv2d(x, w, 1, "SAME"), 2, 2, "SAME")
            loss = tf.reduce_sum(y * y)
        return tape.gradient(loss, w)

    x = RNG.normal(size=(2, 6, 6, 1))
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(tf.nn.avg_pool2d(tf.nn.conv2d(tf.constant(x), w, 1, "SAME"), 2, 2, "SAME") ** 2)
    np.testing.assert_allclose(grads(tf.constant(x)).numpy(), tape.gradient(loss, w).numpy(), rtol=1e-10)


def test_conv2d_second_derivative_matches_finite_differences():
    x0, w0 = RNG.normal(size=(1, 4, 4, 2)), RNG.normal(size=(2, 2, 2, 2))

    def grad_norm(w):
        x = tf.constant(x0)
        with tf.GradientTape() as inner:
            inner.watch(x)
            y = tf.reduce_sum(tf.nn.conv2d(x, w, 2, "SAME") ** 3)
        return tf.reduce_sum(inner.gradient(y, x) ** 2)

    w = tf.constant(w0)
    with tf.GradientTape() as outer:
        outer.watch(w)
        g = grad_norm(w)
    analytic = outer.gradient(g, w).numpy()
    numeric = np.zeros_like(w0)
    eps = 1e-6
    for i in np.ndindex(*w0.shape):
        plus, minus = w0.copy(), w0.copy()
        plus[i] += eps
        minus[i] -= eps
        numeric[i] = (grad_norm(tf.constant(plus)).numpy() - grad_norm(tf.constant(minus)).numpy()) / (2 * eps)
    np.testing.assert_allclose(analytic, numeric, rtol=1e-5, atol=1e-7)


def test_small_cnn_trains():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(32, 8, 8, 1)).astype(np.float32)
    labels = (x[:, :4].sum(axis=(1, 2, 3)) > x[:, 4:].sum(axis=(1, 2, 3))).astype(np.int32)
    w1 = tf.Variable(rng.normal(size=(3, 3, 1, 8)).astype(np.float32) * 0.3)
    b1 = tf.Variable(np.zeros(8, np.float32))
    w2 = tf.Variable(rng.normal(size=(4 * 4 * 8, 2)).astype(np.float32) * 0.1)
    params = [w1, b1, w2]

    def loss_fn():
        h = tf.nn.relu(tf.nn.bias_add(tf.nn.conv2d(x, w1, 1, "SAME"), b1))
        h = tf.reshape(tf.nn.max_pool2d(h, 2, 2, "VALID"), [32, -1])
        return tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels, h @ w2))

    first = float(loss_fn())
    for _ in range(60):
        with tf.GradientTape() as tape:
            loss = loss_fn()
        for p, g in zip(params, tape.gradient(loss, params)):
            p.assign_sub(0.1 * g)
    assert float(loss_fn()) < 0.5 * first
