"""compile/fit/evaluate/predict: known solutions, validation_split, History, eager vs tf.function, seed 002."""
import numpy as np
import pytest

import webtensor as tf
from webtensor import keras

layers = keras.layers


class _PlainSGD:
    """Stand-in used only while keras.optimizers is not importable."""

    def __init__(self, learning_rate=0.01):
        self.learning_rate = tf.Variable(learning_rate, trainable=False)

    def apply_gradients(self, grads_and_vars):
        for g, v in grads_and_vars:
            v.assign_sub(self.learning_rate * g)


def sgd(lr):
    try:
        from webtensor.keras import optimizers
        return optimizers.SGD(learning_rate=lr)
    except (ImportError, AttributeError):
        return _PlainSGD(lr)


def _linear_data(n=64, seed=0):
    rng = np.random.RandomState(seed)
    x = rng.randn(n, 2).astype("float32")
    y = (x @ np.array([[2.0], [-3.0]]) + 1.0).astype("float32")
    return x, y


def test_fit_linear_regression_reaches_solution():
    x, y = _linear_data()
    model = keras.Sequential([layers.Dense(1, input_shape=(2,))])
    model.compile(optimizer=sgd(0.1), loss="mse")
    history = model.fit(x, y, epochs=60, batch_size=16, verbose=0)
    w, b = model.get_weights()
    np.testing.assert_allclose(w.ravel(), [2.0, -3.0], atol=1e-3)
    np.testing.assert_allclose(b, [1.0], atol=1e-3)
    assert len(history.history["loss"]) == 60 and history.history["loss"][-1] < 1e-5
    assert history.epoch == list(range(60))


def test_evaluate_and_predict_match_manual():
    x, y = _linear_data(50)
    model = keras.Sequential([layers.Dense(1, input_shape=(2,))])
    model.compile(optimizer=sgd(0.01), loss="mse", metrics=["mae"])
    w, b = model.get_weights()
    pred = x @ w + b
    np.testing.assert_allclose(model.predict(x, batch_size=7, verbose=0), pred, rtol=1e-5, atol=1e-6)
    loss, mae = model.evaluate(x, y, batch_size=7, verbose=0)
    np.testing.assert_allclose(loss, np.mean((pred - y) ** 2), rtol=1e-5)
    np.testing.assert_allclose(mae, np.mean(np.abs(pred - y)), rtol=1e-5)
    logs = model.evaluate(x, y, verbose=0, return_dict=True)
    assert set(logs) == {"loss", "mae"}
    assert model.metrics_names == ["loss", "mae"]


