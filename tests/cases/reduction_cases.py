"""Reductions (every axis form, keepdims), arg-reductions and cumulative ops."""
import numpy as np

from . import OpCase, positive, rand

X = rand(3, 4, 5)
_INTS = np.array([[3, -7, 2, 8], [0, 5, -5, 1], [-2, 9, 4, -8]], np.int32)
_BOOLS = np.array([[True, False, True], [True, True, True]])

# axis argument -> numpy axis argument
AXES = {"all": None, "int": 1, "negative": -1, "list": [0, 2], "negative_list": [-1, 0]}

# name: (webtensor function name, numpy reference, input, float32 rtol)
REDUCTIONS = {
    "reduce_sum": ("reduce_sum", np.sum, X, None),
    "reduce_mean": ("reduce_mean", np.mean, X, None),
    "reduce_max": ("reduce_max", np.max, X, None),     # random values: no ties, so the gradient is smooth
    "reduce_min": ("reduce_min", np.min, X, None),
    # products of up to 60 factors in [0.5, 2): float32 rounding accumulates with the count
    "reduce_prod": ("reduce_prod", np.prod, positive(3, 4, 5), 1e-4),
}


def _reduce_fn(fn_name, axis, keepdims):
    return lambda tf, x: getattr(tf.math, fn_name)(x, axis=axis, keepdims=keepdims)


def _reduce_ref(ref, axis, keepdims):
    def reference(x):
        a = tuple(axis) if isinstance(axis, list) else axis
        return np.asarray(ref(x, axis=a, keepdims=keepdims))
    return reference


CASES = []
for _op, (_fn_name, _ref, _x, _rtol) in REDUCTIONS.items():
    for _form, _axis in AXES.items():
        for _keep in (False, True):
            CASES.append(OpCase(_op, _reduce_fn(_fn_name, _axis, _keep), [_x], _reduce_ref(_ref, _axis, _keep),
                                name=f"{_op}_{_form}{'_keepdims' if _keep else ''}", rtol=_rtol))

CASES += [
    # Ties in max/min share the gradient equally, as TensorFlow does
    OpCase("reduce_max", lambda tf, x: tf.reduce_max(x, axis=1), [np.array([[1.0, 3.0, 3.0], [2.0, -1.0, 0.5]])],
           lambda x: x.max(axis=1), name="reduce_max_ties", grad=False),
    # reduce_prod with a zero: the gradient is the product of the other elements
    OpCase("reduce_prod", lambda tf, x: tf.reduce_prod(x, axis=0), [np.array([[0.0, 2.0], [3.0, -1.5], [0.5, 2.0]])],
           lambda x: x.prod(axis=0), name="reduce_prod_with_zero"),
    # Integer reductions keep the dtype; the integer mean truncates toward zero as in TensorFlow
    OpCase("reduce_sum", lambda tf, x: tf.reduce_sum(x, axis=0), [_INTS], lambda x: x.sum(axis=0).astype(np.int32),
           name="reduce_sum_int32", dtypes=("float32",)),
    OpCase("reduce_mean", lambda tf, x: [tf.reduce_mean(x, axis=1), tf.reduce_mean(x)], [_INTS],
           lambda x: [np.trunc(x.sum(axis=1) / 4).astype(np.int32), np.int32(np.trunc(x.sum() / 12))],
           name="reduce_mean_int32_truncates", dtypes=("float32",)),
    OpCase("reduce_max", lambda tf, x: tf.reduce_max(x, axis=-1, keepdims=True), [_INTS],
           lambda x: x.max(axis=-1, keepdims=True), name="reduce_max_int32", dtypes=("float32",)),
    OpCase("reduce_min", lambda tf, x: tf.reduce_min(x), [_INTS.astype(np.int64)], lambda x: x.min(),
           name="reduce_min_int64", dtypes=("float32",)),
    OpCase("reduce_prod", lambda tf, x: tf.reduce_prod(x, axis=1), [_INTS], lambda x: x.prod(axis=1).astype(np.int32),
           name="reduce_prod_int32", dtypes=("float32",)),
    OpCase("reduce_any", lambda tf, x: [tf.reduce_any(x), tf.reduce_any(x, axis=1), tf.reduce_any(x, 0, True)],
           [_BOOLS], lambda x: [x.any(), x.any(axis=1), x.any(axis=0, keepdims=True)]),
    OpCase("reduce_all", lambda tf, x: [tf.reduce_all(x), tf.reduce_all(x, axis=-1), tf.reduce_all(x, [0, 1], True)],
           [_BOOLS], lambda x: [x.all(), x.all(axis=-1), x.all(keepdims=True)]),
    # Empty reductions give the identity element
    OpCase(("reduce_sum", "reduce_prod", "reduce_max"),
           lambda tf, x: [tf.reduce_sum(x, axis=1), tf.reduce_prod(x, axis=1), tf.reduce_max(x, axis=1)],
           [np.zeros((2, 0))], lambda x: [np.zeros(2), np.ones(2), np.full(2, -np.inf)], name="reduce_empty",
           grad=False),
]

