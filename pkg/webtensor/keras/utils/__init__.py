"""tf.keras.utils: progress bar, serialization registry, data helpers."""
import numpy as _np

from ..models.data_adapter import pack_x_y_sample_weight, unpack_x_y_sample_weight  # noqa: F401
from .progbar import Progbar  # noqa: F401
from .serialization import get_registered_name, get_registered_object, register_keras_serializable  # noqa: F401


def to_categorical(y, num_classes=None, dtype="float32"):
    """One-hot rows for integer class labels (numpy in, numpy out).

    >>> tf.keras.utils.to_categorical([0, 2], num_classes=3)
    array([[1., 0., 0.], [0., 0., 1.]], dtype=float32)
    """
    y = _np.asarray(y, dtype="int64")
    shape = y.shape
    if shape and shape[-1] == 1 and len(shape) > 1:
        shape = shape[:-1]
    y = y.reshape(-1)
    if num_classes is None:
        num_classes = int(y.max()) + 1
    out = _np.zeros((y.shape[0], num_classes), dtype=dtype)
    out[_np.arange(y.shape[0]), y] = 1
    return out.reshape(shape + (num_classes,))


def set_random_seed(seed):
    """Seeds Python's, numpy's and webtensor's random generators."""
    import random
    random.seed(seed)
    _np.random.seed(seed)
    from ... import random as tf_random
    if hasattr(tf_random, "set_seed"):
        tf_random.set_seed(seed)
