"""The op library. Importing it registers every primitive and installs the Tensor operators."""
from . import (array_ops, constructor_ops, control_flow_ops, conv_ops, indexing_ops, linalg_ops,  # noqa: F401
               logging_ops, math_ops, nn_ops, pool_ops, random_ops, reduction_ops, shape_ops, slice_ops, sort_ops,
               while_ops)
from . import operators  # noqa: F401
