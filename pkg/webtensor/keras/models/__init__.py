"""tf.keras.models: Model, Sequential, the functional API, and model saving/loading entry points."""
from .input_layer import Input, InputLayer  # noqa: F401
