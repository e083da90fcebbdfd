"""Shape and indexing ops: reshape, transpose, concat/split, tile, pad, gather/scatter, slicing, sorting."""
import numpy as np

from webtensor.core.registry import bind

from . import OpCase, rand

X3 = rand(4, 5, 6)        # the 3-D tensor most cases slice and reshape
M = rand(3, 4, seed=3)


def _traced(tf, fn, x):
    """Calls fn inside a tf.function whose first dimension is unknown, so shape ops must run as primitives."""
    spec = tf.TensorSpec([None] + list(x.shape[1:]), x.dtype)
    return tf.function(fn, input_signature=[spec])(x)


CASES = [
    # reshape and its gradient helper
    OpCase("reshape", lambda tf, x: tf.reshape(x, [-1]), [X3], lambda x: x.reshape(-1), name="reshape_flat"),
    OpCase("reshape", lambda tf, x: tf.reshape(x, [2, -1, 3]), [X3], lambda x: x.reshape(2, -1, 3),
           name="reshape_infer_dim"),
    OpCase("reshape", lambda tf, x: tf.reshape(x, []), [rand(1, 1)], lambda x: x.reshape(()), name="reshape_scalar"),
    OpCase("reshape", lambda tf, x: tf.reshape(x, [3, 2]), [np.arange(6, dtype=np.int32)],
           lambda x: x.reshape(3, 2), name="reshape_int32", dtypes=("float32",)),
    OpCase("reshape_like", lambda tf, x, like: bind("reshape_like", (x, like)), [rand(2, 6), rand(3, 4, seed=1)],
           lambda x, like: x.reshape(like.shape), grad=(0,)),
    # transpose
    OpCase("transpose", lambda tf, x: tf.transpose(x), [X3], lambda x: x.transpose(2, 1, 0), name="transpose_default"),
    OpCase("transpose", lambda tf, x: tf.transpose(x, [1, 0, 2]), [X3], lambda x: x.transpose(1, 0, 2),
           name="transpose_perm"),
    OpCase("transpose", lambda tf, x: tf.transpose(x, [2, 0, 1]), [X3], lambda x: x.transpose(2, 0, 1),
           name="transpose_cycle"),
    OpCase("transpose", lambda tf, x: tf.transpose(x, [-1, 0, 1]), [X3], lambda x: x.transpose(2, 0, 1),
           name="transpose_negative_perm"),
    # expand_dims / squeeze
    OpCase("expand_dims", lambda tf, x: tf.expand_dims(x, 0), [M], lambda x: x[None], name="expand_dims_front"),
    OpCase("expand_dims", lambda tf, x: tf.expand_dims(x, -1), [M], lambda x: x[..., None], name="expand_dims_back"),
    OpCase("expand_dims", lambda tf, x: tf.expand_dims(x, 1), [M], lambda x: x[:, None], name="expand_dims_middle"),
    OpCase("squeeze", lambda tf, x: tf.squeeze(x), [rand(1, 3, 1, 2)], lambda x: x.reshape(3, 2),
           name="squeeze_all"),
    OpCase("squeeze", lambda tf, x: tf.squeeze(x, axis=[0, 2]), [rand(1, 3, 1, 1)], lambda x: x.reshape(3, 1),
           name="squeeze_axes"),
    OpCase("squeeze", lambda tf, x: tf.squeeze(x, axis=-1), [rand(3, 1)], lambda x: x[:, 0], name="squeeze_negative"),
    # concat / split
    OpCase("concat", lambda tf, a, b: tf.concat([a, b], 0), [rand(2, 3), rand(4, 3, seed=1)],
           lambda a, b: np.concatenate([a, b], 0), name="concat_axis0"),
    OpCase("concat", lambda tf, a, b, c: tf.concat([a, b, c], axis=-1), [rand(2, 1), rand(2, 3, seed=1),
                                                                          rand(2, 2, seed=2)],
           lambda a, b, c: np.concatenate([a, b, c], -1), name="concat_three_negative_axis"),
    OpCase("concat", lambda tf, a, b: tf.concat([a, b], 1), [np.ones((2, 2), np.int32), np.zeros((2, 1), np.int32)],
           lambda a, b: np.concatenate([a, b], 1), name="concat_int32", dtypes=("float32",)),
    OpCase("split", lambda tf, x: tf.split(x, 3, axis=1), [rand(2, 6, 2)], lambda x: np.split(x, 3, axis=1),
           name="split_equal"),
    OpCase("split", lambda tf, x: tf.split(x, [1, -1, 2], axis=-1), [rand(3, 6)],
           lambda x: [x[:, :1], x[:, 1:4], x[:, 4:]], name="split_sizes"),
    OpCase("split", lambda tf, x: tf.split(x, [2, 1])[0], [rand(3, 2)], lambda x: x[:2],
           name="split_one_output_used"),
    OpCase(("split", "squeeze"), lambda tf, x: tf.unstack(x, axis=1), [rand(2, 3)],
           lambda x: [x[:, 0], x[:, 1], x[:, 2]], name="unstack"),
    OpCase(("expand_dims", "concat"), lambda tf, a, b: tf.stack([a, b], axis=1), [rand(2, 3), rand(2, 3, seed=1)],
           lambda a, b: np.stack([a, b], 1), name="stack"),
    # tile
    OpCase("tile", lambda tf, x: tf.tile(x, [2, 1]), [M], lambda x: np.tile(x, (2, 1)), name="tile_rows"),
    OpCase("tile", lambda tf, x: tf.tile(x, [2, 1, 3]), [rand(2, 3, 1)], lambda x: np.tile(x, (2, 1, 3)),
           name="tile_3d"),
    OpCase("tile", lambda tf, x: tf.tile(x, [3]), [np.array([1, 2], np.int32)], lambda x: np.tile(x, 3),
           name="tile_int32", dtypes=("float32",)),
    # reverse
    OpCase("reverse", lambda tf, x: tf.reverse(x, [0]), [X3], lambda x: x[::-1], name="reverse_axis0"),
    OpCase("reverse", lambda tf, x: tf.reverse(x, [1, -1]), [X3], lambda x: x[:, ::-1, ::-1],
           name="reverse_two_axes"),
    # broadcast_to
    OpCase("broadcast_to", lambda tf, x: tf.broadcast_to(x, [2, 3, 4]), [rand(3, 1)],
           lambda x: np.broadcast_to(x, (2, 3, 4)), name="broadcast_to_rank"),
    OpCase("broadcast_to", lambda tf, x: tf.broadcast_to(x, [2, 2]), [rand()], lambda x: np.full((2, 2), x),
           name="broadcast_to_scalar"),
    OpCase("broadcast_to", lambda tf, x: tf.broadcast_to(x, [2, 3]), [np.array([1, 2, 3], np.int64)],
           lambda x: np.broadcast_to(x, (2, 3)), name="broadcast_to_int64", dtypes=("float32",)),
    # identity, stop_gradient
    OpCase("identity", lambda tf, x: tf.identity(x), [M], lambda x: x),
    OpCase("stop_gradient", lambda tf, x: tf.stop_gradient(x), [M], lambda x: x, grad=False),
]


