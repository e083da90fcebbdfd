"""tf.compat.v1.layers: TF1 layer classes and their function shortcuts, built on webtensor.keras.layers.

In a compat.v1 graph the layers' weights join the graph's variable collections
when the layer first reads them, so `global_variables_initializer()` covers them.

    x = tf.compat.v1.placeholder(tf.float32, shape=[None, 3])
    y = tf.compat.v1.layers.dense(x, units=1)
"""
from ...keras import layers as _k


def _tf1_defaults(kwargs):
    """TF1 passes None for 'the default initializer'; Keras wants the argument left out."""
    for key in ("kernel_initializer", "bias_initializer"):
        if key in kwargs and kwargs[key] is None:
            kwargs.pop(key)
    kwargs.pop("reuse", None)
    return kwargs


class Dense(_k.Dense):
    """A densely connected layer: activation(inputs @ kernel + bias).

    >>> linear_model = tf.compat.v1.layers.Dense(units=1)
    >>> y = linear_model(x)
    """

    def __init__(self, units, activation=None, use_bias=True, **kwargs):
        super().__init__(units, activation=activation, use_bias=use_bias, **_tf1_defaults(kwargs))


class Conv2D(_k.Conv2D):
    """A 2-D convolution layer (TF1 `tf.layers.Conv2D`)."""

    def __init__(self, filters, kernel_size, **kwargs):
        super().__init__(filters, kernel_size, **_tf1_defaults(kwargs))


class Flatten(_k.Flatten):
    """Flattens each example to a vector."""


class Dropout(_k.Dropout):
    """Dropout, active only when called with training=True (TF1's default is training=False)."""

    def call(self, inputs, training=False):
        return super().call(inputs, training=training)


class MaxPooling2D(_k.MaxPooling2D):
    """2-D max pooling."""

    def __init__(self, pool_size, strides, padding="valid", data_format="channels_last", name=None, **kwargs):
        super().__init__(pool_size=pool_size, strides=strides, padding=padding, data_format=data_format, name=name,
                         **kwargs)


class AveragePooling2D(_k.AveragePooling2D):
    """2-D average pooling."""

    def __init__(self, pool_size, strides, padding="valid", data_format="channels_last", name=None, **kwargs):
        super().__init__(pool_size=pool_size, strides=strides, padding=padding, data_format=data_format, name=name,
                         **kwargs)


BatchNormalization = _k.BatchNormalization
Layer = _k.Layer
InputSpec = getattr(_k, "InputSpec", None)


def dense(inputs, units, activation=None, use_bias=True, kernel_initializer=None, bias_initializer="zeros",
          kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
          bias_constraint=None, trainable=True, name=None, reuse=None):
    """Creates a Dense layer and applies it to `inputs` in one call.

    >>> y = tf.compat.v1.layers.dense(x, units=1)
    """
    layer = Dense(units, activation=activation, use_bias=use_bias, kernel_initializer=kernel_initializer,
                  bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
                  bias_regularizer=bias_regularizer, activity_regularizer=activity_regularizer,
                  kernel_constraint=kernel_constraint, bias_constraint=bias_constraint, trainable=trainable,
                  name=name)
    return layer(inputs)


def conv2d(inputs, filters, kernel_size, strides=(1, 1), padding="valid", activation=None, use_bias=True,
           kernel_initializer=None, bias_initializer="zeros", trainable=True, name=None, reuse=None, **kwargs):
    """Creates a Conv2D layer and applies it to `inputs`."""
    return Conv2D(filters, kernel_size, strides=strides, padding=padding, activation=activation, use_bias=use_bias,
                  kernel_initializer=kernel_initializer, bias_initializer=bias_initializer, trainable=trainable,
                  name=name, **kwargs)(inputs)


def flatten(inputs, name=None, data_format="channels_last"):
    """Flattens each example of `inputs` to a vector."""
    return Flatten(name=name)(inputs)


def dropout(inputs, rate=0.5, noise_shape=None, seed=None, training=False, name=None):
    """Dropout applied only when training is True."""
    return Dropout(rate, noise_shape=noise_shape, seed=seed, name=name)(inputs, training=training)


def max_pooling2d(inputs, pool_size, strides, padding="valid", data_format="channels_last", name=None):
    """2-D max pooling of `inputs`."""
    return MaxPooling2D(pool_size, strides, padding=padding, data_format=data_format, name=name)(inputs)


def average_pooling2d(inputs, pool_size, strides, padding="valid", data_format="channels_last", name=None):
    """2-D average pooling of `inputs`."""
    return AveragePooling2D(pool_size, strides, padding=padding, data_format=data_format, name=name)(inputs)
