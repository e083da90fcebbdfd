"""TensorFlow's dtypes: singletons that compare equal to their names and numpy dtypes."""
import builtins

import numpy as np


class DType:
    """A tensor element type, e.g. ``tf.float32``.

    >>> tf.float32.is_floating
    True
    """

    __slots__ = ("name", "as_numpy_dtype", "size", "is_floating", "is_integer",
                 "is_bool", "is_unsigned", "min", "max")

    def __init__(self, name, np_type):
        self.name = name
        self.as_numpy_dtype = np_type
        nd = np.dtype(np_type)
        self.size = nd.itemsize
        self.is_floating = nd.kind == "f"
        self.is_integer = nd.kind in "iu"
        self.is_bool = nd.kind == "b"
        self.is_unsigned = nd.kind == "u"
        if self.is_floating:
            info = np.finfo(nd)
            self.min, self.max = float(info.min), float(info.max)
        elif self.is_integer:
            info = np.iinfo(nd)
            self.min, self.max = int(info.min), int(info.max)
        else:
            self.min, self.max = False, True

    @property
    def base_dtype(self):
        return self

    @property
    def real_dtype(self):
        return self

    @property
    def is_complex(self):
        return False

    @property
    def is_numpy_compatible(self):
        return True

    @property
    def limits(self):
        return self.min, self.max

    def is_compatible_with(self, other):
        return self == other

    def __repr__(self):
        return f"tf.{self.name}"

    def __str__(self):
        return f"<dtype: '{self.name}'>"

    def __eq__(self, other):
        if other is self:
            return True
        if other is None:
            return False
        try:
            return as_dtype(other) is self
        except TypeError:
            return False

    def __ne__(self, other):
        return not self.__eq__(other)

    # Identity hashing (DTypes are singletons) keeps dict and set lookups in the op path at C speed.
    # As in TensorFlow, a DType equals its name (tf.float32 == "float32") without sharing its hash.
    __hash__ = object.__hash__

    def __reduce__(self):
        return as_dtype, (self.name,)


float16 = half = DType("float16", np.float16)
float32 = DType("float32", np.float32)
float64 = double = DType("float64", np.float64)
int8 = DType("int8", np.int8)
int16 = DType("int16", np.int16)
int32 = DType("int32", np.int32)
int64 = DType("int64", np.int64)
uint8 = DType("uint8", np.uint8)
uint16 = DType("uint16", np.uint16)
uint32 = DType("uint32", np.uint32)
uint64 = DType("uint64", np.uint64)
bool = DType("bool", np.bool_)  # noqa: A001 - TensorFlow's public name

ALL = (float16, float32, float64, int8, int16, int32, int64, uint8, uint16, uint32, uint64, bool)
FLOATS = frozenset((float16, float32, float64))
INTS = frozenset((int8, int16, int32, int64, uint8, uint16, uint32, uint64))
SIGNED_INTS = frozenset((int8, int16, int32, int64))
NUMERIC = FLOATS | INTS
REAL = NUMERIC

_BY_NAME = {d.name: d for d in ALL}
_BY_NUMPY = {np.dtype(d.as_numpy_dtype): d for d in ALL}
_ALIASES = {"half": float16, "float": float32, "double": float64}


def from_numpy(np_dtype):
    """The DType of a numpy dtype (fast path used by the backends)."""
    d = _BY_NUMPY.get(np_dtype)
    if d is None:
        raise TypeError(f"numpy dtype {np_dtype} has no webtensor equivalent")
    return d


def as_dtype(type_value):
    """Converts a name, numpy dtype or Python type to a DType.

    >>> tf.as_dtype("float32") is tf.float32
    True
    """
    if isinstance(type_value, DType):
        return type_value
    if isinstance(type_value, str):
        d = _BY_NAME.get(type_value) or _ALIASES.get(type_value)
        if d is not None:
            return d
        raise TypeError(f"Cannot convert value {type_value!r} to a TensorFlow DType.")
    if type_value is float:
        return float32
    if type_value is int:  # as in TF, which maps Python int through numpy's default integer
        return int64
    if type_value is builtins.bool:
        return bool
    if type_value is None:
        raise TypeError("Cannot convert value None to a TensorFlow DType.")
    try:
        nd = np.dtype(type_value)
    except TypeError:
        raise TypeError(f"Cannot convert value {type_value!r} to a TensorFlow DType.") from None
    d = _BY_NUMPY.get(nd)
    if d is None:
        raise TypeError(f"Cannot convert value {type_value!r} to a TensorFlow DType.")
    return d
