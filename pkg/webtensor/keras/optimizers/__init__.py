"""tf.keras.optimizers: SGD, Adam, AdamW, RMSprop, Adagrad, the Optimizer base class and schedules.

    opt = tf.keras.optimizers.get("adam")
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(w ** 2)
    opt.apply_gradients(zip(tape.gradient(loss, [w]), [w]))
"""
from . import schedules  # noqa: F401
from .adagrad import Adagrad
from .adam import Adam, AdamW
from .optimizer import Optimizer
from .rmsprop import RMSprop
from .sgd import SGD

_CLASSES = {cls.__name__.lower(): cls for cls in (Optimizer, SGD, Adam, AdamW, RMSprop, Adagrad)}


def serialize(optimizer):
    """A JSON-able description of an optimizer.

    >>> tf.keras.optimizers.serialize(tf.keras.optimizers.SGD(0.1))["class_name"]
    'SGD'
    """
    return {"module": "keras.optimizers", "class_name": type(optimizer).__name__, "config": optimizer.get_config(),
            "registered_name": None}


def deserialize(config, custom_objects=None):
    """The optimizer a `serialize` dict describes (class names match case-insensitively)."""
    custom_objects = custom_objects or {}
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(f"Could not interpret optimizer config: {config!r}")
    name = config["class_name"]
    cls = custom_objects.get(name) or _CLASSES.get(str(name).lower())
    if cls is None:
        raise ValueError(f"Could not interpret optimizer identifier: {name!r}; expected one of {sorted(_CLASSES)}")
    return cls.from_config(dict(config.get("config") or {}), custom_objects=custom_objects)


def get(identifier):
    """An optimizer from a name ('sgd', 'Adam', ...), a config dict or an instance.

    >>> tf.keras.optimizers.get("rmsprop")
    <RMSprop name=rmsprop>
    """
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        obj = deserialize(identifier)
    elif isinstance(identifier, str):
        obj = deserialize({"class_name": identifier, "config": {}})
    elif isinstance(identifier, type) and issubclass(identifier, Optimizer):
        obj = identifier()
    else:
        obj = identifier
    if isinstance(obj, Optimizer):
        return obj
    raise ValueError(f"Could not interpret optimizer identifier: {identifier!r}")


__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "schedules", "get", "serialize",
           "deserialize"]