# -- pad: three modes, and its gradient helper called directly -----------------------------------------

def _reflect(x, pads):
    """Reference REFLECT padding built from explicit index lists (the edge is not repeated)."""
    for axis, (lo, hi) in enumerate(pads):
        n = x.shape[axis]
        idx = [lo - i for i in range(lo)] + list(range(n)) + [n - 2 - i for i in range(hi)]
        x = np.take(x, idx, axis=axis)
    return x


def _symmetric(x, pads):
    """Reference SYMMETRIC padding (the edge is repeated)."""
    for axis, (lo, hi) in enumerate(pads):
        n = x.shape[axis]
        idx = [lo - 1 - i for i in range(lo)] + list(range(n)) + [n - 1 - i for i in range(hi)]
        x = np.take(x, idx, axis=axis)
    return x


def _constant(x, pads, value=0.0):
    out = np.full(tuple(d + lo + hi for d, (lo, hi) in zip(x.shape, pads)), value, dtype=x.dtype)
    out[tuple(slice(lo, lo + d) for d, (lo, _) in zip(x.shape, pads))] = x
    return out


def _adjoint(forward, like_shape, pads, dy):
    """The transpose of a linear padding map, column by column (independent of any scatter code)."""
    n = int(np.prod(like_shape))
    cols = [forward(np.eye(n)[k].reshape(like_shape), pads).reshape(-1) for k in range(n)]
    return (np.stack(cols) @ dy.reshape(-1)).reshape(like_shape)


