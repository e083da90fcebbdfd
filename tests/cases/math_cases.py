"""Elementwise ops: unary and binary families, comparisons, logic, where, cast."""
import math

import numpy as np

from webtensor.ops import math_ops

from . import OpCase, positive, rand

_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def _away_from_zero(*shape, seed=0):
    """Values in [-2, -0.3] U [0.3, 2]: clear of the kinks at 0 (abs, relu, elu...)."""
    x = rand(*shape, low=0.3, high=2.0, seed=seed)
    signs = np.where(rand(*shape, seed=seed + 1) > 0, 1.0, -1.0)
    return x * signs


def _erf(x):
    return np.vectorize(math.erf)(x)


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


# name: (reference, input for forward and gradient, float32 rtol or None)
# Transcendental ops get rtol 1e-4 in float32: kernels on other backends (WGSL's exp/log/tanh)
# are specified to a few ulps, not correctly rounded, and errors grow through sinh/cosh/tan.
_T = 1e-4
UNARY = {
    "negative": (np.negative, rand(3, 4), None),
    "abs": (np.abs, _away_from_zero(3, 4), None),
    "sign": (np.sign, _away_from_zero(3, 4), None),
    "exp": (np.exp, rand(3, 4), _T),
    "expm1": (np.expm1, rand(3, 4), _T),
    "log": (np.log, positive(3, 4), _T),
    "log1p": (np.log1p, rand(3, 4, low=-0.5, high=2.0), _T),
    "sqrt": (np.sqrt, positive(3, 4), None),
    "rsqrt": (lambda x: 1 / np.sqrt(x), positive(3, 4), None),
    "square": (np.square, rand(3, 4), None),
    "reciprocal": (lambda x: 1 / x, _away_from_zero(3, 4), None),
    "sin": (np.sin, rand(3, 4, low=-3, high=3), _T),
    "cos": (np.cos, rand(3, 4, low=-3, high=3), _T),
    "tan": (np.tan, rand(3, 4, low=-1.2, high=1.2), _T),
    "asin": (np.arcsin, rand(3, 4, low=-0.9, high=0.9), _T),
    "acos": (np.arccos, rand(3, 4, low=-0.9, high=0.9), _T),
    "atan": (np.arctan, rand(3, 4, low=-3, high=3), _T),
    "sinh": (np.sinh, rand(3, 4, low=-2, high=2), _T),
    "cosh": (np.cosh, rand(3, 4, low=-2, high=2), _T),
    "tanh": (np.tanh, rand(3, 4, low=-2, high=2), _T),
    "asinh": (np.arcsinh, rand(3, 4, low=-3, high=3), _T),
    "acosh": (np.arccosh, rand(3, 4, low=1.2, high=4), _T),
    "atanh": (np.arctanh, rand(3, 4, low=-0.9, high=0.9), _T),
    "sigmoid": (_sigmoid, rand(3, 4, low=-4, high=4), _T),
    "softplus": (lambda x: np.log1p(np.exp(x)), rand(3, 4, low=-4, high=4), _T),
    "softsign": (lambda x: x / (1 + np.abs(x)), _away_from_zero(3, 4), None),
    "erf": (_erf, rand(3, 4, low=-2, high=2), _T),
    "erfc": (lambda x: 1 - _erf(x), rand(3, 4, low=-2, high=2), _T),
    "relu": (lambda x: np.maximum(x, 0), _away_from_zero(3, 4), None),
    "elu": (lambda x: np.where(x > 0, x, np.expm1(x)), _away_from_zero(3, 4), _T),
    "selu": (lambda x: _SELU_SCALE * np.where(x > 0, x, _SELU_ALPHA * np.expm1(x)), _away_from_zero(3, 4), _T),
}


def _unary_fn(name):
    return lambda tf, x: getattr(tf.math, name)(x)


CASES = [OpCase(name, _unary_fn(name), [x], ref, rtol=rtol) for name, (ref, x, rtol) in UNARY.items()]

