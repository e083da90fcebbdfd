"""Elementwise ops: unary and binary families with broadcasting, comparisons, logic, where, cast.

Each primitive is one table row: name, numpy kernel, gradient. Gradients are
written with public ops (so they run on any backend and differentiate again).
"""
import math
import warnings

import numpy as np

from .. import dtypes, errors
from ..core.registry import bind, defop
from ._helpers import (ALL, BOOL, FLOAT, NUMERIC, SIGNED, binary_infer, binary_operands, broadcast_shapes,
                       check_dtype, same_infer, to_tensor)


# Kernels may legitimately produce inf/nan (log(0), 1/0, exp overflow), which TensorFlow does
# silently. numpy would warn; a filter scoped to webtensor's own modules silences that for free,
# where np.errstate around every call cost about 1 us per op.
warnings.filterwarnings("ignore", category=RuntimeWarning, module=r"webtensor\.")


# -- broadcasting helpers used by gradients ----------------------------------------------------------

def _sum_like_kernel(g, like):
    shape = like.shape
    if g.shape == shape:
        return g
    extra = g.ndim - len(shape)
    axes = tuple(range(extra)) + tuple(i + extra for i, d in enumerate(shape) if d == 1 and g.shape[i + extra] != 1)
    return np.asarray(g.sum(axis=axes)).reshape(shape)


defop("sum_like", _sum_like_kernel, lambda inputs, params: [(inputs[1]._shape, inputs[0]._dtype)],
      grad=lambda op, dy: [broadcast_like(dy, op.inputs[0]), None])
defop("broadcast_like", lambda x, like: np.broadcast_to(x, like.shape),
      lambda inputs, params: [(broadcast_shapes(inputs[0]._shape, inputs[1]._shape, "broadcast_like"),
                               inputs[0]._dtype)],
      grad=lambda op, dy: [sum_like(dy, op.inputs[0]), None])


def _same_known_shape(a, b):
    # Equal static shapes with unknown dims (None) may still differ when the graph runs.
    return a._shape == b._shape and None not in a._shape


def sum_like(g, x):
    """Sums g over the axes along which x was broadcast, giving x's shape."""
    if _same_known_shape(g, x):
        return g
    return bind("sum_like", (g, x))


def broadcast_like(x, like):
    """Broadcasts x to the shape of `like` (known at run time)."""
    if _same_known_shape(x, like):
        return x
    return bind("broadcast_like", (x, like))


# -- unary ops -------------------------------------------------------------------------------------

def _erf(x):
    return np.frompyfunc(math.erf, 1, 1)(x).astype(x.dtype)


def _erfc(x):
    return np.frompyfunc(math.erfc, 1, 1)(x).astype(x.dtype)


_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def _sigmoid(x):
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype)


def _selu(x):
    return (_SELU_SCALE * np.where(x > 0, x, _SELU_ALPHA * np.expm1(np.minimum(x, 0)))).astype(x.dtype)


def _zero_grad(op, dy):
    return [zeros_like(op.inputs[0])]


