"""tf.keras initializers, activations, regularizers and constraints against numpy references."""
import json
import math

import numpy as np
import pytest

import webtensor as tf
from webtensor.keras import activations, constraints, initializers, regularizers

# -- initializers ----------------------------------------------------------------------------------


def test_glorot_uniform_limits_and_variance():
    w = initializers.GlorotUniform(seed=7)((200, 300)).numpy()
    limit = math.sqrt(6.0 / (200 + 300))
    assert w.shape == (200, 300) and w.dtype == np.float32
    assert w.min() >= -limit and w.max() <= limit
    assert w.max() > 0.99 * limit and w.min() < -0.99 * limit
    assert abs(w.var() - limit ** 2 / 3) < 0.03 * limit ** 2 / 3
    assert abs(w.mean()) < 0.002


def test_he_normal_std_and_truncation():
    w = initializers.get("he_normal")((400, 250)).numpy()
    std = math.sqrt(2.0 / 400)
    assert abs(w.std() - std) < 0.02 * std
    # truncated at 2 stddevs of the untruncated distribution (std / 0.8796)
    assert np.abs(w).max() <= 2 * std / 0.87962566103423978 + 1e-6


def test_conv_kernel_fans():
    assert initializers.compute_fans((3, 3, 16, 32)) == (144, 288)
    assert initializers.compute_fans((5,)) == (5, 5)
    assert initializers.compute_fans(()) == (1, 1)
    w = initializers.HeUniform(seed=1)((3, 3, 64, 32)).numpy()
    limit = math.sqrt(6.0 / (3 * 3 * 64))
    assert np.abs(w).max() <= limit and np.abs(w).max() > 0.98 * limit


@pytest.mark.parametrize("name, std", [("lecun_normal", math.sqrt(1 / 300)), ("glorot_normal", math.sqrt(2 / 500)),
                                       ("random_normal", 0.05)])
def test_normal_family_std(name, std):
    w = initializers.get(name)((300, 200)).numpy()
    tolerance = 0.03 if name == "random_normal" else 0.02
    assert abs(w.std() - std) < tolerance * std


def test_variance_scaling_modes():
    w = initializers.VarianceScaling(scale=3.0, mode="fan_out", distribution="uniform", seed=3)((100, 50)).numpy()
    limit = math.sqrt(3 * 3.0 / 50)
    assert np.abs(w).max() <= limit and np.abs(w).max() > 0.98 * limit
    w = initializers.VarianceScaling(2.0, "fan_avg", "untruncated_normal", seed=3)((300, 300)).numpy()
    assert abs(w.std() - math.sqrt(2 / 300)) < 0.02 * math.sqrt(2 / 300)
    assert np.abs(w).max() > 2.5 * math.sqrt(2 / 300)  # not truncated
    with pytest.raises(ValueError, match="mode"):
        initializers.VarianceScaling(mode="fan")
    with pytest.raises(ValueError, match="scale"):
        initializers.VarianceScaling(scale=0.0)


@pytest.mark.parametrize("shape", [(6, 6), (4, 9), (10, 3), (3, 2, 8)])
def test_orthogonal(shape):
    w = initializers.Orthogonal(gain=2.0, seed=5)(shape).numpy().astype(np.float64)
    assert w.shape == shape
    flat = w.reshape(-1, shape[-1]) / 2.0
    if flat.shape[0] >= flat.shape[1]:
        np.testing.assert_allclose(flat.T @ flat, np.eye(flat.shape[1]), atol=1e-5)
    else:
        np.testing.assert_allclose(flat @ flat.T, np.eye(flat.shape[0]), atol=1e-5)


def test_identity_constant_zeros_ones():
    np.testing.assert_array_equal(initializers.Identity(gain=3.0)((2, 3)).numpy(), 3 * np.eye(2, 3))
    np.testing.assert_array_equal(initializers.get("zeros")((2, 2)).numpy(), np.zeros((2, 2)))
    np.testing.assert_array_equal(initializers.get("ones")((3,), dtype="float64").numpy(), np.ones(3))
    assert initializers.get("ones")((3,), dtype="float64").dtype == tf.float64
    np.testing.assert_array_equal(initializers.Constant(2.5)((2, 2)).numpy(), np.full((2, 2), 2.5))
    with pytest.raises(ValueError, match="2D"):
        initializers.Identity()((2, 2, 2))


def test_seeded_initializers_are_deterministic():
    for cls in (initializers.GlorotUniform, initializers.HeNormal, initializers.RandomNormal,
                initializers.RandomUniform, initializers.TruncatedNormal, initializers.Orthogonal):
        a, b = cls(seed=11)((5, 4)).numpy(), cls(seed=11)((5, 4)).numpy()
        np.testing.assert_array_equal(a, b)
        assert not np.array_equal(a, cls(seed=12)((5, 4)).numpy())


