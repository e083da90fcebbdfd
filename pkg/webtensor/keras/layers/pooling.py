"""Pooling layers: max / average pooling over windows (1-D, 2-D) and global pooling (channels_last).

    tf.keras.layers.MaxPooling2D()(tf.ones([1, 4, 4, 3])).shape    # (1, 2, 2, 3)
"""
from ...ops import pool_ops as _pool
from ...ops import reduction_ops as _r
from ...ops import shape_ops as _s
from ._utils import check_data_format, dims, normalize_padding, normalize_tuple, output_length
from .layer import InputSpec, Layer


class _Pooling(Layer):
    rank = 2
    mode = "max"

    def __init__(self, pool_size=2, strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.pool_size = normalize_tuple(pool_size, self.rank, "pool_size")
        self.strides = self.pool_size if strides is None else normalize_tuple(strides, self.rank, "strides")
        self.padding = normalize_padding(padding)
        self.data_format = check_data_format(data_format, type(self).__name__)
        self.input_spec = InputSpec(ndim=self.rank + 2)

    def call(self, inputs):
        x = inputs
        if self.rank == 1:
            x = _s.expand_dims(x, 1)
        pool = _pool.max_pool2d if self.mode == "max" else _pool.avg_pool2d
        ksize = ([1] if self.rank == 1 else []) + list(self.pool_size)
        strides = ([1] if self.rank == 1 else []) + list(self.strides)
        y = pool(x, ksize=ksize, strides=strides, padding=self.padding.upper())
        return _s.squeeze(y, [1]) if self.rank == 1 else y

    def compute_output_shape(self, input_shape):
        shape = dims(input_shape)
        spatial = [output_length(n, k, self.padding, s) for n, k, s in zip(shape[1:-1], self.pool_size,
                                                                             self.strides)]
        return (shape[0],) + tuple(spatial) + (shape[-1],)

    def get_config(self):
        config = super().get_config()
        config.update(pool_size=list(self.pool_size), strides=list(self.strides), padding=self.padding,
                      data_format=self.data_format)
        return config


class MaxPooling2D(_Pooling):
    """The maximum over pool_size windows of NHWC inputs (strides default to pool_size).

    >>> tf.keras.layers.MaxPooling2D(pool_size=(2, 2))(tf.ones([1, 4, 4, 1])).shape
    TensorShape([1, 2, 2, 1])
    """
    rank, mode = 2, "max"

    def __init__(self, pool_size=(2, 2), strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(pool_size, strides, padding, data_format, **kwargs)


class AveragePooling2D(_Pooling):
    """The mean over pool_size windows of NHWC inputs ('same' padding averages only the real elements).

    >>> tf.keras.layers.AveragePooling2D()(tf.ones([1, 4, 4, 1])).shape
    TensorShape([1, 2, 2, 1])
    """
    rank, mode = 2, "avg"

    def __init__(self, pool_size=(2, 2), strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(pool_size, strides, padding, data_format, **kwargs)


class MaxPooling1D(_Pooling):
    """The maximum over windows of (batch, steps, channels) inputs. `tf.keras.layers.MaxPooling1D(2)(x)`"""
    rank, mode = 1, "max"


class AveragePooling1D(_Pooling):
    """The mean over windows of (batch, steps, channels) inputs. `tf.keras.layers.AveragePooling1D(2)(x)`"""
    rank, mode = 1, "avg"


class _GlobalPooling(Layer):
    rank = 2
    reduce = staticmethod(_r.reduce_max)

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(**kwargs)
        self.data_format = check_data_format(data_format, type(self).__name__)
        self.keepdims = keepdims
        self.input_spec = InputSpec(ndim=self.rank + 2)

    def call(self, inputs):
        return type(self).reduce(inputs, axis=list(range(1, self.rank + 1)), keepdims=self.keepdims)

    def compute_output_shape(self, input_shape):
        shape = dims(input_shape)
        if self.keepdims:
            return (shape[0],) + (1,) * self.rank + (shape[-1],)
        return (shape[0], shape[-1])

    def get_config(self):
        config = super().get_config()
        config.update(data_format=self.data_format, keepdims=self.keepdims)
        return config


class GlobalAveragePooling2D(_GlobalPooling):
    """The mean over height and width: (batch, h, w, c) -> (batch, c).

    >>> tf.keras.layers.GlobalAveragePooling2D()(tf.ones([2, 4, 4, 3])).shape
    TensorShape([2, 3])
    """
    rank = 2
    reduce = staticmethod(_r.reduce_mean)


class GlobalMaxPooling2D(_GlobalPooling):
    """The maximum over height and width: (batch, h, w, c) -> (batch, c)."""
    rank = 2
    reduce = staticmethod(_r.reduce_max)


class GlobalAveragePooling1D(_GlobalPooling):
    """The mean over steps: (batch, steps, c) -> (batch, c); masked steps are left out when a mask is given."""
    rank = 1
    reduce = staticmethod(_r.reduce_mean)
    supports_masking = True

    def call(self, inputs, mask=None):
        if mask is None:
            return super().call(inputs)
        from ...ops import math_ops as _m
        weights = _s.expand_dims(_m.cast(mask, inputs.dtype), -1)
        total = _r.reduce_sum(inputs * weights, axis=1, keepdims=self.keepdims)
        return total / _r.reduce_sum(weights, axis=1, keepdims=self.keepdims)

    def compute_mask(self, inputs, mask=None):
        return None


class GlobalMaxPooling1D(_GlobalPooling):
    """The maximum over steps: (batch, steps, c) -> (batch, c)."""
    rank = 1
    reduce = staticmethod(_r.reduce_max)


MaxPool1D, MaxPool2D, AvgPool1D, AvgPool2D = MaxPooling1D, MaxPooling2D, AveragePooling1D, AveragePooling2D
GlobalAvgPool1D, GlobalAvgPool2D = GlobalAveragePooling1D, GlobalAveragePooling2D
GlobalMaxPool1D, GlobalMaxPool2D = GlobalMaxPooling1D, GlobalMaxPooling2D
