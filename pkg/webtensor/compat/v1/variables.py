"""TF1 variables: tf.compat.v1.Variable, get_variable, variable_scope, collections and initializers.

In a compat.v1 graph a variable has no value until its initializer runs in a
Session (`global_variables_initializer()`), and each Session keeps its own value.
Outside graphs (eager mode) these are ordinary tf.Variables.
"""
import contextlib

import numpy as np

from ... import dtypes
from ...core import variable as _core_variable
from ...core.state import init_scope, name_scope, state, swapped
from ...core.tensor import SymbolicTensor, convert_to_tensor
from ...tensor_shape import TensorShape
from . import graph as _graph
from . import building as _ops
from . import session as _session


class GraphKeys:
    """Names of the standard graph collections."""
    GLOBAL_VARIABLES = _graph.GLOBAL_VARIABLES
    VARIABLES = _graph.GLOBAL_VARIABLES
    TRAINABLE_VARIABLES = _graph.TRAINABLE_VARIABLES
    LOCAL_VARIABLES = _graph.LOCAL_VARIABLES
    MODEL_VARIABLES = "model_variables"
    GLOBAL_STEP = "global_step"
    LOSSES = "losses"
    REGULARIZATION_LOSSES = "regularization_losses"
    SUMMARIES = "summaries"
    UPDATE_OPS = "update_ops"
    TABLE_INITIALIZERS = "table_initializer"
    TRAIN_OP = "train_op"


class Variable(_core_variable.Variable):
    """A TF1 variable: in a graph, uninitialized until its initializer runs in a Session.

    >>> v = tf.compat.v1.Variable(tf.compat.v1.random_normal([3]), name="v")
    >>> sess.run(v.initializer); sess.run(v)
    """

    def __init__(self, initial_value=None, trainable=None, collections=None, validate_shape=True,
                 caching_device=None, name=None, variable_def=None, dtype=None, expected_shape=None,
                 import_scope=None, constraint=None, use_resource=None, synchronization=None, aggregation=None,
                 shape=None):
        g = _graph.current_graph()
        self._v1_graph = g
        if g is None:
            super().__init__(initial_value, trainable=trainable, validate_shape=validate_shape, name=name,
                             dtype=dtype, constraint=constraint, synchronization=synchronization,
                             aggregation=aggregation, shape=shape)
            self._v1_initializer = None
            return
        if initial_value is None:
            raise ValueError("initial_value must be specified.")
        base = g.unique_name(name or "Variable")
        with name_scope(base.rsplit("/", 1)[-1]), name_scope("Initializer"):
            value = initial_value() if callable(initial_value) else initial_value
            if dtype is not None:
                dtype = dtypes.as_dtype(dtype)
                value = convert_to_tensor(value, dtype_hint=dtype)
                if value.dtype != dtype:
                    from ...ops.math_ops import cast
                    value = cast(value, dtype)
            else:
                value = convert_to_tensor(value)
        static = TensorShape(value._shape) if validate_shape else TensorShape(None)
        if shape is not None and validate_shape:
            static = TensorShape(shape)
        dims = tuple(0 if d is None else d for d in value._shape)
        with init_scope():  # the core Variable holds a placeholder value; sessions hold the real ones
            super().__init__(np.zeros(dims, value.dtype.as_numpy_dtype), trainable=trainable, name=name,
                             dtype=value.dtype, constraint=constraint, synchronization=synchronization,
                             aggregation=aggregation)
        self._name = base + ":0"
        self._static_shape = static
        self._initial_value = value
        if collections is None:
            collections = [_graph.GLOBAL_VARIABLES]
        self._v1_initializer = _graph.register_variable(g, self, value, collections)

    # -- TF1 API -----------------------------------------------------------------------------------

    @property
    def initializer(self):
        """The op that sets this variable to its initial value."""
        if self._v1_initializer is None:
            return None
        return self._v1_initializer

    @property
    def graph(self):
        return self._v1_graph

    @property
    def op(self):
        return self._v1_initializer

    def initialized_value(self):
        """The initial value, computed after the variable has been initialized."""
        with _ops.control_dependencies([self._v1_initializer]):
            from ...ops.array_ops import identity
            return identity(self._initial_value)

    def eval(self, session=None):
        """The variable's value in `session` (default: the default session)."""
        if self._v1_graph is None:
            return self.numpy()
        from .session import _session_for
        return _session_for(session, self._v1_graph).run(self)

    def load(self, value, session=None):
        """Sets the variable's value in `session` without adding ops to the graph."""
        from .session import _session_for
        sess = _session_for(session, self._v1_graph)
        with swapped(graph=None):
            sess.assign_variable(self, "assign", convert_to_tensor(np.asarray(value, self.dtype.as_numpy_dtype)),
                                 self.name)

    def numpy(self):
        if self._v1_graph is not None:
            raise NotImplementedError(f"numpy() is only available when eager execution is enabled; use "
                                      f"sess.run({self.name[:-2]}) or {self.name[:-2]}.eval().")
        return super().numpy()

    def _write(self, mode, value):
        """In a graph: an assign op; returns a tensor with the new value (TF1 returns the assign's output)."""
        g = self._v1_graph
        if g is None or state.graph is not g:
            return super()._write(mode, value)
        super()._write(mode, value)
        op = g.nodes[-1]
        with _ops.control_dependencies([op]):
            return g.read_variable(self)

    def __repr__(self):
        if self._v1_graph is not None:
            return f"<tf.Variable '{self._name}' shape={self.shape} dtype={self._dtype.name}_ref>"
        return super().__repr__()


