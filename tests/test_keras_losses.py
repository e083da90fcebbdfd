"""tf.keras.losses against numpy formulas: per-sample functions, Loss reductions, sample weights, smoothing,
from_logits agreement, masks, config round trips and lookup."""
import numpy as np
import pytest

import webtensor as tf
from webtensor.keras import losses

EPS = 1e-7
rng = np.random.default_rng(0)


def _probs(shape):
    p = rng.uniform(0.05, 1.0, size=shape)
    return (p / p.sum(-1, keepdims=True)).astype(np.float32)


def _close(actual, expected, rtol=1e-5, atol=1e-6):
    np.testing.assert_allclose(np.asarray(actual), np.asarray(expected, dtype=np.float64), rtol=rtol, atol=atol)


# -- numpy references --------------------------------------------------------------------------------------

def np_bce(y, p):
    p = np.clip(p.astype(np.float64), EPS, 1 - EPS)
    return -(y * np.log(p) + (1 - y) * np.log(1 - p)).mean(-1)


def np_cce(y, p):
    p = p.astype(np.float64)
    p = np.clip(p / p.sum(-1, keepdims=True), EPS, 1 - EPS)
    return -(y * np.log(p)).sum(-1)


def np_log_softmax(z):
    z = z.astype(np.float64)
    z = z - z.max(-1, keepdims=True)
    return z - np.log(np.exp(z).sum(-1, keepdims=True))


def np_huber(y, p, delta):
    e = p.astype(np.float64) - y
    a = np.abs(e)
    return np.where(a <= delta, 0.5 * e ** 2, delta * a - 0.5 * delta ** 2).mean(-1)


ELEMENTWISE = [
    ("mean_squared_error", lambda y, p: ((y - p) ** 2).mean(-1)),
    ("mean_absolute_error", lambda y, p: np.abs(y - p).mean(-1)),
    ("mean_absolute_percentage_error", lambda y, p: 100 * (np.abs((y - p) / np.maximum(np.abs(y), EPS))).mean(-1)),
    ("mean_squared_logarithmic_error",
     lambda y, p: ((np.log(np.maximum(p, EPS) + 1) - np.log(np.maximum(y, EPS) + 1)) ** 2).mean(-1)),
    ("log_cosh", lambda y, p: np.log(np.cosh(p - y)).mean(-1)),
    ("poisson", lambda y, p: (p - y * np.log(p + EPS)).mean(-1)),
    ("kl_divergence", lambda y, p: (np.clip(y, EPS, 1) * np.log(np.clip(y, EPS, 1) / np.clip(p, EPS, 1))).sum(-1)),
    ("cosine_similarity", lambda y, p: -(y / np.linalg.norm(y, axis=-1, keepdims=True) *
                                         p / np.linalg.norm(p, axis=-1, keepdims=True)).sum(-1)),
    ("binary_crossentropy", np_bce),
    ("categorical_crossentropy", np_cce),
]


@pytest.mark.parametrize("name,ref", ELEMENTWISE, ids=[n for n, _ in ELEMENTWISE])
def test_loss_functions_match_numpy(name, ref):
    y = _probs((4, 5)).astype(np.float64)
    p = _probs((4, 5)).astype(np.float64)
    if name == "binary_crossentropy":
        y = (y > 0.2).astype(np.float64)
    out = getattr(losses, name)(y.astype(np.float32), p.astype(np.float32))
    assert out.shape == (4,)
    assert out.dtype == tf.float32
    _close(out, ref(y, p), rtol=1e-4, atol=1e-5)


def test_short_names_are_the_functions():
    assert losses.MSE is losses.mse is losses.mean_squared_error
    assert losses.MAE is losses.mae is losses.mean_absolute_error
    assert losses.get("mse") is losses.mean_squared_error
    assert losses.get("MAPE") is losses.mean_absolute_percentage_error
    assert isinstance(losses.get("MeanSquaredError"), losses.MeanSquaredError)
    assert isinstance(losses.get(losses.Huber), losses.Huber)
    with pytest.raises(ValueError, match="Could not interpret loss identifier"):
        losses.get("no_such_loss")


