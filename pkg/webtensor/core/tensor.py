"""Tensor: an immutable n-d array held by a backend, or a symbolic one while tracing."""
import numbers

import numpy as np

from .. import dtypes
from ..tensor_shape import TensorShape
from .state import state

_new = object.__new__
_from_np = dtypes._BY_NUMPY.get


class Tensor:
    """An immutable multidimensional array with a dtype and a shape.

    >>> x = tf.constant([[1., 2.], [3., 4.]])
    >>> x @ x
    <tf.Tensor: shape=(2, 2), dtype=float32, numpy=...>
    """

    __slots__ = ("_value", "_dtype", "_shape", "_backend", "__weakref__")
    # Let numpy defer to our reflected operators (np_array + tensor -> Tensor).
    __array_priority__ = 100

    @property
    def dtype(self):
        return self._dtype

    @property
    def shape(self):
        return TensorShape(self._shape)

    def get_shape(self):
        return TensorShape(self._shape)

    @property
    def ndim(self):
        return len(self._shape)

    @property
    def rank(self):
        return len(self._shape)

    @property
    def device(self):
        return self._backend.device_name

    @property
    def backing_device(self):
        return self._backend.device_name

    @property
    def name(self):
        raise AttributeError("Tensor.name is undefined when eager execution is enabled.")

    @property
    def graph(self):
        raise AttributeError("Tensor.graph is undefined when eager execution is enabled.")

    @property
    def op(self):
        raise AttributeError("Tensor.op is undefined when eager execution is enabled.")

    def numpy(self):
        """The value as a numpy array (a copy); reading is the only sync point with a device."""
        arr = self._backend.read(self._value)
        return arr.copy() if arr.ndim else arr[()]

    def _numpy(self):
        return self._backend.read(self._value)

    def __array__(self, dtype=None, copy=None):
        arr = np.asarray(self._backend.read(self._value))
        if dtype is not None and arr.dtype != dtype:
            return arr.astype(dtype)
        if copy:
            return arr.copy()
        # A read-only view: writing through it would change an immutable tensor.
        view = arr.view()
        view.flags.writeable = False
        return view

    def __len__(self):
        if not self._shape:
            raise TypeError("Scalar tensor has no `len()`")
        return self._shape[0]

    def __iter__(self):
        if not self._shape:
            raise TypeError("Cannot iterate over a scalar tensor.")
        from ..ops import array_ops
        return iter(array_ops.unstack(self, axis=0))

    def __bool__(self):
        return bool(self._scalar("bool"))

    def __float__(self):
        return float(self._scalar("float"))

    def __int__(self):
        return int(self._scalar("int"))

    def __index__(self):
        if not self._dtype.is_integer:
            raise TypeError(f"Only integer scalar tensors can be used as an index, got {self._dtype.name}")
        return int(self._scalar("index"))

    def __complex__(self):
        return complex(self._scalar("complex"))

    def _scalar(self, what):
        arr = self._backend.read(self._value)
        if arr.size != 1:
            raise ValueError(f"Cannot convert a tensor of shape {TensorShape(self._shape)} to a Python {what}; "
                             "only single-element tensors can be.")
        return arr.reshape(())[()]

    def __hash__(self):
        return id(self)

    def __reduce__(self):
        return _rebuild, (self._backend.read(self._value).copy(),)

    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        return self

    def experimental_ref(self):
        return self.ref()

    def ref(self):
        return Reference(self)

    def set_shape(self, shape):
        if not self.shape.is_compatible_with(shape):
            raise ValueError(f"Tensor's shape {self.shape} is not compatible with supplied shape {TensorShape(shape)}.")

    def eval(self, feed_dict=None, session=None):
        return self.numpy()

    def __repr__(self):
        return (f"<tf.Tensor: shape={TensorShape(self._shape)}, dtype={self._dtype.name}, "
                f"numpy={_numpy_text(self, True)}>")

    def __str__(self):
        text = _numpy_text(self, False)
        nl = "\n" if "\n" in text else ""
        return f"tf.Tensor({nl}{text}, shape={TensorShape(self._shape)}, dtype={self._dtype.name})"


def _rebuild(array):
    return constant(array)


def _numpy_text(t, is_repr):
    arr = t._backend.read(t._value)
    if arr.ndim == 0:
        return str(arr[()])
    text = repr(arr) if is_repr else str(arr)
    if is_repr and "\n" in text:
        text = "\n" + text
    return text


