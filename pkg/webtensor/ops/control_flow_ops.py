"""Control flow that works eagerly and inside tf.function: cond, while_loop, case, switch_case, print.

Eagerly these are plain Python: `cond` calls one branch, `while_loop` loops, and
GradientTapes record the ops that actually ran. While tf.function traces, each
branch (or the loop's cond and body) is traced into a sub-Graph and the
enclosing graph gets one "cond" or "while_loop" node holding those graphs. The
node's replay rule picks the branch / runs the loop each time the function is
called, binding the sub-graph's ops one by one, so eager tapes around the call
record them and an enclosing trace inlines a fresh node.

Gradients for a tape used *inside* the traced function: the gradient of a cond
node is another cond whose branches replay the chosen branch graph under a fresh
tape; the gradient of a while_loop node is a "while_loop_grad" node that, when
run, replays the loop under a fresh eager tape (the trip count is only known
then). Both recompute the forward pass, without its side effects (tf.print,
variable writes).
"""
import collections.abc
import contextlib
import copy
import pprint
import sys

import numpy as np

from .. import dtypes, errors, nest
from ..core import compiled
from ..core import tensor as _tensor
from ..core.graph import Graph, Node, register_replay
from ..core.registry import bind, defop
from ..core.state import name_scope, state, swapped
from ..core.tape import GradientTape
from ..core.tensor import SymbolicTensor, Tensor, convert_to_tensor
from . import array_ops, math_ops

__all__ = ["case", "cond", "control_dependencies", "group", "no_op", "print", "switch_case", "while_loop"]


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


# -- cond -------------------------------------------------------------------------------------------

def cond(pred, true_fn=None, false_fn=None, name=None):
    """Returns true_fn() if pred is true, else false_fn(); inside tf.function it becomes one "cond" node.

    >>> x = tf.constant(2.0)
    >>> tf.cond(x > 0, lambda: x * x, lambda: -x)
    <tf.Tensor: shape=(), dtype=float32, numpy=4.0>
    """
    if not callable(true_fn):
        raise TypeError(f"true_fn must be callable, got {true_fn!r}.")
    if not callable(false_fn):
        raise TypeError(f"false_fn must be callable, got {false_fn!r}.")
    with _scope(name):
        if hasattr(pred, "_as_tensor") and not isinstance(pred, Tensor):
            pred = convert_to_tensor(pred)
        if not isinstance(pred, SymbolicTensor):
            # Eager, or a Python/constant predicate while tracing: only the chosen branch runs (as in TF).
            return true_fn() if _truth(pred, "tf.cond") else false_fn()
        _check_pred(pred, "tf.cond")
        g_true = _SubGraph("cond_true", state.graph, hoist=True)
        out_true, flat_true = _trace_into(g_true, true_fn, (), "true_fn")
        g_false = _SubGraph("cond_false", state.graph, hoist=True)
        out_false, flat_false = _trace_into(g_false, false_fn, (), "false_fn")
        _check_same_outputs("tf.cond", ("true_fn", out_true, flat_true), ("false_fn", out_false, flat_false))
        xs, (true_idx, false_idx) = _union_captures([g_true, g_false])
        _absorb([g_true, g_false])
        params = {"true_graph": g_true, "false_graph": g_false, "true_inputs": true_idx, "false_inputs": false_idx}
        outs = iter(_as_tuple(bind("cond", (pred, *xs), params)))
        return nest.pack_sequence_as(out_true, [None if t is None else next(outs) for t in flat_true])


