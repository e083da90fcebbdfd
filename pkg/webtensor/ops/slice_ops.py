"""Slicing: strided_slice (the primitive behind `tensor[...]`), getitem and slice."""
import builtins
import numbers

import numpy as np

from .. import dtypes, errors
from ..core.registry import bind, defop
from ..core.tensor import Tensor
from ._helpers import static_value, to_tensor


# -- slicing ---------------------------------------------------------------------------------------

def _slice_infer(inputs, params):
    x = inputs[0]
    return [(_sliced_shape(x._shape, params["spec"]), x._dtype)]


def _sliced_shape(shape, spec):
    out = []
    dim = 0
    for s in spec:
        if s is None:
            out.append(1)
        elif isinstance(s, int):
            d = shape[dim]
            if d is not None and not -d <= s < d:
                raise errors.InvalidArgumentError(
                    None, "strided_slice", f"slice index {s} of dimension {dim} out of bounds. [Op:StridedSlice] "
                    f"name: strided_slice/")
            dim += 1
        else:
            d = shape[dim]
            out.append(None if d is None else len(range(*s.indices(d))))
            dim += 1
    return tuple(out) + tuple(shape[dim:])


def _slice_kernel(x, spec):
    return x[spec]


def _slice_grad(op, dy):
    return [bind("strided_slice_grad", (dy, op.inputs[0]), op.params)]


def _slice_grad_kernel(dy, like, spec):
    out = np.zeros(like.shape, dtype=dy.dtype)
    out[spec] = dy
    return out


defop("strided_slice", _slice_kernel, _slice_infer, _slice_grad)
defop("strided_slice_grad", _slice_grad_kernel, lambda inputs, params: [(inputs[1]._shape, inputs[0]._dtype)],
      lambda op, dy: [bind("strided_slice", (dy,), op.params), None])


def _normalize_index(key, shape, op="strided_slice"):
    """A tuple of ints, slices (with int bounds) and None, with the ellipsis expanded."""
    if not isinstance(key, tuple):
        key = (key,)
    items = []
    for k in key:
        if isinstance(k, (Tensor,)) or hasattr(k, "_as_tensor"):
            t = to_tensor(k)
            if t._shape != ():
                raise TypeError(f"Only integers, slices (`:`), ellipsis (`...`), tf.newaxis (`None`) and scalar "
                                f"tf.int32/tf.int64 tensors are valid indices, got a tensor of shape {t.shape}")
            k = int(static_value(t, op, "index"))
        elif isinstance(k, builtins.slice):
            k = builtins.slice(*(None if v is None else int(static_value(v, op, "slice bound")) for v in
                        (k.start, k.stop, k.step)))
            if k.step == 0:
                raise ValueError("slice step cannot be zero")
        elif isinstance(k, (bool, np.bool_)):
            raise TypeError("Only integers, slices, ellipsis, tf.newaxis and scalar int tensors are valid indices, "
                            f"got {k!r}")
        elif isinstance(k, (numbers.Integral, np.integer)):
            k = int(k)
        elif k is not None and k is not Ellipsis:
            raise TypeError(f"Only integers, slices (`:`), ellipsis (`...`), tf.newaxis (`None`) and scalar "
                            f"tf.int32/tf.int64 tensors are valid indices, got {k!r}")
        items.append(k)
    if sum(1 for k in items if k is Ellipsis) > 1:
        raise ValueError("Multiple ellipses in slice spec not allowed")
    consumed = sum(1 for k in items if k is not None and k is not Ellipsis)
    if consumed > len(shape):
        raise errors.InvalidArgumentError(
            None, op, f"Index out of range using input dim {len(shape)}; input has only {len(shape)} dims "
            "[Op:StridedSlice]")
    if Ellipsis in items:
        i = items.index(Ellipsis)
        items[i:i + 1] = [builtins.slice(None)] * (len(shape) - consumed)
    return tuple(items)


_FULL = builtins.slice(None)