# name: (numpy kernel, gradient(op, dy) -> [dx], allowed dtypes, what it computes)
UNARY = {
    "negative": (np.negative, lambda op, dy: [negative(dy)], SIGNED, "-x"),
    "abs": (np.abs, lambda op, dy: [dy * sign(op.inputs[0])], SIGNED, "|x|"),
    "sign": (np.sign, _zero_grad, SIGNED, "the sign of x (-1, 0 or 1)"),
    "exp": (np.exp, lambda op, dy: [dy * op.outputs[0]], FLOAT, "e**x"),
    "expm1": (np.expm1, lambda op, dy: [dy * (op.outputs[0] + 1)], FLOAT, "e**x - 1"),
    "log": (np.log, lambda op, dy: [dy / op.inputs[0]], FLOAT, "the natural logarithm"),
    "log1p": (np.log1p, lambda op, dy: [dy / (1 + op.inputs[0])], FLOAT, "log(1 + x)"),
    "sqrt": (np.sqrt, lambda op, dy: [dy / (2 * op.outputs[0])], FLOAT, "the square root"),
    "rsqrt": (lambda x: (1 / np.sqrt(x)).astype(x.dtype),
              lambda op, dy: [dy * (-0.5) * op.outputs[0] ** 3], FLOAT, "1 / sqrt(x)"),
    "square": (np.square, lambda op, dy: [dy * (2 * op.inputs[0])], NUMERIC, "x * x"),
    "reciprocal": (np.reciprocal, lambda op, dy: [negative(dy) * square(op.outputs[0])], FLOAT, "1 / x"),
    "sin": (np.sin, lambda op, dy: [dy * cos(op.inputs[0])], FLOAT, "the sine"),
    "cos": (np.cos, lambda op, dy: [negative(dy) * sin(op.inputs[0])], FLOAT, "the cosine"),
    "tan": (np.tan, lambda op, dy: [dy * (1 + square(op.outputs[0]))], FLOAT, "the tangent"),
    "asin": (np.arcsin, lambda op, dy: [dy * rsqrt(1 - square(op.inputs[0]))], FLOAT, "the arcsine"),
    "acos": (np.arccos, lambda op, dy: [negative(dy) * rsqrt(1 - square(op.inputs[0]))], FLOAT,
             "the arccosine"),
    "atan": (np.arctan, lambda op, dy: [dy / (1 + square(op.inputs[0]))], FLOAT, "the arctangent"),
    "sinh": (np.sinh, lambda op, dy: [dy * cosh(op.inputs[0])], FLOAT, "the hyperbolic sine"),
    "cosh": (np.cosh, lambda op, dy: [dy * sinh(op.inputs[0])], FLOAT, "the hyperbolic cosine"),
    "tanh": (np.tanh, lambda op, dy: [dy * (1 - square(op.outputs[0]))], FLOAT, "the hyperbolic tangent"),
    "asinh": (np.arcsinh, lambda op, dy: [dy * rsqrt(square(op.inputs[0]) + 1)], FLOAT, "the inverse sinh"),
    "acosh": (np.arccosh, lambda op, dy: [dy * rsqrt(square(op.inputs[0]) - 1)], FLOAT,
              "the inverse cosh"),
    "atanh": (np.arctanh, lambda op, dy: [dy / (1 - square(op.inputs[0]))], FLOAT, "the inverse tanh"),
    "sigmoid": (_sigmoid, lambda op, dy: [dy * op.outputs[0] * (1 - op.outputs[0])], FLOAT,
                "1 / (1 + exp(-x))"),
    "softplus": (lambda x: np.logaddexp(np.zeros((), x.dtype), x),
                 lambda op, dy: [dy * sigmoid(op.inputs[0])], FLOAT, "log(1 + exp(x))"),
    "softsign": (lambda x: x / (1 + np.abs(x)), lambda op, dy: [dy / square(1 + abs(op.inputs[0]))], FLOAT,
                 "x / (1 + |x|)"),
    "erf": (_erf, lambda op, dy: [dy * (2 / math.sqrt(math.pi)) * exp(negative(square(op.inputs[0])))], FLOAT,
            "the error function"),
    "erfc": (_erfc, lambda op, dy: [dy * (-2 / math.sqrt(math.pi)) * exp(negative(square(op.inputs[0])))], FLOAT,
             "1 - erf(x)"),
    "relu": (lambda x: np.maximum(x, np.zeros((), x.dtype)),
             lambda op, dy: [where(op.inputs[0] > 0, dy, zeros_like(dy))], NUMERIC, "max(x, 0)"),
    "elu": (lambda x: np.where(x > 0, x, np.expm1(np.minimum(x, 0))).astype(x.dtype),
            lambda op, dy: [where(op.inputs[0] > 0, dy, dy * (op.outputs[0] + 1))], FLOAT,
            "x if x > 0 else exp(x) - 1"),
    "selu": (_selu,
             lambda op, dy: [where(op.inputs[0] > 0, dy * _SELU_SCALE, dy * (op.outputs[0] + _SELU_SCALE * _SELU_ALPHA))],
             FLOAT, "scale * elu(x) with SELU's constants"),
    "round": (np.round, None, NUMERIC, "x rounded to the nearest integer, half to even"),
    "floor": (np.floor, None, FLOAT, "the largest integer not greater than x"),
    "ceil": (np.ceil, None, FLOAT, "the smallest integer not less than x"),
    "is_nan": (np.isnan, None, FLOAT, "whether x is NaN"),
    "is_inf": (np.isinf, None, FLOAT, "whether x is +-inf"),
    "is_finite": (np.isfinite, None, FLOAT, "whether x is finite"),
    "logical_not": (np.logical_not, None, BOOL, "not x"),
}
_BOOL_OUT = {"is_nan", "is_inf", "is_finite"}