def _check_same_outputs(what, a, b):
    (name_a, out_a, flat_a), (name_b, out_b, flat_b) = a, b

    def fail(detail):
        return TypeError(f"{name_a} and {name_b} arguments to {what} must have the same number, type, and overall "
                         f"structure of return values.\n\n{name_a} output: {out_a!r}\n{name_b} output: {out_b!r}\n\n"
                         f"Error details:\n{detail}")
    try:
        nest.assert_same_structure(out_a, out_b)
    except (ValueError, TypeError) as e:
        raise fail(str(e)) from None
    for i, (x, y) in enumerate(zip(flat_a, flat_b)):
        if (x is None) != (y is None):
            raise fail(f"output {i}: {name_a} returned {'None' if x is None else 'a tensor'} but {name_b} "
                       f"returned {'None' if y is None else 'a tensor'}.")
        if x is None:
            continue
        if x._dtype != y._dtype:
            raise fail(f"output {i}: {name_a} returned dtype {x._dtype.name} (shape {x.shape}) but {name_b} "
                       f"returned dtype {y._dtype.name} (shape {y.shape}).")
        if len(x._shape) != len(y._shape):
            raise fail(f"output {i}: {name_a} returned shape {x.shape} but {name_b} returned shape {y.shape}, "
                       "of a different rank; webtensor needs both branches to agree on each output's rank.")


def _cond_infer(inputs, params):
    return [(_merge_shapes(a._shape, b._shape), a._dtype)
            for a, b in zip(params["true_graph"].outputs, params["false_graph"].outputs)]


def _run_cond(params, ins):
    side = "true" if bool(ins[0]) else "false"
    captured = [ins[1 + j] for j in params[side + "_inputs"]]
    return tuple(params[side + "_graph"].run((), captured))


def _cond_grad(op, *dys):
    """A cond over the two branches' gradients: each replays its branch under a fresh tape."""
    pred, xs = op.inputs[0], op.inputs[1:]
    wrt = [i for i, x in enumerate(xs) if x._dtype.is_floating]
    if not wrt:
        return [None] * len(op.inputs)
    params = op.params

    def branch_grad(side):
        graph = params[side + "_graph"].without_effects()
        captured = [xs[j] for j in params[side + "_inputs"]]

        def grad_fn():
            sources = [xs[i] for i in wrt]
            with GradientTape(watch_accessed_variables=False) as tape:
                tape.watch(sources)
                outs = graph.replay((), captured)
            grads = tape.gradient(outs, sources, output_gradients=list(dys))
            return [math_ops.zeros_like(s) if g is None else g for s, g in zip(sources, grads)]
        return grad_fn

    grads = cond(pred, branch_grad("true"), branch_grad("false"))
    result = [None] * len(op.inputs)
    for i, g in zip(wrt, grads):
        result[1 + i] = g
    return result


defop("cond", None, _cond_infer, _cond_grad, num_outputs=lambda params: len(params["true_graph"].outputs),
      stateful=True)  # stateful: a branch may print or write variables, so the node is never dropped
register_replay("cond", _inlining(_run_cond))


# -- while_loop -------------------------------------------------------------------------------------

def while_loop(cond, body, loop_vars, shape_invariants=None, parallel_iterations=10, back_prop=True,
               swap_memory=False, maximum_iterations=None, name=None):
    """Repeats `loop_vars = body(*loop_vars)` while `cond(*loop_vars)` is true; returns the final loop_vars.

    >>> tf.while_loop(lambda i, s: i < 4, lambda i, s: (i + 1, s + i), [0, 0])
    [<tf.Tensor: ... numpy=4>, <tf.Tensor: ... numpy=6>]
    """
    if not callable(cond):
        raise TypeError(f"tf.while_loop: cond must be callable, got {cond!r}.")
    if not callable(body):
        raise TypeError(f"tf.while_loop: body must be callable, got {body!r}.")
    single = not isinstance(loop_vars, (list, tuple))   # a lone tensor (or dict) is passed as one argument
    flat = [_loop_var(v) for v in nest.flatten(loop_vars)]
    if not flat:
        raise ValueError("tf.while_loop: no loop variables provided.")
    limit = None
    if maximum_iterations is not None:
        limit = convert_to_tensor(maximum_iterations)
        if not limit._dtype.is_integer or len(limit._shape) != 0:
            raise ValueError(f"tf.while_loop: maximum_iterations must be an integer scalar, got dtype "
                             f"{limit._dtype.name} with shape {limit.shape}.")
    with _scope(name):
        if state.graph is None:
            return _eager_while(cond, body, loop_vars, single, flat, limit)
        return _traced_while(cond, body, loop_vars, single, flat, shape_invariants, limit)


