"""tf.keras: layers, models, training (compile/fit/evaluate/predict), callbacks and utilities.

    model = tf.keras.Sequential([tf.keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    model.fit(x, y, epochs=10)
"""
import importlib as _importlib

from . import backend  # noqa: F401
from .models.input_layer import Input, InputLayer  # noqa: F401


def _optional(name):
    """Imports a sibling subpackage that another engineer may not have written yet."""
    try:
        return _importlib.import_module(f"{__name__}.{name}")
    except ImportError as e:
        if f"{__name__}.{name}" not in str(e) and name not in str(e):
            raise
        return None


for _name in ("layers", "activations", "initializers", "regularizers", "constraints"):
    _mod = _optional(_name)
    if _mod is not None:
        globals()[_name] = _mod
del _name, _mod
