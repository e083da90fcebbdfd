"""Normalization layers: BatchNormalization (moving statistics) and LayerNormalization.

    bn = tf.keras.layers.BatchNormalization()
    y = bn(x, training=True)    # batch statistics; moving mean/variance move toward them
    y = bn(x)                   # inference: the moving statistics
"""
from ...ops import math_ops as _m
from ...ops import nn_ops as _nn
from ...ops import reduction_ops as _r
from ...ops import shape_ops as _s
from .. import initializers
from ._utils import dims, set_weight_options, training_flag, weight_options_config
from .layer import InputSpec, Layer


def _axes(axis, rank, who):
    axes = [axis] if isinstance(axis, int) else list(axis)
    out = []
    for a in axes:
        if not -rank <= a < rank:
            raise ValueError(f"{who}: invalid axis {a} for an input of rank {rank}")
        out.append(a % rank)
    if len(set(out)) != len(out):
        raise ValueError(f"{who}: duplicate axis in {axis}")
    return sorted(out)


def _broadcast_shape(shape, axes):
    """The shape that broadcasts a per-axes weight against an input (1 on every other axis)."""
    return [shape[i] if i in axes else 1 for i in range(len(shape))]


class BatchNormalization(Layer):
    """Normalizes with batch statistics in training and moving statistics at inference.

    moving = moving * momentum + batch * (1 - momentum) at every training call (inside tf.function too).

    >>> bn = tf.keras.layers.BatchNormalization()
    >>> bn(tf.ones([4, 3]), training=True).shape
    TensorShape([4, 3])
    """

    def __init__(self, axis=-1, momentum=0.99, epsilon=1e-3, center=True, scale=True, beta_initializer="zeros",
                 gamma_initializer="ones", moving_mean_initializer="zeros", moving_variance_initializer="ones",
                 beta_regularizer=None, gamma_regularizer=None, beta_constraint=None, gamma_constraint=None,
                 synchronized=False, **kwargs):
        kwargs.pop("fused", None)
        kwargs.pop("renorm", None)
        super().__init__(**kwargs)
        self.axis = axis if isinstance(axis, int) else list(axis)
        self.momentum = float(momentum)
        self.epsilon = float(epsilon)
        self.center, self.scale = center, scale
        self.synchronized = synchronized
        set_weight_options(self, "beta", beta_initializer, beta_regularizer, beta_constraint)
        set_weight_options(self, "gamma", gamma_initializer, gamma_regularizer, gamma_constraint)
        self.moving_mean_initializer = initializers.get(moving_mean_initializer)
        self.moving_variance_initializer = initializers.get(moving_variance_initializer)
        self.supports_masking = True

    def build(self, input_shape):
        shape = dims(input_shape)
        self._axes = _axes(self.axis, len(shape), "BatchNormalization")
        param_shape = tuple(shape[a] for a in self._axes)
        if None in param_shape:
            raise ValueError(f"BatchNormalization: axis {self.axis} of the input should have a defined dimension, "
                             f"but the layer received an input with shape {tuple(shape)}")
        self.input_spec = InputSpec(ndim=len(shape), axes={a: shape[a] for a in self._axes})
        self.gamma = self.beta = None
        if self.scale:
            self.gamma = self.add_weight(name="gamma", shape=param_shape, initializer=self.gamma_initializer,
                                         regularizer=self.gamma_regularizer, constraint=self.gamma_constraint)
        if self.center:
            self.beta = self.add_weight(name="beta", shape=param_shape, initializer=self.beta_initializer,
                                        regularizer=self.beta_regularizer, constraint=self.beta_constraint)
        self.moving_mean = self.add_weight(name="moving_mean", shape=param_shape,
                                           initializer=self.moving_mean_initializer, trainable=False)
        self.moving_variance = self.add_weight(name="moving_variance", shape=param_shape,
                                               initializer=self.moving_variance_initializer, trainable=False)

    def call(self, inputs, training=None, mask=None):
        shape = dims(inputs.shape)
        reduce_axes = [i for i in range(len(shape)) if i not in self._axes]
        bshape = _broadcast_shape(shape, self._axes)

        def weight(v):
            return None if v is None else _s.reshape(v, bshape)

        if training_flag(training) and self.trainable:
            if mask is None:
                mean, variance = _nn.moments(inputs, reduce_axes, keepdims=True)
            else:
                mean, variance = _masked_moments(inputs, mask, reduce_axes)
            flat_mean = _s.reshape(mean, self.moving_mean.shape.as_list())
            flat_var = _s.reshape(variance, self.moving_variance.shape.as_list())
            m = self.momentum
            self.moving_mean.assign(self.moving_mean * m + _m.cast(flat_mean, self.moving_mean.dtype) * (1.0 - m))
            self.moving_variance.assign(self.moving_variance * m +
                                        _m.cast(flat_var, self.moving_variance.dtype) * (1.0 - m))
        else:
            mean, variance = weight(self.moving_mean), weight(self.moving_variance)
        mean, variance = _m.cast(mean, inputs.dtype), _m.cast(variance, inputs.dtype)
        return _nn.batch_normalization(inputs, mean, variance, weight(self.beta), weight(self.gamma), self.epsilon)

    def compute_output_shape(self, input_shape):
        return tuple(dims(input_shape))

    def get_config(self):
        config = super().get_config()
        config.update({
            "axis": self.axis, "momentum": self.momentum, "epsilon": self.epsilon, "center": self.center,
            "scale": self.scale, "synchronized": self.synchronized,
            **weight_options_config(self, "beta", "gamma", "moving_mean", "moving_variance"),
        })
        return config


