"""tf.keras.initializers: the functions that give weights their first values (Keras 3 semantics).

A seeded initializer is deterministic: every call gives the same values (stateless random ops keyed by
the seed). An unseeded one draws from the global random stream, so `tf.random.set_seed` makes a model's
weights reproducible.

    init = tf.keras.initializers.get("he_normal")
    w = init((3, 4))
"""
import math

import numpy as np

from .. import dtypes
from .. import random as _random
from ..core.tensor import convert_to_tensor
from ..ops import constructor_ops as _c
from ..ops import math_ops as _m
from ..ops import shape_ops as _s


def _dtype(dtype):
    return dtypes.float32 if dtype is None else dtypes.as_dtype(dtype)


def _shape(shape, who):
    """shape as a tuple of Python ints (TensorShape, list, tuple or a single int)."""
    if isinstance(shape, int):
        return (shape,)
    dims = list(shape.as_list() if hasattr(shape, "as_list") else shape)
    if any(d is None for d in dims):
        raise ValueError(f"{who}: the shape of a weight must be fully known, got {dims}")
    return tuple(int(d) for d in dims)


def compute_fans(shape):
    """(fan_in, fan_out) as Keras computes them: dense kernels (in, out), conv kernels (..., in, out).

    >>> tf.keras.initializers.compute_fans((3, 3, 16, 32))
    (144, 288)
    """
    shape = tuple(shape)
    if len(shape) < 1:
        return 1, 1
    if len(shape) == 1:
        return int(shape[0]), int(shape[0])
    if len(shape) == 2:
        return int(shape[0]), int(shape[1])
    receptive = 1
    for d in shape[:-2]:
        receptive *= int(d)
    return int(shape[-2]) * receptive, int(shape[-1]) * receptive


class Initializer:
    """Base class: `initializer(shape, dtype=None)` returns a tensor of that shape.

    >>> class Halves(tf.keras.initializers.Initializer):
    ...     def __call__(self, shape, dtype=None):
    ...         return tf.fill(shape, 0.5)
    """

    def __call__(self, shape, dtype=None):
        raise NotImplementedError(f"Initializer subclass {type(self).__name__} must implement __call__")

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def clone(self):
        return type(self).from_config(self.get_config())

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"<{type(self).__name__}({args})>"


class Zeros(Initializer):
    """All zeros. `tf.keras.initializers.Zeros()((2, 2))`"""

    def __call__(self, shape, dtype=None):
        return _c.zeros(_shape(shape, "Zeros"), dtype=_dtype(dtype))


class Ones(Initializer):
    """All ones. `tf.keras.initializers.Ones()((2, 2))`"""

    def __call__(self, shape, dtype=None):
        return _c.ones(_shape(shape, "Ones"), dtype=_dtype(dtype))


class Constant(Initializer):
    """Every element equal to value (a scalar). `tf.keras.initializers.Constant(3.0)((2,))`"""

    def __init__(self, value=0.0):
        self.value = value

    def __call__(self, shape, dtype=None):
        dtype = _dtype(dtype)
        value = convert_to_tensor(self.value, dtype=dtype)
        return _s.broadcast_to(value, _shape(shape, "Constant"))

    def get_config(self):
        value = self.value
        if isinstance(value, np.ndarray) or hasattr(value, "numpy"):
            value = np.asarray(value).tolist()
        return {"value": value}


class _Seeded(Initializer):
    """An initializer with an optional integer seed."""

    def __init__(self, seed=None):
        if seed is not None and (not isinstance(seed, (int, np.integer)) or isinstance(seed, bool)):
            raise ValueError(f"{type(self).__name__}: seed must be an integer or None, got {seed!r}")
        self.seed = None if seed is None else int(seed)

    def _stateless_seed(self):
        return [self.seed, 0]

    def _normal(self, shape, stddev, dtype, mean=0.0):
        if self.seed is None:
            return _random.normal(shape, mean=mean, stddev=stddev, dtype=dtype)
        return _random.stateless_normal(shape, self._stateless_seed(), mean=mean, stddev=stddev, dtype=dtype)

    def _truncated(self, shape, stddev, dtype, mean=0.0):
        if self.seed is None:
            return _random.truncated_normal(shape, mean=mean, stddev=stddev, dtype=dtype)
        return _random.stateless_truncated_normal(shape, self._stateless_seed(), mean=mean, stddev=stddev,
                                                  dtype=dtype)

    def _uniform(self, shape, minval, maxval, dtype):
        if self.seed is None:
            return _random.uniform(shape, minval=minval, maxval=maxval, dtype=dtype)
        return _random.stateless_uniform(shape, self._stateless_seed(), minval=minval, maxval=maxval, dtype=dtype)

    def get_config(self):
        return {"seed": self.seed}


