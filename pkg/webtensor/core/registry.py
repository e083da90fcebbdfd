"""The op registry, and `bind`: the single entry point every op passes through.

An op is declared once (`defop`): its name, its numpy kernel (the reference
semantics), its shape/dtype rule, and its gradient, written with public ops so
that gradients run on every backend and can themselves be differentiated.
`bind` is interpreted three ways: eagerly (run a backend kernel), while tracing
(add a node to the Graph being built), and by every active GradientTape
(record the call so it can be walked backwards).
"""
import numpy as np

from .. import errors
from ..backends.numpy_backend import numpy_backend
from . import tensor as _tensor
from .state import state

OPS = {}
_EMPTY = {}
_wrap = _tensor.wrap


class OpDef:
    """A primitive op: kernel(*arrays, **params), infer(inputs, params) -> [(shape, dtype)], grad(call, *dys)."""

    __slots__ = ("name", "kernel", "infer", "grad", "num_outputs", "stateful")

    def __init__(self, name, kernel, infer, grad, num_outputs, stateful):
        self.name = name
        self.kernel = kernel
        self.infer = infer
        self.grad = grad
        self.num_outputs = num_outputs
        self.stateful = stateful

    def __repr__(self):
        return f"<op {self.name}>"


def defop(name, kernel, infer, grad=None, num_outputs=1, stateful=False):
    """Declares a primitive op. `num_outputs` may be a callable of params for ops like split."""
    if name in OPS:
        raise ValueError(f"op {name!r} is already registered")
    op = OPS[name] = OpDef(name, kernel, infer, grad, num_outputs, stateful)
    return op


def gradient(name):
    """Decorator that sets the gradient rule of a registered op: fn(call, dy) -> input gradients."""
    def deco(fn):
        OPS[name].grad = fn
        return fn
    return deco


class Call:
    """One application of an op: what tapes record, and what gradient rules read.

    Graph nodes have the same fields, so one gradient rule serves eager tapes and
    tapes inside tf.function.
    """

    __slots__ = ("op", "inputs", "params", "outputs", "needs")

    def __init__(self, op, inputs, params, outputs):
        self.op = op
        self.inputs = inputs
        self.params = params
        self.outputs = outputs
        self.needs = None  # set by a tape's backward pass: which inputs want a gradient

    @property
    def type(self):
        return self.op.name

    def needs_grad(self, i):
        """Whether input i's gradient is wanted; rules may skip expensive work when it is not."""
        return self.needs is None or self.needs[i]

    def get_attr(self, key):
        return self.params[key]


def bind(name, inputs, params=_EMPTY):
    """Applies the op `name` to input tensors with static params; returns a Tensor or a tuple."""
    op = OPS[name]
    if state.graph is not None:
        outs = state.graph.add_node(op, inputs, params)
    else:
        outs = execute(op, inputs, params)
    if state.tapes:
        for tape in state.tapes:
            tape._record(op, inputs, params, outs)
    return outs


_KERNEL_ERRORS = (ValueError, TypeError, IndexError, np.linalg.LinAlgError, ZeroDivisionError, OverflowError,
                  MemoryError)


def execute(op, inputs, params):
    """Runs op eagerly on the device in scope (or the default), moving inputs there if needed."""
    backend = state.device.backend if state.device is not None else _tensor._DEFAULT
    if backend is numpy_backend:  # the common case, kept short: the kernel is the op's numpy form
        for t in inputs:
            if t._backend is not backend:
                break
        else:
            try:
                res = op.kernel(*[t._value for t in inputs], **params)
            except _KERNEL_ERRORS as e:
                raise explain_failure(op, inputs, params, e) from e
            if type(res) is tuple or type(res) is list:
                return tuple(_wrap(r, backend) for r in res)
            return _wrap(res, backend)
    if not backend.supports(op, inputs):
        return _execute_on_cpu(op, inputs, params)
    handles = []
    for i, t in enumerate(inputs):
        if t._value is None:
            raise TypeError(f"{op.name}: a symbolic tensor ({t.name}) from a tf.function graph was used "
                            "outside of it. Return it from the function to use its value.")
        if backend.host_input(op, i):
            handles.append(t._backend.read(t._value) if t._backend is not numpy_backend else t._value)
        elif t._backend is not backend:
            handles.append(backend.write(t._backend.read(t._value)))
        else:
            handles.append(t._value)
    try:
        res = backend.run(op, handles, params)
    except _KERNEL_ERRORS as e:
        raise explain_failure(op, inputs, params, e) from e
    except Exception as e:  # a backend may decline at run time (e.g. a rank above its kernels' limit)
        if type(e).__name__ != "Fallback":
            raise
        return _execute_on_cpu(op, inputs, params)
    if type(res) is tuple or type(res) is list:
        return tuple(_wrap(r, backend) for r in res)
    return _wrap(res, backend)


def _execute_on_cpu(op, inputs, params):
    """Soft placement: run op on the numpy backend, reading inputs from wherever they live."""
    handles = [t._backend.read(t._value) if t._backend is not numpy_backend else t._value for t in inputs]
    try:
        res = op.kernel(*handles, **params)
    except _KERNEL_ERRORS as e:
        raise explain_failure(op, inputs, params, e) from e
    if type(res) is tuple or type(res) is list:
        return tuple(_wrap(r, numpy_backend) for r in res)
    return _wrap(res, numpy_backend)


def explain_failure(op, inputs, params, error):
    """Turns a kernel's failure into TensorFlow's error: the shape rule names the problem when it can."""
    if isinstance(error, errors.OpError):
        return error
    op.infer(inputs, params)  # raises the InvalidArgumentError/ValueError TensorFlow would
    if isinstance(error, MemoryError):
        return errors.ResourceExhaustedError(None, op.name, f"OOM when running {op.name}: {error} [Op:{op.name}]")
    shapes = ", ".join(f"{t._dtype.name}{list(t._shape)}" for t in inputs)
    return errors.InvalidArgumentError(None, op.name, f"{error} (inputs: {shapes}) [Op:{op.name}]")


def num_outputs(op, params):
    n = op.num_outputs
    return n(params) if callable(n) else n
