"""Functional API, Sequential and subclassed models vs direct computation; summary text; configs."""
import json

import numpy as np
import pytest

import webtensor as tf
from webtensor import keras

layers = keras.layers


def _dense(units, value=None, **kwargs):
    init = "ones" if value is None else keras.initializers.Constant(value)
    return layers.Dense(units, kernel_initializer=init, bias_initializer="zeros", **kwargs)


def test_input_keras_tensor():
    x = keras.Input(shape=(3,), name="feat")
    assert x.shape.as_list() == [None, 3] and x.dtype == tf.float32 and x.name == "feat"
    assert keras.Input(shape=(2,), batch_size=8, dtype="int32").shape.as_list() == [8, 2]
    with pytest.raises(ValueError, match="KerasTensor cannot be used as input to a TensorFlow function"):
        tf.exp(x)


def test_multi_input_multi_output_matches_direct():
    a = keras.Input(shape=(2,), name="a")
    b = keras.Input(shape=(3,), name="b")
    shared = _dense(4)
    h = layers.Concatenate()([shared(layers.Dense(2, kernel_initializer="ones")(a)), shared(b[:, :2] * 2.0)])
    out1 = _dense(1, name="out1")(h)
    out2 = layers.Activation("relu", name="out2")(h - 1.0)
    model = keras.Model(inputs=[a, b], outputs=[out1, out2])
    xa = np.array([[1.0, 2.0]], "float32")
    xb = np.array([[1.0, -1.0, 5.0]], "float32")
    got1, got2 = model([xa, xb])
    dense_a = xa @ np.ones((2, 2)) + 0
    ha = dense_a @ np.ones((2, 4))
    hb = (xb[:, :2] * 2.0) @ np.ones((2, 4))
    hh = np.concatenate([ha, hb], axis=1)
    np.testing.assert_allclose(got1.numpy(), hh @ np.ones((8, 1)), rtol=1e-6)
    np.testing.assert_allclose(got2.numpy(), np.maximum(hh - 1.0, 0), rtol=1e-6)
    assert model.output_names == ["out1", "out2"]
    assert [lyr.name for lyr in model.layers][:2] == ["a", "b"]
    # the shared Dense has one set of weights: 2x2+2 (first dense), 2x4+4 (shared), 8x1+1 (out1)
    assert model.count_params() == 6 + 12 + 9


def test_dict_inputs_and_nested_model():
    inner_in = keras.Input(shape=(2,))
    inner = keras.Model(inner_in, _dense(2, 2.0)(inner_in), name="inner")
    x = keras.Input(shape=(2,), name="x")
    y = keras.Input(shape=(2,), name="y")
    out = layers.Add()([inner(x), inner(y)])
    model = keras.Model({"x": x, "y": y}, out)
    vx, vy = np.ones((1, 2), "float32"), np.full((1, 2), 3.0, "float32")
    got = model({"x": vx, "y": vy}).numpy()
    want = vx @ np.full((2, 2), 2.0) + vy @ np.full((2, 2), 2.0)
    np.testing.assert_allclose(got, want)
    assert len(model.weights) == 2  # nested model's weights counted once


def test_keras_tensor_operators():
    x = keras.Input(shape=(3,))
    y = (x * 2.0 + 1.0) / 2.0 - x[:, :1]
    z = -y @ tf.ones([3, 1]).numpy()
    model = keras.Model(x, [y, z])
    v = np.array([[1.0, 2.0, 3.0]], "float32")
    gy, gz = model(v)
    want_y = (v * 2 + 1) / 2 - v[:, :1]
    np.testing.assert_allclose(gy.numpy(), want_y)
    np.testing.assert_allclose(gz.numpy(), -want_y @ np.ones((3, 1)))


def test_subclassed_model_training_flag():
    class M(keras.Model):
        def __init__(self):
            super().__init__()
            self.d1 = _dense(2)
            self.drop = layers.Dropout(0.5)
            self.d2 = _dense(1)

        def call(self, x, training=None):
            return self.d2(self.drop(self.d1(x), training=training))

    m = M()
    x = np.ones((4, 3), "float32")
    np.testing.assert_allclose(m(x).numpy(), np.full((4, 1), 6.0))
    assert m.name == "m" and len(m.trainable_weights) == 4
    assert [lyr.name.split("_")[0] for lyr in m.layers] == ["dense", "dropout", "dense"]


