"""tf.keras: layers, models, training (compile/fit/evaluate/predict), callbacks and utilities.

    model = tf.keras.Sequential([tf.keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    model.fit(x, y, epochs=10)
"""
import importlib as _importlib

from . import backend, callbacks, models, utils  # noqa: F401
from .layers.layer import InputSpec, Layer  # noqa: F401
from .models import Functional, Input, InputLayer, Model, Sequential  # noqa: F401

__version__ = "3.3.3"


def _optional(name):
    """Imports a sibling subpackage that another engineer may not have written yet."""
    try:
        return _importlib.import_module(f"{__name__}.{name}")
    except ModuleNotFoundError as e:
        if e.name != f"{__name__}.{name}":
            raise
        return None


for _name in ("layers", "activations", "initializers", "regularizers", "constraints", "losses", "metrics",
              "optimizers", "datasets", "saving"):
    _mod = _optional(_name)
    if _mod is not None:
        globals()[_name] = _mod
del _name, _mod