def test_unseeded_initializers_follow_the_global_seed():
    tf.random.set_seed(123)
    a = initializers.GlorotUniform()((4, 4)).numpy()
    b = initializers.GlorotUniform()((4, 4)).numpy()
    tf.random.set_seed(123)
    c = initializers.GlorotUniform()((4, 4)).numpy()
    assert not np.array_equal(a, b)
    np.testing.assert_array_equal(a, c)


def test_random_uniform_bounds_and_dtype():
    w = initializers.RandomUniform(-2.0, 3.0, seed=1)((1000,), dtype=tf.float64)
    assert w.dtype == tf.float64
    w = w.numpy()
    assert w.min() >= -2.0 and w.max() < 3.0 and abs(w.mean() - 0.5) < 0.15


def test_get_identifiers():
    assert isinstance(initializers.get("glorot_uniform"), initializers.GlorotUniform)
    assert isinstance(initializers.get("GlorotUniform"), initializers.GlorotUniform)
    assert isinstance(initializers.get(initializers.HeNormal), initializers.HeNormal)
    inst = initializers.Orthogonal()
    assert initializers.get(inst) is inst
    assert initializers.get(tf.random.normal) is tf.random.normal
    assert initializers.get(None) is None
    cfg = {"class_name": "RandomNormal", "config": {"mean": 1.0, "stddev": 2.0, "seed": 3}}
    got = initializers.get(cfg)
    assert (got.mean, got.stddev, got.seed) == (1.0, 2.0, 3)
    with pytest.raises(ValueError, match="glorot_unifrom"):
        initializers.get("glorot_unifrom")
    # a callable with TF's (shape, dtype) signature initializes values as it would anywhere
    tf.random.set_seed(5)
    w = initializers.get(tf.random.normal)((3, 2), dtype=tf.float32)
    assert w.shape == (3, 2)


@pytest.mark.parametrize("init", [
    initializers.Zeros(), initializers.Constant(1.5), initializers.RandomNormal(1.0, 2.0, 4),
    initializers.VarianceScaling(2.0, "fan_out", "uniform", 9), initializers.HeNormal(3),
    initializers.Orthogonal(0.5, 2), initializers.Identity(2.0)])
def test_initializer_config_round_trip(init):
    config = json.loads(json.dumps(initializers.serialize(init)))
    again = initializers.deserialize(config)
    assert type(again) is type(init) and again.get_config() == init.get_config()
    if type(init) is not initializers.Identity:
        np.testing.assert_array_equal(again((3, 3)).numpy(), init((3, 3)).numpy())


def test_function_initializer_serializes_by_name():
    config = json.loads(json.dumps(initializers.serialize(tf.random.normal)))
    assert initializers.deserialize(config) is tf.random.normal
    with pytest.raises(ValueError, match="webtensor"):
        initializers.deserialize({"class_name": "function", "config": "system", "module": "os"})


# -- activations -----------------------------------------------------------------------------------

X = np.array([[-3.0, -0.5, 0.0, 0.5, 2.0, 8.0]], np.float32)


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


