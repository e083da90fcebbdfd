"""tf.Variable: a mutable tensor. Reads are what GradientTapes watch; writes replace the value."""
from .. import dtypes, errors
from ..tensor_shape import TensorShape
from . import tensor as _tensor
from .state import init_scope, state, scope_name

_new = object.__new__


def _fresh(t):
    """A new Tensor object over the same data, so each variable value has an identity of its own."""
    f = _new(_tensor.Tensor)
    f._value = t._value
    f._dtype = t._dtype
    f._shape = t._shape
    f._backend = t._backend
    return f


class Variable:
    """A tensor whose value can change: model weights and other state.

    >>> v = tf.Variable([0.0, 0.0, 0.0])
    >>> v.assign_add([1, 1, 1])
    <tf.Variable 'Variable:0' shape=(3,) dtype=float32, numpy=array([1., 1., 1.], dtype=float32)>
    """

    __array_priority__ = 100

    def __init__(self, initial_value=None, trainable=None, validate_shape=True, caching_device=None,
                 name=None, variable_def=None, dtype=None, import_scope=None, constraint=None,
                 synchronization=None, aggregation=None, shape=None, experimental_enable_variable_lifting=True):
        if initial_value is None:
            raise ValueError("The `initial_value` argument to `tf.Variable` must be specified.")
        with init_scope():
            if callable(initial_value):
                initial_value = initial_value()
            if isinstance(initial_value, _tensor.SymbolicTensor):
                raise ValueError(
                    "tf.Variable was given a symbolic tensor from a tf.function graph as its initial value. Create "
                    "variables outside tf.function, or from values that do not depend on the function's inputs.")
            if dtype is not None:
                dtype = dtypes.as_dtype(dtype)
                if isinstance(initial_value, _tensor.Tensor) or hasattr(initial_value, "_as_tensor"):
                    value = _tensor.convert_to_tensor(initial_value)
                    if value._dtype != dtype:
                        from ..ops import math_ops
                        value = math_ops.cast(value, dtype)
                else:
                    value = _tensor.convert_to_tensor(initial_value, dtype=dtype)
            else:
                value = _tensor.convert_to_tensor(initial_value)
        self._value = _fresh(value)
        self._dtype = value._dtype
        if shape is None or not validate_shape:
            self._static_shape = TensorShape(value._shape) if validate_shape else TensorShape(None)
        else:
            self._static_shape = TensorShape(shape)
            if not self._static_shape.is_compatible_with(value._shape):
                raise ValueError(f"The initial value's shape ({TensorShape(value._shape)}) is not compatible with "
                                 f"the explicitly supplied `shape` argument ({self._static_shape}).")
        self._trainable = True if trainable is None else bool(trainable)
        base = name if name is not None else "Variable"
        prefix = scope_name()
        self._name = (f"{prefix}/{base}" if prefix else base) + ":0"
        if constraint is not None and not callable(constraint):
            raise ValueError(f"Argument `constraint` must be None or a callable, got {constraint!r}")
        self._constraint = constraint
        self._initial_value = value
        self.synchronization = synchronization
        self.aggregation = aggregation

    # -- reading -----------------------------------------------------------------------------------

    def _as_tensor(self):
        return self._read()

    def _read(self):
        graph = state.graph
        t = self._value if graph is None else graph.read_variable(self)
        if state.tapes:
            for tape in state.tapes:
                tape._on_read(self, t)
        return t

    def value(self):
        """The current value as a Tensor."""
        return self._read()

    def read_value(self):
        """The current value as a Tensor."""
        return self._read()

    def numpy(self):
        return self._value.numpy()

    def __array__(self, dtype=None, copy=None):
        return self._value.__array__(dtype, copy)

    # -- writing -----------------------------------------------------------------------------------

    def assign(self, value, use_locking=None, name=None, read_value=True):
        """Sets the variable to `value` (converted to the variable's dtype); returns the variable."""
        return self._write("assign", value)

    def assign_add(self, delta, use_locking=None, name=None, read_value=True):
        """Adds `delta` to the variable; returns the variable."""
        return self._write("assign_add", delta)

    def assign_sub(self, delta, use_locking=None, name=None, read_value=True):
        """Subtracts `delta` from the variable; returns the variable."""
        return self._write("assign_sub", delta)

    def _write(self, mode, value):
        value = self._convert(value, mode)
        graph = state.graph
        if graph is not None:
            graph.assign_variable(self, value, mode)
            return self
        if mode != "assign":
            from ..ops import math_ops
            with init_scope():
                value = (math_ops.add if mode == "assign_add" else math_ops.subtract)(self._value, value)
        self._set(value)
        return self

    def _convert(self, value, mode):
        if isinstance(value, _tensor.Tensor) or hasattr(value, "_as_tensor"):
            value = _tensor.convert_to_tensor(value)
            if value._dtype != self._dtype:
                raise ValueError(f"Tensor conversion requested dtype {self._dtype.name} for Tensor with dtype "
                                 f"{value._dtype.name}: cannot {mode} it to the variable '{self._name}'; "
                                 "cast it first with tf.cast.")
        else:
            value = _tensor.convert_to_tensor(value, dtype=self._dtype)
        shape = value._shape
        if mode == "assign":
            if not self._static_shape.is_compatible_with(shape):
                raise ValueError(f"Cannot assign value to variable '{self._name}': Shape mismatch. The variable "
                                 f"shape {self.shape}, and the assigned value shape {TensorShape(shape)} are "
                                 "incompatible.")
            return value
        # NOTE: as TF's AssignAddVariableOp, updates need the delta's shape to equal the variable's (no broadcasting).
        current = self._static_shape if state.graph is not None else TensorShape(self._value._shape)
        if current.rank is not None and (len(shape) != current.rank or not current.is_compatible_with(shape)):
            op = "AssignAddVariableOp" if mode == "assign_add" else "AssignSubVariableOp"
            raise errors.InvalidArgumentError(
                None, op, f"Cannot update variable with shape {_dims(current)} using a Tensor with shape "
                f"{_dims(shape)}, shapes must be equal. [Op:{op}]")
        return value

    def _set(self, value):
        """Replaces the eager value (used by assign, checkpoints and graph replay)."""
        self._value = _fresh(value)

    # -- properties --------------------------------------------------------------------------------

    @property
    def dtype(self):
        return self._dtype

    @property
    def shape(self):
        return self._static_shape

    def get_shape(self):
        return self.shape

    @property
    def ndim(self):
        return len(self._value._shape)

    @property
    def name(self):
        return self._name

    @property
    def trainable(self):
        return self._trainable

    @property
    def device(self):
        return self._value.device

    @property
    def initial_value(self):
        return self._initial_value

    @property
    def constraint(self):
        return self._constraint

    def ref(self):
        return _tensor.Reference(self)

    experimental_ref = ref

    def __hash__(self):
        raise TypeError("Variable is unhashable. Instead, use variable.ref() as the key.")

    def __len__(self):
        return len(self._value)

    def __iter__(self):
        return iter(self._read())

    def __bool__(self):
        return bool(self._read())

    def __float__(self):
        return float(self._read())

    def __int__(self):
        return int(self._read())

    def __index__(self):
        return self._read().__index__()

    def __deepcopy__(self, memo):
        v = Variable(self._value, trainable=self._trainable, name=self._name[:-2], dtype=self._dtype)
        memo[id(self)] = v
        return v

    def __reduce__(self):
        raise TypeError("tf.Variable cannot be pickled; use tf.train.Checkpoint to save variables.")

    def __repr__(self):
        if state.graph is not None:
            return f"<tf.Variable '{self._name}' shape={self.shape} dtype={self._dtype.name}>"
        return (f"<tf.Variable '{self._name}' shape={self.shape} dtype={self._dtype.name}, "
                f"numpy={_tensor._numpy_text(self._value, True)}>")


def _dims(shape):
    return "[" + ",".join("?" if d is None else str(d) for d in shape) + "]"
