"""TF1 graph-building functions: placeholder, constant, control_dependencies, group, no_op (and feed checks).

    x = tf.compat.v1.placeholder(tf.float32, shape=[None, 3])
    with tf.compat.v1.control_dependencies([update]):
        y = tf.identity(x)
"""
import numpy as np

from ... import dtypes, errors
from ...core import graph as _core_graph
from ...core.registry import OPS
from ...core.tensor import SymbolicTensor, Tensor as _EagerTensor, convert_to_tensor
from ...tensor_shape import TensorShape
from .graph import _graph_for_building, _shape_text, current_graph


# -- graph-building functions -----------------------------------------------------------------------

def placeholder(dtype, shape=None, name=None):
    """A graph input whose value is fed at run time: `sess.run(y, feed_dict={x: value})`.

    NOTE: webtensor's graph IR has no unknown-rank tensors, so `shape=None` builds a scalar-shaped
    placeholder that still accepts values of any shape when fed.

    >>> x = tf.compat.v1.placeholder(tf.float32, shape=[None, 3])
    """
    g = _graph_for_building("placeholder")
    dtype = dtypes.as_dtype(dtype)
    known = shape is not None and TensorShape(shape).rank is not None
    dims = tuple(TensorShape(shape).as_list()) if known else ()
    params = {"shape": dims, "dtype": dtype}
    if not known:
        params["unknown_rank"] = True
    return g.add_node(OPS["placeholder"], (), params, name=name or "Placeholder")


def placeholder_with_default(input, shape, name=None):  # noqa: A002 - TensorFlow's name
    """A tensor that is `input` unless a value is fed for it (any graph tensor can be fed)."""
    _graph_for_building("placeholder_with_default")
    from ...ops.array_ops import identity
    return identity(convert_to_tensor(input))


def constant(value, dtype=None, shape=None, name="Const", verify_shape=False):
    """A constant; in a graph, a `Const` node named as TF1 does (Const, Const_1, ...).

    >>> tf.compat.v1.constant(3.0)  # in graph mode
    Tensor("Const:0", shape=(), dtype=float32)
    """
    from ...core.state import init_scope
    from ...core.tensor import constant as eager_constant
    g = current_graph()
    if g is None:
        return eager_constant(value, dtype=dtype, shape=shape, name=name)
    if isinstance(value, SymbolicTensor) or hasattr(value, "_as_tensor"):
        t = convert_to_tensor(value)
        if dtype is not None and t.dtype != dtypes.as_dtype(dtype):
            from ...ops.math_ops import cast
            t = cast(t, dtype)
        return t
    with init_scope():
        t = eager_constant(value, dtype=dtype, shape=shape)
    return g.add_node(OPS["constant"], (), {"value": t}, name=name or "Const")


def _as_operation(x):
    """The Operation of an op or a tensor (what control_dependencies and group accept)."""
    if isinstance(x, _core_graph.Node):
        return x
    if isinstance(x, SymbolicTensor):
        return x._node
    if hasattr(x, "_v1_initializer") and hasattr(x, "_as_tensor"):   # a variable: depend on its value
        return x._as_tensor()._node
    if x is None:
        return None
    raise TypeError(f"Can not convert a {type(x).__name__} into an Operation: {x!r}")


class control_dependencies:  # noqa: N801 - TensorFlow's name
    """A context in which new ops run only after `control_inputs` (ops or tensors) have run.

    >>> with tf.compat.v1.control_dependencies([assign_op]):
    ...     y = tf.identity(v)
    """

    def __init__(self, control_inputs, graph=None):
        self._graph = graph
        self._ops = [op for op in (_as_operation(x) for x in (control_inputs or ())) if op is not None]
        self._clear = control_inputs is None

    def __enter__(self):
        g = self._graph or current_graph()
        self._entered = g
        if g is None:
            return None
        if self._clear:
            self._saved = g._control_stack
            g._control_stack = []
        else:
            g._control_stack.append(self._ops)
        return None

    def __exit__(self, *exc):
        g = self._entered
        if g is None:
            return False
        if self._clear:
            g._control_stack = self._saved
        else:
            g._control_stack.pop()
        return False


def no_op(name=None):
    """An op that does nothing (useful as a target of control dependencies)."""
    g = current_graph()
    if g is None:
        return None
    node, _ = g.add_op("no_op", node_name=name or "NoOp")
    return node


def group(*inputs, name=None):
    """An Operation that runs all of `inputs` (ops, tensors, or nested lists of them).

    >>> train = tf.compat.v1.group(update_w, update_b)
    """
    g = current_graph()
    if g is None:
        return None
    flat = []

    def walk(x):
        if isinstance(x, (list, tuple)):
            for y in x:
                walk(y)
        elif isinstance(x, dict):
            for y in x.values():
                walk(y)
        else:
            op = _as_operation(x)
            if op is not None:
                flat.append(op)
    walk(inputs)
    node, _ = g.add_op("no_op", node_name=name or "group_deps", control_inputs=flat)
    return node


def tuple_(tensors, name=None, control_inputs=None):
    """The tensors, each available only after all of them (and control_inputs) have been computed."""
    from ...ops.array_ops import identity
    ops = [_as_operation(t) for t in tensors if t is not None] + list(control_inputs or ())
    with control_dependencies(ops):
        return [None if t is None else identity(t) for t in tensors]


def check_feed(tensor, value):
    """The fed value as an eager tensor of the tensor's dtype, or ValueError naming both shapes."""
    if isinstance(value, _EagerTensor) and not isinstance(value, SymbolicTensor):
        value = value.numpy()
    arr = np.asarray(value)
    if arr.dtype.kind in "OSU":
        raise TypeError(f"Cannot feed a value of numpy dtype {arr.dtype} for Tensor {tensor.name!r} "
                        f"(dtype {tensor.dtype.name}): webtensor has no string tensors.")
    try:
        arr = arr.astype(tensor.dtype.as_numpy_dtype, copy=False)
    except (TypeError, ValueError) as e:
        raise ValueError(f"Cannot feed value {value!r} for Tensor {tensor.name!r} of dtype {tensor.dtype.name}") \
            from e
    node = tensor._node
    if not node.params.get("unknown_rank") and not TensorShape(tensor._shape).is_compatible_with(arr.shape):
        raise ValueError(f"Cannot feed value of shape {arr.shape} for Tensor {tensor.name!r}, which has shape "
                         f"{_shape_text(tensor._shape)!r}")
    return convert_to_tensor(arr)


def unfed_placeholder_error(node):
    """TensorFlow's error for running a placeholder nobody fed."""
    dtype = node.params["dtype"]
    name = {"float32": "float", "float64": "double"}.get(dtype.name, dtype.name)
    shape = "" if node.params.get("unknown_rank") else \
        " and shape [" + ",".join("?" if d is None else str(d) for d in node.params["shape"]) + "]"
    return errors.InvalidArgumentError(
        None, node.name, f"You must feed a value for placeholder tensor '{node.name}' with dtype {name}{shape}\n"
        f"\t [[{{{{node {node.name}}}}}]]")