CASES += [
    # Unary ops with large inputs and special values
    OpCase("sigmoid", lambda tf, x: tf.math.sigmoid(x), [np.array([-80.0, -30.0, 0.0, 30.0, 80.0])], _sigmoid,
           name="sigmoid_saturates", grad=False),
    OpCase("softplus", lambda tf, x: tf.math.softplus(x), [np.array([-50.0, -10.0, 0.0, 10.0, 50.0])],
           lambda x: np.logaddexp(0, x), name="softplus_large", grad=False),
    OpCase("leaky_relu", lambda tf, x: math_ops.leaky_relu(x, alpha=0.3), [_away_from_zero(3, 4)],
           lambda x: np.where(x > 0, x, 0.3 * x)),
    # Integer unary ops (integer inputs are not cast)
    OpCase("negative", lambda tf, x: -x, [np.array([[3, -2], [0, 7]], np.int32)], np.negative,
           name="negative_int32", dtypes=("float32",)),
    OpCase("abs", lambda tf, x: tf.abs(x), [np.array([-5, 0, 9], np.int64)], np.abs, name="abs_int64",
           dtypes=("float32",)),
    OpCase("sign", lambda tf, x: tf.sign(x), [np.array([-5, 0, 9], np.int32)], np.sign, name="sign_int32",
           dtypes=("float32",)),
    OpCase("square", lambda tf, x: tf.square(x), [np.array([-5, 0, 9], np.int32)], np.square, name="square_int32",
           dtypes=("float32",)),
    OpCase("relu", lambda tf, x: tf.nn.relu(x) if hasattr(tf.nn, "relu") else math_ops.relu(x),
           [np.array([-5, 0, 9], np.int32)], lambda x: np.maximum(x, 0), name="relu_int32", dtypes=("float32",)),
    # Rounding (no gradient); halves round to even as in TensorFlow
    OpCase("round", lambda tf, x: tf.round(x), [np.array([-2.5, -1.5, -0.4, 0.5, 1.5, 2.5, 2.6])], np.round,
           grad=False),
    OpCase("round", lambda tf, x: tf.round(x), [np.array([-3, 4], np.int32)], lambda x: x, name="round_int32",
           dtypes=("float32",)),
    OpCase("floor", lambda tf, x: tf.math.floor(x), [rand(3, 4, low=-3, high=3)], np.floor, grad=False),
    OpCase("ceil", lambda tf, x: tf.math.ceil(x), [rand(3, 4, low=-3, high=3)], np.ceil, grad=False),
    # Predicates on special values
    OpCase("is_nan", lambda tf, x: tf.math.is_nan(x), [np.array([0.0, np.nan, np.inf, -np.inf, -1.0])], np.isnan,
           grad=False),
    OpCase("is_inf", lambda tf, x: tf.math.is_inf(x), [np.array([0.0, np.nan, np.inf, -np.inf, -1.0])], np.isinf,
           grad=False),
    OpCase("is_finite", lambda tf, x: tf.math.is_finite(x), [np.array([0.0, np.nan, np.inf, -np.inf, -1.0])],
           np.isfinite, grad=False),
    OpCase("logical_not", lambda tf, x: tf.logical_not(x), [np.array([[True, False], [False, False]])],
           np.logical_not),
]


# -- binary ops: every broadcasting form --------------------------------------------------------------

# shape pairs: same, scalar, row, column, rank mismatch, both broadcast
BROADCASTS = {
    "same": ((3, 4), (3, 4)),
    "scalar": ((3, 4), ()),
    "row": ((3, 4), (1, 4)),
    "column": ((3, 4), (3, 1)),
    "rank": ((2, 3, 4), (4,)),
    "outer": ((3, 1), (1, 4)),
}


def _inputs(shapes, make_x, make_y):
    return [make_x(*shapes[0]), make_y(*shapes[1], seed=5)]


# name: (fn, reference, x maker, y maker, float32 rtol)
BINARY = {
    "add": (lambda tf, x, y: x + y, np.add, rand, rand, None),
    "subtract": (lambda tf, x, y: x - y, np.subtract, rand, rand, None),
    "multiply": (lambda tf, x, y: x * y, np.multiply, rand, rand, None),
    "div": (lambda tf, x, y: x / y, np.divide, rand, lambda *s, seed: positive(*s, seed=seed), None),
    "pow": (lambda tf, x, y: x ** y, np.power, lambda *s: positive(*s), rand, _T),
    "maximum": (lambda tf, x, y: tf.maximum(x, y), np.maximum, rand, rand, None),
    "minimum": (lambda tf, x, y: tf.minimum(x, y), np.minimum, rand, rand, None),
    "atan2": (lambda tf, y, x: tf.math.atan2(y, x), np.arctan2, rand, rand, _T),
}