def test_mse_function_form_as_in_the_basics_guide():
    # tf.keras.losses.MSE(y_true, y_pred): one value per sample, the mean over the last axis
    y_true = np.array([[1.0], [2.0], [3.0]], np.float32)
    y_pred = np.array([[1.5], [2.0], [2.0]], np.float32)
    _close(losses.MSE(y_true, y_pred), [0.25, 0.0, 1.0])
    _close(losses.MSE(y_true[:, 0], y_pred[:, 0]), 0.4166667)   # rank 1: one sample of 3 values


def test_huber_delta_and_class():
    y = rng.normal(size=(3, 4)).astype(np.float32)
    p = (y + rng.normal(scale=2.0, size=(3, 4))).astype(np.float32)
    _close(losses.huber(y, p, delta=0.7), np_huber(y, p, 0.7), rtol=1e-5)
    _close(losses.Huber(delta=0.7)(y, p), np_huber(y, p, 0.7).mean(), rtol=1e-5)
    assert losses.Huber().name == "huber_loss"


def test_hinge_family_converts_binary_labels():
    p = rng.normal(size=(3, 4)).astype(np.float32)
    y01 = (rng.uniform(size=(3, 4)) > 0.5).astype(np.float32)
    y = 2 * y01 - 1
    _close(losses.hinge(y01, p), np.maximum(1 - y * p, 0).mean(-1), rtol=1e-5)
    _close(losses.hinge(y, p), np.maximum(1 - y * p, 0).mean(-1), rtol=1e-5)
    _close(losses.squared_hinge(y01, p), (np.maximum(1 - y * p, 0) ** 2).mean(-1), rtol=1e-5)
    onehot = np.eye(4, dtype=np.float32)[[0, 2, 3]]
    ref = np.maximum(((1 - onehot) * p).max(-1) - (onehot * p).sum(-1) + 1, 0)
    _close(losses.categorical_hinge(onehot, p), ref, rtol=1e-5)


# -- reductions and sample weights ------------------------------------------------------------------------

def test_reductions_and_sample_weight():
    y = rng.normal(size=(4, 3)).astype(np.float32)
    p = rng.normal(size=(4, 3)).astype(np.float32)
    w = np.array([1.0, 0.0, 2.0, 0.5], np.float32)
    per_sample = ((y - p) ** 2).mean(-1)
    _close(losses.MeanSquaredError()(y, p), per_sample.mean())
    _close(losses.MeanSquaredError(reduction="sum")(y, p), per_sample.sum(), rtol=1e-5)
    _close(losses.MeanSquaredError(reduction="none")(y, p), per_sample)
    _close(losses.MeanSquaredError(reduction=None)(y, p), per_sample)
    # sum_over_batch_size divides the weighted sum by the number of values, not by the sum of weights
    _close(losses.MeanSquaredError()(y, p, sample_weight=w), (per_sample * w).sum() / 4, rtol=1e-5)
    _close(losses.MeanSquaredError(reduction="sum")(y, p, sample_weight=w), (per_sample * w).sum(), rtol=1e-5)
    # a (batch, 1) weight expands rank-1 values to (batch, 1), as Keras does
    _close(losses.MeanSquaredError(reduction="none")(y, p, sample_weight=w[:, None]), (per_sample * w)[:, None])
    _close(losses.MeanSquaredError()(y, p, sample_weight=2.0), per_sample.mean() * 2, rtol=1e-5)
    with pytest.raises(ValueError, match="reduction"):
        losses.MeanSquaredError(reduction="average")


def test_elementwise_sample_weight_on_sequences():
    y = rng.normal(size=(2, 3, 4)).astype(np.float32)
    p = rng.normal(size=(2, 3, 4)).astype(np.float32)
    w = rng.uniform(size=(2, 3)).astype(np.float32)
    per_step = ((y - p) ** 2).mean(-1)
    _close(losses.MeanSquaredError()(y, p, sample_weight=w), (per_step * w).sum() / 6, rtol=1e-5)