def _float_dtype(dtype, who):
    dtype = _dtype(dtype)
    if not dtype.is_floating:
        raise ValueError(f"{who}: expected a floating point dtype, got {dtype.name}")
    return dtype


class _NormalLike(_Seeded):
    """Shared body of RandomNormal and TruncatedNormal: (mean, stddev, seed), drawn by the sampler `_draw`."""

    _draw = None

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        super().__init__(seed)
        self.mean, self.stddev = mean, stddev

    def __call__(self, shape, dtype=None):
        who = type(self).__name__
        dtype = _float_dtype(dtype, who)
        return self._draw(_shape(shape, who), self.stddev, dtype, self.mean)

    def get_config(self):
        return {"mean": self.mean, "stddev": self.stddev, "seed": self.seed}


class RandomNormal(_NormalLike):
    """Normal values with the given mean and stddev. `tf.keras.initializers.RandomNormal(stddev=1.0)((2, 3))`"""

    _draw = _Seeded._normal


class TruncatedNormal(_NormalLike):
    """Normal values within two stddevs of the mean. `tf.keras.initializers.TruncatedNormal()((2, 3))`"""

    _draw = _Seeded._truncated


class RandomUniform(_Seeded):
    """Uniform values in [minval, maxval). `tf.keras.initializers.RandomUniform(-1.0, 1.0)((2, 3))`"""

    def __init__(self, minval=-0.05, maxval=0.05, seed=None):
        super().__init__(seed)
        self.minval, self.maxval = minval, maxval

    def __call__(self, shape, dtype=None):
        dtype = _dtype(dtype)
        if not (dtype.is_floating or dtype.is_integer):
            raise ValueError(f"RandomUniform: expected a floating or integer dtype, got {dtype.name}")
        return self._uniform(_shape(shape, "RandomUniform"), self.minval, self.maxval, dtype)

    def get_config(self):
        return {"minval": self.minval, "maxval": self.maxval, "seed": self.seed}


_MODES = ("fan_in", "fan_out", "fan_avg")
_DISTRIBUTIONS = ("normal", "truncated_normal", "untruncated_normal", "uniform")
# stddev of a unit normal truncated to [-2, 2]: truncated draws are divided by it to keep the variance
_TRUNCATED_STD = 0.87962566103423978


class VarianceScaling(_Seeded):
    """Values whose variance is scale / n, n the fan-in, fan-out or their mean.

    >>> tf.keras.initializers.VarianceScaling(2.0, "fan_in", "truncated_normal")((100, 10))  # he_normal
    """

    def __init__(self, scale=1.0, mode="fan_in", distribution="truncated_normal", seed=None):
        super().__init__(seed)
        if not scale > 0.0:
            raise ValueError(f"VarianceScaling: `scale` must be positive, got scale={scale}")
        if mode not in _MODES:
            raise ValueError(f"VarianceScaling: invalid `mode` {mode!r}; expected one of {list(_MODES)}")
        distribution = distribution.lower()
        if distribution not in _DISTRIBUTIONS:
            raise ValueError(f"VarianceScaling: invalid `distribution` {distribution!r}; expected one of "
                             f"{list(_DISTRIBUTIONS)}")
        self.scale, self.mode, self.distribution = scale, mode, distribution

    def __call__(self, shape, dtype=None):
        who = type(self).__name__
        dtype = _float_dtype(dtype, who)
        shape = _shape(shape, who)
        fan_in, fan_out = compute_fans(shape)
        n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2.0}[self.mode]
        scale = self.scale / max(1.0, n)
        if self.distribution in ("normal", "truncated_normal"):
            return self._truncated(shape, math.sqrt(scale) / _TRUNCATED_STD, dtype)
        if self.distribution == "untruncated_normal":
            return self._normal(shape, math.sqrt(scale), dtype)
        limit = math.sqrt(3.0 * scale)
        return self._uniform(shape, -limit, limit, dtype)

    def get_config(self):
        return {"scale": self.scale, "mode": self.mode, "distribution": self.distribution, "seed": self.seed}


def _preset(name, scale, mode, distribution, doc):
    def __init__(self, seed=None):
        VarianceScaling.__init__(self, scale, mode, distribution, seed)

    def get_config(self):
        return {"seed": self.seed}

    return type(name, (VarianceScaling,), {"__init__": __init__, "get_config": get_config, "__doc__": doc,
                                           "__module__": __name__})