def _simple_key(key, shape):
    """The spec of the common keys (one int, or one slice of plain ints) without the general
    normalization, or None when the key needs it."""
    if not shape:
        return None
    if type(key) is int:
        d = shape[0]
        if d is not None and not -d <= key < d:
            return None  # let the general path raise TensorFlow's error
        return (key,)
    if type(key) is builtins.slice:
        for v in (key.start, key.stop, key.step):
            if v is not None and type(v) is not int:
                return None
        if key.step == 0:
            return None
        return (key,)
    return None


def getitem(tensor, key):
    """TensorFlow slicing: ints, slices with steps and negatives, `...` and tf.newaxis."""
    x = to_tensor(tensor)
    spec = _simple_key(key, x._shape)
    if spec is not None:
        if spec[0] == _FULL:
            return x
        return bind("strided_slice", (x,), {"spec": spec})
    if isinstance(key, (list, np.ndarray)) or (isinstance(key, Tensor) and key._dtype is dtypes.bool):
        raise TypeError("Only integers, slices (`:`), ellipsis (`...`), tf.newaxis (`None`) and scalar "
                        "tf.int32/tf.int64 tensors are valid indices; use tf.gather or tf.boolean_mask for lists "
                        "and masks")
    spec = _normalize_index(key, x._shape)
    if all(isinstance(s, builtins.slice) and s == builtins.slice(None) for s in spec):
        return x
    return bind("strided_slice", (x,), {"spec": spec})


def slice(input_, begin, size, name=None):  # noqa: A001 - TensorFlow's public name
    """Extracts a slice of `size` starting at `begin` (size -1 takes the rest).

    >>> tf.slice(tf.constant([1, 2, 3, 4]), [1], [2])
    <tf.Tensor: shape=(2,), dtype=int32, numpy=array([2, 3], dtype=int32)>
    """
    x = to_tensor(input_)
    b = [int(v) for v in np.asarray(static_value(begin, "slice", "begin")).reshape(-1)]
    s = [int(v) for v in np.asarray(static_value(size, "slice", "size")).reshape(-1)]
    if len(b) != len(x._shape) or len(s) != len(x._shape):
        raise errors.InvalidArgumentError(
            None, "slice", f"Expected begin and size arguments to be 1-D tensors of size {len(x._shape)}, but got "
            f"shapes [{len(b)}] and [{len(s)}] instead. [Op:Slice]")
    spec = tuple(builtins.slice(bi, None if si == -1 else bi + si) for bi, si in zip(b, s))
    for bi, si, d in zip(b, s, x._shape):
        if d is not None and (bi < 0 or (si != -1 and bi + si > d)):
            raise errors.InvalidArgumentError(
                None, "slice", f"Expected begin[i] in [0, {d}] and size[i] in [0, {d} - begin[i]], got begin {b} "
                f"and size {s} [Op:Slice]")
    return bind("strided_slice", (x,), {"spec": spec})


def strided_slice(input_, begin, end, strides=None, begin_mask=0, end_mask=0, ellipsis_mask=0,
                  new_axis_mask=0, shrink_axis_mask=0, var=None, name=None):
    """TensorFlow's strided_slice with its bit masks, mapped onto Python slicing."""
    x = to_tensor(input_)
    b = [int(v) for v in np.asarray(static_value(begin, "strided_slice", "begin")).reshape(-1)]
    e = [int(v) for v in np.asarray(static_value(end, "strided_slice", "end")).reshape(-1)]
    st = [1] * len(b) if strides is None else \
        [int(v) for v in np.asarray(static_value(strides, "strided_slice", "strides")).reshape(-1)]
    key = []
    for i in range(len(b)):
        bit = 1 << i
        if ellipsis_mask & bit:
            key.append(Ellipsis)
        elif new_axis_mask & bit:
            key.append(None)
        elif shrink_axis_mask & bit:
            key.append(b[i])
        else:
            key.append(builtins.slice(None if begin_mask & bit else b[i], None if end_mask & bit else e[i], st[i]))
    return getitem(x, tuple(key))