PADS = ((1, 2), (2, 1))
CASES += [
    OpCase("pad", lambda tf, x: tf.pad(x, PADS), [M], lambda x: _constant(x, PADS), name="pad_constant"),
    OpCase("pad", lambda tf, x: tf.pad(x, [[0, 1], [1, 0]], constant_values=2.5), [M],
           lambda x: _constant(x, ((0, 1), (1, 0)), 2.5), name="pad_constant_value"),
    OpCase("pad", lambda tf, x: tf.pad(x, [[1, 1]], constant_values=-1), [np.array([4, 5], np.int32)],
           lambda x: np.array([-1, 4, 5, -1], np.int32), name="pad_int32", dtypes=("float32",)),
    OpCase(("pad", "pad_grad"), lambda tf, x: tf.pad(x, PADS, mode="REFLECT"), [M], lambda x: _reflect(x, PADS),
           name="pad_reflect"),
    OpCase(("pad", "pad_grad"), lambda tf, x: tf.pad(x, PADS, mode="SYMMETRIC"), [M],
           lambda x: _symmetric(x, PADS), name="pad_symmetric"),
    OpCase(("pad", "pad_grad"), lambda tf, x: tf.pad(x, [[0, 0], [3, 3], [1, 0]], mode="reflect"), [rand(2, 4, 3)],
           lambda x: _reflect(x, ((0, 0), (3, 3), (1, 0))), name="pad_reflect_3d_wide"),
    OpCase("pad_grad", lambda tf, dy, like: bind("pad_grad", (dy, like), {"paddings": PADS, "mode": "CONSTANT"}),
           [rand(6, 7), M], lambda dy, like: _adjoint(_constant, like.shape, PADS, dy), grad=(0,),
           name="pad_grad_constant"),
    OpCase("pad_grad", lambda tf, dy, like: bind("pad_grad", (dy, like), {"paddings": PADS, "mode": "REFLECT"}),
           [rand(6, 7), M], lambda dy, like: _adjoint(_reflect, like.shape, PADS, dy), grad=(0,),
           name="pad_grad_reflect"),
    OpCase("pad_grad", lambda tf, dy, like: bind("pad_grad", (dy, like), {"paddings": PADS, "mode": "SYMMETRIC"}),
           [rand(6, 7), M], lambda dy, like: _adjoint(_symmetric, like.shape, PADS, dy), grad=(0,),
           name="pad_grad_symmetric"),
]


# -- gather / gather_nd / scatter_nd / segments ----------------------------------------------------------

def _gather_batched(p, idx, axis, batch_dims):
    """gather with leading batch dims, by explicit loops over the batch."""
    if batch_dims == 0:
        return np.take(p, idx, axis=axis)
    return np.stack([_gather_batched(p[b], idx[b], axis - 1, batch_dims - 1) for b in range(p.shape[0])])


def _gather_adjoint(dy, idx, like_shape, axis):
    out = np.zeros(like_shape)
    out_moved = np.moveaxis(out, axis, 0)
    dy_moved = np.moveaxis(dy.reshape(like_shape[:axis] + idx.shape + like_shape[axis + 1:]),
                           list(range(axis, axis + idx.ndim)), list(range(idx.ndim)))
    for pos in np.ndindex(*idx.shape):
        out_moved[idx[pos]] += dy_moved[pos]
    return out


_IDX = np.array([2, 0, 2, 1], np.int32)          # a repeated index: gradients accumulate
_IDX2 = np.array([[0, 3], [3, 3], [1, 2]], np.int64)
_BIDX = np.array([[2, 0, 2], [1, 1, 0]], np.int32)
CASES += [
    OpCase(("gather", "gather_grad"), lambda tf, p, i: tf.gather(p, i), [M, _IDX], lambda p, i: p[i],
           name="gather_axis0"),
    OpCase(("gather", "gather_grad"), lambda tf, p, i: tf.gather(p, i, axis=1), [M, _IDX2],
           lambda p, i: np.take(p, i.astype(np.intp), axis=1), name="gather_axis1_2d_indices"),
    OpCase(("gather", "gather_grad"), lambda tf, p, i: tf.gather(p, i, axis=-1), [X3, _IDX],
           lambda p, i: np.take(p, i, axis=2), name="gather_negative_axis"),
    OpCase(("gather", "gather_grad"), lambda tf, p, i: tf.gather(p, i, axis=1, batch_dims=1), [rand(2, 3, 4), _BIDX],
           lambda p, i: _gather_batched(p, i, 1, 1), name="gather_batch_dims"),
    OpCase(("gather", "gather_grad"), lambda tf, p, i: tf.gather(p, i, batch_dims=1), [rand(2, 3), _BIDX],
           lambda p, i: _gather_batched(p, i, 1, 1), name="gather_batch_dims_default_axis"),
    OpCase("gather", lambda tf, p, i: tf.gather(p, i), [np.array([10, 20, 30], np.int32), _IDX],
           lambda p, i: p[i], name="gather_int32", dtypes=("float32",)),
    OpCase("gather_grad", lambda tf, dy, i, like: bind("gather_grad", (dy, i, like), {"axis": 1, "batch_dims": 0}),
           [rand(3, 3, 2), _IDX2, M], lambda dy, i, like: _gather_adjoint(dy, i, like.shape, 1), grad=(0,)),
    OpCase("gather_grad", lambda tf, dy, i, like: bind("gather_grad", (dy, i, like), {"axis": 1, "batch_dims": 1}),
           [rand(2, 3, 4), _BIDX, rand(2, 3, 4, seed=1)],
           lambda dy, i, like: np.stack([_gather_adjoint(dy[b], i[b], like.shape[1:], 0) for b in range(2)]),
           grad=(0,), name="gather_grad_batch_dims"),
]

