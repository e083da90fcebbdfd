"""Keras Layer base: build on first call, weight order, trainable, losses, training flag, config, names."""
import numpy as np
import pytest

import webtensor as tf
from webtensor.keras import backend
from webtensor.keras.layers.layer import InputSpec, Layer


class Linear(Layer):
    def __init__(self, units=3, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.input_spec = InputSpec(min_ndim=2)

    def build(self, input_shape):
        self.w = self.add_weight(name="kernel", shape=(input_shape[-1], self.units), initializer="ones")
        self.b = self.add_weight(name="bias", shape=(self.units,), initializer="zeros")
        self.count = self.add_weight(name="count", shape=(), initializer="zeros", trainable=False)

    def call(self, inputs, training=None):
        return tf.matmul(inputs, self.w) + self.b

    def get_config(self):
        return {**super().get_config(), "units": self.units}


class Block(Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.first = Linear(4)
        self.rest = [Linear(2)]
        self.seen_training = []

    def call(self, inputs, training=None):
        self.seen_training.append(training)
        return self.rest[0](self.first(inputs))


class TrainingProbe(Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.seen = []

    def call(self, inputs, training=None):
        self.seen.append(training)
        return inputs


def test_build_on_first_call_and_values():
    layer = Linear(3)
    assert not layer.built and layer.weights == []
    x = np.arange(8, dtype="float64").reshape(2, 4)
    out = layer(x)
    assert layer.built
    assert out.dtype == tf.float32  # numpy float64 inputs are cast to the layer's dtype
    np.testing.assert_allclose(out.numpy(), x @ np.ones((4, 3)))
    assert [tuple(w.shape.as_list()) for w in layer.weights] == [(4, 3), (3,), ()]
    assert layer.count_params() == 4 * 3 + 3 + 1


def test_weights_order_and_trainable_freezing():
    block = Block()
    block(tf.ones([1, 5]))
    names = [w.name for w in block.weights]
    # trainable weights first within a layer, then sublayers in assignment order
    assert len(block.weights) == 6
    assert [tuple(w.shape.as_list()) for w in block.weights] == [(5, 4), (4,), (), (4, 2), (2,), ()]
    assert len(block.trainable_weights) == 4 and len(block.non_trainable_weights) == 2
    block.trainable = False
    assert block.trainable_weights == [] and len(block.non_trainable_weights) == 6
    assert not block.first.trainable
    assert [w.name for w in block.weights] == names  # order is stable when frozen
    block.first.trainable = True
    assert len(block.trainable_weights) == 0  # the outer layer is still frozen
    assert len(block.first.trainable_weights) == 2


def test_get_set_weights_round_trip():
    a, b = Linear(2), Linear(2)
    a(tf.ones([1, 3]))
    b(tf.ones([1, 3]))
    new = [np.full(w.shape, i + 1.0, dtype="float32") for i, w in enumerate(a.get_weights())]
    a.set_weights(new)
    b.set_weights(a.get_weights())
    for got, want in zip(b.get_weights(), new):
        np.testing.assert_array_equal(got, want)
    with pytest.raises(ValueError, match="expecting 3 weights"):
        a.set_weights(new[:1])


def test_add_loss_and_regularizers():
    class Reg(Layer):
        def build(self, input_shape):
            self.w = self.add_weight(shape=(2,), initializer="ones", regularizer=lambda w: 0.5 * tf.reduce_sum(w))

        def call(self, x):
            self.add_loss(tf.reduce_sum(x))
            return x * self.w

    layer = Reg()
    layer(tf.constant([[1.0, 2.0]]))
    assert sorted(float(v) for v in layer.losses) == [1.0, 3.0]
    layer(tf.constant([[1.0, 1.0]]))  # losses from add_loss are replaced on each call
    assert sorted(float(v) for v in layer.losses) == [1.0, 2.0]
    layer.w.assign([2.0, 2.0])  # regularization losses are recomputed
    assert sorted(float(v) for v in layer.losses) == [2.0, 2.0]


def test_activity_regularizer():
    layer = Linear(1, activity_regularizer=lambda y: tf.reduce_sum(y * y))
    layer(tf.ones([2, 2]))
    assert [float(v) for v in layer.losses] == [8.0]


def test_training_flag_propagates():
    probe = TrainingProbe()

    class Outer(Layer):
        def __init__(self):
            super().__init__()
            self.probe = probe

        def call(self, x, training=None):
            return self.probe(x)

    outer = Outer()
    outer(tf.ones([1]), training=True)
    outer(tf.ones([1]), training=False)
    outer(tf.ones([1]))
    with backend.training_phase(True):
        outer(tf.ones([1]))
    assert probe.seen == [True, False, None, True]


def test_training_flag_in_tf_function():
    probe = TrainingProbe()
    f = tf.function(lambda x: probe(x, training=True))
    f(tf.ones([2]))
    assert probe.seen == [True]


def test_config_round_trip_and_names():
    backend.clear_session()
    a, b = Linear(5), Linear(5)
    assert (a.name, b.name) == ("linear", "linear_1")
    c = Linear.from_config(a.get_config())
    assert c.units == 5 and c.name == "linear" and c.trainable
    backend.clear_session()
    assert Linear().name == "linear"
    assert backend.to_snake_case("Conv2D") == "conv2d"
    assert backend.to_snake_case("BatchNormalization") == "batch_normalization"


def test_unknown_kwargs_and_wrong_rank():
    with pytest.raises(TypeError, match="bogus"):
        Linear(3, bogus=1)
    layer = Linear(3)
    with pytest.raises(ValueError, match="expected min_ndim=2, found ndim=1"):
        layer(tf.ones([3]))
    with pytest.raises(RuntimeError, match="super"):
        class Broken(Layer):
            def __init__(self):
                pass
        Broken()(tf.ones([1]))


def test_input_shape_kwargs():
    layer = Linear(2, input_shape=(4,))
    assert layer._batch_input_shape == (None, 4)
    assert Linear(2, input_dim=3, batch_size=8)._batch_input_shape == (8, 3)


def test_compute_output_shape_by_tracing():
    assert Linear(7).compute_output_shape((None, 3)) == (None, 7)


def test_weights_created_inside_tf_function_are_eager_variables():
    layer = Linear(2)
    f = tf.function(lambda x: layer(x))
    out = f(tf.ones([3, 2]))
    np.testing.assert_allclose(out.numpy(), np.full((3, 2), 2.0))
    assert layer.weights[0].numpy().shape == (2, 2)
