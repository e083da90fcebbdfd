"""tf.math: elementwise math, reductions and segment ops."""
from .ops.indexing_ops import unsorted_segment_sum  # noqa: F401
from .ops.linalg_ops import einsum  # noqa: F401
from .ops.math_ops import *  # noqa: F401,F403
from .ops.math_ops import (UNARY, BINARY, abs, acos, acosh, add, add_n, asin, asinh, atan, atan2, atanh,  # noqa: F401
                           ceil, cos, cosh, divide, divide_no_nan, equal, erf, erfc, exp, expm1, floor, floordiv,
                           floormod, greater, greater_equal, is_finite, is_inf, is_nan, less, less_equal, log,
                           log1p, log_sigmoid, logical_and, logical_not, logical_or, logical_xor, maximum, minimum,
                           mod, multiply, negative, not_equal, pow, reciprocal, round, rsqrt, scalar_mul, sigmoid,
                           sign, sin, sinh, softplus, softsign, sqrt, square, squared_difference, subtract, tan, tanh,
                           truediv)
from .ops.reduction_ops import (argmax, argmin, count_nonzero, cumprod, cumsum, reduce_all, reduce_any,  # noqa: F401
                                reduce_euclidean_norm, reduce_logsumexp, reduce_max, reduce_mean, reduce_min,
                                reduce_prod, reduce_std, reduce_sum, reduce_variance)
from .ops.sort_ops import argsort, top_k  # noqa: F401

del UNARY, BINARY
