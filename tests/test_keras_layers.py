"""tf.keras.layers against independent numpy references: values, shapes (None batch in tf.function),
weights, configs, losses, training/inference behaviour and error messages."""
import json

import numpy as np
import pytest

import webtensor as tf
from webtensor.keras import layers as L
from webtensor.keras import regularizers

RNG = np.random.default_rng(0)


def rand(*shape):
    return RNG.standard_normal(shape).astype(np.float32)


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def round_trip(layer):
    """A layer rebuilt from its JSON-serialized config."""
    config = json.loads(json.dumps(layer.get_config()))
    again = type(layer).from_config(config)
    assert json.loads(json.dumps(again.get_config())) == config
    return again


# -- Dense -------------------------------------------------------------------------------------------

def test_dense_values_rank2_and_rank3():
    layer = L.Dense(4, activation="relu")
    x = rand(5, 3)
    layer(x)
    w, b = rand(3, 4), rand(4)
    layer.set_weights([w, b])
    np.testing.assert_allclose(layer(x).numpy(), np.maximum(x @ w + b, 0), rtol=1e-5, atol=1e-6)
    x3 = rand(2, 6, 3)
    np.testing.assert_allclose(layer(x3).numpy(), np.maximum(x3 @ w + b, 0), rtol=1e-5, atol=1e-6)
    assert [v.name for v in layer.weights] == [f"{layer.name}/kernel:0", f"{layer.name}/bias:0"]
    assert layer.count_params() == 16


def test_dense_without_bias_and_default_initializers():
    tf.random.set_seed(1)
    layer = L.Dense(300, use_bias=False)
    layer(tf.ones([1, 200]))
    assert len(layer.weights) == 1
    kernel = layer.kernel.numpy()
    limit = np.sqrt(6 / 500)
    assert np.abs(kernel).max() <= limit and np.abs(kernel).max() > 0.99 * limit


def test_dense_accepts_tf_random_normal_initializer():
    # the TF basics guide: Dense(units=1, kernel_initializer=tf.random.normal)
    tf.random.set_seed(3)
    layer = L.Dense(units=1, kernel_initializer=tf.random.normal)
    out = layer(tf.ones([4, 2]))
    assert out.shape == (4, 1) and layer.kernel.shape == (2, 1)


def test_dense_none_batch_in_tf_function():
    layer = L.Dense(3)

    @tf.function(input_signature=[tf.TensorSpec([None, 5])])
    def f(x):
        y = layer(x)
        assert tuple(y.shape.as_list()) == (None, 3)
        return y
    x = rand(7, 5)
    np.testing.assert_allclose(f(x).numpy(), x @ layer.kernel.numpy() + layer.bias.numpy(), rtol=1e-5)


def test_dense_regularization_losses():
    layer = L.Dense(2, kernel_regularizer=regularizers.L2(0.1), bias_regularizer="l1",
                    activity_regularizer=regularizers.L1(0.5), bias_initializer="ones")
    x = rand(3, 4)
    y = layer(x).numpy()
    kernel = layer.kernel.numpy()
    values = sorted(float(v) for v in layer.losses)
    expected = sorted([0.1 * (kernel ** 2).sum(), 0.01 * 2.0, 0.5 * np.abs(y).sum()])
    np.testing.assert_allclose(values, expected, rtol=1e-5)


def test_dense_errors():
    with pytest.raises(ValueError, match="units"):
        L.Dense(0)
    with pytest.raises(ValueError, match="min_ndim=2"):
        L.Dense(3)(tf.ones([4]))
    layer = L.Dense(3)
    layer(tf.ones([2, 4]))
    with pytest.raises(ValueError, match="4"):
        layer(tf.ones([2, 5]))
    with pytest.raises(TypeError, match="unknown_arg"):
        L.Dense(3, unknown_arg=1)


def test_dense_config_round_trip():
    layer = L.Dense(5, activation="tanh", use_bias=False, kernel_initializer="he_normal",
                    kernel_regularizer=regularizers.L1L2(0.1, 0.2), kernel_constraint="non_neg", name="my_dense")
    again = round_trip(layer)
    assert again.units == 5 and again.activation is tf.keras.activations.tanh and not again.use_bias
    assert type(again.kernel_initializer).__name__ == "HeNormal"
    assert again.kernel_regularizer.get_config() == {"l1": 0.1, "l2": 0.2}
    assert again.name == "my_dense"


# -- Activation, Lambda, Flatten, Reshape, Permute, RepeatVector -------------------------------------

