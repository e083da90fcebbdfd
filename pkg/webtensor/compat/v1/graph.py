"""TF1 graphs: tf.compat.v1.Graph, default graphs, placeholders, constants, control dependencies.

A compat.v1 Graph is webtensor's Graph IR (the one tf.function records) with TF1
trimmings: its tensors print as `Tensor("add:0", shape=(), dtype=float32)`, its
nodes are Operations that a Session can run, and it holds collections (global
variables, initializers) and control dependencies. While a compat.v1 Graph is
`state.graph`, every webtensor op adds a node to it instead of running.
"""
import contextlib

import numpy as np

from ... import dtypes
from ...core import graph as _core_graph
from ...core.registry import OpDef
from ...core.state import state
from ...core.tensor import SymbolicTensor


class Operation(_core_graph.Node):
    """A node of a TF1 graph (`tensor.op`): run it with `sess.run(op)` or `op.run()`.

    >>> init = tf.compat.v1.global_variables_initializer()
    >>> sess.run(init)  # returns None
    """

    __slots__ = ()

    @property
    def control_inputs(self):
        return list(self.graph._control_inputs.get(id(self), ()))

    def values(self):
        return tuple(self.outputs)

    def run(self, feed_dict=None, session=None):
        """Runs this operation in `session` (default: the default session)."""
        from .session import _session_for
        _session_for(session, self.graph).run(self, feed_dict=feed_dict)

    def __repr__(self):
        return f"<tf.Operation '{self.name}' type={_tf_type(self)}>"


def _tf_type(node):
    from ...summary.graph_def import tf_op_name
    return tf_op_name(node)


class Tensor(SymbolicTensor):
    """A tensor of a TF1 graph: a handle on a value that a Session computes.

    >>> a = tf.compat.v1.constant(3.0)
    >>> print(a)
    Tensor("Const:0", shape=(), dtype=float32)
    """

    __slots__ = ()

    def eval(self, feed_dict=None, session=None):
        """Computes this tensor in `session` (default: the default session)."""
        from .session import _session_for
        return _session_for(session, self._node.graph).run(self, feed_dict=feed_dict)

    def consumers(self):
        return [n for n in self._node.graph.nodes if any(i is self for i in n.inputs)]

    # TF1 tensors compare by identity, so they can be dict keys (feed_dict) and list members.
    def __eq__(self, other):
        return self is other

    def __ne__(self, other):
        return self is not other

    def __hash__(self):
        return id(self)

    def __repr__(self):
        return f'Tensor("{self.name}", shape={_shape_text(self._shape)}, dtype={self._dtype.name})'

    __str__ = __repr__


def _shape_text(shape):
    if len(shape) == 1:
        return f"({'?' if shape[0] is None else shape[0]},)"
    return "(" + ", ".join("?" if d is None else str(d) for d in shape) + ")"


