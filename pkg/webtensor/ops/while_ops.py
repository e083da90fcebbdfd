"""tf.while_loop, eagerly and inside tf.function, and the gradients of traced loops.

Eagerly the loop is a Python loop. While tf.function traces, the loop's cond and body
are traced into sub-graphs (_subgraph.py), retraced until the loop variables' shapes
settle, and the enclosing graph gets one "while_loop" node. The gradient of that node
(for a tape used *inside* the traced function) is a "while_loop_grad" node that, when
run, replays the loop under a fresh eager tape (the trip count is only known then),
without the loop's side effects (tf.print, variable writes).
"""
import collections.abc

from .. import nest
from ..core.graph import register_replay
from ..core.registry import bind, defop
from ..core.state import state
from ..core.tape import GradientTape
from ..core.tensor import convert_to_tensor
from . import array_ops, math_ops
from ._subgraph import (_absorb, _as_tuple, _check_pred, _inlining, _merge_shapes,
                        _pure_params, _scope, _SubGraph, _trace_into, _truth, _union_captures)


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


# the forward of a while_loop_grad node is always a while_loop or while_loop_grad node (see _gradient_node)
_RUN = {"while_loop": _run_while, "while_loop_grad": _run_while_grad}
defop("while_loop_grad", None, _while_grad_infer, lambda op, *dys: _gradient_node(op, dys),
      num_outputs=lambda params: len(params["wrt"]))
register_replay("while_loop_grad", _inlining(_run_while_grad))