class SymbolicTensor(Tensor):
    """A tensor inside a traced Graph: it has a static shape (dims may be None) but no value."""

    __slots__ = ("_node", "_index")

    @property
    def shape(self):
        return TensorShape(self._shape)

    @property
    def name(self):
        return f"{self._node.name}:{self._index}"

    @property
    def op(self):
        return self._node

    @property
    def graph(self):
        return self._node.graph

    @property
    def device(self):
        return ""

    def numpy(self):
        raise NotImplementedError(
            f"Cannot call .numpy() on the symbolic tensor {self.name} (shape {self.shape}, dtype {self._dtype.name}): "
            "it has no value while tf.function traces. Return it from the function, or use tf.print to see it "
            "at run time.")

    _numpy = numpy

    def __array__(self, dtype=None, copy=None):
        raise NotImplementedError(
            f"Cannot convert the symbolic tensor {self.name} to a numpy array: it has no value while tf.function "
            "traces. This usually means a numpy function was called on a tensor inside tf.function.")

    def _scalar(self, what):
        raise TypeError(
            f"Using a symbolic tf.Tensor ({self.name}) as a Python {what} is not allowed while tf.function traces: "
            "Python control flow (`if`, `while`, `bool()`) cannot depend on a value computed in the graph. "
            "Use tf.cond or tf.while_loop instead.")

    def __iter__(self):
        if self._shape and self._shape[0] is None:
            raise TypeError(f"Iterating over the symbolic tensor {self.name} with shape {self.shape} is not allowed: "
                            "its first dimension is unknown while tf.function traces. Use tf.while_loop or "
                            "tf.map_fn, or give the function an input_signature with a fixed first dimension.")
        return Tensor.__iter__(self)

    def __len__(self):
        if not self._shape or self._shape[0] is None:
            raise TypeError(f"len is not well defined for the symbolic tensor {self.name} with shape {self.shape}. "
                            "Use tf.shape(x)[0] instead.")
        return self._shape[0]

    def __repr__(self):
        return f"<tf.Tensor '{self.name}' shape={self.shape} dtype={self._dtype.name}>"

    __str__ = __repr__


class Reference:
    """A hashable reference to a tensor or variable (``x.ref()``)."""

    __slots__ = ("_obj",)

    def __init__(self, obj):
        self._obj = obj

    def deref(self):
        return self._obj

    def __eq__(self, other):
        return isinstance(other, Reference) and other._obj is self._obj

    def __hash__(self):
        return id(self._obj)


def wrap(value, backend):
    """A Tensor around a backend handle (anything with .shape and a numpy .dtype)."""
    t = _new(Tensor)
    t._value = value
    t._dtype = _from_np(value.dtype)
    t._shape = value.shape
    t._backend = backend
    return t


def is_tensor(x):
    """True for tensors (eager or symbolic) and variables."""
    return isinstance(x, Tensor) or hasattr(x, "_as_tensor")


# -- conversion -------------------------------------------------------------------------------------

_DEFAULT = None  # the default backend, set by backends/__init__
_CPU = None      # the numpy backend, where tensors go that another backend cannot hold


def constant(value, dtype=None, shape=None, name=None):
    """Creates a constant tensor from a Python value, numpy array or tensor.

    >>> tf.constant([1, 2, 3])
    <tf.Tensor: shape=(3,), dtype=int32, numpy=array([1, 2, 3], dtype=int32)>
    """
    if isinstance(value, Tensor) or hasattr(value, "_as_tensor"):
        t = convert_to_tensor(value)
        if dtype is not None and t._dtype != dtype:
            from ..ops import math_ops
            t = math_ops.cast(t, dtype)
    else:
        t = _from_value(value, None if dtype is None else dtypes.as_dtype(dtype))
    if shape is not None:
        t = _fit_shape(t, shape)
    return t


def _fit_shape(t, shape):
    from ..ops import array_ops
    shape = tuple(TensorShape(shape).as_list())
    n = int(np.prod(shape, dtype=np.int64))
    size = int(np.prod(t._shape, dtype=np.int64))
    if size == n:
        return array_ops.reshape(t, shape)
    if size == 1:
        return array_ops.broadcast_to(array_ops.reshape(t, ()), shape)
    raise TypeError(f"Eager execution of tf.constant with unsupported shape. Tensor {t!r} (converted from the "
                    f"value) has {size} elements, but got `shape` {TensorShape(shape)} with {n} elements).")


