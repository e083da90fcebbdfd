"""Reduction programs: reduce_* and sum_like (tree reductions, multi-pass when few outputs are long),
argmax/argmin, and cumsum/cumprod scans.

A reduction views its input as kept axes x reduced axes (adjacent axes of the same kind merged, size-1
axes dropped), so `out[o] = FINAL(COMBINE over r of LOAD(x[kept_offset(o) + reduced_offset(r)]))`.
Sizes and strides travel in uniforms; the pipeline key names only the op, the element type and
whether the reduced axes merged into one.
"""
from ... import dtypes
from .programs import Fallback, contiguous_strides, f32_bits, i32_bits, program, shader, size_of

F32, I32, U32 = "f32", "i32", "u32"
SMALL = 64            # reduced lengths below this use one invocation per output
CHUNK = 2048          # reduced elements per workgroup in a multi-pass reduction's first pass
MAX_CHUNKS = 1024     # workgroups per output in that first pass (the second pass reduces them)
MANY_OUTPUTS = 1024   # with at least this many outputs, one pass already fills the device

_LOWEST = {F32: "bitcast<f32>(0xff800000u)", I32: "bitcast<i32>(0x80000000u)", U32: "0u"}
_HIGHEST = {F32: "bitcast<f32>(0x7f800000u)", I32: "2147483647", U32: "0xffffffffu"}
_ZERO = {F32: "0.0", I32: "0", U32: "0u"}
_ONE = {F32: "1.0", I32: "1", U32: "1u"}
_IS_NAN = "fn is_nan_(v: f32) -> bool { return (bitcast<u32>(v) & 0x7fffffffu) > 0x7f800000u; }"


def _max(t):
    return "select(b, a, a > b || is_nan_(a))" if t == F32 else "max(a, b)"


def _min(t):
    return "select(b, a, a < b || is_nan_(a))" if t == F32 else "min(a, b)"


# op -> (identity, combine(a, b)) per element type; reduce_any/reduce_all run on bool (u32 0/1)
REDUCERS = {
    "reduce_sum": lambda t: (_ZERO[t], "a + b"),
    "reduce_mean": lambda t: (_ZERO[t], "a + b"),
    "reduce_prod": lambda t: (_ONE[t], "a * b"),
    "reduce_max": lambda t: (_LOWEST[t], _max(t)),
    "reduce_min": lambda t: (_HIGHEST[t], _min(t)),
    "reduce_any": lambda t: ("0u", "a | b"),
    "reduce_all": lambda t: ("1u", "a & b"),
}


def _wgsl(h):
    from .backend import STORAGE_TYPES
    return STORAGE_TYPES[h._dtype][0]


def _plan(shape, axes):
    """Merged (size, stride) lists of the kept and reduced axes, innermost first."""
    strides = contiguous_strides(shape)
    kept, red = [], []
    previous = None
    for i, d in enumerate(shape):
        if d == 1:
            continue
        reduced = i in axes
        group = red if reduced else kept
        if previous is reduced and group:
            group[-1] = (group[-1][0] * d, strides[i])
        else:
            group.append((d, strides[i]))
        previous = reduced
    return kept[::-1], red[::-1]


def _words(kept, red, workgroups, chunks, chunk, count, divisor_bits):
    if len(kept) > 8 or len(red) > 8:
        raise Fallback("reduction over more than 8 merged axes")
    words = [workgroups, chunks, chunk, count, len(kept), len(red), divisor_bits]
    for group in (kept, red):
        words += [d for d, _ in group] + [1] * (8 - len(group))
        words += [s for _, s in group] + [0] * (8 - len(group))
    return words