def _loop_var(v):
    try:
        return convert_to_tensor(v)
    except (TypeError, ValueError) as e:
        raise TypeError(f"tf.while_loop: loop variables must be tensors or convertible to tensors, got "
                        f"{type(v).__name__}: {v!r}") from e


def _call(fn, structure, single):
    return fn(structure) if single else fn(*structure)


def _body_leaves(out, loop_vars, single):
    """The flat leaves of body's result, checked against loop_vars' structure."""
    if not single and len(loop_vars) == 1 and not nest.is_nested(out):
        out = [out]
    try:
        nest.assert_same_structure(loop_vars, out)
    except (ValueError, TypeError) as e:
        raise ValueError(f"tf.while_loop: body must return the same structure as loop_vars.\n\nloop_vars: "
                         f"{loop_vars!r}\nbody returned: {out!r}\n\nError details:\n{e}") from None
    return nest.flatten(out)


def _eager_while(cond, body, loop_vars, single, flat, limit):
    n = None if limit is None else int(limit)
    current = nest.pack_sequence_as(loop_vars, flat)
    i = 0
    while (n is None or i < n) and _truth(_call(cond, current, single), "tf.while_loop cond"):
        leaves = [_loop_var(v) for v in _body_leaves(_call(body, current, single), loop_vars, single)]
        current = nest.pack_sequence_as(loop_vars, leaves)
        i += 1
    return current


def _traced_while(cond, body, loop_vars, single, flat, shape_invariants, limit):
    invariants = [None] * len(flat)
    if shape_invariants is not None:
        invariants = [_invariant(inv, t) for inv, t in zip(_flatten_up_to(loop_vars, shape_invariants), flat)]
    shapes = [t._shape if inv is None else inv for t, inv in zip(flat, invariants)]
    # Trace until the loop variables' shapes stop changing: a dim that changes becomes None.
    while True:
        g_cond, g_body = _trace_loop(cond, body, loop_vars, single, flat, shapes, hoist=frozenset())
        relaxed = _relax(shapes, invariants, flat, g_body.outputs)
        if relaxed == shapes:
            break
        shapes = relaxed
    # Retrace once hoisting the reads of variables the loop never writes (for tapes inside the function).
    read = (set(g_cond.variables) | set(g_body.variables)) - g_cond.written - g_body.written
    if read:
        g_cond, g_body = _trace_loop(cond, body, loop_vars, single, flat, shapes, hoist=frozenset(read))
    xs, (cond_idx, body_idx) = _union_captures([g_cond, g_body])
    _absorb([g_cond, g_body])
    params = {"cond_graph": g_cond, "body_graph": g_body, "num_vars": len(flat), "cond_inputs": cond_idx,
              "body_inputs": body_idx, "has_limit": limit is not None}
    inputs = (*flat, *xs) + ((limit,) if limit is not None else ())
    outs = _as_tuple(bind("while_loop", inputs, params))
    return nest.pack_sequence_as(loop_vars, list(outs))


def _flatten_up_to(structure, value):
    """The leaves of `value` at the positions of structure's leaves (shape invariants may be lists)."""
    if not nest.is_nested(structure):
        return [value]
    if isinstance(structure, collections.abc.Mapping):
        try:
            keys = sorted(structure)
        except TypeError:
            keys = sorted(structure, key=repr)
        children = [(structure[k], value[k]) for k in keys]
    else:
        if len(structure) != len(value):
            raise ValueError(f"tf.while_loop: shape_invariants {value!r} do not match the structure of loop_vars.")
        children = zip(structure, value)
    return [leaf for s, v in children for leaf in _flatten_up_to(s, v)]


