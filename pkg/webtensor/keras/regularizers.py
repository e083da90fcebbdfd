"""tf.keras.regularizers: penalties on weights, added to a layer's `losses`.

    layer = tf.keras.layers.Dense(3, kernel_regularizer=tf.keras.regularizers.L2(0.01))
    # after the layer is built: layer.losses == [0.01 * sum(kernel ** 2)]
"""
from ..core.tensor import convert_to_tensor
from ..ops import math_ops as _m
from ..ops import reduction_ops as _r
from . import initializers as _initializers


def _as_tensor(x):
    return convert_to_tensor(x._as_tensor() if hasattr(x, "_as_tensor") else x)


def _check_factor(value, name, who):
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        raise ValueError(f"{who}: invalid value for argument {name}: expected a float, got {value!r}")
    if value < 0:
        raise ValueError(f"{who}: {name} must be non-negative, got {value}")
    return float(value)


class Regularizer:
    """Base class: `regularizer(weight)` returns a scalar penalty.

    >>> class Sum(tf.keras.regularizers.Regularizer):
    ...     def __call__(self, x):
    ...         return tf.reduce_sum(x)
    """

    def __call__(self, x):
        return _m.zeros_like(_r.reduce_sum(_as_tensor(x)))

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class L1L2(Regularizer):
    """l1 * sum(|x|) + l2 * sum(x ** 2). `tf.keras.regularizers.L1L2(l1=0.01, l2=0.01)(w)`"""

    def __init__(self, l1=0.0, l2=0.0):
        self.l1 = _check_factor(0.0 if l1 is None else l1, "l1", "L1L2")
        self.l2 = _check_factor(0.0 if l2 is None else l2, "l2", "L1L2")

    def __call__(self, x):
        x = _as_tensor(x)
        total = _m.cast(0.0, x.dtype)
        if self.l1:
            total = total + self.l1 * _r.reduce_sum(_m.abs(x))
        if self.l2:
            total = total + self.l2 * _r.reduce_sum(_m.square(x))
        return total

    def get_config(self):
        return {"l1": self.l1, "l2": self.l2}


class L1(Regularizer):
    """l1 * sum(|x|). `tf.keras.regularizers.L1(0.01)(w)`"""

    def __init__(self, l1=0.01):
        self.l1 = _check_factor(l1, "l1", "L1")

    def __call__(self, x):
        return self.l1 * _r.reduce_sum(_m.abs(_as_tensor(x)))

    def get_config(self):
        return {"l1": self.l1}


class L2(Regularizer):
    """l2 * sum(x ** 2) (no factor 1/2, as Keras). `tf.keras.regularizers.L2(0.01)(w)`"""

    def __init__(self, l2=0.01):
        self.l2 = _check_factor(l2, "l2", "L2")

    def __call__(self, x):
        return self.l2 * _r.reduce_sum(_m.square(_as_tensor(x)))

    def get_config(self):
        return {"l2": self.l2}


class OrthogonalRegularizer(Regularizer):
    """factor * mean of |off-diagonal| of the (rows or columns) cosine-similarity matrix of a 2-D weight."""

    def __init__(self, factor=0.01, mode="rows"):
        self.factor = _check_factor(factor, "factor", "OrthogonalRegularizer")
        if mode not in ("rows", "columns"):
            raise ValueError(f"OrthogonalRegularizer: mode must be 'rows' or 'columns', got {mode!r}")
        self.mode = mode

    def __call__(self, x):
        from ..ops import constructor_ops, linalg_ops, nn_ops, shape_ops
        x = _as_tensor(x)
        if len(x.shape) != 2:
            raise ValueError(f"OrthogonalRegularizer: inputs must have rank 2, got shape {x.shape}")
        if self.mode == "columns":
            x = shape_ops.transpose(x)
        x = nn_ops.l2_normalize(x, axis=1)
        n = x.shape[0]
        product = linalg_ops.matmul(x, x, transpose_b=True)
        off_diagonal = product * (1.0 - constructor_ops.eye(n, dtype=x.dtype))
        return self.factor * 0.5 * _r.reduce_sum(_m.abs(off_diagonal)) / (n * (n - 1) / 2.0)

    def get_config(self):
        return {"factor": self.factor, "mode": self.mode}


l1, l2, l1_l2 = L1, L2, L1L2
orthogonal_regularizer = OrthogonalRegularizer

_CLASSES = {c.__name__: c for c in (Regularizer, L1, L2, L1L2, OrthogonalRegularizer)}
_ALIASES = {"l1": L1, "l2": L2, "l1_l2": L1L2, "l1l2": L1L2, "orthogonal_regularizer": OrthogonalRegularizer}


def serialize(regularizer):
    """A JSON-able description of a regularizer (None stays None)."""
    return _initializers.serialize_object(regularizer, Regularizer, "keras.regularizers", "regularizer")


def deserialize(config):
    """The regularizer a name or a serialize() dict describes."""
    return _initializers.deserialize_object(config, _CLASSES, _ALIASES, "regularizer")


def get(identifier):
    """A regularizer from a name ('l1', 'l2', 'l1_l2'), a config dict, an instance or a callable.

    >>> tf.keras.regularizers.get("l2")
    """
    return _initializers.get_object(identifier, deserialize, "regularizer")