def test_column_labels_match_rank_one_predictions():
    # y_true (batch, 1) and y_pred (batch,): ranks are matched, as Keras does
    y = np.array([[1.0], [0.0], [1.0]], np.float32)
    p = np.array([0.9, 0.2, 0.4], np.float32)
    _close(losses.BinaryCrossentropy()(y, p), np_bce(y, p[:, None]).mean(), rtol=1e-5)


# -- cross-entropies ----------------------------------------------------------------------------------------

def test_binary_crossentropy_logits_agree_with_probabilities():
    y = (rng.uniform(size=(5, 3)) > 0.5).astype(np.float32)
    z = rng.normal(scale=2.0, size=(5, 3)).astype(np.float32)
    sig = 1 / (1 + np.exp(-z.astype(np.float64)))
    from_logits = losses.binary_crossentropy(y, z, from_logits=True)
    from_probs = losses.binary_crossentropy(y, sig.astype(np.float32))
    _close(from_logits, np_bce(y, sig), rtol=1e-4)
    _close(from_logits, from_probs, rtol=1e-4, atol=1e-5)
    # large logits stay finite with from_logits
    big = losses.binary_crossentropy([[1.0, 0.0]], [[-200.0, 200.0]], from_logits=True)
    _close(big, [200.0], rtol=1e-6)


def test_binary_crossentropy_label_smoothing():
    y = np.array([[1.0, 0.0, 1.0]], np.float32)
    p = np.array([[0.8, 0.3, 0.6]], np.float32)
    smooth = y * 0.8 + 0.5 * 0.2
    _close(losses.BinaryCrossentropy(label_smoothing=0.2)(y, p), np_bce(smooth, p).mean(), rtol=1e-5)


def test_binary_crossentropy_clips_probabilities():
    _close(losses.binary_crossentropy([[1.0]], [[0.0]]), [-np.log(EPS)], rtol=1e-3)


def test_categorical_crossentropy_logits_smoothing_and_shape_check():
    labels = np.eye(4, dtype=np.float32)[[0, 3, 1]]
    z = rng.normal(size=(3, 4)).astype(np.float32)
    soft = np.exp(np_log_softmax(z))
    _close(losses.categorical_crossentropy(labels, z, from_logits=True), -(labels * np_log_softmax(z)).sum(-1),
           rtol=1e-5)
    _close(losses.categorical_crossentropy(labels, soft.astype(np.float32)), np_cce(labels, soft), rtol=1e-4)
    smooth = labels * 0.9 + 0.1 / 4
    _close(losses.CategoricalCrossentropy(from_logits=True, label_smoothing=0.1)(labels, z),
           (-(smooth * np_log_softmax(z)).sum(-1)).mean(), rtol=1e-5)
    # unnormalized probabilities are renormalized first
    _close(losses.categorical_crossentropy(labels, 3 * soft.astype(np.float32)), np_cce(labels, soft), rtol=1e-4)
    with pytest.raises(ValueError, match="same shape"):
        losses.categorical_crossentropy(np.zeros((3, 4), np.float32), np.zeros((3, 5), np.float32))


def test_sparse_categorical_crossentropy():
    labels = np.array([0, 3, 1], np.int64)
    z = rng.normal(size=(3, 4)).astype(np.float32)
    ref = -np_log_softmax(z)[np.arange(3), labels]
    _close(losses.sparse_categorical_crossentropy(labels, z, from_logits=True), ref, rtol=1e-5)
    soft = np.exp(np_log_softmax(z)).astype(np.float32)
    _close(losses.sparse_categorical_crossentropy(labels, soft), ref, rtol=1e-4)
    # labels shaped (batch, 1) and float labels (as a Loss object converts them) work too
    _close(losses.SparseCategoricalCrossentropy(from_logits=True)(labels[:, None].astype(np.float32), z),
           ref.mean(), rtol=1e-5)
    with pytest.raises(ValueError, match="rank"):
        losses.sparse_categorical_crossentropy(np.zeros((3, 2, 2), np.int64), z)


