"""tf.compat.v1.gradients: symbolic gradients by a backward walk over a TF1 graph's nodes.

A GradientTape cannot watch a graph being built (nothing runs), so the gradient
rules of webtensor's ops are applied to the graph nodes themselves, in reverse
creation order, adding the gradient computation to the same graph.
"""
from ... import nest
from ...core.state import name_scope
from ...core.tensor import SymbolicTensor
from ...ops import math_ops
from ...ops.constructor_ops import zeros
from . import graph as _graph


def _source_tensors(g, x):
    """The graph tensors standing for source x: x itself, or every read of a variable."""
    if isinstance(x, SymbolicTensor):
        return [x]
    if hasattr(x, "_as_tensor"):
        return [n.outputs[0] for n in g.nodes
                if n.op.name == "read_variable" and n.params["variable"] is x]
    raise TypeError(f"gradients: xs must be tensors or variables, got {type(x).__name__}: {x!r}")


def gradients(ys, xs, grad_ys=None, name="gradients", colocate_gradients_with_ops=False, gate_gradients=False,
              aggregation_method=None, stop_gradients=None, unconnected_gradients="none"):
    """The symbolic gradients of sum(ys) with respect to each of xs (tensors or variables).

    Returns a list with one tensor per x (None where ys do not depend on x).

    >>> x = tf.compat.v1.placeholder(tf.float32)
    >>> dy_dx, = tf.compat.v1.gradients(x * x, [x])
    >>> sess.run(dy_dx, {x: 3.0})
    6.0
    """
    g = _graph._graph_for_building("gradients")
    flat_ys = [y._as_tensor() if hasattr(y, "_as_tensor") and not isinstance(y, SymbolicTensor) else y
               for y in nest.flatten(ys)]
    flat_xs = nest.flatten(xs)
    flat_grad_ys = [None] * len(flat_ys) if grad_ys is None else nest.flatten(grad_ys)
    stops = {id(t) for t in nest.flatten(stop_gradients or [])}
    for y in flat_ys:
        if not isinstance(y, SymbolicTensor) or y._node.graph is not g:
            raise ValueError(f"gradients: {y!r} is not a tensor of the default graph.")
    sources = [_source_tensors(g, x) for x in flat_xs]
    source_ids = {id(t) for ts in sources for t in ts}

    # nodes between the sources and the targets, in creation order
    reach = set(source_ids)
    forward = []
    for node in g.nodes:
        if any(id(t) in reach and id(t) not in stops for t in node.inputs):
            forward.append(node)
            reach.update(id(o) for o in node.outputs)
    wanted = {id(y) for y in flat_ys}
    between = []
    for node in reversed(forward):
        if any(id(o) in wanted for o in node.outputs):
            between.append(node)
            wanted.update(id(t) for t in node.inputs)

    grads = {}
    with name_scope(name):
        for y, gy in zip(flat_ys, flat_grad_ys):
            seed = math_ops.ones_like(y) if gy is None else math_ops.cast(gy, y.dtype)
            grads[id(y)] = seed if id(y) not in grads else math_ops.add(grads[id(y)], seed)
        for node in between:  # already in reverse creation order
            outs = node.outputs
            if node.op.grad is None:
                continue
            if len(outs) == 1:
                dy = grads.get(id(outs[0]))
                if dy is None:
                    continue
                in_grads = node.op.grad(node, dy)
            else:
                dys = [grads.get(id(o)) for o in outs]
                if all(d is None for d in dys):
                    continue
                dys = [math_ops.zeros_like(o) if d is None else d for o, d in zip(outs, dys)]
                in_grads = node.op.grad(node, *dys)
            for inp, gi in zip(node.inputs, in_grads):
                if gi is None or id(inp) not in reach or id(inp) in stops or not inp.dtype.is_floating:
                    continue
                prev = grads.get(id(inp))
                grads[id(inp)] = gi if prev is None else math_ops.add(prev, gi)
        result = []
        for x, ts in zip(flat_xs, sources):
            acc = None
            for t in ts:
                gt = grads.get(id(t))
                if gt is not None:
                    acc = gt if acc is None else math_ops.add(acc, gt)
            if acc is None and getattr(unconnected_gradients, "value", unconnected_gradients) == "zero":
                acc = zeros(x.shape, dtype=x.dtype)
            result.append(acc)
    return result
