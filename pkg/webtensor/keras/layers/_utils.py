"""Helpers shared by the layer families: argument normalization and static shape arithmetic."""
from ... import dtypes
from ...core.tensor import convert_to_tensor
from ...ops import math_ops as _m
from .. import constraints, initializers, regularizers


def dims(shape):
    """A shape (TensorShape, tuple, list) as a list of ints and Nones."""
    if shape is None:
        return None
    if hasattr(shape, "as_list"):
        return None if shape.rank is None else shape.as_list()
    return [None if d is None else int(d) for d in shape]


def shape_list(shapes):
    """A list of input shapes (for layers called on a list of tensors) as lists of dims."""
    if hasattr(shapes, "as_list") or (isinstance(shapes, (list, tuple)) and shapes and
                                      not isinstance(shapes[0], (list, tuple)) and
                                      not hasattr(shapes[0], "as_list")):
        raise ValueError(f"expected a list of input shapes, got a single shape {shapes}")
    return [dims(s) for s in shapes]


def normalize_tuple(value, n, name, allow_zero=False):
    """An int or an iterable of n ints as a tuple of n ints (Keras's argument normalization)."""
    if isinstance(value, int) and not isinstance(value, bool):
        values = (value,) * n
    else:
        try:
            values = tuple(int(v) for v in value)
        except (TypeError, ValueError):
            raise ValueError(f"The `{name}` argument must be a tuple of {n} integers. Received {name}={value!r}")
        if len(values) != n:
            raise ValueError(f"The `{name}` argument must be a tuple of {n} integers. Received {name}={value!r}")
    low = 0 if allow_zero else 1
    if any(v < low for v in values):
        raise ValueError(f"The `{name}` argument must be a tuple of {n} integers >= {low}. Received {name}={value!r}")
    return values


def normalize_padding(padding, allowed=("valid", "same")):
    value = str(padding).lower()
    if value not in allowed:
        raise ValueError(f"The `padding` argument must be one of {list(allowed)}. Received padding={padding!r}")
    return value


def check_data_format(data_format, layer):
    """channels_last is the layout webtensor's spatial layers run on; channels_first raises."""
    from .. import backend
    value = backend.image_data_format() if data_format is None else data_format
    if value not in ("channels_last", "channels_first"):
        raise ValueError(f"The `data_format` argument must be one of 'channels_first', 'channels_last'. "
                         f"Received data_format={data_format!r}")
    if value == "channels_first":
        raise ValueError(f"{layer}: data_format='channels_first' is not supported by webtensor's spatial layers; "
                         f"use 'channels_last' (NHWC inputs), transposing with tf.transpose if needed")
    return value


def output_length(length, window, padding, stride, dilation=1):
    """Length of a conv/pool output along one axis (None stays None)."""
    if length is None:
        return None
    span = (window - 1) * dilation + 1
    if padding == "same":
        return (length + stride - 1) // stride
    return max(0, (length - span) // stride + 1)


def check_rank(layer, x_shape, expected, what="input"):
    """Raises Keras's ValueError when an input's rank is not the expected one (an int or a minimum)."""
    rank = len(x_shape)
    if isinstance(expected, int) and rank != expected:
        raise ValueError(f"Input 0 of layer \"{layer.name}\" is incompatible with the layer: expected ndim="
                         f"{expected}, found ndim={rank}. Full shape received: {tuple(x_shape)}")
    if isinstance(expected, tuple) and rank < expected[0]:
        raise ValueError(f"Input 0 of layer \"{layer.name}\" is incompatible with the layer: expected min_ndim="
                         f"{expected[0]}, found ndim={rank}. Full shape received: {tuple(x_shape)}")


def as_float(x, dtype):
    """x as a tensor of the layer's float dtype (Keras casts inputs to the compute dtype)."""
    x = convert_to_tensor(x)
    dtype = dtypes.as_dtype(dtype)
    if x.dtype != dtype:
        x = _m.cast(x, dtype)
    return x


def training_flag(training):
    """A Python bool for `training` (None and symbolic values are read as False / True as given)."""
    if training is None:
        return False
    if hasattr(training, "numpy"):
        return bool(training.numpy())
    return bool(training)


_WEIGHT_OPTIONS = (("initializer", initializers), ("regularizer", regularizers), ("constraint", constraints))


def set_weight_options(layer, weight, initializer, regularizer=None, constraint=None):
    """Sets layer.<weight>_initializer, _regularizer and _constraint from Keras identifiers (names, configs,
    objects or callables), as the layers' constructors take them."""
    setattr(layer, f"{weight}_initializer", initializers.get(initializer))
    setattr(layer, f"{weight}_regularizer", regularizers.get(regularizer))
    setattr(layer, f"{weight}_constraint", constraints.get(constraint))


def weight_options_config(layer, *weights):
    """The serialized options of the named weights in Keras's config order (every initializer, then every
    regularizer, then every constraint); an option a layer does not have is left out."""
    config = {}
    for option, module in _WEIGHT_OPTIONS:
        for weight in weights:
            key = f"{weight}_{option}"
            if hasattr(layer, key):
                config[key] = module.serialize(getattr(layer, key))
    return config