def _invariant(inv, t):
    from ..tensor_shape import TensorShape
    if inv is None:
        return None
    shape = TensorShape(inv)
    if shape.rank is None:
        raise ValueError(f"tf.while_loop: shape invariants of unknown rank are not supported (loop variable of "
                         f"shape {t.shape}); give the rank, with None for dimensions that change.")
    dims = tuple(shape.as_list())
    if len(dims) != len(t._shape) or any(d is not None and d != s for d, s in zip(dims, t._shape)):
        raise ValueError(f"The shape invariant specified for a loop variable is not compatible with the initial "
                         f"shape of the loop variable. It enters the loop with shape {t.shape}, but the specified "
                         f"shape invariant is {shape}.")
    return dims


def _relax(shapes, invariants, flat, outs):
    relaxed = []
    for i, (shape, inv, t, o) in enumerate(zip(shapes, invariants, flat, outs)):
        if o._dtype != t._dtype:
            raise TypeError(f"tf.while_loop: loop variable {i} enters the loop with dtype {t._dtype.name}, but has "
                            f"dtype {o._dtype.name} after one iteration; cast it in body with tf.cast.")
        if len(o._shape) != len(shape) or (inv is not None and
                                           any(d is not None and d != od for d, od in zip(inv, o._shape))):
            hint = ("the specified shape invariant is " + str(list(inv)) if inv is not None
                    else "webtensor only relaxes dimensions, not ranks")
            raise ValueError(f"tf.while_loop: loop variable {i} enters the loop with shape {list(shape)}, but has "
                             f"shape {o.shape} after one iteration, and {hint}.")
        relaxed.append(shape if inv is not None else _merge_shapes(shape, o._shape))
    return relaxed


def _trace_loop(cond, body, loop_vars, single, flat, shapes, hoist):
    graphs = []
    for fn, what in ((cond, "cond"), (body, "body")):
        g = _SubGraph(f"while_{what}", state.graph, hoist)
        args = [g.placeholder(shape, t._dtype, "loop_var") for shape, t in zip(shapes, flat)]
        structure = nest.pack_sequence_as(loop_vars, args)
        if what == "cond":
            _trace_into(g, lambda: _call(fn, structure, single), (), "tf.while_loop cond")
            if len(g.outputs) != 1:
                raise TypeError(f"tf.while_loop: cond must return one bool scalar, got {len(g.outputs)} tensors.")
            _check_pred(g.outputs[0], "tf.while_loop cond")
        else:
            _trace_into(g, lambda: _body_leaves(_call(fn, structure, single), loop_vars, single), (),
                        "tf.while_loop body")
            if len(g.outputs) != len(flat):
                raise TypeError(f"tf.while_loop: body returned {len(g.outputs)} tensors (None is not allowed) for "
                                f"{len(flat)} loop variables.")
        graphs.append(g)
    return graphs


def _while_infer(inputs, params):
    return [(ph._shape, ph._dtype) for ph in params["body_graph"].inputs]


def _run_while(params, ins):
    n = params["num_vars"]
    end = len(ins) - 1 if params["has_limit"] else len(ins)
    captures = ins[n:end]
    limit = int(ins[-1]) if params["has_limit"] else None
    g_cond, g_body = params["cond_graph"], params["body_graph"]
    cond_caps = [captures[j] for j in params["cond_inputs"]]
    body_caps = [captures[j] for j in params["body_inputs"]]
    current = list(ins[:n])
    i = 0
    while limit is None or i < limit:
        (keep_going,) = g_cond.run(current, cond_caps)
        if not bool(keep_going):
            break
        current = g_body.run(current, body_caps)
        i += 1
    return tuple(current)


defop("while_loop", None, _while_infer, lambda op, *dys: _gradient_node(op, dys),
      num_outputs=lambda params: params["num_vars"], stateful=True)
register_replay("while_loop", _inlining(_run_while))


# -- gradients of loops: computed when the graph runs, because only then is the trip count known ------

