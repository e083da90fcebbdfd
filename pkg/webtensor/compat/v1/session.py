"""tf.compat.v1.Session: runs the part of a TF1 graph that the fetches need, once per node per run.

A Session holds the values of the graph's variables (each Session its own) and
the state of its dataset iterators. `run` prunes the graph to the nodes the
fetches depend on (stopping at fed tensors), then executes those nodes in
creation order by binding each op eagerly, so every op behaves exactly as it
does in eager mode and a random op draws once per run, shared by all fetches.
"""
import collections

import numpy as np

from ... import errors
from ...core import graph as _core_graph
from ...core import registry
from ...core.state import swapped
from ...core.tensor import SymbolicTensor, Tensor as _EagerTensor
from ...ops import math_ops
from . import graph as _graph
from . import building as _ops

# TF1-only ops run by a Session: name -> rule(session, node, input_tensors) -> outputs (tensor, tuple or None)
RULES = {"no_op": lambda session, node, ins: None}

_default_sessions = []


def get_default_session():
    """The session that `Tensor.eval()` and `Operation.run()` use, or None."""
    return _default_sessions[-1] if _default_sessions else None


def _session_for(session, graph):
    if session is not None:
        return session
    s = get_default_session()
    if s is None:
        raise ValueError("Cannot evaluate tensor using `eval()`: No default session is registered. Use "
                         "`with sess.as_default()` or pass an explicit session to `eval(session=sess)`")
    if s.graph is not graph:
        raise ValueError("Cannot use the default session to evaluate tensor: the tensor's graph is different "
                         "from the session's graph. Pass an explicit session to `eval(session=sess)`.")
    return s


class _Fetch:
    """One leaf of a fetch structure: a tensor to compute, an op to run (None), or a variable to read."""
    __slots__ = ("kind", "obj")

    def __init__(self, kind, obj):
        self.kind = kind
        self.obj = obj


