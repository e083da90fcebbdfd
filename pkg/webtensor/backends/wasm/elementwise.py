"""Elementwise kernels: the unary and binary families (binary and where broadcast through strides),
cast, fills, and the zero-copy views (reshape, expand_dims, squeeze, identity)."""
import numpy as np

from ... import dtypes
from .programs import SUFFIX, WIDTH, Fallback, broadcast_layout, kernel, size_of

F32, I32, BOOL = dtypes.float32, dtypes.int32, dtypes.bool

UNARY = {
    F32: ("negative", "abs", "sign", "exp", "expm1", "log", "log1p", "sqrt", "rsqrt", "square", "reciprocal",
          "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh", "asinh", "acosh", "atanh",
          "sigmoid", "softplus", "softsign", "erf", "erfc", "relu", "elu", "selu", "leaky_relu", "round",
          "floor", "ceil", "is_nan", "is_inf", "is_finite"),
    I32: ("negative", "abs", "sign", "square", "relu", "round"),
    BOOL: ("logical_not",),
}
BINARY = {
    F32: ("add", "subtract", "multiply", "div", "floordiv", "floormod", "pow", "maximum", "minimum", "atan2",
          "equal", "not_equal", "less", "less_equal", "greater", "greater_equal"),
    # int32 floordiv/floormod/pow stay on the CPU: numpy raises for zero divisors and negative powers
    I32: ("add", "subtract", "multiply", "maximum", "minimum", "equal", "not_equal", "less", "less_equal",
          "greater", "greater_equal"),
    BOOL: ("logical_and", "logical_or", "equal", "not_equal"),
}


def _ops_by_dtype(table):
    by_op = {}
    for dtype, names in table.items():
        for name in names:
            by_op.setdefault(name, set()).add(dtype)
    return by_op


def _unary(backend, op, inputs, params, avals):
    (x,), ((shape, dtype),) = inputs, avals
    out = backend.output(shape, dtype)
    n = size_of(shape)
    if n:
        name = f"{op.name}_{SUFFIX[x._dtype]}"
        if op.name == "leaky_relu":
            backend.call(name, x.ptr, out.ptr, n, float(params["alpha"]))
        else:
            backend.call(name, x.ptr, out.ptr, n)
    return out


def _broadcast_call(backend, name, operands, out):
    """Calls a broadcast kernel `name(*operands, out, rank)` with the layout in the parameter block."""
    if not out.size:
        return out
    rank, words = broadcast_layout(out.shape, *[h.shape for h in operands])
    backend.set_params(words)
    backend.call(name, *[h.ptr for h in operands], out.ptr, rank)
    return out


def _binary(backend, op, inputs, params, avals):
    a, b = inputs
    if a._dtype is not b._dtype:
        raise Fallback(f"{op.name} on {a._dtype.name} and {b._dtype.name}")
    (shape, dtype), = avals
    return _broadcast_call(backend, f"{op.name}_{SUFFIX[a._dtype]}", (a, b), backend.output(shape, dtype))


for _name, _dtypes in _ops_by_dtype(UNARY).items():
    kernel(_name, dtypes=_dtypes)(_unary)
for _name, _dtypes in _ops_by_dtype(BINARY).items():
    kernel(_name, dtypes=_dtypes)(_binary)


@kernel("where", accepts=lambda inputs: inputs[0]._dtype is BOOL and inputs[1]._dtype is inputs[2]._dtype)
def _where(backend, op, inputs, params, avals):
    (shape, dtype), = avals
    return _broadcast_call(backend, f"where_{WIDTH[dtype]}", inputs, backend.output(shape, dtype))


@kernel("cast")
def _cast(backend, op, inputs, params, avals):
    (x,), ((shape, dtype),) = inputs, avals
    if dtype is x._dtype:
        return backend.alias(x, shape)
    out = backend.output(shape, dtype)
    if out.size:
        backend.call(f"cast_{SUFFIX[x._dtype]}_{SUFFIX[dtype]}", x.ptr, out.ptr, out.size)
    return out


def _fill(value):
    def build(backend, op, inputs, params, avals):
        (shape, dtype), = avals
        out = backend.output(shape, dtype)
        if out.size:
            backend.adapter.write(out.ptr, np.full(out.size, value, dtype=out.dtype))
        return out
    return build


kernel("zeros_like")(_fill(0))
kernel("ones_like")(_fill(1))


def _alias(backend, op, inputs, params, avals):
    (shape, dtype), = avals
    if None in shape:  # reshape to a shape given as a run-time input (read on the host), maybe with a -1
        shape = [int(d) for d in inputs[1]]
        if -1 in shape:
            known = size_of([d for d in shape if d != -1])
            shape[shape.index(-1)] = inputs[0].size // known if known else 0
        if size_of(shape) != inputs[0].size:
            raise Fallback(f"reshape of {inputs[0].shape} to {shape} (the CPU kernel raises the error)")
    return backend.alias(inputs[0], tuple(shape), dtype)


kernel("reshape", host_inputs=(1,))(_alias)
kernel("reshape_like", "expand_dims", "squeeze", "identity", "stop_gradient")(_alias)


@kernel("custom_gradient")
def _custom_gradient(backend, op, inputs, params, avals):
    # the forward of a tf.custom_gradient block passes its outputs through unchanged
    n, k = params["num_inputs"], params["num_outputs"]
    outs = [backend.alias(h, shape, dtype) for h, (shape, dtype) in zip(inputs[n:n + k], avals)]
    return outs[0] if k == 1 else tuple(outs)