_ND_IDX = np.array([[1, 0], [2, 3], [1, 0]], np.int32)   # pairs address rows of params' last axis
CASES += [
    OpCase(("gather_nd", "scatter_nd_like"), lambda tf, p, i: tf.gather_nd(p, i), [rand(3, 4, 2), _ND_IDX],
           lambda p, i: np.stack([p[a, b] for a, b in i]), name="gather_nd_slices"),
    OpCase(("gather_nd", "scatter_nd_like"), lambda tf, p, i: tf.gather_nd(p, i), [M, _ND_IDX.reshape(3, 1, 2)],
           lambda p, i: np.array([[p[a, b]] for a, b in i.reshape(3, 2)]), name="gather_nd_elements"),
    OpCase("gather_nd", lambda tf, p, i: tf.gather_nd(p, i), [np.arange(12, dtype=np.int64).reshape(3, 4),
                                                              np.array([[2], [0]], np.int64)],
           lambda p, i: p[[2, 0]], name="gather_nd_int64", dtypes=("float32",)),
    # duplicate indices accumulate
    OpCase("scatter_nd", lambda tf, i, u: tf.scatter_nd(i, u, [5, 4]), [np.array([[1], [3], [1]], np.int32),
                                                                       rand(3, 4)],
           lambda i, u: np.stack([u[0] + u[2] if r == 1 else u[1] if r == 3 else np.zeros(4) for r in range(5)]),
           name="scatter_nd_rows_duplicates"),
    OpCase("scatter_nd", lambda tf, i, u: tf.scatter_nd(i, u, [2, 3]), [np.array([[0, 1], [1, 2], [0, 1]], np.int64),
                                                                       rand(3)],
           lambda i, u: np.array([[0, u[0] + u[2], 0], [0, 0, u[1]]]), name="scatter_nd_elements"),
    OpCase("scatter_nd", lambda tf, i, u: tf.scatter_nd(i, u, [4]), [np.array([[1], [3], [1]], np.int32),
                                                                    np.array([9, 10, 1], np.int32)],
           lambda i, u: np.array([0, 10, 0, 10], np.int32), name="scatter_nd_int32", dtypes=("float32",)),
    OpCase("scatter_nd_like", lambda tf, i, u, like: bind("scatter_nd_like", (i, u, like)),
           [np.array([[2, 1], [0, 0], [2, 1]], np.int32), rand(3), M],
           lambda i, u, like: np.array([[u[1], 0, 0, 0], [0, 0, 0, 0], [0, u[0] + u[2], 0, 0]]), grad=(1,)),
    OpCase(("scatter_nd_like", "add"),
           lambda tf, t, i, u: tf.tensor_scatter_nd_add(t, i, u), [M, np.array([[0], [2]], np.int32), rand(2, 4)],
           lambda t, i, u: t + np.stack([u[0], np.zeros(4), u[1]]), name="tensor_scatter_nd_add"),
    OpCase("unsorted_segment_sum", lambda tf, d, s: tf.math.unsorted_segment_sum(d, s, 4),
           [rand(5, 3), np.array([0, 2, 0, 1, 2], np.int32)],
           lambda d, s: np.stack([d[s == k].sum(axis=0) for k in range(4)]), name="unsorted_segment_sum"),
    OpCase("unsorted_segment_sum", lambda tf, d, s: tf.math.unsorted_segment_sum(d, s, 3),
           [rand(2, 3), np.array([[2, 0, 2], [1, 1, 0]], np.int64)],
           lambda d, s: np.array([d[s == k].sum() for k in range(3)]), name="unsorted_segment_sum_2d_ids"),
]


