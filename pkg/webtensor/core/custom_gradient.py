"""tf.custom_gradient: a function that supplies its own gradient.

The decorated function runs normally (tapes record its ops, so a gradient
function that closes over its intermediates can itself be differentiated, as
in TensorFlow). Its flat outputs then pass through one `custom_gradient`
primitive over (inputs..., variables..., outputs..., captures...) that returns
the outputs unchanged; that primitive's gradient calls the user's grad_fn, so a
reverse walk from the returned tensors reaches the inputs only through grad_fn.
Inside tf.function, grad_fn is also traced in advance and the graph tensors it
uses ride along as `captures`, so an eager tape around the function works too.
"""
import functools
import inspect

from .. import errors, nest
from .graph import Graph
from .registry import bind, defop
from .state import state, swapped
from .tensor import Tensor, convert_to_tensor


class _CustomGrad:
    """What the primitive needs besides tensors: grad_fn, the variables it differentiates, where it was traced.

    `grad_graph` is grad_fn traced at the same time as the function (only inside tf.function), with
    the graph tensors it closes over as captures; replaying it is how a gradient requested outside of
    that graph (an eager tape around the tf.function) finds their values, which the primitive carries
    as extra inputs.
    """

    __slots__ = ("name", "grad_fn", "variables", "graph", "grad_graph", "grad_mask")

    def __init__(self, name, grad_fn, variables, graph):
        self.name = name
        self.grad_fn = grad_fn
        self.variables = variables
        self.graph = graph
        self.grad_graph = None
        self.grad_mask = None  # which flat gradients grad_graph returns (the others are None)

    def __repr__(self):
        return f"custom_gradient({self.name})"

    def __call__(self, n_args, dys):
        """Runs grad_fn; returns the flat input gradients followed by the variable gradients."""
        if self.variables:
            result = self.grad_fn(*dys, variables=list(self.variables))
            if not isinstance(result, (tuple, list)) or len(result) != 2:
                raise ValueError(f"@tf.custom_gradient grad_fn of {self.name} uses variables, so it must return "
                                 f"(input_gradients, variable_gradients), got {result!r}")
            input_grads, var_grads = result
            var_grads = list(nest.flatten(var_grads))
            if len(var_grads) != len(self.variables):
                raise ValueError(f"Must return gradient for each variable from @custom_gradient grad_fn: "
                                 f"{self.name} uses {len(self.variables)} variables but its grad_fn returned "
                                 f"{len(var_grads)} variable gradients.")
        else:
            input_grads = self.grad_fn(*dys)
            var_grads = []
        flat = nest.flatten(input_grads) if isinstance(input_grads, (list, tuple)) else [input_grads]
        if len(flat) != n_args:
            raise ValueError(f"custom_gradient function expected to return {n_args} gradients, but returned "
                             f"{len(flat)} instead.")
        return [None if g is None else convert_to_tensor(g) for g in flat + var_grads]

    def trace_gradient(self, n_args, outputs):
        """Traces grad_fn into a Graph nested in the current one; returns the tensors it captures."""
        graph = Graph(f"{self.name}_grad", outer=state.graph)
        try:
            with swapped(graph=graph, tapes=()):
                dys = [graph.placeholder(o._shape, o._dtype, "dy") for o in outputs]
                grads = self(n_args, dys)
                graph.outputs = [graph.capture(g) for g in grads if g is not None]
        except Exception:  # noqa: BLE001 - grad_fn may not be traceable; then only in-graph gradients work
            return []
        self.grad_graph = graph
        self.grad_mask = [g is not None for g in grads]
        return [outer for outer, _ in graph.captures]


def _kernel(*arrays, fn, num_inputs, num_outputs):
    outs = arrays[num_inputs:num_inputs + num_outputs]
    return outs[0] if len(outs) == 1 else tuple(outs)


def _infer(inputs, params):
    n = params["num_inputs"]
    return [(t._shape, t._dtype) for t in inputs[n:n + params["num_outputs"]]]


def _num_outputs(params):
    return params["num_outputs"]


