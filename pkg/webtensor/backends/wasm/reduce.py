"""Reductions (reduce_sum/mean/max/min/prod/any/all) and sum_like, as passes of one
[outer, r, inner] kernel: adjacent axes with the same role merge, and each group of reduced axes
is one pass (the mean of equal-sized means is the mean, so means compose too)."""
from ... import dtypes
from .programs import SUFFIX, kernel, size_of

F32, I32, BOOL = dtypes.float32, dtypes.int32, dtypes.bool
REDUCTIONS = {
    "reduce_sum": (F32, I32), "reduce_mean": (F32,), "reduce_max": (F32, I32), "reduce_min": (F32, I32),
    "reduce_prod": (F32, I32), "reduce_any": (BOOL,), "reduce_all": (BOOL,),
}


def _groups(shape, axes):
    """[(size, reduced)] with size-1 axes dropped and neighbours of the same role merged."""
    groups = []
    for i, d in enumerate(shape):
        if d == 1:
            continue
        reduced = i in axes
        if groups and groups[-1][1] == reduced:
            groups[-1] = (groups[-1][0] * d, reduced)
        else:
            groups.append((d, reduced))
    return groups


def reduce_into(backend, name, x, axes, out_shape, dtype):
    """A new handle of out_shape holding x reduced over axes by the export family `name`."""
    groups = _groups(x.shape, set(axes))
    if not any(reduced for _, reduced in groups):
        return backend.alias(x, out_shape, dtype)  # nothing to reduce (only size-1 axes)
    export = f"{name}_{SUFFIX[x._dtype]}"
    src = x
    if size_of(x.shape) == 0:  # some kept axis may be empty: then so is the output
        if size_of(out_shape) == 0:
            return backend.output(out_shape, dtype)
    while True:
        last = max(i for i, (_, reduced) in enumerate(groups) if reduced)
        outer = size_of([d for d, _ in groups[:last]])
        r = groups[last][0]
        inner = size_of([d for d, _ in groups[last + 1:]])
        groups = groups[:last] + groups[last + 1:]
        done = not any(reduced for _, reduced in groups)
        dst = backend.output(out_shape if done else (outer * inner,), dtype)
        if outer * inner:
            backend.call(export, src.ptr, dst.ptr, outer, r, inner)
        if done:
            return dst
        src = dst
        merged = []
        for d, reduced in groups:
            if merged and merged[-1][1] == reduced:
                merged[-1] = (merged[-1][0] * d, reduced)
            else:
                merged.append((d, reduced))
        groups = merged


def _reduction(backend, op, inputs, params, avals):
    (x,), ((shape, dtype),) = inputs, avals
    return reduce_into(backend, op.name, x, params["axis"], shape, dtype)


for _name, _dtypes in REDUCTIONS.items():
    kernel(_name, dtypes=_dtypes)(_reduction)


@kernel("sum_like", dtypes=(F32, I32))
def _sum_like(backend, op, inputs, params, avals):
    g, like = inputs
    (shape, dtype), = avals
    if g.shape == tuple(shape):
        return backend.alias(g, shape)
    extra = len(g.shape) - len(shape)
    axes = list(range(extra)) + [i + extra for i, d in enumerate(shape) if d == 1 and g.shape[i + extra] != 1]
    return reduce_into(backend, "reduce_sum", g, axes, shape, dtype)