# -- arg reductions -------------------------------------------------------------------------------------

CASES += [
    OpCase("argmax", lambda tf, x: [tf.argmax(x), tf.argmax(x, axis=1), tf.argmax(x, axis=-1, output_type=tf.int32)],
           [X], lambda x: [x.argmax(0), x.argmax(1), x.argmax(-1).astype(np.int32)], grad=False),
    OpCase("argmin", lambda tf, x: [tf.argmin(x), tf.argmin(x, axis=2)], [X], lambda x: [x.argmin(0), x.argmin(2)],
           grad=False),
    # The first of equal values wins
    OpCase(("argmax", "argmin"), lambda tf, x: [tf.argmax(x, 1), tf.argmin(x, 1)],
           [np.array([[1, 5, 5, 0], [2, 2, -1, -1]], np.int32)],
           lambda x: [np.array([1, 0], np.int64), np.array([3, 2], np.int64)], name="arg_ties_int32",
           dtypes=("float32",)),
]

# -- cumulative ops -------------------------------------------------------------------------------------


def _cum_ref(fn, identity, axis, exclusive, reverse):
    """Cumulative op by an explicit loop over the axis (independent of numpy's cumsum/cumprod)."""
    def reference(x):
        x = np.moveaxis(x, axis, 0)
        order = range(x.shape[0] - 1, -1, -1) if reverse else range(x.shape[0])
        out = np.zeros_like(x)
        acc = np.full(x.shape[1:], identity, dtype=x.dtype)
        for i in order:
            if exclusive:
                out[i] = acc
                acc = fn(acc, x[i])
            else:
                acc = fn(acc, x[i])
                out[i] = acc
        return np.moveaxis(out, 0, axis)
    return reference


for _op, _fn, _identity, _x in (("cumsum", np.add, 0, rand(3, 4)), ("cumprod", np.multiply, 1, positive(3, 4))):
    for _axis in (0, 1, -1):
        for _exclusive in (False, True):
            for _reverse in (False, True):
                CASES.append(OpCase(
                    _op, (lambda op, a, e, r: lambda tf, x: getattr(tf.math, op)(x, axis=a, exclusive=e, reverse=r))(
                        _op, _axis, _exclusive, _reverse),
                    [_x], _cum_ref(_fn, _identity, _axis, _exclusive, _reverse),
                    name=f"{_op}_axis{_axis}{'_exclusive' if _exclusive else ''}{'_reverse' if _reverse else ''}"))

CASES += [
    OpCase("cumsum", lambda tf, x: tf.cumsum(x, axis=1, exclusive=True), [_INTS],
           _cum_ref(np.add, 0, 1, True, False), name="cumsum_int32", dtypes=("float32",)),
    OpCase("cumprod", lambda tf, x: tf.math.cumprod(x, reverse=True), [_INTS],
           _cum_ref(np.multiply, 1, 0, False, True), name="cumprod_int32", dtypes=("float32",)),
]