for _op, (_fn, _ref, _mx, _my, _rtol) in BINARY.items():
    for _form, _shapes in BROADCASTS.items():
        CASES.append(OpCase((_op, "sum_like"), _fn, _inputs(_shapes, _mx, _my), _ref, name=f"{_op}_{_form}",
                            rtol=_rtol))

CASES += [
    # floormod is differentiable away from its jumps: keep x / y away from integers
    OpCase(("floormod", "sum_like"), lambda tf, x, y: x % y,
           [np.array([[-3.3, -1.2, 0.4, 2.6], [5.3, -5.3, 7.7, -0.6]]), np.array([2.0, -2.0, 1.5, 3.0])],
           np.mod, name="floormod_row"),
    OpCase("floormod", lambda tf, x, y: x % y,
           [np.array([-7, -3, 0, 3, 7], np.int32), np.array([3, -3, 2, 3, -2], np.int32)],
           np.mod, name="floormod_int32", dtypes=("float32",)),
    OpCase("floordiv", lambda tf, x, y: x // y,
           [np.array([[-3.3, -1.2, 0.4, 2.6], [5.3, -5.3, 7.7, -0.6]]), np.array([2.0, -2.0, 1.5, 3.0])],
           np.floor_divide, grad=False),
    OpCase("floordiv", lambda tf, x, y: x // y, [np.array([-7, -3, 0, 3, 7], np.int64), np.array(2, np.int64)],
           np.floor_divide, name="floordiv_int64_scalar", dtypes=("float32",)),
    OpCase("floordiv", lambda tf, x, y: x // y, [np.array([-7, -3, 0, 3, 7], np.int32),
                                                 np.array([-2, 2, -2, -2, 3], np.int32)],
           np.floor_divide, name="floordiv_int32_negative", dtypes=("float32",)),
    # Integer binary ops keep their dtype; int / int is float64 (TensorFlow's truediv)
    OpCase("add", lambda tf, x, y: x + y, [np.arange(6, dtype=np.int32).reshape(2, 3), np.array([1, -2, 3], np.int32)],
           np.add, name="add_int32_row", dtypes=("float32",)),
    OpCase("subtract", lambda tf, x, y: x - y, [np.arange(6, dtype=np.int64).reshape(2, 3),
                                                np.array([[1], [-2]], np.int64)],
           np.subtract, name="subtract_int64_column", dtypes=("float32",)),
    OpCase("multiply", lambda tf, x, y: x * y, [np.arange(6, dtype=np.int32).reshape(2, 3), np.array(-3, np.int32)],
           np.multiply, name="multiply_int32_scalar", dtypes=("float32",)),
    OpCase(("cast", "div"), lambda tf, x, y: x / y, [np.array([1, -7, 9], np.int32), np.array([2, 2, -4], np.int32)],
           lambda x, y: (x / y).astype(np.float64), name="truediv_int32", dtypes=("float32",)),
    OpCase("pow", lambda tf, x, y: x ** y, [np.array([2, -3, 5], np.int32), np.array([3, 2, 0], np.int32)],
           np.power, name="pow_int32", dtypes=("float32",)),
    OpCase("maximum", lambda tf, x, y: tf.maximum(x, y), [np.array([[1, 5], [-2, 0]], np.int64),
                                                           np.array([0, 3], np.int64)],
           np.maximum, name="maximum_int64", dtypes=("float32",)),
    OpCase("minimum", lambda tf, x, y: tf.minimum(x, y), [np.array([[1, 5], [-2, 0]], np.int32),
                                                           np.array([0, 3], np.int32)],
           np.minimum, name="minimum_int32", dtypes=("float32",)),
    # Python scalars adapt to the tensor's dtype
    OpCase("add", lambda tf, x: 2 + x * 3 - 1, [np.array([1, 2, 3], np.int32)], lambda x: 2 + x * 3 - 1,
           name="python_scalars_int32", dtypes=("float32",)),
    OpCase(("multiply", "add", "subtract", "div"), lambda tf, x: (1.5 - x) * 2.0 + 1 / (x + 3.0),
           [rand(2, 3)], lambda x: (1.5 - x) * 2.0 + 1 / (x + 3.0), name="python_scalars_float"),
]