class Graph(_core_graph.Graph):
    """A TF1 computation graph: build ops into it under `as_default()`, run them with a Session.

    >>> g = tf.compat.v1.Graph()
    >>> with g.as_default():
    ...     c = tf.compat.v1.constant(1.0)
    >>> c.graph is g
    True
    """

    tensor_class = Tensor  # graph tensors print the TF1 way: Tensor("add:0", shape=(), dtype=float32)

    def __init__(self):
        super().__init__("graph")
        self._collections = {}
        self._control_inputs = {}    # id(node) -> [Operation] it must run after
        self._control_stack = []     # lists of Operations from enclosing control_dependencies blocks
        self._initializers = {}      # id(variable) -> its initializer Operation
        self._var_store = {}         # full name -> variable created by get_variable
        self._finalized = False
        self.seed = None

    # -- node creation hooks -------------------------------------------------------------------------

    def _make_outputs(self, node, avals):
        if self._finalized:
            raise RuntimeError("Graph is finalized and cannot be modified.")
        # NOTE: every node of this graph is created by the core Graph and passes here once; giving it the
        # Operation class (same slots) makes it runnable without copying the core node constructors.
        node.__class__ = Operation
        outs = super()._make_outputs(node, avals)
        if self._control_stack:
            deps = [op for group in self._control_stack for op in group]
            if deps:
                self._control_inputs[id(node)] = deps
        return outs

    def read_variable(self, var):
        if id(var) not in self._initializers and not is_rng_state(var):
            register_variable(self, var, None)
        return super().read_variable(var)

    def capture(self, t):
        if isinstance(t, SymbolicTensor):
            if t._node.graph is self:
                return t
            if isinstance(t._node.graph, Graph):
                raise ValueError(f"Tensor {t.name} must be from the same graph as the tensors it is combined with "
                                 f"(it belongs to another tf.compat.v1.Graph).")
        return super().capture(t)

    def add_op(self, name, inputs=(), params=None, avals=(), control_inputs=(), node_name=None):
        """Adds a TF1-only node (no_op, iterator ops...) that only a Session runs; returns (node, outputs)."""
        op = _V1_OPS.get(name)
        if op is None:
            op = _V1_OPS[name] = OpDef(name, None, _no_infer, None, 0, True)
        ins = tuple(self.capture(t) for t in inputs)
        node = _core_graph.Node(self, self.unique_name(node_name or name), op, ins, params or {})
        outs = self._make_outputs(node, list(avals))
        self.nodes.append(node)
        if control_inputs:
            self._control_inputs.setdefault(id(node), []).extend(control_inputs)
        return node, outs

    # -- TF1 graph API -------------------------------------------------------------------------------

    def as_default(self):
        """A context in which this graph is the default: ops created inside add nodes to it."""
        return _as_default(self)

    def finalize(self):
        self._finalized = True

    @property
    def finalized(self):
        return self._finalized

    def control_dependencies(self, control_inputs):
        from .building import control_dependencies
        return control_dependencies(control_inputs, graph=self)

    def name_scope(self, name):
        from ...core.state import name_scope
        return name_scope(name)

    def get_operations(self):
        return list(self.nodes)

    def get_operation_by_name(self, name):
        for node in self.nodes:
            if node.name == name:
                return node
        raise KeyError(f"The name '{name}' refers to an Operation not in the graph.")

    def get_tensor_by_name(self, name):
        op_name, _, index = name.partition(":")
        if not index:
            raise ValueError(f"The name '{name}' looks like an (invalid) Operation name, not a Tensor. Tensor names "
                             "must be of the form \"<op_name>:<output_index>\".")
        node = self.get_operation_by_name(op_name)
        try:
            return node.outputs[int(index)]
        except (IndexError, ValueError):
            raise KeyError(f"The name '{name}' refers to a Tensor which does not exist. The operation, '{op_name}', "
                           f"exists but only has {len(node.outputs)} outputs.") from None

    def as_graph_element(self, obj):
        if isinstance(obj, str):
            return self.get_tensor_by_name(obj) if ":" in obj else self.get_operation_by_name(obj)
        return obj

    def add_to_collection(self, name, value):
        self._collections.setdefault(name, []).append(value)

    def get_collection(self, name, scope=None):
        items = list(self._collections.get(name, ()))
        if scope:
            items = [v for v in items if getattr(v, "name", "").startswith(scope)]
        return items

    def get_collection_ref(self, name):
        return self._collections.setdefault(name, [])

    def get_all_collection_keys(self):
        return list(self._collections)

    def as_graph_def(self, add_shapes=False):
        """The GraphDef as serialized bytes (webtensor has no protobuf objects)."""
        from ...summary.graph_def import graph_def_bytes
        return graph_def_bytes(self)

    @property
    def version(self):
        return len(self.nodes)

    @property
    def building_function(self):
        return False

    def __enter__(self):
        self._ctx = _as_default(self)
        return self._ctx.__enter__()

    def __exit__(self, *exc):
        return self._ctx.__exit__(*exc)

    def __repr__(self):
        return f"<tf.compat.v1.Graph object with {len(self.nodes)} ops>"


GLOBAL_VARIABLES = "variables"
TRAINABLE_VARIABLES = "trainable_variables"
LOCAL_VARIABLES = "local_variables"


def is_rng_state(var):
    """True for the int64 state variables of webtensor's random ops (advanced in place, never initialized)."""
    from ...ops import random_ops
    return any(v is var for v in random_ops._unseeded) or any(v is var for v in random_ops._streams.values())


