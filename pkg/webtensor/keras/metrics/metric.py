"""The Metric base class: state in non-trainable variables, update_state / result / reset_state."""
from ... import dtypes
from ...core.state import init_scope, name_scope
from ...core.variable import Variable
from ...ops import constructor_ops as _c
from ...ops import math_ops as _m
from .. import backend


class Metric:
    """Base class of stateful metrics: subclasses create variables in __init__ with add_variable and
    implement update_state(...) and result(); all three run eagerly or inside tf.function.

    >>> class Count(tf.keras.metrics.Metric):
    ...     def __init__(self, name="count"):
    ...         super().__init__(name=name)
    ...         self.n = self.add_variable((), "zeros", name="n")
    ...     def update_state(self, values):
    ...         self.n.assign_add(tf.cast(tf.size(values), self.dtype))
    ...     def result(self):
    ...         return tf.identity(self.n)
    """

    def __init__(self, dtype=None, name=None):
        self.name = name or backend.unique_name(backend.to_snake_case(type(self).__name__))
        self._dtype = dtypes.as_dtype(dtype or backend.floatx()).name
        self._variables = []
        self._metrics = []

    @property
    def dtype(self):
        """The dtype name of the metric's state and results (floatx() unless given)."""
        return self._dtype

    def add_variable(self, shape, initializer, dtype=None, aggregation="sum", name=None):
        """A new non-trainable state variable (created eagerly, also while tf.function traces)."""
        from .. import initializers
        init = initializers.get(initializer if initializer is not None else "zeros")
        dtype = dtypes.as_dtype(dtype or self.dtype)
        shape = tuple(shape)
        with init_scope(), name_scope(self.name.replace(" ", "_")):
            variable = Variable(lambda: init(shape, dtype=dtype), trainable=False, dtype=dtype, name=name)
        self._variables.append(variable)
        return variable

    def add_weight(self, shape=(), initializer=None, dtype=None, name=None):
        """Same as add_variable (the tf.keras 2 spelling)."""
        return self.add_variable(shape, initializer, dtype=dtype, name=name)

    @property
    def variables(self):
        """The state variables, the metric's own first, then those of metrics it holds."""
        found = list(self._variables)
        for metric in self._metrics:
            found.extend(v for v in metric.variables if all(v is not w for w in found))
        return found

    def update_state(self, *args, **kwargs):
        raise NotImplementedError(f"Metric subclass {type(self).__name__} must implement update_state")

    def result(self):
        raise NotImplementedError(f"Metric subclass {type(self).__name__} must implement result")

    def reset_state(self):
        """Sets every state variable back to zero."""
        for v in self.variables:
            v.assign(_c.zeros(tuple(v.shape), dtype=v.dtype))

    def reset_states(self):
        """Same as reset_state (the tf.keras 2 spelling)."""
        self.reset_state()

    def __call__(self, *args, **kwargs):
        """update_state(*args, **kwargs), then result()."""
        self.update_state(*args, **kwargs)
        return self.result()

    def _cast_result(self, value):
        dtype = dtypes.as_dtype(self.dtype)
        return value if value.dtype == dtype else _m.cast(value, dtype)

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __setattr__(self, name, value):
        # metrics held as attributes (e.g. a Mean inside a custom metric) contribute their variables
        if isinstance(value, Metric) and name != "_metrics" and hasattr(self, "_metrics"):
            if all(value is not m for m in self._metrics):
                self._metrics.append(value)
        super().__setattr__(name, value)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}>"