# -- strided_slice through __getitem__ --------------------------------------------------------------------

# Each key is used on webtensor and on numpy alike (numpy slicing is the reference).
SLICES = {
    "int": 1,
    "negative_int": (-1, 2),
    "range": slice(1, 3),
    "steps": (slice(None, None, 2), slice(1, -1), slice(None, None, 3)),
    "negative_step": slice(None, None, -1),
    "negative_step_bounds": (slice(3, 0, -2), slice(-1, None, -2)),
    "ellipsis_int": (Ellipsis, 2),
    "newaxis": (slice(None), None, 1, Ellipsis),
    "newaxis_front": (None, Ellipsis, slice(-3, None)),
    "ellipsis_middle": (0, Ellipsis, slice(None, None, -2)),
    "out_of_range_stop": (slice(2, 100), slice(-100, 2)),
    "empty": slice(3, 1),
}


def _slice_fn(key):
    return lambda tf, x: x[key]


def _slice_ref(key):
    return lambda x: x[key]


for _name, _key in SLICES.items():
    CASES.append(OpCase(("strided_slice", "strided_slice_grad"), _slice_fn(_key), [X3], _slice_ref(_key),
                        name=f"getitem_{_name}"))

CASES += [
    OpCase(("strided_slice", "strided_slice_grad"), lambda tf, x: x[tf.constant(2), 1:tf.constant(4)], [X3],
           lambda x: x[2, 1:4], name="getitem_tensor_index"),
    OpCase("strided_slice", lambda tf, x: x[::-2, 1], [np.arange(12, dtype=np.int32).reshape(4, 3)],
           lambda x: x[::-2, 1], name="getitem_int32", dtypes=("float32",)),
    OpCase("strided_slice", lambda tf, x: tf.slice(x, [1, 0, 2], [2, -1, 3]), [X3], lambda x: x[1:3, :, 2:5],
           name="slice_begin_size"),
    OpCase("strided_slice", lambda tf, x: tf.strided_slice(x, [0, 1], [4, 5], [2, 2], shrink_axis_mask=0), [X3],
           lambda x: x[0:4:2, 1:5:2], name="strided_slice_public"),
    OpCase("strided_slice_grad", lambda tf, dy, like: bind("strided_slice_grad", (dy, like),
                                                           {"spec": (slice(3, 0, -2), 1)}),
           [rand(2, 6), X3], lambda dy, like: _scatter_rows(dy, like.shape), grad=(0,)),
]


def _scatter_rows(dy, shape):
    out = np.zeros(shape)
    out[3, 1] = dy[0]
    out[1, 1] = dy[1]
    return out


# -- sorting, where_indices ----------------------------------------------------------------------------------

_DISTINCT = np.array([[0.3, -1.2, 2.5, 0.9, -0.4], [1.1, 0.2, -2.0, 3.0, 0.7]])
CASES += [
    OpCase("top_k", lambda tf, x: list(tf.math.top_k(x, k=3)), [_DISTINCT],
           lambda x: [-np.sort(-x, axis=-1)[:, :3], np.argsort(-x, axis=-1)[:, :3].astype(np.int32)],
           name="top_k"),
    OpCase(("top_k", "scatter_nd_like"), lambda tf, x: tf.math.top_k(x, k=2).values, [rand(2, 3, 4)],
           lambda x: -np.sort(-x, axis=-1)[..., :2], name="top_k_3d"),
    OpCase("top_k", lambda tf, x: list(tf.math.top_k(x, k=2)), [np.array([3, 1, 4, 1, 5], np.int32)],
           lambda x: [np.array([5, 4], np.int32), np.array([4, 2], np.int32)], name="top_k_int32",
           dtypes=("float32",)),
    OpCase("argsort", lambda tf, x: tf.argsort(x), [_DISTINCT], lambda x: np.argsort(x, axis=-1).astype(np.int32),
           grad=False),
    OpCase("argsort", lambda tf, x: tf.argsort(x, axis=0, direction="DESCENDING"), [_DISTINCT],
           lambda x: np.argsort(-x, axis=0).astype(np.int32), name="argsort_descending_axis0", grad=False),
    OpCase(("argsort", "gather"), lambda tf, x: tf.sort(x), [_DISTINCT], lambda x: np.sort(x, axis=-1), name="sort"),
    OpCase("where_indices", lambda tf, c: tf.where(c), [np.array([[True, False, True], [False, False, True]])],
           lambda c: np.argwhere(c).astype(np.int64), name="where_indices"),
    OpCase("where_indices", lambda tf, x: tf.where(x), [np.array([0, 3, 0, -1], np.int32)],
           lambda x: np.array([[1], [3]], np.int64), name="where_indices_int32", dtypes=("float32",)),
    OpCase(("where_indices", "gather_nd"), lambda tf, x, mk: tf.boolean_mask(x, mk),
           [M, np.array([True, False, True])], lambda x, mk: x[mk], name="boolean_mask"),
    OpCase(("where_indices", "gather_nd"), lambda tf, x, mk: tf.boolean_mask(x, mk, axis=1),
           [M, np.array([False, True, True, False])], lambda x, mk: x[:, mk], name="boolean_mask_axis1"),
]