def _gradient_node(op, dys):
    """Input gradients of a while_loop (or while_loop_grad) node, as one while_loop_grad node."""
    wrt = tuple(i for i, x in enumerate(op.inputs) if x._dtype.is_floating)
    if not wrt:
        return [None] * len(op.inputs)
    params = {"forward": op.op.name, "forward_params": _pure_params(op.op.name, op.params),
              "num_inputs": len(op.inputs), "wrt": wrt}
    grads = _as_tuple(bind("while_loop_grad", (*op.inputs, *dys), params))
    result = [None] * len(op.inputs)
    for i, g in zip(wrt, grads):
        result[i] = g
    return result


def _run_while_grad(params, ins):
    k = params["num_inputs"]
    xs, dys = list(ins[:k]), list(ins[k:])
    wrt = params["wrt"]
    with GradientTape(watch_accessed_variables=False) as tape:
        for i in wrt:
            xs[i] = array_ops.identity(xs[i])   # a tensor of its own, even where one tensor feeds two inputs
            tape.watch(xs[i])
        outs = _RUN[params["forward"]](params["forward_params"], xs)
    sources = [xs[i] for i in wrt]
    grads = tape.gradient(list(outs), sources, output_gradients=dys)
    return tuple(math_ops.zeros_like(s) if g is None else g for s, g in zip(sources, grads))


def _while_grad_infer(inputs, params):
    return [(inputs[i]._shape, inputs[i]._dtype) for i in params["wrt"]]


_RUN = {"cond": _run_cond, "while_loop": _run_while, "while_loop_grad": _run_while_grad}
defop("while_loop_grad", None, _while_grad_infer, lambda op, *dys: _gradient_node(op, dys),
      num_outputs=lambda params: len(params["wrt"]))
register_replay("while_loop_grad", _inlining(_run_while_grad))


# -- case and switch_case ---------------------------------------------------------------------------

def case(pred_fn_pairs, default=None, exclusive=False, strict=False, name="case"):
    """Runs the fn of the first (pred, fn) pair whose pred is true, else default(); built on tf.cond.

    >>> x = tf.constant(5)
    >>> tf.case([(x < 0, lambda: -1), (x > 0, lambda: 1)], default=lambda: 0)
    <tf.Tensor: shape=(), dtype=int32, numpy=1>
    """
    pairs = list(pred_fn_pairs.items()) if isinstance(pred_fn_pairs, collections.abc.Mapping) else list(pred_fn_pairs)
    for pair in pairs:
        if not isinstance(pair, (list, tuple)) or len(pair) != 2:
            raise TypeError(f"tf.case: each item of pred_fn_pairs must be a (pred, fn) pair, got {pair!r}.")
        if not callable(pair[1]):
            raise TypeError(f"tf.case: fn for pred {pair[0]!r} must be callable.")
    if default is not None and not callable(default):
        raise TypeError("tf.case: default must be callable.")
    if not pairs:
        if default is None:
            raise ValueError("tf.case: pred_fn_pairs is empty and there is no default.")
        return default()
    preds = [p for p, _ in pairs]
    eager = [p for p in preds if not isinstance(p, SymbolicTensor)]
    if exclusive and len(eager) == len(preds) and sum(_truth(p, "tf.case") for p in preds) > 1:
        raise errors.InvalidArgumentError(
            None, "case", f"Input error: exclusive=True and more than 1 conditions evaluated as True: "
            f"{[bool(_truth(p, 'tf.case')) for p in preds]}")
    if default is None:
        # As in TensorFlow, the last pair is the default; eagerly, its pred must then be true.
        (last_pred, last_fn), pairs = pairs[-1], pairs[:-1]

        def default():
            if not isinstance(last_pred, SymbolicTensor) and not _truth(last_pred, "tf.case"):
                raise errors.InvalidArgumentError(None, "case", "Input error: None of conditions evaluated as True: "
                                                  f"{[bool(_truth(p, 'tf.case')) for p in preds]}")
            return last_fn()

    def chain(i):
        if i == len(pairs):
            return default()
        pred, fn = pairs[i]
        return cond(pred, fn, lambda: chain(i + 1))
    with _scope(name):
        return chain(0)