def _softmax(x):
    e = np.exp(x - x.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


REFERENCES = {
    "relu": lambda x: np.maximum(x, 0),
    "sigmoid": _sigmoid,
    "tanh": np.tanh,
    "softmax": _softmax,
    "log_softmax": lambda x: np.log(_softmax(x)),
    "elu": lambda x: np.where(x > 0, x, np.expm1(x)),
    "selu": lambda x: 1.0507009873554805 * np.where(x > 0, x, 1.6732632423543772 * np.expm1(x)),
    "gelu": lambda x: x * 0.5 * (1 + np.vectorize(math.erf)(x / math.sqrt(2))),
    "softplus": lambda x: np.log1p(np.exp(x)),
    "softsign": lambda x: x / (1 + np.abs(x)),
    "silu": lambda x: x * _sigmoid(x),
    "swish": lambda x: x * _sigmoid(x),
    "leaky_relu": lambda x: np.where(x > 0, x, 0.2 * x),
    "relu6": lambda x: np.clip(x, 0, 6),
    "hard_sigmoid": lambda x: np.clip(x / 6 + 0.5, 0, 1),
    "exponential": np.exp,
    "linear": lambda x: x,
    "mish": lambda x: x * np.tanh(np.log1p(np.exp(x))),
}


@pytest.mark.parametrize("name", sorted(REFERENCES))
def test_activation_values(name):
    got = activations.get(name)(tf.constant(X)).numpy()
    np.testing.assert_allclose(got, REFERENCES[name](X.astype(np.float64)), rtol=1e-5, atol=1e-6)


def test_relu_options():
    x = tf.constant([-3.0, -1.0, 0.5, 1.5, 9.0])
    got = activations.relu(x, negative_slope=0.1, max_value=6.0, threshold=1.0).numpy()
    xn = np.array([-3.0, -1.0, 0.5, 1.5, 9.0])
    ref = np.where(xn > 1.0, np.minimum(xn, 6.0), 0.0) + np.where(xn < 1.0, 0.1 * (xn - 1.0), 0.0)
    np.testing.assert_allclose(got, ref, rtol=1e-6)
    np.testing.assert_allclose(activations.elu(x, alpha=0.5).numpy(), np.where(xn > 0, xn, 0.5 * np.expm1(xn)),
                               rtol=1e-6)
    np.testing.assert_allclose(activations.softmax(tf.constant([[1.0], [2.0]]), axis=0).numpy(),
                               _softmax(np.array([1.0, 2.0]))[:, None], rtol=1e-6)


def test_activation_get_and_serialize():
    assert activations.get(None) is activations.linear
    assert activations.get("relu") is activations.relu
    assert activations.get(tf.nn.relu) is tf.nn.relu
    assert activations.serialize(activations.get("swish")) == "silu"
    assert activations.serialize(tf.nn.relu) == "relu"
    assert activations.deserialize(activations.serialize(activations.tanh)) is activations.tanh
    with pytest.raises(ValueError, match="Unknown activation"):
        activations.get("relu7")


# -- regularizers and constraints --------------------------------------------------------------------

W = np.array([[1.0, -2.0, 0.5], [3.0, 4.0, -1.0]], np.float32)


def test_regularizer_values():
    w = tf.Variable(W)
    np.testing.assert_allclose(regularizers.L1(0.1)(w).numpy(), 0.1 * np.abs(W).sum(), rtol=1e-6)
    np.testing.assert_allclose(regularizers.get("l2")(w).numpy(), 0.01 * (W ** 2).sum(), rtol=1e-6)
    np.testing.assert_allclose(regularizers.L1L2(l1=0.2, l2=0.3)(w).numpy(),
                               0.2 * np.abs(W).sum() + 0.3 * (W ** 2).sum(), rtol=1e-6)
    assert regularizers.get("l1").l1 == 0.01
    assert isinstance(regularizers.get("l1_l2"), regularizers.L1L2)
    with pytest.raises(ValueError, match="non-negative"):
        regularizers.L2(-1.0)


def test_orthogonal_regularizer():
    rows = W / np.linalg.norm(W, axis=1, keepdims=True)
    product = np.abs(rows @ rows.T)
    ref = 0.5 * 0.01 * (product.sum() - np.trace(product)) / 1.0
    np.testing.assert_allclose(regularizers.OrthogonalRegularizer()(tf.constant(W)).numpy(), ref, rtol=1e-5)


def test_regularizer_config_round_trip():
    for reg in (regularizers.L1(0.3), regularizers.L2(0.2), regularizers.L1L2(0.1, 0.4)):
        again = regularizers.get(json.loads(json.dumps(regularizers.serialize(reg))))
        assert type(again) is type(reg) and again.get_config() == reg.get_config()


def test_constraint_values():
    norms = np.sqrt((W ** 2).sum(axis=0, keepdims=True))
    np.testing.assert_allclose(constraints.MaxNorm(2.0)(tf.constant(W)).numpy(),
                               W * np.clip(norms, 0, 2.0) / (1e-7 + norms), rtol=1e-6)
    np.testing.assert_allclose(constraints.NonNeg()(tf.constant(W)).numpy(), np.maximum(W, 0))
    np.testing.assert_allclose(constraints.UnitNorm(axis=1)(tf.constant(W)).numpy(),
                               W / np.sqrt((W ** 2).sum(1, keepdims=True)), rtol=1e-6)
    desired = 0.5 * np.clip(norms, 1.0, 3.0) + 0.5 * norms
    np.testing.assert_allclose(constraints.MinMaxNorm(1.0, 3.0, rate=0.5)(tf.constant(W)).numpy(),
                               W * desired / (1e-7 + norms), rtol=1e-6)
    for c in (constraints.MaxNorm(3, axis=1), constraints.MinMaxNorm(0.1, 2.0, 0.5, 1), constraints.UnitNorm(1)):
        again = constraints.get(json.loads(json.dumps(constraints.serialize(c))))
        assert type(again) is type(c) and again.get_config() == c.get_config()
    assert isinstance(constraints.get("non_neg"), constraints.NonNeg)