# -- constructors and shape queries -------------------------------------------------------------------------

CASES += [
    OpCase("range", lambda tf, s, l, d: tf.range(s, l, d),
           [np.array(2, np.int32), np.array(11, np.int32), np.array(3, np.int32)],
           lambda s, l, d: np.arange(2, 11, 3, dtype=np.int32), dtypes=("float32",)),
    OpCase("range", lambda tf: tf.range(5), [], lambda: np.arange(5, dtype=np.int32), name="range_limit_only"),
    OpCase("range", lambda tf: tf.range(10, 1, -4), [], lambda: np.array([10, 6, 2], np.int32),
           name="range_negative_delta"),
    OpCase("range", lambda tf: tf.range(3, 3), [], lambda: np.zeros(0, np.int32), name="range_empty"),
    OpCase("range", lambda tf, s, l: tf.range(s, l, 0.5), [np.array(1.0), np.array(3.0)],
           lambda s, l: np.arange(1.0, 3.0, 0.5), name="range_float", grad=False),
    OpCase("linspace", lambda tf, a, b: tf.linspace(a, b, 5), [np.array(-1.0), np.array(2.0)],
           lambda a, b: np.linspace(-1.0, 2.0, 5), grad=False),
    OpCase("linspace", lambda tf: tf.linspace(0, 3, 4), [], lambda: np.array([0.0, 1.0, 2.0, 3.0]),
           name="linspace_int_inputs"),
    OpCase("linspace", lambda tf: tf.linspace(2.0, 2.0, 1), [], lambda: np.array([2.0], np.float32),
           name="linspace_single"),
    OpCase("shape", lambda tf, x: _traced(tf, lambda t: tf.shape(t), x), [X3],
           lambda x: np.array(x.shape, np.int32), name="shape_traced", grad=False),
    OpCase("shape", lambda tf, x: bind("shape", (x,), {"out_type": tf.int64}), [X3],
           lambda x: np.array(x.shape, np.int64), name="shape_bind", grad=False),
    OpCase("size", lambda tf, x: _traced(tf, lambda t: tf.size(t), x), [X3], lambda x: np.array(x.size, np.int32),
           name="size_traced", grad=False),
    OpCase("size", lambda tf, x: bind("size", (x,), {"out_type": tf.int64}), [M],
           lambda x: np.array(x.size, np.int64), name="size_bind", grad=False),
    OpCase("reshape", lambda tf, x: _traced(tf, lambda t: tf.reshape(t * 2.0, [-1]), x),
           [M], lambda x: 2 * x.reshape(-1), name="reshape_traced_unknown_dim"),
    OpCase(("equal", "where", "range"), lambda tf, i: tf.one_hot(i, 4), [np.array([0, 3, 1, 5, -1], np.int32)],
           lambda i: np.array([[float(c == k) for c in range(4)] for k in i], np.float32), name="one_hot",
           dtypes=("float32",)),
    OpCase(("equal", "where", "range", "transpose"),
           lambda tf, i: tf.one_hot(i, 3, on_value=5, off_value=-1, axis=0), [np.array([[0, 2], [1, 1]], np.int64)],
           lambda i: np.stack([np.where(i == c, 5, -1).astype(np.int32) for c in range(3)]),
           name="one_hot_axis0_int_values", dtypes=("float32",)),
]

CASES += [
    # negative segment ids drop their rows (and get no gradient), as in TensorFlow
    OpCase("unsorted_segment_sum", lambda tf, d, s: tf.math.unsorted_segment_sum(d, s, 2),
           [rand(4, 3), np.array([1, -1, 0, 1], np.int32)],
           lambda d, s: np.stack([d[2], d[0] + d[3]]), name="unsorted_segment_sum_negative_ids"),
]
