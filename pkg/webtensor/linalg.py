"""tf.linalg: matrix products."""
from .ops.constructor_ops import eye  # noqa: F401
from .ops.linalg_ops import einsum, matmul, matvec, tensordot, trace  # noqa: F401
from .ops.reduction_ops import norm  # noqa: F401
