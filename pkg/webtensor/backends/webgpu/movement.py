"""Data movement, indexing and sorting programs: strided copies, pads, gathers, scatter-adds, sorts.

Strided copies. Every layout op (transpose, strided_slice, reverse, broadcast_to/like, tile, concat,
split, the CONSTANT pad_grad, strided_slice_grad) is one or a few dispatches of strided_copy.wgsl:
out[dst_offset + c . dst_strides] = x[src_offset + c . src_strides] over an iteration shape c,
strides as i32 so they may be negative. Elements move as raw 32-bit words, so one pipeline serves
every dtype. Before dispatching, axes of size 1 are dropped and axes that are contiguous in both
source and destination are merged (a transpose of rank 6 often becomes rank 2-3, and ranks above 8
often fit); a copy that reads the input contiguously from element 0 becomes a zero-copy alias.

Index validation. The numpy kernels raise InvalidArgumentError for an index outside its dim; a GPU
kernel cannot raise, and reading indices back to check them would cost a sync per op. The rule:
  * indices whose values are known on the host are checked there, which is free: a CPU tensor
    (in `accepts`, before any upload), a numpy host input (int64 ids), or a GPU handle's `host`
    copy of the small array it was written from (constants, Python lists; when the backend keeps
    one). A bad index makes the program decline (Fallback), so the CPU kernel raises TensorFlow's
    error;
  * indices computed on the GPU follow TensorFlow's GPU kernels: a gather of an out-of-range index
    gives zeros, a scatter-add drops it (unsorted_segment_sum drops negative ids on every device).

Scatter-adds. Core WebGPU has no float atomics. scatter_add.wgsl has two forms:
  * OWNER: one invocation per output column walks all index tuples in order and adds the updates
    that hit its column. No atomics, and the summation order is numpy's add.at order, so float
    results are deterministic and match the CPU bit for bit. Work is O(columns * tuples) reads of
    the indices but only O(updates) adds; used when there are many columns (>= 1024, e.g. the
    embedding gradient of a [vocab, 256] table) or few tuples (<= 64).
  * ATOMIC: one invocation per update element; ints use atomicAdd (exact, so still
    deterministic), bool atomicOr, f32 a compare-exchange loop on the bits (atomic<u32>), whose
    summation order varies run to run (results differ only by float rounding). Used for many
    tuples into few columns, where OWNER would serialise.

Sorting. argsort and top_k sort one row per workgroup (bitonic network in workgroup memory over
(key, index) pairs, so ties are stable) for rows of up to 2048 elements; longer rows fall back to
the CPU.
"""
import numpy as np

from ... import dtypes
from ...backends.numpy_backend import numpy_backend
from .programs import (Fallback, MAX_RANK, contiguous_strides, f32_bits, i32_bits, padded, program, shader,
                       size_of, source)

F32, I32, U32 = "f32", "i32", "u32"
SORT_MAX = 2048          # longest row sorted in workgroup memory (2 x 2048 words = 16 KiB)
OWNER_COLUMNS = 1024     # scatter-adds with at least this many columns, or
OWNER_TUPLES = 64        # at most this many index tuples, use the deterministic OWNER form
# Matrix transposes through workgroup-memory tiles: faster on GPUs, slower on CPU drivers (lavapipe
# measured ~1.6x slower at 4096^2), so None picks them on hardware adapters only.
TILED_TRANSPOSE = None


def _wgsl(dtype):
    from .backend import STORAGE_TYPES
    return STORAGE_TYPES[dtype][0]


def _bits(value, dtype):
    """The 32-bit word of a Python scalar stored as dtype."""
    if dtype is dtypes.float32:
        return f32_bits(value)
    if dtype is dtypes.bool:
        return 1 if value else 0
    if dtype is dtypes.uint32:
        return int(value) & 0xFFFFFFFF
    return i32_bits(int(value))


# -- strided copies -----------------------------------------------------------------------------------

def _coalesce(shape, *strides):
    """Drops size-1 axes and merges axes contiguous in every stride list; returns (shape, strides...)."""
    dims = [(d, [s[k] for s in strides]) for k, d in enumerate(shape) if d != 1]
    out = []
    for d, st in dims:
        if out:
            pd, pst = out[-1]
            if all(p == q * d for p, q in zip(pst, st)):
                out[-1] = (pd * d, st)
                continue
        out.append((d, st))
    return ([d for d, _ in out],) + tuple([st[i] for _, st in out] for i in range(len(strides)))


