"""tf.keras.layers: every built-in layer, the Layer base class and the functional merge helpers.

    layer = tf.keras.layers.Dense(4, activation="relu")
    y = layer(tf.ones([2, 3]))
"""
from .convolutional import Conv1D, Conv2D, Convolution1D, Convolution2D  # noqa: F401
from .core import Activation, Dense, Dropout, Flatten, Lambda, Permute, RepeatVector, Reshape  # noqa: F401
from .embedding import Embedding  # noqa: F401
from .layer import InputSpec, Layer  # noqa: F401
from .merging import (Add, Average, Concatenate, Dot, Maximum, Minimum, Multiply, Subtract, add, average,  # noqa: F401
                      concatenate, dot, maximum, minimum, multiply, subtract)
from .normalization import BatchNormalization, LayerNormalization  # noqa: F401
from .pooling import (AveragePooling1D, AveragePooling2D, AvgPool1D, AvgPool2D, GlobalAveragePooling1D,  # noqa: F401
                      GlobalAveragePooling2D, GlobalAvgPool1D, GlobalAvgPool2D, GlobalMaxPool1D, GlobalMaxPool2D,
                      GlobalMaxPooling1D, GlobalMaxPooling2D, MaxPool1D, MaxPool2D, MaxPooling1D, MaxPooling2D)
from .reshaping import Cropping1D, Cropping2D, UpSampling1D, UpSampling2D, ZeroPadding1D, ZeroPadding2D  # noqa: F401
from .rnn import GRU, LSTM, RNN, GRUCell, LSTMCell, SimpleRNN, SimpleRNNCell  # noqa: F401


def __getattr__(name):
    # InputLayer and Input live with the models (keras/models/input_layer.py), which import this package:
    # import them on first use to avoid a circular import.
    if name in ("InputLayer", "Input"):
        from ..models import input_layer
        return getattr(input_layer, name)
    raise AttributeError(f"module 'webtensor.keras.layers' has no attribute {name!r}")


def serialize(layer):
    """{'class_name': ..., 'config': layer.get_config()} for a layer."""
    return {"module": "keras.layers", "class_name": type(layer).__name__, "config": layer.get_config(),
            "registered_name": None}


def deserialize(config, custom_objects=None):
    """The layer a serialize() dict describes (built-in classes, or classes given in custom_objects)."""
    name = config["class_name"]
    cls = (custom_objects or {}).get(name) or globals().get(name)
    if name == "InputLayer":
        cls = __getattr__("InputLayer")
    if not isinstance(cls, type) or not issubclass(cls, Layer):
        raise ValueError(f"Unknown layer: {name!r}. Please ensure you are using a `keras.utils.custom_object_scope` "
                         f"or pass the class in custom_objects")
    return cls.from_config(config["config"])