GlorotUniform = _preset("GlorotUniform", 1.0, "fan_avg", "uniform",
                        "Uniform in [-limit, limit], limit = sqrt(6 / (fan_in + fan_out)); the default for kernels."
                        "\n\n    >>> tf.keras.initializers.GlorotUniform(seed=1)((3, 4))\n    ")
GlorotNormal = _preset("GlorotNormal", 1.0, "fan_avg", "truncated_normal",
                       "Truncated normal with stddev sqrt(2 / (fan_in + fan_out)).\n\n"
                       "    >>> tf.keras.initializers.GlorotNormal(seed=1)((3, 4))\n    ")
HeNormal = _preset("HeNormal", 2.0, "fan_in", "truncated_normal",
                   "Truncated normal with stddev sqrt(2 / fan_in).\n\n"
                   "    >>> tf.keras.initializers.HeNormal(seed=1)((3, 4))\n    ")
HeUniform = _preset("HeUniform", 2.0, "fan_in", "uniform",
                    "Uniform in [-limit, limit], limit = sqrt(6 / fan_in).\n\n"
                    "    >>> tf.keras.initializers.HeUniform(seed=1)((3, 4))\n    ")
LecunNormal = _preset("LecunNormal", 1.0, "fan_in", "truncated_normal",
                      "Truncated normal with stddev sqrt(1 / fan_in).\n\n"
                      "    >>> tf.keras.initializers.LecunNormal(seed=1)((3, 4))\n    ")
LecunUniform = _preset("LecunUniform", 1.0, "fan_in", "uniform",
                       "Uniform in [-limit, limit], limit = sqrt(3 / fan_in).\n\n"
                       "    >>> tf.keras.initializers.LecunUniform(seed=1)((3, 4))\n    ")


class Orthogonal(_Seeded):
    """A (semi-)orthogonal matrix times gain, reshaped: rows are the product of all but the last dim.

    >>> w = tf.keras.initializers.Orthogonal(seed=1)((4, 4))  # w @ tf.transpose(w) is the identity
    """

    def __init__(self, gain=1.0, seed=None):
        super().__init__(seed)
        self.gain = gain

    def __call__(self, shape, dtype=None):
        dtype = _float_dtype(dtype, "Orthogonal")
        shape = _shape(shape, "Orthogonal")
        if len(shape) < 2:
            raise ValueError(f"Orthogonal: the shape must have at least 2 dimensions, got {list(shape)}")
        rows = int(np.prod(shape[:-1]))
        cols = shape[-1]
        flat = (max(rows, cols), min(rows, cols))
        a = self._normal(flat, 1.0, dtypes.float32)
        # NOTE: the QR factorization runs on the host (an initializer, not a training computation).
        q, r = np.linalg.qr(np.asarray(a.numpy(), np.float64))
        q = q * np.sign(np.diag(r))
        if rows < cols:
            q = q.T
        return convert_to_tensor((self.gain * q).reshape(shape).astype(dtype.as_numpy_dtype))

    def get_config(self):
        return {"gain": self.gain, "seed": self.seed}


class Identity(Initializer):
    """gain times the identity matrix (2-D shapes only). `tf.keras.initializers.Identity()((3, 3))`"""

    def __init__(self, gain=1.0):
        self.gain = gain

    def __call__(self, shape, dtype=None):
        dtype = _float_dtype(dtype, "Identity")
        shape = _shape(shape, "Identity")
        if len(shape) != 2:
            raise ValueError(f"Identity matrix initializer can only be used for 2D matrices, got shape "
                             f"{list(shape)}")
        return _m.cast(self.gain * _c.eye(shape[0], shape[1], dtype=dtypes.float32), dtype)

    def get_config(self):
        return {"gain": self.gain}


_CLASSES = {c.__name__: c for c in (
    Zeros, Ones, Constant, RandomNormal, RandomUniform, TruncatedNormal, VarianceScaling, GlorotUniform,
    GlorotNormal, HeNormal, HeUniform, LecunNormal, LecunUniform, Orthogonal, Identity)}
_ALIASES = {
    "zeros": Zeros, "zero": Zeros, "ones": Ones, "one": Ones, "constant": Constant,
    "random_normal": RandomNormal, "normal": RandomNormal, "random_uniform": RandomUniform,
    "uniform": RandomUniform, "truncated_normal": TruncatedNormal, "variance_scaling": VarianceScaling,
    "glorot_uniform": GlorotUniform, "glorot_normal": GlorotNormal, "he_normal": HeNormal,
    "he_uniform": HeUniform, "lecun_normal": LecunNormal, "lecun_uniform": LecunUniform,
    "orthogonal": Orthogonal, "identity": Identity,
}