# -- comparisons and logic ---------------------------------------------------------------------------

# Exactly representable values so float32 and float64 agree on ties
_CMP_X = np.array([[0.5, -1.0, 2.0, 3.25], [1.0, 1.0, -2.5, 0.0]])
_CMP_Y = np.array([1.0, -1.0, 2.5, 0.0])
_CMP_INT_X = np.array([[1, -1, 2, 3], [4, 0, -2, 0]], np.int32)
_CMP_INT_Y = np.array([[1], [0]], np.int32)

COMPARISONS = {
    "equal": (lambda tf, x, y: tf.equal(x, y), np.equal),
    "not_equal": (lambda tf, x, y: tf.not_equal(x, y), np.not_equal),
    "less": (lambda tf, x, y: x < y, np.less),
    "less_equal": (lambda tf, x, y: x <= y, np.less_equal),
    "greater": (lambda tf, x, y: x > y, np.greater),
    "greater_equal": (lambda tf, x, y: x >= y, np.greater_equal),
}
for _op, (_fn, _ref) in COMPARISONS.items():
    CASES.append(OpCase(_op, _fn, [_CMP_X, _CMP_Y], _ref, grad=False))
    CASES.append(OpCase(_op, _fn, [_CMP_INT_X, _CMP_INT_Y], _ref, name=f"{_op}_int32_column", dtypes=("float32",)))

_BOOL_X = np.array([[True, False, True, False], [True, True, False, False]])
_BOOL_Y = np.array([True, False, False, True])
CASES += [
    OpCase("equal", lambda tf, x: tf.equal(x, 2.0), [_CMP_X], lambda x: x == 2.0, name="equal_python_scalar",
           grad=False),
    OpCase("equal", lambda tf, x, y: tf.equal(x, y), [_BOOL_X, _BOOL_Y], np.equal, name="equal_bool"),
    OpCase("not_equal", lambda tf, x, y: tf.not_equal(x, y), [_BOOL_X, _BOOL_Y], np.not_equal, name="not_equal_bool"),
    OpCase("logical_and", lambda tf, x, y: tf.logical_and(x, y), [_BOOL_X, _BOOL_Y], np.logical_and),
    OpCase("logical_or", lambda tf, x, y: tf.logical_or(x, y), [_BOOL_X, _BOOL_Y], np.logical_or),
    OpCase(("logical_and", "logical_or", "logical_not"), lambda tf, x, y: tf.math.logical_xor(x, y),
           [_BOOL_X, _BOOL_Y], np.logical_xor, name="logical_xor"),
    OpCase(("logical_and", "logical_or", "logical_not"), lambda tf, x, y: [x & y, x | y, x ^ y, ~x],
           [_BOOL_X, _BOOL_Y], lambda x, y: [x & y, x | y, x ^ y, ~x], name="bool_operators"),
    OpCase("logical_and", lambda tf, x: tf.logical_and(x, True), [_BOOL_X], lambda x: x,
           name="logical_and_python_scalar"),
]


# -- where ---------------------------------------------------------------------------------------------

_COND = np.array([[True, False, True, False], [False, False, True, True], [True, True, False, True]])
CASES += [
    OpCase(("where", "sum_like"), lambda tf, c, x, y: tf.where(c, x, y), [_COND, rand(3, 4), rand(3, 4, seed=2)],
           np.where),
    OpCase(("where", "sum_like"), lambda tf, c, x, y: tf.where(c, x, y), [_COND, rand(4), rand(3, 1, seed=2)],
           np.where, name="where_broadcast_xy"),
    OpCase(("where", "sum_like"), lambda tf, c, x, y: tf.where(c, x, y), [_COND[:, :1], rand(3, 4), rand(seed=2)],
           np.where, name="where_broadcast_condition"),
    OpCase("where", lambda tf, c, x: tf.where(c, x, -1), [_COND, np.arange(12, dtype=np.int32).reshape(3, 4)],
           lambda c, x: np.where(c, x, -1), name="where_int32_scalar", dtypes=("float32",)),
]


# -- cast ----------------------------------------------------------------------------------------------

