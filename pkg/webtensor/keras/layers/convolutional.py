"""Convolution layers: Conv2D and Conv1D (channels_last; strides, 'valid'/'same' padding, dilation, groups).

    conv = tf.keras.layers.Conv2D(8, 3, padding="same", activation="relu")
    conv(tf.ones([2, 28, 28, 1])).shape   # (2, 28, 28, 8)
"""
from ...ops import array_ops as _a
from ...ops import conv_ops as _conv
from .. import activations
from ._utils import (as_float, check_data_format, dims, normalize_padding, normalize_tuple, output_length,
                     set_weight_options, weight_options_config)
from .layer import InputSpec, Layer


class _Conv(Layer):
    """Shared body of Conv1D and Conv2D (rank = number of spatial axes)."""

    rank = 2

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None, dilation_rate=1,
                 groups=1, activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        who = type(self).__name__
        if not isinstance(filters, int) or isinstance(filters, bool) or filters <= 0:
            raise ValueError(f"Invalid value for argument `filters`. Expected a strictly positive integer. Received "
                             f"filters={filters!r}")
        self.filters = filters
        self.kernel_size = normalize_tuple(kernel_size, self.rank, "kernel_size")
        self.strides = normalize_tuple(strides, self.rank, "strides")
        self.padding = normalize_padding(padding)
        self.data_format = check_data_format(data_format, who)
        self.dilation_rate = normalize_tuple(dilation_rate, self.rank, "dilation_rate")
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ValueError(f"{who}: `strides > 1` is not compatible with `dilation_rate > 1`. Received: "
                             f"strides={self.strides} and dilation_rate={self.dilation_rate}")
        if not isinstance(groups, int) or groups < 1 or filters % groups:
            raise ValueError(f"{who}: the number of filters must be evenly divisible by the number of groups. "
                             f"Received: groups={groups}, filters={filters}")
        self.groups = groups
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        set_weight_options(self, "kernel", kernel_initializer, kernel_regularizer, kernel_constraint)
        set_weight_options(self, "bias", bias_initializer, bias_regularizer, bias_constraint)
        self.input_spec = InputSpec(min_ndim=self.rank + 2)

    def build(self, input_shape):
        shape = dims(input_shape)
        channels = shape[-1]
        if channels is None:
            raise ValueError(f"{type(self).__name__}: the channel dimension of the inputs (the last axis) must be "
                             f"defined, got input shape {tuple(shape)}")
        if channels % self.groups:
            raise ValueError(f"{type(self).__name__}: the number of input channels must be evenly divisible by the "
                             f"number of groups. Received groups={self.groups}, but the input has {channels} "
                             f"channels (full input shape is {tuple(shape)}).")
        self.input_spec = InputSpec(min_ndim=self.rank + 2, axes={-1: channels})
        kernel_shape = self.kernel_size + (channels // self.groups, self.filters)
        self.kernel = self.add_weight(name="kernel", shape=kernel_shape, initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer, constraint=self.kernel_constraint)
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(name="bias", shape=(self.filters,), initializer=self.bias_initializer,
                                        regularizer=self.bias_regularizer, constraint=self.bias_constraint)

    def _convolve(self, x, w):
        raise NotImplementedError

    def call(self, inputs):
        x = as_float(inputs, self.kernel.dtype)
        if len(x.shape) != self.rank + 2:
            raise ValueError(f"Input 0 of layer \"{self.name}\" is incompatible with the layer: expected ndim="
                             f"{self.rank + 2}, found ndim={len(x.shape)}. Full shape received: "
                             f"{tuple(dims(x.shape))}")
        if self.groups == 1:
            y = self._convolve(x, self.kernel)
        else:
            xs = _a.split(x, self.groups, axis=-1)
            ws = _a.split(self.kernel, self.groups, axis=-1)
            y = _a.concat([self._convolve(xi, wi) for xi, wi in zip(xs, ws)], axis=-1)
        if self.bias is not None:
            y = y + self.bias
        return self.activation(y)

    def compute_output_shape(self, input_shape):
        shape = dims(input_shape)
        spatial = [output_length(n, k, self.padding, s, d) for n, k, s, d in
                   zip(shape[1:-1], self.kernel_size, self.strides, self.dilation_rate)]
        return (shape[0],) + tuple(spatial) + (self.filters,)

    def get_config(self):
        config = super().get_config()
        config.update({
            "filters": self.filters,
            "kernel_size": list(self.kernel_size),
            "strides": list(self.strides),
            "padding": self.padding,
            "data_format": self.data_format,
            "dilation_rate": list(self.dilation_rate),
            "groups": self.groups,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            **weight_options_config(self, "kernel", "bias"),
        })
        return config


class Conv2D(_Conv):
    """2-D convolution over NHWC inputs with an HWIO kernel (kernel_size + (in_channels / groups, filters)).

    >>> tf.keras.layers.Conv2D(4, (3, 3), strides=2, padding="same")(tf.ones([1, 8, 8, 3])).shape
    TensorShape([1, 4, 4, 4])
    """

    rank = 2

    def _convolve(self, x, w):
        return _conv.conv2d(x, w, strides=list(self.strides), padding=self.padding.upper(),
                            dilations=list(self.dilation_rate))


class Conv1D(_Conv):
    """1-D convolution over (batch, steps, channels) inputs. `tf.keras.layers.Conv1D(4, 3)(tf.ones([2, 10, 3]))`"""

    rank = 1

    def __init__(self, filters, kernel_size, strides=1, padding="valid", **kwargs):
        if str(padding).lower() == "causal":
            raise ValueError("Conv1D: padding='causal' is not supported by webtensor yet; use 'valid' or 'same' "
                             "(or pad the left side with tf.pad)")
        super().__init__(filters, kernel_size, strides=strides, padding=padding, **kwargs)

    def _convolve(self, x, w):
        return _conv.conv1d(x, w, stride=self.strides[0], padding=self.padding.upper(),
                            dilations=self.dilation_rate[0])


Convolution1D, Convolution2D = Conv1D, Conv2D
