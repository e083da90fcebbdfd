"""Metrics that average a loss function over all samples seen (MeanSquaredError, ...), and RMSE."""
from ...ops import math_ops as _m
from ...ops import nn_ops as _nn
from ...ops import reduction_ops as _r
from .. import losses as _losses
from .reduction import Mean, MeanMetricWrapper


def cosine_similarity(y_true, y_pred, axis=-1):
    """sum(l2_normalize(y_true) * l2_normalize(y_pred), axis): the cosine (positive, unlike the loss).

    >>> tf.keras.metrics.cosine_similarity([[0., 1.]], [[0., 3.]])   # [1.]
    """
    y_true, y_pred = _losses._prepare(y_true, y_pred)
    return _r.reduce_sum(_nn.l2_normalize(y_true, axis=axis) * _nn.l2_normalize(y_pred, axis=axis), axis=axis)


def _wrapper_class(class_name, fn, default_name, doc, **defaults):
    """A MeanMetricWrapper subclass taking (name, dtype, *fn's keyword arguments), as Keras's do."""
    order = ["name", "dtype"] + list(defaults)

    def __init__(self, *args, **kwargs):
        values = _losses._bind_arguments(class_name, order, dict(defaults, name=default_name, dtype=None), args,
                                         kwargs)
        name, dtype = values.pop("name"), values.pop("dtype")
        MeanMetricWrapper.__init__(self, fn, name=name, dtype=dtype, **values)
        for key, value in values.items():
            setattr(self, key, value)

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype, **self._fn_kwargs}

    def from_config(cls, config):
        return cls(**config)

    return type(class_name, (MeanMetricWrapper,), {
        "__init__": __init__, "get_config": get_config, "from_config": classmethod(from_config),
        "__doc__": doc, "__module__": __name__, "__qualname__": class_name})


MeanSquaredError = _wrapper_class(
    "MeanSquaredError", _losses.mean_squared_error, "mean_squared_error",
    """The running mean of mean_squared_error. `tf.keras.metrics.MeanSquaredError()`""")
MeanAbsoluteError = _wrapper_class(
    "MeanAbsoluteError", _losses.mean_absolute_error, "mean_absolute_error",
    """The running mean of mean_absolute_error. `tf.keras.metrics.MeanAbsoluteError()`""")
MeanAbsolutePercentageError = _wrapper_class(
    "MeanAbsolutePercentageError", _losses.mean_absolute_percentage_error, "mean_absolute_percentage_error",
    """The running mean of mean_absolute_percentage_error. `tf.keras.metrics.MeanAbsolutePercentageError()`""")
MeanSquaredLogarithmicError = _wrapper_class(
    "MeanSquaredLogarithmicError", _losses.mean_squared_logarithmic_error, "mean_squared_logarithmic_error",
    """The running mean of mean_squared_logarithmic_error. `tf.keras.metrics.MeanSquaredLogarithmicError()`""")
LogCoshError = _wrapper_class(
    "LogCoshError", _losses.log_cosh, "logcosh",
    """The running mean of log_cosh. `tf.keras.metrics.LogCoshError()`""")
CosineSimilarity = _wrapper_class(
    "CosineSimilarity", cosine_similarity, "cosine_similarity",
    """The running mean of the cosine between labels and predictions. `tf.keras.metrics.CosineSimilarity()`""",
    axis=-1)
BinaryCrossentropy = _wrapper_class(
    "BinaryCrossentropy", _losses.binary_crossentropy, "binary_crossentropy",
    """The running mean of binary cross-entropy. `tf.keras.metrics.BinaryCrossentropy(from_logits=True)`""",
    from_logits=False, label_smoothing=0.0)
CategoricalCrossentropy = _wrapper_class(
    "CategoricalCrossentropy", _losses.categorical_crossentropy, "categorical_crossentropy",
    """The running mean of categorical cross-entropy. `tf.keras.metrics.CategoricalCrossentropy()`""",
    from_logits=False, label_smoothing=0.0, axis=-1)
SparseCategoricalCrossentropy = _wrapper_class(
    "SparseCategoricalCrossentropy", _losses.sparse_categorical_crossentropy, "sparse_categorical_crossentropy",
    """The running mean of sparse categorical cross-entropy. `tf.keras.metrics.SparseCategoricalCrossentropy()`""",
    from_logits=False, axis=-1)
KLDivergence = _wrapper_class(
    "KLDivergence", _losses.kl_divergence, "kl_divergence",
    """The running mean of kl_divergence. `tf.keras.metrics.KLDivergence()`""")
Poisson = _wrapper_class(
    "Poisson", _losses.poisson, "poisson",
    """The running mean of the Poisson loss. `tf.keras.metrics.Poisson()`""")
Hinge = _wrapper_class(
    "Hinge", _losses.hinge, "hinge",
    """The running mean of the hinge loss. `tf.keras.metrics.Hinge()`""")
SquaredHinge = _wrapper_class(
    "SquaredHinge", _losses.squared_hinge, "squared_hinge",
    """The running mean of the squared hinge loss. `tf.keras.metrics.SquaredHinge()`""")
CategoricalHinge = _wrapper_class(
    "CategoricalHinge", _losses.categorical_hinge, "categorical_hinge",
    """The running mean of the categorical hinge loss. `tf.keras.metrics.CategoricalHinge()`""")


class RootMeanSquaredError(Mean):
    """sqrt of the running mean of squared errors (over all elements of all samples).

    >>> m = tf.keras.metrics.RootMeanSquaredError()
    >>> m.update_state([[0., 1.], [0., 0.]], [[1., 1.], [0., 0.]])
    >>> m.result()          # 0.5
    """

    def __init__(self, name="root_mean_squared_error", dtype=None):
        super().__init__(name=name, dtype=dtype)

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true = _losses._to_float(y_true, self.dtype)
        y_pred = _losses._to_float(y_pred, self.dtype)
        y_true, y_pred = _losses.squeeze_or_expand_to_same_rank(y_true, y_pred)
        return super().update_state(_m.square(y_pred - y_true), sample_weight=sample_weight)

    def result(self):
        return _m.sqrt(super().result())
