"""Elementwise programs: unary and binary families, where, cast, fills, and zero-copy reshapes."""
from ... import dtypes
from .programs import (Fallback, broadcast_strides, f32_bits, padded, program, shader, size_of, source)

F32, I32, U32, F16 = "f32", "i32", "u32", "f16"

# op -> {WGSL element type: expression of v}
UNARY = {
    "negative": {F32: "-v", I32: "-v"},
    "abs": {F32: "abs(v)", I32: "abs(v)"},
    "sign": {F32: "sign(v)", I32: "sign(v)"},
    "exp": {F32: "exp(v)"},
    "expm1": {F32: "expm1_(v)"},
    "log": {F32: "log(v)"},
    "log1p": {F32: "log1p_(v)"},
    "sqrt": {F32: "sqrt(v)"},
    "rsqrt": {F32: "inverseSqrt(v)"},
    "square": {F32: "v * v", I32: "v * v"},
    "reciprocal": {F32: "1.0 / v"},
    "sin": {F32: "sin(v)"},
    "cos": {F32: "cos(v)"},
    "tan": {F32: "tan(v)"},
    "asin": {F32: "atan2(v, sqrt((1.0 - v) * (1.0 + v)))"},  # more accurate than some drivers' asin
    "acos": {F32: "atan2(sqrt((1.0 - v) * (1.0 + v)), v)"},
    "atan": {F32: "atan(v)"},
    "sinh": {F32: "sinh(v)"},
    "cosh": {F32: "cosh(v)"},
    "tanh": {F32: "tanh(v)"},
    "asinh": {F32: "asinh(v)"},
    "acosh": {F32: "acosh(v)"},
    "atanh": {F32: "atanh(v)"},
    "sigmoid": {F32: "sigmoid_(v)"},
    "softplus": {F32: "softplus_(v)"},
    "softsign": {F32: "v / (1.0 + abs(v))"},
    "erf": {F32: "erf_(v)"},
    "erfc": {F32: "1.0 - erf_(v)"},
    "relu": {F32: "max(v, 0.0)", I32: "max(v, 0)"},
    "elu": {F32: "select(expm1_(v), v, v > 0.0)"},
    "selu": {F32: "1.0507009873554805 * select(1.6732632423543772 * expm1_(v), v, v > 0.0)"},
    "leaky_relu": {F32: "select(v * uf(2u), v, v > 0.0)"},
    "round": {F32: "round(v)", I32: "v"},
    "floor": {F32: "floor(v)"},
    "ceil": {F32: "ceil(v)"},
    "is_nan": {F32: "select(0u, 1u, is_nan_(v))"},
    "is_inf": {F32: "select(0u, 1u, is_inf_(v))"},
    "is_finite": {F32: "select(1u, 0u, is_nan_(v) || is_inf_(v))"},
    "logical_not": {U32: "select(1u, 0u, v != 0u)"},
}

BINARY = {
    "add": {F32: "a + b", I32: "a + b", U32: "a + b"},
    "subtract": {F32: "a - b", I32: "a - b", U32: "a - b"},
    "multiply": {F32: "a * b", I32: "a * b", U32: "a * b"},
    "div": {F32: "a / b"},
    "floordiv": {F32: "floor(a / b)", I32: "floordiv_i32(a, b)"},
    "floormod": {F32: "floormod_f32(a, b)", I32: "floormod_i32(a, b)"},
    "pow": {F32: "pow_f32(a, b)", I32: "pow_i32(a, b)"},
    "maximum": {F32: "max(a, b)", I32: "max(a, b)", U32: "max(a, b)"},
    "minimum": {F32: "min(a, b)", I32: "min(a, b)", U32: "min(a, b)"},
    "atan2": {F32: "atan2(a, b)"},
    "equal": {F32: "select(0u, 1u, a == b)", I32: "select(0u, 1u, a == b)", U32: "select(0u, 1u, a == b)"},
    "not_equal": {F32: "select(0u, 1u, a != b)", I32: "select(0u, 1u, a != b)", U32: "select(0u, 1u, a != b)"},
    "less": {F32: "select(0u, 1u, a < b)", I32: "select(0u, 1u, a < b)", U32: "select(0u, 1u, a < b)"},
    "less_equal": {F32: "select(0u, 1u, a <= b)", I32: "select(0u, 1u, a <= b)", U32: "select(0u, 1u, a <= b)"},
    "greater": {F32: "select(0u, 1u, a > b)", I32: "select(0u, 1u, a > b)", U32: "select(0u, 1u, a > b)"},
    "greater_equal": {F32: "select(0u, 1u, a >= b)", I32: "select(0u, 1u, a >= b)",
                      U32: "select(0u, 1u, a >= b)"},
    "logical_and": {U32: "select(0u, 1u, (a != 0u) && (b != 0u))"},
    "logical_or": {U32: "select(0u, 1u, (a != 0u) || (b != 0u))"},
}
_BOOL_OUT = {"is_nan", "is_inf", "is_finite", "logical_not", "equal", "not_equal", "less", "less_equal",
             "greater", "greater_equal", "logical_and", "logical_or"}