def register_variable(graph, var, initial_value, collections=None):
    """Puts var in the graph's variable collections with an initializer assigning initial_value.

    initial_value None: the variable's current eager value (variables made by Keras layers, whose weights
    are created eagerly with their initializer's values).
    """
    from ...core.state import swapped
    if collections is None:
        collections = [GLOBAL_VARIABLES]
    if var.trainable and TRAINABLE_VARIABLES not in collections:
        collections = list(collections) + [TRAINABLE_VARIABLES]
    base = var.name[:-2] if var.name.endswith(":0") else var.name
    saved = graph._control_stack
    graph._control_stack = []
    try:
        with swapped(scope=()):
            value = graph.capture(var._value if initial_value is None else initial_value)
            graph._initializers[id(var)] = None  # (read_variable below must not register again)
            graph.assign_variable(var, value, "assign")
    finally:
        graph._control_stack = saved
    init = graph.nodes[-1]
    init.name = graph.unique_name(base + "/Assign")
    graph._initializers[id(var)] = init
    for c in collections:
        graph.add_to_collection(c, var)
    return init


# NOTE: webtensor has no string tensors. TF1 ops whose results are strings (summaries, variable names) are
# host-side ops: their graph tensors have this host-only dtype and a Session returns their Python value.
string = dtypes.DType("string", np.object_)


class HostValue:
    """A host-only run result (bytes, or an array of names) that Session.run returns as is."""
    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value

    def numpy(self):
        return self.value


def _no_infer(inputs, params):
    raise TypeError("this op exists only in tf.compat.v1 graphs")


_V1_OPS = {}    # TF1-only ops, deliberately not in the op registry: only a Session runs them


# -- default graphs ---------------------------------------------------------------------------------

class _Defaults:
    graph = None            # the process-wide default graph (created on first use)
    graph_mode = False      # disable_eager_execution() was called


_defaults = _Defaults()


def _global_graph():
    if _defaults.graph is None:
        _defaults.graph = Graph()
    return _defaults.graph


def current_graph():
    """The compat.v1 Graph being built into, or None when not building one."""
    g = state.graph
    return g if isinstance(g, Graph) else None


def get_default_graph():
    """The graph new ops go into: the innermost `as_default()` graph, else the process's default graph.

    >>> tf.compat.v1.get_default_graph()
    <tf.compat.v1.Graph object with 0 ops>
    """
    g = state.graph
    if isinstance(g, Graph):
        return g
    return _global_graph()


def reset_default_graph():
    """Replaces the process's default graph with a new empty one."""
    if state.graph is not None and state.graph is not _defaults.graph:
        raise AssertionError("Do not use tf.reset_default_graph() to clear nested graphs. If you need a cleared "
                             "graph, exit the nesting and create a new graph.")
    _defaults.graph = Graph()
    if _defaults.graph_mode:
        state.graph = _defaults.graph


@contextlib.contextmanager
def _as_default(graph):
    saved_graph, saved_scope = state.graph, state.scope
    state.graph = graph
    state.scope = ()
    try:
        yield graph
    finally:
        state.graph = saved_graph
        state.scope = saved_scope


def disable_eager_execution():
    """Switches the process to TF1 graph mode: ops build nodes of the default graph until a Session runs them.

    >>> tf.compat.v1.disable_eager_execution()
    >>> tf.compat.v1.constant(1.0)
    Tensor("Const:0", shape=(), dtype=float32)
    """
    if state.graph is not None and not isinstance(state.graph, Graph):
        raise ValueError("disable_eager_execution must be called outside tf.function.")
    _defaults.graph_mode = True
    state.graph = _global_graph()


def enable_eager_execution(config=None, device_policy=None, execution_mode=None):
    """Returns the process to eager execution (ops run immediately)."""
    _defaults.graph_mode = False
    if isinstance(state.graph, Graph):
        state.graph = None
        state.scope = ()


disable_v2_behavior = disable_eager_execution
enable_v2_behavior = enable_eager_execution


def executing_eagerly():
    """True unless a graph is being built (TF1 graph mode or tf.function tracing)."""
    return state.graph is None


def executing_eagerly_outside_functions():
    return not _defaults.graph_mode


def _graph_for_building(op_name):
    g = current_graph()
    if g is None:
        raise RuntimeError(f"tf.compat.v1.{op_name}() is not compatible with eager execution; call "
                           "tf.compat.v1.disable_eager_execution() first or build inside `with graph.as_default():`.")
    return g
