"""tf.keras: layers, models, training (compile/fit/evaluate/predict), callbacks and utilities.

    model = tf.keras.Sequential([tf.keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    model.fit(x, y, epochs=10)
"""
from . import backend, callbacks, models, utils  # noqa: F401
from . import activations, constraints, datasets, initializers, layers, losses, metrics, optimizers  # noqa: F401
from . import regularizers, saving  # noqa: F401
from .layers.layer import InputSpec, Layer  # noqa: F401
from .models import Functional, Input, InputLayer, Model, Sequential  # noqa: F401

__version__ = "3.3.3"
