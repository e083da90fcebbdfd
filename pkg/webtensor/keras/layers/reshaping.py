"""Spatial reshaping layers (channels_last): ZeroPadding1D/2D, Cropping1D/2D, UpSampling1D/2D.

    tf.keras.layers.ZeroPadding2D(1)(tf.ones([1, 4, 4, 3])).shape    # (1, 6, 6, 3)
"""
from ...ops import array_ops as _a
from ...ops import shape_ops as _s
from ._utils import check_data_format, dims
from .layer import InputSpec, Layer


def _pairs(value, n, name):
    """Keras's padding/cropping argument: int, n ints (symmetric) or n pairs, as n (before, after) pairs."""
    if isinstance(value, int):
        return ((value, value),) * n
    value = tuple(value)
    if len(value) != n:
        raise ValueError(f"`{name}` should have {n} elements. Received: {name}={value!r}")
    out = []
    for v in value:
        if isinstance(v, int):
            out.append((v, v))
        else:
            v = tuple(int(x) for x in v)
            if len(v) != 2:
                raise ValueError(f"`{name}` entries should be ints or pairs of ints. Received: {name}={value!r}")
            out.append(v)
    if any(p < 0 for pair in out for p in pair):
        raise ValueError(f"`{name}` cannot be negative. Received: {name}={value!r}")
    return tuple(out)


class _Spatial(Layer):
    rank = 2

    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = check_data_format(data_format, type(self).__name__)
        self.input_spec = InputSpec(ndim=self.rank + 2)

    def get_config(self):
        config = super().get_config()
        if self.rank == 2:
            config["data_format"] = self.data_format
        return config


class ZeroPadding2D(_Spatial):
    """Pads height and width with zeros. `tf.keras.layers.ZeroPadding2D(((1, 0), (2, 2)))(x)`"""
    rank = 2

    def __init__(self, padding=(1, 1), data_format=None, **kwargs):
        super().__init__(data_format, **kwargs)
        self.padding = _pairs(padding, self.rank, "padding")

    def call(self, inputs):
        return _a.pad(inputs, [[0, 0]] + [list(p) for p in self.padding] + [[0, 0]])

    def compute_output_shape(self, input_shape):
        shape = dims(input_shape)
        spatial = [None if n is None else n + a + b for n, (a, b) in zip(shape[1:-1], self.padding)]
        return (shape[0],) + tuple(spatial) + (shape[-1],)

    def get_config(self):
        config = super().get_config()
        config["padding"] = [list(p) for p in self.padding]
        return config


class ZeroPadding1D(ZeroPadding2D):
    """Pads the steps axis of (batch, steps, channels) with zeros. `tf.keras.layers.ZeroPadding1D(2)(x)`"""
    rank = 1

    def __init__(self, padding=1, **kwargs):
        super().__init__(padding=[padding] if isinstance(padding, int) else [padding], **kwargs)

    def get_config(self):
        config = super().get_config()
        config["padding"] = list(self.padding[0])
        return config


class Cropping2D(_Spatial):
    """Removes rows and columns at the borders. `tf.keras.layers.Cropping2D(((1, 1), (2, 2)))(x)`"""
    rank = 2

    def __init__(self, cropping=((0, 0), (0, 0)), data_format=None, **kwargs):
        super().__init__(data_format, **kwargs)
        self.cropping = _pairs(cropping, self.rank, "cropping")

    def call(self, inputs):
        shape = dims(inputs.shape)
        index = [slice(None)]
        for n, (a, b) in zip(shape[1:-1], self.cropping):
            if n is not None and a + b >= n:
                raise ValueError(f"{type(self).__name__}: cropping {self.cropping} removes every element of an axis "
                                 f"of length {n} (input shape {tuple(shape)})")
            index.append(slice(a, -b if b else None))
        return inputs[tuple(index + [slice(None)])]

    def compute_output_shape(self, input_shape):
        shape = dims(input_shape)
        spatial = [None if n is None else n - a - b for n, (a, b) in zip(shape[1:-1], self.cropping)]
        return (shape[0],) + tuple(spatial) + (shape[-1],)

    def get_config(self):
        config = super().get_config()
        config["cropping"] = [list(p) for p in self.cropping]
        return config


class Cropping1D(Cropping2D):
    """Removes steps at both ends of (batch, steps, channels). `tf.keras.layers.Cropping1D((1, 2))(x)`"""
    rank = 1

    def __init__(self, cropping=(1, 1), **kwargs):
        super().__init__(cropping=[cropping], **kwargs)

    def get_config(self):
        config = super().get_config()
        config["cropping"] = list(self.cropping[0])
        return config


class UpSampling2D(_Spatial):
    """Repeats rows and columns size times (nearest neighbour). `tf.keras.layers.UpSampling2D(2)(x)`"""
    rank = 2

    def __init__(self, size=(2, 2), data_format=None, interpolation="nearest", **kwargs):
        super().__init__(data_format, **kwargs)
        from ._utils import normalize_tuple
        self.size = normalize_tuple(size, self.rank, "size")
        if interpolation != "nearest":
            raise ValueError(f"UpSampling2D: interpolation={interpolation!r} is not supported by webtensor yet; use "
                             f"'nearest'")
        self.interpolation = interpolation

    def call(self, inputs):
        shape = dims(inputs.shape)
        if None in shape[1:]:
            raise ValueError(f"{type(self).__name__}: the non-batch dimensions must be known, got {tuple(shape)}")
        x = inputs
        for axis, k in enumerate(self.size, start=1):
            if k == 1:
                continue
            # repeat each element k times along axis: insert a new axis after it, tile, merge the two
            x = _s.expand_dims(x, axis + 1)
            multiples = [1] * len(dims(x.shape))
            multiples[axis + 1] = k
            x = _a.tile(x, multiples)
            cur = dims(x.shape)
            x = _s.reshape(x, [-1] + cur[1:axis] + [cur[axis] * k] + cur[axis + 2:])
        return x

    def compute_output_shape(self, input_shape):
        shape = dims(input_shape)
        spatial = [None if n is None else n * k for n, k in zip(shape[1:-1], self.size)]
        return (shape[0],) + tuple(spatial) + (shape[-1],)

    def get_config(self):
        config = super().get_config()
        config.update(size=list(self.size), interpolation=self.interpolation)
        return config


class UpSampling1D(UpSampling2D):
    """Repeats each step size times. `tf.keras.layers.UpSampling1D(2)(tf.ones([1, 3, 4]))`"""
    rank = 1

    def __init__(self, size=2, **kwargs):
        super().__init__(size=size, **kwargs)

    def get_config(self):
        config = super().get_config()
        config["size"] = self.size[0]
        config.pop("interpolation", None)
        return config