def _grad(call, *dys):
    fn = call.params["fn"]
    n_in, n_out = call.params["num_inputs"], call.params["num_outputs"]
    n_args = n_in - len(fn.variables)
    tail = [None] * (len(call.inputs) - n_in)
    if fn.graph is None or fn.graph is state.graph:
        return fn(n_args, dys) + tail
    if fn.grad_graph is not None:
        outs = iter(fn.grad_graph.replay(list(dys), list(call.inputs[n_in + n_out:])))
        return [next(outs) if m else None for m in fn.grad_mask] + tail
    try:
        return fn(n_args, dys) + tail
    except (TypeError, errors.InvalidArgumentError, NotImplementedError) as e:
        raise errors.UnimplementedError(
            None, "custom_gradient",
            f"The gradient of the @tf.custom_gradient function {fn.name!r} was requested outside of the "
            f"tf.function graph ({fn.graph.name}) that traced it, and its grad_fn could not be traced in "
            "advance; it uses tensors of that graph, which have no value here. Compute the gradient inside "
            "the tf.function (put the GradientTape in the function body), or call the function eagerly.") from e


defop("custom_gradient", _kernel, _infer, grad=_grad, num_outputs=_num_outputs)


class _VariableWatcher:
    """Sits among the active tapes while the function runs, noting the trainable variables it reads."""

    def __init__(self):
        self.reads = {}  # id(variable) -> (variable, first tensor it returned)

    def _record(self, op, inputs, params, outs):
        pass

    def _on_read(self, variable, value):
        if variable.trainable and id(variable) not in self.reads:
            self.reads[id(variable)] = (variable, value)


def _is_input(x):
    return isinstance(x, Tensor) or hasattr(x, "_as_tensor") or isinstance(x, (int, float)) or hasattr(x, "__array__")


def _accepts_variables(grad_fn):
    try:
        sig = inspect.signature(grad_fn)
    except (TypeError, ValueError):
        return True
    for p in sig.parameters.values():
        if p.kind is p.VAR_KEYWORD or (p.name == "variables" and p.kind is not p.VAR_POSITIONAL):
            return True
    return False


def _call(f, args, kwargs):
    watcher = _VariableWatcher()
    with swapped(tapes=state.tapes + (watcher,)):
        result, grad_fn = f(*args, **kwargs)
    name = getattr(f, "__name__", "custom_gradient")
    flat_args = [a for a in nest.flatten(args) if _is_input(a)]
    variables = [(v, t) for v, t in watcher.reads.values() if not any(v is a for a in flat_args)]
    if variables and not _accepts_variables(grad_fn):
        raise TypeError(f"@tf.custom_gradient grad_fn must accept keyword argument 'variables', since function "
                        f"{name} uses variables: {[v.name for v, _ in variables]}")
    inputs = [convert_to_tensor(a) for a in flat_args] + [t for _, t in variables]
    flat_result = [convert_to_tensor(r) for r in nest.flatten(result)]
    if not flat_result:
        return result
    fn = _CustomGrad(name, grad_fn, tuple(v for v, _ in variables), state.graph)
    extra = fn.trace_gradient(len(flat_args), flat_result) if state.graph is not None else []
    params = {"fn": fn, "num_inputs": len(inputs), "num_outputs": len(flat_result)}
    outs = bind("custom_gradient", tuple(inputs) + tuple(flat_result) + tuple(extra), params)
    if type(outs) is not tuple:
        outs = (outs,)
    return nest.pack_sequence_as(result, list(outs))


def custom_gradient(f=None):
    """Decorator for a function that returns (outputs, grad_fn); grad_fn(*output_grads) gives input gradients.

    When the function reads trainable variables that are not among its inputs,
    grad_fn must accept `variables=` and return (input_grads, variable_grads).
    grad_fn returns one gradient (or None) per tensor-like positional argument;
    keyword arguments are passed through and not differentiated, as in TF.
    Inside tf.function grad_fn is traced once with the function; if it cannot
    be traced (it needs concrete values, e.g. `.numpy()`), only tapes inside
    that function can use it, and a tape outside raises UnimplementedError.

    >>> @tf.custom_gradient
    ... def log1pexp(x):
    ...     e = tf.exp(x)
    ...     def grad(upstream):
    ...         return upstream * (1 - 1 / (1 + e))
    ...     return tf.math.log(1 + e), grad
    """
    if f is None:
        return custom_gradient

    @functools.wraps(f)
    def decorated(*args, **kwargs):
        return _call(f, args, kwargs)
    return decorated
