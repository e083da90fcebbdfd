"""Python operators on Tensor and Variable, mapped to ops as TensorFlow maps them."""
from .. import dtypes
from ..core.tensor import Tensor
from ..core.variable import Variable
from . import linalg_ops, slice_ops
from . import math_ops as m
from ._helpers import to_tensor


def _truediv(x, y):
    return m.divide(x, y)


def _eq(x, y):
    if y is None:
        return False
    try:
        return m.equal(x, y)
    except (TypeError, ValueError):
        return False


def _ne(x, y):
    if y is None:
        return True
    try:
        return m.not_equal(x, y)
    except (TypeError, ValueError):
        return True


def _logical_or_bitwise(logical, name):
    def op(x, y):
        x = to_tensor(x)
        if x._dtype is dtypes.bool:
            return logical(x, y)
        raise TypeError(f"unsupported operand dtype for {name}: {x._dtype.name} (bitwise ops need tf.bitwise)")
    return op


def _invert(x):
    x = to_tensor(x)
    if x._dtype is dtypes.bool:
        return m.logical_not(x)
    raise TypeError(f"unsupported operand dtype for ~: {x._dtype.name}")


def _hash(self):
    raise TypeError("Tensor is unhashable. Instead, use tensor.ref() as the key.")


def _rev(fn):
    return lambda x, y: fn(y, x)


_and = _logical_or_bitwise(m.logical_and, "&")
_or = _logical_or_bitwise(m.logical_or, "|")
_xor = _logical_or_bitwise(m.logical_xor, "^")

OPERATORS = {
    "__add__": m.add, "__radd__": _rev(m.add),
    "__sub__": m.subtract, "__rsub__": _rev(m.subtract),
    "__mul__": m.multiply, "__rmul__": _rev(m.multiply),
    "__truediv__": _truediv, "__rtruediv__": _rev(_truediv),
    "__floordiv__": m.floordiv, "__rfloordiv__": _rev(m.floordiv),
    "__mod__": m.floormod, "__rmod__": _rev(m.floormod),
    "__pow__": m.pow, "__rpow__": _rev(m.pow),
    "__matmul__": linalg_ops.matmul, "__rmatmul__": _rev(linalg_ops.matmul),
    "__neg__": m.negative, "__pos__": to_tensor, "__abs__": m.abs, "__invert__": _invert,
    "__and__": _and, "__rand__": _rev(_and), "__or__": _or, "__ror__": _rev(_or),
    "__xor__": _xor, "__rxor__": _rev(_xor),
    "__lt__": m.less, "__le__": m.less_equal, "__gt__": m.greater, "__ge__": m.greater_equal,
    "__eq__": _eq, "__ne__": _ne,
    "__getitem__": slice_ops.getitem,
}

for _cls in (Tensor, Variable):
    for _name, _fn in OPERATORS.items():
        setattr(_cls, _name, _fn)
Tensor.__hash__ = _hash