# -- collections ----------------------------------------------------------------------------------

def _collection(name, scope=None):
    return _graph.get_default_graph().get_collection(name, scope)


def global_variables(scope=None):
    """The variables of the default graph's GLOBAL_VARIABLES collection, in creation order."""
    return _collection(_graph.GLOBAL_VARIABLES, scope)


all_variables = global_variables


def trainable_variables(scope=None):
    """The variables of the default graph's TRAINABLE_VARIABLES collection."""
    return _collection(_graph.TRAINABLE_VARIABLES, scope)


def local_variables(scope=None):
    return _collection(_graph.LOCAL_VARIABLES, scope)


def model_variables(scope=None):
    return _collection(GraphKeys.MODEL_VARIABLES, scope)


def get_collection(key, scope=None):
    return _graph.get_default_graph().get_collection(key, scope)


def get_collection_ref(key):
    return _graph.get_default_graph().get_collection_ref(key)


def add_to_collection(name, value):
    _graph.get_default_graph().add_to_collection(name, value)


def add_to_collections(names, value):
    for n in ([names] if isinstance(names, str) else names):
        add_to_collection(n, value)


# -- initializers -----------------------------------------------------------------------------------

def variables_initializer(var_list, name="init"):
    """An op that runs the initializers of `var_list`.

    >>> sess.run(tf.compat.v1.variables_initializer([v, w]))
    """
    g = _graph._graph_for_building("variables_initializer")
    ops = [g._initializers[id(v)] for v in var_list if g._initializers.get(id(v)) is not None]
    node, _ = g.add_op("no_op", node_name=name, control_inputs=ops)
    return node


def global_variables_initializer():
    """An op that initializes every global variable that exists now (create it after the model).

    >>> init = tf.compat.v1.global_variables_initializer()
    >>> sess.run(init)
    """
    return variables_initializer(global_variables())


initialize_all_variables = global_variables_initializer


def local_variables_initializer():
    """An op that initializes the local variables."""
    return variables_initializer(local_variables(), name="init_1")


def tables_initializer(name="init_all_tables"):
    """An op that initializes lookup tables (feature columns map strings on the host here: nothing to do)."""
    g = _graph._graph_for_building("tables_initializer")
    node, _ = g.add_op("no_op", node_name=name, control_inputs=g.get_collection(GraphKeys.TABLE_INITIALIZERS))
    return node


