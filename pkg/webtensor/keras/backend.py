"""keras.backend: global Keras settings (floatx, epsilon), layer-name counters and the training phase.

    tf.keras.backend.floatx()          # 'float32'
    tf.keras.backend.clear_session()   # names restart at dense, dense_1, ...
"""
import contextlib
import re
import weakref

_FLOATX = "float32"
_EPSILON = 1e-7
_IMAGE_DATA_FORMAT = "channels_last"
_NAME_COUNTERS = {}


def floatx():
    """The default float dtype name for weights and inputs ('float32').

    >>> tf.keras.backend.floatx()
    'float32'
    """
    return _FLOATX


def set_floatx(value):
    """Sets the default float dtype: 'float16', 'float32' or 'float64'."""
    global _FLOATX
    if value not in ("float16", "bfloat16", "float32", "float64"):
        raise ValueError(f"Unknown `floatx` value: {value!r}. Expected one of 'float16', 'float32', 'float64'.")
    _FLOATX = str(value)


def epsilon():
    """The fuzz factor used in numeric expressions (1e-7).

    >>> tf.keras.backend.epsilon()
    1e-07
    """
    return _EPSILON


def set_epsilon(value):
    """Sets the fuzz factor returned by epsilon()."""
    global _EPSILON
    _EPSILON = float(value)


def image_data_format():
    """'channels_last' (the only layout webtensor's conv layers default to)."""
    return _IMAGE_DATA_FORMAT


def set_image_data_format(data_format):
    """Sets the default image layout: 'channels_last' or 'channels_first'."""
    global _IMAGE_DATA_FORMAT
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError(f"The `data_format` argument must be one of 'channels_first', 'channels_last'. "
                         f"Received: {data_format!r}")
    _IMAGE_DATA_FORMAT = data_format


def standardize_dtype(dtype):
    """A dtype name string for a DType, numpy dtype or name (None gives floatx())."""
    if dtype is None:
        return floatx()
    name = getattr(dtype, "name", None)
    if isinstance(name, str):
        return name
    from .. import dtypes
    return dtypes.as_dtype(dtype).name


# -- names -----------------------------------------------------------------------------------------

def to_snake_case(name):
    """Keras's snake case for class names: Conv2D -> conv2d, BatchNormalization -> batch_normalization."""
    name = re.sub(r"\W+", "", name)
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    name = re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()
    return name


def get_uid(prefix=""):
    """How many times prefix has been asked for, counting this call (1, 2, ...).

    >>> tf.keras.backend.get_uid("dense")
    1
    """
    _NAME_COUNTERS[prefix] = _NAME_COUNTERS.get(prefix, 0) + 1
    return _NAME_COUNTERS[prefix]


def unique_name(base):
    """base the first time, then base_1, base_2, ... until clear_session()."""
    n = get_uid(base)
    return base if n == 1 else f"{base}_{n - 1}"


def clear_session(free_memory=True):
    """Resets Keras's global state: default layer names start again at dense, dense_1, ...

    >>> tf.keras.backend.clear_session()
    """
    _NAME_COUNTERS.clear()
    _MASKS.clear()


# -- training phase and call context -----------------------------------------------------------------

class _CallContext:
    """What the layers being called right now share: the training flag and the outermost layer."""
    __slots__ = ("training", "entry_layer")

    def __init__(self, training, entry_layer):
        self.training = training
        self.entry_layer = entry_layer


_CALL_STACK = []
_PHASE = [None]


def call_context():
    """The innermost layer call in progress, or None."""
    return _CALL_STACK[-1] if _CALL_STACK else None


@contextlib.contextmanager
def enter_call(training, layer):
    ctx = _CallContext(training, _CALL_STACK[0].entry_layer if _CALL_STACK else layer)
    _CALL_STACK.append(ctx)
    try:
        yield ctx
    finally:
        _CALL_STACK.pop()


def learning_phase():
    """The training flag set by fit/evaluate/predict (True, False), or None outside them."""
    return _PHASE[-1]


@contextlib.contextmanager
def training_phase(training):
    """Layers called inside without an explicit `training` argument see this value (used by fit/evaluate)."""
    _PHASE.append(training)
    try:
        yield
    finally:
        _PHASE.pop()


# -- masks ------------------------------------------------------------------------------------------
# Tensors have __slots__ and cannot carry a `_keras_mask` attribute, so masks live beside them.

_MASKS = {}


def set_keras_mask(tensor, mask):
    """Attaches a Keras mask to a tensor (kept only as long as the tensor lives)."""
    key = id(tensor)
    if mask is None:
        _MASKS.pop(key, None)
        return
    try:
        ref = weakref.ref(tensor, lambda _, key=key: _MASKS.pop(key, None))
    except TypeError:
        return
    _MASKS[key] = (ref, mask)


def get_keras_mask(tensor):
    """The mask attached to tensor by a masking layer (Embedding(mask_zero=True), Masking), or None."""
    entry = _MASKS.get(id(tensor))
    if entry is None or entry[0]() is not tensor:
        return None
    return entry[1]


def is_keras_tensor(x):
    """True for the symbolic tensors of the functional API (tf.keras.Input and layer outputs on it)."""
    from .models.keras_tensor import KerasTensor
    return isinstance(x, KerasTensor)