def _wgsl(t):
    from .backend import STORAGE_TYPES
    return STORAGE_TYPES[t._dtype][0]


def _out_type(name, t):
    return U32 if name in _BOOL_OUT else t


def _accepts(table):
    def check(inputs):
        from .backend import STORAGE_TYPES
        wgsl = STORAGE_TYPES.get(inputs[0]._dtype, (None,))[0]
        return wgsl in table or (wgsl == F16 and F32 in table)
    return check


# float16 (adapters with shader-f16): elements load as f32, the f32 expression runs, the result rounds
# to f16 on store, as numpy computes float16 arithmetic through float32.
_F16_LOADS = {"let v = x[i];": "let v = f32(x[i]);", "let a = xa[ia];": "let a = f32(xa[ia]);",
              "let b = xb[ib];": "let b = f32(xb[ib]);"}


def _f16_shader(name, binding, out_type, expr, **fills):
    text = shader(name, binding, OUT=out_type, EXPR=f"{out_type}({expr})", **fills)
    for old, new in _F16_LOADS.items():
        text = text.replace(old, new)
    return text


def _unary(backend, op, inputs, params, avals):
    (x,) = inputs
    t = _wgsl(x)
    expr = UNARY[op.name].get(F32 if t == F16 else t)
    if expr is None:
        raise Fallback(f"{op.name} on {x._dtype.name}")
    (shape, dtype), = avals
    out = backend.output(shape, dtype)
    n = size_of(shape)
    if n:
        extra = [f32_bits(params["alpha"])] if op.name == "leaky_relu" else []
        if t == F16:
            source_fn = lambda: _f16_shader("unary", 2, _out_type(op.name, t), expr, T=t,  # noqa: E731
                                            FUNCTIONS=source("math"))
        else:
            source_fn = lambda: shader("unary", 2, T=t, OUT=_out_type(op.name, t), EXPR=expr,  # noqa: E731
                                       FUNCTIONS=source("math"))
        backend.dispatch(("unary", op.name, t), source_fn, [x, out], [n] + extra, n)
    return out


_WORDS = {}


def _broadcast_words(a_shape, b_shape, shape):
    """The binary shader's uniforms for these shapes (cached: training loops repeat the same shapes)."""
    key = (a_shape, b_shape, shape)
    words = _WORDS.get(key)
    if words is None:
        words = [size_of(shape)] + padded(shape, fill=1) + padded(broadcast_strides(a_shape, shape)) + \
            padded(broadcast_strides(b_shape, shape))
        if len(_WORDS) < 4096:
            _WORDS[key] = words
    return words


def _binary(backend, op, inputs, params, avals):
    a, b = inputs
    t = _wgsl(a)
    expr = BINARY[op.name].get(F32 if t == F16 else t)
    if expr is None:
        raise Fallback(f"{op.name} on {a._dtype.name}")
    (shape, dtype), = avals
    out = backend.output(shape, dtype)
    n = size_of(shape)
    if n:
        same = a.shape == b.shape == tuple(shape)
        words = _broadcast_words(a.shape, b.shape, tuple(shape))
        fills = dict(T=t, FUNCTIONS=source("math"), BROADCAST="false" if same else "true")
        if t == F16:
            source_fn = lambda: _f16_shader("binary", 3, _out_type(op.name, t), expr, **fills)  # noqa: E731
        else:
            source_fn = lambda: shader("binary", 3, OUT=_out_type(op.name, t), EXPR=expr, **fills)  # noqa: E731
        backend.dispatch(("binary", op.name, t, same), source_fn, [a, b, out], words, n)
    return out