def _uninitialized_rule(session, node, ins):
    names = [v.name[:-2].encode() for v in node.params["variables"] if not session.is_initialized(v)]
    return _graph.HostValue(np.array(names, dtype=object))


def _initialized_rule(session, node, ins):
    from ...core.tensor import constant
    return constant(np.array([session.is_initialized(v) for v in node.params["variables"]]))


_session.RULES["report_uninitialized_variables"] = _uninitialized_rule
_session.RULES["is_variable_initialized"] = _initialized_rule


def report_uninitialized_variables(var_list=None, name="report_uninitialized_variables"):
    """A host-side op giving the names (bytes) of the variables not initialized in the running session."""
    g = _graph._graph_for_building("report_uninitialized_variables")
    var_list = global_variables() if var_list is None else var_list
    _, outs = g.add_op("report_uninitialized_variables", params={"variables": tuple(var_list)},
                       avals=[((None,), _graph.string)], node_name=name)
    return outs[0]


def is_variable_initialized(variable):
    """A bool tensor: has `variable` been initialized in the running session?"""
    g = _graph._graph_for_building("is_variable_initialized")
    _, outs = g.add_op("is_variable_initialized", params={"variables": (variable,)},
                       avals=[((1,), dtypes.bool)], node_name="IsVariableInitialized")
    from ...ops.shape_ops import reshape
    return reshape(outs[0], ())


def assert_variables_initialized(var_list=None):
    return None


# -- variable scopes and get_variable ----------------------------------------------------------------

AUTO_REUSE = "AUTO_REUSE"


class VariableScope:
    """A variable scope: the name prefix of get_variable, its reuse mode and default initializer."""

    def __init__(self, reuse, name="", initializer=None, regularizer=None, dtype=dtypes.float32):
        self.name = name
        self.reuse = reuse
        self.initializer = initializer
        self.regularizer = regularizer
        self.dtype = dtype
        self.original_name_scope = name + "/" if name else ""

    def reuse_variables(self):
        self.reuse = True

    def set_initializer(self, initializer):
        self.initializer = initializer

    def get_variable(self, name, *args, **kwargs):
        return get_variable(name, *args, **kwargs)


_scopes = [VariableScope(False)]


def get_variable_scope():
    """The current VariableScope."""
    return _scopes[-1]


@contextlib.contextmanager
def variable_scope(name_or_scope, default_name=None, values=None, initializer=None, regularizer=None,
                   caching_device=None, partitioner=None, custom_getter=None, reuse=None, dtype=None,
                   use_resource=None, constraint=None, auxiliary_name_scope=True):
    """Prefixes names of get_variable (and ops) and sets reuse; `reuse=tf.AUTO_REUSE` creates or reuses.

    >>> with tf.compat.v1.variable_scope("layer1", reuse=tf.compat.v1.AUTO_REUSE):
    ...     w = tf.compat.v1.get_variable("w", [3, 2])
    """
    outer = _scopes[-1]
    if isinstance(name_or_scope, VariableScope):
        full = name_or_scope.name
        short = full.rsplit("/", 1)[-1]
        base_reuse = name_or_scope.reuse
    else:
        short = name_or_scope if name_or_scope is not None else default_name
        if short is None:
            raise TypeError("If default_name is None then name_or_scope is required")
        if name_or_scope is None:  # default names are made unique
            g = _graph.get_default_graph()
            prefix = outer.name + "/" if outer.name else ""
            counts = g.__dict__.setdefault("_default_scope_counts", {})
            n = counts.get(prefix + short, 0)
            counts[prefix + short] = n + 1
            short = short if n == 0 else f"{short}_{n}"
        full = f"{outer.name}/{short}" if outer.name else short
        base_reuse = outer.reuse
    if reuse is False:
        reuse_mode = False
    elif reuse is None:
        reuse_mode = base_reuse if base_reuse else outer.reuse
    else:
        reuse_mode = reuse
    scope = VariableScope(reuse_mode, full, initializer if initializer is not None else outer.initializer,
                          regularizer if regularizer is not None else outer.regularizer,
                          dtype if dtype is not None else outer.dtype)
    _scopes.append(scope)
    try:
        if auxiliary_name_scope:
            with name_scope(full + "/"):
                yield scope
        else:
            yield scope
    finally:
        _scopes.pop()