def test_simple_layers():
    x = rand(2, 3, 4)
    np.testing.assert_allclose(L.Activation("sigmoid")(x).numpy(), sigmoid(x), rtol=1e-5)
    np.testing.assert_array_equal(L.Flatten()(x).numpy(), x.reshape(2, 12))
    np.testing.assert_array_equal(L.Reshape((4, -1))(x).numpy(), x.reshape(2, 4, 3))
    np.testing.assert_array_equal(L.Permute((2, 1))(x).numpy(), x.transpose(0, 2, 1))
    v = rand(2, 5)
    np.testing.assert_array_equal(L.RepeatVector(3)(v).numpy(), np.repeat(v[:, None, :], 3, axis=1))
    lam = L.Lambda(lambda t, power: t ** power, arguments={"power": 2})
    np.testing.assert_allclose(lam(x).numpy(), x ** 2, rtol=1e-6)
    with pytest.raises(ValueError, match="target shape"):
        L.Reshape((5, -1))(x)


def test_lambda_from_the_tf_basics_guide():
    x = tf.linspace(-2.0, 2.0, 5)
    out = L.Lambda(lambda t: tf.stack([t, t ** 2], axis=1))(x)
    np.testing.assert_allclose(out.numpy(), np.stack([x.numpy(), x.numpy() ** 2], 1), rtol=1e-6)


def test_lambda_config_never_executes_code():
    layer = L.Lambda(lambda t: t * 2, name="doubler")
    config = json.loads(json.dumps(layer.get_config()))
    assert "t * 2" in config["function"]["config"]["source"]
    with pytest.raises(ValueError, match="never executes"):
        L.Lambda.from_config(config)
    again = L.Lambda.from_config({**config, "function": lambda t: t * 2})
    np.testing.assert_array_equal(again(tf.ones([2])).numpy(), [2.0, 2.0])
    named = L.Lambda(tf.nn.relu)
    assert L.Lambda.from_config(json.loads(json.dumps(named.get_config()))).function is tf.nn.relu


def test_flatten_reshape_in_tf_function():
    flat, reshape = L.Flatten(), L.Reshape((2, 6))

    @tf.function(input_signature=[tf.TensorSpec([None, 3, 4])])
    def f(x):
        a, b = flat(x), reshape(x)
        assert tuple(a.shape.as_list()) == (None, 12) and tuple(b.shape.as_list()) == (None, 2, 6)
        return a
    x = rand(5, 3, 4)
    np.testing.assert_array_equal(f(x).numpy(), x.reshape(5, 12))


# -- Dropout -----------------------------------------------------------------------------------------

def test_dropout_training_and_inference():
    x = np.ones((200, 50), np.float32)
    layer = L.Dropout(0.4, seed=3)
    np.testing.assert_array_equal(layer(x).numpy(), x)
    np.testing.assert_array_equal(layer(x, training=False).numpy(), x)
    y = layer(x, training=True).numpy()
    values = np.unique(y)
    assert len(values) == 2 and values[0] == 0.0 and abs(values[1] - 1 / 0.6) < 1e-6
    assert abs((y == 0).mean() - 0.4) < 0.03
    y2 = layer(x, training=True).numpy()
    assert not np.array_equal(y, y2)  # a new mask per call
    shared = L.Dropout(0.5, noise_shape=(None, 1), seed=1)(x[:10], training=True).numpy()
    assert all(len(set(row)) == 1 for row in shared)  # one draw per row
    with pytest.raises(ValueError, match="rate"):
        L.Dropout(1.5)


def test_dropout_in_tf_function():
    layer = L.Dropout(0.5)

    @tf.function
    def f(x, training):
        return layer(x, training=training)
    x = tf.ones([4, 100])
    np.testing.assert_array_equal(f(x, False).numpy(), np.ones((4, 100)))
    assert (f(x, True).numpy() == 0).any()


# -- Conv2D and pooling --------------------------------------------------------------------------------

