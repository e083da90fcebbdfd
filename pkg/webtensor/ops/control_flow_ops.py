"""Control flow that works eagerly and inside tf.function: cond, case, switch_case, group, control_dependencies.

Eagerly `cond` is plain Python: it calls one branch, and GradientTapes record the ops
that actually ran. While tf.function traces, both branches are traced into sub-graphs
(_subgraph.py) and the enclosing graph gets one "cond" node. The gradient of a cond
node (for a tape used *inside* the traced function) is another cond whose branches
replay the chosen branch graph under a fresh tape, without its side effects (tf.print,
variable writes). case and switch_case are chains of cond.

tf.while_loop lives in while_ops.py and tf.print in logging_ops.py; both are exported
here too, since `webtensor` star-imports this module.
"""
import collections.abc

from .. import errors, nest
from ..core.graph import register_replay
from ..core.registry import bind, defop
from ..core.state import state
from ..core.tape import GradientTape
from ..core.tensor import SymbolicTensor, Tensor, convert_to_tensor
from . import math_ops
from ._subgraph import (_absorb, _as_tuple, _check_pred, _inlining, _merge_shapes, _scope, _SubGraph, _trace_into,
                        _truth, _union_captures)
from .logging_ops import print  # noqa: A004 - tf.print, exported below
from .while_ops import while_loop

__all__ = ["case", "cond", "control_dependencies", "group", "no_op", "print", "switch_case", "while_loop"]


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