def _masked_moments(x, mask, axes):
    """Mean and variance over axes counting only positions where mask (batch, steps) is True."""
    weights = _m.cast(mask, x.dtype)
    while len(weights.shape) < len(x.shape):
        weights = _s.expand_dims(weights, -1)
    count = _r.reduce_sum(weights * _m.ones_like(x), axis=axes, keepdims=True)
    mean = _r.reduce_sum(x * weights, axis=axes, keepdims=True) / count
    variance = _r.reduce_sum(_m.square(x - mean) * weights, axis=axes, keepdims=True) / count
    return mean, variance


class LayerNormalization(Layer):
    """Normalizes each example over `axis` (default the last), then scales by gamma and shifts by beta.

    >>> tf.keras.layers.LayerNormalization()(tf.constant([[1., 2., 3.]]))  # mean 0, variance ~1
    """

    def __init__(self, axis=-1, epsilon=1e-3, center=True, scale=True, rms_scaling=False, beta_initializer="zeros",
                 gamma_initializer="ones", beta_regularizer=None, gamma_regularizer=None, beta_constraint=None,
                 gamma_constraint=None, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis if isinstance(axis, int) else list(axis)
        self.epsilon = float(epsilon)
        self.center, self.scale, self.rms_scaling = center, scale, rms_scaling
        set_weight_options(self, "beta", beta_initializer, beta_regularizer, beta_constraint)
        set_weight_options(self, "gamma", gamma_initializer, gamma_regularizer, gamma_constraint)
        self.supports_masking = True

    def build(self, input_shape):
        shape = dims(input_shape)
        self._axes = _axes(self.axis, len(shape), "LayerNormalization")
        param_shape = tuple(shape[a] for a in self._axes)
        if None in param_shape:
            raise ValueError(f"LayerNormalization: the normalized axes {self.axis} must have known sizes, got input "
                             f"shape {tuple(shape)}")
        self.gamma = self.beta = None
        if self.scale or self.rms_scaling:
            self.gamma = self.add_weight(name="gamma", shape=param_shape, initializer=self.gamma_initializer,
                                         regularizer=self.gamma_regularizer, constraint=self.gamma_constraint)
        if self.center and not self.rms_scaling:
            self.beta = self.add_weight(name="beta", shape=param_shape, initializer=self.beta_initializer,
                                        regularizer=self.beta_regularizer, constraint=self.beta_constraint)

    def call(self, inputs):
        shape = dims(inputs.shape)
        bshape = _broadcast_shape(shape, self._axes)
        if self.rms_scaling:
            variance = _r.reduce_mean(_m.square(inputs), axis=self._axes, keepdims=True)
            return inputs * _m.rsqrt(variance + self.epsilon) * _s.reshape(self.gamma, bshape)
        mean, variance = _nn.moments(inputs, self._axes, keepdims=True)
        gamma = None if self.gamma is None else _s.reshape(self.gamma, bshape)
        beta = None if self.beta is None else _s.reshape(self.beta, bshape)
        return _nn.batch_normalization(inputs, mean, variance, beta, gamma, self.epsilon)

    def compute_output_shape(self, input_shape):
        return tuple(dims(input_shape))

    def get_config(self):
        config = super().get_config()
        config.update({
            "axis": self.axis, "epsilon": self.epsilon, "center": self.center, "scale": self.scale,
            "rms_scaling": self.rms_scaling,
            **weight_options_config(self, "beta", "gamma"),
        })
        return config