def test_sequential_build_paths():
    m1 = keras.Sequential([_dense(4, input_shape=(3,)), _dense(2)])
    assert m1.built and m1.output_shape == (None, 2) and len(m1.weights) == 4
    m2 = keras.Sequential()
    m2.add(keras.Input(shape=(3,)))
    m2.add(_dense(4))
    m2.add(_dense(2))
    assert m2.built and len(m2.layers) == 2
    m3 = keras.Sequential([_dense(4), _dense(2)])
    assert not m3.built
    out = m3(np.ones((5, 3), "float32"))
    assert m3.built and out.shape.as_list() == [5, 2]
    np.testing.assert_allclose(out.numpy(), np.full((5, 2), 12.0))
    popped = m3.pop()
    assert isinstance(popped, layers.Dense) and len(m3.layers) == 1
    with pytest.raises(ValueError, match="unique names"):
        keras.Sequential([_dense(1, name="same"), _dense(1, name="same")])


def test_summary_text():
    keras.backend.clear_session()
    model = keras.Sequential([keras.Input(shape=(4,)), layers.Dense(8), layers.Dense(2)])
    lines = []
    model.summary(print_fn=lines.append)
    text = "\n".join(lines)
    assert lines[0] == 'Model: "sequential"'
    assert "Layer (type)" in text and "Output Shape" in text and "Param #" in text
    assert "dense (Dense)" in text and "(None, 8)" in text and "dense_1 (Dense)" in text and "(None, 2)" in text
    assert "40" in text and "18" in text
    assert " Total params: 58 (232.00 B)" in lines
    assert " Trainable params: 58 (232.00 B)" in lines
    assert " Non-trainable params: 0 (0.00 B)" in lines
    assert all(len(line) == 88 for line in lines[1:-3])
    model.layers[0].trainable = False
    lines = []
    model.summary(print_fn=lines.append, line_length=100)
    assert " Trainable params: 18 (72.00 B)" in lines and " Non-trainable params: 40 (160.00 B)" in lines
    assert len(lines[1]) == 100


def test_functional_summary_has_connections():
    a = keras.Input(shape=(2,), name="a")
    b = keras.Input(shape=(2,), name="b")
    model = keras.Model([a, b], layers.Add(name="sum")([a, b]))
    lines = []
    model.summary(print_fn=lines.append)
    text = "\n".join(lines)
    assert "Connected to" in text and "a[0][0], b[0][0]" in text


def test_functional_config_round_trip():
    x = keras.Input(shape=(3,), name="inp")
    h = _dense(4, name="hidden", activation="relu")(x)
    out = _dense(2, name="head")(h + 1.0)
    model = keras.Model(x, out, name="net")
    config = model.get_config()
    json.dumps(config)
    clone = keras.Model.from_config(config)
    assert [lyr.name for lyr in clone.layers] == [lyr.name for lyr in model.layers]
    clone.set_weights(model.get_weights())
    v = np.random.RandomState(0).randn(2, 3).astype("float32")
    np.testing.assert_allclose(clone(v).numpy(), model(v).numpy(), rtol=1e-6)
    again = keras.models.model_from_json(model.to_json())
    assert again.name == "net" and again.count_params() == model.count_params()


def test_sequential_config_round_trip():
    model = keras.Sequential([keras.Input(shape=(3,)), _dense(4, activation="tanh"), _dense(1)], name="seq")
    clone = keras.Sequential.from_config(model.get_config())
    assert clone.built and clone.name == "seq" and len(clone.layers) == 2
    clone.set_weights(model.get_weights())
    v = np.ones((2, 3), "float32")
    np.testing.assert_allclose(clone(v).numpy(), model(v).numpy())


def test_graph_disconnected_and_bad_inputs():
    a = keras.Input(shape=(2,))
    b = keras.Input(shape=(2,))
    out = layers.Add()([a, b])
    with pytest.raises(ValueError, match="disconnected"):
        keras.Model(a, out)
    with pytest.raises(ValueError, match="KerasTensors"):
        keras.Model(a, tf.ones([1]))