def test_fit_classification_reduces_loss_and_accuracy():
    rng = np.random.RandomState(1)
    x = rng.randn(200, 2).astype("float32")
    labels = (x[:, 0] + x[:, 1] > 0).astype("int32")
    model = keras.Sequential([layers.Dense(8, activation="relu", input_shape=(2,)), layers.Dense(2)])
    model.compile(optimizer=sgd(0.5), loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    history = model.fit(x, labels, epochs=20, batch_size=20, verbose=0)
    assert history.history["loss"][-1] < 0.5 * history.history["loss"][0]
    assert history.history["accuracy"][-1] > 0.9
    acc = model.evaluate(x, labels, verbose=0)[1]
    pred = model.predict(x, verbose=0).argmax(axis=1)
    np.testing.assert_allclose(acc, np.mean(pred == labels), atol=1e-6)


def test_validation_split_uses_last_fraction():
    x, y = _linear_data(40)
    model = keras.Sequential([layers.Dense(1, input_shape=(2,))])
    model.compile(optimizer=sgd(0.0), loss="mse")  # lr 0: weights stay, so val_loss is computable
    history = model.fit(x, y, epochs=2, batch_size=8, validation_split=0.25, verbose=0)
    w, b = model.get_weights()
    val = np.mean((x[30:] @ w + b - y[30:]) ** 2)
    train = np.mean((x[:30] @ w + b - y[:30]) ** 2)
    np.testing.assert_allclose(history.history["val_loss"], [val, val], rtol=1e-5)
    np.testing.assert_allclose(history.history["loss"], [train, train], rtol=1e-5)
    assert sorted(history.history) == ["loss", "val_loss"]


def test_validation_data_and_freq():
    x, y = _linear_data(32)
    model = keras.Sequential([layers.Dense(1, input_shape=(2,))])
    model.compile(optimizer=sgd(0.01), loss="mse")
    history = model.fit(x, y, epochs=4, validation_data=(x[:8], y[:8]), validation_freq=2, verbose=0)
    assert len(history.history["loss"]) == 4 and len(history.history["val_loss"]) == 2


def _one_epoch(run_eagerly):
    keras.backend.clear_session()
    x, y = _linear_data(48, seed=3)
    model = keras.Sequential([layers.Dense(3, activation="tanh", kernel_initializer="ones", input_shape=(2,)),
                              layers.Dense(1, kernel_initializer="ones")])
    model.compile(optimizer=sgd(0.05), loss="mse", run_eagerly=run_eagerly)
    model.fit(x, y, epochs=1, batch_size=10, shuffle=False, verbose=0)
    return model.get_weights()


def test_run_eagerly_matches_tf_function():
    for a, b in zip(_one_epoch(True), _one_epoch(False)):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_sample_weight_and_class_weight():
    x = np.array([[1.0], [2.0]], "float32")
    y = np.array([[0.0], [0.0]], "float32")
    model = keras.Sequential([layers.Dense(1, kernel_initializer="ones", bias_initializer="zeros",
                                           input_shape=(1,))])
    model.compile(optimizer=sgd(0.0), loss="mse")
    got = model.evaluate(x, y, sample_weight=np.array([1.0, 0.0]), verbose=0)
    np.testing.assert_allclose(got, (1.0 * 1 + 4.0 * 0) / 2)  # sum_over_batch_size
    yc = np.array([0, 1])
    model.compile(optimizer=sgd(0.0), loss="mse")
    logs = model.train_on_batch(x, yc.reshape(-1, 1).astype("float32"), class_weight={0: 0.0, 1: 2.0},
                                return_dict=True)
    np.testing.assert_allclose(logs["loss"], (0 * 1.0 + 2.0 * 1.0) / 2)


def test_on_batch_methods_and_regularization_loss():
    model = keras.Sequential([layers.Dense(1, kernel_initializer="ones", bias_initializer="zeros",
                                           kernel_regularizer=keras.regularizers.L2(0.5), input_shape=(2,))])
    model.compile(optimizer=sgd(0.0), loss="mse")
    x = np.ones((3, 2), "float32")
    y = np.zeros((3, 1), "float32")
    # mse = 4, L2 penalty = 0.5 * (1 + 1) = 1
    np.testing.assert_allclose(model.test_on_batch(x, y), 5.0, rtol=1e-6)
    np.testing.assert_allclose(model.train_on_batch(x, y), 5.0, rtol=1e-6)
    np.testing.assert_allclose(model.predict_on_batch(x), np.full((3, 1), 2.0))


def test_fit_on_dataset():
    x, y = _linear_data(64)
    ds = tf.data.Dataset.from_tensor_slices((x, y)).batch(16)
    model = keras.Sequential([layers.Dense(1, input_shape=(2,))])
    model.compile(optimizer=sgd(0.1), loss="mse")
    history = model.fit(ds, epochs=40, verbose=0)
    assert history.history["loss"][-1] < 1e-3
    np.testing.assert_allclose(model.evaluate(ds, verbose=0), np.mean((model.predict(x, verbose=0) - y) ** 2),
                               rtol=1e-4)
    model.fit(ds.repeat(), epochs=2, steps_per_epoch=3, verbose=0)


def test_custom_train_step():
    class Custom(keras.Model):
        def __init__(self):
            super().__init__()
            self.dense = layers.Dense(1, kernel_initializer="zeros")
            self.steps_seen = tf.Variable(0.0, trainable=False)

        def call(self, x):
            return self.dense(x)

        def train_step(self, data):
            x, y = data
            with tf.GradientTape() as tape:
                loss = self.compute_loss(y=y, y_pred=self(x, training=True))
            grads = tape.gradient(loss, self.trainable_variables)
            self.optimizer.apply_gradients(zip(grads, self.trainable_variables))
            self.steps_seen.assign_add(1.0)
            return {"my_loss": loss}

    x, y = _linear_data(20)
    model = Custom()
    model.compile(optimizer=sgd(0.01), loss="mse")
    history = model.fit(x, y, epochs=2, batch_size=10, verbose=0)
    assert float(model.steps_seen.numpy()) == 4.0
    assert list(history.history) == ["my_loss"]


def test_multi_output_losses_and_names():
    inp = keras.Input(shape=(2,))
    a = layers.Dense(1, kernel_initializer="ones", bias_initializer="zeros", name="a")(inp)
    b = layers.Dense(1, kernel_initializer="zeros", bias_initializer="zeros", name="b")(inp)
    model = keras.Model(inp, [a, b])
    model.compile(optimizer=sgd(0.0), loss=["mse", "mae"], loss_weights=[1.0, 0.5])
    x = np.ones((4, 2), "float32")
    ya, yb = np.zeros((4, 1), "float32"), np.full((4, 1), 2.0, "float32")
    logs = model.evaluate(x, [ya, yb], verbose=0, return_dict=True)
    np.testing.assert_allclose(logs["a_loss"], 4.0)
    np.testing.assert_allclose(logs["b_loss"], 2.0)
    np.testing.assert_allclose(logs["loss"], 4.0 + 0.5 * 2.0)


def test_progress_bar_output(capsys):
    x, y = _linear_data(64)
    model = keras.Sequential([layers.Dense(1, input_shape=(2,))])
    model.compile(optimizer=sgd(0.01), loss="mse")
    model.fit(x, y, epochs=2, batch_size=32, verbose=1)
    out = capsys.readouterr().out
    assert "Epoch 1/2" in out and "Epoch 2/2" in out
    assert "2/2 " in out and "━" in out and "step - loss: " in out
    model.fit(x, y, epochs=1, batch_size=32, verbose=2)
    line = capsys.readouterr().out.strip()
    assert line.startswith("2/2 - ") and " - loss: " in line
    model.fit(x, y, epochs=1, verbose=0)
    assert capsys.readouterr().out == ""


def test_errors():
    model = keras.Sequential([layers.Dense(1, input_shape=(2,))])
    with pytest.raises(RuntimeError, match="compile"):
        model.fit(np.ones((2, 2)), np.ones((2, 1)))
    model.compile(optimizer=sgd(0.1), loss="mse")
    with pytest.raises(ValueError, match="cardinality"):
        model.fit(np.ones((3, 2)), np.ones((2, 1)), verbose=0)


def test_basics_guide_keras_part():
    """The Keras part of the TensorFlow basics guide (seed 002), as written."""
    x = tf.linspace(-2, 2, 201)
    x = tf.cast(x, tf.float32)

    def f(x):
        y = x**2 + 2*x - 5
        return y

    tf.random.set_seed(42) if hasattr(tf.random, "set_seed") else None
    y = f(x) + tf.random.normal(shape=[201])
    new_model = tf.keras.Sequential([
        tf.keras.layers.Lambda(lambda x: tf.stack([x, x**2], axis=1)),
        tf.keras.layers.Dense(units=1, kernel_initializer=tf.random.normal)])
    try:
        optimizer = tf.keras.optimizers.SGD(learning_rate=0.01)
    except AttributeError:
        pytest.skip("keras.optimizers is not available yet")
    new_model.compile(loss=tf.keras.losses.MSE, optimizer=optimizer)
    history = new_model.fit(x, y, epochs=100, batch_size=32, verbose=0)
    losses = history.history['loss']
    assert len(losses) == 100 and losses[-1] < losses[0] and losses[-1] < 1.5
    w, b = new_model.get_weights()
    np.testing.assert_allclose(w.ravel(), [2.0, 1.0], atol=0.3)
    np.testing.assert_allclose(b, [-5.0], atol=0.3)