def _make_unary(name, kernel, grad, allowed, what):
    if name in _BOOL_OUT:
        defop(name, kernel, lambda inputs, params: [(inputs[0]._shape, dtypes.bool)], grad)
    else:
        defop(name, kernel, same_infer, grad)

    def fn(x, name=None):
        x = to_tensor(x)
        if x._dtype not in allowed:
            check_dtype(x, allowed, op_name)
        return bind(op_name, (x,))
    op_name = name
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"Elementwise {what}.\n\n    >>> tf.math.{name}(tf.constant([0.5, 1.0]))\n    "
    return fn


for _name, _row in UNARY.items():
    globals()[_name] = _make_unary(_name, *_row)


# -- binary ops ------------------------------------------------------------------------------------

def _add_grad(op, dy):
    x, y = op.inputs
    return [sum_like(dy, x), sum_like(dy, y)]


def _sub_grad(op, dy):
    x, y = op.inputs
    return [sum_like(dy, x), sum_like(negative(dy), y)]


def _mul_grad(op, dy):
    x, y = op.inputs
    return [sum_like(dy * y, x), sum_like(x * dy, y)]


def _div_grad(op, dy):
    x, y = op.inputs
    return [sum_like(dy / y, x), sum_like(negative(dy) * x / (y * y), y)]


def _mod_grad(op, dy):
    x, y = op.inputs
    return [sum_like(dy, x), sum_like(negative(dy) * floordiv(x, y), y)]


def _pow_grad(op, dy):
    x, y = op.inputs
    z = op.outputs[0]
    dx = dy * y * pow(x, y - 1)
    safe_log = where(x > 0, log(where(x > 0, x, ones_like(x))), zeros_like(x))
    return [sum_like(dx, x), sum_like(dy * z * safe_log, y)]


def _minmax_grad(cmp):
    def grad(op, dy):
        x, y = op.inputs
        mask = cmp(x, y)
        zero = zeros_like(dy)
        return [sum_like(where(mask, dy, zero), x), sum_like(where(mask, zero, dy), y)]
    return grad


def _atan2_grad(op, dy):
    y, x = op.inputs
    denom = square(x) + square(y)
    return [sum_like(dy * x / denom, y), sum_like(negative(dy) * y / denom, x)]


def _floor_div(x, y):
    if x.dtype.kind in "iu" and np.any(y == 0):
        raise errors.InvalidArgumentError(None, "floordiv", "Integer division by zero [Op:floordiv]")
    return np.floor_divide(x, y)


def _floor_mod(x, y):
    if x.dtype.kind in "iu" and np.any(y == 0):
        raise errors.InvalidArgumentError(None, "floormod", "Integer division by zero [Op:floormod]")
    return np.mod(x, y)


# name: (numpy kernel, gradient, allowed dtypes, output dtype or None for the input's, public doc)
BINARY = {
    "add": (np.add, _add_grad, NUMERIC, None, "x + y"),
    "subtract": (np.subtract, _sub_grad, NUMERIC, None, "x - y"),
    "multiply": (np.multiply, _mul_grad, NUMERIC, None, "x * y"),
    "div": (np.true_divide, _div_grad, FLOAT, None, "x / y for floating tensors"),
    "floordiv": (_floor_div, None, NUMERIC, None, "floor(x / y)"),
    "floormod": (_floor_mod, _mod_grad, NUMERIC, None, "x - floor(x / y) * y"),
    "pow": (np.power, _pow_grad, NUMERIC, None, "x ** y"),
    "maximum": (np.maximum, _minmax_grad(lambda x, y: x >= y), NUMERIC, None, "max(x, y)"),
    "minimum": (np.minimum, _minmax_grad(lambda x, y: x <= y), NUMERIC, None, "min(x, y)"),
    "atan2": (np.arctan2, _atan2_grad, FLOAT, None, "atan(y / x) in the right quadrant"),
    "equal": (np.equal, None, ALL, dtypes.bool, "x == y"),
    "not_equal": (np.not_equal, None, ALL, dtypes.bool, "x != y"),
    "less": (np.less, None, NUMERIC, dtypes.bool, "x < y"),
    "less_equal": (np.less_equal, None, NUMERIC, dtypes.bool, "x <= y"),
    "greater": (np.greater, None, NUMERIC, dtypes.bool, "x > y"),
    "greater_equal": (np.greater_equal, None, NUMERIC, dtypes.bool, "x >= y"),
    "logical_and": (np.logical_and, None, BOOL, dtypes.bool, "x and y"),
    "logical_or": (np.logical_or, None, BOOL, dtypes.bool, "x or y"),
}