def _is_matrix_transpose(shape, strides):
    """Whether out[b, p, q] = x[b, q, p] (x contiguous): shape (B, P, Q) or (P, Q), strides (P*Q, 1, P)."""
    if len(shape) not in (2, 3) or min(shape[-2:]) < 4:
        return False
    want = [1, shape[-2]] if len(shape) == 2 else [shape[-1] * shape[-2], 1, shape[-2]]
    return list(strides) == want


def _fill(backend, out, word):
    n = out.size
    if n:
        backend.dispatch(("fill_bits",), lambda: shader("fill", 1, T=U32, VALUE="u(2u)"), [out], [n, word], n)


def copy(backend, x, out, shape, src_strides, src_offset=0, dst_strides=None, dst_offset=0, moduli=None):
    """Queues out[dst_offset + c.dst_strides] = x[src_offset + c.src_strides] for c over shape.

    dst_strides None means out is written contiguously in iteration order; moduli (tile) reads
    source coordinate c_k % moduli_k instead of c_k.
    """
    n = size_of(shape)
    if n == 0:
        return
    contiguous = dst_strides is None
    if contiguous:
        dst_strides = contiguous_strides(shape)
    if moduli is None:
        shape, src_strides, dst_strides = _coalesce(shape, src_strides, dst_strides)
        mod_words = []
    else:
        mod_words = padded(moduli, fill=1)
    contiguous = contiguous or (dst_offset == 0 and list(dst_strides) == contiguous_strides(shape))
    tiled = TILED_TRANSPOSE if TILED_TRANSPOSE is not None else not getattr(backend.adapter, "is_software", True)
    if tiled and contiguous and moduli is None and src_offset == 0 and dst_offset == 0 and \
            _is_matrix_transpose(shape, src_strides):
        np_, nq = shape[-2], shape[-1]
        tiles = size_of(shape[:-2]) * -(-np_ // 16) * -(-nq // 16)
        backend.dispatch(("transpose",), lambda: shader("transpose", 2), [x, out], [tiles, np_, nq], tiles * 256)
        return
    rank = len(shape)
    words = [n] + padded(shape, fill=1) + [i32_bits(s) for s in padded(src_strides)] + \
        [i32_bits(s) for s in padded(dst_strides)] + [i32_bits(src_offset), i32_bits(dst_offset)]
    words += mod_words if mod_words else [1] * MAX_RANK
    words.append(rank)
    mod = moduli is not None
    backend.dispatch(("strided_copy", mod, contiguous),
                     lambda: shader("strided_copy", 2, SRC_COORD="c % u(28u + k)" if mod else "c",
                                    DST_CONTIGUOUS="true" if contiguous else "false"),
                     [x, out], words, n)


def view(backend, x, shape, dtype, src_strides, src_offset=0):
    """A tensor of shape reading x at src_offset + c.src_strides: an alias when that is x's own layout."""
    n = size_of(shape)
    if n == 0:
        return backend.output(shape, dtype)
    if src_offset == 0:
        cshape, cstrides = _coalesce(shape, src_strides)
        if cstrides == contiguous_strides(cshape):  # reads x[0:n] in order
            return backend.alias(x, tuple(shape), dtype)
    out = backend.output(shape, dtype)
    copy(backend, x, out, shape, src_strides, src_offset)
    return out


@program("transpose")
def _transpose(backend, op, inputs, params, avals):
    (x,) = inputs
    (shape, dtype), = avals
    strides = contiguous_strides(x.shape)
    return view(backend, x, shape, dtype, [strides[p] for p in params["perm"]])


@program("reverse")
def _reverse(backend, op, inputs, params, avals):
    (x,) = inputs
    (shape, dtype), = avals
    strides = contiguous_strides(x.shape)
    offset = 0
    axes = {a % len(x.shape) for a in (params["axis"] or ())}
    for a in axes:
        if x.shape[a] > 1:
            offset += (x.shape[a] - 1) * strides[a]
            strides[a] = -strides[a]
    return view(backend, x, shape, dtype, strides, offset)


def _broadcast(backend, x, shape, dtype):
    pad = len(shape) - len(x.shape)
    full = [1] * pad + list(x.shape)
    strides = contiguous_strides(full)
    return view(backend, x, shape, dtype, [0 if d == 1 and o != 1 else s for d, s, o in zip(full, strides, shape)])


@program("broadcast_like")
def _broadcast_like(backend, op, inputs, params, avals):
    (shape, dtype), = avals
    return _broadcast(backend, inputs[0], shape, dtype)


# A shape known only when a graph runs comes as a trailing int `dims` input: read on the host (it is
# usually there already: shape queries run on the CPU), it gives the shape rule the concrete target.
@program("broadcast_to", host_inputs=(1,))
def _broadcast_to(backend, op, inputs, params, avals):
    (shape, dtype), = avals
    if None in shape:
        raise Fallback("broadcast_to to a shape not known yet")
    return _broadcast(backend, inputs[0], shape, dtype)


@program("tile")
def _tile(backend, op, inputs, params, avals):
    (x,) = inputs
    (shape, dtype), = avals
    if all(m == 1 for m in params["multiples"]):
        return backend.alias(x, shape, dtype)
    out = backend.output(shape, dtype)
    copy(backend, x, out, shape, contiguous_strides(x.shape), moduli=list(x.shape))
    return out


def _slice_geometry(in_shape, spec):
    """(offset, per output axis strides) of x[spec] for a normalized spec (ints, slices, None)."""
    strides = contiguous_strides(in_shape)
    offset, out_strides, dim = 0, [], 0
    for s in spec:
        if s is None:
            out_strides.append(0)
        elif isinstance(s, int):
            d = in_shape[dim]
            offset += (s + d if s < 0 else s) * strides[dim]
            dim += 1
        else:
            start, _, step = s.indices(in_shape[dim])
            offset += start * strides[dim]
            out_strides.append(step * strides[dim])
            dim += 1
    out_strides += strides[dim:]
    return offset, out_strides


@program("strided_slice")
def _strided_slice(backend, op, inputs, params, avals):
    (x,) = inputs
    (shape, dtype), = avals
    offset, strides = _slice_geometry(x.shape, params["spec"])
    return view(backend, x, shape, dtype, strides, offset)


@program("strided_slice_grad")
def _strided_slice_grad(backend, op, inputs, params, avals):
    dy, like = inputs
    (shape, dtype), = avals
    out = backend.output(shape, dtype)
    offset, strides = _slice_geometry(shape, params["spec"])
    if dy.size != size_of(shape):
        _fill(backend, out, 0)
    copy(backend, dy, out, dy.shape, contiguous_strides(dy.shape), 0, strides, offset)
    return out


@program("concat")
def _concat(backend, op, inputs, params, avals):
    (shape, dtype), = avals
    a = params["axis"]
    out = backend.output(shape, dtype)
    dst = contiguous_strides(shape)
    start = 0
    for x in inputs:  # one dispatch per input into its region of the output
        copy(backend, x, out, x.shape, contiguous_strides(x.shape), 0, dst, start * dst[a])
        start += x.shape[a]
    return out


@program("split")
def _split(backend, op, inputs, params, avals):
    (x,) = inputs
    a = params["axis"]
    strides = contiguous_strides(x.shape)
    outs, start = [], 0
    for (shape, dtype), size in zip(avals, params["sizes"]):
        outs.append(view(backend, x, shape, dtype, strides, start * strides[a]))
        start += size
    return tuple(outs)


_PAD_MODES = {"CONSTANT": 0, "REFLECT": 1, "SYMMETRIC": 2}


@program("pad")
def _pad(backend, op, inputs, params, avals):
    (x,) = inputs
    (shape, dtype), = avals
    pads = params["paddings"]
    if all(lo == 0 and hi == 0 for lo, hi in pads):
        return backend.alias(x, shape, dtype)
    out = backend.output(shape, dtype)
    n = size_of(shape)
    if n == 0:
        return out
    mode = _PAD_MODES[params["mode"]]
    fill = _bits(params.get("constant_values", 0), dtype) if mode == 0 else 0
    if x.size == 0:  # CONSTANT pad of an empty tensor: all fill
        _fill(backend, out, fill)
        return out
    words = [n] + padded(shape, fill=1) + padded(x.shape, fill=1) + padded([lo for lo, _ in pads]) + [fill]
    backend.dispatch(("pad", mode), lambda: shader("pad", 2, MODE=mode), [x, out], words, n)
    return out


@program("pad_grad")
def _pad_grad(backend, op, inputs, params, avals):
    dy, like = inputs
    (shape, dtype), = avals
    pads = params["paddings"]
    if params["mode"] == "CONSTANT":
        return view(backend, dy, shape, dtype, contiguous_strides(dy.shape),
                    sum(lo * s for (lo, _), s in zip(pads, contiguous_strides(dy.shape))))
    t = _wgsl(dtype)
    if dtype is dtypes.bool:
        raise Fallback("pad_grad of bool")
    out = backend.output(shape, dtype)
    n = size_of(shape)
    if n:
        mode = _PAD_MODES[params["mode"]]
        words = [n] + padded(shape, fill=1) + padded(dy.shape, fill=1) + padded([lo for lo, _ in pads])
        backend.dispatch(("pad_grad", mode, t),
                         lambda: shader("pad_grad", 2, MODE=mode, T=t, ZERO={F32: "0.0", I32: "0", U32: "0u"}[t]),
                         [dy, out], words, n)
    return out


# -- gathers and scatter-adds ---------------------------------------------------------------------------

def _host_indices(t):
    """The numpy value of an index tensor known on the host, else None (never a GPU read): a CPU
    tensor's value, or the host copy a GPU handle keeps of the array it was written from (`host`,
    when the backend keeps one for small writes)."""
    if getattr(t, "_backend", None) is numpy_backend and isinstance(t._value, np.ndarray):
        return t._value
    return getattr(getattr(t, "_value", None), "host", None)


def _in_range(values, limits):
    """Whether every index tuple (last axis of values, or scalars) lies in [0, limits)."""
    if values is None or values.size == 0:
        return True
    return bool(((values >= 0) & (values < np.asarray(limits, dtype=np.int64))).all())


def _accept_indices(position, limit, tuples=False):
    """accepts(inputs, params=None): declines (so the CPU kernel raises) when host indices are out of range.

    limit(inputs, params) gives the exclusive upper bounds; when it needs params that were not given,
    only negative indices are caught.
    """
    def check(inputs, params=None):
        values = _host_indices(inputs[position])
        if values is None or values.size == 0:
            return True
        try:
            bounds = limit(inputs, params)
        except (KeyError, TypeError, IndexError):
            return bool((values >= 0).all())
        if tuples:
            k = values.shape[-1]
            return _in_range(values.reshape(-1, k), bounds[:k])
        return _in_range(values, bounds)
    return check


def _geometry(O, M, N, A, I, dims, rstrides):
    if len(dims) > MAX_RANK:
        raise Fallback(f"index depth {len(dims)} above {MAX_RANK}")
    return [O, M, N, A, I, len(dims)] + list(dims) + [0] * (MAX_RANK - len(dims)) + \
        list(rstrides) + [0] * (MAX_RANK - len(rstrides))


def _gather_geometry(p_shape, i_shape, axis, batch_dims):
    A = p_shape[axis]
    return _geometry(size_of(p_shape[:axis]), size_of(p_shape[batch_dims:axis]), size_of(i_shape[batch_dims:]),
                     A, size_of(p_shape[axis + 1:]), [A], [1])


def _nd_geometry(shape, i_shape):
    k = i_shape[-1]
    return _geometry(1, 1, size_of(i_shape[:-1]), size_of(shape[:k]), size_of(shape[k:]), shape[:k],
                     contiguous_strides(shape[:k]))


def _indices(backend, idx, bounds, tuples=False, segments=False):
    """idx as an int32 GPU handle. Indices that reach a builder as numpy arrays (host inputs, e.g.
    int64 ids) are checked on the host, where it is free: out of range, the CPU kernel raises."""
    host = idx if isinstance(idx, np.ndarray) else getattr(idx, "host", None)  # see _host_indices
    if host is not None and host.size:
        values = host.reshape(-1, host.shape[-1]) if tuples else host
        ok = bool((values < np.asarray(bounds[:idx.shape[-1]] if tuples else bounds, np.int64)).all()) and \
            (segments or bool((values >= 0).all()))
        if not ok:
            raise Fallback("indices out of range: the CPU kernel raises TensorFlow's error")
    if isinstance(idx, np.ndarray):
        return backend.write(np.maximum(idx, -1).astype(np.int32))
    if idx._dtype not in (dtypes.int32, dtypes.uint32):
        raise Fallback(f"indices of {idx._dtype.name}")
    return idx


def _run_gather(backend, x, idx, shape, dtype, geometry):
    out = backend.output(shape, dtype)
    n = size_of(shape)
    if n:
        backend.dispatch(("gather",), lambda: shader("gather", 3, INDEX_ROWS=source("index_rows")),
                         [x, idx, out], [n] + geometry, n)
    return out


@program("gather", accepts=_accept_indices(1, lambda inputs, params: [inputs[0]._shape[params["axis"]]]))
def _gather(backend, op, inputs, params, avals):
    p, idx = inputs
    (shape, dtype), = avals
    return _run_gather(backend, p, _indices(backend, idx, [p.shape[params["axis"]]]), shape, dtype,
                       _gather_geometry(p.shape, idx.shape, params["axis"], params["batch_dims"]))


@program("gather_nd", accepts=_accept_indices(1, lambda inputs, params: list(inputs[0]._shape), tuples=True))
def _gather_nd(backend, op, inputs, params, avals):
    p, idx = inputs
    (shape, dtype), = avals
    return _run_gather(backend, p, _indices(backend, idx, list(p.shape), tuples=True), shape, dtype,
                       _nd_geometry(p.shape, idx.shape))


_ADD_OWNED = {F32: "out[j] = bitcast<u32>(bitcast<f32>(out[j]) + bitcast<f32>(v));",
              I32: "out[j] = out[j] + v;", "bool": "out[j] = out[j] | v;"}
_ADD_ATOMIC = {
    F32: """var old = atomicLoad(&out[j]);
  loop {
    let r = atomicCompareExchangeWeak(&out[j], old, bitcast<u32>(bitcast<f32>(old) + bitcast<f32>(v)));
    if (r.exchanged) { break; }
    old = r.old_value;
  }""",
    I32: "atomicAdd(&out[j], v);",   # two's complement: the same bits for i32 and u32
    "bool": "atomicOr(&out[j], v);",
}


def scatter_add(backend, upd, idx, shape, dtype, geometry, owner=None):
    """A zero tensor of shape with upd added at the rows idx addresses (geometry: see index_rows.wgsl)."""
    out = backend.output(shape, dtype)
    _fill(backend, out, 0)
    O, N, I = geometry[0], geometry[2], geometry[4]
    if size_of(shape) == 0 or O * N * I == 0:
        return out
    kind = "bool" if dtype is dtypes.bool else (F32 if dtype is dtypes.float32 else I32)
    if owner is None:
        owner = O * I >= OWNER_COLUMNS or N <= OWNER_TUPLES
    threads = O * I if owner else O * N * I
    backend.dispatch(("scatter_add", kind, owner),
                     lambda: shader("scatter_add", 3, INDEX_ROWS=source("index_rows"),
                                    OUT="u32" if owner else "atomic<u32>", OWNER="true" if owner else "false",
                                    ADD_AT=(_ADD_OWNED if owner else _ADD_ATOMIC)[kind]),
                     [upd, idx, out], [threads] + geometry, threads)
    return out


@program("gather_grad", accepts=_accept_indices(1, lambda inputs, params: [inputs[2]._shape[params["axis"]]]))
def _gather_grad(backend, op, inputs, params, avals):
    dy, idx, like = inputs
    (shape, dtype), = avals
    return scatter_add(backend, dy, _indices(backend, idx, [shape[params["axis"]]]), shape, dtype,
                       _gather_geometry(shape, idx.shape, params["axis"], params["batch_dims"]))


@program("scatter_nd", accepts=_accept_indices(0, lambda inputs, params: list(params["shape"]), tuples=True))
def _scatter_nd(backend, op, inputs, params, avals):
    idx, upd = inputs
    (shape, dtype), = avals
    return scatter_add(backend, upd, _indices(backend, idx, list(shape), tuples=True), shape, dtype,
                       _nd_geometry(shape, idx.shape))


@program("scatter_nd_like", accepts=_accept_indices(0, lambda inputs, params: list(inputs[2]._shape), tuples=True))
def _scatter_nd_like(backend, op, inputs, params, avals):
    idx, upd, like = inputs
    (shape, dtype), = avals
    return scatter_add(backend, upd, _indices(backend, idx, list(shape), tuples=True), shape, dtype,
                       _nd_geometry(shape, idx.shape))


def _segment_accepts(inputs, params=None):
    ids = _host_indices(inputs[1])
    if ids is None or ids.size == 0 or params is None:
        return True
    return bool((ids < params["num_segments"]).all())


@program("unsorted_segment_sum", accepts=_segment_accepts)
def _unsorted_segment_sum(backend, op, inputs, params, avals):
    data, ids = inputs
    (shape, dtype), = avals
    num = params["num_segments"]
    geometry = _geometry(1, 1, size_of(ids.shape), num, size_of(data.shape[len(ids.shape):]), [num], [1])
    return scatter_add(backend, data, _indices(backend, ids, [num], segments=True), shape, dtype, geometry)


# -- sorting ----------------------------------------------------------------------------------------------

_SORT_KEYS = {
    F32: "if ((b & 0x7fffffffu) > 0x7f800000u) { return 0xffffffffu; }\n"
         "  if ((b & 0x7fffffffu) == 0u) { return 0x80000000u; }\n"
         "  return select(b | 0x80000000u, ~b, (b & 0x80000000u) != 0u);",
    I32: "return b ^ 0x80000000u;",
    U32: "return b;",
}


def _sort(backend, x, axis, descending, k, avals, with_values):
    n = x.shape[axis]
    if n > SORT_MAX:
        raise Fallback(f"sorting rows of {n} elements (the WebGPU sort handles up to {SORT_MAX})")
    t = _wgsl(x._dtype)
    inner = size_of(x.shape[axis + 1:])
    rows = size_of(x.shape[:axis]) * inner
    outs = [backend.output(shape, dtype) for shape, dtype in avals]
    if rows == 0 or k == 0:
        return outs
    p = 1
    while p < n:
        p *= 2
    values_decl = "@group(0) @binding(2) var<storage, read_write> out_val: array<u32>;" if with_values else ""
    values_write = "out_val[obase + s * inner] = x[base + src * inner];" if with_values else ""
    idx_out = outs[-1]
    buffers = [x, idx_out] + ([outs[0]] if with_values else [])
    backend.dispatch(("sort", t, descending, with_values),
                     lambda: shader("sort", len(buffers), KEY=_SORT_KEYS[t], VALUES_DECL=values_decl,
                                    VALUES_WRITE=values_write, KEY_BEFORE="ka > kb" if descending else "ka < kb"),
                     buffers, [rows, n, inner, k, p], rows * 256)
    return outs


@program("argsort")
def _argsort(backend, op, inputs, params, avals):
    (x,) = inputs
    if not x.shape:
        raise Fallback("argsort of a scalar")
    axis = params["axis"] % len(x.shape)
    (idx,) = _sort(backend, x, axis, params["descending"], x.shape[axis], avals, False)
    return idx


@program("top_k")
def _top_k(backend, op, inputs, params, avals):
    (x,) = inputs
    if not x.shape:
        raise Fallback("top_k of a scalar")
    values, idx = _sort(backend, x, len(x.shape) - 1, True, params["k"], avals, True)
    return values, idx


# -- sequences ---------------------------------------------------------------------------------------------

def _scalar(value):
    return np.asarray(value).reshape(()).item()


def host_inputs_ready(inputs=None, params=None):
    """Whether backend.run passes host inputs to the shape rule in a form it can read (see the report
    to the lead: run() must wrap numpy host inputs with _shape/_dtype/numpy() before calling infer).
    Until programs.HOST_VALUES_IN_INFER is set, programs with host inputs decline."""
    from . import programs
    return bool(getattr(programs, "HOST_VALUES_IN_INFER", False))


@program("range", host_inputs=(0, 1, 2), accepts=host_inputs_ready)
def _range(backend, op, inputs, params, avals):
    start, limit, delta = (_scalar(v) for v in inputs)
    (shape, dtype), = avals
    if dtype not in (dtypes.float32, dtypes.int32) or delta == 0 or \
            (delta > 0 and start > limit) or (delta < 0 and start < limit):
        raise Fallback("range: the CPU kernel raises TensorFlow's errors")  # also other dtypes
    n = size_of(shape)
    out = backend.output(shape, dtype)
    if n:
        t = _wgsl(dtype)
        backend.dispatch(("range", t), lambda: shader("range", 1, T=t), [out],
                         [n, _bits(start, dtype), _bits(delta, dtype)], n)
    return out


@program("linspace", accepts=lambda inputs, params=None: inputs[0]._dtype is dtypes.float32)
def _linspace(backend, op, inputs, params, avals):
    start, stop = inputs
    (shape, dtype), = avals
    out = backend.output(shape, dtype)
    n = size_of(shape)
    if n:
        backend.dispatch(("linspace",), lambda: shader("linspace", 3), [start, stop, out], [n], n)
    return out
