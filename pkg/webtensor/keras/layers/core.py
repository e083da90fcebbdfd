"""Core layers: Dense, Activation, Lambda, Flatten, Reshape, Dropout, RepeatVector, Permute.

    model = tf.keras.Sequential([tf.keras.layers.Flatten(), tf.keras.layers.Dense(10, activation="relu")])
"""
import inspect

import numpy as np

from ...ops import linalg_ops as _linalg
from ...ops import math_ops as _m
from ...ops import nn_ops as _nn
from ...ops import shape_ops as _s
from .. import activations, initializers
from ._utils import as_float, check_rank, dims, set_weight_options, training_flag, weight_options_config
from .layer import InputSpec, Layer


def layer_dtype(layer):
    """The dtype a layer computes in (its compute dtype, else its dtype, else float32)."""
    dtype = getattr(layer, "compute_dtype", None) or getattr(layer, "dtype", None) or "float32"
    return getattr(dtype, "name", dtype)


class Dense(Layer):
    """A densely connected layer: activation(inputs @ kernel + bias), over the last axis of any rank >= 2.

    >>> layer = tf.keras.layers.Dense(3, activation="relu")
    >>> layer(tf.ones([4, 2])).shape
    TensorShape([4, 3])
    """

    def __init__(self, units, activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        if not isinstance(units, (int, np.integer)) or isinstance(units, bool) or units <= 0:
            raise ValueError(f"Received an invalid value for `units`, expected a positive integer. Received: "
                             f"units={units!r}")
        self.units = int(units)
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        set_weight_options(self, "kernel", kernel_initializer, kernel_regularizer, kernel_constraint)
        set_weight_options(self, "bias", bias_initializer, bias_regularizer, bias_constraint)
        self.input_spec = InputSpec(min_ndim=2)

    def build(self, input_shape):
        shape = dims(input_shape)
        check_rank(self, shape, (2,))
        if shape[-1] is None:
            raise ValueError(f"The last dimension of the inputs to a Dense layer should be defined. Found None. "
                             f"Full input shape received: {tuple(shape)}")
        self.input_spec = InputSpec(min_ndim=2, axes={-1: shape[-1]})
        self.kernel = self.add_weight(name="kernel", shape=(shape[-1], self.units),
                                      initializer=self.kernel_initializer, regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(name="bias", shape=(self.units,), initializer=self.bias_initializer,
                                        regularizer=self.bias_regularizer, constraint=self.bias_constraint)

    def call(self, inputs):
        x = as_float(inputs, self.kernel.dtype)
        y = _linalg.matmul(x, self.kernel)  # rank > 2 broadcasts the kernel over the leading axes
        if self.bias is not None:
            y = y + self.bias
        return self.activation(y)

    def compute_output_shape(self, input_shape):
        return tuple(dims(input_shape)[:-1]) + (self.units,)

    def get_config(self):
        config = super().get_config()
        config.update({
            "units": self.units,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            **weight_options_config(self, "kernel", "bias"),
        })
        return config


class Activation(Layer):
    """Applies an activation function. `tf.keras.layers.Activation("relu")(x)`"""

    def __init__(self, activation, **kwargs):
        super().__init__(**kwargs)
        self.activation = activations.get(activation)

    def call(self, inputs):
        return self.activation(inputs)

    def compute_output_shape(self, input_shape):
        return tuple(dims(input_shape))

    def get_config(self):
        config = super().get_config()
        config["activation"] = activations.serialize(self.activation)
        return config


class Lambda(Layer):
    """Wraps a function of tensors as a layer (its config cannot hold code: see from_config).

    >>> tf.keras.layers.Lambda(lambda x: tf.stack([x, x ** 2], axis=1))(tf.constant([1., 2.])).shape
    TensorShape([2, 2])
    """

    def __init__(self, function, output_shape=None, mask=None, arguments=None, **kwargs):
        super().__init__(**kwargs)
        if not callable(function):
            raise ValueError(f"Lambda: `function` must be callable, got {function!r}")
        self.function = function
        self.arguments = dict(arguments or {})
        self._output_shape = output_shape
        self.mask = mask
        params = inspect.signature(function).parameters if _has_signature(function) else {}
        self._fn_takes_mask = "mask" in params
        self._fn_takes_training = "training" in params

    def call(self, inputs, mask=None, training=None):
        kwargs = dict(self.arguments)
        if self._fn_takes_mask:
            kwargs["mask"] = mask
        if self._fn_takes_training:
            kwargs["training"] = training
        return self.function(inputs, **kwargs)

    def compute_mask(self, inputs, mask=None):
        if callable(self.mask):
            return self.mask(inputs, mask)
        return self.mask if self.mask is not None else mask

    def compute_output_shape(self, input_shape):
        if self._output_shape is None:
            raise NotImplementedError("Lambda: pass `output_shape` to know the output shape without running the "
                                      "function")
        if callable(self._output_shape):
            return self._output_shape(input_shape)
        shape = tuple(self._output_shape)
        batch = dims(input_shape)[0] if input_shape is not None and dims(input_shape) else None
        return (batch,) + shape

    def get_config(self):
        config = super().get_config()
        config["function"] = _function_config(self.function)
        if self._output_shape is not None and not callable(self._output_shape):
            config["output_shape"] = list(self._output_shape)
        config["arguments"] = self.arguments
        return config

    @classmethod
    def from_config(cls, config):
        """Rebuilds a Lambda; a function saved as source text is not executed (pass `function` yourself)."""
        config = dict(config)
        fn = config.get("function")
        if isinstance(fn, dict):
            if fn.get("class_name") == "function":
                fn = initializers.deserialize_function(fn, "Lambda")
            else:
                raise ValueError(
                    "Lambda.from_config: this Lambda layer wraps a Python lambda whose code was saved as text "
                    f"({fn.get('config', {}).get('source', '?')!r}); webtensor never executes code from a saved "
                    "config. Rebuild the layer with the function, e.g. "
                    "Lambda.from_config({**config, 'function': my_function}).")
        config["function"] = fn
        return cls(**config)


def _has_signature(fn):
    try:
        inspect.signature(fn)
        return True
    except (TypeError, ValueError):
        return False


def _function_config(fn):
    name = getattr(fn, "__name__", None)
    module = getattr(fn, "__module__", None) or ""
    if name and name != "<lambda>" and (module == "webtensor" or module.startswith("webtensor.")):
        return initializers.serialize_function(fn, "Lambda function")
    try:
        source = inspect.getsource(fn).strip()
    except (OSError, TypeError):
        source = repr(fn)
    return {"class_name": "__lambda__", "config": {"source": source, "name": name}}


class Flatten(Layer):
    """Flattens every axis but the batch axis. `tf.keras.layers.Flatten()(tf.ones([2, 3, 4])).shape == (2, 12)`"""

    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = data_format

    def call(self, inputs):
        shape = dims(inputs.shape)
        if len(shape) == 1:
            return _s.expand_dims(inputs, 1)
        rest = shape[1:]
        if None in rest:
            raise ValueError(f"Flatten: the non-batch dimensions of the input must be known, got shape "
                             f"{tuple(shape)}")
        return _s.reshape(inputs, [-1, int(np.prod(rest))])

    def compute_output_shape(self, input_shape):
        shape = dims(input_shape)
        rest = shape[1:]
        return (shape[0], None if None in rest else int(np.prod(rest)))

    def get_config(self):
        config = super().get_config()
        config["data_format"] = self.data_format
        return config


class Reshape(Layer):
    """Reshapes the non-batch axes to target_shape (one entry may be -1).

    >>> tf.keras.layers.Reshape((3, -1))(tf.ones([2, 12])).shape
    TensorShape([2, 3, 4])
    """

    def __init__(self, target_shape, **kwargs):
        super().__init__(**kwargs)
        self.target_shape = tuple(int(d) for d in target_shape)
        if sum(d == -1 for d in self.target_shape) > 1:
            raise ValueError(f"Reshape: there can be at most one unknown (-1) dimension in target_shape, got "
                             f"{self.target_shape}")

    def _resolved(self, input_shape):
        rest = dims(input_shape)[1:]
        target = list(self.target_shape)
        if -1 not in target:
            known = None if None in rest else int(np.prod(rest))
            if known is not None and known != int(np.prod(target)):
                raise ValueError(f"Reshape: the total size of the input {known} (shape {tuple(rest)}) does not "
                                 f"match the target shape {self.target_shape}")
            return target
        if None in rest:
            raise ValueError(f"Reshape: cannot infer the -1 in {self.target_shape} from the input shape "
                             f"{tuple(dims(input_shape))} with unknown dimensions")
        total = int(np.prod(rest))
        known = int(np.prod([d for d in target if d != -1]))
        if known == 0 or total % known:
            raise ValueError(f"Reshape: the total size of the input {total} (shape {tuple(rest)}) is not divisible "
                             f"by the known dimensions of the target shape {self.target_shape}")
        return [total // known if d == -1 else d for d in target]

    def call(self, inputs):
        return _s.reshape(inputs, [-1] + self._resolved(inputs.shape))

    def compute_output_shape(self, input_shape):
        return (dims(input_shape)[0],) + tuple(self._resolved(input_shape))

    def get_config(self):
        config = super().get_config()
        config["target_shape"] = list(self.target_shape)
        return config


class Dropout(Layer):
    """In training, zeroes inputs with probability rate and scales the rest by 1 / (1 - rate).

    >>> tf.keras.layers.Dropout(0.5, seed=1)(tf.ones([2, 4]), training=True)  # 0s and 2s
    """

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        if not 0 <= rate <= 1:
            raise ValueError(f"Invalid value received for argument `rate`. Expected a float value between 0 and 1. "
                             f"Received: rate={rate}")
        self.rate = rate
        self.noise_shape = None if noise_shape is None else tuple(noise_shape)
        self.seed = seed

    def call(self, inputs, training=None):
        if not training_flag(training) or self.rate == 0:
            return inputs
        if self.rate == 1:
            return _m.zeros_like(inputs)
        noise_shape = None if self.noise_shape is None else list(self.noise_shape)
        return _nn.dropout(inputs, rate=self.rate, noise_shape=noise_shape, seed=self.seed)

    def compute_output_shape(self, input_shape):
        return tuple(dims(input_shape))

    def get_config(self):
        config = super().get_config()
        config.update(rate=self.rate, noise_shape=None if self.noise_shape is None else list(self.noise_shape),
                      seed=self.seed)
        return config


class RepeatVector(Layer):
    """Repeats a (batch, features) input n times: (batch, n, features). `RepeatVector(3)(tf.ones([2, 4]))`"""

    def __init__(self, n, **kwargs):
        super().__init__(**kwargs)
        self.n = int(n)

    def call(self, inputs):
        check_rank(self, dims(inputs.shape), 2)
        return _s_tile(_s.expand_dims(inputs, 1), [1, self.n, 1])

    def compute_output_shape(self, input_shape):
        shape = dims(input_shape)
        return (shape[0], self.n, shape[1])

    def get_config(self):
        config = super().get_config()
        config["n"] = self.n
        return config


def _s_tile(x, multiples):
    from ...ops.array_ops import tile
    return tile(x, multiples)


class Permute(Layer):
    """Permutes the non-batch axes (1-based dims). `tf.keras.layers.Permute((2, 1))(tf.ones([2, 3, 4]))`"""

    def __init__(self, dims, **kwargs):  # noqa: A002 - Keras's argument name
        super().__init__(**kwargs)
        self.dims = tuple(int(d) for d in dims)
        if sorted(self.dims) != list(range(1, len(self.dims) + 1)):
            raise ValueError(f"Invalid permutation argument `dims` for Permute Layer. The set of indices in `dims` "
                             f"must be consecutive and start from 1. Received dims={self.dims}")

    def call(self, inputs):
        return _s.transpose(inputs, [0] + list(self.dims))

    def compute_output_shape(self, input_shape):
        shape = dims(input_shape)
        return (shape[0],) + tuple(shape[d] for d in self.dims)

    def get_config(self):
        config = super().get_config()
        config["dims"] = list(self.dims)
        return config