def conv2d_ref(x, w, stride, padding, dilation=(1, 1)):
    n, h, wd, c = x.shape
    kh, kw, _, f = w.shape
    eh, ew = (kh - 1) * dilation[0] + 1, (kw - 1) * dilation[1] + 1
    if padding == "same":
        oh, ow = -(-h // stride[0]), -(-wd // stride[1])
        ph = max((oh - 1) * stride[0] + eh - h, 0)
        pw = max((ow - 1) * stride[1] + ew - wd, 0)
        x = np.pad(x, [(0, 0), (ph // 2, ph - ph // 2), (pw // 2, pw - pw // 2), (0, 0)])
    else:
        oh, ow = (h - eh) // stride[0] + 1, (wd - ew) // stride[1] + 1
    out = np.zeros((n, oh, ow, f))
    for i in range(oh):
        for j in range(ow):
            for a in range(kh):
                for b in range(kw):
                    patch = x[:, i * stride[0] + a * dilation[0], j * stride[1] + b * dilation[1], :]
                    out[:, i, j, :] += patch @ w[a, b]
    return out


@pytest.mark.parametrize("kernel, strides, padding, dilation", [
    ((3, 3), (1, 1), "valid", (1, 1)), ((3, 2), (2, 2), "same", (1, 1)), ((2, 2), (1, 1), "same", (2, 2)),
    ((1, 1), (1, 2), "valid", (1, 1))])
def test_conv2d_values(kernel, strides, padding, dilation):
    layer = L.Conv2D(4, kernel, strides=strides, padding=padding, dilation_rate=dilation, activation="relu")
    x = rand(2, 7, 6, 3)
    layer(x)
    w, b = rand(*kernel, 3, 4), rand(4)
    layer.set_weights([w, b])
    ref = np.maximum(conv2d_ref(x, w, strides, padding, dilation) + b, 0)
    got = layer(x).numpy()
    np.testing.assert_allclose(got, ref, rtol=1e-4, atol=1e-5)
    assert layer.compute_output_shape((None, 7, 6, 3)) == (None,) + ref.shape[1:]


def test_conv2d_groups_and_fans():
    layer = L.Conv2D(4, 3, groups=2, use_bias=False)
    x = rand(1, 5, 5, 6)
    layer(x)
    assert layer.kernel.shape == (3, 3, 3, 4)
    w = layer.kernel.numpy()
    ref = np.concatenate([conv2d_ref(x[..., :3], w[..., :2], (1, 1), "valid"),
                          conv2d_ref(x[..., 3:], w[..., 2:], (1, 1), "valid")], axis=-1)
    np.testing.assert_allclose(layer(x).numpy(), ref, rtol=1e-4, atol=1e-5)
    big = L.Conv2D(32, 3)
    big(tf.ones([1, 8, 8, 16]))
    limit = np.sqrt(6 / (9 * 16 + 9 * 32))
    assert np.abs(big.kernel.numpy()).max() <= limit


def test_conv2d_errors_and_none_batch():
    with pytest.raises(ValueError, match="channels_first"):
        L.Conv2D(2, 3, data_format="channels_first")
    with pytest.raises(ValueError, match="padding"):
        L.Conv2D(2, 3, padding="full")
    with pytest.raises(ValueError, match="ndim=4"):
        L.Conv2D(2, 3)(tf.ones([2, 5, 5]))
    layer = L.Conv2D(5, 3, strides=2, padding="same")

    @tf.function(input_signature=[tf.TensorSpec([None, 9, 9, 2])])
    def f(x):
        y = layer(x)
        assert tuple(y.shape.as_list()) == (None, 5, 5, 5)
        return y
    assert f(tf.ones([3, 9, 9, 2])).shape == (3, 5, 5, 5)


def pool_ref(x, size, stride, padding, op):
    n, h, w, c = x.shape
    if padding == "same":
        oh, ow = -(-h // stride[0]), -(-w // stride[1])
        ph = max((oh - 1) * stride[0] + size[0] - h, 0)
        pw = max((ow - 1) * stride[1] + size[1] - w, 0)
        top, left = ph // 2, pw // 2
    else:
        oh, ow = (h - size[0]) // stride[0] + 1, (w - size[1]) // stride[1] + 1
        top = left = 0
    out = np.zeros((n, oh, ow, c))
    for i in range(oh):
        for j in range(ow):
            r0, c0 = i * stride[0] - top, j * stride[1] - left
            window = x[:, max(r0, 0):min(r0 + size[0], h), max(c0, 0):min(c0 + size[1], w), :]
            out[:, i, j] = op(window, axis=(1, 2))
    return out


@pytest.mark.parametrize("cls, op", [(L.MaxPooling2D, np.max), (L.AveragePooling2D, np.mean)])
@pytest.mark.parametrize("size, strides, padding", [((2, 2), None, "valid"), ((3, 3), (2, 2), "same"),
                                                     ((2, 3), (1, 2), "valid")])
def test_pooling_values(cls, op, size, strides, padding):
    x = rand(2, 7, 6, 3)
    got = cls(pool_size=size, strides=strides, padding=padding)(x).numpy()
    ref = pool_ref(x, size, strides or size, padding, op)
    np.testing.assert_allclose(got, ref, rtol=1e-5, atol=1e-6)


def test_global_pooling_and_1d_pooling():
    x = rand(2, 4, 5, 3)
    np.testing.assert_allclose(L.GlobalAveragePooling2D()(x).numpy(), x.mean(axis=(1, 2)), rtol=1e-5)
    np.testing.assert_allclose(L.GlobalMaxPooling2D()(x).numpy(), x.max(axis=(1, 2)), rtol=1e-6)
    assert L.GlobalAveragePooling2D(keepdims=True)(x).shape == (2, 1, 1, 3)
    s = rand(2, 6, 3)
    np.testing.assert_allclose(L.MaxPooling1D(2)(s).numpy(), s.reshape(2, 3, 2, 3).max(2), rtol=1e-6)
    np.testing.assert_allclose(L.GlobalAveragePooling1D()(s).numpy(), s.mean(1), rtol=1e-5)
    mask = tf.constant([[True] * 4 + [False] * 2, [True] * 6])
    got = L.GlobalAveragePooling1D()(s, mask=mask).numpy()
    np.testing.assert_allclose(got, np.stack([s[0, :4].mean(0), s[1].mean(0)]), rtol=1e-5)
    with pytest.raises(ValueError, match="ndim=4"):
        L.MaxPooling2D()(tf.ones([2, 4, 4]))


# -- normalization -------------------------------------------------------------------------------------

def test_batch_normalization_training_inference_and_moving_stats():
    layer = L.BatchNormalization(momentum=0.9, epsilon=1e-3)
    x = rand(8, 4) * 3 + 2
    layer(x)  # build: gamma 1, beta 0, moving mean 0, moving variance 1
    gamma, beta = rand(4), rand(4)
    layer.set_weights([gamma, beta, np.zeros(4, np.float32), np.ones(4, np.float32)])
    y = layer(x, training=True).numpy()
    mean, var = x.mean(0), x.var(0)
    np.testing.assert_allclose(y, (x - mean) / np.sqrt(var + 1e-3) * gamma + beta, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(layer.moving_mean.numpy(), 0.1 * mean, rtol=1e-5)
    np.testing.assert_allclose(layer.moving_variance.numpy(), 0.9 + 0.1 * var, rtol=1e-5)
    y = layer(x, training=True).numpy()
    np.testing.assert_allclose(layer.moving_mean.numpy(), 0.9 * 0.1 * mean + 0.1 * mean, rtol=1e-5)
    # inference uses the moving statistics and leaves them alone
    mm, mv = layer.moving_mean.numpy(), layer.moving_variance.numpy()
    y = layer(x).numpy()
    np.testing.assert_allclose(y, (x - mm) / np.sqrt(mv + 1e-3) * gamma + beta, rtol=1e-4, atol=1e-5)
    np.testing.assert_array_equal(layer.moving_mean.numpy(), mm)
    assert [len(layer.trainable_weights), len(layer.non_trainable_weights)] == [2, 2]


def test_batch_normalization_updates_inside_tf_function_and_frozen():
    layer = L.BatchNormalization(momentum=0.5)
    x = rand(6, 5, 5, 3)

    @tf.function(input_signature=[tf.TensorSpec([None, 5, 5, 3])])
    def step(x):
        return layer(x, training=True)
    y = step(x)
    assert y.shape == (6, 5, 5, 3)
    np.testing.assert_allclose(layer.moving_mean.numpy(), 0.5 * x.mean(axis=(0, 1, 2)), rtol=1e-4, atol=1e-6)
    step(x)
    np.testing.assert_allclose(layer.moving_mean.numpy(), 0.75 * x.mean(axis=(0, 1, 2)), rtol=1e-4, atol=1e-6)
    layer.trainable = False  # a frozen BatchNormalization runs in inference mode (Keras 3)
    before = layer.moving_mean.numpy()
    layer(x, training=True)
    np.testing.assert_array_equal(layer.moving_mean.numpy(), before)


def test_batch_normalization_axis_and_config():
    layer = L.BatchNormalization(axis=1, center=False, momentum=0.8, epsilon=0.01)
    x = rand(4, 3, 5)
    y = layer(x, training=True).numpy()
    mean, var = x.mean((0, 2), keepdims=True), x.var((0, 2), keepdims=True)
    np.testing.assert_allclose(y, (x - mean) / np.sqrt(var + 0.01), rtol=1e-4, atol=1e-5)
    assert [w.shape for w in layer.weights] == [(3,), (3,), (3,)]
    again = round_trip(layer)
    assert (again.axis, again.momentum, again.epsilon, again.center) == (1, 0.8, 0.01, False)


def test_layer_normalization():
    x = rand(3, 4, 6)
    layer = L.LayerNormalization(epsilon=1e-3)
    layer(x)
    gamma, beta = rand(6), rand(6)
    layer.set_weights([gamma, beta])
    mean, var = x.mean(-1, keepdims=True), x.var(-1, keepdims=True)
    np.testing.assert_allclose(layer(x).numpy(), (x - mean) / np.sqrt(var + 1e-3) * gamma + beta,
                               rtol=1e-4, atol=1e-5)
    two = L.LayerNormalization(axis=[1, 2], scale=False, center=False)
    mean, var = x.mean((1, 2), keepdims=True), x.var((1, 2), keepdims=True)
    np.testing.assert_allclose(two(x).numpy(), (x - mean) / np.sqrt(var + 1e-3), rtol=1e-4, atol=1e-5)
    assert two.weights == []
    assert round_trip(L.LayerNormalization(axis=[1, 2], epsilon=0.1)).axis == [1, 2]


# -- Embedding -------------------------------------------------------------------------------------------

def test_embedding_lookup_mask_and_shape():
    layer = L.Embedding(10, 4, mask_zero=True)
    ids = np.array([[1, 2, 0], [9, 0, 0]])
    out = layer(ids)
    table = layer.embeddings.numpy()
    np.testing.assert_array_equal(out.numpy(), table[ids])
    assert np.abs(table).max() <= 0.05  # "uniform" is RandomUniform(-0.05, 0.05)
    np.testing.assert_array_equal(layer.compute_mask(tf.constant(ids)).numpy(), ids != 0)
    assert tf.keras.backend.get_keras_mask(out) is not None

    @tf.function(input_signature=[tf.TensorSpec([None, 3], tf.int32)])
    def f(i):
        y = layer(i)
        assert tuple(y.shape.as_list()) == (None, 3, 4)
        return y
    np.testing.assert_array_equal(f(ids.astype(np.int32)).numpy(), table[ids])
    again = round_trip(L.Embedding(5, 2, input_length=3, mask_zero=True))
    assert (again.input_dim, again.output_dim, again.mask_zero) == (5, 2, True)


# -- merging ----------------------------------------------------------------------------------------------

def test_merge_layer_values():
    a, b, c = rand(2, 3), rand(2, 3), rand(2, 3)
    np.testing.assert_allclose(L.Add()([a, b, c]).numpy(), a + b + c, rtol=1e-6)
    np.testing.assert_allclose(L.add([a, b]).numpy(), a + b, rtol=1e-6)
    np.testing.assert_allclose(L.Subtract()([a, b]).numpy(), a - b, rtol=1e-6)
    np.testing.assert_allclose(L.Multiply()([a, b, c]).numpy(), a * b * c, rtol=1e-6)
    np.testing.assert_allclose(L.Average()([a, b]).numpy(), (a + b) / 2, rtol=1e-6)
    np.testing.assert_allclose(L.Maximum()([a, b, c]).numpy(), np.maximum(np.maximum(a, b), c))
    np.testing.assert_allclose(L.Minimum()([a, b]).numpy(), np.minimum(a, b))
    d = rand(2, 5)
    np.testing.assert_array_equal(L.Concatenate()([a, d]).numpy(), np.concatenate([a, d], -1))
    np.testing.assert_array_equal(L.concatenate([a, b], axis=0).numpy(), np.concatenate([a, b], 0))
    np.testing.assert_allclose(L.Dot(axes=1)([a, b]).numpy(), (a * b).sum(1, keepdims=True), rtol=1e-5)
    # broadcasting of a size-1 axis, as Keras allows
    np.testing.assert_allclose(L.Add()([rand(2, 1, 3) * 0 + 1, np.ones((2, 4, 3), np.float32)]).numpy(),
                               np.full((2, 4, 3), 2.0))


def test_merge_layer_errors():
    with pytest.raises(ValueError, match="incompatible shapes"):
        L.Add()([tf.ones([2, 3]), tf.ones([2, 4])])
    with pytest.raises(ValueError, match="matching shapes except for the concatenation axis"):
        L.Concatenate(axis=-1)([tf.ones([2, 3]), tf.ones([3, 3])])
    with pytest.raises(ValueError, match="exactly 2 inputs"):
        L.Subtract()([tf.ones([2]), tf.ones([2]), tf.ones([2])])
    with pytest.raises(ValueError, match="list"):
        L.Add()(tf.ones([2, 3]))
    with pytest.raises(ValueError, match="at least 2"):
        L.Multiply()([tf.ones([2, 3])])


def test_merge_layers_in_tf_function():
    add, cat = L.Add(), L.Concatenate()

    @tf.function(input_signature=[tf.TensorSpec([None, 3]), tf.TensorSpec([None, 3])])
    def f(a, b):
        s, c = add([a, b]), cat([a, b])
        assert tuple(s.shape.as_list()) == (None, 3) and tuple(c.shape.as_list()) == (None, 6)
        return c
    assert f(tf.ones([4, 3]), tf.ones([4, 3])).shape == (4, 6)
    assert add.compute_output_shape([(None, 3), (None, 3)]) == (None, 3)


# -- recurrent layers --------------------------------------------------------------------------------------

def lstm_ref(x, kernel, recurrent, bias, go_backwards=False, mask=None):
    batch, steps, _ = x.shape
    units = recurrent.shape[0]
    h, c = np.zeros((batch, units)), np.zeros((batch, units))
    outputs = []
    order = range(steps - 1, -1, -1) if go_backwards else range(steps)
    for t in order:
        z = x[:, t] @ kernel + h @ recurrent + bias
        i, f, g, o = (z[:, k * units:(k + 1) * units] for k in range(4))
        c_new = sigmoid(f) * c + sigmoid(i) * np.tanh(g)
        h_new = sigmoid(o) * np.tanh(c_new)
        if mask is not None:
            keep = mask[:, t:t + 1]
            h_new, c_new = np.where(keep, h_new, h), np.where(keep, c_new, c)
        h, c = h_new, c_new
        outputs.append(h)
    return np.stack(outputs, 1), h, c


def gru_ref(x, kernel, recurrent, bias, reset_after=True):
    batch, steps, _ = x.shape
    units = recurrent.shape[0]
    h = np.zeros((batch, units))
    outputs = []
    for t in range(steps):
        if reset_after:
            mx = x[:, t] @ kernel + bias[0]
            mh = h @ recurrent + bias[1]
            z = sigmoid(mx[:, :units] + mh[:, :units])
            r = sigmoid(mx[:, units:2 * units] + mh[:, units:2 * units])
            hh = np.tanh(mx[:, 2 * units:] + r * mh[:, 2 * units:])
        else:
            mx = x[:, t] @ kernel + bias
            z = sigmoid(mx[:, :units] + h @ recurrent[:, :units])
            r = sigmoid(mx[:, units:2 * units] + h @ recurrent[:, units:2 * units])
            hh = np.tanh(mx[:, 2 * units:] + (r * h) @ recurrent[:, 2 * units:])
        h = z * h + (1 - z) * hh
        outputs.append(h)
    return np.stack(outputs, 1), h


def test_lstm_values_and_weights():
    layer = L.LSTM(3, return_sequences=True, return_state=True)
    x = rand(2, 5, 4)
    layer(x)
    assert [v.shape for v in layer.weights] == [(4, 12), (3, 12), (12,)]
    bias = layer.weights[2].numpy()
    np.testing.assert_array_equal(bias, np.r_[np.zeros(3), np.ones(3), np.zeros(6)])  # unit_forget_bias
    recurrent = layer.weights[1].numpy()
    np.testing.assert_allclose(recurrent @ recurrent.T, np.eye(3), atol=1e-5)  # orthogonal
    weights = [rand(4, 12) * 0.5, rand(3, 12) * 0.5, rand(12) * 0.5]
    layer.set_weights(weights)
    seq, h, c = (t.numpy() for t in layer(x))
    ref_seq, ref_h, ref_c = lstm_ref(x, *weights)
    np.testing.assert_allclose(seq, ref_seq, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(h, ref_h, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(c, ref_c, rtol=1e-4, atol=1e-5)
    back = L.LSTM(3, go_backwards=True)
    back(x)
    back.set_weights(weights)
    np.testing.assert_allclose(back(x).numpy(), lstm_ref(x, *weights, go_backwards=True)[1], rtol=1e-4, atol=1e-5)


def test_lstm_mask_from_embedding():
    emb = L.Embedding(6, 4, mask_zero=True)
    lstm = L.LSTM(3)
    ids = np.array([[1, 2, 3, 0, 0], [4, 5, 1, 2, 3]])
    out = lstm(emb(ids)).numpy()
    weights = [w.numpy() for w in lstm.weights]
    x = emb.embeddings.numpy()[ids]
    _, ref_h, _ = lstm_ref(x, *weights, mask=ids != 0)
    np.testing.assert_allclose(out, ref_h, rtol=1e-4, atol=1e-5)
    _, unmasked_h, _ = lstm_ref(x, *weights)
    assert not np.allclose(ref_h[0], unmasked_h[0])


@pytest.mark.parametrize("reset_after", [True, False])
def test_gru_values(reset_after):
    layer = L.GRU(3, return_sequences=True, reset_after=reset_after)
    x = rand(2, 4, 5)
    layer(x)
    bias_shape = (2, 9) if reset_after else (9,)
    assert [v.shape for v in layer.weights] == [(5, 9), (3, 9), bias_shape]
    weights = [rand(5, 9) * 0.5, rand(3, 9) * 0.5, rand(*bias_shape) * 0.5]
    layer.set_weights(weights)
    ref_seq, _ = gru_ref(x, *weights, reset_after=reset_after)
    np.testing.assert_allclose(layer(x).numpy(), ref_seq, rtol=1e-4, atol=1e-5)


def test_simple_rnn_values():
    layer = L.SimpleRNN(3, return_state=True)
    x = rand(2, 4, 5)
    layer(x)
    k, r, b = rand(5, 3), rand(3, 3), rand(3)
    layer.set_weights([k, r, b])
    h = np.zeros((2, 3))
    for t in range(4):
        h = np.tanh(x[:, t] @ k + h @ r + b)
    out, state = layer(x)
    np.testing.assert_allclose(out.numpy(), h, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(state.numpy(), h, rtol=1e-4, atol=1e-5)


def test_rnn_layers_trace_with_none_batch():
    lstm, gru = L.LSTM(4, return_sequences=True), L.GRU(2)

    @tf.function(input_signature=[tf.TensorSpec([None, 6, 3])])
    def f(x):
        seq = lstm(x)
        last = gru(seq)
        assert tuple(seq.shape.as_list()) == (None, 6, 4) and tuple(last.shape.as_list()) == (None, 2)
        return last
    x = rand(5, 6, 3)
    np.testing.assert_allclose(f(x).numpy(), gru(lstm(x)).numpy(), rtol=1e-5, atol=1e-6)


def test_rnn_unknown_timesteps_use_a_while_loop():
    lstm, gru = L.LSTM(3, return_sequences=True, return_state=True), L.GRU(2, go_backwards=True)
    x = rand(2, 5, 4)
    mask = tf.constant([[True] * 3 + [False] * 2, [True] * 5])
    eager = [t.numpy() for t in lstm(x)] + [gru(x, mask=mask).numpy()]

    @tf.function(input_signature=[tf.TensorSpec([None, None, 4]), tf.TensorSpec([None, None], tf.bool)])
    def f(x, m):
        seq, h, c = lstm(x)
        assert tuple(seq.shape.as_list()) == (None, None, 3) and tuple(h.shape.as_list()) == (None, 3)
        return seq, h, c, gru(x, mask=m)
    for got, want in zip(f(x, mask), eager):
        np.testing.assert_allclose(got.numpy(), want, rtol=1e-5, atol=1e-6)
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(f(x, mask)[0])
    grads = tape.gradient(loss, lstm.trainable_weights)
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(lstm(x)[0])
    for got, want in zip(grads, tape.gradient(loss, lstm.trainable_weights)):
        np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-4, atol=1e-5)
    ids = tf.keras.Input(shape=(None,), dtype="int32")
    out = L.LSTM(3)(L.Embedding(10, 4, mask_zero=True)(ids))
    assert tuple(out.shape.as_list()) == (None, 3)


def test_rnn_gradients_flow():
    layer = L.LSTM(3)
    x = tf.constant(rand(2, 4, 2))
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(layer(x) ** 2)
    grads = tape.gradient(loss, layer.trainable_weights)
    assert len(grads) == 3 and all(g is not None and np.abs(g.numpy()).sum() > 0 for g in grads)


def test_rnn_dropout_and_errors_and_config():
    layer = L.LSTM(3, dropout=0.5, recurrent_dropout=0.3, seed=1)
    x = rand(2, 4, 5)
    np.testing.assert_array_equal(layer(x).numpy(), layer(x, training=False).numpy())
    assert not np.allclose(layer(x, training=True).numpy(), layer(x).numpy())
    with pytest.raises(ValueError, match="dropout"):
        L.GRU(2, dropout=1.5)
    with pytest.raises(ValueError, match="ndim=3"):
        L.LSTM(2)(tf.ones([2, 3]))
    again = round_trip(L.GRU(4, return_sequences=True, reset_after=False, go_backwards=True,
                             recurrent_activation="hard_sigmoid", name="g"))
    assert (again.units, again.return_sequences, again.reset_after, again.go_backwards) == (4, True, False, True)
    assert again.cell.recurrent_activation is tf.keras.activations.hard_sigmoid
    again = round_trip(L.RNN(L.LSTMCell(2), return_state=True))
    assert isinstance(again.cell, L.LSTMCell) and again.return_state


# -- reshaping layers ----------------------------------------------------------------------------------------

def test_padding_cropping_upsampling():
    x = rand(2, 3, 4, 2)
    np.testing.assert_array_equal(L.ZeroPadding2D(((1, 0), (2, 1)))(x).numpy(),
                                  np.pad(x, [(0, 0), (1, 0), (2, 1), (0, 0)]))
    np.testing.assert_array_equal(L.Cropping2D(((1, 0), (1, 2)))(x).numpy(), x[:, 1:, 1:2])
    np.testing.assert_array_equal(L.UpSampling2D((2, 3))(x).numpy(), x.repeat(2, axis=1).repeat(3, axis=2))
    s = rand(2, 5, 3)
    np.testing.assert_array_equal(L.ZeroPadding1D(2)(s).numpy(), np.pad(s, [(0, 0), (2, 2), (0, 0)]))
    np.testing.assert_array_equal(L.Cropping1D((1, 2))(s).numpy(), s[:, 1:3])
    np.testing.assert_array_equal(L.UpSampling1D(2)(s).numpy(), s.repeat(2, axis=1))
    up = L.UpSampling2D(2)

    @tf.function(input_signature=[tf.TensorSpec([None, 3, 4, 2])])
    def f(t):
        y = up(t)
        assert tuple(y.shape.as_list()) == (None, 6, 8, 2)
        return y
    np.testing.assert_array_equal(f(x).numpy(), x.repeat(2, 1).repeat(2, 2))


# -- configs and the functional API ------------------------------------------------------------------------

@pytest.mark.parametrize("layer", [
    L.Conv2D(3, (2, 3), strides=2, padding="same", activation="relu", name="c"), L.Conv1D(2, 3, dilation_rate=2),
    L.MaxPooling2D((3, 3), strides=1, padding="same"), L.AveragePooling2D(), L.GlobalMaxPooling2D(keepdims=True),
    L.Dropout(0.3, noise_shape=(None, 1), seed=4), L.Flatten(), L.Reshape((2, -1)), L.Activation("softmax"),
    L.Concatenate(axis=1), L.Add(), L.Dot(axes=(1, 1), normalize=True), L.ZeroPadding2D(2),
    L.Cropping2D(((1, 1), (0, 2))), L.UpSampling2D((1, 2)), L.RepeatVector(4), L.Permute((2, 1)),
    L.LSTM(3, return_state=True, unit_forget_bias=False), L.SimpleRNN(2, activation="relu"),
])
def test_config_round_trips(layer):
    again = round_trip(layer)
    assert type(again) is type(layer)


def test_functional_api_shapes():
    inputs = tf.keras.Input(shape=(8, 8, 3))
    x = L.Conv2D(4, 3, padding="same")(inputs)
    x = L.MaxPooling2D()(x)
    x = L.BatchNormalization()(x)
    x = L.Flatten()(x)
    y = L.Dense(5)(x)
    assert tuple(y.shape.as_list()) == (None, 5)
    seq = tf.keras.Input(shape=(7, 3))
    out, h, c = L.LSTM(4, return_sequences=True, return_state=True)(seq)
    assert tuple(out.shape.as_list()) == (None, 7, 4) and tuple(c.shape.as_list()) == (None, 4)
    merged = L.concatenate([L.Dense(2)(x), L.Dense(3)(x)])
    assert tuple(merged.shape.as_list()) == (None, 5)


def test_layers_namespace():
    assert tf.keras.layers.Dense is L.Dense
    assert tf.keras.layers.InputLayer.__name__ == "InputLayer"
    assert L.deserialize(L.serialize(L.Dense(3))).units == 3
