"""tf.keras.activations: elementwise activation functions, found by name with `get`.

    act = tf.keras.activations.get("relu")
    act(tf.constant([-1.0, 2.0]))      # [0., 2.]
"""
from ..core.tensor import convert_to_tensor
from ..ops import math_ops as _m
from ..ops import nn_ops as _nn


def _float(x):
    x = convert_to_tensor(x)
    if not x.dtype.is_floating:
        x = _m.cast(x, "float32")
    return x


def relu(x, negative_slope=0.0, max_value=None, threshold=0.0):
    """max(x, 0), with an optional slope below threshold and a cap at max_value.

    >>> tf.keras.activations.relu(tf.constant([-2., 1., 8.]), negative_slope=0.5, max_value=6.)
    <tf.Tensor: shape=(3,), dtype=float32, numpy=array([-1.,  1.,  6.], dtype=float32)>
    """
    x = _float(x)
    if negative_slope == 0.0 and max_value is None and threshold == 0.0:
        return _m.relu(x)
    if threshold != 0.0:
        y = _m.where(_m.greater(x, threshold), x, _m.zeros_like(x))
    else:
        y = _m.relu(x)
    if max_value is not None:
        y = _m.clip_by_value(y, _m.cast(0.0, x.dtype), _m.cast(max_value, x.dtype))
    if negative_slope != 0.0:
        below = _m.where(_m.less(x, threshold), negative_slope * (x - threshold), _m.zeros_like(x))
        y = y + below
    return y


def leaky_relu(x, negative_slope=0.2):
    """x where x > 0, else negative_slope * x. `tf.keras.activations.leaky_relu(tf.constant([-1.]))`"""
    return _m.leaky_relu(_float(x), alpha=negative_slope)


def relu6(x):
    """min(max(x, 0), 6). `tf.keras.activations.relu6(tf.constant([7.]))`"""
    return _m.relu6(_float(x))


def sigmoid(x):
    """1 / (1 + exp(-x)). `tf.keras.activations.sigmoid(tf.constant([0.]))`"""
    return _m.sigmoid(_float(x))


def tanh(x):
    """The hyperbolic tangent. `tf.keras.activations.tanh(tf.constant([0.]))`"""
    return _m.tanh(_float(x))


def softmax(x, axis=-1):
    """exp(x) / sum(exp(x)) along axis. `tf.keras.activations.softmax(tf.constant([[1., 2.]]))`"""
    return _nn.softmax(_float(x), axis=axis)


def log_softmax(x, axis=-1):
    """x - logsumexp(x) along axis. `tf.keras.activations.log_softmax(tf.constant([[1., 2.]]))`"""
    return _nn.log_softmax(_float(x), axis=axis)


def elu(x, alpha=1.0):
    """x where x > 0, else alpha * (exp(x) - 1). `tf.keras.activations.elu(tf.constant([-1.]))`"""
    x = _float(x)
    y = _m.elu(x)
    if alpha == 1.0:
        return y
    return _m.where(_m.greater(x, 0), y, alpha * y)


def selu(x):
    """Scaled ELU (scale 1.0507, alpha 1.6733). `tf.keras.activations.selu(tf.constant([-1.]))`"""
    return _m.selu(_float(x))


def gelu(x, approximate=False):
    """x * Phi(x), or its tanh approximation. `tf.keras.activations.gelu(tf.constant([1.]))`"""
    return _m.gelu(_float(x), approximate=approximate)


def softplus(x):
    """log(1 + exp(x)). `tf.keras.activations.softplus(tf.constant([0.]))`"""
    return _m.softplus(_float(x))


def softsign(x):
    """x / (1 + |x|). `tf.keras.activations.softsign(tf.constant([1.]))`"""
    return _m.softsign(_float(x))


def silu(x):
    """x * sigmoid(x), also called swish. `tf.keras.activations.silu(tf.constant([1.]))`"""
    return _m.silu(_float(x))


swish = silu


def hard_sigmoid(x):
    """relu6(x + 3) / 6, a piecewise-linear sigmoid. `tf.keras.activations.hard_sigmoid(tf.constant([0.]))`"""
    return _m.relu6(_float(x) + 3.0) / 6.0


def hard_silu(x):
    """x * hard_sigmoid(x). `tf.keras.activations.hard_silu(tf.constant([1.]))`"""
    x = _float(x)
    return x * hard_sigmoid(x)


hard_swish = hard_silu


def mish(x):
    """x * tanh(softplus(x)). `tf.keras.activations.mish(tf.constant([1.]))`"""
    x = _float(x)
    return x * _m.tanh(_m.softplus(x))


def exponential(x):
    """exp(x). `tf.keras.activations.exponential(tf.constant([0.]))`"""
    return _m.exp(_float(x))


def linear(x):
    """x unchanged (the activation of a layer given none). `tf.keras.activations.linear(x)`"""
    return x


_ALL = {f.__name__: f for f in (relu, leaky_relu, relu6, sigmoid, tanh, softmax, log_softmax, elu, selu, gelu,
                                softplus, softsign, silu, hard_sigmoid, hard_silu, mish, exponential, linear)}
_ALL.update(swish=silu, hard_swish=hard_silu)
_NAMES = {id(f): name for name, f in _ALL.items() if name not in ("swish", "hard_swish")}
# webtensor's tf.nn / tf.math functions have the same meaning under their Keras names
_NAMES.update({id(_m.relu): "relu", id(_m.sigmoid): "sigmoid", id(_m.tanh): "tanh", id(_nn.softmax): "softmax",
               id(_m.elu): "elu", id(_m.selu): "selu", id(_m.softplus): "softplus", id(_m.softsign): "softsign",
               id(_m.silu): "silu", id(_m.relu6): "relu6", id(_m.exp): "exponential"})


def serialize(activation):
    """The name of an activation: 'relu', 'linear', ... (other named functions as a function config).

    >>> tf.keras.activations.serialize(tf.keras.activations.relu)
    'relu'
    """
    if activation is None:
        return "linear"
    name = _NAMES.get(id(activation))
    if name is not None:
        return name
    if hasattr(activation, "get_config"):
        return {"module": type(activation).__module__, "class_name": type(activation).__name__,
                "config": activation.get_config(), "registered_name": None}
    from .initializers import serialize_function
    return serialize_function(activation, "activation")


def deserialize(config):
    """The activation a name or a serialize() dict names."""
    if isinstance(config, str):
        return _by_name(config)
    if isinstance(config, dict) and config.get("class_name") == "function":
        if config.get("config") in _ALL:
            return _ALL[config["config"]]
        from .initializers import deserialize_function
        return deserialize_function(config, "activation")
    raise ValueError(f"Could not interpret activation config: {config!r}")


def _by_name(name):
    fn = _ALL.get(name)
    if fn is None:
        raise ValueError(f"Unknown activation function: {name!r}. Expected one of {sorted(_ALL)}")
    return fn


def get(identifier):
    """An activation function from a name, a config, a callable or None (linear).

    >>> tf.keras.activations.get("relu") is tf.keras.activations.relu
    True
    """
    if identifier is None:
        return linear
    if isinstance(identifier, (str, dict)):
        return deserialize(identifier)
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret activation function identifier: {identifier!r}")

