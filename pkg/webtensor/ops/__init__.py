"""The op library. Importing it registers every primitive and installs the Tensor operators."""
from . import array_ops, control_flow_ops, linalg_ops, math_ops, nn_ops, random_ops, reduction_ops  # noqa: F401
from . import operators  # noqa: F401