_TO_CAST = np.array([-2.7, -1.2, -0.5, 0.0, 0.5, 1.5, 3.9])
CASES += [
    OpCase("cast", lambda tf, x: tf.cast(x, tf.int32), [_TO_CAST], lambda x: np.trunc(x).astype(np.int32),
           name="cast_float_to_int32", grad=False),
    OpCase("cast", lambda tf, x: tf.cast(x, tf.int64), [_TO_CAST], lambda x: np.trunc(x).astype(np.int64),
           name="cast_float_to_int64", grad=False),
    OpCase("cast", lambda tf, x: tf.cast(x, tf.bool), [_TO_CAST], lambda x: x != 0, name="cast_float_to_bool",
           grad=False),
    OpCase("cast", lambda tf, x: tf.cast(x, tf.float16), [_TO_CAST], lambda x: x.astype(np.float16),
           name="cast_float_to_float16", grad=False),
    OpCase("cast", lambda tf, x: tf.cast(x, tf.float32), [np.array([[-3, 0, 7]], np.int32)],
           lambda x: x.astype(np.float32), name="cast_int32_to_float32", dtypes=("float32",)),
    OpCase("cast", lambda tf, x: tf.cast(x, tf.float64), [np.array([-3, 0, 7], np.int64)],
           lambda x: x.astype(np.float64), name="cast_int64_to_float64", dtypes=("float32",)),
    OpCase("cast", lambda tf, x: tf.cast(x, tf.int64), [np.array([-3, 0, 7], np.int32)],
           lambda x: x.astype(np.int64), name="cast_int32_to_int64", dtypes=("float32",)),
    OpCase("cast", lambda tf, x: tf.cast(x, tf.bool), [np.array([-3, 0, 7], np.int32)], lambda x: x != 0,
           name="cast_int32_to_bool", dtypes=("float32",)),
    OpCase("cast", lambda tf, x: [tf.cast(x, tf.float32), tf.cast(x, tf.int32)], [np.array([True, False, True])],
           lambda x: [x.astype(np.float32), x.astype(np.int32)], name="cast_bool_to_numbers"),
    # The gradient of a float cast is the cast of dy back. float64 -> float32 rounds x by ~6e-8
    # relative, so the finite difference needs a large step (exact here: the function is linear).
    OpCase("cast", lambda tf, x: tf.cast(tf.cast(x, tf.float32), tf.float64), [rand(2, 3)], lambda x: x,
           name="cast_float_round_trip", dtypes=("float32",), eps=1e-2, grad_rtol=1e-4, grad_atol=1e-5),
]


# -- zeros_like / ones_like / sum_like / broadcast_like ---------------------------------------------

CASES += [
    OpCase("zeros_like", lambda tf, x: tf.zeros_like(x), [rand(2, 3)], np.zeros_like, grad=False),
    OpCase("zeros_like", lambda tf, x: tf.zeros_like(x, dtype=tf.int64), [rand(2, 3)],
           lambda x: np.zeros(x.shape, np.int64), name="zeros_like_dtype", grad=False),
    OpCase("ones_like", lambda tf, x: tf.ones_like(x), [rand(2, 3)], np.ones_like, grad=False),
    OpCase("ones_like", lambda tf, x: tf.ones_like(x), [np.array([[True, False]])], np.ones_like,
           name="ones_like_bool"),
    # Gradient helpers, called directly: sum_like undoes broadcasting, broadcast_like applies it
    OpCase("sum_like", lambda tf, g, x: math_ops.sum_like(g, x), [rand(2, 3, 4), rand(3, 1, seed=1)],
           lambda g, x: g.sum(axis=0).sum(axis=1, keepdims=True), grad=(0,)),
    OpCase("sum_like", lambda tf, g, x: math_ops.sum_like(g, x), [rand(2, 3, 4), rand(seed=1)],
           lambda g, x: g.sum(), name="sum_like_scalar", grad=(0,)),
    OpCase("broadcast_like", lambda tf, x, like: math_ops.broadcast_like(x, like), [rand(3, 1), rand(2, 3, 4, seed=1)],
           lambda x, like: np.broadcast_to(x, like.shape), grad=(0,)),
    OpCase("broadcast_like", lambda tf, x, like: math_ops.broadcast_like(x, like), [rand(), rand(2, 3, seed=1)],
           lambda x, like: np.broadcast_to(x, like.shape), name="broadcast_like_scalar", grad=(0,)),
]