# snake_case functional aliases, as in tf.keras.initializers
zeros, ones, constant = Zeros, Ones, Constant
random_normal, random_uniform, truncated_normal = RandomNormal, RandomUniform, TruncatedNormal
variance_scaling, orthogonal, identity = VarianceScaling, Orthogonal, Identity
glorot_uniform, glorot_normal, he_normal, he_uniform = GlorotUniform, GlorotNormal, HeNormal, HeUniform
lecun_normal, lecun_uniform = LecunNormal, LecunUniform


def _lookup(name):
    cls = _CLASSES.get(name) or _ALIASES.get(name) or _ALIASES.get(name.lower())
    if cls is None:
        raise ValueError(f"Could not interpret initializer identifier: {name!r}; expected one of "
                         f"{sorted(_ALIASES)} or a class name such as 'GlorotUniform'")
    return cls


def serialize(initializer):
    """A JSON-able description of an initializer (None stays None).

    >>> tf.keras.initializers.serialize(tf.keras.initializers.HeNormal(seed=1))
    {'module': 'keras.initializers', 'class_name': 'HeNormal', 'config': {'seed': 1}, 'registered_name': None}
    """
    return serialize_object(initializer, Initializer, "keras.initializers", "initializer")


def deserialize(config):
    """The initializer a `serialize` dict (or a name) describes."""
    if isinstance(config, str):
        return _lookup(config)()
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(f"Could not interpret initializer config: {config!r}")
    if config["class_name"] == "function":
        return deserialize_function(config, "initializer")
    return _lookup(config["class_name"]).from_config(dict(config.get("config") or {}))


def get(identifier):
    """An initializer from a name, a config dict, an instance, a class or any callable(shape, dtype).

    >>> tf.keras.initializers.get("glorot_uniform")
    <GlorotUniform(seed=None)>
    >>> tf.keras.initializers.get(tf.random.normal)  # callables are used as they are
    """
    if isinstance(identifier, type) and issubclass(identifier, Initializer):
        return identifier()
    return get_object(identifier, deserialize, "initializer")


# -- configs of Keras objects and plain functions (shared with activations, regularizers, constraints) -----

def serialize_object(obj, base, module, what):
    """{'module', 'class_name', 'config', 'registered_name'} for an instance of base; a named function's
    serialize_function dict otherwise; None stays None."""
    if obj is None:
        return None
    if isinstance(obj, base):
        return {"module": module, "class_name": type(obj).__name__, "config": obj.get_config(),
                "registered_name": None}
    return serialize_function(obj, what)


def deserialize_object(config, classes, aliases, what):
    """The object a name or a serialize_object dict describes: names and class names are looked up in
    classes, then (lower-cased) in aliases; a name gives a default instance."""
    if isinstance(config, str):
        cls = classes.get(config) or aliases.get(config.lower())
        if cls is None:
            raise ValueError(f"Unknown {what}: {config!r}. Expected one of {sorted(aliases)}")
        return cls()
    if isinstance(config, dict) and "class_name" in config:
        if config["class_name"] == "function":
            return deserialize_function(config, what)
        cls = classes.get(config["class_name"]) or aliases.get(config["class_name"].lower())
        if cls is None:
            raise ValueError(f"Unknown {what} class: {config['class_name']!r}")
        return cls.from_config(dict(config.get("config") or {}))
    raise ValueError(f"Could not interpret {what} config: {config!r}")


def get_object(identifier, deserialize, what):
    """None stays None, names and config dicts go through deserialize, callables are used as they are."""
    if identifier is None:
        return None
    if isinstance(identifier, (str, dict)):
        return deserialize(identifier)
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret {what} identifier: {identifier!r}")


def serialize_function(fn, what):
    """{'class_name': 'function', 'config': name, 'module': module} for a named function."""
    name = getattr(fn, "__name__", None)
    if name is None or name == "<lambda>":
        raise ValueError(f"Cannot serialize the {what} {fn!r}: only named functions (or Keras objects) can be "
                         f"saved in a config")
    return {"module": getattr(fn, "__module__", None), "class_name": "function", "config": name,
            "registered_name": "function"}


def deserialize_function(config, what):
    """The function a serialize_function dict names; only functions of webtensor modules are looked up."""
    import importlib
    module, name = config.get("module") or "", config.get("config")
    if not (module == "webtensor" or module.startswith("webtensor.")):
        raise ValueError(f"Cannot deserialize the {what} function {name!r} from module {module!r}: only "
                         f"webtensor functions are looked up by name; pass custom objects explicitly")
    fn = getattr(importlib.import_module(module), str(name), None)
    if not callable(fn):
        raise ValueError(f"Cannot deserialize the {what} function {name!r}: not found in module {module!r}")
    return fn
