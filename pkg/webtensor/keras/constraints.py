"""tf.keras.constraints: projections applied to a weight after each optimizer update.

    layer = tf.keras.layers.Dense(3, kernel_constraint=tf.keras.constraints.MaxNorm(2.0))
"""
from ..core.tensor import convert_to_tensor
from ..ops import math_ops as _m
from ..ops import reduction_ops as _r
from . import initializers as _initializers

EPSILON = 1e-7


def _as_tensor(w):
    return convert_to_tensor(w._as_tensor() if hasattr(w, "_as_tensor") else w)


def _norms(w, axis):
    return _m.sqrt(_r.reduce_sum(_m.square(w), axis=axis, keepdims=True))


class Constraint:
    """Base class: `constraint(w)` returns the projected weight (the base returns w unchanged)."""

    def __call__(self, w):
        return w

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class MaxNorm(Constraint):
    """Rescales slices along axis whose L2 norm exceeds max_value. `tf.keras.constraints.MaxNorm(2.0)(w)`"""

    def __init__(self, max_value=2, axis=0):
        self.max_value, self.axis = max_value, axis

    def __call__(self, w):
        w = _as_tensor(w)
        norms = _norms(w, self.axis)
        desired = _m.clip_by_value(norms, _m.cast(0.0, w.dtype), _m.cast(self.max_value, w.dtype))
        return w * (desired / (EPSILON + norms))

    def get_config(self):
        return {"max_value": self.max_value, "axis": self.axis}


class NonNeg(Constraint):
    """Sets negative weights to zero. `tf.keras.constraints.NonNeg()(w)`"""

    def __call__(self, w):
        w = _as_tensor(w)
        return w * _m.cast(_m.greater_equal(w, _m.cast(0.0, w.dtype)), w.dtype)


class UnitNorm(Constraint):
    """Scales slices along axis to unit L2 norm. `tf.keras.constraints.UnitNorm(axis=0)(w)`"""

    def __init__(self, axis=0):
        self.axis = axis

    def __call__(self, w):
        w = _as_tensor(w)
        return w / (EPSILON + _norms(w, self.axis))

    def get_config(self):
        return {"axis": self.axis}


class MinMaxNorm(Constraint):
    """Moves slice norms toward [min_value, max_value] by rate. `tf.keras.constraints.MinMaxNorm(0.5, 1.0)(w)`"""

    def __init__(self, min_value=0.0, max_value=1.0, rate=1.0, axis=0):
        self.min_value, self.max_value, self.rate, self.axis = min_value, max_value, rate, axis

    def __call__(self, w):
        w = _as_tensor(w)
        norms = _norms(w, self.axis)
        clipped = _m.clip_by_value(norms, _m.cast(self.min_value, w.dtype), _m.cast(self.max_value, w.dtype))
        desired = self.rate * clipped + (1 - self.rate) * norms
        return w * (desired / (EPSILON + norms))

    def get_config(self):
        return {"min_value": self.min_value, "max_value": self.max_value, "rate": self.rate, "axis": self.axis}


max_norm, non_neg, unit_norm, min_max_norm = MaxNorm, NonNeg, UnitNorm, MinMaxNorm

_CLASSES = {c.__name__: c for c in (Constraint, MaxNorm, NonNeg, UnitNorm, MinMaxNorm)}
_ALIASES = {"max_norm": MaxNorm, "maxnorm": MaxNorm, "non_neg": NonNeg, "nonneg": NonNeg,
            "unit_norm": UnitNorm, "unitnorm": UnitNorm, "min_max_norm": MinMaxNorm, "minmaxnorm": MinMaxNorm}


def serialize(constraint):
    """A JSON-able description of a constraint (None stays None)."""
    return _initializers.serialize_object(constraint, Constraint, "keras.constraints", "constraint")


def deserialize(config):
    """The constraint a name or a serialize() dict describes."""
    return _initializers.deserialize_object(config, _CLASSES, _ALIASES, "constraint")


def get(identifier):
    """A constraint from a name ('max_norm', 'non_neg', ...), a config dict, an instance or a callable."""
    return _initializers.get_object(identifier, deserialize, "constraint")