def convert_to_tensor(value, dtype=None, dtype_hint=None, name=None, preferred_dtype=None):
    """Converts Python values, numpy arrays, tensors and variables to a Tensor.

    >>> tf.convert_to_tensor([1, 2, 3]).dtype
    tf.int32
    """
    if isinstance(value, Tensor):
        if dtype is not None and value._dtype != dtype:
            raise ValueError(f"Tensor conversion requested dtype {dtypes.as_dtype(dtype).name} for Tensor with "
                             f"dtype {value._dtype.name}: {value!r}")
        return value
    as_tensor = getattr(value, "_as_tensor", None)
    if as_tensor is not None:
        t = as_tensor()
        if dtype is not None and t._dtype != dtype:
            raise ValueError(f"Tensor conversion requested dtype {dtypes.as_dtype(dtype).name} for variable with "
                             f"dtype {t._dtype.name}")
        return t
    if dtype is not None:
        return _from_value(value, dtypes.as_dtype(dtype))
    hint = dtype_hint or preferred_dtype
    if hint is not None:
        try:
            return _from_value(value, dtypes.as_dtype(hint))
        except (TypeError, ValueError):
            pass
    return _from_value(value, None)


def _contains_tensor(value):
    if isinstance(value, (list, tuple)):
        return any(_contains_tensor(v) for v in value)
    return isinstance(value, Tensor) or hasattr(value, "_as_tensor")


def _from_value(value, dtype):
    if isinstance(value, (list, tuple)) and value and _contains_tensor(value):
        from ..ops import array_ops
        t = array_ops.stack([v if not isinstance(v, (list, tuple)) else _from_value(v, dtype) for v in value])
        if dtype is not None and t._dtype != dtype:
            raise TypeError(f"Cannot convert {value!r} to EagerTensor of dtype {dtype.name}")
        return t
    if isinstance(value, TensorShape):
        value = value.as_list()
    arr = _to_array(value, dtype)
    backend = state.device.backend if state.device is not None else _DEFAULT
    if backend is not _CPU and not backend.can_hold(_from_np(arr.dtype)):
        backend = _CPU  # soft placement, e.g. float64 when the device has no float64
    return wrap(backend.write(arr), backend)


_PY_SCALARS = (bool, int, float, numbers.Number)


def _to_array(value, dtype):
    if isinstance(value, np.ndarray) or isinstance(value, np.generic):
        arr = np.asarray(value)
        if arr.dtype.kind in "OSUV":
            raise TypeError(f"Cannot convert a numpy array of dtype {arr.dtype} to a tensor.")
        if dtype is None:
            if arr.dtype not in dtypes._BY_NUMPY:
                raise TypeError(f"numpy dtype {arr.dtype} has no webtensor equivalent")
            return arr
        return _cast_checked(arr, dtype, value)
    if value is None:
        raise ValueError("Attempt to convert a value (None) with an unsupported type (<class 'NoneType'>) to a Tensor.")
    try:
        arr = np.asarray(value)
    except ValueError as e:
        raise ValueError(f"Can't convert non-rectangular Python sequence to Tensor: {value!r}") from e
    if arr.dtype.kind not in "biuf":
        if arr.dtype.kind == "O":
            raise ValueError(f"Can't convert non-rectangular Python sequence to Tensor: {value!r}")
        raise TypeError(f"Attempt to convert a value ({value!r}) with an unsupported type ({type(value)}) to a Tensor.")
    if dtype is None:
        kind = arr.dtype.kind
        if kind == "f":
            with np.errstate(over="ignore"):  # as in TF, Python floats beyond float32 become inf
                return arr.astype(np.float32)
        if kind == "u":  # only Python ints of 2**63 and more come out unsigned
            raise ValueError(f"Can't convert Python int {_short(value)} to a tensor: it is out of the int64 range "
                             "(pass dtype=tf.uint64 for unsigned values).")
        if kind == "i":
            if arr.size and (arr.min() < -2**31 or arr.max() >= 2**31):
                return arr.astype(np.int64)
            return arr.astype(np.int32)
        return arr
    return _cast_checked(arr, dtype, value)


def _cast_checked(arr, dtype, original):
    """Casts a Python/numpy value to dtype, refusing lossy conversions as tf.constant does."""
    target = np.dtype(dtype.as_numpy_dtype)
    if arr.dtype == target:
        return arr
    kind = arr.dtype.kind
    if dtype.is_bool and kind != "b":
        raise TypeError(f"Cannot convert {_short(original)} to EagerTensor of dtype bool")
    if dtype.is_integer:
        if kind == "f" and not np.all(np.isfinite(arr) & (arr == np.round(arr))):
            raise TypeError(f"Cannot convert {_short(original)} to EagerTensor of dtype {dtype.name}")
        if kind in "iuf" and arr.size and (arr.min() < dtype.min or arr.max() > dtype.max):
            raise TypeError(f"Cannot convert {_short(original)} to EagerTensor of dtype {dtype.name}: out of range")
    with np.errstate(over="ignore"):
        return arr.astype(target)


def _short(value):
    text = repr(value)
    return text if len(text) < 80 else text[:77] + "..."