def _make_binary(name, kernel, grad, allowed, out_dtype, what):
    defop(name, kernel, binary_infer(name, out_dtype), grad)

    def fn(x, y, name=None):
        x, y = binary_operands(x, y, op_name)
        if x._dtype not in allowed:
            check_dtype(x, allowed, op_name)
        return bind(op_name, (x, y))
    op_name = name
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"Elementwise {what}, with broadcasting.\n\n    >>> tf.math.{name}(tf.constant([1., 2.]), 2.)\n    "
    return fn


for _name, _row in BINARY.items():
    globals()[_name] = _make_binary(_name, *_row)

sub = subtract
mul = multiply
floor_div = floordiv
floor_mod = mod = floormod
neg = negative
greater_than = greater


def divide(x, y, name=None):
    """x / y; integer tensors are first cast to floating point (TensorFlow's truediv).

    >>> tf.divide(tf.constant([1, 2]), 2)
    <tf.Tensor: shape=(2,), dtype=float64, numpy=array([0.5, 1. ])>
    """
    x, y = binary_operands(x, y, "truediv")
    if x._dtype.is_integer:
        target = dtypes.float32 if x._dtype.size <= 2 else dtypes.float64
        x, y = cast(x, target), cast(y, target)
    elif not x._dtype.is_floating:
        check_dtype(x, NUMERIC, "truediv")
    return bind("div", (x, y))


truediv = realdiv = divide


def divide_no_nan(x, y, name=None):
    """x / y, but 0 where y == 0."""
    x, y = binary_operands(x, y, "div_no_nan")
    zero = zeros_like(y)
    safe = where(equal(y, zero), ones_like(y), y)
    return where(equal(y, zero), zeros_like(divide(x, safe)), divide(x, safe))


def squared_difference(x, y, name=None):
    """(x - y) ** 2 elementwise."""
    return square(subtract(x, y))


def logical_xor(x, y, name=None):
    """x xor y for bool tensors."""
    return logical_and(logical_or(x, y), logical_not(logical_and(x, y)))


def pos(x):
    return to_tensor(x)


# -- activations composed from primitives ----------------------------------------------------------

def relu6(features, name=None):
    """min(max(x, 0), 6)."""
    x = to_tensor(features)
    return minimum(relu(x), 6)


def leaky_relu(features, alpha=0.2, name=None):
    """x if x > 0 else alpha * x.

    >>> tf.nn.leaky_relu(tf.constant([-1.0, 2.0]))
    """
    x = to_tensor(features)
    return bind("leaky_relu", (x,), {"alpha": float(alpha)})


defop("leaky_relu",
      lambda x, alpha: np.where(x > 0, x, x * np.asarray(alpha, x.dtype)).astype(x.dtype), same_infer,
      lambda op, dy: [where(op.inputs[0] > 0, dy, dy * op.params["alpha"])])


def gelu(features, approximate=False, name=None):
    """Gaussian error linear unit: x * Phi(x) (or its tanh approximation)."""
    x = to_tensor(features)
    if approximate:
        c = math.sqrt(2 / math.pi)
        return 0.5 * x * (1 + tanh(c * (x + 0.044715 * x ** 3)))
    return 0.5 * x * (1 + erf(x / math.sqrt(2)))


def silu(features, beta=1.0, name=None):
    """x * sigmoid(beta * x), also known as swish."""
    x = to_tensor(features)
    return x * sigmoid(beta * x) if beta != 1.0 else x * sigmoid(x)


swish = silu


def log_sigmoid(x, name=None):
    """log(sigmoid(x)), computed stably as -softplus(-x)."""
    return negative(softplus(negative(to_tensor(x))))


def clip_by_value(t, clip_value_min, clip_value_max, name=None):
    """Clamps t to [clip_value_min, clip_value_max].

    >>> tf.clip_by_value(tf.constant([-2., 0.5, 3.]), 0., 1.)
    """
    t = to_tensor(t)
    return minimum(maximum(t, clip_value_min), clip_value_max)


# -- where, cast, zeros/ones_like ------------------------------------------------------------------

def _where_infer(inputs, params):
    c, x, y = inputs
    if c._dtype is not dtypes.bool:
        raise TypeError(f"where: condition must be a bool tensor, got {c._dtype.name}")
    shape = broadcast_shapes(broadcast_shapes(c._shape, x._shape, "where"), y._shape, "where")
    return [(shape, x._dtype)]