def switch_case(branch_index, branch_fns, default=None, name="switch_case"):
    """Runs branch_fns[branch_index]() (default(), or the last branch, when out of range); built on tf.cond.

    >>> tf.switch_case(tf.constant(1), [lambda: 10, lambda: 20, lambda: 30])
    <tf.Tensor: shape=(), dtype=int32, numpy=20>
    """
    fns = _indexed_branches(branch_fns)
    if default is None:
        default = fns[-1]
    elif not callable(default):
        raise TypeError("tf.switch_case: default must be callable.")
    if hasattr(branch_index, "_as_tensor") and not isinstance(branch_index, Tensor):
        branch_index = convert_to_tensor(branch_index)
    if isinstance(branch_index, Tensor):
        if not branch_index._dtype.is_integer or len(branch_index._shape) != 0:
            raise TypeError(f"tf.switch_case: branch_index must be an integer scalar, got dtype "
                            f"{branch_index._dtype.name} with shape {branch_index.shape}.")
    with _scope(name):
        if not isinstance(branch_index, SymbolicTensor):
            i = int(branch_index)
            return fns[i]() if 0 <= i < len(fns) else default()
        return case([(math_ops.equal(branch_index, math_ops.cast(k, branch_index._dtype)), fn)
                     for k, fn in enumerate(fns)], default=default)


def _indexed_branches(branch_fns):
    if isinstance(branch_fns, collections.abc.Mapping):
        items = list(branch_fns.items())
    else:
        branch_fns = list(branch_fns)
        items = branch_fns if branch_fns and all(isinstance(b, (list, tuple)) for b in branch_fns) \
            else list(enumerate(branch_fns))
    if not items:
        raise ValueError("tf.switch_case: branch_fns must not be empty.")
    keys = sorted(k for k, _ in items)
    if keys != list(range(len(items))):
        raise ValueError(f"tf.switch_case: branch indices (keys) must form a contiguous range [0, {len(items)}), "
                         f"got {keys}.")
    for k, fn in items:
        if not callable(fn):
            raise TypeError(f"tf.switch_case: branch_fns[{k}] must be callable, got {fn!r}.")
    return [fn for _, fn in sorted(items, key=lambda kv: kv[0])]


# -- tf.print ---------------------------------------------------------------------------------------

def print_(*inputs, output_stream=None, summarize=3, sep=" ", end="\n", name=None):
    """Prints tensors (and Python values) when it runs: eagerly now, in tf.function on every call.

    >>> tf.print("x:", tf.constant([1, 2, 3]), output_stream=sys.stdout)
    x: [1 2 3]
    """
    stream = "stderr" if output_stream is None else _stream_name(output_stream)   # sys.stderr, as TF
    summarize = 3 if summarize is None else int(summarize)
    free = nest.map_structure(lambda x: "" if _is_tensor(x) else x, list(inputs))
    placeholder = "{}"
    while placeholder in " ".join(x if isinstance(x, str) else pprint.pformat(x) for x in free):
        placeholder = "{" + placeholder + "}"
    tensors, templates = [], []
    for x in inputs:
        if isinstance(x, str):
            templates.append(x)
            continue
        leaves = []
        for leaf in nest.flatten(x):
            if _is_tensor(leaf):
                tensors.append(convert_to_tensor(leaf))
                leaves.append(placeholder)
            else:
                leaves.append(leaf)
        templates.append(pprint.pformat(nest.pack_sequence_as(x, leaves)) if nest.is_nested(x) else
                         (placeholder if _is_tensor(x) else pprint.pformat(x)))
    template = sep.join(templates).replace("'" + placeholder + "'", placeholder)
    bind("print", tuple(tensors), {"template": template, "placeholder": placeholder, "summarize": summarize,
                                   "output_stream": stream, "end": end})
    return None


