"""webtensor: a TensorFlow-compatible tensor, autodiff and training library in pure Python.

    import webtensor as tf
    x = tf.constant([[1., 2.], [3., 4.]])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.reduce_sum(x @ x)
    tape.gradient(y, x)
"""
__version__ = "0.1.0"

from . import backends as _backends  # noqa: F401  (sets the default backend)
from . import dtypes, errors, nest  # noqa: F401
from . import ops as _ops  # noqa: F401  (registers every op)
from .core.custom_gradient import custom_gradient  # noqa: F401
from .core.function import function  # noqa: F401
from .core.module import Module  # noqa: F401
from .core.state import executing_eagerly, init_scope, name_scope  # noqa: F401
from .core.tape import GradientTape, UnconnectedGradients  # noqa: F401
from .core.tensor import Tensor, constant, convert_to_tensor, is_tensor  # noqa: F401
from .core.variable import Variable  # noqa: F401
from .dtypes import (DType, as_dtype, bool, double, float16, float32, float64, half, int8, int16,  # noqa: F401,A004
                     int32, int64, uint8, uint16, uint32, uint64)
from .ops.array_ops import (concat, identity, pad, repeat, reverse, split, stack, stop_gradient, tile,  # noqa: F401
                            unstack)
from .ops.constructor_ops import eye, fill, linspace, ones, zeros  # noqa: F401
from .ops.constructor_ops import range_ as range  # noqa: F401,A004
from .ops.indexing_ops import (boolean_mask, gather, gather_nd, one_hot, scatter_nd, tensor_scatter_nd_add,  # noqa: F401
                               tensor_scatter_nd_update)
from .ops.linalg_ops import einsum, matmul, tensordot  # noqa: F401
from .ops.math_ops import (abs, add, add_n, cast, clip_by_value, cos, divide, equal, exp, greater,  # noqa: F401,A004
                           greater_equal, less, less_equal, logical_and, logical_not, logical_or, maximum, minimum,
                           multiply, negative, not_equal, ones_like, pow, realdiv, round, saturate_cast, sigmoid,
                           sign, sin, sqrt, square, subtract, tan, tanh, truediv, where, zeros_like)
from .ops.reduction_ops import (argmax, argmin, cumsum, norm, reduce_all, reduce_any,  # noqa: F401
                                reduce_logsumexp, reduce_max, reduce_mean, reduce_min, reduce_prod, reduce_std,
                                reduce_sum, reduce_variance)
from .ops.shape_ops import (broadcast_static_shape, broadcast_to, expand_dims, rank, reshape, shape,  # noqa: F401
                            shape_n, size, squeeze, transpose)
from .ops.slice_ops import slice, strided_slice  # noqa: F401,A004
from .ops.sort_ops import argsort, sort  # noqa: F401
from .tensor_shape import TensorShape, TensorSpec  # noqa: F401
from . import config, linalg, math, nn, random  # noqa: F401,E402
from .ops.control_flow_ops import *  # noqa: F401,F403,E402
from .backends import device  # noqa: F401,E402

newaxis = None
from . import keras  # noqa: E402,F401
from . import data  # noqa: E402,F401
from . import summary  # noqa: E402,F401
from . import saved_model, train  # noqa: E402,F401
from . import compat  # noqa: E402,F401