def _where_grad(op, dy):
    c, x, y = op.inputs
    zero = zeros_like(dy)
    return [None, sum_like(where(c, dy, zero), x), sum_like(where(c, zero, dy), y)]


defop("where", lambda c, x, y: np.where(c, x, y), _where_infer, _where_grad)


def where(condition, x=None, y=None, name=None):
    """Picks x where condition is True and y elsewhere (broadcasting); with only condition, its indices.

    >>> tf.where([True, False], 1., 2.)
    <tf.Tensor: shape=(2,), dtype=float32, numpy=array([1., 2.], dtype=float32)>
    """
    condition = to_tensor(condition)
    if x is None and y is None:
        from .array_ops import where_indices
        return where_indices(condition)
    if x is None or y is None:
        raise ValueError("x and y must both be non-None or both be None.")
    x, y = binary_operands(x, y, "where")
    if condition._dtype is not dtypes.bool:
        raise TypeError(f"where: condition must be a bool tensor, got {condition._dtype.name}")
    return bind("where", (condition, x, y))


def _cast_kernel(x, dtype):
    return x.astype(dtype.as_numpy_dtype)


def _cast_grad(op, dy):
    src = op.inputs[0]._dtype
    if src.is_floating and op.params["dtype"].is_floating:
        return [cast(dy, src)]
    return [None]


defop("cast", _cast_kernel, lambda inputs, params: [(inputs[0]._shape, params["dtype"])], _cast_grad)


def cast(x, dtype, name=None):
    """Casts x to dtype (floats to ints truncate toward zero).

    >>> tf.cast(tf.constant([1.7, -1.7]), tf.int32)
    <tf.Tensor: shape=(2,), dtype=int32, numpy=array([ 1, -1], dtype=int32)>
    """
    dtype = dtypes.as_dtype(dtype)
    x = to_tensor(x) if not (isinstance(x, (int, float, bool, list, tuple, np.ndarray))) else _convert_for_cast(x)
    if x._dtype is dtype:
        return x
    return bind("cast", (x,), {"dtype": dtype})


def _convert_for_cast(x):
    from ..core.tensor import convert_to_tensor
    return convert_to_tensor(x)


def saturate_cast(value, dtype, name=None):
    """Casts, clamping to the target dtype's range first."""
    dtype = dtypes.as_dtype(dtype)
    value = to_tensor(value)
    if value._dtype.is_floating or dtype.min > value._dtype.min or dtype.max < value._dtype.max:
        lo = max(dtype.min, value._dtype.min)
        hi = min(dtype.max, value._dtype.max)
        value = clip_by_value(value, lo, hi)
    return cast(value, dtype)


defop("zeros_like", lambda x, dtype: np.zeros(x.shape, dtype.as_numpy_dtype),
      lambda inputs, params: [(inputs[0]._shape, params["dtype"])])
defop("ones_like", lambda x, dtype: np.ones(x.shape, dtype.as_numpy_dtype),
      lambda inputs, params: [(inputs[0]._shape, params["dtype"])])


def zeros_like(input, dtype=None, name=None):  # noqa: A002 - TensorFlow's argument name
    """A tensor of zeros with the shape (and dtype, unless given) of input."""
    x = to_tensor(input)
    return bind("zeros_like", (x,), {"dtype": dtypes.as_dtype(dtype) if dtype is not None else x._dtype})


def ones_like(input, dtype=None, name=None):  # noqa: A002
    """A tensor of ones with the shape (and dtype, unless given) of input."""
    x = to_tensor(input)
    return bind("ones_like", (x,), {"dtype": dtypes.as_dtype(dtype) if dtype is not None else x._dtype})


def add_n(inputs, name=None):
    """The elementwise sum of a list of tensors of the same shape and dtype."""
    if not inputs:
        raise ValueError("inputs must be a non-empty list of tensors")
    total = to_tensor(inputs[0])
    for t in inputs[1:]:
        total = add(total, t)
    return total


def scalar_mul(scalar, x, name=None):
    return multiply(scalar, x)


def is_non_decreasing(x, name=None):
    from .reduction_ops import reduce_all
    x = to_tensor(x)
    from .array_ops import reshape
    flat = reshape(x, [-1])
    return reduce_all(less_equal(flat[:-1], flat[1:]))