print = print_  # noqa: A001 - tf.print


def _is_tensor(x):
    return isinstance(x, Tensor) or hasattr(x, "_as_tensor")


def _stream_name(stream):
    if stream is sys.stdout or stream is sys.__stdout__ or stream == "stdout":
        return "stdout"
    if stream is sys.stderr or stream is sys.__stderr__ or stream == "stderr":
        return "stderr"
    if isinstance(stream, str) and stream.startswith("file://"):
        return stream
    raise ValueError(f"tf.print: unsupported output_stream {stream!r}; use sys.stdout, sys.stderr or "
                     "'file://<path>'.")


def _print_kernel(*arrays, template, placeholder, summarize, output_stream, end):
    pieces = template.split(placeholder)
    text = pieces[0] + "".join(format_tensor(a, summarize) + p for a, p in zip(arrays, pieces[1:])) + end
    if output_stream.startswith("file://"):
        with open(output_stream[len("file://"):], "a", encoding="utf-8") as f:
            f.write(text)
    else:
        stream = sys.stdout if output_stream == "stdout" else sys.stderr
        stream.write(text)
        stream.flush()
    return ()


def format_tensor(array, summarize=3):
    """An array as tf.print shows it: `[1 2 3]`, nested brackets, the first/last `summarize` per dim."""
    a = np.asarray(array)
    if a.ndim == 0:
        return _element(a[()])
    edge = a.size if summarize < 0 else min(summarize, a.size)
    return _format_dim(a, edge, 0)


def _format_dim(a, edge, dim):
    if a.ndim == 0:
        return _element(a[()])
    n = a.shape[0]
    spacing = " " if a.ndim == 1 else "\n" * (a.ndim - 1) + " " * (dim + 1)
    parts = [_format_dim(a[i], edge, dim + 1) for i in range(min(edge, n))]
    text = spacing.join(parts)
    if n > 2 * edge:
        text += spacing + "..."
    for i in range(max(edge, n - edge), n):
        text += spacing + _format_dim(a[i], edge, dim + 1)
    return "[" + text + "]"


def _element(x):
    """One element the way TensorFlow's StrCat writes it (shortest of 6/9 or 15/17 significant digits)."""
    if isinstance(x, (bool, np.bool_)):
        return "1" if x else "0"
    if isinstance(x, np.floating):
        if np.isnan(x):
            return "-nan" if np.signbit(x) else "nan"
        if x.dtype == np.float64:
            short, long_, kind = 15, 17, np.float64
        else:
            short, long_, kind = 6, 9, np.float32
        text = "%.*g" % (short, x)
        return text if kind(text) == kind(x) else "%.*g" % (long_, x)
    if isinstance(x, np.integer):
        return str(int(x))
    if isinstance(x, bytes):
        return x.decode("utf-8", "replace")
    return str(x)


def _print_infer(inputs, params):
    return []


defop("print", _print_kernel, _print_infer, num_outputs=0, stateful=True)


# -- grouping and ordering --------------------------------------------------------------------------

def group(*inputs, name=None):
    """Groups ops so they run together; returns None (ops already run eagerly, or in program order in tf.function).

    >>> tf.group(v.assign(1.0), w.assign(2.0))
    """
    return None


class control_dependencies:  # noqa: N801 - TensorFlow's name
    """A context whose ops run after `control_inputs`; a no-op here.

    Eagerly ops run when called; inside tf.function a graph replays its nodes in the
    order they were traced, so everything traced earlier (including stateful ops
    such as tf.print and variable writes) already runs first.

    >>> with tf.control_dependencies([v.assign(1.0)]):
    ...     y = v + 1
    """

    def __init__(self, control_inputs):
        self.control_inputs = control_inputs

    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False


def no_op(name=None):
    """Does nothing; returns None.

    >>> tf.no_op()
    """
    return None
