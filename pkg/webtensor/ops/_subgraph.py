"""Sub-graphs for control flow: a cond branch or a loop's cond/body traced inside tf.function.

While tf.function traces, each branch (or the loop's cond and body) is traced into a
sub-Graph and the enclosing graph gets one "cond" or "while_loop" node holding those
graphs. The node's replay rule picks the branch / runs the loop each time the function
is called, binding the sub-graph's ops one by one, so eager tapes around the call record
them and an enclosing trace inlines a fresh node.
"""
import contextlib
import copy

from .. import dtypes, nest
from ..core import compiled
from ..core import tensor as _tensor
from ..core.graph import Graph, Node
from ..core.registry import bind
from ..core.state import name_scope, state, swapped
from ..core.tensor import SymbolicTensor, Tensor, convert_to_tensor


# -- sub-graphs -------------------------------------------------------------------------------------

class _SubGraph(Graph):
    """A branch or loop body traced inside another graph.

    A variable read here is hoisted into the enclosing graph (and captured) unless
    the variable is written inside, so a tape inside the traced function sees the
    read and can differentiate the cond/while node with respect to the variable.
    """

    def __init__(self, name, outer, hoist):
        super().__init__(name, outer=outer)
        self.outer_tapes = state.tapes
        self.hoist = hoist            # True, or the ids of the variables whose reads may be hoisted
        self.written = set()          # ids of variables assigned here or in nested sub-graphs
        self._hoisted = {}
        self._pure = None
        self._plans = {}

    def run(self, args, captured):
        """Replays the graph; as a compiled Plan (straight kernel calls) when no tape needs to see the ops."""
        if not state.tapes and state.graph is None:
            backend = _tensor._DEFAULT if state.device is None else state.device.backend
            if all(t._backend is backend for t in args) and all(t._backend is backend for t in captured):
                plan = self._plans.get(backend.name, False)
                if plan is False:
                    try:
                        plan = compiled.Plan(self, backend)
                    except compiled.Unsupported:
                        plan = None
                    self._plans[backend.name] = plan
                if plan is not None:
                    return plan.run(args, captured)
        return self.replay(args, captured)

    def read_variable(self, var):
        key = id(var)
        if key in self.written or not (self.hoist is True or key in self.hoist):
            return super().read_variable(var)
        t = self._hoisted.get(key)
        if t is None:
            with swapped(graph=self.outer, tapes=self.outer_tapes):
                outer = var._read()
            t = self._hoisted[key] = self.capture(outer)
        return t

    def assign_variable(self, var, value, mode):
        self.written.add(id(var))
        super().assign_variable(var, value, mode)

    def without_effects(self):
        """This graph minus its pure side effects (print, variable writes), for recomputing gradients."""
        if self._pure is None:
            pure = copy.copy(self)
            nodes = []
            for node in self.nodes:
                if node.op.stateful and not node.outputs:
                    continue
                if node.op.name in _GRAPH_PARAMS:
                    clone = Node(node.graph, node.name, node.op, node.inputs, _pure_params(node.op.name, node.params))
                    clone.outputs = node.outputs
                    node = clone
                nodes.append(node)
            pure.nodes = nodes
            pure._pure = pure
            pure._plans = {}
            self._pure = pure
        return self._pure


_GRAPH_PARAMS = {"cond": ("true_graph", "false_graph"), "while_loop": ("cond_graph", "body_graph")}


def _pure_params(name, params):
    params = dict(params)
    for key in _GRAPH_PARAMS.get(name, ()):
        params[key] = params[key].without_effects()
    if name == "while_loop_grad":
        params["forward_params"] = _pure_params(params["forward"], params["forward_params"])
    return params


def _trace_into(graph, fn, args, what):
    """Calls fn(*args) with `graph` as the tracing context; returns its result with leaves as tensors or None."""
    with swapped(graph=graph, tapes=()):
        result = fn(*args)
        flat = [None if leaf is None else graph.capture(_output_tensor(leaf, what)) for leaf in nest.flatten(result)]
    graph.outputs = [t for t in flat if t is not None]
    return result, flat


def _output_tensor(leaf, what):
    try:
        return convert_to_tensor(leaf)
    except (TypeError, ValueError) as e:
        raise TypeError(f"{what} must return tensors (or values convertible to tensors), got "
                        f"{type(leaf).__name__}: {leaf!r}") from e


def _union_captures(graphs):
    """The enclosing-graph tensors the sub-graphs capture, deduplicated, and each graph's positions in that list."""
    outer, pos, index = [], {}, []
    for g in graphs:
        mine = []
        for t, _ in g.captures:
            k = pos.get(id(t))
            if k is None:
                k = pos[id(t)] = len(outer)
                outer.append(t)
            mine.append(k)
        index.append(tuple(mine))
    return outer, index


def _absorb(graphs):
    """Tells the enclosing graph about variables the sub-graphs touch (and write)."""
    outer = state.graph
    for g in graphs:
        outer.variables.update(g.variables)
        if isinstance(outer, _SubGraph):
            outer.written |= g.written


def _merge_shapes(a, b):
    return tuple(x if x == y else None for x, y in zip(a, b))


def _as_tuple(outs):
    return (outs,) if isinstance(outs, Tensor) else tuple(outs)


def _truth(pred, what):
    """The Python truth value of an eager predicate (a Python value or a bool scalar tensor)."""
    if hasattr(pred, "_as_tensor") and not isinstance(pred, Tensor):
        pred = convert_to_tensor(pred)
    if isinstance(pred, Tensor):
        _check_pred(pred, what)
    return bool(pred)


def _check_pred(pred, what):
    if pred._dtype != dtypes.bool:
        raise TypeError(f"{what}: the predicate must be a bool tensor, got dtype {pred._dtype.name} "
                        f"with shape {pred.shape}. Compare it first, e.g. `x > 0`.")
    scalar_like = all(d == 1 for d in pred._shape) and not isinstance(pred, SymbolicTensor)
    if len(pred._shape) != 0 and not scalar_like:
        raise ValueError(f"{what}: the predicate must be a scalar, got shape {pred.shape}. "
                         "Reduce it first, e.g. with tf.reduce_all or tf.reduce_any.")


def _scope(name):
    return name_scope(name) if name else contextlib.nullcontext()


def _inlining(rule):
    """A replay rule that re-emits the node when replayed inside an enclosing trace, else runs it eagerly."""
    def replay(node, ins):
        if state.graph is not None:
            return bind(node.op.name, ins, node.params)
        return rule(node.params, ins)
    return replay