class Session:
    """Runs TF1 graphs: `sess.run(fetches, feed_dict)` computes tensors and runs ops.

    >>> sess = tf.compat.v1.Session()
    >>> sess.run({'ab': (a, b), 'total': total})
    {'ab': (3.0, 4.0), 'total': 7.0}
    """

    def __init__(self, target="", graph=None, config=None):
        if graph is None:
            graph = _graph.get_default_graph()
        if not isinstance(graph, _graph.Graph):
            raise TypeError(f"graph must be a tf.compat.v1.Graph, got {type(graph).__name__}")
        self._graph = graph
        self._values = {}        # id(variable) -> its value in this session
        self._variables = {}     # id(variable) -> variable (keeps ids unique)
        self._resources = {}     # per-session state of TF1-only ops (iterators), keyed by the op's object
        self._plans = {}
        self._closed = False
        self._default_ctx = None

    # -- properties and lifetime -----------------------------------------------------------------

    @property
    def graph(self):
        return self._graph

    @property
    def graph_def(self):
        return self._graph.as_graph_def()

    @property
    def sess_str(self):
        return ""

    def close(self):
        """Frees the session's variable values; later runs raise RuntimeError."""
        self._closed = True
        self._values.clear()
        self._variables.clear()
        self._resources.clear()

    def as_default(self):
        """A context in which this session is the default (for `Tensor.eval()` / `Operation.run()`)."""
        return _DefaultSession(self)

    def __enter__(self):
        self._default_ctx = self.as_default()
        self._default_ctx.__enter__()
        return self

    def __exit__(self, *exc):
        self._default_ctx.__exit__(*exc)
        self.close()
        return False

    def list_devices(self):
        return []

    # -- running -----------------------------------------------------------------------------------

    def run(self, fetches, feed_dict=None, options=None, run_metadata=None):
        """Computes `fetches` (a tensor, op, variable, or nested list/tuple/dict/namedtuple of them).

        Returns the same structure with numpy values (None for ops). `feed_dict` maps any graph tensor
        (placeholders or not) to a value replacing it for this run.
        """
        if self._closed:
            raise RuntimeError("Attempted to use a closed Session.")
        leaves = []
        structure = self._structure(fetches, leaves)
        feeds = self._feeds(feed_dict)
        values = self._execute(leaves, feeds)
        return self._rebuild(structure, iter(values))

    def make_callable(self, fetches, feed_list=None, accept_options=False):
        """A function running `fetches` with positional values for the tensors of feed_list."""
        feed_list = list(feed_list or ())

        def call(*args, **kwargs):
            return self.run(fetches, feed_dict=dict(zip(feed_list, args)))
        return call

    def _structure(self, fetches, leaves):
        """fetches with leaves replaced by their index in `leaves` (a list of _Fetch)."""
        if fetches is None:
            raise TypeError("Fetch argument None has invalid type <class 'NoneType'>")
        if isinstance(fetches, dict):
            out = {k: self._structure(v, leaves) for k, v in fetches.items()}
            return collections.OrderedDict(out) if isinstance(fetches, collections.OrderedDict) else out
        if isinstance(fetches, tuple) and hasattr(fetches, "_fields"):
            return type(fetches)(*[self._structure(v, leaves) for v in fetches])
        if isinstance(fetches, (list, tuple)):
            return type(fetches)(self._structure(v, leaves) for v in fetches)
        leaves.append(self._leaf(fetches))
        return _Index(len(leaves) - 1)

    def _leaf(self, x):
        g = self._graph
        if isinstance(x, str):
            x = g.as_graph_element(x)
        if isinstance(x, _core_graph.Node):
            if x.graph is not g:
                raise ValueError(f"Fetch argument {x!r} cannot be interpreted as a Tensor. (Operation {x.name} is "
                                 "not an element of this graph.)")
            return _Fetch("op", x)
        if isinstance(x, SymbolicTensor):
            if x._node.graph is not g:
                raise ValueError(f"Fetch argument {x!r} cannot be interpreted as a Tensor. (Tensor {x!r} is not an "
                                 "element of this graph.)")
            return _Fetch("tensor", x)
        if hasattr(x, "_as_tensor") and hasattr(x, "_value"):
            return _Fetch("variable", x)
        if isinstance(x, _EagerTensor):
            return _Fetch("value", x)
        if isinstance(x, (np.ndarray, np.generic, int, float, bool)):
            raise TypeError(f"Fetch argument {x!r} has invalid type {type(x)}, must be a string or Tensor. (Can "
                            "not convert a " + type(x).__name__ + " into a Tensor or Operation.)")
        raise TypeError(f"Fetch argument {x!r} has invalid type {type(x)}, must be a string or Tensor. (Can not "
                        f"convert a {type(x).__name__} into a Tensor or Operation.)")

    def _rebuild(self, structure, values):
        if isinstance(structure, _Index):
            return next(values)
        if isinstance(structure, dict):
            out = {k: self._rebuild(v, values) for k, v in structure.items()}
            return collections.OrderedDict(out) if isinstance(structure, collections.OrderedDict) else out
        if isinstance(structure, tuple) and hasattr(structure, "_fields"):
            return type(structure)(*[self._rebuild(v, values) for v in structure])
        if isinstance(structure, (list, tuple)):
            return type(structure)(self._rebuild(v, values) for v in structure)
        return structure

    def _feeds(self, feed_dict):
        feeds = {}
        for key, value in (feed_dict or {}).items():
            t = self._graph.as_graph_element(key) if isinstance(key, str) else key
            if hasattr(t, "_as_tensor") and not isinstance(t, SymbolicTensor):
                raise TypeError(f"Cannot feed the variable {t.name}: feed a tensor computed from it instead.")
            if not isinstance(t, SymbolicTensor):
                raise TypeError(f"The key {key!r} of feed_dict must be a graph tensor, got {type(key).__name__}.")
            if t._node.graph is not self._graph:
                raise ValueError(f"Cannot feed {t.name}: Tensor {t!r} is not an element of this graph.")
            feeds[id(t)] = (t, _ops.check_feed(t, value))
        return feeds

    def _plan(self, leaves, feeds):
        """The ids of the nodes to run for these fetches and feeds, in creation order."""
        key = (tuple(id(f.obj) for f in leaves if f.kind in ("op", "tensor")), frozenset(feeds),
               len(self._graph.nodes))
        plan = self._plans.get(key)
        if plan is not None:
            return plan
        g = self._graph
        needed = set()
        stack = []
        for f in leaves:
            if f.kind == "op":
                stack.append(f.obj)
            elif f.kind == "tensor" and id(f.obj) not in feeds:
                stack.append(f.obj._node)
        controls = g._control_inputs
        while stack:
            node = stack.pop()
            if id(node) in needed:
                continue
            needed.add(id(node))
            for t in node.inputs:
                if id(t) not in feeds:
                    stack.append(t._node)
            stack.extend(controls.get(id(node), ()))
        # A random op advances its state variable right after reading it: run those writes with the reads.
        pending = {}
        extra = []
        for node in g.nodes:
            name = node.op.name
            if name == "read_variable" and id(node) in needed and _graph.is_rng_state(node.params["variable"]):
                pending[id(node.params["variable"])] = True
            elif name == "assign_variable" and pending.pop(id(node.params["variable"]), False):
                extra.append(node)
        for node in extra:
            stack = [node]
            while stack:
                n = stack.pop()
                if id(n) in needed:
                    continue
                needed.add(id(n))
                stack.extend(t._node for t in n.inputs if id(t) not in feeds)
                stack.extend(controls.get(id(n), ()))
        plan = [n for n in g.nodes if id(n) in needed]
        if len(self._plans) > 256:
            self._plans.clear()
        self._plans[key] = plan
        return plan

    def _execute(self, leaves, feeds):
        plan = self._plan(leaves, feeds)
        env = {k: v for k, (_, v) in feeds.items()}
        with swapped(graph=None, tapes=(), scope=()):
            for node in plan:
                self._run_node(node, env)
            out = []
            for f in leaves:
                if f.kind == "op":
                    out.append(None)
                elif f.kind == "tensor":
                    out.append(env[id(f.obj)].numpy())
                elif f.kind == "variable":
                    out.append(self.read_variable(f.obj, f.obj.name).numpy())
                else:
                    out.append(f.obj.numpy())
        return out

    def _run_node(self, node, env):
        name = node.op.name
        ins = tuple(env[id(t)] for t in node.inputs)
        if name == "placeholder":
            if any(id(o) not in env for o in node.outputs):
                raise _ops.unfed_placeholder_error(node)
            return
        if name == "constant":
            outs = node.params["value"]
        elif name == "read_variable":
            outs = self.read_variable(node.params["variable"], node.name)
        elif name == "assign_variable":
            self.assign_variable(node.params["variable"], node.params["mode"], ins[0], node.name)
            outs = None
        elif name in RULES:
            outs = RULES[name](self, node, ins)
        elif name in _core_graph._REPLAY:
            with self._variables_swapped_in():
                outs = _core_graph._REPLAY[name](node, ins)
        else:
            outs = registry.bind(name, ins, node.params)
        if outs is None:
            return
        if type(outs) is not tuple:
            outs = (outs,)
        for o, v in zip(node.outputs, outs):
            if id(o) not in env:
                env[id(o)] = v

    # -- variables ---------------------------------------------------------------------------------

    def _managed(self, var):
        return id(var) in self._graph._initializers

    def read_variable(self, var, op_name):
        """The variable's value in this session (FailedPreconditionError before its initializer ran)."""
        v = self._values.get(id(var))
        if v is not None:
            return v
        if not self._managed(var):
            return var._value
        base = var.name[:-2] if var.name.endswith(":0") else var.name
        raise errors.FailedPreconditionError(
            None, op_name, f"Attempting to use uninitialized value {base}\n\t [[{{{{node {op_name}}}}}]]")

    def assign_variable(self, var, mode, value, op_name):
        if not self._managed(var):
            var._write(mode, value)
            return
        if mode != "assign":
            current = self.read_variable(var, op_name)
            value = (math_ops.add if mode == "assign_add" else math_ops.subtract)(current, value)
        if value.dtype != var.dtype:
            value = math_ops.cast(value, var.dtype)
        self._values[id(var)] = value
        self._variables[id(var)] = var

    def is_initialized(self, var):
        return id(var) in self._values or not self._managed(var)

    def _variables_swapped_in(self):
        """Control-flow bodies read variables directly: give them this session's values meanwhile."""
        return _Swap(self)

    def __repr__(self):
        return f"<tf.compat.v1.Session graph={self._graph!r}>"


class _Index:
    __slots__ = ("i",)

    def __init__(self, i):
        self.i = i


class _Swap:
    def __init__(self, session):
        self.session = session
        self.saved = []

    def __enter__(self):
        s = self.session
        for key, var in s._variables.items():
            self.saved.append((var, var._value))
            var._value = s._values[key]

    def __exit__(self, *exc):
        s = self.session
        for var, old in self.saved:
            s._values[id(var)] = var._value
            var._value = old
        return False


class _DefaultSession:
    def __init__(self, session):
        self.session = session

    def __enter__(self):
        _default_sessions.append(self.session)
        return self.session

    def __exit__(self, *exc):
        if _default_sessions and _default_sessions[-1] is self.session:
            _default_sessions.pop()
        elif self.session in _default_sessions:
            _default_sessions.remove(self.session)
        return False


class InteractiveSession(Session):
    """A Session that makes itself the default on creation, for shells and notebooks.

    >>> sess = tf.compat.v1.InteractiveSession()
    >>> a.eval()
    3.0
    """

    def __init__(self, target="", graph=None, config=None):
        super().__init__(target, graph, config)
        _default_sessions.append(self)

    def close(self):
        super().close()
        if self in _default_sessions:
            _default_sessions.remove(self)