def test_sparse_categorical_crossentropy_ignore_class():
    labels = np.array([0, 3, -1, 1], np.int64)
    z = rng.normal(size=(4, 4)).astype(np.float32)
    per = -np_log_softmax(z)[np.arange(4), np.maximum(labels, 0)]
    valid = labels != -1
    out = losses.sparse_categorical_crossentropy(labels, z, from_logits=True, ignore_class=-1)
    _close(out, np.where(valid, per, 0.0), rtol=1e-5)
    # the Loss object averages over the valid entries only
    loss = losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=-1)
    _close(loss(labels, z), per[valid].mean(), rtol=1e-5)


def test_loss_inside_tf_function_and_gradient():
    y = rng.normal(size=(4, 3)).astype(np.float32)
    p = tf.Variable(rng.normal(size=(4, 3)).astype(np.float32))
    loss_fn = losses.Huber(delta=0.5)

    @tf.function
    def step(y_true):
        with tf.GradientTape() as tape:
            value = loss_fn(y_true, p)
        return value, tape.gradient(value, p)

    value, grad = step(tf.constant(y))
    e = p.numpy().astype(np.float64) - y
    _close(value, np_huber(y, p.numpy(), 0.5).mean(), rtol=1e-5)
    ref_grad = np.where(np.abs(e) <= 0.5, e, 0.5 * np.sign(e)) / e.size
    _close(grad, ref_grad, rtol=1e-4, atol=1e-7)


def test_custom_loss_subclass():
    class Quartic(losses.Loss):
        def call(self, y_true, y_pred):
            return tf.reduce_mean((y_true - y_pred) ** 4, axis=-1)

    q = Quartic()
    assert q.name == "quartic"
    _close(q([[0.0, 2.0]], [[1.0, 0.0]]), 8.5)


# -- config and serialization ---------------------------------------------------------------------------

@pytest.mark.parametrize("loss", [
    losses.MeanSquaredError(reduction="sum", name="m"), losses.Huber(delta=2.5),
    losses.BinaryCrossentropy(from_logits=True, label_smoothing=0.1, axis=-1),
    losses.CategoricalCrossentropy(label_smoothing=0.2), losses.SparseCategoricalCrossentropy(ignore_class=3),
    losses.CosineSimilarity(axis=0), losses.KLDivergence(), losses.Poisson(), losses.Hinge(), losses.LogCosh(),
], ids=lambda x: type(x).__name__)
def test_config_round_trip(loss):
    config = loss.get_config()
    again = type(loss).from_config(config)
    assert again.get_config() == config
    restored = losses.deserialize(losses.serialize(loss))
    assert type(restored) is type(loss) and restored.get_config() == config
    y = _probs((2, 3))
    if isinstance(loss, losses.SparseCategoricalCrossentropy):
        y = np.array([0, 2], np.int64)
    _close(restored(y, _probs((2, 3))) * 0, 0.0)  # it runs


def test_function_serialization_and_resolve():
    assert losses.deserialize(losses.serialize(losses.mae)) is losses.mean_absolute_error
    wrapped = losses.resolve("mse")
    assert isinstance(wrapped, losses.LossFunctionWrapper) and wrapped.name == "mse"
    again = losses.LossFunctionWrapper.from_config(wrapped.get_config())
    assert again.fn is losses.mean_squared_error
    assert losses.resolve(losses.Huber()).name == "huber_loss"
    assert losses.resolve("crossentropy", (None,), (None, 5)).fn is losses.sparse_categorical_crossentropy
    assert losses.resolve("ce", (None, 1), (None, 1)).fn is losses.binary_crossentropy
    assert losses.resolve("crossentropy", (None, 5), (None, 5)).fn is losses.categorical_crossentropy


def test_positional_arguments_follow_keras_order():
    assert losses.BinaryCrossentropy(True, 0.1).from_logits is True
    assert losses.MeanSquaredError("sum").reduction == "sum"
    with pytest.raises(TypeError, match="unexpected"):
        losses.Huber(delt=1.0)