def get_variable(name, shape=None, dtype=None, initializer=None, regularizer=None, trainable=None, collections=None,
                 caching_device=None, partitioner=None, validate_shape=True, use_resource=None, custom_getter=None,
                 constraint=None, synchronization=None, aggregation=None):
    """Creates a variable named by the variable scope, or returns the existing one when the scope reuses.

    >>> w = tf.compat.v1.get_variable("w", shape=[3, 1], initializer=tf.compat.v1.zeros_initializer())
    """
    scope = _scopes[-1]
    full = f"{scope.name}/{name}" if scope.name else name
    g = _graph.get_default_graph()
    store = g._var_store
    existing = store.get(full)
    reuse = scope.reuse
    if existing is not None:
        if reuse is False or reuse is None:
            raise ValueError(f"Variable {full} already exists, disallowed. Did you mean to set reuse=True or "
                             "reuse=tf.AUTO_REUSE in VarScope?")
        if shape is not None and not existing.shape.is_compatible_with(shape):
            raise ValueError(f"Trying to share variable {full}, but specified shape {TensorShape(shape)} and found "
                             f"shape {existing.shape}.")
        if dtype is not None and dtypes.as_dtype(dtype) != existing.dtype:
            raise ValueError(f"Trying to share variable {full}, but specified dtype {dtypes.as_dtype(dtype).name} "
                             f"and found dtype {existing.dtype.name}.")
        return existing
    if reuse is True:
        raise ValueError(f"Variable {full} does not exist, or was not created with tf.get_variable(). Did you mean "
                         "to set reuse=tf.AUTO_REUSE in VarScope?")
    dtype = dtypes.as_dtype(dtype) if dtype is not None else scope.dtype
    if initializer is None:
        initializer = scope.initializer
    if initializer is None:
        from ...keras import initializers
        initializer = initializers.GlorotUniform() if dtype.is_floating else initializers.Zeros()
    if callable(initializer) and not hasattr(initializer, "_as_tensor"):
        if shape is None:
            raise ValueError(f"Shape of a new variable ({full}) must be fully defined, but instead was None.")
        dims = tuple(TensorShape(shape).as_list())
        if any(d is None for d in dims):
            raise ValueError(f"Shape of a new variable ({full}) must be fully defined, but instead was "
                             f"{TensorShape(shape)}.")
        init_fn = _initializer_call(initializer, dims, dtype)
    else:
        if shape is not None and validate_shape:
            value = convert_to_tensor(initializer, dtype=dtype) if not isinstance(initializer, SymbolicTensor) \
                else initializer
            if not TensorShape(shape).is_compatible_with(value._shape):
                raise ValueError("If initializer is a constant, do not specify shape.")
        init_fn = initializer
    with name_scope(None):
        with name_scope(full.rsplit("/", 1)[0] + "/" if "/" in full else ""):
            var = Variable(init_fn, trainable=True if trainable is None else trainable, collections=collections,
                           validate_shape=validate_shape, name=full.rsplit("/", 1)[-1], dtype=dtype,
                           constraint=constraint)
    store[full] = var
    if regularizer is None:
        regularizer = scope.regularizer
    if regularizer is not None and _graph.current_graph() is not None:
        with name_scope(full + "/Regularizer/"):
            loss = regularizer(var)
        if loss is not None:
            g.add_to_collection(GraphKeys.REGULARIZATION_LOSSES, loss)
    return var


def _initializer_call(initializer, dims, dtype):
    def call():
        try:
            return initializer(dims, dtype=dtype)
        except TypeError:
            return initializer(dims)
    return call