def _pass(backend, name, t, out_t, x, out, kept, red, final, divisor_bits, chunks=1):
    """Queues one reduction pass of x into out (outputs * chunks elements)."""
    identity, combine = REDUCERS[name](t if name not in ("reduce_any", "reduce_all") else U32)
    acc = U32 if t == U32 or name in ("reduce_any", "reduce_all") else t
    load = "select(0u, 1u, v != 0u)" if name in ("reduce_any", "reduce_all") else "v"
    outputs = size_of([d for d, _ in kept])
    count = size_of([d for d, _ in red])
    chunk = -(-count // chunks) if chunks > 1 else max(count, 1)
    fills = dict(T=t, OUT=out_t, ACC=acc, IDENTITY=identity, COMBINE=combine, LOAD=load, FINAL=final,
                 FUNCTIONS=_IS_NAN if t == F32 else "")
    words = _words(kept, red, outputs * chunks, chunks, chunk, count, divisor_bits)
    if count < SMALL and chunks == 1:
        backend.dispatch(("reduce_small", name, t, out_t, final), lambda: shader("reduce_small", 2, **fills),
                         [x, out], words, outputs)
    else:
        one = len(red) <= 1
        backend.dispatch(("reduce", name, t, out_t, final, one),
                         lambda: shader("reduce", 2, ONE_AXIS="true" if one else "false", **fills),
                         [x, out], words, outputs * chunks * 256)


def reduce_into(backend, name, x, axes, shape, dtype):
    """Reduces handle x over axes with op `name` into a new handle of (shape, dtype)."""
    t = _wgsl(x)
    out = backend.output(shape, dtype)
    kept, red = _plan(x.shape, set(axes))
    outputs = size_of([d for d, _ in kept])
    count = size_of([d for d, _ in red])
    if outputs == 0:
        return out
    out_t = U32 if dtype is dtypes.bool else t
    final, divisor = "acc", 0
    if name == "reduce_mean":
        if t == F32:
            final, divisor = "acc / uf(7u)", f32_bits(float(count))
        else:
            final, divisor = f"acc / {'u' if t == U32 else 'ui'}(7u)", i32_bits(max(count, 1))
    chunks = 1
    if outputs < MANY_OUTPUTS and count >= 2 * CHUNK:
        chunks = min(-(-count // CHUNK), MAX_CHUNKS, max(1, (MAX_CHUNKS * 64) // outputs))
    if chunks == 1:
        _pass(backend, name, t, out_t, x, out, kept, red, final, divisor)
        return out
    first = "reduce_sum" if name == "reduce_mean" else name
    partial = backend.output((outputs, chunks), dtype)
    _pass(backend, first, t, out_t, x, partial, kept, red, "acc", 0, chunks)
    # the second pass combines each output's chunks (contiguous rows of `partial`)
    second_kept = [(outputs, chunks)] if outputs > 1 else []
    _pass(backend, name, out_t if name not in ("reduce_any", "reduce_all") else U32, out_t, partial, out,
          second_kept, [(chunks, 1)], final, divisor)
    return out


@program(*REDUCERS)
def _reduce(backend, op, inputs, params, avals):
    (x,) = inputs
    (shape, dtype), = avals
    return reduce_into(backend, op.name, x, params["axis"], shape, dtype)


@program("sum_like")
def _sum_like(backend, op, inputs, params, avals):
    g, like = inputs
    (shape, dtype), = avals
    if g.shape == tuple(shape):
        return g
    extra = len(g.shape) - len(shape)
    axes = list(range(extra)) + [i + extra for i, d in enumerate(shape) if d == 1 and g.shape[i + extra] != 1]
    return reduce_into(backend, "reduce_sum", g, axes, shape, dtype)


# -- argmax / argmin -------------------------------------------------------------------------------

def _line_view(shape, axis):
    outer = size_of(shape[:axis])
    inner = size_of(shape[axis + 1:])
    return outer, shape[axis], inner


@program("argmax", "argmin")
def _arg(backend, op, inputs, params, avals):
    (x,) = inputs
    (shape, dtype), = avals
    if dtype is not dtypes.int32:
        raise Fallback(f"{op.name} with output_type {dtype.name}")
    axis = params["axis"]
    outer, length, inner = _line_view(x.shape, axis)
    if length == 0:
        raise ValueError(f"Reduction axis {axis} is empty in shape {list(x.shape)}")
    out = backend.output(shape, dtype)
    outputs = outer * inner
    if outputs == 0:
        return out
    t = _wgsl(x)
    wide = length >= SMALL * 4
    fills = dict(T=t, CMP=">" if op.name == "argmax" else "<", WORKGROUP="true" if wide else "false",
                 IS_NAN="(bitcast<u32>(v) & 0x7fffffffu) > 0x7f800000u" if t == F32 else "false")
    backend.dispatch(("reduce_arg", op.name, t, wide), lambda: shader("reduce_arg", 2, **fills),
                     [x, out], [outputs, length, inner], outputs * 256 if wide else outputs)
    return out


# -- cumsum / cumprod ------------------------------------------------------------------------------

@program("cumsum", "cumprod")
def _scan(backend, op, inputs, params, avals):
    (x,) = inputs
    (shape, dtype), = avals
    out = backend.output(shape, dtype)
    outer, length, inner = _line_view(x.shape, params["axis"])
    lines = outer * inner
    if lines == 0 or length == 0:
        return out
    t = _wgsl(x)
    identity, combine = (_ZERO[t], "a + b") if op.name == "cumsum" else (_ONE[t], "a * b")
    wide = length >= 1024 and lines < 4096
    fills = dict(T=t, IDENTITY=identity, COMBINE=combine, WORKGROUP="true" if wide else "false")
    backend.dispatch(("reduce_scan", op.name, t, wide), lambda: shader("reduce_scan", 2, **fills),
                     [x, out], [lines, length, inner, int(params["exclusive"]), int(params["reverse"])],
                     lines * 256 if wide else lines)
    return out