for _name, _table in UNARY.items():
    program(_name, accepts=_accepts(_table))(_unary)
for _name, _table in BINARY.items():
    program(_name, accepts=_accepts(_table))(_binary)


@program("where")
def _where(backend, op, inputs, params, avals):
    c, x, y = inputs
    t = _wgsl(x)
    (shape, dtype), = avals
    out = backend.output(shape, dtype)
    n = size_of(shape)
    if n:
        words = [n] + padded(shape, fill=1)
        for h in (c, x, y):
            words += padded(broadcast_strides(h.shape, shape))
        backend.dispatch(("where", t), lambda: shader("where", 4, T=t), [c, x, y, out], words, n)
    return out


_CASTS = {  # (from, to) -> expression of v
    (F32, I32): "i32(clamp(v, -2147483648.0, 2147483520.0))", (F32, U32): "u32(max(v, 0.0))",
    (I32, F32): "f32(v)", (U32, F32): "f32(v)", (I32, U32): "u32(v)", (U32, I32): "i32(v)",
    (F32, F32): "v", (I32, I32): "v", (U32, U32): "v",
    (F16, F32): "f32(v)", (F32, F16): "f16(v)", (F16, F16): "v", (F16, I32): "i32(f32(v))",
    (F16, U32): "u32(max(f32(v), 0.0))", (I32, F16): "f16(f32(v))", (U32, F16): "f16(f32(v))",
}


@program("cast")
def _cast(backend, op, inputs, params, avals):
    (x,) = inputs
    src, dst = _wgsl(x), None
    (shape, dtype), = avals
    from .backend import STORAGE_TYPES
    dst = STORAGE_TYPES[dtype][0]
    if dtype is dtypes.bool:
        expr = {F32: "select(0u, 1u, v != 0.0)", F16: "select(0u, 1u, v != 0.0)", I32: "select(0u, 1u, v != 0)", U32: "select(0u, 1u, v != 0u)"}[src]
    else:
        expr = _CASTS[(src, dst)]
    out = backend.output(shape, dtype)
    n = size_of(shape)
    if n:
        backend.dispatch(("cast", src, dst, dtype is dtypes.bool),
                         lambda: shader("unary", 2, T=src, OUT=dst, EXPR=expr, FUNCTIONS=""), [x, out], [n], n)
    return out


def _fill(value_of):
    def build(backend, op, inputs, params, avals):
        (shape, dtype), = avals
        from .backend import STORAGE_TYPES
        t = STORAGE_TYPES[dtype][0]
        out = backend.output(shape, dtype)
        n = size_of(shape)
        if n:
            v = value_of(t)
            backend.dispatch(("fill", t, v), lambda: shader("fill", 1, T=t, VALUE=v), [out], [n], n)
        return out
    return build


program("zeros_like")(_fill(lambda t: {F32: "0.0", F16: "0.0", I32: "0", U32: "0u"}[t]))
program("ones_like")(_fill(lambda t: {F32: "1.0", F16: "1.0", I32: "1", U32: "1u"}[t]))


def _alias(backend, op, inputs, params, avals):
    (shape, dtype), = avals
    return backend.alias(inputs[0], shape, dtype)


# reshape's optional second input (a shape known at run time) is read on the host, where infer uses it
program("reshape", host_inputs=(1,))(_alias)
program("reshape_like", "expand_dims", "squeeze", "identity", "stop_gradient")(_alias)


@program("custom_gradient")
def _custom_gradient(backend, op, inputs, params, avals):
    # the forward of a tf.custom_gradient block passes its outputs through unchanged
    n, k = params["num_inputs"], params["num_outputs"]
    outs = [backend.alias(h, shape, dtype) for h, (shape, dtype) in zip(inputs[n:n + k], avals)]
    return outs[0] if k == 1 else tuple(outs)
